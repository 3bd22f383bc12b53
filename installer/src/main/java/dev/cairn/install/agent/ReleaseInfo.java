package dev.cairn.install.agent;

import java.util.Map;
import java.util.Optional;

/**
 * The running OS release as the update request reports it: version, board and Omaha app id.
 * Read from CoreOS's {@code /usr/share/coreos/release} ({@code COREOS_RELEASE_*}, or Flatcar's
 * {@code FLATCAR_RELEASE_*}), else from {@code /usr/lib/os-release} ({@code VERSION_ID}, {@code ID}).
 */
public record ReleaseInfo(String version, String board, String appId, String id, String source) {
  /** The CoreOS (and Flatcar) Omaha app id, used when the release file names none. */
  public static final String COREOS_APP_ID = "{e96281a6-d1af-4bde-9a0a-97b76e56dc57}";

  /** The board when a file names none, as CoreOS's x86-64 images are built. */
  public static final String DEFAULT_BOARD = "amd64-usr";

  /**
   * Parses CoreOS's release file. {@code COREOS_RELEASE_*} wins over {@code FLATCAR_RELEASE_*}
   * key by key.
   *
   * @throws IllegalArgumentException naming {@code source} when no release version is present
   */
  public static ReleaseInfo fromRelease(String source, String text) {
    Map<String, UpdateConf.Entry> kv = UpdateConf.parseLines(source, text);
    String version = pick(kv, "RELEASE_VERSION").orElseThrow(() -> new IllegalArgumentException(
        source + ": expected COREOS_RELEASE_VERSION= or FLATCAR_RELEASE_VERSION=, found neither"));
    String board = pick(kv, "RELEASE_BOARD").orElse(DEFAULT_BOARD);
    String app = pick(kv, "RELEASE_APPID").orElse(COREOS_APP_ID);
    String id = kv.containsKey("COREOS_RELEASE_VERSION") ? "coreos" : "flatcar";
    return new ReleaseInfo(version, board, app, id, source);
  }

  /**
   * Parses os-release: {@code VERSION_ID} is the version and {@code ID} the distribution; the board
   * is {@code COREOS_BOARD} or {@code FLATCAR_BOARD} when present.
   *
   * @throws IllegalArgumentException naming {@code source} when VERSION_ID is missing
   */
  public static ReleaseInfo fromOsRelease(String source, String text) {
    Map<String, UpdateConf.Entry> kv = UpdateConf.parseLines(source, text);
    String version = value(kv, "VERSION_ID").orElseThrow(() -> new IllegalArgumentException(
        source + ": expected VERSION_ID=, found none"));
    String board = value(kv, "COREOS_BOARD").or(() -> value(kv, "FLATCAR_BOARD")).orElse(DEFAULT_BOARD);
    String id = value(kv, "ID").orElse("linux");
    return new ReleaseInfo(version, board, COREOS_APP_ID, id, source);
  }

  private static Optional<String> pick(Map<String, UpdateConf.Entry> kv, String suffix) {
    return value(kv, "COREOS_" + suffix).or(() -> value(kv, "FLATCAR_" + suffix));
  }

  private static Optional<String> value(Map<String, UpdateConf.Entry> kv, String key) {
    return Optional.ofNullable(kv.get(key)).map(UpdateConf.Entry::value).filter(v -> !v.isEmpty());
  }
}
