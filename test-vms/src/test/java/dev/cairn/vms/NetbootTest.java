package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole network boots in qemu under software emulation: SeaBIOS or OVMF, Debian's iPXE ROM, DHCP
 * from qemu's user network, the boot scripts, kernel and initramfs over HTTP from a stand-in boot
 * server on the host's loopback, Debian's kernel, and the harness's busybox {@code /init}, which
 * fetches the machine's cloud-config and reports on the serial port. Three boots in all (two BIOS
 * machines with different MACs, one UEFI machine), each about 15-20 s.
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

  static final Path TARGET = Path.of(System.getProperty("basedir", "."), "target");
  static final Path LOGS = TARGET.resolve("vm-logs");

  static Qemu qemu;
  static StaticBootServer server;
  static HttpServer bystander;
  static List<String> unreachable;

  @BeforeAll
  static void start() throws IOException {
    qemu = Qemu.locate();
    Kernel kernel = Kernel.fromCache();
    bystander = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
    bystander.start();   // answers 404 to everything: any answer means the machine got through
    Path assets = TARGET.resolve("vm-assets");
    server = new StaticBootServer(assets, Map.of(
        A.macHexhyp(), new StaticBootServer.Host("a", "node-a"),
        B.macHexhyp(), new StaticBootServer.Host("b", "node-b"),
        C.macHexhyp(), new StaticBootServer.Host("a", "node-c")));
    int bootPort = server.bootServer().hostPort();
    int other = bystander.getAddress().getPort();
    unreachable = List.of(
        "http://10.0.2.3:" + bootPort + "/boot.ipxe",
        "http://10.0.2.3:" + other + "/",
        "http://10.0.2.2:" + other + "/");
    BootAssets.write(assets, kernel, Initramfs.netboot(kernel).unreachable(unreachable));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (bystander != null) {
      bystander.stop(0);
    }
  }

  @Test
  void biosMachines_withDifferentMacs_eachBootTheirGroupAndGetTheirHostname() throws Exception {
    assertNetboot(A, "bios", "a", "node-a");
    assertNetboot(B, "bios", "b", "node-b");
  }

  @Test
  void uefiMachine_bootsTheSameWay_throughIpxesUefiRom() throws Exception {
    assertNetboot(C, "uefi", "a", "node-c");
  }

  private static void assertNetboot(Machine m, String firmware, String group, String hostname) throws Exception {
    server.takeRequests();
    BootServer at = server.bootServer();
    Boot boot = qemu.boot(m, at, LOGS, Qemu.DEFAULT_BOUND);
    System.out.printf("%s (%s): %s after %.1f s%n", m.name(), m.firmware(), boot.ending(), boot.elapsed().toMillis() / 1000.0);
    assertTrue(boot.succeeded(), boot.summary());

    String config = at.guestBaseUrl() + "/cloud-config?mac=" + m.macHexhyp();
    List<String> expected = new ArrayList<>(List.of(
        "firmware=" + firmware,
        "uuid=" + m.uuidText(),
        "modules e1000.ko",
        "mac=" + m.mac(),
        "net up ip=10.0.2.15/24",
        "config url=" + config,
        "hostname=" + hostname));
    unreachable.forEach(u -> expected.add("unreachable " + u));
    expected.add("done");
    List<String> markers = boot.markers();
    assertTrue(markers.get(0).startsWith("init "), boot.summary());
    assertEquals(expected, markers.stream().filter(x -> !x.startsWith("init ") && !x.startsWith("cmdline=")).toList(),
        boot.summary());
    String cmdline = boot.marker("cmdline").orElseThrow();
    assertTrue((" " + cmdline + " ").contains(" cairn.group=" + group + " "), cmdline);

    assertEquals(List.of(
        "/boot.ipxe",
        "/ipxe?uuid=" + m.uuidText() + "&mac=" + m.macHexhyp(),
        "/assets/vmlinuz",
        "/assets/initrd.img",
        "/cloud-config?mac=" + m.macHexhyp()), server.takeRequests(), boot.summary());
  }
}
