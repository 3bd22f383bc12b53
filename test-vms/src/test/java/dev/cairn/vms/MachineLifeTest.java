package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.vms.ReleaseImage.Image;
import dev.cairn.vms.ReleaseImage.Release;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole life of a machine, in qemu under software emulation, against a real {@code cairn
 * serve} on a loopback port that the machines reach through qemu's user network: PXE boot into the
 * installer, install, boot from the disk, update A to B, roll back a bad version, refuse a tampered
 * payload, refuse a tampered image. Every Cairn step runs inside the machine, on the test OS
 * ({@link TestOs}): {@code cairn install}, {@code cairn gpt next}, {@code cairn cloud-config
 * apply}, {@code cairn agent mark-good} and {@code cairn agent update}.
 *
 * <p>Each flow has its own machine (MAC, boot group, update group and channel), disk and serial
 * logs, so the flows do not depend on one another. The machines of the update flows start from a
 * disk installed on the host with {@code cairn install -f} and the cloud-config the server renders
 * for them (what an operator imaging disks before racking would do), and boot from the disk first;
 * the install flows are PXE-first. A failed flow's assertion names its serial log and its disk.
 */
class MachineLifeTest {
  static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");
  static final Path LOGS = TARGET.resolve("vm-logs");
  /** EFI-SYSTEM holds Debian's kernel and the test OS initramfs; the rest as small as may be. */
  static final ReleaseImage.Sizes SIZES = new ReleaseImage.Sizes(48, 1, 4, 2, 1, 2);
  /** The machines' disks: sparse files, larger than the image so the install fits the table to them. */
  static final long DISK_BYTES = 128L << 20;
  /** The initramfs unpacked, the JVM and the installer's buffers. */
  static final int MEMORY_MIB = 768;
  /** One power-on, however many boots it takes. */
  static final Duration BOUND = Duration.ofMinutes(8);
  static final ObjectMapper JSON = new ObjectMapper();
  static final Map<String, Double> TIMES = java.util.Collections.synchronizedMap(new LinkedHashMap<>());

  @TempDir static Path shared;

  static Qemu qemu;
  static Kernel kernel;
  static ReleaseKey key;
  static Path initrd;
  static Release v100;
  static Release v200;
  static Release v300;
  static CairnServe serve;
  static ReleasePublisher publisher;
  static Path data;

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    qemu = Qemu.locate();
    kernel = Kernel.fromCache();
    key = ReleaseKey.generate(shared.resolve("key"));
    TrimmedRuntime runtime = TrimmedRuntime.build(shared.resolve("runtime"), TrimmedRuntime.currentClassPath());
    initrd = shared.resolve("initrd.img");
    Initramfs testOs = TestOs.initramfs(kernel, runtime, key.publicKey());
    testOs.write(initrd);
    v100 = release("1.0.0", true, true);
    v200 = release("2.0.0", true, false);
    v300 = release("3.0.0", false, false);

