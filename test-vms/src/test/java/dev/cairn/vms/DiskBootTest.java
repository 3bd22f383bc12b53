package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.vms.ReleaseImage.Image;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release image made bootable by {@link DiskBoot}, booted from its disk in qemu under TCG with
 * no NIC: once with SeaBIOS (boot.img in the MBR, core.img in BIOS-BOOT) and once with OVMF
 * ({@code EFI/BOOT/BOOTX64.EFI}, found by OVMF's removable-media path), the same image both
 * times (qemu's {@code snapshot=on} keeps the file as it was). GRUB reads {@code grub.cfg} from
 * EFI-SYSTEM and loads Debian's kernel and a busybox initramfs whose {@code /init} reports the
 * firmware and the kernel command line on the serial port and powers off. The command line
 * starts with {@code BOOT_IMAGE=/vmlinuz}, which only GRUB's {@code linux} command puts there.
 *
 * <p>Before booting, the bytes GRUB's setup would patch are read back from the image: the MBR's
 * partition table (bytes 440-511) is as cgpt wrote it, boot.img points at BIOS-BOOT's first
 * sector, core.img's blocklist at its second, and mtools reads the grub.cfg back from the FAT.
 */
class DiskBootTest {
  static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "vm-logs");
  static final int UEFI_MEMORY_MIB = 512;
  static final String CMDLINE = "cairn.disk-boot=yes";
  static final String INIT = """
      #!/bin/busybox sh
      /bin/busybox --install -s /bin
      export PATH=/bin
      mount -t devtmpfs devtmpfs /dev
      mount -t proc proc /proc
      mount -t sysfs sysfs /sys
      say() { echo "CAIRN-VM: $*" > /dev/ttyS0; }
      say "init $(uname -r)"
      if [ -d /sys/firmware/efi ]; then say "firmware=uefi"; else say "firmware=bios"; fi
      say "cmdline=$(cat /proc/cmdline)"
      say "done"
      poweroff -f
      sleep 3600
      """;

  @TempDir static Path tmp;
  static Image image;
  static DiskBoot.Installed installed;
  static byte[] tableBefore;
  static Qemu qemu;

  @BeforeAll
  static void build() throws Exception {
    qemu = Qemu.locate();
    Kernel kernel = Kernel.fromCache();
    Path initrd = tmp.resolve("initrd.img");
    Initramfs.withInit(kernel, INIT).write(initrd);
    // EFI-SYSTEM large enough for Debian's kernel (about 8 MB); the rest as small as it may be.
    image = ReleaseImage.of("1.0.0").sizes(new ReleaseImage.Sizes(32, 1, 4, 2, 1, 2)).build(tmp.resolve("image"));
    tableBefore = Arrays.copyOfRange(Files.readAllBytes(image.file()), 440, 512);
    installed = DiskBoot.install(image, kernel.vmlinuz(), initrd, CMDLINE);
  }

  @Test
  void grubIsPlacedWhereBootImgAndDiskbootLookWithThePartitionTableKept() throws Exception {
    ByteBuffer mbr = read(image.file(), 0, 512);
    byte[] table = new byte[72];
    mbr.get(440, table);
    assertArrayEquals(tableBefore, table, "disk signature and protective partition table must be kept");
    assertEquals(image.partition("BIOS-BOOT").firstLba(), mbr.getLong(DiskBoot.KERNEL_SECTOR));
    assertEquals((short) 0xaa55, mbr.getShort(510));
    assertEquals((byte) 0xff, mbr.get(DiskBoot.BOOT_DRIVE));

    ByteBuffer core = read(image.file(), image.partition("BIOS-BOOT").offset(), 512);
    assertEquals(installed.coreLba() + 1, core.getLong(DiskBoot.BLOCKLIST), "blocklist start: core.img's second sector");
    assertEquals(installed.coreSectors() - 1, core.getShort(DiskBoot.BLOCKLIST + 8), "blocklist length");
    assertEquals(0x820, core.getShort(DiskBoot.BLOCKLIST + 10), "blocklist segment, as grub-mkimage wrote it");

    String at = image.file() + "@@" + image.partition("EFI-SYSTEM").offset();
    Map<String, String> env = Map.of("MTOOLS_SKIP_CHECK", "1");
    Peer.Result cfg = Peer.run(env, "mtype", "-i", at, "::/grub/grub.cfg");
    assertEquals(0, cfg.code(), cfg.err());
    assertEquals(installed.grubCfg(), cfg.out());
    Peer.Result dir = Peer.run(env, "mdir", "-b", "-i", at, "::/EFI/BOOT");
    assertTrue(dir.out().contains("BOOTX64.EFI"), dir.out());
    Peer.Result fsck = Peer.run("sgdisk", "-v", image.file().toString());
    assertTrue(fsck.out().contains("No problems found"), fsck.out());
  }

  @Test
  void seabiosBootsGrubFromBiosBootAndGrubLoadsTheKernelFromEfiSystem() throws Exception {
    boot(Machine.of("disk-bios", Firmware.BIOS, "52:54:00:ca:01:0a", "0a0a0a0a-0000-4000-8000-00000000010a"), "bios");
  }

  @Test
  void ovmfBootsGrubFromEfiSystemsRemovableMediaPath() throws Exception {
    // GRUB for UEFI says "out of memory" loading Debian's kernel with 256 MiB.
    boot(new Machine("disk-uefi", Firmware.UEFI, "52:54:00:ca:01:0b",
        UUID.fromString("0b0b0b0b-0000-4000-8000-00000000010b"), UEFI_MEMORY_MIB), "uefi");
  }

  private static void boot(Machine machine, String firmware) throws Exception {
    Boot boot = qemu.bootFromDisk(machine, image.file(), LOGS, Qemu.DEFAULT_BOUND);
    System.out.printf("%s (%s): %s after %.1f s%n", machine.name(), machine.firmware(), boot.ending(),
        boot.elapsed().toMillis() / 1000.0);
    assertTrue(boot.succeeded(), boot.summary());
    assertEquals(Optional.of(firmware), boot.marker("firmware"), boot.summary());
    String cmdline = boot.marker("cmdline").orElseThrow();
    assertTrue(cmdline.startsWith("BOOT_IMAGE=/vmlinuz "), cmdline);
    assertTrue(cmdline.contains(" " + CMDLINE + " console=ttyS0"), cmdline);
  }

  private static ByteBuffer read(Path file, long at, int n) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.read(b, at);
    }
    return b.flip();
  }
}
