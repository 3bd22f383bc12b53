package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** The rollout policy flags of {@code group create} and {@code group update}; each left out keeps its value. */
final class PolicyOptions {
  @Option(names = "--max-updates", paramLabel = "N", description = "Grant at most N updates per period (0: no limit).")
  Integer maxUpdates;

  @Option(names = "--max-reboots", paramLabel = "N",
      description = "Let at most N of the group's machines reboot into an update at once (FleetLock; 0: none may).")
  Integer maxReboots;

  @Option(names = "--period", paramLabel = "DURATION", description = "The period of --max-updates, like 1h or 30m.")
  String period;

  @Option(names = "--update-timeout", paramLabel = "DURATION",
      description = "How long a granted machine may take to finish before it counts as timed out, like 1h.")
  String updateTimeout;

  @Option(names = "--rollout-percent", paramLabel = "P", description = "Offer the update to P percent of the machines (0-100).")
  Integer rolloutPercent;

  @Option(names = "--office-hours", paramLabel = "\"DAYS HH:MM-HH:MM ZONE\"",
      description = "Grant updates only then, like \"Mon-Fri 09:00-17:00 Europe/Berlin\" or \"Mon,Wed,Fri 22:00-06:00 UTC\"; 'none' for any time.")
  String officeHours;

  @Option(names = "--halt-after-failures", paramLabel = "N",
      description = "Pause the group after N counted failures of one version (0: never); see --halt-failure-percent.")
  Integer haltAfterFailures;

  @Option(names = "--halt-failure-percent", paramLabel = "P",
      description = "...and only when those failures are also at least P percent of the machines granted that version (0-100; 0: the count alone).")
  Integer haltFailurePercent;

  @Option(names = "--pin", paramLabel = "VERSION", description = "Keep the group on VERSION whatever its channel serves; 'none' to unpin.")
  String pin;

  @Option(names = "--allow-downgrade", negatable = true, description = "Whether machines may be moved to an older version.")
  Boolean allowDowngrade;

  /** The {@code policy} object of the request: only the fields given, each validated. */
  ObjectNode toJson() {
    ObjectNode p = AdminCall.object();
    if (maxUpdates != null) {
      p.put("max_updates_per_period", nonNegative("--max-updates", maxUpdates));
    }
    if (maxReboots != null) {
      p.put("max_reboots", nonNegative("--max-reboots", maxReboots));
    }
    if (period != null) {
      p.put("period_seconds", positive("--period", period));
    }
    if (updateTimeout != null) {
      p.put("update_timeout_seconds", positive("--update-timeout", updateTimeout));
    }
    if (rolloutPercent != null) {
      if (rolloutPercent < 0 || rolloutPercent > 100) {
        throw new IllegalArgumentException("--rollout-percent must be 0-100, got " + rolloutPercent);
      }
      p.put("rollout_percent", rolloutPercent);
    }
    if (officeHours != null) {
      if (officeHours.strip().equalsIgnoreCase("none")) {
        p.putNull("office_hours");
      } else {
        OfficeHours h = OfficeHours.parse(officeHours);
        ObjectNode o = p.putObject("office_hours");
        ArrayNode days = o.putArray("days");
        h.days().forEach(days::add);
        o.put("start", h.start()).put("end", h.end()).put("zone", h.zone());
      }
    }
    if (haltAfterFailures != null) {
      p.put("failure_brake", nonNegative("--halt-after-failures", haltAfterFailures));
    }
    if (haltFailurePercent != null) {
      if (haltFailurePercent < 0 || haltFailurePercent > 100) {
        throw new IllegalArgumentException("--halt-failure-percent must be 0-100, got " + haltFailurePercent);
      }
      p.put("failure_percent", haltFailurePercent);
    }
    if (pin != null) {
      if (pin.strip().equalsIgnoreCase("none")) {
        p.putNull("pinned_version");
      } else {
        p.put("pinned_version", pin.strip());
      }
    }
    if (allowDowngrade != null) {
      p.put("allow_downgrade", allowDowngrade);
    }
    return p;
  }

  private static int nonNegative(String option, int n) {
    if (n < 0) {
      throw new IllegalArgumentException(option + " must be 0 or more, got " + n);
    }
    return n;
  }

  private static long positive(String option, String duration) {
    long s;
    try {
      s = Durations.seconds(duration);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + ": " + e.getMessage());
    }
    if (s <= 0) {
      throw new IllegalArgumentException(option + " must be longer than 0s, got '" + duration + "'");
    }
    return s;
  }
}
