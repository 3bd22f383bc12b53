package dev.cairn.install.compress;

import java.io.IOException;
import java.io.InputStream;

/** Opens a compressed disk image (bzip2, gzip, xz or zstd, found by its first bytes) for reading. */
public final class Decompress {
  private Decompress() {}

  /** Which decoder decodes each bzip2 block. */
  public enum Bzip2Decoder {
    /** Cairn's own block decoder: the default. */
    CAIRN,
    /** commons-compress's decoder, handed each block as a one-block stream: the reference. */
    COMMONS_COMPRESS
  }

  /**
   * The decompressed bytes of {@code compressed}. The format is found from the first bytes, which
   * this reads (blocking until they arrive). bzip2 is decoded on {@code threads} threads, block by
   * block; the other formats on the caller's thread.
   *
   * <p>The whole input must be the image: concatenated streams of one format (gzip members, bzip2
   * streams as pbzip2 and lbzip2 write them, xz streams, zstd frames) are read as one image, and
   * anything else after the end of the last stream is an error, as is a stream cut short and any
   * checksum that does not match. Those errors are {@link CorruptImageException}s thrown by
   * {@code read}; a failure of {@code compressed} itself is rethrown unchanged.
   *
   * @param threads how many threads decode bzip2 blocks, at least 1
   * @throws CorruptImageException when the input is empty or starts with no known magic
   * @throws IllegalArgumentException when {@code threads} is less than 1
   */
  public static DecompressedStream open(InputStream compressed, int threads) throws IOException {
    return open(compressed, threads, Bzip2Decoder.CAIRN);
  }

  /** As {@link #open(InputStream, int)}, with a choice of bzip2 block decoder. */
  public static DecompressedStream open(InputStream compressed, int threads, Bzip2Decoder bzip2)
      throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    SourceInput in = new SourceInput(compressed);
    byte[] head = new byte[6];
    in.mark(head.length);
    int n = in.readUpTo(head);
    in.reset();
    CompressionFormat format = CompressionFormat.detect(head, n);
    if (format == null) {
      throw unknown(head, n);
    }
    InputStream decoded = switch (format) {
      case BZIP2 -> new Bzip2InputStream(in, threads,
          bzip2 == Bzip2Decoder.CAIRN ? new CairnBlockDecoder() : new CommonsBlockDecoder());
      case GZIP -> new MemberStream(format, in, new Gzip());
      case XZ -> new MemberStream(format, in, new Xz());
      case ZSTD -> new MemberStream(format, in, new Zstd());
    };
    return new DecompressedStream(format, decoded);
  }

  private static CorruptImageException unknown(byte[] head, int n) {
    if (n == 0) {
      return new CorruptImageException("the image is empty: expected " + CompressionFormat.EXPECTED, 0);
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < n; i++) {
      hex.append(i == 0 ? "" : " ").append(String.format("%02x", head[i] & 0xff));
    }
    String what = n < head.length ? "is only " + n + " bytes long (" + hex + ")" : "starts with " + hex;
    return new CorruptImageException(
        "the image is not in a known compression format: it " + what + ", expected " + CompressionFormat.EXPECTED, 0);
  }
}
