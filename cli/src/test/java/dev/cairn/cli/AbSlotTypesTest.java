package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.MIB;
import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.peerOk;
import static dev.cairn.cli.CliHarness.sha256;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A disk with both kinds of A/B slot: coreos-usr USR-A (1) and USR-B (2), which GRUB's
 * {@code gptprio.next} chooses between, and chromeos-kernel KERN-A (3) and KERN-B (4), which cgpt
 * and the ChromeOS firmware choose between. The kernel slots carry the highest priorities on the
 * disk, so a command that pooled the two types would pick or renumber the wrong set. The flags
 * are read back with the real cgpt.
 */
class AbSlotTypesTest {
  private static final String KERNEL_GUID = "FE3A2A5D-4F32-41A7-B725-ACCC3285A309";

  @TempDir Path dir;
  Path disk;
  String d;

  @BeforeEach
  void mixedDisk() throws IOException {
    disk = sparseImage(dir, "mixed.img", 64 * MIB);
    d = disk.toString();
    cairnOk("gpt", "create", d);
    // USR-A good at priority 1, USR-B just updated (priority 2, one try): gptprio boots USR-B.
    cairnOk("gpt", "add", "-i", "1", "-t", "coreos-usr", "-s", "16M", "-l", "USR-A", "-P", "1", "-S", "1", d);
    cairnOk("gpt", "add", "-i", "2", "-t", "coreos-usr", "-s", "16M", "-l", "USR-B", "-P", "2", "-T", "1", d);
    // Kernels at 15 and 14, both good: the highest priorities on the disk.
    cairnOk("gpt", "add", "-i", "3", "-t", "chromeos-kernel", "-s", "1M", "-l", "KERN-A", "-P", "15", "-S", "1", d);
    cairnOk("gpt", "add", "-i", "4", "-t", KERNEL_GUID, "-s", "1M", "-l", "KERN-B", "-P", "14", "-T", "2", d);
  }

  /** cgpt's -A (bits 48-63) of partitions 1-4. */
  private List<String> bits() {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      out.add(peerOk("cgpt", "show", "-i", "" + i, "-A", d).text());
    }
    return out;
  }

  @Test
  void next_onDiskWithUsrAndKernelSlots_bootsUsrLikeGptprio_andLeavesKernelsAlone() {
    List<String> before = bits();
    assertEquals(List.of("0x101", "0x12", "0x10f", "0x2e"), before, "the disk as laid out");
    assertEquals("2", cairnOk("gpt", "next", d).text(), "gptprio looks at coreos-usr slots only");
    assertEquals(List.of("0x101", "0x2", "0x10f", "0x2e"), bits(), "USR-B spent its try; kernels untouched");
    assertEquals("1", cairnOk("gpt", "next", d).text(), "USR-B has no try left: back to USR-A");
  }

  @ParameterizedTest(name = "next --type {0}")
  @ValueSource(strings = {"chromeos-kernel", KERNEL_GUID, "fe3a2a5d-4f32-41a7-b725-accc3285a309"})
  void nextWithKernelType_bootsTheKernelSlot_andLeavesUsrAlone(String type) {
    assertEquals("3", cairnOk("gpt", "next", "--type", type, d).text());
    assertEquals(List.of("0x101", "0x12", "0x10f", "0x2e"), bits(), "KERN-A is successful: nothing spent");
    cairnOk("gpt", "add", "-i", "3", "-P", "0", d);
    assertEquals("4", cairnOk("gpt", "next", "--type", type, d).text());
    assertEquals(List.of("0x101", "0x12", "0x100", "0x1e"), bits(), "KERN-B spent a try; USR untouched");
  }

  @Test
  void nextWithKernelType_whenNoKernelCanBoot_exits1_insteadOfBootingUsr() throws IOException {
    cairnOk("gpt", "add", "-i", "3", "-P", "0", d);
    cairnOk("gpt", "add", "-i", "4", "-P", "0", d);
    String hash = sha256(disk);
    Result r = cairn("gpt", "next", "--type", "chromeos-kernel", d);
    assertEquals(1, r.code(), r.describe("expected exit 1: no bootable kernel slot"));
    assertTrue(r.err().contains("chromeos-kernel") && r.err().contains("KERN-A")
        && !r.err().contains("USR-A"), r.describe("names the kernel slots only"));
    assertEquals(hash, sha256(disk));
  }

  @Test
  void nextWithTypeTwice_exit2_oneTypeOnly_diskUnchanged() throws IOException {
    String hash = sha256(disk);
    Result r = cairn("gpt", "next", "--type", "coreos-usr", "--type", "chromeos-kernel", d);
    assertEquals(2, r.code(), r.describe("expected exit 2"));
    assertTrue(r.err().contains("--type") && r.err().contains("only once"), r.describe("says one type"));
    assertEquals(hash, sha256(disk));
  }

  @Test
  void nextWithTypeWithoutAbFlags_exit2NamesTheType_diskUnchanged() throws IOException {
    String hash = sha256(disk);
    Result r = cairn("gpt", "next", "--type", "linux-data", d);
    assertEquals(2, r.code(), r.describe("expected exit 2"));
    assertEquals(List.of("cairn gpt next: type linux-data has no A/B slots; A/B flags apply to "
        + "coreos-usr and chromeos-kernel partitions"), r.errLines());
    assertEquals(hash, sha256(disk));
  }

  @Test
  void markUpdateOfUsrB_onMixedDisk_leavesKernelPrioritiesAlone() {
    cairnOk("gpt", "add", "-i", "2", "-P", "0", "-T", "0", d);
    cairnOk("gpt", "mark-update", "-i", "2", d);
    assertEquals(List.of("0x101", "0x12", "0x10f", "0x2e"), bits(),
        "USR-B above USR-A at 2 with one try; kernels still 15 and 14");
  }

  @Test
  void markSuccessfulOfKernB_onMixedDisk_leavesUsrPrioritiesAlone() {
    cairnOk("gpt", "mark-successful", "-i", "4", d);
    assertEquals(List.of("0x101", "0x12", "0x101", "0x102"), bits(),
        "KERN-B above KERN-A, renumbered 2 and 1 as cgpt would; USR-A and USR-B as they were");
  }

  @Test
  void prioritizeWithoutTargetOrType_onMixedDisk_exit2NamesBothSets_diskUnchanged() throws IOException {
    String hash = sha256(disk);
    Result r = cairn("gpt", "prioritize", d);
    assertEquals(2, r.code(), r.describe("expected exit 2"));
    assertTrue(r.err().contains("coreos-usr [1, 2] and chromeos-kernel [3, 4]")
        && r.err().contains("--type"), r.describe("names both sets and --type"));
    assertEquals(hash, sha256(disk));
  }

  @Test
  void prioritizeWithTargetOfOtherTypeThanTypeFlag_exit2_diskUnchanged() throws IOException {
    String hash = sha256(disk);
    Result r = cairn("gpt", "prioritize", "--type", "chromeos-kernel", "-i", "2", d);
    assertEquals(2, r.code(), r.describe("expected exit 2"));
    assertEquals(List.of("cairn gpt prioritize: " + d
        + ": partition 2 (USR-B) is a coreos-usr partition, not chromeos-kernel"), r.errLines());
    assertEquals(hash, sha256(disk));
  }
}
