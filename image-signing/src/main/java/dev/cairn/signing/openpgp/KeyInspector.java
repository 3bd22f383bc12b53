package dev.cairn.signing.openpgp;

import dev.cairn.signing.KeyFacts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.bcpg.sig.RevocationReason;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;

/**
 * Reads the facts the trust policy needs from a key's self-signatures, and believes only
 * signatures that verify: user-id certifications and direct-key signatures by the primary,
 * subkey bindings with their embedded back-signatures, and revocations.
 */
final class KeyInspector {
  private KeyInspector() {}

  static String fingerprint(PGPPublicKey key) {
    return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
  }

  /** A primary key's facts and the user id of its newest valid self-certification. */
  record Primary(KeyFacts facts, String userId) {}

  /** The user id to show for a primary key. */
  static String userId(PGPPublicKey primary) {
    return primary(primary).userId();
  }

  static KeyFacts primaryFacts(PGPPublicKey primary) {
    return primary(primary).facts();
  }

  static Primary primary(PGPPublicKey primary) {
    PGPSignature newest = null;
    String userId = null;
    String firstUid = null;
    for (Iterator<String> it = primary.getUserIDs(); it.hasNext(); ) {
      String uid = it.next();
      firstUid = firstUid == null ? uid : firstUid;
      for (Iterator<PGPSignature> s = primary.getSignaturesForID(uid); s != null && s.hasNext(); ) {
        PGPSignature sig = s.next();
        if (isCertification(sig) && verifiesCertification(sig, uid, primary)) {
          if (newer(newest, sig) == sig) {
            userId = uid;
          }
          newest = newer(newest, sig);
        }
      }
    }
    for (PGPSignature sig : signatures(primary, PGPSignature.DIRECT_KEY)) {
      if (verifies(() -> {
        sig.init(JdkOperators.verifiers(), primary);
        return sig.verifyCertification(primary);
      })) {
        newest = newer(newest, sig);
      }
    }
    Optional<String> revoked = Optional.empty();
    for (PGPSignature sig : signatures(primary, PGPSignature.KEY_REVOCATION)) {
      if (verifies(() -> {
        sig.init(JdkOperators.verifiers(), primary);
        return sig.verifyCertification(primary);
      })) {
        revoked = Optional.of(reason(sig));
      }
    }
    KeyFacts facts = facts(primary, newest, revoked, newest != null && flagsAllowSigning(newest, true),
        newest == null ? Optional.empty() : CriticalSubpackets.notUnderstood(newest));
    return new Primary(facts, userId != null ? userId : firstUid == null ? "" : firstUid);
  }

  static KeyFacts subkeyFacts(PGPPublicKey primary, PGPPublicKey sub) {
    PGPSignature binding = null;
    for (PGPSignature sig : signatures(sub, PGPSignature.SUBKEY_BINDING)) {
      if (verifies(() -> {
        sig.init(JdkOperators.verifiers(), primary);
        return sig.verifyCertification(primary, sub);
      })) {
        binding = newer(binding, sig);
      }
    }
    Optional<String> revoked = Optional.empty();
    for (PGPSignature sig : signatures(sub, PGPSignature.SUBKEY_REVOCATION)) {
      if (verifies(() -> {
        sig.init(JdkOperators.verifiers(), primary);
        return sig.verifyCertification(primary, sub);
      })) {
        revoked = Optional.of(reason(sig));
      }
    }
    if (binding == null) {
      revoked = revoked.or(() -> Optional.of("it has no valid binding signature from its primary key"));
    }
    Optional<String> notUnderstood = Optional.empty();
    boolean canSign = false;
    if (binding != null) {
      notUnderstood = CriticalSubpackets.notUnderstood(binding);
      if (flagsAllowSigning(binding, false)) {
        BackSignature back = backSignature(binding, primary, sub);
        canSign = back.valid();
        if (notUnderstood.isEmpty() && back.notUnderstood().isPresent()) {
          notUnderstood = Optional.of(back.notUnderstood().get() + " in its back-signature");
        }
      }
    }
    return facts(sub, binding, revoked, canSign, notUnderstood);
  }

