package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged bzip2 images: each is refused with one {@link CorruptImageException} of one line from
 * {@code read}, naming the byte where it went wrong. The image is three level-1 blocks of bzip2
 * output (about 150 kB).
 */
class Bzip2CorruptionTest {
  private static byte[] data;
  private static byte[] bz;

  @BeforeAll
  static void image() {
    data = Tools.mixed(280_000, 99);
    bz = Tools.run(data, "bzip2", "-1");
  }

  private static CorruptImageException refused(byte[] image) {
    CorruptImageException e = assertThrows(CorruptImageException.class, () -> Tools.decode(image, 2));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e;
  }

  @Test
  void flippedBitInTheBlockCrc_isACrcError() {
    byte[] bad = bz.clone();
    bad[10] ^= 0x10; // the first block's CRC: bits 80-111
    CorruptImageException e = refused(bad);
    assertTrue(e.getMessage().matches("bzip2 block at byte 4 is corrupt: its CRC does not match: stored [0-9a-f]{8},"
        + " data gives [0-9a-f]{8}"), e.getMessage());
    assertEquals(4, e.offset());
  }

  /** A bit flipped anywhere in the first block's data makes that block fail, whichever way. */
  @ParameterizedTest
  @ValueSource(ints = {40, 200, 1_000, 5_000, 20_000})
  void flippedBitInTheBlockData_namesTheBlock(int at) {
    byte[] bad = bz.clone();
    bad[at] ^= 0x04;
    CorruptImageException e = refused(bad);
    assertTrue(e.getMessage().startsWith("bzip2 block at byte 4 is corrupt: "), e.getMessage());
  }

  @Test
  void flippedBitInTheStreamCrc_isAStreamCrcError() {
    byte[] bad = bz.clone();
    bad[bad.length - 2] ^= 0x01;
    CorruptImageException e = refused(bad);
    assertTrue(e.getMessage().matches("the bzip2 stream CRC does not match at byte \\d+: stored [0-9a-f]{8},"
        + " blocks give [0-9a-f]{8}"), e.getMessage());
  }

  /** Cuts from the header to the last byte: at block boundaries, in markers, in the stream CRC. */
  @Test
  void truncatedAnywhere_endsEarlyAtTheCut() {
    TreeSet<Integer> cuts = new TreeSet<>();
    for (int i = 4; i < 40; i++) {
      cuts.add(i);
    }
    for (int i = 40; i < bz.length; i += 1_237) {
      cuts.add(i);
    }
    for (int i = bz.length - 30; i < bz.length; i++) {
      cuts.add(i);
    }
    List<String> wrong = new ArrayList<>();
    for (int cut : cuts) {
      String m = refused(Arrays.copyOf(bz, cut)).getMessage();
      if (!m.equals("the bzip2 stream ends early at byte " + cut + ": truncated download?")) {
        wrong.add(cut + ": " + m);
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void trailingBytes_areRefusedAtTheEndOfTheStream() {
    CorruptImageException e = refused(Tools.concat(bz, "<html>".getBytes()));
    assertEquals("trailing data after the end of the bzip2 stream at byte " + bz.length, e.getMessage());
    assertEquals(bz.length, e.offset());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 512, 100_000})
  void trailingZeros_areRefused(int zeros) {
    assertEquals("trailing data after the end of the bzip2 stream at byte " + bz.length,
        refused(Tools.concat(bz, new byte[zeros])).getMessage());
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 4, 5, 30, 2_000})
  void partialSecondStream_endsEarly(int length) {
    byte[] second = Arrays.copyOf(Tools.run(Tools.mixed(100_000, 3), "bzip2", "-9"), length);
    byte[] image = Tools.concat(bz, second);
    assertEquals("the bzip2 stream ends early at byte " + image.length + ": truncated download?",
        refused(image).getMessage());
  }

  @Test
  void randomisedBlock_isRefusedClearly() {
    byte[] bad = bz.clone();
    bad[14] |= (byte) 0x80; // bit 112: the first block's "randomised" flag
    assertEquals("bzip2 block at byte 4 is corrupt: it is in the randomised mode of bzip2 0.9.0 and older,"
        + " which is not supported", refused(bad).getMessage());
  }

  /** The level in the header bounds a block's size: a level-9 block in a stream that says level 1 is refused. */
  @Test
  void blockLargerThanTheLevelAllows_isRefused() {
    byte[] big = Tools.run(Tools.random(400_000, 4), "bzip2", "-9");
    big[3] = '1';
    String m = refused(big).getMessage();
    assertTrue(m.startsWith("bzip2 block at byte 4 is corrupt: ") && m.contains("the block size of 100000"), m);
  }
}
