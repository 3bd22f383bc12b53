package dev.cairn.omaha.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * {@code cairn db migrate}: copies an installation's SQLite database into a new, empty PostgreSQL
 * database. Both are first brought to {@link Migrations#LATEST}; the target must hold no row but
 * the schema's own bookkeeping ({@code schema_version}, {@code cache_generation}). The SQLite file
 * is read in one read transaction (a snapshot of it as the copy starts); every table of
 * {@link #TABLES} is written, in that (foreign-key) order, in one PostgreSQL transaction with
 * batched inserts; identity sequences are moved past the copied ids; then the row counts and a
 * sample of rows of each table are read back and compared with SQLite's before the transaction
 * commits. Any difference rolls everything back, leaving the target empty.
 */
public final class DatabaseCopy {
  private DatabaseCopy() {}

  /**
   * The tables copied, parents before children: every foreign key points at a table earlier in
   * the list. A new table must be added here ({@code DatabaseCopyTest} fails until it is).
   */
  static final List<String> TABLES = List.of("app", "package", "channel", "channel_floor", "channel_blacklist",
      "grp", "instance", "event", "instance_history", "activity", "image", "machine", "machine_install",
      "reboot_holder", "grant_tally", "failure_tally", "target_tally", "instance_tally");

  /** The schema's own bookkeeping, written by migrating the target: never copied, may hold rows. */
  static final Set<String> NOT_COPIED = Set.of("schema_version", "cache_generation");

  /** Rows per JDBC batch. */
  static final int BATCH = 1_000;

  /** Rows of each table read back and compared, at most. */
  static final int SAMPLE = 200;

  /** One table copied: its name, its rows, and how many of them were read back and compared. */
  public record Table(String name, long rows, int sampled) {}

  /** What was copied. */
  public record Result(List<Table> tables) {
    public long rows() {
      return tables.stream().mapToLong(Table::rows).sum();
    }

    public long sampled() {
      return tables.stream().mapToLong(Table::sampled).sum();
    }
  }

  /**
   * Copies {@code source} (a SQLite database file, which must exist) into {@code target}, telling
   * {@code progress} what it does, a line at a time.
   *
   * @throws IllegalArgumentException when the target holds rows already (it is left untouched)
   * @throws IOException naming the file or the database when either cannot be read or written,
   *     or when what was written differs from what was read (the copy is rolled back)
   */
  public static Result copy(Path source, PostgresDatabase target, Consumer<String> progress) throws IOException {
    Path file = source.toAbsolutePath();
    String shown = source.toString();   // as the operator named it
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(shown, null,
          "no such SQLite database (give the file cairn serve uses with --from)");
    }
    Properties props = target.properties();
    if (!target.options().containsKey("application_name")) {
      props.setProperty("ApplicationName", "cairn db migrate");
    }
    try (Connection pg = DriverManager.getConnection(target.jdbcUrl(), props)) {
      refuseRows(pg, target, existingTables(pg));
      SqlStore.open(file).close();   // brings the file to the latest schema
      Migrations.apply(pg, target.url(), Dialect.POSTGRESQL);
      progress.accept("target " + target.url() + ": empty, schema version " + Migrations.current(pg));
      try (Connection sqlite = DriverManager.getConnection("jdbc:sqlite:" + file)) {
        try (Statement s = sqlite.createStatement()) {
          s.executeUpdate("pragma busy_timeout = 5000");
          s.executeUpdate("pragma query_only = 1");
        }
        sqlite.setAutoCommit(false);   // one read transaction: a snapshot of the file
        try {
          progress.accept("source " + shown + ": schema version " + Migrations.current(sqlite));
          return copy(sqlite, shown, pg, target.url(), progress);
        } finally {
          sqlite.rollback();
        }
      } catch (SQLException e) {
        throw new IOException(shown + ": " + e.getMessage(), e);
      }
    } catch (SQLException e) {
      throw new IOException(target.url() + ": " + e.getMessage(), e);
    }
  }

  /** The copy itself, in one transaction on {@code pg}; the connections are the caller's. */
  private static Result copy(Connection sqlite, String file, Connection pg, String url, Consumer<String> progress)
      throws IOException, SQLException {
    checkTables(sqliteTables(sqlite), file);
    checkTables(existingTables(pg), url);
    pg.setAutoCommit(false);
    try {
      try (Statement s = pg.createStatement()) {
        // Nothing else writes these tables until the copy commits; a second copy waits here.
        s.execute("lock table " + String.join(", ", TABLES) + " in exclusive mode");
      }
      refuseRows(pg, url, TABLES);
      List<Table> done = new ArrayList<>();
      Map<String, List<Sampled>> samples = new LinkedHashMap<>();
      for (String table : TABLES) {
        List<Sampled> sampled = new ArrayList<>();
        long rows = copyTable(sqlite, file, pg, url, table, sampled, progress);
        samples.put(table, sampled);
        done.add(new Table(table, rows, sampled.size()));
      }
      progress.accept("verifying row counts and " + done.stream().mapToLong(Table::sampled).sum() + " sampled rows");
      for (Table t : done) {
        verify(pg, url, t, samples.get(t.name()));
      }
      pg.commit();
      progress.accept("committed");
      return new Result(List.copyOf(done));
    } catch (IOException | SQLException | RuntimeException e) {
      try {
        pg.rollback();
      } catch (SQLException r) {
        e.addSuppressed(r);
      }
      throw e;
    } finally {
      try {
        pg.setAutoCommit(true);
      } catch (SQLException ignored) {
        // the connection is closed next
      }
    }
  }

  /** A row read from SQLite and kept to be compared with what PostgreSQL has under its key. */
  private record Sampled(List<Object> key, List<Object> row) {}

  private static long copyTable(Connection sqlite, String file, Connection pg, String url, String table,
      List<Sampled> sampled, Consumer<String> progress) throws IOException, SQLException {
    Columns target = columns(pg, table);
    List<String> key = primaryKey(pg, table);
    Columns source = columns(sqlite, table);
    if (!new TreeSet<>(source.names()).equals(new TreeSet<>(target.names()))) {
      throw new IllegalStateException("table " + table + " has columns " + source.names() + " in " + file
          + " but " + target.names() + " in " + url);
    }
    long count = count(sqlite, table);
    progress.accept("copying " + table + " (" + count + (count == 1 ? " row)" : " rows)"));
    Set<Long> pick = sampleIndexes(count, SAMPLE);
    List<String> names = target.names();
    String list = String.join(", ", names);
    String insert = "insert into " + table + " (" + list + ") values ("
        + String.join(", ", names.stream().map(n -> "?").toList()) + ")";
    long n = 0;
    int pending = 0;
    try (Statement read = sqlite.createStatement();
        ResultSet r = read.executeQuery("select " + list + " from " + table + " order by " + String.join(", ", key));
        PreparedStatement write = pg.prepareStatement(insert)) {
      while (r.next()) {
        List<Object> row = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
          Object v = r.getObject(i + 1);
          row.add(v);
          bind(write, i + 1, v, target.types().get(i), table, names.get(i));
        }
        write.addBatch();
        if (pick.contains(n)) {
          List<Object> k = new ArrayList<>();
          for (String c : key) {
            k.add(row.get(names.indexOf(c)));
          }
          sampled.add(new Sampled(k, row));
        }
        n++;
        if (++pending == BATCH) {
          execute(write, url, table);
          pending = 0;
        }
      }
      if (pending > 0) {
        execute(write, url, table);
      }
    }
    if (n != count) {
      throw new IOException(file + ": table " + table + " counted " + count + " rows but " + n + " were read");
    }
    for (String identity : identityColumns(pg, table)) {
      try (PreparedStatement p = pg.prepareStatement("select setval(pg_get_serial_sequence(?, ?), coalesce(max("
          + identity + "), 0) + 1, false) from " + table)) {
        p.setString(1, table);
        p.setString(2, identity);
        p.executeQuery().close();
      }
    }
    return n;
  }

  private static void execute(PreparedStatement write, String url, String table) throws IOException, SQLException {
    try {
      write.executeBatch();
    } catch (BatchUpdateException e) {
      SQLException cause = e.getNextException() != null ? e.getNextException() : e;
      throw new IOException(url + ": copying table " + table + ": " + cause.getMessage()
          + "; rolled back, the target holds no copied row", e);
    }
  }

  /** Binds a SQLite value as the target column's type wants it; null as a null of that type. */
  private static void bind(PreparedStatement p, int i, Object v, int type, String table, String column)
      throws SQLException {
    if (v == null) {
      p.setNull(i, type);
    } else if (isInteger(type)) {
      if (!(v instanceof Integer || v instanceof Long)) {
        throw new IllegalStateException("table " + table + " column " + column + " holds '" + v
            + "', not an integer");
      }
      p.setLong(i, ((Number) v).longValue());
    } else {
      p.setString(i, v.toString());
    }
  }

  private static boolean isInteger(int type) {
    return type == Types.BIGINT || type == Types.INTEGER || type == Types.SMALLINT;
  }

  /** Counts agree and every sampled row reads back from PostgreSQL as it was read from SQLite. */
  private static void verify(Connection pg, String url, Table t, List<Sampled> sampled)
      throws IOException, SQLException {
    long there = count(pg, t.name());
    if (there != t.rows()) {
      throw new IOException(url + ": verification failed: table " + t.name() + " has " + there
          + " rows, SQLite " + t.rows() + "; rolled back");
    }
    if (sampled.isEmpty()) {
      return;
    }
    List<String> names = columns(pg, t.name()).names();
    List<String> key = primaryKey(pg, t.name());
    String where = String.join(" and ", key.stream().map(c -> c + " = ?").toList());
    try (PreparedStatement p = pg.prepareStatement("select " + String.join(", ", names) + " from " + t.name()
        + " where " + where)) {
      for (Sampled s : sampled) {
        for (int i = 0; i < key.size(); i++) {
          Object k = s.key().get(i);
          if (isWhole(k)) {
            p.setLong(i + 1, ((Number) k).longValue());
          } else {
            p.setString(i + 1, String.valueOf(k));
          }
        }
        List<Object> back = new ArrayList<>();
        try (ResultSet r = p.executeQuery()) {
          if (!r.next()) {
            throw new IOException(url + ": verification failed: table " + t.name() + " row "
                + describeKey(key, s.key()) + " is missing; rolled back");
          }
          for (int i = 0; i < names.size(); i++) {
            back.add(r.getObject(i + 1));
          }
        }
        String diff = difference(t.name(), key, s.key(), names, s.row(), back);
        if (diff != null) {
          throw new IOException(url + ": verification failed: " + diff + "; rolled back");
        }
      }
    }
  }

  /**
   * Where {@code copied} (read back from PostgreSQL) differs from {@code original} (read from
   * SQLite): the table, the row's key and the column with both values; null when they agree.
   * Integers compare as numbers, everything else as text.
   */
  static String difference(String table, List<String> key, List<Object> keyValues, List<String> columns,
      List<Object> original, List<Object> copied) {
    for (int i = 0; i < columns.size(); i++) {
      Object a = original.get(i);
      Object b = copied.get(i);
      boolean same = a == null || b == null ? a == b
          : isWhole(a) && isWhole(b) ? ((Number) a).longValue() == ((Number) b).longValue()
          : a.toString().equals(b.toString());
      if (!same) {
        return "table " + table + " row " + describeKey(key, keyValues) + " column " + columns.get(i)
            + ": SQLite has " + shown(a) + ", PostgreSQL " + shown(b);
      }
    }
    return null;
  }

  private static boolean isWhole(Object v) {
    return v instanceof Integer || v instanceof Long;
  }

  private static String shown(Object v) {
    return v == null ? "null" : v instanceof Number ? v.toString() : "'" + v + "'";
  }

  private static String describeKey(List<String> key, List<Object> values) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < key.size(); i++) {
      parts.add(key.get(i) + "=" + values.get(i));
    }
    return "(" + String.join(", ", parts) + ")";
  }

  /**
   * The row numbers (0-based, in key order) compared of a table of {@code rows}: all of them when
   * there are at most {@code max}, else the first, the last and evenly spaced ones between.
   */
  static Set<Long> sampleIndexes(long rows, int max) {
    Set<Long> out = new TreeSet<>();
    if (rows <= max) {
      for (long i = 0; i < rows; i++) {
        out.add(i);
      }
      return out;
    }
    for (int i = 0; i < max; i++) {
      out.add(i * (rows - 1) / (max - 1));
    }
    return out;
  }

  /** A table's columns in order, with their JDBC types. */
  private record Columns(List<String> names, List<Integer> types) {}

  private static Columns columns(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select * from " + table + " where 1 = 0")) {
      ResultSetMetaData m = r.getMetaData();
      List<String> names = new ArrayList<>();
      List<Integer> types = new ArrayList<>();
      for (int i = 1; i <= m.getColumnCount(); i++) {
        names.add(m.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
        types.add(m.getColumnType(i));
      }
      return new Columns(names, types);
    }
  }

  /** The PostgreSQL table's primary key columns, in key order. */
  private static List<String> primaryKey(Connection pg, String table) throws SQLException {
    Map<Integer, String> byPosition = new TreeMap<>();
    DatabaseMetaData m = pg.getMetaData();
    try (ResultSet r = m.getPrimaryKeys(null, pg.getSchema(), table)) {
      while (r.next()) {
        byPosition.put(r.getInt("KEY_SEQ"), r.getString("COLUMN_NAME"));
      }
    }
    if (byPosition.isEmpty()) {
      throw new IllegalStateException("table " + table + " has no primary key to sample its rows by");
    }
    return List.copyOf(byPosition.values());
  }

  private static List<String> identityColumns(Connection pg, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement p = pg.prepareStatement("select column_name from information_schema.columns"
        + " where table_schema = current_schema() and table_name = ? and is_identity = 'YES' order by ordinal_position")) {
      p.setString(1, table);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.add(r.getString(1));
        }
      }
    }
    return out;
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from " + table)) {
      r.next();
      return r.getLong(1);
    }
  }

  /** The tables of PostgreSQL's current schema. */
  private static List<String> existingTables(Connection pg) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = pg.createStatement(); ResultSet r = s.executeQuery("select table_name from"
        + " information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'"
        + " order by table_name")) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  private static List<String> sqliteTables(Connection sqlite) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = sqlite.createStatement(); ResultSet r = s.executeQuery("select name from sqlite_master"
        + " where type = 'table' and name not like 'sqlite_%' order by name")) {
      while (r.next()) {
        out.add(r.getString(1));
      }
    }
    return out;
  }

  /** The database has exactly the tables of the schema: the copy knows every one of them. */
  private static void checkTables(List<String> tables, String where) {
    Set<String> expected = new TreeSet<>(TABLES);
    expected.addAll(NOT_COPIED);
    if (!new TreeSet<>(tables).equals(expected)) {
      throw new IllegalStateException(where + ": tables " + new TreeSet<>(tables) + " are not the ones this Cairn"
          + " copies " + expected);
    }
  }

  /**
   * Refuses a target with a row in any of {@code tables} other than the bookkeeping ones, naming
   * each such table and its rows.
   */
  private static void refuseRows(Connection pg, Object target, List<String> tables) throws SQLException {
    Map<String, Long> rows = new LinkedHashMap<>();
    List<String> inOrder = new ArrayList<>(tables);   // the copy's order, then tables it does not know
    inOrder.sort(java.util.Comparator.comparingInt(t -> TABLES.contains(t) ? TABLES.indexOf(t) : TABLES.size()));
    for (String t : inOrder) {
      if (NOT_COPIED.contains(t)) {
        continue;
      }
      long n = count(pg, quoted(t));
      if (n > 0) {
        rows.put(t, n);
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    List<String> parts = new ArrayList<>();
    rows.forEach((t, n) -> parts.add(t + " " + n + (n == 1 ? " row" : " rows")));
    boolean seeded = Set.of("app", "channel", "grp").containsAll(rows.keySet());
    throw new IllegalArgumentException(target + ": the target database is not empty (" + String.join(", ", parts)
        + ")" + (seeded ? ": these are the CoreOS app, its channels and groups that cairn serve writes when it"
            + " first starts, and they count too" : "")
        + "; nothing was changed: point --to at a new, empty database");
  }

  private static String quoted(String table) {
    return TABLES.contains(table) ? table : "\"" + table.replace("\"", "\"\"") + "\"";
  }
}
