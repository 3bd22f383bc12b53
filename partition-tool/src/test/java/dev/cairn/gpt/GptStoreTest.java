package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GptStoreTest {
  @TempDir Path dir;

  private Path image(long bytes) throws IOException {
    Path p = dir.resolve("disk-" + bytes + ".img");
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return p;
  }

  private static void overwrite(Path p, long offset, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(offset);
      f.write(bytes);
    }
  }

  @ParameterizedTest(name = "sector size {0}")
  @ValueSource(ints = {512, 4096})
  void coreosLayout_roundTripsThroughTheDisk_andSectorSizeIsDetected(int ss) throws IOException {
    Path p = image(4L << 30);
    PartitionTable t = Layouts.coreos(ss, (4L << 30) / ss, Fixtures.guid(100));
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, ss)) {
      GptStore.create(dev, t);
    }
    try (FileBlockDevice dev = FileBlockDevice.open(p, false, 0)) {
      assertEquals(ss, dev.sectorSize());
      GptRead read = GptStore.read(dev);
      assertEquals(t, read.table());
      assertTrue(read.clean(), read.problems().toString());
      assertEquals(GptRead.Source.PRIMARY, read.source());
    }
  }

  @Test
  void damagedPrimary_isReadFromBackup_andSaysSo() throws IOException {
    Path p = image(64L << 20);
    PartitionTable t = Fixtures.kernels(1, 2);
    t = new PartitionTable(512, t.diskGuid(), 34, (64L << 11) - 34, (64L << 11) - 1, 2,
        (64L << 11) - 33, 128, t.partitions());
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 512)) {
      GptStore.create(dev, t);
    }
    overwrite(p, 512 + 60, new byte[] {0x42});   // inside the primary header's disk GUID
    try (FileBlockDevice dev = FileBlockDevice.open(p, false, 0)) {
      GptRead read = GptStore.read(dev);
      assertEquals(GptRead.Source.BACKUP, read.source());
      assertEquals(t.partitions(), read.table().partitions());
      assertTrue(read.primaryProblem().contains("bad CRC"), read.primaryProblem());
      assertNull(read.backupProblem());
      assertTrue(read.problems().stream().anyMatch(s -> s.contains("using the backup")), read.problems().toString());
    }
  }

  @Test
  void damagedEntries_inPrimary_fallBackToBackup() throws IOException {
    Path p = image(8L << 20);
    PartitionTable t = Fixtures.kernels(1);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 512)) {
      GptStore.create(dev, t);
    }
    overwrite(p, 2 * 512 + 56, new byte[] {'X', 0});   // first entry's label
    try (FileBlockDevice dev = FileBlockDevice.open(p, false, 0)) {
      GptRead read = GptStore.read(dev);
      assertEquals("KERN-1", read.table().require(1).label());
      assertTrue(read.primaryProblem().contains("entry array at LBA 2 has a bad CRC"), read.primaryProblem());
    }
  }

  @Test
  void bothCopiesDamaged_isRefusedNamingBoth() throws IOException {
    Path p = image(8L << 20);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 512)) {
      GptStore.create(dev, Fixtures.kernels(1));
    }
    overwrite(p, 512 + 60, new byte[] {1});
    overwrite(p, (8L << 20) - 512 + 60, new byte[] {1});
    try (FileBlockDevice dev = FileBlockDevice.open(p, false, 0)) {
      String m = assertThrows(IllegalArgumentException.class, () -> GptStore.read(dev)).getMessage();
      assertTrue(m.startsWith("both GPT copies are damaged: primary: header at LBA 1 has a bad CRC"), m);
      assertTrue(m.contains("backup: header at LBA 16383 has a bad CRC"), m);
    }
  }

  @Test
  void zeros_areNotAGpt() throws IOException {
    Path p = image(8L << 20);
    try (FileBlockDevice dev = FileBlockDevice.open(p, false, 0)) {
      String m = assertThrows(IllegalArgumentException.class, () -> GptStore.read(dev)).getMessage();
      assertTrue(m.startsWith("no GPT found"), m);
    }
  }

  @Test
  void grownDisk_isNoticed_andRepairMovesTheBackup() throws IOException {
    Path p = image(8L << 20);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 512)) {
      GptStore.create(dev, Fixtures.kernels(1, 2));
    }
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(16L << 20);
    }
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      GptRead read = GptStore.read(dev);
      assertTrue(read.problems().stream().anyMatch(s -> s.contains("the disk has grown")), read.problems().toString());
      assertNotNull(read.mbrProblem());
      GptStore.RepairReport report = GptStore.repair(dev);
      assertEquals(2, report.fixed().size(), report.fixed().toString());
      assertTrue(report.fixed().get(0).startsWith("moved the backup GPT from LBA 16383 to LBA 32767"));
      GptRead after = GptStore.read(dev);
      assertTrue(after.clean(), after.problems().toString());
      assertEquals((16L << 11) - 1, after.table().alternateLba());
      assertEquals((16L << 11) - 34, after.table().lastUsableLba());
      assertEquals(GptStore.repair(dev).fixed(), java.util.List.of());
    }
  }

  @Test
  void grownDisk_withDamagedPrimary_findsTheBackupWhereThePrimarySaidItWas() throws IOException {
    Path p = image(8L << 20);
    PartitionTable t = Fixtures.kernels(1, 2);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 512)) {
      GptStore.create(dev, t);
    }
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(16L << 20);
    }
    overwrite(p, 512 + 60, new byte[] {7});   // primary CRC now fails; its AlternateLBA still reads
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      GptRead read = GptStore.read(dev);
      assertEquals(GptRead.Source.BACKUP, read.source());
      assertEquals(16383, read.table().alternateLba());
      GptStore.repair(dev);
      GptRead after = GptStore.read(dev);
      assertTrue(after.clean(), after.problems().toString());
      assertEquals(t.partitions(), after.table().partitions());
      assertEquals((16L << 11) - 1, after.table().alternateLba());
    }
  }

  @Test
  void repair_keepsBootCode_andLeavesAForeignMbrAlone() throws IOException {
    Path p = image(8L << 20);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 512)) {
      GptStore.create(dev, Fixtures.kernels(1));
    }
    byte[] bootCode = new byte[440];
    java.util.Arrays.fill(bootCode, (byte) 0x90);
    overwrite(p, 0, bootCode);
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(16L << 20);
    }
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      GptStore.RepairReport r = GptStore.repair(dev);
      assertTrue(r.fixed().get(1).startsWith("rewrote the protective MBR, keeping its boot code"), r.fixed().toString());
      byte[] sector0 = dev.read(0, 1);
      assertEquals(java.util.HexFormat.of().formatHex(bootCode),
          java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(sector0, 440)));
      assertNull(GptCodec.checkProtectiveMbr(sector0, dev.sectorCount()));
    }
    // A legacy MBR partition (type 0x83) and no 0xEE entry: repair must not touch sector 0.
    byte[] legacy = new byte[16];
    legacy[4] = (byte) 0x83;
    legacy[8] = 1;
    overwrite(p, 446, legacy);
    byte[] before = java.nio.file.Files.readAllBytes(p);
    try (FileBlockDevice dev = FileBlockDevice.open(p, true, 0)) {
      GptStore.RepairReport r = GptStore.repair(dev);
      assertEquals(java.util.List.of(), r.fixed());
      assertTrue(r.leftAlone().get(0).contains("hybrid or legacy MBR"), r.leftAlone().toString());
    }
    assertTrue(java.util.Arrays.equals(before, java.nio.file.Files.readAllBytes(p)));
  }

  @Test
  void coreosLayout_onSmallDisk_namesTheMinimum() {
    String m = assertThrows(IllegalArgumentException.class,
        () -> Layouts.coreos(512, (1L << 30) / 512, Guid.random())).getMessage();
    assertTrue(m.contains("too small for the coreos layout"), m);
    assertTrue(m.contains(String.valueOf(Layouts.coreosMinimumBytes(512))), m);
  }

  @Test
  void coreosLayout_hasTheDecidedNumbersSizesAndFlags() {
    PartitionTable t = Fixtures.coreos();
    assertEquals("1,2,3,4,6,7,9", t.usedNumbers());
    assertEquals(4096, t.require(1).firstLba());
    long[] sizes = {262144, 4096, 2097152, 2097152, 262144, 131072};
    int[] numbers = {1, 2, 3, 4, 6, 7};
    for (int i = 0; i < numbers.length; i++) {
      assertEquals(sizes[i], t.require(numbers[i]).sizeLba(), "partition " + numbers[i]);
    }
    assertEquals(t.lastUsableLba(), t.require(9).lastLba());
    assertEquals(0x101, t.require(3).attributes().cgptBits());
    assertEquals(0, t.require(4).attributes().cgptBits());
    assertEquals(PartitionType.COREOS_RESIZE.guid(), t.require(9).type());
  }
}
