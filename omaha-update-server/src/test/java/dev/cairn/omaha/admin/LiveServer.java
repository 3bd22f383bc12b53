package dev.cairn.omaha.admin;

import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.http.AdminApi;
import dev.cairn.omaha.http.Metrics;
import dev.cairn.omaha.http.OmahaServer;
import dev.cairn.omaha.db.SqlStore;
import dev.cairn.omaha.db.TestDatabase;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The real update server for the client tests: a seeded SQLite store in a temporary directory and
 * {@link OmahaServer} with the admin API on 127.0.0.1, on a port of the system's choosing.
 */
final class LiveServer implements AutoCloseable {
  static final String TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

  private final SqlStore store;
  private final OmahaServer server;
  final String url;

  private LiveServer(SqlStore store) {
    this.store = store;
    this.server = OmahaServer.start("127.0.0.1", 0, new OmahaServer.Deps(new UpdateService(store, Clock.systemUTC()),
        store, new Metrics(new PrometheusRegistry()), TOKEN, new AdminApi(store, () -> "http://cairn.test")));
    this.url = "http://127.0.0.1:" + server.port();
  }

  static LiveServer start(Path dir) throws IOException {
    SqlStore store = TestDatabase.open(dir.resolve("cairn.db"));
    store.seedDefaults();
    return new LiveServer(store);
  }

  /** The environment a client of this server runs with: its URL and token. */
  Map<String, String> env() {
    return Map.of("CAIRN_SERVER", url, "CAIRN_TOKEN", TOKEN);
  }

  /** Posts an Omaha request from the test resources, as a machine would. */
  String omaha(String resource) throws IOException, InterruptedException {
    byte[] body;
    try (InputStream in = LiveServer.class.getResourceAsStream("/omaha/" + resource)) {
      body = in.readAllBytes();
    }
    return post(body).body();
  }

  /** Posts {@code body} to the update endpoint, as a machine would. */
  HttpResponse<String> post(byte[] body) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/update/"))
        .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** A FleetLock request ({@code /v1/pre-reboot} or {@code /v1/steady-state}) as Zincati sends it. */
  HttpResponse<String> fleetLock(String path, String id, String group) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
        .header("fleet-lock-protocol", "true").POST(HttpRequest.BodyPublishers.ofString(
            "{\"client_params\":{\"id\":\"" + id + "\",\"group\":\"" + group + "\"}}")).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** GET on the admin API with the token; the answer. */
  HttpResponse<String> api(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path))
        .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The server's database. */
  SqlStore store() {
    return store;
  }

  @Override
  public void close() {
    try {
      server.shutdown(5_000);
    } finally {
      store.close();
    }
  }
}
