package dev.cairn.install.agent.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.lock.RebootLock.Outcome;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Machines competing for the slots at once, each with its own {@link EtcdLock} (as separate
 * machines would): every one takes a slot (asking again until granted), holds it a moment and gives
 * it back, several rounds. The value's whole history, replayed by {@code etcdctl watch}, is then
 * checked: no version ever has more holders than {@code max}, every version keeps {@code available
 * + holders == max}, each change adds or removes exactly one holder (a lost update would replace
 * one), each machine was added as often as it was granted, and the end has every slot free.
 */
class EtcdLockContentionTest {
  private static final int MACHINES = 8;
  private static final int MAX = 2;

  private EtcdCluster etcd;

  @RegisterExtension
  final EtcdCluster.PrintLogsOnFailure logs = new EtcdCluster.PrintLogsOnFailure(() -> etcd);

  /** Single node, 8 machines, 3 rounds each, max 2: the compare-and-swap keeps every version within max. */
  @Test
  void eightMachinesOnOneNode_neverExceedMax_andEachGetsEveryTurnItAskedFor() throws Exception {
    try (EtcdCluster c = EtcdCluster.start("contention-1", 1)) {
      etcd = c;
      Run run = new Run(c.endpoints(), 3);
      run.start();
      run.await();
      checkHistory(c, run, 3);
      assertEquals(MACHINES * 3, run.unlockedTrue.get(), "with no failures every unlock finds its holder");
    }
  }

  /**
   * Three members, 8 machines, 4 rounds, max 2, and the leader SIGKILLed once a quarter of the
   * grants are done: every machine still finishes (failing over to the survivors within the
   * deadline, answers lost in the kill decided again by re-reading), no version read from a
   * surviving member exceeds max, and the final value has no holders and every slot free.
   */
  @Test
  void leaderKilledMidway_noValueExceedsMax_everyMachineFinishes_noSlotLost() throws Exception {
    try (EtcdCluster c = EtcdCluster.start("contention-3", 3)) {
      etcd = c;
      int rounds = 4;
      Run run = new Run(c.endpoints(), rounds);
      run.start();
      while (run.granted.get() < MACHINES * rounds / 4 && !run.done()) {
        Thread.sleep(5);
      }
      int leader = c.leader();
      int grantedBefore = run.granted.get();
      c.kill(leader);
      run.await();
      assertTrue(grantedBefore < MACHINES * rounds, "the leader was killed with grants still to come: " + grantedBefore);
      assertEquals(List.of(leader), missing(c), "the killed member stays down while the history is read");
      checkHistory(c, run, rounds);
    }
  }

  private static List<Integer> missing(EtcdCluster c) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < c.size(); i++) {
      if (!c.liveEndpoints().contains(c.endpoint(i))) {
        out.add(i);
      }
    }
    return out;
  }

  private static void checkHistory(EtcdCluster c, Run run, int rounds) throws IOException {
    List<EtcdCluster.Version> history = c.history(EtcdLock.KEY);
    assertTrue(history.size() >= 1 + 2 * MACHINES * rounds, "versions: " + history.size());
    Map<String, Integer> added = new TreeMap<>();
    Semaphore previous = null;
    for (EtcdCluster.Version v : history) {
      assertTrue(v.value().isPresent(), "no delete expected at revision " + v.modRevision());
      Semaphore s = SemaphoreJson.decode(v.value().get());
      String at = "revision " + v.modRevision() + ": " + v.value().get();
      assertEquals(MAX, s.max(), at);
      assertTrue(s.holders().size() <= s.max(), at);
      assertEquals(s.max(), s.available() + s.holders().size(), at);
      if (previous != null) {
        Set<String> gained = new HashSet<>(s.holders());
        gained.removeAll(previous.holders());
        Set<String> lost = new HashSet<>(previous.holders());
        lost.removeAll(s.holders());
        assertEquals(1, gained.size() + lost.size(), "one holder added or removed per change, " + at);
        gained.forEach(id -> added.merge(id, 1, Integer::sum));
      }
      previous = s;
    }
    Map<String, Integer> expected = new TreeMap<>();
    for (int m = 0; m < MACHINES; m++) {
      expected.put(id(m), rounds);
    }
    assertEquals(expected, added, "times each machine was added to the holders");
    assertEquals(expected, new TreeMap<>(run.grantsById), "times each machine was granted");
    assertEquals(Semaphore.fresh(MAX), previous, "the final value: no holders, every slot free");
  }

  private static String id(int m) {
    return String.format("machine-%02d", m);
  }

  /** The machines at work: each thread is one machine with its own client. */
  private static final class Run {
    final List<URI> endpoints;
    final int rounds;
    final AtomicInteger granted = new AtomicInteger();
    final AtomicInteger unlockedTrue = new AtomicInteger();
    final Map<String, Integer> grantsById = new java.util.concurrent.ConcurrentHashMap<>();
    final ExecutorService pool = Executors.newFixedThreadPool(MACHINES);
    final List<Future<?>> machines = new ArrayList<>();

    Run(List<URI> endpoints, int rounds) {
      this.endpoints = endpoints;
      this.rounds = rounds;
    }

    void start() throws IOException {
      EtcdLock.open(EtcdLock.Options.of(endpoints)).setMax(MAX);
      for (int m = 0; m < MACHINES; m++) {
        String id = id(m);
        EtcdLock lock = EtcdLock.open(EtcdLock.Options.of(endpoints));
        machines.add(pool.submit(() -> {
          for (int r = 0; r < rounds; r++) {
            while (!(lock.lock(id) instanceof Outcome.Granted)) {
              Thread.sleep(ThreadLocalRandom.current().nextLong(5, 25));
            }
            grantsById.merge(id, 1, Integer::sum);
            granted.incrementAndGet();
            Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20));
            if (lock.unlock(id)) {
              unlockedTrue.incrementAndGet();
            }
          }
          return null;
        }));
      }
      pool.shutdown();
    }

    boolean done() {
      return machines.stream().allMatch(Future::isDone);
    }

    /** Waits for every machine; a machine's IOException (a call failing past its deadline) fails the test. */
    void await() throws Exception {
      for (Future<?> f : machines) {
        f.get(3, TimeUnit.MINUTES);
      }
    }
  }
}
