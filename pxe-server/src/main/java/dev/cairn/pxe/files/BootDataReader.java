package dev.cairn.pxe.files;

import dev.cairn.cloudconfig.CloudConfig;
import dev.cairn.pxe.Finding;
import dev.cairn.pxe.Group;
import dev.cairn.pxe.Profile;
import dev.cairn.pxe.Selector;
import dev.cairn.pxe.Source;
import dev.cairn.pxe.Template;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads {@code DATA_DIR/boot/}: {@code profiles/**.yaml}, {@code groups/**.yaml} (one profile or
 * group a file) and {@code templates/**.yaml} (a template is named by its path there without
 * {@code .yaml}); {@code .yml} is read too, files and folders whose names start with a dot are not.
 * Everything a single file can get wrong is a finding with its line: YAML syntax, unknown or
 * duplicate keys, a value of the wrong kind, a bad id, a bad selector. Scalars are read as written
 * ({@code 0644} stays {@code 0644}).
 */
final class BootDataReader {
  static final int MAX_FILE = CloudConfig.MAX_BYTES;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern META_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

  /** What was read, and what is wrong in single files. */
  record Read(List<Profile> profiles, List<Group> groups, List<Template> templates, List<Finding> findings) {}

  private final Path dataDir;
  private final List<Finding> findings = new ArrayList<>();
  private Map<Path, byte[]> overlay = Map.of();

  private BootDataReader(Path dataDir) {
    this.dataDir = dataDir;
  }

  static Read read(Path dataDir, Path bootDir) throws IOException {
    return read(dataDir, bootDir, Map.of());
  }

  /**
   * Reads the set as it would be with {@code overlay} applied: each path in it (a file under a
   * folder of {@code bootDir}, as {@code bootDir.resolve("profiles").resolve(NAME)} makes it) read
   * as holding those bytes, or as absent when they are null. Nothing is written.
   */
  static Read read(Path dataDir, Path bootDir, Map<Path, byte[]> overlay) throws IOException {
    BootDataReader r = new BootDataReader(dataDir);
    r.overlay = overlay;
    List<Profile> profiles = new ArrayList<>();
    for (Path f : files(bootDir.resolve("profiles"), overlay)) {
      r.profile(f).ifPresent(profiles::add);
    }
    List<Group> groups = new ArrayList<>();
    for (Path f : files(bootDir.resolve("groups"), overlay)) {
      r.group(f).ifPresent(groups::add);
    }
    List<Template> templates = new ArrayList<>();
    Path tdir = bootDir.resolve("templates");
    for (Path f : files(tdir, overlay)) {
      String rel = tdir.relativize(f).toString().replace('\\', '/');
      String name = rel.substring(0, rel.lastIndexOf('.'));
      r.text(f).ifPresent(text -> templates.add(new Template(name, text, r.name(f))));
    }
    return new Read(profiles, groups, templates, List.copyOf(r.findings));
  }

  /** {@link #files(Path)} with the overlay's files under {@code dir} added, and its absent ones left out. */
  private static List<Path> files(Path dir, Map<Path, byte[]> overlay) throws IOException {
    if (overlay.isEmpty()) {
      return files(dir);
    }
    java.util.TreeSet<Path> out = new java.util.TreeSet<>(files(dir));
    overlay.forEach((p, bytes) -> {
      if (bytes == null) {
        out.remove(p);
      } else if (dir.equals(p.getParent())) {
        out.add(p);
      }
    });
    return List.copyOf(out);
  }

  /** The .yaml and .yml files under {@code dir}, sorted; none when it does not exist. */
  static List<Path> files(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !hidden(dir, p))
          .filter(p -> p.getFileName().toString().endsWith(".yaml") || p.getFileName().toString().endsWith(".yml"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static boolean hidden(Path root, Path p) {
    for (Path part : root.relativize(p)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** {@code file} relative to the data directory, with {@code /}. */
  private String name(Path file) {
    return dataDir.relativize(file).toString().replace('\\', '/');
  }

  private void finding(Path file, int line, String reason) {
    findings.add(new Finding(name(file), line, reason));
  }

  private Optional<String> text(Path file) {
    try {
      byte[] given = overlay.get(file);
      long size = given != null ? given.length : Files.size(file);
      if (size > MAX_FILE) {
        finding(file, 0, "larger than " + MAX_FILE + " bytes");
        return Optional.empty();
      }
      byte[] bytes = given != null ? given : Files.readAllBytes(file);
      return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      finding(file, 0, "not UTF-8 text");
    } catch (NoSuchFileException e) {
      finding(file, 0, "removed while it was read");
    } catch (IOException e) {
      finding(file, 0, "cannot be read: " + (e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e.getMessage()));
    }
    return Optional.empty();
  }

  /** The top-level mapping of {@code file}, or empty with a finding. */
  private Optional<MappingNode> document(Path file) {
    Optional<String> text = text(file);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    LoadSettings settings = LoadSettings.builder().setLabel(name(file)).setUseMarks(true)
        .setMaxAliasesForCollections(50).setCodePointLimit(MAX_FILE).build();
    try {
      Optional<Node> root = new Compose(settings).composeString(text.get());
      if (root.isEmpty()) {
        finding(file, 0, "empty: expected a mapping");
        return Optional.empty();
      }
      if (!(root.get() instanceof MappingNode m)) {
        finding(file, line(root.get()), "expected a mapping of keys");
        return Optional.empty();
      }
      return Optional.of(m);
    } catch (MarkedYamlEngineException e) {
      // An unclosed bracket or quote is noticed at the end of the file: point at where it opened.
      String p = String.valueOf(e.getProblem());
      boolean atEnd = p.contains("end of stream") || p.contains("<stream end>");
      Optional<Mark> m = atEnd ? e.getContextMark().or(e::getProblemMark) : e.getProblemMark().or(e::getContextMark);
      finding(file, m.map(x -> x.getLine() + 1).orElse(0), "YAML syntax: " + (e.getProblem() != null
          ? e.getProblem() : e.getContext()));
    } catch (YamlEngineException e) {
      finding(file, 0, "YAML syntax: " + e.getMessage().replace('\n', ' '));
    }
    return Optional.empty();
  }

  private static int line(Node n) {
    return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  /**
   * The entries of {@code m} by key, checked against {@code allowed} (in {@code where}, for the
   * message); unknown, duplicate and non-scalar keys are findings and left out.
   */
  private Map<String, NodeTuple> keys(Path file, MappingNode m, List<String> allowed, String where) {
    Map<String, NodeTuple> out = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        finding(file, line(t.getKeyNode()), "a key must be a plain word" + where);
        continue;
      }
      String key = k.getValue();
      NodeTuple before = out.get(key);
      if (before != null) {
        finding(file, line(k), "duplicate key " + key + where + " (also on line " + line(before.getKeyNode()) + ")");
      } else if (allowed != null && !allowed.contains(key)) {
        finding(file, line(k), "unknown key " + key + where + " (expected " + String.join(", ", allowed) + ")");
      } else {
        out.put(key, t);
      }
    }
    return out;
  }

  private static Map<String, Integer> lines(Map<String, NodeTuple> keys) {
    Map<String, Integer> out = new HashMap<>();
    keys.forEach((k, t) -> out.put(k, line(t.getKeyNode())));
    return out;
  }

  /** The text of a scalar value, null when absent or empty; a finding when it is not a scalar. */
  private String scalar(Path file, Map<String, NodeTuple> keys, String key, String path) {
    NodeTuple t = keys.get(key);
    if (t == null) {
      return null;
    }
    if (!(t.getValueNode() instanceof ScalarNode s)) {
      finding(file, line(t.getKeyNode()), path + ": expected a single value, not a list or a mapping");
      return null;
    }
    return empty(s) ? null : s.getValue();
  }

  /**
   * A YAML boolean ({@code true} or {@code false}, unquoted; absent or empty is false); anything
   * else is a finding naming the value, and false.
   */
  private boolean bool(Path file, Map<String, NodeTuple> keys, String key) {
    NodeTuple t = keys.get(key);
    if (t == null) {
      return false;
    }
    if (t.getValueNode() instanceof ScalarNode s) {
      if (empty(s)) {
        return false;
      }
      if (s.getScalarStyle() == ScalarStyle.PLAIN && (s.getValue().equals("true") || s.getValue().equals("false"))) {
        return s.getValue().equals("true");
      }
      finding(file, line(t.getKeyNode()), key + ": expected true or false, got \"" + s.getValue()
          + "\"");
      return false;
    }
    finding(file, line(t.getKeyNode()), key + ": expected true or false, not a list or a mapping");
    return false;
  }

  private static boolean empty(ScalarNode s) {
    return s.getScalarStyle() == ScalarStyle.PLAIN && (s.getValue().isEmpty() || s.getValue().equals("~")
        || s.getValue().equals("null"));
  }

  private List<String> list(Path file, Map<String, NodeTuple> keys, String key, String path) {
    NodeTuple t = keys.get(key);
    if (t == null) {
      return List.of();
    }
    if (!(t.getValueNode() instanceof SequenceNode seq)) {
      if (t.getValueNode() instanceof ScalarNode s && empty(s)) {
        return List.of();
      }
      finding(file, line(t.getKeyNode()), path + ": expected a list");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Node n : seq.getValue()) {
      if (n instanceof ScalarNode s && !empty(s)) {
        out.add(s.getValue());
      } else {
        finding(file, line(n), path + ": each item must be a single value");
      }
    }
    return out;
  }

  private Optional<MappingNode> mapping(Path file, Map<String, NodeTuple> keys, String key, String path) {
    NodeTuple t = keys.get(key);
    if (t == null) {
      return Optional.empty();
    }
    if (t.getValueNode() instanceof MappingNode m) {
      return Optional.of(m);
    }
    if (!(t.getValueNode() instanceof ScalarNode s && empty(s))) {
      finding(file, line(t.getKeyNode()), path + ": expected a mapping");
    }
    return Optional.empty();
  }

  private String id(Path file, Map<String, NodeTuple> keys, MappingNode m, String what) {
    String id = scalar(file, keys, "id", "id");
    if (id == null) {
      finding(file, keys.containsKey("id") ? line(keys.get("id").getKeyNode()) : line(m), what + " has no id");
      return null;
    }
    if (!ID.matcher(id).matches()) {
      finding(file, line(keys.get("id").getKeyNode()), "id \"" + id
          + "\": expected letters, digits, . _ and -, starting with a letter or digit (at most 64)");
      return null;
    }
    return id;
  }

  private static final List<String> PROFILE_KEYS = List.of("id", "name", "boot", "cloud_config", "install_once");
  private static final List<String> BOOT_KEYS = List.of("kernel", "initrd", "args");

  private Optional<Profile> profile(Path file) {
    Optional<MappingNode> doc = document(file);
    if (doc.isEmpty()) {
      return Optional.empty();
    }
    Map<String, NodeTuple> keys = keys(file, doc.get(), PROFILE_KEYS, "");
    String id = id(file, keys, doc.get(), "the profile");
    String name = scalar(file, keys, "name", "name");
    String cloudConfig = scalar(file, keys, "cloud_config", "cloud_config");
    boolean installOnce = bool(file, keys, "install_once");
    Map<String, Integer> lines = new HashMap<>(lines(keys));
    String kernel = null;
    List<String> initrd = List.of();
    List<String> args = List.of();
    Optional<MappingNode> boot = mapping(file, keys, "boot", "boot");
    if (boot.isPresent()) {
      Map<String, NodeTuple> b = keys(file, boot.get(), BOOT_KEYS, " in boot");
      kernel = scalar(file, b, "kernel", "boot.kernel");
      initrd = list(file, b, "initrd", "boot.initrd");
      args = list(file, b, "args", "boot.args");
      lines(b).forEach(lines::put);
    }
    if (id == null) {
      return Optional.empty();
    }
    return Optional.of(new Profile(id, name == null ? id : name, kernel, initrd, args, cloudConfig, installOnce,
        new Source(name(file), line(doc.get()), lines)));
  }

  private static final List<String> GROUP_KEYS = List.of("id", "name", "profile", "selector", "metadata", "update");
  private static final List<String> UPDATE_KEYS = List.of("group", "server");

  private Optional<Group> group(Path file) {
    Optional<MappingNode> doc = document(file);
    if (doc.isEmpty()) {
      return Optional.empty();
    }
    Map<String, NodeTuple> keys = keys(file, doc.get(), GROUP_KEYS, "");
    String id = id(file, keys, doc.get(), "the group");
    String name = scalar(file, keys, "name", "name");
    String profile = scalar(file, keys, "profile", "profile");
    Selector selector = Selector.DEFAULT;
    Optional<MappingNode> sel = mapping(file, keys, "selector", "selector");
    boolean selectorOk = true;
    if (sel.isPresent()) {
      Map<String, String> given = new TreeMap<>();
      Map<String, NodeTuple> s = keys(file, sel.get(), null, " in selector");
      for (String k : s.keySet()) {
        String v = scalar(file, s, k, "selector." + k);
        given.put(k, v == null ? "" : v);
      }
      try {
        selector = Selector.of(given);
      } catch (IllegalArgumentException e) {
        finding(file, line(keys.get("selector").getKeyNode()), e.getMessage());
        selectorOk = false;
      }
    }
    SortedMap<String, String> metadata = new TreeMap<>();
    mapping(file, keys, "metadata", "metadata").ifPresent(m -> flatten(file, m, "", metadata, 0));
    Group.Update update = null;
    Optional<MappingNode> up = mapping(file, keys, "update", "update");
    if (up.isPresent()) {
      Map<String, NodeTuple> u = keys(file, up.get(), UPDATE_KEYS, " in update");
      update = new Group.Update(scalar(file, u, "group", "update.group"), scalar(file, u, "server", "update.server"));
    }
    if (id == null || !selectorOk) {
      return Optional.empty();
    }
    return Optional.of(new Group(id, name == null ? id : name, profile, selector, metadata, update,
        new Source(name(file), line(doc.get()), lines(keys))));
  }

  /** Nested metadata as dotted keys; lists are findings. */
  private void flatten(Path file, MappingNode m, String prefix, SortedMap<String, String> out, int depth) {
    Map<String, NodeTuple> keys = keys(file, m, null, prefix.isEmpty() ? " in metadata" : " in metadata." + prefix);
    for (Map.Entry<String, NodeTuple> e : keys.entrySet()) {
      String k = e.getKey();
      int line = line(e.getValue().getKeyNode());
      String path = prefix.isEmpty() ? k : prefix + "." + k;
      if (!META_KEY.matcher(k).matches()) {
        finding(file, line, "metadata key " + path + ": expected letters, digits and _, starting with a letter or _"
            + " (templates use it as ${" + path + "})");
        continue;
      }
      Node v = e.getValue().getValueNode();
      if (v instanceof ScalarNode s) {
        out.put(path, empty(s) ? "" : s.getValue());
      } else if (v instanceof MappingNode nested && depth < 8) {
        flatten(file, nested, path, out, depth + 1);
      } else if (v instanceof MappingNode) {
        finding(file, line, "metadata." + path + ": nested deeper than 8 levels");
      } else {
        finding(file, line, "metadata." + path + ": a list; metadata values are single values or mappings");
      }
    }
  }
}
