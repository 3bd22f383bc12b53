package dev.cairn.gpt;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Table edits behind {@code gpt add}, {@code resize} and {@code find}. Pure functions. */
public final class GptEdits {
  /** New partitions without -b start on 1 MiB boundaries, as sgdisk and fdisk place them. */
  public static final long ALIGNMENT_BYTES = 1 << 20;

  private GptEdits() {}

  /** The table after the edit and the number of the partition added or changed. */
  public record Edited(PartitionTable table, int number) {}

  public static Edited addOrModify(PartitionTable table, PartitionChange c) {
    Partition p;
    if (c.number() != null && table.partition(c.number()).isPresent()) {
      p = modify(table.partition(c.number()).get(), c);
    } else {
      p = create(table, c);
    }
    checkPlacement(table, p);
    for (Partition other : table.partitions()) {
      if (other.number() != p.number() && other.unique().equals(p.unique())) {
        throw new IllegalArgumentException("unique GUID " + p.unique() + " is already used by partition "
            + other.number());
      }
    }
    return new Edited(table.with(p), p.number());
  }

  private static Partition modify(Partition old, PartitionChange c) {
    long first = c.firstLba() != null ? c.firstLba() : old.firstLba();
    long last = c.sizeLba() != null ? first + c.sizeLba() - 1 : old.lastLba();
    return new Partition(old.number(), c.type() != null ? c.type() : old.type(),
        c.unique() != null ? c.unique() : old.unique(), first, last, c.applyTo(old.attributes()),
        c.label() != null ? c.label() : old.label());
  }

  private static Partition create(PartitionTable table, PartitionChange c) {
    int number;
    if (c.number() != null) {
      if (c.number() < 1 || c.number() > table.entryCount()) {
        throw new IllegalArgumentException("partition number " + c.number() + " is out of range 1-"
            + table.entryCount());
      }
      if (c.type() == null) {
        throw new IllegalArgumentException("partition " + c.number()
            + " does not exist (used: " + table.usedNumbers() + "); to create it give its type with -t");
      }
      number = c.number();
    } else {
      number = firstFreeNumber(table);
    }
    long first = c.firstLba() != null ? c.firstLba() : firstFreeStart(table, c.sizeLba());
    long last = c.sizeLba() != null ? first + c.sizeLba() - 1 : endOfFreeSpace(table, first, number);
    return new Partition(number, c.type() != null ? c.type() : PartitionType.LINUX_DATA.guid(),
        c.unique() != null ? c.unique() : Guid.random(), first, last,
        c.applyTo(PartitionAttributes.NONE), c.label() != null ? c.label() : "");
  }

  private static int firstFreeNumber(PartitionTable table) {
    for (int n = 1; n <= table.entryCount(); n++) {
      if (table.partition(n).isEmpty()) {
        return n;
      }
    }
    throw new IllegalArgumentException("all " + table.entryCount() + " partition entries are in use");
  }

  /** Start of the first free, 1 MiB-aligned region that fits {@code size} sectors (any, if null). */
  static long firstFreeStart(PartitionTable table, Long size) {
    long align = Math.max(1, ALIGNMENT_BYTES / table.sectorSize());
    long need = size == null ? 1 : size;
    long cursor = table.firstUsableLba();
    for (Partition p : sortedByStart(table)) {
      long start = roundUp(cursor, align);
      if (start + need - 1 < p.firstLba()) {
        return start;
      }
      cursor = Math.max(cursor, p.lastLba() + 1);
    }
    long start = roundUp(cursor, align);
    if (start + need - 1 <= table.lastUsableLba()) {
      return start;
    }
    throw new IllegalArgumentException("no free space" + (size == null ? "" : " for " + size + " sectors")
        + " between LBA " + table.firstUsableLba() + " and " + table.lastUsableLba());
  }

  /** The last free sector of the gap that holds {@code first}. */
  private static long endOfFreeSpace(PartitionTable table, long first, int number) {
    long end = table.lastUsableLba();
    for (Partition p : table.partitions()) {
      if (p.number() != number && p.firstLba() > first) {
        end = Math.min(end, p.firstLba() - 1);
      }
    }
    return end;
  }

