package dev.cairn.install.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * locksmith's reboot windows: the start's two forms (daily {@code HH:MM}, weekly {@code Day HH:MM})
 * with the leading zeros and day names coreos-cloudinit accepts, lengths in Go's duration syntax,
 * the end included, and the wait until the next window, across midnight, the week's turn and a
 * daylight-saving change.
 */
class RebootWindowTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static ZonedDateTime at(String local) {
    return ZonedDateTime.of(java.time.LocalDateTime.parse(local), BERLIN);
  }

  @Test
  void aDailyStartAndAGoDuration_parse() {
    RebootWindow w = RebootWindow.parse("04:00", "1h30m", "update.conf:3");
    assertEquals(Optional.empty(), w.day());
    assertEquals(LocalTime.of(4, 0), w.start());
    assertEquals(Duration.ofMinutes(90), w.length());
    assertEquals("daily 04:00 for 1h30m", w.describe());
  }

  @ParameterizedTest
  @CsvSource({"Thu 23:00, THURSDAY, 23, 0", "thu 4:5, THURSDAY, 4, 5", "SUN 00:00, SUNDAY, 0, 0",
      "sat 023:059, SATURDAY, 23, 59"})
  void weeklyStarts_takeADayInAnyCase_andLeadingZeros(String start, DayOfWeek day, int hour, int minute) {
    RebootWindow w = RebootWindow.parse(start, "1h", "x");
    assertEquals(Optional.of(day), w.day());
    assertEquals(LocalTime.of(hour, minute), w.start());
  }

  @ParameterizedTest
  @ValueSource(strings = {"24:00", "4", "04:60", "Thursday 04:00", "Thu  04:00", "Thu 04:00 x", "", "noon"})
  void badStarts_areRefused_namingTheSourceAndTheValue(String start) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RebootWindow.parse(start, "1h", "/etc/coreos/update.conf:4"));
    assertTrue(e.getMessage().startsWith("/etc/coreos/update.conf:4: reboot window start '" + start + "'"),
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"1h, 3600000", "90m, 5400000", "1h30m, 5400000", "0.5h, 1800000", "1.5s, 1500", "300ms, 300",
      "0, 0", "2h0m0s, 7200000", "+1m, 60000"})
  void lengths_followGosDurationSyntax(String length, long millis) {
    assertEquals(Duration.ofMillis(millis), RebootWindow.parse("04:00", length, "x").length());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "1d", "h", "1h 30m", "", "1.h5", "-1h", "1H"})
  void badOrNegativeLengths_areRefused(String length) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> RebootWindow.parse("04:00", length, "cloud-config"));
    assertTrue(e.getMessage().startsWith("cloud-config: reboot window length '" + length + "'"), e.getMessage());
  }

  @Test
  void locksmithsExample_thursday2300For1h30_reachesIntoFriday_endIncluded() {
    RebootWindow w = RebootWindow.parse("Thu 23:00", "1h30m", "x");
    // 2026-12-03 is a Thursday.
    assertTrue(w.isOpen(at("2026-12-03T23:00:00")), "at the start");
    assertTrue(w.isOpen(at("2026-12-04T00:15:00")), "Friday after midnight");
    assertTrue(w.isOpen(at("2026-12-04T00:30:00")), "at the end, included");
    assertFalse(w.isOpen(at("2026-12-04T00:30:01")));
    assertEquals(Duration.ofDays(7).minusMinutes(90).minusSeconds(1),
        w.untilOpen(at("2026-12-04T00:30:01")), "until next Thursday 23:00");
    assertEquals(Duration.ofMinutes(1), w.untilOpen(at("2026-12-03T22:59:00")));
  }

  @Test
  void aDailyWindow_waitsUntilTomorrowOnceItHasClosed_andUntilLaterTodayBeforeItOpens() {
    RebootWindow w = RebootWindow.parse("04:00", "1h", "x");
    assertEquals(Duration.ofHours(2), w.untilOpen(at("2026-12-01T02:00:00")));
    assertEquals(Duration.ZERO, w.untilOpen(at("2026-12-01T04:59:59")));
    assertEquals(Duration.ofHours(22), w.untilOpen(at("2026-12-01T06:00:00")));
  }

  @Test
  void aWindowAcrossADaylightSavingChange_opensAtTheLocalTime() {
    // Berlin moves from UTC+1 to UTC+2 at 02:00 on 2027-03-28: one hour fewer that night.
    RebootWindow w = RebootWindow.parse("04:00", "30m", "x");
    assertEquals(Duration.ofHours(3), w.untilOpen(at("2027-03-28T00:00:00")));
  }

  @Test
  void aZeroLengthWindow_isOpenOnlyAtItsStart() {
    RebootWindow w = RebootWindow.parse("Mon 04:00", "0", "x");
    assertTrue(w.isOpen(at("2026-11-30T04:00:00")));
    assertFalse(w.isOpen(at("2026-11-30T04:00:01")));
  }

  @Test
  void updateConf_readsLocksmithdsNames_overTheOlderOnes_andRefusesHalfAWindow() {
    UpdateConf both = UpdateConf.parse("update.conf", "REBOOT_WINDOW_START=01:00\nREBOOT_WINDOW_LENGTH=1h\n"
        + "LOCKSMITHD_REBOOT_WINDOW_START=Thu 04:00\nLOCKSMITHD_REBOOT_WINDOW_LENGTH=2h\n");
    assertEquals("Thu 04:00 for 2h", both.rebootWindow().orElseThrow().describe());
    UpdateConf old = UpdateConf.parse("update.conf", "REBOOT_WINDOW_START=01:00\nREBOOT_WINDOW_LENGTH=1h\n");
    assertEquals("daily 01:00 for 1h", old.rebootWindow().orElseThrow().describe());
    assertEquals(Optional.empty(), UpdateConf.parse("update.conf", "GROUP=stable\n").rebootWindow());
    IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
        () -> UpdateConf.parse("update.conf", "GROUP=stable\nLOCKSMITHD_REBOOT_WINDOW_START=04:00\n").rebootWindow());
    assertEquals("update.conf:2: LOCKSMITHD_REBOOT_WINDOW_START and LOCKSMITHD_REBOOT_WINDOW_LENGTH go together; "
        + "only LOCKSMITHD_REBOOT_WINDOW_START is set", half.getMessage());
    IllegalArgumentException badStart = assertThrows(IllegalArgumentException.class,
        () -> UpdateConf.parse("update.conf", "REBOOT_WINDOW_START=25:00\nREBOOT_WINDOW_LENGTH=1h\n").rebootWindow());
    assertTrue(badStart.getMessage().startsWith("update.conf:1: reboot window start '25:00'"), badStart.getMessage());
  }
}
