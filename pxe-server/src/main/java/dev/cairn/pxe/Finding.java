package dev.cairn.pxe;

import java.util.Comparator;

/**
 * One problem with the boot data: the file (relative to the data directory), the 1-based line when
 * there is one (0 otherwise), and the reason. Printed {@code FILE:LINE: reason} or {@code FILE: reason}.
 */
public record Finding(String file, int line, String reason) implements Comparable<Finding> {
  private static final Comparator<Finding> ORDER = Comparator.comparing(Finding::file)
      .thenComparingInt(Finding::line).thenComparing(Finding::reason);

  @Override
  public int compareTo(Finding o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ": " + reason : file + ": " + reason;
  }
}
