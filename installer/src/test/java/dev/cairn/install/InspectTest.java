package dev.cairn.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.disk.Inspect;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the installer finds on a target before writing, on real files, tables made by sgdisk and mke2fs. */
class InspectTest {
  @TempDir Path dir;

  private Path file(long bytes) throws Exception {
    Path p = dir.resolve("t" + System.nanoTime() + ".img");
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return p;
  }

  @Test
  void anEmptyFile_mayBeWritten() throws Exception {
    TargetFacts f = Inspect.system().facts(file(8 << 20));
    assertEquals(TargetFacts.Kind.FILE, f.kind());
    assertEquals(8 << 20, f.bytes());
    assertTrue(f.refusal(false).isEmpty(), f.toString());
  }

  @Test
  void aFileWithPartitions_needsYes_andTheRefusalNamesThem() throws Exception {
    Path p = file(8 << 20);
    Sh.ok("sgdisk", "-o", "-n1:2048:+2M", "-c1:EFI-SYSTEM", "-n2:0:0", "-c2:ROOT", p.toString());
    TargetFacts f = Inspect.system().facts(p);
    String why = f.refusal(false).orElseThrow();
    assertTrue(why.contains("a GPT with 2 partitions: 1 EFI-SYSTEM (2.00 MiB), 2 ROOT"), why);
    assertTrue(why.endsWith("give --yes to overwrite it"), why);
    assertTrue(f.refusal(true).isEmpty());
  }

  @Test
  void aFilesystemWithoutATable_needsYes() throws Exception {
    Path p = file(8 << 20);
    Sh.ok("mke2fs", "-q", "-F", "-t", "ext4", p.toString());
    assertTrue(Inspect.system().facts(p).refusal(false).orElseThrow().contains("an ext2/3/4 filesystem"));
  }

  /**
   * A real loop device over a file, with a real ext4 mounted from it: the device is refused as
   * mounted, and its backing file as backing a loop device, even with --yes.
   */
  @Test
  void aMountedLoopDevice_andItsBackingFile_areRefusedEvenWithYes() throws Exception {
    Path p = file(16 << 20);
    String loop = Sh.ok("losetup", "-f", "--show", p.toString()).strip();
    Path mnt = Files.createDirectory(dir.resolve("mnt"));
    try {
      Sh.ok("mke2fs", "-q", "-F", "-t", "ext4", loop);
      Sh.ok("mount", loop, mnt.toString());
      try {
        String dev = Inspect.system().facts(Path.of(loop)).refusal(true).orElseThrow();
        assertEquals(loop + " is in use: " + loop + " is mounted at " + mnt, dev);
        String file = Inspect.system().facts(p).refusal(true).orElseThrow();
        assertEquals(p + " is in use: it backs loop device " + loop, file);
      } finally {
        Sh.ok("umount", mnt.toString());
      }
      String unmounted = Inspect.system().facts(Path.of(loop)).refusal(false).orElseThrow();
      assertTrue(unmounted.contains("holds an ext2/3/4 filesystem"), unmounted);
      assertTrue(Inspect.system().facts(Path.of(loop)).refusal(true).isEmpty());
    } finally {
      Sh.run("losetup", "-d", loop);
    }
  }

  /** A real loop device in use as swap (mkswap, swapon) is refused even with --yes. */
  @Test
  void aLoopDeviceInUseAsSwap_isRefusedEvenWithYes() throws Exception {
    Path p = file(16 << 20);
    String loop = Sh.ok("losetup", "-f", "--show", p.toString()).strip();
    try {
      Sh.ok("mkswap", loop);
      Sh.ok("swapon", loop);
      try {
        assertEquals(loop + " is in use: " + loop + " is in use as swap",
            Inspect.system().facts(Path.of(loop)).refusal(true).orElseThrow());
      } finally {
        Sh.ok("swapoff", loop);
      }
    } finally {
      Sh.run("losetup", "-d", loop);
    }
  }

  /**
   * A disk whose partition is held by device-mapper (LVM, RAID, dm-crypt) is refused. This kernel
   * has no device-mapper or MD driver to make a real holder, so the device is a real loop device
   * and its sysfs entry is a copy the test writes, with a {@code holders/dm-0} under its first
   * partition: the only part that is not real is the holder.
   */
  @Test
  void aDiskWithAPartitionHeldByDeviceMapper_isRefused() throws Exception {
    Path p = file(16 << 20);
    String loop = Sh.ok("losetup", "-f", "--show", p.toString()).strip();
    try {
      String devno = Sh.ok("stat", "-c", "%Hr:%Lr", loop).strip();
      String name = Path.of(loop).getFileName().toString();
      Path sys = dir.resolve("sys");
      Path disk = Files.createDirectories(sys.resolve("devices/virtual/block/" + name));
      Files.writeString(disk.resolve("size"), String.valueOf((16 << 20) / 512));
      Files.createDirectories(disk.resolve("holders"));
      Path part = Files.createDirectories(disk.resolve(name + "p1"));
      Files.writeString(part.resolve("partition"), "1");
      Files.writeString(part.resolve("dev"), "259:99");
      Files.createDirectories(part.resolve("holders/dm-0"));
      Files.createDirectories(sys.resolve("dev/block"));
      Files.createSymbolicLink(sys.resolve("dev/block/" + devno), disk);
      TargetFacts f = new Inspect(Path.of("/proc"), sys).facts(Path.of(loop));
      assertEquals(loop + " is in use: /dev/" + name + "p1 is held by dm-0 (device-mapper, LVM or RAID)",
          f.refusal(true).orElseThrow());
    } finally {
      Sh.run("losetup", "-d", loop);
    }
  }

  @Test
  void aDirectory_isNeitherDiskNorFile() throws Exception {
    String why = Inspect.system().facts(dir).refusal(true).orElseThrow();
    assertTrue(why.endsWith("is neither a block device nor a regular file"), why);
  }

  @Test
  void tooSmall_namesBothSizes() throws Exception {
    TargetFacts f = Inspect.system().facts(file(8 << 20));
    assertEquals(f.name() + " is too small: it has 8.00 MiB (8388608 bytes) and the image needs 64.0 MiB (67108864 bytes)",
        f.tooSmallFor(64 << 20).orElseThrow());
    assertTrue(Files.exists(Path.of(f.name())));
  }
}
