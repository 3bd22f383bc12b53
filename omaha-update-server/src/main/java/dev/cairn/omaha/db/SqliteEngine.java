package dev.cairn.omaha.db;

import dev.cairn.omaha.Store;
import dev.cairn.omaha.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SQLite in one file, in WAL mode with {@code synchronous=FULL}: a write is on disk before its
 * unit of work is answered. SQLite has one writer at a time, so all units of work share one write
 * connection, taken in turn under a lock and each run as {@code BEGIN IMMEDIATE}; checks join a
 * group commit. A second connection serves {@link #healthy()} and the admin reads, which WAL lets
 * run beside a write.
 */
final class SqliteEngine implements Engine {
  private static final int BUSY_TIMEOUT_MS = 5_000;
  private static final int ATTEMPTS = 5;
  /**
   * How often the write-ahead log is copied into the database beside the writer: rarely for a
   * small database, whose few pages are written again and again (a rarer copy takes each of them
   * once for many commits), often for a large one, where every check writes a page of its own and
   * the copy only needs to stay small (see docs/performance.md).
   */
  private static final long CHECKPOINT_SMALL_DB_MS = 100;
  private static final long CHECKPOINT_LARGE_DB_MS = 25;
  /** Databases of more pages than this (4 KiB each: 200 MiB) count as large. */
  private static final long LARGE_DB_PAGES = 50_000;

  private final Path file;
  private final GroupCache cache;
  private final Connection write;
  private final Connection read;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock readLock = new ReentrantLock();
  private final Committer committer = new Committer();
  private final Checkpointer checkpointer;
  private volatile boolean closed;

  private SqliteEngine(Path file, GroupCache cache, Connection write, Connection read) {
    this.file = file;
    this.cache = cache;
    this.write = write;
    this.read = read;
    this.checkpointer = new Checkpointer();
  }

  /**
   * Opens (creating it owner-only if missing) and migrates the database at {@code file}, waiting
   * at most {@code busyTimeoutMs} for another writer each try.
   *
   * @throws IOException naming the file when it cannot be opened, is not a database, cannot use
   *     WAL, or has a schema newer than this code
   */
  static SqliteEngine open(Path dbFile, GroupCache cache, int busyTimeoutMs) throws IOException {
    Path file = dbFile.toAbsolutePath();
    // Made here, owner-only, before SQLite opens it: SQLite gives the -wal and -shm files the mode
    // of the database file, so all three stay 0600 whatever the process umask.
    try {
      OwnerOnly.createFile(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(file + ": no such directory " + file.getParent(), e);
    }
    Connection write = null;
    Connection read = null;
    try {
      write = connect(file, busyTimeoutMs);
      try (Statement s = write.createStatement(); ResultSet r = s.executeQuery("pragma journal_mode = wal")) {
        String mode = r.next() ? r.getString(1) : "";
        if (!"wal".equalsIgnoreCase(mode)) {
          throw new IOException(file + ": cannot use write-ahead logging (journal mode stays '" + mode
              + "'); is the file on a network file system?");
        }
      }
      Migrations.apply(write, file.toString(), Dialect.SQLITE);
      read = connect(file, busyTimeoutMs);
      try (Statement s = read.createStatement()) {
        s.executeUpdate("pragma query_only = 1");
      }
      return new SqliteEngine(file, cache, write, read);
    } catch (SQLException e) {
      IOException failure = new IOException(file + ": " + e.getMessage(), e);
      closeQuietly(read, failure);
      closeQuietly(write, failure);
      throw failure;
    } catch (IOException | RuntimeException e) {
      closeQuietly(read, e);
      closeQuietly(write, e);
      throw e;
    }
  }

  private static Connection connect(Path file, int busyTimeoutMs) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement s = c.createStatement()) {
      s.executeUpdate("pragma busy_timeout = " + busyTimeoutMs);
      s.executeUpdate("pragma foreign_keys = on");
      s.executeUpdate("pragma synchronous = full");
      return c;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c, e);
      throw e;
    }
  }

  private static void closeQuietly(Connection c, Exception into) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        into.addSuppressed(e);
      }
    }
  }


  /** The database file. */
  Path file() {
    return file;
  }

  @Override
  public Dialect dialect() {
    return Dialect.SQLITE;
  }

  @Override
  public String where() {
    return file.toString();
  }

  /** The work joins the next group commit; the future completes on the commit thread once that commit is on disk. */
  @Override
  public <T> CompletableFuture<T> submit(Store.Work<T> work) {
    try {
      ensureOpen();
    } catch (IllegalStateException closedAlready) {
      return CompletableFuture.failedFuture(closedAlready);
    }
    if (writeLock.isHeldByCurrentThread()) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "transactions do not nest: run the inner work with the outer Tx"));
    }
    Pending<T> p = new Pending<>(work);
    committer.submit(p);
    return p.done;
  }

  /** A unit of work waiting for the group commit, and then its outcome. */
  private static final class Pending<T> {
    final Store.Work<T> work;
    final CompletableFuture<T> done = new CompletableFuture<>();

    Pending(Store.Work<T> work) {
      this.work = work;
    }
  }

  /**
   * Group commit: one thread takes every unit of work waiting, runs each in its own savepoint
   * inside one transaction, commits once (one fsync for the lot), and only then answers each. A
   * unit that fails rolls back to its savepoint alone. When the batch cannot commit (the database
   * stays busy), each unit runs again on its own with the usual retries.
   */
  private final class Committer {
    private final java.util.concurrent.LinkedBlockingQueue<Pending<?>> queue = new java.util.concurrent.LinkedBlockingQueue<>();
    private final Thread thread;

    Committer() {
      thread = new Thread(this::loop, "cairn-sqlite-commit");
      thread.setDaemon(true);
      thread.start();
    }

    void submit(Pending<?> p) {
      queue.add(p);
    }

    private void loop() {
      List<Pending<?>> batch = new ArrayList<>();
      while (true) {
        try {
          batch.add(queue.take());
        } catch (InterruptedException e) {
          return;
        }
        queue.drainTo(batch, 256);
        runBatch(batch);
        batch.clear();
      }
    }

    private void runBatch(List<Pending<?>> batch) {
      writeLock.lock();
      try {
        if (closed) {
          batch.forEach(p -> p.done.completeExceptionally(new IllegalStateException(file + ": the store is closed")));
          return;
        }
        List<Object> results = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        try {
          exec(write, "begin immediate");
          for (Pending<?> p : batch) {
            Sql.update(write, "savepoint unit");
            SqlTx tx = new SqlTx(write, Dialect.SQLITE, cache);
            try {
              Object r = p.work.run(tx);
              tx.end();
              Sql.update(write, "release unit");
              results.add(r);
              errors.add(null);
            } catch (SqlTx.Failure e) {
              tx.end();
              Sql.update(write, "rollback to unit");
              Sql.update(write, "release unit");
              results.add(null);
              errors.add(failure(e.sql()));
            } catch (RuntimeException | Error e) {
              tx.end();
              Sql.update(write, "rollback to unit");
              Sql.update(write, "release unit");
              results.add(null);
              errors.add(e);
            }
          }
          exec(write, "commit");
        } catch (SQLException e) {
          rollback(e);
          writeLock.unlock();
          try {
            for (Pending<?> p : batch) {
              alone(p);
            }
          } finally {
            writeLock.lock();
          }
          return;
        }
        for (int i = 0; i < batch.size(); i++) {
          complete(batch.get(i), results.get(i), errors.get(i));
        }
      } finally {
        writeLock.unlock();
      }
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(Pending<T> p, Object result, Throwable error) {
      if (error != null) {
        p.done.completeExceptionally(error);
      } else {
        p.done.complete((T) result);
      }
    }

    private <T> void alone(Pending<T> p) {
      try {
        p.done.complete(inTransaction(p.work::run));
      } catch (RuntimeException | Error e) {
        p.done.completeExceptionally(e);
      }
    }
  }

  /**
   * Copies the write-ahead log into the database beside the writer, on a connection of its own, so
   * that the commit that crosses the log's size limit rarely has much left to copy (and fsync)
   * while checks wait for it. A passive checkpoint never blocks the writer or the readers.
   */
  private final class Checkpointer {
    private final Thread thread;

    Checkpointer() {
      thread = new Thread(this::loop, "cairn-sqlite-checkpoint");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      Connection c = null;
      try {
        c = connect(file, BUSY_TIMEOUT_MS);
        long every = CHECKPOINT_SMALL_DB_MS;
        while (!closed) {
          Thread.sleep(every);
          try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("pragma wal_checkpoint(passive)")) {
            r.next();
          } catch (SQLException e) {
            // busy or closing: the writer's own checkpoint still bounds the log
          }
          try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("pragma page_count")) {
            every = r.next() && r.getLong(1) > LARGE_DB_PAGES ? CHECKPOINT_LARGE_DB_MS : CHECKPOINT_SMALL_DB_MS;
          } catch (SQLException e) {
            // keep the interval
          }
        }
      } catch (InterruptedException | SQLException e) {
        // stopping, or no connection: the writer's own checkpoint still bounds the log
      } finally {
        if (c != null) {
          try {
            c.close();
          } catch (SQLException ignored) {
            // nothing to keep
          }
        }
      }
    }

    void stop() {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Runs {@code work} between {@code BEGIN IMMEDIATE} and {@code COMMIT}, rolls back and rethrows
   * whatever it throws, and runs it again (up to {@value #ATTEMPTS} times) when the database stays
   * busy past the busy timeout, as another process holding the write lock can make it.
   */
  @Override
  public <T> T inTransaction(SqlWork<T> work) {
    if (writeLock.isHeldByCurrentThread()) {
      throw new IllegalStateException("transactions do not nest: run the inner work with the outer Tx");
    }
    writeLock.lock();
    try {
      ensureOpen();
      for (int attempt = 1; ; attempt++) {
        Attempt<T> a = attempt(work);
        cache.clear();
        if (a.failure() == null) {
          return a.result();
        }
        if (!busy(a.failure()) || attempt == ATTEMPTS) {
          throw failure(a.failure());
        }
        backoff(attempt);
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** A committed result, or the database failure that rolled the attempt back. */
  private record Attempt<T>(T result, SQLException failure) {}

  private <T> Attempt<T> attempt(SqlWork<T> work) {
    try {
      exec(write, "begin immediate");
    } catch (SQLException e) {
      return new Attempt<>(null, e);
    }
    SqlTx tx = new SqlTx(write, Dialect.SQLITE);
    try {
      T r = work.run(tx);
      tx.end();
      exec(write, "commit");
      return new Attempt<>(r, null);
    } catch (SQLException | SqlTx.Failure e) {
      tx.end();
      SQLException sql = e instanceof SqlTx.Failure f ? f.sql() : (SQLException) e;
      rollback(sql);
      return new Attempt<>(null, sql);
    } catch (RuntimeException | Error e) {
      tx.end();
      rollback(e);
      throw e;
    }
  }

  /** Rolls back; SQLite may already have, after some errors, and then says so. */
  private void rollback(Throwable cause) {
    try {
      exec(write, "rollback");
    } catch (SQLException e) {
      if (e.getMessage() == null || !e.getMessage().contains("no transaction is active")) {
        cause.addSuppressed(e);
      }
    }
  }

  private static boolean busy(SQLException e) {
    int primary = e.getErrorCode() & 0xFF;
    return primary == 5 || primary == 6;    // SQLITE_BUSY, SQLITE_LOCKED
  }

  private static void backoff(int attempt) {
    try {
      Thread.sleep(20L * attempt * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the database was busy", e);
    }
  }

  private UncheckedIOException failure(SQLException e) {
    return new UncheckedIOException(new IOException(file + ": " + e.getMessage(), e));
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }

  @Override
  public <T> T read(SqlRead<T> work) {
    readLock.lock();
    try {
      ensureOpen();
      return work.run(read);
    } catch (SQLException e) {
      throw failure(e);
    } finally {
      readLock.unlock();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(file + ": the store is closed");
    }
  }

  @Override
  public boolean healthy() {
    readLock.lock();
    try (Statement s = read.createStatement(); ResultSet r = s.executeQuery("select 1")) {
      return !closed && r.next() && r.getInt(1) == 1;
    } catch (SQLException e) {
      return false;
    } finally {
      readLock.unlock();
    }
  }

  /** Waits for a running unit of work, checkpoints the write-ahead log into the database and closes. */
  @Override
  public void close() {
    writeLock.lock();
    readLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      committer.thread.interrupt();
      checkpointer.stop();
      SQLException failure = null;
      try {
        exec(write, "pragma wal_checkpoint(truncate)");
      } catch (SQLException e) {
        failure = e;
      }
      for (Connection c : List.of(read, write)) {
        try {
          Sql.forget(c);
          c.close();
        } catch (SQLException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure(failure);
      }
    } finally {
      readLock.unlock();
      writeLock.unlock();
    }
  }
}
