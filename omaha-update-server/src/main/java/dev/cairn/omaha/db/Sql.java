package dev.cairn.omaha.db;

import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Store.EventRecord;
import dev.cairn.omaha.Store.HistoryRecord;
import dev.cairn.omaha.Store.InstanceRecord;
import dev.cairn.omaha.Version;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Statements with bound parameters, and the mapping between rows and records. */
final class Sql {
  private Sql() {}

  /** A row mapper that may throw what JDBC throws. */
  interface Row<T> {
    T map(ResultSet r) throws SQLException;
  }

  /**
   * Prepared statements, kept per connection and reused: compiling SQL costs more than running
   * these small statements. A connection is used by one thread at a time (under the store's locks),
   * so its statements are too. They close with their connection.
   */
  private static final Map<Connection, Map<String, PreparedStatement>> CACHE =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    // A pooled connection is a new wrapper each time it is lent: keep the statements with the
    // connection underneath, which lives as long as they may.
    Connection own = c.isWrapperFor(Connection.class) ? c.unwrap(Connection.class) : c;
    Map<String, PreparedStatement> mine = CACHE.computeIfAbsent(own, k -> new java.util.HashMap<>());
    PreparedStatement p = mine.get(sql);
    if (p == null || p.isClosed()) {
      p = own.prepareStatement(sql);
      mine.put(sql, p);
    }
    p.clearParameters();
    for (int i = 0; i < args.length; i++) {
      bind(p, i + 1, args[i]);
    }
    return p;
  }

  /** Forgets the connection's statements (before it closes). */
  static void forget(Connection c) {
    Map<String, PreparedStatement> mine = CACHE.remove(c);
    if (mine == null) {
      try {
        mine = c.isWrapperFor(Connection.class) ? CACHE.remove(c.unwrap(Connection.class)) : null;
      } catch (SQLException e) {
        mine = null;
      }
    }
    if (mine != null) {
      for (PreparedStatement p : mine.values()) {
        try {
          p.close();
        } catch (SQLException ignored) {
          // closing the connection closes it anyway
        }
      }
    }
  }

  private static void bind(PreparedStatement p, int i, Object v) throws SQLException {
    if (v == null) {
      p.setNull(i, Types.NULL);
    } else if (v instanceof String s) {
      p.setString(i, s);
    } else if (v instanceof Integer n) {
      p.setInt(i, n);
    } else if (v instanceof Long n) {
      p.setLong(i, n);
    } else if (v instanceof Boolean b) {
      p.setInt(i, b ? 1 : 0);
    } else if (v instanceof Instant t) {
      p.setLong(i, t.toEpochMilli());
    } else if (v instanceof Version ver) {
      p.setString(i, ver.toString());
    } else if (v instanceof Enum<?> e) {
      p.setString(i, e.name());
    } else {
      throw new IllegalArgumentException("cannot bind a " + v.getClass().getName());
    }
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    return prepare(c, sql, args).executeUpdate();
  }

  /** Inserts a row and answers the id it got. */
  static long insert(Connection c, String sql, Object... args) throws SQLException {
    return one(c, sql + " returning id", r -> r.getLong(1), args).orElseThrow();
  }

  static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (ResultSet r = prepare(c, sql, args).executeQuery()) {
      List<T> out = new ArrayList<>();
      while (r.next()) {
        out.add(row.map(r));
      }
      return out;
    }
  }

  static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (ResultSet r = prepare(c, sql, args).executeQuery()) {
      return r.next() ? Optional.of(row.map(r)) : Optional.empty();
    }
  }

  static Optional<Instant> instant(ResultSet r, String column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
  }

  static Optional<Long> optionalLong(ResultSet r, String column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? Optional.empty() : Optional.of(v);
  }

  static InstanceStatus status(String name) {
    return name == null ? null : InstanceStatus.valueOf(name);
  }

  /** A version as stored: normalised when it parses, as written when it does not. */
  static String versionText(String text) {
    Version v = Version.tryParse(text);
    return v == null ? text : v.toString();
  }

  static final String PACKAGE_COLUMNS = "p.version, p.board, p.name, p.size, p.sha1, p.sha256, p.base_url";

  static Package pkg(ResultSet r) throws SQLException {
    return new Package(Version.parse(r.getString("version")), r.getString("board"), r.getString("name"),
        r.getLong("size"), r.getString("sha1"), r.getString("sha256"), r.getString("base_url"));
  }

  static final String INSTANCE_COLUMNS = "app_id, machine_id, track, version, boot_id, oem, oem_version,"
      + " aleph_version, alias, ip, status, granted_version, granted_at, last_check, last_hold, last_error_code,"
      + " last_error_flags, truncated, grant_boot_id, progressed";

  static InstanceRecord instance(ResultSet r) throws SQLException {
    String granted = r.getString("granted_version");
    return new InstanceRecord(r.getString("app_id"), r.getString("machine_id"), r.getString("track"),
        r.getString("version"), r.getString("boot_id"), r.getString("oem"), r.getString("oem_version"),
        r.getString("aleph_version"), r.getString("alias"), r.getString("ip"), status(r.getString("status")),
        Optional.ofNullable(granted).map(Version::parse), instant(r, "granted_at"), instant(r, "last_check"),
        r.getString("last_hold"), r.getInt("last_error_code"), r.getInt("last_error_flags"),
        truncated(r.getString("truncated")), r.getString("grant_boot_id"), r.getInt("progressed") != 0);
  }

  /** The instance's truncated column: attribute names, comma-separated; null for none. */
  static List<String> truncated(String text) {
    return text == null || text.isEmpty() ? List.of() : List.of(text.split(","));
  }

  static String truncated(List<String> names) {
    return names.isEmpty() ? null : String.join(",", names);
  }

  static EventRecord event(ResultSet r) throws SQLException {
    return new EventRecord(r.getString("app_id"), r.getString("machine_id"), Instant.ofEpochMilli(r.getLong("at")),
        r.getInt("type"), r.getInt("result"), r.getInt("error_code"), r.getInt("error_flags"),
        r.getString("previous_version"), r.getString("version"), r.getInt("brake") != 0);
  }

  static HistoryRecord history(ResultSet r) throws SQLException {
    return new HistoryRecord(r.getString("app_id"), r.getString("machine_id"), Instant.ofEpochMilli(r.getLong("at")),
        status(r.getString("from_status")), status(r.getString("to_status")), r.getString("version"),
        r.getString("detail"));
  }
}
