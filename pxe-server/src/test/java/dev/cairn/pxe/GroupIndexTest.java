package dev.cairn.pxe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The matching index against the rule itself, written the slow way ({@link #scan}: every group,
 * all selectors must match, most selectors win, ties to the id that sorts first, else the
 * default), on 10,000 groups of mixed shapes and 1,500 machines, most of which some group
 * selects and some of which match several groups at once.
 */
class GroupIndexTest {
  static final String[] ARCHES = {"x86_64", "arm64"};

  /** The rule, by brute force; {@code matched[0]} counts the groups with selectors that match. */
  static Group scan(List<Group> groups, Labels labels, int[] matched) {
    Group best = null;
    for (Group g : groups) {
      if (!g.selector().matches(labels)) {
        continue;
      }
      if (!g.selector().isDefault()) {
        matched[0]++;
      }
      if (best == null || g.selector().size() > best.selector().size()
          || g.selector().size() == best.selector().size() && g.id().compareTo(best.id()) < 0) {
        best = g;
      }
    }
    return best;
  }

  static Group group(String id, Map<String, String> selector) {
    return new Group(id, id, "p", Selector.of(selector), new TreeMap<>(), null, Source.of("boot/groups/" + id + ".yaml"));
  }

  static String mac(int i) {
    return String.format("52:54:%02x:%02x:%02x:%02x", (i >> 24) & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
  }

  @Test
  void tenThousandGroups_matchAsTheRuleSays() {
    Random rnd = new Random(42);
    List<Group> groups = new ArrayList<>();
    // 6,000 machines by MAC, 2,000 by UUID, 1,000 by hostname and arch, 990 by rack, row and arch, 9 by serial,
    // and one default: ids in an order unrelated to the shapes, so ties are decided by id, not by position.
    for (int i = 0; i < 6000; i++) {
      groups.add(group(String.format("g%05d", rnd.nextInt(100000)) + "-mac" + i, Map.of("mac", mac(i))));
    }
    for (int i = 0; i < 2000; i++) {
      groups.add(group(String.format("g%05d", rnd.nextInt(100000)) + "-uuid" + i,
          Map.of("uuid", String.format("00000000-0000-4000-8000-%012d", i))));
    }
    for (int i = 0; i < 1000; i++) {
      groups.add(group("host" + i, Map.of("hostname", "node-" + i, "arch", ARCHES[i % 2])));
    }
    for (int i = 0; i < 990; i++) {
      groups.add(group("rack" + i, Map.of("rack", "r" + (i / 10), "row", "" + (i % 10), "arch", ARCHES[i % 2])));
    }
    for (int i = 0; i < 9; i++) {
      groups.add(group("serial" + i, Map.of("serial", "SN" + i)));
    }
    groups.add(group("default", Map.of()));
    java.util.Collections.shuffle(groups, rnd);
    assertEquals(10_000, groups.size());
    BootData data = new BootData(List.of(), groups, List.of());
    assertEquals(5, data.shapes());    // a request costs at most five lookups, whatever the number of groups

    Map<String, Integer> byGroup = new HashMap<>();
    int multi = 0;
    for (int n = 0; n < 1_500; n++) {
      Map<String, String> labels = new TreeMap<>();
      int i = rnd.nextInt(7000);    // some MACs no group selects
      labels.put("mac", mac(i));
      if (rnd.nextInt(3) == 0) {
        labels.put("uuid", String.format("00000000-0000-4000-8000-%012d", rnd.nextInt(2500)));
      }
      if (rnd.nextInt(3) == 0) {
        labels.put("hostname", "node-" + rnd.nextInt(1200));
      }
      labels.put("arch", ARCHES[rnd.nextInt(2)]);
      if (rnd.nextInt(4) == 0) {
        labels.put("rack", "r" + rnd.nextInt(110));
        labels.put("row", "" + rnd.nextInt(10));
      }
      if (rnd.nextInt(50) == 0) {
        labels.put("serial", "SN" + rnd.nextInt(12));
      }
      Labels l = Labels.of(labels);
      int[] matched = {0};
      Group expected = scan(groups, l, matched);
      Match m = data.match(l);
      assertEquals(expected.id(), m.group().id(), l.describe());
      byGroup.merge(expected.selector().names().toString(), 1, Integer::sum);
      if (matched[0] > 1) {
        multi++;
      }
    }
    // every shape won some requests, the default included, and many requests matched several groups
    assertEquals(6, byGroup.size(), byGroup::toString);
    assertTrue(multi > 75, "requests matching several groups: " + multi);
  }

  @Test
  void withoutADefault_aMachineNoGroupSelects_matchesNothing() {
    BootData data = new BootData(List.of(), List.of(group("a", Map.of("mac", mac(1)))), List.of());
    Match m = data.match(Labels.of(Map.of("mac", mac(2))));
    assertEquals(Match.Kind.NO_GROUP, m.kind());
    assertEquals("no group matches mac=52:54:00:00:00:02, and there is no default group", m.reason());
  }

  @Test
  void aGroupWhoseProfileIsNotLoaded_isNoProfile() {
    BootData data = new BootData(List.of(), List.of(group("a", Map.of())), List.of());
    Match m = data.match(Labels.NONE);
    assertEquals(Match.Kind.NO_PROFILE, m.kind());
    assertEquals("group a matches (no labels) but names no profile", m.reason());
  }

  @Test
  void ties_goToTheIdThatSortsFirst_whateverTheOrderOfTheFiles() {
    List<Group> groups = new ArrayList<>(List.of(group("b-mac", Map.of("mac", mac(1))),
        group("a-uuid", Map.of("uuid", "u1")), group("c-serial", Map.of("serial", "s1"))));
    for (int turn = 0; turn < 3; turn++) {
      java.util.Collections.rotate(groups, 1);
      BootData data = new BootData(List.of(), groups, List.of());
      assertEquals("a-uuid", data.match(Labels.of(Map.of("mac", mac(1), "uuid", "U1", "serial", "s1"))).group().id());
      assertEquals("b-mac", data.match(Labels.of(Map.of("mac", mac(1), "serial", "s1"))).group().id());
    }
  }
}
