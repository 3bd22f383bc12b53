package dev.cairn.install.agent.run;

import dev.cairn.install.agent.UpdateConf;
import dev.cairn.install.agent.host.Host;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code cairn agent daemon}: update_engine's schedule (a first check a few minutes after start,
 * then one every 45 minutes, each moved by up to the fuzz either way), an update applied when one
 * is offered, and the reboot strategy followed. A stop request (SIGTERM) is honoured between steps:
 * the daemon never leaves in the middle of writing a slot, and a slot being written is unbootable
 * anyway until it is whole.
 */
public final class Daemon {
  /** When to check. */
  public record Schedule(Duration first, Duration interval, Duration fuzz) {
    public static final Schedule UPDATE_ENGINE = new Schedule(Duration.ofMinutes(7), Duration.ofMinutes(45),
        Duration.ofMinutes(10));

    public Schedule {
      if (first.isNegative() || interval.isNegative() || interval.isZero() || fuzz.isNegative()) {
        throw new IllegalArgumentException("the first delay and the fuzz must be 0 or more and the interval more than 0");
      }
    }

    /** {@code base} moved by a random amount within the fuzz (fuzz/2 either way), never below 0. */
    public Duration fuzzed(Duration base, Random random) {
      if (fuzz.isZero()) {
        return base;
      }
      long half = fuzz.toMillis() / 2;
      long ms = base.toMillis() + (long) (random.nextDouble() * fuzz.toMillis()) - half;
      return Duration.ofMillis(Math.max(0, ms));
    }
  }

  private final Agent agent;
  private final Host host;
  private final Schedule schedule;
  private final List<String> rebootCommand;
  private final PrintWriter out;
  private final Random random = new Random();
  private volatile boolean stopping;
  private final Object lock = new Object();

  public Daemon(Agent agent, Host host, Schedule schedule, List<String> rebootCommand, PrintWriter out) {
    this.agent = agent;
    this.host = host;
    this.schedule = schedule;
    this.rebootCommand = List.copyOf(rebootCommand);
    this.out = out;
  }

  /** Asks the loop to end after the step it is in; returns at once. */
  public void stop() {
    stopping = true;
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  /** Runs until {@link #stop}; returns how many updates it applied. */
  public int run() {
    int applied = 0;
    Duration wait = schedule.fuzzed(schedule.first(), random);
    log("started; first check in " + seconds(wait));
    while (!sleep(wait)) {
      try {
        Optional<String> v = agent.update(Optional.empty());
        if (v.isPresent()) {
          applied++;
          afterUpdate(v.get());
        }
      } catch (IOException | RuntimeException e) {
        log("check failed: " + e.getMessage());
      }
      if (stopping) {
        break;
      }
      wait = schedule.fuzzed(schedule.interval(), random);
      log("next check in " + seconds(wait));
    }
    log("stopped");
    return applied;
  }

  private void afterUpdate(String version) throws IOException {
    UpdateConf.RebootStrategy strategy = host.updateConf().rebootStrategy();
    switch (strategy) {
      case REBOOT -> {
        log("update " + version + " installed; REBOOT_STRATEGY=reboot: rebooting with " + String.join(" ", rebootCommand));
        reboot();
      }
      case OFF -> log("update " + version + " installed and waiting: REBOOT_STRATEGY=off, reboot to run it");
      default -> log("update " + version + " installed and waiting: REBOOT_STRATEGY=" + strategy.text()
          + " needs a reboot lock, which this agent does not take yet; treated as off, reboot to run it");
    }
  }

  private void reboot() throws IOException {
    Process p = new ProcessBuilder(rebootCommand).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", rebootCommand) + " did not return within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while rebooting", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", rebootCommand) + " exited " + p.exitValue());
    }
  }

  /** Waits, or returns true at once when asked to stop. */
  private boolean sleep(Duration d) {
    long until = System.nanoTime() + d.toNanos();
    synchronized (lock) {
      while (!stopping) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return true;
        }
      }
    }
    return true;
  }

  private void log(String line) {
    out.println(Instant.now() + " " + line);
    out.flush();
  }

  private static String seconds(Duration d) {
    return d.toMillis() < 10_000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
  }
}
