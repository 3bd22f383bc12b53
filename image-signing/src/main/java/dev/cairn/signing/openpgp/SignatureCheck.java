package dev.cairn.signing.openpgp;

import dev.cairn.signing.KeyFacts;
import dev.cairn.signing.Reason;
import dev.cairn.signing.Signer;
import dev.cairn.signing.TrustPolicy;
import dev.cairn.signing.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * One signature file checked against trusted keys while the data streams past: parse first, then
 * {@link #update} with every byte, then {@link #conclude} once. Used by the verifying stream, file
 * verification and clearsigned text.
 */
final class SignatureCheck {
  private record Candidate(PGPSignature signature, PGPPublicKeyRing ring, PGPPublicKey key) {}

  private final List<Candidate> candidates = new ArrayList<>();
  private final List<Verdict.Rejected> unusable = new ArrayList<>();

  private SignatureCheck() {}

  static SignatureCheck prepare(List<PGPPublicKeyRing> rings, byte[] signature, int expectedType) {
    SignatureCheck c = new SignatureCheck();
    List<PGPSignature> sigs;
    try {
      sigs = parse(signature);
    } catch (IllegalArgumentException e) {
      c.unusable.add(new Verdict.Rejected(Reason.MALFORMED_SIGNATURE, e.getMessage()));
      return c;
    }
    for (PGPSignature sig : sigs) {
      Verdict.Rejected why = c.add(rings, sig, expectedType);
      if (why != null) {
        c.unusable.add(why);
      }
    }
    return c;
  }

  private Verdict.Rejected add(List<PGPPublicKeyRing> rings, PGPSignature sig, int expectedType) {
    if (sig.getSignatureType() != expectedType) {
      return new Verdict.Rejected(Reason.MALFORMED_SIGNATURE, String.format(
          "signature of type 0x%02x, expected 0x%02x (%s)", sig.getSignatureType(), expectedType,
          expectedType == PGPSignature.BINARY_DOCUMENT ? "a detached signature of binary data" : "a text signature"));
    }
    String issuer = issuer(sig);
    PGPPublicKeyRing ring = null;
    PGPPublicKey key = null;
    for (PGPPublicKeyRing r : rings) {
      PGPPublicKey k = r.getPublicKey(sig.getKeyID());
      if (k != null && (issuer.length() < 40 || KeyInspector.fingerprint(k).equals(issuer))) {
        ring = r;
        key = k;
        break;
      }
    }
    if (key == null) {
      return new Verdict.Rejected(Reason.UNKNOWN_KEY, "signed by key " + issuer
          + ", which is not in the keyring");
    }
    if (!JdkOperators.supportedKeyAlgorithm(sig.getKeyAlgorithm())) {
      return new Verdict.Rejected(Reason.UNSUPPORTED_ALGORITHM, "public-key algorithm "
          + sig.getKeyAlgorithm() + " (Cairn verifies RSA and Ed25519)");
    }
    if (!JdkOperators.acceptableForData(sig.getHashAlgorithm())) {
      return new Verdict.Rejected(Reason.UNSUPPORTED_ALGORITHM, JdkOperators.digestLabel(sig.getHashAlgorithm())
          + " digest (Cairn accepts SHA-224, SHA-256, SHA-384 and SHA-512)");
    }
    try {
      sig.init(JdkOperators.verifiers(), key);
    } catch (PGPException e) {
      return new Verdict.Rejected(Reason.UNSUPPORTED_ALGORITHM, e.getMessage());
    }
    candidates.add(new Candidate(sig, ring, key));
    return null;
  }

  /** The issuer as a fingerprint when the signature names one, else as a 16-digit key id. */
  private static String issuer(PGPSignature sig) {
    for (PGPSignatureSubpacketVector v : new PGPSignatureSubpacketVector[] {
        sig.getHashedSubPackets(), sig.getUnhashedSubPackets()}) {
      IssuerFingerprint fp = v == null ? null : v.getIssuerFingerprint();
      if (fp != null) {
        return HexFormat.of().withUpperCase().formatHex(fp.getFingerprint());
      }
    }
    return String.format("%016X", sig.getKeyID());
  }

  static List<PGPSignature> parse(byte[] bytes) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("the signature file is empty");
    }
    List<PGPSignature> out = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
      collect(new BcPGPObjectFactory(in), out);
    } catch (IOException | PGPException | RuntimeException e) {
      throw new IllegalArgumentException("not an OpenPGP signature ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no signature packet found");
    }
    return out;
  }

  private static void collect(BcPGPObjectFactory f, List<PGPSignature> out) throws IOException, PGPException {
    Object o;
    while ((o = f.nextObject()) != null) {
      if (o instanceof PGPSignatureList list) {
        for (PGPSignature s : list) {
          out.add(s);
        }
      } else if (o instanceof PGPCompressedData cd) {
        collect(new BcPGPObjectFactory(cd.getDataStream()), out);
      } else if (!(o instanceof PGPMarker)) {
        throw new IOException("unexpected " + o.getClass().getSimpleName() + " where a signature belongs");
      }
    }
  }

  void update(byte[] b, int off, int len) {
    for (Candidate c : candidates) {
      c.signature().update(b, off, len);
    }
  }

  /**
   * The verdict, after every byte has gone through {@link #update}: verified when a signature by
   * a trusted, valid key matches and no signature by a trusted key fails to match.
   */
  Verdict conclude(Instant now) {
    Verdict.Verified good = null;
    Verdict.Rejected bad = null;
    Verdict.Rejected policy = null;
    for (Candidate c : candidates) {
      PGPSignature sig = c.signature();
      boolean matches;
      try {
        matches = sig.verify();
      } catch (PGPException | RuntimeException e) {
        matches = false;
      }
      String fp = KeyInspector.fingerprint(c.key());
      if (!matches) {
        bad = bad != null ? bad : new Verdict.Rejected(Reason.BAD_SIGNATURE,
            "the data does not match the signature by key " + fp);
        continue;
      }
      PGPPublicKey primary = c.ring().getPublicKey();
      KeyInspector.Primary primaryInfo = KeyInspector.primary(primary);
      KeyFacts primaryFacts = primaryInfo.facts();
      KeyFacts signingFacts = c.key() == primary || c.key().getKeyID() == primary.getKeyID()
          ? primaryFacts : KeyInspector.subkeyFacts(primary, c.key());
      Instant signedAt = sig.getCreationTime().toInstant();
      Optional<Instant> sigExpires = Optional.empty();
      PGPSignatureSubpacketVector h = sig.getHashedSubPackets();
      if (h != null && h.getSignatureExpirationTime() > 0) {
        sigExpires = Optional.of(signedAt.plusSeconds(h.getSignatureExpirationTime()));
      }
      Optional<Verdict.Rejected> rejected = TrustPolicy.check(primaryFacts, signingFacts, signedAt, sigExpires, now);
      if (rejected.isPresent()) {
        policy = policy != null ? policy : rejected.get();
        continue;
      }
      if (good == null) {
        good = new Verdict.Verified(new Signer(fp, primaryFacts.fingerprint(), primaryInfo.userId()),
            signedAt, JdkOperators.digestLabel(sig.getHashAlgorithm()));
      }
    }
    if (bad != null) {
      return bad;
    }
    if (good != null) {
      return good;
    }
    if (policy != null) {
      return policy;
    }
    return unusable.isEmpty()
        ? new Verdict.Rejected(Reason.MALFORMED_SIGNATURE, "no usable signature")
        : unusable.get(0);
  }
}
