package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin API's bearer token and its answers to bad calls. */
class AdminApiHttpTest {
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

  static void assertUnauthorized(HttpResponse<String> r) {
    assertEquals(401, r.statusCode(), r.body());
    assertEquals("Bearer realm=\"cairn\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
    assertTrue(TestServer.json(r).get("error").asText().contains("bearer token"), r.body());
  }

  @ParameterizedTest(name = "Authorization: {0}")
  @ValueSource(strings = {"<none>", "wrong", "wrong-case", "basic", "bearer-lowercase-scheme", "empty"})
  void listingPackages_withoutTheRightToken_is401WithWwwAuthenticate(String kind) {
    String header = switch (kind) {
      case "<none>" -> null;
      case "wrong" -> "Bearer " + "0".repeat(64);
      case "wrong-case" -> "Bearer " + TestServer.TOKEN.toUpperCase(Locale.ROOT);
      case "basic" -> "Basic " + java.util.Base64.getEncoder().encodeToString(("admin:" + TestServer.TOKEN).getBytes());
      case "bearer-lowercase-scheme" -> "bearer" + TestServer.TOKEN;
      default -> "Bearer ";
    };
    var b = server.request("/api/v1/packages");
    if (header != null) {
      b.header("Authorization", header);
    }
    assertUnauthorized(server.send(b.GET()));
  }

  @ParameterizedTest(name = "Authorization: {0}TOKEN")
  @ValueSource(strings = {"bearer ", "BEARER ", "BeArEr ", "Bearer   ", " Bearer "})
  void bearerScheme_isCaseInsensitive_asRfc7235Says(String scheme) {
    HttpResponse<String> r = server.send(server.request("/api/v1/channels")
        .header("Authorization", scheme + TestServer.TOKEN).GET());
    assertEquals(200, r.statusCode(), r.body());
  }

  @ParameterizedTest(name = "Authorization: {0}")
  @ValueSource(strings = {"<none>", "Bearer ", "Bearer  ", "bearer"})
  void aServerConfiguredWithAnEmptyToken_opensNothing(String header) throws Exception {
    for (String configured : new String[] {"", "   ", "\n"}) {
      try (TestServer open = TestServer.start(dir.resolve("blank-" + configured.hashCode()), configured)) {
        var read = open.request("/api/v1/channels");
        var write = open.request("/api/v1/groups/stable/pause");
        if (!header.equals("<none>")) {
          read.header("Authorization", header);
          write.header("Authorization", header);
        }
        assertUnauthorized(open.send(read.GET()));
        assertUnauthorized(open.send(write.POST(BodyPublishers.noBody())));
        assertTrue(open.store.group(TestServer.APP, "stable").orElseThrow().policy().updatesEnabled(),
            "a group was paused through a server with a blank token");
      }
    }
  }

  @Test
  void postingAPackage_withAWrongToken_is401_andCreatesNothing() {
    HttpResponse<String> r = server.send(server.request("/api/v1/packages")
        .header("Authorization", "Bearer " + TestServer.TOKEN.substring(1) + "0")
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(TestServer.PACKAGE_JSON)));

    assertUnauthorized(r);
    assertEquals(0, server.adminOk("GET", "/api/v1/packages", null).size());
    // and the same body with the right token does create it: the call itself was sound
    server.adminOk("POST", "/api/v1/packages", TestServer.PACKAGE_JSON);
    assertEquals(1, server.adminOk("GET", "/api/v1/packages", null).size());
  }

  @Test
  void unknownResource_is404Json() {
    HttpResponse<String> r = server.admin("GET", "/api/v1/widgets", null);

    assertEquals(404, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertEquals("no such resource", TestServer.json(r).get("error").asText());
  }

  @Test
  void badJsonBody_is400NamingTheProblem() {
    HttpResponse<String> r = server.admin("POST", "/api/v1/packages", "{\"version\": \"3602.2.0\",");

    assertEquals(400, r.statusCode(), r.body());
    String error = TestServer.json(r).get("error").asText();
    assertTrue(error.startsWith("the body is not JSON"), error);
    assertEquals(0, server.adminOk("GET", "/api/v1/packages", null).size());
  }

  @Test
  void packageMissingAField_is400NamingTheField() {
    HttpResponse<String> r = server.admin("POST", "/api/v1/packages", "{\"version\": \"3602.2.0\", \"size\": 1}");

    assertEquals(400, r.statusCode(), r.body());
    assertEquals("field 'name' is required", TestServer.json(r).get("error").asText());
  }

  @Test
  void oversizedBody_is413Json_closesTheConnection_andCreatesNothing() {
    String big = TestServer.PACKAGE_JSON.replace("}", ", \"signature\": \"" + "A".repeat(100_000) + "\"}");

    HttpResponse<String> r = server.admin("POST", "/api/v1/packages", big);

    assertEquals(413, r.statusCode(), r.body());
    assertEquals("request body larger than 65536 bytes", TestServer.json(r).get("error").asText());
    assertEquals("close", r.headers().firstValue("Connection").orElse(""));
    assertEquals(0, server.adminOk("GET", "/api/v1/packages", null).size());
  }

  @Test
  void groupWithRolloutPercent101_is400_andTheGroupIsUnchanged() {
    HttpResponse<String> r = server.admin("PUT", "/api/v1/groups/stable", "{\"policy\": {\"rollout_percent\": 101}}");

    assertEquals(400, r.statusCode(), r.body());
    assertEquals("rollout percent must be 0-100, got 101", TestServer.json(r).get("error").asText());
    JsonNode g = server.adminOk("GET", "/api/v1/groups/stable", null);
    assertEquals(100, g.get("policy").get("rollout_percent").asInt());
  }
}
