package dev.cairn.gpt.cli;

import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.Partition;
import dev.cairn.gpt.PartitionAttributes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cairn gpt show}: the table as cgpt prints it, as JSON, or one field of one partition. */
@Command(name = "show", mixinStandardHelpOptions = true,
    description = "Show the partition table, or with -i N and one field flag, that one value.")
final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print the table as JSON.")
  boolean json;

  @Option(names = "-i", paramLabel = "N", description = "Partition number.")
  Integer number;

  static final class Field {
    @Option(names = "-P", description = "Priority.") boolean priority;
    @Option(names = "-T", description = "Tries left.") boolean tries;
    @Option(names = "-S", description = "Successful flag.") boolean successful;
    @Option(names = "-A", description = "Upper 16 attribute bits, as hex (cgpt's -A).") boolean attributes;
    @Option(names = "-l", description = "Label.") boolean label;
    @Option(names = "-t", description = "Type GUID.") boolean type;
    @Option(names = "-u", description = "Unique GUID.") boolean unique;
    @Option(names = "-b", description = "First LBA.") boolean begin;
    @Option(names = "-s", description = "Size in sectors.") boolean size;
  }

  @ArgGroup(exclusive = true)
  Field field;

  @Parameters(paramLabel = "DISK", description = "Block device or image file.")
  Path disk;

  @Override
  public Integer call() throws IOException {
    if (field != null && number == null) {
      throw new ParameterException(spec.commandLine(), "a field flag needs -i N");
    }
    String text = Disks.read(disk, GptCommand.err(spec), this::render);
    GptCommand.out(spec).print(text);
    return 0;
  }

  private String render(GptRead read) {
    if (number == null) {
      return json ? TableFormat.json(disk.toString(), read) : TableFormat.table(read);
    }
    Partition p = read.table().require(number);
    if (field == null) {
      GptRead one = new GptRead(read.table().withPartitions(java.util.List.of(p)), read.source(),
          read.diskSectors(), read.primaryProblem(), read.backupProblem(), read.mbrProblem(),
          read.notices());
      return json ? TableFormat.json(disk.toString(), one) : TableFormat.table(one);
    }
    return value(p) + "\n";
  }

  private String value(Partition p) {
    PartitionAttributes a = p.attributes();
    if (field.priority) {
      return String.valueOf(a.priority());
    } else if (field.tries) {
      return String.valueOf(a.tries());
    } else if (field.successful) {
      return a.successful() ? "1" : "0";
    } else if (field.attributes) {
      return a.cgptBits() == 0 ? "0" : "0x" + Integer.toHexString(a.cgptBits());
    } else if (field.label) {
      return p.label();
    } else if (field.type) {
      return p.type().toString();
    } else if (field.unique) {
      return p.unique().toString();
    } else if (field.begin) {
      return String.valueOf(p.firstLba());
    }
    return String.valueOf(p.sizeLba());
  }
}
