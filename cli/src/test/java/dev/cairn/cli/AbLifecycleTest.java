package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.MIB;
import static dev.cairn.cli.CliHarness.assertSgdiskClean;
import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.peerOk;
import static dev.cairn.cli.CliHarness.sha256OfEnds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The A/B update life cycle through the command line: boot selection with {@code next}, an update
 * staged with {@code mark-update}, its one trial boot, the rollback, and {@code mark-successful}.
 * The flags are read back with the real cgpt.
 */
class AbLifecycleTest {
  @TempDir Path dir;
  Path disk;
  String d;

  @BeforeEach
  void coreosDisk() {
    disk = dir.resolve("disk.img");
    d = disk.toString();
    cairnOk("gpt", "create", "--layout", "coreos", "--size", "4G", d);
  }

  /** [priority, tries, successful] of partition {@code n} as cgpt reads them. */
  private List<Integer> flags(int n) {
    return List.of(cgpt(n, "-P"), cgpt(n, "-T"), cgpt(n, "-S"));
  }

  private int cgpt(int n, String flag) {
    return Integer.parseInt(peerOk("cgpt", "show", "-i", "" + n, flag, d).text());
  }

  private String next() {
    return cairnOk("gpt", "next", d).text();
  }

  @Test
  void next_onFreshCoreosLayout_prints3AndLeavesFlags() {
    assertEquals("3", next());
    assertEquals(List.of(1, 0, 1), flags(3), "USR-A: successful, no tries to spend");
    assertEquals(List.of(0, 0, 0), flags(4), "USR-B: not bootable");
  }

  @Test
  void markUpdate4_givesUsrBPriority2Tries1Unsuccessful_andUsrAPriority1() {
    cairnOk("gpt", "mark-update", "-i", "4", d);
    assertEquals(List.of(2, 1, 0), flags(4), "USR-B [priority, tries, successful]");
    assertEquals(List.of(1, 0, 1), flags(3), "USR-A [priority, tries, successful]");
    assertSgdiskClean(disk);
  }

  @Test
  void next_afterMarkUpdate_boots4OnceSpendingItsTry_thenRollsBackTo3() {
    cairnOk("gpt", "mark-update", "-i", "4", d);
    assertEquals("4", next(), "the trial boot of the update");
    assertEquals(List.of(2, 0, 0), flags(4), "the try is spent");
    assertEquals("3", next(), "no tries left and not successful: roll back");
    assertEquals(List.of(2, 0, 0), flags(4));
    assertEquals(List.of(1, 0, 1), flags(3));
    assertEquals("3", next(), "and stay on the old slot");
  }

  @Test
  void markSuccessful4_afterTrialBoot_keepsBooting4WithTriesAt0() {
    cairnOk("gpt", "mark-update", "-i", "4", d);
    assertEquals("4", next());
    cairnOk("gpt", "mark-successful", "-i", "4", d);
    assertEquals(1, cgpt(4, "-S"));
    assertEquals("4", next());
    assertEquals("4", next(), "a successful slot needs no tries");
    assertEquals(0, cgpt(4, "-T"), "tries stay 0");
    assertEquals(1, cgpt(4, "-S"));
    assertTrue(cgpt(4, "-P") > cgpt(3, "-P"), "USR-B ranks above USR-A");
    assertSgdiskClean(disk);
  }

  @Test
  void markSuccessful4_rightAfterMarkUpdate_boots4AndTriesStay0() {
    cairnOk("gpt", "mark-update", "-i", "4", d);
    cairnOk("gpt", "mark-successful", "-i", "4", d);
    assertEquals(List.of(2, 0, 1), flags(4));
    assertEquals("4", next());
    assertEquals(List.of(2, 0, 1), flags(4), "nothing to decrement");
  }

  @Test
  void nextFormatUuid_printsUniqueGuidOfTheChosenPartition() {
    String usrA = peerOk("cgpt", "show", "-i", "3", "-u", d).text();
    String usrB = peerOk("cgpt", "show", "-i", "4", "-u", d).text();
    assertEquals(usrA, cairnOk("gpt", "next", "--format", "uuid", d).text());
    cairnOk("gpt", "mark-update", "-i", "4", d);
    assertEquals(usrB, cairnOk("gpt", "next", "--format", "uuid", d).text());
    assertEquals(0, cgpt(4, "-T"), "--format uuid spends the try like the number form");
  }

  @Test
  void next_withBothUsrPriorities0_exits1WithMessage_diskUnchanged() throws IOException {
    cairnOk("gpt", "add", "-i", "3", "-P", "0", d);
    cairnOk("gpt", "add", "-i", "4", "-P", "0", "-T", "3", d);
    String before = sha256OfEnds(disk, MIB);
    Result r = cairn("gpt", "next", d);
    assertEquals(1, r.code(), r.describe("expected exit 1 when nothing can boot"));
    assertEquals("", r.out(), "nothing printed on stdout");
    assertEquals(1, r.errLines().size(), r.describe("one line on stderr"));
    assertTrue(r.err().contains("no bootable slot") && r.err().contains("USR-A")
        && r.err().contains("USR-B"), r.describe("the message names the slots"));
    assertEquals(before, sha256OfEnds(disk, MIB), "no tries spent, nothing written");
    assertEquals(3, cgpt(4, "-T"));
  }
}
