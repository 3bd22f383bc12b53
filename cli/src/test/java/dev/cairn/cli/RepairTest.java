package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.GIB;
import static dev.cairn.cli.CliHarness.MIB;
import static dev.cairn.cli.CliHarness.assertCgptClean;
import static dev.cairn.cli.CliHarness.assertSgdiskClean;
import static dev.cairn.cli.CliHarness.assertSgdiskSeesProblem;
import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.jsonPartitionsBlock;
import static dev.cairn.cli.CliHarness.leadingNumber;
import static dev.cairn.cli.CliHarness.setLength;
import static dev.cairn.cli.CliHarness.sgdiskInfo;
import static dev.cairn.cli.CliHarness.sgdiskLastUsable;
import static dev.cairn.cli.CliHarness.sha256OfEnds;
import static dev.cairn.cli.CliHarness.sparseImage;
import static dev.cairn.cli.CliHarness.zeroSector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn gpt repair} on a CoreOS disk whose primary header, backup header or size was
 * changed behind its back; judged by sgdisk -v and cgpt, and by the partitions staying as they were.
 */
class RepairTest {
  private static final long DISK_BYTES = 4 * GIB;
  private static final long LAST_LBA = DISK_BYTES / 512 - 1;

  @TempDir Path dir;
  Path disk;
  String partitionsBefore;

  @BeforeEach
  void coreosDisk() throws IOException {
    disk = sparseImage(dir, "disk.img", DISK_BYTES);
    cairnOk("gpt", "create", "--layout", "coreos", disk.toString());
    assertSgdiskClean(disk);
    partitionsBefore = partitions();
  }

  private String partitions() {
    return jsonPartitionsBlock(cairnOk("gpt", "show", "--json", disk.toString()).out());
  }

  private void assertRepairedAndUnchanged() {
    Result repair = cairnOk("gpt", "repair", disk.toString());
    assertTrue(repair.text().contains("rebuilt") || repair.text().contains("moved"),
        repair.describe("expected repair to say what it fixed"));
    assertSgdiskClean(disk);
    assertCgptClean(disk);
    Result after = cairnOk("gpt", "show", "--json", disk.toString());
    assertTrue(after.out().contains("\"problems\": []"), after.describe("no problems after repair"));
    assertTrue(after.err().isBlank(), after.describe("no warnings after repair"));
    assertEquals(partitionsBefore, jsonPartitionsBlock(after.out()), "partitions unchanged");
  }

  @Test
  void repair_afterPrimaryHeaderZeroed_sgdiskCleanAndPartitionsUnchanged() throws IOException {
    zeroSector(disk, 1);
    assertSgdiskSeesProblem(disk);
    assertRepairedAndUnchanged();
  }

  @Test
  void show_afterPrimaryHeaderZeroed_exits0AndSaysItReadTheBackup() throws IOException {
    zeroSector(disk, 1);
    String hash = sha256OfEnds(disk, MIB);
    Result show = cairn("gpt", "show", disk.toString());
    assertEquals(0, show.code(), show.describe("show on a disk with a good backup"));
    assertTrue(show.err().contains("backup"), show.describe("stderr should mention the backup"));
    assertTrue(show.out().contains("Label: \"USR-A\""), show.describe("table read from the backup"));
    Result json = cairn("gpt", "show", "--json", disk.toString());
    assertEquals(0, json.code(), json.describe("show --json"));
    assertTrue(json.out().contains("\"readFrom\": \"backup\""), json.describe("readFrom backup"));
    assertEquals(partitionsBefore, jsonPartitionsBlock(json.out()), "backup holds the same partitions");
    assertEquals(hash, sha256OfEnds(disk, MIB), "show must not write to the disk");
  }

  @Test
  void repair_afterBackupHeaderZeroed_sgdiskCleanAndPartitionsUnchanged() throws IOException {
    zeroSector(disk, LAST_LBA);
    assertSgdiskSeesProblem(disk);
    Result show = cairn("gpt", "show", disk.toString());
    assertEquals(0, show.code(), show.describe("show with a good primary"));
    assertTrue(show.err().contains("backup"), show.describe("stderr should name the damaged backup"));
    assertRepairedAndUnchanged();
  }

  @Test
  void repair_afterImageGrownBy1GiB_sgdiskCleanAndPartitionsUnchanged() throws IOException {
    setLength(disk, DISK_BYTES + GIB);
    assertSgdiskSeesProblem(disk);
    assertRepairedAndUnchanged();
    long newLast = (DISK_BYTES + GIB) / 512 - 1;
    assertEquals(newLast - 33, sgdiskLastUsable(disk), "last usable LBA follows the new end");
  }

  @Test
  void resizeRoot_afterGrowthAndRepair_endsAtNewLastUsableLba() throws IOException {
    long oldLastUsable = sgdiskLastUsable(disk);
    long rootStart = leadingNumber(sgdiskInfo(disk, 9).get("First sector"));
    setLength(disk, DISK_BYTES + GIB);
    cairnOk("gpt", "repair", disk.toString());
    cairnOk("gpt", "resize", "-i", "9", disk.toString());
    assertSgdiskClean(disk);
    assertCgptClean(disk);
    long newLastUsable = sgdiskLastUsable(disk);
    assertEquals(oldLastUsable + GIB / 512, newLastUsable, "usable space grew by 1 GiB");
    var root = sgdiskInfo(disk, 9);
    assertEquals(rootStart, leadingNumber(root.get("First sector")), "ROOT keeps its start");
    assertEquals(newLastUsable, leadingNumber(root.get("Last sector")), "ROOT reaches the new end");
    assertEquals("'ROOT'", root.get("Partition name"));
  }

  @Test
  void resizeRoot_beforeRepairOnGrownDisk_exit2SaysRepairFirst_diskUnchanged() throws IOException {
    setLength(disk, DISK_BYTES + GIB);
    String before = sha256OfEnds(disk, MIB);
    Result r = cairn("gpt", "resize", "-i", "9", disk.toString());
    assertEquals(2, r.code(), r.describe("expected exit 2"));
    assertTrue(r.err().contains("run 'cairn gpt repair' first"), r.describe("tells to repair first"));
    assertEquals(before, sha256OfEnds(disk, MIB));
  }

  @Test
  void repair_onSoundDisk_changesNothing() throws IOException {
    String hash = sha256OfEnds(disk, MIB);
    Result repair = cairnOk("gpt", "repair", disk.toString());
    assertTrue(repair.text().contains("nothing to repair"), repair.describe("sound disk"));
    assertEquals(hash, sha256OfEnds(disk, MIB));
  }
}
