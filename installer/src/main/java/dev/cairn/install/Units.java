package dev.cairn.install;

import java.util.Locale;

/** Sizes, rates and durations as the installer prints them. */
public final class Units {
  private Units() {}

  /** 1023 B, 12.0 KiB, 1.5 MiB, 2.00 GiB. */
  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, v < 10 ? "%.2f %s" : "%.1f %s", v, units[i]);
  }

  /** A rate in bytes per second. */
  public static String rate(double bytesPerSecond) {
    return bytes((long) bytesPerSecond) + "/s";
  }

  /** 0:07, 12:30, 1:02:03. */
  public static String duration(long seconds) {
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
