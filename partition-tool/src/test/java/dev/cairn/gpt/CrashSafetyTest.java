package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cuts a table write after every sector it writes and reads the disk back: each time, one copy
 * must verify and hold either the whole old table or the whole new one.
 */
class CrashSafetyTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "sector size {0}")
  @ValueSource(ints = {512, 4096})
  void write_cutAtEverySector_leavesOldOrNewTable(int sectorSize) throws IOException {
    Path image = dir.resolve("disk.img");
    long sectors = (8L << 20) / sectorSize;
    Files.write(image, new byte[0]);
    try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(sectors * sectorSize);
    }
    PartitionTable old = withUsr(PartitionTable.empty(sectorSize, sectors, Fixtures.guid(100)));
    try (FileBlockDevice dev = FileBlockDevice.open(image, true, sectorSize)) {
      GptStore.create(dev, old);
    }
    byte[] before = Files.readAllBytes(image);
    PartitionTable next = AbSlots.markUpdate(old, 2);

    long total = countSectors(image, sectorSize, next);
    assertEquals(2 * (1 + old.entriesSectors()), total);
    for (long cut = 0; cut <= total; cut++) {
      Files.write(image, before);
      try (FileBlockDevice dev = FileBlockDevice.open(image, true, sectorSize)) {
        CutAfterSectorsDevice cutting = new CutAfterSectorsDevice(dev, cut);
        if (cut < total) {
          assertThrows(CutAfterSectorsDevice.PowerCut.class, () -> GptStore.write(cutting, next));
        } else {
          GptStore.write(cutting, next);
        }
      }
      try (FileBlockDevice dev = FileBlockDevice.open(image, false, sectorSize)) {
        PartitionTable read = GptStore.read(dev).table();
        String where = "cut after " + cut + " of " + total + " sectors";
        assertTrue(read.equals(old) || read.equals(next), where + ": read neither table: " + read);
        if (cut == total) {
          assertEquals(next, read, where);
          assertTrue(GptStore.read(dev).clean(), where);
        }
      }
    }
  }

  @ParameterizedTest(name = "sector size {0}")
  @ValueSource(ints = {512, 4096})
  void repairOfGrownDisk_cutAtEverySector_staysReadable(int sectorSize) throws IOException {
    Path image = dir.resolve("grown.img");
    long sectors = (6L << 20) / sectorSize;
    try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(sectors * sectorSize);
    }
    PartitionTable old = withUsr(PartitionTable.empty(sectorSize, sectors, Fixtures.guid(100)));
    try (FileBlockDevice dev = FileBlockDevice.open(image, true, sectorSize)) {
      GptStore.create(dev, old);
    }
    try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(2 * sectors * sectorSize);
    }
    byte[] before = Files.readAllBytes(image);
    for (long cut = 0; ; cut++) {
      Files.write(image, before);
      boolean finished;
      try (FileBlockDevice dev = FileBlockDevice.open(image, true, sectorSize)) {
        CutAfterSectorsDevice cutting = new CutAfterSectorsDevice(dev, cut);
        try {
          GptStore.repair(cutting);
          finished = true;
        } catch (CutAfterSectorsDevice.PowerCut expected) {
          finished = false;
        }
      }
      try (FileBlockDevice dev = FileBlockDevice.open(image, false, sectorSize)) {
        GptRead read = GptStore.read(dev);
        assertEquals(old.partitions(), read.table().partitions(), "cut after " + cut);
        if (finished) {
          assertEquals(2 * sectors - 1, read.table().alternateLba());
          assertTrue(read.clean(), read.problems().toString());
          return;
        }
      }
    }
  }

  private static PartitionTable withUsr(PartitionTable t) {
    long mib = (1 << 20) / t.sectorSize();
    return t.withPartitions(List.of(
        new Partition(1, PartitionType.COREOS_USR.guid(), Fixtures.guid(1), mib, 3 * mib - 1,
            NextTest.flags("1 0 1"), "USR-A"),
        new Partition(2, PartitionType.COREOS_USR.guid(), Fixtures.guid(2), 3 * mib, 5 * mib - 1,
            PartitionAttributes.NONE, "USR-B")));
  }

  private static long countSectors(Path image, int sectorSize, PartitionTable next) throws IOException {
    byte[] keep = Files.readAllBytes(image);
    try (FileBlockDevice dev = FileBlockDevice.open(image, true, sectorSize)) {
      CutAfterSectorsDevice counting = new CutAfterSectorsDevice(dev, Long.MAX_VALUE);
      GptStore.write(counting, next);
      return counting.written();
    } finally {
      Files.write(image, keep);
    }
  }
}
