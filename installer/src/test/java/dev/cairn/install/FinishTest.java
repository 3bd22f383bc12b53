package dev.cairn.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.gpt.BlockDevice;
import dev.cairn.gpt.Partition;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's table fitted to a larger disk and written last, and the wipe, checked by sgdisk and
 * cgpt on real files: the image's layout is made by sgdisk, so Cairn reads a peer's table.
 */
class FinishTest {
  private static final long MIB = 1 << 20;

  @TempDir static Path shared;
  static Path template;
  @TempDir Path dir;
  Path image;

  /** One image laid out by sgdisk for the class (sgdisk waits a second after each write). */
  @BeforeAll
  static void layout() throws Exception {
    template = shared.resolve("image.bin");
    try (RandomAccessFile f = new RandomAccessFile(template.toFile(), "rw")) {
      f.setLength(24 * MIB);
    }
    Sh.ok("sgdisk", "-o", "-n1:2048:+4M", "-c1:EFI-SYSTEM", "-t1:ef00",
        "-n3:0:+4M", "-c3:USR-A", "-t3:5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6",
        "-n6:0:+2M", "-c6:OEM", "-n9:0:0", "-c9:ROOT", "-t9:3884dd41-8582-4404-b9a8-e9b84f2df50e", template.toString());
  }

  @BeforeEach
  void image() throws Exception {
    image = Files.copy(template, dir.resolve("image.bin"));
  }

  private byte[] head() throws IOException {
    return Arrays.copyOf(Files.readAllBytes(image), ImageHead.HEAD_BYTES);
  }

