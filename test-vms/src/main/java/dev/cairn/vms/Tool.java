package dev.cairn.vms;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool to its end: the program found as {@link Qemu} finds its own (on {@code PATH},
 * then in the sbin and bin folders), standard input empty, standard output and error kept together.
 *
 * @param program the command, such as {@code mke2fs}
 * @param debianPackage the Debian package that has it, named when it is missing
 */
record Tool(String program, String debianPackage) {
  static final Tool MKE2FS = new Tool("mke2fs", "e2fsprogs");
  static final Tool MFORMAT = new Tool("mformat", "mtools");
  static final Tool MCOPY = new Tool("mcopy", "mtools");
  static final Tool GRUB_MKIMAGE = new Tool("grub-mkimage", "grub-common");
  static final Tool CGPT = new Tool("cgpt", "cgpt");
  static final Tool BZIP2 = new Tool("bzip2", "bzip2");
  static final Tool GPG = new Tool("gpg", "gnupg");
  static final Tool GPGCONF = new Tool("gpgconf", "gnupg");

  /** How long one run may take; every tool here finishes in well under a second on these small files. */
  private static final long BOUND_SECONDS = 120;

  /** Runs the tool with {@code args}; its output (stdout and stderr together) on success. */
  String run(Map<String, String> env, List<String> args) throws IOException {
    return run(env, args, null);
  }

  String run(List<String> args) throws IOException {
    return run(Map.of(), args, null);
  }

  /**
   * Runs the tool with {@code args}, its standard output into {@code stdout} when that is not null
   * (and its standard error returned); otherwise both returned.
   *
   * @throws IOException naming the command, its exit code and what it printed when it fails, or
   *     the Debian package when the tool is not installed
   */
  String run(Map<String, String> env, List<String> args, Path stdout) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Qemu.onPath(program, debianPackage).toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().putAll(env);
    if (stdout != null) {
      pb.redirectOutput(stdout.toFile());
    } else {
      pb.redirectErrorStream(true);
    }
    Process p = pb.start();
    String out;
    try (InputStream in = stdout != null ? p.getErrorStream() : p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (!p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": still running after " + BOUND_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", cmd) + ": interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + (out.isBlank() ? "" : ": " + out.strip()));
    }
    return out;
  }
}
