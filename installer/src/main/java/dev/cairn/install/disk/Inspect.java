package dev.cairn.install.disk;

import dev.cairn.gpt.BlockDevice;
import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.GptStore;
import dev.cairn.gpt.Partition;
import dev.cairn.install.TargetFacts;
import dev.cairn.install.Units;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers {@link TargetFacts} from the running system: the file's type and size, sysfs for block
 * devices (size, sector size, partitions, holders), {@code /proc/self/mountinfo}, {@code
 * /proc/swaps} and the loop devices' backing files, and a look at what the target holds.
 *
 * <p>{@code proc} and {@code sys} are the roots of those trees, {@code /proc} and {@code /sys}
 * outside tests.
 */
public final class Inspect {
  private static final int S_IFMT = 0170000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFREG = 0100000;

  private final Path proc;
  private final Path sys;

  public Inspect(Path proc, Path sys) {
    this.proc = proc;
    this.sys = sys;
  }

  public static Inspect system() {
    return new Inspect(Path.of("/proc"), Path.of("/sys"));
  }

  public TargetFacts facts(Path target) throws IOException {
    String name = target.toString();
    int mode;
    try {
      mode = (Integer) Files.getAttribute(target, "unix:mode");
    } catch (NoSuchFileException e) {
      throw new IOException(name + ": no such file or device");
    }
    List<String> busy = new ArrayList<>();
    if ((mode & S_IFMT) == S_IFBLK) {
      long rdev = (Long) Files.getAttribute(target, "unix:rdev");
      String devno = major(rdev) + ":" + minor(rdev);
      Path dev = sys.resolve("dev/block/" + devno);
      if (!Files.isDirectory(dev)) {
        throw new IOException(name + ": block device " + devno + " has no " + dev + " entry");
      }
      Path real = dev.toRealPath();
      if (Files.exists(real.resolve("partition"))) {
        busy.add("it is partition " + read(real.resolve("partition")) + " of "
            + real.getParent().getFileName() + ": give the whole disk");
      }
      long size = Long.parseLong(read(real.resolve("size"))) * 512;
      Path queue = real.resolve("queue/logical_block_size");
      int ss = Files.exists(queue) ? Integer.parseInt(read(queue)) : 512;
      Map<String, String> nodes = new LinkedHashMap<>();
      nodes.put(devno, "/dev/" + real.getFileName());
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(real)) {
        for (Path child : ds) {
          if (Files.exists(child.resolve("partition")) && Files.exists(child.resolve("dev"))) {
            nodes.put(read(child.resolve("dev")), "/dev/" + child.getFileName());
            holders(child, busy);
          }
        }
      }
      holders(real, busy);
      mounts(nodes, null, busy);
      swaps(nodes, null, busy);
      List<String> contents = busy.isEmpty() && size > 0 ? contents(target, ss, size) : List.of();
      return new TargetFacts(name, TargetFacts.Kind.BLOCK_DEVICE, ss, size, busy, contents);
    }
    if ((mode & S_IFMT) == S_IFREG) {
      long size = Files.size(target);
      Path real = target.toRealPath();
      loops(real, busy);
      mounts(Map.of(), real, busy);
      swaps(Map.of(), real, busy);
      List<String> contents = busy.isEmpty() && size > 0 ? contents(target, 512, size) : List.of();
      return new TargetFacts(name, TargetFacts.Kind.FILE, 512, size, busy, contents);
    }
    return new TargetFacts(name, TargetFacts.Kind.OTHER, 512, 0, List.of(), List.of());
  }

  private static long major(long rdev) {
    return ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
  }

  private static long minor(long rdev) {
    return (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
  }

  private static String read(Path p) throws IOException {
    return Files.readString(p, StandardCharsets.US_ASCII).strip();
  }

  private static void holders(Path dev, List<String> busy) throws IOException {
    Path h = dev.resolve("holders");
    if (!Files.isDirectory(h)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(h)) {
      for (Path holder : ds) {
        busy.add("/dev/" + dev.getFileName() + " is held by " + holder.getFileName()
            + " (device-mapper, LVM or RAID)");
      }
    }
  }

  /** Mounted filesystems on one of {@code nodes} (by device number), or on the file itself. */
  private void mounts(Map<String, String> nodes, Path file, List<String> busy) throws IOException {
    Path mi = proc.resolve("self/mountinfo");
    if (!Files.exists(mi)) {
      return;
    }
    for (String line : Files.readAllLines(mi, StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length < 5) {
        continue;
      }
      String where = unescape(f[4]);
      String node = nodes.get(f[2]);
      if (node != null) {
        busy.add(node + " is mounted at " + where);
      } else if (file != null && where.equals(file.toString())) {
        busy.add("something is mounted over it");
      }
    }
  }

  private void swaps(Map<String, String> nodes, Path file, List<String> busy) throws IOException {
    Path sw = proc.resolve("swaps");
    if (!Files.exists(sw)) {
      return;
    }
    List<String> lines = Files.readAllLines(sw, StandardCharsets.UTF_8);
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).trim().split("\\s+");
      if (f.length == 0 || f[0].isEmpty()) {
        continue;
      }
      Path p = Path.of(unescape(f[0]));
      try {
        if (file != null && p.toRealPath().equals(file)) {
          busy.add("it is in use as swap");
        } else if (file == null && Files.exists(p)) {
          Object rdev = Files.getAttribute(p, "unix:rdev");
          String devno = major((Long) rdev) + ":" + minor((Long) rdev);
          if (nodes.containsKey(devno) && (((Integer) Files.getAttribute(p, "unix:mode")) & S_IFMT) == S_IFBLK) {
            busy.add(nodes.get(devno) + " is in use as swap");
          }
        }
      } catch (IOException e) {
        // A swap entry that vanished meanwhile is not ours.
      }
    }
  }

  /** Loop devices whose backing file is {@code file}. */
  private void loops(Path file, List<String> busy) throws IOException {
    Path block = sys.resolve("block");
    if (!Files.isDirectory(block)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(block, "loop*")) {
      for (Path loop : ds) {
        Path backing = loop.resolve("loop/backing_file");
        if (Files.exists(backing) && read(backing).equals(file.toString())) {
          busy.add("it backs loop device /dev/" + loop.getFileName());
        }
      }
    }
  }

  private static String unescape(String s) {
    return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
  }

  /** Partition tables and filesystems the target holds: what an overwrite would destroy. */
  static List<String> contents(Path target, int ss, long size) throws IOException {
    List<String> out = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(target)) {
      ReadOnly dev = new ReadOnly(target.toString(), ch, ss, size);
      if (size / ss >= 68) {
        try {
          GptRead read = GptStore.read(dev);
          List<Partition> parts = read.table().partitions();
          if (!parts.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (Partition p : parts) {
              names.add(p.number() + (p.label().isEmpty() ? "" : " " + p.label()) + " ("
                  + Units.bytes(p.sizeLba() * ss) + ")");
            }
            out.add("a GPT with " + parts.size() + " partition" + (parts.size() == 1 ? "" : "s") + ": "
                + String.join(", ", names));
            return out;
          }
        } catch (IllegalArgumentException noGpt) {
          // Not a GPT disk: look for other signs of use below.
        }
      }
      byte[] head = new byte[(int) Math.min(size, 70 * 1024)];
      ch.read(ByteBuffer.wrap(head), 0);
      String fs = filesystem(head);
      if (fs != null) {
        out.add(fs);
      } else if (head.length >= 512 && (head[510] & 0xff) == 0x55 && (head[511] & 0xff) == 0xaa) {
        int used = 0;
        for (int i = 0; i < 4; i++) {
          if (head[446 + 16 * i + 4] != 0) {
            used++;
          }
        }
        if (used > 0) {
          out.add("an MBR partition table with " + used + " partition" + (used == 1 ? "" : "s"));
        }
      }
    }
    return out;
  }

  private static String filesystem(byte[] b) {
    if (at(b, 1080, new byte[] {0x53, (byte) 0xef})) {
      return "an ext2/3/4 filesystem";
    }
    if (at(b, 0, "XFSB".getBytes(StandardCharsets.US_ASCII))) {
      return "an XFS filesystem";
    }
    if (at(b, 65600, "_BHRfS_M".getBytes(StandardCharsets.US_ASCII))) {
      return "a btrfs filesystem";
    }
    if (at(b, 0, new byte[] {'L', 'U', 'K', 'S', (byte) 0xba, (byte) 0xbe})) {
      return "a LUKS encrypted volume";
    }
    if (at(b, 4086, "SWAPSPACE2".getBytes(StandardCharsets.US_ASCII))) {
      return "a swap area";
    }
    return null;
  }

  private static boolean at(byte[] b, int off, byte[] magic) {
    if (b.length < off + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (b[off + i] != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** Reads sectors for {@link GptStore#read}; writing is not this class's business. */
  private record ReadOnly(String name, FileChannel ch, int sectorSize, long size) implements BlockDevice {
    @Override
    public long sectorCount() {
      return size / sectorSize;
    }

    @Override
    public byte[] read(long lba, int count) throws IOException {
      byte[] out = new byte[count * sectorSize];
      ByteBuffer b = ByteBuffer.wrap(out);
      while (b.hasRemaining()) {
        if (ch.read(b, lba * sectorSize + b.position()) < 0) {
          throw new IOException(name + ": short read at sector " + lba);
        }
      }
      return out;
    }

    @Override
    public void write(long lba, byte[] data) {
      throw new UnsupportedOperationException("read only");
    }

    @Override
    public void flush() {}
  }
}
