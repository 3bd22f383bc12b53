package dev.cairn.install.compress;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.CRC32;

/**
 * Cairn's bzip2 block decoder, written from the format: the block header, the selectors and code
 * tables, then the Huffman codes (looked up 10 bits at a time, longer codes from the canonical
 * code ranges), the zero-run (RUNA/RUNB) and move-to-front decoding, the inverse Burrows-Wheeler
 * transform over an int array, and the block CRC over the output of the initial run-length
 * decoding. The block is handed out in its compact form (the inverse transform's output) with
 * the positions of its run-length counts, so that reading it is copying and filling.
 *
 * <p>Each block being decoded takes a set of work arrays (about 5 MB), kept for the next. Blocks
 * written in the randomised mode of bzip2 0.9.0 and older are refused.
 */
final class CairnBlockDecoder implements BlockDecoder {
  static final int MAX_BLOCK = 900_000;
  private static final int MAX_GROUPS = 6;
  private static final int MAX_SELECTORS = 18_002;
  private static final int MAX_CODE = 20;
  private static final int LOOKUP_BITS = 10;
  /** The inverse transform of a block of SMALL_BLOCK bytes or more walks LANES arcs at once, ARCS in all. */
  private static final int LANES = 8;
  private static final int ARCS = 64;
  private static final int SMALL_BLOCK = 4096;
  private static final int MARK = 0x80000000;
  private static final int CHUNK = 4096;
  /** Pieces: one per CHUNK of the block and per arc, and a part-filled one per lane. */
  private static final int MAX_PIECES = MAX_BLOCK / CHUNK + ARCS + LANES + 1;
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  static final byte[] REVERSED = new byte[256];

  static {
    for (int i = 0; i < 256; i++) {
      REVERSED[i] = (byte) (Integer.reverse(i) >>> 24);
    }
  }

  /** Work arrays not in use: one set per thread decoding at the time. */
  private final ConcurrentLinkedQueue<Work> idle = new ConcurrentLinkedQueue<>();
  /** Output arrays given back by blocks that have been read. */
  private final ArrayBlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(16);

  @Override
  public DecodedBlock decode(byte[] data, int startBit, int endBit, int maxBlockSize) throws BlockFailure {
    Work w = idle.poll();
    if (w == null) {
      w = new Work();
    }
    try {
      return w.decode(data, startBit, endBit, maxBlockSize);
    } finally {
      idle.offer(w);
    }
  }

  /** bzip2's CRC-32 (MSB first, polynomial 04c11db7) of b[off .. off+len), for tests. */
  static int crc(byte[] b, int off, int len) {
    CRC32 crc = new CRC32();
    byte[] r = new byte[len];
    for (int i = 0; i < len; i++) {
      r[i] = REVERSED[b[off + i] & 0xff];
    }
    crc.update(r);
    return Integer.reverse((int) crc.getValue());
  }

  private byte[] output() {
    byte[] b = spare.poll();
    return b != null ? b : new byte[MAX_BLOCK];
  }

  /** The work arrays of one decoding. */
  private final class Work {
    private final int[] tt = new int[MAX_BLOCK];
    private final byte[] mtf = new byte[256];
    private final byte[] symbolToByte = new byte[256];
    private final byte[] selectors = new byte[MAX_SELECTORS];
    private final int[] byteCount = new int[256];
    private final byte[][] codeLength = new byte[MAX_GROUPS][258];
    private final int[][] lookup = new int[MAX_GROUPS][1 << LOOKUP_BITS];
    private final int[][] firstCode = new int[MAX_GROUPS][MAX_CODE + 2];
    private final int[][] codeCount = new int[MAX_GROUPS][MAX_CODE + 2];
    private final int[][] firstIndex = new int[MAX_GROUPS][MAX_CODE + 2];
    private final int[][] sorted = new int[MAX_GROUPS][258];
    private final int[] maxLength = new int[MAX_GROUPS];
    private final int[] runs = new int[MAX_BLOCK / 5 + 1];
    private final int[] arcStart = new int[ARCS];
    private final int[] arcNext = new int[ARCS];
    private final long[] arcKey = new long[ARCS];
    private final int[] firstPiece = new int[ARCS];
    private final int[] lastPiece = new int[ARCS];
    private final byte[] arcBytes = new byte[MAX_BLOCK + LANES * CHUNK];
    private final int[] pieceAt = new int[MAX_PIECES];
    private final int[] pieceLength = new int[MAX_PIECES];
    private final int[] pieceNext = new int[MAX_PIECES];
    private final int[] laneRow = new int[LANES];
    private final int[] laneWrite = new int[LANES];
    private final int[] laneLimit = new int[LANES];
    private final int[] laneArc = new int[LANES];
    private final int[] laneFrom = new int[LANES];
    private final byte[] scratch = new byte[64 * 1024];
    private final CRC32 crc32 = new CRC32();
    private int bitPos;

