package dev.cairn.signing;

import java.time.Instant;

/**
 * The outcome of checking a signature. There is no "maybe": a verifier hands one out only after
 * the last byte of the data has been seen.
 */
public sealed interface Verdict {
  /** One line for the operator. */
  String message();

  /**
   * The data is exactly what {@code signer} signed at {@code signedAt}; with {@code text}, a
   * detached text signature ({@code gpg --textmode}), it is that text up to its line endings: LF
   * and CR LF, and carriage returns that end a line, are not covered.
   */
  record Verified(Signer signer, Instant signedAt, String digest, boolean text) implements Verdict {
    /** A signature that covers every byte. */
    public Verified(Signer signer, Instant signedAt, String digest) {
      this(signer, signedAt, digest, false);
    }

    @Override
    public String message() {
      return "good signature from \"" + signer.userId() + "\" key " + signer.keyFingerprint()
          + (signer.keyFingerprint().equals(signer.primaryFingerprint()) ? ""
              : " (subkey of " + signer.primaryFingerprint() + ")")
          + ", made " + signedAt + " with " + digest
          + (text ? ", a text signature: line endings are not signed" : "");
    }
  }

  /** The data must not be trusted. */
  record Rejected(Reason reason, String detail) implements Verdict {
    public Rejected {
      if (reason == null || detail == null) {
        throw new IllegalArgumentException("a rejection needs a reason and a detail");
      }
    }

    @Override
    public String message() {
      return reason.words() + ": " + detail;
    }
  }
}
