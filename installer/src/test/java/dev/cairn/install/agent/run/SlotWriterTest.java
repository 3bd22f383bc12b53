package dev.cairn.install.agent.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.Sh;
import dev.cairn.install.disk.Inspect;
import dev.cairn.install.disk.TargetDisk;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payloads into a USR slot of a real image file, compressed by the real tools. */
class SlotWriterTest {
  private static final long MIB = 1 << 20;
  /** USR-B of the layout below: 8 MiB from MiB 10; OEM follows it. */
  private static final long SLOT = 10 * MIB;
  private static final long SLOT_BYTES = 8 * MIB;

  @TempDir static Path shared;
  static Path template;
  @TempDir Path dir;
  Path disk;
  byte[] usr;

  /** One layout by sgdisk for the class (it waits a second after each write), copied per test. */
  @BeforeAll
  static void layout() throws Exception {
    template = shared.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(template.toFile(), "rw")) {
      f.setLength(32 * MIB);
    }
    Sh.ok("sgdisk", "-o", "-n3:2048:+8M", "-c3:USR-A", "-t3:5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6",
        "-n4:0:+8M", "-c4:USR-B", "-t4:5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6", "-n6:0:+4M", "-c6:OEM",
        template.toString());
  }

  @BeforeEach
  void disk() throws Exception {
    disk = Files.copy(template, dir.resolve("disk.img"));
    usr = new byte[(int) (3 * MIB + 123)];
    new Random(7).nextBytes(usr);
  }

  private byte[] read(long offset, int n) throws Exception {
    byte[] b = new byte[n];
    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
      f.seek(offset);
      f.readFully(b);
    }
    return b;
  }

  private SlotWriter.Written write(Path payload) throws Exception {
    try (TargetDisk d = TargetDisk.open(Inspect.system().facts(disk))) {
      return SlotWriter.write(payload, d, SLOT, SLOT_BYTES, "USR-B (partition 4)", 2);
    }
  }

  @Test
  void anUncompressedPayload_goesIntoTheSlotAsItIs() throws Exception {
    Path p = Files.write(dir.resolve("usr.img"), usr);
    SlotWriter.Written w = write(p);
    assertEquals("uncompressed", w.format());
    assertEquals(usr.length, w.bytes());
    assertArrayEquals(usr, read(SLOT, usr.length));
  }

  @Test
  void bzip2AndZstdPayloads_areDecompressedIntoTheSlot() throws Exception {
    Path p = Files.write(dir.resolve("usr.img"), usr);
    Sh.ok("bzip2", "-k", p.toString());
    Sh.ok("zstd", "-q", p.toString(), "-o", dir.resolve("usr.img.zst").toString());
    assertEquals("bzip2", write(dir.resolve("usr.img.bz2")).format());
    assertArrayEquals(usr, read(SLOT, usr.length));
    assertEquals("zstd", write(dir.resolve("usr.img.zst")).format());
    assertArrayEquals(usr, read(SLOT, usr.length));
  }

  @Test
  void aPayloadLargerThanTheSlot_isRefused_andTheNextPartitionIsUntouched() throws Exception {
    byte[] big = new byte[(int) (SLOT_BYTES + 1)];
    Arrays.fill(big, (byte) 7);
    Path p = Files.write(dir.resolve("big.img"), big);
    byte[] oemBefore = read(SLOT + SLOT_BYTES, (int) MIB);
    SlotWriter.TooLarge e = assertThrows(SlotWriter.TooLarge.class, () -> write(p));
    assertTrue(e.getMessage().startsWith("big.img is larger than USR-B (partition 4) (8388608 bytes)"), e.getMessage());
    assertArrayEquals(oemBefore, read(SLOT + SLOT_BYTES, (int) MIB));
  }

  @Test
  void aCorruptCompressedPayload_failsWithTheDecompressorsMessage() throws Exception {
    Path p = Files.write(dir.resolve("usr.img"), usr);
    Sh.ok("bzip2", "-k", p.toString());
    Path bz = dir.resolve("usr.img.bz2");
    byte[] b = Files.readAllBytes(bz);
    Files.write(bz, Arrays.copyOf(b, b.length / 2));
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> write(bz));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }
}