    DecodedBlock decode(byte[] d, int start, int end, int maxBlockSize) throws BlockFailure {
      int pos = start;
      if (bits(d, pos, 24) != (int) (MarkerScanner.BLOCK_MAGIC >>> 24)
          || bits(d, pos + 24, 24) != (int) (MarkerScanner.BLOCK_MAGIC & 0xffffff)) {
        throw fail("no block marker", pos, end);
      }
      pos += 48;
      int storedCrc = bits(d, pos, 32);
      pos += 32;
      if (bits(d, pos, 1) != 0) {
        throw new BlockFailure("it is in the randomised mode of bzip2 0.9.0 and older, which is not supported",
            BlockFailure.Kind.CORRUPT);
      }
      pos += 1;
      int origPtr = bits(d, pos, 24);
      pos += 24;

      // The bytes the block uses: 16 flags for ranges of 16, then 16 flags for each range used.
      int inUse16 = bits(d, pos, 16);
      pos += 16;
      int used = 0;
      for (int i = 0; i < 16; i++) {
        if ((inUse16 & (0x8000 >>> i)) != 0) {
          if (pos > end) {
            throw fail("cut short in its byte map", pos, end);
          }
          int v = bits(d, pos, 16);
          pos += 16;
          for (int j = 0; j < 16; j++) {
            if ((v & (0x8000 >>> j)) != 0) {
              symbolToByte[used++] = (byte) (i * 16 + j);
            }
          }
        }
      }
      if (used == 0) {
        throw fail("it uses no byte values", pos, end);
      }
      int alphabet = used + 2;

      int groups = bits(d, pos, 3);
      pos += 3;
      if (groups < 2 || groups > MAX_GROUPS) {
        throw fail("it has " + groups + " code tables, expected 2 to 6", pos, end);
      }
      int selectorCount = bits(d, pos, 15);
      pos += 15;
      if (selectorCount == 0) {
        throw fail("it has no selectors", pos, end);
      }
      // Selectors: unary, move-to-front coded over the table numbers.
      byte[] order = {0, 1, 2, 3, 4, 5};
      int kept = Math.min(selectorCount, MAX_SELECTORS);
      for (int i = 0; i < selectorCount; i++) {
        if (pos > end) {
          throw fail("cut short in its selectors", pos, end);
        }
        long w = window(d, pos);
        int j = Long.numberOfLeadingZeros(~w);
        if (j >= groups) {
          throw fail("a selector names table " + (j + 1) + " of " + groups, pos, end);
        }
        pos += j + 1;
        byte t = order[j];
        System.arraycopy(order, 0, order, 1, j);
        order[0] = t;
        if (i < kept) {
          selectors[i] = t;
        }
      }

      // Code lengths: 5 bits, then for each symbol steps of +1 (10) or -1 (11) ended by a 0.
      for (int t = 0; t < groups; t++) {
        if (pos > end) {
          throw fail("cut short in its code tables", pos, end);
        }
        int len = bits(d, pos, 5);
        pos += 5;
        byte[] lengths = codeLength[t];
        for (int s = 0; s < alphabet; s++) {
          while (true) {
            if (len < 1 || len > MAX_CODE) {
              throw fail("a code length of " + len + ", expected 1 to 20", pos, end);
            }
            if (pos > end) {
              throw fail("cut short in its code tables", pos, end);
            }
            int two = bits(d, pos, 2);
            if (two < 2) {
              pos += 1;
              break;
            }
            pos += 2;
            len += two == 2 ? 1 : -1;
          }
          lengths[s] = (byte) len;
        }
        buildTable(t, alphabet, pos, end);
      }

      int max = Math.min(maxBlockSize, MAX_BLOCK);
      int n = symbols(d, pos, end, kept, used, alphabet, max);
      pos = bitPos;
      if (pos != end) {
        if (pos > end) {
          throw fail("cut short", pos, end);
        }
        throw new BlockFailure("it ends " + (end - pos) + " bits before the next marker", BlockFailure.Kind.ENDS_EARLY);
      }
      if (origPtr >= n) {
        throw new BlockFailure("its start pointer " + origPtr + " is outside its " + n + " bytes",
            BlockFailure.Kind.CORRUPT);
      }

      link(n);
      byte[] out = output();
      walk(n, origPtr, out);

      int nRuns = runLengths(out, n);
      int computed = Integer.reverse((int) crc32.getValue());
      if (computed != storedCrc) {
        spare.offer(out);
        throw new BlockFailure(String.format("its CRC does not match: stored %08x, data gives %08x", storedCrc, computed),
            BlockFailure.Kind.CORRUPT);
      }
      return new Block(out, n, Arrays.copyOf(runs, nRuns));
    }

