package dev.cairn.omaha.http;

import dev.cairn.omaha.cli.ServeMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** {@code cairn serve} as a child process of the test, on a free loopback port. */
record ServeChild(Process process, URI base, Path stderr) {
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts {@code cairn serve --data-dir data} with {@code args} and {@code env} added, its stderr
   * in {@code logs}/NAME.err, and waits (up to 30 s) for it to say it listens.
   */
  static ServeChild start(Path logs, String name, Path data, List<String> args, Map<String, String> env)
      throws IOException {
    int port = freePort();
    Path err = logs.resolve(name + ".err");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(),
        "--listen", "127.0.0.1:" + port, "--data-dir", data.toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(err.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    ServeChild child = new ServeChild(p, URI.create("http://127.0.0.1:" + port), err);
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<String> listening = reader.submit(() -> {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("cairn serve: listening on 127.0.0.1:" + port)) {
            return line;
          }
        }
        return null;
      });
      if (listening.get(30, TimeUnit.SECONDS) == null) {
        throw new IOException("cairn serve " + name + " ended without listening (exit " + p.waitFor() + "); stderr: "
            + child.stderrText());
      }
    } catch (Exception e) {
      p.destroyForcibly();
      throw e instanceof IOException io ? io : new IOException("cairn serve " + name + " did not start; stderr: "
          + child.stderrText(), e);
    } finally {
      reader.shutdownNow();
    }
    return child;
  }

  String stderrText() {
    try {
      return Files.readString(stderr);
    } catch (IOException e) {
      return "(stderr unreadable: " + e + ")";
    }
  }

  /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
