package dev.cairn.install.agent.run;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code cairn agent daemon}: update_engine's schedule (a first check a few minutes after start,
 * then one every 45 minutes, each moved by up to the fuzz either way), an update applied when one
 * is offered, and the reboot strategy followed ({@link Rebooter}: the window, the lock). A slot
 * still held from the last reboot is given back once the running slot is marked good. A stop request (SIGTERM) is honoured between steps:
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
  private final Schedule schedule;
  private final Rebooter.Locks locks;
  private final Rebooter rebooter;
  private final PrintWriter out;
  private final Random random = new Random();
  private volatile boolean stopping;
  private final Object lock = new Object();

  /**
   * @param reboot makes the rebooter, given the daemon's own sleeper (which a stop request ends)
   */
  public Daemon(Agent agent, Schedule schedule, Rebooter.Locks locks,
      java.util.function.Function<Rebooter.Sleeper, Rebooter> reboot, PrintWriter out) {
    this.agent = agent;
    this.schedule = schedule;
    this.locks = locks;
    this.out = out;
    this.rebooter = reboot.apply(d -> {
      if (sleep(d)) {
        throw new InterruptedException("stopping");
      }
    });
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
        Optional<String> given = agent.releaseRebootLockIfGood(locks);
        given.ifPresent(l -> log("reboot slot given back to " + l));
      } catch (IOException | RuntimeException e) {
        log(e.getMessage());
      }
      try {
        Optional<String> v = agent.update(Optional.empty());
        if (v.isPresent()) {
          applied++;
        }
        if (rebooter.rebootIfWaiting() == Rebooter.Result.REBOOTED) {
          // The machine is going down: checking again would only reboot it again.
          log("the reboot is under way; the daemon waits to be stopped");
          while (!sleep(Duration.ofDays(1))) {
            // until stopped
          }
          break;
        }
      } catch (InterruptedException e) {
        break;
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