    /**
     * The block's symbols, 50 per selector: Huffman codes, runs of the front byte (RUNA, RUNB)
     * and move-to-front indexes, up to the end-of-block symbol. The bytes go to tt[0 .. n), their
     * counts to byteCount; returns n, and leaves the bit after the end-of-block code in bitPos.
     */
    private int symbols(byte[] d, int pos, int end, int kept, int used, int alphabet, int max) throws BlockFailure {
      int[] tt = this.tt;
      int[] count = byteCount;
      Arrays.fill(count, 0);
      byte[] front = mtf;
      for (int i = 0; i < used; i++) {
        front[i] = symbolToByte[i];
      }
      int endOfBlock = alphabet - 1;
      int n = 0;
      int run = 0;
      int runBit = 1;
      int group = 0;
      int left = 0;
      int[] table = null;
      int table0 = 0;
      while (true) {
        if (left == 0) {
          if (pos > end) {
            throw fail("cut short in its data", pos, end);
          }
          if (group >= kept) {
            throw fail("its data runs past its " + kept + " selectors", pos, end);
          }
          table0 = selectors[group++];
          table = lookup[table0];
          left = 50;
        }
        left--;
        long w = window(d, pos);
        int e = table[(int) (w >>> (64 - LOOKUP_BITS))];
        int sym;
        if (e != 0) {
          sym = e >>> 5;
          pos += e & 31;
        } else {
          int[] first = firstCode[table0];
          int[] cnt = codeCount[table0];
          int top = maxLength[table0];
          int len = LOOKUP_BITS + 1;
          sym = -1;
          for (; len <= top; len++) {
            int code = (int) (w >>> (64 - len));
            int k = code - first[len];
            if (k >= 0 && k < cnt[len]) {
              sym = sorted[table0][firstIndex[table0][len] + k];
              break;
            }
          }
          if (sym < 0) {
            throw fail("an invalid Huffman code", pos, end);
          }
          pos += len;
        }
        if (sym <= 1) { // RUNA, RUNB: a run of the front byte, its length in bijective base 2
          run += runBit << sym;
          runBit <<= 1;
          if (run > max) {
            throw fail("a run goes past the block size of " + max, pos, end);
          }
          continue;
        }
        if (run > 0) {
          if (n + run > max) {
            throw fail("it holds more than the block size of " + max + " bytes", pos, end);
          }
          int b = front[0] & 0xff;
          count[b] += run;
          Arrays.fill(tt, n, n + run, b);
          n += run;
          run = 0;
          runBit = 1;
        }
        if (sym == endOfBlock) {
          break;
        }
        if (n >= max) {
          throw fail("it holds more than the block size of " + max + " bytes", pos, end);
        }
        int idx = sym - 1;
        byte v = front[idx];
        System.arraycopy(front, 0, front, 1, idx);
        front[0] = v;
        count[v & 0xff]++;
        tt[n++] = v & 0xff;
      }
      bitPos = pos;
      return n;
    }

    /**
     * Inverse Burrows-Wheeler transform, first half: tt[i] holds byte i of the last column in
     * its low 8 bits; sorting by byte gives for each row the row that follows it, kept in the
     * high bits.
     */
    private void link(int n) {
      int[] tt = this.tt;
      int[] count = byteCount;
      int sum = 0;
      for (int b = 0; b < 256; b++) {
        int c = count[b];
        count[b] = sum;
        sum += c;
      }
      for (int i = 0; i < n; i++) {
        int b = tt[i] & 0xff;
        tt[count[b]++] |= i << 8;
      }
    }

