package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.cli.ServeMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn serve} as its own process, wired as the cli wires it: /metrics has the JVM's and the process's metrics too. */
class ServeMetricsProcessTest {
  @TempDir
  Path dir;

  @Test
  @Timeout(60)
  void serve_metrics_haveJvmMemoryGcThreadAndProcessMetrics_besideCairns() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path err = dir.resolve("serve.err");
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), ServeMain.class.getName(),
        "--listen", "127.0.0.1:" + port, "--data-dir", dir.resolve("data").toString())
        .redirectError(err.toFile()).start();
    try {
      String listening = CompletableFuture.supplyAsync(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("cairn serve: listening on")) {
              return line;
            }
          }
          return null;
        } catch (java.io.IOException e) {
          return null;
        }
      }).get(30, TimeUnit.SECONDS);
      assertNotNull(listening, () -> "cairn serve did not start: " + read(err));

      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + port);
      assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/healthz")).GET().build(),
          BodyHandlers.discarding()).statusCode());
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics"))
          .timeout(Duration.ofSeconds(10)).GET().build(), BodyHandlers.ofString(StandardCharsets.UTF_8));

      assertEquals(200, r.statusCode(), r.body());
      PrometheusText.Exposition m = PrometheusText.parse(r.body());
      assertEquals("counter", m.types().get("cairn_http_requests_total"), r.body());
      assertEquals("histogram", m.types().get("cairn_update_request_seconds"), r.body());
      assertTrue(m.value("jvm_memory_used_bytes", "area", "heap") > 0, r.body());
      assertEquals("gauge", m.types().get("jvm_threads_current"), r.body());
      assertTrue(m.value("jvm_threads_current") > 0, r.body());
      assertEquals("summary", m.types().get("jvm_gc_collection_seconds"), r.body());
      assertEquals("counter", m.types().get("process_cpu_seconds_total"), r.body());
      assertTrue(m.value("process_cpu_seconds_total") > 0, r.body());
      assertTrue(m.value("process_open_fds") > 0, r.body());
    } finally {
      p.destroy();
      if (!p.waitFor(15, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
