package dev.cairn.install.agent.run;

import dev.cairn.install.agent.LockChoice;
import dev.cairn.install.agent.RebootWindow;
import dev.cairn.install.agent.UpdateConf;
import dev.cairn.install.agent.host.AgentState;
import dev.cairn.install.agent.host.Host;
import dev.cairn.install.agent.lock.RebootLock;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * locksmithd's half of an update: once an update is written and waiting, reboot into it the way
 * REBOOT_STRATEGY says. Outside the reboot window it waits for the window; with a lock it asks for
 * a slot until one is free (and checks the window again before each ask); with a slot it records
 * the lock in the agent's state and runs the reboot command. The slot is given back after the next
 * healthy boot ({@link Agent#releaseRebootLock}). A reboot command that fails gives the slot back
 * at once, so a machine that could not reboot does not keep the others waiting.
 */
public final class Rebooter {
  /** Waits: the real one sleeps; a test's moves its clock instead. */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** Opens the lock a choice names. */
  public interface Locks {
    RebootLock open(LockChoice choice) throws IOException;
  }

  /** What {@link #rebootIfWaiting} did. */
  public enum Result { NOTHING_WAITING, OFF, REBOOTED }

  private final Host host;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Locks locks;
  private final List<String> rebootCommand;
  private final Duration retry;
  private final PrintWriter out;

  /**
   * @param retry how long to wait before asking a full lock again
   */
  public Rebooter(Host host, Clock clock, Sleeper sleeper, Locks locks, List<String> rebootCommand, Duration retry,
      PrintWriter out) {
    if (rebootCommand.isEmpty()) {
      throw new IllegalArgumentException("the reboot command is empty");
    }
    if (retry.isNegative() || retry.isZero()) {
      throw new IllegalArgumentException("the lock retry interval must be more than 0, got " + retry);
    }
    this.host = host;
    this.clock = clock;
    this.sleeper = sleeper;
    this.locks = locks;
    this.rebootCommand = List.copyOf(rebootCommand);
    this.retry = retry;
    this.out = out;
  }

  /**
   * Reboots into the update waiting, if there is one, as REBOOT_STRATEGY says; returns when the
   * reboot command has run (or at once when nothing is waiting or the strategy is off).
   *
   * @throws InterruptedException when asked to stop while waiting for the window or a slot
   */
  public Result rebootIfWaiting() throws IOException, InterruptedException {
    AgentState state = AgentState.load(host.root());
    if (state.updateWaiting().isEmpty()) {
      return Result.NOTHING_WAITING;
    }
    String version = state.updateWaiting().get();
    UpdateConf conf = host.updateConf();
    UpdateConf.RebootStrategy strategy = conf.rebootStrategy();
    if (strategy == UpdateConf.RebootStrategy.OFF) {
      log("update " + version + " is waiting: REBOOT_STRATEGY=off, reboot to run it");
      return Result.OFF;
    }
    Optional<RebootWindow> window = conf.rebootWindow();
    LockChoice choice = LockChoice.of(conf, strategy);
    String id = host.machineId();
    RebootLock lock = choice instanceof LockChoice.None ? null : locks.open(choice);
    while (true) {
      waitForWindow(window);
      if (lock == null) {
        log("update " + version + " is waiting: REBOOT_STRATEGY=" + strategy.text() + ", no lock: rebooting");
        reboot(null, id);
        return Result.REBOOTED;
      }
      RebootLock.Outcome o;
      try {
        o = lock.lock(id);
      } catch (IOException e) {
        if (strategy == UpdateConf.RebootStrategy.BEST_EFFORT) {
          log("cannot reach " + lock.describe() + " (" + oneLine(e) + "); REBOOT_STRATEGY=best-effort: rebooting without it");
          reboot(null, id);
          return Result.REBOOTED;
        }
        log("cannot reach " + lock.describe() + " (" + oneLine(e) + "); asking again in " + text(retry));
        sleeper.sleep(retry);
        continue;
      }
      if (o instanceof RebootLock.Outcome.Refused r) {
        log("no reboot slot from " + lock.describe() + ": " + r.why() + "; asking again in " + text(retry));
        sleeper.sleep(retry);
        continue;
      }
      RebootLock.Outcome.Granted g = (RebootLock.Outcome.Granted) o;
      if (window.isPresent() && !window.get().isOpen(now())) {
        // The window closed while the slot was asked for: give it back and wait for the next one.
        lock.unlock(id);
        continue;
      }
      log("reboot slot " + (g.already() ? "already held" : "taken") + " from " + lock.describe() + " as " + id);
      AgentState.load(host.root()).withRebootLock(Optional.of(lock.describe()), bootId()).save(host.root());
      reboot(lock, id);
      return Result.REBOOTED;
    }
  }

  private void waitForWindow(Optional<RebootWindow> window) throws InterruptedException {
    while (window.isPresent() && !window.get().isOpen(now())) {
      ZonedDateTime now = now();
      Duration d = window.get().untilOpen(now);
      log("outside the reboot window (" + window.get().describe() + "): waiting " + text(d) + ", until "
          + now.plus(d).withNano(0).toOffsetDateTime());
      sleeper.sleep(d);
    }
  }

  /** This boot's id, so that the slot is given back only by a later boot; empty when unreadable. */
  private Optional<String> bootId() {
    try {
      return Optional.of(host.bootId());
    } catch (IOException | RuntimeException unreadable) {
      return Optional.empty();
    }
  }

  private ZonedDateTime now() {
    return ZonedDateTime.now(clock);
  }

  private void reboot(RebootLock held, String id) throws IOException {
    log("rebooting: " + String.join(" ", rebootCommand));
    try {
      run(rebootCommand);
    } catch (IOException e) {
      if (held != null) {
        try {
          held.unlock(id);
          AgentState.load(host.root()).withRebootLock(Optional.empty(), Optional.empty()).save(host.root());
          log("the reboot failed; the reboot slot is given back");
        } catch (IOException stillHeld) {
          log("the reboot failed and the slot could not be given back (" + oneLine(stillHeld) + "); "
              + "the next healthy boot gives it back");
        }
      }
      throw e;
    }
  }

  static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not return within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while rebooting", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue());
    }
  }

  private void log(String line) {
    out.println(clock.instant() + " " + line);
    out.flush();
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.replace('\n', ' ');
  }

  static String text(Duration d) {
    if (d.toMillis() < 10_000) {
      return d.toMillis() + " ms";
    }
    long s = d.toSeconds();
    return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
