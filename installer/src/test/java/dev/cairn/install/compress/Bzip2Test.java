package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.install.compress.Decompress.Bzip2Decoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bzip2 images written by the real {@code bzip2} and {@code lbzip2}, decoded by Cairn and compared
 * with what went in: every level, several blocks, 1 to 4 threads, both block decoders.
 */
class Bzip2Test {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
  void everyLevel_manyBlocks_decodesToTheInput(int level) throws IOException {
    byte[] data = Tools.mixed(350_000 + level * 60_000, level);
    byte[] bz = Tools.run(data, "bzip2", "-" + level);
    int threads = 1 + level % 4;
    assertArrayEquals(data, Tools.decode(bz, threads), "level " + level + ", " + threads + " threads");
  }

  @ParameterizedTest
  @EnumSource(Bzip2Decoder.class)
  void eitherBlockDecoder_decodesMixedData(Bzip2Decoder decoder) throws IOException {
    byte[] data = Tools.mixed(1_500_000, 42);
    byte[] bz = Tools.run(data, "bzip2", "-2");
    assertArrayEquals(data, Tools.decode(new ByteArrayInputStream(bz), 3, decoder));
  }

  @Test
  void emptyImage_decodesToNothing() throws IOException {
    byte[] bz = Tools.run(new byte[0], "bzip2", "-9");
    assertEquals(14, bz.length, "a header and an end-of-stream marker, no block");
    assertArrayEquals(new byte[0], Tools.decode(bz, 2));
  }

  @Test
  void oneByteImage_decodesToThatByte() throws IOException {
    byte[] bz = Tools.run(new byte[] {'x'}, "bzip2", "-9");
    assertArrayEquals(new byte[] {'x'}, Tools.decode(bz, 1));
  }

  @Test
  void randomData_twoMiB_onFourThreads() throws IOException {
    byte[] data = Tools.random(2 << 20, 7);
    assertArrayEquals(data, Tools.decode(Tools.run(data, "bzip2", "-9"), 4));
  }

  /** 40 MiB of zeros fit one level-9 block (900,000 bytes of runs of 255): a block far larger out than in. */
  @Test
  void fortyMiBOfZeros_oneBlock_decodes() throws IOException {
    byte[] data = new byte[40 << 20];
    byte[] bz = Tools.run(data, "bzip2", "-9");
    assertEquals(1, countBlocks(bz));
    assertArrayEquals(data, Tools.decode(bz, 2));
  }

  @Test
  void runsOfEveryLength_decode() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int len = 1; len <= 600; len++) {
      for (int i = 0; i < len; i++) {
        out.write(len % 251);
      }
    }
    byte[] data = out.toByteArray();
    assertArrayEquals(data, Tools.decode(Tools.run(data, "bzip2", "-1"), 2));
  }

  /**
   * A block that is one string over and over: its rows form several cycles, not one, and the
   * bytes are the cycle through the first byte, repeated (short and long periods).
   */
  @Test
  void blockThatRepeatsItself_decodes() throws IOException {
    for (int period : new int[] {3, 1000, 200_000}) {
      byte[] w = Tools.random(period, period);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (out.size() < 800_000) {
        out.writeBytes(w);
      }
      byte[] data = out.toByteArray();
      assertArrayEquals(data, Tools.decode(Tools.run(data, "bzip2", "-9"), 2), "period " + period);
    }
  }

  @Test
  void concatenatedStreams_ofDifferentLevels_andAnEmptyOne_areOneImage() throws IOException {
    byte[] a = Tools.mixed(250_000, 1);
    byte[] b = Tools.mixed(1_000_000, 2);
    byte[] c = Tools.random(120_000, 3);
    byte[] bz = Tools.concat(Tools.run(a, "bzip2", "-1"), Tools.run(b, "bzip2", "-9"),
        Tools.run(new byte[0], "bzip2", "-4"), Tools.run(c, "bzip2", "-5"));
    assertArrayEquals(Tools.concat(a, b, c), Tools.decode(bz, 3));
  }

  @Test
  void lbzip2Output_decodes() throws IOException {
    byte[] data = Tools.mixed(3_000_000, 11);
    byte[] bz = Tools.run(data, "lbzip2", "-9", "-n", "2");
    assertArrayEquals(data, Tools.decode(bz, 2));
  }

  /** The source hands over one byte per read and the caller reads one byte at a time. */
  @Test
  void oneByteReads_fromTheSourceAndByTheCaller() throws IOException {
    byte[] data = Tools.mixed(260_000, 5);
    byte[] bz = Tools.run(data, "bzip2", "-1");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DecompressedStream in = Decompress.open(new Tools.OneByteReads(bz), 2)) {
      assertEquals(CompressionFormat.BZIP2, in.format());
      int c;
      while ((c = in.read()) >= 0) {
        out.write(c);
      }
    }
    assertArrayEquals(data, out.toByteArray());
  }

  /** Block markers in a bzip2 file, counted by the scanner: one per block unless one occurs by chance. */
  static int countBlocks(byte[] bz) {
    int[] n = new int[1];
    try {
      new MarkerScanner(new ByteArrayInputStream(bz), s -> {
        if (s.kind == Segment.Kind.BLOCK) {
          n[0]++;
        }
      }).run();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return n[0];
  }
}
