package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.GIB;
import static dev.cairn.cli.CliHarness.MIB;
import static dev.cairn.cli.CliHarness.assertSgdiskClean;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.jsonPartitions;
import static dev.cairn.cli.CliHarness.leadingGuid;
import static dev.cairn.cli.CliHarness.leadingNumber;
import static dev.cairn.cli.CliHarness.peerOk;
import static dev.cairn.cli.CliHarness.sgdiskInfo;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What cairn writes, cgpt and sgdisk read the same way, and the other way round: the A/B flags
 * (-P, -T, -S), the raw upper attribute bits (-A), and partitions made by sgdisk.
 */
class AttributeInteropTest {
  private static final String LONGEST_LABEL = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  @TempDir Path dir;
  Path disk;

  @BeforeEach
  void coreosDisk() throws IOException {
    disk = sparseImage(dir, "disk.img", 4 * GIB);
    cairnOk("gpt", "create", "--layout", "coreos", disk.toString());
  }

  private String cgptShow(int number, String flag) {
    return peerOk("cgpt", "show", "-i", String.valueOf(number), flag, disk.toString()).text();
  }

  private String cairnShow(int number, String flag) {
    return cairnOk("gpt", "show", "-i", String.valueOf(number), flag, disk.toString()).text();
  }

  @ParameterizedTest(name = "cairn add -i {0} -P {1} -T {2} -S {3}")
  @CsvSource({"3, 0, 0, 0", "3, 15, 15, 1", "4, 15, 0, 0", "4, 0, 15, 1", "3, 1, 0, 1",
      "4, 2, 1, 0", "4, 7, 9, 1", "3, 8, 3, 0"})
  void cairnAddPriorityTriesSuccessful_cgptReadsSameValues(int n, int p, int t, int s) {
    cairnOk("gpt", "add", "-i", "" + n, "-P", "" + p, "-T", "" + t, "-S", "" + s, disk.toString());
    assertEquals(String.valueOf(p), cgptShow(n, "-P"), "priority");
    assertEquals(String.valueOf(t), cgptShow(n, "-T"), "tries");
    assertEquals(String.valueOf(s), cgptShow(n, "-S"), "successful");
    assertSgdiskClean(disk);
  }

  @ParameterizedTest(name = "cgpt add -i {0} -P {1} -T {2} -S {3}")
  @CsvSource({"3, 0, 0, 0", "3, 15, 15, 1", "4, 15, 0, 0", "4, 0, 15, 1", "3, 1, 0, 1",
      "4, 2, 1, 0", "4, 7, 9, 1", "3, 8, 3, 0"})
  void cgptAddPriorityTriesSuccessful_cairnReadsSameValues(int n, int p, int t, int s) {
    peerOk("cgpt", "add", "-i", "" + n, "-P", "" + p, "-T", "" + t, "-S", "" + s, disk.toString());
    assertEquals(String.valueOf(p), cairnShow(n, "-P"), "priority");
    assertEquals(String.valueOf(t), cairnShow(n, "-T"), "tries");
    assertEquals(String.valueOf(s), cairnShow(n, "-S"), "successful");
  }

  @Test
  void cairnAddSingleField_leavesTheOtherFlagsAsCgptSetThem() {
    peerOk("cgpt", "add", "-i", "4", "-P", "6", "-T", "5", "-S", "1", disk.toString());
    cairnOk("gpt", "add", "-i", "4", "-T", "2", disk.toString());
    assertEquals("6", cgptShow(4, "-P"));
    assertEquals("2", cgptShow(4, "-T"));
    assertEquals("1", cgptShow(4, "-S"));
  }

  @ParameterizedTest(name = "cairn add -A {0}")
  @ValueSource(strings = {"0x101", "0x1f5", "0x8000", "0xffff", "0x1"})
  void cairnAddAttributeBits_cgptReadsSameBits(String bits) {
    cairnOk("gpt", "add", "-i", "4", "-A", bits, disk.toString());
    assertEquals(bits, cgptShow(4, "-A"));
  }

  @ParameterizedTest(name = "cgpt add -A {0}")
  @ValueSource(strings = {"0x101", "0x1f5", "0x8000", "0xffff", "0x1"})
  void cgptAddAttributeBits_cairnReadsSameBits(String bits) {
    peerOk("cgpt", "add", "-i", "4", "-A", bits, disk.toString());
    assertEquals(bits, cairnShow(4, "-A"));
  }

  @Test
  void attributeBitsZero_readAsZeroByBoth() {
    cairnOk("gpt", "add", "-i", "3", "-A", "0", disk.toString());
    assertEquals("0", cgptShow(3, "-A"));
    peerOk("cgpt", "add", "-i", "4", "-A", "0x101", disk.toString());
    peerOk("cgpt", "add", "-i", "4", "-A", "0", disk.toString());
    assertEquals("0", cairnShow(4, "-A"));
  }

