package dev.cairn.omaha.db;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The database the store and HTTP tests run on: SQLite in the test's directory, or, when the
 * system property {@code cairn.test.database} is {@code postgresql} (the second run of the suite),
 * a new database of the tests' own PostgreSQL server ({@link PostgresServer#shared()}) for each
 * path a test names. Opening the same path again opens the same database, so tests that close and
 * reopen a store see what they wrote.
 */
public final class TestDatabase {
  private TestDatabase() {}

  /** The connections a test store keeps to PostgreSQL. */
  static final int POOL = 8;

  private static final Map<Path, PostgresServer.Database> DATABASES = new ConcurrentHashMap<>();

  /** Whether this run of the suite is on PostgreSQL. */
  public static boolean postgres() {
    return "postgresql".equals(System.getProperty("cairn.test.database"));
  }

  public static SqlStore open(Path sqliteFile) throws IOException {
    return open(sqliteFile, Clock.systemUTC());
  }

  public static SqlStore open(Path sqliteFile, Clock clock) throws IOException {
    if (!postgres()) {
      return SqlStore.open(sqliteFile, clock);
    }
    return SqlStore.open(postgresFor(sqliteFile), POOL, clock);
  }

  /** The PostgreSQL database that stands for {@code sqliteFile} in this run, made on first use. */
  public static PostgresDatabase postgresFor(Path sqliteFile) throws IOException {
    PostgresServer.Database d = database(sqliteFile);
    return PostgresDatabase.parse(d.url().replace("postgresql://", "postgresql://" + d.user() + "@"), d.password());
  }

  private static PostgresServer.Database database(Path sqliteFile) throws IOException {
    Path key = sqliteFile.toAbsolutePath().normalize();
    PostgresServer.Database d = DATABASES.get(key);
    if (d == null) {
      d = PostgresServer.shared().newDatabase();
      PostgresServer.Database raced = DATABASES.putIfAbsent(key, d);
      d = raced != null ? raced : d;
    }
    return d;
  }

  /** A plain JDBC connection to the database of {@code sqliteFile}, for tests that look underneath the store. */
  public static Connection connect(Path sqliteFile) throws IOException, SQLException {
    if (!postgres()) {
      return DriverManager.getConnection("jdbc:sqlite:" + sqliteFile);
    }
    PostgresServer.Database d = database(sqliteFile);
    return DriverManager.getConnection(d.jdbcUrl(), d.user(), d.password());
  }
}
