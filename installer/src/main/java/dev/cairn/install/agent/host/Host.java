package dev.cairn.install.agent.host;

import dev.cairn.install.agent.KernelCmdline;
import dev.cairn.install.agent.MountInfo;
import dev.cairn.install.agent.ReleaseInfo;
import dev.cairn.install.agent.UpdateConf;
import dev.cairn.install.agent.UsrSelector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The machine facts the agent reports and acts on, each read from a file under {@code root}
 * ({@code /} on a real machine, a directory tree in tests or for a mounted disk). Errors name the
 * file (as seen under the root) and what was expected in it.
 */
public final class Host {
  private static final Pattern MACHINE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /** The OEM platform the image was built for, from oem-release; empty values when there is none. */
  public record Oem(String id, String version) {
    public static final Oem NONE = new Oem("", "");
  }

  /** How a selector found from the mount at /usr introduces itself in messages. */
  private static final String MOUNTED = "/usr mounted from ";

  private final Path root;
  private final Optional<Path> disk;

  /**
   * @param root the machine's root directory
   * @param disk the disk holding /usr when given ({@code --disk}); else found from the running slot
   */
  public Host(Path root, Optional<Path> disk) {
    this.root = root;
    this.disk = disk;
  }

  public Path root() {
    return root;
  }

  /** {@code path} (absolute, as on the machine) under the root. */
  public Path file(String path) {
    return root.resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  public KernelCmdline cmdline() throws IOException {
    return KernelCmdline.parse(read("/proc/cmdline"));
  }

  /**
   * The /usr partition the machine runs: from the command line when it names one (bad input names
   * /proc/cmdline); else the partition mounted at /usr ({@link #mountedUsr}), as when the
   * initramfs chose the slot itself.
   */
  public UsrSelector usr() throws IOException {
    KernelCmdline c = cmdline();
    if (!c.namesUsr()) {
      return mountedUsr().selector();
    }
    try {
      return c.usr();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file("/proc/cmdline") + ": " + e.getMessage(), e);
    }
  }

  /** The partition mounted at /usr, as a device selector, and the disk holding it. */
  public record MountedUsr(UsrSelector selector, Path disk) {}

  /**
   * The block device mounted at /usr in {@code /proc/self/mountinfo} (the last such mount), found
   * through {@code /sys/dev/block/MAJ:MIN}, a symlink into {@code /sys/devices} resolved inside
   * the root: its {@code partition} file must hold the partition number, and its parent
   * directory is the disk ({@code /dev/NAME}).
   */
  public MountedUsr mountedUsr() throws IOException {
    Path mountinfo = file("/proc/self/mountinfo");
    Optional<String> text = readIfPresent("/proc/self/mountinfo");
    Optional<String> majMin = text.isEmpty() ? Optional.empty()
        : MountInfo.deviceAt(text.get(), "/usr", mountinfo.toString());
    if (majMin.isEmpty()) {
      throw new IllegalArgumentException("no mount.usr=, verity.usr= or usr= on the kernel command line ("
          + file("/proc/cmdline") + ") and nothing mounted at /usr in " + mountinfo
          + (text.isEmpty() ? " (no such file)" : ""));
    }
    Path link = file("/sys/dev/block/" + majMin.get());
    if (!Files.isSymbolicLink(link)) {
      throw new IOException(link + ": expected a symlink into /sys/devices for the device " + majMin.get()
          + " mounted at /usr (" + mountinfo + "), found " + (Files.exists(link) ? "no symlink" : "nothing"));
    }
    Path target = Files.readSymbolicLink(link);
    Path device = (target.isAbsolute() ? file(target.toString()) : link.getParent().resolve(target)).normalize();
    if (!device.startsWith(root.normalize())) {
      throw new IOException(link + ": points to " + target + ", outside " + root);
    }
    Path partition = device.resolve("partition");
    if (!Files.isRegularFile(partition)) {
      throw new IOException(link + " -> " + target + ": expected a partition (a 'partition' file) mounted at /usr,"
          + " found " + (Files.isDirectory(device) ? "a whole disk or another device" : "nothing"));
    }
    String number = Files.readString(partition, StandardCharsets.UTF_8).strip();
    UsrSelector selector = new UsrSelector(UsrSelector.Kind.DEVICE, "/dev/" + device.getFileName(),
        MOUNTED + "/dev/" + device.getFileName() + " (" + majMin.get() + ")");
    int byName;
    try {
      byName = selector.partitionNumber();
    } catch (IllegalArgumentException e) {
      byName = -1;
    }
    if (!number.equals(Integer.toString(byName))) {
      throw new IOException(partition + ": holds '" + number + "', but the device name " + device.getFileName()
          + " ends in " + (byName < 0 ? "no partition number" : Integer.toString(byName)));
    }
    return new MountedUsr(selector, file("/dev/" + device.getParent().getFileName()));
  }

  /** {@code /etc/coreos/update.conf} over {@code /usr/share/coreos/update.conf}; either may be missing. */
  public UpdateConf updateConf() throws IOException {
    return UpdateConf.merge(conf("/etc/coreos/update.conf"), conf("/usr/share/coreos/update.conf"));
  }

