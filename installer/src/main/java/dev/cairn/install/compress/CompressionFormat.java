package dev.cairn.install.compress;

/** A compression format {@link Decompress#open} recognises by the first bytes of the image. */
public enum CompressionFormat {
  /** {@code BZh1} .. {@code BZh9}; concatenated streams (pbzip2, lbzip2) are one image. */
  BZIP2("bzip2"),
  /** {@code 1f 8b}; concatenated members are one image. */
  GZIP("gzip"),
  /** {@code fd 37 7a 58 5a 00}; concatenated streams are one image. */
  XZ("xz"),
  /** {@code 28 b5 2f fd}; concatenated frames are one image, skippable frames are skipped. */
  ZSTD("zstd");

  /** What {@link Decompress#open} expects, for the message about an unknown format. */
  static final String EXPECTED = "bzip2 (42 5a 68 31..39, \"BZh1\"..\"BZh9\"), gzip (1f 8b),"
      + " xz (fd 37 7a 58 5a 00) or zstd (28 b5 2f fd)";

  private final String displayName;

  CompressionFormat(String displayName) {
    this.displayName = displayName;
  }

  /** The format's usual name: {@code bzip2}, {@code gzip}, {@code xz}, {@code zstd}. */
  public String displayName() {
    return displayName;
  }

  @Override
  public String toString() {
    return displayName;
  }

  /**
   * The format whose magic {@code head} starts with, or null.
   *
   * @param n how many bytes of {@code head} were read (fewer than 6 at a short input)
   */
  public static CompressionFormat detect(byte[] head, int n) {
    if (n >= 4 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h' && head[3] >= '1' && head[3] <= '9') {
      return BZIP2;
    }
    if (n >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (n >= 6 && (head[0] & 0xff) == 0xfd && head[1] == '7' && head[2] == 'z' && head[3] == 'X'
        && head[4] == 'Z' && head[5] == 0) {
      return XZ;
    }
    if (n >= 4 && Zstd.isFrameMagic(head, 0)) {
      return ZSTD;
    }
    return null;
  }
}
