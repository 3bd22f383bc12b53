package dev.cairn.install.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.install.agent.ReleaseInfo;
import dev.cairn.install.agent.UpdateConf;
import dev.cairn.install.agent.UsrSelector;
import dev.cairn.install.agent.UsrSelector.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every machine fact read from real files (and sysfs-like symlinks) under a temporary root. */
class HostTest {
  private static final String USR_A = "7130c94a-213a-4e5a-8e26-6cce9662f132";

  @TempDir Path root;
  Host host;

  @BeforeEach
  void host() {
    host = new Host(root, Optional.empty());
  }

  private Path write(String path, String text) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, text);
  }

  private void link(String path, String target) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.createSymbolicLink(p, Path.of(target));
  }

  /** A disk {@code disk} with partition {@code part} as /dev, by-partuuid and sysfs show it. */
  private void blockDevices(String disk, String part, String partuuid) throws IOException {
    write("dev/" + part, "");
    write("dev/" + disk, "");
    link("dev/disk/by-partuuid/" + partuuid, "../../" + part);
    link("dev/disk/by-partlabel/USR-A", "../../" + part);
    write("sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/" + disk + "/" + part + "/partition", "3\n");
    link("sys/class/block/" + part, "../../devices/pci0000:00/0000:00:04.0/nvme/nvme0/" + disk + "/" + part);
    write("sys/devices/pci0000:00/0000:00:04.0/nvme/nvme0/" + disk + "/size", "0\n");
    link("sys/class/block/" + disk, "../../devices/pci0000:00/0000:00:04.0/nvme/nvme0/" + disk);
  }

  @Test
  void usrFromCmdline_andItsDiskFoundThroughByPartuuidAndSysfs() throws Exception {
    write("proc/cmdline", "BOOT_IMAGE=/flatcar/vmlinuz-a mount.usr=PARTUUID=" + USR_A + " root=LABEL=ROOT\n");
    blockDevices("nvme0n1", "nvme0n1p3", USR_A);
    UsrSelector usr = host.usr();
    assertEquals(new UsrSelector(Kind.PARTUUID, USR_A, "mount.usr=PARTUUID=" + USR_A), usr);
    assertEquals(root.resolve("dev/nvme0n1"), host.usrDisk(usr));
    assertEquals(root.resolve("dev/nvme0n1"), host.usrDisk(new UsrSelector(Kind.PARTLABEL, "USR-A", "mount.usr=PARTLABEL=USR-A")));
    assertEquals(root.resolve("dev/nvme0n1"), host.usrDisk(new UsrSelector(Kind.DEVICE, "/dev/nvme0n1p3", "mount.usr=/dev/nvme0n1p3")));
  }

  @Test
  void diskOverride_winsWithoutLookingAtDev() throws Exception {
    Host h = new Host(root, Optional.of(Path.of("/dev/vdb")));
    assertEquals(Path.of("/dev/vdb"), h.usrDisk(new UsrSelector(Kind.PARTUUID, USR_A, "mount.usr=PARTUUID=" + USR_A)));
  }

  @Test
  void missingPartuuidLink_isAnIoError_namingTheLinkAndTheOverride() {
    IOException e = assertThrows(IOException.class,
        () -> host.usrDisk(new UsrSelector(Kind.PARTUUID, USR_A, "mount.usr=PARTUUID=" + USR_A)));
    assertEquals(root.resolve("dev/disk/by-partuuid/" + USR_A) + ": no such device for mount.usr=PARTUUID="
        + USR_A + " (give the disk with --disk)", e.getMessage());
  }

  @Test
  void selectorNamingAWholeDisk_isRefused() throws Exception {
    blockDevices("nvme0n1", "nvme0n1p3", USR_A);
    IOException e = assertThrows(IOException.class,
        () -> host.usrDisk(new UsrSelector(Kind.DEVICE, "/dev/nvme0n1", "mount.usr=/dev/nvme0n1")));
    assertEquals(root.resolve("sys/class/block/nvme0n1") + ": expected a partition (a 'partition' file) for"
        + " mount.usr=/dev/nvme0n1, found a whole disk", e.getMessage());
  }

  @Test
  void cmdlineWithoutUsr_andNoMountinfo_isBadInput_namingBothFiles() throws Exception {
    write("proc/cmdline", "root=/dev/sda9\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, host::usr);
    assertEquals("no mount.usr=, verity.usr= or usr= on the kernel command line (" + root.resolve("proc/cmdline")
        + ") and nothing mounted at /usr in " + root.resolve("proc/self/mountinfo") + " (no such file)", e.getMessage());
  }

  private static final String VDA = "sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda";

  /**
   * A virtio disk vda with partitions 3 and 4 in sysfs, their /sys/dev/block links relative
   * inside the tree, and a mountinfo whose /usr is first vda3 and then, on top, vda4.
   */
  private void mountedUsrOnVda4() throws IOException {
    write(VDA + "/vda3/partition", "3\n");
    write(VDA + "/vda4/partition", "4\n");
    write(VDA + "/size", "16777216\n");
    link("sys/dev/block/254:3", "../../devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda3");
    link("sys/dev/block/254:4", "../../devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda4");
    write("proc/self/mountinfo", """
        22 1 254:9 / / rw,relatime shared:1 - ext4 /dev/vda9 rw
        23 22 254:3 / /usr ro,relatime shared:2 - ext4 /dev/vda3 ro
        24 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:3 - proc proc rw
        25 22 254:4 / /usr ro,relatime shared:4 - ext4 /dev/vda4 ro
        26 25 254:6 / /usr/share/oem rw,relatime shared:5 - ext4 /dev/vda6 rw
        """);
  }

  @Test
  void cmdlineWithoutUsr_slotIsThePartitionMountedLastAtUsr_andItsDiskTheSysfsParent() throws Exception {
    write("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=LABEL=ROOT console=ttyS0\n");
    mountedUsrOnVda4();
    UsrSelector usr = host.usr();
    assertEquals(new UsrSelector(Kind.DEVICE, "/dev/vda4", "/usr mounted from /dev/vda4 (254:4)"), usr);
    assertEquals(4, usr.partitionNumber());
    assertEquals(root.resolve("dev/vda"), host.usrDisk(usr));
  }

  @Test
  void cmdlineNamingUsr_stillWinsOverTheMount() throws Exception {
    write("proc/cmdline", "BOOT_IMAGE=/vmlinuz mount.usr=PARTLABEL=USR-A root=LABEL=ROOT\n");
    mountedUsrOnVda4();
    assertEquals(new UsrSelector(Kind.PARTLABEL, "USR-A", "mount.usr=PARTLABEL=USR-A"), host.usr());
  }

  @Test
  void cmdlineWithoutUsr_andNothingAtUsr_isBadInput_namingBothFiles() throws Exception {
    write("proc/cmdline", "root=/dev/sda9\n");
    write("proc/self/mountinfo", "22 1 254:9 / / rw,relatime shared:1 - ext4 /dev/vda9 rw\n"
        + "26 22 254:6 / /usr/share/oem rw,relatime shared:5 - ext4 /dev/vda6 rw\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, host::usr);
    assertEquals("no mount.usr=, verity.usr= or usr= on the kernel command line (" + root.resolve("proc/cmdline")
        + ") and nothing mounted at /usr in " + root.resolve("proc/self/mountinfo"), e.getMessage());
  }

  @Test
  void usrMountedFromAWholeDisk_isRefused_namingTheSysfsLink() throws Exception {
    write("proc/cmdline", "root=/dev/sda9\n");
    write(VDA + "/size", "16777216\n");
    link("sys/dev/block/254:0", "../../devices/pci0000:00/0000:00:05.0/virtio2/block/vda");
    write("proc/self/mountinfo", "25 22 254:0 / /usr ro,relatime - ext4 /dev/vda ro\n");
    IOException e = assertThrows(IOException.class, host::usr);
    assertEquals(root.resolve("sys/dev/block/254:0") + " -> ../../devices/pci0000:00/0000:00:05.0/virtio2/block/vda:"
        + " expected a partition (a 'partition' file) mounted at /usr, found a whole disk or another device", e.getMessage());
  }

  @Test
  void missingCmdline_isAnIoError_namingIt() {
    IOException e = assertThrows(IOException.class, host::cmdline);
    assertEquals(root.resolve("proc/cmdline") + ": no such file", e.getMessage());
  }

  @Test
  void updateConf_etcOverUsr_andNeitherPresentGivesDefaults() throws Exception {
    assertEquals("stable", host.updateConf().group());
    write("usr/share/coreos/update.conf", "GROUP=stable\nSERVER=https://image.example/v1/update/\n");
    write("etc/coreos/update.conf", "GROUP=beta\nREBOOT_STRATEGY=off\n");
    UpdateConf c = host.updateConf();
    assertEquals("beta", c.group());
    assertEquals(Optional.of("https://image.example/v1/update/"), c.server());
    assertEquals(UpdateConf.RebootStrategy.OFF, c.rebootStrategy());
  }

  @Test
  void malformedUpdateConf_namesTheFileUnderTheRootAndTheLine() throws Exception {
    write("etc/coreos/update.conf", "GROUP=beta\nnonsense\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, host::updateConf);
    assertEquals(root.resolve("etc/coreos/update.conf") + ":2: expected KEY=value (a KEY of letters, digits and _),"
        + " got 'nonsense'", e.getMessage());
  }

  @Test
  void machineIdAsIs_andBootIdInBraces() throws Exception {
    write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    write("proc/sys/kernel/random/boot_id", "3F0A2C1E-8D6B-4A57-9C1F-2B7E5D4A9C30\n");
    assertEquals("0123456789abcdef0123456789abcdef", host.machineId());
    assertEquals("{3f0a2c1e-8d6b-4a57-9c1f-2b7e5d4a9c30}", host.bootId());
  }

  @Test
  void malformedMachineIdAndBootId_areRefused_sayingWhatWasExpected() throws Exception {
    write("etc/machine-id", "01234567-89ab-cdef-0123-456789abcdef\n");
    write("proc/sys/kernel/random/boot_id", "uninitialized\n");
    assertEquals(root.resolve("etc/machine-id") + ": expected 32 lowercase hex digits, got '01234567-89ab-cdef-0123-456789abcdef'",
        assertThrows(IllegalArgumentException.class, host::machineId).getMessage());
    assertEquals(root.resolve("proc/sys/kernel/random/boot_id")
        + ": expected a UUID like 3f0a2c1e-8d6b-4a57-9c1f-2b7e5d4a9c30, got 'uninitialized'",
        assertThrows(IllegalArgumentException.class, host::bootId).getMessage());
  }

  @Test
  void release_prefersCoreosRelease_elseOsRelease_elseSaysBothAreMissing() throws Exception {
    IOException none = assertThrows(IOException.class, host::release);
    assertEquals("no release file: neither " + root.resolve("usr/share/coreos/release") + " nor "
        + root.resolve("usr/lib/os-release") + " exists", none.getMessage());
    write("usr/lib/os-release", "ID=flatcar\nVERSION_ID=3815.2.0\n");
    assertEquals("3815.2.0", host.release().version());
    write("usr/share/coreos/release", "COREOS_RELEASE_VERSION=2512.3.0\nCOREOS_RELEASE_BOARD=amd64-usr\n");
    ReleaseInfo r = host.release();
    assertEquals("2512.3.0", r.version());
    assertEquals(root.resolve("usr/share/coreos/release").toString(), r.source());
  }

  @Test
  void oem_fromUsrShareOem_orOemPartition_orNone() throws Exception {
    assertEquals(Host.Oem.NONE, host.oem());
    write("oem/oem-release", "ID=digitalocean\nVERSION_ID=0.1.0\n");
    assertEquals(new Host.Oem("digitalocean", "0.1.0"), host.oem());
    write("usr/share/oem/oem-release", "ID=qemu\nVERSION_ID=\"0.0.4\"\nNAME=\"QEMU\"\n");
    assertEquals(new Host.Oem("qemu", "0.0.4"), host.oem());
  }
}
