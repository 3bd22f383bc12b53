package dev.cairn.omaha;

import dev.cairn.omaha.Decision.Hold;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.OfficeHours;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Model.Policy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The update decision for one app in one check, as a pure function of what the store read inside
 * the check's transaction. The order of the rules is docs/adr/002-update-decision-order.md.
 */
public final class UpdatePolicy {
  private UpdatePolicy() {}

  /**
   * A group as the decision sees it: its policy, the version its channel serves, the channel's
   * floors (versions) and blacklist, and the packages of those versions and of the pinned one,
   * per board then version. A machine is offered a version's package for its own board;
   * {@code defaultBoard} (the app's) stands for machines that send no board.
   */
  public record GroupView(String name, Policy policy, String defaultBoard, Optional<Version> channelVersion,
      List<Version> floors, Set<Version> blacklist, Map<String, Map<Version, Package>> packages) {
    public GroupView {
      floors = floors.stream().distinct().sorted().toList();
      blacklist = Set.copyOf(blacklist);
      Map<String, Map<Version, Package>> copy = new HashMap<>();
      packages.forEach((board, byVersion) -> copy.put(board, Map.copyOf(byVersion)));
      packages = Map.copyOf(copy);
    }

    /**
     * The view of one board's packages, as the decision table writes it: the channel's package,
     * the pinned version's (if it has one), the floors'. The default board is theirs.
     */
    public GroupView(String name, Policy policy, Optional<Package> channelPackage, Optional<Package> pinnedPackage,
        List<Package> floors, Set<Version> blacklist) {
      this(name, policy, Stream.of(channelPackage.stream(), pinnedPackage.stream(), floors.stream()).flatMap(x -> x)
          .map(Package::board).findFirst().orElse("amd64-usr"), channelPackage.map(Package::version),
          floors.stream().map(Package::version).toList(), blacklist, byBoard(Stream.of(channelPackage.stream(),
              pinnedPackage.stream(), floors.stream()).flatMap(x -> x).toList()));
    }

    /** {@code packages} by board, then version. */
    public static Map<String, Map<Version, Package>> byBoard(List<Package> packages) {
      Map<String, Map<Version, Package>> out = new HashMap<>();
      for (Package p : packages) {
        out.computeIfAbsent(p.board(), b -> new HashMap<>()).put(p.version(), p);
      }
      return out;
    }

    /** The package of {@code version} for {@code board}, if there is one. */
    public Optional<Package> pkg(String board, Version version) {
      Map<Version, Package> mine = packages.get(board);
      return mine == null ? Optional.empty() : Optional.ofNullable(mine.get(version));
    }

    /** The boards that have a package of {@code version}, by name. */
    public List<String> boardsWith(Version version) {
      return packages.entrySet().stream().filter(e -> e.getValue().containsKey(version)).map(Map.Entry::getKey)
          .sorted().toList();
    }
  }

  /** What is known of the machine from earlier checks. */
  public record InstanceView(InstanceStatus status, Optional<Version> grantedVersion, Optional<Instant> grantedAt) {
    public static InstanceView fresh() {
      return new InstanceView(InstanceStatus.UNDEFINED, Optional.empty(), Optional.empty());
    }
  }

  /**
   * Counts over the group, read in the same transaction as the grant. {@code failuresOfTarget}
   * are the counted failures to the target since the group was last resumed (see
   * docs/update-server.md, "What a hostile client can do"), {@code grantsOfTarget} the machines
   * granted the target since then; the store may leave the latter 0 while the failures are under
   * the brake's minimum, where it decides nothing.
   */
  public record GroupStats(int grantedInPeriod, int failuresOfTarget, int grantsOfTarget) {
    public GroupStats(int grantedInPeriod, int failuresOfTarget) {
      this(grantedInPeriod, failuresOfTarget, 0);
    }
  }

  /**
   * Everything one decision needs. {@code group} is empty when the track names no group.
   * {@code board} is the board the machine sent; empty for the app's default board.
   * {@code stats} is asked only when a rule needs the counts (failure brake, rate limit), so a
   * check that ends earlier (up to date, no package) costs no count.
   */
  public record Check(boolean appKnown, String track, Optional<GroupView> group, String clientVersion,
      String machineId, String board, InstanceView instance, java.util.function.Supplier<GroupStats> stats,
      Instant now, boolean addressMayGrant) {
    public Check(boolean appKnown, String track, Optional<GroupView> group, String clientVersion,
        String machineId, String board, InstanceView instance, java.util.function.Supplier<GroupStats> stats,
        Instant now) {
      this(appKnown, track, group, clientVersion, machineId, board, instance, stats, now, true);
    }

    public Check(boolean appKnown, String track, Optional<GroupView> group, String clientVersion,
        String machineId, String board, InstanceView instance, GroupStats stats, Instant now) {
      this(appKnown, track, group, clientVersion, machineId, board, instance, () -> stats, now, true);
    }

    /** A machine that sends no board. */
    public Check(boolean appKnown, String track, Optional<GroupView> group, String clientVersion,
        String machineId, InstanceView instance, java.util.function.Supplier<GroupStats> stats, Instant now) {
      this(appKnown, track, group, clientVersion, machineId, "", instance, stats, now, true);
    }

    /** A machine that sends no board. */
    public Check(boolean appKnown, String track, Optional<GroupView> group, String clientVersion,
        String machineId, InstanceView instance, GroupStats stats, Instant now) {
      this(appKnown, track, group, clientVersion, machineId, "", instance, () -> stats, now, true);
    }
  }

