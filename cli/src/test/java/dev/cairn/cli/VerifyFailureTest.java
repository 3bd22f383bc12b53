package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.flipByte;
import static dev.cairn.cli.CliHarness.setLength;
import static dev.cairn.cli.GpgHome.testKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code cairn verify} refuses what must not be trusted with exit 1, nothing on stdout and one
 * stderr line {@code cairn verify: FILE: REASON: detail}: changed or truncated data, a key that is
 * not trusted, expired or revoked, an expired signature, a signature that is not one, algorithms
 * cairn does not accept, and the keyring of a key rotation.
 * Each case first shows the same signature is good where it should be, so the refusal is the
 * point being tested.
 */
class VerifyFailureTest {
  @TempDir static Path shared;
  @TempDir Path dir;

  private static GpgHome gpg;
  private static byte[] data;

  @BeforeAll
  static void keys() throws IOException {
    gpg = GpgHome.in(shared);
    // Only the secret halves: revoked.sec.asc predates the revocation, so gpg still signs with it.
    gpg.importKeys(testKey("ed25519.sec.asc"), testKey("rsa4096.sec.asc"), testKey("expired.sec.asc"),
        testKey("revoked.sec.asc"));
    data = new byte[(1 << 20) + 777];
    new Random(7).nextBytes(data);
  }

  @AfterAll
  static void stopAgent() {
    gpg.close();
  }

  private Path image() throws IOException {
    return Files.write(dir.resolve("image.bin"), data);
  }

  /** A detached binary signature of {@code file} by the gpg test key {@code who}, made by gpg. */
  private Path gpgSign(String who, Path file, String... extra) {
    Path sig = dir.resolve(file.getFileName() + "." + who + ".sig");
    String[] args = new String[extra.length + 6];
    System.arraycopy(extra, 0, args, 0, extra.length);
    System.arraycopy(new String[] {"--local-user", who + "@example.com", "--output", sig.toString(),
        "--detach-sign", file.toString()}, 0, args, extra.length, 6);
    gpg.gpgOk(args);
    return sig;
  }

  private static Result verify(Object keyring, Path file, Path sig) {
    return cairn("verify", "--keyring", keyring.toString(), file.toString(), sig.toString());
  }

  /** Asserts exit 1, an empty stdout and one stderr line {@code cairn verify: FILE: REASON: ...}. */
  private static String assertRejected(Result r, Path file, String reason) {
    assertEquals(1, r.code(), r.describe("expected exit 1 (" + reason + ")"));
    assertEquals("", r.out(), r.describe("nothing on stdout"));
    assertEquals(1, r.errLines().size(), r.describe("expected one line on stderr"));
    String line = r.errLines().get(0);
    String prefix = "cairn verify: " + file + ": " + reason + ": ";
    assertTrue(line.startsWith(prefix) && line.length() > prefix.length(),
        r.describe("expected '" + prefix + "<detail>'"));
    return line;
  }

  private static String fingerprint(String who) {
    return gpg.fingerprints(who + "@example.com").primary();
  }

  // ---- the data changed

  @ParameterizedTest(name = "{0} key, byte {1} flipped")
  @CsvSource({"ed25519, 0", "ed25519, 524288", "ed25519, -1", "rsa4096, 0", "rsa4096, -1"})
  void flippedByte_isBadSignature_namingTheKey(String who, long offset) throws IOException {
    Path file = image();
    Path sig = gpgSign(who, file);
    Path keyring = testKey(who + ".pub.asc");
    cairnOk("verify", "--keyring", keyring.toString(), file.toString(), sig.toString());

    flipByte(file, offset < 0 ? data.length + offset : offset);
    String line = assertRejected(verify(keyring, file, sig), file, "bad signature");
    assertTrue(line.contains(fingerprint(who)), line);
  }

  @ParameterizedTest(name = "cut to {0} bytes")
  @ValueSource(longs = {(1 << 20) + 776, 1 << 20, 1000, 0})
  void truncatedFile_isBadSignature(long length) throws IOException {
    Path file = image();
    Path sig = gpgSign("ed25519", file);
    Path keyring = testKey("ed25519.pub.asc");
    cairnOk("verify", "--keyring", keyring.toString(), file.toString(), sig.toString());

    setLength(file, length);
    assertRejected(verify(keyring, file, sig), file, "bad signature");
  }

