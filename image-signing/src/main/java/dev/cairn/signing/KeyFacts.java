package dev.cairn.signing;

import java.time.Instant;
import java.util.Optional;

/**
 * What the trust policy needs to know about one key (primary or subkey), read from its
 * self-signatures by an adapter: when it was made, when it expires, whether it is revoked and
 * whether it may sign.
 */
public record KeyFacts(
    String fingerprint,
    Instant created,
    Optional<Instant> expires,
    Optional<String> revocation,
    boolean canSign) {

  public KeyFacts {
    if (fingerprint == null || created == null || expires == null || revocation == null) {
      throw new IllegalArgumentException("key facts are incomplete");
    }
  }
}
