package dev.cairn.pxe.http;

import dev.cairn.pxe.files.BootFiles;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The boot server's metrics, in the registry {@code cairn serve} renders at {@code /metrics}:
 * {@code cairn_boot_data_ok} (1 while the files on disk are the set served, 0 while a change with
 * findings or an unreadable folder is held back), {@code cairn_boot_data_reloads_total} by result
 * ({@code ok}, {@code findings}, {@code error}; the first load counts), and
 * {@code cairn_boot_requests_total} by endpoint and status. Every label value comes from a fixed
 * set, so no request can add a series.
 */
final class BootMetrics {
  static final Set<String> ENDPOINTS = Set.of("/boot.ipxe", "/ipxe", "/grub", "/cloud-config", "/metadata", "/assets/",
      "/installed");

  private final Counter requests;
  /** The series of each endpoint (as {@link #index} numbers them) and status (100-599, then other), made once. */
  private final AtomicReferenceArray<CounterDataPoint> series = new AtomicReferenceArray<>(8 * 501);

  BootMetrics(BootFiles files, PrometheusRegistry registry) {
    GaugeWithCallback.builder().name("cairn_boot_data_ok")
        .help("1 when the boot data files on disk are the set being served; 0 while a change with findings,"
            + " or an unreadable folder, is held back.")
        .callback(cb -> cb.call(files.ok() ? 1 : 0)).register(registry);
    CounterWithCallback.builder().name("cairn_boot_data_reloads")
        .help("Loads of the boot data (the first included) by result: ok (served), findings (held back), error"
            + " (not readable).")
        .labelNames("result")
        .callback(cb -> {
          for (BootFiles.Result r : BootFiles.Result.values()) {
            cb.call(files.reloads(r), r.name().toLowerCase(Locale.ROOT));
          }
        }).register(registry);
    this.requests = Counter.builder().name("cairn_boot_requests")
        .help("Boot server requests by endpoint and status.")
        .labelNames("endpoint", "status").register(registry);
  }

  void request(String endpoint, int status) {
    int e = index(endpoint);
    int s = status >= 100 && status <= 599 ? status - 100 : 500;
    int i = e * 501 + s;
    CounterDataPoint c = series.get(i);
    if (c == null) {
      c = requests.labelValues(e < 7 ? endpoint : "other", s < 500 ? Integer.toString(status) : "other");
      series.set(i, c);    // the registry gives the same series for the same labels: a race sets it twice
    }
    c.inc();
  }

  /** The endpoint's place among {@link #ENDPOINTS}; 7 for any other. */
  private static int index(String endpoint) {
    return switch (endpoint) {
      case "/boot.ipxe" -> 0;
      case "/ipxe" -> 1;
      case "/grub" -> 2;
      case "/cloud-config" -> 3;
      case "/metadata" -> 4;
      case "/assets/" -> 5;
      case "/installed" -> 6;
      default -> 7;
    };
  }
}