    int port = CairnServe.freePort();
    BootServer at = BootServer.at(port);
    data = TARGET.resolve("life-data");
    NetbootTest.deleteTree(data);
    writeBootData(at, testOs);
    CairnServe.Run check = CairnServe.cairn("boot", "check", "--data-dir", data.toString());
    assertEquals(0, check.code(), check.describe());
    serve = CairnServe.start(data, port, TARGET.resolve("life-cairn-serve.log"));
    publisher = new ReleasePublisher(serve);
    publisher.publish(v100, "stable");
    publisher.upload(v200);
    publisher.upload(v300);
    System.out.printf("machine life: set-up (runtime, initramfs %.1f MB, three releases, server) %.1f s%n",
        Files.size(initrd) / 1e6, (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    if (key != null) {
      key.close();
    }
    StringBuilder b = new StringBuilder("machine life: flow times\n");
    new java.util.TreeMap<>(TIMES).forEach((k, v) -> b.append(String.format("  %-28s %6.1f s%n", k, v)));
    System.out.print(b);
  }

  /** A test OS release: USR with the health check ({@code healthy} or not) and the release keys; bootable when {@code bootable}. */
  static Release release(String version, boolean healthy, boolean bootable) throws IOException {
    Path usr = TestOs.usrFiles(Files.createDirectories(shared.resolve("usr-" + version)), healthy, key.publicKey());
    Image image = ReleaseImage.of(version).sizes(SIZES).usrFiles(usr).build(shared.resolve(version));
    if (bootable) {
      DiskBoot.install(image, kernel.vmlinuz(), initrd, "");
    }
    return image.release(key);
  }

  // ---------------------------------------------------------------------------------------------
  // The machines, their boot groups and update groups.

  /** A flow's machine: its boot group is its name, its update group and channel {@code channel}. */
  record Node(Machine machine, String channel, String profile) {
    String name() {
      return machine.name();
    }
  }

  static Node node(String name, Firmware firmware, int n, String channel, String profile) {
    String hex = String.format("%02x", n);
    return new Node(new Machine(name, firmware, "52:54:00:ca:15:" + hex,
        UUID.fromString("15151515-0000-4000-8000-0000000015" + hex), MEMORY_MIB), channel, profile);
  }

  static final Node BIOS_INSTALL = node("life-bios", Firmware.BIOS, 1, "stable", "installer");
  static final Node UEFI_INSTALL = node("life-uefi", Firmware.UEFI, 2, "stable", "installer");
  static final Node UPDATER = node("life-update", Firmware.BIOS, 3, "flow-update", "installer");
  static final Node ROLLBACK = node("life-rollback", Firmware.BIOS, 4, "flow-rollback", "installer");
  static final Node TAMPERED = node("life-tampered", Firmware.BIOS, 5, "flow-tampered", "installer");
  static final Node REFUSED = node("life-refused", Firmware.BIOS, 6, "flow-refused", "installer-refused");
  static final List<Node> NODES = List.of(BIOS_INSTALL, UEFI_INSTALL, UPDATER, ROLLBACK, TAMPERED, REFUSED);

  /**
   * The boot data, before the server's first start: Debian's kernel and the test OS initramfs as
   * assets, the install-once profile {@code installer} (its channel {@code stable}) and
   * {@code installer-refused} (channel {@code flow-refused}), a template giving the hostname and a
   * file, and a group per machine with its hostname and update group.
   */
  static void writeBootData(BootServer at, Initramfs testOs) throws IOException {
    Path boot = data.resolve("boot");
    for (String d : List.of("", "boot", "boot/profiles", "boot/groups", "boot/templates", "boot/assets")) {
      Files.createDirectories(data.resolve(d));
      Files.setPosixFilePermissions(data.resolve(d), PosixFilePermissions.fromString("rwx------"));
    }
    BootAssets.write(boot.resolve("assets"), kernel, testOs);
    for (String[] p : List.of(new String[] {"installer", "stable"}, new String[] {"installer-refused", "flow-refused"})) {
      Files.writeString(boot.resolve("profiles/" + p[0] + ".yaml"), """
          # The test OS in its installer mode: cairn install from this server, then reboot.
          id: ID
          install_once: true
          boot:
            kernel: vmlinuz
            initrd:
              - initrd.img
            args:
              - initrd=initrd.img
              - console=ttyS0
              - cairn.mode=install
              - cairn.server=BASE
              - cairn.channel=CHANNEL
              - cairn.config=BASE/cloud-config?mac=${mac:hexhyp}
          cloud_config: node
          """.replace("ID", p[0]).replace("CHANNEL", p[1]).replace("BASE", at.guestBaseUrl()));
    }
    Files.writeString(boot.resolve("templates/node.yaml"), """
        #cloud-config
        hostname: ${hostname}
        write_files:
          - path: /etc/cairn-life/node
            permissions: "0600"
            content: |
              node ${hostname}
        """);
    for (Node n : NODES) {
      Files.writeString(boot.resolve("groups/" + n.name() + ".yaml"), """
          id: NAME
          profile: PROFILE
          selector:
            mac: MAC
          metadata:
            hostname: NAME
          update:
            group: CHANNEL
          """.replace("NAME", n.name()).replace("PROFILE", n.profile()).replace("MAC", n.machine().mac())
          .replace("CHANNEL", n.channel()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The flows.

  @Test
  void biosMachinePxeBootsInstallsAndThenBootsFromItsDisk() throws Exception {
    installFlow("1 PXE install (BIOS)", BIOS_INSTALL);
  }

  @Test
  void uefiMachinePxeBootsInstallsAndThenBootsFromItsDisk() throws Exception {
    installFlow("2 PXE install (UEFI)", UEFI_INSTALL);
  }

  /**
   * A blank disk, PXE first: the installer profile installs 1.0.0 and reports the machine
   * installed; the next network boot is sent to the disk, which boots 1.0.0 from USR-A with the
   * group's hostname, file and update group applied from the cloud-config.
   */
  void installFlow(String flow, Node n) throws Exception {
    Path disk = blankDisk(n);
    long t0 = System.nanoTime();
    Boot life = qemu.powerOn(n.machine(), serve.bootServer(), disk, true, "install", LOGS, BOUND);
    time(flow, t0);
    String why = life.summary() + " disk " + disk;
    List<List<String>> boots = boots(life);
    assertEquals(Boot.Ending.POWERED_OFF, life.ending(), why);
    assertEquals(2, boots.size(), "an install boot and a boot from the disk: " + why);

    List<String> install = boots.get(0);
    assertTrue(install.contains("mode=install"), why);
    assertTrue(install.contains("install=ok"), why);
    assertTrue(install.stream().anyMatch(m -> m.startsWith("reported: installed: ")), why);
    assertTrue(life.serial().contains("Cairn: installed, booting from the local disk"), why);

    List<String> first = boots.get(1);
    assertTrue(first.contains("mode=boot"), why);
    // GRUB from the disk: only its linux command starts the kernel's command line with BOOT_IMAGE=.
    assertTrue(life.serial().contains("Command line: BOOT_IMAGE=/vmlinuz"), why);
    assertEquals("3", value(first, "usr"), why);
    assertEquals("1.0.0", value(first, "version"), why);
    assertEquals(n.name(), value(first, "hostname"), why);
    assertTrue(first.stream().anyMatch(m -> m.startsWith("update.conf ") && m.contains("GROUP=" + n.channel())), why);
    assertTrue(first.contains("health=good"), why);
    assertTrue(first.stream().anyMatch(m -> m.startsWith("agent: check: no update")), why);
    assertEquals("done", first.get(first.size() - 1), why);
    assertEquals(n.machine().firmware() == Firmware.UEFI ? "uefi" : "bios", value(first, "firmware"), why);

    // The server's side: installed, and the machine's update check from its group.
    JsonNode machine = machineJson(n);
    assertTrue(machine.path("installed_at").isTextual(), machine.toString());
    JsonNode instance = instance(value(first, "machine-id").split(" ")[0]);
    assertEquals(n.channel(), instance.path("group").asText(), instance.toString());
    assertEquals("1.0.0", instance.path("version").asText(), instance.toString());
    // The disk as a peer sees it: a valid table, the write_files file on ROOT.
    assertEquals(0, Peer.run("sgdisk", "-v", disk.toString()).code(), why);
  }

  /** 2.0.0 promoted: the agent takes it into USR-B, the machine reboots into it and marks it good. */
  @Test
  void updateFromAToBRunsTheNewVersionAndMarksItGood() throws Exception {
    Node n = UPDATER;
    Path disk = runningOneZeroZero(n);
    publisher.point(n.channel(), "2.0.0");
    long t0 = System.nanoTime();
    Boot life = qemu.powerOn(n.machine(), serve.bootServer(), disk, false, "update", LOGS, BOUND);
    time("3 update A to B", t0);
    String why = life.summary() + " disk " + disk;
    List<List<String>> boots = boots(life);
    assertEquals(Boot.Ending.POWERED_OFF, life.ending(), why);
    assertEquals(2, boots.size(), why);
    List<String> a = boots.get(0);
    assertEquals("3", value(a, "usr"), why);
    assertEquals("1.0.0", value(a, "version"), why);
    assertTrue(a.stream().anyMatch(m -> m.startsWith("agent: check: update 2.0.0 offered")), why);
    assertTrue(a.contains("rebooting: update installed"), why);
    List<String> b = boots.get(1);
    assertEquals("4", value(b, "usr"), why);
    assertEquals("2.0.0", value(b, "version"), why);
    assertTrue(b.stream().anyMatch(m -> m.startsWith("mark-good: USR-B (partition 4) marked good")), why);
    assertEquals("done", b.get(b.size() - 1), why);
    assertEquals("2", cgpt("show", "-i", "4", "-P", disk.toString()), "USR-B first in line: " + why);
    assertEquals("0", cgpt("show", "-i", "4", "-T", disk.toString()), why);
    assertEquals("1", cgpt("show", "-i", "4", "-S", disk.toString()), "USR-B marked good: " + why);

    JsonNode instance = instance(value(a, "machine-id").split(" ")[0]);
    assertEquals("2.0.0", instance.path("version").asText(), instance.toString());
    assertEquals("complete", instance.path("status").asText(), instance.toString());
  }

  /**
   * A bad 3.0.0 promoted to a group that halts after one failure: installed into USR-B, booted once,
   * its health check fails and the machine reboots; USR-B's tries are spent, so it comes back on
   * 1.0.0 from USR-A by itself, the agent reports the rollback and the group halts.
   */
  @Test
  void aBadVersionBootsOnceFailsItsHealthCheckAndTheMachineFallsBack() throws Exception {
    Node n = ROLLBACK;
    Path disk = runningOneZeroZero(n, "--halt-after-failures", "1");
    publisher.point(n.channel(), "3.0.0");
    long t0 = System.nanoTime();
    Boot life = qemu.powerOn(n.machine(), serve.bootServer(), disk, false, "rollback", LOGS, BOUND);
    time("4 rollback", t0);
    String why = life.summary() + " disk " + disk;
    List<List<String>> boots = boots(life);
    assertEquals(Boot.Ending.POWERED_OFF, life.ending(), why);
    assertEquals(3, boots.size(), why);
    assertTrue(boots.get(0).contains("rebooting: update installed"), why);
    List<String> bad = boots.get(1);
    assertEquals("4", value(bad, "usr"), why);
    assertEquals("3.0.0", value(bad, "version"), why);
    assertTrue(bad.contains("health=bad"), why);
    assertFalse(bad.stream().anyMatch(m -> m.startsWith("mark-good")), why);
    List<String> back = boots.get(2);
    assertEquals("3", value(back, "usr"), why);
    assertEquals("1.0.0", value(back, "version"), why);
    assertTrue(back.contains("health=good"), why);
    assertEquals("done", back.get(back.size() - 1), why);
    assertEquals("0", cgpt("show", "-i", "4", "-T", disk.toString()), why);
    assertEquals("0", cgpt("show", "-i", "4", "-S", disk.toString()), why);
    assertEquals("1", cgpt("show", "-i", "3", "-S", disk.toString()), why);

    JsonNode instance = instance(value(boots.get(0), "machine-id").split(" ")[0]);
    assertEquals("1.0.0", instance.path("version").asText(), instance.toString());
    String activity = publisher.admin("activity", "--since", "1h").output();
    assertTrue(activity.lines().anyMatch(l -> l.contains("group.paused")
        && l.contains("failed updates to 3.0.0 in group " + n.channel())), activity);
    JsonNode group = groupJson(n.channel());
    assertTrue(group.toString().contains("paused") || group.path("paused").asBoolean(), group.toString());
  }

  /** A payload whose bytes do not match its signature: refused, nothing written, flags kept, the error reported. */
  @Test
  void aTamperedPayloadIsRefusedAndNothingIsWritten() throws Exception {
    Node n = TAMPERED;
    Path disk = runningOneZeroZero(n);
    // 2.0.1: 2.0.0's payload under another version, its stored bytes then changed on the server.
    publisher.admin("package", "add", "--version", "2.0.1", "--board", v200.board(),
        "--file", v200.update().toString(), "--signature", v200.updateSignature().toString());
    flipStoredByte("2.0.1", v200.update().getFileName().toString());
    publisher.point(n.channel(), "2.0.1");
    String usrB = sha256(disk, v100.image().partition(4));
    long t0 = System.nanoTime();
    Boot life = qemu.powerOn(n.machine(), serve.bootServer(), disk, false, "tampered", LOGS, BOUND);
    time("5 tampered payload", t0);
    String why = life.summary() + " disk " + disk;
    List<List<String>> boots = boots(life);
    assertEquals(Boot.Ending.POWERED_OFF, life.ending(), why);
    assertEquals(1, boots.size(), why);
    List<String> only = boots.get(0);
    assertTrue(only.contains("agent=exit 1"), why);
    assertTrue(only.stream().anyMatch(m -> m.startsWith("agent: ") && (m.contains("SHA-256") || m.contains("signature"))), why);
    assertEquals(usrB, sha256(disk, v100.image().partition(4)), "USR-B unchanged: " + why);
    assertEquals("0", cgpt("show", "-i", "4", "-P", disk.toString()), why);
    assertEquals("0", cgpt("show", "-i", "4", "-S", disk.toString()), why);

    JsonNode instance = instance(value(only, "machine-id").split(" ")[0]);
    assertTrue(instance.toString().contains("error"), instance.toString());
  }

  /** A tampered image: the installer refuses it, the disk has no valid GPT, and it does not boot. */
  @Test
  void aTamperedImageIsRefusedAndTheDiskDoesNotBoot() throws Exception {
    Node n = REFUSED;
    publisher.admin("package", "add", "--version", "1.0.1", "--board", v100.board(),
        "--file", v100.update().toString(), "--signature", v100.updateSignature().toString());
    publisher.admin("package", "add-image", "--version", "1.0.1", "--board", v100.board(),
        "--file", v100.compressed().toString(), "--signature", v100.signature().toString());
    flipStoredByte("1.0.1", v100.compressed().getFileName().toString());
    publisher.point(n.channel(), "1.0.1");
    Path disk = blankDisk(n);
    long t0 = System.nanoTime();
    Boot life = qemu.powerOn(n.machine(), serve.bootServer(), disk, true, "install", LOGS, BOUND);
    String why = life.summary() + " disk " + disk;
    List<List<String>> boots = boots(life);
    assertEquals(Boot.Ending.POWERED_OFF, life.ending(), why);
    assertEquals(1, boots.size(), why);
    List<String> install = boots.get(0);
    assertTrue(install.stream().anyMatch(m -> m.startsWith("install=failed")), why);
    assertFalse(install.stream().anyMatch(m -> m.startsWith("reported:")), why);
    Peer.Result cgpt = Peer.run("cgpt", "show", disk.toString());
    assertNotEquals(0, cgpt.code(), "cgpt still finds a GPT: " + cgpt.out() + "\n" + why);
    Peer.Result sgdisk = Peer.run("sgdisk", "-p", disk.toString());
    assertTrue(!sgdisk.out().contains("USR-A") && !sgdisk.out().contains("ROOT"), "sgdisk: " + sgdisk.out() + "\n" + why);
    JsonNode machine = machineJson(n);
    assertTrue(machine.path("installed_at").isNull(), machine.toString());

    Boot after = qemu.powerOn(n.machine(), null, disk, false, "after", LOGS, Duration.ofMinutes(2));
    time("6 install refused", t0);
    assertEquals(Boot.Ending.DEAD_END, after.ending(), after.summary());
    assertFalse(after.serial().contains(Boot.MARKER + "init"), after.summary());
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers.

  static void time(String flow, long t0) {
    double s = (System.nanoTime() - t0) / 1e9;
    TIMES.put(flow, s);
    System.out.printf("machine life: flow %s: %.1f s%n", flow, s);
  }

  /** The markers of each boot of a power-on, split where {@code /init} starts. */
  static List<List<String>> boots(Boot life) {
    List<List<String>> out = new ArrayList<>();
    for (String m : life.markers()) {
      if (m.startsWith("init ")) {
        out.add(new ArrayList<>());
      }
      if (!out.isEmpty()) {
        out.get(out.size() - 1).add(m);
      }
    }
    return out;
  }

  /** The value of the first {@code KEY=value} marker of one boot, or "" when there is none. */
  static String value(List<String> boot, String key) {
    return boot.stream().filter(m -> m.startsWith(key + "=")).map(m -> m.substring(key.length() + 1)).findFirst()
        .orElse("");
  }

  static Path blankDisk(Node n) throws IOException {
    Path disk = LOGS.resolve(n.name() + ".disk.img");
    Files.createDirectories(LOGS);
    Files.deleteIfExists(disk);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(DISK_BYTES);
    }
    return disk;
  }

  /**
   * A disk with 1.0.0 installed on the host, offline, with the cloud-config the server renders for
   * the machine: {@code cairn install -f IMAGE -d DISK -c CONFIG -k KEYS}.
   */
  static Path installedDisk(Node n) throws Exception {
    Path disk = blankDisk(n);
    java.net.http.HttpResponse<String> got = serve.get("/cloud-config?mac=" + n.machine().mac());
    assertEquals(200, got.statusCode(), got.body());
    String config = got.body();
    Path file = LOGS.resolve(n.name() + ".cloud-config.yaml");
    Files.writeString(file, config, StandardCharsets.UTF_8);
    CairnServe.Run r = CairnServe.cairnInProcess("install", "-f", v100.compressed().toString(), "-d", disk.toString(),
        "-c", file.toString(), "-k", key.publicKey().toString());
    assertEquals(0, r.code(), r.describe());
    return disk;
  }

  /**
   * An update flow's start: 1.0.0 installed on the host ({@link #installedDisk}), the machine's
   * channel created at 1.0.0 and its update group following it with {@code policy} (such as
   * {@code --halt-after-failures 1}).
   */
  static Path runningOneZeroZero(Node n, String... policy) throws Exception {
    Path disk = installedDisk(n);
    publisher.point(n.channel(), "1.0.0");
    List<String> create = new ArrayList<>(List.of("create", n.channel(), "--channel", n.channel()));
    create.addAll(List.of(policy));
    group(create.toArray(String[]::new));
    return disk;
  }

  /** {@code cairn admin group ARGS}. */
  static void group(String... args) throws IOException {
    List<String> a = new ArrayList<>(List.of("group"));
    a.addAll(List.of(args));
    publisher.admin(a.toArray(String[]::new));
  }

  static JsonNode instance(String machineId) throws IOException {
    return JSON.readTree(publisher.admin("instance", "show", machineId, "--json").output());
  }

  static JsonNode groupJson(String name) throws IOException {
    for (JsonNode g : JSON.readTree(publisher.admin("group", "list", "--format", "json").output())) {
      if (g.path("name").asText().equals(name) || g.path("id").asText().equals(name)) {
        return g;
      }
    }
    throw new AssertionError("no group " + name);
  }

  /** The machine inventory's record of the machine ({@code GET /api/v1/machines/MAC}). */
  static JsonNode machineJson(Node n) throws Exception {
    return serve.machine(n.machine().mac(), j -> true);
  }

  /** Changes one byte in the middle of the server's stored copy of {@code name} for {@code version}. */
  static void flipStoredByte(String version, String name) throws IOException {
    List<Path> found;
    try (Stream<Path> s = Files.walk(data)) {
      found = s.filter(p -> p.getFileName().toString().equals(name) && p.getParent().getFileName().toString()
          .equals(version)).toList();
    }
    assertEquals(1, found.size(), "stored " + name + " of " + version + ": " + found);
    try (RandomAccessFile f = new RandomAccessFile(found.get(0).toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5a);
    }
  }

  static String sha256(Path disk, ReleaseImage.Partition p) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
      byte[] buf = new byte[1 << 20];
      f.seek(p.offset());
      long left = p.bytes();
      while (left > 0) {
        int n = f.read(buf, 0, (int) Math.min(buf.length, left));
        d.update(buf, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(d.digest());
  }

  static String cgpt(String... args) throws Exception {
    Peer.Result r = Peer.run(Stream.concat(Stream.of("cgpt"), Stream.of(args)).toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    return r.out().strip();
  }
}
