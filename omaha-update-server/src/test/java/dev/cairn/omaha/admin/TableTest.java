package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
  @Test
  void columnsAreAsWideAsTheirWidestCell_withAHeaderLine_andNoTrailingBlanks() {
    String t = Table.format(List.of("NAME", "VERSION"),
        List.of(List.of("alpha", "2.0.0"), List.of("stable", "3602.2.0"), Arrays.asList("beta", null)));
    assertEquals("""
        NAME    VERSION
        alpha   2.0.0
        stable  3602.2.0
        beta    -
        """, t);
  }

  @Test
  void noRows_isTheHeaderLineOnly() {
    assertEquals("AT  KIND\n", Table.format(List.of("AT", "KIND"), List.of()));
  }

  @Test
  void emptyCellsShowAsDash_andNewlinesInACellDoNotBreakTheRow() {
    assertEquals("A  B\n-  x y\n", Table.format(List.of("A", "B"), List.of(List.of("", "x\ny"))));
  }
}
