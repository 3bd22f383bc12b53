package dev.cairn.signing.openpgp;

import java.util.Optional;
import java.util.Set;
import org.bouncycastle.bcpg.SignatureSubpacket;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.NotationData;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;

/**
 * A subpacket marked critical that the verifier does not understand makes the signature invalid
 * (RFC 4880 5.2.3.1, RFC 9580 5.2.3.7); so does a critical notation it does not know. gpg applies
 * this to both subpacket areas, hashed and unhashed, and so does Cairn: the unhashed area is not
 * signed, so anyone may add one there, but that can only spoil a signature, never forge one.
 */
final class CriticalSubpackets {
  /**
   * The subpackets Cairn understands when marked critical: those it reads (creation time, signature
   * and key expiry, issuer, issuer fingerprint, key flags, embedded back-signature, reason for
   * revocation), and those that cannot change whether a data signature or a self-signature holds
   * (exportable, revocable, algorithm and keyserver preferences, preferred keyserver, primary user
   * id, policy URI, features). gpg accepts each of these as critical too. Trust signatures, regular
   * expressions and designated revokers are not here: Cairn does not act on them, so a critical
   * one is not understood. Notations are judged by name, below.
   */
  private static final Set<Integer> UNDERSTOOD = Set.of(
      SignatureSubpacketTags.CREATION_TIME,
      SignatureSubpacketTags.EXPIRE_TIME,
      SignatureSubpacketTags.EXPORTABLE,
      SignatureSubpacketTags.REVOCABLE,
      SignatureSubpacketTags.KEY_EXPIRE_TIME,
      SignatureSubpacketTags.PREFERRED_SYM_ALGS,
      SignatureSubpacketTags.ISSUER_KEY_ID,
      SignatureSubpacketTags.PREFERRED_HASH_ALGS,
      SignatureSubpacketTags.PREFERRED_COMP_ALGS,
      SignatureSubpacketTags.PREFERRED_KEY_SERV,
      SignatureSubpacketTags.PRIMARY_USER_ID,
      SignatureSubpacketTags.POLICY_URL,
      SignatureSubpacketTags.KEY_FLAGS,
      SignatureSubpacketTags.REVOCATION_REASON,
      SignatureSubpacketTags.FEATURES,
      SignatureSubpacketTags.EMBEDDED_SIGNATURE,
      SignatureSubpacketTags.ISSUER_FINGERPRINT);

  private CriticalSubpackets() {}

  /**
   * The first critical subpacket of {@code sig} that Cairn does not understand, described for the
   * operator ({@code subpacket 100 (hashed)}, {@code notation name@example.com (unhashed)}), or
   * empty when there is none. Cairn knows no notation, so every critical notation counts.
   */
  static Optional<String> notUnderstood(PGPSignature sig) {
    Optional<String> hashed = notUnderstood(sig.getHashedSubPackets(), "hashed");
    return hashed.isPresent() ? hashed : notUnderstood(sig.getUnhashedSubPackets(), "unhashed");
  }

  private static Optional<String> notUnderstood(PGPSignatureSubpacketVector v, String area) {
    if (v == null) {
      return Optional.empty();
    }
    for (SignatureSubpacket p : v.toArray()) {
      if (!p.isCritical()) {
        continue;
      }
      if (p.getType() == SignatureSubpacketTags.NOTATION_DATA) {
        return Optional.of("notation " + notationName(p) + " (" + area + ")");
      }
      if (!UNDERSTOOD.contains(p.getType())) {
        return Optional.of("subpacket " + p.getType() + " (" + area + ")");
      }
    }
    return Optional.empty();
  }

  /** The notation's name, printable, or a note that it has none Cairn can read. */
  private static String notationName(SignatureSubpacket p) {
    String name;
    try {
      name = p instanceof NotationData n ? n.getNotationName() : null;
    } catch (RuntimeException e) {
      name = null;
    }
    if (name == null || name.isEmpty()) {
      return "without a readable name";
    }
    StringBuilder b = new StringBuilder();
    name.codePoints().limit(100).forEach(c -> {
      if (c < 0x20 || c == 0x7f) {
        b.append(String.format("\\x%02x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.append(name.codePointCount(0, name.length()) > 100 ? "..." : "").toString();
  }
}
