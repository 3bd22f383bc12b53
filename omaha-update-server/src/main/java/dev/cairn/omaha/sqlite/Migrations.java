package dev.cairn.omaha.sqlite;

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
 * The schema's versions: migration {@code n} is the n-th script of {@link #SCRIPTS}, a classpath
 * resource under {@code migrations/}. A database records the migrations it has had in
 * {@code schema_version}; opening it applies the missing ones in order, each in its own
 * transaction, and refuses a database newer than this code.
 */
final class Migrations {
  private Migrations() {}

  /**
   * In order. A script is never edited once released; a change is a new script. A script runs
   * inside a transaction, so it must not change pragmas that a transaction cannot change.
   */
  static final List<String> SCRIPTS = List.of("001-initial.sql", "002-admin.sql");

  /** The schema version this code writes and reads. */
  static final int LATEST = SCRIPTS.size();

  static {
    for (int i = 0; i < SCRIPTS.size(); i++) {
      if (!SCRIPTS.get(i).startsWith(String.format("%03d-", i + 1))) {
        throw new ExceptionInInitializerError("migration " + (i + 1) + " is named " + SCRIPTS.get(i));
      }
    }
  }

  /** One migration: its file name and its statements. */
  record Script(String name, String sql) {}

  /** The scripts on the class path, in order. */
  static List<Script> bundled() throws IOException {
    List<Script> out = new ArrayList<>();
    for (String name : SCRIPTS) {
      out.add(new Script(name, read(name)));
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

  /** Applies the missing ones of {@code scripts}, where script {@code n} brings the schema to version n. */
  static void apply(Connection c, String db, List<Script> scripts) throws SQLException, IOException {
    int latest = scripts.size();
    try (Statement s = c.createStatement()) {
      s.executeUpdate("create table if not exists schema_version ("
          + "version integer not null primary key, name text not null, applied_at integer not null)");
    }
    refuseNewer(current(c), latest, db);
    for (int v = 1; v <= latest; v++) {
      Script script = scripts.get(v - 1);
      if (current(c) >= v) {
        continue;
      }
      try (Statement s = c.createStatement()) {
        s.executeUpdate("begin immediate");
        try {
          int now = current(c);      // another process may have migrated since we looked
          refuseNewer(now, latest, db);
          if (now < v) {
            s.executeUpdate(script.sql());
            try (PreparedStatement p = c.prepareStatement(
                "insert into schema_version (version, name, applied_at) values (?, ?, ?)")) {
              p.setInt(1, v);
              p.setString(2, script.name());
              p.setLong(3, System.currentTimeMillis());
              p.executeUpdate();
            }
          }
          s.executeUpdate("commit");
        } catch (SQLException | IOException | RuntimeException e) {
          try {
            s.executeUpdate("rollback");
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
    try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + name)) {
      if (in == null) {
        throw new IOException("migration " + name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
