package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnProcessWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn cloud-config validate} and {@code render} through the command line. */
class CloudConfigCommandTest {
  @TempDir Path dir;

  static final String GOOD = """
      #cloud-config
      hostname: node-1
      coreos:
        update:
          reboot-strategy: etcd-lock
          group: stable
      """;

  static final String BAD = """
      #cloud-config
      coreos:
        update:
          reboot-strategy: sometimes
        units:
          - name: a.service
            comand: start
      """;

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void validate_goodFile_exit0_printsNothing() throws IOException {
    Result r = cairn("cloud-config", "validate", write("good.yaml", GOOD).toString());
    assertEquals(0, r.code(), r.describe("exit 0"));
    assertEquals("", r.out());
  }

  @Test
  void validate_badFile_exit1_textWithSourceLineAndCaret() throws IOException {
    Path bad = write("bad.yaml", BAD);
    Result r = cairn("cloud-config", "validate", bad.toString());
    assertEquals(1, r.code(), r.describe("exit 1"));
    String expected = bad + ":4:22: error: invalid value sometimes (expected best-effort, etcd-lock, reboot or off)\n"
        + "      reboot-strategy: sometimes\n"
        + "                       ^\n"
        + bad + ":7:7: warning: unrecognized key \"comand\" (did you mean \"command\"?)\n"
        + "        comand: start\n"
        + "        ^\n";
    assertEquals(expected, r.out());
  }

  @Test
  void validate_warningsOnly_exit0() throws IOException {
    Result r = cairn("cloud-config", "validate", write("warn.yaml", "#cloud-config\nhostnme: x\n").toString());
    assertEquals(0, r.code(), r.describe("warnings alone do not fail"));
    assertTrue(r.out().contains(":2:1: warning: unrecognized key \"hostnme\" (did you mean \"hostname\"?)"), r.out());
  }

  @Test
  void validate_json_isAnArrayOfFindingsFromEveryFile() throws IOException {
    Path good = write("good.yaml", GOOD);
    Path bad = write("bad.yaml", BAD);
    Result r = cairn("cloud-config", "validate", "--format", "json", good.toString(), bad.toString());
    assertEquals(1, r.code(), r.describe("exit 1"));
    assertEquals("[\n"
        + "  {\"file\": \"" + bad + "\", \"line\": 4, \"column\": 22, \"level\": \"error\", \"message\": "
        + "\"invalid value sometimes (expected best-effort, etcd-lock, reboot or off)\"},\n"
        + "  {\"file\": \"" + bad + "\", \"line\": 7, \"column\": 7, \"level\": \"warning\", \"message\": "
        + "\"unrecognized key \\\"comand\\\" (did you mean \\\"command\\\"?)\"}\n"
        + "]\n", r.out());
  }

  @Test
  void validate_unreadableFile_exit2_othersStillChecked() throws IOException {
    Path bad = write("bad.yaml", BAD);
    Result r = cairn("cloud-config", "validate", dir.resolve("missing.yaml").toString(), bad.toString());
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertTrue(r.err().contains("missing.yaml: cannot be read (no such file)"), r.describe("names the file"));
    assertTrue(r.out().contains("invalid value sometimes"), r.describe("the readable file is still checked"));
  }

  @Test
  void validate_stdin_isNamedStdin() {
    Result r = cairnProcessWithInput(BAD.getBytes(StandardCharsets.UTF_8), "cloud-config", "validate", "-");
    assertEquals(1, r.code(), r.describe("exit 1"));
    assertTrue(r.out().startsWith("<stdin>:4:22: error: invalid value sometimes"), r.describe("stdin"));
  }

  @Test
  void render_substitutesAndPrints_whenValid() throws IOException {
    Path t = write("t.yaml", "#cloud-config\nhostname: ${host}\ncoreos:\n  update:\n    group: $group\n"
        + "  etcd2:\n    advertise-client-urls: http://$private_ipv4:2379\n");
    Result r = cairn("cloud-config", "render", "--var", "host=node-9", "--var", "group=beta", t.toString());
    assertEquals(0, r.code(), r.describe("exit 0"));
    assertEquals("#cloud-config\nhostname: node-9\ncoreos:\n  update:\n    group: beta\n"
        + "  etcd2:\n    advertise-client-urls: http://$private_ipv4:2379\n", r.out());
  }

  @Test
  void render_invalidResult_printsNothingToStdout_exit1() throws IOException {
    Path t = write("t.yaml", "#cloud-config\ncoreos:\n  update:\n    reboot-strategy: $strategy\n");
    Result r = cairn("cloud-config", "render", "--var", "strategy=sometimes", t.toString());
    assertEquals(1, r.code(), r.describe("exit 1"));
    assertEquals("", r.out());
    assertTrue(r.err().contains(":4:22: error: invalid value sometimes"), r.describe("the report goes to stderr"));
  }

  @Test
  void render_badVar_exit2() throws IOException {
    Result r = cairn("cloud-config", "render", "--var", "novalue", write("t.yaml", GOOD).toString());
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertTrue(r.err().contains("--var 'novalue' is not KEY=VALUE"), r.describe("names the bad --var"));
  }
}
