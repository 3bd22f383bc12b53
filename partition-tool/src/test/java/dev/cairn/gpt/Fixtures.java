package dev.cairn.gpt;

import java.util.List;
import java.util.UUID;

/** Small tables with fixed GUIDs, so results can be compared byte for byte. */
public final class Fixtures {
  private Fixtures() {}

  public static Guid guid(int n) {
    return new Guid(new UUID(0x00000000_0000_4000L | ((long) n << 32), 0x8000_0000_0000_0000L | n));
  }

  /** A CoreOS layout on an 8 GiB disk of 512-byte sectors, with GUIDs 1..9 and disk GUID 100. */
  public static PartitionTable coreos() {
    PartitionTable t = Layouts.coreos(512, 8L << 30 >> 9, guid(100));
    for (Partition p : t.partitions()) {
      t = t.with(p.withUnique(guid(p.number())));
    }
    return t;
  }

  /** The CoreOS layout with USR-A and USR-B attributes set. */
  public static PartitionTable abTable(PartitionAttributes a, PartitionAttributes b) {
    PartitionTable t = coreos();
    return t.with(t.require(3).withAttributes(a)).with(t.require(4).withAttributes(b));
  }

  /** A small disk (8 MiB) with kernel-type partitions of the given priorities, numbered 1.. */
  static PartitionTable kernels(int... priorities) {
    PartitionTable t = PartitionTable.empty(512, 16384, guid(100));
    long lba = 2048;
    List<Partition> parts = new java.util.ArrayList<>();
    for (int i = 0; i < priorities.length; i++) {
      parts.add(new Partition(i + 1, PartitionType.CHROMEOS_KERNEL.guid(), guid(i + 1), lba, lba + 1023,
          PartitionAttributes.NONE.withPriority(priorities[i]), "KERN-" + (i + 1)));
      lba += 1024;
    }
    return t.withPartitions(parts);
  }
}
