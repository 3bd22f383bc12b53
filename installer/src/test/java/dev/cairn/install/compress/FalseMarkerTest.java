package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.install.compress.Decompress.Bzip2Decoder;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A marker inside a block, written by the real bzip2. A block header holds, 105 bits after its
 * marker, a 16-bit map of which 16-byte ranges of byte values the block uses, then a 16-bit map for
 * each range used. Data made of just the right byte values makes those maps spell a marker: for
 * the block marker 0x314159265359, ranges 2, 3, 7, 9 and 15 (0x3141), with bytes 21 23 24 27 2a 2d
 * 2e in range 2 (0x5926) and 31 33 36 37 39 3b 3c 3f in range 3 (0x5359); likewise for the
 * end-of-stream marker 0x177245385090. Every block of such data then has a false marker of that
 * kind inside it: the scanner cuts the block in two, the first piece fails as cut short, and the
 * reader must join the pieces and decode the block whole.
 */
class FalseMarkerTest {
  private static final int[] SPELLS_BLOCK_MARKER = {
    0x21, 0x23, 0x24, 0x27, 0x2a, 0x2d, 0x2e, 0x31, 0x33, 0x36, 0x37, 0x39, 0x3b, 0x3c, 0x3f, 0x70, 0x90, 0xf0};
  /** Ranges 3, 5, 6, 7, 9, 10, 11, 14 (0x1772); range 3 is 0x4538, range 5 is 0x5090. */
  private static final int[] SPELLS_END_MARKER = {
    0x31, 0x35, 0x37, 0x3a, 0x3b, 0x3c, 0x51, 0x53, 0x58, 0x5b, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xe0};

  enum Spelled {
    BLOCK_MARKER(SPELLS_BLOCK_MARKER, Segment.Kind.BLOCK),
    END_MARKER(SPELLS_END_MARKER, Segment.Kind.END_OF_STREAM);

    final int[] bytes;
    final Segment.Kind kind;

    Spelled(int[] bytes, Segment.Kind kind) {
      this.bytes = bytes;
      this.kind = kind;
    }
  }

  /**
   * Random bytes of the alphabet, no byte twice in a row (a run of four would add its length byte
   * to the bytes the block uses), every byte of the alphabet in every block.
   */
  private static byte[] data(int[] alphabet, int n, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[n];
    int last = -1;
    for (int i = 0; i < n; i++) {
      int c = i % 50_000 < alphabet.length ? i % 50_000 : r.nextInt(alphabet.length - 1);
      if (c == last && i % 50_000 >= alphabet.length) {
        c = alphabet.length - 1;
      }
      b[i] = (byte) alphabet[c];
      last = c;
    }
    return b;
  }

  /** The pieces: the header, then each of the 5 blocks as two (its marker, the false one 105 bits on), the end. */
  @ParameterizedTest
  @EnumSource(Spelled.class)
  void markerSpelledInEveryBlockHeader_isFoundByTheScanner(Spelled spelled) {
    byte[] bz = Tools.run(data(spelled.bytes, 450_000, 1), "bzip2", "-1");
    List<Segment> segments = segments(bz);
    assertEquals(2 + 2 * 5, segments.size(), segments.toString());
    assertEquals(32, segments.get(1).startBit);
    for (int i = 1; i < segments.size() - 1; i += 2) {
      assertEquals(Segment.Kind.BLOCK, segments.get(i).kind, segments.toString());
      assertEquals(spelled.kind, segments.get(i + 1).kind, segments.toString());
      assertEquals(segments.get(i).startBit + 105, segments.get(i + 1).startBit, segments.toString());
    }
    assertEquals(Segment.Kind.END_OF_STREAM, segments.get(segments.size() - 1).kind);
  }

  @ParameterizedTest
  @EnumSource(Spelled.class)
  void markerSpelledInEveryBlockHeader_decodesWithCairnsDecoder(Spelled spelled) throws Exception {
    byte[] data = data(spelled.bytes, 450_000, 2);
    byte[] bz = Tools.run(data, "bzip2", "-1");
    for (int threads = 1; threads <= 3; threads++) {
      assertArrayEquals(data, Tools.decode(new ByteArrayInputStream(bz), threads, Bzip2Decoder.CAIRN));
    }
  }

  @ParameterizedTest
  @EnumSource(Spelled.class)
  void markerSpelledInEveryBlockHeader_decodesWithCommonsCompress(Spelled spelled) throws Exception {
    byte[] data = data(spelled.bytes, 450_000, 3);
    byte[] bz = Tools.run(data, "bzip2", "-1");
    assertArrayEquals(data, Tools.decode(new ByteArrayInputStream(bz), 2, Bzip2Decoder.COMMONS_COMPRESS));
  }

  static List<Segment> segments(byte[] bz) {
    List<Segment> out = new ArrayList<>();
    try {
      new MarkerScanner(new ByteArrayInputStream(bz), out::add).run();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return out;
  }
}
