package dev.cairn.omaha.db;

import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Store.GroupRecord;
import dev.cairn.omaha.Store.InstanceRecord;
import dev.cairn.omaha.UpdatePolicy.GroupView;
import dev.cairn.omaha.Version;
import java.time.Instant;
import java.util.Optional;

/** Records for the store tests. */
final class Fixtures {
  private Fixtures() {}

  static final String BOARD = "amd64-usr";

  static Package pkg(String version) {
    return pkg(version, BOARD);
  }

  static Package pkg(String version, String board) {
    return new Package(Version.parse(version), board, "update.gz", 465_000_000L, "A".repeat(27) + "=",
        "B".repeat(43) + "=", "https://cairn.example.com/packages/" + version + "/");
  }

  static InstanceRecord instance(String appId, String machineId, String track, String version, InstanceStatus status,
      Optional<Version> grantedVersion, Optional<Instant> grantedAt, Instant lastCheck) {
    return new InstanceRecord(appId, machineId, track, version, "boot-" + machineId, "ami", "2024.1", "1235.0.0",
        "", "10.0.0.7", status, grantedVersion, grantedAt, Optional.of(lastCheck), null, 0, 0);
  }

  static GroupView view(GroupRecord g) {
    return g.view();
  }
}
