package dev.cairn.omaha.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The schema's versions: migration {@code n} is the script of {@link #SCRIPTS} whose name starts
 * with {@code n} in three digits, a classpath resource under {@code sqlite/} and, with the same
 * name and the same schema after it, under {@code postgresql/}. A database
 * records the migrations it has had in {@code schema_version}; opening it applies, in order and
 * each in its own transaction, every script it has not had (by number, not by the highest one
 * recorded, so scripts written side by side apply whichever arrives first), and refuses a
 * database newer than this code.
 */
final class Migrations {
  private Migrations() {}


  /**
   * In order. A script is never edited once released; a change is a new script. A script runs
   * inside a transaction, so it must not change pragmas that a transaction cannot change.
   */
  static final List<String> SCRIPTS = List.of("001-initial.sql", "002-admin.sql", "003-payloads.sql",
      "004-serving.sql", "005-failure-brake.sql", "006-machines.sql",
      "007-installed.sql", "008-reboot-slots.sql", "009-kept-counts.sql", "010-replicas.sql");

  /** The schema version this code writes and reads: the highest script number. */
  static final int LATEST = number(SCRIPTS.get(SCRIPTS.size() - 1));

  static {
    for (int i = 1; i < SCRIPTS.size(); i++) {
      if (number(SCRIPTS.get(i)) <= number(SCRIPTS.get(i - 1))) {
        throw new ExceptionInInitializerError("migration " + SCRIPTS.get(i) + " is out of order");
      }
    }
  }

  /** The version a script brings the schema to: the number its name starts with (007-x.sql is 7). */
  static int number(String name) {
    if (!name.matches("\\d{3}-.+")) {
      throw new IllegalArgumentException("migration '" + name + "' is not named like 001-initial.sql");
    }
    return Integer.parseInt(name.substring(0, 3));
  }

  /** One migration: its file name and its statements. */
  record Script(String name, String sql) {}

  /** The SQLite scripts on the class path, in order. */
  static List<Script> bundled() throws IOException {
    return bundled(Dialect.SQLITE);
  }

  /** The dialect's scripts on the class path, in order: the same names for both. */
  static List<Script> bundled(Dialect dialect) throws IOException {
    List<Script> out = new ArrayList<>();
    for (String name : SCRIPTS) {
      out.add(new Script(name, read(dialect.scripts + name)));
    }
    return out;
  }

  /**
   * Brings the database to {@link #LATEST}. {@code db} names the file in messages; the connection
   * is in auto-commit mode and comes back in it.
   */
  static void apply(Connection c, String db) throws SQLException, IOException {
    apply(c, db, bundled());
  }

  /** As above, with the scripts of {@code dialect}. */
  static void apply(Connection c, String db, Dialect dialect) throws SQLException, IOException {
    if (dialect == Dialect.SQLITE) {
      apply(c, db, bundled());
      return;
    }
    // Replicas starting together: one migrates, the others wait for it and then find nothing to do.
    try (Statement s = c.createStatement()) {
      s.execute("select pg_advisory_lock(" + PG_MIGRATION_LOCK + ")");
    }
    try {
      apply(c, db, bundled(Dialect.POSTGRESQL), Dialect.POSTGRESQL);
    } finally {
      try (Statement s = c.createStatement()) {
        s.execute("select pg_advisory_unlock(" + PG_MIGRATION_LOCK + ")");
      }
    }
  }

  /** The advisory lock key PostgreSQL migrations hold: "cairn" in ASCII. */
  static final long PG_MIGRATION_LOCK = 0x636169726eL;

  /** Applies the missing ones of SQLite's {@code scripts}, each named for the version it brings the schema to. */
  static void apply(Connection c, String db, List<Script> scripts) throws SQLException, IOException {
    apply(c, db, scripts, Dialect.SQLITE);
  }

  /**
   * Applies the missing ones of {@code scripts}, each in a transaction of its own: SQLite's
   * {@code BEGIN IMMEDIATE} takes the write lock at once, PostgreSQL's runs under the advisory lock
   * {@link #apply(Connection, String, Dialect)} holds.
   */
  private static void apply(Connection c, String db, List<Script> scripts, Dialect dialect)
      throws SQLException, IOException {
    int latest = scripts.isEmpty() ? 0 : number(scripts.get(scripts.size() - 1).name());
    try (Statement s = c.createStatement()) {
      s.executeUpdate("create table if not exists schema_version (version integer not null primary key,"
          + " name text not null, applied_at " + (dialect == Dialect.SQLITE ? "integer" : "bigint") + " not null)");
    }
    refuseNewer(current(c), latest, db);
    for (Script script : scripts) {
      int v = number(script.name());
      if (applied(c, v)) {
        continue;
      }
      begin(c, dialect);
      try (Statement s = c.createStatement()) {
        refuseNewer(current(c), latest, db);      // another process may have migrated since we looked
        if (!applied(c, v)) {
          s.executeUpdate(script.sql());
          try (PreparedStatement p = c.prepareStatement(
              "insert into schema_version (version, name, applied_at) values (?, ?, ?)")) {
            p.setInt(1, v);
            p.setString(2, script.name());
            p.setLong(3, System.currentTimeMillis());
            p.executeUpdate();
          }
        }
        end(c, dialect, "commit");
      } catch (SQLException | IOException | RuntimeException e) {
        try {
          end(c, dialect, "rollback");
        } catch (SQLException r) {
          e.addSuppressed(r);
        }
        if (e instanceof SQLException q) {
          throw new SQLException("migration " + script.name() + ": " + q.getMessage(), q.getSQLState(),
              q.getErrorCode(), q);
        }
        throw e;
      }
    }
  }

  private static void begin(Connection c, Dialect dialect) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      try (Statement s = c.createStatement()) {
        s.executeUpdate("begin immediate");
      }
    } else {
      c.setAutoCommit(false);
    }
  }

  /** Commits or rolls back; the connection is back in auto-commit mode after. */
  private static void end(Connection c, Dialect dialect, String how) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      try (Statement s = c.createStatement()) {
        s.executeUpdate(how);
      }
      return;
    }
    try {
      if (how.equals("commit")) {
        c.commit();
      } else {
        c.rollback();
      }
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static boolean applied(Connection c, int version) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("select 1 from schema_version where version = ?")) {
      p.setInt(1, version);
      try (ResultSet r = p.executeQuery()) {
        return r.next();
      }
    }
  }

  /** The highest migration the database has had; 0 for a new one. */
  static int current(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select coalesce(max(version), 0) from schema_version")) {
      r.next();
      return r.getInt(1);
    }
  }

  private static void refuseNewer(int version, int latest, String db) throws IOException {
    if (version > latest) {
      throw new IOException(db + ": database schema version " + version + " is newer than this Cairn knows ("
          + latest + "); it was written by a newer release, so it is left untouched");
    }
  }

  private static String read(String name) throws IOException {
    try (InputStream in = Migrations.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("migration " + name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