    /**
     * Initial run-length decoding, for the CRC (of the bit-reversed bytes, with the JDK's CRC-32,
     * which is the same polynomial taken LSB first) and the positions of the counts (in runs);
     * returns how many counts there are.
     */
    private int runLengths(byte[] out, int n) {
      CRC32 crc = crc32;
      crc.reset();
      byte[] s = scratch;
      int sp = 0;
      int nRuns = 0;
      int last = -1;
      int same = 0;
      for (int i = 0; i < n; i++) {
        int b = out[i] & 0xff;
        if (same == 4) {
          runs[nRuns++] = i;
          if (sp + 255 > s.length) {
            crc.update(s, 0, sp);
            sp = 0;
          }
          Arrays.fill(s, sp, sp + b, REVERSED[last]);
          sp += b;
          same = 0;
          continue;
        }
        if (b == last) {
          same++;
        } else {
          last = b;
          same = 1;
        }
        s[sp++] = REVERSED[b];
        if (sp == s.length) {
          crc.update(s, 0, sp);
          sp = 0;
        }
      }
      crc.update(s, 0, sp);
      return nRuns;
    }

    /**
     * Follows the rows from the one after origPtr, writing byte i of the block to out[i]. Each
     * step is a read from a random place in tt (3.6 MB): one chain of such reads waits for memory
     * at every step, so the walk is split into arcs between marked rows (the row of byte 0 and
     * rows spread over tt) and eight arcs are walked at once, their reads in flight together.
     * Each lane writes its arcs into 4 KiB pieces of scratch space; the pieces are then copied
     * into place, arc after arc, each arc followed by the one whose first row it ran into.
     *
     * <p>The rows form one cycle in a valid block, but not when the block repeats itself (a block
     * of zeros is "0 0 0 0 251" over and over): then the cycle through byte 0 is copied and
     * repeated, which is what following the rows one by one would give.
     */
    private void walk(int n, int origPtr, byte[] out) {
      int[] tt = this.tt;
      int first = tt[origPtr] >>> 8;
      if (n < SMALL_BLOCK) {
        int t = first;
        for (int i = 0; i < n; i++) {
          int e = tt[t];
          out[i] = (byte) e;
          t = e >>> 8;
        }
        return;
      }
      // Arc 0 starts at the row of byte 0, the others at rows spread evenly. A marked row has its
      // top bit set (rows need 20 bits, bytes 8).
      int arcs = 0;
      arcStart[arcs++] = first;
      for (int j = 1; j < ARCS; j++) {
        int r = (int) ((long) j * n / ARCS);
        if (r != first) {
          arcStart[arcs++] = r;
        }
      }
      for (int a = 0; a < arcs; a++) {
        tt[arcStart[a]] |= MARK;
        arcKey[a] = (long) arcStart[a] << 8 | a;
        firstPiece[a] = -1;
      }
      Arrays.sort(arcKey, 0, arcs);

      byte[] sc = arcBytes;
      int[] row = laneRow;
      int[] write = laneWrite;
      int[] limit = laneLimit;
      int[] arc = laneArc;
      int[] from = laneFrom;
      int pieces = 0;
      int chunk = 0;
      int nextArc = 0;
      int active = 0;
      for (int l = 0; l < LANES; l++) {
        if (nextArc < arcs) {
          int a = nextArc++;
          arc[l] = a;
          write[l] = chunk;
          from[l] = chunk;
          limit[l] = chunk + CHUNK;
          chunk += CHUNK;
          int e = tt[arcStart[a]]; // an arc's first row is marked: step past it here
          sc[write[l]++] = (byte) e;
          row[l] = (e & ~MARK) >>> 8;
          active++;
        } else {
          arc[l] = -1;
        }
      }
      while (active > 0) {
        for (int l = 0; l < LANES; l++) {
          int a = arc[l];
          if (a < 0) {
            continue;
          }
          int e = tt[row[l]];
          int w = write[l];
          if (e < 0 || w == limit[l]) { // the arc ends (a marked row), or the piece is full
            int p = pieces++;
            pieceAt[p] = from[l];
            pieceLength[p] = w - from[l];
            pieceNext[p] = -1;
            if (firstPiece[a] < 0) {
              firstPiece[a] = p;
            } else {
              pieceNext[lastPiece[a]] = p;
            }
            lastPiece[a] = p;
            if (w == limit[l]) {
              w = chunk;
              limit[l] = chunk + CHUNK;
              chunk += CHUNK;
            }
            if (e < 0) {
              arcNext[a] = arcOfRow(row[l], arcs);
              if (nextArc == arcs) {
                arc[l] = -1;
                active--;
                continue;
              }
              a = nextArc++;
              arc[l] = a;
              e = tt[arcStart[a]];
            }
            from[l] = w;
          }
          sc[w] = (byte) e;
          write[l] = w + 1;
          row[l] = (e & ~MARK) >>> 8;
        }
      }
      for (int a = 0; a < arcs; a++) {
        tt[arcStart[a]] &= ~MARK;
      }

      // The arcs of the cycle through byte 0, in order.
      int period = 0;
      int a = 0;
      do {
        for (int p = firstPiece[a]; p >= 0; p = pieceNext[p]) {
          System.arraycopy(sc, pieceAt[p], out, period, pieceLength[p]);
          period += pieceLength[p];
        }
        a = arcNext[a];
      } while (a != 0);
      for (int i = period; i < n; i += period) {
        System.arraycopy(out, 0, out, i, Math.min(period, n - i));
      }
    }

