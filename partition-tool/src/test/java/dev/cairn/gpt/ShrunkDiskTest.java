package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk (or image) cut shorter after it was partitioned: the primary GPT still verifies but
 * describes the old size, and the backup was cut off. It is read from the primary with every
 * partition that no longer fits named; repair moves the backup to the new end only when every
 * partition still fits, and otherwise refuses and writes nothing.
 */
class ShrunkDiskTest {
  private static final long MIB_SECTORS = 2048;

  @TempDir Path dir;

  /**
   * A 16 MiB disk (32768 sectors) with kernel partitions at LBA 2048-4095 (1) and 4096-8191 (2)
   * and ROOT (3) from 8192 to the last usable LBA 32734.
   */
  private Path disk() throws IOException {
    Path p = dir.resolve("disk.img");
    setLength(p, 16 * MIB_SECTORS * 512);
    PartitionTable t = PartitionTable.empty(512, 16 * MIB_SECTORS, Fixtures.guid(100));
    Guid kernel = PartitionType.CHROMEOS_KERNEL.guid();
    t = t.withPartitions(List.of(
        new Partition(1, kernel, Fixtures.guid(1), 2048, 4095, PartitionAttributes.NONE, "KERN-A"),
        new Partition(2, kernel, Fixtures.guid(2), 4096, 8191, PartitionAttributes.NONE, "KERN-B"),
        new Partition(3, PartitionType.LINUX_DATA.guid(), Fixtures.guid(3), 8192, 32734,
            PartitionAttributes.NONE, "ROOT")));
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 512)) {
      GptStore.create(dev, t);
    }
    return p;
  }

  private static void setLength(Path p, long bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }

  private static GptRead read(Path p) throws IOException {
    try (FileBlockDevice dev = FileBlockDevice.open(p, false, 0)) {
      return GptStore.read(dev);
    }
  }

  @Test
  void diskCutInsideItsLastPartition_isReadFromThePrimary_namingThePartitionAndHowFarItReaches()
      throws IOException {
    Path p = disk();
    setLength(p, 8 * MIB_SECTORS * 512);   // 16384 sectors: ROOT loses its last 16351
    GptRead read = read(p);
    assertEquals(GptRead.Source.PRIMARY, read.source());
    assertTrue(read.shrunk());
    assertEquals(3, read.table().partitions().size());
    assertEquals(List.of(
        "backup GPT: the primary header places it at LBA 32767, outside the disk's 16384 sectors",
        "protective MBR: protective MBR partition covers 32767 sectors, the disk has 16383 after the MBR",
        "the disk is smaller than its GPT: the GPT was written for 32768 sectors (backup header at"
            + " LBA 32767) but the disk has 16384 (last LBA 16383)",
        "partition 3 (ROOT) ends at LBA 32734, 16351 sectors past the disk's last LBA 16383",
        "'cairn gpt repair' will not cut or drop a partition to fit: grow the disk back to at least"
            + " 16777216 bytes, or shrink or delete that partition"), read.problems());
  }

  @Test
  void repair_whenAPartitionEndsPastTheEnd_refusesNamingIt_andWritesNothing() throws IOException {
    Path p = disk();
    setLength(p, 8 * MIB_SECTORS * 512);
    byte[] before = Files.readAllBytes(p);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GptStore.repair(dev));
      assertEquals("cannot repair: the disk has 16384 sectors, 16384 fewer than its GPT was written"
          + " for, and partition 3 (ROOT) ends at LBA 32734, 16351 sectors past the disk's last LBA"
          + " 16383; repair never cuts or drops a partition: grow the disk back to at least 16777216"
          + " bytes and run repair again, or shrink or delete partition 3 explicitly"
          + " ('cairn gpt add -i N -s SIZE' shrinks one, 'sgdisk -d N' deletes one)", e.getMessage());
    }
    assertArrayEquals(before, Files.readAllBytes(p));
  }

  @Test
  void repair_namesEveryPartitionInTheWay_whollyPastTheEnd_pastTheEnd_andIntoTheBackupArea()
      throws IOException {
    Path p = disk();
    setLength(p, (4096 + 20) * 512L);   // ends 20 sectors into KERN-B
    byte[] before = Files.readAllBytes(p);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      String m = assertThrows(IllegalArgumentException.class, () -> GptStore.repair(dev)).getMessage();
      assertTrue(m.contains("partition 1 (KERN-A) ends at LBA 4095, 13 sectors into the 33 a backup"
          + " GPT at the disk's end needs (last usable LBA 4082); "
          + "partition 2 (KERN-B) ends at LBA 8191, 4076 sectors past the disk's last LBA 4115; "
          + "partition 3 (ROOT) (LBA 8192-32734) lies wholly past the disk's last LBA 4115;"), m);
      assertTrue(m.contains("shrink or delete partition 1, 2, 3 explicitly"), m);
    }
    assertArrayEquals(before, Files.readAllBytes(p));
  }

  @Test
  void repair_whenEveryPartitionStillFits_writesTheBackupAtTheNewEnd_keepingThePartitions()
      throws IOException {
    Path p = disk();
    GptRead whole = read(p);
    PartitionTable t = whole.table();
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      GptStore.write(dev, whole, t.withPartitions(t.partitions().subList(0, 2)));   // drop ROOT
    }
    setLength(p, 8 * MIB_SECTORS * 512);
    GptRead shrunk = read(p);
    assertTrue(shrunk.problems().get(2).endsWith(
        "; every partition still fits, and 'cairn gpt repair' writes the backup GPT at the new end"),
        shrunk.problems().toString());
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      GptStore.RepairReport report = GptStore.repair(dev);
      assertEquals("the disk is 16384 sectors smaller than its GPT: wrote the backup GPT at the"
          + " disk's last LBA 16383 (it was at LBA 32767, past the end); last usable LBA is now 16350",
          report.fixed().get(0));
      assertEquals(2, report.fixed().size(), "and the protective MBR: " + report.fixed());
    }
    GptRead after = read(p);
    assertTrue(after.clean(), after.problems().toString());
    assertFalse(after.shrunk());
    assertEquals(16383, after.table().alternateLba());
    assertEquals(t.partitions().subList(0, 2), after.table().partitions());
  }

  @Test
  void aBackupHeaderWithAUsableRangePastTheDisk_isStillInvalid() {
    // Only a primary written for a larger disk is read; anything else out of range stays damage.
    PartitionTable t = PartitionTable.empty(512, 16 * MIB_SECTORS, Fixtures.guid(100));
    byte[] backup = GptCodec.encodeHeader(t, false, 0);
    assertInstanceOf(GptCodec.HeaderCheck.Valid.class, GptCodec.decodeHeader(backup, 32767, 32768));
    GptCodec.HeaderCheck cut = GptCodec.decodeHeader(backup, 32767, 16384);
    assertInstanceOf(GptCodec.HeaderCheck.Invalid.class, cut);
    PartitionTable odd = new PartitionTable(512, t.diskGuid(), 34, 40000, 32767, 2, 32735, 128, List.of());
    assertInstanceOf(GptCodec.HeaderCheck.Invalid.class,
        GptCodec.decodeHeader(GptCodec.encodeHeader(odd, true, 0), 1, 16384),
        "a primary whose usable range runs past its own backup is not a larger disk's header");
    assertInstanceOf(GptCodec.HeaderCheck.Valid.class,
        GptCodec.decodeHeader(GptCodec.encodeHeader(t, true, 0), 1, 16384));
  }
}
