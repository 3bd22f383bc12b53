package dev.cairn.gpt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The A/B rules over A/B-capable partitions (coreos-usr and chromeos-kernel types): boot-time
 * selection ({@code gptprio.next}), cgpt's prioritize, and the two steps update tooling takes.
 * Each rule works on the slots of one partition type at a time and never compares or renumbers
 * partitions of another type: GRUB's gptprio looks at coreos-usr partitions only, and cgpt and
 * the ChromeOS firmware at chromeos-kernel partitions only.
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

  /** gptprio.next exactly as GRUB runs it: over the coreos-usr partitions only. */
  public static Selection next(PartitionTable table) {
    return next(table, PartitionType.COREOS_USR.guid());
  }

  /**
   * gptprio.next over the partitions of {@code type}: among them, those with priority above 0 and
   * either tries left or successful set can boot; the highest priority wins, ties to the lowest
   * number. Tries are decremented when above 0. Partitions of other types are never looked at.
   *
   * @param type an A/B-capable type (see {@link #requireAbType})
   */
  public static Selection next(PartitionTable table, Guid type) {
    requireAbType(type);
    Partition best = null;
    for (Partition p : table.partitions()) {
      PartitionAttributes a = p.attributes();
      if (!p.type().equals(type) || a.priority() == 0 || (a.tries() == 0 && !a.successful())) {
        continue;
      }
      if (best == null || a.priority() > best.attributes().priority()) {
        best = p;
      }
    }
    if (best == null) {
      return new Selection.NoneBootable(describeSlots(table, type));
    }
    PartitionAttributes a = best.attributes();
    if (a.tries() > 0) {
      Partition after = best.withAttributes(a.withTries(a.tries() - 1));
      return new Selection.Chosen(after, table.with(after), true);
    }
    return new Selection.Chosen(best, table, false);
  }

  private static String describeSlots(PartitionTable table, Guid type) {
    List<String> slots = new ArrayList<>();
    for (Partition p : table.partitions()) {
      if (p.type().equals(type)) {
        slots.add(p.number() + (p.label().isEmpty() ? "" : " (" + p.label() + ")") + ": "
            + p.attributes());
      }
    }
    if (slots.isEmpty()) {
      return "no bootable slot: the disk has no " + typeName(type) + " partition";
    }
    return "no bootable slot among the " + typeName(type)
        + " partitions (each needs priority > 0 and tries > 0 or successful=1): "
        + String.join("; ", slots);
  }

  /** The alias of a known type ({@code coreos-usr}), else the GUID. */
  static String typeName(Guid type) {
    return PartitionType.of(type).map(PartitionType::alias).orElse(type.toString());
  }

  /** Refuses a type that carries no A/B flags, naming the ones that do. */
  public static Guid requireAbType(Guid type) {
    if (!PartitionType.isAbCapable(type)) {
      throw new IllegalArgumentException("type " + typeName(type)
          + " has no A/B slots; A/B flags apply to coreos-usr and chromeos-kernel partitions");
    }
    return type;
  }

  /**
   * The type {@link #prioritize} renumbers when none is given: partition {@code target}'s type,
   * else the one A/B-capable type the disk holds (coreos-usr when it holds none). A disk with
   * slots of both types is refused: which set to renumber must be said.
   *
   * @param target partition to put first, or 0 for none
   */
  public static Guid prioritizeType(PartitionTable table, int target) {
    if (target != 0) {
      return requireAb(table, target).type();
    }
    Map<Guid, List<Integer>> byType = new java.util.LinkedHashMap<>();
    for (Partition p : table.partitions()) {
      if (p.abCapable()) {
        byType.computeIfAbsent(p.type(), k -> new ArrayList<>()).add(p.number());
      }
    }
    if (byType.size() > 1) {
      List<String> sets = new ArrayList<>();
      byType.forEach((type, numbers) -> sets.add(typeName(type) + " " + numbers));
      throw new IllegalArgumentException("the disk has A/B slots of two types, "
          + String.join(" and ", sets) + "; say which to renumber with --type or -i");
    }
    return byType.isEmpty() ? PartitionType.COREOS_USR.guid() : byType.keySet().iterator().next();
  }

  /**
   * cgpt prioritize over the partitions of {@code type}: partitions of equal priority form a
   * group; the target (alone, or with its equal-priority friends) is lifted to the top; groups
   * are renumbered downward from {@code top} (default: the number of groups, at most 15),
   * stopping at 1 so lower groups coalesce; priority-0 partitions stay 0 unless they are the
   * target. Partitions of other types keep their priorities.
   *
   * @param type an A/B-capable type; the target, if any, must be of this type
   * @param target partition to put first, or 0 for none (as cgpt reads {@code -i 0})
   * @param top highest priority to use, 1-15, or empty for the default
   */
  public static PartitionTable prioritize(PartitionTable table, Guid type, int target,
      OptionalInt top, boolean friends) {
    requireAbType(type);
    checkTop(top);
    if (friends && target == 0) {
      throw new IllegalArgumentException("-f (friends) needs -i");
    }
    Partition targetPartition = target == 0 ? null : requireAb(table, target);
    if (targetPartition != null && !targetPartition.type().equals(type)) {
      throw new IllegalArgumentException("partition " + target + describeLabel(targetPartition)
          + " is a " + typeName(targetPartition.type()) + " partition, not " + typeName(type));
    }
    int lifted = PartitionAttributes.MAX_PRIORITY + 1;
    Map<Integer, List<Partition>> groups = new TreeMap<>(Comparator.reverseOrder());
    for (Partition p : table.partitions()) {
      if (!p.type().equals(type)) {
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
    int value = top.orElse(Math.min(groups.size(), PartitionAttributes.MAX_PRIORITY));
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

  /** Refuses a highest priority outside 1-15, as cgpt does; returns it unchanged. */
  public static OptionalInt checkTop(OptionalInt top) {
    if (top.isPresent() && (top.getAsInt() < 1 || top.getAsInt() > PartitionAttributes.MAX_PRIORITY)) {
      throw new IllegalArgumentException("priority -P must be 1-15, got " + top.getAsInt());
    }
    return top;
  }

  private static String describeLabel(Partition p) {
    return p.label().isEmpty() ? "" : " (" + p.label() + ")";
  }

  /**
   * After a healthy boot: successful=1, tries=0, and the slot prioritized above the others of its
   * type. Slots of another type are left alone.
   */
  public static PartitionTable markSuccessful(PartitionTable table, int number) {
    Partition p = requireAb(table, number);
    PartitionTable t = table.with(p.withAttributes(p.attributes().withSuccessful(true).withTries(0)));
    return prioritize(t, p.type(), number, OptionalInt.empty(), false);
  }

  /**
   * After writing an update into slot {@code number}: successful=0, tries=1, and a priority
   * above every other slot of its type (the others renumbered below it when 15 would be
   * exceeded). Slots of another type are left alone.
   */
  public static PartitionTable markUpdate(PartitionTable table, int number) {
    Partition p = requireAb(table, number);
    PartitionTable t = table.with(p.withAttributes(p.attributes().withSuccessful(false).withTries(1)));
    return prioritize(t, p.type(), number, OptionalInt.empty(), false);
  }

  static Partition requireAb(PartitionTable table, int number) {
    Partition p = table.require(number);
    if (!p.abCapable()) {
      throw new IllegalArgumentException("partition " + number
          + describeLabel(p) + " has type "
          + PartitionType.describe(p.type())
          + "; A/B flags apply to coreos-usr and chromeos-kernel partitions");
    }
    return p;
  }
}
