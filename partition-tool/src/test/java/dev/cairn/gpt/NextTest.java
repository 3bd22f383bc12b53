package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** gptprio.next over USR-A (3) and USR-B (4): flags are "priority tries successful". */
class NextTest {

  @ParameterizedTest(name = "{0}: A[{1}] B[{2}] -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      fresh image                         | 1 0 1  | 0 0 0   | 3    | 1 0 1  | 0 0 0
      update written, first boot          | 1 0 1  | 2 1 0   | 4    | 1 0 1  | 2 0 0
      update tries exhausted: rollback    | 1 0 1  | 2 0 0   | 3    | 1 0 1  | 2 0 0
      update marked good                  | 1 0 1  | 2 0 1   | 4    | 1 0 1  | 2 0 1
      both good, equal priority           | 1 0 1  | 1 0 1   | 3    | 1 0 1  | 1 0 1
      both priority 0                     | 0 0 1  | 0 0 1   | none | 0 0 1  | 0 0 1
      priority 0 with tries never boots   | 0 5 0  | 0 3 0   | none | 0 5 0  | 0 3 0
      equal priority, tie to lowest       | 2 0 1  | 2 1 0   | 3    | 2 0 1  | 2 1 0
      equal priority, A unbootable        | 2 0 0  | 2 1 0   | 4    | 2 0 0  | 2 0 0
      successful with tries left          | 1 0 1  | 2 3 1   | 4    | 1 0 1  | 2 2 1
      maximum priority and tries          | 1 0 1  | 15 15 0 | 4    | 1 0 1  | 15 14 0
      neither bootable                    | 1 0 0  | 2 0 0   | none | 1 0 0  | 2 0 0
      only tries on the old slot          | 1 2 0  | 0 0 0   | 3    | 1 1 0  | 0 0 0
      higher old slot wins                | 5 0 1  | 3 1 0   | 3    | 5 0 1  | 3 1 0
      A bad, B good                       | 2 0 0  | 1 0 1   | 4    | 2 0 0  | 1 0 1
      both trying, higher wins            | 3 1 0  | 4 1 0   | 4    | 3 1 0  | 4 0 0
      both trying, equal priority         | 3 2 0  | 3 2 0   | 3    | 3 1 0  | 3 2 0
      last try of a good slot             | 7 1 1  | 6 0 1   | 3    | 7 0 1  | 6 0 1
      """)
  void next_choosesAndDecrements(String name, String a, String b, String expected, String aAfter, String bAfter) {
    PartitionTable t = Fixtures.abTable(flags(a), flags(b));
    AbSlots.Selection s = AbSlots.next(t);
    if (expected.equals("none")) {
      AbSlots.Selection.NoneBootable none = assertInstanceOf(AbSlots.Selection.NoneBootable.class, s);
      assertTrue(none.reason().contains("3 (USR-A): priority="), none.reason());
      return;
    }
    AbSlots.Selection.Chosen c = assertInstanceOf(AbSlots.Selection.Chosen.class, s);
    assertEquals(Integer.parseInt(expected), c.chosen().number());
    assertEquals(flags(aAfter), c.table().require(3).attributes());
    assertEquals(flags(bAfter), c.table().require(4).attributes());
    assertEquals(!c.table().equals(t), c.triesDecremented());
  }

  @Test
  void next_ignoresNonUsrPartitions_evenWithPriorityBits() {
    PartitionTable t = Fixtures.abTable(flags("1 0 1"), flags("0 0 0"));
    Partition root = t.require(9);
    t = t.with(root.withAttributes(root.attributes().withPriority(15).withSuccessful(true)));
    AbSlots.Selection.Chosen c = assertInstanceOf(AbSlots.Selection.Chosen.class, AbSlots.next(t));
    assertEquals(3, c.chosen().number());
  }

  @Test
  void next_keepsForeignAttributeBits() {
    long foreign = (1L << 62) | (1L << 2);
    PartitionTable t = Fixtures.abTable(flags("1 0 1"),
        new PartitionAttributes(foreign).withPriority(2).withTries(1));
    AbSlots.Selection.Chosen c = assertInstanceOf(AbSlots.Selection.Chosen.class, AbSlots.next(t));
    assertEquals(4, c.chosen().number());
    assertEquals(foreign, c.table().require(4).attributes().raw() & foreign);
    assertFalse(c.table().require(4).attributes().successful());
  }

  @Test
  void next_withoutUsrPartitions_saysSo() {
    PartitionTable t = PartitionTable.empty(512, 1 << 16, Guid.random());
    AbSlots.Selection.NoneBootable n = assertInstanceOf(AbSlots.Selection.NoneBootable.class, AbSlots.next(t));
    assertTrue(n.reason().contains("the disk has no coreos-usr partition"), n.reason());
  }

  /**
   * The CoreOS layout with USR-A (3) and USR-B (4) at {@code usrA}/{@code usrB}, plus ChromeOS
   * kernel partitions 5 and 8 (in the free MiB before EFI) at {@code kern5}/{@code kern8}.
   */
  static PartitionTable mixed(String usrA, String usrB, String kern5, String kern8) {
    PartitionTable t = Fixtures.abTable(flags(usrA), flags(usrB));
    Guid kernel = PartitionType.CHROMEOS_KERNEL.guid();
    return t.with(new Partition(5, kernel, Fixtures.guid(5), 2048, 3071, flags(kern5), "KERN-A"))
        .with(new Partition(8, kernel, Fixtures.guid(8), 3072, 4095, flags(kern8), "KERN-B"));
  }

  @Test
  void next_onDiskWithKernelAndUsrSlots_looksAtCoreosUsrOnly_asGptprioDoes() {
    // Kernel partition 5 has the highest priority on the disk; gptprio never sees it.
    PartitionTable t = mixed("1 0 1", "0 0 0", "15 0 1", "2 3 0");
    AbSlots.Selection.Chosen c = assertInstanceOf(AbSlots.Selection.Chosen.class, AbSlots.next(t));
    assertEquals(3, c.chosen().number());
    assertEquals(t, c.table(), "nothing decremented, kernel tries untouched");
  }

  @Test
  void next_withKernelType_looksAtKernelSlotsOnly() {
    PartitionTable t = mixed("1 0 1", "0 0 0", "2 0 0", "3 2 0");
    AbSlots.Selection.Chosen c = assertInstanceOf(AbSlots.Selection.Chosen.class,
        AbSlots.next(t, PartitionType.CHROMEOS_KERNEL.guid()));
    assertEquals(8, c.chosen().number());
    assertEquals(flags("3 1 0"), c.table().require(8).attributes());
    assertEquals(t.require(3), c.table().require(3));
  }

  @Test
  void next_withKernelType_andNoBootableKernel_doesNotFallBackToUsr() {
    PartitionTable t = mixed("1 0 1", "0 0 0", "2 0 0", "0 0 0");
    AbSlots.Selection.NoneBootable n = assertInstanceOf(AbSlots.Selection.NoneBootable.class,
        AbSlots.next(t, PartitionType.CHROMEOS_KERNEL.guid()));
    assertTrue(n.reason().contains("chromeos-kernel") && n.reason().contains("5 (KERN-A)")
        && !n.reason().contains("USR-A"), n.reason());
  }

  @Test
  void next_withATypeWithoutAbFlags_isRefused() {
    PartitionTable t = mixed("1 0 1", "0 0 0", "2 0 0", "0 0 0");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> AbSlots.next(t, PartitionType.LINUX_DATA.guid()));
    assertEquals("type linux-data has no A/B slots; A/B flags apply to coreos-usr and "
        + "chromeos-kernel partitions", e.getMessage());
  }

  static PartitionAttributes flags(String pts) {
    String[] f = pts.trim().split("\\s+");
    return PartitionAttributes.NONE.withPriority(Integer.parseInt(f[0]))
        .withTries(Integer.parseInt(f[1])).withSuccessful(f[2].equals("1"));
  }
}
