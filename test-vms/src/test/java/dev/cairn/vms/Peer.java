package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a peer tool (sgdisk, cgpt, e2fsck, debugfs, gpg, ...) the way an operator would, for a test to check its verdict. */
final class Peer {
  private Peer() {
  }

  /** What the tool printed and its exit code. */
  record Result(List<String> command, int code, String out, String err) {
    String describe() {
      return String.join(" ", command) + " exited " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /** This result, after asserting exit 0. */
    Result ok() {
      assertEquals(0, code, this::describe);
      return this;
    }
  }

  static Result run(String... command) throws IOException, InterruptedException {
    return run(Map.of(), command);
  }

  /** Runs {@code command} with {@code env} added, standard input empty, for at most a minute. */
  static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, Qemu.onPath(command[0], "the one that has " + command[0]).toString());
    Path out = Files.createTempFile("peer-", ".out");
    Path err = Files.createTempFile("peer-", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": still running after 60 s");
      }
      return new Result(List.of(command), p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
          new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
