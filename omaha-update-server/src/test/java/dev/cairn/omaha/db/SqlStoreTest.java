package dev.cairn.omaha.db;

import static dev.cairn.omaha.db.Fixtures.instance;
import static dev.cairn.omaha.db.Fixtures.pkg;
import static dev.cairn.omaha.db.SqlStoreMigrationTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Decision;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.OfficeHours;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.Store.EventRecord;
import dev.cairn.omaha.Store.GroupRecord;
import dev.cairn.omaha.Store.HistoryRecord;
import dev.cairn.omaha.Store.InstanceRecord;
import dev.cairn.omaha.UpdatePolicy;
import dev.cairn.omaha.UpdatePolicy.GroupStats;
import dev.cairn.omaha.Version;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against a real SQLite file: seeding, assembly of groups, records, stats and transactions. */
class SqlStoreTest {
  static final String APP = Model.COREOS_APP_ID;
  static final Instant NOW = Instant.parse("2026-11-18T10:30:00.123Z");

  @TempDir
  Path dir;
  Path db;
  SqlStore store;

  @BeforeEach
  void open() throws Exception {
    db = dir.resolve("omaha.db");
    store = TestDatabase.open(db, Clock.fixed(NOW, ZoneOffset.UTC));
    store.seedDefaults();
  }

  @AfterEach
  void close() {
    store.close();
  }

  boolean appExists(String appId) {
    return store.transaction(tx -> tx.appExists(appId));
  }

  GroupRecord group(String name) {
    return store.transaction(tx -> tx.group(APP, name)).orElseThrow();
  }

