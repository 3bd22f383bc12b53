package dev.cairn.install.compress;

import java.io.IOException;
import java.util.concurrent.Future;

/**
 * A piece of a bzip2 input between two markers the scanner found: from a block marker, an
 * end-of-stream marker, the start of the input or a cut (a long stretch without markers is cut so
 * that memory stays bounded) up to the next one. A marker may also turn up by chance inside a
 * block's compressed data; the reader then joins the pieces again ({@link #join}).
 */
final class Segment {
  /** Zero bytes after a segment's last byte, so that decoders may read a little past the end. */
  static final int SLACK = 256;

  enum Kind { START, BLOCK, END_OF_STREAM, CUT }

  final Kind kind;
  /** Absolute bit positions in the compressed input: [startBit, endBit). */
  final long startBit;
  final long endBit;
  /** data[0] is input byte startBit / 8; the last byte holds bit endBit - 1; then SLACK zeros. */
  final byte[] data;
  /** Whether the input ends at endBit. */
  final boolean last;
  /** The level of the stream the scanner thinks this segment is in (the reader checks). */
  final int levelHint;
  /** The source's failure, in place of a segment: everything before it was delivered. */
  final IOException failure;
  /** The block's decoding on a worker, for BLOCK segments. */
  volatile Future<BlockDecoder.DecodedBlock> decoding;

  Segment(Kind kind, long startBit, long endBit, byte[] data, boolean last, int levelHint) {
    this.kind = kind;
    this.startBit = startBit;
    this.endBit = endBit;
    this.data = data;
    this.last = last;
    this.levelHint = levelHint;
    this.failure = null;
  }

  Segment(IOException failure) {
    this.kind = null;
    this.startBit = -1;
    this.endBit = -1;
    this.data = null;
    this.last = true;
    this.levelHint = 0;
    this.failure = failure;
  }

  /** How many bytes of data hold the segment's bits. */
  static int byteLength(long startBit, long endBit) {
    return (int) (((endBit + 7) >>> 3) - (startBit >>> 3));
  }

  /** The segment's first bit within data. */
  int firstBit() {
    return (int) (startBit & 7);
  }

  /** The bit after the segment's last, within data. */
  int endBitInData() {
    return firstBit() + (int) (endBit - startBit);
  }

  long bitLength() {
    return endBit - startBit;
  }

  /** Input byte {@code offset} (absolute), which must lie within the segment's bytes. */
  int byteAt(long offset) {
    return data[(int) (offset - (startBit >>> 3))] & 0xff;
  }

  /** {@code n} (at most 32) bits at absolute bit position {@code bit}, within the segment. */
  long bits(long bit, int n) {
    long v = 0;
    for (int i = 0; i < n; i++) {
      long b = bit + i;
      v = v << 1 | (byteAt(b >>> 3) >>> (7 - (b & 7)) & 1);
    }
    return v;
  }

  /** This segment followed by {@code next}, which starts where this one ends. */
  Segment join(Segment next) {
    if (next.startBit != endBit) {
      throw new IllegalStateException("segments not adjacent: " + endBit + " and " + next.startBit);
    }
    int head = (int) ((next.startBit >>> 3) - (startBit >>> 3));
    int tail = byteLength(next.startBit, next.endBit);
    byte[] joined = new byte[head + tail + SLACK];
    System.arraycopy(data, 0, joined, 0, head);
    System.arraycopy(next.data, 0, joined, head, tail);
    return new Segment(kind, startBit, next.endBit, joined, next.last, levelHint);
  }

  @Override
  public String toString() {
    return kind + "[" + startBit + ", " + endBit + (last ? ", last]" : ")");
  }
}
