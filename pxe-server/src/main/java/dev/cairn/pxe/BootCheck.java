package dev.cairn.pxe;

import dev.cairn.cloudconfig.CloudConfig;
import dev.cairn.cloudconfig.Diagnostic;
import dev.cairn.cloudconfig.Templates;
import dev.cairn.cloudconfig.YamlTemplates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The checks on a set of boot data that need more than one file: ids, references between files,
 * selectors, assets, and that each template renders for each group that uses it. Each finding
 * names a file, the line when there is one, and the reason.
 *
 * <p>A template <em>renders</em> for a group when, with the group's metadata, a stand-in value for
 * every label name and {@code server}:
 * <ol>
 *   <li>every {@code ${name}} in braces in a value is the group's metadata, a label name (built in,
 *       or used by any selector) or {@code server}: braces say "fill this in", so an unknown one is
 *       a typo. {@code $name} without braces that is none of these is left as written, for the
 *       machine ({@code $private_ipv4}) or a script ({@code $HOME}); so is anything in a comment;</li>
 *   <li>every value can be put in without changing the YAML structure (always, but in a
 *       {@code #!} script: see {@link YamlTemplates});</li>
 *   <li>the validator finds no error in the result (warnings are allowed);</li>
 *   <li>with the group's {@code update:}, the update settings can be added and the result still has
 *       no error.</li>
 * </ol>
 * Label values are the machine's, so a render can still be refused at request time (a label value
 * that cannot go into a script, say): that machine gets an error, and the log says why.
 */
public final class BootCheck {
  /** The stand-in for {@code server} when templates are checked. */
  public static final String SERVER_STAND_IN = "http://cairn.invalid:8080";

  private BootCheck() {}

  /** The data made of what could be read, and every finding: the reader's and these checks'. */
  public record Checked(BootData data, List<Finding> findings) {
    public boolean clean() {
      return findings.isEmpty();
    }
  }

  public static Checked check(List<Profile> profiles, List<Group> groups, List<Template> templates, Assets assets,
      List<Finding> readFindings) {
    List<Finding> out = new ArrayList<>(readFindings);
    BootData data = new BootData(profiles, groups, templates);
    duplicates(profiles, groups, templates, out);
    for (Profile p : data.profiles()) {
      profile(p, data, assets, out);
    }
    for (Group g : data.groups()) {
      group(g, data, out);
    }
    selectors(data.groups(), out);
    renders(data, out);
    out.sort(null);
    return new Checked(data, List.copyOf(new java.util.LinkedHashSet<>(out)));
  }

  private static void duplicates(List<Profile> profiles, List<Group> groups, List<Template> templates,
      List<Finding> out) {
    Map<String, Profile> p = new HashMap<>();
    for (Profile x : profiles) {
      Profile first = p.putIfAbsent(x.id(), x);
      if (first != null) {
        out.add(x.source().at("id", "profile id " + x.id() + " is taken by " + first.source().where("id")));
      }
    }
    Map<String, Group> g = new HashMap<>();
    for (Group x : groups) {
      Group first = g.putIfAbsent(x.id(), x);
      if (first != null) {
        out.add(x.source().at("id", "group id " + x.id() + " is taken by " + first.source().where("id")));
      }
    }
    Map<String, Template> t = new HashMap<>();
    for (Template x : templates) {
      Template first = t.putIfAbsent(x.name(), x);
      if (first != null) {
        out.add(new Finding(x.file(), 0, "template name " + x.name() + " is taken by " + first.file()));
      }
    }
  }

  private static void profile(Profile p, BootData data, Assets assets, List<Finding> out) {
    if (p.kernel() == null) {
      out.add(p.source().at("boot", "boot.kernel is missing"));
    } else {
      bootFile(p, "kernel", p.kernel(), assets, out);
    }
    for (String i : p.initrd()) {
      bootFile(p, "initrd", i, assets, out);
    }
    for (String a : p.args()) {
      if (a.isEmpty() || a.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
        out.add(p.source().at("args", "argument \"" + Labels.printable(a)
            + "\" is empty or has a blank or a control character; write one argument per list item"));
      }
    }
    if (p.installOnce() && p.args().stream().anyMatch(a -> a.startsWith(IpxeScripts.INSTALLED_ARG + "="))) {
      out.add(p.source().at("args", "the profile is install_once, and the server appends "
          + IpxeScripts.INSTALLED_ARG + "= itself; remove it from boot.args"));
    }
    if (p.cloudConfig() != null && data.template(p.cloudConfig()).isEmpty()) {
      out.add(p.source().at("cloud_config", "cloud_config names template " + p.cloudConfig()
          + ", which does not exist (expected templates/" + p.cloudConfig() + ".yaml)"));
    }
  }

  private static void bootFile(Profile p, String key, String value, Assets assets, List<Finding> out) {
    try {
      if (AssetPaths.isUrl(value)) {
        AssetPaths.checkUrl(value);    // not fetched: a URL kernel is the operator's to keep
      } else {
        AssetPaths.segments(value);
        if (!assets.exists(value)) {
          out.add(p.source().at(key, key + " " + value + " is not a file in " + assets.where()));
        }
      }
    } catch (IllegalArgumentException e) {
      out.add(p.source().at(key, key + ": " + e.getMessage()));
    }
  }

  private static void group(Group g, BootData data, List<Finding> out) {
    if (g.profile() != null && data.profile(g.profile()).isEmpty()) {
      out.add(g.source().at("profile", "profile " + g.profile() + " does not exist"));
    }
    if (g.metadata().containsKey(Variables.SERVER)) {
      out.add(g.source().at("metadata", "metadata key server is taken: it is the server's public URL"));
    }
    Map<String, String> env = new HashMap<>();
    for (String k : g.metadata().keySet()) {
      String other = env.putIfAbsent(Variables.envName(k), k);
      if (other != null) {
        out.add(g.source().at("metadata", "metadata keys " + other + " and " + k + " are both "
            + Variables.envName(k) + " in /metadata"));
      }
    }
    if (g.update() != null) {
      for (String v : new String[] {g.update().group(), g.update().server()}) {
        if (v != null && v.chars().anyMatch(Character::isISOControl)) {
          out.add(g.source().at("update", "update: a control character in \"" + Labels.printable(v) + "\""));
        }
      }
      if (g.update().server() != null && !AssetPaths.isUrl(g.update().server())) {
        out.add(g.source().at("update", "update.server \"" + g.update().server() + "\" is not an http(s) URL"));
      }
    }
  }

  private static void selectors(List<Group> groups, List<Finding> out) {
    Map<Selector, Group> seen = new HashMap<>();
    for (Group g : groups) {
      Group first = seen.putIfAbsent(g.selector(), g);
      if (first == null) {
        continue;
      }
      out.add(g.source().at("selector", g.selector().isDefault()
          ? "a second default group (no selector): " + first.id() + " in " + first.source().where("id") + " is the default"
          : "the same selector as group " + first.id() + " in " + first.source().where("selector")
              + " (" + g.selector() + "); a machine could not tell them apart"));
    }
  }

  /** Each template rendered for each group that uses it; the same finding for many groups is one finding. */
  private static void renders(BootData data, List<Finding> out) {
    Map<Finding, List<String>> byFinding = new LinkedHashMap<>();
    Map<List<String>, List<Finding>> cache = new HashMap<>();
    Set<String> used = new HashSet<>();
    for (Group g : data.groups()) {
      Profile p = g.profile() == null ? null : data.profile(g.profile()).orElse(null);
      Template t = p == null || p.cloudConfig() == null ? null : data.template(p.cloudConfig()).orElse(null);
      if (t == null) {
        continue;
      }
      used.add(t.name());
      Map<String, String> vars = standIns(g, data);
      List<String> key = cacheKey(t, vars, g.update());
      List<Finding> found = cache.get(key);
      if (found == null) {
        found = render(t, vars, g);
        cache.put(key, found);
      }
      for (Finding f : found) {
        byFinding.computeIfAbsent(f, k -> new ArrayList<>()).add(g.id());
      }
    }
    byFinding.forEach((f, ids) -> out.add(new Finding(f.file(), f.line(), forGroups(ids) + ": " + f.reason())));
    for (Template t : data.templates()) {
      if (!used.contains(t.name())) {
        // No group's values to render it with: only what is wrong whatever the values.
        for (Diagnostic d : CloudConfig.validate(t.text(), t.file())) {
          if (d.level() == Diagnostic.Level.ERROR && d.message().startsWith("YAML syntax")) {
            out.add(new Finding(t.file(), d.line(), d.message() + " (a template no group uses)"));
          }
        }
      }
    }
  }

  /** The variables of a machine of {@code g} for the check: its selector's values, stand-ins for other labels. */
  static Map<String, String> standIns(Group g, BootData data) {
    Map<String, String> labels = new TreeMap<>();
    for (String n : data.labelNames()) {
      labels.put(n, switch (n) {
        case Labels.MAC -> "52:54:00:00:00:01";
        case Labels.UUID -> "00000000-0000-4000-8000-000000000001";
        case Labels.HOSTNAME -> "node-1";
        case Labels.SERIAL -> "SN0001";
        case Labels.ARCH -> "x86_64";
        default -> "x";
      });
    }
    labels.putAll(g.selector().labels());
    return Variables.forTemplate(g, new Labels(new TreeMap<>(labels)), Set.of(), SERVER_STAND_IN);
  }

  /** What a render depends on: the template, the values of the names it uses, and the update settings. */
  private static List<String> cacheKey(Template t, Map<String, String> vars, Group.Update update) {
    List<String> key = new ArrayList<>();
    key.add(t.name());
    for (String name : new TreeSet<>(Templates.references(t.text()).stream().map(Templates.Reference::name).toList())) {
      key.add(name);
      key.add(vars.containsKey(name) ? "=" + vars.get(name) : "-");
    }
    key.add(update == null ? "-" : "update " + update.group() + " " + update.server());
    return key;
  }

  private static List<Finding> render(Template t, Map<String, String> vars, Group g) {
    List<Finding> found = new ArrayList<>();
    for (Templates.Reference ref : YamlTemplates.valueReferences(t.text())) {
      if (ref.braced() && !ref.escaped() && !vars.containsKey(ref.name())) {
        found.add(new Finding(t.file(), ref.line(), "${" + ref.name()
            + "} is not in the group's metadata, and is not a label name or server"));
      }
    }
    if (!found.isEmpty()) {
      return found;
    }
    CloudConfigs.Attempt a = CloudConfigs.attempt(t, vars, g.update(), SERVER_STAND_IN);
    for (Diagnostic d : a.errors()) {
      if (a.updateStep()) {
        found.add(g.source().at("update", "with this group's update settings the cloud-config of template "
            + t.name() + " has an error: " + d.message()
            + (d.line() > 1 ? " (line " + d.line() + " of the config with them)" : "")));
      } else {
        found.add(new Finding(t.file(), d.line(), d.message()));
      }
    }
    return found;
  }

  private static String forGroups(List<String> ids) {
    if (ids.size() == 1) {
      return "for group " + ids.get(0);
    }
    List<String> shown = ids.subList(0, Math.min(3, ids.size()));
    String more = ids.size() > 3 ? " and " + (ids.size() - 3) + " more" : "";
    return "for groups " + String.join(", ", shown) + more;
  }
}
