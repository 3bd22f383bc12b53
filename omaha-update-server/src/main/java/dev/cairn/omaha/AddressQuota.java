package dev.cairn.omaha;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How many new grants and counted failures one client address may cause per period. Omaha has no
 * client authentication: whoever reaches the server can claim to be any number of machines, so
 * without this one address could take a group's whole rate limit, or report enough failures to
 * pause it through the failure brake.
 *
 * <p>Counts are kept in memory, per fixed window of {@code period}, per address (an IPv6 address
 * by its /64, which one host or site usually holds whole). At most {@code maxAddresses} addresses
 * are tracked in a window; past that, a new address is refused grants and counted failures until
 * the window ends (so a flood of addresses delays updates instead of braking groups). A limit of 0
 * means no limit.
 */
public final class AddressQuota {
  /** The limits, validated. */
  public record Limits(int grantsPerPeriod, int failuresPerPeriod, Duration period, int maxAddresses) {
    public Limits {
      if (grantsPerPeriod < 0 || failuresPerPeriod < 0) {
        throw new IllegalArgumentException("per-address limits must be 0 (no limit) or more, got "
            + grantsPerPeriod + " grants and " + failuresPerPeriod + " failures");
      }
      if (period.isNegative() || period.isZero() || period.toMillis() == 0) {
        throw new IllegalArgumentException("the per-address period must be positive, got " + period);
      }
      if (maxAddresses < 1) {
        throw new IllegalArgumentException("the number of tracked addresses must be at least 1, got " + maxAddresses);
      }
    }

    /** 20 new grants and 2 counted failures per address per hour, 100,000 addresses tracked. */
    public static Limits defaults() {
      return new Limits(20, 2, Duration.ofHours(1), 100_000);
    }

    /** No per-address limits at all. */
    public static Limits none() {
      return new Limits(0, 0, Duration.ofHours(1), 1);
    }
  }

  private final Limits limits;
  private long window = Long.MIN_VALUE;
  private final Map<String, int[]> counts = new HashMap<>();

  public AddressQuota(Limits limits) {
    this.limits = limits;
  }

  public Limits limits() {
    return limits;
  }

  /** Whether {@code address} may be granted one more update now. */
  public synchronized boolean mayGrant(String address, Instant now) {
    return limits.grantsPerPeriod() == 0 || under(address, now, 0, limits.grantsPerPeriod());
  }

  /** Counts one new grant to {@code address}. */
  public synchronized void granted(String address, Instant now) {
    if (limits.grantsPerPeriod() != 0) {
      add(address, now, 0);
    }
  }

  /** Counts one failure report from {@code address} if it is under its limit; false when it is not. */
  public synchronized boolean countFailure(String address, Instant now) {
    if (limits.failuresPerPeriod() == 0) {
      return true;
    }
    if (!under(address, now, 1, limits.failuresPerPeriod())) {
      return false;
    }
    add(address, now, 1);
    return true;
  }

  private boolean under(String address, Instant now, int which, int limit) {
    roll(now);
    int[] c = counts.get(key(address));
    if (c == null) {
      return counts.size() < limits.maxAddresses();
    }
    return c[which] < limit;
  }

  private void add(String address, Instant now, int which) {
    roll(now);
    String k = key(address);
    int[] c = counts.get(k);
    if (c == null) {
      if (counts.size() >= limits.maxAddresses()) {
        return;
      }
      c = new int[2];
      counts.put(k, c);
    }
    c[which]++;
  }

  private void roll(Instant now) {
    long w = Math.floorDiv(now.toEpochMilli(), limits.period().toMillis());
    if (w != window) {
      window = w;
      counts.clear();
    }
  }

  /**
   * What one client is counted by: an IPv4 address as it is; an IPv6 address by its first four
   * groups (its /64), which one host or site usually holds whole.
   */
  public static String key(String address) {
    if (address.indexOf(':') < 0) {
      return address;
    }
    if (address.indexOf('.') >= 0) {
      return address.substring(address.lastIndexOf(':') + 1);    // ::ffff:192.0.2.1 is 192.0.2.1
    }
    String a = address.toLowerCase(Locale.ROOT);
    int zone = a.indexOf('%');
    if (zone >= 0) {
      a = a.substring(0, zone);
    }
    String[] halves = a.split("::", -1);
    String[] head = halves[0].isEmpty() ? new String[0] : halves[0].split(":");
    String[] tail = halves.length > 1 && !halves[1].isEmpty() ? halves[1].split(":") : new String[0];
    String[] groups = new String[8];
    java.util.Arrays.fill(groups, "0");
    for (int i = 0; i < head.length && i < 8; i++) {
      groups[i] = head[i];
    }
    for (int i = 0; i < tail.length && i < 8; i++) {
      groups[8 - tail.length + i] = tail[i];
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      b.append(Integer.toHexString(parseGroup(groups[i]))).append(':');
    }
    return b.append(":/64").toString();
  }

  private static int parseGroup(String g) {
    try {
      return Integer.parseInt(g, 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
