package dev.cairn.omaha.admin;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Office hours as operators write them, {@code "Mon-Fri 09:00-17:00 Europe/Berlin"}: days (a range
 * like {@code Mon-Fri}, a list like {@code Mon,Wed,Fri}, or both, {@code Mon-Wed,Fri}), a time
 * range, and a time zone (UTC when left out).
 */
public record OfficeHours(List<String> days, String start, String end, String zone) {

  /** The office hours in {@code text}; an {@link IllegalArgumentException} names the part that is wrong. */
  public static OfficeHours parse(String text) {
    String[] parts = text == null ? new String[0] : text.strip().split("\\s+");
    if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty()) {
      throw new IllegalArgumentException("office hours must look like 'Mon-Fri 09:00-17:00 Europe/Berlin', got '" + text + "'");
    }
    List<String> days = days(parts[0]);
    String[] times = parts[1].split("-", -1);
    if (times.length != 2) {
      throw new IllegalArgumentException("office hours: '" + parts[1] + "' is not a time range like 09:00-17:00");
    }
    String start = time(times[0]);
    String end = time(times[1]);
    if (start.equals(end)) {
      throw new IllegalArgumentException("office hours: '" + parts[1] + "' starts and ends at the same time");
    }
    String zone = parts.length == 3 ? zone(parts[2]) : "UTC";
    return new OfficeHours(days, start, end, zone);
  }

  private static List<String> days(String text) {
    Set<DayOfWeek> set = EnumSet.noneOf(DayOfWeek.class);
    for (String item : text.split(",", -1)) {
      String[] range = item.split("-", -1);
      if (range.length == 1) {
        set.add(day(range[0]));
      } else if (range.length == 2) {
        DayOfWeek from = day(range[0]);
        DayOfWeek to = day(range[1]);
        for (DayOfWeek d = from; ; d = d.plus(1)) {
          set.add(d);
          if (d == to) {
            break;
          }
        }
      } else {
        throw new IllegalArgumentException("office hours: '" + item + "' is not a day range like Mon-Fri");
      }
    }
    List<String> out = new ArrayList<>();
    set.forEach(d -> out.add(d.name().substring(0, 3)));
    return List.copyOf(out);
  }

  private static DayOfWeek day(String text) {
    String t = text.strip().toUpperCase(Locale.ROOT);
    if (t.length() >= 3) {
      for (DayOfWeek d : DayOfWeek.values()) {
        if (d.name().startsWith(t)) {
          return d;
        }
      }
    }
    throw new IllegalArgumentException("office hours: '" + text + "' is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)");
  }

  private static String time(String text) {
    if (!text.matches("\\d{1,2}:\\d{2}")) {
      throw new IllegalArgumentException("office hours: '" + text + "' is not a time like 09:00");
    }
    try {
      return LocalTime.parse(text.length() == 4 ? "0" + text : text).toString();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("office hours: '" + text + "' is not a time of day (00:00-23:59)");
    }
  }

  private static String zone(String text) {
    try {
      return ZoneId.of(text).getId();
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("office hours: '" + text + "' is not a time zone like Europe/Berlin or UTC");
    }
  }
}
