package dev.cairn.signing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A DIGESTS file: for each file a {@code # SHA256 HASH} and a {@code # SHA512 HASH} block with a
 * line in {@code sha256sum} format ({@code HEX  NAME}). Names are plain file names, looked up
 * next to the DIGESTS file, so a listing cannot reach outside its folder. Older CoreOS files also
 * carry {@code # MD5 HASH} and {@code # SHA1 HASH} blocks: those are read as weak digests, and
 * blocks of any other hash are kept as names Cairn cannot check ({@link #coverage}).
 */
public record DigestsFile(List<Entry> entries, List<Unchecked> unchecked) {

  /** The algorithms Cairn checks, with their JDK names and hex lengths; MD5 and SHA-1 are weak. */
  public enum Algorithm {
    MD5("MD5", 32, false),
    SHA1("SHA-1", 40, false),
    SHA256("SHA-256", 64, true),
    SHA512("SHA-512", 128, true);

    private final String jdkName;
    private final int hexLength;
    private final boolean strong;

    Algorithm(String jdkName, int hexLength, boolean strong) {
      this.jdkName = jdkName;
      this.hexLength = hexLength;
      this.strong = strong;
    }

    public String jdkName() {
      return jdkName;
    }

    /**
     * Whether a match proves the file is the one listed, even against someone who made it to
     * match: SHA-256 and SHA-512. MD5 and SHA-1 collisions can be made at will.
     */
    public boolean strong() {
      return strong;
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

  /** A file listed in the block of a hash Cairn does not check, such as {@code # SHA384 HASH}. */
  public record Unchecked(String hash, String name) {
    public Unchecked {
      checkName(name);
    }
  }

  public DigestsFile {
    entries = List.copyOf(entries);
    unchecked = List.copyOf(unchecked);
  }

  /** A listing of checked digests only, as Cairn writes one. */
  public DigestsFile(List<Entry> entries) {
    this(entries, List.of());
  }

  /** How the digests listed for one file cover it. */
  public sealed interface Coverage {
    /** SHA-256 or SHA-512 covers the file: check these entries (the weak ones beside them add nothing). */
    record Strong(List<Entry> entries) implements Coverage {}

    /** Only MD5 or SHA-1 covers the file: a match does not prove it was not forged to match. */
    record WeakOnly(List<Entry> entries) implements Coverage {}

    /** Only hashes Cairn does not check cover the file. */
    record None(List<String> hashes) implements Coverage {}
  }

  /** Every listed name, once, in the order the listing first names it. */
  public List<String> names() {
    Set<String> names = new LinkedHashSet<>();
    for (Entry e : entries) {
      names.add(e.name());
    }
    for (Unchecked u : unchecked) {
      names.add(u.name());
    }
    return List.copyOf(names);
  }

  /** How the listing covers {@code name}: which of its entries to check, and whether they suffice. */
  public Coverage coverage(String name) {
    List<Entry> strong = new ArrayList<>();
    List<Entry> weak = new ArrayList<>();
    for (Entry e : entries) {
      if (e.name().equals(name)) {
        (e.algorithm().strong() ? strong : weak).add(e);
      }
    }
    if (!strong.isEmpty()) {
      return new Coverage.Strong(List.copyOf(strong));
    }
    if (!weak.isEmpty()) {
      return new Coverage.WeakOnly(List.copyOf(weak));
    }
    List<String> hashes = new ArrayList<>();
    for (Unchecked u : unchecked) {
      if (u.name().equals(name) && !hashes.contains(u.hash())) {
        hashes.add(u.hash());
      }
    }
    return new Coverage.None(List.copyOf(hashes));
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
    List<Unchecked> other = new ArrayList<>();
    Algorithm current = null;
    String otherHash = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      int no = i + 1;
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        current = null;
        otherHash = null;
        String header = line.trim().toUpperCase(Locale.ROOT);
        for (Algorithm a : Algorithm.values()) {
          if (header.equals(a.header())) {
            current = a;
          }
        }
        if (current == null && header.endsWith(" HASH")) {
          // A hash Cairn does not check: its names are kept, so a file only it covers is not
          // mistaken for a checked one.
          otherHash = header.substring(1, header.length() - " HASH".length()).trim();
          otherHash = otherHash.isEmpty() ? null : otherHash;
        }
        continue;
      }
      if (current == null && otherHash == null) {
        throw new IllegalArgumentException("line " + no + ": a digest line outside a '# ALGORITHM HASH' block"
            + " such as '# SHA512 HASH'");
      }
      int sep = line.indexOf("  ");
      if (sep < 0) {
        throw new IllegalArgumentException("line " + no + ": expected 'HEX  NAME' (two spaces), got '" + line + "'");
      }
      String name = line.substring(sep + 2);
      if (name.startsWith("*")) {
        name = name.substring(1);
      }
      String hex = line.substring(0, sep);
      try {
        if (current != null) {
          out.add(new Entry(current, hex, name));
        } else if (!hex.matches("[0-9a-fA-F]+")) {
          throw new IllegalArgumentException(otherHash + " of " + name + " must be hex digits, got '" + hex + "'");
        } else {
          other.add(new Unchecked(otherHash, name));
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + no + ": " + e.getMessage());
      }
    }
    if (out.isEmpty() && other.isEmpty()) {
      throw new IllegalArgumentException("no digests listed");
    }
    return new DigestsFile(out, other);
  }
}
