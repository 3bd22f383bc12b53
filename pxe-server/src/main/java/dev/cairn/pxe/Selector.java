package dev.cairn.pxe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A group's selector: label names and the values a machine must carry, all of them, for the group
 * to match. Values are normalised as {@link Labels} normalises them, so {@code mac: 52-54-00-...}
 * in a file matches a machine that sends {@code 52:54:00:...}. No labels: the default group.
 */
public record Selector(SortedMap<String, String> labels) {
  public Selector {
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
  }

  public static final Selector DEFAULT = new Selector(new TreeMap<>());

  /** IllegalArgumentException names the label and what was expected (a bad MAC, an empty value). */
  public static Selector of(Map<String, String> given) {
    SortedMap<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : given.entrySet()) {
      String name = Labels.checkName(e.getKey(), "selector");
      String v = e.getValue();
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException("selector " + name + ": an empty value matches nothing (machines that"
            + " send an empty label are taken as not sending it)");
      }
      out.put(name, Labels.normalise(name, v));
    }
    return new Selector(out);
  }

  public boolean isDefault() {
    return labels.isEmpty();
  }

  public int size() {
    return labels.size();
  }

  /** Whether {@code machine} carries every label of this selector with its value. */
  public boolean matches(Labels machine) {
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!e.getValue().equals(machine.values().get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The label names, sorted. */
  public List<String> names() {
    return new ArrayList<>(labels.keySet());
  }

  @Override
  public String toString() {
    if (labels.isEmpty()) {
      return "(default: no selector)";
    }
    StringBuilder b = new StringBuilder();
    labels.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(Labels.printable(v)));
    return b.toString();
  }
}
