package dev.cairn.vms;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * A busybox initramfs: a static busybox, an {@code /init} script, kernel modules and any other
 * files, written as a gzip-compressed {@code newc} cpio archive, the format the kernel unpacks.
 * The archive is built in-process (no root needed for {@code /dev/console}) and is the same bytes
 * for the same inputs.
 *
 * <p>{@link #netboot(Kernel)} is the network-boot check: its {@code /init} loads the NIC driver,
 * takes a DHCP lease, fetches the cloud-config named by {@code cairn.config=URL} on the kernel
 * command line and reports each step on the first serial port as a {@code CAIRN-VM: } line, then
 * powers off. Any failed step prints {@code CAIRN-VM: FAIL reason} and powers off too. The markers,
 * in order:
 * <pre>
 * CAIRN-VM: init 6.1.0-57-amd64
 * CAIRN-VM: firmware=bios            (or uefi: the kernel was started by UEFI)
 * CAIRN-VM: uuid=...                 (the SMBIOS system UUID)
 * CAIRN-VM: modules e1000.ko
 * CAIRN-VM: mac=52:54:00:..          (eth0's address)
 * CAIRN-VM: net up ip=10.0.2.15/24
 * CAIRN-VM: cmdline=...              (/proc/cmdline)
 * CAIRN-VM: config url=http://...
 * CAIRN-VM: hostname=NAME            (the cloud-config's hostname)
 * CAIRN-VM: unreachable URL          (one per {@link #unreachable(List)} URL: no HTTP answer)
 * CAIRN-VM: done
 * </pre>
 */
public final class Initramfs {
  /** The NIC {@link Qemu} gives a machine, and its driver's module. */
  public static final String NIC_MODULE = "e1000";

  private static final String CONFIG_DIR = "etc/cairn-vm/";

  private final Kernel kernel;
  private Path busybox = Path.of("/bin/busybox");
  private String init;
  private final List<String> modules = new ArrayList<>();
  private final Map<String, File> files = new LinkedHashMap<>();

  private record File(byte[] content, int mode) {
  }

  private Initramfs(Kernel kernel, String init) {
    this.kernel = kernel;
    this.init = init;
  }

  /** An initramfs with busybox and the given {@code /init} script; add modules and files to it. */
  public static Initramfs withInit(Kernel kernel, String initScript) {
    return new Initramfs(kernel, initScript);
  }

  /** The network-boot check (see the class comment), with the NIC driver. */
  public static Initramfs netboot(Kernel kernel) {
    Initramfs i = new Initramfs(kernel, resource("netboot-init.sh"));
    i.file(CONFIG_DIR + "udhcpc.script", resource("udhcpc.script").getBytes(StandardCharsets.UTF_8), 0755);
    return i.module(NIC_MODULE);
  }

  /** Uses this busybox instead of {@code /bin/busybox}; it must be statically linked. */
  public Initramfs busybox(Path staticBusybox) {
    this.busybox = staticBusybox;
    return this;
  }

  /**
   * Adds a kernel module and the modules it depends on; {@code /init} finds them, in load order,
   * listed in {@code /etc/cairn-vm/modules}, and the files in {@code /lib/modules/}.
   */
  public Initramfs module(String name) {
    modules.add(name);
    return this;
  }

  /** Adds a file at {@code path} (relative to the root, no leading slash) with the given mode. */
  public Initramfs file(String path, byte[] content, int mode) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.isEmpty() || p.endsWith("/") || p.contains("..")) {
      throw new IllegalArgumentException("initramfs path must name a file below the root, got " + path);
    }
    files.put(p, new File(content.clone(), mode & 07777));
    return this;
  }

  /**
   * For the network-boot check: URLs the machine must not be able to reach. {@code /init} asks
   * each one after fetching its config and fails the boot if any gives an HTTP answer (an HTTP
   * error counts as reached); a refused or dropped connection prints {@code CAIRN-VM: unreachable URL}.
   */
  public Initramfs unreachable(List<String> urls) {
    StringBuilder list = new StringBuilder();
    for (String u : urls) {
      if (!u.matches("http://[^\\s]+")) {
        throw new IllegalArgumentException("unreachable URL must be http:// without spaces, got " + u);
      }
      list.append(u).append('\n');
    }
    return file(CONFIG_DIR + "unreachable", list.toString().getBytes(StandardCharsets.UTF_8), 0644);
  }

  /**
   * Writes the gzip-compressed cpio archive to {@code out} (through a temporary file next to it,
   * so {@code out} is either the old file or the whole new one).
   *
   * @throws IllegalArgumentException when busybox is not statically linked or a module is missing
   */
  public void write(Path out) throws IOException {
    checkStatic(busybox);
    Map<String, File> all = new LinkedHashMap<>();
    all.put("init", new File(init.getBytes(StandardCharsets.UTF_8), 0755));
    all.put("bin/busybox", new File(Files.readAllBytes(busybox), 0755));
    List<String> loadOrder = new ArrayList<>();
    for (String name : modules) {
      for (Path m : kernel.moduleWithDependencies(name)) {
        String plain = Kernel.ModuleFile.plainName(m);
        if (!loadOrder.contains(plain)) {
          loadOrder.add(plain);
          all.put("lib/modules/" + plain, new File(Kernel.ModuleFile.read(m), 0644));
        }
      }
    }
    StringBuilder list = new StringBuilder();
    loadOrder.forEach(m -> list.append(m).append('\n'));
    all.put(CONFIG_DIR + "modules", new File(list.toString().getBytes(StandardCharsets.UTF_8), 0644));
    all.putAll(files);

    TreeSet<String> dirs = new TreeSet<>(List.of("bin", "dev", "etc", "lib", "proc", "sys", "tmp", "run", "root"));
    for (String p : all.keySet()) {
      for (int i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) {
        dirs.add(p.substring(0, i));
      }
    }
    Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName().toString(), ".tmp");
    try {
      try (OutputStream file = Files.newOutputStream(tmp);
           GZIPOutputStream gz = new GZIPOutputStream(new BufferedOutputStream(file), 1 << 16);
           CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(gz, CpioConstants.FORMAT_NEW)) {
        long inode = 1;
        for (String d : dirs) {   // sorted: every parent before its children
          CpioArchiveEntry e = entry(d, CpioConstants.C_ISDIR | 0755, inode++);
          e.setNumberOfLinks(2);
          cpio.putArchiveEntry(e);
          cpio.closeArchiveEntry();
        }
        CpioArchiveEntry console = entry("dev/console", CpioConstants.C_ISCHR | 0600, inode++);
        console.setRemoteDeviceMaj(5);
        console.setRemoteDeviceMin(1);
        cpio.putArchiveEntry(console);
        cpio.closeArchiveEntry();
        for (Map.Entry<String, File> f : all.entrySet()) {
          CpioArchiveEntry e = entry(f.getKey(), CpioConstants.C_ISREG | f.getValue().mode(), inode++);
          e.setSize(f.getValue().content().length);
          cpio.putArchiveEntry(e);
          cpio.write(f.getValue().content());
          cpio.closeArchiveEntry();
        }
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));   // a server may run as anyone
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static CpioArchiveEntry entry(String name, int mode, long inode) {
    CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name);
    e.setMode(mode);
    e.setInode(inode);
    e.setNumberOfLinks(1);
    e.setTime(0);
    e.setUID(0);
    e.setGID(0);
    return e;
  }

  /** Refuses a dynamically linked ELF (one with a PT_INTERP program header): it cannot run alone in an initramfs. */
  static void checkStatic(Path binary) throws IOException {
    if (!Files.isRegularFile(binary)) {
      throw new IOException(binary + ": no busybox here (Debian package busybox-static; ./test.sh installs it)");
    }
    try (FileChannel ch = FileChannel.open(binary, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(header, 0);
      if (header.getInt(0) != 0x464c457f || header.get(4) != 2) {
        throw new IllegalArgumentException(binary + ": busybox must be a 64-bit ELF executable");
      }
      long phoff = header.getLong(32);
      int phentsize = Short.toUnsignedInt(header.getShort(54));
      int phnum = Short.toUnsignedInt(header.getShort(56));
      for (int i = 0; i < phnum; i++) {
        ByteBuffer ph = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(ph, phoff + (long) i * phentsize);
        if (ph.getInt(0) == 3) {
          throw new IllegalArgumentException(binary + ": busybox is dynamically linked; the initramfs needs a "
              + "static one (Debian package busybox-static)");
        }
      }
    }
  }

  private static String resource(String name) {
    try (InputStream in = Initramfs.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource dev/cairn/vms/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
