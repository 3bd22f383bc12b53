package dev.cairn.install.agent;

import java.util.Locale;

/**
 * Which partition the kernel was told to mount at /usr: by unique GUID ({@code PARTUUID=}), by
 * GPT label ({@code PARTLABEL=}) or by device node ({@code /dev/sda3}). {@code param} is the
 * command-line parameter it came from, for messages.
 */
public record UsrSelector(Kind kind, String value, String param) {
  public enum Kind { PARTUUID, PARTLABEL, DEVICE }

  public UsrSelector {
    if (kind == null || value == null || value.isEmpty()) {
      throw new IllegalArgumentException("usr selector needs a kind and a value, got " + kind + " '" + value + "'");
    }
    if (kind == Kind.PARTUUID) {
      value = value.toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The partition number at the end of a device node's name: 3 for {@code /dev/sda3} and
   * {@code /dev/nvme0n1p3}.
   *
   * @throws IllegalArgumentException when this is not a device selector or the name has no number
   */
  public int partitionNumber() {
    if (kind != Kind.DEVICE) {
      throw new IllegalArgumentException(param + " names no device node");
    }
    int end = value.length();
    int start = end;
    while (start > 0 && Character.isDigit(value.charAt(start - 1))) {
      start--;
    }
    String name = value.substring(value.lastIndexOf('/') + 1);
    if (start == end || start == value.lastIndexOf('/') + 1) {
      throw new IllegalArgumentException(param + ": device " + value
          + " has no partition number at the end of its name (expected like /dev/sda3)");
    }
    // a whole disk such as /dev/nvme0n1 ends in a digit too; its partitions are nvme0n1pN
    if (name.matches("(nvme|mmcblk|loop|nbd).*") && !name.matches(".*\\dp\\d+")) {
      throw new IllegalArgumentException(param + ": device " + value
          + " is a whole disk, not a partition (expected like " + value + "p3)");
    }
    return Integer.parseInt(value.substring(start, end));
  }

  @Override
  public String toString() {
    return param;
  }
}