  @Test
  void requiredAndLegacyBootFlags_readTheSameByCairnCgptAndSgdisk() {
    cairnOk("gpt", "add", "-i", "1", "-R", "1", "-B", "1", disk.toString());
    assertEquals("0000000000000005", sgdiskInfo(disk, 1).get("Attribute flags"));
    String cgpt = peerOk("cgpt", "show", "-i", "1", disk.toString()).text();
    assertTrue(cgpt.contains("required=1") && cgpt.contains("legacy_boot=1"), cgpt);
    peerOk("cgpt", "add", "-i", "6", "-B", "1", disk.toString());
    String json = cairnOk("gpt", "show", "--json", disk.toString()).text();
    assertEquals("0x0000000000000004", jsonPartitions(json).get(6).get("attributes"));
    cairnOk("gpt", "add", "-i", "1", "-R", "0", disk.toString());
    assertEquals("0000000000000004", sgdiskInfo(disk, 1).get("Attribute flags"));
  }

  @Test
  void cairnAddFlags_keepLowAttributeBitsSgdiskSet() {
    peerOk("sgdisk", "-A", "4:set:0", "-A", "4:set:2", disk.toString());
    cairnOk("gpt", "add", "-i", "4", "-P", "3", "-T", "2", "-S", "0", disk.toString());
    assertEquals("0023000000000005", sgdiskInfo(disk, 4).get("Attribute flags"));
  }

  /** A disk laid out by sgdisk alone: cairn must list exactly what sgdisk reports. */
  @Test
  void sgdiskPartitions_listedCorrectlyByCairnShow() throws IOException {
    Path s = sparseImage(dir, "sgdisk.img", 64 * MIB);
    peerOk("sgdisk", "-o",
        "-n", "1:2048:+8M", "-c", "1:alpha", "-t", "1:EF00",
        "-n", "2:0:+16M", "-c", "2:beta gamma", "-t", "2:8300",
        "-n", "3:0:+1M", "-c", "3:USR-A", "-t", "3:5DFBF5F4-2848-4BAC-AA5E-0D9A20B745A6",
        "-n", "4:0:+2M", "-c", "4:" + LONGEST_LABEL, "-t", "4:BC13C2FF-59E6-4262-A352-B275FD6F7172",
        "-n", "5:0:0", "-c", "5:last", "-t", "5:7F00",
        s.toString());
    Map<Integer, Map<String, String>> json =
        jsonPartitions(cairnOk("gpt", "show", "--json", s.toString()).out());
    assertEquals(List.of(1, 2, 3, 4, 5), List.copyOf(json.keySet()), "partition numbers");
    for (int n : json.keySet()) {
      Map<String, String> sg = sgdiskInfo(s, n);
      Map<String, String> j = json.get(n);
      String what = "partition " + n + " " + j;
      long first = leadingNumber(sg.get("First sector"));
      long last = leadingNumber(sg.get("Last sector"));
      long size = leadingNumber(sg.get("Partition size"));
      String name = sg.get("Partition name").replaceAll("^'|'$", "");
      String type = leadingGuid(sg.get("Partition GUID code"));
      String unique = sg.get("Partition unique GUID");

      assertEquals(String.valueOf(first), j.get("firstLba"), what);
      assertEquals(String.valueOf(last), j.get("lastLba"), what);
      assertEquals(String.valueOf(size), j.get("sizeLba"), what);
      assertEquals(name, j.get("label"), what);
      assertEquals(type, j.get("type"), what);
      assertEquals(unique, j.get("unique"), what);

      String num = String.valueOf(n);
      assertEquals(String.valueOf(first), cairnOk("gpt", "show", "-i", num, "-b", s.toString()).text());
      assertEquals(String.valueOf(size), cairnOk("gpt", "show", "-i", num, "-s", s.toString()).text());
      assertEquals(name, cairnOk("gpt", "show", "-i", num, "-l", s.toString()).text());
      assertEquals(type, cairnOk("gpt", "show", "-i", num, "-t", s.toString()).text());
      assertEquals(unique, cairnOk("gpt", "show", "-i", num, "-u", s.toString()).text());
    }
    assertEquals("alpha", json.get(1).get("label"));
    assertEquals("beta gamma", json.get(2).get("label"));
    assertEquals("2048", json.get(1).get("firstLba"));
    assertEquals("16384", json.get(1).get("sizeLba"));
    assertEquals("C12A7328-F81F-11D2-BA4B-00A0C93EC93B", json.get(1).get("type"));
    assertEquals("0FC63DAF-8483-4772-8E79-3D69D8477DE4", json.get(2).get("type"));
    assertEquals("FE3A2A5D-4F32-41A7-B725-ACCC3285A309", json.get(5).get("type"));
    assertEquals("chromeos-kernel", json.get(5).get("typeName"));
    assertEquals(LONGEST_LABEL, json.get(4).get("label"), "a label using all 36 UTF-16 units");
    assertEquals("BC13C2FF-59E6-4262-A352-B275FD6F7172", json.get(4).get("type"), "a type cairn has no name for");
    assertEquals("", json.get(4).get("typeName"));
    assertEquals("[]", jsonArray(cairnOk("gpt", "show", "--json", s.toString()).out(), "problems"),
        "cairn sees no problem with sgdisk's table");
  }

  private static String jsonArray(String json, String key) {
    int k = json.indexOf("\"" + key + "\"");
    return json.substring(json.indexOf('[', k), json.indexOf(']', k) + 1);
  }
}
