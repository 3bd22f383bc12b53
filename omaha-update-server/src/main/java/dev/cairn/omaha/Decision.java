package dev.cairn.omaha;

import dev.cairn.omaha.Model.Package;

/** What the server answers one app's update check with. */
public sealed interface Decision {
  /** The app id is not served here: Omaha status {@code error-unknownApplication}. */
  record UnknownApp() implements Decision {}

  /** {@code updatecheck status="noupdate"}, with the reason recorded on the instance. */
  record NoUpdate(Hold reason, String detail) implements Decision {}

  /** {@code updatecheck status="ok"} for {@code pkg}; {@code newGrant} when it counts against the limit. */
  record Offer(Package pkg, boolean newGrant) implements Decision {}

  /** Why no update was offered. */
  enum Hold {
    UNKNOWN_GROUP, UNPARSEABLE_VERSION, NO_PACKAGE,
    /** The version to offer has a package, but none for the machine's board. */
    NO_PACKAGE_FOR_BOARD,
    UP_TO_DATE, DOWNGRADE_NOT_ALLOWED, BLACKLISTED,
    UPDATES_PAUSED, FAILURE_BRAKE, OUTSIDE_OFFICE_HOURS, NOT_IN_ROLLOUT,
    /** The machine's address was granted its most new updates for this period. */
    ADDRESS_LIMITED,
    RATE_LIMITED, UPDATE_IN_PROGRESS,
    /** The check names no machine (no or an empty machineid): answered, never stored. */
    NO_MACHINE_ID,
    /** The machine id is longer than an instance keeps: answered, never stored. */
    MACHINE_ID_TOO_LONG
  }
}
