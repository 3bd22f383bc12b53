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
   * The /etc/coreos/update.conf that {@code coreos.update} asks for ({@code GROUP=}, {@code
   * REBOOT_STRATEGY=}, {@code SERVER=}, in that order, only those set), or empty when the config
   * has no update section or does not validate.
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
    if (update == null) {
      return Optional.empty();
    }
    Map<String, String> lines = new TreeMap<>();
    for (YamlNode.Entry e : Validator.merged(update).entries()) {
      String key = e.key().value().replace('-', '_');
      String env = switch (key) {
        case "group" -> "GROUP";
        case "reboot_strategy" -> "REBOOT_STRATEGY";
        case "server" -> "SERVER";
        default -> null;
      };
      if (env != null && e.value() instanceof YamlNode.Scalar s && !s.value().isEmpty()
          && Yaml11.type(s) != Yaml11.Type.NULL) {
        lines.put(env, s.value());
      }
    }
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder b = new StringBuilder();
    lines.forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
    return Optional.of(b.toString());
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
