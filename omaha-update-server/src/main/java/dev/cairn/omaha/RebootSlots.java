package dev.cairn.omaha;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The reboot lock: how many of a group's machines may reboot into an update at once (its policy's
 * {@link Model.Policy#maxReboots}), and which hold a slot. A machine takes a slot before it
 * reboots (FleetLock's pre-reboot) and gives it back once it is up again (steady-state); an
 * operator may give back the slot of a machine that never came back. Each operation is one
 * transaction of the {@link Store}, so the count and the insert of a take are never split and
 * concurrent takes never exceed the limit.
 */
public final class RebootSlots {
  /** The group a machine that names none asks for, as Zincati does. */
  public static final String DEFAULT_GROUP = "default";
  /** The most characters of a machine id or group name. */
  public static final int MAX_ID = 256;
  /** The activity log's kinds for a slot taken and a slot given back. */
  public static final String TAKEN = "reboot.taken";
  public static final String RELEASED = "reboot.released";

  private final Store store;
  private final Clock clock;

  public RebootSlots(Store store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** A machine holding a slot since an instant. */
  public record Holder(String machineId, Instant since) {}

  /** A group's slots: the limit and the holders, oldest first. */
  public record Slots(String group, int max, List<Holder> holders) {
    public Slots {
      holders = List.copyOf(holders);
    }

    /** Slots left; negative when the limit was lowered below the holders. */
    public int available() {
      return max - holders.size();
    }

    public boolean held(String machineId) {
      return holders.stream().anyMatch(h -> h.machineId().equals(machineId));
    }
  }

  /** What a take or release did. */
  public enum Result {
    /** The machine took a slot. */
    TAKEN,
    /** The machine held a slot already (a take), and keeps it. */
    ALREADY_HELD,
    /** Every slot is taken: the machine must wait. */
    REFUSED,
    /** The machine's slot was given back. */
    RELEASED,
    /** The machine held no slot (a release). */
    NOT_HELD,
    /** The app has no group of that name. */
    UNKNOWN_GROUP
  }

  /** The result and the group's slots after it (empty for an unknown group). */
  public record Outcome(Result result, Optional<Slots> slots) {}

  /**
   * A machine id as FleetLock sends it: 1-{@value #MAX_ID} printable ASCII characters, no spaces.
   *
   * @throws IllegalArgumentException naming {@code field} and what was expected
   */
  public static String checkId(String field, String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID
        || !id.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
      throw new IllegalArgumentException(field + " must be 1-" + MAX_ID + " printable ASCII characters without"
          + " spaces, got " + (id == null ? "none" : "'" + ControlChars.escape(cut(id)) + "'"));
    }
    return id;
  }

  /** The group a machine asks for: {@value #DEFAULT_GROUP} when it names none, else checked as an id. */
  public static String group(String field, String group) {
    return group == null || group.isEmpty() ? DEFAULT_GROUP : checkId(field, group);
  }

  private static String cut(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  /**
   * Takes a slot of {@code group} of {@code appId} for {@code machineId}, or finds it held already;
   * refused when every slot is taken. Recorded in the activity log as done by {@code actor}.
   */
  public Outcome take(String appId, String group, String machineId, String actor) {
    return store.transaction(tx -> {
      Optional<Store.GroupRecord> g = tx.group(appId, group);
      if (g.isEmpty()) {
        return new Outcome(Result.UNKNOWN_GROUP, Optional.empty());
      }
      Slots before = slots(tx, g.get());
      if (before.held(machineId)) {
        return new Outcome(Result.ALREADY_HELD, Optional.of(before));
      }
      if (before.available() <= 0) {
        return new Outcome(Result.REFUSED, Optional.of(before));
      }
      Instant now = clock.instant();
      tx.addRebootHolder(g.get().id(), machineId, now);
      Slots after = slots(tx, g.get());
      tx.appendActivity(g.get().id(), machineId, TAKEN, "took a reboot slot of group " + group + " (" + count(after)
          + ")", actor, now);
      return new Outcome(Result.TAKEN, Optional.of(after));
    });
  }

  /**
   * Gives back {@code machineId}'s slot of {@code group}, if it holds one; recorded as done by
   * {@code actor} (the machine itself, or the operator who released a stale one). A machine's
   * activity lines name it as their machine and their actor.
   */
  public Outcome release(String appId, String group, String machineId, String actor) {
    return store.transaction(tx -> {
      Optional<Store.GroupRecord> g = tx.group(appId, group);
      if (g.isEmpty()) {
        return new Outcome(Result.UNKNOWN_GROUP, Optional.empty());
      }
      if (!tx.removeRebootHolder(g.get().id(), machineId)) {
        return new Outcome(Result.NOT_HELD, Optional.of(slots(tx, g.get())));
      }
      Slots after = slots(tx, g.get());
      tx.appendActivity(g.get().id(), machineId, RELEASED, (actor.equals(machineId)
          ? "gave back its reboot slot of group " + group : "reboot slot of group " + group + " released by " + actor)
          + " (" + count(after) + ")", actor, clock.instant());
      return new Outcome(Result.RELEASED, Optional.of(after));
    });
  }

  /** The group's slots now, if the app has that group. */
  public Optional<Slots> slots(String appId, String group) {
    return store.transaction(tx -> tx.group(appId, group).map(g -> slots(tx, g)));
  }

  private static String count(Slots s) {
    return s.holders().size() + " of " + s.max() + " slots taken";
  }

  private static Slots slots(Store.Tx tx, Store.GroupRecord g) {
    return new Slots(g.name(), g.policy().maxReboots(), tx.rebootHolders(g.id()));
  }
}
