package dev.cairn.omaha.db;

import static dev.cairn.omaha.db.Fixtures.pkg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Decision;
import dev.cairn.omaha.Decision.Hold;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.Store.GroupRecord;
import dev.cairn.omaha.Store.InstanceRecord;
import dev.cairn.omaha.UpdatePolicy;
import dev.cairn.omaha.UpdatePolicy.Check;
import dev.cairn.omaha.UpdatePolicy.GroupStats;
import dev.cairn.omaha.UpdatePolicy.InstanceView;
import dev.cairn.omaha.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks racing for the grants of a period: the read, the decision and the grant are one transaction. */
class SqlStoreConcurrencyTest {
  static final String APP = Model.COREOS_APP_ID;
  static final Instant NOW = Instant.parse("2026-11-18T10:30:00Z");
  static final int MACHINES = 200;
  static final int LIMIT = 5;

  @TempDir
  Path dir;

  /** One update check as the server will run it: read, decide, record, in one transaction. */
  static Decision check(SqlStore store, String machineId) {
    return store.transaction(tx -> {
      GroupRecord g = tx.group(APP, "stable").orElseThrow();
      InstanceView seen = tx.instance(APP, machineId)
          .map(i -> new InstanceView(i.status(), i.grantedVersion(), i.grantedAt()))
          .orElse(InstanceView.fresh());
      Version target = g.channelPackage().orElseThrow().version();
      GroupStats stats = tx.stats(g.id(), NOW.minus(g.policy().period()), target);
      Decision d = UpdatePolicy.decide(new Check(tx.appExists(APP), "stable", Optional.of(Fixtures.view(g)),
          "3400.1.0", machineId, seen, stats, NOW));
      InstanceRecord before = tx.instance(APP, machineId).orElse(null);
      if (d instanceof Decision.Offer o && o.newGrant()) {
        tx.saveInstance(Fixtures.instance(APP, machineId, "stable", "3400.1.0", InstanceStatus.GRANTED,
            Optional.of(o.pkg().version()), Optional.of(NOW), NOW));
      } else if (before == null) {
        tx.saveInstance(Fixtures.instance(APP, machineId, "stable", "3400.1.0", InstanceStatus.UNDEFINED,
            Optional.empty(), Optional.empty(), NOW));
      }
      return d;
    });
  }

  static List<Decision> checkAllAtOnce(SqlStore store, List<String> machines) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Decision>> answers = new ArrayList<>();
      for (String m : machines) {
        answers.add(pool.submit(() -> {
          start.await();
          return check(store, m);
        }));
      }
      start.countDown();
      List<Decision> out = new ArrayList<>();
      for (Future<Decision> f : answers) {
        out.add(f.get(30, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }

  static Map<String, Long> tally(List<Decision> decisions) {
    return decisions.stream().collect(Collectors.groupingBy(d -> d instanceof Decision.Offer o
        ? (o.newGrant() ? "grant" : "again") : ((Decision.NoUpdate) d).reason().name(), Collectors.counting()));
  }

  @Test
  void twoHundredChecksAtOnce_getExactlyTheGroupsFiveGrants() throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      store.seedDefaults();
      store.createPackage(APP, pkg("3510.2.1"));
      store.setChannelPackage(APP, "stable", Version.parse("3510.2.1"));
      store.upsertGroup(APP, "stable", "stable", new Policy(true, LIMIT, Duration.ofHours(1), Duration.ofHours(1), 100,
          Optional.empty(), 0, Optional.empty(), false));
      List<String> machines = new ArrayList<>();
      for (int i = 0; i < MACHINES; i++) {
        machines.add(String.format("%032x", i * 7919L + 1));
      }

      List<Decision> first = checkAllAtOnce(store, machines);

      assertEquals(Map.of("grant", (long) LIMIT, Hold.RATE_LIMITED.name(), (long) MACHINES - LIMIT), tally(first));
      Map<InstanceStatus, Long> statuses = store.listInstances(APP, "stable", 1000).stream()
          .collect(Collectors.groupingBy(InstanceRecord::status, Collectors.counting()));
      assertEquals(Map.of(InstanceStatus.GRANTED, (long) LIMIT, InstanceStatus.UNDEFINED, (long) MACHINES - LIMIT),
          statuses);
      long groupId = store.group(APP, "stable").orElseThrow().id();
      assertEquals(new GroupStats(LIMIT, 0), store.transaction(tx -> tx.stats(groupId, NOW.minus(Duration.ofHours(1)),
          Version.parse("3510.2.1"))));

      // the same machines again: the five finish their grants (offered again, not counted), nobody else gets one
      List<Decision> second = checkAllAtOnce(store, machines);

      assertEquals(Map.of("again", (long) LIMIT, Hold.RATE_LIMITED.name(), (long) MACHINES - LIMIT), tally(second));
      for (int i = 0; i < MACHINES; i++) {
        boolean grantedFirst = first.get(i) instanceof Decision.Offer;
        boolean offeredAgain = second.get(i) instanceof Decision.Offer;
        assertEquals(grantedFirst, offeredAgain, machines.get(i));
      }
      assertEquals(LIMIT, store.listInstances(APP, "stable", 1000).stream()
          .filter(i -> i.status() == InstanceStatus.GRANTED).count());
    }
  }

  @Test
  void twoStoresOnOneFile_stillGrantExactlyFive() throws Exception {
    // two processes' worth of connections: SQLite's own write lock (BEGIN IMMEDIATE, busy timeout) keeps them apart
    Path db = dir.resolve("omaha.db");
    try (SqlStore a = TestDatabase.open(db); SqlStore b = TestDatabase.open(db)) {
      a.seedDefaults();
      a.createPackage(APP, pkg("3510.2.1"));
      a.setChannelPackage(APP, "stable", Version.parse("3510.2.1"));
      a.upsertGroup(APP, "stable", "stable", new Policy(true, LIMIT, Duration.ofHours(1), Duration.ofHours(1), 100,
          Optional.empty(), 0, Optional.empty(), false));
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Decision>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          SqlStore store = i % 2 == 0 ? a : b;
          String machine = "machine-" + i;
          answers.add(pool.submit(() -> {
            start.await();
            return check(store, machine);
          }));
        }
        start.countDown();
        List<Decision> decisions = new ArrayList<>();
        for (Future<Decision> f : answers) {
          decisions.add(f.get(30, TimeUnit.SECONDS));
        }
        assertEquals(Map.of("grant", (long) LIMIT, Hold.RATE_LIMITED.name(), 100L - LIMIT), tally(decisions));
      } finally {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      }
    }
  }
}
