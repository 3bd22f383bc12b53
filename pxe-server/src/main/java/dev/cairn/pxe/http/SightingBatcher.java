package dev.cairn.pxe.http;

import dev.cairn.pxe.BootRequest;
import dev.cairn.pxe.Labels;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Between the boot routes and the machine inventory: a machine that asks again and again costs one
 * write every {@link #WINDOW} instead of one a request, and the inventory stays right (first seen,
 * the count of requests, and the latest request's fields; last seen at most {@link #WINDOW}
 * behind).
 *
 * <p>Machines are told apart by their {@code mac} label, else their {@code uuid}, else the address
 * they ask from. A request is written at once when it is the machine's first (none kept), when
 * anything of it differs from the machine's last written request (labels, address, group, profile,
 * endpoint, outcome), or when that write is {@link #WINDOW} old; the requests in between are only
 * counted, and the next write carries their count. A sweep every {@link #SWEEP} writes the counted
 * requests of every machine whose last write is {@code WINDOW - SWEEP} old (with the time of the
 * latest of them, as repeats, which cost the inventory less than a full write), and forgets the
 * machines that asked nothing since: so what is counted is written within {@link #WINDOW}, and only
 * machines that asked within it are kept. At most {@link #MAX_MACHINES} machines are kept (give or
 * take the requests racing to add one); past that, a new machine's requests are written each one at
 * once, as without this. {@link #close} writes everything counted, and then lets every request
 * through at once.
 */
public final class SightingBatcher implements Consumer<BootRequest>, AutoCloseable {
  /** How far behind the inventory's last seen may be, at most. */
  public static final Duration WINDOW = Duration.ofSeconds(10);
  /** How often counted requests are looked at, and written when due. */
  public static final Duration SWEEP = Duration.ofSeconds(1);
  /** The most machines kept at once. */
  public static final int MAX_MACHINES = 16_384;
  private static final System.Logger LOG = System.getLogger(SightingBatcher.class.getName());

  /**
   * Where sightings are written: a machine's latest request, when it was made, how many requests it
   * stands for, and whether they all repeat the machine's last written request (so only its count
   * and last seen change).
   */
  @FunctionalInterface
  public interface Inventory {
    /** Writes without blocking; the future (null: none) completes once written. */
    CompletableFuture<?> record(BootRequest latest, Instant at, long requests, boolean repeats);
  }

  /**
   * A machine kept: its last written request and when it was made; the requests counted since, and
   * the latest one's time; whether it was let go (out of the map: look it up again). Guarded by
   * its own monitor.
   */
  private static final class Machine {
    BootRequest written;
    Instant writtenAt;
    long counted;
    Instant countedAt;
    boolean gone;

    Machine(BootRequest written, Instant writtenAt) {
      this.written = written;
      this.writtenAt = writtenAt;
    }
  }

  private record Write(BootRequest request, Instant at, long requests, boolean repeats) {}

  private final Inventory inventory;
  private final InstantSource clock;
  private final int maxMachines;
  private final ConcurrentHashMap<String, Machine> machines = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper;
  private volatile boolean closed;

  /** Without a sweep: {@link #sweep} is called by hand (the tests, with their own clock). */
  SightingBatcher(Inventory inventory, InstantSource clock, int maxMachines) {
    this(inventory, clock, maxMachines, null);
  }

  private SightingBatcher(Inventory inventory, InstantSource clock, int maxMachines, ScheduledExecutorService sweeper) {
    this.inventory = inventory;
    this.clock = clock;
    this.maxMachines = maxMachines;
    this.sweeper = sweeper;
  }

  /** Batches the sightings written to {@code inventory}, swept every {@link #SWEEP} on a thread of its own. */
  public static SightingBatcher start(Inventory inventory) {
    ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-boot-sightings");
      t.setDaemon(true);
      return t;
    });
    SightingBatcher b = new SightingBatcher(inventory, InstantSource.system(), MAX_MACHINES, sweeper);
    sweeper.scheduleWithFixedDelay(b::sweepQuietly, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    return b;
  }

  /** Takes one answered request: written at once, or counted to be written later. Never blocks. */
  @Override
  public void accept(BootRequest r) {
    Instant now = clock.instant();
    String key = key(r);
    Write w;
    while (true) {
      Machine m = machines.get(key);
      if (m == null) {
        if (!closed && machines.size() < maxMachines && machines.putIfAbsent(key, new Machine(r, now)) != null) {
          continue;    // another request of the machine came first: count on its entry
        }
        w = new Write(r, now, 1, false);
        break;
      }
      synchronized (m) {
        if (m.gone) {
          continue;
        }
        boolean same = same(m.written, r);
        if (closed) {
          w = new Write(r, now, m.counted + 1, same);
          let(key, m);
          break;
        }
        if (same && within(m.writtenAt, now, WINDOW)) {
          m.counted++;
          m.countedAt = now;
          return;
        }
        w = new Write(r, now, m.counted + 1, same);
        m.written = r;
        m.writtenAt = now;
        m.counted = 0;
        m.countedAt = null;
        break;
      }
    }
    write(w);
  }

  /** Lets machine {@code m} go (holding its monitor). */
  private void let(String key, Machine m) {
    m.gone = true;
    machines.remove(key, m);
  }

  /**
   * Writes the counted requests of each machine whose last write is at least
   * {@code WINDOW - SWEEP} old, and forgets the machines that asked nothing since theirs.
   */
  void sweep() {
    sweep(WINDOW.minus(SWEEP));
  }

  /** How many machines are kept. */
  int machines() {
    return machines.size();
  }

  private List<CompletableFuture<?>> sweep(Duration age) {
    Instant now = clock.instant();
    List<Write> due = new ArrayList<>();
    for (Map.Entry<String, Machine> e : machines.entrySet()) {
      Machine m = e.getValue();
      synchronized (m) {
        if (m.gone || within(m.writtenAt, now, age)) {
          continue;
        }
        if (m.counted == 0) {
          let(e.getKey(), m);
          continue;
        }
        due.add(new Write(m.written, m.countedAt, m.counted, true));
        m.writtenAt = m.countedAt;
        m.counted = 0;
        m.countedAt = null;
      }
    }
    List<CompletableFuture<?>> written = new ArrayList<>();
    for (Write w : due) {
      CompletableFuture<?> f = write(w);
      if (f != null) {
        written.add(f);
      }
    }
    return written;
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {    // never expected: a write's failure is logged by write
      LOG.log(System.Logger.Level.WARNING, "the sweep of counted boot requests failed: " + e.getMessage());
    }
  }

  /**
   * Stops the sweep and writes everything counted (waiting up to five seconds for it to be
   * written); requests taken after this are written at once.
   */
  @Override
  public void close() {
    closed = true;
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    List<CompletableFuture<?>> written = sweep(Duration.ZERO);
    try {
      CompletableFuture.allOf(written.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      LOG.log(System.Logger.Level.WARNING, "the machine inventory did not take the last counted boot requests: "
          + e.getMessage());
    }
  }

  /** Hands {@code w} to the inventory; a failure there is logged, and never reaches a request. */
  private CompletableFuture<?> write(Write w) {
    try {
      return inventory.record(w.request(), w.at(), w.requests(), w.repeats());
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the machine inventory did not take a request: " + e.getMessage());
      return null;
    }
  }

  /** Whether {@code then} is less than {@code span} before {@code now} (a clock set back counts as not). */
  private static boolean within(Instant then, Instant now, Duration span) {
    return !now.isBefore(then) && now.isBefore(then.plus(span));
  }

  /** Whether {@code b} repeats {@code a}: the same fields (what differs most often compared first). */
  private static boolean same(BootRequest a, BootRequest b) {
    return a.endpoint().equals(b.endpoint()) && a.outcome().equals(b.outcome()) && a.address().equals(b.address())
        && a.group().equals(b.group()) && a.profile().equals(b.profile()) && a.labels().equals(b.labels());
  }

  /** The machine: its MAC, else its UUID, else the address it asks from. */
  static String key(BootRequest r) {
    String mac = r.labels().get(Labels.MAC);
    if (mac != null) {
      return mac;
    }
    String uuid = r.labels().get(Labels.UUID);
    return uuid != null ? "uuid:" + uuid : "addr:" + r.address();
  }
}
