package dev.cairn.omaha.db;

import static dev.cairn.omaha.db.Fixtures.pkg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Decision;
import dev.cairn.omaha.MachineSighting;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.Version;
import dev.cairn.omaha.db.SqlStore.MachineRow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine inventory in a real SQLite file: one row per machine, written through the group commit. */
class MachineInventoryStoreTest {
  static final Instant T0 = Instant.parse("2026-11-18T10:30:00Z");
  static final String MAC = "52:54:00:ab:cd:0f";
  static final String EVIL = "\u001b[2J\u001b]0;owned\u0007\u009b31m\u007f\r\n\u202e";

  @TempDir
  Path dir;

  static MachineSighting ipxe(Instant at, Map<String, String> labels, String group, String profile) {
    return MachineSighting.of(at, labels, "10.0.0.17", group, profile, "ipxe",
        profile == null ? "404 no group" : "profile " + profile);
  }

  static void record(SqlStore store, MachineSighting s) {
    store.recordMachine(s).join();
  }

  @Test
  void laterSighting_keepsFirstSeen_replacesTheLatestRequest_andCountsBoth() throws Exception {
    Path db = dir.resolve("omaha.db");
    try (SqlStore store = TestDatabase.open(db)) {
      record(store, ipxe(T0, Map.of("mac", "52-54-00-AB-CD-0F", "hostname", "node17"), null, null));
      record(store, new MachineSighting(MAC, T0.plusSeconds(40), Map.of("mac", MAC), "10.0.0.18", "workers",
          "coreos-install", "cloud-config", "served coreos-install.yaml"));
    }
    try (SqlStore store = TestDatabase.open(db)) {     // on disk, not only in the writer's cache
      MachineRow m = store.machine(MAC).orElseThrow();
      assertEquals(new MachineRow(MAC, T0, T0.plusSeconds(40), 2, Map.of("mac", MAC, "hostname", "node17"),
          "10.0.0.18", "workers", "coreos-install", "cloud-config", "served coreos-install.yaml", List.of()), m);
    }
  }

  /** The boot server records a machine's repeated requests a few seconds at a time: one write counts them all. */
  @Test
  void sightingForSeveralRequests_countsThemAll_onANewRowAndOnAnExistingOne() throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      store.recordMachine(ipxe(T0, Map.of("mac", MAC), "workers", "coreos-install"), 7).join();
      assertEquals(7, store.machine(MAC).orElseThrow().requests());
      store.recordMachine(ipxe(T0.plusSeconds(10), Map.of("mac", MAC), "workers", "coreos-install"), 5).join();
      MachineRow m = store.machine(MAC).orElseThrow();
      assertEquals(12, m.requests());
      assertEquals(T0, m.firstSeen());
      assertEquals(T0.plusSeconds(10), m.lastSeen());

