package dev.cairn.install.compress;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads a bzip2 input and cuts it into {@link Segment}s at every block marker (the 48 bits
 * {@code 0x314159265359}) and end-of-stream marker ({@code 0x177245385090}), at any bit offset.
 *
 * <p>A marker at byte {@code p} and bit shift {@code s} fixes bytes {@code p+1 .. p+5} whatever
 * {@code s} is. So the scan looks at each pair of bytes at an even offset {@code q} once, in a
 * 65,536-bit filter of the pairs that bytes {@code p+1, p+2} (for odd {@code p = q-1}) and
 * {@code p+2, p+3} (for even {@code p = q-2}) hold for some marker and shift: one table lookup
 * per two bytes, and the full check of all 16 marker-shift pairs only on the rare filter hit.
 */
final class MarkerScanner {
  static final long BLOCK_MAGIC = 0x314159265359L;
  static final long END_MAGIC = 0x177245385090L;

  /** A longer stretch without markers is no block: it is cut, to bound memory. */
  static final int MAX_SEGMENT = 3 << 20;
  private static final int CHUNK = 1 << 20;

  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final long[] FILTER = new long[1024];

  static {
    for (long magic : new long[] {BLOCK_MAGIC, END_MAGIC}) {
      for (int s = 0; s < 8; s++) {
        long window = magic << (16 - s); // the marker's bits as they sit in bytes p .. p+7
        for (int j = 1; j <= 2; j++) {
          int pair = (int) (window >>> (48 - 8 * j)) & 0xffff;
          FILTER[pair >>> 6] |= 1L << pair;
        }
      }
    }
  }

  /** Where the segments go. */
  interface Sink {
    void accept(Segment segment) throws InterruptedException;
  }

  private final InputStream in;
  private final Sink sink;
  private final byte[] buf = new byte[MAX_SEGMENT + 2 * CHUNK + 16];
  /** Absolute input offset of buf[0]. */
  private long base;
  /** Valid bytes in buf. */
  private int avail;
  /** The next even absolute offset q whose pair is to be looked at (for markers at q-2, q-1). */
  private long nextPair = 2;
  private long segmentStart;
  private Segment.Kind segmentKind = Segment.Kind.START;
  private int level = 9;

  MarkerScanner(InputStream in, Sink sink) {
    this.in = in;
    this.sink = sink;
  }

  /**
   * Reads the input to its end, handing out segments in order; the last has {@code last} set. A
   * failure of the input is handed out as a segment that carries it.
   */
  void run() throws InterruptedException {
    try {
      while (true) {
        makeRoom();
        int n = in.read(buf, avail, Math.min(CHUNK, buf.length - 16 - avail));
        if (n < 0) {
          break;
        }
        avail += n;
        scan(false);
        cutIfLong();
      }
      scan(true);
      emit(base * 8 + avail * 8L, null, true);
    } catch (IOException e) {
      sink.accept(new Segment(e));
    }
  }

  private void makeRoom() {
    if (buf.length - 16 - avail >= CHUNK) {
      return;
    }
    int keep = (int) ((segmentStart >>> 3) - base);
    System.arraycopy(buf, keep, buf, 0, avail - keep);
    base += keep;
    avail -= keep;
  }

  private void scan(boolean atEnd) throws InterruptedException {
    long end = base + avail;
    long q = nextPair;
    byte[] b = buf;
    long limit = end - 6; // a marker at p = q - 1 needs bytes up to p + 6
    int i = (int) (q - base);
    int stop = (int) (limit - base);
    while (i <= stop) {
      int pair = (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
      if ((FILTER[pair >>> 6] & 1L << pair) != 0) {
        check(base + i - 2, end);
        check(base + i - 1, end);
      }
      i += 2;
    }
    nextPair = base + i;
    if (atEnd) {
      Arrays.fill(buf, avail, avail + 16, (byte) 0);
      for (long p = Math.max(nextPair - 2, 0); p < end; p++) {
        check(p, end);
      }
      nextPair = end + 2;
    }
  }

  /** Emits any marker starting at byte p (at any shift) that fits before {@code end}. */
  private void check(long p, long end) throws InterruptedException {
    if (p < 0) {
      return;
    }
    long w = (long) LONG.get(buf, (int) (p - base));
    for (int s = 0; s < 8; s++) {
      long bit = p * 8 + s;
      if (bit + 48 > end * 8) {
        continue;
      }
      long v = (w << s) >>> 16;
      if (v == BLOCK_MAGIC) {
        emit(bit, Segment.Kind.BLOCK, false);
      } else if (v == END_MAGIC) {
        emit(bit, Segment.Kind.END_OF_STREAM, false);
      }
    }
  }

  /** A long stretch without markers is handed out in pieces of MAX_SEGMENT bytes. */
  private void cutIfLong() throws InterruptedException {
    long scanned = nextPair - 2; // every marker starting before this byte was found
    while (scanned - (segmentStart >>> 3) > MAX_SEGMENT) {
      emit(((segmentStart >>> 3) + MAX_SEGMENT) * 8, Segment.Kind.CUT, false);
    }
  }

  /** Hands out the open segment, ending at {@code bit}; the next one starts there. */
  private void emit(long bit, Segment.Kind nextKind, boolean last) throws InterruptedException {
    if (bit == segmentStart && segmentKind == Segment.Kind.CUT && !last) {
      segmentKind = nextKind; // a marker right where a long stretch was cut
      return;
    }
    int len = Segment.byteLength(segmentStart, bit);
    byte[] data = new byte[len + Segment.SLACK];
    System.arraycopy(buf, (int) ((segmentStart >>> 3) - base), data, 0, len);
    if (segmentKind == Segment.Kind.START || segmentKind == Segment.Kind.END_OF_STREAM) {
      noteLevel(bit);
    }
    sink.accept(new Segment(segmentKind, segmentStart, bit, data, last, level));
    segmentStart = bit;
    segmentKind = nextKind;
  }

  /**
   * After a stream header that ends right at {@code bit}, the blocks that follow are of its
   * level. A hint only: the reader checks the structure.
   */
  private void noteLevel(long bit) {
    if ((bit & 7) != 0 || bit / 8 - 4 < base || bit / 8 - 4 < segmentStart / 8) {
      return;
    }
    int at = (int) (bit / 8 - 4 - base);
    if (buf[at] == 'B' && buf[at + 1] == 'Z' && buf[at + 2] == 'h' && buf[at + 3] >= '1' && buf[at + 3] <= '9') {
      level = buf[at + 3] - '0';
    }
  }
}
