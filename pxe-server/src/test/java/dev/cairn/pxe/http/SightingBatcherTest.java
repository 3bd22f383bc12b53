package dev.cairn.pxe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.pxe.BootRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link SightingBatcher} with a clock the test sets and the sweep called by hand: what reaches the
 * inventory, when, and with which count. Every request is accounted for: the counts written add up
 * to the requests taken.
 */
class SightingBatcherTest {
  static final Instant T0 = Instant.parse("2026-11-29T22:00:00Z");
  static final String MAC = "52:54:00:12:34:56";

  /** What the inventory was given. */
  record Written(BootRequest request, Instant at, long requests, boolean repeats) {}

  final List<Written> written = new ArrayList<>();
  Instant now = T0;

  SightingBatcher batcher(int maxMachines) {
    return new SightingBatcher((r, at, n, repeats) -> {
      written.add(new Written(r, at, n, repeats));
      return CompletableFuture.completedFuture(null);
    }, () -> now, maxMachines);
  }

  static BootRequest ipxe(String mac) {
    return new BootRequest(Map.of("mac", mac), "10.0.0.7", "nodes", "flatcar", "/ipxe", "200 profile flatcar");
  }

  void at(long seconds) {
    now = T0.plusSeconds(seconds);
  }

  @Test
  void firstRequest_isWrittenAtOnce_repeatsAreOnlyCounted_andTheSweepWritesTheirCountWithinTheWindow() {
    SightingBatcher b = batcher(100);
    b.accept(ipxe(MAC));
    assertEquals(List.of(new Written(ipxe(MAC), T0, 1, false)), written);

    for (int s = 1; s <= 5; s++) {
      at(s);
      b.accept(ipxe(MAC));
    }
    at(8);
    b.sweep();
    assertEquals(1, written.size(), "repeats within the window are counted, not written");

    at(SightingBatcher.WINDOW.minus(SightingBatcher.SWEEP).toSeconds());
    b.sweep();
    assertEquals(new Written(ipxe(MAC), T0.plusSeconds(5), 5, true), written.get(1),
        "the count, at the latest repeat, as repeats");
    assertEquals(2, written.size());
    b.sweep();
    assertEquals(2, written.size(), "written once");
  }

  @Test
  void aRequestThatDiffers_isWrittenAtOnce_carryingTheCountOfTheRepeatsBeforeIt() {
    SightingBatcher b = batcher(100);
    b.accept(ipxe(MAC));
    at(1);
    b.accept(ipxe(MAC));
    b.accept(ipxe(MAC));
    at(2);
    BootRequest cloudConfig = new BootRequest(Map.of("mac", MAC), "10.0.0.7", "nodes", "flatcar", "/cloud-config",
        "200 profile flatcar");
    b.accept(cloudConfig);
    at(3);
    BootRequest otherAddress = new BootRequest(Map.of("mac", MAC), "10.0.0.8", "nodes", "flatcar", "/cloud-config",
        "200 profile flatcar");
    b.accept(otherAddress);
    BootRequest newLabel = new BootRequest(Map.of("mac", MAC, "hostname", "n1"), "10.0.0.8", "nodes", "flatcar",
        "/cloud-config", "200 profile flatcar");
    b.accept(newLabel);
    assertEquals(List.of(new Written(ipxe(MAC), T0, 1, false), new Written(cloudConfig, T0.plusSeconds(2), 3, false),
        new Written(otherAddress, T0.plusSeconds(3), 1, false), new Written(newLabel, T0.plusSeconds(3), 1, false)),
        written);
  }

  @Test
  void aRepeatOnceTheLastWriteIsAWindowOld_isWrittenAtOnce_andSoIsOneAfterTheClockWasSetBack() {
    SightingBatcher b = batcher(100);
    b.accept(ipxe(MAC));
    at(3);
    b.accept(ipxe(MAC));
    at(SightingBatcher.WINDOW.toSeconds());
    b.accept(ipxe(MAC));
    assertEquals(new Written(ipxe(MAC), T0.plusSeconds(10), 2, true), written.get(1));
    at(-60);
    b.accept(ipxe(MAC));
    assertEquals(List.of(new Written(ipxe(MAC), T0, 1, false), new Written(ipxe(MAC), T0.plusSeconds(10), 2, true),
        new Written(ipxe(MAC), T0.minusSeconds(60), 1, true)), written);
  }

  @Test
  void machinesAreToldApartByMac_elseUuid_elseAddress() {
    SightingBatcher b = batcher(100);
    BootRequest byUuid = new BootRequest(Map.of("uuid", "4c4c4544-0042-3010-8048-b5c04f4e5931"), "10.0.0.7", "", "",
        "/ipxe", "200 no group");
    BootRequest byAddress = new BootRequest(Map.of(), "10.0.0.7", "", "", "/ipxe", "200 no group");
    for (int i = 0; i < 3; i++) {
      b.accept(ipxe(MAC));
      b.accept(ipxe("52:54:00:12:34:57"));
      b.accept(byUuid);
      b.accept(byAddress);
    }
    assertEquals(4, written.size(), "each machine's first request; the others are counted, each for its machine");
    assertEquals(4, b.machines());
    at(SightingBatcher.WINDOW.toSeconds());
    b.sweep();
    assertEquals(List.of(2L, 2L, 2L, 2L), written.subList(4, 8).stream().map(Written::requests).toList());
  }

