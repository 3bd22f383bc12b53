package dev.cairn.install.disk;

import dev.cairn.gpt.BlockDevice;
import dev.cairn.install.TargetFacts;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An install target opened for writing: a whole block device or an image file. Writes go straight
 * to their byte offset; the installer gives them in large, MiB-aligned pieces.
 */
public final class TargetDisk implements BlockDevice, Closeable {
  private final Path path;
  private final FileChannel ch;
  private final int sectorSize;
  private final long bytes;

  private TargetDisk(Path path, FileChannel ch, int sectorSize, long bytes) {
    this.path = path;
    this.ch = ch;
    this.sectorSize = sectorSize;
    this.bytes = bytes;
  }

  /** Opens a target whose facts were gathered by {@link Inspect}; never creates a file. */
  public static TargetDisk open(TargetFacts facts) throws IOException {
    Path p = Path.of(facts.name());
    try {
      FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
      return new TargetDisk(p, ch, facts.sectorSize(), facts.bytes());
    } catch (NoSuchFileException e) {
      throw new IOException(p + ": no such file or device", e);
    } catch (IOException e) {
      throw new IOException(p + ": cannot open for writing: " + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  public long bytes() {
    return bytes;
  }

  @Override
  public String name() {
    return path.toString();
  }

  @Override
  public int sectorSize() {
    return sectorSize;
  }

  @Override
  public long sectorCount() {
    return bytes / sectorSize;
  }

  @Override
  public byte[] read(long lba, int count) throws IOException {
    byte[] out = new byte[Math.multiplyExact(count, sectorSize)];
    ByteBuffer b = ByteBuffer.wrap(out);
    long pos = lba * sectorSize;
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) {
        throw new IOException(path + ": short read at byte " + (pos + b.position()));
      }
    }
    return out;
  }

  @Override
  public void write(long lba, byte[] data) throws IOException {
    writeAt(lba * sectorSize, ByteBuffer.wrap(data));
  }

  /** Writes all of {@code data} at byte {@code offset}. */
  public void writeAt(long offset, ByteBuffer data) throws IOException {
    if (offset + data.remaining() > bytes) {
      throw new IOException(path + ": write of " + data.remaining() + " bytes at byte " + offset
          + " would pass its end at byte " + bytes);
    }
    try {
      long pos = offset;
      while (data.hasRemaining()) {
        pos += ch.write(data, pos);
      }
    } catch (IOException e) {
      throw new IOException(path + ": write failed at byte " + offset + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      ch.force(true);
    } catch (IOException e) {
      throw new IOException(path + ": sync failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
