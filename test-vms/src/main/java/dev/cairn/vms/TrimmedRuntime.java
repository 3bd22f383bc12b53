package dev.cairn.vms;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The trimmed Java runtime Cairn's machine-side commands ({@code cairn install}, later {@code
 * cairn agent}) run from in a small environment such as an installer initramfs: a {@code jlink}
 * image of only the JDK modules they need, and only the jars they need.
 *
 * <p>{@link #MODULES} is the documented list: {@code java.base}, {@code java.logging}
 * (BouncyCastle's OpenPGP classes log through it), {@code jdk.crypto.ec} (TLS to an
 * {@code https://} server with elliptic-curve keys) and {@code jdk.unsupported} (the zstd decoder
 * reads memory through {@code sun.misc.Unsafe}) and {@code java.xml} (the agent reads Omaha
 * responses with StAX). A test installs through this runtime, so the
 * list cannot go stale unnoticed.
 *
 * @param java the runtime's {@code bin/java}
 * @param classPath the jars, in class-path order
 */
public record TrimmedRuntime(Path java, List<Path> classPath) {
  /** The JDK modules, for {@code jlink --add-modules}. */
  public static final List<String> MODULES = List.of("java.base", "java.logging", "java.xml", "jdk.crypto.ec",
      "jdk.unsupported");

  /**
   * The jars of the machine-side commands, by the start of their file names: Cairn's cli,
   * installer and the modules it uses, BouncyCastle, picocli, snakeyaml-engine and the
   * decompressors. Not undertow, SQLite, Jackson or Prometheus: those are the server's.
   */
  public static final List<String> JARS = List.of("cairn-cli", "cairn-installer", "cairn-partition-tool",
      "cairn-image-signing", "cairn-cloud-config", "bcpg-", "bcprov-", "bcutil-", "picocli-", "snakeyaml-engine-",
      "commons-compress-", "commons-io-", "commons-lang3-", "xz-", "aircompressor-");

  /** The cli's main class. */
  public static final String MAIN = "dev.cairn.cli.Cairn";

  /**
   * Makes the runtime in {@code dir} (a {@code jre/} made by the running JDK's {@code jlink}) and
   * copies the jars of {@link #JARS} from {@code classPath} (a test's class path, or the cli's
   * {@code target/lib}) into {@code dir/lib}.
   */
  public static TrimmedRuntime build(Path dir, List<Path> classPath) throws IOException, InterruptedException {
    Path jre = dir.resolve("jre");
    Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
    if (!Files.isExecutable(jlink)) {
      throw new IOException(jlink + " not found: the trimmed runtime needs a JDK (apt-get install -y openjdk-17-jdk-headless)");
    }
    Process p = new ProcessBuilder(jlink.toString(), "--add-modules", String.join(",", MODULES), "--strip-debug",
        "--no-header-files", "--no-man-pages", "--output", jre.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("jlink failed: " + out);
    }
    Path lib = Files.createDirectories(dir.resolve("lib"));
    List<Path> jars = new ArrayList<>();
    for (String prefix : JARS) {
      Path found = null;
      for (Path entry : classPath) {
        String name = entry.getFileName().toString();
        boolean jar = name.endsWith(".jar") && (name.startsWith(prefix)
            || (prefix.equals("cairn-cli") && name.equals("cairn.jar")));
        boolean classes = !name.endsWith(".jar") && name.equals("classes") && Files.isDirectory(entry)
            && entry.getParent() != null && entry.getParent().getParent() != null
            && ("cairn-" + entry.getParent().getParent().getFileName()).equals(prefix);
        if (jar || classes) {
          found = entry;
          break;
        }
      }
      if (found == null) {
        if (prefix.equals("cairn-cli") || prefix.startsWith("cairn-installer")) {
          throw new IOException("no " + prefix + " jar on the class path " + classPath);
        }
        continue;
      }
      Path copy = lib.resolve(found.getFileName().toString().endsWith(".jar") ? found.getFileName().toString()
          : prefix + ".jar");
      if (Files.isDirectory(found)) {
        jar(found, copy);    // a module's classes folder (a build before packaging), packed as its jar would be
      } else {
        Files.copy(found, copy, StandardCopyOption.REPLACE_EXISTING);
      }
      jars.add(copy);
    }
    return new TrimmedRuntime(jre.resolve("bin/java"), jars);
  }

  /** The current JVM's class path, as paths. */
  public static List<Path> currentClassPath() {
    List<Path> out = new ArrayList<>();
    for (String s : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!s.isEmpty()) {
        out.add(Path.of(s));
      }
    }
    return out;
  }

  /** {@code java -cp JARS dev.cairn.cli.Cairn ARGS} on this runtime. */
  public List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp",
        String.join(File.pathSeparator, classPath.stream().map(Path::toString).toList()), MAIN));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The size of the runtime and jars on disk, in bytes. */
  public long bytes() throws IOException {
    long total = 0;
    for (Path root : List.of(java.getParent().getParent(), classPath.get(0).getParent())) {
      try (var s = Files.walk(root)) {
        total += s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
      }
    }
    return total;
  }

  /** Packs the files under {@code from} into the jar {@code to} (class data sharing archives jars, not folders). */
  private static void jar(Path from, Path to) throws IOException {
    try (var s = Files.walk(from);
        var out = new java.util.jar.JarOutputStream(Files.newOutputStream(to))) {
      for (Path f : s.sorted().toList()) {
        if (Files.isRegularFile(f)) {
          out.putNextEntry(new java.util.jar.JarEntry(from.relativize(f).toString().replace(File.separatorChar, '/')));
          Files.copy(f, out);
          out.closeEntry();
        }
      }
    }
  }
}