  private static KeyFacts facts(PGPPublicKey key, PGPSignature selfSig, Optional<String> revoked,
      boolean canSign, Optional<String> notUnderstood) {
    Instant created = key.getCreationTime().toInstant();
    Optional<Instant> expires = Optional.empty();
    if (selfSig != null && selfSig.getHashedSubPackets() != null) {
      long seconds = selfSig.getHashedSubPackets().getKeyExpirationTime();
      if (seconds > 0) {
        expires = Optional.of(created.plusSeconds(seconds));
      }
    }
    return new KeyFacts(fingerprint(key), created, expires, revoked, canSign, notUnderstood);
  }

  /** Signing needs the sign flag; a primary whose self-signature has no flags at all may sign. */
  private static boolean flagsAllowSigning(PGPSignature selfSig, boolean primary) {
    PGPSignatureSubpacketVector h = selfSig.getHashedSubPackets();
    if (h == null || !h.hasSubpacket(SignatureSubpacketTags.KEY_FLAGS)) {
      return primary;
    }
    return (h.getKeyFlags() & KeyFlags.SIGN_DATA) != 0;
  }

  /** Whether a valid back-signature was found, else what Cairn did not understand in one that verified. */
  private record BackSignature(boolean valid, Optional<String> notUnderstood) {}

  /**
   * A signing subkey must prove it agrees to belong to the primary (the embedded 0x19). One that
   * verifies but carries a critical subpacket Cairn does not understand is no proof.
   */
  private static BackSignature backSignature(PGPSignature binding, PGPPublicKey primary, PGPPublicKey sub) {
    List<PGPSignature> embedded = new ArrayList<>();
    try {
      for (PGPSignatureSubpacketVector v : new PGPSignatureSubpacketVector[] {
          binding.getHashedSubPackets(), binding.getUnhashedSubPackets()}) {
        if (v != null) {
          PGPSignatureList list = v.getEmbeddedSignatures();
          for (PGPSignature s : list) {
            embedded.add(s);
          }
        }
      }
    } catch (PGPException e) {
      return new BackSignature(false, Optional.empty());
    }
    Optional<String> notUnderstood = Optional.empty();
    for (PGPSignature back : embedded) {
      if (back.getSignatureType() == PGPSignature.PRIMARYKEY_BINDING && verifies(() -> {
        back.init(JdkOperators.verifiers(), sub);
        return back.verifyCertification(primary, sub);
      })) {
        Optional<String> critical = CriticalSubpackets.notUnderstood(back);
        if (critical.isEmpty()) {
          return new BackSignature(true, Optional.empty());
        }
        notUnderstood = critical;
      }
    }
    return new BackSignature(false, notUnderstood);
  }

  private static boolean isCertification(PGPSignature sig) {
    int t = sig.getSignatureType();
    return t == PGPSignature.POSITIVE_CERTIFICATION || t == PGPSignature.CASUAL_CERTIFICATION
        || t == PGPSignature.NO_CERTIFICATION || t == PGPSignature.DEFAULT_CERTIFICATION;
  }

  private static boolean verifiesCertification(PGPSignature sig, String uid, PGPPublicKey primary) {
    return sig.getKeyID() == primary.getKeyID() && verifies(() -> {
      sig.init(JdkOperators.verifiers(), primary);
      return sig.verifyCertification(uid, primary);
    });
  }

  private static List<PGPSignature> signatures(PGPPublicKey key, int type) {
    List<PGPSignature> out = new ArrayList<>();
    for (Iterator<PGPSignature> it = key.getSignaturesOfType(type); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }

  private static PGPSignature newer(PGPSignature a, PGPSignature b) {
    return a == null || b.getCreationTime().after(a.getCreationTime()) ? b : a;
  }

  private static String reason(PGPSignature sig) {
    PGPSignatureSubpacketVector h = sig.getHashedSubPackets();
    RevocationReason r = h == null ? null : (RevocationReason) h.getSubpacket(SignatureSubpacketTags.REVOCATION_REASON);
    String when = "revoked on " + sig.getCreationTime().toInstant();
    if (r == null) {
      return when;
    }
    String text = r.getRevocationDescription();
    return when + (text == null || text.isBlank() ? "" : ": " + text);
  }

  private interface Check {
    boolean run() throws PGPException;
  }

  private static boolean verifies(Check check) {
    try {
      return check.run();
    } catch (PGPException | RuntimeException e) {
      return false;
    }
  }
}
