package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.omaha.cli.ServeMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn serve} as its own process takes its limits from flags and cairn.yaml: a header
 * timeout and a limit per address given as flags, a body timeout in cairn.yaml, each cuts off
 * the client it is about, and each refusal is one line of its log.
 */
class ServeLimitsProcessTest {
  static final Duration HEADROOM = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  @Test
  @Timeout(90)
  void flagsAndCairnYaml_setTheLimitsOfTheRunningServer_andEachRefusalIsOneLogLine() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("cairn.yaml"), "body_timeout: 1s\n");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path err = dir.resolve("serve.err");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(),
        "--listen", "127.0.0.1:" + port, "--data-dir", data.toString(),
        "--header-timeout", "1s", "--max-connections-per-address", "3")
        .redirectError(err.toFile())
        .start();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      String listening = reader.submit(() -> {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("cairn serve: listening on")) {
            return line;
          }
        }
        return null;
      }).get(30, TimeUnit.SECONDS);
      if (listening == null) {
        fail("cairn serve ended without listening; stderr: " + Files.readString(err));
      }

      // Each of the three is answered once first, so the server has accepted all three before the fourth.
      String healthz = "GET /healthz HTTP/1.1\r\nHost: c\r\n\r\n";
      try (RawClient headers = RawClient.connect(port, "127.0.0.2");
          RawClient body = RawClient.connect(port, "127.0.0.2");
          RawClient third = RawClient.connect(port, "127.0.0.2")) {
        for (RawClient c : List.of(headers, body, third)) {
          assertTrue(c.send(healthz).answer().endsWith("\r\n\r\nok\n"));
        }
        try (RawClient fourth = RawClient.connect(port, "127.0.0.2")) {
          assertEquals("", fourth.untilClosed(HEADROOM), "the fourth connection from one address");
        }
        headers.send("POST /v1/update/ HTTP/1.1\r\nHost: c");
        body.send("POST /v1/update/ HTTP/1.1\r\nHost: c\r\nContent-Length: 100\r\n\r\n");
        assertEquals("", headers.untilClosed(HEADROOM), "headers that never end (--header-timeout)");
        assertEquals("", body.untilClosed(HEADROOM), "a body that never comes (body_timeout in cairn.yaml)");
      }
      List<String> refused = awaitLines(err, 2);
      assertTrue(refused.stream().anyMatch(l -> l.endsWith("INFO " + RefusalLog.class.getName() + ": refused connection"
          + " from 127.0.0.2: it has 3 open already (max_connections_per_address); closed at once")), refused.toString());
      assertTrue(refused.stream().anyMatch(l -> l.contains(": refused 127.0.0.2 POST /v1/update/: ")
          && l.contains("body") && l.contains("1 s; connection closed")), refused.toString());
      for (String l : refused) {
        assertTrue(l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ INFO .*"), "not one line of the log: " + l);
      }
    } finally {
      reader.shutdownNow();
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The lines of {@code err} that mention a refusal, once there are {@code n} (boundedly). */
  static List<String> awaitLines(Path err, int n) throws Exception {
    long deadline = System.nanoTime() + HEADROOM.toNanos();
    List<String> lines;
    do {
      lines = Files.readAllLines(err).stream().filter(l -> l.contains("refused")).toList();
      if (lines.size() >= n) {
        return lines;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return lines;
  }
}
