package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** cgpt prioritize semantics; the expected rows are what cgpt itself produces from [5,3,3,1,0]. */
class PrioritizeTest {

  /** cgpt's arguments: target 0 for none, top 0 for the default; the type is the one cgpt would use. */
  private static PartitionTable prioritize(PartitionTable t, int target, int top, boolean friends) {
    return AbSlots.prioritize(t, AbSlots.prioritizeType(t, target), target,
        top == 0 ? OptionalInt.empty() : OptionalInt.of(top), friends);
  }

  private static int[] priorities(PartitionTable t) {
    return t.partitions().stream().mapToInt(p -> p.attributes().priority()).toArray();
  }

  @Test
  void topOnly_coalescesLowerGroupsAtOne() {
    assertArrayEquals(new int[] {2, 1, 1, 1, 0},
        priorities(prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 0, 2, false)));
  }

  @Test
  void target_isLiftedAlone_othersRenumberedBelow() {
    assertArrayEquals(new int[] {3, 4, 2, 1, 0},
        priorities(prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 2, 0, false)));
  }

  @Test
  void friends_liftTheWholeEqualPriorityGroup() {
    assertArrayEquals(new int[] {2, 3, 3, 1, 0},
        priorities(prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 2, 0, true)));
  }

  @Test
  void priorityZeroTarget_isLiftedToTheTop() {
    assertArrayEquals(new int[] {3, 2, 2, 1, 4},
        priorities(prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 5, 0, false)));
  }

  @Test
  void noOptions_compactsGroupsDownToOne() {
    assertArrayEquals(new int[] {3, 2, 2, 1, 0},
        priorities(prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 0, 0, false)));
  }

  @Test
  void allZero_staysZero() {
    assertArrayEquals(new int[] {0, 0, 0},
        priorities(prioritize(Fixtures.kernels(0, 0, 0), 0, 0, false)));
  }

  @Test
  void coreosUsr_takesPartToo() {
    PartitionTable t = Fixtures.abTable(NextTest.flags("1 0 1"), NextTest.flags("0 0 0"));
    PartitionTable after = prioritize(t, 4, 0, false);
    assertEquals(2, after.require(4).attributes().priority());
    assertEquals(1, after.require(3).attributes().priority());
    assertEquals(0, after.require(9).attributes().priority());
  }

  @Test
  void badArguments_areRefusedWithTheirValue() {
    PartitionTable t = Fixtures.kernels(1, 2);
    assertEquals("priority -P must be 1-15, got 16",
        assertThrows(IllegalArgumentException.class, () -> prioritize(t, 1, 16, false)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> prioritize(t, 7, 0, false))
        .getMessage().contains("partition 7 does not exist"));
    PartitionTable c = Fixtures.coreos();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> prioritize(c, 9, 0, false))
        .getMessage().contains("A/B flags apply to coreos-usr and chromeos-kernel"));
  }

  @Test
  void updateThenGoodBoot_lifeCycle() {
    PartitionTable t = Fixtures.coreos();
    PartitionTable updated = AbSlots.markUpdate(t, 4);
    assertEquals(NextTest.flags("2 1 0"), updated.require(4).attributes());
    assertEquals(NextTest.flags("1 0 1"), updated.require(3).attributes());
    PartitionTable good = AbSlots.markSuccessful(updated, 4);
    assertEquals(NextTest.flags("2 0 1"), good.require(4).attributes());
    // The next update goes back into USR-A and must outrank USR-B.
    PartitionTable again = AbSlots.markUpdate(good, 3);
    assertEquals(NextTest.flags("2 1 0"), again.require(3).attributes());
    assertEquals(NextTest.flags("1 0 1"), again.require(4).attributes());
  }

  @Test
  void markUpdateAndMarkSuccessful_onMixedDisk_renumberOnlyTheSlotsOfTheirOwnType() {
    PartitionTable t = NextTest.mixed("1 0 1", "0 0 0", "5 0 1", "3 0 1");
    PartitionTable updated = AbSlots.markUpdate(t, 4);
    assertEquals(NextTest.flags("2 1 0"), updated.require(4).attributes());
    assertEquals(NextTest.flags("1 0 1"), updated.require(3).attributes());
    assertEquals(t.require(5), updated.require(5), "kernel slots keep their priorities");
    assertEquals(t.require(8), updated.require(8));
    PartitionTable good = AbSlots.markSuccessful(t, 8);
    assertEquals(NextTest.flags("2 0 1"), good.require(8).attributes());
    assertEquals(NextTest.flags("1 0 1"), good.require(5).attributes());
    assertEquals(t.require(3), good.require(3), "usr slots keep their priorities");
    assertEquals(t.require(4), good.require(4));
  }

  @Test
  void prioritize_ofAUsrSlotOnMixedDisk_leavesKernelSlotsAlone() {
    PartitionTable t = NextTest.mixed("1 0 1", "0 0 0", "5 0 1", "3 0 1");
    PartitionTable after = prioritize(t, 4, 0, false);
    assertEquals(2, after.require(4).attributes().priority());
    assertEquals(1, after.require(3).attributes().priority());
    assertEquals(5, after.require(5).attributes().priority());
    assertEquals(3, after.require(8).attributes().priority());
  }

  @Test
  void prioritize_withoutTargetOrTypeOnMixedDisk_isRefusedNamingBothSets() {
    PartitionTable t = NextTest.mixed("1 0 1", "0 0 0", "5 0 1", "3 0 1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AbSlots.prioritizeType(t, 0));
    assertEquals("the disk has A/B slots of two types, coreos-usr [3, 4] and chromeos-kernel [5, 8];"
        + " say which to renumber with --type or -i", e.getMessage());
  }

  @Test
  void prioritize_withKernelType_renumbersOnlyKernelSlots() {
    PartitionTable t = NextTest.mixed("4 0 1", "2 0 0", "5 0 1", "3 0 1");
    PartitionTable after = AbSlots.prioritize(t, PartitionType.CHROMEOS_KERNEL.guid(), 0,
        OptionalInt.empty(), false);
    assertEquals(2, after.require(5).attributes().priority());
    assertEquals(1, after.require(8).attributes().priority());
    assertEquals(t.require(3), after.require(3));
    assertEquals(t.require(4), after.require(4));
  }

  @Test
  void prioritize_targetOfAnotherTypeThanAsked_isRefused() {
    PartitionTable t = NextTest.mixed("1 0 1", "0 0 0", "5 0 1", "3 0 1");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AbSlots.prioritize(
        t, PartitionType.CHROMEOS_KERNEL.guid(), 4, OptionalInt.empty(), false));
    assertEquals("partition 4 (USR-B) is a coreos-usr partition, not chromeos-kernel", e.getMessage());
  }

  @Test
  void prioritize_topZero_isRefusedAsCgptDoes() {
    PartitionTable t = Fixtures.kernels(5, 3, 3, 1, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AbSlots.prioritize(
        t, PartitionType.CHROMEOS_KERNEL.guid(), 0, OptionalInt.of(0), false));
    assertEquals("priority -P must be 1-15, got 0", e.getMessage());
  }
}
