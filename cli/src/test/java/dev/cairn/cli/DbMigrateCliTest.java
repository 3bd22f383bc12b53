package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Model;
import dev.cairn.omaha.db.PostgresDatabase;
import dev.cairn.omaha.db.PostgresServer;
import dev.cairn.omaha.db.SqlStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn db migrate} end to end through {@link Cairn#run}: a SQLite file made by the store
 * into a real PostgreSQL ({@link PostgresServer}) with the password in a file, and what it refuses
 * with which exit code.
 */
class DbMigrateCliTest {
  @TempDir
  Path dir;

  private static String urlOf(PostgresServer.Database d) {
    return d.url().replace("postgresql://", "postgresql://" + d.user() + "@");
  }

  private Path passwordFile(PostgresServer.Database d) throws Exception {
    Path f = dir.resolve("pg.password");
    Files.writeString(f, d.password() + "\n");
    return f;
  }

  @Test
  void migrate_copiesTheFile_withThePasswordFromAFile_andPrintsTablesTotalAndVerification() throws Exception {
    Path file = dir.resolve("cairn.db");
    try (SqlStore s = SqlStore.open(file)) {
      s.seedDefaults();
      s.recordActivity(Model.COREOS_APP_ID, "note", "hello", "alice");
    }
    PostgresServer.Database d = PostgresServer.shared().newDatabase();
    CliHarness.Result r = cairn("db", "migrate", "--from", file.toString(), "--to", urlOf(d),
        "--to-password-file", passwordFile(d).toString()).ok();
    assertTrue(r.out().contains("copying grp (3 rows)"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("app +1 rows")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("total +8 rows")), r.out());
    assertTrue(r.out().contains("verified: counts and 8 sampled rows agree"), r.out());
    assertFalse(r.out().contains(d.password()), "the password is never shown");
    try (SqlStore pg = SqlStore.open(PostgresDatabase.parse(urlOf(d), d.password()), 1, Clock.systemUTC())) {
      assertEquals(SqlStore.DEFAULT_CHANNELS, pg.listGroups(Model.COREOS_APP_ID));
      assertEquals("hello", pg.activity(10).get(0).message());
    }

    CliHarness.Result again = cairn("db", "migrate", "--from", file.toString(), "--to", urlOf(d),
        "--to-password-file", passwordFile(d).toString());
    assertEquals(2, again.code(), again.describe("a second copy into the now filled target"));
    assertTrue(again.err().startsWith("cairn db migrate: "), again.err());
    assertTrue(again.err().contains("not empty (app 1 row, channel 3 rows, grp 3 rows, activity 1 row)"),
        again.err());
  }

  @Test
  void migrate_refusesAMissingSourceFile_namingIt_exit1_andCreatesNothing() throws Exception {
    Path file = dir.resolve("no-such.db");
    PostgresServer.Database d = PostgresServer.shared().newDatabase();
    CliHarness.Result r = cairn("db", "migrate", "--from", file.toString(), "--to", urlOf(d),
        "--to-password-file", passwordFile(d).toString());
    assertEquals(1, r.code(), r.describe("a missing source"));
    assertTrue(r.err().contains(file + ": no such SQLite database"), r.err());
    assertFalse(Files.exists(file));
  }

  @Test
  void migrate_refusesATargetThatIsNotPostgresql_exit2() throws Exception {
    Path file = dir.resolve("cairn.db");
    SqlStore.open(file).close();
    CliHarness.Result r = cairn("db", "migrate", "--from", file.toString(), "--to", dir.resolve("other.db").toString());
    assertEquals(2, r.code(), r.describe("a file as target"));
    assertTrue(r.err().contains("--to must be a postgresql://"), r.err());
    assertFalse(Files.exists(dir.resolve("other.db")));
  }
}
