package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.gpt.disk.FileBlockDevice;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Power cuts at every point of a table write, from every state a disk can be written in: both
 * copies good, the primary damaged (header zeroed; entry array with a bad CRC), the backup damaged
 * (header zeroed; entry array with a bad CRC), and a grown disk (doubled, and grown by fewer
 * sectors than one backup copy takes, so the moved backup overlaps the old one), grown disks also
 * with a damaged backup or primary.
 *
 * <p>Each case writes one edit the way the commands do (read the disk, then {@link
 * GptStore#write} with what the read found): partition 2 gets {@code mark-update}'s flags and a
 * partition is added in the entry array's second sector. The write is cut after every prefix of
 * the sectors it writes, from none to all, and, for every sector it writes, with that sector torn:
 * only its first {@link #tears} bytes new and the rest as before (64 bytes, inside the header's
 * CRC-covered fields; half the sector; and for 4096-byte sectors the first 512-byte block).
 *
 * <p>Who checks what: Cairn reads every cut in-process and must find the whole old table or the
 * whole new one. With 512-byte sectors, {@code cgpt show} and {@code sgdisk -p -i 2} also read
 * every distinct disk the cuts leave behind (cuts that leave byte-identical disks share one run:
 * a dozen or so disks per case, under 400 peer runs in all) and must show the old or the new
 * partitions and flags. On a grown disk whose primary is damaged cgpt cannot read even the
 * starting disk (it looks for the backup only in the last sector), nor can sgdisk when the primary
 * header is damaged (it finds the backup through that header); the test checks that they cannot,
 * and there they must never show a wrong table. After the whole write both peers read the new
 * table, and {@code sgdisk -v} finds nothing wrong. Neither peer reads image files with 4096-byte
 * sectors, so those cases are checked by Cairn alone.
 */
class CrashSafetyTest {
  private static final long DISK_BYTES = 1 << 20;
  private static final Pattern CGPT_ROW = Pattern.compile("^\\d+ \\d+ \\d+ Label: .*");
  private static final Pattern SGDISK_ROW = Pattern.compile("^\\d+ \\d+ \\d+ .*");
  private static final List<String> SGDISK_FIELDS = List.of("Partition GUID code:",
      "Partition unique GUID:", "First sector:", "Last sector:", "Attribute flags:", "Partition name:");

  @TempDir Path dir;

  enum Damage {
    NONE, PRIMARY_HEADER_ZEROED, PRIMARY_HEADER_BAD_CRC, PRIMARY_ENTRIES_BAD_CRC,
    BACKUP_HEADER_ZEROED, BACKUP_ENTRIES_BAD_CRC;

    boolean primary() {
      return name().startsWith("PRIMARY");
    }

    boolean backup() {
      return name().startsWith("BACKUP");
    }
  }

  enum Growth { NONE, DOUBLED, BY_4_SECTORS }

  enum Start {
    BOTH_GOOD(Damage.NONE, Growth.NONE),
    PRIMARY_HEADER_ZEROED(Damage.PRIMARY_HEADER_ZEROED, Growth.NONE),
    PRIMARY_ENTRIES_BAD_CRC(Damage.PRIMARY_ENTRIES_BAD_CRC, Growth.NONE),
    BACKUP_HEADER_ZEROED(Damage.BACKUP_HEADER_ZEROED, Growth.NONE),
    BACKUP_ENTRIES_BAD_CRC(Damage.BACKUP_ENTRIES_BAD_CRC, Growth.NONE),
    GROWN(Damage.NONE, Growth.DOUBLED),
    GROWN_BACKUP_HEADER_ZEROED(Damage.BACKUP_HEADER_ZEROED, Growth.DOUBLED),
    GROWN_PRIMARY_HEADER_BAD_CRC(Damage.PRIMARY_HEADER_BAD_CRC, Growth.DOUBLED),
    GROWN_PRIMARY_ENTRIES_BAD_CRC(Damage.PRIMARY_ENTRIES_BAD_CRC, Growth.DOUBLED),
    GROWN_BY_4_SECTORS(Damage.NONE, Growth.BY_4_SECTORS),
    GROWN_BY_4_SECTORS_PRIMARY_HEADER_BAD_CRC(Damage.PRIMARY_HEADER_BAD_CRC, Growth.BY_4_SECTORS);

    final Damage damage;
    final Growth growth;

    Start(Damage damage, Growth growth) {
      this.damage = damage;
      this.growth = growth;
    }

    /** cgpt looks for the backup only in the last sector: it cannot read a grown disk without the primary. */
    boolean cgptReadsStart() {
      return !(damage.primary() && growth != Growth.NONE);
    }

    /** sgdisk finds a backup elsewhere only through a primary header that verifies. */
    boolean sgdiskReadsStart() {
      return !(damage == Damage.PRIMARY_HEADER_BAD_CRC && growth != Growth.NONE);
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(512, 4096).flatMap(ss -> Stream.of(Start.values()).map(s -> Arguments.of(s, ss)));
  }

  private static int[] tears(int sectorSize) {
    return sectorSize == 512 ? new int[] {64, 256} : new int[] {64, 512, 2048};
  }

  @ParameterizedTest(name = "{0}, {1}-byte sectors")
  @MethodSource("cases")
  void write_cutAfterEveryPrefixAndTornAtEverySector_leavesOldOrNewTable(Start start, int ss)
      throws IOException {
    Path image = prepare(start, ss);
    byte[] before = Files.readAllBytes(image);
    GptRead first = read(image, ss);
    assertEquals(start.damage.primary(), first.primaryProblem() != null, String.valueOf(first.problems()));
    assertEquals(start.damage.backup(), first.backupProblem() != null, String.valueOf(first.problems()));
    assertEquals(start.growth != Growth.NONE, first.grown(), String.valueOf(first.problems()));
    PartitionTable old = first.table();
    Path startImage = dir.resolve("start.img");
    Files.copy(image, startImage);

    // The whole write, uncut: what it leaves, how many sectors it writes, and where.
    PartitionTable written;
    long total;
    Set<Long> touched;
    List<Long> flushes;
    try (FileBlockDevice dev = FileBlockDevice.open(image, true, ss)) {
      CutAfterSectorsDevice counting = new CutAfterSectorsDevice(dev, Long.MAX_VALUE);
      written = readEditWrite(counting);
      total = counting.written();
      touched = counting.touched();
      flushes = counting.flushes();
    }
    GptRead done = read(image, ss);
    assertEquals(written, done.table());
    assertNull(done.primaryProblem());
    assertNull(done.backupProblem());
    assertEquals(List.of(), done.notices(), "after a whole write the backup is at the disk's end");
    assertNotEquals(old.partitions(), written.partitions());
    Path finished = dir.resolve("finished.img");
    Files.copy(image, finished);

    Peers peers = ss == 512 ? new Peers(start, ss, old, written) : null;
    if (peers != null) {
      peers.assertReadsStartOnlyIfExpected(startImage);
      peers.assertReadsNew(finished);
    }

    List<String> failures = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int cuts = 0;
    int peerImages = 0;
    for (long cut = 0; cut <= total; cut++) {
      for (int tear : withNoTear(tears(ss))) {
        if (cut == total && tear > 0) {
          continue;
        }
        cuts++;
        String where = start + ", " + ss + "-byte sectors, cut after " + cut + " of " + total
            + " sectors" + (tear > 0 ? ", next sector torn after " + tear + " bytes" : "");
        restore(image, before);
        boolean cutShort;
        try (FileBlockDevice dev = FileBlockDevice.open(image, true, ss)) {
          CutAfterSectorsDevice cutting = new CutAfterSectorsDevice(dev, cut, tear);
          try {
            readEditWrite(cutting);
            cutShort = false;
          } catch (CutAfterSectorsDevice.PowerCut expected) {
            cutShort = true;
          }
        }
        assertEquals(cut < total, cutShort, where);
        try {
          PartitionTable t = read(image, ss).table();
          if (!t.equals(old) && !t.equals(written)) {
            failures.add(where + ": Cairn read neither the old nor the new table: " + t);
          }
        } catch (IllegalArgumentException e) {
          failures.add(where + ": Cairn read no table: " + e.getMessage());
        }
        if (peers != null && seen.add(key(image, ss, touched))) {
          peerImages++;
          peers.check(image, where, failures);
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " failures in " + cuts + " cuts (" + peerImages
          + " distinct disks read by cgpt and sgdisk):\n" + String.join("\n", failures.subList(0, Math.min(20, failures.size()))));
    }
    assertEquals(expectedFlushes(start, old.entriesSectors()), flushes,
        "flushes, by sectors written before each: every copy but the last goes entries, flush, header,"
            + " flush; the last goes header, flush, entries, flush");
  }

  /**
   * Where the flushes of a whole write fall: two copies, or three when a damaged primary is first
   * rebuilt in place because the backup moves.
   */
  private static List<Long> expectedFlushes(Start start, long entries) {
    int copies = start.damage.primary() && start.growth != Growth.NONE ? 3 : 2;
    List<Long> out = new ArrayList<>();
    long at = 0;
    for (int c = 1; c <= copies; c++) {
      boolean last = c == copies;
      at += last ? 1 : entries;
      out.add(at);
      at += last ? entries : 1;
      out.add(at);
    }
    return out;
  }

  @ParameterizedTest(name = "sector size {0}")
  @ValueSource(ints = {512, 4096})
  void repairOfGrownDisk_cutAtEverySector_staysReadable(int sectorSize) throws IOException {
    Path image = dir.resolve("grown.img");
    long sectors = (6L << 20) / sectorSize;
    setLength(image, sectors * sectorSize);
    PartitionTable old = withKernels(PartitionTable.empty(sectorSize, sectors, Fixtures.guid(100)));
    try (FileBlockDevice dev = FileBlockDevice.open(image, true, sectorSize)) {
      GptStore.create(dev, old);
    }
    setLength(image, 2 * sectors * sectorSize);
    byte[] before = Files.readAllBytes(image);
    for (long cut = 0; ; cut++) {
      Files.write(image, before);
      boolean finished;
      try (FileBlockDevice dev = FileBlockDevice.open(image, true, sectorSize)) {
        CutAfterSectorsDevice cutting = new CutAfterSectorsDevice(dev, cut);
        try {
          GptStore.repair(cutting);
          finished = true;
        } catch (CutAfterSectorsDevice.PowerCut expected) {
          finished = false;
        }
      }
      try (FileBlockDevice dev = FileBlockDevice.open(image, false, sectorSize)) {
        GptRead read = GptStore.read(dev);
        assertEquals(old.partitions(), read.table().partitions(), "cut after " + cut);
        if (finished) {
          assertEquals(2 * sectors - 1, read.table().alternateLba());
          assertTrue(read.clean(), read.problems().toString());
          return;
        }
      }
    }
  }

  /** What the commands do: read the disk, edit the table, write it back with what the read found. */
  private static PartitionTable readEditWrite(BlockDevice dev) throws IOException {
    GptRead read = GptStore.read(dev);
    return GptStore.write(dev, read, edit(read.table()));
  }

  /**
   * {@code mark-update -i 2}, and a new partition in the entry array's second sector (5 with
   * 512-byte sectors, 33 with 4096), so that a write cut inside the array leaves it half new.
   */
  private static PartitionTable edit(PartitionTable t) {
    long unit = (128 << 10) / t.sectorSize();
    int number = t.sectorSize() / PartitionTable.ENTRY_SIZE + 1;
    return AbSlots.markUpdate(t, 2).with(new Partition(number, PartitionType.CHROMEOS_KERNEL.guid(),
        Fixtures.guid(3), 4 * unit, 5 * unit - 1, PartitionAttributes.NONE, "KERN-C"));
  }

  /** Two kernel partitions at 256 KiB and 384 KiB, 128 KiB each; the first is the good slot. */
  private static PartitionTable withKernels(PartitionTable t) {
    long unit = (128 << 10) / t.sectorSize();
    return t.withPartitions(List.of(
        new Partition(1, PartitionType.CHROMEOS_KERNEL.guid(), Fixtures.guid(1), 2 * unit, 3 * unit - 1,
            NextTest.flags("1 0 1"), "KERN-A"),
        new Partition(2, PartitionType.CHROMEOS_KERNEL.guid(), Fixtures.guid(2), 3 * unit, 4 * unit - 1,
            PartitionAttributes.NONE, "KERN-B")));
  }

  /** A 1 MiB disk with the kernel table, then damaged and grown as {@code start} says. */
  private Path prepare(Start start, int ss) throws IOException {
    Path image = dir.resolve("disk.img");
    long n = DISK_BYTES / ss;
    setLength(image, n * ss);
    PartitionTable t = withKernels(PartitionTable.empty(ss, n, Fixtures.guid(100)));
    try (FileBlockDevice dev = FileBlockDevice.open(image, true, ss)) {
      GptStore.create(dev, t);
    }
    long backupEntries = t.backupEntriesLba();
    switch (start.damage) {
      case NONE -> { }
      case PRIMARY_HEADER_ZEROED -> overwrite(image, ss, new byte[ss]);
      case PRIMARY_HEADER_BAD_CRC -> flip(image, ss + 60);                 // the disk GUID; AlternateLBA still reads
      case PRIMARY_ENTRIES_BAD_CRC -> flip(image, 2L * ss + 56);           // partition 1's label
      case BACKUP_HEADER_ZEROED -> overwrite(image, (n - 1) * ss, new byte[ss]);
      case BACKUP_ENTRIES_BAD_CRC -> flip(image, backupEntries * ss + 56);
      default -> throw new IllegalStateException(start.damage.name());
    }
    switch (start.growth) {
      case NONE -> { }
      case DOUBLED -> setLength(image, 2 * n * ss);
      case BY_4_SECTORS -> setLength(image, (n + 4) * ss);
      default -> throw new IllegalStateException(start.growth.name());
    }
    return image;
  }

  /** The two peers' view of one case: their reading of the old and the new table on clean disks. */
  private final class Peers {
    private final boolean cgptMustRead;
    private final boolean sgdiskMustRead;
    private final List<String> cgptOld;
    private final List<String> cgptNew;
    private final List<String> sgdiskOld;
    private final List<String> sgdiskNew;

    Peers(Start start, int ss, PartitionTable old, PartitionTable written) throws IOException {
      this.cgptMustRead = start.cgptReadsStart();
      this.sgdiskMustRead = start.sgdiskReadsStart();
      Path a = clean("old.img", ss, old.partitions());
      Path b = clean("new.img", ss, written.partitions());
      cgptOld = cgptRows(a);
      cgptNew = cgptRows(b);
      sgdiskOld = sgdiskRows(a);
      sgdiskNew = sgdiskRows(b);
      assertTrue(cgptOld.size() >= 8 && sgdiskOld.size() >= 8, cgptOld + "\n" + sgdiskOld);
      assertNotEquals(cgptOld, cgptNew);
      assertNotEquals(sgdiskOld, sgdiskNew);
    }

    private Path clean(String name, int ss, List<Partition> parts) throws IOException {
      Path p = dir.resolve(name);
      setLength(p, DISK_BYTES);
      try (FileBlockDevice dev = FileBlockDevice.open(p, true, ss)) {
        GptStore.create(dev, PartitionTable.empty(ss, DISK_BYTES / ss, Fixtures.guid(100)).withPartitions(parts));
      }
      return p;
    }

    void assertReadsStartOnlyIfExpected(Path image) {
      assertEquals(cgptMustRead ? cgptOld : List.of(), cgptRows(image), "cgpt show before the write");
      assertEquals(sgdiskMustRead ? sgdiskOld : List.of(), sgdiskRows(image), "sgdisk -p -i 2 before the write");
    }

    void assertReadsNew(Path image) {
      assertEquals(cgptNew, cgptRows(image), "cgpt show after the whole write");
      assertEquals(sgdiskNew, sgdiskRows(image), "sgdisk -p -i 2 after the whole write");
      PeerTools.Run verify = PeerTools.run("sgdisk", "-v", image.toString());
      assertTrue(verify.code() == 0 && verify.out().contains("No problems found") && verify.err().isBlank(),
          verify.describe());
    }

    void check(Path image, String where, List<String> failures) {
      judge("cgpt show", cgptMustRead, cgptRows(image), cgptOld, cgptNew, where, failures);
      judge("sgdisk -p -i 2", sgdiskMustRead, sgdiskRows(image), sgdiskOld, sgdiskNew, where, failures);
    }

    private static void judge(String peer, boolean mustRead, List<String> rows, List<String> old,
        List<String> next, String where, List<String> failures) {
      if (rows.equals(old) || rows.equals(next) || (!mustRead && rows.isEmpty())) {
        return;
      }
      failures.add(where + ": " + peer + (rows.isEmpty() ? " read no table" : " shows neither table: " + rows));
    }
  }

  /** cgpt show's partition rows (start, size, number, label, type, UUID, flags), or none on failure. */
  private static List<String> cgptRows(Path image) {
    PeerTools.Run r = PeerTools.run("cgpt", "show", image.toString());
    if (r.code() != 0) {
      return List.of();
    }
    return r.out().lines().map(l -> l.strip().replaceAll("\\s+", " "))
        .filter(l -> CGPT_ROW.matcher(l).matches() || l.startsWith("Type:") || l.startsWith("UUID:")
            || l.startsWith("Attr:"))
        .toList();
  }

  /** sgdisk -p's partition rows and -i 2's fields, partition 2's flags among them, or none. */
  private static List<String> sgdiskRows(Path image) {
    PeerTools.Run r = PeerTools.run("sgdisk", "-p", "-i", "2", image.toString());
    if (r.code() != 0) {
      return List.of();
    }
    return r.out().lines().map(l -> l.strip().replaceAll("\\s+", " "))
        .filter(l -> SGDISK_ROW.matcher(l).matches() || SGDISK_FIELDS.stream().anyMatch(l::startsWith))
        .toList();
  }

  private static int[] withNoTear(int[] tears) {
    int[] out = new int[tears.length + 1];
    System.arraycopy(tears, 0, out, 1, tears.length);
    return out;
  }

  private static GptRead read(Path image, int ss) throws IOException {
    try (FileBlockDevice dev = FileBlockDevice.open(image, false, ss)) {
      return GptStore.read(dev);
    }
  }

  /** A digest of every sector the write can touch: equal digests mean byte-identical disks. */
  private static String key(Path image, int ss, Set<Long> touched) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (FileBlockDevice dev = FileBlockDevice.open(image, false, ss)) {
      for (long lba : touched) {
        md.update(dev.read(lba, 1));
      }
    }
    return java.util.HexFormat.of().formatHex(md.digest());
  }

  private static void restore(Path image, byte[] bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      while (b.hasRemaining()) {
        ch.write(b, b.position());
      }
    }
  }

  private static void setLength(Path p, long bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }

  private static void overwrite(Path p, long offset, byte[] bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(offset);
      f.write(bytes);
    }
  }

  private static void flip(Path p, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0xFF);
    }
  }
}
