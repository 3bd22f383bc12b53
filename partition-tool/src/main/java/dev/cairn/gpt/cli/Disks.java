package dev.cairn.gpt.cli;

import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.GptStore;
import dev.cairn.gpt.PartitionTable;
import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Opens a disk for one command: reads its table (saying on stderr when a copy is damaged), runs
 * the command's pure edit, and writes the result back only when the edit succeeded. Bad input is
 * reported with the disk's name in front.
 */
final class Disks {
  private Disks() {}

  /** What a command does with the table it read. */
  interface Step<T> {
    T apply(GptRead read) throws IOException;
  }

  static <T> T read(Path disk, PrintWriter err, Step<T> reader) throws IOException {
    try (FileBlockDevice dev = FileBlockDevice.open(disk, false, 0)) {
      GptRead read = GptStore.read(dev);
      warn(err, read);
      return reader.apply(read);
    } catch (IllegalArgumentException e) {
      throw named(disk, e);
    }
  }

  /**
   * Reads, edits and writes back; the disk is untouched unless the edit returns a new table.
   * Returns the table as written (on a grown disk the write moves the backup to the end).
   */
  static PartitionTable edit(Path disk, PrintWriter err, Step<PartitionTable> editor) throws IOException {
    try (FileBlockDevice dev = FileBlockDevice.open(disk, true, 0)) {
      GptRead read = GptStore.read(dev);
      warn(err, read);
      PartitionTable after = editor.apply(editable(read));
      if (!after.equals(read.table()) || read.source() == GptRead.Source.BACKUP) {
        return writeBack(dev, err, read, after);
      }
      return after;
    } catch (IllegalArgumentException e) {
      throw named(disk, e);
    }
  }

  /**
   * The read an edit starts from. On a disk smaller than its GPT, the table's backup and last
   * usable LBA are moved to the disk's real end (partitions left as they are), so the edit is
   * checked against what the disk can hold and, once every partition fits, written there.
   */
  static GptRead editable(GptRead read) {
    return read.shrunk() ? read.withTable(read.table().withDiskSectors(read.diskSectors())) : read;
  }

  /**
   * Writes an edited table and returns it as written (on a grown disk the write moves the backup
   * to the end). On a disk smaller than its GPT, only when every partition fits with the backup
   * at the disk's end; otherwise nothing is written and the partitions in the way are named. A
   * partition is never cut to make it fit.
   */
  static PartitionTable writeBack(FileBlockDevice dev, PrintWriter err, GptRead read, PartitionTable after)
      throws IOException {
    if (read.shrunk()) {
      try {
        after = after.relocatedBackup(read.diskSectors());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the disk is smaller than its GPT and " + e.getMessage()
            + "; nothing written: shrink or delete " + (after.notFitting(read.diskSectors()).size() == 1
                ? "that partition" : "those partitions")
            + " first, or grow the disk back to at least "
            + after.sectorsNeeded() * after.sectorSize() + " bytes", e);
      }
    }
    PartitionTable written = GptStore.write(dev, read, after);
    if (read.shrunk()) {
      err.println("warning: wrote the backup GPT at the disk's last LBA " + after.alternateLba()
          + " (it was at LBA " + read.table().alternateLba() + ", past the end); last usable LBA is now "
          + after.lastUsableLba());
      err.flush();
    }
    return written;
  }

  static void warn(PrintWriter err, GptRead read) {
    for (String problem : read.problems()) {
      err.println("warning: " + problem);
    }
    err.flush();
  }

  static IllegalArgumentException named(Path disk, IllegalArgumentException e) {
    return new IllegalArgumentException(disk + ": " + e.getMessage(), e);
  }
}
