package dev.cairn.install.agent.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.cairn.install.agent.AgentEvent;
import dev.cairn.install.agent.AgentRequest;
import dev.cairn.install.agent.AgentRequest.InstallSource;
import dev.cairn.install.agent.AgentRequest.Machine;
import dev.cairn.install.agent.CheckResult;
import dev.cairn.install.agent.ErrorCode;
import dev.cairn.omaha.AddressQuota;
import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.http.AdminApi;
import dev.cairn.omaha.http.Limits;
import dev.cairn.omaha.http.Metrics;
import dev.cairn.omaha.http.OmahaServer;
import dev.cairn.omaha.db.SqlStore;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against the real update server, started in-process on loopback with a SQLite store
 * (as the server's own HTTP tests start it); and against a plain JDK HTTP server on loopback for
 * answers the real server does not give (a refusal status, an oversized body).
 */
public class OmahaClientTest {
  static final String TOKEN = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
  static final Machine MACHINE = AgentRequestInteropTest.GOLDEN;

  @TempDir
  Path dir;

  /** The update server of the cli's {@code cairn serve}, on 127.0.0.1, with the default channels. */
  public record RealServer(SqlStore store, OmahaServer server, URI base) implements AutoCloseable {
    public static RealServer start(Path dir) throws IOException {
      SqlStore store = SqlStore.open(dir.resolve("cairn.db"));
      store.seedDefaults();
      UpdateService service = new UpdateService(store, Clock.fixed(Instant.parse("2026-11-18T13:36:48Z"),
          ZoneOffset.UTC), new AddressQuota(AddressQuota.Limits.none()));
      OmahaServer server = OmahaServer.start("127.0.0.1", 0, new OmahaServer.Deps(service, store,
          new Metrics(new PrometheusRegistry()), TOKEN, new AdminApi(store, () -> "https://cairn.example.com")),
          Limits.DEFAULTS);
      return new RealServer(store, server, URI.create("http://127.0.0.1:" + server.port()));
    }

    OmahaClient client() {
      return new OmahaClient(base.resolve("/v1/update/"));
    }

    public JsonNode admin(String method, String path, String json) throws Exception {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), method + " " + path + ": " + r.body());
      return new ObjectMapper().readTree(r.body());
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

  static AgentRequest check() {
    return AgentRequest.updateCheck(InstallSource.SCHEDULER, MACHINE, AgentEvent.bootedAfterUpdate(""));
  }

  @Test
  void realServer_noReleaseThenRelease_givesNoUpdateThenTheGoldenOffer() throws Exception {
    try (RealServer s = RealServer.start(dir)) {
      OmahaClient client = s.client();
      assertEquals(new CheckResult.NoUpdate(MACHINE.appId()), client.send(check()));

      s.admin("POST", "/api/v1/packages", "{\"version\": \"3602.2.0\", \"name\": \"flatcar_production_update.gz\","
          + " \"size\": 304218311, \"sha1\": \"AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=\","
          + " \"sha256\": \"0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=\"}");
      s.admin("PUT", "/api/v1/channels/stable", "{\"version\": \"3602.2.0\"}");
      assertEquals(ResponseParser.parse(Golden.RESPONSE_OFFER.getBytes(StandardCharsets.UTF_8)), client.send(check()));
    }
  }

  @Test
  void realServer_recordsTheAgentsEvents_withCodeAndFlagsSplit() throws Exception {
    try (RealServer s = RealServer.start(dir)) {
      OmahaClient client = s.client();
      client.send(check());
      List<AgentEvent> sent = List.of(AgentEvent.downloadStarted(), AgentEvent.downloadFinished(),
          AgentEvent.error(ErrorCode.PAYLOAD_HASH_MISMATCH_ERROR, ErrorCode.TEST_OMAHA_URL_FLAG));
      for (AgentEvent e : sent) {
        assertEquals(new CheckResult.Acknowledged(MACHINE.appId()),
            client.send(AgentRequest.event(InstallSource.SCHEDULER, MACHINE, e)));
      }
      assertEquals(new CheckResult.Acknowledged(MACHINE.appId()),
          client.send(AgentRequest.pingOnly(InstallSource.SCHEDULER, MACHINE)));
      JsonNode events = s.admin("GET", "/api/v1/instances/" + MACHINE.machineId(), null).get("events");
      List<String> seen = new ArrayList<>();
      events.forEach(e -> seen.add(e.get("type").asInt() + "/" + e.get("result").asInt() + "/"
          + e.get("error_code").asInt() + "/" + e.get("error_flags").asInt()));
      assertTrue(seen.containsAll(List.of("13/1/0/0", "14/1/0/0", "3/0/10/1")), seen.toString());
    }
  }

  @Test
  void realServer_unknownApp_isTheAppsErrorStatus() throws Exception {
    Machine other = new Machine("{11111111-2222-3333-4444-555555555555}", "1.0.0", "stable", MACHINE.bootId(),
        "", "", "", MACHINE.machineId(), "", Machine.LANG, "amd64-usr", Machine.OS_VERSION, Machine.OS_PLATFORM,
        "1.0.0_x86_64");
    try (RealServer s = RealServer.start(dir)) {
      assertEquals(new CheckResult.AppError(other.appId(), "error-unknownApplication"),
          s.client().send(AgentRequest.updateCheck(InstallSource.SCHEDULER, other, AgentEvent.bootedAfterUpdate(""))));
    }
  }

  // ---- a plain HTTP server for what the real one does not answer

  /** Received by {@link #answering}: method, path, Content-Type and body of the last request. */
  static final class Seen {
    volatile String method;
    volatile String path;
    volatile String contentType;
    volatile String body;
  }

  static HttpServer answering(int status, byte[] body, Seen seen) throws IOException {
    HttpServer h = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    h.createContext("/", ex -> {
      seen.method = ex.getRequestMethod();
      seen.path = ex.getRequestURI().getPath();
      seen.contentType = ex.getRequestHeaders().getFirst("Content-Type");
      seen.body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    h.start();
    return h;
  }

  static URI url(HttpServer h) {
    return URI.create("http://127.0.0.1:" + h.getAddress().getPort() + "/v1/update/");
  }

  @Test
  void postsTheRequestXml_asTextXml_toTheServerUrl() throws Exception {
    Seen seen = new Seen();
    HttpServer h = answering(200, Golden.RESPONSE_NOUPDATE.getBytes(StandardCharsets.UTF_8), seen);
    try {
      assertEquals(new CheckResult.NoUpdate(MACHINE.appId()), new OmahaClient(url(h)).send(check()));
      assertEquals("POST", seen.method);
      assertEquals("/v1/update/", seen.path);
      assertEquals("text/xml", seen.contentType);
      assertEquals(Golden.UPDATE_CHECK, seen.body);
    } finally {
      h.stop(0);
    }
  }

  @Test
  void refusalStatus_isCode2000PlusStatus_namingUrlAndReason() throws Exception {
    HttpServer h = answering(503, "overloaded, retry later\n".getBytes(StandardCharsets.UTF_8), new Seen());
    try {
      OmahaResponseException e = assertThrows(OmahaResponseException.class,
          () -> new OmahaClient(url(h)).send(check()));
      assertEquals(2503, e.errorCode());
      assertEquals(url(h) + ": the server answered HTTP 503 (overloaded, retry later)", e.getMessage());
    } finally {
      h.stop(0);
    }
  }

  @Test
  void bodyOverOneMebibyte_isRefused_withoutReadingItAll() throws Exception {
    byte[] big = new byte[4 << 20];
    java.util.Arrays.fill(big, (byte) ' ');
    HttpServer h = answering(200, big, new Seen());
    try {
      OmahaResponseException e = assertThrows(OmahaResponseException.class,
          () -> new OmahaClient(url(h)).send(check()));
      assertEquals(url(h) + ": the response is larger than 1048576 bytes", e.getMessage());
      assertEquals(ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR.code(), e.errorCode());
    } finally {
      h.stop(0);
    }
  }

  @Test
  void hostileBody_isRefused_namingTheUrl() throws Exception {
    String xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE response [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        + "<response protocol=\"3.0\"><app appid=\"&x;\" status=\"ok\"/></response>\n";
    HttpServer h = answering(200, xml.getBytes(StandardCharsets.UTF_8), new Seen());
    try {
      OmahaResponseException e = assertThrows(OmahaResponseException.class,
          () -> new OmahaClient(url(h)).send(check()));
      assertTrue(e.getMessage().startsWith(url(h) + ": the response has a DOCTYPE"), e.getMessage());
    } finally {
      h.stop(0);
    }
  }

  @Test
  void nothingListening_isAnIOException_namingTheUrl() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI u = URI.create("http://127.0.0.1:" + port + "/v1/update/");
    IOException e = assertThrows(IOException.class, () -> new OmahaClient(u).send(check()));
    assertTrue(e.getMessage().startsWith(u + ": "), e.getMessage());
  }

  @Test
  void nonHttpServerUrl_isBadInput() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new OmahaClient(URI.create("ftp://cairn.example.com/v1/update/")));
    assertEquals("update server must be an http or https URL, got 'ftp://cairn.example.com/v1/update/'",
        e.getMessage());
  }
}
