package dev.cairn.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestsFileTest {
  static final String SHA256 = "ab".repeat(32);
  static final String SHA512 = "cd".repeat(64);

  @Test
  void renderAndParse_roundTrip() {
    DigestsFile d = new DigestsFile(List.of(
        new DigestsFile.Entry(DigestsFile.Algorithm.SHA256, SHA256, "image.bin.bz2"),
        new DigestsFile.Entry(DigestsFile.Algorithm.SHA512, SHA512, "image.bin.bz2")));
    String text = d.render();
    assertEquals("# SHA256 HASH\n" + SHA256 + "  image.bin.bz2\n# SHA512 HASH\n" + SHA512 + "  image.bin.bz2\n", text);
    assertEquals(d, DigestsFile.parse(text));
  }

  @Test
  void parse_acceptsBinaryMarkerUpperCaseAndOtherHashBlocks() {
    String text = "# MD5 HASH\n0123  ignored.bin\n# SHA256 HASH\n" + SHA256.toUpperCase() + "  *a.bin\r\n";
    DigestsFile d = DigestsFile.parse(text);
    assertEquals(List.of(new DigestsFile.Entry(DigestsFile.Algorithm.SHA256, SHA256, "a.bin")), d.entries());
  }

  @Test
  void parse_errorsNameTheLine() {
    assertEquals("line 2: SHA256 of a.bin must be 64 hex digits, got 'abc'",
        assertThrows(IllegalArgumentException.class, () -> DigestsFile.parse("# SHA256 HASH\nabc  a.bin\n")).getMessage());
    assertEquals("line 1: a digest line outside a '# SHA256 HASH' or '# SHA512 HASH' block",
        assertThrows(IllegalArgumentException.class, () -> DigestsFile.parse(SHA256 + "  a.bin\n")).getMessage());
    assertEquals("no digests listed",
        assertThrows(IllegalArgumentException.class, () -> DigestsFile.parse("\n")).getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../etc/passwd", "/etc/passwd", "sub/file", "..", ".", "a\\b", ""})
  void names_outsideTheFolder_areRefused(String name) {
    assertThrows(IllegalArgumentException.class,
        () -> DigestsFile.parse("# SHA256 HASH\n" + SHA256 + "  " + name + "\n"));
  }
}
