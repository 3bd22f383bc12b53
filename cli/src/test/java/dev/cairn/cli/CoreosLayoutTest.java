package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.GIB;
import static dev.cairn.cli.CliHarness.assertSgdiskClean;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.leadingGuid;
import static dev.cairn.cli.CliHarness.leadingNumber;
import static dev.cairn.cli.CliHarness.peerOk;
import static dev.cairn.cli.CliHarness.sgdiskInfo;
import static dev.cairn.cli.CliHarness.sgdiskLastUsable;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code cairn gpt create --layout coreos} on an 8 GiB sparse image, checked only through the real
 * sgdisk and cgpt. The disk is made once; every test here only reads it.
 */
class CoreosLayoutTest {
  @TempDir static Path dir;
  static Path disk;

  @BeforeAll
  static void createCoreosDisk() throws IOException {
    disk = sparseImage(dir, "coreos.img", 8 * GIB);
    cairnOk("gpt", "create", "--layout", "coreos", disk.toString());
  }

  @Test
  void coreosLayout_passesSgdiskVerify() {
    assertSgdiskClean(disk);
  }

  @Test
  void coreosLayout_usrAHasCgptAttributes0x101() {
    assertEquals("0x101", peerOk("cgpt", "show", "-i", "3", "-A", disk.toString()).text());
  }

  @ParameterizedTest(name = "partition {0} is labelled {1}")
  @CsvSource({"1, EFI-SYSTEM", "2, BIOS-BOOT", "3, USR-A", "4, USR-B", "6, OEM", "7, OEM-CONFIG",
      "9, ROOT"})
  void coreosLayout_cgptReadsEveryLabel(int number, String label) {
    assertEquals(label, peerOk("cgpt", "show", "-i", String.valueOf(number), "-l", disk.toString()).text());
  }

  @ParameterizedTest(name = "partition {0} has type {1}")
  @CsvSource({
    "1, C12A7328-F81F-11D2-BA4B-00A0C93EC93B",
    "2, 21686148-6449-6E6F-744E-656564454649",
    "3, 5DFBF5F4-2848-4BAC-AA5E-0D9A20B745A6",
    "4, 5DFBF5F4-2848-4BAC-AA5E-0D9A20B745A6",
    "6, 0FC63DAF-8483-4772-8E79-3D69D8477DE4",
    "7, C95DC21A-DF0E-4340-8D7B-26CBFA9A03E0",
    "9, 3884DD41-8582-4404-B9A8-E9B84F2DF50E"
  })
  void coreosLayout_sgdiskSeesTypeGuidOfEverySlot(int number, String typeGuid) {
    assertEquals(typeGuid, leadingGuid(sgdiskInfo(disk, number).get("Partition GUID code")));
  }

  @Test
  void coreosLayout_sgdiskSeesStartsAndSizes() {
    int[] numbers = {1, 2, 3, 4, 6, 7};
    long[] sizes = {262144, 4096, 2097152, 2097152, 262144, 131072};
    long expectedStart = 4096;
    for (int k = 0; k < numbers.length; k++) {
      Map<String, String> info = sgdiskInfo(disk, numbers[k]);
      assertEquals(expectedStart, leadingNumber(info.get("First sector")),
          "first sector of partition " + numbers[k]);
      assertEquals(sizes[k], leadingNumber(info.get("Partition size")),
          "size of partition " + numbers[k]);
      expectedStart += sizes[k];
    }
    Map<String, String> root = sgdiskInfo(disk, 9);
    assertEquals(expectedStart, leadingNumber(root.get("First sector")), "ROOT starts after OEM-CONFIG");
    assertEquals(sgdiskLastUsable(disk), leadingNumber(root.get("Last sector")),
        "ROOT ends at the last usable LBA");
  }

  @Test
  void coreosLayout_leavesSlots5And8Empty() {
    String table = peerOk("sgdisk", "-p", disk.toString()).out();
    long rows = table.lines().filter(l -> l.matches("\\s+\\d+\\s+\\d+\\s+\\d+\\s+.*")).count();
    assertEquals(7, rows, "sgdisk lists seven partitions:\n" + table);
  }
}