  @Test
  void idleMachinesAreForgotten_andPastTheLimit_aNewMachineIsWrittenOnEveryRequest() {
    SightingBatcher b = batcher(3);
    for (int i = 0; i < 5; i++) {
      b.accept(ipxe(String.format("52:54:00:00:00:%02x", i)));
    }
    assertEquals(5, written.size());
    assertEquals(3, b.machines(), "no more than the limit are kept");
    b.accept(ipxe("52:54:00:00:00:04"));
    b.accept(ipxe("52:54:00:00:00:04"));
    assertEquals(7, written.size(), "a machine not kept is written on every request, as without batching");
    b.accept(ipxe("52:54:00:00:00:00"));
    assertEquals(7, written.size(), "a kept one is counted");

    at(SightingBatcher.WINDOW.toSeconds());
    b.sweep();
    assertEquals(new Written(ipxe("52:54:00:00:00:00"), T0, 1, true), written.get(7));
    assertEquals(1, b.machines(), "the machines that asked nothing since their write are forgotten");
    at(2 * SightingBatcher.WINDOW.toSeconds());
    b.sweep();
    assertEquals(0, b.machines());
    b.accept(ipxe("52:54:00:00:00:04"));
    assertEquals(1, b.machines(), "room again");
    assertEquals(9, written.size());
    assertEquals(9, written.stream().mapToLong(Written::requests).sum(), "the 9 requests, each counted once");
  }

  @Test
  void close_writesEverythingCounted_andLaterRequestsAreWrittenAtOnce() {
    SightingBatcher b = batcher(100);
    b.accept(ipxe(MAC));
    at(1);
    b.accept(ipxe(MAC));
    b.accept(ipxe(MAC));
    b.close();
    assertEquals(List.of(new Written(ipxe(MAC), T0, 1, false), new Written(ipxe(MAC), T0.plusSeconds(1), 2, true)),
        written);
    at(2);
    b.accept(ipxe(MAC));
    b.accept(ipxe(MAC));
    assertEquals(4, written.size());
    assertEquals(new Written(ipxe(MAC), T0.plusSeconds(2), 1, false), written.get(3));
  }

  /**
   * Four threads taking requests of 50 machines (more than the 20 kept; each machine now and then
   * on another endpoint) while a fifth moves the clock a second at a time and sweeps, then close:
   * the counts written add up to the requests taken, none lost and none counted twice.
   */
  @Test
  void requestsRacingTheSweep_areEachCountedOnce() throws Exception {
    java.util.concurrent.atomic.LongAdder total = new java.util.concurrent.atomic.LongAdder();
    java.util.concurrent.atomic.AtomicLong seconds = new java.util.concurrent.atomic.AtomicLong();
    SightingBatcher b = new SightingBatcher((r, at, n, repeats) -> {
      total.add(n);
      return null;
    }, () -> T0.plusSeconds(seconds.get()), 20);
    int threads = 4;
    int each = 20_000;
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      workers.add(new Thread(() -> {
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = 0; i < each; i++) {
          String mac = String.format("52:54:00:00:00:%02x", rnd.nextInt(50));
          b.accept(rnd.nextInt(100) == 0 ? new BootRequest(Map.of("mac", mac), "10.0.0.7", "nodes", "flatcar",
              "/cloud-config", "200 profile flatcar") : ipxe(mac));
        }
        done.countDown();
      }));
    }
    workers.forEach(Thread::start);
    while (done.getCount() > 0) {
      seconds.incrementAndGet();
      b.sweep();
    }
    b.close();
    assertEquals((long) threads * each, total.sum());
  }

  @Test
  void aFailingInventory_neverReachesTheRequest_norStopsTheSweep() {
    List<String> tried = new ArrayList<>();
    SightingBatcher b = new SightingBatcher((r, at, n, repeats) -> {
      tried.add(r.labels().get("mac") + " " + n);
      throw new IllegalStateException("database closed");
    }, () -> now, 100);
    b.accept(ipxe(MAC));
    b.accept(ipxe(MAC));
    b.accept(ipxe("52:54:00:12:34:57"));
    b.accept(ipxe("52:54:00:12:34:57"));
    at(30);
    b.sweep();
    assertEquals(List.of(MAC + " 1", "52:54:00:12:34:57 1"), tried.subList(0, 2));
    assertEquals(java.util.Set.of(MAC + " 1", "52:54:00:12:34:57 1"), java.util.Set.copyOf(tried.subList(2, 4)),
        "the sweep wrote both machines' counts, though the first write failed");
  }
}
