package dev.cairn.omaha;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Set;

/** The update server's domain records. Each validates what it holds. */
public final class Model {
  private Model() {}

  /** The CoreOS application update_engine asks about by default. */
  public static final String COREOS_APP_ID = "{e96281a6-d1af-4bde-9a0a-97b76e56dc57}";

  /**
   * The app id as a URL path segment: without its braces ({@code e96281a6-d1af-...}). Hosted
   * payloads are served under it, so two apps' payloads of one name and version stay apart.
   */
  public static String appKey(String appId) {
    int from = 0;
    int to = appId.length();
    while (from < to && appId.charAt(from) == '{') {
      from++;
    }
    while (to > from && appId.charAt(to - 1) == '}') {
      to--;
    }
    return appId.substring(from, to);
  }

  /**
   * An update payload: what a response points the client at. Hashes are base64, as Omaha carries
   * them. {@code baseUrl} is the Omaha codebase and always ends in {@code /}: update_engine builds
   * before March 2020 append the payload name to it directly, so one without is given one.
   */
  public record Package(Version version, String board, String name, long size, String sha1Base64,
      String sha256Base64, String baseUrl) {
    public Package {
      if (version == null || name == null || name.isBlank() || name.contains("/")) {
        throw new IllegalArgumentException("a package needs a version and a plain payload file name");
      }
      if (size <= 0) {
        throw new IllegalArgumentException("package size must be positive, got " + size);
      }
      if (sha1Base64 == null || sha1Base64.length() != 28) {
        throw new IllegalArgumentException("package SHA-1 must be 28 base64 characters, got '" + sha1Base64 + "'");
      }
      if (sha256Base64 == null || sha256Base64.length() != 44) {
        throw new IllegalArgumentException("package SHA-256 must be 44 base64 characters, got '" + sha256Base64 + "'");
      }
      if (baseUrl == null || !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
        throw new IllegalArgumentException("package URL must be http or https, got '" + baseUrl + "'");
      }
      if (!baseUrl.endsWith("/")) {
        baseUrl = baseUrl + "/";
      }
    }
  }

  /** Mon-Fri 09:00-17:00 and the like, in one time zone; start inclusive, end exclusive. */
  public record OfficeHours(Set<DayOfWeek> days, LocalTime start, LocalTime end, ZoneId zone) {
    public OfficeHours {
      days = Set.copyOf(days);
      if (days.isEmpty() || !start.isBefore(end)) {
        throw new IllegalArgumentException("office hours need at least one day and start before end");
      }
    }
  }

  /**
   * How a group lets updates out.
   *
   * @param maxUpdatesPerPeriod grants allowed per {@code period}; 0 means no limit
   * @param rolloutPercent 0-100: the share of machines (by a stable hash of the machine id) that may update
   * @param failureBrake the least number of counted failures to one version that pauses the group; 0 means never
   * @param failurePercent 0-100: the counted failures must also be at least this share of the group's
   *     grants of that version (0: the count alone decides)
   * @param maxReboots how many of the group's machines may hold a reboot slot (FleetLock) at once;
   *     0: none may reboot
   */
  public record Policy(boolean updatesEnabled, int maxUpdatesPerPeriod, Duration period, Duration updateTimeout,
      int rolloutPercent, Optional<OfficeHours> officeHours, int failureBrake, int failurePercent,
      Optional<Version> pinnedVersion, boolean allowDowngrade, int maxReboots) {
    /** The reboot slots a group has unless told otherwise. */
    public static final int DEFAULT_MAX_REBOOTS = 1;

    public Policy {
      if (maxReboots < 0) {
        throw new IllegalArgumentException("max reboots must be 0 or more, got " + maxReboots);
      }
      if (maxUpdatesPerPeriod < 0 || failureBrake < 0) {
        throw new IllegalArgumentException("limits must not be negative");
      }
      if (failurePercent < 0 || failurePercent > 100) {
        throw new IllegalArgumentException("failure percent must be 0-100, got " + failurePercent);
      }
      if (rolloutPercent < 0 || rolloutPercent > 100) {
        throw new IllegalArgumentException("rollout percent must be 0-100, got " + rolloutPercent);
      }
      if (period.isNegative() || period.isZero() || updateTimeout.isNegative() || updateTimeout.isZero()) {
        throw new IllegalArgumentException("period and update timeout must be positive");
      }
    }

    /** A policy with {@link #DEFAULT_MAX_REBOOTS} reboot slots. */
    public Policy(boolean updatesEnabled, int maxUpdatesPerPeriod, Duration period, Duration updateTimeout,
        int rolloutPercent, Optional<OfficeHours> officeHours, int failureBrake, int failurePercent,
        Optional<Version> pinnedVersion, boolean allowDowngrade) {
      this(updatesEnabled, maxUpdatesPerPeriod, period, updateTimeout, rolloutPercent, officeHours, failureBrake,
          failurePercent, pinnedVersion, allowDowngrade, DEFAULT_MAX_REBOOTS);
    }

    /** This policy with {@code n} reboot slots. */
    public Policy withMaxReboots(int n) {
      return new Policy(updatesEnabled, maxUpdatesPerPeriod, period, updateTimeout, rolloutPercent, officeHours,
          failureBrake, failurePercent, pinnedVersion, allowDowngrade, n);
    }

    /** A policy whose failure brake counts failures alone (no share of the grants). */
    public Policy(boolean updatesEnabled, int maxUpdatesPerPeriod, Duration period, Duration updateTimeout,
        int rolloutPercent, Optional<OfficeHours> officeHours, int failureBrake, Optional<Version> pinnedVersion,
        boolean allowDowngrade) {
      this(updatesEnabled, maxUpdatesPerPeriod, period, updateTimeout, rolloutPercent, officeHours, failureBrake, 0,
          pinnedVersion, allowDowngrade);
    }

    /**
     * Updates on, 10 per hour, 1 hour timeout, everyone, any time, brake after 3 failures that are
     * also at least 10 % of the grants of the version, one machine rebooting at a time.
     */
    public static Policy defaults() {
      return new Policy(true, 10, Duration.ofHours(1), Duration.ofHours(1), 100, Optional.empty(), 3, 10,
          Optional.empty(), false);
    }
  }

  /** Where an instance stands in an update, driven by checks and events. */
  public enum InstanceStatus {
    UNDEFINED, GRANTED, DOWNLOADING, DOWNLOADED, INSTALLED, COMPLETE, ERROR, ON_HOLD, TIMED_OUT;

    /** Granted and not yet finished: the update is on its way to the machine. */
    public boolean inFlight() {
      return this == GRANTED || this == DOWNLOADING || this == DOWNLOADED || this == INSTALLED;
    }
  }
}
