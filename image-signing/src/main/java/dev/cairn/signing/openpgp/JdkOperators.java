package dev.cairn.signing.openpgp;

import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.NullDigest;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.operator.PGPContentSigner;
import org.bouncycastle.openpgp.operator.PGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.PGPContentVerifier;
import org.bouncycastle.openpgp.operator.PGPContentVerifierBuilder;
import org.bouncycastle.openpgp.operator.PGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyConverter;

/**
 * OpenPGP signing and verifying operators that hash with the JDK's {@link MessageDigest} (whose
 * SHA-256 and SHA-512 use the CPU's instructions) and do only the public-key step with
 * BouncyCastle's lightweight RSA and Ed25519. Nothing is registered as a JCA provider.
 */
final class JdkOperators {
  private JdkOperators() {}

  /** The JDK name of an OpenPGP hash algorithm Cairn accepts, or null. */
  static String jdkDigestName(int hashAlgorithm) {
    return switch (hashAlgorithm) {
      case HashAlgorithmTags.SHA256 -> "SHA-256";
      case HashAlgorithmTags.SHA384 -> "SHA-384";
      case HashAlgorithmTags.SHA512 -> "SHA-512";
      case HashAlgorithmTags.SHA224 -> "SHA-224";
      case HashAlgorithmTags.SHA1 -> "SHA-1";
      default -> null;
    };
  }

  /** Whether a data signature with this hash is acceptable (SHA-1 and older are not). */
  static boolean acceptableForData(int hashAlgorithm) {
    return hashAlgorithm != HashAlgorithmTags.SHA1 && jdkDigestName(hashAlgorithm) != null;
  }

  /** RSA keys flagged sign-only (algorithm 3) are deprecated for new keys but still verify. */
  @SuppressWarnings("deprecation")
  static boolean supportedKeyAlgorithm(int keyAlgorithm) {
    return keyAlgorithm == PublicKeyAlgorithmTags.RSA_GENERAL
        || keyAlgorithm == PublicKeyAlgorithmTags.RSA_SIGN
        || keyAlgorithm == PublicKeyAlgorithmTags.EDDSA_LEGACY;
  }

  static String digestLabel(int hashAlgorithm) {
    String name = jdkDigestName(hashAlgorithm);
    return name == null ? "hash algorithm " + hashAlgorithm : name;
  }

  static MessageDigest newDigest(int hashAlgorithm) throws PGPException {
    String name = jdkDigestName(hashAlgorithm);
    if (name == null) {
      throw new PGPException("unsupported hash algorithm " + hashAlgorithm);
    }
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new PGPException("the JDK lacks " + name, e);
    }
  }

  private static ASN1ObjectIdentifier oid(int hashAlgorithm) throws PGPException {
    return switch (hashAlgorithm) {
      case HashAlgorithmTags.SHA256 -> NISTObjectIdentifiers.id_sha256;
      case HashAlgorithmTags.SHA384 -> NISTObjectIdentifiers.id_sha384;
      case HashAlgorithmTags.SHA512 -> NISTObjectIdentifiers.id_sha512;
      case HashAlgorithmTags.SHA224 -> NISTObjectIdentifiers.id_sha224;
      case HashAlgorithmTags.SHA1 -> new ASN1ObjectIdentifier("1.3.14.3.2.26");
      default -> throw new PGPException("unsupported hash algorithm " + hashAlgorithm);
    };
  }

  /** The public-key step over a finished digest: RSA PKCS#1 v1.5 or Ed25519 over the hash. */
  @SuppressWarnings("deprecation")
  private static Signer digestSigner(int keyAlgorithm, int hashAlgorithm, AsymmetricKeyParameter key)
      throws PGPException {
    switch (keyAlgorithm) {
      case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN:
        return new RSADigestSigner(new NullDigest(), oid(hashAlgorithm));
      case PublicKeyAlgorithmTags.EDDSA_LEGACY:
        if (key instanceof Ed25519PublicKeyParameters || key instanceof Ed25519PrivateKeyParameters) {
          return new Ed25519Signer();
        }
        throw new PGPException("only Ed25519 is supported among EdDSA curves");
      default:
        throw new PGPException("unsupported public-key algorithm " + keyAlgorithm);
    }
  }

  private static OutputStream into(MessageDigest md) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        md.update((byte) b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        md.update(b, off, len);
      }
    };
  }

  static PGPContentVerifierBuilderProvider verifiers() {
    return (keyAlgorithm, hashAlgorithm) -> (PGPContentVerifierBuilder) publicKey -> {
      AsymmetricKeyParameter key = new BcPGPKeyConverter().getPublicKey(publicKey);
      Signer signer = digestSigner(keyAlgorithm, hashAlgorithm, key);
      MessageDigest md = newDigest(hashAlgorithm);
      return new PGPContentVerifier() {
        @Override
        public int getHashAlgorithm() {
          return hashAlgorithm;
        }

        @Override
        public int getKeyAlgorithm() {
          return keyAlgorithm;
        }

        @Override
        public long getKeyID() {
          return publicKey.getKeyID();
        }

        @Override
        public boolean verify(byte[] expected) {
          byte[] hash = md.digest();
          signer.init(false, key);
          signer.update(hash, 0, hash.length);
          return signer.verifySignature(expected);
        }

        @Override
        public OutputStream getOutputStream() {
          return into(md);
        }
      };
    };
  }

  static PGPContentSignerBuilder signer(int keyAlgorithm, int hashAlgorithm) {
    return (signatureType, privateKey) -> build(keyAlgorithm, hashAlgorithm, signatureType, privateKey);
  }

  private static PGPContentSigner build(int keyAlgorithm, int hashAlgorithm, int signatureType,
      PGPPrivateKey privateKey) throws PGPException {
    AsymmetricKeyParameter key = new BcPGPKeyConverter().getPrivateKey(privateKey);
    Signer signer = digestSigner(keyAlgorithm, hashAlgorithm, key);
    MessageDigest md = newDigest(hashAlgorithm);
    return new PGPContentSigner() {
      private byte[] digest;

      @Override
      public OutputStream getOutputStream() {
        return into(md);
      }

      @Override
      public byte[] getSignature() {
        byte[] hash = getDigest();
        signer.init(true, key);
        signer.update(hash, 0, hash.length);
        try {
          return signer.generateSignature();
        } catch (CryptoException e) {
          throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
      }

      @Override
      public byte[] getDigest() {
        if (digest == null) {
          digest = md.digest();
        }
        return digest;
      }

      @Override
      public int getType() {
        return signatureType;
      }

      @Override
      public int getHashAlgorithm() {
        return hashAlgorithm;
      }

      @Override
      public int getKeyAlgorithm() {
        return keyAlgorithm;
      }

      @Override
      public long getKeyID() {
        return privateKey.getKeyID();
      }
    };
  }
}
