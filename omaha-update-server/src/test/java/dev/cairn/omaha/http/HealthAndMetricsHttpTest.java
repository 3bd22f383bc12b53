package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /healthz follows the database; /metrics counts verdicts and times the update endpoint. */
class HealthAndMetricsHttpTest {
  @TempDir
  Path dir;

  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  HttpResponse<String> get(String path) {
    return server.send(server.request(path).GET());
  }

  @Test
  void healthz_withTheDatabaseOpen_is200Ok() {
    HttpResponse<String> r = get("/healthz");

    assertEquals(200, r.statusCode());
    assertEquals("ok\n", r.body());
  }

  @Test
  void healthz_afterTheStoreIsClosed_is503() {
    server.store.close();

    HttpResponse<String> r = get("/healthz");

    assertEquals(503, r.statusCode(), r.body());
    assertEquals("database unavailable\n", r.body());
  }

  @Test
  void updateCheck_afterTheStoreIsClosed_isA500_neverAnAnswer() {
    server.store.close();

    HttpResponse<String> r = server.omaha(TestServer.check("0123456789abcdef0123456789abcdef", "3510.2.1", "stable"));

    assertEquals(500, r.statusCode(), r.body());
    assertFalse(r.body().contains("<updatecheck"), r.body());
  }

  @Test
  void metrics_countTheGrant_andTimeEveryUpdateRequest() {
    server.release();
    String before = get("/metrics").body();
    assertFalse(before.contains("verdict=\"granted\""), before);

    server.omaha(TestServer.check("0123456789abcdef0123456789abcdef", "3510.2.1", "stable"));
    server.omaha(TestServer.check("fedcba9876543210fedcba9876543210", "3602.2.0", "stable"));
    server.omaha("<request protocol=\"2.0\"/>");
    HttpResponse<String> r = get("/metrics");

    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
    List<String> lines = r.body().lines().toList();
    assertTrue(lines.contains("cairn_update_checks_total{verdict=\"granted\",reason=\"\"} 1"), r.body());
    assertTrue(lines.contains("cairn_update_checks_total{verdict=\"hold\",reason=\"UP_TO_DATE\"} 1"), r.body());
    assertTrue(lines.contains("cairn_events_total{type=\"3\",result=\"2\"} 2"), r.body());
    assertTrue(lines.contains("cairn_http_requests_total{endpoint=\"/v1/update/\",status=\"200\"} 2"), r.body());
    assertTrue(lines.contains("cairn_http_requests_total{endpoint=\"/v1/update/\",status=\"400\"} 1"), r.body());
    assertTrue(lines.contains("# TYPE cairn_update_request_seconds histogram"), r.body());
    assertTrue(lines.contains("cairn_update_request_seconds_bucket{le=\"+Inf\"} 3"), r.body());
    assertTrue(lines.contains("cairn_update_request_seconds_count 3"), r.body());
    assertTrue(lines.stream().anyMatch(l -> l.matches("cairn_update_request_seconds_sum [0-9.E-]+")), r.body());
    // cumulative buckets never decrease
    long last = 0;
    for (String l : lines) {
      if (l.startsWith("cairn_update_request_seconds_bucket")) {
        long n = Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
        assertTrue(n >= last, l);
        last = n;
      }
    }
  }
}
