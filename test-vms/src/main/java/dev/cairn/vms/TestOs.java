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
  public static final List<String> MODULES = List.of("virtio_pci", "virtio_blk", "crc32c_generic", "ext4");

  /** Where the runtime and the jars go in the initramfs. */
  static final String JRE = "opt/cairn/jre";
  static final String LIB = "opt/cairn/lib";

  private TestOs() {
  }

  /** The initramfs: {@code /init}, the modules, {@code runtime}, and the libraries it needs. */
  public static Initramfs initramfs(Kernel kernel, TrimmedRuntime runtime) throws IOException {
    Initramfs i = Initramfs.withInit(kernel, resource("testos-init.sh"));
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
    for (String lib : sharedLibraries(elves, jre)) {
      i.file(lib, Files.readAllBytes(Path.of("/" + lib)), 0755);
    }
    return i;
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
