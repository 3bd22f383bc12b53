package dev.cairn.install.agent.run;

import dev.cairn.install.compress.CompressionFormat;
import dev.cairn.install.compress.Decompress;
import dev.cairn.install.disk.TargetDisk;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Writes a verified update payload into a USR slot: the new USR filesystem image, decompressed
 * when it starts with a bzip2, gzip, xz or zstd magic and taken as it is otherwise, never past the
 * slot's last byte, then read back and compared by SHA-256. Only the slot's own bytes are written:
 * the partition table is not this class's business.
 */
public final class SlotWriter {
  private static final int WRITE = 4 << 20;

  private SlotWriter() {}

  /** What went into the slot. */
  public record Written(long bytes, String sha256, String format) {}

  /** The payload does not fit the slot. */
  public static final class TooLarge extends IOException {
    TooLarge(String message) {
      super(message);
    }
  }

  /** What was read back from the slot is not what was written. */
  public static final class ReadBackMismatch extends IOException {
    ReadBackMismatch(String message) {
      super(message);
    }
  }

  /**
   * Writes {@code payload} to the {@code slotBytes} bytes of {@code disk} from byte {@code offset}
   * ({@code slot} names it in messages), flushes, and reads it back.
   */
  public static Written write(Path payload, TargetDisk disk, long offset, long slotBytes, String slot, int threads)
      throws IOException {
    MessageDigest written = sha256();
    long pos = 0;
    String format;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(payload), 1 << 16)) {
      raw.mark(8);
      byte[] head = raw.readNBytes(6);
      raw.reset();
      CompressionFormat f = CompressionFormat.detect(head, head.length);
      format = f == null ? "uncompressed" : f.toString();
      try (InputStream in = f == null ? raw : Decompress.open(raw, threads)) {
        byte[] buf = new byte[WRITE];
        while (true) {
          int n = in.readNBytes(buf, 0, buf.length);
          if (n == 0) {
            break;
          }
          if (pos + n > slotBytes) {
            throw new TooLarge(payload.getFileName() + " is larger than " + slot + " (" + slotBytes + " bytes): "
                + (pos + n) + " bytes and more");
          }
          written.update(buf, 0, n);
          disk.writeAt(offset + pos, ByteBuffer.wrap(buf, 0, n));
          pos += n;
        }
      }
    }
    if (pos == 0) {
      throw new IOException(payload.getFileName() + " holds no data");
    }
    disk.flush();
    byte[] want = written.digest();
    MessageDigest back = sha256();
    int ss = disk.sectorSize();
    long done = 0;
    while (done < pos) {
      int n = (int) Math.min(WRITE, pos - done);
      long first = (offset + done) / ss;
      long skip = (offset + done) % ss;
      int sectors = (int) ((skip + n + ss - 1) / ss);
      byte[] b = disk.read(first, sectors);
      back.update(b, (int) skip, n);
      done += n;
    }
    byte[] got = back.digest();
    if (!Arrays.equals(want, got)) {
      throw new ReadBackMismatch(slot + " does not read back what was written: SHA-256 "
          + HexFormat.of().formatHex(got) + " instead of " + HexFormat.of().formatHex(want));
    }
    return new Written(pos, HexFormat.of().formatHex(want), format);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
