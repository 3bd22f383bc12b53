package dev.cairn.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.Iterator;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.SignatureSubpacket;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;

/**
 * Makes a detached binary signature the way gpg does (issuer fingerprint and creation time hashed,
 * issuer key id unhashed) plus one extra subpacket gpg has no option to write: a subpacket type
 * gpg does not know, or a notation in the unhashed area. The signing key is the last secret key
 * of an unprotected gpg-exported key file (the signing subkey when there is one). For the cases
 * gpg can make, tests use gpg.
 */
final class ExtraSubpacketSigner {
  private ExtraSubpacketSigner() {}

  /** A subpacket of any type, critical or not. */
  static SignatureSubpacket subpacket(int type, boolean critical, byte[] data) {
    return new SignatureSubpacket(type, critical, false, data) {};
  }

  /** A notation subpacket (RFC 4880 5.2.3.16), human-readable. */
  static SignatureSubpacket notation(String name, String value, boolean critical) {
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] v = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] data = new byte[8 + n.length + v.length];
    data[0] = (byte) 0x80;
    data[4] = (byte) (n.length >> 8);
    data[5] = (byte) n.length;
    data[6] = (byte) (v.length >> 8);
    data[7] = (byte) v.length;
    System.arraycopy(n, 0, data, 8, n.length);
    System.arraycopy(v, 0, data, 8 + n.length, v.length);
    return subpacket(20, critical, data);
  }

  /**
   * Signs {@code data} with the last key of {@code secretKeyFile}, with {@code extra} in the
   * hashed area when {@code hashed}, else in the unhashed one (null for none), into {@code out}.
   */
  static Path sign(Path secretKeyFile, Path data, Path out, SignatureSubpacket extra, boolean hashed)
      throws IOException {
    try {
      PGPSecretKey key = null;
      try (InputStream in = PGPUtil.getDecoderStream(Files.newInputStream(secretKeyFile))) {
        for (Object o : new BcPGPObjectFactory(in)) {
          if (o instanceof PGPSecretKeyRing ring) {
            for (Iterator<PGPSecretKey> it = ring.getSecretKeys(); it.hasNext(); ) {
              key = it.next();
            }
          }
        }
      }
      if (key == null) {
        throw new IllegalArgumentException(secretKeyFile + " holds no secret key");
      }
      PGPPrivateKey priv = key.extractPrivateKey(
          new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider()).build(new char[0]));
      PGPSignatureGenerator g = new PGPSignatureGenerator(
          new BcPGPContentSignerBuilder(key.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256),
          key.getPublicKey());
      g.init(PGPSignature.BINARY_DOCUMENT, priv);
      PGPSignatureSubpacketGenerator h = new PGPSignatureSubpacketGenerator();
      h.setIssuerFingerprint(false, key.getPublicKey());
      h.setSignatureCreationTime(false, new Date());
      PGPSignatureSubpacketGenerator u = new PGPSignatureSubpacketGenerator();
      u.setIssuerKeyID(false, key.getKeyID());
      if (extra != null) {
        (hashed ? h : u).addCustomSubpacket(extra);
      }
      g.setHashedSubpackets(h.generate());
      g.setUnhashedSubpackets(u.generate());
      g.update(Files.readAllBytes(data));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      g.generate().encode(bytes);
      return Files.write(out, bytes.toByteArray());
    } catch (PGPException e) {
      throw new IOException("signing with " + secretKeyFile + " failed: " + e.getMessage(), e);
    }
  }
}
