package dev.cairn.signing.openpgp;

import dev.cairn.signing.KeyFacts;
import dev.cairn.signing.Reason;
import dev.cairn.signing.Signer;
import dev.cairn.signing.TrustPolicy;
import dev.cairn.signing.Verdict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.bcpg.PacketTags;
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
import org.bouncycastle.openpgp.operator.PGPContentVerifier;

/**
 * One signature file checked against trusted keys while the data streams past: parse first, then
 * {@link #update} with every byte, then {@link #conclude} once. Used by the verifying stream, file
 * verification and clearsigned text.
 */
final class SignatureCheck {
  /** The most a compressed signature packet may unpack to; a signature is a few hundred bytes. */
  private static final int MAX_UNPACKED = 1 << 20;

  /** Which signature types a check accepts, and how the data is hashed for them. */
  enum Expect {
    /** A detached signature of binary data (0x00) only: every byte is covered. */
    BINARY,
    /**
     * A detached signature of binary data (0x00) or of text (0x01, {@code gpg --textmode}), the
     * text hashed as gpg hashes it ({@link CanonicalText}).
     */
    BINARY_OR_TEXT,
    /** The text signature (0x01) of a clearsigned document, handed over with lines joined by LF. */
    CLEARSIGNED;

    boolean accepts(int type) {
      return type == PGPSignature.CANONICAL_TEXT_DOCUMENT ? this != BINARY : type == PGPSignature.BINARY_DOCUMENT && this != CLEARSIGNED;
    }

    String described() {
      return switch (this) {
        case BINARY -> "expected 0x00, a detached signature of binary data";
        case BINARY_OR_TEXT -> "expected a detached signature of binary data (0x00) or of text (0x01)";
        case CLEARSIGNED -> "expected 0x01, a text signature";
      };
    }
  }

  /**
   * A signature to check. A detached text signature is hashed through {@code hashInput}, the
   * verifier's own digest input, so that gpg's canonical form ({@link CanonicalText}) is hashed
   * rather than BouncyCastle's; everything else goes through {@link PGPSignature#update}.
   */
  private record Candidate(PGPSignature signature, PGPPublicKeyRing ring, PGPPublicKey key, OutputStream hashInput) {
    boolean detachedText() {
      return hashInput != null;
    }
  }

  private final List<Candidate> candidates = new ArrayList<>();
  private final CanonicalText text = new CanonicalText(this::hashText);
  private final List<Verdict.Rejected> unusable = new ArrayList<>();
  /** Signatures by trusted keys that are invalid as they stand: they count as bad ones. */
  private final List<Verdict.Rejected> refused = new ArrayList<>();

  private SignatureCheck() {}

  static SignatureCheck prepare(List<PGPPublicKeyRing> rings, byte[] signature, Expect expect) {
    SignatureCheck c = new SignatureCheck();
    List<PGPSignature> sigs;
    try {
      sigs = parse(signature);
    } catch (IllegalArgumentException e) {
      c.unusable.add(new Verdict.Rejected(Reason.MALFORMED_SIGNATURE, e.getMessage()));
      return c;
    }
    for (PGPSignature sig : sigs) {
      Verdict.Rejected why = c.add(rings, sig, expect);
      if (why != null) {
        (why.reason() == Reason.UNKNOWN_CRITICAL ? c.refused : c.unusable).add(why);
      }
    }
    return c;
  }

