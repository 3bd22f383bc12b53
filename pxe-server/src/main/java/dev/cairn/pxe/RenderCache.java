package dev.cairn.pxe;

import dev.cairn.cloudconfig.CloudConfig;
import dev.cairn.cloudconfig.Diagnostic;
import dev.cairn.cloudconfig.YamlTemplates;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the boot endpoints answer for one loaded set of boot data and one public URL, each answer
 * made once and kept, so a request costs a lookup rather than a render. A reload (or another public
 * URL) is a new set: the server makes a new cache for it and drops this one whole, so nothing made
 * from the files before a change is ever served after it.
 *
 * <ul>
 *   <li>{@code /boot.ipxe}: made with the cache;
 *   <li>{@code /ipxe} and {@code /grub} of a group: made on its first request and kept (one a
 *       group, so as many as the set has groups: they depend on the group and its profile only);
 *       the script for a machine nothing boots names its labels, and is made each time;
 *   <li>{@code /cloud-config}: a template's render depends on the values of the variables it uses
 *       ({@link YamlTemplates#variables}) and on the group's {@code update:} only, so renders are kept
 *       by template, update settings and those values, whatever the group and whatever else the
 *       machine sent; for a group whose metadata gives every variable its template uses (or
 *       {@code server} does), by the group alone: its machines share one render. At most
 *       {@value #MAX_CLOUD_CONFIGS} renders, of at most {@value #MAX_CLOUD_CONFIG_CHARS} characters
 *       in all, are kept ({@link BoundedCache}).
 *       Rejected renders are kept too (the findings; the message naming the machine is made for
 *       each request). Every text is validated once: validations are kept by text, bounded alike.
 * </ul>
 * Safe to use from any thread; two threads may make the same answer at once, and then one is kept.
 */
public final class RenderCache {
  /** The most cloud-config renders kept, and the most characters they hold in all. */
  public static final int MAX_CLOUD_CONFIGS = 16_384;
  public static final long MAX_CLOUD_CONFIG_CHARS = 16L << 20;

  private final BootData data;
  private final String publicUrl;
  private final String server;
  private final String boot;
  private final Map<String, String> ipxe = new ConcurrentHashMap<>();
  private final Map<String, Grub> grub = new ConcurrentHashMap<>();
  private final Map<String, String[]> variables = new ConcurrentHashMap<>();
  /** Renders by {@link ConfigKey}, or by group id for a group whose metadata gives every variable its template uses. */
  private final BoundedCache<Object, CloudConfigs.Attempt> configs = new BoundedCache<>(MAX_CLOUD_CONFIGS,
      MAX_CLOUD_CONFIG_CHARS, (k, a) -> 64 + (k instanceof ConfigKey c ? c.weight() : weight((String) k))
          + weight(a.text()) + a.diagnostics().size() * 64L);
  /** By group id: whether its metadata (and {@code server}) gives every variable of its template. */
  private final Map<String, Boolean> fixed = new ConcurrentHashMap<>();
  private final BoundedCache<Validation, List<Diagnostic>> validations = new BoundedCache<>(MAX_CLOUD_CONFIGS,
      MAX_CLOUD_CONFIG_CHARS, (k, d) -> 64 + weight(k.text()) + d.size() * 64L);

  public RenderCache(BootData data, String publicUrl) {
    this.data = data;
    this.publicUrl = publicUrl;
    this.server = AssetPaths.trim(publicUrl);
    this.boot = IpxeScripts.boot(publicUrl);
  }

  /** The set this cache answers from. */
  public BootData data() {
    return data;
  }

  /** The public URL its answers name. */
  public String publicUrl() {
    return publicUrl;
  }

  /** {@code /boot.ipxe}. */
  public String boot() {
    return boot;
  }

  /** {@code /ipxe} for {@code m}: its profile's script, or the one that says why nothing boots. */
  public String ipxe(Match m) {
    if (!m.found()) {
      return IpxeScripts.noMatch(m, publicUrl);
    }
    return ipxe.computeIfAbsent(m.group().id(), id -> IpxeScripts.profile(m.group(), m.profile(), publicUrl));
  }

  /** {@code /grub} of a group: the config, or why its profile cannot boot with GRUB. */
  public record Grub(String config, String error) {}

  /** {@code /grub} for {@code m}, a {@link Match.Kind#FOUND} match. */
  public Grub grub(Match m) {
    return grub.computeIfAbsent(m.group().id(), id -> {
      try {
        return new Grub(GrubConfigs.profile(m.group(), m.profile(), publicUrl), null);
      } catch (IllegalArgumentException e) {
        return new Grub(null, e.getMessage());
      }
    });
  }

  /** {@code /cloud-config} for {@code m}, a {@link Match.Kind#FOUND} match; as {@link CloudConfigs#render}. */
  public CloudConfigs.Result cloudConfig(Match m) {
    return CloudConfigs.render(data, m, t -> attempt(t, m, true));
  }

  /**
   * As {@link #cloudConfig}, when the answer needs no render, the render being kept (or the profile
   * naming no template); null when it needs one. For a thread that must not wait: a template of a
   * few MiB takes a while to render and validate.
   */
  public CloudConfigs.Result keptCloudConfig(Match m) {
    return CloudConfigs.render(data, m, t -> attempt(t, m, false));
  }

  /** The render of {@code t} for {@code m}: kept, else made and kept when {@code make}, else null. */
  private CloudConfigs.Attempt attempt(Template t, Match m, boolean make) {
    String[] names = variables.get(t.name());
    if (names == null) {
      if (!make) {
        return null;
      }
      names = variables.computeIfAbsent(t.name(), n -> YamlTemplates.variables(t.text()).toArray(String[]::new));
    }
    Group g = m.group();
    String[] used = names;
    Object key;
    if (fixed.computeIfAbsent(g.id(), id -> fixes(g, used))) {
      key = g.id();    // the same render for every machine of the group
    } else {
      String[] values = new String[names.length];
      for (int i = 0; i < names.length; i++) {
        values[i] = value(names[i], g, m.labels());
      }
      key = new ConfigKey(t.name(), g.update(), Arrays.asList(values));
    }
    CloudConfigs.Attempt a = configs.get(key);
    if (a != null || !make) {
      return a;
    }
    Map<String, String> vars = Variables.forTemplate(g, m.labels(), data.labelNames(), publicUrl);
    return configs.put(key, CloudConfigs.attempt(t, vars, g.update(), publicUrl, this::validate));
  }

  /** Whether {@code g}'s metadata, or {@code server}, gives each of {@code names}: no label can change them. */
  private static boolean fixes(Group g, String[] names) {
    for (String n : names) {
      if (!n.equals(Variables.SERVER) && !g.metadata().containsKey(n)) {
        return false;
      }
    }
    return true;
  }

  /**
   * The variable {@code name} as {@link Variables#forTemplate} gives it, or null when it gives none:
   * {@code server}, else the group's metadata, else the label the machine sent, else empty for a
   * label name, else none. (Metadata values are never null: the files give an empty value as "".)
   */
  private String value(String name, Group g, Labels labels) {
    if (name.equals(Variables.SERVER)) {
      return server;
    }
    String v = g.metadata().get(name);
    if (v != null) {
      return v;
    }
    v = labels.values().get(name);
    if (v != null) {
      return v;
    }
    return data.labelNames().contains(name) ? "" : null;
  }

  private List<Diagnostic> validate(String text, String source) {
    Validation key = new Validation(source, text);
    List<Diagnostic> d = validations.get(key);
    return d != null ? d : validations.put(key, CloudConfig.validate(text, source));
  }

  /** A template's render: the template, the group's update settings, the values of the variables it uses. */
  private record ConfigKey(String template, Group.Update update, List<String> values) {
    long weight() {
      long w = template.length();
      for (String v : values) {
        w += v == null ? 0 : v.length();
      }
      return w;
    }
  }

  private record Validation(String source, String text) {}

  private static long weight(String s) {
    return s.length();
  }

  /** How many renders and validations are kept (for tests). */
  int renders() {
    return configs.size();
  }

  int validations() {
    return validations.size();
  }
}
