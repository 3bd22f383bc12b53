package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.flipByte;
import static dev.cairn.cli.GpgHome.HASH_IDS;
import static dev.cairn.cli.GpgHome.testKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Signatures cross between cairn and gpg both ways. What {@code cairn sign} makes with keys from
 * {@code cairn key generate} (Ed25519, RSA-4096) or from gpg, gpg verifies; what gpg makes with
 * its RSA-2048, RSA-4096, Ed25519 keys and a signing subkey, {@code cairn verify} accepts and
 * names the key that signed, the digest and the time, as gpg does.
 */
class GpgInteropTest {
  private static final Pattern GENERATED = Pattern.compile("generated \\S+ key ([0-9A-F]{40}) for");
  private static final Pattern SIGNED_BY = Pattern.compile("signed by ([0-9A-F]{40}) ");

  @TempDir static Path shared;
  @TempDir Path dir;

  private static GpgHome gpg;
  private static final Map<String, CairnKey> CAIRN_KEYS = new HashMap<>();
  private static byte[] data;

  /** A key made by {@code cairn key generate}: its files and its primary key's fingerprint. */
  record CairnKey(Path secret, Path pub, String primary) {}

  @BeforeAll
  static void keys() throws IOException {
    gpg = GpgHome.in(shared);
    for (String algo : List.of("ed25519", "rsa4096")) {
      Path secret = shared.resolve(algo + ".sec.asc");
      Path pub = shared.resolve(algo + ".pub.asc");
      Result r = cairnOk("key", "generate", "--uid", "Cairn " + algo + " <" + algo + "@cairn.test>",
          "--algo", algo, "--expires", "1y", "--secret-out", secret.toString(), "--public-out", pub.toString(),
          "--no-passphrase");
      Matcher m = GENERATED.matcher(r.out());
      assertTrue(m.find(), r.describe("expected the new key's fingerprint"));
      CAIRN_KEYS.put(algo, new CairnKey(secret, pub, m.group(1)));
      gpg.importKeys(pub);
    }
    gpg.importKeys(testKey("rsa2048.sec.asc"), testKey("rsa4096.sec.asc"), testKey("ed25519.sec.asc"),
        testKey("subkey.sec.asc"));
    data = new byte[(1 << 20) + 4321];
    new Random(20240601).nextBytes(data);
  }

  @AfterAll
  static void stopAgent() {
    gpg.close();
  }

  private Path image() throws IOException {
    return Files.write(dir.resolve("image.bin"), data);
  }

  /** Signs with cairn and returns the fingerprint of the key it says it signed with. */
  private static String cairnSign(String... args) {
    Result r = cairnOk(args);
    Matcher m = SIGNED_BY.matcher(r.out());
    assertTrue(m.find(), r.describe("expected 'signed by FINGERPRINT'"));
    return m.group(1);
  }

  // ---- cairn signs, gpg verifies

  @ParameterizedTest(name = "cairn {0} key, {1}, --digest {2}")
  @CsvSource({
      "ed25519, binary, sha256", "ed25519, armored, sha256", "ed25519, binary, sha512", "ed25519, armored, sha512",
      "rsa4096, binary, sha256", "rsa4096, armored, sha256", "rsa4096, binary, sha512", "rsa4096, armored, sha512"})
  void cairnSignature_gpgSaysGood_bySubkeyOfCairnKey_withThatDigest(String algo, String form, String digest)
      throws IOException {
    CairnKey key = CAIRN_KEYS.get(algo);
    Path file = image();
    boolean armored = form.equals("armored");
    List<String> args = new ArrayList<>(List.of("sign", "--key", key.secret().toString(), "--digest", digest));
    if (armored) {
      args.add("--armor");
    }
    args.add(file.toString());
    String signer = cairnSign(args.toArray(String[]::new));

    Path sig = dir.resolve("image.bin" + (armored ? ".asc" : ".sig"));
    byte[] sigBytes = Files.readAllBytes(sig);
    if (armored) {
      assertTrue(new String(sigBytes, StandardCharsets.US_ASCII).startsWith("-----BEGIN PGP SIGNATURE-----"),
          "an armored signature starts with the armor header");
    } else {
      assertTrue((sigBytes[0] & 0x80) != 0, "a binary signature starts with a packet tag");
    }
    String[] valid = GpgHome.assertGood(gpg.verify(sig, file));
    assertEquals(signer, valid[0], "gpg names the key cairn signed with");
    assertEquals(key.primary(), valid[9], "gpg names the primary key cairn generated");
    assertNotEquals(key.primary(), signer, "cairn signs with the signing subkey, not the certify-only primary");
    assertEquals(HASH_IDS.get(digest.equals("sha512") ? "SHA-512" : "SHA-256"), valid[7],
        "gpg sees the digest cairn was asked for");
    assertEquals("00", valid[8], "a signature of binary data");
  }

