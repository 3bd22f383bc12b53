package dev.cairn.signing;

import java.time.Instant;
import java.util.Optional;

/**
 * What the trust policy needs to know about one key (primary or subkey), read from its
 * self-signatures by an adapter: when it was made, when it expires, whether it is revoked, whether
 * it may sign, and whether the self-signature these facts come from carries a critical subpacket
 * the adapter does not understand ({@code notUnderstood} describes it), which makes the key unusable.
 */
public record KeyFacts(
    String fingerprint,
    Instant created,
    Optional<Instant> expires,
    Optional<String> revocation,
    boolean canSign,
    Optional<String> notUnderstood) {

  public KeyFacts {
    if (fingerprint == null || created == null || expires == null || revocation == null || notUnderstood == null) {
      throw new IllegalArgumentException("key facts are incomplete");
    }
  }

  /** Facts from a self-signature without critical subpackets the adapter does not understand. */
  public KeyFacts(String fingerprint, Instant created, Optional<Instant> expires, Optional<String> revocation,
      boolean canSign) {
    this(fingerprint, created, expires, revocation, canSign, Optional.empty());
  }
}
