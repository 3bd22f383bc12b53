package dev.cairn.omaha.http;

import dev.cairn.omaha.Decision;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The update server's counters and latency histogram, registered in a registry the wiring hands
 * in (other servers of the same process register theirs there too), and {@code /metrics}, which
 * renders that whole registry.
 *
 * <p>Every label value comes from a fixed set, so that no request can add a series: machines
 * choose their event types and results, and anything update_engine does not send is counted as
 * {@code other}.
 */
public final class Metrics {
  /** The label value for whatever is not in a label's fixed set. */
  static final String OTHER = "other";

  /**
   * The event types update_engine sends: 0 unknown, 1 download complete, 2 install complete,
   * 3 update complete, 13 download started, 14 download finished, 54 rebooted after update
   * (Chromium OS), 800 update installed (Flatcar).
   */
  static final Set<Integer> EVENT_TYPES = Set.of(0, 1, 2, 3, 13, 14, 54, 800);

  /** The event results update_engine sends: 0 error, 1 success, 2 success, reboot pending, 9 update deferred. */
  static final Set<Integer> EVENT_RESULTS = Set.of(0, 1, 2, 9);

  /** The endpoints the server counts requests of. */
  static final Set<String> ENDPOINTS = Set.of("/v1/update/", "/healthz", "/api/v1/");

  static final Set<String> VERDICTS = Set.of("granted", "regranted", "hold", "unknown-app");
  static final Set<String> HOLD_REASONS = Arrays.stream(Decision.Hold.values()).map(Enum::name)
      .collect(Collectors.toUnmodifiableSet());

  private static final double[] BUCKETS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5};

  private final PrometheusRegistry registry;
  private final ExpositionFormats formats = ExpositionFormats.init();
  private final Counter requests;
  private final Counter verdicts;
  private final Counter events;
  private final Histogram latency;
  private final Counter fleetLock;

  /** The reboot lock's operations and outcomes (FleetLockApi). */
  static final Set<String> FLEETLOCK_OPERATIONS = Set.of("pre-reboot", "steady-state");
  static final Set<String> FLEETLOCK_OUTCOMES = Set.of("taken", "already_held", "failed_lock", "released", "not_held",
      "unknown_group", "bad_request", "method_not_allowed", "unavailable");

  /** Registers the update server's metrics in {@code registry}; {@link #scrape} renders all of it. */
  public Metrics(PrometheusRegistry registry) {
    this.registry = registry;
    this.requests = Counter.builder().name("cairn_http_requests")
        .help("HTTP requests by endpoint and status.")
        .labelNames("endpoint", "status").register(registry);
    this.verdicts = Counter.builder().name("cairn_update_checks")
        .help("Update checks by verdict (granted, regranted, hold with reason, unknown-app).")
        .labelNames("verdict", "reason").register(registry);
    this.events = Counter.builder().name("cairn_events")
        .help("Omaha events by type and result; types and results update_engine does not send are other.")
        .labelNames("type", "result").register(registry);
    this.latency = Histogram.builder().name("cairn_update_request_seconds")
        .help("Latency of POST /v1/update/.")
        .classicOnly().classicUpperBounds(BUCKETS).register(registry);
    this.fleetLock = Counter.builder().name("cairn_fleetlock_requests")
        .help("Reboot lock (FleetLock) requests by operation and outcome: taken, already_held, failed_lock (every"
            + " slot taken), released, not_held, and the refusals.")
        .labelNames("operation", "outcome").register(registry);
  }

  void fleetLock(String operation, String outcome) {
    fleetLock.labelValues(FLEETLOCK_OPERATIONS.contains(operation) ? operation : OTHER,
        FLEETLOCK_OUTCOMES.contains(outcome) ? outcome : OTHER).inc();
  }

  void request(String endpoint, int status) {
    requests.labelValues(ENDPOINTS.contains(endpoint) ? endpoint : OTHER,
        status >= 100 && status <= 599 ? Integer.toString(status) : OTHER).inc();
  }

  /** {@code granted}, {@code regranted}, {@code unknown-app} or {@code hold:REASON}. */
  void verdict(String verdict) {
    boolean hold = verdict.startsWith("hold:");
    String kind = hold ? "hold" : verdict;
    String reason = hold ? verdict.substring(5) : "";
    verdicts.labelValues(VERDICTS.contains(kind) ? kind : OTHER,
        reason.isEmpty() || HOLD_REASONS.contains(reason) ? reason : OTHER).inc();
  }

  void event(int type, int result) {
    events.labelValues(EVENT_TYPES.contains(type) ? Integer.toString(type) : OTHER,
        EVENT_RESULTS.contains(result) ? Integer.toString(result) : OTHER).inc();
  }

  void latency(long nanos) {
    latency.observe(nanos / 1e9);
  }

  /** A rendering of the registry: its content type and bytes. */
  public record Scrape(String contentType, byte[] body) {}

  /**
   * The whole registry in the format {@code accept} (an HTTP Accept header, or null) asks for, as
   * the Prometheus client negotiates it: OpenMetrics text when asked for, else the Prometheus
   * text format 0.0.4. Protocol buffers are not offered.
   */
  public Scrape scrape(String accept) {
    ExpositionFormatWriter writer = formats.findWriter(accept);
    if (!writer.isAvailable()) {    // protocol buffers, asked for first: the next best the client accepts
      writer = formats.getOpenMetricsTextFormatWriter().accepts(accept) ? formats.getOpenMetricsTextFormatWriter()
          : formats.getPrometheusTextFormatWriter();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, registry.scrape(), EscapingScheme.fromAcceptHeader(accept));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Scrape(writer.getContentType(), out.toByteArray());
  }
}
