package dev.cairn.gpt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/** Bytes to and from GPT headers, entry arrays and the protective MBR. Pure functions. */
public final class GptCodec {
  public static final byte[] SIGNATURE = "EFI PART".getBytes(StandardCharsets.US_ASCII);
  public static final int REVISION = 0x00010000;
  public static final int HEADER_SIZE = 92;
  private static final int NAME_OFFSET = 56;

  private GptCodec() {}

  /** The outcome of checking one header sector: the header, or why it cannot be used. */
  public sealed interface HeaderCheck {
    record Valid(GptHeader header) implements HeaderCheck {}

    record Invalid(String problem) implements HeaderCheck {}
  }

  public static int crc32(byte[] bytes, int offset, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  /** The entry array of {@code table}, padded to whole sectors. */
  public static byte[] encodeEntries(PartitionTable table) {
    byte[] out = new byte[Math.toIntExact(table.entriesSectors() * table.sectorSize())];
    for (Partition p : table.partitions()) {
      int off = (p.number() - 1) * PartitionTable.ENTRY_SIZE;
      p.type().encode(out, off);
      p.unique().encode(out, off + 16);
      ByteBuffer le = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
      le.putLong(off + 32, p.firstLba());
      le.putLong(off + 40, p.lastLba());
      le.putLong(off + 48, p.attributes().raw());
      String label = p.label();
      for (int i = 0; i < label.length(); i++) {
        le.putChar(off + NAME_OFFSET + 2 * i, label.charAt(i));
      }
    }
    return out;
  }

  /** The CRC-32 of the entry array as the header records it (entries only, no padding). */
  public static int entriesCrc(PartitionTable table, byte[] entries) {
    return crc32(entries, 0, table.entryCount() * PartitionTable.ENTRY_SIZE);
  }

  /** One header sector: the primary (at LBA 1) or the backup (at {@code alternateLba}). */
  public static byte[] encodeHeader(PartitionTable table, boolean primary, int entriesCrc) {
    byte[] out = new byte[table.sectorSize()];
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    b.put(SIGNATURE);
    b.putInt(8, REVISION);
    b.putInt(12, HEADER_SIZE);
    b.putLong(24, primary ? 1 : table.alternateLba());
    b.putLong(32, primary ? table.alternateLba() : 1);
    b.putLong(40, table.firstUsableLba());
    b.putLong(48, table.lastUsableLba());
    table.diskGuid().encode(out, 56);
    b.putLong(72, primary ? table.entriesLba() : table.backupEntriesLba());
    b.putInt(80, table.entryCount());
    b.putInt(84, PartitionTable.ENTRY_SIZE);
    b.putInt(88, entriesCrc);
    b.putInt(16, crc32(out, 0, HEADER_SIZE));
    return out;
  }

  /** Checks a header sector read from {@code lba} of a disk of {@code diskSectors} sectors. */
  public static HeaderCheck decodeHeader(byte[] sector, long lba, long diskSectors) {
    ByteBuffer b = ByteBuffer.wrap(sector).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (sector[i] != SIGNATURE[i]) {
        return new HeaderCheck.Invalid("no 'EFI PART' signature at LBA " + lba);
      }
    }
    int size = b.getInt(12);
    if (size < HEADER_SIZE || size > sector.length) {
      return new HeaderCheck.Invalid("header at LBA " + lba + " has size " + size
          + " (expected " + HEADER_SIZE + "-" + sector.length + ")");
    }
    int stored = b.getInt(16);
    byte[] copy = sector.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 0);
    int actual = crc32(copy, 0, size);
    if (stored != actual) {
      return new HeaderCheck.Invalid(String.format(
          "header at LBA %d has a bad CRC (stored 0x%08x, computed 0x%08x)", lba, stored, actual));
    }
    long myLba = b.getLong(24);
    if (myLba != lba) {
      return new HeaderCheck.Invalid("header at LBA " + lba + " says it lives at LBA " + myLba);
    }
    GptHeader h = new GptHeader(myLba, b.getLong(32), b.getLong(40), b.getLong(48),
        Guid.decode(sector, 56), b.getLong(72), b.getInt(80), b.getInt(84), b.getInt(88));
    if (h.entrySize() != PartitionTable.ENTRY_SIZE) {
      return new HeaderCheck.Invalid("header at LBA " + lba + " has entry size " + h.entrySize()
          + " (Cairn supports " + PartitionTable.ENTRY_SIZE + ")");
    }
    if (h.entryCount() < 1 || h.entryCount() > PartitionTable.MAX_ENTRY_COUNT) {
      return new HeaderCheck.Invalid("header at LBA " + lba + " has " + h.entryCount()
          + " entries (expected 1-" + PartitionTable.MAX_ENTRY_COUNT + ")");
    }
    long es = PartitionTable.entriesSectors(sector.length, h.entryCount());
    // A primary header written for a larger disk (the disk shrank since) is still a sound
    // header: its usable range ends before its backup, which lies past the disk's end.
    boolean forLargerDisk = lba == 1 && h.alternateLba() >= diskSectors
        && h.lastUsableLba() < h.alternateLba();
    if (h.firstUsableLba() < 2 || h.firstUsableLba() > h.lastUsableLba() + 1
        || (h.lastUsableLba() >= diskSectors && !forLargerDisk)) {
      return new HeaderCheck.Invalid("header at LBA " + lba + " has usable range "
          + h.firstUsableLba() + "-" + h.lastUsableLba() + " outside the disk's " + diskSectors
          + " sectors");
    }
    if (h.entriesLba() < 2 || h.entriesLba() + es > diskSectors) {
      return new HeaderCheck.Invalid("header at LBA " + lba + " puts its entries at LBA "
          + h.entriesLba() + ", outside the disk");
    }
    return new HeaderCheck.Valid(h);
  }

  /** Checks the entry array bytes against the header and decodes the used entries. */
  public static List<Partition> decodeEntries(byte[] entries, GptHeader h) {
    int length = h.entryCount() * h.entrySize();
    int actual = crc32(entries, 0, length);
    if (actual != h.entriesCrc()) {
      throw new IllegalArgumentException(String.format(
          "entry array at LBA %d has a bad CRC (header says 0x%08x, computed 0x%08x)",
          h.entriesLba(), h.entriesCrc(), actual));
    }
    ByteBuffer le = ByteBuffer.wrap(entries).order(ByteOrder.LITTLE_ENDIAN);
    List<Partition> out = new ArrayList<>();
    for (int i = 0; i < h.entryCount(); i++) {
      int off = i * h.entrySize();
      Guid type = Guid.decode(entries, off);
      if (type.isZero()) {
        continue;
      }
      StringBuilder name = new StringBuilder();
      for (int c = 0; c < Partition.MAX_LABEL_UNITS; c++) {
        char ch = le.getChar(off + NAME_OFFSET + 2 * c);
        if (ch == 0) {
          break;
        }
        name.append(ch);
      }
      out.add(new Partition(i + 1, type, Guid.decode(entries, off + 16), le.getLong(off + 32),
          le.getLong(off + 40), new PartitionAttributes(le.getLong(off + 48)), name.toString()));
    }
    return out;
  }

  /**
   * Sector 0 with a protective MBR for a disk of {@code diskSectors} sectors. Boot code and disk
   * signature of {@code existing} (may be null) are kept.
   */
  public static byte[] encodeProtectiveMbr(byte[] existing, long diskSectors, int sectorSize) {
    byte[] out = new byte[sectorSize];
    if (existing != null) {
      System.arraycopy(existing, 0, out, 0, 446);
    }
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    int e = 446;
    out[e] = 0x00;
    out[e + 1] = 0x00;
    out[e + 2] = 0x02;
    out[e + 3] = 0x00;
    out[e + 4] = (byte) 0xEE;
    out[e + 5] = (byte) 0xFF;
    out[e + 6] = (byte) 0xFF;
    out[e + 7] = (byte) 0xFF;
    b.putInt(e + 8, 1);
    b.putInt(e + 12, (int) Math.min(diskSectors - 1, 0xFFFFFFFFL));
    out[510] = 0x55;
    out[511] = (byte) 0xAA;
    return out;
  }

  /** Why sector 0 is not a protective MBR covering the disk, or null when it is. */
  public static String checkProtectiveMbr(byte[] sector0, long diskSectors) {
    if ((sector0[510] & 0xFF) != 0x55 || (sector0[511] & 0xFF) != 0xAA) {
      return "no MBR boot signature 0x55AA in sector 0";
    }
    ByteBuffer b = ByteBuffer.wrap(sector0).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 4; i++) {
      int e = 446 + 16 * i;
      if ((sector0[e + 4] & 0xFF) == 0xEE) {
        long start = b.getInt(e + 8) & 0xFFFFFFFFL;
        long size = b.getInt(e + 12) & 0xFFFFFFFFL;
        long want = Math.min(diskSectors - 1, 0xFFFFFFFFL);
        if (start != 1) {
          return "protective MBR partition starts at LBA " + start + ", expected 1";
        }
        if (size != want && !isHybrid(sector0)) {
          return "protective MBR partition covers " + size + " sectors, the disk has " + want
              + " after the MBR";
        }
        return null;
      }
    }
    return "sector 0 has no protective (type 0xEE) partition";
  }

  /** Whether the MBR holds partitions besides the 0xEE one (a hybrid MBR, left alone). */
  public static boolean isHybrid(byte[] sector0) {
    for (int i = 0; i < 4; i++) {
      int type = sector0[446 + 16 * i + 4] & 0xFF;
      if (type != 0 && type != 0xEE) {
        return true;
      }
    }
    return false;
  }
}
