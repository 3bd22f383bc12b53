package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /healthz follows the database; /metrics counts verdicts and times the update endpoint, with label
 * values from fixed sets, in the text format the scraper asks for.
 */
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
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
    PrometheusText.Exposition m = PrometheusText.parse(r.body());
    assertEquals(1.0, m.value("cairn_update_checks_total", "verdict", "granted", "reason", ""), r.body());
    assertEquals(1.0, m.value("cairn_update_checks_total", "verdict", "hold", "reason", "UP_TO_DATE"), r.body());
    assertEquals(2.0, m.value("cairn_events_total", "type", "3", "result", "2"), r.body());
    assertEquals(2.0, m.value("cairn_http_requests_total", "endpoint", "/v1/update/", "status", "200"), r.body());
    assertEquals(1.0, m.value("cairn_http_requests_total", "endpoint", "/v1/update/", "status", "400"), r.body());
    assertEquals("histogram", m.types().get("cairn_update_request_seconds"));
    assertEquals(3.0, m.value("cairn_update_request_seconds_bucket", "le", "+Inf"), r.body());
    assertEquals(3.0, m.value("cairn_update_request_seconds_count"), r.body());
    assertTrue(m.value("cairn_update_request_seconds_sum") > 0, r.body());
    assertEquals(12, m.series("cairn_update_request_seconds_bucket").size(), r.body());
    // the parser checked the buckets are cumulative and end at +Inf with the count
  }

  @Test
  void eventFlood_of500MadeUpEventTypes_addsOneOtherSeries_notFiveHundred() {
    for (int i = 0; i < 500; i++) {
      HttpResponse<String> r = server.omaha(TestServer.event(String.format("%032x", i), "3510.2.1", 1000 + i, 1));
      assertEquals(200, r.statusCode(), r.body());
    }
    server.omaha(TestServer.event(String.format("%032x", 500), "3510.2.1", 800, 1));
    server.omaha(TestServer.event(String.format("%032x", 501), "3510.2.1", 13, 77));

    PrometheusText.Exposition m = PrometheusText.parse(get("/metrics").body());

    assertEquals(3, m.series("cairn_events_total").size(), "series of cairn_events_total");
    assertEquals(Set.of(PrometheusText.Series.of("cairn_events_total", "type", "other", "result", "1"),
        PrometheusText.Series.of("cairn_events_total", "type", "800", "result", "1"),
        PrometheusText.Series.of("cairn_events_total", "type", "13", "result", "other")),
        Set.copyOf(m.series("cairn_events_total")));
    assertEquals(500.0, m.value("cairn_events_total", "type", "other", "result", "1"));
  }

  @Test
  void requestCount_forAnEndpointOrStatusOutsideTheFixedSets_isOther() {
    server.metrics.request("/v1/update/?" + "x".repeat(100), 200);
    server.metrics.request("/healthz", 1_000);

    PrometheusText.Exposition m = PrometheusText.parse(get("/metrics").body());

    assertEquals(1.0, m.value("cairn_http_requests_total", "endpoint", "other", "status", "200"));
    assertEquals(1.0, m.value("cairn_http_requests_total", "endpoint", "/healthz", "status", "other"));
  }

  @Test
  void metrics_askedForOpenMetrics_answerOpenMetricsText_endingInEof() {
    server.omaha(TestServer.check("0123456789abcdef0123456789abcdef", "3510.2.1", "stable"));

    HttpResponse<String> r = server.send(server.request("/metrics")
        .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET());

    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text; version=1.0.0"),
        r.headers().map().toString());
    assertTrue(r.body().endsWith("# EOF\n"), r.body());
    assertTrue(r.body().lines().anyMatch(l -> l.startsWith("cairn_events_total{result=\"2\",type=\"3\"} 1")), r.body());
  }

  @Test
  void metrics_askedForProtocolBuffersFirst_answerTheTextFormatTheClientAlsoTakes() {
    HttpResponse<String> r = server.send(server.request("/metrics").header("Accept",
        "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.9,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1").GET());

    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
    PrometheusText.parse(r.body());
  }
}
