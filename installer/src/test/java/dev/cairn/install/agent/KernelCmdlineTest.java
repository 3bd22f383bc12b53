package dev.cairn.install.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.install.agent.UsrSelector.Kind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KernelCmdlineTest {
  /** As Flatcar's GRUB boots a non-verity image (build_library/grub.cfg). */
  private static final String FLATCAR = "BOOT_IMAGE=/flatcar/vmlinuz-a mount.usr=PARTUUID=7130C94A-213A-4E5A-8E26-6CCE9662F132"
      + " rootflags=rw mount.usrflags=ro consoleblank=0 root=LABEL=ROOT console=ttyS0,115200n8"
      + " flatcar.first_boot=detected flatcar.oem.id=qemu\n";

  @Test
  void flatcarLine_givesPartuuid_lowercased() {
    UsrSelector s = KernelCmdline.parse(FLATCAR).usr();
    assertEquals(Kind.PARTUUID, s.kind());
    assertEquals("7130c94a-213a-4e5a-8e26-6cce9662f132", s.value());
  }

  @Test
  void verityImage_usesVerityUsr_notTheMapperNode() {
    UsrSelector s = KernelCmdline.parse("mount.usr=/dev/mapper/usr verity.usr=PARTUUID=e03dd35c-7c2d-4a47-b3fe-27f15780a57c"
        + " verity.usrhash=abc").usr();
    assertEquals(new UsrSelector(Kind.PARTUUID, "e03dd35c-7c2d-4a47-b3fe-27f15780a57c",
        "verity.usr=PARTUUID=e03dd35c-7c2d-4a47-b3fe-27f15780a57c"), s);
  }

  @Test
  void mapperNodeWithoutVerityUsr_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KernelCmdline.parse("mount.usr=/dev/mapper/usr").usr());
    assertEquals("mount.usr=/dev/mapper/usr is a device-mapper node and no verity.usr= names the partition under it",
        e.getMessage());
  }

  @Test
  void fallbackEntry_givesPartlabel() {
    assertEquals(new UsrSelector(Kind.PARTLABEL, "USR-B", "mount.usr=PARTLABEL=USR-B"),
        KernelCmdline.parse("mount.usr=PARTLABEL=USR-B").usr());
  }

  @Test
  void oldUsrParam_andDeviceNodes_andByPartuuidLinks() {
    assertEquals(Kind.PARTLABEL, KernelCmdline.parse("usr=PARTLABEL=USR-A").usr().kind());
    UsrSelector dev = KernelCmdline.parse("mount.usr=/dev/nvme0n1p4").usr();
    assertEquals(Kind.DEVICE, dev.kind());
    assertEquals(4, dev.partitionNumber());
    assertEquals(new UsrSelector(Kind.PARTUUID, "7130c94a-213a-4e5a-8e26-6cce9662f132",
        "mount.usr=/dev/disk/by-partuuid/7130c94a-213a-4e5a-8e26-6cce9662f132"),
        KernelCmdline.parse("mount.usr=/dev/disk/by-partuuid/7130c94a-213a-4e5a-8e26-6cce9662f132").usr());
  }

  @Test
  void mountUsrWinsOverUsr_andTheLastOfARepeatedParamWins() {
    KernelCmdline c = KernelCmdline.parse("usr=PARTLABEL=USR-A mount.usr=PARTLABEL=USR-A mount.usr=PARTLABEL=USR-B");
    assertEquals("USR-B", c.usr().value());
  }

  @Test
  void doubleQuotes_joinBlanks_andAreRemoved_andInitArgsAfterDashesAreApart() {
    KernelCmdline c = KernelCmdline.parse("a=\"b c\" \"d=e f\"  mount.usr=PARTLABEL=\"USR A\" -- mount.usr=PARTLABEL=X single");
    assertEquals(List.of("a=b c", "d=e f", "mount.usr=PARTLABEL=USR A"), c.params());
    assertEquals(List.of("mount.usr=PARTLABEL=X", "single"), c.initArgs());
    assertEquals("USR A", c.usr().value());
    assertEquals(Optional.of("b c"), c.value("a"));
  }

  @Test
  void noUsrParam_isRefused_showingTheLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KernelCmdline.parse("root=/dev/sda9 ro").usr());
    assertEquals("the kernel command line has no mount.usr=, verity.usr= or usr= parameter naming the /usr partition:"
        + " root=/dev/sda9 ro", e.getMessage());
  }

  @Test
  void unknownSelectorForm_andEmptyValue_areRefused() {
    assertEquals("mount.usr=LABEL=USR-A: expected PARTUUID=..., PARTLABEL=... or a /dev/ device node",
        assertThrows(IllegalArgumentException.class, () -> KernelCmdline.parse("mount.usr=LABEL=USR-A").usr()).getMessage());
    assertEquals("mount.usr=PARTUUID=: the selector has no value",
        assertThrows(IllegalArgumentException.class, () -> KernelCmdline.parse("mount.usr=PARTUUID=").usr()).getMessage());
  }

  @Test
  void wholeDiskDevice_hasNoPartitionNumber() {
    assertEquals("mount.usr=/dev/nvme0n1: device /dev/nvme0n1 is a whole disk, not a partition (expected like /dev/nvme0n1p3)",
        assertThrows(IllegalArgumentException.class,
            () -> KernelCmdline.parse("mount.usr=/dev/nvme0n1").usr().partitionNumber()).getMessage());
    assertEquals("mount.usr=/dev/sda: device /dev/sda has no partition number at the end of its name (expected like /dev/sda3)",
        assertThrows(IllegalArgumentException.class,
            () -> KernelCmdline.parse("mount.usr=/dev/sda").usr().partitionNumber()).getMessage());
    assertEquals(3, KernelCmdline.parse("mount.usr=/dev/sda3").usr().partitionNumber());
  }
}