  @Test
  void cairnSignature_ofChangedFile_gpgSaysBad() throws IOException {
    Path file = image();
    cairnSign("sign", "--key", CAIRN_KEYS.get("ed25519").secret().toString(), file.toString());
    Path sig = dir.resolve("image.bin.sig");
    GpgHome.assertGood(gpg.verify(sig, file));
    flipByte(file, data.length / 2);
    Result bad = gpg.verify(sig, file);
    assertEquals(1, bad.code(), bad.describe("expected gpg to reject the changed file"));
    assertTrue(bad.err().contains("BAD signature"), bad.describe("expected 'BAD signature'"));
  }

  @ParameterizedTest(name = "gpg-made {0} key")
  @ValueSource(strings = {"rsa2048", "rsa4096", "ed25519", "subkey"})
  void cairnSignsWithGpgMadeSecretKey_gpgSaysGood_bySigningKey(String key) throws IOException {
    Path file = image();
    String signer = cairnSign("sign", "--key", testKey(key + ".sec.asc").toString(), file.toString());
    GpgHome.Fingerprints fps = gpg.fingerprints(key + "@example.com");
    assertEquals(key.equals("subkey") ? fps.subkeys().get(0) : fps.primary(), signer,
        "cairn picks the key that may sign");
    String[] valid = GpgHome.assertGood(gpg.verify(dir.resolve("image.bin.sig"), file));
    assertEquals(signer, valid[0]);
    assertEquals(fps.primary(), valid[9]);
  }

  // ---- gpg signs, cairn verifies

