package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.MIB;
import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.peer;
import static dev.cairn.cli.CliHarness.peerOk;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code cairn gpt prioritize} against the real {@code cgpt prioritize}: two identical disks with
 * five chromeos-kernel partitions (the only type upstream cgpt reorders), the same options on
 * each, and the same attribute bits afterwards on every partition.
 */
class PrioritizeVsCgptTest {
  private static final String KERNEL = "FE3A2A5D-4F32-41A7-B725-ACCC3285A309";
  private static final String USR = "5DFBF5F4-2848-4BAC-AA5E-0D9A20B745A6";

  @TempDir static Path shared;
  static Path template;

  @TempDir Path dir;

  /** One sgdisk run for the whole class (sgdisk takes about a second per write). */
  @BeforeAll
  static void layOutKernelPartitions() throws IOException {
    template = sparseImage(shared, "template.img", 16 * MIB);
    List<String> args = new ArrayList<>(List.of("-o"));
    for (int i = 1; i <= 5; i++) {
      args.addAll(List.of("-n", i + ":0:+1M", "-t", i + ":" + KERNEL, "-c", i + ":KERN-" + i));
    }
    args.add(template.toString());
    peerOk("sgdisk", args.toArray(String[]::new));
  }

  /** A copy of the sgdisk layout, flags set by cgpt: kernel partitions 1-5 at {@code priorities}. */
  private Path kernelDisk(String name, int[] priorities) throws IOException {
    Path disk = dir.resolve(name);
    Files.copy(template, disk);
    for (int i = 1; i <= priorities.length; i++) {
      peerOk("cgpt", "add", "-i", "" + i, "-P", "" + priorities[i - 1], "-T", "" + (i % 3),
          "-S", "" + (i % 2), disk.toString());
    }
    return disk;
  }

