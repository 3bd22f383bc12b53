package dev.cairn.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Decision.Hold;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.OfficeHours;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.UpdatePolicy.Check;
import dev.cairn.omaha.UpdatePolicy.GroupStats;
import dev.cairn.omaha.UpdatePolicy.GroupView;
import dev.cairn.omaha.UpdatePolicy.InstanceView;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The decision table: each case changes a baseline check and names the answer it must get. */
class UpdatePolicyTest {
  static final Instant NOW = Instant.parse("2026-11-18T10:30:00Z");   // a Wednesday

  static Package pkg(String version) {
    return new Package(Version.parse(version), "amd64-usr", "update.gz", 1000, "A".repeat(27) + "=",
        "B".repeat(43) + "=", "https://cairn.example.com/packages/" + version + "/");
  }

  static final Package TARGET = pkg("3510.2.1");
  static final Package FLOOR = pkg("3400.0.0");

  static Policy policy(UnaryOperator<PolicyBuilder> f) {
    return f.apply(new PolicyBuilder()).build();
  }

  /** A mutable stand-in for Policy's many fields, for readable cases. */
  static final class PolicyBuilder {
    boolean enabled = true;
    int max = 5;
    int percent = 100;
    Optional<OfficeHours> hours = Optional.empty();
    int brake = 3;
    int brakePercent = 0;
    Optional<Version> pin = Optional.empty();
    boolean downgrade = false;
    Duration timeout = Duration.ofHours(1);

    Policy build() {
      return new Policy(enabled, max, Duration.ofHours(1), timeout, percent, hours, brake, brakePercent, pin, downgrade);
    }
  }

  static GroupView group(Policy p) {
    return new GroupView("stable", p, Optional.of(TARGET), Optional.empty(), List.of(), Set.of());
  }

  static Check base() {
    return new Check(true, "stable", Optional.of(group(Policy.defaults())), "3400.1.0",
        "0123456789abcdef0123456789abcdef", InstanceView.fresh(), new GroupStats(0, 0), NOW);
  }

  static Check with(Check c, GroupView g) {
    return new Check(c.appKnown(), c.track(), Optional.of(g), c.clientVersion(), c.machineId(), c.instance(), c.stats(), c.now());
  }

  static Check client(String version) {
    Check c = base();
    return new Check(true, c.track(), c.group(), version, c.machineId(), c.instance(), c.stats(), c.now());
  }

  static Check stats(int granted, int failures) {
    Check c = base();
    return new Check(true, c.track(), c.group(), c.clientVersion(), c.machineId(), c.instance(), new GroupStats(granted, failures), c.now());
  }

  static Check instance(InstanceStatus s, String granted, Duration ago) {
    Check c = base();
    return new Check(true, c.track(), c.group(), c.clientVersion(), c.machineId(),
        new InstanceView(s, Optional.ofNullable(granted).map(Version::parse), Optional.of(NOW.minus(ago))), c.stats(), c.now());
  }

  static Check policyCase(UnaryOperator<PolicyBuilder> f) {
    return with(base(), group(policy(f)));
  }

  /** The default policy, with {@code failures} counted of {@code grants} grants of the target at 10 %. */
  static Check share(int failures, int grants) {
    Check c = policyCase(p -> { p.brakePercent = 10; p.max = 0; return p; });
    return new Check(true, c.track(), c.group(), c.clientVersion(), c.machineId(), c.board(), c.instance(),
        new GroupStats(0, failures, grants), c.now());
  }

  static Check addressSpent(Check c) {
    return new Check(c.appKnown(), c.track(), c.group(), c.clientVersion(), c.machineId(), c.board(), c.instance(),
        c.stats(), c.now(), false);
  }

  static Check at(Check c, Instant now) {
    return new Check(c.appKnown(), c.track(), c.group(), c.clientVersion(), c.machineId(), c.instance(), c.stats(), now);
  }

  static Check machine(String id, int percent) {
    Check c = policyCase(p -> { p.percent = percent; return p; });
    return new Check(true, c.track(), c.group(), c.clientVersion(), id, c.instance(), c.stats(), c.now());
  }

