package dev.cairn.pxe;

/**
 * A MAC address, kept as six lower-case hex octets joined by colons ({@code 52:54:00:12:34:56}).
 * {@link #parse} takes the common forms in any case: colons, hyphens (iPXE's
 * {@code ${mac:hexhyp}}), Cisco's dotted groups ({@code 5254.0012.3456}) and twelve bare hex digits.
 */
public record MacAddress(String value) {
  public MacAddress {
    if (value == null || !canonical(value)) {
      throw new IllegalArgumentException("MAC address \"" + value + "\" is not in the form 52:54:00:12:34:56");
    }
  }

  /**
   * The MAC {@code text} writes, in any case, with blanks around it: six octets as two hex digits
   * each separated by colons or by hyphens (one or the other throughout), three groups of four hex
   * digits separated by dots, or twelve hex digits. Read character by character (it is on every
   * boot request's path); IllegalArgumentException otherwise.
   */
  public static MacAddress parse(String text) {
    String t = text.trim();
    char[] hex = new char[12];
    boolean ok = switch (t.length()) {
      case 17 -> digits(t, hex, 3, t.charAt(2) == ':' || t.charAt(2) == '-' ? t.charAt(2) : 0);
      case 14 -> digits(t, hex, 5, '.');
      case 12 -> digits(t, hex, 0, (char) 0);
      default -> false;
    };
    if (!ok) {
      throw new IllegalArgumentException("MAC address \"" + text + "\": expected six hex octets, like "
          + "52:54:00:12:34:56, 52-54-00-12-34-56, 5254.0012.3456 or 525400123456");
    }
    char[] out = new char[17];
    for (int i = 0, o = 0; i < 12; i += 2) {
      if (i > 0) {
        out[o++] = ':';
      }
      out[o++] = hex[i];
      out[o++] = hex[i + 1];
    }
    return new MacAddress(new String(out));
  }

  /**
   * Reads the twelve hex digits of {@code t} into {@code hex}, lower-cased: every {@code every}-th
   * character (the last of each group of {@code every}; none when 0) must be {@code separator}, all
   * the others hex digits.
   */
  private static boolean digits(String t, char[] hex, int every, char separator) {
    int h = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (every > 0 && i % every == every - 1) {
        if (c != separator || separator == 0) {
          return false;
        }
        continue;
      }
      char x = lowerHex(c);
      if (x == 0 || h == 12) {
        return false;
      }
      hex[h++] = x;
    }
    return h == 12;
  }

  /** {@code c} as a lower-case hex digit, or 0 when it is none. */
  private static char lowerHex(char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) {
      return c;
    }
    return c >= 'A' && c <= 'F' ? (char) (c + ('a' - 'A')) : 0;
  }

  /** Six lower-case hex octets joined by colons. */
  private static boolean canonical(String v) {
    if (v.length() != 17) {
      return false;
    }
    for (int i = 0; i < 17; i++) {
      char c = v.charAt(i);
      if (i % 3 == 2 ? c != ':' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /** iPXE's {@code hexhyp} form: {@code 52-54-00-12-34-56}. */
  public String hexhyp() {
    return value.replace(':', '-');
  }

  @Override
  public String toString() {
    return value;
  }
}
