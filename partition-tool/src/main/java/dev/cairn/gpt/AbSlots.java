package dev.cairn.gpt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The A/B rules over A/B-capable partitions (coreos-usr and chromeos-kernel types): boot-time
 * selection ({@code gptprio.next}), cgpt's prioritize, and the two steps update tooling takes.
 */
public final class AbSlots {
  private AbSlots() {}

  /** What {@link #next} decided. */
  public sealed interface Selection {
    /** Boot {@code chosen}; {@code table} is the table to write back (tries decremented). */
    record Chosen(Partition chosen, PartitionTable table, boolean triesDecremented)
        implements Selection {}

    /** Nothing can boot; {@code reason} says why, naming every slot. */
    record NoneBootable(String reason) implements Selection {}
  }

  /**
   * gptprio.next: among A/B-capable partitions with priority above 0 and either tries left or
   * successful set, the highest priority wins, ties to the lowest number. Tries are decremented
   * when above 0.
   */
  public static Selection next(PartitionTable table) {
    Partition best = null;
    for (Partition p : table.partitions()) {
      PartitionAttributes a = p.attributes();
      if (!p.abCapable() || a.priority() == 0 || (a.tries() == 0 && !a.successful())) {
        continue;
      }
      if (best == null || a.priority() > best.attributes().priority()) {
        best = p;
      }
    }
    if (best == null) {
      return new Selection.NoneBootable(describeSlots(table));
    }
    PartitionAttributes a = best.attributes();
    if (a.tries() > 0) {
      Partition after = best.withAttributes(a.withTries(a.tries() - 1));
      return new Selection.Chosen(after, table.with(after), true);
    }
    return new Selection.Chosen(best, table, false);
  }

  private static String describeSlots(PartitionTable table) {
    List<String> slots = new ArrayList<>();
    for (Partition p : table.partitions()) {
      if (p.abCapable()) {
        slots.add(p.number() + (p.label().isEmpty() ? "" : " (" + p.label() + ")") + ": "
            + p.attributes());
      }
    }
    if (slots.isEmpty()) {
      return "no bootable slot: the disk has no coreos-usr or chromeos-kernel partition";
    }
    return "no bootable slot (each needs priority > 0 and tries > 0 or successful=1): "
        + String.join("; ", slots);
  }

  /**
   * cgpt prioritize: partitions of equal priority form a group; the target (alone, or with its
   * equal-priority friends) is lifted to the top; groups are renumbered downward from
   * {@code top} (default: the number of groups, at most 15), stopping at 1 so lower groups
   * coalesce; priority-0 partitions stay 0 unless they are the target.
   *
   * @param target partition to put first, or 0 for none
   * @param top highest priority to use, or 0 for the default
   */
  public static PartitionTable prioritize(PartitionTable table, int target, int top, boolean friends) {
    if (top != 0 && (top < 1 || top > PartitionAttributes.MAX_PRIORITY)) {
      throw new IllegalArgumentException("priority -P must be 1-15, got " + top);
    }
    if (friends && target == 0) {
      throw new IllegalArgumentException("-f (friends) needs -i");
    }
    Partition targetPartition = target == 0 ? null : requireAb(table, target);
    int lifted = PartitionAttributes.MAX_PRIORITY + 1;
    Map<Integer, List<Partition>> groups = new TreeMap<>(Comparator.reverseOrder());
    for (Partition p : table.partitions()) {
      if (!p.abCapable()) {
        continue;
      }
      int key = p.attributes().priority();
      if (targetPartition != null
          && (p.number() == target || (friends && key == targetPartition.attributes().priority()))) {
        key = lifted;
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
    }
    groups.remove(0);
    int value = top != 0 ? top : Math.min(groups.size(), PartitionAttributes.MAX_PRIORITY);
    PartitionTable out = table;
    for (List<Partition> group : groups.values()) {
      for (Partition p : group) {
        out = out.with(p.withAttributes(p.attributes().withPriority(value)));
      }
      if (value > 1) {
        value--;
      }
    }
    return out;
  }

  /** After a healthy boot: successful=1, tries=0, and the slot prioritized above the others. */
  public static PartitionTable markSuccessful(PartitionTable table, int number) {
    Partition p = requireAb(table, number);
    PartitionTable t = table.with(p.withAttributes(p.attributes().withSuccessful(true).withTries(0)));
    return prioritize(t, number, 0, false);
  }

  /**
   * After writing an update into slot {@code number}: successful=0, tries=1, and a priority
   * above every other A/B slot (the others renumbered below it when 15 would be exceeded).
   */
  public static PartitionTable markUpdate(PartitionTable table, int number) {
    Partition p = requireAb(table, number);
    PartitionTable t = table.with(p.withAttributes(p.attributes().withSuccessful(false).withTries(1)));
    return prioritize(t, number, 0, false);
  }

  static Partition requireAb(PartitionTable table, int number) {
    Partition p = table.require(number);
    if (!p.abCapable()) {
      throw new IllegalArgumentException("partition " + number
          + (p.label().isEmpty() ? "" : " (" + p.label() + ")") + " has type "
          + PartitionType.describe(p.type())
          + "; A/B flags apply to coreos-usr and chromeos-kernel partitions");
    }
    return p;
  }
}
