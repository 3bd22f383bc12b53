package dev.cairn.signing;

import java.util.Locale;

/**
 * Who made a signature: the fingerprint of the key that signed (a subkey, or the primary), the
 * primary key's fingerprint and its first user id.
 */
public record Signer(String keyFingerprint, String primaryFingerprint, String userId) {
  public Signer {
    keyFingerprint = hex(keyFingerprint);
    primaryFingerprint = hex(primaryFingerprint);
    if (userId == null) {
      userId = "";
    }
  }

  private static String hex(String s) {
    if (s == null || !s.matches("[0-9A-Fa-f]{32,64}")) {
      throw new IllegalArgumentException("not a key fingerprint: '" + s + "'");
    }
    return s.toUpperCase(Locale.ROOT);
  }
}