  /** A disk: the image copied to the start of a larger file, its first MiB left zero as while streaming. */
  private Path streamedDisk(long bytes) throws IOException {
    Path disk = dir.resolve("disk.img");
    byte[] all = Files.readAllBytes(image);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.setLength(bytes);
      f.seek(ImageHead.HEAD_BYTES);
      f.write(all, ImageHead.HEAD_BYTES, all.length - ImageHead.HEAD_BYTES);
    }
    return disk;
  }

  @Test
  void imageHead_givesSizeAndPartitions_ofAPeersTable() throws Exception {
    ImageHead h = ImageHead.parse(head());
    assertEquals(24 * MIB, h.imageBytes());
    assertEquals(512, h.sectorSize());
    assertEquals("ROOT", h.table().partition(9).orElseThrow().label());
  }

  @Test
  void imageHead_refusesBytesThatAreNoDiskImage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageHead.parse(new byte[ImageHead.HEAD_BYTES]));
    assertTrue(e.getMessage().contains("not a disk image"), e.getMessage());
  }

  @Test
  void commit_onALargerDisk_putsTheBackupAtTheEnd_growsRoot_andSgdiskFindsNoProblem() throws Exception {
    Path disk = streamedDisk(64 * MIB);
    ImageHead h = ImageHead.parse(head());
    try (FileDevice dev = new FileDevice(disk)) {
      Finish.Fitted f = Finish.fit(h, 512, dev.sectorCount());
      Finish.commit(dev, h, f.table());
      assertTrue(f.rootLine().contains("grown"), f.rootLine());
    }
    String v = Sh.ok("sgdisk", "-v", disk.toString());
    assertTrue(v.contains("No problems found"), v);
    String info = Sh.ok("sgdisk", "-i9", disk.toString());
    long lastUsable = 64 * MIB / 512 - 34;
    assertTrue(info.contains("Last sector: " + lastUsable + " "), info);
    String cgpt = Sh.ok("cgpt", "show", disk.toString());
    assertTrue(cgpt.contains("Sec GPT header") && cgpt.contains(String.valueOf(64 * MIB / 512 - 1)), cgpt);
    // The image's own backup (at its last sector, now inside ROOT) is gone.
    byte[] old = new byte[512];
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
      f.seek(24 * MIB - 512);
      f.readFully(old);
    }
    assertTrue(Arrays.equals(old, new byte[512]), "the image's old backup header must be cleared");
  }

  @Test
  void commit_onADiskOfTheImagesSize_leavesRootAsItIs() throws Exception {
    Path disk = streamedDisk(24 * MIB);
    ImageHead h = ImageHead.parse(head());
    Partition before = h.table().partition(9).orElseThrow();
    try (FileDevice dev = new FileDevice(disk)) {
      Finish.Fitted f = Finish.fit(h, 512, dev.sectorCount());
      assertEquals(before.lastLba(), f.rootAfter().orElseThrow().lastLba());
      Finish.commit(dev, h, f.table());
    }
    assertTrue(Sh.ok("sgdisk", "-v", disk.toString()).contains("No problems found"));
    assertTrue(Arrays.equals(Files.readAllBytes(image), Files.readAllBytes(disk)),
        "on a disk of the image's size the result is the image, byte for byte");
  }

  @Test
  void fit_refusesADiskSmallerThanTheImage_andOtherSectorSizes() {
    ImageHead h = assertDoesNotThrowHead();
    assertThrows(IllegalArgumentException.class, () -> Finish.fit(h, 512, 24 * MIB / 512 - 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Finish.fit(h, 4096, 64 * MIB / 4096));
    assertTrue(e.getMessage().contains("4096-byte sectors"), e.getMessage());
  }

  private ImageHead assertDoesNotThrowHead() {
    try {
      return ImageHead.parse(head());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void wipe_leavesNoGptForSgdiskOrCgpt_evenTheImagesMidDiskBackup() throws Exception {
    Path disk = streamedDisk(64 * MIB);
    ImageHead h = ImageHead.parse(head());
    try (FileDevice dev = new FileDevice(disk)) {
      Finish.Fitted f = Finish.fit(h, 512, dev.sectorCount());
      Finish.commit(dev, h, f.table());
    }
    assertTrue(Sh.ok("sgdisk", "-v", disk.toString()).contains("No problems found"));
    // Put the image's own backup back where streaming leaves it, as after a failure mid-way.
    byte[] all = Files.readAllBytes(image);
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
      f.seek(24 * MIB - 33 * 512);
      f.write(all, (int) (24 * MIB - 33 * 512), 33 * 512);
    }
    try (FileDevice dev = new FileDevice(disk)) {
      Finish.wipe(dev, h);
    }
    Sh.Result cg = Sh.run("cgpt", "show", disk.toString());
    assertNotEquals(0, cg.code(), "cgpt must find no GPT after the wipe:\n" + cg.out());
    String v = Sh.run("sgdisk", "-p", disk.toString()).out();
    assertTrue(!v.contains("ROOT") && !v.contains("USR-A"), "sgdisk must find no partitions:\n" + v);
    byte[] mid = new byte[512];
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
      f.seek(24 * MIB - 512);
      f.readFully(mid);
    }
    assertTrue(Arrays.equals(mid, new byte[512]), "the image's mid-disk backup header must be cleared");
  }

  /** A file as a block device of 512-byte sectors. */
  static final class FileDevice implements BlockDevice, AutoCloseable {
    private final RandomAccessFile f;
    private final String name;

    FileDevice(Path p) throws IOException {
      f = new RandomAccessFile(p.toFile(), "rw");
      name = p.toString();
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int sectorSize() {
      return 512;
    }

    @Override
    public long sectorCount() {
      try {
        return f.length() / 512;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public byte[] read(long lba, int count) throws IOException {
      byte[] b = new byte[count * 512];
      f.seek(lba * 512);
      f.readFully(b);
      return b;
    }

    @Override
    public void write(long lba, byte[] data) throws IOException {
      f.seek(lba * 512);
      f.write(data);
    }

    @Override
    public void flush() throws IOException {
      f.getFD().sync();
    }

    @Override
    public void close() throws IOException {
      f.close();
    }
  }
}
