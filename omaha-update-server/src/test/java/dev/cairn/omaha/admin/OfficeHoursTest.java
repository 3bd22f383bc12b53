package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OfficeHoursTest {
  @Test
  void weekdayRange_withZone() {
    assertEquals(new OfficeHours(List.of("MON", "TUE", "WED", "THU", "FRI"), "09:00", "17:00", "Europe/Berlin"),
        OfficeHours.parse("Mon-Fri 09:00-17:00 Europe/Berlin"));
  }

  @Test
  void dayList_andMixedRangesAndLists_comeOutInWeekOrder_once() {
    assertEquals(List.of("MON", "WED", "FRI"), OfficeHours.parse("Fri,Mon,Wed 22:00-06:00 UTC").days());
    assertEquals(List.of("MON", "TUE", "WED", "FRI"), OfficeHours.parse("Mon-Wed,Fri,tue 9:00-17:00").days());
  }

  @Test
  void rangeOverTheWeekend_wrapsAround() {
    assertEquals(List.of("MON", "FRI", "SAT", "SUN"), OfficeHours.parse("Fri-Mon 08:00-12:00").days());
  }

  @Test
  void zoneLeftOut_isUtc_andShortHoursAreZeroPadded() {
    OfficeHours h = OfficeHours.parse("Saturday 8:30-12:00");
    assertEquals(List.of("SAT"), h.days());
    assertEquals("08:30", h.start());
    assertEquals("UTC", h.zone());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Mon-Fry 09:00-17:00 UTC|'Fry' is not a day",
      "Mon-Fri 09:00-25:00 UTC|'25:00' is not a time of day",
      "Mon-Fri 9-17 UTC|'9' is not a time like 09:00",
      "Mon-Fri 09:00 UTC|'09:00' is not a time range",
      "Mon-Fri 09:00-17:00 Mars/Olympus|'Mars/Olympus' is not a time zone",
      "Mon-Fri 09:00-09:00 UTC|starts and ends at the same time",
      "Mon-Tue-Wed 09:00-17:00|'Mon-Tue-Wed' is not a day range",
      "Mon-Fri|must look like 'Mon-Fri 09:00-17:00 Europe/Berlin'"})
  void badPart_isNamed(String text, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OfficeHours.parse(text));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
