package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.cairnProcess;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn key generate}: the secret key file is private (0600) and never overwritten without
 * --force; a passphrase from --passphrase-file or CAIRN_KEY_PASSPHRASE really protects the key, for
 * gpg as for {@code cairn sign}; and a key needs a passphrase unless --no-passphrase says so.
 */
class KeyGenerationTest {
  private static final String ENV = "CAIRN_KEY_PASSPHRASE";
  /** Not ASCII, so cairn and gpg must agree on UTF-8. */
  private static final String PASSPHRASE = "corrÉct hörse bättery ✓";

  @TempDir Path dir;
  private Path secret;
  private Path pub;
  private Path data;

  @BeforeAll
  static void passphraseNotInEnvironment() {
    assertNull(System.getenv(ENV), ENV + " is set in the test environment; unset it: these tests "
        + "check what cairn does without it");
  }

  @BeforeEach
  void paths() throws IOException {
    secret = dir.resolve("release.sec.asc");
    pub = dir.resolve("release.pub.asc");
    data = Files.writeString(dir.resolve("image.bin"), "an image to sign\n");
  }

  private Result generate(String... extra) {
    List<String> args = new ArrayList<>(List.of("key", "generate", "--uid", "Release <release@cairn.test>",
        "--secret-out", secret.toString(), "--public-out", pub.toString()));
    args.addAll(Arrays.asList(extra));
    return cairn(args.toArray(String[]::new));
  }

  private static String fingerprint(Result generated) {
    Matcher m = Pattern.compile("key ([0-9A-F]{40}) for").matcher(generated.out());
    assertTrue(m.find(), generated.describe("expected the new key's fingerprint"));
    return m.group(1);
  }

  /** Asserts exit 2 and one stderr line holding every keyword. */
  private static String assertBadInput(Result r, String... keywords) {
    assertEquals(2, r.code(), r.describe("expected exit 2 (bad input)"));
    assertEquals(1, r.errLines().size(), r.describe("expected one line on stderr"));
    String line = r.errLines().get(0);
    for (String k : keywords) {
      assertTrue(line.contains(k), r.describe("stderr should mention '" + k + "'"));
    }
    return line;
  }

  private Path passphraseFile(String name, String passphrase) throws IOException {
    return Files.writeString(dir.resolve(name), passphrase + "\n", StandardCharsets.UTF_8);
  }

  // ---- the files

