package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code cairn serve} refuses to start on an admin token that would leave the admin API open or
 * guessable: exit 2, one line naming the file and the fix, nothing listening, no database made.
 */
class ServeAdminTokenTest {
  @TempDir
  Path dir;

  @ParameterizedTest(name = "[{index}] {0} mode {1}")
  @CsvSource(value = {
      "''|rw-------|is empty; fix with: rm ",
      "'  \n \n'|rw-------|is empty; fix with: rm ",
      "'secret\n'|rw-------|is too short: about 36 bits in 6 characters",
      "'0123456789abcdef0123456789abcdef\n'|rw-r--r--|is readable by group or others (mode rw-r--r--); fix with: chmod 600 "},
      delimiter = '|', quoteCharacter = '\'')
  void serve_withAWeakOrOpenTokenFile_exits2WithOneLine_andStartsNothing(String content, String mode, String reason)
      throws Exception {
    Path data = dir.resolve("cairn-data");
    Files.createDirectories(data);
    Path token = data.resolve("admin.token");
    Files.writeString(token, content);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString(mode));

    CliHarness.Result r = CliHarness.cairn("serve", "--listen", "127.0.0.1:0", "--data-dir", data.toString());

    assertEquals(2, r.code(), r.describe("exit 2"));
    assertEquals(1, r.errLines().size(), r.describe("one line on stderr"));
    assertTrue(r.errLines().get(0).startsWith("cairn serve: admin token " + token + " "), r.errLines().get(0));
    assertTrue(r.errLines().get(0).contains(reason), r.errLines().get(0));
    assertEquals("", r.out(), "nothing announced as listening");
    assertFalse(Files.exists(data.resolve("cairn.db")), "no database was created");
    assertEquals(content, Files.readString(token), "the token file is left as it was");
  }

  @Test
  void serve_onAnOpenDataDirectory_refusesAnOpenTokenBeforeTouchingIt() throws Exception {
    Path data = dir.resolve("open-data");
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(data.resolve("admin.token"), "0123456789abcdef0123456789abcdef");
    Files.setPosixFilePermissions(data.resolve("admin.token"), PosixFilePermissions.fromString("rw-rw-rw-"));

    CliHarness.Result r = CliHarness.cairn("serve", "--listen", "127.0.0.1:0", "--data-dir", data.toString());

    assertEquals(2, r.code(), r.describe("exit 2"));
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)),
        "a refused start changes nothing");
  }

  @Test
  void serve_onADatabaseNobodyAnswers_exits1NamingTheUrl_andStartsNothing() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();      // closed again: nothing listens there
    }
    Path data = dir.resolve("cairn-data");
    String url = "postgresql://cairn@127.0.0.1:" + port + "/cairn";

    CliHarness.Result r = CliHarness.cairn("serve", "--listen", "127.0.0.1:0", "--data-dir", data.toString(),
        "--database", url);

    assertEquals(1, r.code(), r.describe("exit 1"));
    assertTrue(r.err().contains("cairn serve: " + url + ": "), r.describe("names the database"));
    assertTrue(r.err().toLowerCase(java.util.Locale.ROOT).contains("refused"), r.describe("says what happened"));
    assertEquals("", r.out(), "nothing announced as listening");
    assertFalse(Files.exists(data.resolve("cairn.db")), "no SQLite database beside it");
  }

  @Test
  void serve_withAPasswordInTheDatabaseUrl_exits2_withoutRepeatingIt() throws Exception {
    CliHarness.Result r = CliHarness.cairn("serve", "--listen", "127.0.0.1:0", "--data-dir",
        dir.resolve("cairn-data").toString(), "--database", "postgresql://cairn:hunter2@db.example.com/cairn");

    assertEquals(2, r.code(), r.describe("exit 2"));
    assertFalse(r.err().contains("hunter2"), r.describe("the password is not repeated"));
    assertTrue(r.err().contains("never on the command line"), r.describe("says where the password goes"));
  }
}
