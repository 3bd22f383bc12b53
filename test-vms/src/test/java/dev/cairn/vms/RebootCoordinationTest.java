package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.lock.EtcdCluster;
import dev.cairn.install.agent.lock.EtcdLock;
import dev.cairn.install.agent.lock.Semaphore;
import dev.cairn.install.agent.lock.SemaphoreJson;
import dev.cairn.vms.ReleaseImage.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reboot coordination end to end, without VMs: machines are {@code --root} directories and
 * image-file disks that really took 2.0.0 from a real {@code cairn serve}, each then running
 * {@code cairn agent reboot} as its own process. The reboot command is a script leaving a mark;
 * the test then "boots" the machine (gptprio's {@code cairn gpt next} on its disk, the root of
 * USR-B) after a random while and runs {@code cairn agent mark-good}, which gives the slot back.
 * The lock is a real 3-member etcd on loopback, whose own revision history (read through
 * {@code etcdctl}) says what the machines did to it; or the update server itself, speaking
 * FleetLock, whose activity log says it.
 */
class RebootCoordinationTest {
  private static final String KEY = EtcdLock.key(Optional.empty());

  @TempDir static Path shared;
  @TempDir Path tmp;

  static ReleaseKey key;
  static Release one;
  static Release two;
  static CairnServe serve;
  static ReleasePublisher publisher;
  static int port;
  static EtcdCluster etcd;

  @RegisterExtension
  static final EtcdCluster.PrintLogsOnFailure LOGS = new EtcdCluster.PrintLogsOnFailure(() -> etcd);

