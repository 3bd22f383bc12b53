package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.omaha.AddressQuota;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.db.SqlStore;
import dev.cairn.omaha.db.TestDatabase;
import dev.cairn.signing.openpgp.OpenPgpReleaseKeys;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * The real update server for the HTTP tests: a seeded SQLite store in a temporary directory,
 * {@link OmahaServer} on 127.0.0.1 with a port of the system's choosing, and an HTTP client
 * talking to it. The service's clock stands still at 13:36:48 UTC, so every response's
 * {@code daystart elapsed_seconds} is 49008, as in the golden files.
 */
final class TestServer implements AutoCloseable {
  static final Instant NOW = Instant.parse("2026-11-18T13:36:48Z");
  static final String TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  static final String PUBLIC_URL = "https://cairn.example.com";
  static final String APP = Model.COREOS_APP_ID;
  static final ObjectMapper JSON = new ObjectMapper();

  final SqlStore store;
  final Metrics metrics = new Metrics(new PrometheusRegistry());
  final OmahaServer server;
  final URI base;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Per-address limits are off unless a test asks for them: every test client is 127.0.0.1.
   * {@code hosting}: the data directory, to accept unsigned uploads and serve files from; null for neither.
   */
  private TestServer(SqlStore store, int maxChecksInFlight, String adminToken, AddressQuota.Limits addressLimits,
      Limits limits, Path hosting) {
    this.store = store;
    UpdateService service = new UpdateService(store, Clock.fixed(NOW, ZoneOffset.UTC), new AddressQuota(addressLimits));
    AdminApi adminApi = hosting == null ? new AdminApi(store, () -> PUBLIC_URL) : new AdminApi(store, () -> PUBLIC_URL,
        new PayloadApi(store, () -> PUBLIC_URL, hosting, new OpenPgpReleaseKeys(), true));
    this.server = OmahaServer.start("127.0.0.1", 0,
        new OmahaServer.Deps(service, store, metrics, adminToken, adminApi,
            hosting == null ? null : new PublicFiles(store, hosting), new OmahaServer.Admission(maxChecksInFlight)),
        limits);
    this.base = URI.create("http://127.0.0.1:" + server.port());
  }

  static TestServer start(Path dir) throws IOException {
    return start(dir, OmahaServer.MAX_CHECKS_IN_FLIGHT);
  }

  /** As {@link #start(Path)}, with {@code adminToken} as the configured admin token. */
  static TestServer start(Path dir, String adminToken) throws IOException {
    java.nio.file.Files.createDirectories(dir);
    return start(dir, OmahaServer.MAX_CHECKS_IN_FLIGHT, adminToken, AddressQuota.Limits.none(), Limits.DEFAULTS, false);
  }

  /** As {@link #start(Path)}, with these per-address limits. */
  static TestServer start(Path dir, AddressQuota.Limits limits) throws IOException {
    return start(dir, OmahaServer.MAX_CHECKS_IN_FLIGHT, TOKEN, limits, Limits.DEFAULTS, false);
  }

  /** As {@link #start(Path)}, answering 503 to update checks beyond {@code maxChecksInFlight} waiting at once. */
  static TestServer start(Path dir, int maxChecksInFlight) throws IOException {
    return start(dir, maxChecksInFlight, Limits.DEFAULTS, false);
  }

  /**
   * As {@link #start(Path, int)}, with {@code limits} on the transport; {@code hosting} accepts
   * unsigned payload uploads into {@code dir} and serves them.
   */
  static TestServer start(Path dir, int maxChecksInFlight, Limits limits, boolean hosting) throws IOException {
    return start(dir, maxChecksInFlight, TOKEN, AddressQuota.Limits.none(), limits, hosting);
  }