  public static Decision decide(Check c) {
    if (!c.appKnown()) {
      return new Decision.UnknownApp();
    }
    Optional<Decision.NoUpdate> anonymous = machineIdHold(c.machineId());
    if (anonymous.isPresent()) {
      return anonymous.get();
    }
    if (c.group().isEmpty()) {
      return hold(Hold.UNKNOWN_GROUP, "no group named '" + c.track() + "' (the machine's GROUP= in update.conf)");
    }
    GroupView g = c.group().get();
    Policy p = g.policy();
    Version client = Version.tryParse(c.clientVersion());
    if (client == null) {
      return hold(Hold.UNPARSEABLE_VERSION, "client version '" + c.clientVersion() + "' is not a version");
    }
    Optional<Version> targetVersion = p.pinnedVersion().isPresent() ? p.pinnedVersion() : g.channelVersion();
    if (targetVersion.isEmpty()) {
      return hold(Hold.NO_PACKAGE, "the group's channel points at no package");
    }
    String board = c.board().isEmpty() ? g.defaultBoard() : c.board();
    Optional<Package> target = g.pkg(board, targetVersion.get());
    if (target.isEmpty()) {
      String what = (p.pinnedVersion().isPresent() ? "pinned version " : "version ") + targetVersion.get();
      List<String> boards = g.boardsWith(targetVersion.get());
      return boards.isEmpty() ? hold(Hold.NO_PACKAGE, what + " has no package")
          : hold(Hold.NO_PACKAGE_FOR_BOARD, what + " has no package for board " + board + " (only for "
              + String.join(", ", boards) + ")");
    }
    Package goal = target.get();

    Optional<Package> inFlight = inFlight(c, g, board, client, goal);
    if (inFlight.isPresent()) {
      return new Decision.Offer(inFlight.get(), false);
    }

    int cmp = client.compareTo(goal.version());
    if (cmp == 0) {
      return hold(Hold.UP_TO_DATE, "client runs " + client + ", the target");
    }
    if (cmp > 0 && !p.allowDowngrade()) {
      return hold(Hold.DOWNGRADE_NOT_ALLOWED, "client runs " + client + ", newer than the target "
          + goal.version() + ", and the group does not allow downgrades");
    }
    Package next = goal;
    if (cmp < 0) {
      for (Version f : g.floors()) {
        if (f.compareTo(client) > 0 && f.compareTo(goal.version()) < 0) {
          Optional<Package> stop = g.pkg(board, f);
          if (stop.isEmpty()) {
            // a required stop cannot be skipped: the machine waits until its board has one
            return hold(Hold.NO_PACKAGE_FOR_BOARD, "floor " + f + ", a required stop before " + goal.version()
                + ", has no package for board " + board);
          }
          next = stop.get();
          break;
        }
      }
    }
    if (g.blacklist().contains(next.version())) {
      return hold(Hold.BLACKLISTED, "version " + next.version() + " is blacklisted");
    }
    if (!p.updatesEnabled()) {
      return hold(Hold.UPDATES_PAUSED, "updates are paused for group " + g.name());
    }
    GroupStats stats = p.failureBrake() > 0 || p.maxUpdatesPerPeriod() > 0 ? c.stats().get() : new GroupStats(0, 0);
    if (braked(p, stats)) {
      return hold(Hold.FAILURE_BRAKE, stats.failuresOfTarget() + " failed updates to " + goal.version()
          + " in group " + g.name() + (p.failurePercent() == 0 ? " (brake at " + p.failureBrake() + ")"
          : " of " + stats.grantsOfTarget() + " granted (brake at " + p.failureBrake() + " and "
          + p.failurePercent() + "%)"));
    }
    if (p.officeHours().isPresent() && !within(p.officeHours().get(), c.now())) {
      return hold(Hold.OUTSIDE_OFFICE_HOURS, "outside the group's office hours");
    }
    if (p.rolloutPercent() < 100 && bucket(c.machineId()) >= p.rolloutPercent()) {
      return hold(Hold.NOT_IN_ROLLOUT, "machine is outside the " + p.rolloutPercent() + "% rollout");
    }
    if (!c.addressMayGrant()) {
      return hold(Hold.ADDRESS_LIMITED, "the machine's address was granted its most updates for this period");
    }
    if (p.maxUpdatesPerPeriod() > 0 && stats.grantedInPeriod() >= p.maxUpdatesPerPeriod()) {
      return hold(Hold.RATE_LIMITED, stats.grantedInPeriod() + " updates granted in the last "
          + p.period() + " (limit " + p.maxUpdatesPerPeriod() + ")");
    }
    return new Decision.Offer(next, true);
  }

