package dev.cairn.gpt.cli;

import dev.cairn.gpt.AbSlots;
import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.GptStore;
import dev.cairn.gpt.Guid;
import dev.cairn.gpt.PartitionType;
import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The A/B commands: prioritize, next, mark-successful, mark-update. */
final class AbCommands {
  private AbCommands() {}

  @Command(name = "prioritize", mixinStandardHelpOptions = true,
      description = "Renumber A/B priorities as cgpt does, putting partition N first.")
  static final class Prioritize implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "-i", paramLabel = "N", description = "Partition to make highest.") int number;

    @Option(names = "-P", paramLabel = "TOP", description = "Highest priority to use, 1-15 (default: number of priority groups).")
    Integer top;

    @Option(names = "-f", description = "Also lift the partitions that share N's priority.") boolean friends;

    @Option(names = "--type", paramLabel = "TYPE",
        description = {"Slots to renumber: coreos-usr or chromeos-kernel, by alias or GUID (one type; "
            + "default: N's type, else the disk's only A/B type)."})
    String type;

    @Parameters(paramLabel = "DISK") Path disk;

    @Override
    public Integer call() throws IOException {
      OptionalInt highest = AbSlots.checkTop(top == null ? OptionalInt.empty() : OptionalInt.of(top));
      Guid explicit = type == null ? null : AbSlots.requireAbType(PartitionType.resolve(type));
      Disks.edit(disk, GptCommand.err(spec), r -> AbSlots.prioritize(r.table(),
          explicit != null ? explicit : AbSlots.prioritizeType(r.table(), number), number, highest,
          friends));
      return 0;
    }
  }

  @Command(name = "next", mixinStandardHelpOptions = true,
      description = {"Choose the slot to boot (gptprio.next): the highest priority among slots with tries left or successful=1;",
          "print its number, decrement its tries and write the table back. Exit 1 when no slot can boot.",
          "Only coreos-usr partitions are slots, as for GRUB's gptprio, unless --type names another A/B type."})
  static final class Next implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--format", paramLabel = "number|uuid", defaultValue = "number",
        description = "Print the partition number (default) or its unique GUID.")
    String format;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "coreos-usr",
        description = {"Slot type, by alias or GUID: coreos-usr (default, as gptprio) or chromeos-kernel.",
            "One type only: slots of two types are never compared."})
    String type;

    @Parameters(paramLabel = "DISK") Path disk;

    @Override
    public Integer call() throws IOException {
      if (!format.equals("number") && !format.equals("uuid")) {
        throw new IllegalArgumentException("--format must be number or uuid, got '" + format + "'");
      }
      Guid slotType = AbSlots.requireAbType(PartitionType.resolve(type));
      try (FileBlockDevice dev = FileBlockDevice.open(disk, true, 0)) {
        AbSlots.Selection s;
        GptRead read;
        try {
          read = GptStore.read(dev);
          Disks.warn(GptCommand.err(spec), read);
          s = AbSlots.next(Disks.editable(read).table(), slotType);
        } catch (IllegalArgumentException e) {
          throw Disks.named(disk, e);
        }
        if (s instanceof AbSlots.Selection.NoneBootable none) {
          GptCommand.err(spec).println("cairn gpt next: " + disk + ": " + none.reason());
          return 1;
        }
        AbSlots.Selection.Chosen chosen = (AbSlots.Selection.Chosen) s;
        if (chosen.triesDecremented()) {
          try {
            Disks.writeBack(dev, GptCommand.err(spec), read, chosen.table());
          } catch (IllegalArgumentException e) {
            throw Disks.named(disk, e);
          }
        }
        GptCommand.out(spec).println(format.equals("uuid")
            ? chosen.chosen().unique().toString() : String.valueOf(chosen.chosen().number()));
      }
      return 0;
    }
  }

  @Command(name = "mark-successful", mixinStandardHelpOptions = true,
      description = "After a healthy boot: successful=1, tries=0, and prioritize partition N.")
  static final class MarkSuccessful implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "-i", required = true, paramLabel = "N") int number;

    @Parameters(paramLabel = "DISK") Path disk;

    @Override
    public Integer call() throws IOException {
      Disks.edit(disk, GptCommand.err(spec), r -> AbSlots.markSuccessful(r.table(), number));
      return 0;
    }
  }

  @Command(name = "mark-update", mixinStandardHelpOptions = true,
      description = "After writing an update to partition N: successful=0, tries=1, priority above every other slot.")
  static final class MarkUpdate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "-i", required = true, paramLabel = "N") int number;

    @Parameters(paramLabel = "DISK") Path disk;

    @Override
    public Integer call() throws IOException {
      Disks.edit(disk, GptCommand.err(spec), r -> AbSlots.markUpdate(r.table(), number));
      return 0;
    }
  }
}
