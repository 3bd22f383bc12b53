package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.MIB;
import static dev.cairn.cli.CliHarness.assertCgptClean;
import static dev.cairn.cli.CliHarness.assertSgdiskClean;
import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.jsonPartitionsBlock;
import static dev.cairn.cli.CliHarness.peer;
import static dev.cairn.cli.CliHarness.peerOk;
import static dev.cairn.cli.CliHarness.setLength;
import static dev.cairn.cli.CliHarness.sha256;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image truncated after it was partitioned: the primary GPT still verifies but describes the
 * old size, and the backup is gone. Each case runs Cairn and, on a copy of the same image, the
 * real sgdisk: {@code sgdisk -p} loads such a disk with warnings and exits 0, {@code sgdisk -v}
 * names the partition that is too big, and {@code sgdisk -e} moves the backup to the new end when
 * every partition fits and refuses (exit 4, nothing written) when one does not. Cairn must agree:
 * {@code show} reads it (exit 0) and names the partitions past the end and by how much;
 * {@code repair} recovers exactly what sgdisk -e recovers and refuses, changing nothing, where it
 * refuses.
 */
class ShrunkDiskTest {
  /** 64 MiB: 131072 sectors, last usable LBA 131038. */
  private static final long DISK_BYTES = 64 * MIB;

  @TempDir Path dir;
  Path disk;
  String d;

  /** USR-A (1) and USR-B (2), 16 MiB each from LBA 2048; ROOT (3) from LBA 67584 to the end. */
  @BeforeEach
  void partitionedImage() throws IOException {
    disk = sparseImage(dir, "disk.img", DISK_BYTES);
    d = disk.toString();
    cairnOk("gpt", "create", d);
    cairnOk("gpt", "add", "-i", "1", "-t", "coreos-usr", "-s", "16M", "-l", "USR-A", "-P", "1", "-S", "1", d);
    cairnOk("gpt", "add", "-i", "2", "-t", "coreos-usr", "-s", "16M", "-l", "USR-B", d);
    cairnOk("gpt", "add", "-i", "3", "-t", "linux-data", "-l", "ROOT", d);
  }

  private Path copy(String name) throws IOException {
    Path c = dir.resolve(name);
    Files.copy(disk, c);
    return c;
  }

  @Test
  void show_onImageCutInsideItsLastPartition_exits0FromThePrimary_namingThePartitionAndHowFar()
      throws IOException {
    String partitions = jsonPartitionsBlock(cairnOk("gpt", "show", "--json", d).out());
    setLength(disk, 40 * MIB);   // 81920 sectors: ROOT ends 49119 sectors past LBA 81919
    String hash = sha256(disk);

    Result sgdisk = peer("sgdisk", "-p", d);
    assertEquals(0, sgdisk.code(), sgdisk.describe("sgdisk -p loads it"));
    assertTrue(sgdisk.out().contains("Disk size is smaller than the main header indicates"), sgdisk.describe(""));
    Result verify = peer("sgdisk", "-v", d);
    assertTrue(verify.out().contains("Problem: partition 3 is too big for the disk."), verify.describe(""));

    Result show = cairn("gpt", "show", d);
    assertEquals(0, show.code(), show.describe("show reads it as sgdisk -p does"));
    assertTrue(show.out().contains("Label: \"ROOT\""), show.describe("the table, from the primary"));
    assertTrue(show.errLines().contains("warning: partition 3 (ROOT) ends at LBA 131038, 49119 sectors"
        + " past the disk's last LBA 81919"), show.describe("names the partition and how far"));
    assertTrue(show.errLines().contains("warning: the disk is smaller than its GPT: the GPT was written"
        + " for 131072 sectors (backup header at LBA 131071) but the disk has 81920 (last LBA 81919)"),
        show.describe("says what is wrong"));
    Result json = cairnOk("gpt", "show", "--json", d);
    assertTrue(json.out().contains("\"readFrom\": \"primary\""), json.describe(""));
    assertEquals(partitions, jsonPartitionsBlock(json.out()), "the same partitions as before the cut");
    assertEquals(hash, sha256(disk), "show writes nothing");
  }

  @Test
  void repair_whenAPartitionEndsPastTheEnd_exit2NamingIt_diskUnchanged_asSgdiskERefuses()
      throws IOException {
    setLength(disk, 40 * MIB);
    Path viaSgdisk = copy("sgdisk.img");
    String hash = sha256(disk);

    Result sgdisk = peer("sgdisk", "-e", viaSgdisk.toString());
    assertNotEquals(0, sgdisk.code(), sgdisk.describe("sgdisk -e refuses"));
    assertTrue(sgdisk.out().contains("Aborting write"), sgdisk.describe(""));
    assertEquals(hash, sha256(viaSgdisk), "sgdisk wrote nothing");

    Result r = cairn("gpt", "repair", d);
    assertEquals(2, r.code(), r.describe("expected exit 2"));
    assertEquals(1, r.errLines().size(), r.describe("one line"));
    assertTrue(r.err().contains("cannot repair: the disk has 81920 sectors, 49152 fewer than its GPT"
        + " was written for, and partition 3 (ROOT) ends at LBA 131038, 49119 sectors past the disk's"
        + " last LBA 81919; repair never cuts or drops a partition: grow the disk back to at least"
        + " 67108864 bytes"), r.describe("names the partition and what to do"));
    assertEquals(hash, sha256(disk), "repair wrote nothing");
  }