  /**
   * The failure brake: at least {@code failureBrake} counted failures to the target, and at least
   * {@code failurePercent} of the machines granted it.
   */
  static boolean braked(Policy p, GroupStats s) {
    if (p.failureBrake() == 0 || s.failuresOfTarget() < p.failureBrake()) {
      return false;
    }
    return (long) s.failuresOfTarget() * 100 >= (long) p.failurePercent() * s.grantsOfTarget();
  }

  /**
   * The hold for a machine id no instance can be kept under: none or blank (update_engine always
   * sends one), or longer than {@link Store#MAX_TEXT}, which cutting could make another machine's.
   * Such a check is answered and never stored.
   */
  public static Optional<Decision.NoUpdate> machineIdHold(String machineId) {
    if (machineId == null || machineId.isBlank()) {
      return Optional.of(new Decision.NoUpdate(Hold.NO_MACHINE_ID, "the check names no machine (no machineid)"));
    }
    if (machineId.length() > Store.MAX_TEXT) {
      return Optional.of(new Decision.NoUpdate(Hold.MACHINE_ID_TOO_LONG, "machine id of " + machineId.length()
          + " characters, longer than the " + Store.MAX_TEXT + " kept"));
    }
    return Optional.empty();
  }

  /** The package of a grant still in flight (granted, not finished, not timed out, not yet running). */
  private static Optional<Package> inFlight(Check c, GroupView g, String board, Version client, Package goal) {
    InstanceView i = c.instance();
    boolean active = i.status().inFlight();
    if (!active || i.grantedVersion().isEmpty() || i.grantedAt().isEmpty()) {
      return Optional.empty();
    }
    if (!i.grantedAt().get().plus(g.policy().updateTimeout()).isAfter(c.now())) {
      return Optional.empty();
    }
    Version granted = i.grantedVersion().get();
    if (client.compareTo(granted) >= 0) {
      return Optional.empty();
    }
    if (goal.version().equals(granted)) {
      return Optional.of(goal);
    }
    return g.floors().contains(granted) ? g.pkg(board, granted) : Optional.empty();
  }

  static boolean within(OfficeHours h, Instant now) {
    ZonedDateTime t = now.atZone(h.zone());
    return h.days().contains(t.getDayOfWeek()) && !t.toLocalTime().isBefore(h.start())
        && t.toLocalTime().isBefore(h.end());
  }

  /** 0-99, the same for a machine id every time: the first four bytes of its SHA-256. */
  public static int bucket(String machineId) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(machineId.getBytes(StandardCharsets.UTF_8));
      long v = ((d[0] & 0xFFL) << 24) | ((d[1] & 0xFFL) << 16) | ((d[2] & 0xFFL) << 8) | (d[3] & 0xFFL);
      return (int) (v % 100);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Decision hold(Hold h, String detail) {
    return new Decision.NoUpdate(h, detail);
  }

  /** The status an event moves an instance to: 13/1, 14/1, 3/1 and 800/1, 3/2, result 0. */
  public static InstanceStatus afterEvent(InstanceStatus current, int type, int result) {
    if (result == 0) {
      return InstanceStatus.ERROR;
    }
    if (type == 13 && result == 1) {
      return InstanceStatus.DOWNLOADING;
    }
    if (type == 14 && result == 1) {
      return InstanceStatus.DOWNLOADED;
    }
    if ((type == 3 || type == 800) && result == 1) {
      return InstanceStatus.INSTALLED;
    }
    if (type == 3 && result == 2) {
      return InstanceStatus.COMPLETE;
    }
    return current;
  }

  /** The error code without update_engine's flag bits 28-31. */
  public static int baseErrorCode(long errorCode) {
    return (int) (errorCode & 0x0FFFFFFFL);
  }

  /** update_engine's flag bits 28-31, shifted down: 1 non-production URL, 2 test image, 4 resumed, 8 dev mode. */
  public static int errorFlags(long errorCode) {
    return (int) ((errorCode >>> 28) & 0xF);
  }
}