  static Stream<Arguments> gpgSignatures() {
    List<Arguments> out = new ArrayList<>();
    for (String key : List.of("rsa2048", "rsa4096", "ed25519", "subkey")) {
      for (String form : List.of("binary", "armored")) {
        for (String digest : List.of("SHA256", "SHA512")) {
          out.add(Arguments.of(key, form, digest));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "gpg {0} key, {1}, --digest-algo {2}")
  @MethodSource("gpgSignatures")
  void gpgSignature_cairnSaysGood_namingSigningKeyDigestAndTime(String key, String form, String digest)
      throws IOException {
    Path file = image();
    boolean armored = form.equals("armored");
    Path sig = dir.resolve("image.bin" + (armored ? ".asc" : ".sig"));
    List<String> args = new ArrayList<>(List.of("--local-user", key + "@example.com", "--digest-algo", digest,
        "--output", sig.toString()));
    if (armored) {
      args.add("--armor");
    }
    args.addAll(List.of("--detach-sign", file.toString()));
    gpg.gpgOk(args.toArray(String[]::new));
    String[] valid = GpgHome.assertGood(gpg.verify(sig, file));

    GpgHome.Fingerprints fps = gpg.fingerprints(key + "@example.com");
    String signing;
    if (key.equals("subkey")) {
      assertEquals(1, fps.subkeys().size(), "the subkey test key has one subkey");
      signing = fps.subkeys().get(0);
    } else {
      signing = fps.primary();
    }
    assertEquals(signing, valid[0], "gpg signed with the key the test expects");

    // No SIG argument: cairn finds image.bin.sig, or image.bin.asc.
    Result r = cairnOk("verify", "--keyring", testKey(key + ".pub.asc").toString(), file.toString());
    assertEquals("", r.err(), r.describe("nothing on stderr"));
    String line = r.text();
    assertEquals(1, line.lines().count(), r.describe("one line"));
    String jdkDigest = digest.replace("SHA", "SHA-");
    String expected = file + ": good signature from \"" + uid(key) + "\" key " + signing
        + (key.equals("subkey") ? " (subkey of " + fps.primary() + ")" : "")
        + ", made " + Instant.ofEpochSecond(Long.parseLong(valid[2])) + " with " + jdkDigest;
    assertEquals(expected, line, r.describe("the good-signature line"));
    assertEquals(HASH_IDS.get(jdkDigest), valid[7], "gpg used the digest it was asked for");
  }

  private static String uid(String key) {
    return switch (key) {
      case "rsa2048" -> "Test RSA-2048 <rsa2048@example.com>";
      case "rsa4096" -> "Test RSA-4096 <rsa4096@example.com>";
      case "ed25519" -> "Test Ed25519 <ed25519@example.com>";
      default -> "Test Subkey <subkey@example.com>";
    };
  }

  // ---- sizes around the 1 MiB read-ahead chunks, both ways

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 5 * (1 << 20) + 3})
  void fileSizesAroundReadAheadChunks_verifyBothWays(int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    Path file = Files.write(dir.resolve("f.bin"), bytes);
    Path gpgSig = dir.resolve("gpg.sig");
    gpg.gpgOk("--local-user", "ed25519@example.com", "--output", gpgSig.toString(), "--detach-sign", file.toString());
    cairnOk("verify", "--keyring", testKey("ed25519.pub.asc").toString(), file.toString(), gpgSig.toString());

    Path cairnSig = dir.resolve("cairn.sig");
    cairnSign("sign", "--key", CAIRN_KEYS.get("ed25519").secret().toString(), "--output", cairnSig.toString(),
        file.toString());
    GpgHome.assertGood(gpg.verify(cairnSig, file));

    if (size > 0) {
      flipByte(file, size - 1);
      Result bad = cairn("verify", "--keyring", testKey("ed25519.pub.asc").toString(), file.toString(),
          gpgSig.toString());
      assertEquals(1, bad.code(), bad.describe("a changed last byte must fail"));
      assertTrue(bad.err().contains(": bad signature: "), bad.describe("expected 'bad signature'"));
    }
  }

  // ---- text signatures (gpg --textmode, type 0x01)

  /** Texts to sign in text mode: each names its line endings and edges. */
  static Stream<Arguments> texts() {
    byte[] big = new byte[(1 << 20) + 10];
    Arrays.fill(big, (byte) 'x');
    for (int i = 99; i < big.length; i += 100) {
      big[i] = '\n';   // gpg refuses text lines over 19,995 bytes
    }
    // A CR LF pair split by the 1 MiB read-ahead chunks, and CRs inside lines next to it.
    big[(1 << 20) - 1] = '\r';
    big[1 << 20] = '\n';
    big[(1 << 20) - 3] = '\r';
    big[(1 << 20) + 5] = '\r';
    return Stream.of(
        Arguments.of("LF", "one\ntwo\n".getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("CRLF", "one\r\ntwo\r\n".getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("mixed LF and CRLF, no final newline", "one\r\ntwo\nthree".getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("trailing blanks", "one  \ntwo\t\n \n".getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("CRs inside and at the ends of lines", "a\rb\r\r\nc\r".getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("blank lines only", "\n\n\r\n".getBytes(StandardCharsets.US_ASCII)),
        Arguments.of("empty", new byte[0]),
        Arguments.of("1 MiB + 10 with line endings across the read-ahead chunks", big));
  }

  /** Edits to a signed text; gpg decides which the signature still covers. */
  private static final Map<String, java.util.function.UnaryOperator<String>> EDITS = Map.of(
      "LF to CRLF", t -> t.replaceAll("(?<!\r)\n", "\r\n"),
      "CRLF to LF", t -> t.replace("\r\n", "\n"),
      "a blank before each newline", t -> t.replace("\n", " \n"),
      "a final newline", t -> t + "\n",
      "a CR at the end", t -> t + "\r",
      "a CR before each newline", t -> t.replace("\n", "\r\n"));

  /**
   * A detached text signature made by gpg ({@code --textmode}, binary and armored) is good for
   * cairn as for gpg, and the verdict says it is a text signature. Then every edit of
   * {@link #EDITS} is applied to the text, and cairn's verdict must be gpg's: good when gpg's
   * canonical form is unchanged (line endings, carriage returns ending a line), bad otherwise
   * (trailing blanks, an added line ending). The library's streaming check, which feeds installs,
   * refuses a text signature.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("texts")
  void gpgTextModeSignature_cairnAgreesWithGpg_onTheTextAndEachEdit(String what, byte[] text) throws IOException {
    Path file = Files.write(dir.resolve("notes.txt"), text);
    Path sig = dir.resolve("notes.txt.sig");
    Path asc = dir.resolve("notes.txt.asc");
    gpg.gpgOk("--local-user", "ed25519@example.com", "--textmode", "--output", sig.toString(), "--detach-sign",
        file.toString());
    gpg.gpgOk("--local-user", "rsa2048@example.com", "--textmode", "--armor", "--output", asc.toString(),
        "--detach-sign", file.toString());
    String keyring = testKey("ed25519.pub.asc") + "," + testKey("rsa2048.pub.asc");
    for (Path s : List.of(sig, asc)) {
      String[] valid = GpgHome.assertGood(gpg.verify(s, file));
      assertEquals("01", valid[8], "gpg made a text signature");
      Result r = cairnOk("verify", "--keyring", keyring, file.toString(), s.toString());
      assertTrue(r.text().endsWith(" with SHA-256, a text signature: line endings are not signed")
          || r.text().endsWith(" with SHA-512, a text signature: line endings are not signed"), r.describe("says text"));
    }

    String original = new String(text, StandardCharsets.ISO_8859_1);
    int changedByEdits = 0;
    for (Map.Entry<String, java.util.function.UnaryOperator<String>> edit : EDITS.entrySet()) {
      String edited = edit.getValue().apply(original);
      if (edited.equals(original)) {
        continue;
      }
      changedByEdits++;
      Files.write(file, edited.getBytes(StandardCharsets.ISO_8859_1));
      boolean gpgGood = gpg.verify(sig, file).code() == 0;
      Result r = cairn("verify", "--keyring", keyring, file.toString(), sig.toString());
      assertEquals(gpgGood ? 0 : 1, r.code(), r.describe(edit.getKey() + ": gpg says " + (gpgGood ? "good" : "bad")));
      if (!gpgGood) {
        assertTrue(r.err().contains(": bad signature: "), r.describe(edit.getKey()));
      }
    }
    assertTrue(changedByEdits >= 2, "the edits changed the text");

    Files.write(file, text);
    try (var in = dev.cairn.signing.openpgp.Trust.load(List.of(testKey("ed25519.pub.asc"))).open(Files.newInputStream(file),
        Files.readAllBytes(sig))) {
      in.readAllBytes();
      var v = assertInstanceOf(dev.cairn.signing.Verdict.Rejected.class, in.finish());
      assertTrue(v.detail().contains("a text signature, which does not cover line endings"), v.message());
    }
  }

  // ---- one keyring file holding several keys, as gpg --export writes it

  @Test
  void keyringExportedByGpgWithSeveralKeys_verifiesEachKeysSignature() throws IOException {
    Path file = image();
    Path ring = dir.resolve("all.asc");
    Result export = gpg.gpgOk("--armor", "--export", "rsa2048@example.com", "ed25519@example.com",
        "subkey@example.com");
    Files.writeString(ring, export.out());
    for (String key : List.of("rsa2048", "ed25519", "subkey")) {
      Path sig = dir.resolve(key + ".sig");
      gpg.gpgOk("--local-user", key + "@example.com", "--output", sig.toString(), "--detach-sign", file.toString());
      Result r = cairnOk("verify", "--keyring", ring.toString(), file.toString(), sig.toString());
      assertTrue(r.text().contains("\"" + uid(key) + "\""), r.describe("names " + uid(key)));
    }
  }

  @Test
  void binaryKeyringFromGpgExport_verifiesLikeTheArmoredOne() throws IOException {
    Path file = image();
    Path ring = dir.resolve("ed25519.gpg");
    gpg.gpgOk("--output", ring.toString(), "--export", "ed25519@example.com");
    byte[] bytes = Files.readAllBytes(ring);
    assertTrue(bytes.length > 0 && (bytes[0] & 0x80) != 0, "gpg wrote a binary OpenPGP packet stream");
    Path sig = dir.resolve("bin.sig");
    gpg.gpgOk("--local-user", "ed25519@example.com", "--output", sig.toString(), "--detach-sign", file.toString());
    Result r = cairnOk("verify", "--keyring", ring.toString(), file.toString(), sig.toString());
    assertTrue(r.text().contains("\"" + uid("ed25519") + "\""), r.describe("names the Ed25519 key"));
  }
}
