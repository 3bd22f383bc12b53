package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.compress.BlockDecoder.BlockFailure;
import dev.cairn.install.compress.BlockDecoder.DecodedBlock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cairn's block decoder against commons-compress's, block by block, on real bzip2 output; and how
 * a block given too few or too many bits fails.
 */
class BlockDecoderTest {
  private static byte[] read(DecodedBlock block) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[7_777];
    int n;
    while ((n = block.read(buf, 0, buf.length)) > 0) {
      out.write(buf, 0, n);
    }
    block.release();
    return out.toByteArray();
  }

  private static DecodedBlock decode(BlockDecoder d, Segment s, int level) throws BlockFailure {
    return d.decode(s.data, s.firstBit(), s.endBitInData(), level * 100_000);
  }

  @Test
  void everyBlock_cairnAndCommonsCompressAgree() throws Exception {
    CairnBlockDecoder cairn = new CairnBlockDecoder();
    CommonsBlockDecoder commons = new CommonsBlockDecoder();
    int blocks = 0;
    for (int level : new int[] {1, 4, 9}) {
      for (byte[] data : List.of(Tools.mixed(1_200_000, level), Tools.random(300_000, level), new byte[2_000_000])) {
        byte[] bz = Tools.run(data, "bzip2", "-" + level);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Segment s : FalseMarkerTest.segments(bz)) {
          if (s.kind == Segment.Kind.BLOCK) {
            byte[] ours = read(decode(cairn, s, level));
            assertArrayEquals(read(decode(commons, s, level)), ours, "block at bit " + s.startBit);
            all.writeBytes(ours);
            blocks++;
          }
        }
        assertArrayEquals(data, all.toByteArray());
      }
    }
    assertTrue(blocks > 15, blocks + " blocks");
  }

  @Test
  void blockGivenTooFewBits_isCutShort_andGivenMore_endsEarly() throws Exception {
    byte[] bz = Tools.run(Tools.mixed(250_000, 3), "bzip2", "-1");
    List<Segment> segments = FalseMarkerTest.segments(bz);
    Segment block = segments.get(1);
    Segment joined = block.join(segments.get(2));
    CairnBlockDecoder cairn = new CairnBlockDecoder();
    for (long bits : new long[] {50, 104, 200, 3_000, block.bitLength() / 2, block.bitLength() - 1}) {
      BlockFailure f = assertThrows(BlockFailure.class,
          () -> cairn.decode(block.data, block.firstBit(), (int) (block.firstBit() + bits), 100_000));
      assertEquals(BlockFailure.Kind.CUT_SHORT, f.kind(), bits + " bits: " + f.getMessage());
    }
    BlockFailure f = assertThrows(BlockFailure.class, () -> decode(cairn, joined, 1));
    assertEquals(BlockFailure.Kind.ENDS_EARLY, f.kind(), f.getMessage());
    assertEquals("it ends " + segments.get(2).bitLength() + " bits before the next marker", f.getMessage());
  }

  /** CRC-32/BZIP2's catalogue check value, and a bit-by-bit reference on random data. */
  @Test
  void crc_isBzip2sCrc32() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    assertEquals(0xFC891918, CairnBlockDecoder.crc(check, 0, check.length));
    byte[] data = Tools.random(10_000, 1);
    int crc = -1;
    for (byte b : data) {
      crc ^= (b & 0xff) << 24;
      for (int k = 0; k < 8; k++) {
        crc = crc < 0 ? crc << 1 ^ 0x04C11DB7 : crc << 1;
      }
    }
    assertEquals(~crc, CairnBlockDecoder.crc(data, 0, data.length));
  }
}
