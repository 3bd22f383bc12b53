package dev.cairn.omaha.http;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether the server keeps up, measured rather than guessed: a heartbeat task is handed to the
 * worker threads and to the file threads every tick, and a pool is stalled when its heartbeat has
 * waited longer than the stall timeout to start; update checks are stalled when some are waiting
 * for the database and none has been answered for that long. {@code /healthz} answers 503 with the
 * reason then. It runs on a thread of its own, so it answers even when every pool is busy, and a
 * hung database holds that thread only.
 */
final class Health implements AutoCloseable {
  private final ScheduledExecutorService ticker;
  private final ExecutorService probes;
  private final Beat workers;
  private final Beat files;
  private final Supplier<String> workerLoad;
  private final ThreadPoolExecutor filePool;
  private final OmahaServer.Admission admission;
  private final long stallNanos;
  private final Runnable onTick;

  /**
   * @param workerLoad how busy the worker pool is, for the reason (like "16 threads, 3 tasks queued")
   * @param onTick run on every tick besides the heartbeats (the refusal log's summary, the gate's sweep)
   */
  Health(Executor workerPool, Supplier<String> workerLoad, ThreadPoolExecutor filePool,
      OmahaServer.Admission admission, Duration stall, Runnable onTick) {
    this.workers = new Beat(workerPool);
    this.files = new Beat(filePool);
    this.workerLoad = workerLoad;
    this.filePool = filePool;
    this.admission = admission;
    this.stallNanos = stall.toNanos();
    this.onTick = onTick;
    this.ticker = Executors.newSingleThreadScheduledExecutor(daemon("cairn-health-ticker"));
    this.probes = Executors.newSingleThreadExecutor(daemon("cairn-health"));
    long tick = Math.max(10, Math.min(1000, stall.toMillis() / 4));
    ticker.scheduleWithFixedDelay(this::tick, 0, tick, TimeUnit.MILLISECONDS);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Where {@code /healthz} runs: never an I/O thread, never a pool it reports on. */
  Executor probes() {
    return probes;
  }

  private void tick() {
    long now = System.nanoTime();
    workers.tick(now);
    files.tick(now);
    try {
      onTick.run();
    } catch (RuntimeException e) {
      // a sweep that failed once is tried again on the next tick
    }
  }

  /** Why the server is stalled, or null when it keeps up. */
  String problem() {
    long now = System.nanoTime();
    long w = workers.waited(now);
    if (w >= stallNanos) {
      return "worker threads stalled: a task has waited " + seconds(w) + " to start (" + workerLoad.get() + ")";
    }
    long f = files.waited(now);
    if (f >= stallNanos) {
      return "file threads stalled: a task has waited " + seconds(f) + " to start (" + filePool.getActiveCount()
          + " of " + filePool.getMaximumPoolSize() + " threads busy, " + filePool.getQueue().size() + " tasks queued)";
    }
    long c = admission.waited(now);
    if (c >= stallNanos) {
      return "update checks stalled: " + admission.inFlight() + " waiting for the database (at most "
          + admission.limit() + "), none answered for " + seconds(c);
    }
    return null;
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    probes.shutdownNow();
  }

  /**
   * One pool's heartbeat: at most one waits at a time. A heartbeat the pool refuses (its queue is
   * full) counts as waiting from the first refusal until one is taken and runs.
   */
  private static final class Beat {
    private static final long NONE = Long.MIN_VALUE;
    private final Executor pool;
    private volatile boolean pending;
    private volatile long since = NONE;

    Beat(Executor pool) {
      this.pool = pool;
    }

    void tick(long now) {
      if (pending) {
        return;
      }
      if (since == NONE) {
        since = now;
      }
      pending = true;
      try {
        pool.execute(() -> {
          since = NONE;
          pending = false;
        });
      } catch (RejectedExecutionException e) {
        pending = false;
      }
    }

    /** How long the heartbeat has waited to start, 0 when none waits. */
    long waited(long now) {
      long s = since;
      return s == NONE ? 0 : now - s;
    }
  }
}
