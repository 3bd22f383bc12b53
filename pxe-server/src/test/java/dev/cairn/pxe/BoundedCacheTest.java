package dev.cairn.pxe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link BoundedCache}: never past its bounds, whatever is put in; what it keeps is what was put. */
class BoundedCacheTest {
  @Test
  void pastTheMostEntries_othersAreDropped_andWhatIsKeptIsWhatWasPut() {
    BoundedCache<Integer, String> c = new BoundedCache<>(100, 1_000_000, (k, v) -> v.length());
    for (int i = 0; i < 10_000; i++) {
      c.put(i, "v" + i);
      assertTrue(c.size() <= 100, "after " + i + ": " + c.size());
    }
    assertEquals(100, c.size());
    int kept = 0;
    for (int i = 0; i < 10_000; i++) {
      String v = c.get(i);
      if (v != null) {
        assertEquals("v" + i, v);
        kept++;
      }
    }
    assertEquals(100, kept);
  }

  @Test
  void pastTheMostWeight_othersAreDropped_andAnEntryHeavierThanASixteenthIsNotKept() {
    BoundedCache<Integer, String> c = new BoundedCache<>(1_000, 1_600, (k, v) -> v.length());
    for (int i = 0; i < 1_000; i++) {
      c.put(i, "x".repeat(1 + i % 100));
      assertTrue(c.weight() <= 1_600, "after " + i + ": " + c.weight());
    }
    String heavy = "y".repeat(101);
    assertSame(heavy, c.put(-1, heavy), "handed back");
    assertNull(c.get(-1), "but not kept");
    long sum = 0;
    for (int i = 0; i < 1_000; i++) {
      String v = c.get(i);
      sum += v == null ? 0 : v.length();
    }
    assertEquals(sum, c.weight(), "the weight is that of the entries kept");
  }

  @Test
  void aSecondPutForAKey_keepsTheFirstValue() {
    BoundedCache<String, String> c = new BoundedCache<>(10, 100, (k, v) -> v.length());
    String first = new String("a");
    assertSame(first, c.put("k", first));
    assertSame(first, c.put("k", new String("a")));
    assertEquals(1, c.weight());
  }
}
