package dev.cairn.cloudconfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts {@code coreos.update.group} and {@code coreos.update.server} into a cloud-config that leaves
 * them out, as lines of text, so that the rest of the document (comments, quoting, YAML 1.1
 * idioms) stays exactly as written. New keys go in before the first key of the block mapping they
 * join, at its indentation; a missing {@code coreos} or {@code update} mapping is added the same
 * way. Values are written double-quoted ({@link YamlTemplates#quote}), so no value can add a key.
 */
final class UpdateDefaults {
  private UpdateDefaults() {}

  static String apply(String config, String group, String server) {
    if (group == null && server == null) {
      return config;
    }
    if (config.startsWith("#!")) {
      throw new IllegalArgumentException("cannot add coreos.update to a #! script; only to a #cloud-config");
    }
    YamlReader.Result read = YamlReader.read(config, "config");
    if (!read.problems().isEmpty() && read.root() == null) {
      throw new IllegalArgumentException("cannot add coreos.update: " + read.problems().get(0).message());
    }
    YamlNode root = read.root();
    if (root == null || root instanceof YamlNode.Scalar s && nothing(s)) {
      String sep = config.isEmpty() || config.endsWith("\n") ? "" : "\n";
      return config + sep + String.join("", subtree(List.of("coreos", "update"), group, server, 0));
    }
    YamlNode.Mapping top = block(config, root, "the document");
    YamlNode.Entry coreos = entry(top, "coreos", "the document");
    if (coreos == null) {
      return insertBefore(config, top, subtree(List.of("coreos", "update"), group, server, 0));
    }
    if (coreos.value() instanceof YamlNode.Scalar s && nothing(s)) {
      return insertAfterKey(config, coreos, subtree(List.of("update"), group, server, 0));
    }
    YamlNode.Mapping core = block(config, coreos.value(), "coreos");
    YamlNode.Entry update = entry(core, "update", "coreos");
    if (update == null) {
      return insertBefore(config, core, subtree(List.of("update"), group, server, 0));
    }
    if (update.value() instanceof YamlNode.Scalar s && nothing(s)) {
      return insertAfterKey(config, update, subtree(List.of(), group, server, 0));
    }
    YamlNode.Mapping u = block(config, update.value(), "coreos.update");
    boolean hasGroup = entry(u, "group", "coreos.update") != null;
    boolean hasServer = entry(u, "server", "coreos.update") != null;
    List<String> lines = subtree(List.of(), hasGroup ? null : group, hasServer ? null : server, 0);
    return lines.isEmpty() ? config : insertBefore(config, u, lines);
  }

  /** An empty plain value ({@code coreos:} with nothing after it). */
  private static boolean nothing(YamlNode.Scalar s) {
    return s.style() == YamlNode.Style.PLAIN && s.tag() == null && s.value().isEmpty();
  }

  /** {@code node} as a block mapping written in the document (not flow, not empty, not an alias). */
  private static YamlNode.Mapping block(String config, YamlNode node, String what) {
    if (node instanceof YamlNode.Mapping m && !m.entries().isEmpty()) {
      YamlNode.Scalar first = m.entries().get(0).key();
      String line = line(config, first.line());
      int col = line.offsetByCodePoints(0, first.column() - 1);
      if (line.substring(0, col).isBlank()) {
        return m;
      }
    }
    throw new IllegalArgumentException("cannot add coreos.update: " + what
        + " is not a block mapping with keys on lines of their own; write group and server into the template");
  }

  /** The entry {@code key} of {@code m} (the last, as YAML readers take it), written in {@code m} itself. */
  private static YamlNode.Entry entry(YamlNode.Mapping m, String key, String what) {
    YamlNode.Entry found = null;
    for (YamlNode.Entry e : m.entries()) {
      if (e.key().value().replace('-', '_').equals(key)) {
        found = e;
      }
    }
    if (found == null && Validator.merged(m).entries().stream()
        .anyMatch(e -> e.key().value().replace('-', '_').equals(key))) {
      throw new IllegalArgumentException("cannot add coreos.update: " + key + " in " + what
          + " comes from a YAML merge key; write group and server into the template");
    }
    return found;
  }

  /** The lines of {@code path} (each a mapping key) holding group and server, indented from {@code indent}. */
  private static List<String> subtree(List<String> path, String group, String server, int indent) {
    List<String> lines = new ArrayList<>();
    int depth = 0;
    for (String key : path) {
      lines.add(" ".repeat(indent + 2 * depth) + key + ":\n");
      depth++;
    }
    if (group != null) {
      lines.add(" ".repeat(indent + 2 * depth) + "group: " + YamlTemplates.quote(group) + "\n");
    }
    if (server != null) {
      lines.add(" ".repeat(indent + 2 * depth) + "server: " + YamlTemplates.quote(server) + "\n");
    }
    return lines;
  }

  /** Inserts {@code lines} (indented from 0) before the line of {@code m}'s first key, at its indentation. */
  private static String insertBefore(String config, YamlNode.Mapping m, List<String> lines) {
    YamlNode.Scalar first = m.entries().get(0).key();
    int at = lineStart(config, first.line());
    String indent = " ".repeat(first.column() - 1);
    StringBuilder b = new StringBuilder(config.length() + 128).append(config, 0, at);
    for (String l : lines) {
      b.append(indent).append(l);
    }
    return b.append(config, at, config.length()).toString();
  }

  /** Inserts {@code lines} after the line of {@code e}'s key, indented two more than the key. */
  private static String insertAfterKey(String config, YamlNode.Entry e, List<String> lines) {
    int at = e.key().line() < lineCount(config) ? lineStart(config, e.key().line() + 1) : config.length();
    String indent = " ".repeat(e.key().column() - 1 + 2);
    StringBuilder b = new StringBuilder(config.length() + 128).append(config, 0, at);
    if (at == config.length() && !config.endsWith("\n")) {
      b.append('\n');
    }
    for (String l : lines) {
      b.append(indent).append(l);
    }
    return b.append(config, at, config.length()).toString();
  }

  private static int lineCount(String s) {
    int n = 1;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  /** The offset of 1-based {@code line}. */
  private static int lineStart(String s, int line) {
    int at = 0;
    for (int l = 1; l < line; l++) {
      at = s.indexOf('\n', at) + 1;
    }
    return at;
  }

  private static String line(String s, int line) {
    int start = lineStart(s, line);
    int end = s.indexOf('\n', start);
    return s.substring(start, end < 0 ? s.length() : end);
  }
}
