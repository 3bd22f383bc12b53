package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shared plumbing for the acceptance tests: runs {@code cairn} in-process and the real peer tools
 * (cgpt, sgdisk, gpg) as processes, with extra environment and standard input when asked,
 * capturing stdout, stderr and the exit code; makes and damages image files; hashes files; and
 * pulls partitions out of {@code cairn gpt show --json}.
 */
final class CliHarness {
  private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin");
  private static final long PEER_TIMEOUT_SECONDS = 60;

  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  private CliHarness() {}

  /** What one command did. */
  record Result(String command, int code, String out, String err) {
    /** Standard output without surrounding white space. */
    String text() {
      return out.strip();
    }

    /** Fails with everything the command printed unless it exited 0. */
    Result ok() {
      assertEquals(0, code, () -> describe("expected exit 0"));
      return this;
    }

    String describe(String what) {
      return what + " from `" + command + "`, got exit " + code + "\n--- stdout:\n" + out
          + "--- stderr:\n" + err;
    }

    /** The non-empty lines of stderr. */
    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  /** Runs {@code cairn ARGS} in-process through {@link Cairn#run}. */
  static Result cairn(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
      code = Cairn.run(args, o, e);
      o.flush();
      e.flush();
    }
    return new Result("cairn " + String.join(" ", args), code, out.toString(), err.toString());
  }

  /** Runs {@code cairn ARGS} and fails unless it exits 0. */
  static Result cairnOk(String... args) {
    return cairn(args).ok();
  }

