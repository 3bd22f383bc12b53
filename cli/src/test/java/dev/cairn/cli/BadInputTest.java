package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.GIB;
import static dev.cairn.cli.CliHarness.MIB;
import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.flipByte;
import static dev.cairn.cli.CliHarness.peer;
import static dev.cairn.cli.CliHarness.sha256;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input is refused with exit 2 and one line on stderr that names the problem, and the disk is
 * left byte for byte as it was. A missing disk is a failure (exit 1), not bad input.
 */
class BadInputTest {
  @TempDir Path dir;

  /** A 64 MiB disk with EFI (1), BIOS-BOOT (2) and a coreos-usr USR-A (3). */
  private Path smallDisk() throws IOException {
    Path disk = sparseImage(dir, "small.img", 64 * MIB);
    String d = disk.toString();
    cairnOk("gpt", "create", d);
    cairnOk("gpt", "add", "-i", "1", "-t", "efi", "-s", "8M", "-l", "EFI-SYSTEM", d);
    cairnOk("gpt", "add", "-i", "2", "-t", "bios-boot", "-s", "1M", "-l", "BIOS-BOOT", d);
    cairnOk("gpt", "add", "-i", "3", "-t", "coreos-usr", "-s", "16M", "-l", "USR-A", "-P", "1",
        "-S", "1", d);
    return disk;
  }

  /** Runs cairn with DISK appended; asserts exit 2, one stderr line with every keyword, disk unchanged. */
  private static Result assertRefused(Path disk, List<String> args, String... keywords)
      throws IOException {
    String before = sha256(disk);
    List<String> all = new ArrayList<>(args);
    all.add(disk.toString());
    Result r = cairn(all.toArray(String[]::new));
    assertEquals(2, r.code(), r.describe("expected exit 2 (bad input)"));
    assertEquals(1, r.errLines().size(), r.describe("expected exactly one line on stderr"));
    String line = r.errLines().get(0).toLowerCase(Locale.ROOT);
    for (String k : keywords) {
      assertTrue(line.contains(k.toLowerCase(Locale.ROOT)), r.describe("stderr should contain '" + k + "'"));
    }
    assertEquals(before, sha256(disk), "the disk must be unchanged after `" + r.command() + "`");
    return r;
  }

  private static List<String> words(String command) {
    return List.of(command.split(" "));
  }

  @ParameterizedTest(name = "cairn {0} on 8 MiB of zeros")
  @ValueSource(strings = {"gpt show", "gpt show --json", "gpt add -i 1 -P 1", "gpt repair",
      "gpt next", "gpt prioritize -i 1", "gpt resize -i 1", "gpt mark-update -i 1", "gpt find -l ROOT"})
  void diskWithoutGpt_exit2OneLineNoGpt_fileUnchanged(String command) throws IOException {
    Path zeros = sparseImage(dir, "zeros.img", 8 * MIB);
    assertRefused(zeros, words(command), "no GPT", zeros.toString());
  }

  @ParameterizedTest(name = "cairn {0} with both header CRCs broken")
  @ValueSource(strings = {"gpt show", "gpt add -i 3 -P 2", "gpt repair", "gpt next",
      "gpt mark-successful -i 3", "gpt prioritize -i 3", "gpt resize -i 3"})
  void corruptCrcInBothCopies_exit2OneLineNamesBothCopies_fileUnchanged(String command)
      throws IOException {
    Path disk = smallDisk();
    long lastLba = Files.size(disk) / 512 - 1;
    flipByte(disk, 512 + 60);             // inside the disk GUID of the primary header
    flipByte(disk, lastLba * 512 + 60);   // the same byte of the backup header
    Result cgpt = peer("cgpt", "show", disk.toString());
    assertTrue(cgpt.err().contains("Primary GPT header is invalid")
        && cgpt.err().contains("Secondary GPT header is invalid"), cgpt.describe("cgpt agrees both are bad"));
    assertRefused(disk, words(command), "both", "primary", "backup", "CRC");
  }

