package dev.cairn.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressQuotaTest {
  static final Instant T = Instant.parse("2026-11-18T13:00:00Z");

  @Test
  void grants_upToTheLimitPerWindow_thenNone_untilTheNextWindow() {
    AddressQuota q = new AddressQuota(new AddressQuota.Limits(2, 0, Duration.ofHours(1), 10));
    for (int i = 0; i < 2; i++) {
      assertTrue(q.mayGrant("192.0.2.1", T));
      q.granted("192.0.2.1", T);
    }
    assertFalse(q.mayGrant("192.0.2.1", T.plusSeconds(3599)));
    assertTrue(q.mayGrant("192.0.2.2", T), "another address has its own count");
    assertTrue(q.mayGrant("192.0.2.1", T.plusSeconds(3600)), "a new window starts afresh");
  }

  @Test
  void failures_areCountedUpToTheLimit_theRestRefused() {
    AddressQuota q = new AddressQuota(new AddressQuota.Limits(0, 2, Duration.ofMinutes(10), 10));
    assertTrue(q.countFailure("198.51.100.7", T));
    assertTrue(q.countFailure("198.51.100.7", T));
    assertFalse(q.countFailure("198.51.100.7", T));
    assertTrue(q.mayGrant("198.51.100.7", T), "no grant limit: 0 means none");
  }

  @Test
  void pastTheTrackedAddresses_aNewAddressIsRefused_untilTheWindowEnds() {
    AddressQuota q = new AddressQuota(new AddressQuota.Limits(5, 5, Duration.ofHours(1), 2));
    q.granted("192.0.2.1", T);
    q.granted("192.0.2.2", T);
    assertFalse(q.mayGrant("192.0.2.3", T));
    assertFalse(q.countFailure("192.0.2.3", T));
    assertTrue(q.mayGrant("192.0.2.1", T), "tracked addresses keep their own count");
    assertTrue(q.mayGrant("192.0.2.3", T.plus(Duration.ofHours(1))));
  }

  @ParameterizedTest
  @CsvSource({
      "192.0.2.1, 192.0.2.1",
      "::ffff:192.0.2.1, 192.0.2.1",
      "2001:db8:1:2:3:4:5:6, 2001:db8:1:2::/64",
      "2001:db8:1:2::9, 2001:db8:1:2::/64",
      "2001:DB8:0001:0002:ffff::1%eth0, 2001:db8:1:2::/64",
      "::1, 0:0:0:0::/64",
      "fe80::1, fe80:0:0:0::/64"})
  void addresses_areKeyedByIpv4AddressOrIpv6Slash64(String address, String key) {
    assertEquals(key, AddressQuota.key(address));
  }

  @Test
  void oneIpv6Network_sharesOneCount() {
    AddressQuota q = new AddressQuota(new AddressQuota.Limits(1, 0, Duration.ofHours(1), 10));
    q.granted("2001:db8:1:2::1", T);
    assertFalse(q.mayGrant("2001:db8:1:2::ffff", T));
    assertTrue(q.mayGrant("2001:db8:1:3::1", T));
  }

  @Test
  void negativeLimits_areRefusedNamingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new AddressQuota.Limits(-1, 2, Duration.ofHours(1), 10));
    assertTrue(e.getMessage().contains("-1 grants"), e.getMessage());
  }
}
