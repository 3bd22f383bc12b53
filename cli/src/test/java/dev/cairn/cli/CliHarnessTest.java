package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The harness itself: a missing peer fails (never skips), and the hash sees a one-byte change. */
class CliHarnessTest {
  @TempDir Path dir;

  @Test
  void missingPeer_failsAndSaysToRunTestSh() {
    AssertionFailedError e = assertThrows(AssertionFailedError.class,
        () -> CliHarness.peerPath("cairn-no-such-peer-tool"));
    assertTrue(e.getMessage().contains("./test.sh"), e.getMessage());
  }

  @Test
  void installedPeers_areFound() {
    assertTrue(Files.isExecutable(CliHarness.peerPath("sgdisk")));
    assertTrue(Files.isExecutable(CliHarness.peerPath("cgpt")));
    assertTrue(Files.isExecutable(CliHarness.peerPath("gpg")));
    assertTrue(Files.isExecutable(CliHarness.peerPath("gpgconf")));
  }

  @Test
  void peer_getsExtraEnvironmentAndStandardInput() {
    CliHarness.Result r = CliHarness.peer(Map.of("CAIRN_TEST_VALUE", "from-env "),
        "from-stdin".getBytes(StandardCharsets.UTF_8), "sh", "-c", "printf %s \"$CAIRN_TEST_VALUE\"; cat").ok();
    assertEquals("from-env from-stdin", r.out());
    assertEquals("", CliHarness.peer("sh", "-c", "cat").ok().out(), "no input unless given");
  }

  @Test
  void gpgHome_isPrivate_andGpgUsesIt() throws IOException {
    try (GpgHome gpg = GpgHome.in(dir)) {
      assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(gpg.dir));
      gpg.importKeys(GpgHome.testKey("ed25519.pub.asc"));
      assertTrue(Files.exists(gpg.dir.resolve("pubring.kbx")), "gpg keeps its keyring in the home given");
      assertTrue(gpg.fingerprints("ed25519@example.com").primary().matches("[0-9A-F]{40}"));
    }
  }

  @Test
  void sha256_changesWithOneFlippedByte() throws IOException {
    Path f = CliHarness.sparseImage(dir, "f.img", 1 << 20);
    assertEquals("30e14955ebf1352266dc2ff8067e68104607e750abb9d3b36582b8af909fcb58",
        CliHarness.sha256(f), "SHA-256 of 1 MiB of zeros");
    String before = CliHarness.sha256(f);
    CliHarness.flipByte(f, 12345);
    assertTrue(!before.equals(CliHarness.sha256(f)));
  }

  @Test
  void cairn_capturesExitCodeAndStreams() {
    CliHarness.Result r = CliHarness.cairn("gpt", "show", "--no-such-flag", "disk.img");
    assertEquals(2, r.code(), r.describe("bad usage"));
    assertTrue(r.err().contains("--no-such-flag"), r.describe("stderr names the flag"));
    CliHarness.Result v = CliHarness.cairnOk("--version");
    assertTrue(v.text().startsWith("cairn "), v.describe("stdout carries the version"));
  }
}
