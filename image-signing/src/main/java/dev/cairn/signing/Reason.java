package dev.cairn.signing;

/** Why a signature or digest was not accepted. Each has the words the operator sees. */
public enum Reason {
  BAD_SIGNATURE("bad signature"),
  UNKNOWN_KEY("unknown key"),
  EXPIRED_KEY("expired key"),
  REVOKED_KEY("revoked key"),
  EXPIRED_SIGNATURE("expired signature"),
  UNSUPPORTED_ALGORITHM("unsupported algorithm"),
  MALFORMED_SIGNATURE("malformed signature"),
  NOT_A_SIGNING_KEY("key not valid for signing"),
  UNKNOWN_CRITICAL("unknown critical subpacket"),
  DIGEST_MISMATCH("digest mismatch"),
  WEAK_DIGEST("weak digest");

  private final String words;

  Reason(String words) {
    this.words = words;
  }

  public String words() {
    return words;
  }
}
