package dev.cairn.omaha.http;

import dev.cairn.omaha.files.OwnerOnly;
import dev.cairn.signing.ReleaseKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One streamed upload into a temporary file under {@code .incoming}, hashed (SHA-1, SHA-256) and
 * signature-checked in the same pass. The caller moves the file into place or deletes it; closing
 * deletes it unless it was moved.
 */
final class Upload implements AutoCloseable {
  /** The most a payload or image upload may be. */
  static final long MAX_UPLOAD = 16L << 30;

  final Path temp;
  long size;
  byte[] sha1;
  byte[] sha256;
  private boolean moved;

  private Upload(Path temp) {
    this.temp = temp;
  }

  /** Thrown when the body passes {@link #MAX_UPLOAD}. */
  static final class TooLarge extends IOException {
    TooLarge() {
      super("the upload is larger than " + MAX_UPLOAD + " bytes");
    }
  }

  /** Reads {@code in} to its end into a new file in {@code incoming}; {@code check} may be null (unsigned). */
  static Upload receive(InputStream in, Path incoming, ReleaseKeys.Check check) throws IOException {
    OwnerOnly.directories(incoming);
    Upload u = new Upload(Files.createTempFile(incoming, "upload-", ".part"));
    try {
      MessageDigest s1 = MessageDigest.getInstance("SHA-1");
      MessageDigest s256 = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      try (FileChannel out = FileChannel.open(u.temp, StandardOpenOption.WRITE)) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (n == 0) {
            continue;
          }
          u.size += n;
          if (u.size > MAX_UPLOAD) {
            throw new TooLarge();
          }
          s1.update(buf, 0, n);
          s256.update(buf, 0, n);
          if (check != null) {
            check.update(buf, 0, n);
          }
          ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
          while (b.hasRemaining()) {
            out.write(b);
          }
        }
        out.force(true);
      }
      u.sha1 = s1.digest();
      u.sha256 = s256.digest();
      return u;
    } catch (NoSuchAlgorithmException e) {
      u.close();
      throw new IllegalStateException(e);
    } catch (IOException | RuntimeException e) {
      u.close();
      throw e;
    }
  }

  /** Moves the file to {@code target} (atomically, replacing a stray file no row knows of). */
  void moveTo(Path target) throws IOException {
    OwnerOnly.directories(target.getParent());
    Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    moved = true;
  }

  @Override
  public void close() throws IOException {
    if (!moved) {
      Files.deleteIfExists(temp);
    }
  }
}
