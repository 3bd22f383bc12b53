package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.flipByte;
import static dev.cairn.cli.GpgHome.HASH_IDS;
import static dev.cairn.cli.GpgHome.testKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code cairn sign digests} writes RELEASE.DIGESTS and its clearsigned RELEASE.DIGESTS.asc: gpg
 * accepts the clearsignature and reads back the same text, the digests are the files' real
 * SHA-256 and SHA-512, and {@code cairn verify --digests} accepts the set but refuses a changed
 * or missing file by name and a tampered listing as a bad signature. gpg's own clearsignature of
 * the listing is accepted too.
 */
class DigestsTest {
  private static final List<String> FILES = List.of("usr-a.img", "kernel.efi", "notes.txt");

  @TempDir static Path shared;
  @TempDir Path dir;

  private static GpgHome gpg;
  private static Path secret;
  private static Path pub;
  private static String primary;

  private Path digests;
  private Path asc;

  @BeforeAll
  static void key() throws IOException {
    gpg = GpgHome.in(shared);
    secret = shared.resolve("release.sec.asc");
    pub = shared.resolve("release.pub.asc");
    Result r = cairnOk("key", "generate", "--uid", "Release <release@cairn.test>", "--secret-out", secret.toString(),
        "--public-out", pub.toString(), "--no-passphrase");
    Matcher m = Pattern.compile("key ([0-9A-F]{40}) for").matcher(r.out());
    assertTrue(m.find(), r.describe("expected the key's fingerprint"));
    primary = m.group(1);
    gpg.importKeys(pub, testKey("rsa2048.sec.asc"), testKey("ed25519.sec.asc"));
  }

  @AfterAll
  static void stopAgent() {
    gpg.close();
  }

  /** Three files next to each other, and RELEASE.DIGESTS{,.asc} over them signed by cairn. */
  @BeforeEach
  void release() throws IOException {
    Random random = new Random(42);
    byte[] usr = new byte[(3 << 20) + 11];
    random.nextBytes(usr);
    Files.write(dir.resolve("usr-a.img"), usr);
    byte[] kernel = new byte[70_000];
    random.nextBytes(kernel);
    Files.write(dir.resolve("kernel.efi"), kernel);
    Files.writeString(dir.resolve("notes.txt"), "Release notes\n- fixes\n");
    digests = dir.resolve("RELEASE.DIGESTS");
    asc = dir.resolve("RELEASE.DIGESTS.asc");
  }

  private Result signDigests(String... extra) {
    List<String> args = new ArrayList<>(List.of("sign", "digests", "--key", secret.toString(),
        "--output", digests.toString()));
    args.addAll(List.of(extra));
    for (String f : FILES) {
      args.add(dir.resolve(f).toString());
    }
    return cairnOk(args.toArray(String[]::new));
  }

  private static Result verifyDigests(Path keyring, Path signed) {
    return cairn("verify", "--keyring", keyring.toString(), "--digests", signed.toString());
  }

