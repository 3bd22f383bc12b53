package dev.cairn.gpt.cli;

import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.Partition;
import dev.cairn.gpt.PartitionAttributes;
import dev.cairn.gpt.PartitionTable;
import dev.cairn.gpt.PartitionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Renders a read table as cgpt's {@code show} table or as JSON. String in, string out. */
final class TableFormat {
  private static final String INDENT = " ".repeat(34);

  private TableFormat() {}

  static String table(GptRead read) {
    PartitionTable t = read.table();
    StringBuilder b = new StringBuilder();
    b.append(String.format("%12s%12s%8s  %s%n", "start", "size", "part", "contents"));
    row(b, 0, 1, "", read.mbrProblem() == null ? "PMBR" : "PMBR (not protective)");
    row(b, 1, 1, read.primaryProblem() == null ? "" : "INVALID", "Pri GPT header");
    row(b, t.entriesLba(), t.entriesSectors(), read.primaryProblem() == null ? "" : "INVALID",
        "Pri GPT table");
    for (Partition p : t.partitions()) {
      b.append(String.format("%12d%12d%8d  Label: \"%s\"%n", p.firstLba(), p.sizeLba(), p.number(),
          p.label()));
      b.append(INDENT).append("Type: ").append(PartitionType.describe(p.type())).append('\n');
      b.append(INDENT).append("UUID: ").append(p.unique()).append('\n');
      attributes(p).ifPresent(a -> b.append(INDENT).append("Attr: ").append(a).append('\n'));
    }
    String backup = read.backupProblem() == null ? "" : "INVALID";
    row(b, t.backupEntriesLba(), t.entriesSectors(), backup, "Sec GPT table");
    row(b, t.alternateLba(), 1, backup, "Sec GPT header");
    return b.toString();
  }

  private static void row(StringBuilder b, long start, long size, String part, String what) {
    b.append(String.format("%12d%12d%8s  %s%n", start, size, part, what));
  }

  /** cgpt's Attr line: A/B flags for A/B-capable types, then required and legacy_boot if set. */
  static Optional<String> attributes(Partition p) {
    PartitionAttributes a = p.attributes();
    List<String> parts = new ArrayList<>();
    if (p.abCapable()) {
      parts.add(a.toString());
    }
    if (a.required()) {
      parts.add("required=1");
    }
    if (a.legacyBoot()) {
      parts.add("legacy_boot=1");
    }
    return parts.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", parts));
  }

  static String json(String disk, GptRead read) {
    PartitionTable t = read.table();
    StringBuilder b = new StringBuilder("{\n");
    field(b, 1, "disk", quote(disk)).append(",\n");
    field(b, 1, "sectorSize", t.sectorSize()).append(",\n");
    field(b, 1, "diskSectors", read.diskSectors()).append(",\n");
    field(b, 1, "diskGuid", quote(t.diskGuid().toString())).append(",\n");
    field(b, 1, "readFrom", quote(read.source().name().toLowerCase(java.util.Locale.ROOT))).append(",\n");
    field(b, 1, "firstUsableLba", t.firstUsableLba()).append(",\n");
    field(b, 1, "lastUsableLba", t.lastUsableLba()).append(",\n");
    field(b, 1, "backupHeaderLba", t.alternateLba()).append(",\n");
    List<String> problems = new ArrayList<>();
    for (String p : read.problems()) {
      problems.add(quote(p));
    }
    field(b, 1, "problems", "[" + String.join(", ", problems) + "]").append(",\n");
    b.append("  \"partitions\": [");
    String sep = "\n";
    for (Partition p : t.partitions()) {
      PartitionAttributes a = p.attributes();
      b.append(sep).append("    {");
      b.append("\"number\": ").append(p.number());
      b.append(", \"label\": ").append(quote(p.label()));
      b.append(", \"type\": ").append(quote(p.type().toString()));
      b.append(", \"typeName\": ").append(quote(PartitionType.of(p.type()).map(PartitionType::alias).orElse("")));
      b.append(", \"unique\": ").append(quote(p.unique().toString()));
      b.append(", \"firstLba\": ").append(p.firstLba());
      b.append(", \"lastLba\": ").append(p.lastLba());
      b.append(", \"sizeLba\": ").append(p.sizeLba());
      b.append(", \"attributes\": ").append(quote(String.format("0x%016x", a.raw())));
      if (p.abCapable()) {
        b.append(", \"priority\": ").append(a.priority());
        b.append(", \"tries\": ").append(a.tries());
        b.append(", \"successful\": ").append(a.successful());
      }
      b.append('}');
      sep = ",\n";
    }
    b.append(t.partitions().isEmpty() ? "]\n" : "\n  ]\n").append("}\n");
    return b.toString();
  }

  private static StringBuilder field(StringBuilder b, int depth, String name, Object value) {
    return b.append("  ".repeat(depth)).append(quote(name)).append(": ").append(value);
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
