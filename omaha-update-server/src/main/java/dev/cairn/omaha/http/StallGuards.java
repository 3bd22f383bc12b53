package dev.cairn.omaha.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.xnio.Buffers;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.ConduitWritableByteChannel;
import org.xnio.conduits.ReadReadyHandler;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;
import org.xnio.conduits.WriteReadyHandler;

/**
 * The body and write timeouts of one exchange, as conduits around its request body and its
 * response: a client that leaves the server waiting for the next byte of its body, or for room to
 * write the next byte of the answer, longer than the limit is cut off and its connection closed.
 *
 * <p>Only waiting on the client counts: a read that finds no data, a write or flush the socket
 * does not take. Time the server spends itself (a check waiting for its commit, an upload being
 * synced to disk) never does, so a long download that keeps moving, or a slow database, is never
 * cut. Undertow's own READ_TIMEOUT closes a connection that has not been read from for the
 * timeout whatever it is doing, downloads included, and its WRITE_TIMEOUT is only checked on the
 * next write, so neither is used.
 *
 * <p>A timer on the connection's I/O thread does the cutting for a reader or writer that waits
 * without a thread (the update check's body, a file being sent); one that blocks a thread waits no
 * longer than the limit at a time and is told by the next read or write.
 */
final class StallGuards {
  private StallGuards() {}

  /** What a reader or writer is told once its client has been cut off. */
  static final class Stalled extends IOException {
    Stalled(String message) {
      super(message);
    }
  }

  /** The timeout on the request body of {@code ex}. */
  static StreamSourceConduit reading(StreamSourceConduit next, HttpServerExchange ex, Duration limit, RefusalLog log) {
    return new Reading(next, new Stall(ex, limit, log, "no byte of the request body for "));
  }

  /** The timeout on the response of {@code ex}. */
  static StreamSinkConduit writing(StreamSinkConduit next, HttpServerExchange ex, Duration limit, RefusalLog log) {
    return new Writing(next, new Stall(ex, limit, log, "the client took no byte of the answer for "));
  }

  /** {@code d} as the log says it: "30 s", or "1500 ms". */
  static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** Since when a client has kept one side waiting, and the timer that acts when it has for too long. */
  private static final class Stall implements Runnable {
    private static final long NONE = Long.MIN_VALUE;
    private static final long FUZZ_MILLIS = 20;

    private final XnioIoThread thread;
    private final ServerConnection connection;
    private final HttpServerExchange ex;
    private final long limitNanos;
    private final String limitText;
    private final RefusalLog log;
    private final String what;
    private final AtomicBoolean expired = new AtomicBoolean();
    private volatile long since = NONE;
    private volatile boolean stopped;
    /** The pending timer; guarded by this. */
    private XnioExecutor.Key timer;
    /** Wakes the side's listener, if one is waiting, so it hears of the cut; null when no listener. */
    volatile Runnable wake;

    Stall(HttpServerExchange ex, Duration limit, RefusalLog log, String what) {
      this.thread = ex.getIoThread();
      this.connection = ex.getConnection();
      this.ex = ex;
      this.limitNanos = limit.toNanos();
      this.limitText = text(limit);
      this.log = log;
      this.what = what;
    }

    /** The client moved: the wait, if any, is over. */
    void moved() {
      since = NONE;
    }

    /** The client did not move: the wait starts now unless it had already. */
    void waiting() {
      if (since == NONE && !stopped) {
        since = System.nanoTime();
        arm(limitNanos);
      }
    }

    /** This side is finished: no more waits on it. */
    void stop() {
      stopped = true;
      since = NONE;
      synchronized (this) {
        if (timer != null) {
          timer.remove();
          timer = null;
        }
      }
    }

    private synchronized void arm(long nanos) {
      if (timer == null) {
        try {
          timer = thread.executeAfter(this, TimeUnit.NANOSECONDS.toMillis(nanos) + FUZZ_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          // the server is stopping: its connections are closed anyway
        }
      }
    }

    /** The timer, on the I/O thread. */
    @Override
    public void run() {
      synchronized (this) {
        timer = null;
      }
      long s = since;
      if (s == NONE || stopped || expired.get() || !connection.isOpen()) {
        return;    // the client moved, or is gone already (closed by another limit, or by itself)
      }
      long left = s + limitNanos - System.nanoTime();
      if (left > 0) {
        arm(left);
        return;
      }
      if (expired.compareAndSet(false, true)) {
        log.refused(ex, what + limitText + "; connection closed");
        Runnable w = wake;
        if (w != null) {
          w.run();
        }
        IoUtils.safeClose(connection);
      }
    }

    /** Throws once the client has been cut off, or has waited out the limit (then cuts it off). */
    void check() throws Stalled {
      if (!expired.get()) {
        long s = since;
        if (s == NONE || System.nanoTime() - s < limitNanos) {
          return;
        }
        if (expired.compareAndSet(false, true) && connection.isOpen()) {
          log.refused(ex, what + limitText + "; connection closed");
          IoUtils.safeClose(connection);
        }
      }
      throw new Stalled(what + limitText);
    }

    /** How long a blocked reader or writer may wait now before it must look again. */
    long waitMillis() {
      long s = since;
      long left = s == NONE ? limitNanos : s + limitNanos - System.nanoTime();
      return Math.max(1, TimeUnit.NANOSECONDS.toMillis(left) + FUZZ_MILLIS);
    }

  }