  /**
   * Asserts exit 1 and {@code cairn verify: ASC: REASON: ...} as the one stderr line. Files
   * checked before the failure may have been reported OK, {@code notOk} must not have been.
   */
  private String assertRejected(Result r, String reasonAndMore, String notOk) {
    assertEquals(1, r.code(), r.describe("expected exit 1"));
    assertTrue(!r.out().contains(notOk + ": OK"), r.describe(notOk + " must not be reported OK"));
    assertEquals(1, r.errLines().size(), r.describe("expected one line on stderr"));
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("cairn verify: " + asc + ": " + reasonAndMore),
        r.describe("expected 'cairn verify: " + asc + ": " + reasonAndMore + "...'"));
    return line;
  }

  private static String hex(String algorithm, Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "--digest {0}")
  @ValueSource(strings = {"sha256", "sha512"})
  void gpgAcceptsClearsignedDigests_andReadsBackTheListing(String digest) throws IOException {
    signDigests("--digest", digest);
    String[] valid = GpgHome.assertGood(gpg.verifyClearsigned(asc));
    assertEquals(primary, valid[9], "signed by the cairn key");
    assertEquals(HASH_IDS.get(digest.equals("sha512") ? "SHA-512" : "SHA-256"), valid[7]);
    assertEquals("01", valid[8], "a signature of canonical text");
    assertTrue(Files.readString(asc).contains("\nHash: " + digest.toUpperCase(java.util.Locale.ROOT) + "\n"),
        "the armor header names the digest");

    Path text = dir.resolve("from-gpg.txt");
    gpg.gpgOk("--output", text.toString(), "--decrypt", asc.toString());
    assertEquals(Files.readString(digests).strip(), Files.readString(text).strip(),
        "the text gpg verified is the DIGESTS file");
  }

  @Test
  void listing_holdsEachFilesRealSha256AndSha512() throws IOException {
    signDigests();
    List<String> lines = Files.readAllLines(digests);
    List<String> expected = new ArrayList<>();
    for (String f : FILES) {
      expected.add("# SHA256 HASH");
      expected.add(hex("SHA-256", dir.resolve(f)) + "  " + f);
      expected.add("# SHA512 HASH");
      expected.add(hex("SHA-512", dir.resolve(f)) + "  " + f);
    }
    assertEquals(expected, lines);
  }

  @Test
  void cairnVerifyDigests_acceptsAndReportsEveryFile() {
    signDigests();
    Result r = verifyDigests(pub, asc).ok();
    assertEquals("", r.err(), r.describe("nothing on stderr"));
    List<String> lines = r.text().lines().toList();
    assertEquals(1 + FILES.size(), lines.size(), r.describe("the signature, then one line per file"));
    assertTrue(lines.get(0).startsWith(asc + ": good signature from \"Release <release@cairn.test>\" key "),
        r.describe("the clearsignature is good"));
    assertTrue(lines.get(0).contains("(subkey of " + primary + ")"), r.describe("names the primary key"));
    for (int i = 0; i < FILES.size(); i++) {
      assertEquals(FILES.get(i) + ": OK", lines.get(i + 1));
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"usr-a.img", "kernel.efi", "notes.txt"})
  void oneChangedByteInAListedFile_isDigestMismatch_namingThatFile(String name) throws IOException {
    signDigests();
    verifyDigests(pub, asc).ok();
    Path file = dir.resolve(name);
    flipByte(file, Files.size(file) / 2);
    String line = assertRejected(verifyDigests(pub, asc), "digest mismatch: " + name + ": ", name);
    assertTrue(line.contains(hex("SHA-256", file)), line + "\nshould show the file's SHA-256 as it is now");
  }

  @Test
  void deletedListedFile_isDigestMismatch_namingThatFile() throws IOException {
    signDigests();
    Files.delete(dir.resolve("kernel.efi"));
    String line = assertRejected(verifyDigests(pub, asc), "digest mismatch: kernel.efi ", "kernel.efi");
    assertTrue(line.contains("missing"), line);
  }

  @Test
  void editedHexDigitInTheSignedText_isBadSignature() throws IOException {
    signDigests();
    String doc = Files.readString(asc, StandardCharsets.UTF_8);
    String line = hex("SHA-256", dir.resolve("kernel.efi")) + "  kernel.efi";
    int at = doc.indexOf(line);
    assertTrue(at > 0, "the signed text lists kernel.efi");
    char c = doc.charAt(at + 10);
    char other = c == '0' ? '1' : '0';
    String tampered = doc.substring(0, at + 10) + other + doc.substring(at + 11);
    assertNotEquals(doc, tampered);
    Files.writeString(asc, tampered, StandardCharsets.UTF_8);

    Result g = gpg.verifyClearsigned(asc);
    assertEquals(1, g.code(), g.describe("gpg must reject the edited text too"));
    Result r = verifyDigests(pub, asc);
    assertRejected(r, "bad signature: ", "kernel.efi");
    assertEquals("", r.out(), r.describe("no file is checked under a bad signature"));
  }

  /**
   * Trailing blanks are not signed (RFC 4880 7.1), so anyone can add one to a name in the signed
   * text without breaking the signature. The check must go by the name that was signed: with the
   * genuine image copied to "usr-a.img " and usr-a.img replaced, usr-a.img must fail.
   */
  @Test
  void blankAppendedToAListedName_stillChecksTheFileThatWasSigned() throws IOException {
    signDigests();
    Path image = dir.resolve("usr-a.img");
    Files.copy(image, dir.resolve("usr-a.img "));
    flipByte(image, 0);
    String doc = Files.readString(asc, StandardCharsets.UTF_8);
    String edited = doc.replace("  usr-a.img\n", "  usr-a.img \n");
    assertNotEquals(doc, edited);
    Files.writeString(asc, edited, StandardCharsets.UTF_8);
    GpgHome.assertGood(gpg.verifyClearsigned(asc));

    assertRejected(verifyDigests(pub, asc), "digest mismatch: usr-a.img: ", "usr-a.img");
  }

  @Test
  void digestsByKeyNotInKeyring_isUnknownKey() {
    signDigests();
    Result r = verifyDigests(testKey("ed25519.pub.asc"), asc);
    assertRejected(r, "unknown key: ", "usr-a.img");
    assertEquals("", r.out(), r.describe("no file is checked under an unknown key"));
  }

  @ParameterizedTest(name = "gpg {0} key")
  @ValueSource(strings = {"rsa2048", "ed25519"})
  void gpgClearsignedDigests_cairnVerifiesThemAndTheFiles(String key) throws IOException {
    signDigests();
    Path gpgAsc = dir.resolve("GPG.DIGESTS.asc");
    gpg.gpgOk("--local-user", key + "@example.com", "--output", gpgAsc.toString(), "--clearsign",
        digests.toString());
    Result r = verifyDigests(testKey(key + ".pub.asc"), gpgAsc).ok();
    assertEquals(FILES.size() + 1, r.text().lines().count(), r.describe("the signature and each file"));
    assertTrue(r.text().contains("@example.com>\" key " + gpg.fingerprints(key + "@example.com").primary()),
        r.describe("names the gpg key"));

    flipByte(dir.resolve("notes.txt"), 0);
    Result bad = verifyDigests(testKey(key + ".pub.asc"), gpgAsc);
    assertEquals(1, bad.code(), bad.describe("a changed file fails under gpg's clearsignature too"));
    assertTrue(bad.err().contains(": digest mismatch: notes.txt: "), bad.describe("names notes.txt"));
  }

  // ---- CoreOS-style listings: MD5 and SHA1 blocks beside SHA512

  /** A CoreOS-style DIGESTS text: each file under # MD5 HASH and # SHA1 HASH, and the {@code strong} ones under # SHA512 HASH too. */
  private String coreosListing(List<String> files, List<String> strong) throws IOException {
    StringBuilder b = new StringBuilder();
    for (String[] block : new String[][] {{"MD5", "MD5"}, {"SHA1", "SHA-1"}, {"SHA512", "SHA-512"}}) {
      b.append("# ").append(block[0]).append(" HASH\n");
      for (String f : block[0].equals("SHA512") ? strong : files) {
        b.append(hex(block[1], dir.resolve(f))).append("  ").append(f).append('\n');
      }
    }
    return b.toString();
  }

  /** Clearsigns {@code text} with gpg's RSA-2048 test key into CORE.DIGESTS.asc. */
  private Path gpgClearsign(String text) throws IOException {
    Path plain = Files.writeString(dir.resolve("CORE.DIGESTS"), text);
    Path signed = dir.resolve("CORE.DIGESTS.asc");
    gpg.gpgOk("--local-user", "rsa2048@example.com", "--output", signed.toString(), "--clearsign", plain.toString());
    GpgHome.assertGood(gpg.verifyClearsigned(signed));
    return signed;
  }

  /**
   * kernel.efi is listed under MD5 and SHA1 only; usr-a.img under SHA512 too. Without --allow-weak
   * kernel.efi is not verified (exit 1, before any file is read), even untouched and even after it
   * changed. With --allow-weak it is checked with MD5 and SHA-1, the output says so, and a change
   * is a digest mismatch naming MD5. usr-a.img is checked by SHA-512 alone either way.
   */
  @Test
  void fileListedOnlyUnderMd5AndSha1_isNotVerified_unlessAllowWeak_whichChecksThemAndSaysSo() throws IOException {
    Path signed = gpgClearsign(coreosListing(List.of("usr-a.img", "kernel.efi"), List.of("usr-a.img")));
    Path keyring = testKey("rsa2048.pub.asc");
    for (boolean changed : new boolean[] {false, true}) {
      if (changed) {
        flipByte(dir.resolve("kernel.efi"), 100);
      }
      Result r = cairn("verify", "--keyring", keyring.toString(), "--digests", signed.toString());
      assertEquals(1, r.code(), r.describe("a file only MD5 and SHA-1 cover is not verified"));
      assertEquals(List.of("cairn verify: " + signed + ": weak digest: kernel.efi is listed with MD5 and SHA-1 only, "
          + "no SHA-256 or SHA-512: not verified (--allow-weak checks it with MD5 and SHA-1)"), r.errLines(), r.describe(""));
      assertTrue(r.text().startsWith(signed + ": good signature from \"Test RSA-2048"), r.describe("the signature is good"));
      assertEquals(1, r.text().lines().count(), r.describe("no file reported OK"));
    }

    flipByte(dir.resolve("kernel.efi"), 100);
    Result ok = cairnOk("verify", "--keyring", keyring.toString(), "--allow-weak", "--digests", signed.toString());
    assertEquals(List.of("usr-a.img: OK", "kernel.efi: OK by MD5 and SHA-1 only (weak digests, accepted by --allow-weak)"),
        ok.text().lines().skip(1).toList(), ok.describe("each file, the weak one said to be weak"));

    flipByte(dir.resolve("kernel.efi"), 100);
    Result bad = cairn("verify", "--keyring", keyring.toString(), "--allow-weak", "--digests", signed.toString());
    assertEquals(1, bad.code(), bad.describe("a weak digest still has to match"));
    assertTrue(bad.err().contains(": digest mismatch: kernel.efi: its MD5 is " + hex("MD5", dir.resolve("kernel.efi"))),
        bad.describe("names the file and MD5"));
  }

  /** A file listed only under a hash Cairn does not check (# SHA384 HASH) is not verified either. */
  @Test
  void fileListedOnlyUnderAHashCairnDoesNotCheck_isNotVerified() throws IOException {
    String text = coreosListing(List.of("usr-a.img"), List.of("usr-a.img"))
        + "# SHA384 HASH\n" + hex("SHA-384", dir.resolve("notes.txt")) + "  notes.txt\n";
    Path signed = gpgClearsign(text);
    for (boolean allowWeak : new boolean[] {false, true}) {
      List<String> args = new ArrayList<>(List.of("verify", "--keyring", testKey("rsa2048.pub.asc").toString()));
      if (allowWeak) {
        args.add("--allow-weak");
      }
      args.addAll(List.of("--digests", signed.toString()));
      Result r = cairn(args.toArray(String[]::new));
      assertEquals(1, r.code(), r.describe("notes.txt is not verified"));
      assertEquals(List.of("cairn verify: " + signed + ": unsupported algorithm: notes.txt is listed only under "
          + "SHA384, which Cairn does not check: not verified"), r.errLines(), r.describe(""));
    }
  }
}
