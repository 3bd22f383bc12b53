package dev.cairn.vms;

import dev.cairn.vms.ReleaseImage.Image;
import dev.cairn.vms.ReleaseImage.Partition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Makes a disk with the CoreOS layout of {@link ReleaseImage} boot like a CoreOS machine: GRUB,
 * from Debian's {@code grub-pc-bin} and {@code grub-efi-amd64-bin}, loads a kernel and an
 * initramfs from EFI-SYSTEM. Everything is written into the image file at the partitions' byte
 * offsets (mtools' {@code IMAGE@@OFFSET} for the FAT): no loop devices, mounts or root.
 *
 * <pre>
 * sector 0 (MBR)       boot.img, bytes 0-439, with the first sector of core.img at 0x5c; the
 *                      disk signature and the protective partition table (440-511) kept
 * 2 BIOS-BOOT          core.img: grub-mkimage -O i386-pc, its diskboot.img's blocklist
 *                      (0x1f4) pointing at its own second sector
 * 1 EFI-SYSTEM (FAT)   EFI/BOOT/BOOTX64.EFI   grub-mkimage -O x86_64-efi
 *                      grub/grub.cfg          serial console, timeout 0, one entry
 *                      vmlinuz, initrd.img    the kernel and the initramfs
 * </pre>
 *
 * <p>Both GRUB images carry the same early config: find the FAT labelled {@code EFI-SYSTEM},
 * make it the root and read its {@code /grub/grub.cfg}. This is what {@code grub-bios-setup} does
 * for a core image embedded in a BIOS boot partition, done by hand: it cannot write to a file
 * that is not a block device.
 */
public final class DiskBoot {
  /** Debian's {@code grub-pc-bin}: boot.img, diskboot.img and the modules. */
  public static final Path GRUB_PC = Path.of("/usr/lib/grub/i386-pc");
  /** Debian's {@code grub-efi-amd64-bin}: the modules of GRUB for UEFI. */
  public static final Path GRUB_EFI = Path.of("/usr/lib/grub/x86_64-efi");

  /** What both GRUB images need: read a GPT and a FAT, find it by label, run a config, load Linux, talk on the serial port. */
  static final List<String> MODULES = List.of("part_gpt", "fat", "search", "search_label", "configfile", "normal",
      "echo", "test", "linux", "serial", "terminal");
  /** Only in the BIOS image: disks through the BIOS. */
  static final List<String> BIOS_MODULES = List.of("biosdisk");

  /** The early config both images carry. */
  static final String EARLY_CONFIG = """
      search --no-floppy --label EFI-SYSTEM --set root
      set prefix=($root)/grub
      configfile ($root)/grub/grub.cfg
      """;

  /** boot.img: where it keeps the first sector of core.img (64 bits, little-endian). */
  static final int KERNEL_SECTOR = 0x5c;
  /** boot.img: the boot drive, 0xff for "the one the BIOS passed in DL". */
  static final int BOOT_DRIVE = 0x64;
  /** boot.img: a 2-byte jump past the check for buggy BIOSes; grub-bios-setup turns it into two NOPs for hard disks. */
  static final int DRIVE_CHECK = 0x66;
  /** Where the boot code of the MBR ends: the disk signature and the partition table follow. */
  static final int BOOT_CODE_END = 0x1b8;
  /** diskboot.img (core.img's first sector): its last blocklist entry, start (64 bits), length (16), segment (16). */
  static final int BLOCKLIST = 0x200 - 12;

  /**
   * What was written.
   *
   * @param image the disk
   * @param coreLba the sector of the disk where core.img starts (BIOS-BOOT's first)
   * @param coreSectors how many sectors core.img has
   * @param grubCfg the grub.cfg on EFI-SYSTEM
   */
  public record Installed(Path image, long coreLba, long coreSectors, String grubCfg) {
  }

  private DiskBoot() {
  }

  /** The grub.cfg: a serial console, no menu, one entry loading {@code /vmlinuz} with {@code cmdline console=ttyS0} and {@code /initrd.img}. */
  public static String grubCfg(String cmdline) {
    if (cmdline.contains("\n") || cmdline.contains("\"") || cmdline.contains("'")) {
      throw new IllegalArgumentException("kernel command line must be one line without quotes, got " + cmdline);
    }
    return "serial --unit=0 --speed=115200\n"
        + "terminal_input serial console\n"
        + "terminal_output serial console\n"
        + "set timeout=0\n"
        + "menuentry \"Cairn\" {\n"
        + "  linux /vmlinuz " + (cmdline.isBlank() ? "" : cmdline.strip() + " ") + "console=ttyS0\n"
        + "  initrd /initrd.img\n"
        + "}\n";
  }

  /**
   * Makes {@code image} boot {@code kernel} with {@code initramfs} and {@code cmdline} (to which
   * {@code console=ttyS0} is added) from BIOS and from UEFI, changing the file in place.
   *
   * @throws IOException when GRUB is not installed (naming its Debian package), a tool fails, or
   *     core.img does not fit into BIOS-BOOT or the files into EFI-SYSTEM (mcopy's words)
   */
  public static Installed install(Image image, Path kernel, Path initramfs, String cmdline) throws IOException {
    Partition efi = image.partition("EFI-SYSTEM");
    Partition biosBoot = image.partition("BIOS-BOOT");
    String cfg = grubCfg(cmdline);
    need(GRUB_PC.resolve("boot.img"), "grub-pc-bin");
    need(GRUB_EFI.resolve("linux.mod"), "grub-efi-amd64-bin");
    Path disk = image.file();
    Path work = Files.createTempDirectory(disk.toAbsolutePath().getParent(), ".diskboot.");
    try {
      Path early = work.resolve("early.cfg");
      Files.writeString(early, EARLY_CONFIG, StandardCharsets.UTF_8);

      // BIOS: core.img into BIOS-BOOT, boot.img into the MBR.
      Path core = work.resolve("core.img");
      List<String> args = new ArrayList<>(List.of("-O", "i386-pc", "-d", GRUB_PC.toString(), "-c", early.toString(),
          "-p", "/grub", "-o", core.toString()));
      args.addAll(BIOS_MODULES);
      args.addAll(MODULES);
      Tool.GRUB_MKIMAGE.run(args);
      byte[] coreBytes = Files.readAllBytes(core);
      if (coreBytes.length > biosBoot.bytes()) {
        throw new IOException(core + ": " + coreBytes.length + " bytes do not fit into BIOS-BOOT (" + biosBoot.bytes() + ")");
      }
      long coreSectors = (coreBytes.length + 511) / 512;
      ByteBuffer bl = ByteBuffer.wrap(coreBytes).order(ByteOrder.LITTLE_ENDIAN);
      int rest = Short.toUnsignedInt(bl.getShort(BLOCKLIST + 8));
      if (rest != coreSectors - 1) {
        throw new IOException(core + ": its blocklist names " + rest + " sectors after the first, expected "
            + (coreSectors - 1) + " (not a grub-mkimage -O i386-pc image?)");
      }
      bl.putLong(BLOCKLIST, biosBoot.firstLba() + 1);
      byte[] boot = Files.readAllBytes(GRUB_PC.resolve("boot.img"));
      if (boot.length != 512) {
        throw new IOException(GRUB_PC.resolve("boot.img") + ": " + boot.length + " bytes, expected 512");
      }
      ByteBuffer bb = ByteBuffer.wrap(boot).order(ByteOrder.LITTLE_ENDIAN);
      bb.putLong(KERNEL_SECTOR, biosBoot.firstLba());
      boot[BOOT_DRIVE] = (byte) 0xff;
      boot[DRIVE_CHECK] = (byte) 0x90;
      boot[DRIVE_CHECK + 1] = (byte) 0x90;
      try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        ByteBuffer padded = ByteBuffer.allocate((int) (coreSectors * 512));
        padded.put(coreBytes).flip();
        write(ch, padded, biosBoot.offset());
        write(ch, ByteBuffer.wrap(boot, 0, BOOT_CODE_END), 0);
      }

      // UEFI, and the files both read.
      Path tree = Files.createDirectories(work.resolve("efi"));
      Path bootx64 = Files.createDirectories(tree.resolve("EFI/BOOT")).resolve("BOOTX64.EFI");
      List<String> efiArgs = new ArrayList<>(List.of("-O", "x86_64-efi", "-d", GRUB_EFI.toString(), "-c",
          early.toString(), "-p", "/grub", "-o", bootx64.toString()));
      efiArgs.addAll(MODULES);
      Tool.GRUB_MKIMAGE.run(efiArgs);
      Files.writeString(Files.createDirectories(tree.resolve("grub")).resolve("grub.cfg"), cfg, StandardCharsets.UTF_8);
      Files.copy(kernel, tree.resolve("vmlinuz"));
      Files.copy(initramfs, tree.resolve("initrd.img"));
      Tool.MCOPY.run(Map.of("MTOOLS_SKIP_CHECK", "1"), List.of("-s", "-o", "-p", "-Q", "-i",
          disk + "@@" + efi.offset(), tree.resolve("EFI").toString(), tree.resolve("grub").toString(),
          tree.resolve("vmlinuz").toString(), tree.resolve("initrd.img").toString(), "::/"));
      return new Installed(disk, biosBoot.firstLba(), coreSectors, cfg);
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void write(FileChannel ch, ByteBuffer b, long at) throws IOException {
    while (b.hasRemaining()) {
      at += ch.write(b, at);
    }
  }

  private static void need(Path file, String debianPackage) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": missing (Debian package " + debianPackage + "; ./test.sh installs it)");
    }
  }
}
