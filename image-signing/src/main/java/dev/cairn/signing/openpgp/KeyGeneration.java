package dev.cairn.signing.openpgp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Date;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.PBESecretKeyEncryptor;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * Makes a release key the way gpg would: a certify-only primary key and a signing subkey (with
 * its back-signature), both Ed25519 or both RSA-4096, the secret half protected with AES-256 and
 * an iterated, salted SHA-256 S2K.
 */
public final class KeyGeneration {
  public enum Algorithm { ED25519, RSA4096 }

  /** The generated key, ASCII-armored. */
  public record Generated(String fingerprint, String secretArmored, String publicArmored) {}

  private KeyGeneration() {}

  /**
   * @param expirySeconds seconds from creation until both keys expire, 0 for never
   * @param passphrase protects the secret key; null for none
   */
  public static Generated generate(String userId, Algorithm algorithm, long expirySeconds,
      char[] passphrase) throws IOException {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("--uid must name the key's owner, like \"Release <release@example.com>\"");
    }
    try {
      Date now = new Date(System.currentTimeMillis() / 1000 * 1000);
      PGPKeyPair primary = keyPair(algorithm, now);
      PGPKeyPair signing = keyPair(algorithm, now);

      PGPSignatureSubpacketGenerator primaryPackets = new PGPSignatureSubpacketGenerator();
      primaryPackets.setKeyFlags(true, KeyFlags.CERTIFY_OTHER);
      primaryPackets.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
      primaryPackets.setPreferredSymmetricAlgorithms(false, new int[] {SymmetricKeyAlgorithmTags.AES_256, SymmetricKeyAlgorithmTags.AES_128});
      primaryPackets.setPreferredCompressionAlgorithms(false, new int[] {CompressionAlgorithmTags.UNCOMPRESSED});
      primaryPackets.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
      primaryPackets.setPrimaryUserID(false, true);
      primaryPackets.setIssuerFingerprint(false, primary.getPublicKey());
      if (expirySeconds > 0) {
        primaryPackets.setKeyExpirationTime(false, expirySeconds);
      }

      PGPSignatureSubpacketGenerator subPackets = new PGPSignatureSubpacketGenerator();
      subPackets.setKeyFlags(true, KeyFlags.SIGN_DATA);
      subPackets.setIssuerFingerprint(false, primary.getPublicKey());
      if (expirySeconds > 0) {
        subPackets.setKeyExpirationTime(false, expirySeconds);
      }

      PBESecretKeyEncryptor encryptor = passphrase == null ? null
          : new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256,
              new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256), 0x60)
              .build(passphrase);
      int keyAlgorithm = primary.getPublicKey().getAlgorithm();
      PGPKeyRingGenerator gen = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, primary,
          userId, new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
          primaryPackets.generate(), null, JdkOperators.signer(keyAlgorithm, HashAlgorithmTags.SHA512),
          encryptor);
      gen.addSubKey(signing, subPackets.generate(), null,
          JdkOperators.signer(keyAlgorithm, HashAlgorithmTags.SHA512));
      PGPSecretKeyRing secret = gen.generateSecretKeyRing();
      PGPPublicKeyRing pub = gen.generatePublicKeyRing();
      return new Generated(KeyInspector.fingerprint(pub.getPublicKey()), armor(secret.getEncoded()),
          armor(pub.getEncoded()));
    } catch (PGPException e) {
      throw new IOException("key generation failed: " + e.getMessage(), e);
    }
  }

  private static PGPKeyPair keyPair(Algorithm algorithm, Date now) throws PGPException {
    SecureRandom random = new SecureRandom();
    if (algorithm == Algorithm.ED25519) {
      Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
      g.init(new Ed25519KeyGenerationParameters(random));
      return new BcPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.EDDSA_LEGACY, g.generateKeyPair(), now);
    }
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(new RSAKeyGenParameterSpec(4096, RSAKeyGenParameterSpec.F4), random);
      java.security.KeyPair kp = g.generateKeyPair();
      RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
      RSAPrivateCrtKey priv = (RSAPrivateCrtKey) kp.getPrivate();
      BigInteger n = pub.getModulus();
      AsymmetricCipherKeyPair bc = new AsymmetricCipherKeyPair(
          new RSAKeyParameters(false, n, pub.getPublicExponent()),
          new RSAPrivateCrtKeyParameters(n, pub.getPublicExponent(), priv.getPrivateExponent(),
              priv.getPrimeP(), priv.getPrimeQ(), priv.getPrimeExponentP(), priv.getPrimeExponentQ(),
              priv.getCrtCoefficient()));
      return new BcPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.RSA_GENERAL, bc, now);
    } catch (NoSuchAlgorithmException | java.security.InvalidAlgorithmParameterException e) {
      throw new PGPException("RSA key generation is not available: " + e.getMessage(), e);
    }
  }

  private static String armor(byte[] encoded) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ArmoredOutputStream a = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
      a.write(encoded);
    }
    return bytes.toString(StandardCharsets.US_ASCII);
  }
}
