package dev.cairn.pxe;

import java.util.Map;

/**
 * {@code /metadata}: a machine's variables as {@code KEY=value} lines, sorted by key; keys
 * upper-cased with nested keys joined by {@code _} ({@code rack.row} is {@code RACK_ROW}). A value
 * is written as it is unless it holds a backslash or a control character: then those are escaped
 * as in C ({@code \\}, {@code \n}, {@code \t}, {@code \r}, {@code \xNN}), so every variable is
 * exactly one line.
 */
public final class MetadataLines {
  private MetadataLines() {}

  /** {@code env}: names as {@link Variables#forMetadata} gives them. */
  public static String of(Map<String, String> env) {
    StringBuilder b = new StringBuilder();
    env.forEach((k, v) -> b.append(k).append('=').append(escape(v)).append('\n'));
    return b.toString();
  }

  static String escape(String v) {
    StringBuilder b = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (Character.isISOControl(c)) {
            b.append(String.format("\\x%02x", (int) c));
          } else if (c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.toString();
  }
}
