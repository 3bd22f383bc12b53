package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.Version;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn admin group counts}: the kept counts beside the recount, against the real server.
 * A kept count that no longer agrees (changed behind the server's back in the database file, a
 * fault nothing else causes) is reported, with exit 1.
 */
class CountsCommandLiveServerTest {
  @TempDir Path dir;
  LiveServer server;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir);
    env = server.env();
    Instant now = Instant.now();
    server.store().transaction(tx -> {
      for (int i = 0; i < 3; i++) {
        tx.saveInstance(new Store.InstanceRecord(Model.COREOS_APP_ID, "m" + i, "stable", "3400.1.0", "b", "", "", "",
            "", "10.0.0.1", InstanceStatus.GRANTED, Optional.of(Version.parse("3510.2.1")), Optional.of(now),
            Optional.of(now), "", 0, 0, java.util.List.of(), "b", false));
      }
      return null;
    });
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void counts_agree_exit0_withTheTable() {
    Admin.Result r = Admin.run(env, "group", "counts", "stable").ok();
    assertTrue(r.out().startsWith("group stable: the kept counts agree with a recount (grants since "), r.out());
    assertTrue(r.out().contains("granted in period   3     3"), r.out());
    assertTrue(r.out().contains("machines            3     3"), r.out());
  }

  @Test
  void aKeptCountChangedBehindTheServersBack_isReported_exit1() throws Exception {
    try (Connection c = dev.cairn.omaha.db.TestDatabase.connect(dir.resolve("cairn.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate("update grant_tally set n = n + 1 where track = 'stable' and level = 2");
    }
    Admin.Result r = Admin.run(env, "group", "counts", "stable");
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("group stable: the kept counts DIFFER from a recount"), r.out());
    assertTrue(r.out().contains("granted in period   4     3"), r.out());
  }
}
