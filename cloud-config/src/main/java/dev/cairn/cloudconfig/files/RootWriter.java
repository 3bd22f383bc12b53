package dev.cairn.cloudconfig.files;

import dev.cairn.cloudconfig.ApplyPlan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes an {@link ApplyPlan} under a root directory. Everything is checked before the first byte
 * is written: owners are resolved from the root's etc/passwd and etc/group, and every path must
 * stay inside the root (a symlink on the way that leads out of it is refused). Each file is then
 * written atomically: a temporary file in the same directory, fsync, rename.
 */
public final class RootWriter {
  private static final Set<PosixFilePermission> DIR_0755 = PosixFilePermissions.fromString("rwxr-xr-x");

  private final Path root;

  public RootWriter(Path root) {
    this.root = root;
  }

  /** A write with its place under the root and its owner ids resolved. */
  private record Checked(ApplyPlan.Write write, Path target, ApplyPlan.Ids ids) {}

  /**
   * Checks every write, then writes them in order, giving each one's line to {@code done} once it is written. Bad input (an
   * unknown owner, a path out of the root) is an IllegalArgumentException and nothing is written.
   */
  public void apply(List<ApplyPlan.Write> plan, java.util.function.Consumer<String> done) throws IOException {
    Path realRoot;
    try {
      realRoot = root.toRealPath();
    } catch (NoSuchFileException e) {
      throw new IOException(root + ": no such directory (the root to apply to)", e);
    }
    if (!Files.isDirectory(realRoot)) {
      throw new IOException(root + ": not a directory (the root to apply to)");
    }
    String passwd = readIfPresent(root.resolve("etc/passwd"));
    String group = readIfPresent(root.resolve("etc/group"));
    List<Checked> checked = new ArrayList<>();
    for (ApplyPlan.Write w : plan) {
      Path target = root.resolve(w.relative());
      confined(realRoot, w.relative(), w.path());
      ApplyPlan.Ids ids = null;
      if (w.owner() != null) {
        try {
          ids = ApplyPlan.owner(w.owner(), passwd, group);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(w.path() + ": " + e.getMessage() + " under " + root, e);
        }
      }
      checked.add(new Checked(w, target, ids));
    }
    for (Checked c : checked) {
      write(c);
      done.accept(c.write().line());
    }
  }

  /**
   * Refuses a path whose existing part leads out of the root through a symlink, or whose
   * directories are files, or that is a directory itself.
   */
  private void confined(Path realRoot, String relative, String path) throws IOException {
    Path at = root;
    String[] segs = relative.split("/");
    for (int i = 0; i < segs.length; i++) {
      at = at.resolve(segs[i]);
      boolean last = i == segs.length - 1;
      if (Files.isSymbolicLink(at)) {
        if (last) {
          return;   // the rename replaces the link itself; nothing is written through it
        }
        Path real;
        try {
          real = at.toRealPath();
        } catch (NoSuchFileException e) {
          throw new IllegalArgumentException(path + ": " + at + " is a symlink to " + Files.readSymbolicLink(at)
              + ", which does not exist; refusing to follow it");
        }
        if (!real.startsWith(realRoot)) {
          throw new IllegalArgumentException(path + ": " + at + " is a symlink to " + Files.readSymbolicLink(at)
              + ", outside " + root + "; refusing to follow it");
        }
        if (!Files.isDirectory(real)) {
          throw new IllegalArgumentException(path + ": " + at + " is not a directory");
        }
      } else if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
        return;   // the rest is created
      } else if (last ? Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS) : !Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException(path + ": " + at + (last ? " is a directory" : " is not a directory"));
      }
    }
  }

  private void write(Checked c) throws IOException {
    ApplyPlan.Write w = c.write();
    Path dir = c.target().getParent();
    if (!Files.isDirectory(dir)) {
      makeDirs(dir.getParent());
      try {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(rwx(w.parentMode())));
        if (c.ids() != null && w.parentOwned()) {
          own(dir, c.ids());
        }
      } catch (FileAlreadyExistsException e) {
        // made meanwhile: keep it as it is
      }
    }
    Path tmp = Files.createTempFile(dir, "." + c.target().getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(w.content());
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(rwx(w.mode())));
      if (c.ids() != null) {
        own(tmp, c.ids());
      }
      // setuid, setgid and sticky bits are not representable as PosixFilePermission
      if ((w.mode() & 07000) != 0) {
        Files.setAttribute(tmp, "unix:mode", w.mode());
      }
      Files.move(tmp, c.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw new IOException(c.target() + ": cannot write: " + e.getMessage(), e);
    }
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // a directory that cannot be opened for fsync (some filesystems): the rename is still done
    }
  }

  private void makeDirs(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    makeDirs(dir.getParent());
    try {
      Files.createDirectory(dir);
      Files.setPosixFilePermissions(dir, DIR_0755);
    } catch (FileAlreadyExistsException e) {
      // made meanwhile
    }
  }

  private static void own(Path p, ApplyPlan.Ids ids) throws IOException {
    if (ids.uid() >= 0) {
      Files.setAttribute(p, "unix:uid", ids.uid(), LinkOption.NOFOLLOW_LINKS);
    }
    if (ids.gid() >= 0) {
      Files.setAttribute(p, "unix:gid", ids.gid(), LinkOption.NOFOLLOW_LINKS);
    }
  }

  private static String rwx(int mode) {
    return PosixFilePermissions.toString(perms(mode));
  }

  private static Set<PosixFilePermission> perms(int mode) {
    Set<PosixFilePermission> s = java.util.EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
        PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE};
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        s.add(order[i]);
      }
    }
    return s;
  }

  private static String readIfPresent(Path p) throws IOException {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new IOException(p + ": cannot read: " + e.getMessage(), e);
    }
  }
}
