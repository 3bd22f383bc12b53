package dev.cairn.gpt.cli;

import dev.cairn.gpt.GptEdits;
import dev.cairn.gpt.GptStore;
import dev.cairn.gpt.Guid;
import dev.cairn.gpt.Layouts;
import dev.cairn.gpt.PartitionTable;
import dev.cairn.gpt.PartitionType;
import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn gpt}: cgpt-compatible GPT and A/B-flag commands. */
@Command(
    name = "gpt",
    description = "Read and edit GPT tables and the A/B USR flags, with cgpt's flags.",
    mixinStandardHelpOptions = true,
    subcommands = {
      GptCommand.Create.class,
      ShowCommand.class,
      AddCommand.class,
      AbCommands.Prioritize.class,
      AbCommands.Next.class,
      AbCommands.MarkSuccessful.class,
      AbCommands.MarkUpdate.class,
      GptCommand.Find.class,
      GptCommand.Repair.class,
      GptCommand.Resize.class
    })
public final class GptCommand {

  static PrintWriter out(CommandSpec spec) {
    return spec.commandLine().getOut();
  }

  static PrintWriter err(CommandSpec spec) {
    return spec.commandLine().getErr();
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Write an empty GPT with a protective MBR, or a whole layout (--layout coreos).")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--sector-size", paramLabel = "512|4096",
        description = "Logical sector size of an image file (default: detected, else 512).")
    int sectorSize;

    @Option(names = "--layout", paramLabel = "coreos",
        description = "Partition layout to create: coreos (EFI, BIOS-BOOT, USR-A, USR-B, OEM, OEM-CONFIG, ROOT).")
    String layout;

    @Option(names = "--size", paramLabel = "SIZE",
        description = "Create DISK as a sparse image file of this size: sectors, or with K, M, G, T (e.g. 8G).")
    String size;

    @Option(names = {"-f", "--force"}, description = "Replace an existing GPT that has partitions.")
    boolean force;

    @Parameters(paramLabel = "DISK", description = "Block device or image file.")
    Path disk;

