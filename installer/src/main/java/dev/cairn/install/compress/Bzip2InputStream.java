package dev.cairn.install.compress;

import dev.cairn.install.compress.BlockDecoder.BlockFailure;
import dev.cairn.install.compress.BlockDecoder.DecodedBlock;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * bzip2 decoded in parallel, the way lbzip2 does it. A scanner thread reads the input and cuts it
 * at every block and end-of-stream marker ({@link MarkerScanner}); each piece that starts with a
 * block marker goes to one of {@code threads} worker threads to be decoded ({@link BlockDecoder});
 * the reading thread takes the pieces in order, checks the stream structure (headers, markers, the
 * combined stream CRC, what follows the last stream) and hands out the blocks' bytes in order.
 *
 * <p>Memory is bounded: at most {@code 2 * threads + 1} pieces are read ahead, decoded or being
 * handed out at any time, and a decoded block is kept in its compact form (before bzip2's initial
 * run-length decoding, at most the block size, 900 kB), expanded as it is read.
 *
 * <p>A block marker can also occur by chance inside compressed data. A block cut short by one
 * fails to decode as {@link BlockFailure.Kind#CUT_SHORT}; the reader then joins it with the
 * next piece and decodes it again (on its own thread: this is rare), up to the longest a block can
 * be, and skips the pieces it joined.
 */
final class Bzip2InputStream extends InputStream {
  private static final AtomicInteger STREAMS = new AtomicInteger();

  private final SourceInput in;
  private final BlockDecoder decoder;
  private final Semaphore permits;
  private final BlockingQueue<Segment> queue = new LinkedBlockingQueue<>();
  private final ExecutorService workers;
  private final List<Thread> workerThreads = new ArrayList<>();
  private final Thread scanner;
  private volatile boolean closed;

  /** The next piece to look at, taken from the queue; it starts at the reader's position. */
  private Segment head;
  /** The byte where a stream header is expected next, or -1 when within a stream. */
  private long headerAt = 0;
  private long position;
  private int level;
  private int combinedCrc;
  private DecodedBlock current;
  private long currentAt;
  private boolean ended;
  private IOException failure;

  Bzip2InputStream(SourceInput in, int threads, BlockDecoder decoder) {
    this.in = in;
    this.decoder = decoder;
    this.permits = new Semaphore(2 * threads + 1);
    int id = STREAMS.incrementAndGet();
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "cairn-bzip2-" + id + "-decoder-" + n.incrementAndGet());
      t.setDaemon(true);
      synchronized (workerThreads) {
        workerThreads.add(t);
      }
      return t;
    });
    this.scanner = new Thread(this::scan, "cairn-bzip2-" + id + "-scanner");
    scanner.setDaemon(true);
    scanner.start();
  }

  private void scan() {
    try {
      new MarkerScanner(in, this::accept).run();
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException | Error e) {
      queue.add(new Segment(new IOException("bzip2 scanner failed: " + e, e)));
    }
  }

  /** On the scanner thread: waits for room, starts a block's decoding and queues the piece. */
  private void accept(Segment s) throws InterruptedException {
    if (s.failure != null) {
      queue.put(s);
      return;
    }
    permits.acquire();
    if (closed) {
      throw new InterruptedException("closed");
    }
    if (s.kind == Segment.Kind.BLOCK) {
      int max = s.levelHint * 100_000;
      s.decoding = workers.submit(() -> decoder.decode(s.data, s.firstBit(), s.endBitInData(), max));
    }
    queue.put(s);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n;
    do {
      n = read(one, 0, 1);
    } while (n == 0);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new IOException("bzip2 stream closed");
    }
    if (len == 0) {
      return 0;
    }
    try {
      while (true) {
        if (current != null) {
          int n;
          try {
            n = current.read(b, off, len);
          } catch (IOException e) {
            throw corrupt("bzip2 block at byte " + currentAt + " is corrupt: " + e.getMessage(), currentAt);
          }
          if (n > 0) {
            return n;
          }
          current.release();
          current = null;
          permits.release();
        }
        if (ended) {
          return -1;
        }
        nextBlock();
      }
    } catch (IOException e) {
      failure = e;
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = new InterruptedIOException("interrupted while decoding bzip2");
      throw failure;
    }
  }

  /** Walks the stream structure up to the next block and decodes it, or to the end. */
  private void nextBlock() throws IOException, InterruptedException {
    while (current == null && !ended) {
      if (headerAt >= 0) {
        beginStream();
        continue;
      }
      Segment h = head();
      if (h.startBit != position) {
        throw new IllegalStateException("bzip2 piece " + h + " is not at bit " + position);
      }
      switch (h.kind) {
        case BLOCK -> current = decodeHead();
        case END_OF_STREAM -> endStream();
        default -> throw corrupt("expected a bzip2 block or end-of-stream marker at byte " + h.startBit / 8
            + (h.startBit % 8 == 0 ? "" : " bit " + h.startBit % 8), h.startBit / 8);
      }
    }
  }

  /** The stream header at byte headerAt, which the head piece holds: "BZh" and the level. */
  private void beginStream() throws IOException, InterruptedException {
    long at = headerAt;
    long need = (at + 4) * 8;
    Segment h = head();
    while (h.endBit < need && !h.last) {
      h = joinNext();
    }
    if (h.endBit < need) {
      long have = h.endBit / 8 - at;
      if (have <= 0 && at > 0) {
        ended = true; // the input ends right after a stream: done
        dropHead();
        return;
      }
      if (isHeaderPrefix(h, at, (int) have)) {
        throw truncated(h.endBit / 8);
      }
      throw trailing(at);
    }
    if (!isHeaderPrefix(h, at, 4)) {
      throw trailing(at);
    }
    if (h.endBit != need) {
      if (h.last && h.endBit - need < 48) {
        throw truncated(h.endBit / 8);
      }
      throw corrupt("no bzip2 block or end-of-stream marker after the stream header at byte " + at, at);
    }
    if (h.last) {
      throw truncated(need / 8);
    }
    level = h.byteAt(at + 3) - '0';
    combinedCrc = 0;
    position = need;
    headerAt = -1;
    dropHead();
  }

  private static boolean isHeaderPrefix(Segment h, long at, int n) {
    for (int i = 0; i < n; i++) {
      int c = h.byteAt(at + i);
      boolean ok = switch (i) {
        case 0 -> c == 'B';
        case 1 -> c == 'Z';
        case 2 -> c == 'h';
        default -> c >= '1' && c <= '9';
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The end-of-stream marker at the reader's position: the stream CRC, then what follows. */
  private void endStream() throws IOException, InterruptedException {
    long e = position;
    Segment h = head();
    while (h.endBit < e + 80 && !h.last) {
      h = joinNext();
    }
    if (h.endBit < e + 80) {
      throw truncated(h.endBit / 8);
    }
    int stored = (int) h.bits(e + 48, 32);
    if (stored != combinedCrc) {
      throw corrupt(String.format("the bzip2 stream CRC does not match at byte %d: stored %08x, blocks give %08x",
          e / 8, stored, combinedCrc), e / 8);
    }
    long streamEnd = (e + 80 + 7) / 8;
    if (h.last && h.endBit == streamEnd * 8) {
      ended = true;
      dropHead();
      return;
    }
    headerAt = streamEnd;
  }

  /** Decodes the block the head piece starts with, joining pieces while it may go on. */
  private DecodedBlock decodeHead() throws IOException, InterruptedException {
    Segment h = head();
    int maxBlockSize = level * 100_000;
    Object result;
    if (h.levelHint == level) {
      result = await(h.decoding);
    } else { // the scanner guessed the stream's level wrong: decode again with the right bound
      h.decoding.cancel(false);
      result = decodeHere(h, maxBlockSize);
    }
    BlockFailure first = null;
    while (result instanceof BlockFailure f) {
      if (first == null) {
        first = f;
      }
      long at = h.startBit / 8;
      switch (f.kind()) {
        case CORRUPT -> throw corrupt("bzip2 block at byte " + at + " is corrupt: " + f.getMessage(), at);
        case ENDS_EARLY -> {
          if (h.last) {
            throw truncated(h.endBit / 8); // the input ends within the marker after the block
          }
          throw corrupt("bzip2 block at byte " + at + " is corrupt: " + f.getMessage(), at);
        }
        default -> {
          if (h.last) {
            throw truncated(h.endBit / 8);
          }
          if (h.bitLength() > maxBlockBits(level)) {
            throw corrupt("bzip2 block at byte " + at + " is corrupt: " + first.getMessage(), at);
          }
        }
      }
      h = joinNext();
      result = decodeHere(h, maxBlockSize);
    }
    int blockCrc = (int) h.bits(h.startBit + 48, 32);
    combinedCrc = (combinedCrc << 1 | combinedCrc >>> 31) ^ blockCrc;
    position = h.endBit;
    currentAt = h.startBit / 8;
    head = null; // its permit is given back once the block has been read
    return (DecodedBlock) result;
  }

  /**
   * The most bits a block of this level can take: its header, 32,767 selectors, six code tables
   * and one 20-bit code per byte of the block plus the end-of-block code.
   */
  static long maxBlockBits(int level) {
    return 48 + 32 + 1 + 24 + 16 + 256 + 3 + 15 + 32_767L * 6 + 6 * (5 + 258 * 39) + (level * 100_000L + 1) * 20;
  }

  private Object await(Future<DecodedBlock> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      return asFailure(e.getCause());
    } catch (CancellationException e) {
      throw new IllegalStateException("a block still needed was cancelled", e);
    }
  }

  private Object decodeHere(Segment h, int maxBlockSize) {
    try {
      return decoder.decode(h.data, h.firstBit(), h.endBitInData(), maxBlockSize);
    } catch (BlockFailure | RuntimeException e) {
      return asFailure(e);
    }
  }

  /** A decoder's failure; a runtime exception on garbage counts as one that more bits may cure. */
  private static BlockFailure asFailure(Throwable t) {
    if (t instanceof BlockFailure f) {
      return f;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new BlockFailure(String.valueOf(t), BlockFailure.Kind.CUT_SHORT);
  }

  /** The piece at the reader's position. */
  private Segment head() throws IOException, InterruptedException {
    if (head == null) {
      head = take();
    }
    return head;
  }

  /** The head piece with the next piece appended; the next piece's own decoding is dropped. */
  private Segment joinNext() throws IOException, InterruptedException {
    Segment next = take();
    if (next.decoding != null) {
      next.decoding.cancel(false);
    }
    permits.release();
    head = head.join(next);
    return head;
  }

  private void dropHead() {
    head = null;
    permits.release();
  }

  private Segment take() throws IOException, InterruptedException {
    Segment s = queue.take();
    if (s.failure != null) {
      queue.put(s); // stays the answer to every later read
      throw s.failure;
    }
    return s;
  }

  private static CorruptImageException corrupt(String message, long at) {
    return new CorruptImageException(message, at);
  }

  private static CorruptImageException truncated(long end) {
    return new CorruptImageException("the bzip2 stream ends early at byte " + end + ": truncated download?", end);
  }

  private static CorruptImageException trailing(long at) {
    return new CorruptImageException("trailing data after the end of the bzip2 stream at byte " + at, at);
  }

  /** Closes the input and stops the scanner and the workers; returns once they have stopped. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      in.close();
    } finally {
      scanner.interrupt();
      workers.shutdownNow();
      if (current != null) {
        current.release();
        current = null;
      }
      boolean interrupted = false;
      while (true) {
        try {
          scanner.join();
          workers.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
          List<Thread> started;
          synchronized (workerThreads) {
            started = List.copyOf(workerThreads);
          }
          for (Thread t : started) {
            t.join(); // the pool counts a worker out a moment before its thread ends
          }
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
