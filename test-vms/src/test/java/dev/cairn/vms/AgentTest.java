package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.vms.ReleaseImage.Image;
import dev.cairn.vms.ReleaseImage.Partition;
import dev.cairn.vms.ReleaseImage.Release;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn agent} through a whole update against a real {@code cairn serve}: the machine is a
 * {@code --root} directory (its kernel command line, release file, update.conf, machine id) and a
 * disk image file made from a real 1.0.0 release image; 2.0.0 is published through {@code cairn
 * admin}. The slots' flags are read back with cgpt, the slot choice with {@code cairn gpt next},
 * and the server's view with {@code cairn admin instance show}.
 */
class AgentTest {
  private static final String MACHINE = "0123456789abcdef0123456789abcdef";

  @TempDir static Path shared;
  @TempDir Path tmp;

  static ReleaseKey key;
  static Release one;
  static Release two;
  static CairnServe serve;
  static ReleasePublisher publisher;
  static int port;

  @BeforeAll
  static void publish() throws Exception {
    key = ReleaseKey.generate(shared.resolve("key"));
    one = ReleaseImage.of("1.0.0").build(shared.resolve("1.0.0")).release(key);
    Path usr = Files.createDirectories(shared.resolve("usr-2"));
    byte[] noise = new byte[2 << 20];
    new Random(2).nextBytes(noise);
    Files.write(usr.resolve("noise.bin"), noise);
    two = ReleaseImage.of("2.0.0").usrFiles(usr).build(shared.resolve("2.0.0")).release(key);
    port = CairnServe.freePort();
    serve = CairnServe.start(shared.resolve("cairn-data"), port, shared.resolve("cairn-serve.log"),
        "http://127.0.0.1:" + port);
    publisher = new ReleasePublisher(serve);
    publisher.publish(one, "stable");
    publisher.upload(two);
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    if (key != null) {
      key.close();
    }
  }

  /** The machine's files as it runs {@code version} from the USR slot with partition GUID {@code usrGuid}. */
  private Path machine(Path root, String version, String usrGuid) throws Exception {
    return machine(root, version, usrGuid, MACHINE);
  }

  private Path machine(Path root, String version, String usrGuid, String machineId) throws Exception {
    Files.createDirectories(root.resolve("proc/sys/kernel/random"));
    Files.writeString(root.resolve("proc/cmdline"), "BOOT_IMAGE=/coreos/vmlinuz-a mount.usr=PARTUUID=" + usrGuid
        + " rootflags=rw mount.usrflags=ro consoleblank=0 root=LABEL=ROOT\n");
    Files.writeString(root.resolve("proc/sys/kernel/random/boot_id"), "6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1\n");
    Files.createDirectories(root.resolve("usr/share/coreos"));
    Files.writeString(root.resolve("usr/share/coreos/release"), "COREOS_RELEASE_VERSION=" + version
        + "\nCOREOS_RELEASE_BOARD=amd64-usr\nCOREOS_RELEASE_APPID={e96281a6-d1af-4bde-9a0a-97b76e56dc57}\n");
    Files.createDirectories(root.resolve("etc/coreos"));
    Files.writeString(root.resolve("etc/coreos/update.conf"), "GROUP=stable\nSERVER=http://127.0.0.1:" + port
        + "/v1/update/\nREBOOT_STRATEGY=off\n");
    Files.writeString(root.resolve("etc/machine-id"), machineId + "\n");
    return root;
  }

