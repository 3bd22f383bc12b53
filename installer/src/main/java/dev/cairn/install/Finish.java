package dev.cairn.install;

import dev.cairn.gpt.BlockDevice;
import dev.cairn.gpt.GptCodec;
import dev.cairn.gpt.GptEdits;
import dev.cairn.gpt.Partition;
import dev.cairn.gpt.PartitionTable;
import dev.cairn.gpt.PartitionType;
import java.io.IOException;
import java.util.Optional;

/**
 * The last steps on the disk: the image's partition table fitted to the real disk, written only
 * once everything else is in place and the signature verified, and the wipe that leaves a disk
 * unbootable when anything failed after it was touched.
 *
 * <p>While the image streams in, the disk has no valid table at all: the first MiB (protective
 * MBR, primary GPT) is held back, and the old table's copies were cleared before the first byte
 * went out. The commit then writes the backup at the disk's end first and the held-back first MiB
 * last, so until the very last write the disk has no primary, and a firmware or a cgpt that finds
 * only a backup at the end finds the finished one.
 */
public final class Finish {
  private Finish() {}

  /** The table for the disk, and what changed from the image's. */
  public record Fitted(PartitionTable table, Optional<Partition> rootBefore, Optional<Partition> rootAfter) {
    /** One line for the operator: how ROOT changed, if it did. */
    public String rootLine() {
      if (rootBefore.isEmpty()) {
        return "no ROOT partition in the image: partitions left as they are";
      }
      Partition a = rootBefore.get();
      Partition b = rootAfter.orElseThrow();
      long ss = table.sectorSize();
      if (a.lastLba() == b.lastLba()) {
        return "ROOT (partition " + a.number() + ") left at " + Units.bytes(a.sizeLba() * ss) + ": the disk is the image's size";
      }
      return "ROOT (partition " + a.number() + ") grown from " + Units.bytes(a.sizeLba() * ss) + " to "
          + Units.bytes(b.sizeLba() * ss) + " (LBA " + b.firstLba() + "-" + b.lastLba() + ")";
    }
  }

  /**
   * The image's table on a disk of {@code diskSectors}: its backup moved to the disk's last
   * sector, as {@code sgdisk -e} does, and ROOT (labelled {@code ROOT}, or partition 9 of CoreOS's
   * auto-resize type) grown to the end of the space after it.
   */
  public static Fitted fit(ImageHead head, int diskSectorSize, long diskSectors) {
    PartitionTable image = head.table();
    if (diskSectorSize != image.sectorSize()) {
      throw new IllegalArgumentException("the image is laid out for " + image.sectorSize()
          + "-byte sectors but the disk has " + diskSectorSize + "-byte sectors");
    }
    if (diskSectors < image.alternateLba() + 1) {
      throw new IllegalArgumentException("the disk's " + Units.bytes(diskSectors * diskSectorSize)
          + " cannot hold the image's " + Units.bytes(head.imageBytes()));
    }
    PartitionTable t = image.relocatedBackup(diskSectors);
    Optional<Partition> root = root(t);
    if (root.isEmpty()) {
      return new Fitted(t, Optional.empty(), Optional.empty());
    }
    Partition before = root.get();
    PartitionTable grown = t;
    try {
      grown = GptEdits.resize(t, before.number());
    } catch (IllegalArgumentException alreadyAtEnd) {
      // ROOT already reaches the last usable LBA: nothing to grow into.
    }
    return new Fitted(grown, Optional.of(before), grown.partition(before.number()));
  }

  static Optional<Partition> root(PartitionTable t) {
    Optional<Partition> byLabel = t.partitions().stream().filter(p -> p.label().equals("ROOT")).findFirst();
    if (byLabel.isPresent()) {
      return byLabel;
    }
    return t.partition(9).filter(p -> p.type().equals(PartitionType.COREOS_RESIZE.guid()));
  }

  /**
   * Writes the finished table: clears the image's own backup where it no longer belongs, writes
   * the new backup at the disk's end, then the held-back head with the new protective MBR and
   * primary GPT, flushing after each step.
   */
  public static void commit(BlockDevice dev, ImageHead head, PartitionTable table) throws IOException {
    int ss = table.sectorSize();
    PartitionTable image = head.table();
    if (table.equals(image) && dev.sectorCount() == image.alternateLba() + 1) {
      // The disk is the image's size: its own table is right as it is, byte for byte.
      dev.write(0, padded(head.bytes(), ss));
      dev.flush();
      return;
    }
    if (image.alternateLba() != table.alternateLba()) {
      dev.write(image.backupEntriesLba(), new byte[Math.toIntExact((image.alternateLba() - image.backupEntriesLba() + 1) * ss)]);
      dev.flush();
    }
    byte[] entries = GptCodec.encodeEntries(table);
    int crc = GptCodec.entriesCrc(table, entries);
    dev.write(table.backupEntriesLba(), entries);
    dev.write(table.alternateLba(), GptCodec.encodeHeader(table, false, crc));
    dev.flush();
    byte[] out = head.bytes().clone();
    byte[] mbr = GptCodec.encodeProtectiveMbr(java.util.Arrays.copyOf(out, ss), dev.sectorCount(), ss);
    System.arraycopy(mbr, 0, out, 0, ss);
    System.arraycopy(GptCodec.encodeHeader(table, true, crc), 0, out, ss, ss);
    System.arraycopy(entries, 0, out, Math.toIntExact(table.entriesLba() * ss), entries.length);
    dev.write(0, padded(out, ss));
    dev.flush();
  }

  /**
   * Clears every place a GPT could be found: the first MiB (protective MBR and primary), the last
   * MiB (the backup at the disk's end) and, when the image's head is known, the image's own
   * backup, which on a larger disk sits mid-disk.
   */
  public static void wipe(BlockDevice dev, ImageHead headOrNull) throws IOException {
    int ss = dev.sectorSize();
    long n = dev.sectorCount();
    long span = Math.min(n, ImageHead.HEAD_BYTES / ss);
    dev.write(0, new byte[Math.toIntExact(span * ss)]);
    dev.write(n - span, new byte[Math.toIntExact(span * ss)]);
    if (headOrNull != null && headOrNull.sectorSize() == ss) {
      PartitionTable image = headOrNull.table();
      if (image.alternateLba() < n) {
        long first = Math.max(0, image.backupEntriesLba());
        dev.write(first, new byte[Math.toIntExact((image.alternateLba() - first + 1) * ss)]);
      }
    }
    dev.flush();
  }

  private static byte[] padded(byte[] b, int ss) {
    if (b.length % ss == 0) {
      return b;
    }
    return java.util.Arrays.copyOf(b, (b.length / ss + 1) * ss);
  }
}
