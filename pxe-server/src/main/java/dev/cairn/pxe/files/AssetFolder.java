package dev.cairn.pxe.files;

import dev.cairn.pxe.AssetPaths;
import dev.cairn.pxe.Assets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The assets folder ({@code DATA_DIR/boot/assets/}): the files served at {@code /assets/}. A path
 * is resolved segment by segment ({@link AssetPaths#segments}: no {@code ..}, no empty segment),
 * then to its real path, which must still be inside the folder's real path and be a regular file:
 * a symbolic link inside the folder may point at another file inside it, never outside.
 */
public final class AssetFolder implements Assets {
  private final Path dir;
  private final String where;

  AssetFolder(Path dir, String where) {
    this.dir = dir;
    this.where = where;
  }

  public Path dir() {
    return dir;
  }

  /** The real path of the regular file {@code path} names inside the folder, or empty. */
  public Optional<Path> resolve(String path) {
    Path p = dir;
    try {
      for (String s : AssetPaths.segments(path)) {
        p = p.resolve(s);
      }
    } catch (IllegalArgumentException e) {    // InvalidPathException too
      return Optional.empty();
    }
    try {
      Path real = p.toRealPath();
      Path root = dir.toRealPath();
      if (!real.startsWith(root) || real.equals(root) || !Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      return Optional.of(real);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean exists(String path) {
    return resolve(path).isPresent();
  }

  @Override
  public String where() {
    return where;
  }
}