  private static String sha256(Path p, long offset, long bytes) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
      f.seek(offset);
      byte[] buf = new byte[1 << 20];
      long left = bytes;
      while (left > 0) {
        int n = f.read(buf, 0, (int) Math.min(buf.length, left));
        md.update(buf, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String cgpt(String flag, int part, Path disk) throws Exception {
    return Peer.run("cgpt", "show", "-i", String.valueOf(part), flag, disk.toString()).out().strip();
  }

  private static CairnServe.Run agent(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "agent";
    System.arraycopy(args, 0, all, 1, args.length);
    return CairnServe.cairnInProcess(all);
  }

  @Test
  void anUpdate_goesIntoUsrB_isTriedOnce_markedGood_andReportedComplete() throws Exception {
    Image image = one.image();
    Path disk = Files.copy(image.file(), tmp.resolve("disk.img"));
    Path root = machine(tmp.resolve("root-a"), "1.0.0", ReleaseImage.USR_A_GUID);
    String keyring = one.publicKey().toString();
    publisher.point("stable", "1.0.0");

    CairnServe.Run none = agent("check", "--root", root.toString());
    assertEquals(0, none.code(), none::describe);
    assertTrue(none.output().contains("no update"), none::describe);

    publisher.point("stable", "2.0.0");
    CairnServe.Run offered = agent("check", "--root", root.toString(), "--json");
    assertEquals(0, offered.code(), offered::describe);
    assertTrue(offered.output().contains("\"status\":\"ok\",\"version\":\"2.0.0\""), offered::describe);

    CairnServe.Run up = CairnServe.cairn("agent", "update", "--root", root.toString(), "--disk", disk.toString(), "--keyring", keyring);
    assertEquals(0, up.code(), up::describe);
    Partition usrB = image.partition("USR-B");
    assertEquals(two.image().usrSha256(), sha256(disk, usrB.offset(), usrB.bytes()), "USR-B must hold 2.0.0's USR");
    assertEquals("2", cgpt("-P", 4, disk));
    assertEquals("1", cgpt("-T", 4, disk));
    assertEquals("0", cgpt("-S", 4, disk));
    String shown = publisher.admin("instance", "show", MACHINE).output();
    assertTrue(shown.contains("granted -> downloading") && shown.contains("downloading -> downloaded")
        && shown.contains("downloaded -> installed"), shown);

    CairnServe.Run next = CairnServe.cairnInProcess("gpt", "next", disk.toString());
    assertEquals(0, next.code(), next::describe);
    assertTrue(next.output().contains("4"), next::describe);

    Path rootB = machine(tmp.resolve("root-b"), "2.0.0", ReleaseImage.USR_B_GUID);
    Files.createDirectories(rootB.resolve("var/lib"));
    copyTree(root.resolve("var/lib/cairn-agent"), rootB.resolve("var/lib/cairn-agent"));
    CairnServe.Run good = agent("mark-good", "--root", rootB.toString(), "--disk", disk.toString());
    assertEquals(0, good.code(), good::describe);
    assertEquals("1", cgpt("-S", 4, disk));
    assertEquals("0", cgpt("-T", 4, disk));

    CairnServe.Run after = agent("check", "--root", rootB.toString());
    assertEquals(0, after.code(), after::describe);
    String done = publisher.admin("instance", "show", MACHINE).output();
    assertTrue(done.contains("version  2.0.0") && done.contains("status   complete"), done);
  }

  /**
   * B installed but never marked good: gptprio boots it once, then A again; the agent, running A
   * with 1.0.0 as the version before the update, reports error 44 and the server counts a failure.
   */
  @Test
  void anUpdateNeverMarkedGood_rollsBack_andTheAgentReportsIt() throws Exception {
    String id = "1111111111111111111111111111111a";
    Path disk = Files.copy(one.image().file(), tmp.resolve("disk.img"));
    Path root = machine(tmp.resolve("root-a"), "1.0.0", ReleaseImage.USR_A_GUID, id);
    publisher.point("stable", "2.0.0");
    CairnServe.Run up = agent("update", "--root", root.toString(), "--disk", disk.toString(), "--keyring",
        one.publicKey().toString());
    assertEquals(0, up.code(), up::describe);
    CairnServe.Run first = CairnServe.cairnInProcess("gpt", "next", disk.toString());
    assertTrue(first.output().strip().endsWith("4") || first.output().contains("partition 4"), first::describe);
    CairnServe.Run second = CairnServe.cairnInProcess("gpt", "next", disk.toString());
    assertTrue(second.output().strip().endsWith("3") || second.output().contains("partition 3"), second::describe);

    CairnServe.Run check = agent("check", "--root", root.toString());
    assertEquals(0, check.code(), check::describe);
    String shown = publisher.admin("instance", "show", id).output();
    assertTrue(shown.contains("installed -> error") && shown.contains("event 3/0 error 44"), shown);
  }

  /** A payload that does not match the response's SHA-256: error 10 reaches the server, nothing on the disk changes. */
  @Test
  void aTamperedPayload_isReportedWithError10_andTheTableIsUntouched() throws Exception {
    String id = "2222222222222222222222222222222b";
    Path disk = Files.copy(one.image().file(), tmp.resolve("disk.img"));
    Path root = machine(tmp.resolve("root-a"), "1.0.0", ReleaseImage.USR_A_GUID, id);
    publisher.point("stable", "2.0.0");
    Path stored;
    try (var s = Files.walk(serve.dataDir().resolve("packages"))) {
      stored = s.filter(p -> p.toString().contains("2.0.0") && p.getFileName().toString().endsWith(".bz2"))
          .findFirst().orElseThrow();
    }
    byte[] before = Files.readAllBytes(stored);
    byte[] bad = before.clone();
    bad[bad.length / 2] ^= 1;
    String table = sha256(disk, 0, 1 << 20);
    Files.write(stored, bad);
    try {
      CairnServe.Run up = agent("update", "--root", root.toString(), "--disk", disk.toString(), "--keyring",
          one.publicKey().toString());
      assertEquals(1, up.code(), up::describe);
      assertTrue(up.output().contains("(error 10, PAYLOAD_HASH_MISMATCH_ERROR, reported)"), up::describe);
    } finally {
      Files.write(stored, before);
    }
    assertEquals(table, sha256(disk, 0, 1 << 20), "the partition table must be untouched");
    assertEquals("0", cgpt("-P", 4, disk));
    String shown = publisher.admin("instance", "show", id).output();
    assertTrue(shown.contains("event 3/0 error 10"), shown);
  }

  private Path storedPayload(String suffix) throws Exception {
    try (var s = Files.walk(serve.dataDir().resolve("packages"))) {
      return s.filter(p -> p.toString().contains("2.0.0") && p.getFileName().toString().endsWith(suffix))
          .findFirst().orElseThrow();
    }
  }

  /** Runs an update that must fail with {@code code}, leaving the table as it was and reporting the code. */
  private void failingUpdate(String id, String keyring, int code, String name) throws Exception {
    Path disk = Files.copy(one.image().file(), tmp.resolve("disk-" + id + ".img"));
    Path root = machine(tmp.resolve("root-" + id), "1.0.0", ReleaseImage.USR_A_GUID, id);
    publisher.point("stable", "2.0.0");
    String table = sha256(disk, 0, 1 << 20);
    CairnServe.Run up = agent("update", "--root", root.toString(), "--disk", disk.toString(), "--keyring", keyring);
    assertEquals(1, up.code(), up::describe);
    assertTrue(up.output().contains("(error " + code + ", " + name + ", reported)"), up::describe);
    assertEquals(table, sha256(disk, 0, 1 << 20), "the partition table must be untouched");
    assertEquals("0", cgpt("-P", 4, disk));
    assertEquals("1", cgpt("-P", 3, disk));
    String shown = publisher.admin("instance", "show", id).output();
    assertTrue(shown.contains("event 3/0 error " + code), shown);
  }

  @Test
  void aSignatureByAnUntrustedKey_isReportedWithError12() throws Exception {
    try (ReleaseKey other = ReleaseKey.generate(tmp.resolve("other"), "Other <other@example.invalid>")) {
      failingUpdate("3333333333333333333333333333333c", other.publicKey().toString(), 12,
          "DOWNLOAD_PAYLOAD_VERIFICATION_ERROR");
    }
  }

  @Test
  void aMissingSignature_isReportedWithError12() throws Exception {
    Path sig = storedPayload(".bz2.sig");
    byte[] before = Files.readAllBytes(sig);
    Files.delete(sig);
    try {
      failingUpdate("4444444444444444444444444444444d", one.publicKey().toString(), 12,
          "DOWNLOAD_PAYLOAD_VERIFICATION_ERROR");
    } finally {
      Files.write(sig, before);
    }
  }

  @Test
  void aTruncatedPayload_isReportedWithError11() throws Exception {
    Path p = storedPayload(".bz2");
    byte[] before = Files.readAllBytes(p);
    Files.write(p, java.util.Arrays.copyOf(before, before.length / 2));
    try {
      failingUpdate("5555555555555555555555555555555e", one.publicKey().toString(), 11,
          "PAYLOAD_SIZE_MISMATCH_ERROR");
    } finally {
      Files.write(p, before);
    }
  }

  @Test
  void status_showsTheSlotsAndTheUpdateWaiting() throws Exception {
    String id = "6666666666666666666666666666666f";
    Path disk = Files.copy(one.image().file(), tmp.resolve("disk.img"));
    Path root = machine(tmp.resolve("root-a"), "1.0.0", ReleaseImage.USR_A_GUID, id);
    publisher.point("stable", "2.0.0");
    assertEquals(0, agent("update", "--root", root.toString(), "--disk", disk.toString(), "--keyring",
        one.publicKey().toString()).code());
    CairnServe.Run st = agent("status", "--root", root.toString(), "--disk", disk.toString());
    assertEquals(0, st.code(), st::describe);
    assertTrue(st.output().contains("running:  USR-A (partition 3) priority=1 tries=0 successful=1"), st::describe);
    assertTrue(st.output().contains("other:    USR-B (partition 4) priority=2 tries=1 successful=0"), st::describe);
    assertTrue(st.output().contains("waiting:  2.0.0 is installed; reboot to run it"), st::describe);
  }

  /**
   * The daemon as its own process: it checks at once, applies 2.0.0, runs the reboot command
   * (REBOOT_STRATEGY=reboot; here a script that leaves a mark), and on SIGTERM says it stopped.
   */
  @Test
  void theDaemon_appliesAnUpdate_reboots_andStopsOnSigterm() throws Exception {
    String id = "7777777777777777777777777777777a";
    Path disk = Files.copy(one.image().file(), tmp.resolve("disk.img"));
    Path root = machine(tmp.resolve("root-a"), "1.0.0", ReleaseImage.USR_A_GUID, id);
    Files.writeString(root.resolve("etc/coreos/update.conf"), "GROUP=stable\nSERVER=http://127.0.0.1:" + port
        + "/v1/update/\nREBOOT_STRATEGY=reboot\n");
    publisher.point("stable", "2.0.0");
    Path mark = tmp.resolve("rebooted");
    Path script = Files.writeString(tmp.resolve("reboot.sh"), "#!/bin/sh\ntouch " + mark + "\n");
    script.toFile().setExecutable(true);
    Path log = tmp.resolve("daemon.log");
    Process p = new ProcessBuilder(CairnServe.command("agent", "daemon", "--root", root.toString(), "--disk",
        disk.toString(), "--keyring", one.publicKey().toString(), "--first-check", "0s", "--interval", "1s",
        "--fuzz", "0s", "--reboot-command", script.toString())).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(mark) && System.nanoTime() < deadline && p.isAlive()) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(mark), () -> "the reboot command never ran:\n" + read(log));
      assertEquals("2", cgpt("-P", 4, disk));
    } finally {
      p.destroy();
      assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    }
    String out = read(log);
    assertTrue(out.contains("update 2.0.0 is waiting: REBOOT_STRATEGY=reboot, no lock: rebooting"), out);
    assertTrue(out.contains("rebooting: " + script), out);
    assertTrue(out.strip().endsWith("stopped"), out);
  }

  /**
   * The server killed mid-download: the agent gives up with error 9, cannot report it, keeps it,
   * and sends it before its next check once the server is back. Its own server behind a relay
   * that holds the payload's transfer, so the kill falls inside it.
   */
  @Test
  void theServerGoneMidDownload_theErrorIsSentOnTheNextCheck() throws Exception {
    String id = "8888888888888888888888888888888b";
    int own = CairnServe.freePort();
    Path data = tmp.resolve("own-data");
    try (HoldingRelay relay = new HoldingRelay(own, 512 * 1024)) {
      String via = "http://127.0.0.1:" + relay.port();
      CairnServe s = CairnServe.start(data, own, tmp.resolve("own.log"), via);
      try {
        ReleasePublisher pub = new ReleasePublisher(s);
        pub.publish(one, "stable");
        pub.upload(two);
        pub.point("stable", "2.0.0");
        Path disk = Files.copy(one.image().file(), tmp.resolve("disk.img"));
        Path root = machine(tmp.resolve("root-a"), "1.0.0", ReleaseImage.USR_A_GUID, id);
        String table = sha256(disk, 0, 1 << 20);
        java.util.concurrent.CompletableFuture<CairnServe.Run> run = java.util.concurrent.CompletableFuture.supplyAsync(
            () -> agent("update", "--root", root.toString(), "--disk", disk.toString(), "--keyring",
                one.publicKey().toString(), "--server", via + "/v1/update/", "--retries", "1", "--retry-delay", "100ms"));
        assertTrue(relay.awaitHolding(60), "the payload never started");
        s.kill();
        relay.dropHeld();
        CairnServe.Run up = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, up.code(), up::describe);
        assertTrue(up.output().contains("(error 9, DOWNLOAD_TRANSFER_ERROR, kept to report at the next check)"),
            up::describe);
        assertTrue(up.output().contains("could not report event 3/0"), up::describe);
        assertEquals(table, sha256(disk, 0, 1 << 20), "the partition table must be untouched");

        s = CairnServe.start(data, own, tmp.resolve("own-2.log"), via);
        CairnServe.Run check = agent("check", "--root", root.toString(), "--server", via + "/v1/update/");
        assertEquals(0, check.code(), check::describe);
        String shown = new ReleasePublisher(s).admin("instance", "show", id).output();
        assertTrue(shown.contains("event 3/0 error 9"), shown);
      } finally {
        s.close();
      }
    }
  }

  /** The agent on the trimmed runtime of {@link TrimmedRuntime#MODULES} (java.xml for its StAX parser). */
  @Test
  void onTheTrimmedRuntime_theAgentChecks() throws Exception {
    TrimmedRuntime rt = TrimmedRuntime.build(tmp.resolve("runtime"), TrimmedRuntime.currentClassPath());
    Path root = machine(tmp.resolve("root-a"), "1.0.0", ReleaseImage.USR_A_GUID, "9999999999999999999999999999999c");
    publisher.point("stable", "2.0.0");
    Process p = new ProcessBuilder(rt.command("agent", "check", "--root", root.toString(), "--json"))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("\"status\":\"ok\",\"version\":\"2.0.0\""), out);
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
  }
}
