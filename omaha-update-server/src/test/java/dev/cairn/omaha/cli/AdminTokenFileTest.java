package dev.cairn.omaha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.files.OwnerOnly;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin token file: what cairn serve accepts, and the one line it stops with otherwise. */
class AdminTokenFileTest {
  @TempDir
  Path dir;

  Path token(String content, String mode) throws Exception {
    Path f = dir.resolve("admin.token");
    Files.writeString(f, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  String refusal(Path f) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdminTokenFile.read(f));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("admin token " + f + " "), e.getMessage());
    return e.getMessage();
  }

  @Test
  void firstStart_writesA256BitHexToken_ownerOnly() throws Exception {
    Path f = dir.resolve("admin.token");
    AdminTokenFile.Token t = AdminTokenFile.ensure(f);
    assertTrue(t.created());
    assertTrue(t.value().matches("[0-9a-f]{64}"), t.value());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    AdminTokenFile.Token again = AdminTokenFile.ensure(f);
    assertFalse(again.created());
    assertEquals(t.value(), again.value());
  }

  @ParameterizedTest(name = "[{index}] content ''{0}''")
  @CsvSource(value = {"''", "'\n'", "'   \n\t\n'"}, quoteCharacter = '\'')
  void emptyOrWhitespaceOnlyToken_isRefused(String content) throws Exception {
    String m = refusal(token(content, "rw-------"));
    assertTrue(m.contains("is empty; fix with: rm "), m);
  }

  @Test
  void shortToken_isRefused_namingItsStrength() throws Exception {
    String m = refusal(token("0123456789abcdef0123456789abcde\n", "rw-------"));   // 31 hex: 124 bits
    assertTrue(m.contains("too short: about 124 bits in 31 characters, at least 128 needed"), m);
  }

  @Test
  void repeatedCharacters_areCountedAsTheNothingTheyAre() throws Exception {
    String m = refusal(token("a".repeat(200), "rw-------"));
    assertTrue(m.contains("too short"), m);
  }

  @Test
  void tokenWithASpaceInside_isRefused() throws Exception {
    String m = refusal(token("0123456789abcdef 0123456789abcdef0123456789abcdef", "rw-------"));
    assertTrue(m.contains("at position 17"), m);
  }

  @ParameterizedTest
  @CsvSource({"rw-r-----", "rw----r--", "rw-rw-rw-"})
  void tokenReadableByGroupOrOthers_isRefusedWithTheFix(String mode) throws Exception {
    String m = refusal(token("0123456789abcdef0123456789abcdef", mode));
    assertTrue(m.contains("is readable by group or others (mode " + mode + "); fix with: chmod 600 "), m);
  }

  @Test
  void strongTokens_inHexOrBase64_areAccepted() throws Exception {
    assertEquals("0123456789abcdef0123456789abcdef", AdminTokenFile.read(token("0123456789abcdef0123456789abcdef\n", "rw-------")));
    assertEquals("q3Zx9_Lm2-Rt7Yw1Pk8Nv4", AdminTokenFile.read(token(" q3Zx9_Lm2-Rt7Yw1Pk8Nv4 \n", "r--------")));
  }

  @Test
  void ownerOnlyDirectories_areMadeWhateverTheUmask() throws Exception {
    Path deep = dir.resolve("a/b/c");
    OwnerOnly.directories(deep);
    for (Path p = deep; !p.equals(dir); p = p.getParent()) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
    }
  }
}
