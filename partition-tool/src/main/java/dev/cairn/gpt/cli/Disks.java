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
      PartitionTable after = editor.apply(read);
      if (!after.equals(read.table()) || read.source() == GptRead.Source.BACKUP) {
        return GptStore.write(dev, read, after);
      }
      return after;
    } catch (IllegalArgumentException e) {
      throw named(disk, e);
    }
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
