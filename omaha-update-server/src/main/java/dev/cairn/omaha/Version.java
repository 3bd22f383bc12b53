package dev.cairn.omaha;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CoreOS/Flatcar OS version: numeric {@code MAJOR.MINOR.PATCH} (a fourth number is accepted, as
 * update_engine writes {@code 0.0.0.0}), an optional pre-release suffix after {@code -} that sorts
 * before the plain release, and optional build metadata after {@code +} that does not count.
 */
public record Version(long major, long minor, long patch, long fourth, String preRelease, String build)
    implements Comparable<Version> {

  private static final Pattern FORM = Pattern.compile(
      "(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})(?:\\.(\\d{1,9}))?(?:-([0-9A-Za-z.-]+))?(?:\\+([0-9A-Za-z.-]+))?");

  public Version {
    if (major < 0 || minor < 0 || patch < 0 || fourth < 0) {
      throw new IllegalArgumentException("version numbers must not be negative");
    }
    preRelease = preRelease == null ? "" : preRelease;
    build = build == null ? "" : build;
  }

  /** Parses {@code 2345.3.0}, {@code 2345.3.0-rc1}, {@code 2345.3.0+build.7}, {@code 0.0.0.0}. */
  public static Version parse(String text) {
    Matcher m = text == null ? null : FORM.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("not a version: '" + text + "' (expected MAJOR.MINOR.PATCH, like 3510.2.1)");
    }
    return new Version(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
        m.group(4) == null ? 0 : Long.parseLong(m.group(4)), m.group(5), m.group(6));
  }

  /** The version, or null when {@code text} is not one. */
  public static Version tryParse(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public int compareTo(Version o) {
    int c = Long.compare(major, o.major);
    if (c == 0) {
      c = Long.compare(minor, o.minor);
    }
    if (c == 0) {
      c = Long.compare(patch, o.patch);
    }
    if (c == 0) {
      c = Long.compare(fourth, o.fourth);
    }
    if (c == 0) {
      c = comparePreRelease(preRelease, o.preRelease);
    }
    return c;
  }

  /** Semantic-versioning precedence: a release outranks its pre-releases; identifiers compare field by field. */
  private static int comparePreRelease(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    if (a.isEmpty()) {
      return 1;
    }
    if (b.isEmpty()) {
      return -1;
    }
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean nx = x[i].matches("\\d+");
      boolean ny = y[i].matches("\\d+");
      int c;
      if (nx && ny) {
        c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
      } else if (nx != ny) {
        c = nx ? -1 : 1;
      } else {
        c = x[i].compareTo(y[i]);
      }
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  public boolean isAtLeast(Version o) {
    return compareTo(o) >= 0;
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch + (fourth != 0 ? "." + fourth : "")
        + (preRelease.isEmpty() ? "" : "-" + preRelease) + (build.isEmpty() ? "" : "+" + build);
  }
}
