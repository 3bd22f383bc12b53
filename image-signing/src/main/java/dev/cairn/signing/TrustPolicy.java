package dev.cairn.signing;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a key may be trusted for a signature made at {@code signedAt}, checked at {@code now}.
 * Pure: the adapter reads the facts, this decides.
 */
public final class TrustPolicy {
  private TrustPolicy() {}

  /**
   * @param primary the primary key
   * @param signing the key that made the signature (the primary itself, or a subkey)
   * @param signatureExpires when the signature itself expires, if it says
   */
  public static Optional<Verdict.Rejected> check(KeyFacts primary, KeyFacts signing,
      Instant signedAt, Optional<Instant> signatureExpires, Instant now) {
    for (KeyFacts k : signing == primary ? new KeyFacts[] {primary} : new KeyFacts[] {primary, signing}) {
      String which = k == primary ? "key " : "subkey ";
      if (k.revocation().isPresent()) {
        return reject(Reason.REVOKED_KEY, which + k.fingerprint() + " is revoked ("
            + k.revocation().get() + ")");
      }
      if (k.notUnderstood().isPresent()) {
        return reject(Reason.UNKNOWN_CRITICAL, "the self-signature of " + which + k.fingerprint()
            + " carries critical " + k.notUnderstood().get() + ", which Cairn does not understand");
      }
      if (k.expires().isPresent() && !k.expires().get().isAfter(now)) {
        return reject(Reason.EXPIRED_KEY, which + k.fingerprint() + " expired on " + k.expires().get());
      }
      if (k.expires().isPresent() && !k.expires().get().isAfter(signedAt)) {
        return reject(Reason.EXPIRED_KEY, which + k.fingerprint() + " had expired on "
            + k.expires().get() + ", before the signature was made on " + signedAt);
      }
      if (signedAt.isBefore(k.created())) {
        return reject(Reason.BAD_SIGNATURE, "signature made on " + signedAt + ", before "
            + which + k.fingerprint() + " was created on " + k.created());
      }
    }
    if (!signing.canSign()) {
      return reject(Reason.NOT_A_SIGNING_KEY, "key " + signing.fingerprint()
          + " does not carry the signing flag");
    }
    if (signatureExpires.isPresent() && !signatureExpires.get().isAfter(now)) {
      return reject(Reason.EXPIRED_SIGNATURE, "the signature expired on " + signatureExpires.get());
    }
    return Optional.empty();
  }

  private static Optional<Verdict.Rejected> reject(Reason r, String detail) {
    return Optional.of(new Verdict.Rejected(r, detail));
  }

  /**
   * Parses an expiry such as {@code 2y}, {@code 18m}, {@code 6w}, {@code 90d} or {@code never};
   * returns seconds from key creation, 0 meaning never (as OpenPGP stores it).
   */
  public static long parseExpiry(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.equals("never") || t.equals("0")) {
      return 0;
    }
    if (!t.matches("[1-9][0-9]{0,4}[dwmy]")) {
      throw new IllegalArgumentException("expiry '" + text
          + "' is not like 2y, 18m, 6w, 90d or never");
    }
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    long days = switch (t.charAt(t.length() - 1)) {
      case 'd' -> n;
      case 'w' -> 7 * n;
      case 'm' -> 30 * n;
      default -> 365 * n;
    };
    long seconds = days * 86400;
    if (seconds > 0xFFFFFFFFL) {
      throw new IllegalArgumentException("expiry '" + text + "' is too far away (OpenPGP holds at most 136 years)");
    }
    return seconds;
  }
}
