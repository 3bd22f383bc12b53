package dev.cairn.install.agent;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a machine may reboot, as locksmith reads {@code LOCKSMITHD_REBOOT_WINDOW_START} and
 * {@code LOCKSMITHD_REBOOT_WINDOW_LENGTH} (cloud-config's {@code coreos.locksmith.window_start}
 * and {@code window_length}): a start {@code HH:MM}, daily, or {@code Day HH:MM} ({@code Sun} to
 * {@code Sat}, any case), weekly, in the machine's local time; and a length written as Go writes
 * durations ({@code 1h}, {@code 1h30m}, {@code 90m}, {@code 0.5h}). The window includes its end:
 * {@code Thu 23:00} for {@code 1h30m} is Thursday from 23:00 to Friday 00:30, both included.
 */
public record RebootWindow(Optional<DayOfWeek> day, LocalTime start, Duration length) {
  private static final Pattern START = Pattern.compile(
      "(?:(?i)(sun|mon|tue|wed|thu|fri|sat) )?0*([0-9]|1[0-9]|2[0-3]):0*([0-9]|[1-5][0-9])");
  private static final Pattern DURATION_PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)");

  public RebootWindow {
    if (length.isNegative()) {
      throw new IllegalArgumentException("a reboot window's length cannot be negative, got " + length);
    }
  }

  /**
   * The window of {@code start} and {@code length} as written; {@code source} names where they
   * came from for the message of an IllegalArgumentException (which also gives the value and the
   * expected form).
   */
  public static RebootWindow parse(String start, String length, String source) {
    Matcher m = START.matcher(start.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException(source + ": reboot window start '" + start
          + "' is not a time like 04:00 or a day and a time like Thu 04:00");
    }
    Optional<DayOfWeek> day = Optional.ofNullable(m.group(1)).map(RebootWindow::day);
    LocalTime at = LocalTime.of(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    Duration d = goDuration(length.strip()).orElseThrow(() -> new IllegalArgumentException(source
        + ": reboot window length '" + length + "' is not a duration like 1h, 1h30m or 90m"));
    if (d.isNegative()) {
      throw new IllegalArgumentException(source + ": reboot window length '" + length + "' is negative");
    }
    return new RebootWindow(day, at, d);
  }

  /** Zero when {@code now} is inside the window (its end included), else how long until it next opens. */
  public Duration untilOpen(ZonedDateTime now) {
    ZonedDateTime last = lastStart(now);
    if (!now.isAfter(last.plus(length))) {
      return Duration.ZERO;
    }
    ZonedDateTime next = day.isPresent() ? last.plusWeeks(1) : last.plusDays(1);
    return Duration.between(now, next);
  }

  /** Whether {@code now} is inside the window. */
  public boolean isOpen(ZonedDateTime now) {
    return untilOpen(now).isZero();
  }

  /** The latest start of the window at or before {@code now}. */
  ZonedDateTime lastStart(ZonedDateTime now) {
    ZonedDateTime today = now.with(start).withSecond(0).withNano(0);
    if (day.isEmpty()) {
      return today.isAfter(now) ? today.minusDays(1) : today;
    }
    ZonedDateTime s = today.with(TemporalAdjusters.previousOrSame(day.get()));
    return s.isAfter(now) ? s.minusWeeks(1) : s;
  }

  /** As the operator would write it: {@code Thu 04:00 for 1h30m}, or {@code daily 04:00 for 1h}. */
  public String describe() {
    String when = day.map(d -> d.getDisplayName(java.time.format.TextStyle.SHORT, Locale.ROOT) + " ").orElse("daily ")
        + String.format("%02d:%02d", start.getHour(), start.getMinute());
    return when + " for " + length.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private static DayOfWeek day(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "sun" -> DayOfWeek.SUNDAY;
      case "mon" -> DayOfWeek.MONDAY;
      case "tue" -> DayOfWeek.TUESDAY;
      case "wed" -> DayOfWeek.WEDNESDAY;
      case "thu" -> DayOfWeek.THURSDAY;
      case "fri" -> DayOfWeek.FRIDAY;
      default -> DayOfWeek.SATURDAY;
    };
  }

  /**
   * A duration in Go's syntax ({@code time.ParseDuration}): an optional sign, then one or more
   * decimal numbers each with a unit ({@code ns}, {@code us}, {@code ms}, {@code s}, {@code m},
   * {@code h}); {@code 0} alone is zero. Empty when {@code text} is not one.
   */
  static Optional<Duration> goDuration(String text) {
    String s = text;
    boolean negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
      negative = s.startsWith("-");
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    if (s.isEmpty()) {
      return Optional.empty();
    }
    Matcher m = DURATION_PART.matcher(s);
    java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at || m.group(1).isEmpty() || m.group(1).equals(".")) {
        return Optional.empty();
      }
      long unit = switch (m.group(2)) {
        case "ns" -> 1L;
        case "us", "µs", "μs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        default -> 3_600_000_000_000L;
      };
      nanos = nanos.add(new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(unit)));
      at = m.end();
    }
    if (nanos.compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      return Optional.empty();
    }
    Duration d = Duration.ofNanos(nanos.longValue());
    return Optional.of(negative ? d.negated() : d);
  }
}