  @Test
  void repair_whenAPartitionReachesIntoTheBackupArea_exit2_diskUnchanged_asSgdiskERefuses()
      throws IOException {
    cairnOk("gpt", "add", "-i", "3", "-s", "8M", d);   // ROOT: 67584-83967
    setLength(disk, (83968 + 16) * 512L);   // ROOT fits the disk, but not with a backup after it
    Path viaSgdisk = copy("sgdisk.img");
    String hash = sha256(disk);
    Result sgdisk = peer("sgdisk", "-e", viaSgdisk.toString());
    assertNotEquals(0, sgdisk.code(), sgdisk.describe("sgdisk -e refuses"));
    assertTrue(sgdisk.out().contains("Secondary partition table overlaps the last partition by\n17 blocks"),
        sgdisk.describe(""));
    assertEquals(hash, sha256(viaSgdisk), "sgdisk wrote nothing");

    Result r = cairn("gpt", "repair", d);
    assertEquals(2, r.code(), r.describe("expected exit 2"));
    assertTrue(r.err().contains("partition 3 (ROOT) ends at LBA 83967, 17 sectors into the 33 a backup"
        + " GPT at the disk's end needs (last usable LBA 83950)"), r.describe("the same 17 sectors"));
    assertEquals(hash, sha256(disk), "repair wrote nothing");
  }

  @Test
  void repair_whenEveryPartitionFits_writesTheBackupAtTheNewEnd_asSgdiskEDoes() throws IOException {
    Result shrink = cairnOk("gpt", "add", "-i", "3", "-s", "8M", d);   // ROOT: 67584-83967
    assertTrue(shrink.err().isBlank(), shrink.describe("a sound disk: no warnings"));
    setLength(disk, 48 * MIB);   // 98304 sectors: everything still fits
    String partitions = jsonPartitionsBlock(cairnOk("gpt", "show", "--json", d).out());
    Path viaSgdisk = copy("sgdisk.img");
    peerOk("sgdisk", "-e", viaSgdisk.toString());

    Result r = cairnOk("gpt", "repair", d);
    assertTrue(r.out().contains("the disk is 32768 sectors smaller than its GPT: wrote the backup GPT"
        + " at the disk's last LBA 98303 (it was at LBA 131071, past the end); last usable LBA is now"
        + " 98270"), r.describe(""));
    assertSgdiskClean(disk);
    assertCgptClean(disk);
    assertEquals(partitions, jsonPartitionsBlock(cairnOk("gpt", "show", "--json", d).out()));
    byte[] cairnBytes = Files.readAllBytes(disk);
    byte[] sgdiskBytes = Files.readAllBytes(viaSgdisk);
    // Sector 0 differs only in the CHS end address of the protective entry (sgdisk computes it
    // for small disks, Cairn writes the 0xFFFFFF that any disk above 8 GiB gets); the GPT itself,
    // both copies, is byte for byte what sgdisk -e writes.
    assertArrayEquals(Arrays.copyOfRange(sgdiskBytes, 512, sgdiskBytes.length),
        Arrays.copyOfRange(cairnBytes, 512, cairnBytes.length));
  }

  @Test
  void addShrinkingThePartitionInTheWay_writesTheBackupAtTheNewEnd_thenRepairFixesTheMbr()
      throws IOException {
    setLength(disk, 40 * MIB);
    String hash = sha256(disk);
    Result tooBig = cairn("gpt", "add", "-i", "3", "-s", "8M", d);   // would end at 83967 > 81886
    assertEquals(2, tooBig.code(), tooBig.describe("still past the last usable LBA"));
    assertTrue(tooBig.err().contains("partition 3 (LBA 67584-83967) lies outside the usable range 34-81886"),
        tooBig.describe(""));
    Result otherEdit = cairn("gpt", "mark-update", "-i", "2", d);
    assertEquals(2, otherEdit.code(), otherEdit.describe("ROOT is still in the way"));
    assertTrue(otherEdit.err().contains("the disk is smaller than its GPT and partition 3 (ROOT) ends"
        + " at LBA 131038"), otherEdit.describe(""));
    assertEquals(hash, sha256(disk), "refused edits write nothing");

    Result fits = cairnOk("gpt", "add", "-i", "3", "-s", "6M", d);
    assertTrue(fits.err().contains("warning: wrote the backup GPT at the disk's last LBA 81919 (it was"
        + " at LBA 131071, past the end); last usable LBA is now 81886"), fits.describe(""));
    assertEquals("12288", peerOk("cgpt", "show", "-i", "3", "-s", d).text(), "cgpt reads it again");
    cairnOk("gpt", "repair", d);
    assertSgdiskClean(disk);
    assertCgptClean(disk);
  }

  @Test
  void next_onShrunkDiskWherePartitionsFit_spendsTheTry_andWritesTheBackupAtTheNewEnd() throws IOException {
    cairnOk("gpt", "add", "-i", "3", "-s", "8M", d);
    cairnOk("gpt", "mark-update", "-i", "2", d);
    setLength(disk, 48 * MIB);
    Result next = cairnOk("gpt", "next", d);
    assertEquals("2", next.text());
    assertEquals("0", peerOk("cgpt", "show", "-i", "2", "-T", d).text(), "the try is spent");
    assertSgdiskClean(disk);
  }
}
