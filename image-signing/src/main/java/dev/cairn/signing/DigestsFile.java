package dev.cairn.signing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A DIGESTS file: for each file a {@code # SHA256 HASH} and a {@code # SHA512 HASH} block with a
 * line in {@code sha256sum} format ({@code HEX  NAME}). Names are plain file names, looked up
 * next to the DIGESTS file, so a listing cannot reach outside its folder.
 */
public record DigestsFile(List<Entry> entries) {

  /** The algorithms a DIGESTS file carries, with their JDK names and hex lengths. */
  public enum Algorithm {
    SHA256("SHA-256", 64),
    SHA512("SHA-512", 128);

    private final String jdkName;
    private final int hexLength;

    Algorithm(String jdkName, int hexLength) {
      this.jdkName = jdkName;
      this.hexLength = hexLength;
    }

    public String jdkName() {
      return jdkName;
    }

    String header() {
      return "# " + name() + " HASH";
    }
  }

  public record Entry(Algorithm algorithm, String hex, String name) {
    public Entry {
      checkName(name);
      if (hex == null || hex.length() != algorithm.hexLength || !hex.matches("[0-9a-fA-F]+")) {
        throw new IllegalArgumentException(algorithm.name() + " of " + name + " must be "
            + algorithm.hexLength + " hex digits, got '" + hex + "'");
      }
      hex = hex.toLowerCase(Locale.ROOT);
    }
  }

  public DigestsFile {
    entries = List.copyOf(entries);
  }

  /** A file name as DIGESTS lists it: no folders, no dot names, no control characters. */
  public static void checkName(String name) {
    if (name == null || name.isEmpty() || name.equals(".") || name.equals("..")
        || name.contains("/") || name.contains("\\") || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new IllegalArgumentException("'" + name
          + "' is not a plain file name (DIGESTS lists files in its own folder only)");
    }
  }

  public String render() {
    StringBuilder b = new StringBuilder();
    for (Entry e : entries) {
      b.append(e.algorithm().header()).append('\n');
      b.append(e.hex()).append("  ").append(e.name()).append('\n');
    }
    return b.toString();
  }

  /** Parses DIGESTS text; an error names the line and what was expected there. */
  public static DigestsFile parse(String text) {
    List<Entry> out = new ArrayList<>();
    Algorithm current = null;
    boolean otherBlock = false;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      int no = i + 1;
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        current = null;
        for (Algorithm a : Algorithm.values()) {
          if (line.trim().equalsIgnoreCase(a.header())) {
            current = a;
          }
        }
        // Blocks of digests Cairn does not check (CoreOS files carry MD5 and SHA1) are skipped.
        otherBlock = current == null && line.trim().toUpperCase(Locale.ROOT).endsWith(" HASH");
        continue;
      }
      if (otherBlock) {
        continue;
      }
      if (current == null) {
        throw new IllegalArgumentException("line " + no + ": a digest line outside a '# SHA256 HASH' or '# SHA512 HASH' block");
      }
      int sep = line.indexOf("  ");
      if (sep < 0) {
        throw new IllegalArgumentException("line " + no + ": expected 'HEX  NAME' (two spaces), got '" + line + "'");
      }
      String name = line.substring(sep + 2);
      if (name.startsWith("*")) {
        name = name.substring(1);
      }
      try {
        out.add(new Entry(current, line.substring(0, sep), name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + no + ": " + e.getMessage());
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no digests listed");
    }
    return new DigestsFile(out);
  }
}
