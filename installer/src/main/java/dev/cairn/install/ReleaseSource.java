package dev.cairn.install;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a release's files are: a base URL laid out as CoreOS's release servers are, {@code
 * BASE/current/version.txt} naming the channel's version and {@code BASE/VERSION/IMAGE} (+ {@code
 * .sig}) its files. A Cairn server's base is {@code SERVER/release/CHANNEL/BOARD}; a mirror's is
 * given whole.
 */
public record ReleaseSource(String base) {
  /** Image names tried in order when none is given, as CoreOS and Flatcar name theirs. */
  public static final List<String> IMAGE_NAMES =
      List.of("coreos_production_image.bin.bz2", "flatcar_production_image.bin.bz2");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  public ReleaseSource {
    if (!base.matches("https?://[^\\s?#]+")) {
      throw new IllegalArgumentException("base URL must be http:// or https:// without a query, got '" + base + "'");
    }
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
  }

  /** A Cairn server's release tree for one channel and board. */
  public static ReleaseSource server(String server, String channel, String board) {
    String s = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    return new ReleaseSource(s + "/release/" + checkName(channel, "channel") + "/" + checkName(board, "board"));
  }

  /**
   * Checks a channel, board, version or image name before it goes into a URL: letters, digits and
   * {@code . _ + -}, not starting with a dot, so no value can climb out of the release tree.
   */
  public static String checkName(String value, String what) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be 1-128 of letters, digits and . _ + - (not starting"
          + " with . _ + -), got '" + value + "'");
    }
    return value;
  }

  public String versionTxt() {
    return base + "/current/version.txt";
  }

  public String file(String version, String name) {
    return base + "/" + checkName(version, "version") + "/" + checkName(name, "image name");
  }

  /**
   * The version a {@code version.txt} names: {@code COREOS_VERSION} or {@code FLATCAR_VERSION}
   * (falling back to their {@code _ID} forms), as coreos-install and flatcar-install read it.
   */
  public static String parseVersionTxt(String text, String source) {
    String found = null;
    String id = null;
    String[] lines = text.split("\n", -1);
    for (String raw : lines) {
      String line = raw.strip();
      int eq = line.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String key = line.substring(0, eq);
      String value = line.substring(eq + 1).replace("\"", "").replace("'", "");
      if (key.equals("COREOS_VERSION") || key.equals("FLATCAR_VERSION")) {
        found = value;
      } else if (key.equals("COREOS_VERSION_ID") || key.equals("FLATCAR_VERSION_ID")) {
        id = value;
      }
    }
    String v = found != null ? found : id;
    if (v == null) {
      throw new IllegalArgumentException(source + ": no COREOS_VERSION or FLATCAR_VERSION line");
    }
    try {
      return checkName(v, "version");
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage());
    }
  }
}
