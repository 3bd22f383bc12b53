package dev.cairn.pxe;

import java.util.Map;

/**
 * Where a profile or group is written: its file (relative to the data directory), the line it
 * starts on and the line of each of its keys, so a finding can point at the key it is about.
 */
public record Source(String file, int line, Map<String, Integer> keys) {
  public Source {
    keys = Map.copyOf(keys);
  }

  /** For data made in code (tests): no lines. */
  public static Source of(String file) {
    return new Source(file, 0, Map.of());
  }

  public int line(String key) {
    return keys.getOrDefault(key, line);
  }

  public Finding at(String key, String reason) {
    return new Finding(file, line(key), reason);
  }

  /** {@code FILE:LINE} of {@code key}, or the file alone. */
  public String where(String key) {
    int l = line(key);
    return l > 0 ? file + ":" + l : file;
  }
}
