package dev.cairn.omaha.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters and a latency histogram, written in the Prometheus text format. */
public final class Metrics {
  private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};

  private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> verdicts = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> events = new ConcurrentHashMap<>();
  private final LongAdder[] latency = new LongAdder[BUCKETS.length + 1];
  private final LongAdder latencyCount = new LongAdder();
  private final LongAdder latencyMicros = new LongAdder();

  public Metrics() {
    for (int i = 0; i < latency.length; i++) {
      latency[i] = new LongAdder();
    }
  }

  void request(String endpoint, int status) {
    requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new LongAdder()).increment();
  }

  void verdict(String verdict) {
    String kind = verdict.startsWith("hold:") ? "hold" : verdict;
    String reason = verdict.startsWith("hold:") ? verdict.substring(5) : "";
    verdicts.computeIfAbsent("verdict=\"" + kind + "\",reason=\"" + reason + "\"", k -> new LongAdder()).increment();
  }

  void event(int type, int result) {
    events.computeIfAbsent("type=\"" + type + "\",result=\"" + result + "\"", k -> new LongAdder()).increment();
  }

  void latency(long nanos) {
    double seconds = nanos / 1e9;
    int i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) {
      i++;
    }
    latency[i].increment();
    latencyCount.increment();
    latencyMicros.add(nanos / 1000);
  }

  public String render() {
    StringBuilder b = new StringBuilder();
    b.append("# HELP cairn_http_requests_total HTTP requests by endpoint and status.\n# TYPE cairn_http_requests_total counter\n");
    requests.forEach((k, v) -> b.append("cairn_http_requests_total{").append(k).append("} ").append(v.sum()).append('\n'));
    b.append("# HELP cairn_update_checks_total Update checks by verdict (granted, regranted, hold with reason, unknown-app).\n")
        .append("# TYPE cairn_update_checks_total counter\n");
    verdicts.forEach((k, v) -> b.append("cairn_update_checks_total{").append(k).append("} ").append(v.sum()).append('\n'));
    b.append("# HELP cairn_events_total Omaha events by type and result.\n# TYPE cairn_events_total counter\n");
    events.forEach((k, v) -> b.append("cairn_events_total{").append(k).append("} ").append(v.sum()).append('\n'));
    b.append("# HELP cairn_update_request_seconds Latency of POST /v1/update/.\n# TYPE cairn_update_request_seconds histogram\n");
    long cumulative = 0;
    for (int i = 0; i < BUCKETS.length; i++) {
      cumulative += latency[i].sum();
      b.append("cairn_update_request_seconds_bucket{le=\"").append(BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
    }
    cumulative += latency[BUCKETS.length].sum();
    b.append("cairn_update_request_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
    b.append("cairn_update_request_seconds_sum ").append(latencyMicros.sum() / 1e6).append('\n');
    b.append("cairn_update_request_seconds_count ").append(latencyCount.sum()).append('\n');
    return b.toString();
  }
}
