package dev.cairn.vms;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A small CoreOS release image: the disk image {@code coreos_production_image.bin} (or Flatcar's
 * {@code flatcar_production_image.bin}) with CoreOS's partition numbers, labels, type GUIDs and
 * {@code /usr} GUIDs, about 64 MiB instead of 4.5 GiB, built from plain files with the real tools
 * and without loop devices, mounts or root:
 *
 * <pre>
 * 1 EFI-SYSTEM  EFI system, legacy_boot=1   FAT16 labelled EFI-SYSTEM (mtools: mformat, mcopy)
 * 2 BIOS-BOOT   BIOS boot                   empty
 * 3 USR-A       CoreOS usr, priority=1 tries=0 successful=1, GUID 7130C94A-...
 *                                           ext4 labelled USR-A: the root of /usr, with
 *                                           share/coreos/release and lib/os-release
 * 4 USR-B       CoreOS usr, priority=0, GUID E03DD35C-...   empty
 * 6 OEM         Linux data                  ext4 labelled OEM (empty, as the generic image's)
 * 7 OEM-CONFIG  CoreOS reserved             empty
 * 9 ROOT        CoreOS resize               ext4 labelled ROOT (empty), ending before the backup GPT
 * </pre>
 *
 * <p>The first partition starts at 2 MiB, as CoreOS's do; the partitions follow each other
 * without gaps, each a whole number of MiB ({@link Sizes}); 1 MiB after ROOT ends the disk, the
 * backup GPT in its last 33 sectors. Numbers 5 and 8 are unused, as in CoreOS. The filesystems are
 * made in files of their own ({@code mke2fs -d DIR} fills an ext4 from a folder,
 * {@code mformat} and {@code mcopy} make and fill the FAT) and copied into the image at their
 * partition's offset; the table is written with {@code cgpt}, which writes the protective MBR
 * too. The partition GUIDs other than USR-A's and USR-B's, the disk GUID and the filesystem UUIDs
 * are new for each build. Files in the filesystems are owned by whoever runs the build (root in
 * {@code ./test.sh}).
 *
 * <p>Nothing is cached: each {@link #build(Path)} makes a new image (about 0.2 s).
 */
public final class ReleaseImage {
  /** CoreOS's (and Flatcar's) Omaha application id, in the release file. */
  public static final String COREOS_APP_ID = "{e96281a6-d1af-4bde-9a0a-97b76e56dc57}";
  public static final String DEFAULT_BOARD = "amd64-usr";
  /** The partition GUID every CoreOS image gives USR-A; its GRUB config and initramfs look for it. */
  public static final String USR_A_GUID = "7130C94A-213A-4E5A-8E26-6CCE9662F132";
  /** The partition GUID every CoreOS image gives USR-B. */
  public static final String USR_B_GUID = "E03DD35C-7C2D-4A47-B3FE-27F15780A57C";

  /** Partition type GUIDs. */
  public static final String TYPE_EFI = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
  public static final String TYPE_BIOS_BOOT = "21686148-6449-6E6F-744E-656564454649";
  public static final String TYPE_COREOS_USR = "5DFBF5F4-2848-4BAC-AA5E-0D9A20B745A6";
  public static final String TYPE_LINUX_DATA = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";
  public static final String TYPE_COREOS_RESERVED = "C95DC21A-DF0E-4340-8D7B-26CBFA9A03E0";
  public static final String TYPE_COREOS_RESIZE = "3884DD41-8582-4404-B9A8-E9B84F2DF50E";

  public static final int SECTOR = 512;
  static final long MIB = 1L << 20;
  /** Where the first partition starts, as in CoreOS's images: sector 4096. */
  static final long FIRST_BYTE = 2 * MIB;
  /** After ROOT: the backup GPT in its last 33 sectors, the rest unused. */
  static final long TAIL_BYTES = MIB;

  /** Whose image: the file names and the release file in {@code /usr}. */
  public enum Distro {
    COREOS("coreos", "COREOS", "Container Linux by CoreOS"),
    FLATCAR("flatcar", "FLATCAR", "Flatcar Container Linux");

    private final String id;
    private final String prefix;
    private final String prettyName;

    Distro(String id, String prefix, String prettyName) {
      this.id = id;
      this.prefix = prefix;
      this.prettyName = prettyName;
    }

    /** {@code coreos} or {@code flatcar}: os-release's ID and the first word of the file names. */
    public String id() {
      return id;
    }

    /** The disk image: {@code coreos_production_image.bin}. */
    public String imageName() {
      return id + "_production_image.bin";
    }

    /** The raw USR-A filesystem, compressed: {@code coreos_production_update.bin.bz2}. */
    public String updateName() {
      return id + "_production_update.bin.bz2";
    }

    /** The release file, below the root of USR-A: {@code share/coreos/release}. */
    public String releaseFile() {
      return "share/" + id + "/release";
    }

    /** {@code COREOS_RELEASE_VERSION=...}, {@code _BOARD=} and {@code _APPID=}, one a line. */
    public String releaseText(String version, String board) {
      return prefix + "_RELEASE_VERSION=" + version + "\n"
          + prefix + "_RELEASE_BOARD=" + board + "\n"
          + prefix + "_RELEASE_APPID=" + COREOS_APP_ID + "\n";
    }

    /** {@code lib/os-release}: what {@code /etc/os-release} links to on CoreOS. */
    public String osReleaseText(String version, String board) {
      return "NAME=\"" + prettyName + "\"\n"
          + "ID=" + id + "\n"
          + (this == FLATCAR ? "ID_LIKE=coreos\n" : "")
          + "VERSION=" + version + "\n"
          + "VERSION_ID=" + version + "\n"
          + "PRETTY_NAME=\"" + prettyName + " " + version + "\"\n"
          + prefix + "_BOARD=\"" + board + "\"\n";
    }
  }

  /**
   * Partition sizes in MiB. ROOT ends 1 MiB before the end of the disk, so the image is
   * {@link #imageBytes()}: 2 MiB before the first partition, the partitions, and 1 MiB.
   */
  public record Sizes(int efiMib, int biosBootMib, int usrMib, int oemMib, int oemConfigMib, int rootMib) {
    /** A 64 MiB image: EFI 8, BIOS-BOOT 1, USR-A and USR-B 16 each, OEM 4, OEM-CONFIG 1, ROOT 15. */
    public static final Sizes SMALL = new Sizes(8, 1, 16, 4, 1, 15);

    public Sizes {
      atLeast("EFI-SYSTEM", efiMib, 4, "the FAT16 it holds");
      atLeast("BIOS-BOOT", biosBootMib, 1, "a partition");
      atLeast("USR", usrMib, 2, "an ext4 with a journal");
      atLeast("OEM", oemMib, 2, "an ext4 with a journal");
      atLeast("OEM-CONFIG", oemConfigMib, 1, "a partition");
      atLeast("ROOT", rootMib, 2, "an ext4 with a journal");
      if ((long) efiMib + biosBootMib + 2L * usrMib + oemMib + oemConfigMib + rootMib > 1 << 20) {
        throw new IllegalArgumentException("partitions must add up to at most 1 TiB, got " + this);
      }
    }

    private static void atLeast(String what, int mib, int min, String why) {
      if (mib < min) {
        throw new IllegalArgumentException(what + " size must be at least " + min + " MiB (" + why + "), got " + mib);
      }
    }

    /** The whole image: 2 MiB, the partitions, 1 MiB. */
    public long imageBytes() {
      return FIRST_BYTE + MIB * ((long) efiMib + biosBootMib + 2L * usrMib + oemMib + oemConfigMib + rootMib) + TAIL_BYTES;
    }
  }

  /**
   * One partition of a built image.
   *
   * @param number the partition number (1, 2, 3, 4, 6, 7, 9)
   * @param label the GPT label
   * @param type the type GUID, upper-case
   * @param guid the partition's own GUID, upper-case
   * @param firstLba its first 512-byte sector
   * @param sectors how many sectors it has
   * @param attributes the 64-bit GPT attribute field (priority in bits 48-51, tries 52-55, successful 56)
   * @param filesystem {@code vfat}, {@code ext4}, or {@code none} (zeros)
   */
  public record Partition(int number, String label, String type, String guid, long firstLba, long sectors,
      long attributes, String filesystem) {
    /** Its byte offset in the image. */
    public long offset() {
      return firstLba * SECTOR;
    }

    public long bytes() {
      return sectors * SECTOR;
    }

    public long lastLba() {
      return firstLba + sectors - 1;
    }

    public int priority() {
      return (int) (attributes >>> 48) & 0xf;
    }

    public int tries() {
      return (int) (attributes >>> 52) & 0xf;
    }

    public boolean successful() {
      return ((attributes >>> 56) & 1) != 0;
    }

    public boolean legacyBoot() {
      return (attributes & 4) != 0;
    }
  }

  /**
   * A built image.
   *
   * @param file the disk image, {@code DIR/coreos_production_image.bin}
   * @param distro whose file names and release file it has
   * @param version the version its USR-A names
   * @param board the board its USR-A names
   * @param diskGuid the GPT's disk GUID, upper-case
   * @param partitions the partitions, by number
   * @param usrSha256 the SHA-256 (lower-case hex) of USR-A's bytes: the whole partition, which the ext4 fills
   */
  public record Image(Path file, Distro distro, String version, String board, String diskGuid,
      List<Partition> partitions, String usrSha256) {
    public Image {
      partitions = List.copyOf(partitions);
    }

    /** The image's size in bytes. */
    public long bytes() throws IOException {
      return Files.size(file);
    }

    public Partition partition(int number) {
      return partitions.stream().filter(p -> p.number() == number).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("partition " + number + " does not exist (used: 1,2,3,4,6,7,9)"));
    }

    public Partition partition(String label) {
      return partitions.stream().filter(p -> p.label().equals(label)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no partition labelled " + label));
    }

    /** Copies partition {@code number}'s bytes into {@code out} (for e2fsck, debugfs, mtools). */
    public Path extract(int number, Path out) throws IOException {
      Partition p = partition(number);
      try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
           FileChannel o = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
               StandardOpenOption.TRUNCATE_EXISTING)) {
        copy(in, p.offset(), o, 0, p.bytes());
      }
      return out;
    }

    /** {@code bzip2 -9 -k -f}: the image compressed into {@code FILE.bz2} beside it, the image kept. */
    public Path compress() throws IOException {
      Tool.BZIP2.run(List.of("-9", "-k", "-f", file.toString()));
      return file.resolveSibling(file.getFileName() + ".bz2");
    }

    /**
     * Everything a release server publishes for this image, signed with {@code key}: the image
     * compressed and its detached signature, and USR-A's filesystem compressed
     * ({@link Distro#updateName()}, the payload a channel points at) and its signature, all
     * beside the image.
     */
    public Release release(ReleaseKey key) throws IOException {
      Path compressed = compress();
      Path signature = key.sign(compressed);
      String updateName = distro.updateName();
      Path raw = file.resolveSibling(updateName.substring(0, updateName.length() - ".bz2".length()));
      extract(partition("USR-A").number(), raw);
      Tool.BZIP2.run(List.of("-9", "-f", raw.toString()));   // replaces raw by raw.bz2
      Path update = file.resolveSibling(updateName);
      return new Release(this, compressed, signature, update, key.sign(update), key.publicKey(), key.fingerprint());
    }
  }

  /**
   * What is published for one version.
   *
   * @param image the image it was made from
   * @param compressed {@code coreos_production_image.bin.bz2}
   * @param signature {@code coreos_production_image.bin.bz2.sig}, detached and binary
   * @param update {@code coreos_production_update.bin.bz2}: USR-A's filesystem, compressed
   * @param updateSignature its detached signature
   * @param publicKey the armored public key that checks both signatures
   * @param fingerprint that key's fingerprint
   */
  public record Release(Image image, Path compressed, Path signature, Path update, Path updateSignature,
      Path publicKey, String fingerprint) {
    public String version() {
      return image.version();
    }

    public String board() {
      return image.board();
    }
  }

  private final String version;
  private String board = DEFAULT_BOARD;
  private Distro distro = Distro.COREOS;
  private Sizes sizes = Sizes.SMALL;
  private Path usrFiles;
  private Path oemFiles;
  private Path efiFiles;

  private ReleaseImage(String version) {
    this.version = version;
  }

  /** An image of {@code version} (like {@code 3602.2.0}) for board {@value #DEFAULT_BOARD}, CoreOS's names, {@link Sizes#SMALL}. */
  public static ReleaseImage of(String version) {
    if (version == null || !version.matches("[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.+-]+)?")) {
      throw new IllegalArgumentException("version must be like 3602.2.0, got " + version);
    }
    return new ReleaseImage(version);
  }

  public ReleaseImage board(String board) {
    if (board == null || !board.matches("[a-z0-9][a-z0-9_-]{0,63}")) {
      throw new IllegalArgumentException("board must be lower-case letters, digits, _ and -, like amd64-usr, got " + board);
    }
    this.board = board;
    return this;
  }

  public ReleaseImage distro(Distro distro) {
    this.distro = Objects.requireNonNull(distro, "distro");
    return this;
  }

  public ReleaseImage sizes(Sizes sizes) {
    this.sizes = Objects.requireNonNull(sizes, "sizes");
    return this;
  }

  /**
   * Files for USR-A, laid over the release file and os-release (so a file of the same path
   * wins): the folder is the root of {@code /usr}, {@code DIR/bin/x} becomes {@code /usr/bin/x}.
   */
  public ReleaseImage usrFiles(Path dir) {
    this.usrFiles = dir;
    return this;
  }

  /** Files for the OEM partition (mounted at {@code /usr/share/oem}), such as {@code grub.cfg} and {@code oem-release}. */
  public ReleaseImage oemFiles(Path dir) {
    this.oemFiles = dir;
    return this;
  }

  /** Files for EFI-SYSTEM (mounted at {@code /boot}), such as {@code EFI/boot/bootx64.efi}. */
  public ReleaseImage efiFiles(Path dir) {
    this.efiFiles = dir;
    return this;
  }

  /**
   * Builds the image as {@code dir/coreos_production_image.bin} (replacing one there); a work
   * folder beside it is deleted afterwards.
   *
   * @throws IOException naming the tool and what it said when one fails (such as mke2fs when the
   *     files do not fit), or naming a folder of files that does not exist
   */
  public Image build(Path dir) throws IOException {
    for (Path d : new Path[] {usrFiles, oemFiles, efiFiles}) {
      if (d != null && !Files.isDirectory(d)) {
        throw new IOException(d + ": no such folder of files for the image");
      }
    }
    Files.createDirectories(dir);
    Path out = dir.resolve(distro.imageName());
    Path work = Files.createTempDirectory(dir, "." + distro.imageName() + ".");
    try {
      List<Partition> parts = layout();
      Path efi = fat(work.resolve("efi.fat"), parts.get(0), efiFiles);
      Path usrRoot = work.resolve("usr");
      writeFile(usrRoot, distro.releaseFile(), distro.releaseText(version, board));
      writeFile(usrRoot, "lib/os-release", distro.osReleaseText(version, board));
      try (Stream<Path> s = Files.walk(usrRoot)) {
        for (Path d : s.filter(Files::isDirectory).toList()) {
          Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));   // whatever the umask
        }
      }
      if (usrFiles != null) {
        copyTree(usrFiles, usrRoot);
      }
      Path usr = ext4(work.resolve("usr-a.ext4"), "USR-A", partition(parts, 3), usrRoot);
      Path oem = ext4(work.resolve("oem.ext4"), "OEM", partition(parts, 6), oemFiles);
      Path root = ext4(work.resolve("root.ext4"), "ROOT", partition(parts, 9), null);

      Path image = work.resolve("image.bin");
      try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
        f.setLength(sizes.imageBytes());
      }
      String diskGuid = guid();
      Tool.CGPT.run(List.of("create", image.toString()));
      Tool.CGPT.run(List.of("edit", "-u", diskGuid, image.toString()));
      Tool.CGPT.run(List.of("boot", "-p", image.toString()));
      for (Partition p : parts) {
        List<String> args = new ArrayList<>(List.of("add", "-i", String.valueOf(p.number()),
            "-b", String.valueOf(p.firstLba()), "-s", String.valueOf(p.sectors()),
            "-t", p.type(), "-u", p.guid(), "-l", p.label()));
        if (p.legacyBoot()) {
          args.addAll(List.of("-B", "1"));
        }
        if (p.type().equals(TYPE_COREOS_USR)) {
          args.addAll(List.of("-P", String.valueOf(p.priority()), "-T", String.valueOf(p.tries()),
              "-S", p.successful() ? "1" : "0"));
        }
        args.add(image.toString());
        Tool.CGPT.run(args);
      }
      try (FileChannel img = FileChannel.open(image, StandardOpenOption.WRITE)) {
        for (Map.Entry<Integer, Path> fs : Map.of(1, efi, 3, usr, 6, oem, 9, root).entrySet()) {
          Partition p = partition(parts, fs.getKey());
          try (FileChannel in = FileChannel.open(fs.getValue(), StandardOpenOption.READ)) {
            if (in.size() != p.bytes()) {
              throw new IllegalStateException(fs.getValue() + " is " + in.size() + " bytes, partition " + p.number()
                  + " " + p.bytes());
            }
            copy(in, 0, img, p.offset(), p.bytes());
          }
        }
      }
      String usrSha256 = sha256(usr);
      Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(image, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return new Image(out, distro, version, board, diskGuid, parts, usrSha256);
    } finally {
      deleteTree(work);
    }
  }

  /** The partitions, each right after the one before, from 2 MiB on. */
  List<Partition> layout() {
    long lba = FIRST_BYTE / SECTOR;
    long perMib = MIB / SECTOR;
    List<Partition> parts = new ArrayList<>();
    Object[][] plan = {
        {1, "EFI-SYSTEM", TYPE_EFI, guid(), sizes.efiMib(), 4L, "vfat"},
        {2, "BIOS-BOOT", TYPE_BIOS_BOOT, guid(), sizes.biosBootMib(), 0L, "none"},
        {3, "USR-A", TYPE_COREOS_USR, USR_A_GUID, sizes.usrMib(), (1L << 48) | (1L << 56), "ext4"},
        {4, "USR-B", TYPE_COREOS_USR, USR_B_GUID, sizes.usrMib(), 0L, "none"},
        {6, "OEM", TYPE_LINUX_DATA, guid(), sizes.oemMib(), 0L, "ext4"},
        {7, "OEM-CONFIG", TYPE_COREOS_RESERVED, guid(), sizes.oemConfigMib(), 0L, "none"},
        {9, "ROOT", TYPE_COREOS_RESIZE, guid(), sizes.rootMib(), 0L, "ext4"},
    };
    for (Object[] p : plan) {
      long sectors = (int) p[4] * perMib;
      parts.add(new Partition((int) p[0], (String) p[1], (String) p[2], (String) p[3], lba, sectors, (long) p[5],
          (String) p[6]));
      lba += sectors;
    }
    return parts;
  }

  private static Partition partition(List<Partition> parts, int number) {
    return parts.stream().filter(p -> p.number() == number).findFirst().orElseThrow();
  }

  private static String guid() {
    return UUID.randomUUID().toString().toUpperCase(Locale.ROOT);
  }

  /**
   * An ext4 of the partition's size in {@code file}, labelled {@code label}, holding the files of
   * {@code from} when not null: {@code mke2fs -q -F -t ext4 -L LABEL -E root_owner=0:0 [-d DIR] FILE SIZEk}.
   */
  private static Path ext4(Path file, String label, Partition p, Path from) throws IOException {
    List<String> args = new ArrayList<>(List.of("-q", "-F", "-t", "ext4", "-L", label, "-E", "root_owner=0:0"));
    if (from != null) {
      args.addAll(List.of("-d", from.toString()));
    }
    args.addAll(List.of(file.toString(), (p.bytes() / 1024) + "k"));
    Tool.MKE2FS.run(args);
    return file;
  }

  /**
   * A FAT16 labelled EFI-SYSTEM of the partition's size in {@code file}, holding the files of
   * {@code from} when not null: {@code mformat} (clusters of as few sectors as keep the count in
   * FAT16's range; the partition's first sector as hidden sectors, as on a disk), then
   * {@code mcopy -s} of each entry of the folder.
   */
  private static Path fat(Path file, Partition p, Path from) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(p.bytes());
    }
    int cluster = 1;
    while (p.sectors() / cluster > 65_000) {
      cluster *= 2;
    }
    Map<String, String> env = Map.of("MTOOLS_SKIP_CHECK", "1");
    Tool.MFORMAT.run(env, List.of("-i", file.toString(), "-v", "EFI-SYSTEM", "-T", String.valueOf(p.sectors()),
        "-h", "64", "-s", "32", "-H", String.valueOf(p.firstLba()), "-c", String.valueOf(cluster), "::"));
    if (from != null) {
      List<String> entries;
      try (Stream<Path> s = Files.list(from)) {
        entries = s.map(Path::toString).sorted().toList();
      }
      if (!entries.isEmpty()) {
        List<String> args = new ArrayList<>(List.of("-s", "-p", "-Q", "-i", file.toString()));
        args.addAll(entries);
        args.add("::/");
        Tool.MCOPY.run(env, args);
      }
    }
    return file;
  }

  private static void writeFile(Path root, String relative, String text) throws IOException {
    Path f = root.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
  }

  /** Copies the tree {@code from} over {@code to}: folders merged, files and symbolic links replaced. */
  private static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
        Path target = to.resolve(from.relativize(d).toString());
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(target);
          Files.copy(d, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
        Files.copy(f, to.resolve(from.relativize(f).toString()), StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static void copy(FileChannel in, long from, FileChannel out, long to, long bytes) throws IOException {
    long done = 0;
    while (done < bytes) {
      long n = in.transferTo(from + done, bytes - done, out.position(to + done));
      if (n <= 0) {
        throw new IOException("short copy: " + done + " of " + bytes + " bytes");
      }
      done += n;
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
