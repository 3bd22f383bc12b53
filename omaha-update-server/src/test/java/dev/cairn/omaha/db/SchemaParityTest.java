package dev.cairn.omaha.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL scripts ({@code postgresql/}) bring a database to the schema the SQLite scripts
 * ({@code sqlite/}) do, so the store's SQL runs on both: per table, the same columns in the same
 * order with the same type family (integer or text), not-null-ness and default; the same primary
 * key and unique constraints (by columns: their index names are each database's own); the same
 * indexes by name, with their columns, uniqueness and partial-ness; the same foreign keys with
 * their delete actions. SQLite is read through its pragmas, PostgreSQL through its catalogs.
 * CHECK constraints are not compared (SQLite keeps them only in the table's text).
 */
class SchemaParityTest {
  private static final String SQLITE = "dev/cairn/omaha/db/sqlite/";
  private static final String POSTGRESQL = "dev/cairn/omaha/db/postgresql/";
  /** Made by the store's migration code itself, not by a script; SQLite's own bookkeeping. */
  private static final List<String> NOT_FROM_SCRIPTS = List.of("schema_version", "sqlite_sequence");

  @TempDir
  Path dir;

  @Test
  void everySqliteScript_hasAPostgresqlScriptOfTheSameName_andNoOther() throws Exception {
    assertEquals(scriptNames(SQLITE), scriptNames(POSTGRESQL));
    assertEquals(new TreeSet<>(Migrations.SCRIPTS), scriptNames(POSTGRESQL));
  }

  @Test
  void postgresqlScripts_reachTheSchemaOfTheSqliteScripts() throws Exception {
    List<String> sqlite = sqliteSchema();
    List<String> postgresql;
    try (Connection c = migratedPostgresql()) {
      postgresql = postgresqlSchema(c);
    }
    assertTrue(sqlite.size() > 150, "the SQLite schema was read: " + sqlite);
    assertEquals(String.join("\n", sqlite), String.join("\n", postgresql));
  }

  /** The comparison itself: a column, index, unique constraint or foreign key gone from one side shows. */
  @Test
  void aColumnIndexUniqueOrForeignKeyMissingOnOneSide_isADifference() throws Exception {
    List<String> sqlite = sqliteSchema();
    List<String> postgresql;
    try (Connection c = migratedPostgresql(); Statement s = c.createStatement()) {
      s.executeUpdate("alter table instance drop column truncated");
      s.executeUpdate("drop index event_brake");
      s.executeUpdate("alter table package drop constraint package_app_id_board_version_key");
      s.executeUpdate("alter table reboot_holder drop constraint reboot_holder_group_id_fkey");
      s.executeUpdate("alter table machine alter column labels drop not null");
      postgresql = postgresqlSchema(c);
    }
    List<String> onlySqlite = new ArrayList<>(sqlite);
    onlySqlite.removeAll(postgresql);
    assertEquals(List.of(
        "event index event_brake (app_id, version, id) partial",
        "instance column 18 truncated text null default null",
        "instance column 19 grant_boot_id text null default null",
        "instance column 20 progressed integer not null default 0",
        "machine column 5 labels text not null default null",
        "package unique (app_id, board, version)",
        "reboot_holder foreign key (group_id) -> grp (id) on delete cascade"), onlySqlite);
  }

  /** Rows written at schema 3, before the scripts that move or count data (004, 005, 009). */
  private static final List<String> AT_VERSION_3 = List.of(
      "insert into app (id, name, board, created_at) values ('{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'CoreOS',"
          + " 'amd64-usr', 0)",
      "insert into package (id, app_id, version, board, name, size, sha1, sha256, base_url, created_at, stored_path)"
          + " values (1, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', '1.0.0', 'amd64-usr', 'u.gz', 10,"
          + " '" + "a".repeat(28) + "', '" + "b".repeat(44) + "', 'http://h/packages/amd64-usr/1.0.0/', 0, 'p/1')",
      "insert into package (id, app_id, version, board, name, size, sha1, sha256, base_url, created_at, stored_path)"
          + " values (2, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', '1.0.0', 'arm64-usr', 'u.gz', 10,"
          + " '" + "a".repeat(28) + "', '" + "b".repeat(44) + "', 'http://h/cairn/packages/1.0.0/', 0, 'p/2')",
      "insert into package (id, app_id, version, board, name, size, sha1, sha256, base_url, created_at)"
          + " values (3, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', '2.0.0', 'amd64-usr', 'u.gz', 10,"
          + " '" + "a".repeat(28) + "', '" + "b".repeat(44) + "', 'https://elsewhere/packages/2.0.0/', 0)",
      "insert into channel (id, app_id, name, package_id) values (1, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}',"
          + " 'stable', 3)",
      "insert into channel_floor (channel_id, package_id, reason) values (1, 1, 'first')",
      "insert into channel_floor (channel_id, package_id, reason) values (1, 2, 'first')",
      "insert into grp (id, app_id, name, channel_id, updates_enabled, max_updates_per_period, period_seconds,"
          + " update_timeout_seconds, rollout_percent, failure_brake, allow_downgrade, resumed_at, brake_events_after)"
          + " values (1, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'stable', 1, 1, 0, 3600, 600, 100, 0, 0, 1500, 1)",
      "insert into instance (app_id, machine_id, track, version, status, granted_version, granted_at) values"
          + " ('{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm1', 'stable', '1.0.0', 'GRANTED', '2.0.0', 1000),"
          + " ('{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm2', 'stable', '1.0.0', 'GRANTED', '2.0.0', 3600500),"
          + " ('{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm3', 'stable', '2.0.0', 'UP_TO_DATE', null, null),"
          + " ('{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm4', 'other', '1.0.0', 'GRANTED', '2.0.0', 3601999)",
      "insert into event (id, app_id, machine_id, at, type, result, error_code, error_flags, version) values"
          + " (1, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm1', 1, 3, 0, 9, 0, '2.0.0'),"
          + " (2, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm1', 2, 3, 0, 9, 0, '2.0.0'),"
          + " (3, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm4', 3, 3, 0, 9, 0, '2.0.0'),"
          + " (4, '{e96281a6-d1af-4bde-9a0a-97b76e56dc57}', 'm2', 4, 3, 1, 0, 0, '2.0.0')");

  /** What the later scripts made of {@link #AT_VERSION_3}. */
  private static final List<String> READ_BACK = List.of(
      "select id, version, package_id from channel order by id",
      "select channel_id, version from channel_floor order by channel_id, version",
      "select id, base_url from package order by id",
      "select id, brake from event order by id",
      "select app_id, track, level, slot, n from grant_tally order by app_id, track, level, slot",
      "select app_id, track, version, n from failure_tally order by app_id, track, version",
      "select app_id, track, version, n from target_tally order by app_id, track, version",
      "select app_id, track, version, status, n from instance_tally order by app_id, track, version, status");

  @Test
  void rowsOfAnOlderSchema_areMovedAndCounted_alikeByBothScripts() throws Exception {
    List<Migrations.Script> scripts = Migrations.bundled();
    List<String> sqlite = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"))) {
      Migrations.apply(c, "old.db", scripts.subList(0, 3));
      try (Statement s = c.createStatement()) {
        for (String sql : AT_VERSION_3) {
          s.executeUpdate(sql);
        }
      }
      Migrations.apply(c, "old.db", scripts);
      for (String sql : READ_BACK) {
        sqlite.add(sql + ": " + table(c, sql));
      }
    }
    List<String> postgresql = new ArrayList<>();
    PostgresServer.Database db = PostgresServer.shared().newDatabase();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
      apply(c, Migrations.SCRIPTS.subList(0, 3));
      try (Statement s = c.createStatement()) {
        for (String sql : AT_VERSION_3) {
          s.executeUpdate(sql);
        }
      }
      apply(c, Migrations.SCRIPTS.subList(3, Migrations.SCRIPTS.size()));
      for (String sql : READ_BACK) {
        postgresql.add(sql + ": " + table(c, sql));
      }
    }
    assertEquals(String.join("\n", sqlite), String.join("\n", postgresql));
    // And what they are: the rewrites and counts did happen.
    assertEquals(List.of(
        "select id, version, package_id from channel order by id: [1|2.0.0|null]",
        "select channel_id, version from channel_floor order by channel_id, version: [1|1.0.0]",
        "select id, base_url from package order by id: [1|http://h/packages/e96281a6-d1af-4bde-9a0a-97b76e56dc57"
            + "/amd64-usr/1.0.0/, 2|http://h/cairn/packages/e96281a6-d1af-4bde-9a0a-97b76e56dc57/arm64-usr/1.0.0/,"
            + " 3|https://elsewhere/packages/2.0.0/]",
        "select id, brake from event order by id: [1|1, 2|1, 3|1, 4|0]"), postgresql.subList(0, 4));
    assertEquals("select app_id, track, version, n from failure_tally order by app_id, track, version:"
        + " [{e96281a6-d1af-4bde-9a0a-97b76e56dc57}|other|2.0.0|1, {e96281a6-d1af-4bde-9a0a-97b76e56dc57}|stable|2.0.0|1]",
        postgresql.get(5));
    assertEquals("select app_id, track, version, n from target_tally order by app_id, track, version:"
        + " [{e96281a6-d1af-4bde-9a0a-97b76e56dc57}|other|2.0.0|1, {e96281a6-d1af-4bde-9a0a-97b76e56dc57}|stable|2.0.0|1]",
        postgresql.get(6));
  }

  private static String table(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(r.getString(i));
        }
        out.add(String.join("|", row));
      }
    }
    return out.toString();
  }

  // ---- the two schemas, as lines of text ----

  private List<String> sqliteSchema() throws IOException, SQLException {
    Path db = dir.resolve("x.db");
    SqlStore.open(db).close();
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      for (String table : strings(c, "select name from sqlite_master where type = 'table' order by name")) {
        if (NOT_FROM_SCRIPTS.contains(table)) {
          continue;
        }
        Map<Integer, String> pk = new TreeMap<>();
        int n = 0;
        for (Map<String, Object> col : rows(c, "pragma table_info(" + table + ")")) {
          String name = (String) col.get("name");
          out.add(table + " column " + (++n) + " " + name + " " + family((String) col.get("type"))
              + (((Number) col.get("notnull")).intValue() == 1 ? " not null" : " null")
              + " default " + col.get("dflt_value"));
          int inPk = ((Number) col.get("pk")).intValue();
          if (inPk > 0) {
            pk.put(inPk, name);
          }
        }
        out.add(table + " primary key (" + String.join(", ", pk.values()) + ")");
        for (Map<String, Object> ix : rows(c, "pragma index_list(" + table + ")")) {
          String name = (String) ix.get("name");
          List<String> cols = new ArrayList<>();
          for (Map<String, Object> ic : rows(c, "pragma index_info(" + name + ")")) {
            cols.add((String) ic.get("name"));
          }
          switch ((String) ix.get("origin")) {
            case "c" -> out.add(table + " index " + name + " (" + String.join(", ", cols) + ")"
                + (((Number) ix.get("unique")).intValue() == 1 ? " unique" : "")
                + (((Number) ix.get("partial")).intValue() == 1 ? " partial" : ""));
            case "u" -> out.add(table + " unique (" + String.join(", ", cols) + ")");
            default -> { } // the primary key's own index: the key is compared above
          }
        }
        Map<Integer, List<String>[]> fks = new TreeMap<>();
        Map<Integer, String> fkTarget = new TreeMap<>();
        for (Map<String, Object> fk : rows(c, "pragma foreign_key_list(" + table + ")")) {
          int id = ((Number) fk.get("id")).intValue();
          @SuppressWarnings("unchecked")
          List<String>[] pair = fks.computeIfAbsent(id, k -> new List[] {new ArrayList<>(), new ArrayList<>()});
          pair[0].add((String) fk.get("from"));
          pair[1].add((String) fk.get("to"));
          fkTarget.put(id, fk.get("table") + " (%s) on delete " + ((String) fk.get("on_delete")).toLowerCase());
        }
        for (var e : fks.entrySet()) {
          out.add(table + " foreign key (" + String.join(", ", e.getValue()[0]) + ") -> "
              + fkTarget.get(e.getKey()).formatted(String.join(", ", e.getValue()[1])));
        }
      }
    }
    out.sort(null);
    return out;
  }

  private static List<String> postgresqlSchema(Connection c) throws SQLException {
    List<String> out = new ArrayList<>();
    for (String table : strings(c, "select tablename from pg_tables where schemaname = 'public' order by tablename")) {
      if (NOT_FROM_SCRIPTS.contains(table)) {
        continue;
      }
      int n = 0;
      for (Map<String, Object> col : rows(c, "select column_name, data_type, is_nullable, column_default"
          + " from information_schema.columns where table_schema = 'public' and table_name = '" + table + "'"
          + " order by ordinal_position")) {
        Object dflt = col.get("column_default");
        out.add(table + " column " + (++n) + " " + col.get("column_name") + " " + family((String) col.get("data_type"))
            + ("NO".equals(col.get("is_nullable")) ? " not null" : " null")
            + " default " + (dflt == null ? null : ((String) dflt).replaceAll("::(text|bigint|integer)$", "")));
      }
      String constraints = "select c.conname, c.contype, c.confrelid::regclass::text as target, c.confdeltype,"
          + " array(select a.attname::text from unnest(c.conkey) with ordinality k(num, o)"
          + "   join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.num order by k.o) as cols,"
          + " array(select a.attname::text from unnest(c.confkey) with ordinality k(num, o)"
          + "   join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.num order by k.o) as fcols"
          + " from pg_constraint c where c.conrelid = '" + table + "'::regclass and c.contype in ('p', 'u', 'f')";
      for (Map<String, Object> con : rows(c, constraints)) {
        String cols = String.join(", ", (String[]) ((Array) con.get("cols")).getArray());
        switch ((String) con.get("contype")) {
          case "p" -> out.add(table + " primary key (" + cols + ")");
          case "u" -> out.add(table + " unique (" + cols + ")");
          default -> out.add(table + " foreign key (" + cols + ") -> " + con.get("target") + " ("
              + String.join(", ", (String[]) ((Array) con.get("fcols")).getArray()) + ") on delete "
              + switch ((String) con.get("confdeltype")) {
                case "a" -> "no action";
                case "c" -> "cascade";
                case "n" -> "set null";
                case "r" -> "restrict";
                case "d" -> "set default";
                default -> "?" + con.get("confdeltype");
              });
        }
      }
      String indexes = "select i.relname as name, x.indisunique as uniq, x.indpred is not null as partial,"
          + " array(select a.attname::text from unnest(x.indkey::int2[]) with ordinality k(num, o)"
          + "   join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.num order by k.o) as cols"
          + " from pg_index x join pg_class i on i.oid = x.indexrelid"
          + " where x.indrelid = '" + table + "'::regclass and not exists (select 1 from pg_constraint c"
          + "   where c.conindid = x.indexrelid and c.conrelid = x.indrelid and c.contype in ('p', 'u'))";
      for (Map<String, Object> ix : rows(c, indexes)) {
        out.add(table + " index " + ix.get("name") + " ("
            + String.join(", ", (String[]) ((Array) ix.get("cols")).getArray()) + ")"
            + (Boolean.TRUE.equals(ix.get("uniq")) ? " unique" : "")
            + (Boolean.TRUE.equals(ix.get("partial")) ? " partial" : ""));
      }
    }
    out.sort(null);
    return out;
  }

  /** integer or text: SQLite's declared type, PostgreSQL's data type. */
  private static String family(String type) {
    return switch (type.toLowerCase()) {
      case "integer", "bigint", "smallint" -> "integer";
      case "text" -> "text";
      default -> "other type " + type;
    };
  }

  // ---- PostgreSQL ----

  /** A new database with every PostgreSQL script applied in order, each in its own transaction. */
  private static Connection migratedPostgresql() throws IOException, SQLException {
    PostgresServer.Database db = PostgresServer.shared().newDatabase();
    Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    try {
      apply(c, Migrations.SCRIPTS);
    } catch (SQLException | IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Applies the PostgreSQL scripts of these names in order, each in its own transaction. */
  private static void apply(Connection c, List<String> names) throws IOException, SQLException {
    c.setAutoCommit(false);
    for (String name : names) {
      try (Statement s = c.createStatement()) {
        s.executeUpdate(resource(POSTGRESQL + name));
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw new SQLException(POSTGRESQL + name + ": " + e.getMessage(), e.getSQLState(), e);
      }
    }
    c.setAutoCommit(true);
  }

  // ---- helpers ----

  private static String resource(String name) throws IOException {
    try (InputStream in = SchemaParityTest.class.getClassLoader().getResourceAsStream(name)) {
      assertNotNull(in, name + " is on the class path");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static TreeSet<String> scriptNames(String resourceDir) throws Exception {
    URL url = SchemaParityTest.class.getClassLoader().getResource(resourceDir + "001-initial.sql");
    assertNotNull(url, resourceDir + "001-initial.sql is on the class path");
    try (Stream<Path> files = Files.list(Path.of(url.toURI()).getParent())) {
      return files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  private static List<Map<String, Object>> rows(Connection c, String sql) throws SQLException {
    List<Map<String, Object>> out = new ArrayList<>();
    try (PreparedStatement p = c.prepareStatement(sql); ResultSet r = p.executeQuery()) {
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        Map<String, Object> row = new TreeMap<>();
        for (int i = 1; i <= n; i++) {
          row.put(r.getMetaData().getColumnLabel(i), r.getObject(i));
        }
        out.add(row);
      }
    }
    return out;
  }
}
