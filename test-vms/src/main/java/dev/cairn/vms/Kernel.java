package dev.cairn.vms;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Debian's packaged kernel ({@code linux-image-amd64}) as {@code ./test.sh} unpacks it into the
 * kernel cache: {@code vmlinuz}, {@code modules/} (the package's {@code lib/modules/RELEASE}) and
 * {@code package} (the {@code .deb} it came from). It is never installed on the host.
 *
 * @param dir the cache folder
 * @param vmlinuz the kernel image
 * @param modules the module tree, {@code kernel/...} below it
 * @param packageName the Debian package and version, such as {@code linux-image-6.1.0-57-amd64_6.1.192-3_amd64}
 */
public record Kernel(Path dir, Path vmlinuz, Path modules, String packageName) {
  /** The environment variable that moves the cache; {@code ./test.sh} reads the same one. */
  public static final String CACHE_ENV = "CAIRN_VM_KERNEL_DIR";

  /**
   * The kernel cache: {@code $CAIRN_VM_KERNEL_DIR}, else {@code $XDG_CACHE_HOME/cairn/test-vms/kernel},
   * else {@code ~/.cache/cairn/test-vms/kernel}. Outside the build folders, so {@code mvn clean}
   * keeps it.
   */
  public static Path cacheDir() {
    String dir = System.getenv(CACHE_ENV);
    if (dir != null && !dir.isEmpty()) {
      return Path.of(dir);
    }
    String cache = System.getenv("XDG_CACHE_HOME");
    Path base = cache != null && !cache.isEmpty() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("cairn").resolve("test-vms").resolve("kernel");
  }

  /** The kernel in {@link #cacheDir()}. */
  public static Kernel fromCache() throws IOException {
    return at(cacheDir());
  }

  /**
   * The kernel unpacked in {@code dir}.
   *
   * @throws IOException naming the folder and the fix when the kernel is not there
   */
  public static Kernel at(Path dir) throws IOException {
    Path vmlinuz = dir.resolve("vmlinuz");
    Path modules = dir.resolve("modules");
    if (!Files.isRegularFile(vmlinuz) || !Files.isDirectory(modules.resolve("kernel"))) {
      throw new IOException(dir + ": no kernel (vmlinuz and modules/kernel) here; run ./test.sh, which "
          + "downloads Debian's linux-image-amd64 into it (or set " + CACHE_ENV + " to a folder that has one)");
    }
    Path pkg = dir.resolve("package");
    String name = Files.isRegularFile(pkg) ? Files.readString(pkg, StandardCharsets.UTF_8).trim() : "unknown";
    return new Kernel(dir, vmlinuz, modules, name);
  }

  /**
   * The module {@code name} and every module it depends on, dependencies first: the order to
   * {@code insmod} them. Names match with {@code -} and {@code _} alike, as modprobe matches them.
   * Dependencies are read from each module's {@code depends=} field, so no {@code modules.dep}
   * (which only {@code depmod} makes) is needed.
   *
   * @throws IllegalArgumentException when there is no such module
   */
  public List<Path> moduleWithDependencies(String name) throws IOException {
    Map<String, Path> index = index();
    Set<Path> order = new LinkedHashSet<>();
    addWithDependencies(normalize(name), index, order, new ArrayList<>());
    return List.copyOf(order);
  }

  private void addWithDependencies(String name, Map<String, Path> index, Set<Path> order, List<String> path)
      throws IOException {
    Path file = index.get(name);
    if (file == null) {
      throw new IllegalArgumentException("kernel module " + name + " not found under " + modules
          + (path.isEmpty() ? "" : " (needed by " + String.join(" <- ", path) + ")"));
    }
    if (order.contains(file) || path.contains(name)) {
      return;
    }
    path.add(0, name);
    for (String dep : dependsOf(ModuleFile.read(file))) {
      addWithDependencies(normalize(dep), index, order, path);
    }
    path.remove(0);
    order.add(file);
  }

  /** The {@code depends=} field of a module's {@code .modinfo} section: NUL-separated {@code key=value} strings. */
  static List<String> dependsOf(byte[] module) {
    byte[] key = "\0depends=".getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + key.length <= module.length; i++) {
      for (int j = 0; j < key.length; j++) {
        if (module[i + j] != key[j]) {
          continue outer;
        }
      }
      int start = i + key.length;
      int end = start;
      while (end < module.length && module[end] != 0) {
        end++;
      }
      String value = new String(module, start, end - start, StandardCharsets.US_ASCII);
      List<String> deps = new ArrayList<>();
      for (String d : value.split(",")) {
        if (!d.isBlank()) {
          deps.add(d.trim());
        }
      }
      return deps;
    }
    return List.of();
  }

  private Map<String, Path> index() throws IOException {
    Map<String, Path> index = new HashMap<>();
    try (Stream<Path> files = Files.walk(modules.resolve("kernel"))) {
      files.filter(Files::isRegularFile).forEach(f -> {
        String n = f.getFileName().toString();
        for (String ext : ModuleFile.EXTENSIONS) {
          if (n.endsWith(ext)) {
            index.putIfAbsent(normalize(n.substring(0, n.length() - ext.length())), f);
          }
        }
      });
    }
    return index;
  }

  private static String normalize(String name) {
    return name.replace('-', '_');
  }

  /** Reading a module file, compressed ({@code .ko.xz}, as Debian ships them from trixie on) or not. */
  static final class ModuleFile {
    static final List<String> EXTENSIONS = List.of(".ko", ".ko.xz");

    private ModuleFile() {
    }

    /** The module's ELF bytes; a {@code .ko.xz} is decompressed with {@code xz -d}. */
    static byte[] read(Path file) throws IOException {
      if (!file.getFileName().toString().endsWith(".xz")) {
        return Files.readAllBytes(file);
      }
      Process xz;
      try {
        xz = new ProcessBuilder("xz", "-d", "-c", "--", file.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
      } catch (IOException e) {
        throw new IOException(file + ": cannot run xz to decompress it (Debian package xz-utils; "
            + "./test.sh installs it): " + e.getMessage(), e);
      }
      xz.getOutputStream().close();
      byte[] out;
      try (InputStream in = xz.getInputStream()) {
        out = in.readAllBytes();
      }
      try {
        if (xz.waitFor() != 0) {
          throw new IOException(file + ": xz -d failed with exit " + xz.exitValue());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        xz.destroy();
        throw new IOException(file + ": interrupted while decompressing", e);
      }
      return out;
    }

    /** The name a module has in an initramfs: its file name without the compression suffix. */
    static String plainName(Path file) {
      String n = file.getFileName().toString();
      return n.endsWith(".xz") ? n.substring(0, n.length() - 3) : n;
    }
  }
}