  static Policy everyFieldSet() {
    return new Policy(false, 7, Duration.ofHours(2), Duration.ofMinutes(45), 37,
        Optional.of(new OfficeHours(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY),
            LocalTime.of(8, 30), LocalTime.of(17, 15), ZoneId.of("Europe/Berlin"))),
        4, Optional.of(Version.parse("3500.0.0")), true);
  }

  // ---- seeding ----

  @Test
  void seedDefaults_createsTheCoreOsApp_threeChannels_andAGroupFollowingEach() {
    assertTrue(appExists(APP));
    for (String name : List.of("alpha", "beta", "stable")) {
      GroupRecord g = group(name);
      assertEquals(APP, g.appId());
      assertEquals(name, g.name());
      assertEquals(name, g.channel());
      assertEquals(Policy.defaults(), g.policy());
      assertEquals(Optional.empty(), g.channelPackage());
      assertEquals(Optional.empty(), g.pinnedPackage());
      assertEquals(List.of(), g.floors());
      assertEquals(List.of(), g.blacklist());
    }
    assertFalse(appExists("{00000000-0000-0000-0000-000000000000}"));
    assertEquals(Optional.empty(), store.transaction(tx -> tx.group(APP, "edge")));
  }

  @Test
  void seedDefaults_again_changesNothingThatExists() throws Exception {
    store.createPackage(APP, pkg("3510.2.1"));
    store.setChannelPackage(APP, "stable", Version.parse("3510.2.1"));
    store.upsertGroup(APP, "stable", "beta", everyFieldSet());
    List<String> before = List.of(query(db, "select * from app").toString(), query(db, "select * from channel").toString(),
        query(db, "select * from grp").toString(), query(db, "select * from package").toString());

    store.seedDefaults();
    store.seedDefaults();

    List<String> after = List.of(query(db, "select * from app").toString(), query(db, "select * from channel").toString(),
        query(db, "select * from grp").toString(), query(db, "select * from package").toString());
    assertEquals(before, after);
    assertEquals("beta", group("stable").channel());
    assertEquals(everyFieldSet(), group("stable").policy());
  }

  // ---- groups ----

  @Test
  void groupRecord_roundTripsEveryPolicyField_withChannelPinnedFloorsAndBlacklist() {
    store.createPackage(APP, pkg("3510.2.1"));
    store.createPackage(APP, pkg("3500.0.0"));
    store.createPackage(APP, pkg("3500.0.0", "arm64-usr"));
    store.createPackage(APP, pkg("3400.0.0"));
    store.createPackage(APP, pkg("3300.0.0"));
    store.setChannelPackage(APP, "stable", Version.parse("3510.2.1"));
    store.addFloor(APP, "stable", Version.parse("3400.0.0"), "moves /usr/share/oem");
    store.addFloor(APP, "stable", Version.parse("3300.0.0"), "new partition table");
    store.addBlacklist(APP, "stable", Version.parse("3500.1.0"));
    store.addBlacklist(APP, "stable", Version.parse("3450.0.0"));
    store.addBlacklist(APP, "stable", Version.parse("3450.0.0"));
    long id = store.upsertGroup(APP, "canary", "stable", everyFieldSet());

    GroupRecord g = store.transaction(tx -> tx.group(APP, "canary")).orElseThrow();

    assertEquals(id, g.id());
    assertEquals(APP, g.appId());
    assertEquals("canary", g.name());
    assertEquals("stable", g.channel());
    assertEquals(everyFieldSet(), g.policy());
    Policy p = g.policy();
    assertFalse(p.updatesEnabled());
    assertEquals(7, p.maxUpdatesPerPeriod());
    assertEquals(Duration.ofHours(2), p.period());
    assertEquals(Duration.ofMinutes(45), p.updateTimeout());
    assertEquals(37, p.rolloutPercent());
    assertEquals(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY, DayOfWeek.FRIDAY), p.officeHours().get().days());
    assertEquals(LocalTime.of(8, 30), p.officeHours().get().start());
    assertEquals(LocalTime.of(17, 15), p.officeHours().get().end());
    assertEquals(ZoneId.of("Europe/Berlin"), p.officeHours().get().zone());
    assertEquals(4, p.failureBrake());
    assertEquals(Optional.of(Version.parse("3500.0.0")), p.pinnedVersion());
    assertTrue(p.allowDowngrade());
    assertEquals(Optional.of(pkg("3510.2.1")), g.channelPackage());
    assertEquals(Optional.of(pkg("3500.0.0")), g.pinnedPackage());   // the app's board, not arm64-usr
    assertEquals(List.of(pkg("3300.0.0"), pkg("3400.0.0")), g.floors());
    assertEquals(List.of(Version.parse("3450.0.0"), Version.parse("3500.1.0")), g.blacklist());
    assertEquals(Optional.of(g), store.group(APP, "canary"));
    assertEquals(List.of("MON,WED,FRI|08:30|17:15|Europe/Berlin"), queryUnchecked(
        "select office_hours_days, office_hours_start, office_hours_end, office_hours_zone from grp where id = " + id));
  }

  @Test
  void pinnedVersionWithoutPackage_hasNoPinnedPackage() {
    store.upsertGroup(APP, "stable", "stable", everyFieldSet());
    GroupRecord g = group("stable");
    assertEquals(Optional.of(Version.parse("3500.0.0")), g.policy().pinnedVersion());
    assertEquals(Optional.empty(), g.pinnedPackage());
  }

  @Test
  void upsertGroup_again_updatesInPlace_andTurningUpdatesOnClearsThePause() {
    long id = group("beta").id();
    store.transaction(tx -> {
      tx.pauseGroup(id, "3 failed updates to 3510.2.1", NOW);
      return null;
    });
    assertEquals(id, store.upsertGroup(APP, "beta", "alpha", everyFieldSet()));
    assertEquals("alpha", group("beta").channel());
    assertEquals(Optional.of("3 failed updates to 3510.2.1"), store.pause(APP, "beta").orElseThrow().reason());

    assertEquals(id, store.upsertGroup(APP, "beta", "beta", Policy.defaults()));
    assertEquals(Policy.defaults(), group("beta").policy());
    assertEquals(Optional.empty(), store.pause(APP, "beta"));
  }

  @Test
  void adminInput_isCheckedBeforeAnythingIsWritten() {
    store.createPackage(APP, pkg("3510.2.1"));
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> store.createPackage(APP, pkg("3510.2.1")));
    assertTrue(dup.getMessage().contains("3510.2.1"), dup.getMessage());
    assertThrows(IllegalArgumentException.class, () -> store.setChannelPackage(APP, "stable", Version.parse("1.2.3")));
    assertThrows(IllegalArgumentException.class, () -> store.setChannelPackage(APP, "edge", Version.parse("3510.2.1")));
    assertThrows(IllegalArgumentException.class, () -> store.createChannel(APP, "stable"));
    assertThrows(IllegalArgumentException.class, () -> store.createPackage("{nope}", pkg("1.0.0")));
    assertThrows(IllegalArgumentException.class, () -> store.upsertGroup(APP, "x", "stable",
        new Policy(true, 1, Duration.ofMillis(1500), Duration.ofHours(1), 100, Optional.empty(), 0, Optional.empty(),
            false)));
    assertThrows(IllegalArgumentException.class, () -> store.createApp(APP, "CoreOS", "amd64-usr"));
    assertEquals(List.of("1"), queryUnchecked("select count(*) from package"));
    assertEquals(Optional.empty(), group("stable").channelPackage());
  }

  @Test
  void secondApp_hasItsOwnChannelsGroupsAndPackages() {
    String other = "{11111111-2222-3333-4444-555555555555}";
    store.createApp(other, "OEM tools", "amd64-usr");
    store.createChannel(other, "stable");
    store.createPackage(other, pkg("1.0.0"));
    store.setChannelPackage(other, "stable", Version.parse("1.0.0"));
    store.upsertGroup(other, "stable", "stable", Policy.defaults());
    assertEquals(Optional.of(pkg("1.0.0")), store.transaction(tx -> tx.group(other, "stable")).orElseThrow()
        .channelPackage());
    assertEquals(Optional.empty(), group("stable").channelPackage());
    // another app's package cannot be put on this app's channel
    assertThrows(IllegalArgumentException.class, () -> store.setChannelPackage(APP, "stable", Version.parse("1.0.0")));
  }

  // ---- instances, events, history, activity ----

  @Test
  void instance_roundTripsEveryField_andSavingAgainReplacesIt() {
    InstanceRecord full = new InstanceRecord(APP, "m-1", "stable", "3400.1.0", "boot-1", "ami", "2024.1", "1235.0.0",
        "web-3", "10.0.0.7", InstanceStatus.GRANTED, Optional.of(Version.parse("3510.2.1")), Optional.of(NOW),
        Optional.of(NOW.plusMillis(5)), "RATE_LIMITED", 37, 9);
    InstanceRecord bare = new InstanceRecord(APP, "m-1", "beta", "not-a-version", null, null, null, null, null, null,
        InstanceStatus.UNDEFINED, Optional.empty(), Optional.empty(), Optional.empty(), null, 0, 0);

    store.transaction(tx -> {
      tx.saveInstance(full);
      return null;
    });
    assertEquals(Optional.of(full), store.transaction(tx -> tx.instance(APP, "m-1")));
    store.transaction(tx -> {
      tx.saveInstance(bare);
      return null;
    });
    assertEquals(Optional.of(bare), store.transaction(tx -> tx.instance(APP, "m-1")));
    assertEquals(Optional.empty(), store.transaction(tx -> tx.instance(APP, "m-2")));
  }

  @Test
  void listInstances_filtersByTrack_newestCheckFirst_upToTheLimit() {
    store.transaction(tx -> {
      for (int i = 0; i < 5; i++) {
        tx.saveInstance(instance(APP, "s-" + i, "stable", "3400.1.0", InstanceStatus.UNDEFINED, Optional.empty(),
            Optional.empty(), NOW.plusSeconds(i)));
      }
      tx.saveInstance(instance(APP, "b-0", "beta", "3400.1.0", InstanceStatus.UNDEFINED, Optional.empty(),
          Optional.empty(), NOW.plusSeconds(60)));
      return null;
    });
    assertEquals(List.of("s-4", "s-3", "s-2"),
        store.listInstances(APP, "stable", 3).stream().map(InstanceRecord::machineId).toList());
    assertEquals(List.of("b-0", "s-4"), store.listInstances(APP, null, 2).stream().map(InstanceRecord::machineId).toList());
    assertEquals(List.of(), store.listInstances(APP, "edge", 10));
  }

  @Test
  void eventsAndHistory_roundTrip_inOrder() {
    List<EventRecord> events = List.of(
        new EventRecord(APP, "m-1", NOW, 13, 1, 0, 0, "3400.1.0", "3510.2.1"),
        new EventRecord(APP, "m-1", NOW.plusSeconds(1), 3, 0, 37, 9, "", "3510.2.1"),
        new EventRecord(APP, "m-1", NOW.plusSeconds(2), 3, 2, 0, 0, null, "3510.2.1"),
        new EventRecord(APP, "m-2", NOW.plusSeconds(3), 14, 1, 0, 0, "3400.1.0", "3510.2.1"));
    List<HistoryRecord> history = List.of(
        new HistoryRecord(APP, "m-1", NOW, null, InstanceStatus.UNDEFINED, "3400.1.0", "first check"),
        new HistoryRecord(APP, "m-1", NOW.plusSeconds(1), InstanceStatus.UNDEFINED, InstanceStatus.GRANTED, "3510.2.1",
            "offered 3510.2.1"),
        new HistoryRecord(APP, "m-1", NOW.plusSeconds(2), InstanceStatus.GRANTED, InstanceStatus.ERROR, "3510.2.1",
            "error 37"));
    store.transaction(tx -> {
      events.forEach(tx::appendEvent);
      history.forEach(tx::appendHistory);
      return null;
    });
    assertEquals(events.subList(0, 3), store.events(APP, "m-1"));
    assertEquals(events.subList(3, 4), store.events(APP, "m-2"));
    assertEquals(history, store.instanceHistory(APP, "m-1"));
    assertEquals(List.of(), store.instanceHistory(APP, "m-2"));
  }

  @Test
  void eventVersions_areStoredInTheirNormalForm() {
    store.transaction(tx -> {
      tx.appendEvent(new EventRecord(APP, "m-1", NOW, 3, 0, 7, 0, "3400.1.0.0", "3510.2.1.0"));
      tx.appendEvent(new EventRecord(APP, "m-1", NOW, 3, 0, 7, 0, "0.0.0.0", "some build"));
      return null;
    });
    List<EventRecord> e = store.events(APP, "m-1");
    assertEquals("3400.1.0", e.get(0).previousVersion());
    assertEquals("3510.2.1", e.get(0).version());
    assertEquals("0.0.0", e.get(1).previousVersion());
    assertEquals("some build", e.get(1).version());
  }

  @Test
  void pauseGroup_isVisibleInTheNextGroupRecord_andInTheActivityLog() {
    store.createPackage(APP, pkg("3510.2.1"));
    store.setChannelPackage(APP, "stable", Version.parse("3510.2.1"));
    long id = group("stable").id();
    Instant at = NOW.plusSeconds(30);

    store.transaction(tx -> {
      tx.pauseGroup(id, "3 failed updates to 3510.2.1 in group stable (brake at 3)", at);
      return null;
    });

    GroupRecord g = group("stable");
    assertFalse(g.policy().updatesEnabled());
    assertEquals(new SqlStore.Pause(Optional.of("3 failed updates to 3510.2.1 in group stable (brake at 3)"),
        Optional.of(at)), store.pause(APP, "stable").orElseThrow());
    SqlStore.Activity last = store.activity(1).get(0);
    assertEquals(SqlStore.GROUP_PAUSED, last.kind());
    assertEquals(at, last.at());
    assertEquals(APP, last.appId());
    assertEquals(Optional.of(id), last.groupId());
    assertEquals(Optional.empty(), last.machineId());
    assertEquals("3 failed updates to 3510.2.1 in group stable (brake at 3)", last.message());
    Decision d = UpdatePolicy.decide(new UpdatePolicy.Check(true, "stable", Optional.of(Fixtures.view(g)), "3400.1.0",
        "m-1", UpdatePolicy.InstanceView.fresh(), new GroupStats(0, 0), NOW));
    assertEquals(new Decision.NoUpdate(Decision.Hold.UPDATES_PAUSED, "updates are paused for group stable"), d);
  }

  @Test
  void activity_listsAdminChanges_newestFirst() {
    store.createPackage(APP, pkg("3510.2.1"));
    store.setChannelPackage(APP, "stable", Version.parse("3510.2.1"));
    store.upsertGroup(APP, "canary", "stable", Policy.defaults());
    List<SqlStore.Activity> log = store.activity(10);
    assertEquals(List.of(SqlStore.GROUP_POLICY, SqlStore.CHANNEL_PACKAGE, SqlStore.PACKAGE_CREATED),
        log.stream().map(SqlStore.Activity::kind).toList());
    assertEquals("channel stable now serves 3510.2.1", log.get(1).message());
    assertEquals(Optional.of(group("canary").id()), log.get(0).groupId());
    assertEquals(Optional.empty(), log.get(1).groupId());
    assertTrue(log.stream().allMatch(a -> a.at().equals(NOW) && a.appId().equals(APP)));
    assertEquals(2, store.activity(2).size());
  }

  // ---- stats ----

  @Test
  void stats_countGrantsOfTheGroupSince_andFailedUpdatesToTheTargetByItsMachines() {
    String other = "{11111111-2222-3333-4444-555555555555}";
    store.createApp(other, "OEM tools", "amd64-usr");
    Version target = Version.parse("3510.2.1");
    Instant since = NOW.minus(Duration.ofHours(1));
    store.transaction(tx -> {
      // grants: two in the period, one before it, one in another group, one of another app, one never granted
      tx.saveInstance(instance(APP, "g-1", "stable", "3400.1.0", InstanceStatus.GRANTED, Optional.of(target),
          Optional.of(since), NOW));
      tx.saveInstance(instance(APP, "g-2", "stable", "3400.1.0", InstanceStatus.ERROR, Optional.of(target),
          Optional.of(NOW), NOW));
      tx.saveInstance(instance(APP, "g-3", "stable", "3400.1.0", InstanceStatus.COMPLETE, Optional.of(target),
          Optional.of(since.minusMillis(1)), NOW));
      tx.saveInstance(instance(APP, "b-1", "beta", "3400.1.0", InstanceStatus.GRANTED, Optional.of(target),
          Optional.of(NOW), NOW));
      tx.saveInstance(instance(other, "g-1", "stable", "0.9.0", InstanceStatus.GRANTED, Optional.of(target),
          Optional.of(NOW), NOW));
      tx.saveInstance(instance(APP, "n-1", "stable", "3400.1.0", InstanceStatus.UNDEFINED, Optional.empty(),
          Optional.empty(), NOW));
      // failures: g-2 twice and g-3 once count; a success, another version, a beta machine, another
      // app and a machine with no instance do not
      tx.appendEvent(new EventRecord(APP, "g-2", NOW, 3, 0, 37, 0, "3400.1.0", "3510.2.1"));
      tx.appendEvent(new EventRecord(APP, "g-2", NOW, 3, 0, 37, 0, "3400.1.0", "3510.2.1"));
      tx.appendEvent(new EventRecord(APP, "g-3", NOW.minus(Duration.ofDays(3)), 3, 0, 7, 0, "3400.1.0", "3510.2.1"));
      tx.appendEvent(new EventRecord(APP, "g-1", NOW, 3, 1, 0, 0, "3400.1.0", "3510.2.1"));
      tx.appendEvent(new EventRecord(APP, "g-1", NOW, 3, 0, 37, 0, "3400.1.0", "3500.0.0"));
      tx.appendEvent(new EventRecord(APP, "b-1", NOW, 3, 0, 37, 0, "3400.1.0", "3510.2.1"));
      tx.appendEvent(new EventRecord(other, "g-1", NOW, 3, 0, 37, 0, "0.9.0", "3510.2.1"));
      tx.appendEvent(new EventRecord(APP, "ghost", NOW, 3, 0, 37, 0, "3400.1.0", "3510.2.1"));
      return null;
    });
    long stable = group("stable").id();
    long beta = group("beta").id();

    assertEquals(new GroupStats(2, 3), store.transaction(tx -> tx.stats(stable, since, target)));
    assertEquals(new GroupStats(1, 1), store.transaction(tx -> tx.stats(beta, since, target)));
    assertEquals(new GroupStats(0, 1), store.transaction(tx -> tx.stats(stable, NOW.plusMillis(1),
        Version.parse("3500.0.0"))));
    assertThrows(IllegalArgumentException.class, () -> store.transaction(tx -> tx.stats(9999, since, target)));
  }

  @Test
  @Tag("sqlite")
  void statsQuery_usesTheIndexes() throws Exception {
    List<String> plan = new java.util.ArrayList<>();
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.PreparedStatement p = c.prepareStatement("explain query plan " + SqlTx.STATS)) {
      p.setLong(1, 0);
      p.setString(2, "3510.2.1");
      p.setLong(3, 1);
      try (java.sql.ResultSet r = p.executeQuery()) {
        while (r.next()) {
          plan.add(r.getString("detail"));
        }
      }
    }
    String text = String.join("\n", plan);
    assertTrue(plan.stream().anyMatch(l -> l.startsWith("SEARCH i USING COVERING INDEX instance_by_track")), text);
    assertTrue(plan.stream().anyMatch(l -> l.startsWith("SEARCH e USING INDEX event_brake")
        || l.startsWith("SEARCH e USING COVERING INDEX event_brake")), text);
    assertTrue(plan.stream().noneMatch(l -> l.startsWith("SCAN")), text);
  }

  // ---- transactions ----

  @Test
  void transaction_rollsBackAndRethrows_whenTheWorkThrows() {
    IllegalStateException boom = new IllegalStateException("boom");
    IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> store.transaction(tx -> {
      tx.saveInstance(instance(APP, "m-1", "stable", "3400.1.0", InstanceStatus.UNDEFINED, Optional.empty(),
          Optional.empty(), NOW));
      tx.appendEvent(new EventRecord(APP, "m-1", NOW, 3, 0, 37, 0, "", "3510.2.1"));
      throw boom;
    }));
    assertSame(boom, thrown);
    assertEquals(Optional.empty(), store.transaction(tx -> tx.instance(APP, "m-1")));
    assertEquals(List.of(), store.events(APP, "m-1"));
  }

  @Test
  void databaseError_rollsBack_andIsAnIoErrorNamingTheFile() {
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> store.transaction(tx -> {
      tx.appendEvent(new EventRecord(APP, "m-1", NOW, 3, 0, 37, 0, "", "3510.2.1"));
      tx.appendEvent(new EventRecord("{no such app}", "m-1", NOW, 3, 0, 37, 0, "", "3510.2.1"));   // foreign key
      return null;
    }));
    assertTrue(e.getCause().getMessage().startsWith(store.where() + ": "), e.getCause().getMessage());
    assertTrue(e.getCause().getMessage().toLowerCase(java.util.Locale.ROOT).contains("foreign key"),
        e.getCause().getMessage());
    assertEquals(List.of(), store.events(APP, "m-1"));
  }

  @Test
  @Tag("sqlite")
  void busyDatabase_isRetried_untilTheOtherWriterLetsGo() throws Exception {
    try (SqlStore impatient = SqlStore.open(db, Clock.systemUTC(), 20);
        java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement s = other.createStatement()) {
      s.executeUpdate("begin immediate");    // another process holds the write lock
      Thread release = new Thread(() -> {
        try {
          Thread.sleep(150);
          s.executeUpdate("commit");
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
      release.start();
      boolean known = impatient.transaction(tx -> {
        runs.incrementAndGet();
        return tx.appExists(APP);
      });
      release.join();
      assertTrue(known);
      assertEquals(1, runs.get(), "the work runs once the lock is had, not on every try");
    }
  }

  @Test
  @Tag("sqlite")
  void databaseBusyForGood_givesUp_withAnIoErrorNamingTheFile() throws Exception {
    try (SqlStore impatient = SqlStore.open(db, Clock.systemUTC(), 10);
        java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.Statement s = other.createStatement()) {
      s.executeUpdate("begin immediate");
      UncheckedIOException e = assertThrows(UncheckedIOException.class,
          () -> impatient.transaction(tx -> tx.appExists(APP)));
      assertTrue(e.getCause().getMessage().startsWith(db.toAbsolutePath() + ": "), e.getCause().getMessage());
      assertTrue(e.getCause().getMessage().contains("SQLITE_BUSY"), e.getCause().getMessage());
      s.executeUpdate("rollback");
      boolean known = impatient.transaction(tx -> tx.appExists(APP));
      assertTrue(known);
    }
  }

  @Test
  void tx_keptPastItsTransaction_refusesEveryCall() {
    AtomicReference<Store.Tx> kept = new AtomicReference<>();
    store.transaction(tx -> {
      kept.set(tx);
      return null;
    });
    assertThrows(IllegalStateException.class, () -> kept.get().appExists(APP));
    assertThrows(IllegalStateException.class, () -> kept.get().pauseGroup(1, "late", NOW));
  }

  @Test
  void transactions_doNotNest() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> store.transaction(tx -> store.transaction(inner -> inner.appExists(APP))));
    assertTrue(e.getMessage().contains("do not nest"), e.getMessage());
    assertTrue(appExists(APP));
  }

  @Test
  void close_checkpointsTheLog_andTheStoreRefusesWorkAfterwards() throws Exception {
    store.transaction(tx -> {
      tx.appendEvent(new EventRecord(APP, "m-1", NOW, 3, 2, 0, 0, "3400.1.0", "3510.2.1"));
      return null;
    });
    assertTrue(store.healthy());
    store.close();
    store.close();
    assertFalse(store.healthy());
    assertThrows(IllegalStateException.class, () -> store.transaction(tx -> tx.appExists(APP)));
    assertThrows(IllegalStateException.class, () -> store.events(APP, "m-1"));
    Path wal = dir.resolve("omaha.db-wal");
    long walBytes = Files.exists(wal) ? Files.size(wal) : 0;
    assertEquals(0, walBytes, "bytes left in SQLite's write-ahead log (none on PostgreSQL)");
    assertEquals(List.of("1"), query(db, "select count(*) from event"));
  }

  List<String> queryUnchecked(String sql) {
    try {
      return query(db, sql);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }
}
