package dev.cairn.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionTest {
  @ParameterizedTest(name = "{0} < {1}")
  @CsvSource({
    "1235.6.0, 1235.6.1", "1235.6.9, 1235.10.0", "2345.3.0, 10000.0.0", "3510.2.1-rc1, 3510.2.1",
    "3510.2.1-alpha, 3510.2.1-beta", "3510.2.1-rc.2, 3510.2.1-rc.10", "0.0.0.0, 1.0.0", "3510.2.1, 3510.2.1.1"})
  void ordersNumericallyWithPreReleasesFirst(String lower, String higher) {
    assertTrue(Version.parse(lower).compareTo(Version.parse(higher)) < 0);
    assertTrue(Version.parse(higher).compareTo(Version.parse(lower)) > 0);
  }

  @ParameterizedTest
  @CsvSource({"3510.2.1+build.5, 3510.2.1", "3510.2.1, 3510.2.1.0"})
  void buildMetadataAndAZeroFourthNumberDoNotCount(String a, String b) {
    assertEquals(0, Version.parse(a).compareTo(Version.parse(b)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1.2", "v1.2.3", "1.2.3.4.5", "latest", "1.2.x", "-1.2.3"})
  void rejectsWhatIsNotAVersion(String text) {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Version.parse(text)).getMessage()
        .contains("'" + text + "'"));
    assertNull(Version.tryParse(text));
  }
}
