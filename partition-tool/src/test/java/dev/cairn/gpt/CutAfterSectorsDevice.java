package dev.cairn.gpt;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A device that loses power after {@code budget} sectors have been written. Writes land one whole
 * sector at a time, in order, as on a disk that writes whole sectors atomically; the sector that
 * would exceed the budget is torn: only its first {@code tornBytes} bytes reach the disk (none
 * when 0) and the rest keeps its old bytes, as on a 4Kn disk that wrote some of its 512-byte blocks
 * before power failed. Nothing after it is written. Since every sector is on the disk as soon as
 * it is written, a flush has nothing to wait for: it is only recorded, by how many sectors had
 * been written when it came.
 */
final class CutAfterSectorsDevice implements BlockDevice {
  static final class PowerCut extends IOException {
    PowerCut() {
      super("power cut");
    }
  }

  private final BlockDevice disk;
  private final int tornBytes;
  private final Set<Long> touched = new TreeSet<>();
  private final List<Long> flushes = new ArrayList<>();
  private long budget;
  private long written;

  CutAfterSectorsDevice(BlockDevice disk, long budget) {
    this(disk, budget, 0);
  }

  CutAfterSectorsDevice(BlockDevice disk, long budget, int tornBytes) {
    if (tornBytes < 0 || tornBytes >= disk.sectorSize()) {
      throw new IllegalArgumentException("torn bytes must be 0-" + (disk.sectorSize() - 1) + ", got " + tornBytes);
    }
    this.disk = disk;
    this.budget = budget;
    this.tornBytes = tornBytes;
  }

  /** Whole sectors written so far. */
  long written() {
    return written;
  }

  /** For each flush, the number of whole sectors written before it. */
  List<Long> flushes() {
    return flushes;
  }

  /** Every LBA that received new bytes, whole or torn. */
  Set<Long> touched() {
    return touched;
  }

  @Override
  public String name() {
    return disk.name();
  }

  @Override
  public int sectorSize() {
    return disk.sectorSize();
  }

  @Override
  public long sectorCount() {
    return disk.sectorCount();
  }

  @Override
  public byte[] read(long lba, int count) throws IOException {
    return disk.read(lba, count);
  }

  @Override
  public void write(long lba, byte[] data) throws IOException {
    int ss = sectorSize();
    for (int i = 0; i < data.length / ss; i++) {
      if (budget == 0) {
        if (tornBytes > 0) {
          byte[] torn = disk.read(lba + i, 1);
          System.arraycopy(data, i * ss, torn, 0, tornBytes);
          disk.write(lba + i, torn);
          touched.add(lba + i);
        }
        throw new PowerCut();
      }
      byte[] one = new byte[ss];
      System.arraycopy(data, i * ss, one, 0, ss);
      disk.write(lba + i, one);
      touched.add(lba + i);
      budget--;
      written++;
    }
  }

  @Override
  public void flush() {
    flushes.add(written);
  }
}