  @Test
  void addPriority16_exit2OneLineNamesPriority_fileUnchanged() throws IOException {
    assertRefused(smallDisk(), words("gpt add -i 3 -P 16"), "priority", "0-15", "16");
  }

  @ParameterizedTest(name = "cairn gpt prioritize {0}")
  @ValueSource(strings = {"-P 0", "-P 16", "-P -1", "-i 3 -P 0"})
  void prioritizeTopOutside1To15_exit2OneLineNamesValueAndRange_fileUnchanged(String options)
      throws IOException {
    // cgpt prioritize -P 0 says "value for -P must be between 1 and 15" and exits 1.
    String value = options.substring(options.lastIndexOf(' ') + 1);
    assertRefused(smallDisk(), words("gpt prioritize " + options), "-P must be 1-15", "got " + value);
  }

  /**
   * Sizes and LBAs past the largest disk offset (2^63 bytes: 18014398509481983 sectors of 512
   * bytes) are bad input naming the value; they used to overflow ("long overflow", exit 1).
   */
  @ParameterizedTest(name = "cairn gpt add {0}")
  @ValueSource(strings = {"-s 99999999999T", "-s 8388608T", "-s 18014398509481984",
      "-s 99999999999999999999", "-b 99999999999T -s 1M", "-b 36028797018966016 -s 1M",
      "-i 3 -s 36028797018966016"})
  void addSizeOrLbaPastTheLargestDiskOffset_exit2OneLineNamesTheValue_fileUnchanged(String options)
      throws IOException {
    String value = options.contains("-b") ? options.split(" ")[1] : options.substring(options.lastIndexOf(' ') + 1);
    assertRefused(smallDisk(), words("gpt add " + options), "'" + value + "' is too large",
        "at most 18014398509481983 sectors of 512 bytes");
  }

  @ParameterizedTest(name = "cairn gpt create --size {0}")
  @ValueSource(strings = {"99999999999T", "36028797018966016", "18014398509481984",
      "--sector-size 4096 --size 2251799813685248"})
  void createSizePastTheLargestDiskOffset_exit2OneLineNamesTheValue_leavesNoFileBehind(String size) {
    // 36028797018966016 sectors of 512 bytes is 2^64 + 1 MiB: it used to wrap to a 1 MiB image.
    Path disk = dir.resolve("new.img");
    List<String> args = new ArrayList<>(List.of("gpt", "create"));
    args.addAll(size.startsWith("--") ? words(size) : List.of("--size", size));
    args.add(disk.toString());
    Result r = cairn(args.toArray(String[]::new));
    assertEquals(2, r.code(), r.describe("expected exit 2 (bad input)"));
    assertEquals(1, r.errLines().size(), r.describe("expected exactly one line on stderr"));
    String value = size.substring(size.lastIndexOf(' ') + 1);
    assertTrue(r.err().contains("--size '" + value + "' is too large: at most"), r.describe("names the value"));
    assertFalse(Files.exists(disk), "a refused create must not leave a new image file behind");
  }

  @Test
  void createSizeTheFileSystemCannotHold_exit1NamesThePath_leavesNoFileBehind() {
    // 1 EiB passes the offset check; no ext4 or xfs file can be that large, tmpfs aside.
    Path disk = dir.resolve("huge.img");
    Result r = cairn("gpt", "create", "--size", "1048576T", disk.toString());
    assertEquals(1, r.code(), r.describe("expected exit 1 (I/O failure)"));
    assertEquals(1, r.errLines().size(), r.describe("expected exactly one line on stderr"));
    assertTrue(r.err().contains(disk + ": cannot make an image file of 1152921504606846976 bytes"),
        r.describe("names the path and the size"));
    assertFalse(Files.exists(disk), "a failed create must not leave a new image file behind");
  }

  @Test
  void addTries16_exit2OneLineNamesTries_fileUnchanged() throws IOException {
    assertRefused(smallDisk(), words("gpt add -i 3 -T 16"), "tries", "0-15", "16");
  }