  @Test
  void secretFileIsMode0600_publicFileIsWritableByOwnerOnly() throws IOException {
    generate("--no-passphrase").ok();
    assertEquals(Set.of(OWNER_READ, OWNER_WRITE), Files.getPosixFilePermissions(secret));
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(pub);
    assertTrue(p.contains(OWNER_READ) && p.contains(OWNER_WRITE), p.toString());
    assertFalse(p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE),
        p.toString());
    assertTrue(Files.readString(secret).startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
    assertTrue(Files.readString(pub).startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"));
  }

  @Test
  void generateAgainWithoutForce_exit2_bothFilesByteIdentical() throws IOException {
    generate("--no-passphrase").ok();
    byte[] secretBefore = Files.readAllBytes(secret);
    byte[] pubBefore = Files.readAllBytes(pub);

    assertBadInput(generate("--no-passphrase"), "exists", "--force");
    assertArrayEquals(secretBefore, Files.readAllBytes(secret), "the secret key is untouched");
    assertArrayEquals(pubBefore, Files.readAllBytes(pub), "the public key is untouched");
    assertEquals(Set.of(OWNER_READ, OWNER_WRITE), Files.getPosixFilePermissions(secret));
  }

  @Test
  void onlyThePublicFileExists_withoutForce_exit2_noSecretWritten() throws IOException {
    Files.writeString(pub, "an older public key\n");
    assertBadInput(generate("--no-passphrase"), pub.toString(), "--force");
    assertFalse(Files.exists(secret), "no secret key without its public half");
    assertEquals("an older public key\n", Files.readString(pub));
  }

  @Test
  void withForce_bothFilesReplaced_secretStill0600() throws IOException {
    String first = fingerprint(generate("--no-passphrase").ok());
    byte[] secretBefore = Files.readAllBytes(secret);
    Files.setPosixFilePermissions(secret, Set.of(OWNER_READ, OWNER_WRITE));

    String second = fingerprint(generate("--no-passphrase", "--force").ok());
    assertNotEquals(first, second, "a new key");
    assertFalse(Arrays.equals(secretBefore, Files.readAllBytes(secret)), "the secret file was replaced");
    assertEquals(Set.of(OWNER_READ, OWNER_WRITE), Files.getPosixFilePermissions(secret));
    try (var leftovers = Files.list(dir)) {
      assertEquals(List.of(), leftovers.filter(f -> f.getFileName().toString().startsWith(".")).toList(),
          "no temporary files left behind");
    }
  }

  // ---- where the passphrase comes from

  @Test
  void noPassphraseSource_exit2_namesTheWays_nothingWritten() {
    assertBadInput(generate(), ENV, "--passphrase-file", "--no-passphrase");
    assertFalse(Files.exists(secret));
    assertFalse(Files.exists(pub));
  }

  @Test
  void noPassphraseTogetherWithPassphraseFile_exit2() throws IOException {
    Path pp = passphraseFile("pp", PASSPHRASE);
    assertBadInput(generate("--no-passphrase", "--passphrase-file", pp.toString()), "--no-passphrase");
    assertFalse(Files.exists(secret));
  }

  @Test
  void emptyPassphraseFile_exit2() throws IOException {
    Path pp = Files.writeString(dir.resolve("pp"), "\n");
    assertBadInput(generate("--passphrase-file", pp.toString()), "empty");
    assertFalse(Files.exists(secret));
  }

  // ---- protection, as gpg and cairn sign see it

  @Test
  void passphraseFile_protectsTheKey_forGpgAndForCairnSign() throws IOException {
    Path pp = passphraseFile("pp", PASSPHRASE);
    Path wrong = passphraseFile("wrong", "not the passphrase");
    String primary = fingerprint(generate("--passphrase-file", pp.toString()).ok());
    Path sig = dir.resolve("image.bin.sig");

    // cairn sign
    assertBadInput(cairn("sign", "--key", secret.toString(), data.toString()), ENV, "--passphrase-file");
    assertFalse(Files.exists(sig), "no signature without the passphrase");
    assertBadInput(cairn("sign", "--key", secret.toString(), "--passphrase-file", wrong.toString(),
        data.toString()), "wrong passphrase");
    assertFalse(Files.exists(sig), "no signature with a wrong passphrase");
    cairnOk("sign", "--key", secret.toString(), "--passphrase-file", pp.toString(), data.toString());

    try (GpgHome gpg = GpgHome.in(dir)) {
      gpg.importKeys(secret);
      GpgHome.assertGood(gpg.verify(sig, data));
      // The agent remembers a passphrase once it has worked: the refusals come first. gpg leaves
      // an empty output file behind when signing fails, so each attempt writes its own.
      Result none = gpg.gpg("--pinentry-mode", "loopback", "--output", dir.resolve("none.sig").toString(),
          "--detach-sign", data.toString());
      assertNotEquals(0, none.code(), none.describe("gpg must not sign without the passphrase"));
      Result bad = gpg.gpgWithInput("not the passphrase\n".getBytes(StandardCharsets.UTF_8),
          "--pinentry-mode", "loopback", "--passphrase-fd", "0", "--output", dir.resolve("bad.sig").toString(),
          "--detach-sign", data.toString());
      assertNotEquals(0, bad.code(), bad.describe("gpg must not sign with a wrong passphrase"));
      assertTrue(bad.err().contains("Bad passphrase"), bad.describe("gpg says why"));

      Path gpgSig = dir.resolve("gpg.sig");
      gpg.gpgOk("--pinentry-mode", "loopback", "--passphrase-file", pp.toString(), "--output",
          gpgSig.toString(), "--detach-sign", data.toString());
      String[] valid = GpgHome.assertGood(gpg.verify(gpgSig, data));
      assertEquals(primary, valid[9]);
    }
  }

  @Test
  void noPassphrase_gpgAndCairnSignWithoutOne() throws IOException {
    generate("--no-passphrase").ok();
    cairnOk("sign", "--key", secret.toString(), data.toString());
    try (GpgHome gpg = GpgHome.in(dir)) {
      gpg.importKeys(secret);
      Path gpgSig = dir.resolve("gpg.sig");
      gpg.gpgOk("--pinentry-mode", "loopback", "--output", gpgSig.toString(), "--detach-sign", data.toString());
      GpgHome.assertGood(gpg.verify(gpgSig, data));
      GpgHome.assertGood(gpg.verify(dir.resolve("image.bin.sig"), data));
    }
  }

  /** The environment variable cannot be set in this JVM, so cairn runs as its own process here. */
  @Test
  void passphraseFromEnvironment_protectsTheKey() throws IOException {
    String passphrase = "from the environment 42";
    Map<String, String> env = Map.of(ENV, passphrase);
    cairnProcess(env, "key", "generate", "--uid", "Release <release@cairn.test>", "--secret-out",
        secret.toString(), "--public-out", pub.toString()).ok();
    assertEquals(Set.of(OWNER_READ, OWNER_WRITE), Files.getPosixFilePermissions(secret));

    assertBadInput(cairn("sign", "--key", secret.toString(), data.toString()), ENV);
    cairnProcess(env, "sign", "--key", secret.toString(), data.toString()).ok();

    try (GpgHome gpg = GpgHome.in(dir)) {
      gpg.importKeys(secret);
      GpgHome.assertGood(gpg.verify(dir.resolve("image.bin.sig"), data));
      assertGpgSignsWith(gpg, passphrase);
    }
  }

  /**
   * In a C locale the JVM reads every non-ASCII byte of the environment as U+FFFD: a key
   * protected with that would open with any passphrase of the same shape, and never in gpg with
   * the real one. cairn must refuse instead.
   */
  @Test
  void nonAsciiPassphraseFromEnvironment_inCLocale_isRefused() {
    Result r = cairnProcess(Map.of(ENV, PASSPHRASE, "LC_ALL", "C"), "key", "generate", "--uid",
        "Release <release@cairn.test>", "--secret-out", secret.toString(), "--public-out", pub.toString());
    assertBadInput(r, ENV, "locale", "--passphrase-file");
    assertFalse(Files.exists(secret), "no key protected by a mangled passphrase");
  }

  @Test
  void nonAsciiPassphraseFromEnvironment_inUtf8Locale_isTheOneGpgUses() throws IOException {
    cairnProcess(Map.of(ENV, PASSPHRASE, "LC_ALL", "C.UTF-8"), "key", "generate", "--uid",
        "Release <release@cairn.test>", "--secret-out", secret.toString(), "--public-out", pub.toString()).ok();
    try (GpgHome gpg = GpgHome.in(dir)) {
      gpg.importKeys(secret);
      assertGpgSignsWith(gpg, PASSPHRASE);
    }
  }

  /** gpg signs with the imported key given {@code passphrase} as UTF-8 on its standard input. */
  private void assertGpgSignsWith(GpgHome gpg, String passphrase) {
    Path gpgSig = dir.resolve("gpg.sig");
    gpg.gpgWithInput((passphrase + "\n").getBytes(StandardCharsets.UTF_8), "--pinentry-mode", "loopback",
        "--passphrase-fd", "0", "--output", gpgSig.toString(), "--detach-sign", data.toString()).ok();
    GpgHome.assertGood(gpg.verify(gpgSig, data));
  }

  // ---- what gpg reads from the key

  @Test
  void gpgSeesCertifyOnlyPrimary_signingSubkey_andTheExpiry() throws IOException {
    generate("--no-passphrase", "--expires", "2y").ok();
    Path never = dir.resolve("never.pub.asc");
    cairnOk("key", "generate", "--uid", "Forever <forever@cairn.test>", "--expires", "never", "--no-passphrase",
        "--secret-out", dir.resolve("never.sec.asc").toString(), "--public-out", never.toString());
    try (GpgHome gpg = GpgHome.in(dir)) {
      gpg.importKeys(pub, never);
      for (String who : List.of("release@cairn.test", "forever@cairn.test")) {
        List<String[]> keys = gpg.gpgOk("--with-colons", "--list-keys", who).out().lines()
            .map(l -> l.split(":", -1)).filter(f -> f[0].equals("pub") || f[0].equals("sub")).toList();
        assertEquals(2, keys.size(), "a primary and one subkey for " + who);
        assertEquals("c", ownUsage(keys.get(0)[11]), "the primary only certifies");
        assertEquals("s", ownUsage(keys.get(1)[11]), "the subkey only signs");
        for (String[] k : keys) {
          long created = Long.parseLong(k[5]);
          if (who.startsWith("forever")) {
            assertEquals("", k[6], "--expires never");
          } else {
            assertEquals(created + 2 * 365 * 86400L, Long.parseLong(k[6]), "--expires 2y");
          }
        }
      }
    }
  }

  /** gpg's key capabilities field: lower-case letters are the key's own usage. */
  private static String ownUsage(String capabilities) {
    return capabilities.replaceAll("[^a-z]", "");
  }
}