  private Verdict.Rejected add(List<PGPPublicKeyRing> rings, PGPSignature sig, Expect expect) {
    if (!expect.accepts(sig.getSignatureType())) {
      return new Verdict.Rejected(Reason.MALFORMED_SIGNATURE, String.format(
          "signature of type 0x%02x%s, %s", sig.getSignatureType(),
          sig.getSignatureType() == PGPSignature.CANONICAL_TEXT_DOCUMENT ? " (a text signature, which does not cover line endings)" : "",
          expect.described()));
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
    Optional<String> critical = CriticalSubpackets.notUnderstood(sig);
    if (critical.isPresent()) {
      return new Verdict.Rejected(Reason.UNKNOWN_CRITICAL, "the signature by key " + KeyInspector.fingerprint(key)
          + " carries critical " + critical.get() + ", which Cairn does not understand");
    }
    if (!JdkOperators.supportedKeyAlgorithm(sig.getKeyAlgorithm())) {
      return new Verdict.Rejected(Reason.UNSUPPORTED_ALGORITHM, "public-key algorithm "
          + sig.getKeyAlgorithm() + " (Cairn verifies RSA and Ed25519)");
    }
    if (!JdkOperators.acceptableForData(sig.getHashAlgorithm())) {
      return new Verdict.Rejected(Reason.UNSUPPORTED_ALGORITHM, JdkOperators.digestLabel(sig.getHashAlgorithm())
          + " digest (Cairn accepts SHA-224, SHA-256, SHA-384 and SHA-512)");
    }
    OutputStream[] hashInput = new OutputStream[1];
    try {
      sig.init((keyAlgorithm, hashAlgorithm) -> publicKey -> {
        PGPContentVerifier v = JdkOperators.verifiers().get(keyAlgorithm, hashAlgorithm).build(publicKey);
        hashInput[0] = v.getOutputStream();
        return v;
      }, key);
    } catch (PGPException e) {
      return new Verdict.Rejected(Reason.UNSUPPORTED_ALGORITHM, e.getMessage());
    }
    boolean detachedText = expect != Expect.CLEARSIGNED && sig.getSignatureType() == PGPSignature.CANONICAL_TEXT_DOCUMENT;
    candidates.add(new Candidate(sig, ring, key, detachedText ? hashInput[0] : null));
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
      collect(in.readAllBytes(), out, true);
    } catch (IOException | PGPException | RuntimeException e) {
      throw new IllegalArgumentException("not an OpenPGP signature ("
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no signature packet found");
    }
    return out;
  }

  private static void collect(byte[] packets, List<PGPSignature> out, boolean outer) throws IOException, PGPException {
    checkPackets(packets);
    BcPGPObjectFactory f = new BcPGPObjectFactory(packets);
    Object o;
    while ((o = f.nextObject()) != null) {
      if (o instanceof PGPSignatureList list) {
        for (PGPSignature s : list) {
          out.add(s);
        }
      } else if (o instanceof PGPCompressedData cd && outer) {
        byte[] unpacked = cd.getDataStream().readNBytes(MAX_UNPACKED + 1);
        if (unpacked.length > MAX_UNPACKED) {
          throw new IOException("compressed data unpacks to over " + MAX_UNPACKED + " bytes");
        }
        collect(unpacked, out, false);
      } else if (!(o instanceof PGPMarker)) {
        throw new IOException("unexpected " + o.getClass().getSimpleName() + " where a signature belongs");
      }
    }
  }

  /**
   * Walks the packet headers and refuses, before BouncyCastle reads a body, any packet that does
   * not belong in a signature file: only version 3 and 4 signatures, compressed data and markers
   * do. BouncyCastle sizes arrays from the 4-byte lengths inside v5 and v6 packets without
   * checking them against the data, so a 16-byte file could make it allocate 2 GiB.
   */
  private static void checkPackets(byte[] b) throws IOException {
    int i = 0;
    while (i < b.length) {
      int header = b[i] & 0xff;
      if ((header & 0x80) == 0) {
        throw new IOException("no packet header at byte " + i);
      }
      boolean newFormat = (header & 0x40) != 0;
      int tag = newFormat ? header & 0x3f : (header >> 2) & 0x0f;
      int pos = i + 1;
      int body = -1;
      long bodyLength = 0;
      boolean more = true;
      while (more) {
        more = false;
        long length;
        if (newFormat) {
          int l = octet(b, pos++);
          if (l < 192) {
            length = l;
          } else if (l < 224) {
            length = ((l - 192L) << 8) + octet(b, pos++) + 192;
          } else if (l == 255) {
            length = number(b, pos, 4);
            pos += 4;
          } else {
            length = 1L << (l & 0x1f);   // a partial body: another length follows this part
            more = true;
          }
        } else {
          int lengthType = header & 0x03;
          if (lengthType == 3) {
            length = b.length - pos;   // indeterminate: to the end of the data
          } else {
            int n = 1 << lengthType;
            length = number(b, pos, n);
            pos += n;
          }
        }
        if (body < 0) {
          body = pos;
          bodyLength = length;
        }
        if (length > b.length - pos) {
          throw new IOException("packet at byte " + i + " claims " + length + " bytes, past the end of the data");
        }
        pos += (int) length;
      }
      if (tag == PacketTags.SIGNATURE) {
        int version = bodyLength > 0 ? b[body] & 0xff : -1;
        if (version != 3 && version != 4) {
          throw new IOException("signature packet of version " + version + " (Cairn reads versions 3 and 4)");
        }
      } else if (tag != PacketTags.COMPRESSED_DATA && tag != PacketTags.MARKER) {
        boolean key = tag == PacketTags.PUBLIC_KEY || tag == PacketTags.SECRET_KEY
            || tag == PacketTags.PUBLIC_SUBKEY || tag == PacketTags.SECRET_SUBKEY;
        throw new IOException((key ? "a key packet" : "a packet of type " + tag) + " where a signature belongs");
      }
      i = pos;
    }
  }

  private static int octet(byte[] b, int at) throws IOException {
    if (at >= b.length) {
      throw new IOException("packet header cut short at byte " + at);
    }
    return b[at] & 0xff;
  }

  private static long number(byte[] b, int at, int octets) throws IOException {
    long n = 0;
    for (int k = 0; k < octets; k++) {
      n = (n << 8) | octet(b, at + k);
    }
    return n;
  }

  /**
   * Without the data: the first signature by a trusted key that the trust policy accepts (for a
   * signature made when it says), as its primary key's fingerprint, else the rejection.
   */
  dev.cairn.signing.ReleaseKeys.Signed signer(Instant now) {
    if (!refused.isEmpty()) {
      return new dev.cairn.signing.ReleaseKeys.Signed(Optional.empty(), Optional.of(refused.get(0)));
    }
    Verdict.Rejected policy = null;
    for (Candidate c : candidates) {
      PGPSignature sig = c.signature();
      PGPPublicKey primary = c.ring().getPublicKey();
      KeyFacts primaryFacts = KeyInspector.primary(primary).facts();
      KeyFacts signingFacts = c.key() == primary || c.key().getKeyID() == primary.getKeyID()
          ? primaryFacts : KeyInspector.subkeyFacts(primary, c.key());
      Instant signedAt = sig.getCreationTime().toInstant();
      Optional<Instant> sigExpires = Optional.empty();
      PGPSignatureSubpacketVector h = sig.getHashedSubPackets();
      if (h != null && h.getSignatureExpirationTime() > 0) {
        sigExpires = Optional.of(signedAt.plusSeconds(h.getSignatureExpirationTime()));
      }
      Optional<Verdict.Rejected> rejected = TrustPolicy.check(primaryFacts, signingFacts, signedAt, sigExpires, now);
      if (rejected.isEmpty()) {
        return new dev.cairn.signing.ReleaseKeys.Signed(Optional.of(primaryFacts.fingerprint()), Optional.empty());
      }
      policy = policy != null ? policy : rejected.get();
    }
    Verdict.Rejected why = policy != null ? policy : unusable.isEmpty()
        ? new Verdict.Rejected(Reason.MALFORMED_SIGNATURE, "no usable signature") : unusable.get(0);
    return new dev.cairn.signing.ReleaseKeys.Signed(Optional.empty(), Optional.of(why));
  }

  void update(byte[] b, int off, int len) {
    boolean anyText = false;
    for (Candidate c : candidates) {
      if (c.detachedText()) {
        anyText = true;
      } else {
        c.signature().update(b, off, len);
      }
    }
    if (anyText) {
      text.update(b, off, len);
    }
  }

  private void hashText(byte[] b, int off, int len) {
    for (Candidate c : candidates) {
      if (c.detachedText()) {
        try {
          c.hashInput().write(b, off, len);
        } catch (IOException e) {
          throw new UncheckedIOException(e);   // a digest's input does not fail
        }
      }
    }
  }

  /**
   * The verdict, after every byte has gone through {@link #update}: verified when a signature by
   * a trusted, valid key matches and no signature by a trusted key fails to match or carries a
   * critical subpacket Cairn does not understand.
   */
  Verdict conclude(Instant now) {
    text.finish();
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
            signedAt, JdkOperators.digestLabel(sig.getHashAlgorithm()), c.detachedText());
      }
    }
    if (bad != null) {
      return bad;
    }
    if (!refused.isEmpty()) {
      return refused.get(0);
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
