package dev.cairn.omaha.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.MachineSighting;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.Store.EventRecord;
import dev.cairn.omaha.Store.HistoryRecord;
import dev.cairn.omaha.Store.InstanceRecord;
import dev.cairn.omaha.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DatabaseCopy}: a SQLite store filled through its own API is copied into a real PostgreSQL
 * ({@link PostgresServer}), and a store opened on the copy answers as the SQLite one did; a target
 * with rows, a missing source file and a table the copy does not list are refused.
 */
class DatabaseCopyTest {
  private static final String APP = Model.COREOS_APP_ID;
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  /** More than one batch of events, more than a sample of instances. */
  private static final int MACHINES = 450;
  private static final int EVENTS = 1_250;

  @TempDir
  Path dir;

  private static PostgresDatabase newTarget() throws IOException {
    PostgresServer.Database d = PostgresServer.shared().newDatabase();
    return PostgresDatabase.parse(d.url().replace("postgresql://", "postgresql://" + d.user() + "@"), d.password());
  }

  private static Policy policy(int max, int percent) {
    return new Policy(true, max, Duration.ofHours(2), Duration.ofMinutes(30), percent, Optional.empty(), 3, 10,
        Optional.empty(), false).withMaxReboots(2);
  }

  /** Everything the store keeps, through its own API. */
  private static void fill(SqlStore s) {
    s.seedDefaults();
    s.createPackage(APP, Fixtures.pkg("3400.1.0"));
    s.createPackage(APP, Fixtures.pkg("3500.0.0"), "sig-" + "x".repeat(40));
    s.setChannelPackage(APP, "beta", Version.parse("3500.0.0"));
    s.setChannelPackage(APP, "stable", Version.parse("3400.1.0"));
    s.addFloor(APP, "stable", Version.parse("3400.1.0"), "security floor");
    s.addBlacklist(APP, "beta", Version.parse("3450.0.0"));
    s.upsertGroup(APP, "beta", "beta", policy(50, 40));
    s.createGroup(APP, "canary", "beta", policy(5, 100), "alice");
    s.pauseGroup(APP, "canary", "watching failures", "alice");
    s.transaction(tx -> {
      for (int i = 0; i < MACHINES; i++) {
        String m = String.format("machine-%04d", i);
        String track = i % 3 == 0 ? "canary" : "beta";
        boolean granted = i % 2 == 0;
        tx.saveInstance(new InstanceRecord(APP, m, track, "3400.1.0", "boot-" + i, i % 5 == 0 ? null : "ami",
            "2024.1", "1235.0.0", i % 7 == 0 ? "alias-" + i : "", "10.0." + (i / 250) + "." + (i % 250),
            granted ? InstanceStatus.GRANTED : InstanceStatus.UNDEFINED,
            granted ? Optional.of(Version.parse("3500.0.0")) : Optional.empty(),
            granted ? Optional.of(NOW.minusSeconds(i)) : Optional.empty(), Optional.of(NOW.minusSeconds(i)),
            null, 0, 0, List.of()));
        tx.appendHistory(new HistoryRecord(APP, m, NOW.minusSeconds(i), InstanceStatus.UNDEFINED,
            granted ? InstanceStatus.GRANTED : InstanceStatus.UNDEFINED, "3500.0.0", i % 4 == 0 ? null : "check"));
      }
      for (int i = 0; i < EVENTS; i++) {
        String m = String.format("machine-%04d", i % MACHINES);
        boolean counted = i % 2 == 0;
        tx.appendEvent(new EventRecord(APP, m, NOW.minusMillis(i), 3, i % 9 == 0 ? 0 : 1, i % 9 == 0 ? 37 : 0, 0,
            "3400.1.0", "3500.0.0", counted));
      }
      long canary = tx.group(APP, "canary").orElseThrow().id();
      tx.addRebootHolder(canary, "machine-0003", NOW.minusSeconds(30));
      tx.appendActivity(canary, "machine-0003", "note", "rebooting", "alice", NOW);
      return null;
    });
    s.recordActivity(APP, "note", "before the move", "bob");
    s.recordMachine(new MachineSighting("mac-52-54-00-12-34-56", NOW, Map.of("mac", "52:54:00:12:34:56",
        "hostname", "node1"), "10.0.0.9", "workers", "coreos-install", "ipxe", "booted")).join();
    s.recordInstall("mac-52-54-00-12-34-56", "coreos-install", "10.0.0.9");
    s.createImage(new SqlStore.ImageRow(APP, Version.parse("3500.0.0"), Fixtures.BOARD, "coreos_production_image.bin.bz2",
        123_456_789L, "ab".repeat(32), Optional.empty(), "images/3500.0.0/coreos_production_image.bin.bz2", NOW), "alice");
  }

