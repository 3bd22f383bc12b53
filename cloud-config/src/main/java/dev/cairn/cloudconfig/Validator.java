package dev.cairn.cloudconfig;

import dev.cairn.cloudconfig.Diagnostic.Level;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Checks one cloud-config against {@link Schema} and the rules of coreos-cloudinit v1.13, with
 * exact lines and columns, and a few checks that tool lacks. One instance per document.
 */
final class Validator {
  private static final String BINARY_TAG = "tag:yaml.org,2002:binary";
  private static final long MAX_DECODED = 64L << 20;

  private final String source;
  private final String[] lines;
  private final List<Diagnostic> out = new ArrayList<>();

  private Validator(String source, String text) {
    this.source = source;
    this.lines = text.split("\n", -1);
  }

  static List<Diagnostic> validate(String text, String source) {
    if (utf8Length(text) > CloudConfig.MAX_BYTES) {
      // Refused before any other work: not even split into lines.
      return List.of(new Diagnostic(source, 1, 1, Level.ERROR,
          "larger than " + CloudConfig.MAX_BYTES + " bytes; cloud-config is refused unread"));
    }
    Validator v = new Validator(source, text);
    v.run(text);
    // A node reached twice (through an alias or a merge) is reported once.
    List<Diagnostic> found = new ArrayList<>(new java.util.LinkedHashSet<>(v.out));
    found.sort(Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column));
    return List.copyOf(found);
  }

  private void run(String text) {
    if (text.isEmpty() || text.startsWith("#!")) {
      return;
    }
    String first = lines[0].stripTrailing();
    if (!first.equals("#cloud-config")) {
      if (Ignition.looksLikeIgnition(text)) {
        add(1, 1, Level.INFO, "this is an Ignition config, not a cloud-config; it is passed through unchecked");
      } else {
        add(1, 1, Level.ERROR, "must be \"#cloud-config\" or begin with \"#!\"");
      }
      return;
    }
    YamlReader.Result parsed = YamlReader.read(text, source);
    out.addAll(parsed.problems());
    if (parsed.root() == null) {
      return;
    }
    YamlNode root = parsed.root();
    if (root instanceof YamlNode.Scalar s && Yaml11.type(s) == Yaml11.Type.NULL) {
      return;   // only comments: an empty config
    }
    check(null, root, Schema.ROOT, "", "");
  }

  /** The UTF-8 size of {@code s}, counting no further than just past the limit. */
  static long utf8Length(String s) {
    if (s.length() > CloudConfig.MAX_BYTES) {
      return s.length();   // every char is at least one byte
    }
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  // ---- structure: types, unknown and deprecated keys, values

  /** {@code key} is where {@code node} was written as a value (null for the document); a type finding may point at it. */
  private void check(YamlNode.Scalar key, YamlNode node, Schema.Field field, String name, String path) {
    switch (field.kind()) {
      case STRUCT -> {
        if (node instanceof YamlNode.Mapping m) {
          struct(m, field, path);
        } else {
          wrongType(key, node, name, field);
        }
      }
      case STRUCT_LIST -> {
        if (!(node instanceof YamlNode.Sequence seq)) {
          wrongType(key, node, name, field);
          return;
        }
        for (int i = 0; i < seq.items().size(); i++) {
          YamlNode item = seq.items().get(i);
          String itemName = name + "[" + i + "]";
          if (item instanceof YamlNode.Mapping m) {
            struct(m, field, path + "[]");
          } else {
            add(item, Level.WARNING, "incorrect type for \"" + itemName + "\" (want struct)");
          }
        }
      }
      case STRING_LIST -> {
        if (!(node instanceof YamlNode.Sequence seq)) {
          wrongType(key, node, name, field);
          return;
        }
        for (int i = 0; i < seq.items().size(); i++) {
          YamlNode item = seq.items().get(i);
          if (!(item instanceof YamlNode.Scalar s) || Yaml11.type(s) == Yaml11.Type.NULL) {
            add(item, Level.WARNING, "incorrect type for \"" + name + "[" + i + "]\" (want string)");
          }
        }
      }
      default -> scalar(key, node, field, name, path);
    }
  }

  private void scalar(YamlNode.Scalar key, YamlNode node, Schema.Field field, String name, String path) {
    if (!(node instanceof YamlNode.Scalar s) || !compatible(Yaml11.type(s), field.kind())) {
      wrongType(key, node, name, field);
      return;
    }
    if (field.valid() != null && !s.value().isEmpty() && !field.valid().matcher(s.value()).matches()) {
      add(s, Level.ERROR, "invalid value " + s.value() + hint(path));
    }
    if (path.equals("coreos.etcd.discovery") || path.equals("coreos.etcd2.discovery")) {
      discovery(s);
    }
    if ((path.startsWith("coreos.update.") || path.startsWith("coreos.locksmith."))
        && (s.value().indexOf('\n') >= 0 || s.value().indexOf('\r') >= 0)) {
      add(s, Level.ERROR, "the value has a line break; it becomes one KEY=value line of /etc/coreos/update.conf");
    }
  }

  private static String hint(String path) {
    return switch (path) {
      case "coreos.update.reboot_strategy" -> " (expected best-effort, etcd-lock, reboot or off)";
      case "coreos.units[].command" -> " (expected start, stop, restart, reload, try-restart, "
          + "reload-or-restart or reload-or-try-restart)";
      case "write_files[].permissions" -> " (expected 3 or 4 octal digits, like 0644)";
      case "write_files[].encoding" -> " (expected base64, b64, gz, gzip, gz+base64, gzip+base64, gz+b64 or gzip+b64)";
      case "manage_etc_hosts" -> " (only \"localhost\" is supported)";
      case "coreos.etcd2.proxy" -> " (expected on, off or readonly)";
      default -> "";
    };
  }

  private static boolean compatible(Yaml11.Type t, Schema.Kind k) {
    return switch (k) {
      case STRING -> t != Yaml11.Type.NULL;
      case BOOL -> t == Yaml11.Type.BOOL;
      case INT -> t == Yaml11.Type.INT;
      case FLOAT -> t == Yaml11.Type.FLOAT || t == Yaml11.Type.INT;
      default -> false;
    };
  }

  /**
   * A type finding points at the value when it starts on the key's line, and at the key when the
   * value is a block on the lines below it, as coreos-cloudinit reports it (the key's line).
   */
  private void wrongType(YamlNode.Scalar key, YamlNode node, String name, Schema.Field field) {
    YamlNode at = key != null && node.line() > key.line() ? key : node;
    add(at, Level.WARNING, "incorrect type for \"" + name + "\" (want " + field.kind().human + ")");
  }

  private void struct(YamlNode.Mapping written, Schema.Field field, String path) {
    Map<String, YamlNode.Scalar> seen = new HashMap<>();
    for (YamlNode.Entry e : written.entries()) {
      if (isMerge(e.key())) {
        if (mergeSources(e.value()) == null) {
          add(e.value(), Level.ERROR, "a merge (<<) needs a mapping or a list of mappings");
        }
        continue;
      }
      String key = e.key().value().replace('-', '_');
      YamlNode.Scalar earlier = seen.put(key, e.key());
      if (earlier != null) {
        add(e.key(), Level.WARNING, "duplicate key \"" + key + "\" (also on line " + earlier.line()
            + "); the last one wins");
      }
    }
    YamlNode.Mapping m = merged(written);
    for (YamlNode.Entry e : m.entries()) {
      String key = e.key().value().replace('-', '_');
      String childPath = path.isEmpty() ? key : path + "." + key;
      Schema.Field child = field.children().get(key);
      if (child == null) {
        add(e.key(), Level.WARNING, "unrecognized key \"" + key + "\"" + Suggest.didYouMean(key, field.children().keySet()));
        if (childPath.equals("coreos.write_files")) {
          add(e.key(), Level.INFO, "write_files doesn't belong under coreos");
        }
        continue;
      }
      if (child.deprecated() != null) {
        add(e.key(), Level.WARNING, "deprecated key \"" + key + "\" (" + child.deprecated() + ")");
      }
      check(e.key(), e.value(), child, key, childPath);
    }
    if (path.equals("write_files[]")) {
      writeFile(m);
    } else if (path.equals("coreos.units[]") || path.equals("coreos.units[].drop_ins[]")) {
      unitContent(m);
    }
  }

  // ---- YAML 1.1 merge keys, which coreos-cloudinit's parser honours

  private static boolean isMerge(YamlNode.Scalar key) {
    return key.plain() && key.value().equals("<<");
  }

  /** The mappings a {@code <<} value merges in, or null when it is neither a mapping nor a list of them. */
  private static List<YamlNode.Mapping> mergeSources(YamlNode value) {
    if (value instanceof YamlNode.Mapping m) {
      return List.of(m);
    }
    if (value instanceof YamlNode.Sequence seq) {
      List<YamlNode.Mapping> out = new ArrayList<>();
      for (YamlNode item : seq.items()) {
        if (!(item instanceof YamlNode.Mapping m)) {
          return null;
        }
        out.add(m);
      }
      return out;
    }
    return null;
  }

  /**
   * {@code m} with its {@code <<} merges applied: the keys written in {@code m} first, then each
   * merged key that neither {@code m} nor an earlier merge source sets. Merged entries keep the
   * position where they were written.
   */
  static YamlNode.Mapping merged(YamlNode.Mapping m) {
    if (m.entries().stream().noneMatch(e -> isMerge(e.key()))) {
      return m;
    }
    List<YamlNode.Entry> out = new ArrayList<>();
    java.util.Set<String> have = new java.util.HashSet<>();
    for (YamlNode.Entry e : m.entries()) {
      if (!isMerge(e.key())) {
        out.add(e);
        have.add(e.key().value().replace('-', '_'));
      }
    }
    for (YamlNode.Entry e : m.entries()) {
      List<YamlNode.Mapping> sources = isMerge(e.key()) ? mergeSources(e.value()) : null;
      if (sources == null) {
        continue;
      }
      for (YamlNode.Mapping source : sources) {
        for (YamlNode.Entry s : merged(source).entries()) {
          if (have.add(s.key().value().replace('-', '_'))) {
            out.add(s);
          }
        }
      }
    }
    return new YamlNode.Mapping(List.copyOf(out), m.line(), m.column());
  }

  // ---- rules beyond structure

  private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile(
      "(?i)https?://([a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])(:[0-9]{1,5})?(/[^\\s]*)?");

  private void discovery(YamlNode.Scalar s) {
    String v = s.value();
    if (!URL.matcher(v).matches()) {
      add(s, Level.ERROR, "discovery URL is not valid (expected http:// or https:// with a host, like "
          + "https://discovery.etcd.io/TOKEN)");
    }
  }


  /** The scalar {@code key} holds (the last one when repeated), or null when it is absent or null (~, null, empty). */
  private static YamlNode.Scalar scalarAt(YamlNode.Mapping m, String key) {
    YamlNode.Scalar found = null;
    for (YamlNode.Entry e : m.entries()) {
      if (e.key().value().replace('-', '_').equals(key)) {
        found = e.value() instanceof YamlNode.Scalar s && Yaml11.type(s) != Yaml11.Type.NULL ? s : null;
      }
    }
    return found;
  }

  private void writeFile(YamlNode.Mapping m) {
    YamlNode.Scalar path = scalarAt(m, "path");
    if (path != null && underUsr(path.value())) {
      add(path, Level.ERROR, "file cannot be written to a read-only filesystem (/usr is read-only on CoreOS)");
    }
    YamlNode.Scalar encoding = scalarAt(m, "encoding");
    YamlNode.Scalar content = scalarAt(m, "content");
    byte[] bytes;
    if (content != null && BINARY_TAG.equals(content.tag())) {
      bytes = base64(content.value().getBytes(StandardCharsets.ISO_8859_1));
      if (bytes == null) {
        add(content, Level.ERROR, "!!binary value contains invalid base64 data");
        return;
      }
    } else {
      bytes = content == null ? new byte[0] : content.value().getBytes(StandardCharsets.UTF_8);
    }
    if (encoding == null || encoding.value().isEmpty()) {
      return;
    }
    String problem = decode(bytes, encoding.value());
    if (problem != null) {
      YamlNode at = content != null ? content : encoding;
      add(at, Level.ERROR, "content cannot be decoded as \"" + encoding.value() + "\": " + problem);
    }
  }

  /** Why {@code bytes} do not decode with {@code encoding}, or null when they do. */
  static String decode(byte[] bytes, String encoding) {
    boolean base64 = encoding.matches("(gz\\+|gzip\\+)?(base64|b64)");
    boolean gzip = encoding.matches("(gz|gzip)(\\+(base64|b64))?");
    if (!base64 && !gzip) {
      return "unknown encoding";
    }
    if (base64) {
      bytes = base64(bytes);
      if (bytes == null) {
        return "not valid base64";
      }
    }
    if (gzip) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0 && total < MAX_DECODED) {
          total += n;
        }
      } catch (java.io.EOFException e) {
        return "not valid gzip (" + (e.getMessage() != null ? e.getMessage() : "no data") + ")";
      } catch (IOException e) {
        return "not valid gzip (" + e.getMessage() + ")";
      }
    }
    return null;
  }

  /**
   * Standard base64 as coreos-cloudinit decodes it (Go's base64.StdEncoding, for both the
   * encoding and YAML's !!binary): line breaks are skipped, anything else outside the alphabet,
   * and missing padding, make it invalid. Null when invalid.
   */
  static byte[] base64(byte[] encoded) {
    StringBuilder text = new StringBuilder(encoded.length);
    for (byte b : encoded) {
      if (b != '\r' && b != '\n') {
        text.append((char) (b & 0xff));
      }
    }
    if (text.length() % 4 != 0) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(text.toString());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Whether writing {@code path} would land under /usr, after cleaning . and .. as coreos-cloudinit does. */
  static boolean underUsr(String path) {
    java.util.Deque<String> parts = new java.util.ArrayDeque<>();
    for (String seg : path.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(seg);
      }
    }
    parts.pollLast();   // the file itself; what matters is its folder
    return "usr".equals(parts.peekFirst());
  }



  private void unitContent(YamlNode.Mapping m) {
    YamlNode.Scalar content = scalarAt(m, "content");
    if (content == null) {
      return;
    }
    for (UnitFile.Problem p : UnitFile.check(content.value())) {
      if (content.style() == YamlNode.Style.LITERAL && content.line() + 1 + p.index() <= lines.length) {
        int line = content.line() + 1 + p.index();
        String src = lines[line - 1];
        int column = 1 + (src.length() - src.stripLeading().length());
        add(line, column, Level.WARNING, p.message());
      } else {
        add(content, Level.WARNING, p.message() + " (content line " + (p.index() + 1) + ")");
      }
    }
  }

  private void add(YamlNode at, Level level, String message) {
    add(at.line(), at.column(), level, message);
  }

  private void add(int line, int column, Level level, String message) {
    out.add(new Diagnostic(source, line, column, level, message));
  }
}
