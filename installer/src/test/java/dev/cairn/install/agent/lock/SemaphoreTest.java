package dev.cairn.install.agent.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The pure semaphore, against locksmith's rules: the free count is checked before the holders, a
 * release by a machine holding nothing changes nothing, and set-max moves the free count by the
 * change (below zero after lowering under the holders).
 */
class SemaphoreTest {
  @Test
  void fresh_hasEverySlotFree_andNoHolders() {
    assertEquals(new Semaphore(2, 2, List.of()), Semaphore.fresh(2));
  }

  @Test
  void take_addsTheHolder_andTakesOneSlot() {
    Semaphore.Take t = Semaphore.fresh(2).take("b");
    assertEquals(new Semaphore.Take.Taken(new Semaphore(1, 2, List.of("b"))), t);
    Semaphore.Take t2 = ((Semaphore.Take.Taken) t).next().take("a");
    assertEquals(new Semaphore.Take.Taken(new Semaphore(0, 2, List.of("a", "b"))), t2);
  }

  /** The free count comes first: a machine not holding a slot on a full semaphore is told it is full. */
  @Test
  void fullSemaphore_refusesANewMachine_beforeLookingAtHolders() {
    Semaphore full = new Semaphore(0, 1, List.of("a"));
    assertEquals(new Semaphore.Take.Full(full), full.take("b"));
    Semaphore overfull = new Semaphore(-1, 0, List.of("a"));
    assertEquals(new Semaphore.Take.Full(overfull), overfull.take("b"));
  }

  /**
   * A holder asking again is told it holds its slot, also when no slot is free (locksmith answers
   * "semaphore is at 0" there; Cairn grants, so a lock whose answer was lost is not refused forever).
   */
  @Test
  void holderAskingAgain_isAlreadyHeld_evenWhenFull() {
    assertEquals(new Semaphore.Take.AlreadyHeld(), new Semaphore(1, 2, List.of("a")).take("a"));
    assertEquals(new Semaphore.Take.AlreadyHeld(), new Semaphore(0, 1, List.of("a")).take("a"));
  }

  @Test
  void release_byAHolder_freesItsSlot() {
    assertEquals(Optional.of(new Semaphore(2, 2, List.of())), new Semaphore(1, 2, List.of("a")).release("a"));
  }

  @Test
  void release_byANonHolder_isEmpty_andChangesNothing() {
    Semaphore s = new Semaphore(1, 2, List.of("a"));
    assertEquals(Optional.empty(), s.release("b"));
    assertEquals(new Semaphore(1, 2, List.of("a")), s);
  }

  @Test
  void setMax_raised_movesAvailableUp() {
    assertEquals(new Semaphore(2, 3, List.of("a")), new Semaphore(0, 1, List.of("a")).withMax(3));
  }

  @Test
  void setMax_loweredUnderTheHolders_leavesAvailableBelowZero_untilTheyRelease() {
    Semaphore low = new Semaphore(0, 2, List.of("a", "b")).withMax(0);
    assertEquals(new Semaphore(-2, 0, List.of("a", "b")), low);
    Semaphore afterA = low.release("a").orElseThrow();
    assertEquals(new Semaphore(-1, 0, List.of("b")), afterA);
    assertEquals(new Semaphore.Take.Full(afterA), afterA.take("c"));
  }

  @Test
  void badMaxAndIds_areRefused_namingTheValue() {
    assertEquals("max must be 0 or more, got -1",
        assertThrows(IllegalArgumentException.class, () -> Semaphore.fresh(1).withMax(-1)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Semaphore.fresh(1).take("a b"))
        .getMessage().contains("'a b'"));
    assertEquals("holder 'a' is listed twice",
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(0, 2, List.of("a", "a"))).getMessage());
  }
}