  private static List<String> cgptBits(Path disk, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      out.add(peerOk("cgpt", "show", "-i", "" + i, "-A", disk.toString()).text());
    }
    return out;
  }

  private static List<Integer> priorities(Path disk, int count) {
    List<Integer> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      out.add(Integer.parseInt(peerOk("cgpt", "show", "-i", "" + i, "-P", disk.toString()).text()));
    }
    return out;
  }

  private static int[] parse(String priorities) {
    String[] parts = priorities.trim().split("\\s+");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Integer.parseInt(parts[i]);
    }
    return out;
  }

  @ParameterizedTest(name = "priorities [{0}], prioritize {1}")
  @CsvSource(delimiter = '|', value = {
    // The five cases from the acceptance list; cgpt gives 2,1,1,1,0 / 3,4,2,1,0 / 2,3,3,1,0 /
    // 3,2,2,1,4 / 3,2,2,1,0 for them.
    "5 3 3 1 0 | -P 2",
    "5 3 3 1 0 | -i 2",
    "5 3 3 1 0 | -i 2 -f",
    "5 3 3 1 0 | -i 5",
    "5 3 3 1 0 | ''",
    // More corners: a raised top, coalescing at 1, friends of priority 0, all equal, all zero.
    "5 3 3 1 0 | -P 15",
    "5 3 3 1 0 | -i 4 -P 3",
    "5 3 3 1 0 | -i 3 -P 1",
    "15 14 13 12 11 | -P 3",
    "15 14 13 12 11 | -i 5",
    "7 7 0 0 1 | -i 4 -f",
    "2 2 2 2 2 | -i 3",
    "0 0 0 0 0 | -i 3",
  })
  void prioritize_givesTheSamePrioritiesAsCgpt(String start, String options) throws IOException {
    int[] priorities = parse(start);
    Path viaCgpt = kernelDisk("cgpt.img", priorities);
    Path viaCairn = dir.resolve("cairn.img");
    Files.copy(viaCgpt, viaCairn);
    List<String> before = cgptBits(viaCgpt, priorities.length);
    assertEquals(before, cgptBits(viaCairn, priorities.length), "the two disks start identical");

    List<String> opts = options.isBlank() ? List.of() : List.of(options.trim().split(" "));
    List<String> cgptArgs = new ArrayList<>(List.of("prioritize"));
    cgptArgs.addAll(opts);
    cgptArgs.add(viaCgpt.toString());
    Result cgpt = peer("cgpt", cgptArgs.toArray(String[]::new));
    List<String> cairnArgs = new ArrayList<>(List.of("gpt", "prioritize"));
    cairnArgs.addAll(opts);
    cairnArgs.add(viaCairn.toString());
    Result cairn = cairn(cairnArgs.toArray(String[]::new));

    assertEquals(0, cgpt.code(), cgpt.describe("cgpt prioritize should succeed"));
    assertEquals(0, cairn.code(), cairn.describe("cairn prioritize should succeed"));
    assertEquals(priorities(viaCgpt, priorities.length), priorities(viaCairn, priorities.length),
        "priorities after prioritize " + options + " (left: cgpt, right: cairn)");
    assertEquals(cgptBits(viaCgpt, priorities.length), cgptBits(viaCairn, priorities.length),
        "all attribute bits (tries and successful untouched as cgpt leaves them)");
  }

  /**
   * A kernel disk that also holds two coreos-usr slots (6 and 7, at priorities 9 and 8): cgpt
   * renumbers the kernel partitions and leaves the USR slots alone, and so must cairn. Without
   * {@code -i}, cairn needs {@code --type chromeos-kernel} to know which set to renumber.
   */
  @ParameterizedTest(name = "with USR slots too: priorities [5 3 3 1 0], cgpt prioritize {0}")
  @CsvSource(delimiter = '|', value = {
    "-i 2       | -i 2",
    "-i 5 -P 4  | -i 5 -P 4",
    "-i 3 -f    | -i 3 -f",
    "''         | --type chromeos-kernel",
    "-P 2       | --type " + KERNEL + " -P 2",
  })
  void prioritize_onDiskWithUsrSlotsToo_renumbersKernelsOnly_asCgptDoes(String cgptOptions,
      String cairnOptions) throws IOException {
    Path viaCgpt = kernelDisk("cgpt.img", parse("5 3 3 1 0"));
    peerOk("sgdisk", "-n", "6:0:+1M", "-t", "6:" + USR, "-c", "6:USR-A",
        "-n", "7:0:+1M", "-t", "7:" + USR, "-c", "7:USR-B", viaCgpt.toString());
    peerOk("cgpt", "add", "-i", "6", "-P", "9", "-S", "1", viaCgpt.toString());
    peerOk("cgpt", "add", "-i", "7", "-P", "8", "-T", "1", viaCgpt.toString());
    Path viaCairn = dir.resolve("cairn.img");
    Files.copy(viaCgpt, viaCairn);

    List<String> cgptArgs = new ArrayList<>(List.of("prioritize"));
    cgptArgs.addAll(words(cgptOptions));
    cgptArgs.add(viaCgpt.toString());
    peerOk("cgpt", cgptArgs.toArray(String[]::new));
    List<String> cairnArgs = new ArrayList<>(List.of("gpt", "prioritize"));
    cairnArgs.addAll(words(cairnOptions));
    cairnArgs.add(viaCairn.toString());
    cairn(cairnArgs.toArray(String[]::new)).ok();

    assertEquals(cgptBits(viaCgpt, 7), cgptBits(viaCairn, 7),
        "bits of kernels 1-5 and USR slots 6-7 (left: cgpt " + cgptOptions + ", right: cairn " + cairnOptions + ")");
    assertEquals(List.of("0x109", "0x18"), cgptBits(viaCairn, 7).subList(5, 7), "USR slots untouched");
  }

  private static List<String> words(String options) {
    return options.isBlank() ? List.of() : List.of(options.trim().split("\\s+"));
  }

  @ParameterizedTest(name = "prioritize {0} changes something")
  @CsvSource({"-P 2", "-i 2", "-i 5"})
  void prioritize_isNotANoOpOnTheAcceptanceDisk(String options) throws IOException {
    // Guards the comparison above: the acceptance cases really do reorder.
    Path disk = kernelDisk("probe.img", parse("5 3 3 1 0"));
    List<String> args = new ArrayList<>(List.of("gpt", "prioritize"));
    args.addAll(List.of(options.split(" ")));
    args.add(disk.toString());
    cairn(args.toArray(String[]::new)).ok();
    assertNotEquals(List.of(5, 3, 3, 1, 0), priorities(disk, 5));
  }
}
