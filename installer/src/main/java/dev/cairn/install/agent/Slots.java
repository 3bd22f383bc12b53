package dev.cairn.install.agent;

import dev.cairn.gpt.AbSlots;
import dev.cairn.gpt.Guid;
import dev.cairn.gpt.Partition;
import dev.cairn.gpt.PartitionTable;
import dev.cairn.gpt.PartitionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The running /usr slot and the other one, found in a disk's GPT from what the kernel was told to
 * mount, and the two flag steps the agent takes on them. Both steps are those of CoreOS's scripts:
 * after an update is written, the postinstall runs {@code cgpt add -S0 -T1} on the new slot then
 * {@code cgpt prioritize}; once a boot is healthy, set-good-root runs {@code cgpt add -S1 -T0} on
 * the running slot then {@code cgpt prioritize}. GRUB's gptprio then boots the new slot once and
 * falls back to the old one if it never gets marked good.
 */
public record Slots(Partition running, Partition other) {
  private static final String USR_TYPE = "coreos-usr (" + lower(PartitionType.COREOS_USR.guid()) + ")";

  /**
   * Finds the running slot by unique GUID, label, or the device's partition number, and the other
   * partition of the coreos-usr type.
   *
   * @throws IllegalArgumentException when no partition or several match, when the running one is
   *     not of the coreos-usr type, or when there is no single other coreos-usr partition
   */
  public static Slots find(PartitionTable table, UsrSelector selector) {
    List<Partition> matches = new ArrayList<>();
    for (Partition p : table.partitions()) {
      boolean match = switch (selector.kind()) {
        case PARTUUID -> p.unique().toString().equalsIgnoreCase(selector.value());
        case PARTLABEL -> p.label().equals(selector.value());
        case DEVICE -> p.number() == selector.partitionNumber();
      };
      if (match) {
        matches.add(p);
      }
    }
    if (matches.isEmpty()) {
      throw new IllegalArgumentException(selector + ": no partition on the disk matches (partitions: "
          + describe(table.partitions()) + ")");
    }
    if (matches.size() > 1) {
      throw new IllegalArgumentException(selector + " is ambiguous: partitions "
          + describe(matches) + " all match");
    }
    Partition running = matches.get(0);
    if (!running.type().equals(PartitionType.COREOS_USR.guid())) {
      throw new IllegalArgumentException(selector + " is partition " + name(running) + " of type "
          + PartitionType.describe(running.type()) + ", not a /usr slot of type " + USR_TYPE);
    }
    List<Partition> others = new ArrayList<>();
    for (Partition p : table.partitions()) {
      if (p.number() != running.number() && p.type().equals(running.type())) {
        others.add(p);
      }
    }
    if (others.size() > 1) {
      String twin = twinLabel(running.label());
      List<Partition> byLabel = others.stream().filter(p -> p.label().equals(twin)).toList();
      if (twin.isEmpty() || byLabel.size() != 1) {
        throw new IllegalArgumentException("running /usr is partition " + name(running)
            + " and the other slot is ambiguous: partitions " + describe(others)
            + " are all of type " + USR_TYPE);
      }
      others = byLabel;
    }
    if (others.isEmpty()) {
      throw new IllegalArgumentException("running /usr is partition " + name(running)
          + " and the disk has no other partition of type " + USR_TYPE + " to update into");
    }
    return new Slots(running, others.get(0));
  }

  /** USR-A for USR-B and the other way round; empty for any other label. */
  static String twinLabel(String label) {
    return switch (label) {
      case "USR-A" -> "USR-B";
      case "USR-B" -> "USR-A";
      default -> "";
    };
  }

  /**
   * After the update is written into {@link #other}: it gets successful=0 tries=1 and the highest
   * priority, the running slot renumbered below it (postinstall's {@code cgpt add -S0 -T1} and
   * {@code cgpt prioritize}).
   */
  public PartitionTable afterUpdate(PartitionTable table) {
    return AbSlots.markUpdate(table, current(table, other).number());
  }

  /**
   * The running slot is good: successful=1 tries=0 and prioritized above the other
   * (set-good-root's {@code cgpt add -S1 -T0} and {@code cgpt prioritize}).
   */
  public PartitionTable markGood(PartitionTable table) {
    return AbSlots.markSuccessful(table, current(table, running).number());
  }

  /** The slot as {@code table} holds it now; refuses a table where it is gone or moved. */
  private static Partition current(PartitionTable table, Partition slot) {
    Partition now = table.partition(slot.number()).orElse(null);
    if (now == null || !now.unique().equals(slot.unique())) {
      throw new IllegalArgumentException("partition " + name(slot) + " " + lower(slot.unique())
          + " is no longer in the table at number " + slot.number());
    }
    return now;
  }

  /** GUIDs as the kernel command line and /dev/disk/by-partuuid spell them. */
  private static String lower(Guid g) {
    return g.toString().toLowerCase(Locale.ROOT);
  }

  private static String name(Partition p) {
    return p.number() + (p.label().isEmpty() ? "" : " (" + p.label() + ")");
  }

  private static String describe(List<Partition> parts) {
    List<String> out = new ArrayList<>();
    for (Partition p : parts) {
      out.add(name(p) + " " + lower(p.unique()));
    }
    return out.isEmpty() ? "none" : String.join(", ", out);
  }
}