  static final OfficeHours WEEKDAYS_9_TO_17_BERLIN = new OfficeHours(
      EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(9, 0), LocalTime.of(17, 0), ZoneId.of("Europe/Berlin"));

  static String machineInBucketBelow(int percent, boolean inside) {
    for (int i = 0; ; i++) {
      String id = String.format("%032x", i);
      if ((UpdatePolicy.bucket(id) < percent) == inside) {
        return id;
      }
    }
  }

  static Stream<Arguments> cases() {
    GroupView withFloor = new GroupView("stable", Policy.defaults(), Optional.of(TARGET), Optional.empty(),
        List.of(FLOOR), Set.of());
    GroupView floorBlacklisted = new GroupView("stable", Policy.defaults(), Optional.of(TARGET), Optional.empty(),
        List.of(FLOOR), Set.of(FLOOR.version()));
    GroupView targetBlacklisted = new GroupView("stable", Policy.defaults(), Optional.of(TARGET), Optional.empty(),
        List.of(), Set.of(TARGET.version()));
    GroupView noPackage = new GroupView("stable", Policy.defaults(), Optional.empty(), Optional.empty(), List.of(), Set.of());
    Package pinned = pkg("3300.0.0");
    GroupView pinnedGroup = new GroupView("stable", policy(p -> { p.pin = Optional.of(pinned.version()); return p; }),
        Optional.of(TARGET), Optional.of(pinned), List.of(), Set.of());
    GroupView pinnedMissing = new GroupView("stable", policy(p -> { p.pin = Optional.of(Version.parse("1.2.3")); return p; }),
        Optional.of(TARGET), Optional.empty(), List.of(), Set.of());
    GroupView pinnedDowngrade = new GroupView("stable", policy(p -> { p.pin = Optional.of(pinned.version()); p.downgrade = true; return p; }),
        Optional.of(TARGET), Optional.of(pinned), List.of(), Set.of());
    Check c = base();
    return Stream.of(
        Arguments.of("unknown app", new Check(false, "stable", c.group(), "1.0.0", c.machineId(), c.instance(), c.stats(), NOW), "unknown-app"),
        Arguments.of("no machine id", new Check(true, "stable", c.group(), "3400.1.0", "", c.instance(), c.stats(), NOW), "hold NO_MACHINE_ID"),
        Arguments.of("blank machine id", new Check(true, "stable", c.group(), "3400.1.0", "  ", c.instance(), c.stats(), NOW), "hold NO_MACHINE_ID"),
        Arguments.of("machine id longer than an instance keeps", new Check(true, "stable", c.group(), "3400.1.0",
            "a".repeat(Store.MAX_TEXT + 1), c.instance(), c.stats(), NOW), "hold MACHINE_ID_TOO_LONG"),
        Arguments.of("unknown group", new Check(true, "nightly", Optional.empty(), "1.0.0", c.machineId(), c.instance(), c.stats(), NOW), "hold UNKNOWN_GROUP"),
        Arguments.of("unparseable client version", client("latest"), "hold UNPARSEABLE_VERSION"),
        Arguments.of("empty client version", client(""), "hold UNPARSEABLE_VERSION"),
        Arguments.of("channel without package", with(base(), noPackage), "hold NO_PACKAGE"),
        Arguments.of("pinned version without package", with(base(), pinnedMissing), "hold NO_PACKAGE"),
        Arguments.of("client older than target", base(), "offer 3510.2.1 new"),
        Arguments.of("client at target", client("3510.2.1"), "hold UP_TO_DATE"),
        Arguments.of("client at target with build metadata", client("3510.2.1+local"), "hold UP_TO_DATE"),
        Arguments.of("client newer than target", client("3600.0.0"), "hold DOWNGRADE_NOT_ALLOWED"),
        Arguments.of("client on a pre-release of the target", client("3510.2.1-rc1"), "offer 3510.2.1 new"),
        Arguments.of("pinned older version, client newer, no downgrade", with(base(), pinnedGroup), "hold DOWNGRADE_NOT_ALLOWED"),
        Arguments.of("pinned older version, downgrade allowed", with(base(), pinnedDowngrade), "offer 3300.0.0 new"),
        Arguments.of("pinned version newer than client", with(client("3200.0.0"), pinnedGroup), "offer 3300.0.0 new"),
        Arguments.of("floor between client and target is offered first", with(client("3300.0.0"), withFloor), "offer 3400.0.0 new"),
        Arguments.of("floor at or below client is skipped", with(client("3400.0.0"), withFloor), "offer 3510.2.1 new"),
        Arguments.of("blacklisted floor is never offered", with(client("3300.0.0"), floorBlacklisted), "hold BLACKLISTED"),
        Arguments.of("blacklisted target is never offered", with(base(), targetBlacklisted), "hold BLACKLISTED"),
        Arguments.of("updates paused", policyCase(p -> { p.enabled = false; return p; }), "hold UPDATES_PAUSED"),
        Arguments.of("failure brake reached", stats(0, 3), "hold FAILURE_BRAKE"),
        Arguments.of("failure brake not yet reached", stats(0, 2), "offer 3510.2.1 new"),
        Arguments.of("failure brake: 3 of 40 grants is under 10 %", share(3, 40), "offer 3510.2.1 new"),
        Arguments.of("failure brake: 4 of 40 grants is 10 %", share(4, 40), "hold FAILURE_BRAKE"),
        Arguments.of("failure brake: 2 of 2 grants is under the minimum count", share(2, 2), "offer 3510.2.1 new"),
        Arguments.of("address has had its grants this period", addressSpent(base()), "hold ADDRESS_LIMITED"),
        Arguments.of("address limit comes after the rollout share", addressSpent(machine("0123456789abcdef0123456789abcdef", 0)), "hold NOT_IN_ROLLOUT"),
        Arguments.of("failure brake off", with(stats(0, 50), group(policy(p -> { p.brake = 0; return p; }))), "offer 3510.2.1 new"),
        Arguments.of("inside office hours", at(policyCase(p -> { p.hours = Optional.of(WEEKDAYS_9_TO_17_BERLIN); return p; }), NOW), "offer 3510.2.1 new"),
        Arguments.of("after office hours", at(policyCase(p -> { p.hours = Optional.of(WEEKDAYS_9_TO_17_BERLIN); return p; }),
            Instant.parse("2026-11-18T16:00:00Z")), "hold OUTSIDE_OFFICE_HOURS"),
        Arguments.of("weekend", at(policyCase(p -> { p.hours = Optional.of(WEEKDAYS_9_TO_17_BERLIN); return p; }),
            Instant.parse("2026-11-21T10:00:00Z")), "hold OUTSIDE_OFFICE_HOURS"),
        Arguments.of("machine inside a 20% rollout", machine(machineInBucketBelow(20, true), 20), "offer 3510.2.1 new"),
        Arguments.of("machine outside a 20% rollout", machine(machineInBucketBelow(20, false), 20), "hold NOT_IN_ROLLOUT"),
        Arguments.of("0% rollout lets nobody in", machine(machineInBucketBelow(1, true), 0), "hold NOT_IN_ROLLOUT"),
        Arguments.of("rate limit reached", stats(10, 0), "hold RATE_LIMITED"),
        Arguments.of("rate limit one below", stats(9, 0), "offer 3510.2.1 new"),
        Arguments.of("no rate limit", with(stats(1000, 0), group(policy(p -> { p.max = 0; return p; }))), "offer 3510.2.1 new"),
        Arguments.of("granted and in flight: same offer, not counted", instance(InstanceStatus.GRANTED, "3510.2.1", Duration.ofMinutes(5)), "offer 3510.2.1 repeat"),
        Arguments.of("in flight even when the limit is reached", new Check(true, "stable", c.group(), "3400.1.0", c.machineId(),
            new InstanceView(InstanceStatus.DOWNLOADING, Optional.of(TARGET.version()), Optional.of(NOW.minusSeconds(60))),
            new GroupStats(10, 0), NOW), "offer 3510.2.1 repeat"),
        Arguments.of("granted but timed out: decided afresh", instance(InstanceStatus.GRANTED, "3510.2.1", Duration.ofHours(2)), "offer 3510.2.1 new"),
        Arguments.of("granted, then the channel moved on", instance(InstanceStatus.GRANTED, "3500.0.0", Duration.ofMinutes(5)), "offer 3510.2.1 new"),
        Arguments.of("grant completed: client runs it", new Check(true, "stable", c.group(), "3510.2.1", c.machineId(),
            new InstanceView(InstanceStatus.INSTALLED, Optional.of(TARGET.version()), Optional.of(NOW.minusSeconds(60))),
            c.stats(), NOW), "hold UP_TO_DATE"),
        Arguments.of("errored update is not in flight", instance(InstanceStatus.ERROR, "3510.2.1", Duration.ofMinutes(5)), "offer 3510.2.1 new"),
        Arguments.of("paused group still serves an in-flight grant", new Check(true, "stable",
            Optional.of(group(policy(p -> { p.enabled = false; return p; }))), "3400.1.0", c.machineId(),
            new InstanceView(InstanceStatus.GRANTED, Optional.of(TARGET.version()), Optional.of(NOW.minusSeconds(60))),
            c.stats(), NOW), "offer 3510.2.1 repeat"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decide(String name, Check check, String expected) {
    Decision d = UpdatePolicy.decide(check);
    String actual;
    if (d instanceof Decision.UnknownApp) {
      actual = "unknown-app";
    } else if (d instanceof Decision.NoUpdate n) {
      actual = "hold " + n.reason();
      assertTrue(!n.detail().isBlank());
    } else {
      Decision.Offer o = assertInstanceOf(Decision.Offer.class, d);
      actual = "offer " + o.pkg().version() + (o.newGrant() ? " new" : " repeat");
    }
    assertEquals(expected, actual);
  }

  // ---- boards: the same versions, each board its own package

  static final Package TARGET_ARM = new Package(TARGET.version(), "arm64-usr", "update.gz", 2000, "C".repeat(27) + "=",
      "D".repeat(43) + "=", "https://cairn.example.com/packages/arm64-usr/3510.2.1/");

  /** Channel at TARGET, both boards have it, amd64-usr the default; {@code more} added, {@code floors} required. */
  static GroupView twoBoards(List<Version> floors, Package... more) {
    List<Package> all = new java.util.ArrayList<>(List.of(TARGET, TARGET_ARM));
    all.addAll(List.of(more));
    return new GroupView("stable", Policy.defaults(), "amd64-usr", Optional.of(TARGET.version()), floors, Set.of(),
        GroupView.byBoard(all));
  }

  static Decision decideFor(String board, GroupView g, String client, InstanceView instance) {
    return UpdatePolicy.decide(new Check(true, "stable", Optional.of(g), client, "0123456789abcdef0123456789abcdef",
        board, instance, new GroupStats(0, 0), NOW));
  }

  static Decision decideFor(String board, GroupView g, String client) {
    return decideFor(board, g, client, InstanceView.fresh());
  }

  @org.junit.jupiter.api.Test
  void eachBoard_isOfferedItsOwnPackageOfTheTarget() {
    assertEquals(new Decision.Offer(TARGET_ARM, true), decideFor("arm64-usr", twoBoards(List.of()), "3400.1.0"));
    assertEquals(new Decision.Offer(TARGET, true), decideFor("amd64-usr", twoBoards(List.of()), "3400.1.0"));
  }

  @org.junit.jupiter.api.Test
  void noBoard_isServedTheDefaultBoard() {
    GroupView armDefault = new GroupView("stable", Policy.defaults(), "arm64-usr", Optional.of(TARGET.version()),
        List.of(), Set.of(), GroupView.byBoard(List.of(TARGET, TARGET_ARM)));
    assertEquals(new Decision.Offer(TARGET_ARM, true), decideFor("", armDefault, "3400.1.0"));
  }

  @org.junit.jupiter.api.Test
  void boardWithoutAPackageOfTheTarget_isHeld_namingTheBoardsThatHaveOne() {
    assertEquals(new Decision.NoUpdate(Hold.NO_PACKAGE_FOR_BOARD,
        "version 3510.2.1 has no package for board riscv-usr (only for amd64-usr, arm64-usr)"),
        decideFor("riscv-usr", twoBoards(List.of()), "3400.1.0"));
  }

  @org.junit.jupiter.api.Test
  void pinnedVersionWithAPackageForAnotherBoardOnly_isHeldForThisBoard() {
    Package pinnedArm = new Package(Version.parse("3300.0.0"), "arm64-usr", "update.gz", 2000, "C".repeat(27) + "=",
        "D".repeat(43) + "=", "https://cairn.example.com/packages/arm64-usr/3300.0.0/");
    GroupView g = new GroupView("stable", policy(p -> { p.pin = Optional.of(pinnedArm.version()); return p; }),
        "amd64-usr", Optional.of(TARGET.version()), List.of(), Set.of(), GroupView.byBoard(List.of(TARGET, TARGET_ARM,
            pinnedArm)));
    assertEquals(new Decision.Offer(pinnedArm, true), decideFor("arm64-usr", g, "3200.0.0"));
    Decision amd = decideFor("amd64-usr", g, "3200.0.0");
    assertEquals(Hold.NO_PACKAGE_FOR_BOARD, ((Decision.NoUpdate) amd).reason());
    assertTrue(((Decision.NoUpdate) amd).detail().startsWith("pinned version 3300.0.0 has no package for board amd64-usr"));
  }

  @org.junit.jupiter.api.Test
  void floorWithoutAPackageForTheBoard_holdsTheMachine_ratherThanSkippingTheRequiredStop() {
    GroupView g = twoBoards(List.of(FLOOR.version()), FLOOR);   // the floor exists for amd64-usr only
    assertEquals(new Decision.Offer(FLOOR, true), decideFor("amd64-usr", g, "3300.0.0"));
    assertEquals(new Decision.NoUpdate(Hold.NO_PACKAGE_FOR_BOARD,
        "floor 3400.0.0, a required stop before 3510.2.1, has no package for board arm64-usr"),
        decideFor("arm64-usr", g, "3300.0.0"));
    // a machine past the floor does not need it
    assertEquals(new Decision.Offer(TARGET_ARM, true), decideFor("arm64-usr", g, "3400.1.0"));
  }

  @org.junit.jupiter.api.Test
  void grantInFlight_isOfferedAgainAsTheMachinesBoardsPackage() {
    InstanceView granted = new InstanceView(InstanceStatus.DOWNLOADING, Optional.of(TARGET.version()),
        Optional.of(NOW.minusSeconds(60)));
    assertEquals(new Decision.Offer(TARGET_ARM, false), decideFor("arm64-usr", twoBoards(List.of()), "3400.1.0",
        granted));
  }

  @ParameterizedTest(name = "event {0}/{1} from {2}")
  @org.junit.jupiter.params.provider.CsvSource({
    "13, 1, GRANTED, DOWNLOADING", "14, 1, DOWNLOADING, DOWNLOADED", "3, 1, DOWNLOADED, INSTALLED",
    "800, 1, DOWNLOADED, INSTALLED", "3, 2, INSTALLED, COMPLETE", "3, 0, DOWNLOADING, ERROR",
    "13, 0, GRANTED, ERROR", "3, 9, DOWNLOADED, DOWNLOADED", "99, 1, GRANTED, GRANTED"})
  void events_driveTheInstanceStatus(int type, int result, InstanceStatus from, InstanceStatus to) {
    assertEquals(to, UpdatePolicy.afterEvent(from, type, result));
  }

  @org.junit.jupiter.api.Test
  void errorCodes_splitFlagBitsFromTheCode() {
    assertEquals(34, UpdatePolicy.baseErrorCode(268435490L));
    assertEquals(1, UpdatePolicy.errorFlags(268435490L));
    assertEquals(44, UpdatePolicy.baseErrorCode(44));
    assertEquals(0, UpdatePolicy.errorFlags(44));
    assertEquals(0xF, UpdatePolicy.errorFlags(0xF0000001L));
  }
}