  @Test
  void addSuccessful2_exit2OneLineNamesSuccessful_fileUnchanged() throws IOException {
    assertRefused(smallDisk(), words("gpt add -i 3 -S 2"), "successful", "0 or 1", "2");
  }

  @Test
  void showPartition99_exit2OneLineSaysItDoesNotExist_fileUnchanged() throws IOException {
    assertRefused(smallDisk(), words("gpt show -i 99 -P"), "partition 99", "does not exist");
  }

  @Test
  void addPriorityToPartition99_exit2OneLineSaysItDoesNotExist_fileUnchanged() throws IOException {
    assertRefused(smallDisk(), words("gpt add -i 99 -P 1"), "partition 99", "does not exist");
  }

  @Test
  void addUnknownTypeAlias_exit2OneLineNamesTheAlias_fileUnchanged() throws IOException {
    Result r = assertRefused(smallDisk(), words("gpt add -t no-such-alias"),
        "unknown partition type", "no-such-alias");
    assertTrue(r.err().contains("coreos-usr"), r.describe("the message lists the accepted aliases"));
  }

  @Test
  void createCoreosLayoutOn1GiBDisk_exit2OneLineSaysTheMinimum_fileUnchanged() throws IOException {
    Path disk = sparseImage(dir, "one-gib.img", GIB);
    // 2 MiB lead-in + 2370 MiB of fixed partitions + 1 GiB ROOT + backup GPT (33 sectors).
    long minimum = 2 * MIB + 2370 * MIB + GIB + 33 * 512;
    assertRefused(disk, words("gpt create --layout coreos"), "too small", "coreos", "at least",
        String.valueOf(minimum));
  }

  @Test
  void createCoreosLayoutOnSmallDiskWithEmptyGpt_exit2_existingGptUntouched() throws IOException {
    Path disk = sparseImage(dir, "small-gpt.img", 64 * MIB);
    cairnOk("gpt", "create", disk.toString());
    assertRefused(disk, words("gpt create --layout coreos"), "too small", "at least");
  }

  @Test
  void createCoreosLayoutWithSize1G_exit2OneLine_leavesNoFileBehind() {
    Path disk = dir.resolve("new.img");
    Result r = cairn("gpt", "create", "--layout", "coreos", "--size", "1G", disk.toString());
    assertEquals(2, r.code(), r.describe("expected exit 2 (bad input)"));
    assertEquals(1, r.errLines().size(), r.describe("expected exactly one line on stderr"));
    assertTrue(r.err().contains("too small") && r.err().contains("at least"), r.describe("names the minimum"));
    assertFalse(Files.exists(disk), "a refused create must not leave a new image file behind");
  }

  @Test
  void createWithSizeOfAnExistingFileOfOtherSize_exit2_fileUnchanged() throws IOException {
    Path disk = smallDisk();
    assertRefused(disk, words("gpt create --force --size 128M"), "exists with 67108864 bytes",
        "--size asks for 134217728");
  }

  @Test
  void addRequired2_exit2OneLineNamesTheFlag_fileUnchanged() throws IOException {
    assertRefused(smallDisk(), words("gpt add -i 3 -R 2"), "required must be 0 or 1, got 2");
  }

  @ParameterizedTest(name = "cairn {0} on a missing file")
  @ValueSource(strings = {"gpt show", "gpt add -i 3 -P 1", "gpt repair", "gpt next",
      "gpt prioritize -i 3"})
  void missingFile_exit1OneLine(String command) {
    Path missing = dir.resolve("no-such-disk.img");
    List<String> args = new ArrayList<>(words(command));
    args.add(missing.toString());
    Result r = cairn(args.toArray(String[]::new));
    assertEquals(1, r.code(), r.describe("expected exit 1 (failure)"));
    assertEquals(1, r.errLines().size(), r.describe("expected exactly one line on stderr"));
    assertTrue(r.err().contains(missing.toString()) && r.err().contains("no such file"),
        r.describe("stderr should name the missing file"));
    assertFalse(Files.exists(missing), "the missing disk must not be created");
  }
}
