package dev.cairn.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrustPolicyTest {
  static final Instant CREATED = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant SIGNED = Instant.parse("2026-01-01T00:00:00Z");
  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  static KeyFacts key(String fp, Optional<Instant> expires, Optional<String> revoked, boolean canSign) {
    return new KeyFacts(fp, CREATED, expires, revoked, canSign);
  }

  static final KeyFacts GOOD = key("AA".repeat(20), Optional.empty(), Optional.empty(), true);

  private static Optional<Reason> reason(KeyFacts primary, KeyFacts signing, Optional<Instant> sigExpires) {
    return TrustPolicy.check(primary, signing, SIGNED, sigExpires, NOW).map(Verdict.Rejected::reason);
  }

  @Test
  void validKey_isTrusted() {
    assertEquals(Optional.empty(), reason(GOOD, GOOD, Optional.empty()));
  }

  @Test
  void revokedPrimary_rejectsItsSubkeysToo() {
    KeyFacts primary = key("AA".repeat(20), Optional.empty(), Optional.of("revoked on 2026-02-01"), false);
    KeyFacts sub = key("BB".repeat(20), Optional.empty(), Optional.empty(), true);
    assertEquals(Optional.of(Reason.REVOKED_KEY), reason(primary, sub, Optional.empty()));
  }

  @Test
  void expiredNow_orAtSigningTime_isExpiredKey() {
    KeyFacts expiredSinceMarch = key("AA".repeat(20), Optional.of(Instant.parse("2026-03-01T00:00:00Z")), Optional.empty(), true);
    assertEquals(Optional.of(Reason.EXPIRED_KEY), reason(expiredSinceMarch, expiredSinceMarch, Optional.empty()));
    KeyFacts sub = key("BB".repeat(20), Optional.of(Instant.parse("2025-06-01T00:00:00Z")), Optional.empty(), true);
    Verdict.Rejected r = TrustPolicy.check(GOOD, sub, SIGNED, Optional.empty(), NOW).orElseThrow();
    assertEquals(Reason.EXPIRED_KEY, r.reason());
    assertTrue(r.detail().startsWith("subkey " + "BB".repeat(20) + " expired on 2025-06-01"), r.detail());
  }

  @Test
  void subkeySelfSignatureWithCriticalSubpacketNotUnderstood_isUnknownCritical_butRevocationComesFirst() {
    KeyFacts sub = new KeyFacts("BB".repeat(20), CREATED, Optional.empty(), Optional.empty(), true,
        Optional.of("notation x@example.com (hashed)"));
    Verdict.Rejected r = TrustPolicy.check(GOOD, sub, SIGNED, Optional.empty(), NOW).orElseThrow();
    assertEquals(Reason.UNKNOWN_CRITICAL, r.reason());
    assertEquals("the self-signature of subkey " + "BB".repeat(20) + " carries critical notation x@example.com "
        + "(hashed), which Cairn does not understand", r.detail());
    KeyFacts revoked = new KeyFacts("BB".repeat(20), CREATED, Optional.empty(), Optional.of("revoked on 2026-02-01"),
        true, Optional.of("subpacket 100 (hashed)"));
    assertEquals(Optional.of(Reason.REVOKED_KEY), reason(GOOD, revoked, Optional.empty()));
  }

  @Test
  void keyWithoutSignFlag_isRefused() {
    KeyFacts certifyOnly = key("AA".repeat(20), Optional.empty(), Optional.empty(), false);
    assertEquals(Optional.of(Reason.NOT_A_SIGNING_KEY), reason(certifyOnly, certifyOnly, Optional.empty()));
  }

  @Test
  void expiredSignature_isRefused() {
    assertEquals(Optional.of(Reason.EXPIRED_SIGNATURE),
        reason(GOOD, GOOD, Optional.of(Instant.parse("2026-02-01T00:00:00Z"))));
    assertEquals(Optional.empty(), reason(GOOD, GOOD, Optional.of(Instant.parse("2027-01-01T00:00:00Z"))));
  }

  @Test
  void signatureOlderThanItsKey_isBad() {
    KeyFacts young = new KeyFacts("AA".repeat(20), Instant.parse("2026-05-01T00:00:00Z"), Optional.empty(), Optional.empty(), true);
    assertEquals(Optional.of(Reason.BAD_SIGNATURE), reason(young, young, Optional.empty()));
  }

  @Test
  void parseExpiry_acceptsUnitsAndNever() {
    assertEquals(2 * 365 * 86400L, TrustPolicy.parseExpiry("2y"));
    assertEquals(90 * 86400L, TrustPolicy.parseExpiry("90d"));
    assertEquals(6 * 7 * 86400L, TrustPolicy.parseExpiry("6w"));
    assertEquals(18 * 30 * 86400L, TrustPolicy.parseExpiry("18m"));
    assertEquals(0, TrustPolicy.parseExpiry("never"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrustPolicy.parseExpiry("soon"))
        .getMessage().contains("'soon'"));
    assertThrows(IllegalArgumentException.class, () -> TrustPolicy.parseExpiry("99999y"));
  }
}
