package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GptEditsTest {
  private static PartitionChange change(Integer n, Long first, Long size, Guid type) {
    return new PartitionChange(n, first, size, type, null, null, null, null, null, null, null, null);
  }

  @Test
  void add_withoutPlacement_takesFirstAlignedFreeSpace() {
    PartitionTable t = PartitionTable.empty(512, 1 << 16, Fixtures.guid(1));
    GptEdits.Edited e = GptEdits.addOrModify(t, change(null, null, 4096L, null));
    Partition p = e.table().require(1);
    assertEquals(2048, p.firstLba());
    assertEquals(4096, p.sizeLba());
    assertEquals(PartitionType.LINUX_DATA.guid(), p.type());
    Partition q = GptEdits.addOrModify(e.table(), change(null, null, null, null)).table().require(2);
    assertEquals(6144, q.firstLba());
    assertEquals(t.lastUsableLba(), q.lastLba());
  }

  @Test
  void add_overlapping_namesBothPartitions() {
    PartitionTable t = Fixtures.coreos();
    String m = assertThrows(IllegalArgumentException.class,
        () -> GptEdits.addOrModify(t, change(5, 5000L, 10L, PartitionType.LINUX_DATA.guid()))).getMessage();
    assertEquals("partition 5 (LBA 5000-5009) overlaps partition 1 (LBA 4096-266239)", m);
  }

  @Test
  void modify_missingPartitionWithoutType_isRefused() {
    PartitionTable t = Fixtures.coreos();
    String m = assertThrows(IllegalArgumentException.class,
        () -> GptEdits.addOrModify(t, new PartitionChange(99, null, null, null, null, null, null, 1, null, null, null, null)))
        .getMessage();
    assertTrue(m.startsWith("partition 99 does not exist"), m);
  }

  @Test
  void modify_changesOnlyTheGivenFields() {
    PartitionTable t = Fixtures.coreos();
    PartitionTable after = GptEdits.addOrModify(t,
        new PartitionChange(4, null, null, null, "USR-B2", null, null, 3, 2, 0, null, null)).table();
    Partition p = after.require(4);
    assertEquals("USR-B2", p.label());
    assertEquals(NextTest.flags("3 2 0"), p.attributes());
    assertEquals(t.require(4).withLabel("USR-B2").withAttributes(p.attributes()), p);
  }

  @Test
  void resize_growsIntoTheFreeSpaceAfter() {
    PartitionTable t = Fixtures.coreos();
    Partition root = t.require(9);
    PartitionTable shrunk = t.with(root.withRange(root.firstLba(), root.firstLba() + 99));
    assertEquals(t.lastUsableLba(), GptEdits.resize(shrunk, 9).require(9).lastLba());
    // USR-A cannot grow: USR-B follows it directly.
    assertEquals(t.require(3), GptEdits.resize(t, 3).require(3));
  }

  @Test
  void parseSectors_acceptsUnitsAndRefusesPartialSectors() {
    assertEquals(2097152, GptEdits.parseSectors("1G", 512, "-s"));
    assertEquals(262144, GptEdits.parseSectors("1G", 4096, "-s"));
    assertEquals(2048, GptEdits.parseSectors("2048", 512, "-b"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptEdits.parseSectors("1K", 4096, "-s"))
        .getMessage().contains("not a whole number of 4096-byte sectors"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptEdits.parseSectors("lots", 512, "-s"))
        .getMessage().contains("'lots'"));
  }

  @Test
  void parseSectors_acceptsUpToTheLargestDiskOffset_andNamesAnythingLarger() {
    long max512 = Long.MAX_VALUE / 512;
    assertEquals(18014398509481983L, max512);
    assertEquals(max512, GptEdits.parseSectors(String.valueOf(max512), 512, "-b"));
    assertEquals(Long.MAX_VALUE / 4096, GptEdits.parseSectors(String.valueOf(Long.MAX_VALUE / 4096), 4096, "-b"));
    assertEquals(8796093022208L, GptEdits.parseSectors("4096T", 512, "-s"), "4 PiB in T");
    for (String[] c : new String[][] {
        {"18014398509481984", "512"},          // one sector past the largest offset
        {"36028797018966016", "512"},          // times 512 wraps to 1 MiB
        {"2251799813685248", "4096"},
        {"99999999999T", "512"},               // overflows in the multiplication
        {"8388608T", "512"},                   // exactly 2^63 bytes
        {"99999999999999999999", "512"},       // more than 63 bits of digits
        {"9223372036854775807", "512"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> GptEdits.parseSectors(c[0], Integer.parseInt(c[1]), "--size"));
      assertEquals("--size '" + c[0] + "' is too large: at most " + Long.MAX_VALUE / Integer.parseInt(c[1])
          + " sectors of " + c[1] + " bytes (8 EiB, the largest disk offset)", e.getMessage());
    }
    assertEquals("-s must not be negative, got -1G", assertThrows(IllegalArgumentException.class,
        () -> GptEdits.parseSectors("-1G", 512, "-s")).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptEdits.parseSectors("8E", 512, "-s"))
        .getMessage().contains("is not a number of sectors"));
  }
}
