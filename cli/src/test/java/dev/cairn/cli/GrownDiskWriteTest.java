package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.GIB;
import static dev.cairn.cli.CliHarness.assertCgptClean;
import static dev.cairn.cli.CliHarness.assertSgdiskClean;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.peerOk;
import static dev.cairn.cli.CliHarness.setLength;
import static dev.cairn.cli.CliHarness.sgdiskLastUsable;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command that changes the table of a grown disk moves the backup copy to the new last sectors,
 * where firmware and cgpt look for it, so a primary cut short later has a backup they can find.
 * Judged by cgpt (no warning about the secondary copy) and sgdisk (no problems, last usable LBA
 * at the new end); the protective MBR is left for {@code repair}.
 */
class GrownDiskWriteTest {
  private static final long DISK_BYTES = 4 * GIB;
  private static final long GROWN_BYTES = DISK_BYTES + GIB;

  @TempDir Path dir;
  Path disk;
  String d;

  @BeforeEach
  void grownCoreosDisk() throws IOException {
    disk = sparseImage(dir, "disk.img", DISK_BYTES);
    d = disk.toString();
    cairnOk("gpt", "create", "--layout", "coreos", d);
    setLength(disk, GROWN_BYTES);
    Result cgpt = peerOk("cgpt", "show", d);
    assertTrue(cgpt.err().contains("Secondary GPT header is invalid"),
        cgpt.describe("cgpt should find no backup at the end of the grown disk"));
  }

  private void assertBackupAtTheNewEnd() {
    assertCgptClean(disk);
    assertSgdiskClean(disk);
    assertEquals(GROWN_BYTES / 512 - 1 - 33, sgdiskLastUsable(disk), "last usable LBA follows the new end");
    Result show = cairnOk("gpt", "show", d);
    assertFalse(show.err().contains("the disk has grown"), show.describe("no grown-disk warning"));
    assertTrue(show.err().contains("protective MBR"), show.describe("the stale protective MBR is still reported"));
  }

  @Test
  void markUpdate_onGrownDisk_movesTheBackupToTheNewEnd() {
    cairnOk("gpt", "mark-update", "-i", "4", d);
    assertBackupAtTheNewEnd();
    assertEquals("1", peerOk("cgpt", "show", "-i", "4", "-T", d).text(), "the edit itself landed");
  }

  @Test
  void nextThatDecrementsTries_onGrownDisk_movesTheBackupToTheNewEnd() throws IOException {
    cairnOk("gpt", "add", "-i", "4", "-P", "2", "-T", "3", d);
    setLength(disk, GROWN_BYTES + GIB);
    assertEquals("4", cairnOk("gpt", "next", d).text());
    assertCgptClean(disk);
    assertSgdiskClean(disk);
    assertEquals((GROWN_BYTES + GIB) / 512 - 1 - 33, sgdiskLastUsable(disk));
    assertEquals("2", peerOk("cgpt", "show", "-i", "4", "-T", d).text(), "one try used");
  }
}
