package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompletionAndManTest {
  @TempDir Path dir;

  @Test
  void completion_isABashScriptCoveringTheWholeTree_evenTheAdminSubcommands() {
    String script = cairnOk("completion").out();
    assertTrue(script.startsWith("#!/usr/bin/env bash"), script.substring(0, 40));
    assertTrue(script.contains("complete -F _complete_cairn"), "registers the completion function");
    assertTrue(script.contains("_picocli_cairn_admin_group_update"), "reaches cairn admin group update");
    assertTrue(script.contains("--office-hours"), "knows the policy flags");
    assertTrue(script.contains("_picocli_cairn_gpt"), "and the other modules' commands");
  }

  @Test
  void man_writesOneRoffPagePerCommand() throws Exception {
    Path out = dir.resolve("man1");
    String said = cairnOk("man", out.toString()).text();
    assertTrue(said.startsWith("wrote ") && said.endsWith(" man pages to " + out), said);
    for (String page : new String[] {"cairn.1", "cairn-admin.1", "cairn-admin-group-update.1", "cairn-gpt-show.1",
        "cairn-completion.1", "cairn-man.1"}) {
      assertTrue(Files.isRegularFile(out.resolve(page)), page);
    }
    String update = Files.readString(out.resolve("cairn-admin-group-update.1"));
    assertTrue(update.startsWith(".TH \"CAIRN-ADMIN-GROUP-UPDATE\" \"1\""), update);
    assertTrue(update.contains(".SH NAME\ncairn\\-admin\\-group\\-update \\- Change a group's channel or policy"), update);
    assertTrue(update.contains("\\fB\\-\\-office\\-hours\\fR \\fI\"DAYS HH:MM\\-HH:MM ZONE\"\\fR\n"), update);
    assertTrue(update.contains("\\fB\\-\\-[no\\-]allow\\-downgrade\\fR\n"), update);
    assertTrue(update.contains(".SH SEE ALSO\n\\fBcairn\\-admin\\-group\\fR(1)"), update);
    String admin = Files.readString(out.resolve("cairn-admin.1"));
    assertTrue(admin.contains(".TP\n\\fBrollout\\fR\n"), admin);
    for (String line : admin.split("\n")) {
      assertTrue(!line.startsWith(".") || line.matches("\\.(TH|SH|TP|PP|nf|fi)\\b.*"), "no stray request: " + line);
    }
  }

  @Test
  void man_intoAFile_isBadInput() throws Exception {
    Path file = Files.createFile(dir.resolve("f"));
    CliHarness.Result r = cairn("man", file.toString());
    assertEquals(2, r.code());
    assertEquals("cairn man: " + file + ": not a directory", r.err().strip());
  }
}
