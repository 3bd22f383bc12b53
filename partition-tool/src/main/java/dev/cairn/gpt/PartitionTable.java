package dev.cairn.gpt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A whole GPT: the geometry both headers describe and the used entries. The primary header is
 * always at LBA 1; {@code alternateLba} is where the backup header lives.
 */
public record PartitionTable(
    int sectorSize,
    Guid diskGuid,
    long firstUsableLba,
    long lastUsableLba,
    long alternateLba,
    long entriesLba,
    long backupEntriesLba,
    int entryCount,
    List<Partition> partitions) {

  public static final int ENTRY_SIZE = 128;
  public static final int DEFAULT_ENTRY_COUNT = 128;
  public static final int MAX_ENTRY_COUNT = 8192;

  public PartitionTable {
    checkSectorSize(sectorSize);
    if (entryCount < 1 || entryCount > MAX_ENTRY_COUNT) {
      throw new IllegalArgumentException(
          "entry count must be 1-" + MAX_ENTRY_COUNT + ", got " + entryCount);
    }
    if (firstUsableLba > lastUsableLba + 1 || firstUsableLba < 2) {
      throw new IllegalArgumentException("usable range " + firstUsableLba + "-" + lastUsableLba
          + " is not a range");
    }
    List<Partition> sorted = new ArrayList<>(partitions);
    sorted.sort(Comparator.comparingInt(Partition::number));
    Set<Integer> seen = new HashSet<>();
    for (Partition p : sorted) {
      if (p.number() > entryCount) {
        throw new IllegalArgumentException("partition number " + p.number()
            + " is beyond the table's " + entryCount + " entries");
      }
      if (!seen.add(p.number())) {
        throw new IllegalArgumentException("partition number " + p.number() + " used twice");
      }
    }
    partitions = List.copyOf(sorted);
  }

  public static void checkSectorSize(int sectorSize) {
    if (sectorSize != 512 && sectorSize != 4096) {
      throw new IllegalArgumentException("sector size must be 512 or 4096, got " + sectorSize);
    }
  }

  /** Sectors one copy of the entry array occupies. */
  public static long entriesSectors(int sectorSize, int entryCount) {
    return ((long) entryCount * ENTRY_SIZE + sectorSize - 1) / sectorSize;
  }

  /** The smallest disk, in sectors, that holds an empty GPT with one usable sector. */
  public static long minimumSectors(int sectorSize) {
    return 2 * (1 + entriesSectors(sectorSize, DEFAULT_ENTRY_COUNT)) + 2;
  }

  /** An empty table spanning a disk of {@code diskSectors} sectors, as {@code gpt create} makes. */
  public static PartitionTable empty(int sectorSize, long diskSectors, Guid diskGuid) {
    checkSectorSize(sectorSize);
    long min = minimumSectors(sectorSize);
    if (diskSectors < min) {
      throw new IllegalArgumentException("disk of " + diskSectors * sectorSize
          + " bytes is too small for a GPT: need at least " + min * sectorSize + " bytes");
    }
    long es = entriesSectors(sectorSize, DEFAULT_ENTRY_COUNT);
    long alternate = diskSectors - 1;
    return new PartitionTable(sectorSize, diskGuid, 2 + es, alternate - es - 1, alternate, 2,
        alternate - es, DEFAULT_ENTRY_COUNT, List.of());
  }

  public long entriesSectors() {
    return entriesSectors(sectorSize, entryCount);
  }

  /** The disk size the backup header's position implies, in sectors. */
  public long impliedDiskSectors() {
    return alternateLba + 1;
  }

  public Optional<Partition> partition(int number) {
    return partitions.stream().filter(p -> p.number() == number).findFirst();
  }

  /** The partition, or a bad-input error naming the number. */
  public Partition require(int number) {
    return partition(number).orElseThrow(() -> new IllegalArgumentException(
        "partition " + number + " does not exist (used: " + usedNumbers() + ")"));
  }

  public String usedNumbers() {
    if (partitions.isEmpty()) {
      return "none";
    }
    StringBuilder b = new StringBuilder();
    for (Partition p : partitions) {
      b.append(b.length() == 0 ? "" : ",").append(p.number());
    }
    return b.toString();
  }

  /** This table with {@code p} added, or replacing the partition of the same number. */
  public PartitionTable with(Partition p) {
    List<Partition> next = new ArrayList<>();
    for (Partition q : partitions) {
      if (q.number() != p.number()) {
        next.add(q);
      }
    }
    next.add(p);
    return withPartitions(next);
  }

  public PartitionTable withPartitions(List<Partition> next) {
    return new PartitionTable(sectorSize, diskGuid, firstUsableLba, lastUsableLba, alternateLba,
        entriesLba, backupEntriesLba, entryCount, next);
  }

  /**
   * This table with the backup copy moved to the last sector of a disk of {@code diskSectors}
   * sectors and the last usable LBA following it, as {@code sgdisk -e} does. Refuses, naming
   * each, when partitions do not fit the space that leaves: it never cuts or drops one.
   */
  public PartitionTable relocatedBackup(long diskSectors) {
    List<String> over = overhangs(diskSectors);
    if (!over.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", over) + "; a disk of " + diskSectors
          + " sectors cannot hold " + (over.size() == 1 ? "it" : "them") + " with a backup GPT at its end");
    }
    return withDiskSectors(diskSectors);
  }

  /**
   * The geometry of this table moved to a disk of {@code diskSectors} sectors (backup header at
   * its last LBA, last usable LBA just before the backup entries), partitions as they are, even
   * those that no longer fit: for checking an edit against the disk as it now is.
   */
  public PartitionTable withDiskSectors(long diskSectors) {
    long es = entriesSectors();
    long alternate = diskSectors - 1;
    return new PartitionTable(sectorSize, diskGuid, firstUsableLba, alternate - es - 1, alternate,
        entriesLba, alternate - es, entryCount, partitions);
  }

  /**
   * The partitions a disk of {@code diskSectors} sectors cannot hold with a backup GPT at its
   * end: those ending past the last usable LBA such a disk has.
   */
  public List<Partition> notFitting(long diskSectors) {
    long lastUsable = diskSectors - 1 - entriesSectors() - 1;
    return partitions.stream().filter(p -> p.lastLba() > lastUsable).toList();
  }

  /**
   * One line for each of {@link #notFitting}, saying how far it reaches past the disk's last
   * LBA, or into the sectors the backup needs. Empty when every partition fits.
   */
  public List<String> overhangs(long diskSectors) {
    long lastLba = diskSectors - 1;
    long lastUsable = lastLba - entriesSectors() - 1;
    List<String> out = new ArrayList<>();
    for (Partition p : notFitting(diskSectors)) {
      String name = "partition " + p.number() + (p.label().isEmpty() ? "" : " (" + p.label() + ")");
      if (p.firstLba() > lastLba) {
        out.add(name + " (LBA " + p.firstLba() + "-" + p.lastLba()
            + ") lies wholly past the disk's last LBA " + lastLba);
      } else if (p.lastLba() > lastLba) {
        out.add(name + " ends at LBA " + p.lastLba() + ", " + (p.lastLba() - lastLba)
            + " sectors past the disk's last LBA " + lastLba);
      } else {
        out.add(name + " ends at LBA " + p.lastLba() + ", " + (p.lastLba() - lastUsable)
            + " sectors into the " + (entriesSectors() + 1)
            + " a backup GPT at the disk's end needs (last usable LBA " + lastUsable + ")");
      }
    }
    return out;
  }

  /** The fewest sectors a disk needs to hold every partition and a backup GPT after them. */
  public long sectorsNeeded() {
    long end = firstUsableLba - 1;
    for (Partition p : partitions) {
      end = Math.max(end, p.lastLba());
    }
    return end + 1 + entriesSectors() + 1;
  }
}
