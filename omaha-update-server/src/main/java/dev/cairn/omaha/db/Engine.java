package dev.cairn.omaha.db;

import dev.cairn.omaha.Store;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

/**
 * How the store's units of work reach one database: SQLite's single writer with group commit
 * ({@link SqliteEngine}) or a pool of PostgreSQL connections shared by several servers
 * ({@link PostgresEngine}). The SQL itself is the store's, the same on both but for {@link Dialect}.
 */
interface Engine extends AutoCloseable {
  /** A unit of work with a connection in its transaction. */
  interface SqlWork<T> {
    T run(SqlTx tx) throws SQLException;
  }

  /** A read outside any unit of work. */
  interface SqlRead<T> {
    T run(Connection c) throws SQLException;
  }

  Dialect dialect();

  /** The database, as messages name it: the file, or the URL without credentials. */
  String where();

  /**
   * Runs admin work in a transaction of its own (not through the check cache), commits it, and
   * makes what checks cache stale on every server; runs it again when the database asks for that.
   * A database failure is an {@link java.io.UncheckedIOException} naming {@link #where()}.
   */
  <T> T inTransaction(SqlWork<T> work);

  /** Runs a check's unit of work; the future completes once it is committed or has failed. */
  <T> CompletableFuture<T> submit(Store.Work<T> work);

  <T> T read(SqlRead<T> work);

  boolean healthy();

  @Override
  void close();
}
