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
  void parse_acceptsBinaryMarkerUpperCase_andKeepsWeakAndOtherHashBlocks() {
    String md5 = "01".repeat(16);
    String text = "# MD5 HASH\n" + md5 + "  weak.bin\n# SHA384 HASH\n" + "ef".repeat(48) + "  other.bin\n"
        + "# SHA256 HASH\n" + SHA256.toUpperCase() + "  *a.bin\r\n";
    DigestsFile d = DigestsFile.parse(text);
    assertEquals(List.of(new DigestsFile.Entry(DigestsFile.Algorithm.MD5, md5, "weak.bin"),
        new DigestsFile.Entry(DigestsFile.Algorithm.SHA256, SHA256, "a.bin")), d.entries());
    assertEquals(List.of(new DigestsFile.Unchecked("SHA384", "other.bin")), d.unchecked());
    assertEquals(List.of("weak.bin", "a.bin", "other.bin"), d.names());
  }

  /**
   * A CoreOS-style listing: each file under MD5, SHA1 and SHA512, but one only under MD5 and
   * SHA1 and one only under a hash Cairn does not check. Only SHA-256 and SHA-512 count as cover.
   */
  @Test
  void coverage_strongWhenSha256OrSha512ListsTheFile_elseWeakOnly_elseNone() {
    String md5 = "01".repeat(16);
    String sha1 = "02".repeat(20);
    String text = "# MD5 HASH\n" + md5 + "  image.bin\n" + md5 + "  kernel\n"
        + "# SHA1 HASH\n" + sha1 + "  image.bin\n" + sha1 + "  kernel\n"
        + "# SHA512 HASH\n" + SHA512 + "  image.bin\n"
        + "# SHA3-256 HASH\n" + "03".repeat(32) + "  notes\n";
    DigestsFile d = DigestsFile.parse(text);
    assertEquals(new DigestsFile.Coverage.Strong(List.of(new DigestsFile.Entry(DigestsFile.Algorithm.SHA512, SHA512, "image.bin"))),
        d.coverage("image.bin"));
    assertEquals(new DigestsFile.Coverage.WeakOnly(List.of(new DigestsFile.Entry(DigestsFile.Algorithm.MD5, md5, "kernel"),
        new DigestsFile.Entry(DigestsFile.Algorithm.SHA1, sha1, "kernel"))), d.coverage("kernel"));
    assertEquals(new DigestsFile.Coverage.None(List.of("SHA3-256")), d.coverage("notes"));
  }

  @Test
  void parse_errorsNameTheLine() {
    assertEquals("line 2: SHA256 of a.bin must be 64 hex digits, got 'abc'",
        assertThrows(IllegalArgumentException.class, () -> DigestsFile.parse("# SHA256 HASH\nabc  a.bin\n")).getMessage());
    assertEquals("line 2: MD5 of a.bin must be 32 hex digits, got '0123'",
        assertThrows(IllegalArgumentException.class, () -> DigestsFile.parse("# MD5 HASH\n0123  a.bin\n")).getMessage());
    assertEquals("line 1: a digest line outside a '# ALGORITHM HASH' block such as '# SHA512 HASH'",
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
