package dev.cairn.pxe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cairn boot check}: one line per finding, FILE:LINE: reason, exit 1; a summary and exit 0
 * when clean; no boot folder is bad usage (IllegalArgumentException, which cairn maps to exit 2).
 */
class BootCheckCommandTest {
  @TempDir Path dataDir;

  private record Run(int code, String out) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    CommandLine cmd = new CommandLine(new BootCheckCommand());
    cmd.setOut(new PrintWriter(out));
    int code = cmd.execute(args);
    return new Run(code, out.toString());
  }

  private void write(String file, String text) throws Exception {
    Path p = dataDir.resolve("boot").resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  @Test
  void cleanData_exits0_withASummary() throws Exception {
    write("profiles/p.yaml", "id: p\nboot:\n  kernel: https://example.com/vmlinuz\n");
    write("groups/g.yaml", "id: g\nprofile: p\n");
    Run r = run("--data-dir", dataDir.toString());
    assertEquals(0, r.code());
    assertEquals(dataDir.resolve("boot") + ": 1 profile, 1 group, 0 templates; no findings\n", r.out());
  }

  @Test
  void findings_oneLineEach_exit1() throws Exception {
    write("profiles/p.yaml", "id: p\nboot:\n  kernel: vmlinuz\ncloud_config: t\n");
    write("groups/g.yaml", "id: g\nprofile: q\n");
    Run r = run("--data-dir", dataDir.toString());
    assertEquals(1, r.code());
    assertEquals("""
        boot/groups/g.yaml:2: profile q does not exist
        boot/profiles/p.yaml:3: kernel vmlinuz is not a file in boot/assets/
        boot/profiles/p.yaml:4: cloud_config names template t, which does not exist (expected templates/t.yaml)
        """, r.out());
  }

  @Test
  void defaultDataDir_isCairnData() {
    BootCheckCommand c = new BootCheckCommand();
    new CommandLine(c).parseArgs();
    assertEquals(Path.of("cairn-data"), c.dataDir);
  }

  @Test
  void noBootFolder_isBadInput_notFindings() {
    BootCheckCommand c = new BootCheckCommand();
    new CommandLine(c).parseArgs("--data-dir", dataDir.resolve("nothing").toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::call);
    assertTrue(e.getMessage().startsWith(dataDir.resolve("nothing/boot") + ": no such directory"), e.getMessage());
    assertTrue(!Files.exists(dataDir.resolve("nothing")), "check wrote something");
  }

  @Test
  void theExampleAServerWrites_checksClean() throws Exception {
    dev.cairn.pxe.files.BootFiles.open(dataDir).close();
    Run r = run("--data-dir", dataDir.toString());
    assertEquals(0, r.code(), r.out());
  }
}
