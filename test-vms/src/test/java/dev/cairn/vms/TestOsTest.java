package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.vms.ReleaseImage.Image;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test OS's first boot steps ({@link TestOs}), from the disk with SeaBIOS under TCG: GRUB
 * loads the kernel and the initramfs from EFI-SYSTEM, and {@code /init} loads the virtio and ext4
 * modules, runs {@code cairn gpt next /dev/vda} on the trimmed Java runtime, mounts the chosen USR
 * partition read-only at {@code /usr} and reports the version in its release file. qemu's
 * {@code snapshot=on} drops what {@code gpt next} writes, so each image boots as built.
 *
 * <p>The chosen slot is Cairn's answer and the version the kernel's ext4 reading of that slot: a
 * release image as built boots USR-A (3) and 1.0.0; with USR-B (4) holding 2.0.0's filesystem and
 * flagged {@code priority=2 tries=1 successful=0} by {@code cgpt add}, as an update leaves it, the
 * machine boots USR-B and 2.0.0.
 */
class TestOsTest {
  static final Path LOGS = Path.of(System.getProperty("basedir", "."), "target", "vm-logs");
  /** EFI-SYSTEM for Debian's kernel (about 8 MB) and the initramfs with the Java runtime; the rest as small as may be. */
  static final ReleaseImage.Sizes SIZES = new ReleaseImage.Sizes(48, 1, 4, 2, 1, 2);
  /** The unpacked initramfs, the JVM and the page cache. */
  static final int MEMORY_MIB = 512;

  @TempDir static Path tmp;
  static Kernel kernel;
  static Path initrd;
  static Qemu qemu;

  @BeforeAll
  static void build() throws Exception {
    qemu = Qemu.locate();
    kernel = Kernel.fromCache();
    TrimmedRuntime runtime = TrimmedRuntime.build(tmp.resolve("runtime"), TrimmedRuntime.currentClassPath());
    initrd = tmp.resolve("initrd.img");
    TestOs.initramfs(kernel, runtime).write(initrd);
    System.out.printf("test OS initramfs: %.1f MB%n", Files.size(initrd) / 1e6);
  }

  @Test
  void aReleaseImageAsBuiltBootsUsrAAndReadsItsVersion() throws Exception {
    Image image = bootable("1.0.0", "one");
    Boot boot = boot("testos-usr-a", image.file());
    assertEquals(Optional.of("3"), boot.marker("usr"), boot.summary());
    assertTrue(boot.markers().contains("mounted /dev/vda3 /usr"), boot.summary());
    assertEquals(Optional.of("1.0.0"), boot.marker("version"), boot.summary());
  }

  @Test
  void usrBBeingTriedWithAHigherPriorityIsChosenAndItsVersionRead() throws Exception {
    Image image = bootable("1.0.0", "two");
    Image next = ReleaseImage.of("2.0.0").sizes(SIZES).usrFiles(usr("two-next")).build(tmp.resolve("two-next"));
    Path usr = next.extract(3, tmp.resolve("usr-2.0.0.ext4"));
    assertEquals(image.partition(4).bytes(), Files.size(usr));
    try (FileChannel ch = FileChannel.open(image.file(), StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(usr));
      long at = image.partition(4).offset();
      while (b.hasRemaining()) {
        at += ch.write(b, at);
      }
    }
    Peer.Result flag = Peer.run("cgpt", "add", "-i", "4", "-P", "2", "-T", "1", "-S", "0", image.file().toString());
    assertEquals(0, flag.code(), flag.err());
    Peer.Result show = Peer.run("cgpt", "show", "-i", "4", "-A", image.file().toString());
    assertEquals("0x12", show.out().strip(), "USR-B: priority 2, tries 1, not successful");

    Boot boot = boot("testos-usr-b", image.file());
    assertEquals(Optional.of("4"), boot.marker("usr"), boot.summary());
    assertTrue(boot.markers().contains("mounted /dev/vda4 /usr"), boot.summary());
    assertEquals(Optional.of("2.0.0"), boot.marker("version"), boot.summary());
  }

  private static Image bootable(String version, String name) throws Exception {
    Image image = ReleaseImage.of(version).sizes(SIZES).usrFiles(usr(name)).build(tmp.resolve(name));
    DiskBoot.install(image, kernel.vmlinuz(), initrd, "cairn.vm.agent=off");
    return image;
  }

  /** USR files with a passing health check, so the boot goes on to mark its slot good. */
  private static Path usr(String name) throws Exception {
    return TestOs.usrFiles(java.nio.file.Files.createDirectories(tmp.resolve("usr-" + name)), true, null);
  }

  private static Boot boot(String name, Path disk) throws Exception {
    Machine m = new Machine(name, Firmware.BIOS, "52:54:00:ca:02:0a",
        java.util.UUID.fromString("0a0a0a0a-0000-4000-8000-00000000020a"), MEMORY_MIB);
    Boot boot = qemu.bootFromDisk(m, disk, LOGS, Qemu.DEFAULT_BOUND);
    System.out.printf("%s (%s): %s after %.1f s%n", name, m.firmware(), boot.ending(), boot.elapsed().toMillis() / 1000.0);
    assertTrue(boot.succeeded(), boot.summary());
    assertEquals(Optional.of("/dev/vda"), boot.marker("disk"), boot.summary());
    return boot;
  }
}
