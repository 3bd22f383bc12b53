package dev.cairn.gpt.disk;

import dev.cairn.gpt.BlockDevice;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A block device or image file opened for GPT work. Block devices report their size and logical
 * sector size through sysfs; image files are probed for a GPT at 512 and 4096 bytes, else 512.
 */
public final class FileBlockDevice implements BlockDevice, Closeable {
  private static final int S_IFMT = 0170000;
  private static final int S_IFBLK = 0060000;

  private final String name;
  private final FileChannel channel;
  private final int sectorSize;
  private final long sectorCount;

  private FileBlockDevice(String name, FileChannel channel, int sectorSize, long sizeBytes) {
    this.name = name;
    this.channel = channel;
    this.sectorSize = sectorSize;
    this.sectorCount = sizeBytes / sectorSize;
  }

  /**
   * Opens {@code path}.
   *
   * @param sectorSize the logical sector size to use, or 0 to detect it
   */
  public static FileBlockDevice open(Path path, boolean writable, int sectorSize) throws IOException {
    String name = path.toString();
    FileChannel ch;
    try {
      ch = writable
          ? FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
          : FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new IOException(name + ": no such file or device", e);
    }
    try {
      long size;
      int detected;
      SysBlock sys = SysBlock.of(path);
      if (sys != null) {
        size = sys.sizeBytes();
        detected = sys.logicalBlockSize();
      } else {
        size = ch.size();
        detected = probeSectorSize(ch);
      }
      int ss = sectorSize != 0 ? sectorSize : detected;
      return new FileBlockDevice(name, ch, ss, size);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** 4096 when a GPT signature sits at byte 4096 and none at byte 512; otherwise 512. */
  private static int probeSectorSize(FileChannel ch) throws IOException {
    if (hasSignature(ch, 512)) {
      return 512;
    }
    return hasSignature(ch, 4096) ? 4096 : 512;
  }

  private static boolean hasSignature(FileChannel ch, long offset) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8);
    while (b.hasRemaining()) {
      if (ch.read(b, offset + b.position()) < 0) {
        return false;
      }
    }
    return "EFI PART".equals(new String(b.array(), StandardCharsets.US_ASCII));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int sectorSize() {
    return sectorSize;
  }

  @Override
  public long sectorCount() {
    return sectorCount;
  }

  @Override
  public byte[] read(long lba, int count) throws IOException {
    checkRange(lba, count);
    ByteBuffer b = ByteBuffer.allocate(count * sectorSize);
    long offset = lba * sectorSize;
    while (b.hasRemaining()) {
      int n = channel.read(b, offset + b.position());
      if (n < 0) {
        throw new IOException(name + ": short read at byte " + (offset + b.position()));
      }
    }
    return b.array();
  }

  @Override
  public void write(long lba, byte[] data) throws IOException {
    if (data.length % sectorSize != 0) {
      throw new IllegalStateException("write of " + data.length + " bytes is not whole sectors");
    }
    checkRange(lba, data.length / sectorSize);
    ByteBuffer b = ByteBuffer.wrap(data);
    long offset = lba * sectorSize;
    while (b.hasRemaining()) {
      channel.write(b, offset + b.position());
    }
  }

  @Override
  public void flush() throws IOException {
    channel.force(false);
  }

  private void checkRange(long lba, long count) throws IOException {
    if (lba < 0 || lba + count > sectorCount) {
      throw new IOException(name + ": sectors " + lba + "-" + (lba + count - 1)
          + " lie beyond the end of the disk (" + sectorCount + " sectors)");
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** The sysfs view of a block device: its size and logical sector size. */
  private record SysBlock(long sizeBytes, int logicalBlockSize) {
    static SysBlock of(Path path) throws IOException {
      int mode = (Integer) Files.getAttribute(path, "unix:mode");
      if ((mode & S_IFMT) != S_IFBLK) {
        return null;
      }
      long rdev = (Long) Files.getAttribute(path, "unix:rdev");
      long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
      long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
      Path sys = Path.of("/sys/dev/block/" + major + ":" + minor).toRealPath();
      long sectors512 = Long.parseLong(Files.readString(sys.resolve("size")).trim());
      Path queue = sys.resolve("queue");
      if (!Files.isDirectory(queue)) {
        queue = sys.getParent().resolve("queue");
      }
      int lbs = Integer.parseInt(Files.readString(queue.resolve("logical_block_size")).trim());
      return new SysBlock(sectors512 * 512, lbs);
    }
  }
}