  @BeforeAll
  static void start() throws Exception {
    etcd = EtcdCluster.start("reboots", 3);
    key = ReleaseKey.generate(shared.resolve("key"));
    one = ReleaseImage.of("1.0.0").build(shared.resolve("1.0.0")).release(key);
    two = ReleaseImage.of("2.0.0").build(shared.resolve("2.0.0")).release(key);
    port = CairnServe.freePort();
    serve = CairnServe.start(shared.resolve("cairn-data"), port, shared.resolve("cairn-serve.log"),
        "http://127.0.0.1:" + port);
    publisher = new ReleasePublisher(serve);
    publisher.upload(one);
    publisher.publish(two, "fleet");
    publisher.admin("group", "create", "fleet", "--channel", "fleet", "--max-updates", "0");
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    if (key != null) {
      key.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  /** One machine: its root as it runs 1.0.0 from USR-A, its disk, where its reboot leaves a mark. */
  record Machine(String id, Path root, Path disk, Path mark, Path log) {}

  private static String endpoints() {
    return String.join(",", etcd.endpoints().stream().map(Object::toString).toList());
  }

  /** The files of a machine running {@code version} from the USR slot {@code usrGuid}. */
  private static Path root(Path root, String id, String version, String usrGuid, String conf) throws Exception {
    Files.createDirectories(root.resolve("proc/sys/kernel/random"));
    Files.writeString(root.resolve("proc/cmdline"), "BOOT_IMAGE=/coreos/vmlinuz-a mount.usr=PARTUUID=" + usrGuid
        + " rootflags=rw mount.usrflags=ro root=LABEL=ROOT\n");
    Files.writeString(root.resolve("proc/sys/kernel/random/boot_id"), java.util.UUID.randomUUID() + "\n");
    Files.createDirectories(root.resolve("usr/share/coreos"));
    Files.writeString(root.resolve("usr/share/coreos/release"), "COREOS_RELEASE_VERSION=" + version
        + "\nCOREOS_RELEASE_BOARD=amd64-usr\nCOREOS_RELEASE_APPID={e96281a6-d1af-4bde-9a0a-97b76e56dc57}\n");
    Files.createDirectories(root.resolve("etc/coreos"));
    Files.writeString(root.resolve("etc/coreos/update.conf"), "GROUP=fleet\nSERVER=http://127.0.0.1:" + port
        + "/v1/update/\n" + conf);
    Files.writeString(root.resolve("etc/machine-id"), id + "\n");
    return root;
  }

  /** A machine that took 2.0.0 into USR-B with the real agent and now waits to reboot into it. */
  private Machine updated(String name, String id, String conf) throws Exception {
    Path disk = Files.copy(one.image().file(), tmp.resolve(name + ".img"));
    Path root = root(tmp.resolve(name + "-a"), id, "1.0.0", ReleaseImage.USR_A_GUID, conf);
    CairnServe.Run up = CairnServe.cairnInProcess("agent", "update", "--root", root.toString(), "--disk",
        disk.toString(), "--keyring", one.publicKey().toString());
    assertEquals(0, up.code(), up::describe);
    assertTrue(up.output().contains("update 2.0.0 installed"), up::describe);
    Path mark = tmp.resolve(name + ".rebooted");
    return new Machine(id, root, disk, mark, tmp.resolve(name + ".reboot.log"));
  }

  /** {@code cairn agent reboot} for {@code m}, as its own process, its output kept. */
  private static Process reboot(Machine m) throws Exception {
    Path script = m.mark().resolveSibling(m.mark().getFileName() + ".sh");
    Files.writeString(script, "#!/bin/sh\ndate +%s%N >> " + m.mark() + "\n");
    script.toFile().setExecutable(true);
    return new ProcessBuilder(CairnServe.command("agent", "reboot", "--root", m.root().toString(), "--disk",
        m.disk().toString(), "--reboot-command", script.toString(), "--lock-retry", "300ms"))
        .redirectErrorStream(true).redirectOutput(m.log().toFile()).start();
  }

  /**
   * The machine's next boot: gptprio picks USR-B (2.0.0), which is healthy, so mark-good runs in
   * the root of that boot (the agent's state carried over) and gives the slot back.
   */
  private void boot(Machine m) throws Exception {
    CairnServe.Run next = CairnServe.cairnInProcess("gpt", "next", m.disk().toString());
    assertEquals(0, next.code(), next::describe);
    assertTrue(next.output().contains("4"), next::describe);
    Path rootB = root(m.root().resolveSibling(m.root().getFileName() + "-b"), m.id(), "2.0.0", ReleaseImage.USR_B_GUID,
        Files.readString(m.root().resolve("etc/coreos/update.conf")).lines()
            .filter(l -> !l.startsWith("GROUP=") && !l.startsWith("SERVER=")).map(l -> l + "\n")
            .reduce("", String::concat));
    copyTree(m.root().resolve("var/lib/cairn-agent"), rootB.resolve("var/lib/cairn-agent"));
    CairnServe.Run good = CairnServe.cairnInProcess("agent", "mark-good", "--root", rootB.toString(), "--disk",
        m.disk().toString());
    assertEquals(0, good.code(), good::describe);
    assertTrue(good.output().contains("reboot slot given back to"), good::describe);
  }

  /**
   * Every machine's {@code agent reboot} at once; each, once rebooted, stays down a random 0.3 to
   * 1 s, then boots and gives its slot back. {@code afterReboots} runs once when the given number
   * of machines have rebooted.
   */
  private void rebootAll(List<Machine> machines, int after, Consumer<Integer> afterReboots) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(machines.size());
    Random random = new Random(16);
    Set<String> rebooted = java.util.Collections.synchronizedSet(new HashSet<>());
    List<Future<?>> done = new ArrayList<>();
    try {
      for (Machine m : machines) {
        long down = 300 + random.nextInt(700);
        done.add(pool.submit(() -> {
          Process p = reboot(m);
          assertTrue(p.waitFor(180, TimeUnit.SECONDS), () -> m.id() + " never rebooted:\n" + read(m.log()));
          assertEquals(0, p.exitValue(), () -> read(m.log()));
          assertTrue(Files.exists(m.mark()), () -> read(m.log()));
          rebooted.add(m.id());
          if (rebooted.size() == after) {
            afterReboots.accept(after);
          }
          Thread.sleep(down);
          boot(m);
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(240, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Five machines with etcd-lock and max 2 on a 3-member etcd, the leader killed after the second
   * reboot. etcd's history of the key (read from a surviving member with etcdctl) shows every
   * version with at most 2 holders and {@code semaphore + holders == max}; each machine entered the
   * holders exactly once (no slot granted twice) and left; the last version has every slot free
   * (no slot lost). Each machine rebooted exactly once.
   */
  @Test
  void fiveMachines_max2_onThreeMembers_leaderKilledMidway_neverMoreThanTwo_allRebootedAndReleased() throws Exception {
    CairnServe.Run max = CairnServe.cairnInProcess("locks", "set-max", "2", "--etcd", endpoints());
    assertEquals(0, max.code(), max::describe);
    assertEquals("Old-Max: 1\nMax: 2\n", max.output());
    List<Machine> machines = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      machines.add(updated("m" + i, String.format("%032x", 0xe7c0 + i), "REBOOT_STRATEGY=etcd-lock\n"
          + "LOCKSMITHD_ENDPOINT=" + endpoints() + "\n"));
    }
    int[] killed = {-1};
    rebootAll(machines, 2, n -> {
      try {
        killed[0] = etcd.leader();
        etcd.kill(killed[0]);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertTrue(killed[0] >= 0, "the leader was never killed");

    List<EtcdCluster.Version> history = etcd.history(KEY);
    Map<String, Integer> entered = new HashMap<>();
    Set<String> before = Set.of();
    int most = 0;
    for (EtcdCluster.Version v : history) {
      Semaphore s = SemaphoreJson.decode(v.value().orElseThrow(() -> new AssertionError("the key was deleted at " + v)));
      assertTrue(s.holders().size() <= 2, "more than 2 holders at revision " + v.modRevision() + ": " + s);
      assertEquals(2, s.available() + s.holders().size(), "a slot lost or made at revision " + v.modRevision() + ": " + s);
      for (String h : s.holders()) {
        if (!before.contains(h)) {
          entered.merge(h, 1, Integer::sum);
        }
      }
      before = Set.copyOf(s.holders());
      most = Math.max(most, s.holders().size());
    }
    for (Machine m : machines) {
      assertEquals(1, entered.getOrDefault(m.id(), 0), "times " + m.id() + " was granted a slot: " + history);
      assertEquals(1, Files.readAllLines(m.mark()).size(), () -> m.id() + " rebooted more than once");
    }
    assertEquals(2, most, "two machines never rebooted at once: " + history);
    Semaphore last = SemaphoreJson.decode(history.get(history.size() - 1).value().orElseThrow());
    assertEquals(Semaphore.fresh(2), last);
    CairnServe.Run status = CairnServe.cairnInProcess("locks", "status", "--etcd", endpoints());
    assertEquals("Available: 2\nMax: 2\n", status.output(), status::describe);
  }

  /**
   * A fleet moving from locksmith: the semaphore as locksmith left it (written by etcdctl in
   * locksmith's form, {@code "holders":null} then one holder that died), a machine waiting for a
   * slot, {@code cairn locks status} naming the stale holder, {@code cairn locks unlock} releasing
   * it, and the machine then rebooting.
   */
  @Test
  void aStaleLocksmithHolder_isShown_unlocked_andTheWaitingMachineReboots() throws Exception {
    String group = "migrated";
    String groupKey = EtcdLock.key(Optional.of(group));
    String stale = "deaddeaddeaddeaddeaddeaddeaddead";
    etcd.etcdctl("put", groupKey, "{\"semaphore\":0,\"max\":1,\"holders\":[\"" + stale + "\"]}");
    Machine m = updated("waiting", "0000000000000000000000000000beef", "REBOOT_STRATEGY=etcd-lock\n"
        + "LOCKSMITHD_ENDPOINT=" + endpoints() + "\nLOCKSMITHD_GROUP=" + group + "\n");
    staleHolderUnlocked(m, stale, shown -> shown.equals("Available: 0\nMax: 1\n\nMACHINE ID\n" + stale + "\n"),
        "--etcd", endpoints(), "--group", group);
    boot(m);
    assertEquals(Semaphore.fresh(1), SemaphoreJson.decode(etcd.etcdctl("get", groupKey, "--print-value-only").strip()));
  }

  /**
   * The daemon end to end with etcd-lock: it checks, takes 2.0.0, takes a slot and reboots, then
   * waits to be stopped (the machine is going down), keeping the slot. After the reboot the new
   * slot is marked good by another tool (cgpt, as a machine's own health service might), and the
   * daemon of the new boot gives the slot back on its first round.
   */
  @Test
  void theDaemon_takesASlot_reboots_andAfterAGoodBootGivesItBack() throws Exception {
    String group = "daemon";
    String groupKey = EtcdLock.key(Optional.of(group));
    String id = "dae11011dae11011dae11011dae11011";
    String conf = "REBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_ENDPOINT=" + endpoints() + "\nLOCKSMITHD_GROUP=" + group + "\n";
    Path disk = Files.copy(one.image().file(), tmp.resolve("daemon.img"));
    Path rootA = root(tmp.resolve("daemon-a"), id, "1.0.0", ReleaseImage.USR_A_GUID, conf);
    Machine m = new Machine(id, rootA, disk, tmp.resolve("daemon.rebooted"), tmp.resolve("daemon-a.log"));
    Path script = Files.writeString(tmp.resolve("daemon-reboot.sh"), "#!/bin/sh\ndate +%s%N >> " + m.mark() + "\n");
    script.toFile().setExecutable(true);

    Process a = daemon(rootA, disk, script, m.log());
    try {
      waitFor(() -> read(m.log()).contains("the reboot is under way; the daemon waits to be stopped"), a, m.log());
      assertTrue(a.isAlive(), () -> read(m.log()));
    } finally {
      a.destroy();
      assertTrue(a.waitFor(60, TimeUnit.SECONDS));
    }
    assertTrue(read(m.log()).contains("reboot slot taken from etcd"), () -> read(m.log()));
    assertEquals(List.of(id), SemaphoreJson.decode(etcd.etcdctl("get", groupKey, "--print-value-only").strip()).holders());

    CairnServe.Run next = CairnServe.cairnInProcess("gpt", "next", disk.toString());
    assertTrue(next.output().contains("4"), next::describe);
    Peer.run("cgpt", "add", "-i", "4", "-S", "1", "-T", "0", disk.toString());
    Path rootB = root(tmp.resolve("daemon-b"), id, "2.0.0", ReleaseImage.USR_B_GUID, conf);
    copyTree(rootA.resolve("var/lib/cairn-agent"), rootB.resolve("var/lib/cairn-agent"));
    Path logB = tmp.resolve("daemon-b.log");
    Process b = daemon(rootB, disk, script, logB);
    try {
      waitFor(() -> read(logB).contains("reboot slot given back to etcd"), b, logB);
    } finally {
      b.destroy();
      assertTrue(b.waitFor(60, TimeUnit.SECONDS));
    }
    assertEquals(Semaphore.fresh(1), SemaphoreJson.decode(etcd.etcdctl("get", groupKey, "--print-value-only").strip()));
    assertEquals(1, Files.readAllLines(m.mark()).size(), () -> read(logB));
  }

  /**
   * {@code m} asks for a slot held by {@code stale} and waits; {@code cairn locks status BACKEND}
   * shows the holder as {@code shown} expects, {@code cairn locks unlock} releases it, and {@code m}
   * reboots; a second unlock of the same machine exits 2.
   */
  private static void staleHolderUnlocked(Machine m, String stale, java.util.function.Predicate<String> shown,
      String... backend) throws Exception {
    Process p = reboot(m);
    try {
      waitFor(() -> read(m.log()).contains("no reboot slot"), p, m.log());
      assertFalse(Files.exists(m.mark()));
      CairnServe.Run status = locks("status", backend);
      assertTrue(shown.test(status.output()), status::describe);
      CairnServe.Run unlock = locks("unlock", backend, stale);
      assertEquals(0, unlock.code(), unlock::describe);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), () -> read(m.log()));
      assertEquals(0, p.exitValue(), () -> read(m.log()));
      assertTrue(Files.exists(m.mark()));
    } finally {
      p.destroyForcibly();
    }
    CairnServe.Run again = locks("unlock", backend, stale);
    assertEquals(2, again.code(), again::describe);
    assertTrue(again.output().contains("'" + stale + "' holds no reboot slot"), again::describe);
  }

  /** {@code cairn locks COMMAND [ARG] BACKEND...}, in this JVM. */
  private static CairnServe.Run locks(String command, String[] backend, String... arg) {
    List<String> all = new ArrayList<>(List.of("locks", command));
    all.addAll(List.of(arg));
    all.addAll(List.of(backend));
    return CairnServe.cairnInProcess(all.toArray(String[]::new));
  }

  private static Process daemon(Path root, Path disk, Path script, Path log) throws Exception {
    return new ProcessBuilder(CairnServe.command("agent", "daemon", "--root", root.toString(), "--disk", disk.toString(),
        "--keyring", one.publicKey().toString(), "--first-check", "0s", "--interval", "1s", "--fuzz", "0s",
        "--reboot-command", script.toString(), "--lock-retry", "300ms"))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static void waitFor(java.util.function.BooleanSupplier done, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!done.getAsBoolean() && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(done.getAsBoolean(), () -> "not done:\n" + read(log));
  }

  private static String serverUrl() {
    return "http://127.0.0.1:" + port;
  }

  private static String token() {
    return serve.dataDir().resolve("admin.token").toString();
  }

  /**
   * The same five machines through {@code cairn serve}'s FleetLock: etcd-lock with no etcd makes
   * the update server the lock, its group limited to 2 reboots with {@code cairn locks set-max
   * --server}. The server's activity log (written in the transaction that takes each slot, with
   * the count it left) never shows more than 2 slots taken, every machine took one once and gave
   * it back once, and the group ends with both slots free.
   */
  @Test
  void fiveMachines_max2_throughCairnServesFleetLock_neverMoreThanTwo_allRebootedAndReleased() throws Exception {
    CairnServe.Run max = CairnServe.cairnInProcess("locks", "set-max", "2", "--server", serverUrl(), "--group", "fleet",
        "--token-file", token());
    assertEquals(0, max.code(), max::describe);
    assertEquals("Old-Max: 1\nMax: 2\n", max.output());
    List<Machine> machines = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      machines.add(updated("f" + i, String.format("%032x", 0xf1ee70 + i), "REBOOT_STRATEGY=etcd-lock\n"));
    }
    rebootAll(machines, -1, n -> { });

    com.fasterxml.jackson.databind.JsonNode log = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        publisher.admin("activity", "--format", "json", "--limit", "1000").output());
    List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
    log.forEach(e -> {
      if (e.path("kind").asText().startsWith("reboot.") && e.path("message").asText().contains("group fleet ")) {
        events.add(0, e);     // the log is newest first
      }
    });
    java.util.regex.Pattern count = java.util.regex.Pattern.compile("\\((\\d+) of 2 slots taken\\)");
    Map<String, Integer> took = new HashMap<>();
    Map<String, Integer> gave = new HashMap<>();
    int most = 0;
    for (com.fasterxml.jackson.databind.JsonNode e : events) {
      java.util.regex.Matcher m = count.matcher(e.path("message").asText());
      assertTrue(m.find(), e::toString);
      int taken = Integer.parseInt(m.group(1));
      assertTrue(taken <= 2, "more than 2 slots taken: " + e);
      most = Math.max(most, taken);
      String id = e.path("machine_id").asText();
      (e.path("kind").asText().equals("reboot.taken") ? took : gave).merge(id, 1, Integer::sum);
    }
    for (Machine m : machines) {
      assertEquals(1, took.getOrDefault(m.id(), 0), () -> m.id() + " took a slot other than once: " + events);
      assertEquals(1, gave.getOrDefault(m.id(), 0), () -> m.id() + " gave a slot back other than once: " + events);
      assertEquals(1, Files.readAllLines(m.mark()).size(), () -> m.id() + " rebooted more than once");
    }
    assertEquals(2, most, "two machines never rebooted at once: " + events);
    CairnServe.Run status = CairnServe.cairnInProcess("locks", "status", "--server", serverUrl(), "--group", "fleet",
        "--token-file", token());
    assertEquals("Available: 2\nMax: 2\n", status.output(), status::describe);
  }

  /**
   * A machine that took a slot of {@code cairn serve} and never came back: the next machine waits,
   * {@code cairn locks status --server} names the stale holder and since when, {@code cairn locks
   * unlock} releases it, and the waiting machine reboots. The stale machine took its slot with a
   * plain HTTP client speaking FleetLock, as Zincati would.
   */
  @Test
  void aStaleHolderOfCairnServe_isShown_unlocked_andTheWaitingMachineReboots() throws Exception {
    publisher.admin("group", "create", "stale", "--channel", "fleet", "--max-updates", "0");
    String dead = "5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e";
    java.net.http.HttpResponse<String> took = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create(serverUrl() + "/v1/pre-reboot"))
            .header("fleet-lock-protocol", "true")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                "{\"client_params\":{\"id\":\"" + dead + "\",\"group\":\"stale\"}}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, took.statusCode(), took.body());
    Machine m = updated("behind", "0000000000000000000000000000b0b0", "REBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_GROUP=stale\n");
    staleHolderUnlocked(m, dead, shown -> shown.matches("(?s)Available: 0\nMax: 1\n\nMACHINE ID                        SINCE\n"
        + dead + "  20\\d\\d-.*Z\n"), "--server", serverUrl(), "--group", "stale", "--token-file", token());
    assertTrue(read(m.log()).contains("no reboot slot from FleetLock " + serverUrl() + " group stale: failed_lock: "),
        () -> read(m.log()));
    boot(m);
    CairnServe.Run status = CairnServe.cairnInProcess("locks", "status", "--server", serverUrl(), "--group", "stale",
        "--token-file", token());
    assertEquals("Available: 1\nMax: 1\n", status.output(), status::describe);
  }

  static String read(Path p) {
    return AgentTest.read(p);
  }

  private static void copyTree(Path from, Path to) throws Exception {
    AgentTest.copyTree(from, to);
  }
}
