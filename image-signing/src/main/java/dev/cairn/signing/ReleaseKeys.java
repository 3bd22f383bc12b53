package dev.cairn.signing;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The port a server uses to manage trusted release keys and to check detached signatures over
 * data it receives as a stream. Key blocks and signatures are bytes (armored or binary); an
 * adapter does the OpenPGP.
 */
public interface ReleaseKeys {

  /** One primary key of a key block: fingerprints are upper-case hex. */
  record KeySummary(String fingerprint, List<String> userIds, Instant created, List<String> subkeys) {
    public KeySummary {
      userIds = List.copyOf(userIds);
      subkeys = List.copyOf(subkeys);
    }
  }

  /**
   * The primary keys in {@code keyBlock}, with their subkeys.
   *
   * @throws IllegalArgumentException when the block holds no public key, is not OpenPGP, or holds
   *     secret key material
   */
  List<KeySummary> inspect(byte[] keyBlock);

  /**
   * The public key {@code fingerprint} of {@code keyBlock} (with its user ids and subkeys), ASCII
   * armored, to keep as that key's own file.
   *
   * @throws IllegalArgumentException when the block does not hold that public key
   */
  byte[] armoredPublicKey(byte[] keyBlock, String fingerprint);

  /**
   * Starts checking the detached {@code signature} against the keys in {@code trustedKeyBlocks}:
   * hand every byte of the data to {@link Check#update}, then ask {@link Check#conclude} once.
   * A signature that does not parse is not an exception: the check concludes with a rejection.
   * The signature must be one of binary data, covering every byte; a text signature, which leaves
   * line endings unsigned, is rejected as malformed.
   */
  Check check(List<byte[]> trustedKeyBlocks, byte[] signature);

  /** A signature check in progress. */
  interface Check {
    void update(byte[] bytes, int offset, int length);

    /** The verdict on every byte handed to {@link #update}. */
    Verdict conclude();

    /**
     * Without the data: the primary fingerprint of a trusted key, valid for signing, that made
     * the signature, or the rejection when there is none. Says nothing about whether the data
     * matches; for data that is not at hand (a package hosted elsewhere).
     */
    Signed signer();
  }

  /** Who made a signature, or why nobody trusted did; exactly one is present. */
  record Signed(Optional<String> primaryFingerprint, Optional<Verdict.Rejected> rejected) {
    public Signed {
      if (primaryFingerprint.isPresent() == rejected.isPresent()) {
        throw new IllegalArgumentException("a signer or a rejection, not both or neither");
      }
    }
  }
}
