package dev.cairn.omaha.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a database: creating it, migrating it, and refusing what it must not touch. */
class SqlStoreMigrationTest {
  @TempDir
  Path dir;

  /** The rows of {@code sql} on the test's database (of this run: SQLite, or the PostgreSQL that stands for it). */
  static List<String> query(Path db, String sql) throws SQLException {
    try (Connection c = connect(db);
        Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          row.append(i > 1 ? "|" : "").append(r.getString(i));
        }
        out.add(row.toString());
      }
      return out;
    }
  }
  private static Connection connect(Path db) throws SQLException {
    try {
      return TestDatabase.connect(db);
    } catch (java.io.IOException e) {
      throw new SQLException(e);
    }
  }


  static void exec(Path db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }

  /** The schema as SQLite holds it, and the migrations the database has had. */
  static List<String> schema(Path db) throws SQLException {
    List<String> out = new ArrayList<>(query(db, "select type, name, sql from sqlite_master order by name"));
    out.addAll(query(db, "select version, name, applied_at from schema_version order by version"));
    return out;
  }

  @Test
  void freshFile_isCreated_inWalMode_atTheLatestVersion() throws Exception {
    Path db = dir.resolve("omaha.db");
    try (SqlStore store = SqlStore.open(db)) {
      assertTrue(store.healthy());
      List<String> settings = store.transaction(tx -> {
        List<String> out = new ArrayList<>();
        for (String pragma : List.of("journal_mode", "synchronous", "foreign_keys", "busy_timeout")) {
          try (Statement s = ((SqlTx) tx).connection().createStatement();
              ResultSet r = s.executeQuery("pragma " + pragma)) {
            r.next();
            out.add(pragma + "=" + r.getString(1));
          } catch (SQLException e) {
            throw new AssertionError(e);
          }
        }
        return out;
      });
      // synchronous 2 is FULL: the log is synced at every commit
      assertEquals(List.of("journal_mode=wal", "synchronous=2", "foreign_keys=1", "busy_timeout=5000"), settings);
    }
    assertTrue(Files.exists(db));
    assertEquals(List.of(String.valueOf(SqlStore.SCHEMA_VERSION)), query(db, "select max(version) from schema_version"));
    assertEquals(List.of("001-initial.sql", "002-admin.sql", "003-payloads.sql", "004-serving.sql",
        "005-failure-brake.sql", "006-machines.sql", "007-installed.sql", "008-reboot-slots.sql",
        "009-kept-counts.sql", "010-replicas.sql"),
        query(db, "select name from schema_version order by version"));
    assertEquals(List.of("wal"), query(db, "pragma journal_mode"));
    List<String> tables = query(db, "select name from sqlite_master where type = 'table' order by name");
    assertTrue(tables.containsAll(List.of("activity", "app", "channel", "channel_blacklist", "channel_floor", "event",
        "grp", "instance", "instance_history", "machine", "package", "schema_version")), tables.toString());
    assertEquals(List.of("ok"), query(db, "pragma integrity_check"));
    assertEquals(List.of(), query(db, "pragma foreign_key_check"));
  }

  @Test
  void everyMigrationStatementRan() throws Exception {
    // the script is many statements; a driver that ran only the first would leave the rest out
    Path db = dir.resolve("omaha.db");
    SqlStore.open(db).close();
    List<String> indexes = query(db, "select name from sqlite_master where type = 'index' and name not like 'sqlite_%'"
        + " order by name");
    assertEquals(List.of("activity_by_actor", "activity_by_at", "event_brake", "event_by_machine",
        "instance_by_granted_at", "instance_by_track", "instance_by_track_version", "instance_history_by_machine",
        "machine_by_group", "machine_by_last_seen"),
        indexes);
  }

  @Test
  void reopening_changesNothing() throws Exception {
    Path db = dir.resolve("omaha.db");
    try (SqlStore store = SqlStore.open(db)) {
      store.seedDefaults();
    }
    List<String> before = schema(db);
    List<String> rows = query(db, "select * from grp order by id");
    try (SqlStore store = SqlStore.open(db)) {
      assertTrue(store.healthy());
    }
    assertEquals(before, schema(db));
    assertEquals(rows, query(db, "select * from grp order by id"));
  }

  @Test
  void groupsOfAVersion7Database_getOneRebootSlot_andKeepTheirPolicy_andSlotsCanBeTaken() throws Exception {
    Path old = dir.resolve("omaha.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old)) {
      Migrations.apply(c, old.toString(), Migrations.bundled().subList(0, 7));
    }
    String app = dev.cairn.omaha.Model.COREOS_APP_ID;
    exec(old, "insert into app (id, name, board, created_at) values ('" + app + "', 'CoreOS', 'amd64-usr', 0);"
        + "insert into channel (id, app_id, name) values (1, '" + app + "', 'stable');"
        + "insert into grp (id, app_id, name, channel_id, updates_enabled, max_updates_per_period, period_seconds,"
        + " update_timeout_seconds, rollout_percent, failure_brake, allow_downgrade, failure_percent)"
        + " values (1, '" + app + "', 'web', 1, 1, 7, 3600, 3600, 40, 3, 0, 10);");
    List<String> before = query(old, "select id, name, max_updates_per_period, rollout_percent from grp");

    try (SqlStore store = SqlStore.open(old)) {    // migrated to the latest as it opens
      dev.cairn.omaha.Model.Policy p = store.group(app, "web").orElseThrow().policy();
      assertEquals(1, p.maxReboots());
      assertEquals(7, p.maxUpdatesPerPeriod());
      dev.cairn.omaha.RebootSlots slots = new dev.cairn.omaha.RebootSlots(store, java.time.Clock.systemUTC());
      assertEquals(dev.cairn.omaha.RebootSlots.Result.TAKEN, slots.take(app, "web", "m1", "m1").result());
      assertEquals(dev.cairn.omaha.RebootSlots.Result.REFUSED, slots.take(app, "web", "m2", "m2").result());
    }
    assertEquals(before, query(old, "select id, name, max_updates_per_period, rollout_percent from grp"));
    assertEquals(List.of(String.valueOf(SqlStore.SCHEMA_VERSION)), query(old, "select max(version) from schema_version"));
    assertEquals(List.of("1|m1"), query(old, "select group_id, machine_id from reboot_holder"));
    assertEquals(List.of(), query(old, "pragma foreign_key_check"));
  }

  /**
   * A version 8 database with grants, failures and a resumed group: migration 009 fills the kept
   * counts from the tables, and they agree with the recount (grants in a period whose edge falls
   * inside a second, a minute and an hour; failures and grants since the resume; the rollout).
   */
  @Test
  void aVersion8DatabasesCounts_areKeptFromTheTables_andAgreeWithTheRecount() throws Exception {
    Path old = dir.resolve("omaha.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old)) {
      Migrations.apply(c, old.toString(), Migrations.bundled().subList(0, 8));
    }
    String app = dev.cairn.omaha.Model.COREOS_APP_ID;
    long resumed = System.currentTimeMillis() / 3_600_000L * 3_600_000L - 86_400_000L + 1_234;   // within what is kept
    StringBuilder sql = new StringBuilder("insert into app (id, name, board, created_at) values ('" + app
        + "', 'CoreOS', 'amd64-usr', 0);"
        + "insert into channel (id, app_id, name) values (1, '" + app + "', 'stable');"
        + "insert into grp (id, app_id, name, channel_id, updates_enabled, max_updates_per_period, period_seconds,"
        + " update_timeout_seconds, rollout_percent, failure_brake, allow_downgrade, failure_percent, resumed_at,"
        + " brake_events_after) values (1, '" + app + "', 'web', 1, 1, 7, 3600, 3600, 100, 3, 0, 10, " + resumed
        + ", 4);");
    java.util.Random random = new java.util.Random(9);
    for (int i = 0; i < 300; i++) {
      long granted = resumed - 2 * 3_600_000L + random.nextInt(4 * 3_600_000);
      String track = i % 10 == 0 ? "other" : "web";
      String version = i % 3 == 0 ? "3510.2.1" : "3400.1.0";
      sql.append("insert into instance (app_id, machine_id, track, version, status, granted_version, granted_at)"
          + " values ('" + app + "', 'm" + i + "', '" + track + "', '3400.1.0', '"
          + (i % 4 == 0 ? "COMPLETE" : "GRANTED") + "', " + (i % 7 == 0 ? "null, null" : "'" + version + "', " + granted)
          + ");");
    }
    for (int i = 0; i < 40; i++) {
      sql.append("insert into event (app_id, machine_id, at, type, result, error_code, error_flags, version, brake)"
          + " values ('" + app + "', 'm" + (i * 7 % 300) + "', 0, 3, 0, 37, 0, '" + (i % 2 == 0 ? "3510.2.1" : "3400.1.0")
          + "', " + (i % 5 == 0 ? 0 : 1) + ");");
    }
    exec(old, sql.toString());

    try (SqlStore store = SqlStore.open(old)) {
      for (long edge : new long[] {resumed - 3_600_000L + 1, resumed - 1_234_567L, resumed, resumed + 59_999L}) {
        for (String target : List.of("3510.2.1", "3400.1.0")) {
          SqlStore.CountCheck k = store.checkCounts(app, "web", java.time.Instant.ofEpochMilli(edge),
              dev.cairn.omaha.Version.parse(target));
          assertTrue(k.consistent(), k.toString());
          assertTrue(k.recounted().grantedInPeriod() > 0 || edge > resumed, k.toString());
        }
      }
      SqlStore.CountCheck k = store.checkCounts(app, "web", java.time.Instant.ofEpochMilli(resumed),
          dev.cairn.omaha.Version.parse("3510.2.1"));
      assertTrue(k.recounted().failuresOfTarget() > 0 && k.recounted().grantsOfTarget() > 0, k.toString());
    }
  }

  @Test
  void channelsAndFloorsOfAVersion3Database_becomeVersions_servedToEveryBoard() throws Exception {
    Path db = dir.resolve("omaha.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      Migrations.apply(c, db.toString(), Migrations.bundled().subList(0, 3));
    }
    String app = dev.cairn.omaha.Model.COREOS_APP_ID;
    String pkg = "insert into package (id, app_id, version, board, name, size, sha1, sha256, base_url, created_at)"
        + " values (%d, '" + app + "', '%s', '%s', 'update.gz', 1000, '" + "A".repeat(27) + "=', '" + "B".repeat(43)
        + "=', 'https://%s.example.com/%s/', 0);";
    exec(db, "insert into app (id, name, board, created_at) values ('" + app + "', 'CoreOS', 'amd64-usr', 0);"
        + String.format(pkg, 1, "3602.2.0", "amd64-usr", "amd64-usr", "3602.2.0")
        + String.format(pkg, 2, "3602.2.0", "arm64-usr", "arm64-usr", "3602.2.0")
        + String.format(pkg, 3, "3400.0.0", "amd64-usr", "amd64-usr", "3400.0.0")
        + "insert into channel (id, app_id, name, package_id) values (1, '" + app + "', 'stable', 1);"
        + "insert into channel (id, app_id, name, package_id) values (2, '" + app + "', 'beta', null);"
        + "insert into channel_floor (channel_id, package_id, reason) values (1, 3, 'new partition table');");

    try (SqlStore store = SqlStore.open(db)) {
      store.seedDefaults();
      assertEquals(List.of("alpha|null", "beta|null", "stable|3602.2.0"), store.listChannels(app).stream()
          .map(ch -> ch.name() + "|" + ch.version().map(Object::toString).orElse("null")).toList());
      dev.cairn.omaha.UpdatePolicy.GroupView g = store.group(app, "stable").orElseThrow().view();
      assertEquals(List.of(dev.cairn.omaha.Version.parse("3400.0.0")), g.floors());
      assertEquals("https://arm64-usr.example.com/3602.2.0/",
          g.pkg("arm64-usr", dev.cairn.omaha.Version.parse("3602.2.0")).orElseThrow().baseUrl());
    }
    assertEquals(List.of("1|3400.0.0|new partition table"), query(db, "select * from channel_floor"));
    assertEquals(List.of("null|3602.2.0"), query(db, "select package_id, version from channel where name = 'stable'"));
    assertEquals(List.of(), query(db, "pragma foreign_key_check"));
  }

  @Test
  void hostedPayloadUrlsOfAVersion3Database_nameTheirApp_andOthersAreLeftAlone() throws Exception {
    Path db = dir.resolve("omaha.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      Migrations.apply(c, db.toString(), Migrations.bundled().subList(0, 3));
    }
    String a = "{e96281a6-d1af-4bde-9a0a-97b76e56dc57}";
    String b = "{5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22}";
    String pkg = "insert into package (id, app_id, version, board, name, size, sha1, sha256, base_url, created_at,"
        + " stored_path) values (%d, '%s', '%s', '%s', 'update.gz', 1000, '" + "A".repeat(27) + "=', '"
        + "B".repeat(43) + "=', '%s', 0, %s);";
    exec(db, "insert into app (id, name, board, created_at) values ('" + a + "', 'CoreOS', 'amd64-usr', 0);"
        + "insert into app (id, name, board, created_at) values ('" + b + "', 'Agent', 'amd64-usr', 1);"
        + String.format(pkg, 1, a, "2.0.0", "amd64-usr", "https://cairn.example.com/packages/amd64-usr/2.0.0/", "'p/1'")
        + String.format(pkg, 2, b, "2.0.0", "amd64-usr", "https://cairn.example.com/packages/amd64-usr/2.0.0/", "'p/2'")
        + String.format(pkg, 3, b, "1.0.0", "arm64-usr", "http://10.0.0.1:8080/packages/1.0.0/", "'p/3'")
        + String.format(pkg, 4, b, "1.5.0", "amd64-usr", "https://mirror.example.com/packages/amd64-usr/1.5.0/",
            "null"));

    SqlStore.open(db).close();

    assertEquals(List.of(
        "1|https://cairn.example.com/packages/e96281a6-d1af-4bde-9a0a-97b76e56dc57/amd64-usr/2.0.0/",
        "2|https://cairn.example.com/packages/5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22/amd64-usr/2.0.0/",
        "3|http://10.0.0.1:8080/packages/5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22/arm64-usr/1.0.0/",
        "4|https://mirror.example.com/packages/amd64-usr/1.5.0/"),
        query(db, "select id, base_url from package order by id"));
  }

  @Test
  void newerSchema_isRefused_namingBothVersions_andLeftUntouched() throws Exception {
    Path db = dir.resolve("omaha.db");
    SqlStore.open(db).close();
    int newer = SqlStore.SCHEMA_VERSION + 41;
    exec(db, "insert into schema_version (version, name, applied_at) values (" + newer + ", 'from-the-future.sql', 0)");
    List<String> before = schema(db);

    IOException e = assertThrows(IOException.class, () -> SqlStore.open(db));

    assertTrue(e.getMessage().startsWith(db.toAbsolutePath() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("schema version " + newer), e.getMessage());
    assertTrue(e.getMessage().contains("(" + SqlStore.SCHEMA_VERSION + ")"), e.getMessage());
    assertEquals(before, schema(db));
  }

  @Test
  void fileThatIsNoDatabase_isRefused_namingIt() throws Exception {
    Path db = dir.resolve("notes.txt");
    Files.writeString(db, "this is not a database, it is a note about one\n".repeat(100));

    IOException e = assertThrows(IOException.class, () -> SqlStore.open(db));

    assertTrue(e.getMessage().startsWith(db.toAbsolutePath() + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("not a database"), e.getMessage());
  }

  @Test
  void missingDirectory_isAnIoErrorNamingTheFile() {
    Path db = dir.resolve("no/such/dir/omaha.db");
    IOException e = assertThrows(IOException.class, () -> SqlStore.open(db));
    assertTrue(e.getMessage().startsWith(db.toAbsolutePath() + ": "), e.getMessage());
  }

  @Test
  void failingMigration_rollsBackAlone_keepingTheOnesBefore() throws Exception {
    Path db = dir.resolve("omaha.db");
    List<Migrations.Script> scripts = List.of(
        new Migrations.Script("001-a.sql", "create table a (x integer); insert into a values (1);"),
        new Migrations.Script("002-b.sql", "create table b (x integer); insert into b values (1); insert into nope values (2);"));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      SQLException e = assertThrows(SQLException.class, () -> Migrations.apply(c, db.toString(), scripts));
      assertTrue(e.getMessage().startsWith("migration 002-b.sql: "), e.getMessage());
      assertEquals(1, Migrations.current(c));
    }
    assertEquals(List.of("a"), query(db, "select name from sqlite_master where name in ('a', 'b')"));

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      Migrations.apply(c, db.toString(), List.of(scripts.get(0),
          new Migrations.Script("002-b.sql", "create table b (x integer); insert into b values (1);")));
      Migrations.apply(c, db.toString(), List.of(scripts.get(0),
          new Migrations.Script("002-b.sql", "create table b (x integer); insert into b values (1);")));
      assertEquals(2, Migrations.current(c));
    }
    assertEquals(List.of("1"), query(db, "select count(*) from a"));
    assertEquals(List.of("1"), query(db, "select count(*) from b"));
  }
}
