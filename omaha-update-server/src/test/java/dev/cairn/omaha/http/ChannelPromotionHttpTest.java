package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Channels created and promoted through the admin API, and the activity log that records who did it. */
class ChannelPromotionHttpTest {
  @TempDir
  Path dir;

  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    for (String v : new String[] {"1.0.0", "2.0.0"}) {
      server.adminOk("POST", "/api/v1/packages", TestServer.PACKAGE_JSON.replace(TestServer.VERSION, v));
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** An admin call made by {@code actor} (the X-Cairn-Actor header). */
  HttpResponse<String> as(String actor, String method, String path, String json) {
    return server.send(server.request(path).header("Authorization", "Bearer " + TestServer.TOKEN)
        .header("X-Cairn-Actor", actor).header("Content-Type", "application/json")
        .method(method, json == null ? BodyPublishers.noBody() : BodyPublishers.ofString(json)));
  }

  String channelVersion(String name) {
    for (JsonNode c : server.adminOk("GET", "/api/v1/channels", null)) {
      if (c.get("name").asText().equals(name)) {
        return c.get("version").isNull() ? null : c.get("version").asText();
      }
    }
    throw new AssertionError("no channel " + name);
  }

  JsonNode lastActivity() {
    return server.adminOk("GET", "/api/v1/activity?limit=1", null).get(0);
  }

  void point(String channel, String version) {
    server.adminOk("PUT", "/api/v1/channels/" + channel, "{\"version\": \"" + version + "\"}");
  }

  @Test
  void promote_pointsTheTargetAtTheSourcesPackage_andTheActivityNamesWhoAndWhen() {
    point("beta", "1.0.0");
    point("alpha", "2.0.0");
    Instant before = Instant.now().minusSeconds(1);

    HttpResponse<String> r = as("alice@build-host", "POST", "/api/v1/channels/beta/promote", "{\"from\": \"alpha\"}");

    assertEquals(200, r.statusCode(), r.body());
    JsonNode p = TestServer.json(r);
    assertEquals("beta", p.get("name").asText());
    assertEquals("2.0.0", p.get("version").asText());
    assertEquals("1.0.0", p.get("previous").asText());
    assertEquals("2.0.0", channelVersion("beta"));
    JsonNode a = lastActivity();
    assertEquals("channel.promoted", a.get("kind").asText());
    assertEquals("beta: 1.0.0 -> 2.0.0 (from alpha)", a.get("message").asText());
    assertEquals("alice@build-host", a.get("actor").asText());
    Instant at = Instant.parse(a.get("at").asText());
    assertFalse(at.isBefore(before), at.toString());
  }

  @Test
  void promote_toAChannelServingNothing_answersPreviousNull_andLogsNone() {
    point("alpha", "1.0.0");

    JsonNode p = server.adminOk("POST", "/api/v1/channels/stable/promote", "{\"from\": \"alpha\"}");

    assertTrue(p.get("previous").isNull(), p.toString());
    assertEquals("stable: none -> 1.0.0 (from alpha)", lastActivity().get("message").asText());
  }

  @Test
  void promote_backwards_is409_andTheChannelStays() {
    point("beta", "2.0.0");
    point("alpha", "1.0.0");
    long logged = server.adminOk("GET", "/api/v1/activity", null).size();

    HttpResponse<String> r = server.admin("POST", "/api/v1/channels/beta/promote",
        "{\"from\": \"alpha\", \"allow_downgrade\": false}");

    assertEquals(409, r.statusCode(), r.body());
    assertEquals("promoting alpha to beta would move beta back from 2.0.0 to 1.0.0; allow the downgrade to do it",
        TestServer.json(r).get("error").asText());
    assertEquals("2.0.0", channelVersion("beta"));
    assertEquals(logged, server.adminOk("GET", "/api/v1/activity", null).size());
  }

  @Test
  void promote_backwardsWithAllowDowngrade_movesTheChannelBack() {
    point("beta", "2.0.0");
    point("alpha", "1.0.0");

    JsonNode p = server.adminOk("POST", "/api/v1/channels/beta/promote",
        "{\"from\": \"alpha\", \"allow_downgrade\": true}");

    assertEquals("1.0.0", p.get("version").asText());
    assertEquals("1.0.0", channelVersion("beta"));
    assertEquals("beta: 2.0.0 -> 1.0.0 (from alpha)", lastActivity().get("message").asText());
    assertEquals("admin", lastActivity().get("actor").asText());
  }

  @Test
  void promote_fromAChannelServingNothing_is409() {
    point("beta", "1.0.0");

    HttpResponse<String> r = server.admin("POST", "/api/v1/channels/beta/promote", "{\"from\": \"alpha\"}");

    assertEquals(409, r.statusCode(), r.body());
    assertEquals("channel alpha points at no package; there is nothing to promote to beta",
        TestServer.json(r).get("error").asText());
    assertEquals("1.0.0", channelVersion("beta"));
  }

  @Test
  void promote_fromAnUnknownChannel_is404_andWithoutFrom_is400NamingTheField() {
    HttpResponse<String> unknown = server.admin("POST", "/api/v1/channels/beta/promote", "{\"from\": \"nightly\"}");
    HttpResponse<String> noFrom = server.admin("POST", "/api/v1/channels/beta/promote", "{}");
    HttpResponse<String> badFlag = server.admin("POST", "/api/v1/channels/beta/promote",
        "{\"from\": \"alpha\", \"allow_downgrade\": \"yes\"}");

    assertEquals(404, unknown.statusCode(), unknown.body());
    assertEquals(400, noFrom.statusCode(), noFrom.body());
    assertEquals("field 'from' is required", TestServer.json(noFrom).get("error").asText());
    assertEquals(400, badFlag.statusCode(), badFlag.body());
    assertEquals("field 'allow_downgrade' must be true or false", TestServer.json(badFlag).get("error").asText());
  }

  @Test
  void createChannel_servesNothing_isListed_andTheSameNameAgainIs409() {
    HttpResponse<String> r = as("bob@laptop", "POST", "/api/v1/channels", "{\"name\": \"edge\"}");

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("edge", TestServer.json(r).get("name").asText());
    assertTrue(TestServer.json(r).get("version").isNull());
    assertEquals(null, channelVersion("edge"));
    assertEquals("channel.created", lastActivity().get("kind").asText());
    assertEquals("bob@laptop", lastActivity().get("actor").asText());
    HttpResponse<String> again = server.admin("POST", "/api/v1/channels", "{\"name\": \"edge\"}");
    assertEquals(409, again.statusCode(), again.body());
    assertEquals("channel 'edge' already exists", TestServer.json(again).get("error").asText());
  }

  @Test
  void createChannel_withABadName_is400NamingTheField_andCreatesNothing() {
    HttpResponse<String> r = server.admin("POST", "/api/v1/channels", "{\"name\": \"Edge/1\"}");

    assertEquals(400, r.statusCode(), r.body());
    assertEquals("field 'name' must match [a-z0-9][a-z0-9._-]{0,63}, got 'Edge/1'",
        TestServer.json(r).get("error").asText());
    assertEquals(3, server.adminOk("GET", "/api/v1/channels", null).size());
  }

  @Test
  void setChannel_recordsTheActor_andABadVersionIs400NamingTheField() {
    as("carol@ops", "PUT", "/api/v1/channels/stable", "{\"version\": \"2.0.0\"}");

    JsonNode a = lastActivity();
    assertEquals("channel stable now serves 2.0.0", a.get("message").asText());
    assertEquals("carol@ops", a.get("actor").asText());
    HttpResponse<String> bad = server.admin("PUT", "/api/v1/channels/stable", "{\"version\": \"two\"}");
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("field 'version' must be a version like 3510.2.1, got 'two'", TestServer.json(bad).get("error").asText());
    assertEquals("2.0.0", channelVersion("stable"));
  }

  @Test
  void activity_filtersByActorAndSince_andABadSinceIs400() {
    as("alice@a", "PUT", "/api/v1/channels/alpha", "{\"version\": \"1.0.0\"}");
    as("bob@b", "PUT", "/api/v1/channels/beta", "{\"version\": \"1.0.0\"}");

    JsonNode alice = server.adminOk("GET", "/api/v1/activity?actor=alice@a", null);
    assertEquals(1, alice.size(), alice.toString());
    assertEquals("channel alpha now serves 1.0.0", alice.get(0).get("message").asText());
    JsonNode future = server.adminOk("GET", "/api/v1/activity?since=2999-01-01T00:00:00Z", null);
    assertEquals(0, future.size());
    JsonNode past = server.adminOk("GET", "/api/v1/activity?since=2000-01-01T00:00:00Z&limit=2", null);
    assertEquals(2, past.size());
    assertEquals("bob@b", past.get(0).get("actor").asText());
    HttpResponse<String> bad = server.admin("GET", "/api/v1/activity?since=yesterday", null);
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("since must be an ISO-8601 instant like 2026-11-22T03:00:00Z, got 'yesterday'",
        TestServer.json(bad).get("error").asText());
  }
}
