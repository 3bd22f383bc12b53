package dev.cairn.gpt;

import java.io.IOException;

/**
 * A device that loses power after {@code budget} sectors have been written: the sector that would
 * exceed it, and everything after, never reaches the disk. Writes land one sector at a time, in
 * order, as a disk that writes whole sectors atomically would.
 */
final class CutAfterSectorsDevice implements BlockDevice {
  static final class PowerCut extends IOException {
    PowerCut() {
      super("power cut");
    }
  }

  private final BlockDevice disk;
  private long budget;
  private long written;

  CutAfterSectorsDevice(BlockDevice disk, long budget) {
    this.disk = disk;
    this.budget = budget;
  }

  long written() {
    return written;
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
        throw new PowerCut();
      }
      byte[] one = new byte[ss];
      System.arraycopy(data, i * ss, one, 0, ss);
      disk.write(lba + i, one);
      budget--;
      written++;
    }
  }

  @Override
  public void flush() throws IOException {
    disk.flush();
  }
}
