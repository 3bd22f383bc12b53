package dev.cairn.omaha;

/**
 * The characters a terminal acts on instead of showing, and their visible escapes. Machines put
 * what they like in their Omaha attributes (alias, OEM, boot id, track, version): the database
 * keeps it as sent, and everything that shows it to a person escapes it first, so that no machine
 * can move the cursor, retitle the window, clear the screen or reorder a line with bidi controls.
 */
public final class ControlChars {
  private ControlChars() {}

  /**
   * True for the C0 controls (U+0000-U+001F, newline and tab included), DEL (U+007F), the C1
   * controls (U+0080-U+009F), the bidirectional formatting characters (U+061C, U+200E, U+200F,
   * U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators (U+2028, U+2029).
   */
  public static boolean isControl(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
  }

  /**
   * {@code s} with every {@link #isControl control character} written as a visible escape and
   * every backslash doubled, so that what is shown reads back to exactly what was sent:
   * {@code \a \b \t \n \v \f \r \e} for BEL, BS, TAB, LF, VT, FF, CR and ESC; {@code \xHH} for the
   * other C0 controls, DEL and C1 ({@code \x00}, {@code \x7f}, {@code \x9b}); a backslash, a
   * {@code u} and four hex digits for the bidi controls and separators (RIGHT-TO-LEFT OVERRIDE
   * shows as backslash-u202e); {@code \\} for a backslash. Everything else, other scripts and
   * emoji included, is left as it is.
   */
  public static String escape(String s) {
    if (s == null) {
      return null;
    }
    int i = 0;
    while (i < s.length() && !needsEscape(s.charAt(i))) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!needsEscape(c)) {
        b.append(c);
      } else if (c == '\\') {
        b.append("\\\\");
      } else {
        b.append(switch (c) {
          case 0x07 -> "\\a";
          case '\b' -> "\\b";
          case '\t' -> "\\t";
          case '\n' -> "\\n";
          case 0x0b -> "\\v";
          case '\f' -> "\\f";
          case '\r' -> "\\r";
          case 0x1b -> "\\e";
          default -> c < 0x100 ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c);
        });
      }
    }
    return b.toString();
  }

  private static boolean needsEscape(char c) {
    return c == '\\' || isControl(c);
  }
}
