package dev.cairn.signing.openpgp;

import dev.cairn.signing.KeyFacts;
import dev.cairn.signing.files.FileAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/** A secret signing key, unlocked, and the signatures it makes. */
public final class SigningKey {
  private final PGPPrivateKey privateKey;
  private final PGPPublicKey publicKey;
  private final String fingerprint;
  private final String userId;

  private SigningKey(PGPPrivateKey privateKey, PGPPublicKey publicKey, String userId) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.fingerprint = KeyInspector.fingerprint(publicKey);
    this.userId = userId;
  }

  public String fingerprint() {
    return fingerprint;
  }

  public String userId() {
    return userId;
  }


  /**
   * Loads the newest valid signing key (a signing subkey, else a primary that may sign) from
   * {@code secretKeyFile} and unlocks it with {@code passphrase} (null when unprotected).
   */
  public static SigningKey load(Path secretKeyFile, char[] passphrase) throws IOException {
    PGPSecretKeyRing ring = KeyFiles.secretRing(secretKeyFile);
    PGPSecretKey chosen = choose(ring, secretKeyFile);
    boolean protectedKey = chosen.getKeyEncryptionAlgorithm() != 0;
    if (protectedKey && passphrase == null) {
      throw new IllegalArgumentException(secretKeyFile + ": the key is protected by a passphrase; "
          + "set CAIRN_KEY_PASSPHRASE or give --passphrase-file");
    }
    try {
      PGPPrivateKey priv = chosen.extractPrivateKey(
          new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
              .build(passphrase == null ? new char[0] : passphrase));
      return new SigningKey(priv, chosen.getPublicKey(), KeyInspector.userId(ring.getPublicKey()));
    } catch (PGPException e) {
      throw new IllegalArgumentException(secretKeyFile + ": cannot unlock the signing key "
          + KeyInspector.fingerprint(chosen.getPublicKey()) + ": wrong passphrase?");
    }
  }

  private static PGPSecretKey choose(PGPSecretKeyRing ring, Path file) {
    PGPPublicKey primary = ring.getPublicKey();
    KeyFacts primaryFacts = KeyInspector.primaryFacts(primary);
    Instant now = Instant.now();
    List<PGPSecretKey> usable = new ArrayList<>();
    for (Iterator<PGPSecretKey> it = ring.getSecretKeys(); it.hasNext(); ) {
      PGPSecretKey k = it.next();
      if (k.isPrivateKeyEmpty() || !JdkOperators.supportedKeyAlgorithm(k.getPublicKey().getAlgorithm())) {
        continue;
      }
      KeyFacts f = k.isMasterKey() ? primaryFacts : KeyInspector.subkeyFacts(primary, k.getPublicKey());
      if (f.canSign() && f.revocation().isEmpty() && primaryFacts.revocation().isEmpty()
          && f.notUnderstood().isEmpty() && primaryFacts.notUnderstood().isEmpty()
          && f.expires().map(e -> e.isAfter(now)).orElse(true)
          && primaryFacts.expires().map(e -> e.isAfter(now)).orElse(true)) {
        usable.add(k);
      }
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException(file + ": no valid signing key (each key is expired, revoked, "
          + "lacks the signing flag, or has a self-signature with a critical subpacket Cairn does not understand)");
    }
    usable.sort((a, b) -> {
      if (a.isMasterKey() != b.isMasterKey()) {
        return a.isMasterKey() ? 1 : -1;
      }
      return b.getPublicKey().getCreationTime().compareTo(a.getPublicKey().getCreationTime());
    });
    return usable.get(0);
  }

  private PGPSignatureGenerator generator(int signatureType, int hashAlgorithm) throws PGPException {
    PGPSignatureGenerator g = new PGPSignatureGenerator(
        JdkOperators.signer(publicKey.getAlgorithm(), hashAlgorithm), publicKey);
    g.init(signatureType, privateKey);
    PGPSignatureSubpacketGenerator sub = new PGPSignatureSubpacketGenerator();
    sub.setIssuerFingerprint(false, publicKey);
    g.setHashedSubpackets(sub.generate());
    return g;
  }

  /** A detached signature of {@code file}, binary or ASCII-armored, streamed in constant memory. */
  public byte[] signDetached(Path file, int hashAlgorithm, boolean armor) throws IOException {
    try {
      PGPSignatureGenerator g = generator(PGPSignature.BINARY_DOCUMENT, hashAlgorithm);
      try (ReadAhead in = new ReadAhead(FileAccess.open(file))) {
        ReadAhead.Chunk c;
        while ((c = in.next()) != null) {
          g.update(c.bytes, 0, c.length);
          in.recycle(c);
        }
      }
      return encode(g.generate(), armor);
    } catch (PGPException e) {
      throw new IOException("signing " + file + " failed: " + e.getMessage(), e);
    }
  }

  /** {@code text} in the cleartext signature framework, signed as canonical text. */
  public String clearsign(String text, int hashAlgorithm) throws IOException {
    try {
      PGPSignatureGenerator g = generator(PGPSignature.CANONICAL_TEXT_DOCUMENT, hashAlgorithm);
      g.update(Cleartext.canonical(text));
      String armored = new String(encode(g.generate(), true), StandardCharsets.US_ASCII);
      return Cleartext.render(text, hashName(hashAlgorithm), armored);
    } catch (PGPException e) {
      throw new IOException("clearsigning failed: " + e.getMessage(), e);
    }
  }

  static String hashName(int hashAlgorithm) {
    return switch (hashAlgorithm) {
      case HashAlgorithmTags.SHA512 -> "SHA512";
      case HashAlgorithmTags.SHA384 -> "SHA384";
      case HashAlgorithmTags.SHA224 -> "SHA224";
      default -> "SHA256";
    };
  }

  static byte[] encode(PGPSignature sig, boolean armor) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (armor) {
      try (ArmoredOutputStream a = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
        sig.encode(a);
      }
    } else {
      sig.encode(bytes);
    }
    return bytes.toByteArray();
  }
}