  private static TestServer start(Path dir, int maxChecksInFlight, String adminToken, AddressQuota.Limits addressLimits,
      Limits limits, boolean hosting) throws IOException {
    SqlStore store = TestDatabase.open(dir.resolve("cairn.db"));
    try {
      store.seedDefaults();
      return new TestServer(store, maxChecksInFlight, adminToken, addressLimits, limits, hosting ? dir : null);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  @Override
  public void close() {
    try {
      server.shutdown(5_000);
    } finally {
      store.close();
    }
  }

  // ---- requests

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
  }

  HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return http.send(b.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** POST /v1/update/ as update_engine does. */
  HttpResponse<String> omaha(String xml) {
    return omaha(xml.getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> omaha(byte[] body) {
    return send(request("/v1/update/").header("Content-Type", "text/xml")
        .POST(BodyPublishers.ofByteArray(body)));
  }

  /** An admin call with the right token; {@code json} null sends no body. */
  HttpResponse<String> admin(String method, String path, String json) {
    HttpRequest.Builder b = request(path).header("Authorization", "Bearer " + TOKEN);
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return send(b.method(method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json)));
  }

  /** An admin call that must answer 200; its JSON. */
  JsonNode adminOk(String method, String path, String json) {
    HttpResponse<String> r = admin(method, path, json);
    assertEquals(200, r.statusCode(), method + " " + path + ": " + r.body());
    return json(r);
  }

  static JsonNode json(HttpResponse<String> r) {
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  /** The instance as GET /api/v1/instances/{machine} shows it, with history and events. */
  JsonNode instance(String machineId) {
    return adminOk("GET", "/api/v1/instances/" + machineId, null);
  }

  /** Every instance the admin API lists. */
  JsonNode instances() {
    return adminOk("GET", "/api/v1/instances?limit=10000", null);
  }

  // ---- the release the tests serve: the package of the golden offer

  static final String VERSION = "3602.2.0";
  static final String PACKAGE_JSON = "{\"version\": \"3602.2.0\", \"name\": \"flatcar_production_update.gz\","
      + " \"size\": 304218311, \"sha1\": \"AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=\","
      + " \"sha256\": \"0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=\"}";

  /** Creates the package and points channel stable at it, through the admin API. */
  void release() {
    adminOk("POST", "/api/v1/packages", PACKAGE_JSON);
    adminOk("PUT", "/api/v1/channels/stable", "{\"version\": \"" + VERSION + "\"}");
  }

  // ---- Omaha requests

  static String fixture(String name) {
    try (InputStream in = TestServer.class.getResourceAsStream("/omaha/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request shaped as update_engine writes it (see the fixtures), for one machine; {@code body} goes in its app. */
  static String request(String machineId, String version, String track, String body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<request protocol=\"3.0\" version=\"update_engine-0.4.10\" updaterversion=\"update_engine-0.4.10\""
        + " installsource=\"scheduler\" ismachine=\"1\">\n"
        + "    <os version=\"Chateau\" platform=\"CoreOS\" sp=\"" + version + "_x86_64\"></os>\n"
        + "    <app appid=\"" + APP + "\" version=\"" + version + "\" track=\"" + track + "\""
        + " bootid=\"{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}\" oem=\"qemu\" oemversion=\"0.0.1\""
        + " alephversion=\"3374.2.0\" machineid=\"" + machineId + "\" machinealias=\"\" lang=\"en-US\""
        + " board=\"amd64-usr\" hardware_class=\"\" delta_okay=\"false\" >\n"
        + body
        + "    </app>\n"
        + "</request>\n";
  }

  /** A scheduled check: ping, updatecheck and the routine 3/2 event. */
  static String check(String machineId, String version, String track) {
    return request(machineId, version, track, "        <ping active=\"1\"></ping>\n"
        + "        <updatecheck></updatecheck>\n"
        + "        <event eventtype=\"3\" eventresult=\"2\" previousversion=\"\"></event>\n");
  }

  /** An event-only request. */
  static String event(String machineId, String version, int type, int result) {
    return request(machineId, version, "stable",
        "        <event eventtype=\"" + type + "\" eventresult=\"" + result + "\"></event>\n");
  }
}
