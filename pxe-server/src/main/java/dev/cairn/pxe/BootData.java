package dev.cairn.pxe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One loaded set of boot data: profiles, groups and templates, and the index that matches a
 * machine to its group ({@link GroupIndex}). Immutable: a reload builds a new one, and requests use
 * whichever set they started with. Made by {@link BootCheck#check}, which also says what is wrong
 * with it; a set with findings is never served.
 */
public final class BootData {
  public static final BootData EMPTY = new BootData(List.of(), List.of(), List.of());

  private final Map<String, Profile> profiles;
  private final List<Group> groups;
  private final Map<String, Template> templates;
  private final GroupIndex index;
  private final Set<String> labelNames;

  /** The first of each id or name counts; a later duplicate is left out (and is a finding). */
  BootData(List<Profile> profiles, List<Group> groups, List<Template> templates) {
    Map<String, Profile> p = new LinkedHashMap<>();
    profiles.forEach(x -> p.putIfAbsent(x.id(), x));
    Map<String, Group> g = new LinkedHashMap<>();
    groups.forEach(x -> g.putIfAbsent(x.id(), x));
    Map<String, Template> t = new LinkedHashMap<>();
    templates.forEach(x -> t.putIfAbsent(x.name(), x));
    this.profiles = Collections.unmodifiableMap(p);
    this.groups = List.copyOf(g.values());
    this.templates = Collections.unmodifiableMap(t);
    this.index = new GroupIndex(this.groups);
    Set<String> names = new TreeSet<>(Labels.BUILT_IN);
    this.groups.forEach(x -> names.addAll(x.selector().labels().keySet()));
    this.labelNames = Collections.unmodifiableSet(names);
  }

  /** The group and profile for {@code labels}, or why there are none. */
  public Match match(Labels labels) {
    Group g = index.match(labels);
    if (g == null) {
      return new Match(Match.Kind.NO_GROUP, null, null, labels);
    }
    Profile p = g.profile() == null ? null : profiles.get(g.profile());
    return new Match(p == null ? Match.Kind.NO_PROFILE : Match.Kind.FOUND, g, p, labels);
  }

  public Optional<Profile> profile(String id) {
    return Optional.ofNullable(profiles.get(id));
  }

  public Optional<Template> template(String name) {
    return Optional.ofNullable(templates.get(name));
  }

  public List<Profile> profiles() {
    return List.copyOf(profiles.values());
  }

  public List<Group> groups() {
    return groups;
  }

  public List<Template> templates() {
    return List.copyOf(templates.values());
  }

  /**
   * The label names templates may use: the built-in ones and every name a selector uses. A label
   * a request does not carry is empty in a template.
   */
  public Set<String> labelNames() {
    return labelNames;
  }

  /** The selector shapes of the index: the lookups a request costs at most. */
  public int shapes() {
    return index.shapes();
  }

  /** {@code N profiles, N groups, N templates}. */
  public String summary() {
    return count(profiles.size(), "profile") + ", " + count(groups.size(), "group") + ", "
        + count(templates.size(), "template");
  }

  static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  static List<String> ids(List<Group> groups) {
    List<String> out = new ArrayList<>();
    groups.forEach(g -> out.add(g.id()));
    return out;
  }
}
