package dev.cairn.gpt.cli;

import dev.cairn.gpt.GptEdits;
import dev.cairn.gpt.Guid;
import dev.cairn.gpt.PartitionChange;
import dev.cairn.gpt.PartitionType;
import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn gpt add}: add a partition, or change fields of partition N. */
@Command(name = "add", mixinStandardHelpOptions = true,
    description = "Add a partition, or modify partition N (only the fields given change).")
final class AddCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "-i", paramLabel = "N", description = "Partition number (default: first unused entry).")
  Integer number;

  @Option(names = "-b", paramLabel = "FIRST", description = "First LBA (sectors, or a size like 1M).")
  String begin;

  @Option(names = "-s", paramLabel = "SIZE", description = "Size in sectors, or with K, M, G, T.")
  String size;

  @Option(names = "-t", paramLabel = "TYPE",
      description = "Type GUID or alias: coreos-usr, coreos-resize, coreos-reserved, coreos-root-raid, efi, bios-boot, linux-data, chromeos-kernel.")
  String type;

  @Option(names = "-l", paramLabel = "LABEL", description = "Label (at most 36 UTF-16 units).")
  String label;

  @Option(names = "-u", paramLabel = "GUID", description = "Unique partition GUID (default: random).")
  String unique;

  @Option(names = "-A", paramLabel = "BITS", description = "Upper 16 attribute bits, e.g. 0x101 (applied before -P/-T/-S).")
  String attributes;

  @Option(names = "-P", paramLabel = "N", description = "Priority 0-15.")
  Integer priority;

  @Option(names = "-T", paramLabel = "N", description = "Tries 0-15.")
  Integer tries;

  @Option(names = "-S", paramLabel = "0|1", description = "Successful flag.")
  Integer successful;

  @Option(names = "-R", paramLabel = "0|1", description = "Required (platform) flag, attribute bit 0.")
  Integer required;

  @Option(names = "-B", paramLabel = "0|1", description = "Legacy BIOS bootable flag, attribute bit 2.")
  Integer legacyBoot;

  @Parameters(paramLabel = "DISK", description = "Block device or image file.")
  Path disk;

  @Override
  public Integer call() throws IOException {
    Guid typeGuid = type == null ? null : PartitionType.resolve(type);
    Guid uniqueGuid = unique == null ? null : Guid.parse(unique);
    Integer bits = attributes == null ? null : parseBits(attributes);
    int sectorSize = sectorSizeOf(disk);
    PartitionChange change = new PartitionChange(number,
        begin == null ? null : GptEdits.parseSectors(begin, sectorSize, "-b"),
        size == null ? null : GptEdits.parseSectors(size, sectorSize, "-s"),
        typeGuid, label, uniqueGuid, bits, priority, tries, successful, required, legacyBoot);
    int[] added = new int[1];
    Disks.edit(disk, GptCommand.err(spec), r -> {
      GptEdits.Edited e = GptEdits.addOrModify(r.table(), change);
      added[0] = e.number();
      return e.table();
    });
    if (number == null) {
      GptCommand.out(spec).println(added[0]);
    }
    return 0;
  }

  private static int sectorSizeOf(Path disk) throws IOException {
    try (FileBlockDevice dev = FileBlockDevice.open(disk, false, 0)) {
      return dev.sectorSize();
    }
  }

  private static int parseBits(String text) {
    try {
      String t = text.trim().toLowerCase(java.util.Locale.ROOT);
      return t.startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-A '" + text + "' is not a number like 0x101");
    }
  }
}
