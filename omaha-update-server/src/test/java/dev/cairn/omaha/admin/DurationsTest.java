package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"90s,90", "45m,2700", "1h,3600", "2d,172800", "1h30m,5400", "1d2h3m4s,93784", "0s,0", "1H,3600"})
  void operatorDurations_areReadAsSeconds(String text, long seconds) {
    assertEquals(seconds, Durations.seconds(text));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "h", "1", "1x", "1h 30m", "-1h", "1.5h", "one hour"})
  void notADuration_isRefused_namingTheValue(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.seconds(text));
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("1h30m"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "9223372036854775807d"})
  void hugeDuration_isRefused_notWrapped(String text) {
    assertThrows(IllegalArgumentException.class, () -> Durations.seconds(text));
  }

  @ParameterizedTest
  @CsvSource({"0,0s", "90,1m30s", "3600,1h", "5400,1h30m", "172800,2d", "93784,1d2h3m4s"})
  void format_isTheShortestTextThatReadsBack(long seconds, String text) {
    assertEquals(text, Durations.format(seconds));
    assertEquals(seconds, Durations.seconds(text));
  }
}
