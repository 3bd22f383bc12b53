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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release image made bootable by {@link DiskBoot}: the bytes GRUB's setup would patch are read
 * back from the image: the MBR's partition table (bytes 440-511) is as cgpt wrote it, boot.img
 * points at BIOS-BOOT's first sector, core.img's blocklist at its second, and mtools reads the
 * grub.cfg and {@code EFI/BOOT/BOOTX64.EFI} back from the FAT; {@code sgdisk -v} finds no problem.
 *
 * <p>The boots themselves are steps of {@link MachineLifeTest}: every boot from the disk there
 * (SeaBIOS through boot.img and core.img, OVMF through the removable-media path) is GRUB loading
 * the kernel and initramfs from EFI-SYSTEM, and the flows check the kernel's command line starts
 * with {@code BOOT_IMAGE=/vmlinuz}, which only GRUB's {@code linux} command puts there.
 */
class DiskBootTest {
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

  @BeforeAll
  static void build() throws Exception {
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

  private static ByteBuffer read(Path file, long at, int n) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.read(b, at);
    }
    return b.flip();
  }
}
