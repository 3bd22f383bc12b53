package dev.cairn.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code cairn serve} for machines to boot from: its own JVM, started with this module's
 * test class path (which holds the cli module), listening on {@code 127.0.0.1:PORT} with
 * {@code --public-url http://10.0.2.2:PORT}, the address a machine reaches it at through the
 * harness's forwarding ({@link BootServer}). Its output goes to a log file, kept after the run.
 *
 * <p>The port is chosen before the server starts ({@link #freePort()}), since the boot data
 * written into the data directory names it.
 */
final class CairnServe implements AutoCloseable {
  /** The cli's main class: run by name, so nothing here compiles against the cli module. */
  static final String MAIN = "dev.cairn.cli.Cairn";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BOOT_REQUESTS = Pattern.compile(
      "cairn_boot_requests_total\\{endpoint=\"([^\"]*)\",status=\"([0-9]+)\"} ([0-9.eE+]+)");

  private final Process process;
  private final Thread reaper;
  private final Path dataDir;
  private final Path log;
  private final BootServer bootServer;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private CairnServe(Process process, Path dataDir, Path log, int port) {
    this.process = process;
    this.reaper = new Thread(process::destroyForcibly, "cairn-serve-reaper");   // a killed build takes it along
    Runtime.getRuntime().addShutdownHook(reaper);
    this.dataDir = dataDir;
    this.log = log;
    this.bootServer = BootServer.at(port);
  }

  /** A port of 127.0.0.1 that was free a moment ago. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** What one {@code cairn} command printed (stdout and stderr together) and its exit code. */
  record Run(List<String> command, int code, String output) {
    String describe() {
      return String.join(" ", command) + " exited " + code + ":\n" + output;
    }
  }

  /** Runs {@code cairn ARGS} to its end (at most a minute) in its own JVM. */
  static Run cairn(String... args) throws IOException, InterruptedException {
    List<String> cmd = command(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(
        Path.of("/dev/null").toFile())).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + ": still running after 60 s");
    }
    return new Run(cmd, p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /**
   * Runs {@code cairn ARGS} in this JVM, through the cli's own entry point
   * {@code Cairn.run(String[], PrintWriter, PrintWriter)} (what {@code cairn} runs, found by name):
   * the same command line parsed and run the same way, without a JVM start each (about a second).
   * Its output is stdout, then stderr; the command recorded is {@code cairn ARGS}.
   */
  static Run cairnInProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
      Method run = Class.forName(MAIN).getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);
      code = (int) run.invoke(null, args, o, e);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot run " + MAIN + ".run: is the cli module on the test class path?", e);
    }
    List<String> cmd = new ArrayList<>(List.of("cairn"));
    cmd.addAll(List.of(args));
    return new Run(cmd, code, out + err.toString());
  }

  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), MAIN));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /**
   * Starts {@code cairn serve --listen 127.0.0.1:PORT --public-url http://10.0.2.2:PORT
   * --data-dir DIR}, its output to {@code log}, and waits until {@code /healthz} answers 200 (at
   * most a minute).
   *
   * @throws IOException with the log when the server ends or does not become healthy
   */
  static CairnServe start(Path dataDir, int port, Path log) throws IOException, InterruptedException {
    return start(dataDir, port, log, BootServer.at(port).guestBaseUrl());
  }

  /**
   * As {@link #start(Path, int, Path)}, with the URL the server gives out for its files: {@code
   * http://127.0.0.1:PORT} for clients on this host, such as an agent run with {@code --root}.
   */
  static CairnServe start(Path dataDir, int port, Path log, String publicUrl) throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder(command("serve", "--listen", "127.0.0.1:" + port, "--public-url", publicUrl,
        "--data-dir", dataDir.toString()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .start();
    CairnServe s = new CairnServe(p, dataDir, log, port);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    String last = "no answer";
    while (true) {
      try {
        HttpResponse<String> h = s.get("/healthz");
        if (h.statusCode() == 200) {
          return s;
        }
        last = h.statusCode() + " " + h.body().strip();
      } catch (IOException notYet) {
        last = notYet.toString();
      }
      if (!p.isAlive() || System.nanoTime() > deadline) {
        s.close();
        throw new IOException("cairn serve did not become healthy (" + (p.isAlive() ? "last /healthz: " + last
            : "exited " + p.exitValue()) + "); its log " + log + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  /** Where machines find it: {@code 127.0.0.1:PORT} on the host, {@code http://10.0.2.2:PORT} in a machine. */
  BootServer bootServer() {
    return bootServer;
  }

  Path dataDir() {
    return dataDir;
  }

  Path log() {
    return log;
  }

  /** The admin token {@code cairn serve} wrote on first start. */
  String adminToken() throws IOException {
    return Files.readString(dataDir.resolve("admin.token")).strip();
  }

  /** {@code GET PATH} on {@code 127.0.0.1:PORT}, with the admin token when {@code admin}. */
  HttpResponse<String> get(String path, boolean admin) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bootServer.hostPort() + path))
        .timeout(Duration.ofSeconds(10));
    if (admin) {
      b.header("Authorization", "Bearer " + adminToken());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return get(path, false);
  }

  /**
   * The machine inventory's record of {@code key} ({@code GET /api/v1/machines/KEY}) once it
   * satisfies {@code until}: the inventory is written just after each answer, so it is asked again
   * every 100 ms, for at most ten seconds.
   *
   * @throws IOException with the last answer when the record never satisfies {@code until}
   */
  JsonNode machine(String key, Predicate<JsonNode> until) throws IOException, InterruptedException {
    HttpResponse<String> r = null;
    for (int i = 0; i < 100; i++) {
      r = get("/api/v1/machines/" + key, true);
      if (r.statusCode() == 200 && until.test(JSON.readTree(r.body()))) {
        return JSON.readTree(r.body());
      }
      Thread.sleep(100);
    }
    throw new IOException("GET /api/v1/machines/" + key + ": after 10 s still " + r.statusCode() + " " + r.body());
  }

  /**
   * The boot server's requests so far, from {@code /metrics}: {@code cairn_boot_requests_total} as
   * {@code "ENDPOINT STATUS"} to its count, such as {@code "/ipxe 200" -> 1}.
   */
  Map<String, Long> bootRequests() throws IOException, InterruptedException {
    HttpResponse<String> m = get("/metrics");
    if (m.statusCode() != 200) {
      throw new IOException("GET /metrics: " + m.statusCode() + " " + m.body());
    }
    Map<String, Long> out = new TreeMap<>();
    Matcher x = BOOT_REQUESTS.matcher(m.body());
    while (x.find()) {
      out.put(x.group(1) + " " + x.group(2), (long) Double.parseDouble(x.group(3)));
    }
    return out;
  }

  /** Kills the server outright ({@code kill -9}): no shutdown, connections cut as they are. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Stops the server (SIGTERM, then SIGKILL after 20 s); its log stays. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs anyway
    }
  }
}
