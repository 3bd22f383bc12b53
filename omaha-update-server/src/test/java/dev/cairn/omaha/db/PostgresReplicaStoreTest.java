package dev.cairn.omaha.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Two stores on one PostgreSQL database, as two replicas hold them: what one keeps in memory follows the other. */
class PostgresReplicaStoreTest {
  static final String MAC = "52:54:00:12:34:56";

  static void waitFor(String what, BooleanSupplier done) throws InterruptedException {
    long until = System.nanoTime() + 10_000_000_000L;
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, "never happened: " + what);
      Thread.sleep(20);
    }
  }

  @Test
  void anInstallMarkMadeOrClearedOnOneReplica_isSeenByTheOther_fromMemory() throws Exception {
    PostgresServer.Database d = PostgresServer.shared().newDatabase();
    PostgresDatabase db = PostgresDatabase.parse(d.url().replace("postgresql://", "postgresql://" + d.user() + "@"),
        d.password());
    try (SqlStore a = SqlStore.open(db, 2, Clock.systemUTC()); SqlStore b = SqlStore.open(db, 2, Clock.systemUTC())) {
      a.seedDefaults();
      assertEquals(Optional.empty(), b.installed(MAC));

      SqlStore.Install mark = a.recordInstall(MAC, "worker", "10.0.0.7");
      waitFor("b sees the mark a made", () -> b.installed(MAC).isPresent());
      assertEquals(Optional.of(mark), b.installed(MAC));

      assertEquals(Optional.of(mark), b.reinstall(MAC, "admin"));
      assertEquals(Optional.empty(), b.installed(MAC));
      waitFor("a sees the mark b cleared", () -> a.installed(MAC).isEmpty());
    }
  }
}
