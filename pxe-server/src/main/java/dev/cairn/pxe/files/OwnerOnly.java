package dev.cairn.pxe.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Directories and files of the data directory, created readable by their owner alone: 0700
 * directories and 0600 files, whatever the process umask, like the rest of the data directory.
 */
final class OwnerOnly {
  static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private OwnerOnly() {}

  /** Creates {@code dir} and its missing parents as 0700 directories; existing ones are left as they are. */
  static void directories(Path dir) throws IOException {
    List<Path> missing = new ArrayList<>();
    for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.add(0, p);
    }
    for (Path p : missing) {
      try {
        Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIRECTORY));
      } catch (FileAlreadyExistsException raced) {
        if (!Files.isDirectory(p)) {
          throw raced;
        }
      }
    }
  }

  /**
   * Replaces {@code file} (or creates it) with {@code bytes} in one step: a 0600 temporary file in
   * the same folder (hidden, so the boot data's reader skips it), synced, renamed over
   * {@code file}, and the folder synced. A reader sees the old file or the new one, never part of
   * one; after a crash, one of the two. A symbolic link at {@code file} is replaced, not followed.
   */
  static void replace(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + Long.toHexString(RANDOM.nextLong()));
    try {
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(FILE))) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    syncDirectory(dir);
  }

  /** Makes the folder's entries (a rename, a delete) durable. */
  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Writes {@code text} to a new 0600 file {@code file}; fails if it exists. */
  static void write(Path file, String text) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
    Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
  }
}
