package dev.cairn.pxe;

import java.util.Collections;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A machine's variables, for its templates and {@code /metadata}: its labels, its group's metadata
 * (which wins over a label of the same name: a machine cannot override what the operator wrote),
 * and {@code server}, the public URL (which wins over both).
 */
public final class Variables {
  public static final String SERVER = "server";

  private Variables() {}

  /**
   * For a template: every name in {@code labelNames} (empty when the machine did not send it), the
   * machine's labels, the group's metadata and {@code server}.
   */
  public static SortedMap<String, String> forTemplate(Group group, Labels labels, Set<String> labelNames, String server) {
    SortedMap<String, String> vars = new TreeMap<>();
    labelNames.forEach(n -> vars.put(n, ""));
    vars.putAll(labels.values());
    vars.putAll(group.metadata());
    vars.put(SERVER, AssetPaths.trim(server));
    return Collections.unmodifiableSortedMap(vars);
  }

  /**
   * For {@code /metadata}, by their {@link #envName}: the labels the machine sent, the group's
   * metadata and {@code SERVER}, each winning over the one before when their names meet.
   */
  public static SortedMap<String, String> forMetadata(Group group, Labels labels, String server) {
    SortedMap<String, String> vars = new TreeMap<>();
    labels.values().forEach((k, v) -> vars.put(envName(k), v));
    group.metadata().forEach((k, v) -> vars.put(envName(k), v));
    vars.put(envName(SERVER), AssetPaths.trim(server));
    return Collections.unmodifiableSortedMap(vars);
  }

  /** The {@code /metadata} name of variable {@code name}: upper-cased, dots as {@code _}. */
  public static String envName(String name) {
    return name.replace('.', '_').toUpperCase(java.util.Locale.ROOT);
  }
}
