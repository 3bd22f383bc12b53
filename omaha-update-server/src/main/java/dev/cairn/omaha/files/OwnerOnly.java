package dev.cairn.omaha.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Files and directories in the data directory, created readable by their owner alone: 0700
 * directories and 0600 files, whatever the process umask. The database, the admin token, trusted
 * keys and uploads all live there.
 */
public final class OwnerOnly {
  public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
  public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private OwnerOnly() {}

  /** Creates {@code dir} and its missing parents as 0700 directories; existing ones are left as they are. */
  public static Path directories(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    List<Path> missing = new ArrayList<>();
    for (Path p = abs; p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.add(0, p);
    }
    FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(DIRECTORY);
    for (Path p : missing) {
      try {
        Files.createDirectory(p, mode);
      } catch (FileAlreadyExistsException raced) {
        if (!Files.isDirectory(p)) {
          throw raced;
        }
      }
    }
    return dir;
  }

  /** Creates an empty 0600 file unless {@code file} exists; true when it was created. */
  public static boolean createFile(Path file) throws IOException {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
      return true;
    } catch (FileAlreadyExistsException exists) {
      return false;
    }
  }

  /** Whether group or others have any access to {@code path} (a symbolic link is judged by its target). */
  public static boolean openToOthers(Path path) throws IOException {
    Set<PosixFilePermission> p = Files.getPosixFilePermissions(path);
    return p.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"));
  }

  /**
   * Takes group and other access away from {@code path} if it has any; true when it changed.
   * Symbolic links are not followed: what they point at is the operator's.
   */
  public static boolean tighten(Path path, boolean directory) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(path) || !openToOthers(path)) {
      return false;
    }
    Files.setPosixFilePermissions(path, directory ? DIRECTORY : FILE);
    return true;
  }
}
