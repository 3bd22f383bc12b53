package dev.cairn.install.disk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts files into an ext4 filesystem that starts at a byte offset of a disk or image file, with
 * e2fsprogs' {@code debugfs -w 'TARGET?offset=N'}: no mount, no loop device, no partition device
 * node, so it works the same on an image file, on a disk whose new table the kernel has not read
 * yet, and in a minimal installer environment. Every file written is read back and compared,
 * since debugfs reports a failed command on its output but still exits 0.
 */
public final class Ext4Files {
  private final String debugfs;

  public Ext4Files(String debugfs) {
    this.debugfs = debugfs;
  }

  public static Ext4Files system() {
    return new Ext4Files("debugfs");
  }

  /**
   * Writes {@code content} to {@code dir/name} (directories made as needed), owned by root with
   * {@code mode}, in the filesystem at byte {@code offset} of {@code target}; {@code what} names the
   * filesystem in messages ("ROOT (partition 9)").
   */
  public void put(Path target, long offset, String what, String dir, String name, byte[] content, int mode)
      throws IOException {
    String spec = target + "?offset=" + offset;
    Path tmp = Files.createTempFile("cairn-install-", ".data",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Path cmds = Files.createTempFile("cairn-install-", ".debugfs",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try {
      Files.write(tmp, content);
      List<String> lines = new ArrayList<>();
      StringBuilder sofar = new StringBuilder();
      for (String part : dir.split("/")) {
        if (part.isEmpty()) {
          continue;
        }
        sofar.append('/').append(part);
        lines.add("mkdir " + sofar);
      }
      String path = (dir.endsWith("/") ? dir : dir + "/") + name;
      lines.add("cd " + (dir.isEmpty() ? "/" : dir));
      lines.add("rm " + name);
      lines.add("write " + tmp + " " + name);
      lines.add(String.format("sif %s mode 0%o", name, 0100000 | mode));
      lines.add("sif " + name + " uid 0");
      lines.add("sif " + name + " gid 0");
      Files.write(cmds, lines, StandardCharsets.UTF_8);
      Result r = run(List.of(debugfs, "-w", "-f", cmds.toString(), spec));
      if (r.text().contains("Bad magic number") || r.text().contains("Could not open")) {
        throw new IOException(what + " at byte " + offset + " of " + target + " holds no ext4 filesystem debugfs can open");
      }
      Result back = run(List.of(debugfs, "-R", "cat " + path, spec));
      if (back.code() != 0 || !Arrays.equals(back.stdout(), content)) {
        throw new IOException("writing " + path + " into " + what + " of " + target + " failed: "
            + lastLine(r.text()));
      }
    } finally {
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(cmds);
    }
  }

  /** Reads a file back from the filesystem at {@code offset}, for checks and tests. */
  public byte[] cat(Path target, long offset, String path) throws IOException {
    Result r = run(List.of(debugfs, "-R", "cat " + path, target + "?offset=" + offset));
    if (r.code() != 0) {
      throw new IOException("debugfs could not read " + path + " from " + target + ": " + lastLine(r.text()));
    }
    return r.stdout();
  }

  private record Result(int code, byte[] stdout, String text) {}

  private static Result run(List<String> cmd) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(cmd).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + cmd.get(0) + " (e2fsprogs): " + e.getMessage(), e);
    }
    p.getOutputStream().close();
    byte[][] err = new byte[1][];
    Thread t = new Thread(() -> {
      try {
        err[0] = p.getErrorStream().readAllBytes();
      } catch (IOException e) {
        err[0] = new byte[0];
      }
    });
    t.start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(cmd.get(0) + " did not finish within 120 s");
      }
      t.join();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + cmd.get(0), e);
    }
    return new Result(p.exitValue(), out, new String(err[0], StandardCharsets.UTF_8) + new String(out, StandardCharsets.UTF_8));
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank() && !lines[i].startsWith("debugfs ")) {
        return lines[i].strip();
      }
    }
    return "no output";
  }
}
