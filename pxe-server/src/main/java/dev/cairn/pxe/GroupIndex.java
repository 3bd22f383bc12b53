package dev.cairn.pxe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the group for a machine without looking at every group. Groups are indexed by the set of
 * label names their selector uses (their <em>shape</em>: {@code {mac}}, {@code {arch, rack}}, ...),
 * and within a shape by the values of those labels. A request looks up each shape whose names it
 * carries, once, from the largest shape down, and stops after the first size that matched: the
 * work is one hash lookup per distinct shape, however many groups there are (10,000 groups
 * selected by MAC are one shape, and one lookup).
 *
 * <p>The most selectors wins. Two groups with the same selector set are refused at load, so within
 * a shape at most one group matches; groups of different shapes with as many selectors each can
 * both match (one by MAC, another by UUID of the same machine), and then the group whose id sorts
 * first wins, so the answer never depends on the order files were read in. The group without a
 * selector, if any, is the default.
 */
final class GroupIndex {
  /**
   * The groups whose selectors use {@code names}, by their values: the value itself for a shape of
   * one name (no list to make for each request), the list of values in the order of
   * {@code names} otherwise. A hash map, whose lookups stay short whatever the values are.
   */
  private record Shape(List<String> names, String single, Map<Object, Group> byValues) {}

  private final List<Shape> shapes;
  private final Group fallback;

  /** {@code groups} have distinct selectors (at most one default); a later duplicate is ignored. */
  GroupIndex(List<Group> groups) {
    Map<List<String>, Map<Object, Group>> byShape = new LinkedHashMap<>();
    Group def = null;
    for (Group g : groups) {
      if (g.selector().isDefault()) {
        def = def == null ? g : def;
        continue;
      }
      List<String> names = g.selector().names();
      List<String> values = new ArrayList<>(names.size());
      for (String n : names) {
        values.add(g.selector().labels().get(n));
      }
      byShape.computeIfAbsent(List.copyOf(names), k -> new HashMap<>())
          .putIfAbsent(values.size() == 1 ? values.get(0) : List.copyOf(values), g);
    }
    List<Shape> list = new ArrayList<>();
    byShape.forEach((names, byValues) -> list.add(new Shape(names, names.size() == 1 ? names.get(0) : null,
        Collections.unmodifiableMap(byValues))));
    list.sort(Comparator.comparingInt((Shape s) -> -s.names.size()).thenComparing(s -> String.join(",", s.names)));
    this.shapes = List.copyOf(list);
    this.fallback = def;
  }

  /** The group for {@code labels}, or null when none matches and there is no default group. */
  Group match(Labels labels) {
    Map<String, String> have = labels.values();
    Group best = null;
    int bestSize = 0;
    List<String> values = null;
    for (Shape s : shapes) {
      int size = s.names.size();
      if (best != null && size < bestSize) {
        break;
      }
      if (size > have.size()) {
        continue;
      }
      if (s.single != null) {
        String v = have.get(s.single);
        Group g = v == null ? null : s.byValues.get(v);
        if (g != null && (best == null || g.id().compareTo(best.id()) < 0)) {
          best = g;
          bestSize = size;
        }
        continue;
      }
      if (values == null) {
        values = new ArrayList<>(size);
      }
      values.clear();
      for (String n : s.names) {
        String v = have.get(n);
        if (v == null) {
          break;
        }
        values.add(v);
      }
      if (values.size() != size) {
        continue;
      }
      Group g = s.byValues.get(values);
      if (g != null && (best == null || g.id().compareTo(best.id()) < 0)) {
        best = g;
        bestSize = size;
      }
    }
    return best != null ? best : fallback;
  }

  /** How many distinct selector shapes there are: the lookups a request costs at most. */
  int shapes() {
    return shapes.size();
  }
}