  private UpdateConf conf(String path) throws IOException {
    return readIfPresent(path).map(t -> UpdateConf.parse(file(path).toString(), t)).orElse(UpdateConf.EMPTY);
  }

  /** {@code /etc/machine-id}: 32 lowercase hex digits, sent as they are (no dashes, no braces). */
  public String machineId() throws IOException {
    String id = read("/etc/machine-id").strip();
    if (!MACHINE_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(file("/etc/machine-id") + ": expected 32 lowercase hex digits, got '" + id + "'");
    }
    return id;
  }

  /** The boot id as update_engine sends it: {@code {uuid}}, lowercase with dashes. */
  public String bootId() throws IOException {
    String id = read("/proc/sys/kernel/random/boot_id").strip().toLowerCase(Locale.ROOT);
    if (!UUID.matcher(id).matches()) {
      throw new IllegalArgumentException(file("/proc/sys/kernel/random/boot_id")
          + ": expected a UUID like 3f0a2c1e-8d6b-4a57-9c1f-2b7e5d4a9c30, got '" + id + "'");
    }
    return "{" + id + "}";
  }

  /** {@code /usr/share/coreos/release}, else {@code /usr/lib/os-release}. */
  public ReleaseInfo release() throws IOException {
    Optional<String> coreos = readIfPresent("/usr/share/coreos/release");
    if (coreos.isPresent()) {
      return ReleaseInfo.fromRelease(file("/usr/share/coreos/release").toString(), coreos.get());
    }
    Optional<String> os = readIfPresent("/usr/lib/os-release");
    if (os.isPresent()) {
      return ReleaseInfo.fromOsRelease(file("/usr/lib/os-release").toString(), os.get());
    }
    throw new IOException("no release file: neither " + file("/usr/share/coreos/release") + " nor "
        + file("/usr/lib/os-release") + " exists");
  }

  /**
   * The OEM id and version ({@code ID=}, {@code VERSION_ID=}) from the first oem-release found:
   * {@code /etc/oem-release}, {@code /usr/share/oem/oem-release}, {@code /oem/oem-release};
   * {@link Oem#NONE} when there is none, as update_engine then sends empty values.
   */
  public Oem oem() throws IOException {
    for (String path : List.of("/etc/oem-release", "/usr/share/oem/oem-release", "/oem/oem-release")) {
      Optional<String> text = readIfPresent(path);
      if (text.isPresent()) {
        Map<String, UpdateConf.Entry> kv = UpdateConf.parseLines(file(path).toString(), text.get());
        return new Oem(value(kv, "ID"), value(kv, "VERSION_ID"));
      }
    }
    return Oem.NONE;
  }

  private static String value(Map<String, UpdateConf.Entry> kv, String key) {
    UpdateConf.Entry e = kv.get(key);
    return e == null ? "" : e.value();
  }

  /**
   * The whole disk holding the /usr partition {@code usr} names: the {@code --disk} override when
   * given; else the partition's node ({@code /dev/disk/by-partuuid/X}, {@code by-partlabel/X} or
   * the device itself) followed to its kernel name, and its parent in sysfs
   * ({@code /sys/class/block/NAME/..}), which must be a partition's parent disk; or, when the
   * command line names no /usr, the disk of the partition mounted at /usr ({@link #mountedUsr}).
   */
  public Path usrDisk(UsrSelector usr) throws IOException {
    if (disk.isPresent()) {
      return disk.get();
    }
    if (usr.kind() == UsrSelector.Kind.DEVICE && usr.param().startsWith(MOUNTED)) {
      MountedUsr mounted = mountedUsr();
      if (mounted.selector().equals(usr)) {
        return mounted.disk();
      }
    }
    String node = switch (usr.kind()) {
      case PARTUUID -> "/dev/disk/by-partuuid/" + usr.value();
      case PARTLABEL -> "/dev/disk/by-partlabel/" + usr.value();
      case DEVICE -> usr.value();
    };
    Path link = file(node);
    String name;
    if (Files.isSymbolicLink(link)) {
      name = Files.readSymbolicLink(link).getFileName().toString();
    } else if (Files.exists(link)) {
      name = link.getFileName().toString();
    } else {
      throw new IOException(link + ": no such device for " + usr + " (give the disk with --disk)");
    }
    Path sys = file("/sys/class/block/" + name);
    if (!Files.exists(sys.resolve("partition"))) {
      throw new IOException(sys + ": expected a partition (a 'partition' file) for " + usr
          + ", found " + (Files.exists(sys) ? "a whole disk" : "nothing"));
    }
    Path real = sys.toRealPath();
    return file("/dev/" + real.getParent().getFileName());
  }

  private String read(String path) throws IOException {
    return readIfPresent(path).orElseThrow(() -> new IOException(file(path) + ": no such file"));
  }

  private Optional<String> readIfPresent(String path) throws IOException {
    Path p = file(path);
    try {
      return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new IOException(p + ": cannot read: " + e.getMessage(), e);
    }
  }
}
