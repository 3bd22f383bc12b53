package dev.cairn.gpt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A GUID as GPT stores it: the first three fields little-endian, the last eight bytes as they are.
 * Printed upper-case, as cgpt and sgdisk print them.
 */
public record Guid(UUID value) {
  public static final Guid ZERO = new Guid(new UUID(0, 0));
  private static final Pattern FORM =
      Pattern.compile("\\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}?");

  public Guid {
    if (value == null) {
      throw new IllegalArgumentException("GUID must not be null");
    }
  }

  /** Parses {@code 01234567-89AB-CDEF-0123-456789ABCDEF}, with or without braces, any case. */
  public static Guid parse(String text) {
    if (text == null || !FORM.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "not a GUID: '" + text + "' (expected 8-4-4-4-12 hex digits)");
    }
    String bare = text.startsWith("{") ? text.substring(1, text.length() - 1) : text;
    return new Guid(UUID.fromString(bare));
  }

  public static Guid random() {
    return new Guid(UUID.randomUUID());
  }

  /** Decodes 16 bytes at {@code offset} in GPT's mixed-endian order. */
  public static Guid decode(byte[] bytes, int offset) {
    ByteBuffer le = ByteBuffer.wrap(bytes, offset, 8).order(ByteOrder.LITTLE_ENDIAN);
    long a = le.getInt() & 0xFFFFFFFFL;
    long b = le.getShort() & 0xFFFFL;
    long c = le.getShort() & 0xFFFFL;
    long lsb = ByteBuffer.wrap(bytes, offset + 8, 8).order(ByteOrder.BIG_ENDIAN).getLong();
    return new Guid(new UUID((a << 32) | (b << 16) | c, lsb));
  }

  /** Encodes into 16 bytes at {@code offset} in GPT's mixed-endian order. */
  public void encode(byte[] bytes, int offset) {
    long msb = value.getMostSignificantBits();
    ByteBuffer le = ByteBuffer.wrap(bytes, offset, 8).order(ByteOrder.LITTLE_ENDIAN);
    le.putInt((int) (msb >>> 32));
    le.putShort((short) (msb >>> 16));
    le.putShort((short) msb);
    ByteBuffer.wrap(bytes, offset + 8, 8).order(ByteOrder.BIG_ENDIAN)
        .putLong(value.getLeastSignificantBits());
  }

  public boolean isZero() {
    return equals(ZERO);
  }

  @Override
  public String toString() {
    return value.toString().toUpperCase(Locale.ROOT);
  }
}
