package dev.cairn.omaha.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The admin API's one check: does an {@code Authorization} header carry the configured token? The
 * scheme name is case-insensitive (RFC 7235, section 2.1), the token is compared in constant time,
 * and a blank configured token matches nothing: a missing secret never means an open API.
 */
final class BearerToken {
  private BearerToken() {}

  static boolean matches(String authorizationHeader, String configured) {
    if (configured == null || configured.isBlank() || authorizationHeader == null) {
      return false;
    }
    String h = authorizationHeader.strip();
    int space = h.indexOf(' ');
    if (space < 0 || !h.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
      return false;
    }
    String presented = h.substring(space + 1).strip();
    if (presented.isEmpty()) {
      return false;
    }
    return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
        configured.getBytes(StandardCharsets.UTF_8));
  }
}
