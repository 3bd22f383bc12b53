package dev.cairn.gpt;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes whole tables through a {@link BlockDevice}. A write never overwrites the only
 * copy that verifies before the other copy verifies on stable storage, so a write cut short at any
 * sector, or in the middle of one, leaves the old table or the new one readable (see {@link
 * #write}).
 */
public final class GptStore {
  private GptStore() {}

  private record Copy(GptHeader header, List<Partition> partitions, String problem) {
    boolean valid() {
      return problem == null;
    }
  }

  public static GptRead read(BlockDevice dev) throws IOException {
    long n = dev.sectorCount();
    int ss = dev.sectorSize();
    if (n < PartitionTable.minimumSectors(ss)) {
      throw new IllegalArgumentException(n * ss + " bytes is too small to hold a GPT");
    }
    Copy primary = readCopy(dev, 1, n);
    long backupLba = primary.valid() ? primary.header().alternateLba() : n - 1;
    Copy backup;
    if (backupLba <= 1 || backupLba >= n) {
      backup = new Copy(null, null, "the primary header places it at LBA " + backupLba
          + ", outside the disk's " + n + " sectors");
    } else {
      backup = readCopy(dev, backupLba, n);
    }
    if (!primary.valid() && !backup.valid()) {
      // A grown disk whose primary is damaged: the damaged header may still say where the
      // backup was written before the disk grew.
      long hint = alternateHint(dev.read(1, 1));
      if (hint > 1 && hint < n - 1) {
        Copy old = readCopy(dev, hint, n);
        if (old.valid()) {
          backup = old;
        }
      }
    }
    if (!primary.valid() && !backup.valid()) {
      if (primary.problem().startsWith("no 'EFI PART'") && backup.problem().startsWith("no 'EFI PART'")) {
        throw new IllegalArgumentException("no GPT found (no 'EFI PART' signature at LBA 1 or at the last LBA "
            + (n - 1) + ", sector size " + ss + ")");
      }
      throw new IllegalArgumentException("both GPT copies are damaged: primary: "
          + primary.problem() + "; backup: " + backup.problem());
    }
    List<String> notices = new ArrayList<>();
    PartitionTable table;
    GptRead.Source source;
    if (primary.valid()) {
      GptHeader h = primary.header();
      long es = PartitionTable.entriesSectors(ss, h.entryCount());
      long backupEntries = backup.valid() ? backup.header().entriesLba() : h.alternateLba() - es;
      table = new PartitionTable(ss, h.diskGuid(), h.firstUsableLba(), h.lastUsableLba(),
          h.alternateLba(), h.entriesLba(), backupEntries, h.entryCount(), primary.partitions());
      source = GptRead.Source.PRIMARY;
      if (backup.valid() && !sameContent(primary, backup)) {
        notices.add("the primary and backup GPT differ; the primary is used ('cairn gpt repair' rewrites the backup)");
      }
    } else {
      GptHeader h = backup.header();
      table = new PartitionTable(ss, h.diskGuid(), h.firstUsableLba(), h.lastUsableLba(),
          h.myLba(), 2, h.entriesLba(), h.entryCount(), backup.partitions());
      source = GptRead.Source.BACKUP;
      notices.add("the primary GPT is damaged; using the backup at LBA " + h.myLba());
    }
    if (table.alternateLba() != n - 1 && table.alternateLba() < n) {
      notices.add("the backup GPT header is at LBA " + table.alternateLba()
          + " but the disk's last LBA is " + (n - 1)
          + " (the disk has grown; 'cairn gpt repair' moves it to the end)");
    }
    if (table.alternateLba() >= n) {
      notices.addAll(shrunkNotices(table, n));
    }
    String mbr = GptCodec.checkProtectiveMbr(dev.read(0, 1), n);
    return new GptRead(table, source, n, primary.problem(), backup.problem(), mbr, notices);
  }

  /** What is wrong with a disk smaller than its GPT, and what repair can do about it. */
  private static List<String> shrunkNotices(PartitionTable table, long n) {
    List<String> out = new ArrayList<>();
    List<String> over = table.overhangs(n);
    out.add("the disk is smaller than its GPT: the GPT was written for " + table.impliedDiskSectors()
        + " sectors (backup header at LBA " + table.alternateLba() + ") but the disk has " + n
        + " (last LBA " + (n - 1) + ")"
        + (over.isEmpty()
            ? "; every partition still fits, and 'cairn gpt repair' writes the backup GPT at the new end"
            : ""));
    out.addAll(over);
    if (!over.isEmpty()) {
      out.add("'cairn gpt repair' will not cut or drop a partition to fit: grow the disk back to at least "
          + table.sectorsNeeded() * table.sectorSize() + " bytes, or shrink or delete "
          + (over.size() == 1 ? "that partition" : "those partitions"));
    }
    return out;
  }

  /** The AlternateLBA field of a header sector that has the signature, or -1. */
  private static long alternateHint(byte[] sector) {
    for (int i = 0; i < GptCodec.SIGNATURE.length; i++) {
      if (sector[i] != GptCodec.SIGNATURE[i]) {
        return -1;
      }
    }
    return java.nio.ByteBuffer.wrap(sector).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(32);
  }

  private static boolean sameContent(Copy a, Copy b) {
    GptHeader x = a.header();
    GptHeader y = b.header();
    return x.entriesCrc() == y.entriesCrc() && x.diskGuid().equals(y.diskGuid())
        && x.firstUsableLba() == y.firstUsableLba() && x.lastUsableLba() == y.lastUsableLba()
        && x.entryCount() == y.entryCount() && y.alternateLba() == 1
        && x.alternateLba() == y.myLba();
  }

  private static Copy readCopy(BlockDevice dev, long lba, long n) throws IOException {
    GptCodec.HeaderCheck check = GptCodec.decodeHeader(dev.read(lba, 1), lba, n);
    if (check instanceof GptCodec.HeaderCheck.Invalid bad) {
      return new Copy(null, null, bad.problem());
    }
    GptHeader h = ((GptCodec.HeaderCheck.Valid) check).header();
    int sectors = Math.toIntExact(PartitionTable.entriesSectors(dev.sectorSize(), h.entryCount()));
    try {
      return new Copy(h, GptCodec.decodeEntries(dev.read(h.entriesLba(), sectors), h), null);
    } catch (IllegalArgumentException e) {
      return new Copy(null, null, e.getMessage());
    }
  }

  /**
   * Writes {@code next} over the table that {@code read} found on {@code dev}, and returns the
   * table as written. {@code read} says which copies verified; the order follows from it:
   *
   * <ul>
   *   <li>both copies good, or only the backup damaged: the backup, then the primary;
   *   <li>only the primary damaged: the primary, then the backup;
   *   <li>the primary damaged and the backup moving (a grown disk, below): first the primary is
   *       rebuilt in place from the table as read, still pointing at the old backup; then the
   *       backup, then the primary.
   * </ul>
   *
   * <p>So the copy that is the only good one is overwritten last, after the other holds the new
   * table on stable storage. Every copy but the last goes entries, flush, header, flush: its header
   * verifies only once its entries are down. The last goes header, flush, entries, flush: a reader
   * that trusts a verifying primary header (sgdisk does) never meets new entries under the old
   * header, and finds the new entries it needs in the backup. Each part is flushed, so a disk that
   * reorders writes between flushes cannot mix them.
   *
   * <p>On a grown disk (the backup header is not in the last sector) the backup copy moves to the
   * end and the last usable LBA follows it, as {@code repair} and {@code sgdisk} do: when the
   * primary does not verify, firmware and cgpt look for the backup only in the last sector, so a
   * backup anywhere else could not stand in for a primary cut short. The old backup's sectors are
   * left as they were, and the protective MBR is left to {@link #repair}.
   */
  public static PartitionTable write(BlockDevice dev, GptRead read, PartitionTable next) throws IOException {
    long n = dev.sectorCount();
    if (read.diskSectors() != n) {
      throw new IllegalStateException(dev.name() + " has " + n + " sectors but was read with "
          + read.diskSectors());
    }
    PartitionTable target = next.alternateLba() < n - 1 ? next.relocatedBackup(n) : next;
    checkFits(dev, target);
    PartitionTable old = read.table();
    if (read.primaryProblem() == null) {
      writeCopy(dev, target, false, true);
      writeCopy(dev, target, true, false);
    } else if (target.alternateLba() == old.alternateLba()) {
      writeCopy(dev, target, true, true);
      writeCopy(dev, target, false, false);
    } else {
      writeCopy(dev, old, true, true);
      writeCopy(dev, target, false, true);
      writeCopy(dev, target, true, false);
    }
    return target;
  }

  /** Writes one copy of {@code table}, the primary or the backup, in two flushed parts. */
  private static void writeCopy(BlockDevice dev, PartitionTable table, boolean primary, boolean entriesFirst)
      throws IOException {
    byte[] entries = GptCodec.encodeEntries(table);
    byte[] header = GptCodec.encodeHeader(table, primary, GptCodec.entriesCrc(table, entries));
    long headerLba = primary ? 1 : table.alternateLba();
    long entriesLba = primary ? table.entriesLba() : table.backupEntriesLba();
    if (entriesFirst) {
      dev.write(entriesLba, entries);
      dev.flush();
      dev.write(headerLba, header);
    } else {
      dev.write(headerLba, header);
      dev.flush();
      dev.write(entriesLba, entries);
    }
    dev.flush();
  }

  /** Writes a fresh protective MBR and both copies of {@code table}. */
  public static void create(BlockDevice dev, PartitionTable table) throws IOException {
    checkFits(dev, table);
    writeCopy(dev, table, false, true);
    writeCopy(dev, table, true, false);
    dev.write(0, GptCodec.encodeProtectiveMbr(null, dev.sectorCount(), dev.sectorSize()));
    dev.flush();
  }

  /**
   * What {@link #repair} did, one line per fix (empty when the disk needed nothing), and what it
   * found wrong but would not touch.
   */
  public record RepairReport(List<String> fixed, List<String> leftAlone, PartitionTable table) {}

  /**
   * Rebuilds whichever copy is damaged from the good one, moves the backup to the end of a grown
   * disk and corrects the protective MBR. Refuses when neither copy verifies.
   */
  public static RepairReport repair(BlockDevice dev) throws IOException {
    GptRead read = read(dev);
    long n = dev.sectorCount();
    PartitionTable table = read.table();
    if (read.shrunk()) {
      refuseToCut(table, n);
    }
    List<String> fixed = new ArrayList<>();
    if (read.primaryProblem() != null) {
      fixed.add("rebuilt the primary GPT from the backup (" + read.primaryProblem() + ")");
    }
    if (read.shrunk()) {
      fixed.add("the disk is " + (table.impliedDiskSectors() - n) + " sectors smaller than its GPT:"
          + " wrote the backup GPT at the disk's last LBA " + (n - 1) + " (it was at LBA "
          + table.alternateLba() + ", past the end); last usable LBA is now "
          + (n - 1 - table.entriesSectors() - 1));
      table = table.relocatedBackup(n);
    } else if (read.backupProblem() != null && read.source() == GptRead.Source.PRIMARY) {
      fixed.add("rebuilt the backup GPT from the primary (" + read.backupProblem() + ")");
    }
    if (table.alternateLba() != n - 1) {
      fixed.add("moved the backup GPT from LBA " + table.alternateLba() + " to LBA " + (n - 1)
          + "; last usable LBA is now " + (n - 1 - table.entriesSectors() - 1));
      table = table.relocatedBackup(n);
    }
    if (fixed.isEmpty() && !read.notices().isEmpty()) {
      fixed.add("rewrote the backup GPT to match the primary");
    }
    if (!fixed.isEmpty()) {
      write(dev, read, table);
    }
    List<String> leftAlone = new ArrayList<>();
    if (read.mbrProblem() != null) {
      byte[] old = dev.read(0, 1);
      if (GptCodec.isHybrid(old)) {
        leftAlone.add("sector 0 holds MBR partitions besides a protective entry (a hybrid or legacy MBR): "
            + read.mbrProblem() + "; left as it is");
      } else {
        dev.write(0, GptCodec.encodeProtectiveMbr(old, n, dev.sectorSize()));
        dev.flush();
        fixed.add("rewrote the protective MBR, keeping its boot code (" + read.mbrProblem() + ")");
      }
    }
    return new RepairReport(fixed, leftAlone, table);
  }

  /**
   * On a disk smaller than its GPT, refuses (changing nothing) when a partition does not fit with
   * a backup GPT at the new end, naming each and how far it reaches.
   */
  private static void refuseToCut(PartitionTable table, long n) {
    List<String> over = table.overhangs(n);
    if (over.isEmpty()) {
      return;
    }
    List<String> numbers = new ArrayList<>();
    for (Partition p : table.notFitting(n)) {
      numbers.add(String.valueOf(p.number()));
    }
    throw new IllegalArgumentException("cannot repair: the disk has " + n + " sectors, "
        + (table.impliedDiskSectors() - n) + " fewer than its GPT was written for, and "
        + String.join("; ", over) + "; repair never cuts or drops a partition: grow the disk back"
        + " to at least " + table.sectorsNeeded() * table.sectorSize() + " bytes and run repair"
        + " again, or shrink or delete partition " + String.join(", ", numbers)
        + " explicitly ('cairn gpt add -i N -s SIZE' shrinks one, 'sgdisk -d N' deletes one)");
  }

  private static void checkFits(BlockDevice dev, PartitionTable t) {
    long n = dev.sectorCount();
    if (t.alternateLba() >= n) {
      throw new IllegalArgumentException("the table's backup header at LBA "
          + t.alternateLba() + " lies beyond the disk's last LBA " + (n - 1));
    }
  }
}