  private static final class Reading extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private final Stall stall;

    Reading(StreamSourceConduit next, Stall stall) {
      super(next);
      this.stall = stall;
    }

    @Override
    public void setReadReadyHandler(ReadReadyHandler handler) {
      stall.wake = handler == null ? null : () -> {
        if (isReadResumed()) {
          handler.readReady();
        }
      };
      super.setReadReadyHandler(handler);
    }

    private void saw(long n, boolean asked) {
      if (n > 0) {
        stall.moved();
      } else if (n < 0) {
        stall.stop();
      } else if (asked) {
        stall.waiting();
      }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      stall.check();
      boolean asked = dst.hasRemaining();
      int n = next.read(dst);
      saw(n, asked);
      return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
      stall.check();
      boolean asked = Buffers.hasRemaining(dsts, offs, len);
      long n = next.read(dsts, offs, len);
      saw(n, asked);
      return n;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
      return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
      return IoUtils.transfer(new ConduitReadableByteChannel(this), count, throughBuffer, target);
    }

    @Override
    public void awaitReadable() throws IOException {
      stall.check();
      next.awaitReadable(stall.waitMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void awaitReadable(long time, TimeUnit unit) throws IOException {
      stall.check();
      next.awaitReadable(Math.min(unit.toMillis(time), stall.waitMillis()), TimeUnit.MILLISECONDS);
    }

    @Override
    public void terminateReads() throws IOException {
      stall.stop();
      super.terminateReads();
    }
  }

  private static final class Writing extends AbstractStreamSinkConduit<StreamSinkConduit> {
    private final Stall stall;

    Writing(StreamSinkConduit next, Stall stall) {
      super(next);
      this.stall = stall;
    }

    @Override
    public void setWriteReadyHandler(WriteReadyHandler handler) {
      stall.wake = handler == null ? null : () -> {
        if (isWriteResumed()) {
          handler.writeReady();
        }
      };
      super.setWriteReadyHandler(handler);
    }

    private void saw(long n, boolean asked) {
      if (n > 0) {
        stall.moved();
      } else if (asked) {
        stall.waiting();
      }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      stall.check();
      boolean asked = src.hasRemaining();
      int n = next.write(src);
      saw(n, asked);
      return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
      stall.check();
      boolean asked = Buffers.hasRemaining(srcs, offs, len);
      long n = next.write(srcs, offs, len);
      saw(n, asked);
      return n;
    }

    @Override
    public int writeFinal(ByteBuffer src) throws IOException {
      stall.check();
      boolean asked = src.hasRemaining();
      int n = next.writeFinal(src);
      saw(n, asked);
      return n;
    }

    @Override
    public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
      stall.check();
      boolean asked = Buffers.hasRemaining(srcs, offs, len);
      long n = next.writeFinal(srcs, offs, len);
      saw(n, asked);
      return n;
    }

    @Override
    public long transferFrom(FileChannel src, long position, long count) throws IOException {
      stall.check();
      long n = next.transferFrom(src, position, count);
      saw(n, count > 0);
      return n;
    }

    @Override
    public long transferFrom(StreamSourceChannel source, long count, ByteBuffer throughBuffer) throws IOException {
      return IoUtils.transfer(source, count, throughBuffer, new ConduitWritableByteChannel(this));
    }

    @Override
    public boolean flush() throws IOException {
      stall.check();
      boolean done = next.flush();
      if (done) {
        stall.moved();
      } else {
        stall.waiting();
      }
      return done;
    }

    @Override
    public void awaitWritable() throws IOException {
      stall.check();
      next.awaitWritable(stall.waitMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void awaitWritable(long time, TimeUnit unit) throws IOException {
      stall.check();
      next.awaitWritable(Math.min(unit.toMillis(time), stall.waitMillis()), TimeUnit.MILLISECONDS);
    }

    @Override
    public void truncateWrites() throws IOException {
      stall.stop();
      super.truncateWrites();
    }
  }
}
