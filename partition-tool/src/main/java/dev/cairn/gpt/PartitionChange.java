package dev.cairn.gpt;

/**
 * What {@code gpt add} asks for; null fields are left as they are (or defaulted, for a new
 * partition). Ranges are in sectors.
 */
public record PartitionChange(
    Integer number,
    Long firstLba,
    Long sizeLba,
    Guid type,
    String label,
    Guid unique,
    Integer cgptBits,
    Integer priority,
    Integer tries,
    Integer successful,
    Integer required,
    Integer legacyBoot) {

  public PartitionChange {
    if (sizeLba != null && sizeLba < 1) {
      throw new IllegalArgumentException("size must be at least 1 sector, got " + sizeLba);
    }
    if (firstLba != null && firstLba < 0) {
      throw new IllegalArgumentException("first LBA must not be negative, got " + firstLba);
    }
    // Range checks up front, so a bad value is refused before anything else is looked at.
    PartitionAttributes probe = PartitionAttributes.NONE;
    if (priority != null) {
      probe.withPriority(priority);
    }
    if (tries != null) {
      probe.withTries(tries);
    }
    checkFlag("successful", successful);
    checkFlag("required", required);
    checkFlag("legacy-boot", legacyBoot);
    if (cgptBits != null) {
      probe.withCgptBits(cgptBits);
    }
  }

  /** Applies the attribute fields to {@code a}: -A first, then -P, -T, -S. */
  PartitionAttributes applyTo(PartitionAttributes a) {
    if (cgptBits != null) {
      a = a.withCgptBits(cgptBits);
    }
    if (priority != null) {
      a = a.withPriority(priority);
    }
    if (tries != null) {
      a = a.withTries(tries);
    }
    if (successful != null) {
      a = a.withSuccessful(successful == 1);
    }
    if (required != null) {
      a = a.withRequired(required == 1);
    }
    if (legacyBoot != null) {
      a = a.withLegacyBoot(legacyBoot == 1);
    }
    return a;
  }

  private static void checkFlag(String name, Integer value) {
    if (value != null && value != 0 && value != 1) {
      throw new IllegalArgumentException(name + " must be 0 or 1, got " + value);
    }
  }
}
