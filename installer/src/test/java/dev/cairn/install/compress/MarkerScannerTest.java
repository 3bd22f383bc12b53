package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scanner finds both markers at every bit offset, wherever the reads happen to end. */
class MarkerScannerTest {
  private static List<Segment> scan(InputStream in) {
    List<Segment> out = new ArrayList<>();
    try {
      new MarkerScanner(in, out::add).run();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  /** Random bytes with {@code magic} written over the 48 bits from {@code bit}. */
  private static byte[] withMarker(int length, long bit, long magic) {
    byte[] b = Tools.random(length, bit);
    for (int i = 0; i < 48; i++) {
      long at = bit + i;
      int mask = 0x80 >>> (at & 7);
      if ((magic >>> (47 - i) & 1) != 0) {
        b[(int) (at >>> 3)] |= (byte) mask;
      } else {
        b[(int) (at >>> 3)] &= (byte) ~mask;
      }
    }
    return b;
  }

  private static void assertOneMarker(List<Segment> s, long bit, Segment.Kind kind, long endBit) {
    assertEquals(2, s.size(), s.toString());
    assertEquals(Segment.Kind.START, s.get(0).kind);
    assertEquals(0, s.get(0).startBit);
    assertEquals(bit, s.get(0).endBit);
    assertEquals(kind, s.get(1).kind);
    assertEquals(bit, s.get(1).startBit);
    assertEquals(endBit, s.get(1).endBit);
    assertTrue(s.get(1).last);
  }

  @Test
  void markerAtEveryBitShift_andEitherByteParity_isFoundOnce() {
    for (long magic : new long[] {MarkerScanner.BLOCK_MAGIC, MarkerScanner.END_MAGIC}) {
      Segment.Kind kind = magic == MarkerScanner.BLOCK_MAGIC ? Segment.Kind.BLOCK : Segment.Kind.END_OF_STREAM;
      for (int p : new int[] {2, 3, 10, 11, 4096, 4097}) {
        for (int shift = 0; shift < 8; shift++) {
          long bit = p * 8L + shift;
          byte[] b = withMarker(8192, bit, magic);
          assertOneMarker(scan(new ByteArrayInputStream(b)), bit, kind, 8192 * 8L);
        }
      }
    }
  }

  @Test
  void markerInTheLastBytes_isFound() {
    for (int k = 0; k < 12; k++) {
      long bit = 1000 * 8 - 48 - k;
      byte[] b = withMarker(1000, bit, MarkerScanner.END_MAGIC);
      assertOneMarker(scan(new ByteArrayInputStream(b)), bit, Segment.Kind.END_OF_STREAM, 8000);
    }
  }

  @Test
  void markerSplitAcrossOneByteReads_isFound() {
    for (int shift = 0; shift < 8; shift++) {
      long bit = 301 * 8L + shift;
      byte[] b = withMarker(700, bit, MarkerScanner.BLOCK_MAGIC);
      assertOneMarker(scan(new Tools.OneByteReads(b)), bit, Segment.Kind.BLOCK, 5600);
    }
  }

  @Test
  void piecesHoldTheirBytes_fromTheByteOfTheirFirstBit() {
    long bit = 5000 * 8L + 3;
    byte[] b = withMarker(9000, bit, MarkerScanner.BLOCK_MAGIC);
    List<Segment> s = scan(new ByteArrayInputStream(b));
    Segment block = s.get(1);
    assertArrayEquals(Arrays.copyOfRange(b, 5000, 9000), Arrays.copyOf(block.data, 4000));
    assertArrayEquals(Arrays.copyOfRange(b, 0, 5001), Arrays.copyOf(s.get(0).data, 5001));
    assertEquals(MarkerScanner.BLOCK_MAGIC, block.bits(bit, 24) << 24 | block.bits(bit + 24, 24));
  }

  /** No run of input without markers makes a piece longer than the longest block (so memory stays bounded). */
  @Test
  void longStretchWithoutMarkers_isCutIntoBoundedPieces() {
    int length = 8 << 20;
    List<Segment> s = scan(new ByteArrayInputStream(Tools.random(length, 1)));
    assertTrue(s.size() >= 3, s.toString());
    long at = 0;
    for (Segment x : s) {
      assertEquals(at, x.startBit);
      assertTrue(x.bitLength() <= 8L * (MarkerScanner.MAX_SEGMENT + 1), x.toString());
      assertTrue(x.bitLength() > Bzip2InputStream.maxBlockBits(9) || x.last, x.toString());
      at = x.endBit;
    }
    assertEquals(8L * length, at);
    assertEquals(Segment.Kind.CUT, s.get(1).kind);
  }
}
