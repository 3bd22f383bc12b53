package dev.cairn.omaha.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.cairn.omaha.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PostgreSQL, shared by any number of servers: a pool of connections, each unit of work in a
 * transaction of its own at read committed, on a thread of the store's so that no request thread
 * waits for the database. PostgreSQL groups the commits of concurrent transactions into one WAL
 * flush itself, which is what the SQLite engine's group commit does by hand.
 *
 * <p>What must not interleave across servers takes a lock for the rest of its transaction: a
 * check that counts its group's grants locks the group's row first ({@link SqlTx#stats}), and
 * everything one machine does runs under that machine's advisory lock. A unit that finds what it read changed under it, or
 * that PostgreSQL picks as a deadlock's victim, is rolled back and run again.
 */
final class PostgresEngine implements Engine {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(PostgresEngine.class.getName());
  /** How many times a unit runs before the database's refusal is its answer. */
  private static final int ATTEMPTS = 20;
  /** SQLSTATEs after which a unit runs again: serialization failure, deadlock, unique violation. */
  private static final Set<String> RETRY = Set.of("40001", "40P01", "23505");

  private final PostgresDatabase database;
  private final GroupCache cache;
  private final HikariDataSource pool;
  private final ExecutorService workers;
  private final ThreadLocal<Boolean> inUnit = ThreadLocal.withInitial(() -> false);
  private volatile boolean closed;

  private PostgresEngine(PostgresDatabase database, GroupCache cache, HikariDataSource pool, int threads) {
    this.database = database;
    this.cache = cache;
    this.pool = pool;
    AtomicInteger n = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "cairn-postgresql-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Migrates the database (replicas starting together take turns) and opens a pool of
   * {@code poolSize} connections.
   *
   * @throws IOException naming the database's URL (never its password) and what PostgreSQL said
   */
  static PostgresEngine open(PostgresDatabase database, int poolSize, GroupCache cache) throws IOException {
    if (poolSize < 1) {
      throw new IllegalArgumentException("database pool size must be at least 1, got " + poolSize);
    }
    try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.properties())) {
      Migrations.apply(c, database.url(), Dialect.POSTGRESQL);
    } catch (SQLException e) {
      throw new IOException(database.url() + ": " + e.getMessage(), e);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("cairn-postgresql");
    config.setJdbcUrl(database.jdbcUrl());
    config.setDataSourceProperties(database.properties());
    config.setMaximumPoolSize(poolSize);
    config.setMinimumIdle(poolSize);
    config.setAutoCommit(false);
    config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    config.setConnectionTimeout(10_000);
    config.setValidationTimeout(5_000);
    // Connections are kept for the life of the server: each keeps its prepared statements.
    config.setMaxLifetime(0);
    config.setIdleTimeout(0);
    try {
      HikariDataSource pool = new HikariDataSource(config);
      return new PostgresEngine(database, cache, pool, poolSize);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IOException(database.url() + ": " + cause.getMessage(), e);
    }
  }

  @Override
  public Dialect dialect() {
    return Dialect.POSTGRESQL;
  }

  @Override
  public String where() {
    return database.url();
  }

  @Override
  public <T> CompletableFuture<T> submit(Store.Work<T> work) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException(where() + ": the store is closed"));
    }
    if (inUnit.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException(
          "transactions do not nest: run the inner work with the outer Tx"));
    }
    try {
      return CompletableFuture.supplyAsync(() -> unit(tx -> work.run(tx), true), workers);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new IllegalStateException(where() + ": the store is closed"));
    }
  }

  @Override
  public <T> T inTransaction(SqlWork<T> work) {
    if (inUnit.get()) {
      throw new IllegalStateException("transactions do not nest: run the inner work with the outer Tx");
    }
    if (closed) {
      throw new IllegalStateException(where() + ": the store is closed");
    }
    try {
      return unit(work, false);
    } finally {
      cache.clear();
    }
  }

  /**
   * Runs {@code work} in a transaction, commits, and runs it again when PostgreSQL or the work
   * asks for that. Admin work (not {@code check}) also makes every server's cache stale.
   */
  private <T> T unit(SqlWork<T> work, boolean check) {
    inUnit.set(true);
    try {
      for (int attempt = 1; ; attempt++) {
        SQLException failure;
        try (Connection c = pool.getConnection()) {
          SqlTx tx = check ? new SqlTx(c, Dialect.POSTGRESQL, cache) : new SqlTx(c, Dialect.POSTGRESQL);
          try {
            T r = work.run(tx);
            tx.end();
            if (!check) {
              SqlTx.bumpGeneration(c, Dialect.POSTGRESQL);
            }
            c.commit();
            return r;
          } catch (SqlTx.Retry e) {
            tx.end();
            rollback(c, e);
            if (attempt == ATTEMPTS) {
              throw new IllegalStateException(where() + ": " + e.getMessage() + " on each of " + ATTEMPTS + " tries");
            }
            backoff(attempt);
            continue;
          } catch (SqlTx.Failure e) {
            tx.end();
            rollback(c, e);
            failure = e.sql();
          } catch (SQLException e) {
            tx.end();
            rollback(c, e);
            failure = e;
          } catch (RuntimeException | Error e) {
            tx.end();
            rollback(c, e);
            throw e;
          }
        } catch (SQLException e) {
          failure = e;      // no connection, or the commit failed
        }
        if (!RETRY.contains(failure.getSQLState()) || attempt == ATTEMPTS) {
          throw failure(failure);
        }
        backoff(attempt);
      }
    } finally {
      inUnit.set(false);
    }
  }

  private static void rollback(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static void backoff(int attempt) {
    try {
      Thread.sleep(Math.min(50, attempt * attempt) + java.util.concurrent.ThreadLocalRandom.current().nextInt(3));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to run a unit of work again", e);
    }
  }

  private UncheckedIOException failure(SQLException e) {
    return new UncheckedIOException(new IOException(where() + ": " + e.getMessage(), e));
  }

  @Override
  public <T> T read(SqlRead<T> work) {
    if (closed) {
      throw new IllegalStateException(where() + ": the store is closed");
    }
    try (Connection c = pool.getConnection()) {
      try {
        T r = work.run(c);
        c.commit();
        return r;
      } catch (SQLException | RuntimeException e) {
        rollback(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  @Override
  public boolean healthy() {
    if (closed) {
      return false;
    }
    try (Connection c = pool.getConnection()) {
      boolean ok = c.isValid(2);
      c.rollback();
      return ok;
    } catch (SQLException | RuntimeException e) {
      LOG.fine(() -> where() + ": not healthy: " + e.getMessage());
      return false;
    }
  }

  /** Lets running units of work finish (up to 30 s), then closes every connection. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    workers.shutdown();
    try {
      workers.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pool.close();
  }
}
