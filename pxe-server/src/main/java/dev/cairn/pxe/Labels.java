package dev.cairn.pxe;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a machine says about itself when it asks for its boot script: {@code mac}, {@code uuid},
 * {@code hostname}, {@code serial}, {@code arch} and any other label, as query parameters. Empty
 * values count as absent (iPXE sends {@code hostname=} when it has none). The MAC is normalised
 * ({@link MacAddress}) and the UUID lower-cased, so a selector matches however the firmware writes
 * them. A label is refused when its name is not {@code [a-z_][a-z0-9_]*} (at most 64), its value has
 * a control character or more than {@value #MAX_VALUE} characters, or there are more than
 * {@value #MAX_LABELS}: nothing a machine sends can grow a response or inject a line.
 */
public record Labels(SortedMap<String, String> values) {
  public static final String MAC = "mac";
  public static final String UUID = "uuid";
  public static final String HOSTNAME = "hostname";
  public static final String SERIAL = "serial";
  public static final String ARCH = "arch";
  /** The labels {@code /boot.ipxe} sends: every template may use them. */
  public static final Set<String> BUILT_IN = Set.of(MAC, UUID, HOSTNAME, SERIAL, ARCH);
  public static final int MAX_LABELS = 32;
  public static final int MAX_VALUE = 256;

  public Labels {
    values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
  }

  public static final Labels NONE = new Labels(new TreeMap<>());

  /** The labels of a request; IllegalArgumentException names the label and what was expected. */
  public static Labels of(Map<String, String> given) {
    if (given.size() > MAX_LABELS) {
      throw new IllegalArgumentException("at most " + MAX_LABELS + " labels, got " + given.size());
    }
    SortedMap<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : given.entrySet()) {
      String name = checkName(e.getKey(), "label");
      String value = e.getValue() == null ? "" : e.getValue();
      checkValue(name, value);
      if (!value.isEmpty()) {
        out.put(name, normalise(name, value));
      }
    }
    return new Labels(out);
  }

  /** {@code name} when it can be a label, else IllegalArgumentException calling it {@code what}. */
  public static String checkName(String name, String what) {
    if (!isName(name)) {
      throw new IllegalArgumentException(what + " name \"" + name
          + "\": expected lower-case letters, digits and _, starting with a letter or _ (at most 64)");
    }
    return name;
  }

  /** {@code [a-z_][a-z0-9_]{0,63}}, read character by character (it is on every request's path). */
  private static boolean isName(String name) {
    if (name == null || name.isEmpty() || name.length() > 64) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static void checkValue(String name, String value) {
    if (value.length() > MAX_VALUE) {
      throw new IllegalArgumentException("label " + name + ": longer than " + MAX_VALUE + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        throw new IllegalArgumentException("label " + name + ": a control character (U+"
            + String.format("%04X", (int) c) + ") in the value");
      }
    }
  }

  /** The value as selectors and labels compare it: MACs normalised, UUIDs lower-cased. */
  static String normalise(String name, String value) {
    return switch (name) {
      case MAC -> MacAddress.parse(value).value();
      case UUID -> value.trim().toLowerCase(Locale.ROOT);
      default -> value;
    };
  }

  public Optional<String> get(String name) {
    return Optional.ofNullable(values.get(name));
  }

  /**
   * The labels as {@code name=value} words for a message, each value percent-encoded outside
   * letters, digits and {@code . _ : - /}: safe to print in an iPXE script or a log line.
   */
  public String describe() {
    if (values.isEmpty()) {
      return "(no labels)";
    }
    StringBuilder b = new StringBuilder();
    values.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(printable(v)));
    return b.toString();
  }

  static String printable(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (byte x : v.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ".:_-/".indexOf(c) >= 0) {
        b.append(c);
      } else {
        b.append('%').append(String.format("%02X", x & 0xff));
      }
    }
    return b.toString();
  }
}