  /** What a store answers, for comparing two stores. */
  private static Map<String, Object> answers(SqlStore s) {
    Map<String, Object> a = new TreeMap<>();
    a.put("apps", s.listApps());
    a.put("channels", s.listChannels(APP));
    a.put("packages", s.listPackageRows(APP));
    a.put("groups", s.listGroups(APP));
    for (String g : s.listGroups(APP)) {
      a.put("group " + g, s.group(APP, g));
      a.put("pause " + g, s.pause(APP, g));
      a.put("rollout " + g, s.rolloutCounts(APP, g));
      SqlStore.CountCheck check = s.checkCounts(APP, g, NOW.minusSeconds(3600), Version.parse("3500.0.0"));
      assertTrue(check.consistent(), g + ": kept counts equal the recount: " + check);
      a.put("counts " + g, check);
      long id = s.group(APP, g).orElseThrow().id();
      a.put("holders " + g, s.transaction(tx -> tx.rebootHolders(id)));
    }
    a.put("instances", s.listInstances(APP, null, 10_000));
    a.put("instance 7", s.instance(APP, "machine-0007"));
    a.put("events 7", s.events(APP, "machine-0007"));
    a.put("history 8", s.instanceHistory(APP, "machine-0008"));
    a.put("activity", s.activity(1_000));
    a.put("machines", s.listMachines(null, 100));
    a.put("installed", s.installed("mac-52-54-00-12-34-56"));
    return a;
  }

  @Test
  void storeFilledThroughItsApi_isCopied_andThePostgresqlStoreAnswersTheSame_andNewIdsFollowTheCopiedOnes()
      throws Exception {
    Path file = dir.resolve("cairn.db");
    Map<String, Object> before;
    try (SqlStore s = SqlStore.open(file)) {
      fill(s);
      before = answers(s);
    }
    PostgresDatabase target = newTarget();
    List<String> lines = new ArrayList<>();
    DatabaseCopy.Result result = DatabaseCopy.copy(file, target, lines::add);

    Map<String, Long> rows = new HashMap<>();
    result.tables().forEach(t -> rows.put(t.name(), t.rows()));
    assertEquals(DatabaseCopy.TABLES, result.tables().stream().map(DatabaseCopy.Table::name).toList());
    assertEquals(MACHINES, rows.get("instance"));
    assertEquals(EVENTS, rows.get("event"));
    assertEquals(DatabaseCopy.SAMPLE, result.tables().get(DatabaseCopy.TABLES.indexOf("event")).sampled());
    assertTrue(lines.contains("copying event (" + EVENTS + " rows)"), lines.toString());
    try (Connection pg = connect(target); Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file)) {
      for (String t : DatabaseCopy.TABLES) {
        assertEquals(count(sqlite, t), count(pg, t), t);
        assertTrue(count(pg, t) > 0, t + " has rows: the fill reaches every table");
      }
    }

