package dev.cairn.pxe.cli;

import dev.cairn.pxe.BootCheck;
import dev.cairn.pxe.Finding;
import dev.cairn.pxe.files.BootFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cairn boot check}: the checks {@code cairn serve} runs when it loads the boot data, run
 * offline, with one line per finding ({@code FILE:LINE: reason}, the file relative to the data
 * directory). Exit 0 without findings, 1 with findings, 2 when there is no boot data to check.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {"Check the boot data (profiles, groups, templates, assets) as the server does when it loads it.",
        "Prints FILE:LINE: reason for each finding; exits 0 when there are none, 1 when there are."})
public final class BootCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "cairn-data",
      description = "The data directory whose boot/ folder is checked (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Override
  public Integer call() throws IOException {
    BootCheck.Checked c = BootFiles.check(dataDir);
    PrintWriter out = spec.commandLine().getOut();
    for (Finding f : c.findings()) {
      out.println(f);
    }
    if (c.clean()) {
      out.println(dataDir.resolve("boot") + ": " + c.data().summary() + "; no findings");
    }
    out.flush();
    return c.clean() ? 0 : 1;
  }
}