      CompletionException e = assertThrows(CompletionException.class,
          () -> store.recordMachine(ipxe(T0.plusSeconds(20), Map.of("mac", MAC), null, null), 0).join());
      assertInstanceOf(IllegalArgumentException.class, e.getCause());
      assertEquals(12, store.machine(MAC).orElseThrow().requests());
    }
  }

  /**
   * Repeats of the last request change the count and last seen only (never back), and a machine
   * without a row is recorded in full.
   */
  @Test
  void repeats_countAndMoveLastSeenForward_only_andAMachineWithoutARowIsRecordedInFull() throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      store.recordRepeats(ipxe(T0, Map.of("mac", MAC, "hostname", "node17"), "workers", "coreos-install"), 3).join();
      MachineRow first = store.machine(MAC).orElseThrow();
      assertEquals(new MachineRow(MAC, T0, T0, 3, Map.of("mac", MAC, "hostname", "node17"), "10.0.0.17", "workers",
          "coreos-install", "ipxe", "profile coreos-install", List.of()), first);

      store.recordRepeats(ipxe(T0.plusSeconds(9), Map.of("mac", MAC, "hostname", "node17"), "workers",
          "coreos-install"), 4).join();
      assertEquals(new MachineRow(MAC, T0, T0.plusSeconds(9), 7, first.labels(), "10.0.0.17", "workers",
          "coreos-install", "ipxe", "profile coreos-install", List.of()), store.machine(MAC).orElseThrow());

      store.recordRepeats(ipxe(T0.plusSeconds(5), Map.of("mac", MAC, "hostname", "node17"), "workers",
          "coreos-install"), 1).join();
      assertEquals(T0.plusSeconds(9), store.machine(MAC).orElseThrow().lastSeen(), "never moved back");
      assertEquals(8, store.machine(MAC).orElseThrow().requests());
    }
  }

  @Test
  void olderSightingArrivingLast_counts_andLowersFirstSeen_butChangesNeitherLastSeenNorTheLatestRequest()
      throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      record(store, ipxe(T0.plusSeconds(60), Map.of("mac", MAC, "hostname", "new-name"), "workers", "coreos-install"));
      record(store, new MachineSighting(MAC, T0, Map.of("hostname", "old-name", "serial", "SN1"), "10.9.9.9", null, null,
          "grub", "404 no group"));

      assertEquals(new MachineRow(MAC, T0, T0.plusSeconds(60), 2, Map.of("mac", MAC, "hostname", "new-name",
          "serial", "SN1"), "10.0.0.17", "workers", "coreos-install", "ipxe", "profile coreos-install", List.of()),
          store.machine(MAC).orElseThrow());
    }
  }

  @Test
  @Tag("sqlite")
  void hostileLabels_areStoredCutAndBounded_asSent_andNamed() throws Exception {
    Path db = dir.resolve("omaha.db");
    Map<String, String> labels = new HashMap<>();
    labels.put("mac", MAC);
    labels.put("hostname", "node" + EVIL + "x".repeat(5000));
    labels.put("a" + EVIL + "y".repeat(1000), "v");     // sorts before extra000: kept, cut
    for (int i = 0; i < 100; i++) {
      labels.put(String.format("extra%03d", i), "z".repeat(10_000));
    }
    try (SqlStore store = TestDatabase.open(db)) {
      record(store, new MachineSighting(MAC, T0, labels, "10.0.0.17", "g" + EVIL + "g".repeat(400), null, "ipxe",
          "o".repeat(100_000)));

      MachineRow m = store.machine(MAC).orElseThrow();
      assertEquals(MachineSighting.MAX_LABELS, m.labels().size());
      assertTrue(m.labels().get("hostname").startsWith("node" + EVIL), "control characters are kept as sent");
      assertEquals(Store.MAX_TEXT, m.labels().get("hostname").length());
      assertEquals("v", m.labels().get(("a" + EVIL + "y".repeat(1000)).substring(0, Store.MAX_TEXT)));
      assertEquals(Store.MAX_TEXT, m.group().length());
      assertEquals(Store.MAX_TEXT, m.lastOutcome().length());
      assertTrue(m.truncated().containsAll(List.of("group", "outcome", "label hostname", "labels")), m.truncated()
          .toString());
    }
    // what the file holds: 32 labels of at most 256 characters each, whatever was sent
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select (select count(*) from json_each(labels)),"
            + " (select max(length(key)) from json_each(labels)), (select max(length(value)) from json_each(labels)),"
            + " length(group_name), length(last_outcome) from machine")) {
      assertTrue(r.next());
      assertEquals(List.of(32, 256, 256, 256, 256), List.of(r.getInt(1), r.getInt(2), r.getInt(3), r.getInt(4),
          r.getInt(5)));
    }
  }

  @Test
  void listMachines_newestFirst_byGroup_upToTheLimit() throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      record(store, ipxe(T0, Map.of("mac", "52:54:00:00:00:01"), "workers", "coreos-install"));
      record(store, ipxe(T0.plusSeconds(2), Map.of("mac", "52:54:00:00:00:02"), null, null));
      record(store, ipxe(T0.plusSeconds(1), Map.of("mac", "52:54:00:00:00:03"), "workers", "coreos-install"));
      record(store, ipxe(T0.plusSeconds(3), Map.of("uuid", "4c4c4544-0051-3410-8051-b2c04f4e3232"), "storage",
          "storage-node"));

      assertEquals(List.of("uuid:4c4c4544-0051-3410-8051-b2c04f4e3232", "52:54:00:00:00:02", "52:54:00:00:00:03",
          "52:54:00:00:00:01"), keys(store.listMachines(null, 100)));
      assertEquals(List.of("52:54:00:00:00:03", "52:54:00:00:00:01"), keys(store.listMachines("workers", 100)));
      assertEquals(List.of("uuid:4c4c4544-0051-3410-8051-b2c04f4e3232", "52:54:00:00:00:02"),
          keys(store.listMachines(null, 2)));
      assertEquals(List.of(), keys(store.listMachines("nobody", 100)));
      assertThrows(IllegalArgumentException.class, () -> store.listMachines(null, -1));
    }
  }

  static List<String> keys(List<MachineRow> rows) {
    return rows.stream().map(MachineRow::key).toList();
  }

  @Test
  void machine_isFoundByItsKeyInAnyWrittenForm_andAnUnknownOneIsEmpty() throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      record(store, ipxe(T0, Map.of("mac", MAC), null, null));
      record(store, ipxe(T0, Map.of("uuid", "4c4c4544-0051-3410-8051-b2c04f4e3232"), null, null));

      assertEquals(MAC, store.machine("52-54-00-AB-CD-0F").orElseThrow().key());
      assertEquals(MAC, store.machine("525400abcd0f").orElseThrow().key());
      assertTrue(store.machine("UUID:4C4C4544-0051-3410-8051-B2C04F4E3232").isPresent());
      assertEquals(Optional.empty(), store.machine("52:54:00:ab:cd:10"));
    }
  }

  /** Submits a unit of work that holds the commit thread until {@code release}; answers once it holds it. */
  static CompletableFuture<Object> holdTheWriter(SqlStore store, CountDownLatch release) throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CompletableFuture<Object> held = store.submit(tx -> {
      holding.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    });
    assertTrue(holding.await(30, TimeUnit.SECONDS));
    return held;
  }

  @Test
  @Tag("sqlite")
  void recordMachine_returnsBeforeItsCommit_whileTheWriterIsBusy() throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Object> held = holdTheWriter(store, release);

      CompletableFuture<Void> recorded = store.recordMachine(ipxe(T0, Map.of("mac", MAC), null, null));

      assertFalse(recorded.isDone(), "the caller does not wait for the database");
      assertEquals(Optional.empty(), store.machine(MAC));
      release.countDown();
      held.join();
      recorded.join();
      assertEquals(1, store.machine(MAC).orElseThrow().requests());
    }
  }

  @Test
  @Tag("sqlite")
  void pastThePendingLimit_aSightingIsDroppedAtOnce_andTheQueuedOnesAllCommit() throws Exception {
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Object> held = holdTheWriter(store, release);
      List<CompletableFuture<Void>> queued = new ArrayList<>();
      for (int i = 0; i < SqlStore.MAX_PENDING_SIGHTINGS; i++) {
        queued.add(store.recordMachine(ipxe(T0.plusMillis(i), Map.of("mac", MAC), null, null)));
      }

      CompletableFuture<Void> dropped = store.recordMachine(ipxe(T0, Map.of("mac", "52:54:00:00:00:99"), null, null));

      assertTrue(dropped.isCompletedExceptionally());
      CompletionException e = assertThrows(CompletionException.class, dropped::join);
      assertInstanceOf(IllegalStateException.class, e.getCause());
      assertTrue(e.getCause().getMessage().endsWith(": 10000 machine sightings wait for the database already;"
          + " the sighting of 52:54:00:00:00:99 is dropped"), e.getCause().getMessage());
      release.countDown();
      held.join();
      CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).join();
      assertEquals(SqlStore.MAX_PENDING_SIGHTINGS, store.machine(MAC).orElseThrow().requests());
      assertEquals(Optional.empty(), store.machine("52:54:00:00:00:99"));
      // the queue drained: sightings are taken again
      store.recordMachine(ipxe(T0, Map.of("mac", "52:54:00:00:00:99"), null, null)).join();
    }
  }

  @Test
  void closedStore_failsTheSighting_withoutThrowingAtTheCaller() throws Exception {
    SqlStore store = TestDatabase.open(dir.resolve("omaha.db"));
    store.close();
    CompletableFuture<Void> f = store.recordMachine(ipxe(T0, Map.of("mac", MAC), null, null));
    CompletionException e = assertThrows(CompletionException.class, f::join);
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  /**
   * Boot requests and update checks share the group commit. Eight threads each run update checks
   * of their own machines and record boot sightings of ten machines shared by all, at times that
   * arrive out of order: every check is answered and the group's limit still holds exactly, and
   * every sighting is counted, with first seen the earliest time and last seen the latest.
   */
  @Test
  void sightingsBesideUpdateChecks_allCommit_andTheChecksStillGrantExactlyTheLimit() throws Exception {
    String app = Model.COREOS_APP_ID;
    int threads = 8;
    int perThread = 25;
    int bootMachines = 10;
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      store.seedDefaults();
      store.createPackage(app, pkg("3510.2.1"));
      store.setChannelPackage(app, "stable", Version.parse("3510.2.1"));
      store.upsertGroup(app, "stable", "stable", new Policy(true, SqlStoreConcurrencyTest.LIMIT, Duration.ofHours(1),
          Duration.ofHours(1), 100, Optional.empty(), 0, Optional.empty(), false));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Decision>>> answers = new ArrayList<>();
        List<CompletableFuture<Void>> sightings = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
          int thread = t;
          answers.add(pool.submit(() -> {
            start.await();
            List<Decision> decisions = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
              // thread t sees machine m at second (t * perThread + i) scrambled: late arrivals of early times
              int second = (int) ((thread * 7919L + i * 104729L) % (threads * perThread));
              sightings.add(store.recordMachine(ipxe(T0.plusSeconds(second),
                  Map.of("mac", String.format("52:54:00:00:00:%02x", i % bootMachines), "seen-by", "t" + thread),
                  "workers", "coreos-install")));
              decisions.add(SqlStoreConcurrencyTest.check(store, String.format("%032x", thread * 1000L + i + 1)));
            }
            return decisions;
          }));
        }
        start.countDown();
        List<Decision> all = new ArrayList<>();
        for (Future<List<Decision>> f : answers) {
          all.addAll(f.get(60, TimeUnit.SECONDS));
        }
        CompletableFuture.allOf(sightings.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        assertEquals(threads * perThread, all.size());
        assertEquals(SqlStoreConcurrencyTest.LIMIT, all.stream()
            .filter(d -> d instanceof Decision.Offer o && o.newGrant()).count());
        List<MachineRow> machines = store.listMachines("workers", 100);
        assertEquals(bootMachines, machines.size());
        assertEquals(threads * perThread, machines.stream().mapToLong(MachineRow::requests).sum());
        for (int m = 0; m < bootMachines; m++) {
          String key = String.format("52:54:00:00:00:%02x", m);
          List<Instant> times = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            for (int i = m; i < perThread; i += bootMachines) {
              times.add(T0.plusSeconds((t * 7919L + i * 104729L) % (threads * perThread)));
            }
          }
          MachineRow row = store.machine(key).orElseThrow();
          assertEquals(times.size(), row.requests(), key);
          assertEquals(times.stream().min(Instant::compareTo).orElseThrow(), row.firstSeen(), key);
          assertEquals(times.stream().max(Instant::compareTo).orElseThrow(), row.lastSeen(), key);
        }
      } finally {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      }
    }
  }

  /**
   * An install mark: recorded before the machine's first sighting is written, read back from the
   * file by a new store (from memory: {@link SqlStore#installed}), shown with the machine once it
   * is seen, logged; reinstall clears it (and says what it was), twice is no error; a machine neither
   * seen nor marked is refused.
   */
  @Test
  void installMark_beforeTheFirstSighting_survivesReopen_andReinstallClearsIt() throws Exception {
    Path db = dir.resolve("omaha.db");
    Instant at;
    try (SqlStore store = TestDatabase.open(db)) {
      store.seedDefaults();
      at = store.recordInstall("52-54-00-AB-CD-0F", "coreos-install", "10.0.0.17").at();
      assertEquals(Optional.of(new SqlStore.Install(MAC, at, "coreos-install")), store.installed(MAC));
    }
    try (SqlStore store = TestDatabase.open(db)) {
      assertEquals(Optional.of(new SqlStore.Install(MAC, at, "coreos-install")), store.installed("525400abcd0f"));
      record(store, ipxe(T0, Map.of("mac", MAC), "workers", "coreos-install"));
      assertEquals(new SqlStore.Install(MAC, at, "coreos-install"), store.machine(MAC).orElseThrow().install());
      assertEquals(new SqlStore.Install(MAC, at, "coreos-install"), store.listMachines(null, 10).get(0).install());
      assertTrue(store.activity(10).stream().anyMatch(a -> a.kind().equals(SqlStore.MACHINE_INSTALLED)
          && a.message().equals("machine " + MAC + " installed (profile coreos-install), reported from 10.0.0.17")
          && a.machineId().equals(Optional.of(MAC))), store.activity(10).toString());

      assertEquals(Optional.of(new SqlStore.Install(MAC, at, "coreos-install")), store.reinstall(MAC, "ops"));
      assertEquals(Optional.empty(), store.installed(MAC));
      assertEquals(null, store.machine(MAC).orElseThrow().install());
      assertEquals(Optional.empty(), store.reinstall(MAC, "ops"));
      assertEquals("ops", store.activity(1).get(0).actor());
      dev.cairn.omaha.Refusal r = assertThrows(dev.cairn.omaha.Refusal.class,
          () -> store.reinstall("uuid:4c4c4544-0000-1000-8000-000000000009", "ops"));
      assertEquals("no machine 'uuid:4c4c4544-0000-1000-8000-000000000009' in the inventory", r.getMessage());
    }
    try (SqlStore store = TestDatabase.open(db)) {
      assertEquals(Optional.empty(), store.installed(MAC));
    }
  }
}
