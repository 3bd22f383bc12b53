package dev.cairn.cloudconfig;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The cloud-config library: validate, render a template, and derive /etc/coreos/update.conf.
 * Every function is pure and thread-safe.
 */
public final class CloudConfig {
  /** Documents larger than this are refused unread. */
  public static final int MAX_BYTES = 4 << 20;

  private CloudConfig() {}

  /** Every finding, sorted by line and column; an error means the config must not be served. */
  public static List<Diagnostic> validate(String text, String sourceName) {
    return Validator.validate(text, sourceName);
  }

  /** A rendered template: its text and what validating it found. */
  public record Rendered(String text, List<Diagnostic> diagnostics) {
    public boolean valid() {
      return diagnostics.stream().noneMatch(d -> d.level() == Diagnostic.Level.ERROR);
    }
  }

  /** {@link #render(String, Map, String)} for a template with no file name. */
  public static Rendered render(String template, Map<String, String> variables) {
    return render(template, variables, "template");
  }

  /** Substitutes {@code variables} into {@code template} (see {@link Templates}) and validates the result. */
  public static Rendered render(String template, Map<String, String> variables, String sourceName) {
    String text = Templates.substitute(template, variables);
    return new Rendered(text, validate(text, sourceName));
  }

  /**
   * Substitutes {@code variables} into {@code template} so that no value can change the YAML
   * structure ({@link YamlTemplates}), and validates the result. When a value cannot be put in,
   * the text is the template unchanged and the diagnostics say why (errors, so it is not valid).
   */
  public static Rendered renderYaml(String template, Map<String, String> variables, String sourceName) {
    YamlTemplates.Substituted s = YamlTemplates.substitute(template, variables, sourceName);
    if (!s.ok()) {
      return new Rendered(s.text(), s.problems());
    }
    return new Rendered(s.text(), validate(s.text(), sourceName));
  }

  /**
   * {@code config} with {@code coreos.update.group} and {@code coreos.update.server} added where it
   * leaves them out; a null value adds nothing. The rest of the text is kept as written (see
   * {@link UpdateDefaults}). Throws IllegalArgumentException when they cannot be added as lines:
   * a {@code #!} script, a document that does not parse, or a {@code coreos} or {@code update}
   * written in flow style or taken from a merge key.
   */
  public static String withUpdateDefaults(String config, String group, String server) {
    return UpdateDefaults.apply(config, group, server);
  }

  /**
   * The /etc/coreos/update.conf that {@code coreos.update} and {@code coreos.locksmith} ask for:
   * {@code GROUP=}, {@code REBOOT_STRATEGY=}, {@code SERVER=} and {@code LOCK_SERVER=} from the
   * first, and locksmithd's own names from the second ({@code endpoint} becomes {@code
   * LOCKSMITHD_ENDPOINT=}, {@code window_start} {@code LOCKSMITHD_REBOOT_WINDOW_START=}, and so
   * on, as coreos-cloudinit hands them to locksmithd), sorted by key, only those set; empty when
   * the config has neither section or does not validate.
   */
  public static Optional<String> updateConf(String config) {
    if (validate(config, "config").stream().anyMatch(d -> d.level() == Diagnostic.Level.ERROR)) {
      return Optional.empty();
    }
    YamlReader.Result r = YamlReader.read(config, "config");
    if (!(r.root() instanceof YamlNode.Mapping root)) {
      return Optional.empty();
    }
    YamlNode.Mapping update = mapping(mapping(root, "coreos"), "update");
    YamlNode.Mapping locksmith = mapping(mapping(root, "coreos"), "locksmith");
    Map<String, String> lines = new TreeMap<>();
    put(lines, update, key -> switch (key) {
      case "group" -> "GROUP";
      case "reboot_strategy" -> "REBOOT_STRATEGY";
      case "server" -> "SERVER";
      case "lock_server" -> "LOCK_SERVER";
      default -> null;
    });
    put(lines, locksmith, key -> switch (key) {
      case "window_start" -> "LOCKSMITHD_REBOOT_WINDOW_START";
      case "window_length" -> "LOCKSMITHD_REBOOT_WINDOW_LENGTH";
      case "endpoint", "group", "etcd_cafile", "etcd_certfile", "etcd_keyfile", "etcd_username", "etcd_password" ->
          "LOCKSMITHD_" + key.toUpperCase(java.util.Locale.ROOT);
      default -> null;
    });
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder();
    lines.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return Optional.of(b.toString());
  }

  /** The section's scalars that {@code env} names, as update.conf lines. */
  private static void put(Map<String, String> lines, YamlNode.Mapping section,
      java.util.function.Function<String, String> env) {
    if (section == null) {
      return;
    }
    for (YamlNode.Entry e : Validator.merged(section).entries()) {
      String name = env.apply(e.key().value().replace('-', '_'));
      if (name != null && e.value() instanceof YamlNode.Scalar s && !s.value().isEmpty()
          && Yaml11.type(s) != Yaml11.Type.NULL) {
        lines.put(name, s.value());
      }
    }
  }

  private static YamlNode.Mapping mapping(YamlNode.Mapping m, String key) {
    if (m == null) {
      return null;
    }
    YamlNode.Mapping found = null;
    for (YamlNode.Entry e : Validator.merged(m).entries()) {
      if (e.key().value().replace('-', '_').equals(key)) {
        found = e.value() instanceof YamlNode.Mapping v ? v : null;
      }
    }
    return found;
  }
}
