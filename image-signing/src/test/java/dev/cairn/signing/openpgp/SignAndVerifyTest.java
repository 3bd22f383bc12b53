package dev.cairn.signing.openpgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.signing.Reason;
import dev.cairn.signing.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Round trips through the library API with an Ed25519 key made by {@link KeyGeneration}. */
class SignAndVerifyTest {
  @TempDir static Path dir;
  static Path secret;
  static Trust trust;
  static KeyGeneration.Generated key;
  static final char[] PASSPHRASE = "correct horse".toCharArray();

  @BeforeAll
  static void makeKey() throws IOException {
    key = KeyGeneration.generate("Unit <unit@example.com>", KeyGeneration.Algorithm.ED25519, 0, PASSPHRASE);
    secret = dir.resolve("sec.asc");
    Files.writeString(secret, key.secretArmored());
    Path pub = dir.resolve("pub.asc");
    Files.writeString(pub, key.publicArmored());
    trust = Trust.load(List.of(pub));
  }

  private static Path data(String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  @Test
  void signedFile_verifies_bySigningSubkeyOfThePrimary() throws IOException {
    Path file = data("a.bin", 3 * ReadAhead.CHUNK + 17);
    SigningKey signer = SigningKey.load(secret, PASSPHRASE);
    byte[] sig = signer.signDetached(file, HashAlgorithmTags.SHA256, false);
    Verdict.Verified v = assertInstanceOf(Verdict.Verified.class, trust.verifyFile(file, sig));
    assertEquals(key.fingerprint(), v.signer().primaryFingerprint());
    assertEquals(signer.fingerprint(), v.signer().keyFingerprint());
    assertEquals("Unit <unit@example.com>", v.signer().userId());
    assertEquals("SHA-256", v.digest());
  }

  @Test
  void verifyingStream_answersOnlyAfterTheLastByte() throws IOException {
    Path file = data("b.bin", 100_000);
    byte[] sig = SigningKey.load(secret, PASSPHRASE).signDetached(file, HashAlgorithmTags.SHA512, true);
    try (VerifyingInputStream in = trust.open(Files.newInputStream(file), sig)) {
      byte[] half = in.readNBytes(50_000);
      assertEquals(50_000, half.length);
      assertThrows(IllegalStateException.class, in::finish);
      in.readAllBytes();
      assertInstanceOf(Verdict.Verified.class, in.finish());
    }
  }

  @Test
  void verifyingStream_flippedByte_isBadSignature() throws IOException {
    Path file = data("c.bin", 4096);
    byte[] sig = SigningKey.load(secret, PASSPHRASE).signDetached(file, HashAlgorithmTags.SHA256, false);
    byte[] bytes = Files.readAllBytes(file);
    bytes[100] ^= 1;
    try (VerifyingInputStream in = trust.open(new ByteArrayInputStream(bytes), sig)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, in.finish());
      assertEquals(Reason.BAD_SIGNATURE, r.reason());
    }
  }

  @Test
  void skippedBytes_areStillChecked() throws IOException {
    Path file = data("d.bin", 10_000);
    byte[] sig = SigningKey.load(secret, PASSPHRASE).signDetached(file, HashAlgorithmTags.SHA256, false);
    try (InputStream raw = Files.newInputStream(file); VerifyingInputStream in = trust.open(raw, sig)) {
      assertEquals(9_000, in.skip(9_000));
      in.readAllBytes();
      assertInstanceOf(Verdict.Verified.class, in.finish());
    }
  }

  @Test
  void wrongOrMissingPassphrase_isBadInput() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SigningKey.load(secret, "nope".toCharArray()))
        .getMessage().contains("wrong passphrase"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SigningKey.load(secret, null))
        .getMessage().contains("CAIRN_KEY_PASSPHRASE"));
  }

  @Test
  void clearsignedText_verifies_andTamperingIsCaught() throws IOException {
    String text = "# SHA256 HASH\n" + "ab".repeat(32) + "  a.bin\n- dashed line\ntrailing spaces   ";
    String doc = SigningKey.load(secret, PASSPHRASE).clearsign(text, HashAlgorithmTags.SHA256);
    assertTrue(doc.startsWith("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n"), doc);
    assertTrue(doc.contains("\n- - dashed line\n"), doc);
    Trust.Clearsigned ok = trust.verifyClearsigned(doc);
    assertInstanceOf(Verdict.Verified.class, ok.verdict());
    assertEquals(text.replaceAll(" +$", "") + "", ok.text().replaceAll(" +$", ""));
    Trust.Clearsigned bad = trust.verifyClearsigned(doc.replace("abab", "abac"));
    assertEquals(Reason.BAD_SIGNATURE, assertInstanceOf(Verdict.Rejected.class, bad.verdict()).reason());
  }

  @Test
  void emptyAndGarbageSignatures_areMalformed() throws IOException {
    Path file = data("e.bin", 10);
    for (byte[] sig : new byte[][] {new byte[0], "not a signature at all".getBytes(StandardCharsets.US_ASCII)}) {
      Verdict.Rejected r = assertInstanceOf(Verdict.Rejected.class, trust.verifyFile(file, sig));
      assertEquals(Reason.MALFORMED_SIGNATURE, r.reason(), r.detail());
    }
  }
}
