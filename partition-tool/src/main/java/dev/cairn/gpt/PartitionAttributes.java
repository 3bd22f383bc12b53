package dev.cairn.gpt;

/**
 * The 64-bit attribute field of a GPT entry. Bit 0 required, bit 2 legacy BIOS bootable, bits
 * 48-51 priority, 52-55 tries, 56 successful. Bits this type does not name are kept as they are.
 */
public record PartitionAttributes(long raw) {
  public static final PartitionAttributes NONE = new PartitionAttributes(0);

  public static final int REQUIRED_BIT = 0;
  public static final int LEGACY_BOOT_BIT = 2;
  public static final int PRIORITY_SHIFT = 48;
  public static final int TRIES_SHIFT = 52;
  public static final int SUCCESSFUL_BIT = 56;
  public static final int MAX_PRIORITY = 15;
  public static final int MAX_TRIES = 15;

  public int priority() {
    return (int) ((raw >>> PRIORITY_SHIFT) & 0xF);
  }

  public int tries() {
    return (int) ((raw >>> TRIES_SHIFT) & 0xF);
  }

  public boolean successful() {
    return bit(SUCCESSFUL_BIT);
  }

  public boolean required() {
    return bit(REQUIRED_BIT);
  }

  public boolean legacyBoot() {
    return bit(LEGACY_BOOT_BIT);
  }

  /** The upper 16 bits, the value cgpt reads and writes with {@code -A}. */
  public int cgptBits() {
    return (int) (raw >>> 48);
  }

  public PartitionAttributes withPriority(int priority) {
    return withField(PRIORITY_SHIFT, checkRange("priority", priority, MAX_PRIORITY));
  }

  public PartitionAttributes withTries(int tries) {
    return withField(TRIES_SHIFT, checkRange("tries", tries, MAX_TRIES));
  }

  public PartitionAttributes withSuccessful(boolean successful) {
    return withBit(SUCCESSFUL_BIT, successful);
  }

  public PartitionAttributes withRequired(boolean required) {
    return withBit(REQUIRED_BIT, required);
  }

  public PartitionAttributes withLegacyBoot(boolean legacyBoot) {
    return withBit(LEGACY_BOOT_BIT, legacyBoot);
  }

  /** Replaces the upper 16 bits, as {@code cgpt add -A} does. */
  public PartitionAttributes withCgptBits(int bits) {
    if (bits < 0 || bits > 0xFFFF) {
      throw new IllegalArgumentException(
          "attribute bits must be 0x0-0xffff (the upper 16 bits), got 0x" + Integer.toHexString(bits));
    }
    return new PartitionAttributes((raw & 0x0000FFFFFFFFFFFFL) | ((long) bits << 48));
  }

  private static int checkRange(String name, int value, int max) {
    if (value < 0 || value > max) {
      throw new IllegalArgumentException(name + " must be 0-" + max + ", got " + value);
    }
    return value;
  }

  private boolean bit(int index) {
    return (raw & (1L << index)) != 0;
  }

  private PartitionAttributes withBit(int index, boolean on) {
    return new PartitionAttributes(on ? raw | (1L << index) : raw & ~(1L << index));
  }

  private PartitionAttributes withField(int shift, int value) {
    return new PartitionAttributes((raw & ~(0xFL << shift)) | ((long) value << shift));
  }

  @Override
  public String toString() {
    return String.format("priority=%d tries=%d successful=%d", priority(), tries(), successful() ? 1 : 0);
  }
}
