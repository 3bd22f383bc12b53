package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** cgpt prioritize semantics; the expected rows are what cgpt itself produces from [5,3,3,1,0]. */
class PrioritizeTest {

  private static int[] priorities(PartitionTable t) {
    return t.partitions().stream().mapToInt(p -> p.attributes().priority()).toArray();
  }

  @Test
  void topOnly_coalescesLowerGroupsAtOne() {
    assertArrayEquals(new int[] {2, 1, 1, 1, 0},
        priorities(AbSlots.prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 0, 2, false)));
  }

  @Test
  void target_isLiftedAlone_othersRenumberedBelow() {
    assertArrayEquals(new int[] {3, 4, 2, 1, 0},
        priorities(AbSlots.prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 2, 0, false)));
  }

  @Test
  void friends_liftTheWholeEqualPriorityGroup() {
    assertArrayEquals(new int[] {2, 3, 3, 1, 0},
        priorities(AbSlots.prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 2, 0, true)));
  }

  @Test
  void priorityZeroTarget_isLiftedToTheTop() {
    assertArrayEquals(new int[] {3, 2, 2, 1, 4},
        priorities(AbSlots.prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 5, 0, false)));
  }

  @Test
  void noOptions_compactsGroupsDownToOne() {
    assertArrayEquals(new int[] {3, 2, 2, 1, 0},
        priorities(AbSlots.prioritize(Fixtures.kernels(5, 3, 3, 1, 0), 0, 0, false)));
  }

  @Test
  void allZero_staysZero() {
    assertArrayEquals(new int[] {0, 0, 0},
        priorities(AbSlots.prioritize(Fixtures.kernels(0, 0, 0), 0, 0, false)));
  }

  @Test
  void coreosUsr_takesPartToo() {
    PartitionTable t = Fixtures.abTable(NextTest.flags("1 0 1"), NextTest.flags("0 0 0"));
    PartitionTable after = AbSlots.prioritize(t, 4, 0, false);
    assertEquals(2, after.require(4).attributes().priority());
    assertEquals(1, after.require(3).attributes().priority());
    assertEquals(0, after.require(9).attributes().priority());
  }

  @Test
  void badArguments_areRefusedWithTheirValue() {
    PartitionTable t = Fixtures.kernels(1, 2);
    assertEquals("priority -P must be 1-15, got 16",
        assertThrows(IllegalArgumentException.class, () -> AbSlots.prioritize(t, 1, 16, false)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AbSlots.prioritize(t, 7, 0, false))
        .getMessage().contains("partition 7 does not exist"));
    PartitionTable c = Fixtures.coreos();
    assertTrue(assertThrows(IllegalArgumentException.class, () -> AbSlots.prioritize(c, 9, 0, false))
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
}
