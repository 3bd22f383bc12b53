package dev.cairn.install.agent.lock;

import java.io.IOException;

/**
 * Where a machine takes a reboot slot before rebooting into an update and gives it back after the
 * next healthy boot: an etcd semaphore as locksmith keeps it, or a FleetLock server such as
 * {@code cairn serve}. Both calls are safe to repeat: taking a slot already held and giving back
 * one not held both succeed, so a call whose answer was lost is simply made again.
 */
public interface RebootLock {
  /** The answer to a request for a slot. */
  sealed interface Outcome permits Outcome.Granted, Outcome.Refused {
    /** The machine holds a slot (just taken, or held already: {@code already}). */
    record Granted(boolean already) implements Outcome {}

    /** No slot now (all taken, or the lock refuses this machine); {@code why} is one line. */
    record Refused(String why) implements Outcome {}
  }

  /**
   * Asks for a slot for {@code id}.
   *
   * @throws IOException when the lock cannot be reached or answers outside its protocol; the
   *     caller does not know whether a slot was taken, and asks again
   */
  Outcome lock(String id) throws IOException;

  /**
   * Gives {@code id}'s slot back; returns false when it held none (which counts as done).
   *
   * @throws IOException when the lock cannot be reached; the caller asks again
   */
  boolean unlock(String id) throws IOException;

  /** Where the lock is, for messages: {@code etcd http://10.0.0.1:2379 group web}. */
  String describe();
}