  /**
   * The absolute path of a peer tool, looked up on PATH, /usr/sbin and /sbin. A missing tool
   * fails the test: these checks only mean something against the real programs.
   */
  static Path peerPath(String tool) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(Arrays.asList(path.split(java.io.File.pathSeparator)));
    }
    dirs.addAll(EXTRA_DIRS);
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, tool);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail("'" + tool + "' is not installed (looked on PATH, /usr/sbin and /sbin); "
        + "run ./test.sh, which installs the peer tools these acceptance tests compare against");
  }

  /** Runs a peer tool (cgpt, sgdisk) with a C locale and captures its output. */
  static Result peer(String tool, String... args) {
    return peer(Map.of(), null, tool, args);
  }

  /**
   * Runs a peer tool with a C locale plus {@code env} (GNUPGHOME, say), feeding it {@code stdin}
   * (its standard input is empty when null), and captures its output.
   */
  static Result peer(Map<String, String> env, byte[] stdin, String tool, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(peerPath(tool).toString());
    cmd.addAll(Arrays.asList(args));
    return run(cmd, env, stdin, tool + " " + String.join(" ", args));
  }

  /**
   * Runs {@code cairn ARGS} as a separate JVM on the test class path, with {@code env} added to its
   * environment: for what the in-process run cannot vary, such as CAIRN_KEY_PASSPHRASE.
   */
  static Result cairnProcess(Map<String, String> env, String... args) {
    return cairnProcess(List.of(), env, args);
  }

  /** Runs {@code cairn ARGS} as a separate JVM reading {@code stdin}. */
  static Result cairnProcessWithInput(byte[] stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Cairn.class.getName());
    cmd.addAll(Arrays.asList(args));
    return run(cmd, Map.of(), stdin, "cairn " + String.join(" ", args));
  }

  /** Runs {@code cairn ARGS} as a separate JVM started with {@code jvmOptions} (-Xmx128m, say). */
  static Result cairnProcess(List<String> jvmOptions, Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Cairn.class.getName());
    cmd.addAll(Arrays.asList(args));
    return run(cmd, env, null, "cairn " + String.join(" ", args));
  }

  private static Result run(List<String> cmd, Map<String, String> env, byte[] stdin, String shown) {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("LC_ALL", "C");
    pb.environment().putAll(env);
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    try {
      Process p = pb.start();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
      if (stdin != null) {
        CompletableFuture.runAsync(() -> feed(p.getOutputStream(), stdin));
      }
      if (!p.waitFor(PEER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return fail("`" + shown + "` did not finish within " + PEER_TIMEOUT_SECONDS + " s");
      }
      return new Result(shown, p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + shown, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code bytes} to a process's standard input and closes it. */
  private static void feed(java.io.OutputStream in, byte[] bytes) {
    try (in) {
      in.write(bytes);
    } catch (IOException e) {
      // the process closed its input before reading everything: its exit code tells the test
    }
  }

  /** Runs a peer tool and fails unless it exits 0. */
  static Result peerOk(String tool, String... args) {
    return peer(tool, args).ok();
  }

  private static String drain(InputStream in) {
    try (in) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether {@code sgdisk -v} finds nothing wrong. "No problems found" alone is not enough:
   * sgdisk silently rebuilds a damaged header in memory, prints that line, and reports the damage
   * as warnings (bad CRC, corrupt GPT) on stderr or above it.
   */
  static boolean sgdiskClean(Result verify) {
    String out = verify.out();
    return verify.code() == 0 && out.contains("No problems found") && verify.err().isBlank()
        && !out.contains("corrupt") && !out.contains("Problem") && !out.contains("CRC");
  }

  /** Asserts that {@code sgdisk -v} finds nothing wrong with the disk. */
  static void assertSgdiskClean(Path disk) {
    Result v = peer("sgdisk", "-v", disk.toString());
    if (!sgdiskClean(v)) {
      fail(v.describe("expected sgdisk -v to find no problems"));
    }
  }

  /** Asserts that {@code sgdisk -v} does see a problem (to prove a test really damaged the disk). */
  static void assertSgdiskSeesProblem(Path disk) {
    Result v = peer("sgdisk", "-v", disk.toString());
    if (sgdiskClean(v)) {
      fail(v.describe("expected sgdisk -v to notice the damage"));
    }
  }

  /** Asserts that {@code cgpt show} reads the disk without a warning about either copy. */
  static void assertCgptClean(Path disk) {
    Result r = peerOk("cgpt", "show", disk.toString());
    if (!r.err().isBlank()) {
      fail(r.describe("expected cgpt show to print no warning"));
    }
  }

  /** The fields of {@code sgdisk -i N}: "Partition GUID code", "First sector", ... as printed. */
  static Map<String, String> sgdiskInfo(Path disk, int number) {
    Result r = peerOk("sgdisk", "-i", String.valueOf(number), disk.toString());
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : r.out().lines().toList()) {
      int colon = line.indexOf(": ");
      if (colon > 0) {
        fields.put(line.substring(0, colon).trim(), line.substring(colon + 2).trim());
      }
    }
    return fields;
  }

  /** The leading number of an sgdisk value such as {@code 4096 (at 2.0 MiB)}. */
  static long leadingNumber(String value) {
    Matcher m = Pattern.compile("^(\\d+)").matcher(value);
    if (!m.find()) {
      fail("no number at the start of '" + value + "'");
    }
    return Long.parseLong(m.group(1));
  }

  /** The GUID at the start of an sgdisk value such as {@code C12A...93B (EFI system partition)}. */
  static String leadingGuid(String value) {
    return value.split(" ", 2)[0];
  }

  /** The last usable LBA as {@code sgdisk -p} reports it. */
  static long sgdiskLastUsable(Path disk) {
    Result r = peerOk("sgdisk", "-p", disk.toString());
    Matcher m = Pattern.compile("last usable sector is (\\d+)").matcher(r.out());
    if (!m.find()) {
      fail(r.describe("no 'last usable sector' line"));
    }
    return Long.parseLong(m.group(1));
  }

  /** A sparse image file of {@code bytes} zero bytes. */
  static Path sparseImage(Path dir, String name, long bytes) throws IOException {
    Path p = dir.resolve(name);
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return p;
  }

  /** Grows (sparsely) or shrinks an image file to {@code bytes}. */
  static void setLength(Path file, long bytes) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }

  /** Overwrites one 512-byte sector with zeros. */
  static void zeroSector(Path file, long lba) throws IOException {
    writeAt(file, lba * 512, new byte[512]);
  }

  /** Inverts every bit of the byte at {@code offset}. */
  static void flipByte(Path file, long offset) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.allocate(1);
      ch.read(b, offset);
      b.flip();
      byte flipped = (byte) ~b.get(0);
      ch.write(ByteBuffer.wrap(new byte[] {flipped}), offset);
    }
  }

  static void writeAt(Path file, long offset, byte[] data) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        ch.write(b, offset + b.position());
      }
    }
  }

  /** SHA-256 of the whole file, as lower-case hex. */
  static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (ch.read(b) >= 0) {
        b.flip();
        md.update(b);
        b.clear();
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * SHA-256 of the file's length and of its first and last {@code bytes} bytes: where a GPT and
   * its protective MBR live. For multi-GiB images, whose full hash would take seconds.
   */
  static String sha256OfEnds(Path file, long bytes) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      md.update(ByteBuffer.allocate(8).putLong(0, size));
      for (long start : new long[] {0, Math.max(0, size - bytes)}) {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(bytes, size));
        while (b.hasRemaining() && ch.read(b, start + b.position()) >= 0) {
          // keep reading
        }
        b.flip();
        md.update(b);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The text of the {@code "partitions": [...]} array of {@code show --json}. */
  static String jsonPartitionsBlock(String json) {
    int start = json.indexOf("\"partitions\"");
    if (start < 0) {
      fail("no \"partitions\" in JSON:\n" + json);
    }
    int open = json.indexOf('[', start);
    int close = json.lastIndexOf(']');
    return json.substring(open, close + 1);
  }

  private static final Pattern JSON_FIELD =
      Pattern.compile("\"([A-Za-z]+)\": (\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9]+|true|false)");

  /**
   * The partitions of {@code show --json}, keyed by number; each a map of field name to value
   * (strings unquoted). The format puts one partition object on each line.
   */
  static Map<Integer, Map<String, String>> jsonPartitions(String json) {
    Map<Integer, Map<String, String>> out = new LinkedHashMap<>();
    for (String line : jsonPartitionsBlock(json).lines().toList()) {
      if (!line.strip().startsWith("{")) {
        continue;
      }
      Map<String, String> fields = new LinkedHashMap<>();
      Matcher m = JSON_FIELD.matcher(line);
      while (m.find()) {
        fields.put(m.group(1), m.group(3) != null ? m.group(3) : m.group(2));
      }
      out.put(Integer.parseInt(fields.get("number")), fields);
    }
    return out;
  }
}
