package dev.cairn.install.compress;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * commons-compress's bzip2 decoder, one block at a time: the block's bits are re-aligned into a
 * one-block stream of their own ({@code BZh} and the level, the block, the end-of-stream marker,
 * and the block's CRC as the stream CRC, which is what the combined CRC of one block is), and the
 * decoder reads that. Up to 4 MiB of a block's output is decoded on the worker; the rest of a
 * larger block (long runs of one byte) as it is read.
 *
 * <p>This is the reference Cairn's own decoder is tested against, and the baseline it is measured
 * against. It cannot tell a block cut short from a corrupt one, so every failure counts as
 * {@link BlockFailure.Kind#CUT_SHORT}.
 */
final class CommonsBlockDecoder implements BlockDecoder {
  private static final int EAGER = 4 << 20;

  @Override
  public DecodedBlock decode(byte[] data, int startBit, int endBit, int maxBlockSize) throws BlockFailure {
    byte[] stream = oneBlockStream(data, startBit, endBit, maxBlockSize / 100_000);
    List<byte[]> chunks = new ArrayList<>();
    BZip2CompressorInputStream bz;
    try {
      bz = new BZip2CompressorInputStream(new ByteArrayInputStream(stream), false);
      int total = 0;
      while (total < EAGER) {
        byte[] chunk = new byte[256 * 1024];
        int n = bz.readNBytes(chunk, 0, chunk.length);
        if (n < chunk.length) {
          if (n > 0) {
            chunks.add(java.util.Arrays.copyOf(chunk, n));
          }
          bz.close();
          bz = null;
          break;
        }
        chunks.add(chunk);
        total += n;
      }
    } catch (IOException | RuntimeException e) {
      throw new BlockFailure(String.valueOf(e.getMessage()), BlockFailure.Kind.CUT_SHORT);
    }
    BZip2CompressorInputStream rest = bz;
    return new DecodedBlock() {
      private int chunk;
      private int pos;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        while (chunk < chunks.size()) {
          byte[] c = chunks.get(chunk);
          if (pos < c.length) {
            int n = Math.min(len, c.length - pos);
            System.arraycopy(c, pos, b, off, n);
            pos += n;
            return n;
          }
          chunks.set(chunk++, null);
          pos = 0;
        }
        return rest == null ? -1 : rest.read(b, off, len);
      }

      @Override
      public void release() {
        chunks.clear();
      }
    };
  }

  /** "BZh" + level, the block's bits from byte 4 on, the end-of-stream marker, the block CRC. */
  static byte[] oneBlockStream(byte[] data, int startBit, int endBit, int level) {
    int bits = endBit - startBit;
    byte[] out = new byte[4 + (bits + 80 + 7) / 8];
    out[0] = 'B';
    out[1] = 'Z';
    out[2] = 'h';
    out[3] = (byte) ('0' + level);
    int shift = startBit & 7;
    int from = startBit >>> 3;
    int whole = bits >>> 3;
    for (int i = 0; i < whole; i++) {
      int hi = data[from + i] & 0xff;
      int lo = data[from + i + 1] & 0xff;
      out[4 + i] = (byte) ((hi << shift) | (lo >>> (8 - shift)));
    }
    long bitPos = 32L + whole * 8L;
    int restBits = bits & 7;
    if (restBits > 0) {
      int hi = data[from + whole] & 0xff;
      int lo = data[from + whole + 1] & 0xff;
      int v = ((hi << shift) | (lo >>> (8 - shift))) >>> (8 - restBits);
      bitPos = putBits(out, bitPos, v, restBits);
    }
    bitPos = putBits(out, bitPos, (int) (MarkerScanner.END_MAGIC >>> 24), 24);
    bitPos = putBits(out, bitPos, (int) (MarkerScanner.END_MAGIC & 0xffffff), 24);
    long crc = 0;
    for (int i = 0; i < 32; i++) {
      int b = startBit + 80 - 32 + i;
      crc = crc << 1 | ((data[b >>> 3] >>> (7 - (b & 7))) & 1);
    }
    putBits(out, bitPos, (int) crc, 32);
    return out;
  }

  private static long putBits(byte[] out, long bitPos, int value, int n) {
    for (int i = n - 1; i >= 0; i--) {
      if ((value >>> i & 1) != 0) {
        out[(int) (bitPos >>> 3)] |= (byte) (0x80 >>> (bitPos & 7));
      }
      bitPos++;
    }
    return bitPos;
  }
}