  @Test
  void appendedByte_isBadSignature() throws IOException {
    Path file = image();
    Path sig = gpgSign("ed25519", file);
    Files.write(file, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
    assertRejected(verify(testKey("ed25519.pub.asc"), file, sig), file, "bad signature");
  }

  // ---- the key is not to be trusted

  @Test
  void signatureByKeyNotInKeyring_isUnknownKey_namingTheSigner() throws IOException {
    Path file = image();
    Path sig = gpgSign("ed25519", file);
    String line = assertRejected(verify(testKey("rsa2048.pub.asc"), file, sig), file, "unknown key");
    assertTrue(line.contains(fingerprint("ed25519")), line);
  }

  @Test
  void expiredKey_isExpiredKey_thoughGpgFindsTheSignatureIntact() throws IOException {
    Path file = image();
    // The key lived from 2020-01-01 to 2020-12-31; gpg signs only at a time it was valid.
    Path sig = gpgSign("expired", file, "--faked-system-time", "20200601T000000!");
    Result g = gpg.verify(sig, file);
    assertTrue(g.out().contains("[GNUPG:] EXPKEYSIG "), g.describe("gpg: a good signature by an expired key"));

    String line = assertRejected(verify(testKey("expired.pub.asc"), file, sig), file, "expired key");
    assertTrue(line.contains(fingerprint("expired")), line);
  }

  @Test
  void revokedKey_isRevokedKey_whileTheSameKeyWithoutItsRevocationAccepts() throws IOException {
    Path file = image();
    Path sig = gpgSign("revoked", file);
    // revoked.sec.asc holds the key as it was before the revocation.
    cairnOk("verify", "--keyring", testKey("revoked.sec.asc").toString(), file.toString(), sig.toString());

    String line = assertRejected(verify(testKey("revoked.pub.asc"), file, sig), file, "revoked key");
    assertTrue(line.contains(fingerprint("revoked")), line);
  }

  @Test
  void expiredSignature_isExpiredSignature_asGpgSaysToo() throws IOException {
    Path file = image();
    String pubLine = gpg.gpgOk("--with-colons", "--list-keys", "ed25519@example.com").out().lines()
        .filter(l -> l.startsWith("pub:")).findFirst().orElseThrow();
    long created = Long.parseLong(pubLine.split(":")[5]);
    // Made ten seconds after the key, valid for a minute: long expired by now.
    Path sig = gpgSign("ed25519", file, "--faked-system-time", (created + 10) + "!", "--default-sig-expire",
        "seconds=60");
    Result g = gpg.verify(sig, file);
    assertTrue(g.out().contains("[GNUPG:] EXPSIG "), g.describe("gpg: an expired signature"));

    String line = assertRejected(verify(testKey("ed25519.pub.asc"), file, sig), file, "expired signature");
    assertTrue(line.contains(java.time.Instant.ofEpochSecond(created + 70).toString()), line);
  }

  // ---- critical subpackets: what a verifier does not understand makes the signature invalid

  /** gpg's verdict: exit 1 with "unknown critical bit" and "BAD signature". */
  private static void assertGpgRefusesCritical(Result g) {
    assertEquals(1, g.code(), g.describe("gpg must refuse the signature"));
    assertTrue(g.err().contains("due to an unknown critical bit") && g.err().contains("BAD signature"),
        g.describe("expected gpg's 'unknown critical bit' and 'BAD signature'"));
  }

  /**
   * {@code gpg --sig-notation '!NAME=VALUE'} marks the notation critical, and a notation Cairn does
   * not know makes the signature invalid (RFC 4880 5.2.3.1), as gpg says too. The critical
   * subpackets gpg writes of its own accord (signature expiry, and with '!' a policy URL or a
   * preferred keyserver) and a notation without '!' are accepted by both; gpg's listing shows which
   * of them are critical, so the test knows it is testing critical ones.
   */
  @Test
  void criticalNotation_isUnknownCriticalSubpacket_whileGpgsOwnCriticalSubpacketsAreAccepted() throws IOException {
    Path file = image();
    Path keyring = testKey("ed25519.pub.asc");
    List<List<String>> accepted = List.of(
        List.of("--sig-notation", "plain@example.com=1"),
        List.of("--default-sig-expire", "1y"),
        List.of("--sig-policy-url", "!https://example.com/policy"),
        List.of("--sig-keyserver-url", "!hkps://keys.example.com"));
    for (List<String> option : accepted) {
      Files.deleteIfExists(dir.resolve("image.bin.ed25519.sig"));
      Path sig = gpgSign("ed25519", file, option.toArray(String[]::new));
      String packets = gpg.gpgOk("--list-packets", sig.toString()).out();
      boolean critical = option.get(1).startsWith("!") || option.get(0).equals("--default-sig-expire");
      assertEquals(critical, packets.contains("critical hashed subpkt"), packets);
      GpgHome.assertGood(gpg.verify(sig, file));
      cairnOk("verify", "--keyring", keyring.toString(), file.toString(), sig.toString());
    }

    Files.deleteIfExists(dir.resolve("image.bin.ed25519.sig"));
    Path sig = gpgSign("ed25519", file, "--sig-notation", "!name@example.com=1");
    String packets = gpg.gpgOk("--list-packets", sig.toString()).out();
    assertTrue(packets.matches("(?s).*critical hashed subpkt 20 len \\d+ \\(notation: name@example.com=1\\).*"), packets);
    assertGpgRefusesCritical(gpg.verify(sig, file));
    String line = assertRejected(verify(keyring, file, sig), file, "unknown critical subpacket");
    assertTrue(line.contains("notation name@example.com (hashed)") && line.contains(fingerprint("ed25519")), line);
  }

  /**
   * Subpackets gpg cannot write, signed with BouncyCastle by the gpg test key: a type nobody
   * assigned (100, the private range) in either area, and a notation in the unhashed area. Not
   * critical, gpg and Cairn accept each; marked critical, gpg refuses each, unhashed ones too, and
   * so does Cairn.
   */
  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"subpacket 100, hashed", "subpacket 100, unhashed", "notation x@example.com, unhashed"})
  void unknownCriticalSubpacket_inEitherArea_isRefusedLikeGpg(String what, String area) throws IOException {
    Path file = image();
    Path keyring = testKey("ed25519.pub.asc");
    boolean hashed = area.equals("hashed");
    for (boolean critical : new boolean[] {false, true}) {
      var extra = what.startsWith("notation")
          ? ExtraSubpacketSigner.notation("x@example.com", "1", critical)
          : ExtraSubpacketSigner.subpacket(100, critical, new byte[] {1, 2, 3});
      Path sig = ExtraSubpacketSigner.sign(testKey("ed25519.sec.asc"), file,
          dir.resolve("extra-" + critical + ".sig"), extra, hashed);
      if (!critical) {
        GpgHome.assertGood(gpg.verify(sig, file));
        cairnOk("verify", "--keyring", keyring.toString(), file.toString(), sig.toString());
        continue;
      }
      assertGpgRefusesCritical(gpg.verify(sig, file));
      String line = assertRejected(verify(keyring, file, sig), file, "unknown critical subpacket");
      assertTrue(line.contains(what + " (" + area + ")"), line);
    }
  }

  /**
   * A signing subkey whose binding signature carries a critical notation ({@code gpg --cert-notation
   * '!...' --quick-add-key}): gpg will not sign with it ("Unusable secret key") and cannot check a
   * signature it made ("Bad public key"). Cairn refuses that signature naming the subkey and the
   * notation, and refuses to sign with the key. The data signature is made with BouncyCastle, since
   * gpg will not make one.
   */
  @Test
  void subkeyBindingWithCriticalNotation_isUnknownCriticalSubpacket_andCairnWillNotSignWithIt() throws IOException {
    gpg.gpgOk("--passphrase", "", "--quick-gen-key", "Test Binding <binding@example.com>", "ed25519", "cert", "never");
    String primary = fingerprint("binding");
    gpg.gpgOk("--passphrase", "", "--cert-notation", "!bound@example.com=1", "--quick-add-key", primary,
        "ed25519", "sign", "never");
    String subkey = gpg.fingerprints("binding@example.com").subkeys().get(0);
    Path ring = Files.writeString(dir.resolve("binding.pub.asc"),
        gpg.gpgOk("--armor", "--export", "binding@example.com").out());
    Path secret = Files.writeString(dir.resolve("binding.sec.asc"),
        gpg.gpgOk("--armor", "--export-secret-keys", "binding@example.com").out());
    Path file = image();
    Path sig = ExtraSubpacketSigner.sign(secret, file, dir.resolve("binding.sig"), null, true);
    Result g = gpg.verify(sig, file);
    assertTrue(g.err().contains("due to an unknown critical bit") && !g.err().contains("Good signature"),
        g.describe("gpg must not call it good"));

    String line = assertRejected(verify(ring, file, sig), file, "unknown critical subpacket");
    assertTrue(line.contains("the self-signature of subkey " + subkey + " carries critical notation "
        + "bound@example.com (hashed)"), line);

    Result sign = cairn("sign", "--key", secret.toString(), "--output", dir.resolve("by-cairn.sig").toString(),
        file.toString());
    assertEquals(2, sign.code(), sign.describe("no key to sign with"));
    assertTrue(sign.err().contains("no valid signing key"), sign.describe("says why"));
  }

  /**
   * Cairn relies on a key's newest self-signature. When that one carries a critical notation (a
   * user id added with {@code --cert-notation '!...'}), Cairn refuses the key rather than fall back
   * to an older self-signature; gpg ignores that user id and still calls the signature good.
   */
  @Test
  void newestSelfSignatureWithCriticalNotation_refusesTheKey_whereGpgFallsBackToAnOlderOne() throws IOException {
    gpg.gpgOk("--passphrase", "", "--faked-system-time", "20250101T000000!", "--quick-gen-key",
        "Test Newest <newest@example.com>", "ed25519", "sign", "never");
    String primary = fingerprint("newest");
    Path file = image();
    Path sig = gpgSign("newest", file);
    Path before = Files.writeString(dir.resolve("before.asc"), gpg.gpgOk("--armor", "--export", primary).out());
    cairnOk("verify", "--keyring", before.toString(), file.toString(), sig.toString());

    gpg.gpgOk("--passphrase", "", "--cert-notation", "!uid@example.com=1", "--quick-add-uid", primary,
        "Test Newest Two <newest2@example.com>");
    Path after = Files.writeString(dir.resolve("after.asc"), gpg.gpgOk("--armor", "--export", primary).out());
    GpgHome.assertGood(gpg.verify(sig, file));
    String line = assertRejected(verify(after, file, sig), file, "unknown critical subpacket");
    assertTrue(line.contains("the self-signature of key " + primary + " carries critical notation uid@example.com"), line);
  }

  // ---- the signature is not one

  @ParameterizedTest(name = "{0} random bytes")
  @ValueSource(ints = {1, 2, 16, 100, 300, 1000, 4096, 65536})
  void garbageSignature_isMalformedSignature(int length) throws IOException {
    Path file = image();
    byte[] garbage = new byte[length];
    new Random(length).nextBytes(garbage);
    Path sig = Files.write(dir.resolve("garbage.sig"), garbage);
    assertRejected(verify(testKey("ed25519.pub.asc"), file, sig), file, "malformed signature");
  }

  @Test
  void emptySignature_isMalformedSignature_sayingEmpty() throws IOException {
    Path file = image();
    Path sig = Files.write(dir.resolve("image.bin.sig"), new byte[0]);
    String line = assertRejected(cairn("verify", "--keyring", testKey("ed25519.pub.asc").toString(),
        file.toString()), file, "malformed signature");
    assertTrue(line.contains("empty"), line);
    assertTrue(Files.size(sig) == 0);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a public key", "plain text", "armor around garbage", "the data itself"})
  void somethingElseAsSignature_isMalformedSignature(String what) throws IOException {
    Path file = image();
    Path sig = switch (what) {
      case "a public key" -> testKey("ed25519.pub.asc");
      case "plain text" -> Files.writeString(dir.resolve("t.sig"), "this is not a signature\n");
      case "armor around garbage" -> Files.writeString(dir.resolve("a.sig"),
          "-----BEGIN PGP SIGNATURE-----\n\n!!not base64!!\n-----END PGP SIGNATURE-----\n");
      default -> file;
    };
    assertRejected(verify(testKey("ed25519.pub.asc"), file, sig), file, "malformed signature");
  }

  /**
   * Packets of OpenPGP's v5 and v6 formats carry 4-byte lengths of their own. A 16-byte signature
   * file that claims 2 GiB there must be refused as malformed, not sized into memory: cairn runs
   * as its own JVM with a small heap, as on a small machine, so an attempt shows as an
   * OutOfMemoryError instead of taking this test JVM down.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "v5 key packet claiming 2 GiB of key material, 980e055a63f509e77fffffff00000000",
      "v6 key packet claiming 2 GiB of key material, 980e065a63f509e77fffffff00000000",
      "v6 signature claiming 2 GiB of subpackets,    8810060016087fffffff000000000000000000000000"})
  void signatureClaimingHugeLengths_isMalformedSignature(String what, String hex) throws IOException {
    Path file = image();
    Path sig = Files.write(dir.resolve("huge.sig"), HexFormat.of().parseHex(hex));
    Result r = CliHarness.cairnProcess(List.of("-Xmx128m"), Map.of(), "verify", "--keyring",
        testKey("ed25519.pub.asc").toString(), file.toString(), sig.toString());
    assertRejected(r, file, "malformed signature");
  }

  @Test
  void sha1Signature_isUnsupportedAlgorithm() throws IOException {
    Path file = image();
    Path sig = gpgSign("rsa4096", file, "--digest-algo", "SHA1");
    String line = assertRejected(verify(testKey("rsa4096.pub.asc"), file, sig), file, "unsupported algorithm");
    assertTrue(line.contains("SHA-1"), line);
  }

  @Test
  void ecdsaKey_isUnsupportedAlgorithm() throws IOException {
    gpg.gpgOk("--passphrase", "", "--quick-gen-key", "Test NIST P-256 <p256@example.com>", "nistp256", "sign", "never");
    Path ring = dir.resolve("p256.asc");
    Files.writeString(ring, gpg.gpgOk("--armor", "--export", "p256@example.com").out());
    Path file = image();
    Path sig = gpgSign("p256", file);
    GpgHome.assertGood(gpg.verify(sig, file));
    assertRejected(verify(ring, file, sig), file, "unsupported algorithm");
  }

  // ---- key rotation: several keyrings side by side

  @Test
  void keyRotation_bothKeysAccepted_thenOnlyTheNew() throws IOException {
    Path oldRing = Files.copy(testKey("ed25519.pub.asc"), dir.resolve("old.asc"));
    Path newRing = Files.copy(testKey("rsa4096.pub.asc"), dir.resolve("new.asc"));
    Path file = image();
    Path byOld = gpgSign("ed25519", file);
    Path byNew = gpgSign("rsa4096", file);

    String both = oldRing + "," + newRing;
    Result r = cairnOk("verify", "--keyring", both, file.toString(), byOld.toString());
    assertTrue(r.text().contains(" key " + fingerprint("ed25519")), r.describe("the old key signed"));
    r = cairnOk("verify", "--keyring", both, file.toString(), byNew.toString());
    assertTrue(r.text().contains(" key " + fingerprint("rsa4096")), r.describe("the new key signed"));

    cairnOk("verify", "--keyring", newRing.toString(), file.toString(), byNew.toString());
    String line = assertRejected(verify(newRing, file, byOld), file, "unknown key");
    assertTrue(line.contains(fingerprint("ed25519")), line);
  }
}
