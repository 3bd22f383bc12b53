package dev.cairn.omaha;

import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Model.Policy;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The port to the update server's database. An implementation runs each unit of work in one
 * serializable transaction: everything a check reads, the decision, and what it writes commit
 * together or not at all. SQLite is the embedded implementation; PostgreSQL can follow.
 */
public interface Store extends AutoCloseable {
  /**
   * The most characters of a text a machine sends (track, version, alias, ...) that an instance,
   * event or history row keeps; longer ones are cut to it, and the instance says which were.
   */
  int MAX_TEXT = 256;

  /** Runs {@code work} in one transaction and commits it; retries when the database is busy. */
  <T> T transaction(Work<T> work);

  /**
   * As {@link #transaction}, without waiting: the future completes once the work's transaction is
   * committed (or has failed), on a thread of the store's choosing, so dependent steps should be
   * short. The default runs the work at once on the calling thread.
   */
  default <T> CompletableFuture<T> submit(Work<T> work) {
    try {
      return CompletableFuture.completedFuture(transaction(work));
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Whether the database answers a trivial query. */
  boolean healthy();

  @Override
  void close();

  interface Work<T> {
    T run(Tx tx);
  }

  /**
   * A group with its id and channel name, and as the decision sees it ({@code view}): its policy,
   * the version its channel serves, floors, blacklist, and those versions' packages per board.
   */
  record GroupRecord(long id, String appId, String name, String channel, UpdatePolicy.GroupView view) {
    public Policy policy() {
      return view.policy();
    }

    /** The version the channel serves, if any. */
    public Optional<Version> channelVersion() {
      return view.channelVersion();
    }

    /** The version the group's machines are brought to: the pinned one, else the channel's. */
    public Optional<Version> targetVersion() {
      return policy().pinnedVersion().isPresent() ? policy().pinnedVersion() : channelVersion();
    }

    /** The channel's package for the app's board. */
    public Optional<Package> channelPackage() {
      return channelVersion().flatMap(v -> view.pkg(view.defaultBoard(), v));
    }

    /** The pinned version's package for the app's board. */
    public Optional<Package> pinnedPackage() {
      return policy().pinnedVersion().flatMap(v -> view.pkg(view.defaultBoard(), v));
    }

    /** The floors' packages for the app's board, lowest first. */
    public List<Package> floors() {
      return view.floors().stream().flatMap(v -> view.pkg(view.defaultBoard(), v).stream()).toList();
    }

    /** The blacklisted versions, lowest first. */
    public List<Version> blacklist() {
      return view.blacklist().stream().sorted().toList();
    }
  }

  /**
   * Everything remembered about one machine for one app. {@code truncated} names the attributes
   * of its last request (as the request names them: {@code machinealias}, {@code track}) that
   * were longer than {@link #MAX_TEXT} and are kept cut to it. {@code grantBootId} is the boot id
   * the machine sent when it was granted its update; {@code progressed} says it reported the
   * download started from that same boot, since the grant or its last counted failure: only then
   * does a failure it reports count toward the failure brake.
   */
  record InstanceRecord(String appId, String machineId, String track, String version, String bootId,
      String oem, String oemVersion, String alephVersion, String alias, String ip, InstanceStatus status,
      Optional<Version> grantedVersion, Optional<Instant> grantedAt, Optional<Instant> lastCheck,
      String lastHold, int lastErrorCode, int lastErrorFlags, List<String> truncated, String grantBootId,
      boolean progressed) {
    public InstanceRecord {
      truncated = List.copyOf(truncated);
    }

    /** Without grant progress. */
    public InstanceRecord(String appId, String machineId, String track, String version, String bootId,
        String oem, String oemVersion, String alephVersion, String alias, String ip, InstanceStatus status,
        Optional<Version> grantedVersion, Optional<Instant> grantedAt, Optional<Instant> lastCheck,
        String lastHold, int lastErrorCode, int lastErrorFlags, List<String> truncated) {
      this(appId, machineId, track, version, bootId, oem, oemVersion, alephVersion, alias, ip, status,
          grantedVersion, grantedAt, lastCheck, lastHold, lastErrorCode, lastErrorFlags, truncated, null, false);
    }

    /** Nothing cut, without grant progress. */
    public InstanceRecord(String appId, String machineId, String track, String version, String bootId,
        String oem, String oemVersion, String alephVersion, String alias, String ip, InstanceStatus status,
        Optional<Version> grantedVersion, Optional<Instant> grantedAt, Optional<Instant> lastCheck,
        String lastHold, int lastErrorCode, int lastErrorFlags) {
      this(appId, machineId, track, version, bootId, oem, oemVersion, alephVersion, alias, ip, status,
          grantedVersion, grantedAt, lastCheck, lastHold, lastErrorCode, lastErrorFlags, List.of(), null, false);
    }
  }

  /**
   * One event as the machine reported it, with the error code split from its flag bits.
   * {@code brake} says whether it counts toward the failure brake (a failure of a grant that
   * progressed, within its address's limit).
   */
  record EventRecord(String appId, String machineId, Instant at, int type, int result, int errorCode,
      int errorFlags, String previousVersion, String version, boolean brake) {
    /** An event that counts toward the brake when it is a failure. */
    public EventRecord(String appId, String machineId, Instant at, int type, int result, int errorCode,
        int errorFlags, String previousVersion, String version) {
      this(appId, machineId, at, type, result, errorCode, errorFlags, previousVersion, version, result == 0);
    }
  }

  /** One state change of an instance, kept as its history. */
  record HistoryRecord(String appId, String machineId, Instant at, InstanceStatus from, InstanceStatus to,
      String version, String detail) {}

  /** The operations a unit of work may use. */
  interface Tx {
    boolean appExists(String appId);

    /** The group the track names for this app, if any. */
    Optional<GroupRecord> group(String appId, String track);

    Optional<InstanceRecord> instance(String appId, String machineId);

    /**
     * Grants in this group since {@code since}; failed updates to {@code target} that count toward
     * the brake, by the group's machines since its last resume; and, when those failures are at
     * least {@code minFailures}, the machines granted {@code target} since that resume (else 0).
     */
    UpdatePolicy.GroupStats stats(long groupId, Instant since, Version target, int minFailures);

    /** As above, without the grants of the target. */
    default UpdatePolicy.GroupStats stats(long groupId, Instant since, Version target) {
      return stats(groupId, since, target, Integer.MAX_VALUE);
    }

    void saveInstance(InstanceRecord instance);

    void appendEvent(EventRecord event);

    void appendHistory(HistoryRecord change);

    /** Turns the group's updates off and records why (the failure brake). */
    void pauseGroup(long groupId, String reason, Instant at);

    /** The machines holding a reboot slot of the group, longest held first. */
    List<RebootSlots.Holder> rebootHolders(long groupId);

    /** Records {@code machineId} as holding a reboot slot of the group since {@code since}. */
    void addRebootHolder(long groupId, String machineId, Instant since);

    /** Gives back {@code machineId}'s reboot slot of the group; whether it held one. */
    boolean removeRebootHolder(long groupId, String machineId);

    /** A line of the activity log about the group (and {@code machineId}, when not null), made by {@code actor}. */
    void appendActivity(long groupId, String machineId, String kind, String message, String actor, Instant at);
  }
}
