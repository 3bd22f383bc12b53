package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole network boots in qemu under software emulation from a real {@code cairn serve}: SeaBIOS
 * or OVMF, Debian's iPXE ROM, DHCP from qemu's user network, Cairn's {@code /boot.ipxe} and
 * {@code /ipxe} scripts, the kernel and initramfs from its {@code /assets/}, Debian's kernel, and
 * the harness's busybox {@code /init}, which fetches the machine's cloud-config from Cairn's
 * {@code /cloud-config} and reports on the serial port. Two boots: a BIOS machine in its group
 * (about 16 s), and a machine in no group, which ends when Cairn tells it so (about 6 s). The boot
 * data also has groups for {@code node-b} and {@code node-c-uefi}, which this class no longer boots:
 * other MACs in other groups and UEFI network boots are steps of {@link MachineLifeTest}'s flows.
 *
 * <p>The boot data is written before the server's first start (so it writes no example): one
 * profile, one group per machine selecting its MAC with its hostname as metadata, and a template
 * {@code hostname: ${hostname}}; {@code cairn boot check} passes it first. Each boot is then
 * checked from both ends: the machine's markers, and the server's own record of it (its machine
 * inventory, the {@code /ipxe} answer for the labels the machine sent, and its request counts).
 *
 * <p>Each boot also asks three host addresses that must not answer, since the machine may reach the
 * boot server and nothing else: the server's port on qemu's own host address (10.0.2.3, the
 * host's loopback without {@code restrict=on}), and a second live server on the host's loopback at
 * both 10.0.2.3 and 10.0.2.2.
 */
class NetbootTest {
  static final Machine A = Machine.of("node-a", Firmware.BIOS, "52:54:00:ca:00:0a", "0a0a0a0a-0000-4000-8000-00000000000a");
  static final Machine B = Machine.of("node-b", Firmware.BIOS, "52:54:00:ca:00:0b", "0b0b0b0b-0000-4000-8000-00000000000b");
  static final Machine C = Machine.of("node-c-uefi", Firmware.UEFI, "52:54:00:ca:00:0c", "0c0c0c0c-0000-4000-8000-00000000000c");
  /** In no group, and there is no default group. */
  static final Machine STRAY = Machine.of("stray", Firmware.BIOS, "52:54:00:ca:00:0d", "0d0d0d0d-0000-4000-8000-00000000000d");

  static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");
  static final Path LOGS = TARGET.resolve("vm-logs");
  static final Path DATA = TARGET.resolve("cairn-data");
  static final String PROFILE = "netboot";

  static Qemu qemu;
  static CairnServe serve;
  static HttpServer bystander;
  static List<String> unreachable;

  @BeforeAll
  static void start() throws Exception {
    qemu = Qemu.locate();
    Kernel kernel = Kernel.fromCache();
    bystander = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    bystander.start();   // answers 404 to everything: any answer means the machine got through
    BootServer at = BootServer.at(CairnServe.freePort());
    int other = bystander.getAddress().getPort();
    unreachable = List.of(
        "http://10.0.2.3:" + at.hostPort() + "/boot.ipxe",
        "http://10.0.2.3:" + other + "/",
        "http://10.0.2.2:" + other + "/");

    deleteTree(DATA);     // an earlier run's inventory would count in this run's
    writeBootData(DATA, at, kernel, Initramfs.netboot(kernel).unreachable(unreachable));
    CairnServe.Run check = CairnServe.cairn("boot", "check", "--data-dir", DATA.toString());
    assertEquals(0, check.code(), check.describe());
    serve = CairnServe.start(DATA, at.hostPort(), LOGS.resolve("cairn-serve.log"));
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
    if (bystander != null) {
      bystander.stop(0);
    }
  }

  /**
   * The boot data of these tests in {@code dataDir/boot/}: the kernel and initramfs in
   * {@code assets/}, the profile {@value #PROFILE} that boots them, a group per machine (its MAC,
   * and its hostname as metadata), and the template that puts the hostname in the cloud-config.
   * Folders 0700 and files 0600, as {@code cairn serve} keeps its data directory.
   */
  static void writeBootData(Path dataDir, BootServer at, Kernel kernel, Initramfs initramfs) throws IOException {
    Path boot = dataDir.resolve("boot");
    for (String d : List.of("", "boot", "boot/profiles", "boot/groups", "boot/templates", "boot/assets")) {
      Files.createDirectories(dataDir.resolve(d));
      Files.setPosixFilePermissions(dataDir.resolve(d), PosixFilePermissions.fromString("rwx------"));
    }
    BootAssets.write(boot.resolve("assets"), kernel, initramfs);
    write(boot.resolve("profiles/" + PROFILE + ".yaml"), """
        # Debian's kernel and the test initramfs, from boot/assets/. initrd=initrd.img names the
        # initramfs for the kernel's EFI stub (UEFI iPXE hands it over by that name); /init reads
        # cairn.config=URL and fetches it. iPXE fills in ${mac:hexhyp} as the machine boots.
        id: netboot
        boot:
          kernel: vmlinuz
          initrd:
            - initrd.img
          args:
            - initrd=initrd.img
            - console=ttyS0
            - cairn.config=BASE/cloud-config?mac=${mac:hexhyp}
        cloud_config: hostname
        """.replace("BASE", at.guestBaseUrl()));
    write(boot.resolve("templates/hostname.yaml"), """
        #cloud-config
        hostname: ${hostname}
        """);
    for (Machine m : List.of(A, B, C)) {
      write(boot.resolve("groups/" + group(m) + ".yaml"), """
          id: GROUP
          profile: netboot
          selector:
            mac: MAC
          metadata:
            hostname: HOSTNAME
          """.replace("GROUP", group(m)).replace("MAC", m.mac()).replace("HOSTNAME", hostname(m)));
    }
  }

  /** A machine's group: node-a, node-b, node-c. */
  static String group(Machine m) {
    return m.name().replace("-uefi", "");
  }

  /** The hostname its group gives it: the group's name. */
  static String hostname(Machine m) {
    return group(m);
  }

  /**
   * One BIOS machine boots its group's profile and gets its group's hostname. Other MACs in other
   * groups, and the same through iPXE's UEFI ROM, are booted by {@link MachineLifeTest}'s flows
   * (six machines, six groups, BIOS and UEFI), so this class boots one machine and the stray.
   */
  @Test
  void biosMachine_bootsItsGroupAndGetsItsHostname_andReachesNothingElse() throws Exception {
    assertNetboot(A, "bios");
  }

  /**
   * Cairn tells a machine no group selects that it has nothing to boot, and asks again every 10 s
   * for as long as the machine runs; the harness ends the boot at the first "asking again" rather
   * than at the 3-minute bound.
   */
  @Test
  void machineNoGroupSelects_isToldSo_andItsBootEndsThere_notAtTheBound() throws Exception {
    Boot boot = qemu.boot(STRAY, serve.bootServer(), LOGS, Qemu.DEFAULT_BOUND);
    System.out.printf("%s (%s): %s after %.1f s%n", STRAY.name(), STRAY.firmware(), boot.ending(),
        boot.elapsed().toMillis() / 1000.0);
    assertEquals(Boot.Ending.DEAD_END, boot.ending(), boot.summary());
    assertTrue(boot.serial().contains("Cairn: nothing to boot for this machine"), boot.summary());
    assertTrue(boot.serial().contains("Cairn: no group matches these labels, and there is no default group"),
        boot.summary());
    assertEquals(List.of(), boot.markers(), boot.summary());

    JsonNode machine = serve.machine(STRAY.macHexhyp(), r -> r.path("requests").asLong() >= 1);
    assertEquals("", machine.path("group").asText(), machine.toString());
    assertEquals("/ipxe", machine.path("last_endpoint").asText(), machine.toString());
    assertTrue(machine.path("last_outcome").asText().startsWith("200 no group matches "), machine.toString());
  }

  private static void assertNetboot(Machine m, String firmware) throws Exception {
    BootServer at = serve.bootServer();
    Map<String, Long> before = serve.bootRequests();
    Boot boot = qemu.boot(m, at, LOGS, Qemu.DEFAULT_BOUND);
    System.out.printf("%s (%s): %s after %.1f s%n", m.name(), m.firmware(), boot.ending(), boot.elapsed().toMillis() / 1000.0);
    String context = boot.summary() + " cairn serve's log: " + serve.log();
    assertTrue(boot.succeeded(), context);

    // The machine's view: its markers, and the kernel line of its group's profile, as iPXE expanded it.
    String config = at.guestBaseUrl() + "/cloud-config?mac=" + m.macHexhyp();
    List<String> expected = new ArrayList<>(List.of(
        "firmware=" + firmware,
        "uuid=" + m.uuidText(),
        "modules e1000.ko",
        "mac=" + m.mac(),
        "net up ip=10.0.2.15/24",
        "config url=" + config,
        "hostname=" + hostname(m)));
    unreachable.forEach(u -> expected.add("unreachable " + u));
    expected.add("done");
    List<String> markers = boot.markers();
    assertTrue(markers.get(0).startsWith("init "), context);
    assertEquals(expected, markers.stream().filter(x -> !x.startsWith("init ") && !x.startsWith("cmdline=")).toList(),
        context);
    String args = "initrd=initrd.img console=ttyS0 cairn.config=" + config;
    // iPXE's UEFI build puts the image's name first, as the EFI stub's argv[0].
    assertEquals((m.firmware() == Firmware.UEFI ? "vmlinuz " : "") + args, boot.marker("cmdline").orElseThrow(), context);

    // The server's view: what it answered, in its metrics, and whom, in its machine inventory.
    assertEquals(Map.of("/boot.ipxe 200", 1L, "/ipxe 200", 1L, "/assets/ 200", 2L, "/cloud-config 200", 1L),
        minus(serve.bootRequests(), before), context);
    JsonNode machine = serve.machine(m.macHexhyp(), r -> r.path("requests").asLong() >= 2);
    assertEquals(m.mac(), machine.path("key").asText(), machine.toString());
    assertEquals(group(m), machine.path("group").asText(), machine.toString());
    assertEquals(PROFILE, machine.path("profile").asText(), machine.toString());
    assertEquals(2, machine.path("requests").asLong(), "/ipxe and /cloud-config: " + machine);
    assertEquals("/cloud-config", machine.path("last_endpoint").asText(), machine.toString());
    assertEquals("200 profile " + PROFILE, machine.path("last_outcome").asText(), machine.toString());
    assertEquals(m.uuidText(), machine.path("labels").path("uuid").asText(), "sent to /ipxe only: " + machine);

    // The inventory keeps only the latest request (/cloud-config). The labels the machine sent to
    // /ipxe are all in it, though: asked again with them, /ipxe answers the group's profile, and
    // its kernel line is the one the machine booted with.
    Map<String, String> labels = new TreeMap<>();
    machine.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    String query = labels.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    String script = serve.get("/ipxe?" + query).body();
    assertEquals(List.of(
        "#!ipxe",
        "# Cairn: group " + group(m) + ", profile " + PROFILE,
        "kernel " + at.guestBaseUrl() + "/assets/vmlinuz "
            + args.replace(m.macHexhyp(), "${mac:hexhyp}"),
        "initrd " + at.guestBaseUrl() + "/assets/initrd.img",
        "boot"), script.lines().toList(), "labels " + labels);
  }

  /** The counts that grew from {@code before} to {@code after}, by how much. */
  private static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
    Map<String, Long> d = new TreeMap<>();
    after.forEach((k, v) -> {
      long grew = v - before.getOrDefault(k, 0L);
      if (grew != 0) {
        d.put(k, grew);
      }
    });
    return d;
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
