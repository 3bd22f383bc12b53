package dev.cairn.pxe;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A MAC address, kept as six lower-case hex octets joined by colons ({@code 52:54:00:12:34:56}).
 * {@link #parse} takes the common forms in any case: colons, hyphens (iPXE's
 * {@code ${mac:hexhyp}}), Cisco's dotted groups ({@code 5254.0012.3456}) and twelve bare hex digits.
 */
public record MacAddress(String value) {
  private static final Pattern CANONICAL = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
  private static final Pattern SEPARATED = Pattern.compile("[0-9a-f]{2}([:-])[0-9a-f]{2}(\\1[0-9a-f]{2}){4}");
  private static final Pattern DOTTED = Pattern.compile("[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}");
  private static final Pattern BARE = Pattern.compile("[0-9a-f]{12}");

  public MacAddress {
    if (value == null || !CANONICAL.matcher(value).matches()) {
      throw new IllegalArgumentException("MAC address \"" + value + "\" is not in the form 52:54:00:12:34:56");
    }
  }

  public static MacAddress parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    String hex;
    if (SEPARATED.matcher(t).matches()) {
      hex = t.replace(":", "").replace("-", "");
    } else if (DOTTED.matcher(t).matches()) {
      hex = t.replace(".", "");
    } else if (BARE.matcher(t).matches()) {
      hex = t;
    } else {
      throw new IllegalArgumentException("MAC address \"" + text + "\": expected six hex octets, like "
          + "52:54:00:12:34:56, 52-54-00-12-34-56, 5254.0012.3456 or 525400123456");
    }
    StringBuilder b = new StringBuilder(17);
    for (int i = 0; i < 12; i += 2) {
      if (i > 0) {
        b.append(':');
      }
      b.append(hex, i, i + 2);
    }
    return new MacAddress(b.toString());
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