    @Override
    public Integer call() throws IOException {
      if (sectorSize != 0) {
        PartitionTable.checkSectorSize(sectorSize);
      }
      if (layout != null && !layout.equals("coreos")) {
        throw new IllegalArgumentException("unknown layout '" + layout + "' (expected: coreos)");
      }
      long bytes = size == null ? 0
          : GptEdits.parseSectors(size, sectorSize == 0 ? 512 : sectorSize, "--size")
              * (sectorSize == 0 ? 512 : sectorSize);
      boolean creates = size != null && !Files.exists(disk);
      if (size != null && !creates && Files.size(disk) != bytes && Files.isRegularFile(disk)) {
        throw new IllegalArgumentException(disk + ": exists with " + Files.size(disk)
            + " bytes but --size asks for " + bytes + " (drop --size to use the file as it is)");
      }
      try {
        if (creates) {
          try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(bytes);
          } catch (IOException e) {
            throw new IOException(disk + ": cannot make an image file of " + bytes + " bytes: "
                + e.getMessage(), e);
          }
        }
        return write();
      } catch (IOException | RuntimeException e) {
        if (creates) {
          Files.deleteIfExists(disk);   // a refused create leaves no new image file behind
        }
        throw e;
      }
    }

    private int write() throws IOException {
      try (FileBlockDevice dev = FileBlockDevice.open(disk, true, sectorSize)) {
        long n = dev.sectorCount();
        Guid guid = Guid.random();
        PartitionTable table;
        try {
          refuseToReplace(dev);
          table = layout == null
              ? PartitionTable.empty(dev.sectorSize(), n, guid)
              : Layouts.coreos(dev.sectorSize(), n, guid);
        } catch (IllegalArgumentException e) {
          throw Disks.named(disk, e);
        }
        GptStore.create(dev, table);
        out(spec).printf("%s: created %s GPT: %d sectors of %d bytes, %d partitions%n", disk,
            layout == null ? "an empty" : "a " + layout, n, dev.sectorSize(),
            table.partitions().size());
      }
      return 0;
    }

    private void refuseToReplace(FileBlockDevice dev) throws IOException {
      if (force) {
        return;
      }
      PartitionTable existing;
      try {
        existing = GptStore.read(dev).table();
      } catch (IllegalArgumentException noGpt) {
        return;
      }
      if (!existing.partitions().isEmpty()) {
        throw new IllegalArgumentException("already holds a GPT with " + existing.partitions().size()
            + " partitions; give --force to replace it");
      }
    }
  }

  @Command(name = "find", mixinStandardHelpOptions = true,
      description = "Print the numbers of partitions matching a label, type or unique GUID.")
  static final class Find implements Callable<Integer> {
    @Spec CommandSpec spec;

    static final class Match {
      @Option(names = "-l", paramLabel = "LABEL", description = "Partition label.") String label;
      @Option(names = "-t", paramLabel = "TYPE", description = "Type GUID or alias.") String type;
      @Option(names = "-u", paramLabel = "GUID", description = "Unique partition GUID.") String unique;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Match match;

    @Parameters(paramLabel = "DISK") Path disk;

    @Override
    public Integer call() throws IOException {
      Guid type = match.type == null ? null : PartitionType.resolve(match.type);
      Guid unique = match.unique == null ? null : Guid.parse(match.unique);
      List<Integer> found = Disks.read(disk, err(spec), r -> GptEdits.find(r.table(), p ->
          (match.label == null || p.label().equals(match.label))
              && (type == null || p.type().equals(type))
              && (unique == null || p.unique().equals(unique))));
      for (int n : found) {
        out(spec).println(n);
      }
      if (found.isEmpty()) {
        err(spec).println(spec.qualifiedName() + ": " + disk + ": no partition matches");
        return 1;
      }
      return 0;
    }
  }

  @Command(name = "repair", mixinStandardHelpOptions = true,
      description = "Rebuild a damaged GPT copy from the good one; move the backup to the end of a grown disk.")
  static final class Repair implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DISK") Path disk;

    @Override
    public Integer call() throws IOException {
      try (FileBlockDevice dev = FileBlockDevice.open(disk, true, 0)) {
        GptStore.RepairReport report;
        try {
          report = GptStore.repair(dev);
        } catch (IllegalArgumentException e) {
          throw Disks.named(disk, e);
        }
        if (report.fixed().isEmpty()) {
          out(spec).println(disk + ": GPT is sound; nothing to repair");
        }
        for (String line : report.fixed()) {
          out(spec).println(disk + ": " + line);
        }
        for (String line : report.leftAlone()) {
          err(spec).println("warning: " + disk + ": " + line);
        }
      }
      return 0;
    }
  }

  @Command(name = "resize", mixinStandardHelpOptions = true,
      description = "Grow partition N into the free space after it (how ROOT fills a bigger disk).")
  static final class Resize implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "-i", required = true, paramLabel = "N", description = "Partition number.")
    int number;

    @Parameters(paramLabel = "DISK") Path disk;

    @Override
    public Integer call() throws IOException {
      PartitionTable after = Disks.edit(disk, err(spec), r -> {
        if (r.grown()) {
          throw new IllegalArgumentException("the disk has grown past its GPT (backup at LBA "
              + r.table().alternateLba() + ", disk ends at LBA " + (r.diskSectors() - 1)
              + "); run 'cairn gpt repair' first, then resize");
        }
        return GptEdits.resize(r.table(), number);
      });
      var p = after.require(number);
      out(spec).printf(Locale.ROOT, "%s: partition %d now LBA %d-%d (%d sectors)%n", disk, number,
          p.firstLba(), p.lastLba(), p.sizeLba());
      return 0;
    }
  }
}
