package dev.cairn.install.agent;

import java.util.Optional;

/**
 * The kernel's {@code /proc/self/mountinfo}: one mount a line, {@code ID PARENT MAJ:MIN ROOT
 * MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPEROPTIONS}, with spaces and the like in paths written
 * as octal escapes ({@code \040}).
 */
public final class MountInfo {
  private MountInfo() {}

  /**
   * The device ({@code MAJ:MIN}) mounted at {@code mountPoint}; the last such mount wins, as it is
   * the one on top. Throws IllegalArgumentException naming {@code source} and the line when a line
   * does not have those fields.
   */
  public static Optional<String> deviceAt(String text, String mountPoint, String source) {
    Optional<String> found = Optional.empty();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.trim().split(" +");
      if (f.length < 5 || !f[2].matches("[0-9]+:[0-9]+")) {
        throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected ID PARENT MAJ:MIN ROOT MOUNTPOINT ...,"
            + " got '" + line + "'");
      }
      if (unescape(f[4]).equals(mountPoint)) {
        found = Optional.of(f[2]);
      }
    }
    return found;
  }

  /** {@code \ooo} octal escapes replaced by their character. */
  static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
