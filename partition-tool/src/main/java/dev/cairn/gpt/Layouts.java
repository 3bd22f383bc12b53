package dev.cairn.gpt;

import java.util.ArrayList;
import java.util.List;

/** Disk layouts {@code gpt create --layout} knows. */
public final class Layouts {
  private Layouts() {}

  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  /** The smallest ROOT the CoreOS layout accepts; first boot grows it to fill the disk. */
  public static final long COREOS_MIN_ROOT_BYTES = GIB;

  private record Slot(int number, String label, PartitionType type, long bytes) {}

  /** The CoreOS layout, in bytes so it holds for 512- and 4096-byte sectors alike. */
  private static final long COREOS_FIRST_BYTE = 2 * MIB;

  private static final List<Slot> COREOS = List.of(
      new Slot(1, "EFI-SYSTEM", PartitionType.EFI, 128 * MIB),
      new Slot(2, "BIOS-BOOT", PartitionType.BIOS_BOOT, 2 * MIB),
      new Slot(3, "USR-A", PartitionType.COREOS_USR, GIB),
      new Slot(4, "USR-B", PartitionType.COREOS_USR, GIB),
      new Slot(6, "OEM", PartitionType.LINUX_DATA, 128 * MIB),
      new Slot(7, "OEM-CONFIG", PartitionType.COREOS_RESERVED, 64 * MIB));

  public static final int COREOS_ROOT_NUMBER = 9;

  /** Bytes a disk needs for the CoreOS layout with a 1 GiB ROOT. */
  public static long coreosMinimumBytes(int sectorSize) {
    long used = COREOS_FIRST_BYTE;
    for (Slot s : COREOS) {
      used += s.bytes();
    }
    long backup = (1 + PartitionTable.entriesSectors(sectorSize, PartitionTable.DEFAULT_ENTRY_COUNT)) * sectorSize;
    return used + COREOS_MIN_ROOT_BYTES + backup;
  }

  /**
   * The CoreOS layout on a disk of {@code diskSectors}: EFI-SYSTEM at 2 MiB, BIOS-BOOT, USR-A
   * (priority=1 successful=1), USR-B (priority 0), OEM, OEM-CONFIG, and ROOT taking the rest.
   * Numbers 5 and 8 stay empty.
   */
  public static PartitionTable coreos(int sectorSize, long diskSectors, Guid diskGuid) {
    long min = coreosMinimumBytes(sectorSize);
    if (diskSectors * sectorSize < min) {
      throw new IllegalArgumentException("disk of " + diskSectors * sectorSize
          + " bytes is too small for the coreos layout: it needs at least " + min + " bytes ("
          + String.format("%.2f", min / (double) GIB) + " GiB)");
    }
    PartitionTable empty = PartitionTable.empty(sectorSize, diskSectors, diskGuid);
    List<Partition> parts = new ArrayList<>();
    long lba = COREOS_FIRST_BYTE / sectorSize;
    for (Slot s : COREOS) {
      long sectors = s.bytes() / sectorSize;
      PartitionAttributes attrs = PartitionAttributes.NONE;
      if (s.number() == 3) {
        attrs = attrs.withPriority(1).withTries(0).withSuccessful(true);
      }
      parts.add(new Partition(s.number(), s.type().guid(), Guid.random(), lba, lba + sectors - 1,
          attrs, s.label()));
      lba += sectors;
    }
    parts.add(new Partition(COREOS_ROOT_NUMBER, PartitionType.COREOS_RESIZE.guid(), Guid.random(),
        lba, empty.lastUsableLba(), PartitionAttributes.NONE, "ROOT"));
    return empty.withPartitions(parts);
  }
}
