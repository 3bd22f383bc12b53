package dev.cairn.vms;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The initramfs of the test OS: what a CoreOS machine does first after GRUB started its kernel.
 * It carries busybox, the modules to reach and mount the disk ({@link #MODULES} and what they
 * depend on), a {@link TrimmedRuntime} (under {@code /opt/cairn/jre}, Cairn's jars under
 * {@code /opt/cairn/lib}, and the host's shared libraries {@code bin/java} needs, found with
 * {@code ldd}) and an {@code /init} that reports, on the first serial port:
 *
 * <pre>
 * CAIRN-VM: init 6.1.0-57-amd64
 * CAIRN-VM: firmware=bios
 * CAIRN-VM: modules virtio.ko virtio_ring.ko ... ext4.ko
 * CAIRN-VM: disk=/dev/vda
 * CAIRN-VM: usr=3                    (cairn gpt next /dev/vda, as GRUB's gptprio.next)
 * CAIRN-VM: mounted /dev/vda3 /usr   (ext4, read-only)
 * CAIRN-VM: version=1.0.0            (COREOS_RELEASE_VERSION of /usr/share/coreos/release)
 * CAIRN-VM: done
 * </pre>
 *
 * <p>A failed step prints {@code CAIRN-VM: FAIL reason}; either way the machine powers off.
 */
public final class TestOs {
  /**
   * The modules {@code /init} loads, with their dependencies: the virtio PCI transport and disk
   * (modules in Debian's kernel, not in {@code modules.builtin}), {@code crc32c_generic} (ext4's
   * metadata checksums ask the crypto API for {@code crc32c}, which {@code depends=} does not
   * name) and ext4 (jbd2, mbcache, crc16).
   */
  public static final List<String> MODULES = List.of("virtio_pci", "virtio_blk", "crc32c_generic", "ext4",
      Initramfs.NIC_MODULE);

  /** Where the USR image's health check is, under {@code /usr}: exit 0 for a good version. */
  public static final String HEALTH_CHECK = "lib/cairn-vm/health";
  /** The release keys Cairn trusts by default, under {@code /usr} (the installer's and the agent's). */
  public static final String RELEASE_KEYS = "share/cairn/release-keys.asc";

  /** Where the runtime and the jars go in the initramfs. */
  static final String JRE = "opt/cairn/jre";
  static final String LIB = "opt/cairn/lib";
  /** The class data sharing archive of the JDK's and Cairn's classes, for the runtime at these paths. */
  static final String ARCHIVE = "opt/cairn/cairn.jsa";
  /** The JVM options of {@code /init}'s runs, which the archive is made with (its GC and pointer size must match). */
  static final String JVM_OPTIONS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xss512k -Xmx64m";

  private TestOs() {
  }

  /** The initramfs: {@code /init}, the modules, {@code runtime}, and the libraries it needs. */
  public static Initramfs initramfs(Kernel kernel, TrimmedRuntime runtime) throws IOException {
    return initramfs(kernel, runtime, null);
  }

  /**
   * As {@link #initramfs(Kernel, TrimmedRuntime)}, with {@code releaseKeys} (an armored public
   * key; null for none) as the installer's trusted keys, {@code /usr/share/cairn/release-keys.asc}
   * of the initramfs (the installed OS has its own, in its USR image: {@link #usrFiles}).
   */
  public static Initramfs initramfs(Kernel kernel, TrimmedRuntime runtime, Path releaseKeys) throws IOException {
    Initramfs i = Initramfs.withInit(kernel, resource("testos-init.sh"));
    i.file("etc/cairn-vm/udhcpc.script", resource("udhcpc.script").getBytes(StandardCharsets.UTF_8), 0755);
    if (releaseKeys != null) {
      i.file("usr/" + RELEASE_KEYS, Files.readAllBytes(releaseKeys), 0644);
    }
    for (String m : MODULES) {
      i.module(m);
    }
    Path jre = runtime.java().getParent().getParent();
    List<Path> elves = new ArrayList<>();
    addTree(i, jre, JRE, elves);
    List<String> classPath = new ArrayList<>();
    for (Path jar : runtime.classPath()) {
      String name = jar.getFileName().toString();
      if (Files.isDirectory(jar)) {
        addTree(i, jar, LIB + "/" + name, new ArrayList<>());
      } else {
        i.file(LIB + "/" + name, Files.readAllBytes(jar), 0644);
      }
      classPath.add("/" + LIB + "/" + name);
    }
    i.file("etc/cairn-vm/classpath", (String.join(":", classPath) + "\n").getBytes(StandardCharsets.UTF_8), 0644);
    i.file(ARCHIVE, Files.readAllBytes(classArchive(runtime, String.join(":", classPath))), 0644);
    // The installer writes the cloud-config into ROOT with e2fsprogs' debugfs.
    Path debugfs = Qemu.onPath("debugfs", "e2fsprogs");
    i.file("sbin/debugfs", Files.readAllBytes(debugfs), 0755);
    elves.add(debugfs);
    for (String lib : sharedLibraries(elves, jre)) {
      i.file(lib, Files.readAllBytes(Path.of("/" + lib)), 0755);
    }
    return i;
  }

  /**
   * The files a test OS version carries in its USR image, written into {@code dir} (the root of
   * {@code /usr}, for {@link ReleaseImage#usrFiles}): the health check, which passes when
   * {@code healthy} and fails otherwise (a deliberately bad version), and the release keys the
   * agent trusts ({@code releaseKeys}, an armored public key; null for none).
   */
  public static Path usrFiles(Path dir, boolean healthy, Path releaseKeys) throws IOException {
    Path health = dir.resolve(HEALTH_CHECK);
    Files.createDirectories(health.getParent());
    Files.writeString(health, healthy
        ? "#!/bin/sh\n# A good version: the machine came up.\necho healthy\nexit 0\n"
        : "#!/bin/sh\n# A deliberately bad version: it never passes, so the machine falls back.\n"
            + "echo 'this version is bad on purpose'\nexit 1\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(health, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    if (releaseKeys != null) {
      Path keys = dir.resolve(RELEASE_KEYS);
      Files.createDirectories(keys.getParent());
      Files.copy(releaseKeys, keys, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  /**
   * A class data sharing archive (CDS) of the classes Cairn's machine-side commands load, so each
   * of {@code /init}'s JVMs maps them instead of reading, parsing and verifying them: under TCG a
   * command's start falls from about 8 s to a few. A CDS archive holds the paths of the runtime
   * and the jars it was made with, so it is made with {@code runtime} mounted at {@code /opt/cairn}
   * (a tmpfs over {@code /opt}, both in a private mount namespace of {@code unshare}: the host's
   * {@code /opt} is never touched), where the initramfs has it. The class list comes from running
   * the commands {@code /init} runs, on throw-away files; the archive is {@code RUNTIME/cairn.jsa}.
   */
  static Path classArchive(TrimmedRuntime runtime, String classPath) throws IOException {
    Path dir = runtime.java().getParent().getParent().getParent();
    Path work = Files.createTempDirectory("cairn-cds.");
    // The archive records each jar's time and size, and the initramfs gives every file the time 0.
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(0));
      }
    }
    try {
      Path disk = work.resolve("disk.img");
      Path root = Files.createDirectories(work.resolve("root"));
      Files.writeString(work.resolve("config.yaml"), "#cloud-config\nhostname: archive\nwrite_files:\n"
          + "  - path: /etc/motd\n    content: hello\ncoreos:\n  update:\n    group: stable\n"
          + "    server: http://127.0.0.1:9/v1/update/\n", StandardCharsets.UTF_8);
      List<String> runs = List.of(
          "--version",
          "gpt create --layout coreos --size 64M " + disk,
          "gpt next " + disk,
          "cloud-config apply --root " + root + " " + work.resolve("config.yaml"),
          "agent mark-good --root " + root + " --disk " + disk,
          "agent update --root " + root + " --disk " + disk + " --server http://127.0.0.1:9/v1/update/",
          "install -d " + disk + " -f " + work.resolve("none.bin.bz2") + " --dry-run");
      StringBuilder script = new StringBuilder("set -e\nmount -t tmpfs tmpfs /opt\nmkdir /opt/cairn\n"
          + "mount --bind " + dir + " /opt/cairn\nJ='/opt/cairn/jre/bin/java " + JVM_OPTIONS + "'\n");
      int n = 0;
      for (String r : runs) {
        script.append("$J -XX:DumpLoadedClassList=").append(work).append("/list.").append(n++).append(" -cp ")
            .append(classPath).append(' ').append(TrimmedRuntime.MAIN).append(' ').append(r)
            .append(" >>").append(work).append("/runs.log 2>&1 || true\n");
      }
      // Classes only: the lambda proxy lines (@lambda-proxy) crash OpenJDK 17's static dump when
      // their owner class is left out of the archive.
      script.append("cat ").append(work).append("/list.* | grep -v '^@' > ").append(work).append("/classes.lst\n")
          .append("$J -XX:ErrorFile=").append(work).append("/hs_err.log -Xshare:dump -XX:SharedClassListFile=")
          .append(work).append("/classes.lst")
          .append(" -XX:SharedArchiveFile=/opt/cairn/cairn.jsa -cp ").append(classPath)
          .append(" >>").append(work).append("/dump.log 2>&1\n");
      Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private",
          "sh", "-c", script.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted making the class archive", e);
      }
      Path archive = dir.resolve("cairn.jsa");
      if (p.exitValue() != 0 || !Files.isRegularFile(archive)) {
        String dump = Files.exists(work.resolve("dump.log")) ? Files.readString(work.resolve("dump.log")) : "";
        throw new IOException("the class data sharing archive was not made (unshare exited " + p.exitValue()
            + "; util-linux's unshare with user namespaces is needed): " + out + dump);
      }
      return archive;
    } finally {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static void addTree(Initramfs i, Path root, String at, List<Path> elves) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : (Iterable<Path>) s::iterator) {
        if (!Files.isRegularFile(f)) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(f);
        boolean elf = bytes.length > 4 && bytes[0] == 0x7f && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
        if (elf) {
          elves.add(f);
        }
        i.file(at + "/" + root.relativize(f), bytes, Files.isExecutable(f) ? 0755 : 0644);
      }
    }
  }

  /**
   * The host libraries (and the dynamic loader) the ELF files load, as {@code ldd} resolves them,
   * relative to the root: those inside the runtime itself are left out.
   */
  static Set<String> sharedLibraries(List<Path> elves, Path inside) throws IOException {
    Pattern resolved = Pattern.compile("=>\\s+(/\\S+)\\s+\\(");
    Pattern loader = Pattern.compile("^\\s*(/\\S+)\\s+\\(");
    Set<String> out = new TreeSet<>();
    for (Path f : elves) {
      Process p = new ProcessBuilder("ldd", f.toString()).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted running ldd " + f, e);
      }
      for (String line : text.split("\n")) {
        Matcher m = resolved.matcher(line);
        Matcher l = loader.matcher(line);
        String lib = m.find() ? m.group(1) : l.find() ? l.group(1) : null;
        if (lib != null && !Path.of(lib).normalize().startsWith(inside.toAbsolutePath().normalize())) {
          out.add(lib.substring(1));
        }
      }
    }
    return out;
  }

  private static String resource(String name) {
    try (InputStream in = TestOs.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource dev/cairn/vms/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
