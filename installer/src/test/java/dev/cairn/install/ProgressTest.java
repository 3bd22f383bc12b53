package dev.cairn.install;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void bar_showsPercentBytesRateAndEta() {
    assertEquals("[##########..........]  50%  512.0 MiB / 1.00 GiB  51.2 MiB/s  ETA 0:10",
        Progress.bar(512L << 20, 1L << 30, 10, 20));
  }

  @Test
  void withoutATotal_onlyBytesAndRate() {
    assertEquals("3.00 MiB  1.50 MiB/s", Progress.bar(3L << 20, -1, 2, 20));
  }

  @Test
  void line_forLogs() {
    assertEquals("downloaded 100%  2.00 MiB / 2.00 MiB  1.00 MiB/s  done", Progress.line(2L << 20, 2L << 20, 2));
  }
}
