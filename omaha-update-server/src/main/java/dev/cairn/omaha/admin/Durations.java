package dev.cairn.omaha.admin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them: {@code 90s}, {@code 45m}, {@code 1h}, {@code 2d}, {@code 1h30m}. */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+[dhms])+");
  private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");

  private Durations() {}

  /** The duration in seconds; {@link IllegalArgumentException} naming the value when it is not one. */
  public static long seconds(String text) {
    String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT);
    if (!WHOLE.matcher(t).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration like 90s, 45m, 1h, 2d or 1h30m");
    }
    long total = 0;
    Matcher m = PART.matcher(t);
    while (m.find()) {
      long unit = switch (m.group(2)) {
        case "d" -> 86_400;
        case "h" -> 3_600;
        case "m" -> 60;
        default -> 1;
      };
      try {
        total = Math.addExact(total, Math.multiplyExact(Long.parseLong(m.group(1)), unit));
      } catch (ArithmeticException | NumberFormatException e) {
        throw new IllegalArgumentException("duration '" + text + "' is too long");
      }
    }
    return total;
  }

  /** Seconds as the shortest duration text {@link #seconds} reads back: 5400 is {@code 1h30m}, 0 is {@code 0s}. */
  public static String format(long seconds) {
    if (seconds == 0) {
      return "0s";
    }
    StringBuilder b = new StringBuilder();
    long rest = seconds;
    long[] units = {86_400, 3_600, 60, 1};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (rest >= units[i]) {
        b.append(rest / units[i]).append(names[i]);
        rest %= units[i];
      }
    }
    return b.toString();
  }
}
