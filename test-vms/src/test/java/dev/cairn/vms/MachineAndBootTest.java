package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.pxe.IpxeScripts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The values the harness hands to qemu and reads back from the serial log. */
class MachineAndBootTest {
  static final Machine M = Machine.of("m", Firmware.BIOS, "52:54:00:00:00:01", "00000000-0000-4000-8000-0000000000AB");

  @Test
  void mac_inIpxeHexhypForm_andUuidLowerCase() {
    assertEquals("52-54-00-00-00-01", M.macHexhyp());
    assertEquals("00000000-0000-4000-8000-0000000000ab", M.uuidText());
  }

  @Test
  void upperCaseOrMulticastMac_isBadInput() {
    IllegalArgumentException upper = assertThrows(IllegalArgumentException.class,
        () -> Machine.of("m", Firmware.BIOS, "52:54:00:AA:00:01", M.uuidText()));
    assertEquals("MAC address must be six lower-case hex pairs joined by :, got 52:54:00:AA:00:01", upper.getMessage());
    IllegalArgumentException multicast = assertThrows(IllegalArgumentException.class,
        () -> Machine.of("m", Firmware.BIOS, "53:54:00:00:00:01", M.uuidText()));
    assertEquals("MAC address must be unicast (first octet even), got 53:54:00:00:00:01", multicast.getMessage());
  }

  @Test
  void machineName_thatCouldLeaveTheLogFolder_isBadInput() {
    assertThrows(IllegalArgumentException.class, () -> Machine.of("../x", Firmware.BIOS, M.mac(), M.uuidText()));
  }

  @Test
  void bootServer_isTheHostAsTheGuestSeesIt() {
    BootServer s = BootServer.at(8080);
    assertEquals("http://10.0.2.2:8080/boot.ipxe", s.bootfileUrl());
    assertThrows(IllegalArgumentException.class, () -> new BootServer(8080, "/boot.ipxe,restrict=off"));
  }

  @Test
  void markers_areFoundMidLine_withCarriageReturns_andKernelNoiseIgnored() {
    String serial = "\u001b[2JCAIRN-VM: init 6.1\r\n[    1.0] e1000: eth0 NIC Link is Up\r\n"
        + "udhcpc: lease\r\n[    2.0] xCAIRN-VM: hostname=node-a\r\nCAIRN-VM: done\r\n";
    Boot b = new Boot(M, Boot.Ending.POWERED_OFF, serial, Path.of("m.serial.log"), Duration.ofSeconds(1));
    assertEquals(List.of("init 6.1", "hostname=node-a", "done"), b.markers());
    assertEquals(Optional.of("node-a"), b.marker("hostname"));
    assertTrue(b.succeeded());
  }

  /** Lines of real serial logs: SeaBIOS wraps iPXE's screen at 80 columns, so a line may end mid-word. */
  @Test
  void cairnsScripts_aboutToWaitAndAskAgain_areDeadEnds_evenOnAWrappedScreen() {
    String noGroup = "http://10.0.2.2:46239/ipxe... ok\r\nCairn: nothing to boot for this machine\r\n"
        + "Cairn: labels arch=i386 mac=52:54:00:ca:00:1a uuid=1a1a1a1a-0000-4000-8000-00000\r\n000001a\r\n"
        + "Cairn: no group matches these labels, and there is no default group\r\n";
    assertEquals(null, Qemu.endingSoFar(noGroup));
    assertEquals(Boot.Ending.DEAD_END, Qemu.endingSoFar(noGroup + "Cairn: asking again in 10 s\r\n"));
    String failed = "http://10.0.2.2:46239/assets/missing... No such file or directory (http://ipxe.o\r\n"
        + "rg/2d0c613b)\r\nCould not boot: No such file or directory (http://ipxe.org/2d0c613b)\r\n";
    assertEquals(null, Qemu.endingSoFar(failed));
    assertEquals(Boot.Ending.DEAD_END, Qemu.endingSoFar(failed
        + "Cairn: could not boot from http://10.0.2.2:46239/ipxe, trying again in 10 s\r\n"));
    assertEquals(Boot.Ending.GUEST_FAILED, Qemu.endingSoFar("CAIRN-VM: FAIL cannot fetch http://10.0.2.2:1/x\n"));
  }

  /** The harness's dead ends are the lines Cairn's scripts print before they wait. */
  @Test
  void deadEnds_areWhatCairnsScriptsPrint_beforeTheyWait() {
    String boot = IpxeScripts.boot("http://10.0.2.2:8080");
    assertTrue(boot.contains("\necho Cairn: could not boot from http://10.0.2.2:8080/ipxe, trying again in 10 s\n"
        + "sleep 10\n"), boot);
    assertTrue(Qemu.DEAD_ENDS.contains("Cairn: could not boot from "), Qemu.DEAD_ENDS.toString());
  }

  @Test
  void poweredOff_afterAFailMarker_didNotSucceed() {
    Boot b = new Boot(M, Boot.Ending.POWERED_OFF, "CAIRN-VM: FAIL no DHCP lease on eth0\nCAIRN-VM: done\n",
        Path.of("m.serial.log"), Duration.ofSeconds(1));
    assertFalse(b.succeeded());
    assertTrue(b.summary().contains("FAIL no DHCP lease on eth0"), b.summary());
  }
}
