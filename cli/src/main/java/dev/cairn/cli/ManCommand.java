package dev.cairn.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn man DIR}: one man page per command, written into DIR. */
@Command(name = "man", mixinStandardHelpOptions = true,
    description = {"Write a man page (section 1, roff) for cairn and each of its commands into DIR.",
        "Install them with: cairn man /usr/local/share/man/man1"})
final class ManCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "Directory to write the pages to; created if missing.")
  Path dir;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + ": not a directory");
    }
    Map<String, String> pages = ManPages.render(Cairn.fullTree(), new Cairn.Version().getVersion()[0]);
    Files.createDirectories(dir);
    for (Map.Entry<String, String> page : pages.entrySet()) {
      Files.writeString(dir.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
    }
    spec.commandLine().getOut().println("wrote " + pages.size() + " man pages to " + dir);
    return 0;
  }
}
