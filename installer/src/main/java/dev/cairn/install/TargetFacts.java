package dev.cairn.install;

import java.util.List;
import java.util.Optional;

/**
 * What was found about an install target before anything is written to it.
 *
 * @param name the path the operator gave
 * @param kind block device, regular file, or something else
 * @param sectorSize the logical sector size (512 for image files)
 * @param bytes its size
 * @param busy uses that forbid writing whatever the operator says: mounted filesystems, swap,
 *     device-mapper, RAID or LVM holders, loop devices backed by the file, a partition given
 *     instead of a whole disk
 * @param contents what it holds that may matter to someone: partitions and filesystems
 */
public record TargetFacts(String name, Kind kind, int sectorSize, long bytes, List<String> busy, List<String> contents) {
  public enum Kind { BLOCK_DEVICE, FILE, OTHER }

  public TargetFacts {
    busy = List.copyOf(busy);
    contents = List.copyOf(contents);
  }

  /**
   * Why nothing may be written to this target, or empty when it may. Partitions and filesystems
   * are a reason only without {@code yes}; a target in use is one always.
   */
  public Optional<String> refusal(boolean yes) {
    if (kind == Kind.OTHER) {
      return Optional.of(name + " is neither a block device nor a regular file");
    }
    if (!busy.isEmpty()) {
      return Optional.of(name + " is in use: " + String.join("; ", busy));
    }
    if (!yes && !contents.isEmpty()) {
      return Optional.of(name + " holds " + String.join("; ", contents)
          + ": give --yes to overwrite it");
    }
    return Optional.empty();
  }

  /** Refuses a target smaller than the image, naming both sizes. */
  public Optional<String> tooSmallFor(long imageBytes) {
    if (bytes < imageBytes) {
      return Optional.of(name + " is too small: it has " + Units.bytes(bytes) + " (" + bytes + " bytes) and the image needs "
          + Units.bytes(imageBytes) + " (" + imageBytes + " bytes)");
    }
    return Optional.empty();
  }
}
