package dev.cairn.install.compress;

import java.io.IOException;

/**
 * Decodes one bzip2 block, given the bits that should hold exactly that block: from its block
 * marker ({@code 0x314159265359}) up to the next block or end-of-stream marker. The decoder checks
 * the block's CRC against its data. {@link Bzip2InputStream} calls it on worker threads, one block
 * at a time per thread.
 */
interface BlockDecoder {
  /**
   * Decodes the block in bits {@code [startBit, endBit)} of {@code data} (bit 0 is the high bit of
   * {@code data[0]}). {@code data} holds at least {@link Segment#SLACK} bytes beyond the byte that
   * holds bit {@code endBit - 1}, so a decoder may read a little past the end before it notices.
   *
   * @param maxBlockSize the stream's block size (100,000 times its level): the most bytes a block
   *     may hold before its run-length decoding
   * @throws BlockFailure when the bits are not one whole, intact block, and how
   */
  DecodedBlock decode(byte[] data, int startBit, int endBit, int maxBlockSize) throws BlockFailure;

  /** A decoded block, handed out once, in order, by the reading thread. */
  interface DecodedBlock {
    /** Up to {@code len} bytes of the block's output; -1 after its last byte. */
    int read(byte[] b, int off, int len) throws IOException;

    /** Gives back what the block holds; called once, after the last read. */
    void release();
  }

  /** The bits given are not one whole, intact block. */
  final class BlockFailure extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, as far as the decoder can tell. */
    enum Kind {
      /**
       * The bits ran out before the block's end, or the decoder cannot tell: the block may go on
       * past them (a block marker can occur by chance inside a block's compressed data), so it
       * is tried again with the next piece appended.
       */
      CUT_SHORT,
      /** The block ended before the bits given did. */
      ENDS_EARLY,
      /** The block is corrupt whatever follows it. */
      CORRUPT
    }

    private final Kind kind;

    BlockFailure(String message, Kind kind) {
      super(message, null, false, false);
      this.kind = kind;
    }

    Kind kind() {
      return kind;
    }
  }
}
