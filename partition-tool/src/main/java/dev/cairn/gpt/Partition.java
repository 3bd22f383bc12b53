package dev.cairn.gpt;

/**
 * One used entry of the partition array. {@code number} is the 1-based entry index, as cgpt and
 * the kernel number partitions; {@code firstLba} and {@code lastLba} are inclusive.
 */
public record Partition(
    int number, Guid type, Guid unique, long firstLba, long lastLba,
    PartitionAttributes attributes, String label) {

  /** GPT stores the name as 36 UTF-16LE code units. */
  public static final int MAX_LABEL_UNITS = 36;

  public Partition {
    if (number < 1) {
      throw new IllegalArgumentException("partition number must be 1 or more, got " + number);
    }
    if (type == null || type.isZero()) {
      throw new IllegalArgumentException("partition " + number + ": type must not be the unused (all-zero) GUID");
    }
    if (unique == null) {
      throw new IllegalArgumentException("partition " + number + ": unique GUID missing");
    }
    if (firstLba < 0 || lastLba < firstLba) {
      throw new IllegalArgumentException("partition " + number + ": first LBA " + firstLba
          + " and last LBA " + lastLba + " do not make a range (need 0 <= first <= last)");
    }
    if (attributes == null) {
      attributes = PartitionAttributes.NONE;
    }
    if (label == null) {
      label = "";
    }
    if (label.length() > MAX_LABEL_UNITS) {
      throw new IllegalArgumentException("partition " + number + ": label '" + label + "' is "
          + label.length() + " UTF-16 units long; GPT holds at most " + MAX_LABEL_UNITS);
    }
  }

  public long sizeLba() {
    return lastLba - firstLba + 1;
  }

  public boolean abCapable() {
    return PartitionType.isAbCapable(type);
  }

  public boolean overlaps(long first, long last) {
    return first <= lastLba && last >= firstLba;
  }

  public Partition withAttributes(PartitionAttributes a) {
    return new Partition(number, type, unique, firstLba, lastLba, a, label);
  }

  public Partition withRange(long first, long last) {
    return new Partition(number, type, unique, first, last, attributes, label);
  }

  public Partition withType(Guid t) {
    return new Partition(number, t, unique, firstLba, lastLba, attributes, label);
  }

  public Partition withUnique(Guid u) {
    return new Partition(number, type, u, firstLba, lastLba, attributes, label);
  }

  public Partition withLabel(String l) {
    return new Partition(number, type, unique, firstLba, lastLba, attributes, l);
  }
}
