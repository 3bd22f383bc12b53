package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real peer tools (cgpt, sgdisk) on image files with a C locale. A missing tool fails the
 * test: these checks only mean something against the real programs, which {@code ./test.sh}
 * installs.
 */
final class PeerTools {
  private PeerTools() {}

  /** What one run printed, and its exit code. */
  record Run(String command, int code, String out, String err) {
    String describe() {
      return "`" + command + "` exited " + code + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
  }

  static Run run(String tool, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(path(tool).toString());
    cmd.addAll(Arrays.asList(args));
    String shown = tool + " " + String.join(" ", args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LC_ALL", "C");
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      Path out = Files.createTempFile("peer", ".out");
      Path err = Files.createTempFile("peer", ".err");
      try {
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return fail("`" + shown + "` did not finish within 60 s");
        }
        return new Run(shown, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + shown, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path path(String tool) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(Arrays.asList(path.split(File.pathSeparator)));
    }
    dirs.addAll(List.of("/usr/sbin", "/sbin"));
    for (String dir : dirs) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, tool);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return fail("'" + tool + "' is not installed (looked on PATH, /usr/sbin and /sbin); run ./test.sh,"
        + " which installs the peer tools these checks compare against");
  }
}
