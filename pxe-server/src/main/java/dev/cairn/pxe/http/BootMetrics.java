package dev.cairn.pxe.http;

import dev.cairn.pxe.files.BootFiles;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.Set;

/**
 * The boot server's metrics, in the registry {@code cairn serve} renders at {@code /metrics}:
 * {@code cairn_boot_data_ok} (1 while the files on disk are the set served, 0 while a change with
 * findings or an unreadable folder is held back), {@code cairn_boot_data_reloads_total} by result
 * ({@code ok}, {@code findings}, {@code error}; the first load counts), and
 * {@code cairn_boot_requests_total} by endpoint and status. Every label value comes from a fixed
 * set, so no request can add a series.
 */
final class BootMetrics {
  static final Set<String> ENDPOINTS = Set.of("/boot.ipxe", "/ipxe", "/grub", "/cloud-config", "/metadata", "/assets/");

  private final Counter requests;

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
    requests.labelValues(ENDPOINTS.contains(endpoint) ? endpoint : "other",
        status >= 100 && status <= 599 ? Integer.toString(status) : "other").inc();
  }
}
