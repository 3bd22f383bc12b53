package dev.cairn.install.agent.lock;

import java.io.IOException;

/**
 * What {@code cairn locks} does to a reboot lock, as locksmithctl does: show it, release a
 * machine's slot (a machine that died holding one), change how many may reboot at once.
 */
public interface LockAdmin {
  /** The semaphore as stored now (a fresh one with max 1 when none exists yet). */
  Semaphore status() throws IOException;

  /**
   * Releases {@code id}'s slot.
   *
   * @return false when {@code id} holds none
   */
  boolean unlock(String id) throws IOException;

  /**
   * Sets how many machines may hold a slot at once.
   *
   * @return the semaphore before the change
   */
  Semaphore setMax(int max) throws IOException;

  /** Where the lock is, for messages. */
  String describe();
}