    long lastActivity;
    long lastPackage;
    try (SqlStore pg = SqlStore.open(target, 2, Clock.systemUTC())) {
      Map<String, Object> after = answers(pg);
      for (String k : before.keySet()) {
        assertEquals(before.get(k), after.get(k), k);
      }
      lastActivity = pg.activity(1_000).stream().mapToLong(SqlStore.Activity::id).max().orElseThrow();
      lastPackage = pg.listPackageRows(APP).stream().count();
      pg.recordActivity(APP, "note", "after the move", "bob");
      long added = pg.activity(1).get(0).id();
      assertTrue(added > lastActivity, "new activity id " + added + " follows the copied " + lastActivity);
      long pkg = pg.createPackage(APP, Fixtures.pkg("3600.0.0"));
      assertTrue(pkg > lastPackage, "new package id " + pkg + " follows the copied ones");
      pg.transaction(tx -> {
        tx.appendEvent(new EventRecord(APP, "machine-0001", NOW, 3, 1, 0, 0, "3400.1.0", "3500.0.0"));
        return null;
      });
    }
    try (Connection pg = connect(target); Statement s = pg.createStatement();
        ResultSet r = s.executeQuery("select max(id), count(*) from event")) {
      r.next();
      assertEquals(EVENTS + 1, r.getLong(1), "the new event's id follows the copied ones");
      assertEquals(EVENTS + 1, r.getLong(2));
    }
  }

  @Test
  void targetSeededByAFreshServer_isRefused_namingItsTables_andKeepsItsRows() throws Exception {
    Path file = dir.resolve("cairn.db");
    try (SqlStore s = SqlStore.open(file)) {
      fill(s);
    }
    PostgresDatabase target = newTarget();
    try (SqlStore pg = SqlStore.open(target, 1, Clock.systemUTC())) {
      pg.seedDefaults();
    }
    Map<String, Long> before = counts(target);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DatabaseCopy.copy(file, target, line -> {}));
    assertTrue(e.getMessage().contains("not empty (app 1 row, channel 3 rows, grp 3 rows)"), e.getMessage());
    assertTrue(e.getMessage().contains("cairn serve writes when it first starts"), e.getMessage());
    assertTrue(e.getMessage().contains("new, empty database"), e.getMessage());
    assertEquals(before, counts(target));
  }

  @Test
  void targetWithRowsInAnUnrelatedTable_isRefusedBeforeItsSchemaIsTouched() throws Exception {
    Path file = dir.resolve("cairn.db");
    SqlStore.open(file).close();
    PostgresDatabase target = newTarget();
    try (Connection pg = connect(target); Statement s = pg.createStatement()) {
      s.executeUpdate("create table notes (n text)");
      s.executeUpdate("insert into notes values ('keep me')");
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DatabaseCopy.copy(file, target, line -> {}));
    assertTrue(e.getMessage().contains("not empty (notes 1 row)"), e.getMessage());
    assertEquals(Map.of("notes", 1L), counts(target));
  }

  @Test
  void missingSourceFile_isRefusedNamingIt_andNotCreated() throws Exception {
    Path file = dir.resolve("nothing-here.db");
    PostgresDatabase target = newTarget();
    NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> DatabaseCopy.copy(file, target, l -> {}));
    assertEquals(file.toString(), e.getFile());
    assertFalse(Files.exists(file));
    assertEquals(Map.of(), counts(target), "the target was not touched");
  }

  /** Every table of the migrated schema is copied or named as not copied, and parents come first. */
  @Test
  void everyTableOfTheSchema_isListed_andEveryForeignKeyPointsAtAnEarlierTable() throws Exception {
    PostgresDatabase target = newTarget();
    SqlStore.open(target, 1, Clock.systemUTC()).close();
    Set<String> all = new TreeSet<>(DatabaseCopy.TABLES);
    all.addAll(DatabaseCopy.NOT_COPIED);
    assertEquals(all, counts(target).keySet());
    try (Connection pg = connect(target); Statement s = pg.createStatement();
        ResultSet r = s.executeQuery("select c.conrelid::regclass::text, c.confrelid::regclass::text"
            + " from pg_constraint c where c.contype = 'f'")) {
      int keys = 0;
      while (r.next()) {
        String child = r.getString(1);
        String parent = r.getString(2);
        assertTrue(DatabaseCopy.TABLES.indexOf(parent) < DatabaseCopy.TABLES.indexOf(child),
            child + " refers to " + parent + ", which must be copied before it");
        keys++;
      }
      assertTrue(keys > 5, "the foreign keys were read");
    }
  }

  @Test
  void sample_isEveryRowOfASmallTable_andFirstLastAndEvenlySpacedOfALargeOne() {
    assertEquals(Set.of(0L, 1L, 2L), DatabaseCopy.sampleIndexes(3, 200));
    assertEquals(Set.of(), DatabaseCopy.sampleIndexes(0, 200));
    Set<Long> big = DatabaseCopy.sampleIndexes(10_000, 200);
    assertEquals(200, big.size());
    assertTrue(big.contains(0L) && big.contains(9_999L), big.toString());
    assertTrue(big.contains(50L) && big.contains(5_024L), big.toString());
  }

  @Test
  void difference_namesTableKeyAndColumn_andIntegersCompareAsNumbers() {
    List<String> cols = List.of("id", "machine_id", "granted_at");
    assertNull(DatabaseCopy.difference("event", List.of("id"), List.of(7), cols,
        java.util.Arrays.asList(7, "m1", null), java.util.Arrays.asList(7L, "m1", null)));
    assertEquals("table event row (id=7) column granted_at: SQLite has 5, PostgreSQL null",
        DatabaseCopy.difference("event", List.of("id"), List.of(7), cols,
            java.util.Arrays.asList(7, "m1", 5), java.util.Arrays.asList(7L, "m1", null)));
    assertEquals("table event row (id=7) column machine_id: SQLite has 'm1', PostgreSQL 'm2'",
        DatabaseCopy.difference("event", List.of("id"), List.of(7), cols,
            java.util.Arrays.asList(7, "m1", 5), java.util.Arrays.asList(7L, "m2", 5L)));
  }

  static Connection connect(PostgresDatabase d) throws SQLException {
    return DriverManager.getConnection(d.jdbcUrl(), d.properties());
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from " + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** Rows per table of the target's schema. */
  static Map<String, Long> counts(PostgresDatabase d) throws SQLException {
    Map<String, Long> out = new TreeMap<>();
    try (Connection c = connect(d)) {
      List<String> tables = new ArrayList<>();
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select table_name from"
          + " information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'")) {
        while (r.next()) {
          tables.add(r.getString(1));
        }
      }
      for (String t : tables) {
        out.put(t, count(c, t));
      }
    }
    return out;
  }
}