    private int arcOfRow(int row, int arcs) {
      int lo = 0;
      int hi = arcs - 1;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if ((int) (arcKey[mid] >>> 8) < row) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return (int) (arcKey[lo] & 0xff);
    }

    /** The decoding tables of code table t, from its code lengths. */
    private void buildTable(int t, int alphabet, int pos, int end) throws BlockFailure {
      byte[] lengths = codeLength[t];
      int[] cnt = codeCount[t];
      int[] first = firstCode[t];
      int[] index = firstIndex[t];
      int[] order = sorted[t];
      Arrays.fill(cnt, 0);
      int top = 0;
      for (int s = 0; s < alphabet; s++) {
        cnt[lengths[s]]++;
        top = Math.max(top, lengths[s]);
      }
      maxLength[t] = top;
      int code = 0;
      int idx = 0;
      for (int len = 1; len <= MAX_CODE; len++) {
        first[len] = code;
        index[len] = idx;
        code += cnt[len];
        idx += cnt[len];
        if (code > 1 << len) {
          throw fail("a code table has more codes than fit", pos, end);
        }
        code <<= 1;
      }
      int[] next = new int[MAX_CODE + 1];
      System.arraycopy(index, 0, next, 0, MAX_CODE + 1);
      for (int s = 0; s < alphabet; s++) {
        order[next[lengths[s]]++] = s;
      }
      int[] table = lookup[t];
      Arrays.fill(table, 0);
      for (int len = 1; len <= Math.min(top, LOOKUP_BITS); len++) {
        for (int k = 0; k < cnt[len]; k++) {
          int sym = order[index[len] + k];
          int c = first[len] + k;
          int from = c << (LOOKUP_BITS - len);
          int to = (c + 1) << (LOOKUP_BITS - len);
          Arrays.fill(table, from, to, sym << 5 | len);
        }
      }
    }
  }

  /** A failure; past the end of the bits given it may only be that the block goes on. */
  private static BlockFailure fail(String why, int pos, int end) {
    return new BlockFailure(why, pos > end ? BlockFailure.Kind.CUT_SHORT : BlockFailure.Kind.CORRUPT);
  }

  /** The 64 bits from bit pos on. */
  private static long window(byte[] d, int pos) {
    return (long) LONG.get(d, pos >>> 3) << (pos & 7);
  }

  /** n (1 to 32) bits from bit pos on. */
  private static int bits(byte[] d, int pos, int n) {
    return (int) (window(d, pos) >>> (64 - n));
  }

  /** A decoded block: the inverse transform's output and where its run-length counts are. */
  private final class Block implements DecodedBlock {
    private final byte[] out;
    private final int n;
    private final int[] runs;
    private int i;
    private int nextRun;
    private int fill;
    private byte fillByte;

    Block(byte[] out, int n, int[] runs) {
      this.out = out;
      this.n = n;
      this.runs = runs;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int done = 0;
      while (done < len) {
        if (fill > 0) {
          int m = Math.min(len - done, fill);
          Arrays.fill(b, off + done, off + done + m, fillByte);
          fill -= m;
          done += m;
          continue;
        }
        if (i >= n) {
          break;
        }
        int runAt = nextRun < runs.length ? runs[nextRun] : n;
        if (i < runAt) {
          int m = Math.min(len - done, runAt - i);
          System.arraycopy(out, i, b, off + done, m);
          i += m;
          done += m;
          continue;
        }
        fill = out[i] & 0xff;
        fillByte = out[i - 1];
        i++;
        nextRun++;
      }
      return done == 0 ? -1 : done;
    }

    @Override
    public void release() {
      spare.offer(out);
    }
  }
}
