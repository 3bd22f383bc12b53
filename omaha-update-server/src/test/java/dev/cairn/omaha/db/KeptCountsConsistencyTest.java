package dev.cairn.omaha.db;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.Store.EventRecord;
import dev.cairn.omaha.Store.InstanceRecord;
import dev.cairn.omaha.Version;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kept counts against the recount, after randomized sequences of what changes them: grants at
 * millisecond times around the period's edge, progress, timeouts (status only, or the grant taken
 * back), machines moving between groups (and into a track with no group, which gets one later),
 * reported versions, counted and uncounted failures (also from machines with no instance yet),
 * pauses, resumes by hand and by a policy change, the same machine written twice in one
 * transaction, and writes from several threads at once. After every batch, every group's kept
 * counts (grants since several instants, failures and grants of both versions, the rollout) equal
 * the recount from the instance and event tables ({@link SqlStore#checkCounts}).
 */
class KeptCountsConsistencyTest {
  static final String APP = Model.COREOS_APP_ID;
  static final Instant NOW = Instant.parse("2026-11-18T10:30:00Z");
  static final List<String> TRACKS = List.of("stable", "beta", "web");
  static final List<Version> VERSIONS = List.of(Version.parse("3510.2.1"), Version.parse("3602.2.0"));
  static final InstanceStatus[] STATUSES = InstanceStatus.values();
  /** Where grants cluster, within 1.5 s, and where the counts are asked from, to the millisecond. */
  static final List<Instant> EDGES = List.of(NOW.minus(Duration.ofHours(1)), NOW.minus(Duration.ofMinutes(30)),
      NOW.minusMillis(59_999), NOW.minusMillis(1_234), NOW);

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void randomSequences_keepTheCountsTheRecountGives(long seed) throws Exception {
    Random random = new Random(seed);
    try (SqlStore store = TestDatabase.open(dir.resolve("omaha.db"))) {
      store.seedDefaults();
      boolean webHasGroup = false;
      List<String> machines = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        machines.add(String.format("%032x", seed * 1000 + i));
      }
      for (int batch = 0; batch < 12; batch++) {
        if (batch == 6) {
          store.upsertGroup(APP, "web", "stable", policy(true));     // a track that had no group gets one
          webHasGroup = true;
        }
        ExecutorService pool = Executors.newFixedThreadPool(batch % 3 == 0 ? 4 : 1);
        List<Future<?>> done = new ArrayList<>();
        for (int op = 0; op < 40; op++) {
          long opSeed = random.nextLong();
          done.add(pool.submit(() -> step(store, machines, new Random(opSeed))));
        }
        for (Future<?> f : done) {
          f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        for (String track : TRACKS) {
          if (track.equals("web") && !webHasGroup) {
            continue;
          }
          List<Instant> sinces = new ArrayList<>(List.of(NOW.minusMillis(random.nextInt(7_200_000)), Instant.EPOCH));
          for (Instant edge : EDGES) {
            for (int ms : new int[] {-501, -1, 0, 1, 499}) {
              sinces.add(edge.plusMillis(ms));
            }
          }
          for (Instant since : sinces) {
            for (Version target : VERSIONS) {
              SqlStore.CountCheck k = store.checkCounts(APP, track, since, target);
              assertTrue(k.consistent(), "seed " + seed + ", batch " + batch + ", group " + track + ", since " + since
                  + ", target " + target + ": " + k);
            }
          }
        }
      }
    }
  }

  private static Policy policy(boolean on) {
    return new Policy(on, 1_000_000, Duration.ofHours(1), Duration.ofHours(1), 100, Optional.empty(), 3, 10,
        Optional.empty(), false);
  }

  /** One random change, in one transaction (or one admin call). */
  private static void step(SqlStore store, List<String> machines, Random r) {
    String machine = machines.get(r.nextInt(machines.size()));
    int kind = r.nextInt(100);
    if (kind < 4) {
      String track = TRACKS.get(r.nextInt(2));
      if (r.nextBoolean()) {
        store.pauseGroup(APP, track, "test", "test");
      } else {
        store.resumeGroup(APP, track, "test");
      }
      return;
    }
    if (kind < 6) {
      String track = TRACKS.get(r.nextInt(2));
      store.upsertGroup(APP, track, track, policy(r.nextBoolean()));     // off, or on again (a resume)
      return;
    }
    if (kind < 22) {
      Version v = VERSIONS.get(r.nextInt(2));
      boolean counted = r.nextInt(3) > 0;
      String who = r.nextInt(10) == 0 ? "ghost-" + r.nextInt(5) : machine;    // some have no instance yet
      store.transaction(tx -> {
        tx.appendEvent(new EventRecord(APP, who, NOW, 3, counted || r.nextBoolean() ? 0 : 1, 37, 0, "3400.1.0",
            v.toString(), counted));
        return null;
      });
      return;
    }
    store.transaction(tx -> {
      Optional<InstanceRecord> was = tx.instance(APP, machine);
      InstanceRecord next = change(was, machine, r);
      tx.saveInstance(next);
      if (r.nextInt(8) == 0) {
        tx.saveInstance(change(Optional.of(next), machine, r));    // written twice in one transaction
      }
      return null;
    });
    if (r.nextInt(15) == 0) {
      // a ghost machine's instance appears: its earlier failures start to count
      String ghost = "ghost-" + r.nextInt(5);
      store.transaction(tx -> {
        tx.saveInstance(change(tx.instance(APP, ghost), ghost, r));
        return null;
      });
    }
  }

  private static InstanceRecord change(Optional<InstanceRecord> was, String machine, Random r) {
    String track = was.map(InstanceRecord::track).orElse(TRACKS.get(r.nextInt(3)));
    String version = was.map(InstanceRecord::version).orElse("3400.1.0");
    InstanceStatus status = was.map(InstanceRecord::status).orElse(InstanceStatus.UNDEFINED);
    Optional<Version> grantedVersion = was.flatMap(InstanceRecord::grantedVersion);
    Optional<Instant> grantedAt = was.flatMap(InstanceRecord::grantedAt);
    switch (r.nextInt(6)) {
      case 0, 1 -> {     // a grant, at a millisecond within two hours of now
        status = InstanceStatus.GRANTED;
        grantedVersion = Optional.of(VERSIONS.get(r.nextInt(2)));
        grantedAt = Optional.of(r.nextBoolean() ? NOW.minusMillis(r.nextInt(7_200_000))
            : EDGES.get(r.nextInt(EDGES.size())).plusMillis(r.nextInt(3001) - 1500));
      }
      case 2 -> status = STATUSES[r.nextInt(STATUSES.length)];
      case 3 -> {     // timed out: the status alone, or the grant taken back
        status = InstanceStatus.TIMED_OUT;
        if (r.nextBoolean()) {
          grantedVersion = Optional.empty();
          grantedAt = Optional.empty();
        }
      }
      case 4 -> track = TRACKS.get(r.nextInt(3));
      default -> version = r.nextBoolean() ? "3400.1.0" : VERSIONS.get(r.nextInt(2)).toString();
    }
    return Fixtures.instance(APP, machine, track, version, status, grantedVersion, grantedAt, NOW);
  }

  /**
   * Grant tallies older than any period are dropped when the store opens, and a group given a
   * longer period has its track's grants counted again, so the counts its period reaches stay
   * those of the recount.
   */
  @org.junit.jupiter.api.Test
  void oldTalliesArePruned_andALongerPeriodCountsTheTrackAgain() throws Exception {
    Path db = dir.resolve("omaha.db");
    Instant now = Instant.now();
    try (SqlStore store = TestDatabase.open(db)) {
      store.seedDefaults();
      store.transaction(tx -> {
        for (int i = 0; i < 10; i++) {
          Instant at = i % 2 == 0 ? now.minus(Duration.ofDays(40)).plusMillis(i) : now.minus(Duration.ofMinutes(i));
          tx.saveInstance(Fixtures.instance(APP, "m" + i, "stable", "3400.1.0", InstanceStatus.GRANTED,
              Optional.of(VERSIONS.get(0)), Optional.of(at), now));
        }
        return null;
      });
    }
    try (SqlStore store = TestDatabase.open(db)) {
      SqlStore.CountCheck hour = store.checkCounts(APP, "stable", now.minus(Duration.ofHours(1)), VERSIONS.get(0));
      assertTrue(hour.consistent() && hour.kept().grantedInPeriod() == 5, hour.toString());
      SqlStore.CountCheck old = store.checkCounts(APP, "stable", now.minus(Duration.ofDays(50)), VERSIONS.get(0));
      assertTrue(old.kept().grantedInPeriod() == 5 && old.recounted().grantedInPeriod() == 10,
          "grants 40 days old are pruned: " + old);

      store.upsertGroup(APP, "stable", "stable", new Policy(true, 1_000_000, Duration.ofDays(60), Duration.ofHours(1),
          100, Optional.empty(), 3, 10, Optional.empty(), false));

      SqlStore.CountCheck longer = store.checkCounts(APP, "stable", now.minus(Duration.ofDays(50)), VERSIONS.get(0));
      assertTrue(longer.consistent() && longer.kept().grantedInPeriod() == 10, longer.toString());
    }
    try (SqlStore store = TestDatabase.open(db)) {      // the longer period keeps them now
      SqlStore.CountCheck kept = store.checkCounts(APP, "stable", now.minus(Duration.ofDays(50)), VERSIONS.get(0));
      assertTrue(kept.consistent(), kept.toString());
    }
  }
}