  private static List<Partition> sortedByStart(PartitionTable table) {
    List<Partition> out = new ArrayList<>(table.partitions());
    out.sort((a, b) -> Long.compare(a.firstLba(), b.firstLba()));
    return out;
  }

  private static long roundUp(long value, long align) {
    return (value + align - 1) / align * align;
  }

  /** Refuses a partition outside the usable range or overlapping another. */
  static void checkPlacement(PartitionTable table, Partition p) {
    if (p.firstLba() < table.firstUsableLba() || p.lastLba() > table.lastUsableLba()) {
      throw new IllegalArgumentException("partition " + p.number() + " (LBA " + p.firstLba() + "-"
          + p.lastLba() + ") lies outside the usable range " + table.firstUsableLba() + "-"
          + table.lastUsableLba());
    }
    for (Partition other : table.partitions()) {
      if (other.number() != p.number() && other.overlaps(p.firstLba(), p.lastLba())) {
        throw new IllegalArgumentException("partition " + p.number() + " (LBA " + p.firstLba() + "-"
            + p.lastLba() + ") overlaps partition " + other.number() + " (LBA " + other.firstLba()
            + "-" + other.lastLba() + ")");
      }
    }
  }

  /** Grows partition {@code number} up to the next partition or the last usable LBA. */
  public static PartitionTable resize(PartitionTable table, int number) {
    Partition p = table.require(number);
    long end = endOfFreeSpace(table, p.firstLba(), number);
    if (end < p.lastLba()) {
      throw new IllegalArgumentException("partition " + number + " already reaches past LBA " + end);
    }
    return table.with(p.withRange(p.firstLba(), end));
  }

  /** Numbers of the partitions that match. */
  public static List<Integer> find(PartitionTable table, Predicate<Partition> match) {
    List<Integer> out = new ArrayList<>();
    for (Partition p : table.partitions()) {
      if (match.test(p)) {
        out.add(p.number());
      }
    }
    return out;
  }

  /**
   * Parses a size or LBA: a plain number of sectors, or a number with K, M, G or T (binary units
   * of bytes, whole sectors only), e.g. {@code 2048}, {@code 1G}, {@code 512M}. Every size, LBA
   * and sector count on the command line goes through here. The result is range-checked: at
   * most {@link #maxSectors} sectors, so its byte offset fits the signed 64 bits every disk
   * offset has; anything larger is bad input naming the value, never an overflow.
   */
  public static long parseSectors(String text, int sectorSize, String what) {
    String t = text.trim();
    long unit = 1;
    if (!t.isEmpty()) {
      char suffix = Character.toUpperCase(t.charAt(t.length() - 1));
      int shift = "KMGT".indexOf(suffix);
      if (shift >= 0) {
        unit = 1L << (10 * (shift + 1));
        t = t.substring(0, t.length() - 1);
      }
    }
    if (t.startsWith("-")) {
      throw new IllegalArgumentException(what + " must not be negative, got " + text);
    }
    if (!t.matches("\\+?[0-9]+")) {
      throw new IllegalArgumentException(what + " '" + text
          + "' is not a number of sectors or a size like 512M, 1G");
    }
    long max = maxSectors(sectorSize);
    long n;
    try {
      n = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw tooLarge(text, sectorSize, what);   // digits only: more than 63 bits
    }
    if (unit == 1) {
      if (n > max) {
        throw tooLarge(text, sectorSize, what);
      }
      return n;
    }
    if (n > Long.MAX_VALUE / unit) {
      throw tooLarge(text, sectorSize, what);
    }
    long bytes = n * unit;
    if (bytes % sectorSize != 0) {
      throw new IllegalArgumentException(what + " " + text + " is not a whole number of "
          + sectorSize + "-byte sectors");
    }
    return bytes / sectorSize;
  }

  /** The most sectors a size or LBA may have: its byte offset must fit a signed 64-bit offset. */
  public static long maxSectors(int sectorSize) {
    return Long.MAX_VALUE / sectorSize;
  }

  private static IllegalArgumentException tooLarge(String text, int sectorSize, String what) {
    return new IllegalArgumentException(what + " '" + text + "' is too large: at most "
        + maxSectors(sectorSize) + " sectors of " + sectorSize + " bytes (8 EiB, the largest disk offset)");
  }
}
