package dev.cairn.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real tool (sgdisk, cgpt, mke2fs, debugfs) and returns its exit code and output. */
public final class Sh {
  public record Result(int code, String out) {}

  private Sh() {}

  public static Result run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish");
    }
    return new Result(p.exitValue(), out);
  }

  /** Runs {@code cmd} and fails unless it exits 0. */
  public static String ok(String... cmd) throws IOException, InterruptedException {
    Result r = run(cmd);
    if (r.code() != 0) {
      throw new AssertionError(String.join(" ", cmd) + " exited " + r.code() + ":\n" + r.out());
    }
    return r.out();
  }
}
