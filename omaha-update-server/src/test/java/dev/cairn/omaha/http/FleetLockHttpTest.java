package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reboot lock as Zincati speaks it (FleetLock: POST /v1/pre-reboot and /v1/steady-state),
 * case by case against the real server, and its limit and holders through the admin API.
 */
class FleetLockHttpTest {
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

  static String body(String id, String group) {
    return "{\"client_params\":{\"id\":\"" + id + "\",\"group\":\"" + group + "\"}}";
  }

  HttpResponse<String> lock(String path, String body) {
    return server.send(server.request(path).header("fleet-lock-protocol", "true")
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body)));
  }

  HttpResponse<String> preReboot(String id, String group) {
    return lock("/v1/pre-reboot", body(id, group));
  }

  HttpResponse<String> steadyState(String id, String group) {
    return lock("/v1/steady-state", body(id, group));
  }

  static void assertAnswer(int status, String kind, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(null));
    JsonNode j = TestServer.json(r);
    assertEquals(kind, j.path("kind").asText(), r.body());
    assertTrue(j.path("value").isTextual() && !j.path("value").asText().contains("\n"), r.body());
  }

  static String value(HttpResponse<String> r) {
    return TestServer.json(r).path("value").asText();
  }

  JsonNode reboots(String group) {
    return server.adminOk("GET", "/api/v1/groups/" + group + "/reboots", null);
  }

  List<String> holders(String group) {
    List<String> ids = new ArrayList<>();
    reboots(group).path("holders").forEach(h -> ids.add(h.path("id").asText()));
    return ids;
  }

  void maxReboots(String group, int n) {
    server.adminOk("PUT", "/api/v1/groups/" + group, "{\"policy\": {\"max_reboots\": " + n + "}}");
  }

  // ---- the contract, case by case

  @Test
  void preReboot_takesTheGroupsOnlySlot_andTheNextMachineIsRefused409NamingTheHolder() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    HttpResponse<String> r = preReboot("m2", "stable");
    assertAnswer(409, "failed_lock", r);
    String v = value(r);
    assertTrue(v.contains("group stable") && v.contains("1 of 1 slots") && v.contains("m1 (since "), v);
    assertEquals(List.of("m1"), holders("stable"));
  }

  @Test
  void preReboot_ofTheHolder_isRecursive_200_andTakesNoSecondSlot() {
    maxReboots("stable", 2);
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    HttpResponse<String> again = preReboot("m1", "stable");
    assertAnswer(200, "ok", again);
    assertTrue(value(again).contains("already"), value(again));
    assertEquals(List.of("m1"), holders("stable"));
    assertEquals(1, reboots("stable").path("available").asInt());
  }

  @Test
  void steadyState_givesTheSlotBack_andTheNextMachineGetsIt() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    assertAnswer(200, "ok", steadyState("m1", "stable"));
    assertEquals(List.of(), holders("stable"));
    assertAnswer(200, "ok", preReboot("m2", "stable"));
    assertEquals(List.of("m2"), holders("stable"));
  }

  @Test
  void steadyState_ofAMachineHoldingNoSlot_is200_andLeavesTheHolderAlone() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    HttpResponse<String> r = steadyState("m2", "stable");
    assertAnswer(200, "ok", r);
    assertTrue(value(r).contains("held no reboot slot"), value(r));
    assertEquals(List.of("m1"), holders("stable"));
  }

  @Test
  void withoutTheProtocolHeader_bothAre400_andNothingIsTaken() {
    for (String path : List.of("/v1/pre-reboot", "/v1/steady-state")) {
      HttpResponse<String> r = server.send(server.request(path).POST(BodyPublishers.ofString(body("m1", "stable"))));
      assertAnswer(400, "bad_request", r);
      assertTrue(value(r).contains("fleet-lock-protocol: true"), value(r));
    }
    HttpResponse<String> wrong = server.send(server.request("/v1/pre-reboot").header("fleet-lock-protocol", "false")
        .POST(BodyPublishers.ofString(body("m1", "stable"))));
    assertAnswer(400, "bad_request", wrong);
    assertEquals(List.of(), holders("stable"));
  }

  @Test
  void aMethodOtherThanPost_is405WithAllowPost() {
    for (String method : List.of("GET", "PUT", "DELETE")) {
      for (String path : List.of("/v1/pre-reboot", "/v1/steady-state")) {
        HttpResponse<String> r = server.send(server.request(path).header("fleet-lock-protocol", "true")
            .method(method, BodyPublishers.noBody()));
        assertAnswer(405, "method_not_allowed", r);
        assertEquals("POST", r.headers().firstValue("Allow").orElse(null), method + " " + path);
      }
    }
  }

  @Test
  void aBodyThatIsNotJson_orHasNoClientParams_is400SayingWhatIsExpected() {
    assertAnswer(400, "bad_request", lock("/v1/pre-reboot", "{\"client_params\":"));
    assertTrue(value(lock("/v1/pre-reboot", "not json")).contains("not JSON"));
    HttpResponse<String> r = lock("/v1/pre-reboot", "{\"id\":\"m1\"}");
    assertAnswer(400, "bad_request", r);
    assertTrue(value(r).contains("client_params"), value(r));
    assertAnswer(400, "bad_request", lock("/v1/pre-reboot", "[]"));
    assertAnswer(400, "bad_request", lock("/v1/steady-state", ""));
  }

  @Test
  void badIdsAndGroups_are400NamingTheField() {
    String[][] cases = {
        {"{\"client_params\":{\"group\":\"stable\"}}", "client_params.id"},
        {"{\"client_params\":{\"id\":\"\",\"group\":\"stable\"}}", "client_params.id"},
        {"{\"client_params\":{\"id\":\"m 1\",\"group\":\"stable\"}}", "client_params.id"},
        {"{\"client_params\":{\"id\":\"m\\u00e91\",\"group\":\"stable\"}}", "client_params.id"},
        {"{\"client_params\":{\"id\":\"m\\u001b1\",\"group\":\"stable\"}}", "client_params.id"},
        {"{\"client_params\":{\"id\":\"" + "a".repeat(257) + "\",\"group\":\"stable\"}}", "client_params.id"},
        {"{\"client_params\":{\"id\":42,\"group\":\"stable\"}}", "client_params.id"},
        {"{\"client_params\":{\"node_uuid\":\"m 1\",\"group\":\"stable\"}}", "client_params.node_uuid"},
        {"{\"client_params\":{\"id\":\"m1\",\"group\":\"st able\"}}", "client_params.group"},
        {"{\"client_params\":{\"id\":\"m1\",\"group\":7}}", "client_params.group"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = lock("/v1/pre-reboot", c[0]);
      assertAnswer(400, "bad_request", r);
      assertTrue(value(r).startsWith(c[1] + " must be"), c[0] + " -> " + value(r));
    }
    assertAnswer(200, "ok", preReboot("a".repeat(256), "stable"));
  }

  @Test
  void theOlderFieldNodeUuid_isTheId() {
    assertAnswer(200, "ok", lock("/v1/pre-reboot", "{\"client_params\":{\"node_uuid\":\"m-old\",\"group\":\"stable\"}}"));
    assertEquals(List.of("m-old"), holders("stable"));
    assertAnswer(200, "ok", lock("/v1/steady-state", "{\"client_params\":{\"node_uuid\":\"m-old\",\"group\":\"stable\"}}"));
    assertEquals(List.of(), holders("stable"));
  }

  @Test
  void aMissingOrEmptyGroup_isGroupDefault_404UntilItExists() {
    HttpResponse<String> r = lock("/v1/pre-reboot", "{\"client_params\":{\"id\":\"m1\"}}");
    assertAnswer(404, "unknown_group", r);
    assertTrue(value(r).contains("'default'") && value(r).contains("cairn admin group create default"), value(r));
    server.adminOk("POST", "/api/v1/groups", "{\"name\": \"default\", \"channel\": \"stable\"}");
    assertAnswer(200, "ok", lock("/v1/pre-reboot", "{\"client_params\":{\"id\":\"m1\"}}"));
    assertAnswer(409, "failed_lock", lock("/v1/pre-reboot", "{\"client_params\":{\"id\":\"m2\",\"group\":\"\"}}"));
    assertEquals(List.of("m1"), holders("default"));
  }

  @Test
  void anUnknownGroup_is404ForBoth_sayingHowToCreateIt() {
    for (String path : List.of("/v1/pre-reboot", "/v1/steady-state")) {
      HttpResponse<String> r = lock(path, body("m1", "workers"));
      assertAnswer(404, "unknown_group", r);
      assertTrue(value(r).contains("cairn admin group create workers --channel"), value(r));
    }
  }

  @Test
  void theGroupIsOfTheCoreOsApp_notAnotherAppsGroupOfThatName() {
    String other = "{11111111-2222-3333-4444-555555555555}";
    server.adminOk("POST", "/api/v1/apps", "{\"id\": \"" + other + "\", \"name\": \"other\"}");
    String query = "?app=" + other.replace("{", "%7B").replace("}", "%7D");
    server.adminOk("POST", "/api/v1/groups" + query,
        "{\"name\": \"workers\", \"channel\": \"stable\", \"policy\": {\"max_reboots\": 5}}");
    assertAnswer(404, "unknown_group", preReboot("m1", "workers"));
    JsonNode slots = server.adminOk("GET", "/api/v1/groups/workers/reboots" + query, null);
    assertEquals(5, slots.path("max").asInt());
    assertEquals(0, slots.path("holders").size());
    assertEquals(404, server.admin("GET", "/api/v1/groups/workers/reboots", null).statusCode());
  }

  @Test
  void aBodyOverTheCap_is413() {
    String big = "{\"client_params\":{\"id\":\"m1\",\"group\":\"stable\",\"pad\":\"" + "x".repeat(9000) + "\"}}";
    HttpResponse<String> r = lock("/v1/pre-reboot", big);
    assertEquals(413, r.statusCode(), r.body());
    assertEquals(List.of(), holders("stable"));
  }

  @Test
  void aStoreThatFails_is503ForBoth() {
    server.store.close();
    for (String path : List.of("/v1/pre-reboot", "/v1/steady-state")) {
      assertAnswer(503, "unavailable", lock(path, body("m1", "stable")));
    }
  }

  // ---- the limit

  /** 50 machines at once against 2 slots: exactly 2 get them, the others are refused, then the next gets in. */
  @Test
  void fiftyMachinesAtOnce_againstTwoSlots_exactlyTwoGetOne() throws Exception {
    maxReboots("stable", 2);
    int n = 50;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String id = "m" + i;
        answers.add(CompletableFuture.supplyAsync(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return preReboot(id, "stable");
        }, pool));
      }
      go.countDown();
      List<String> granted = new ArrayList<>();
      int refused = 0;
      for (int i = 0; i < n; i++) {
        HttpResponse<String> r = answers.get(i).join();
        if (r.statusCode() == 200) {
          granted.add("m" + i);
        } else {
          assertAnswer(409, "failed_lock", r);
          assertTrue(value(r).contains("2 of 2 slots"), value(r));
          refused++;
        }
      }
      assertEquals(2, granted.size(), granted.toString());
      assertEquals(n - 2, refused);
      assertEquals(granted.stream().sorted().toList(), holders("stable").stream().sorted().toList());
      String waiting = java.util.stream.IntStream.range(0, n).mapToObj(i -> "m" + i)
          .filter(id -> !granted.contains(id)).findFirst().orElseThrow();
      assertAnswer(409, "failed_lock", preReboot(waiting, "stable"));
      assertAnswer(200, "ok", steadyState(granted.get(0), "stable"));
      assertAnswer(200, "ok", preReboot(waiting, "stable"));
      assertEquals(0, reboots("stable").path("available").asInt());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void maxRebootsZero_letsNoMachineReboot() {
    maxReboots("stable", 0);
    HttpResponse<String> r = preReboot("m1", "stable");
    assertAnswer(409, "failed_lock", r);
    assertTrue(value(r).contains("0 of 0 slots"), value(r));
  }

  @Test
  void loweringTheLimitBelowTheHolders_keepsThem_andGrantsNoMoreUntilUnder() {
    maxReboots("stable", 3);
    for (String m : List.of("m1", "m2", "m3")) {
      assertAnswer(200, "ok", preReboot(m, "stable"));
    }
    maxReboots("stable", 1);
    JsonNode slots = reboots("stable");
    assertEquals(1, slots.path("max").asInt());
    assertEquals(-2, slots.path("available").asInt());
    assertEquals(List.of("m1", "m2", "m3"), holders("stable"));
    assertAnswer(200, "ok", preReboot("m2", "stable"));      // a holder keeps its slot
    assertAnswer(409, "failed_lock", preReboot("m4", "stable"));
    assertAnswer(200, "ok", steadyState("m1", "stable"));
    assertAnswer(200, "ok", steadyState("m2", "stable"));
    assertAnswer(409, "failed_lock", preReboot("m4", "stable"));   // 1 of 1 still taken by m3
    assertAnswer(200, "ok", steadyState("m3", "stable"));
    assertAnswer(200, "ok", preReboot("m4", "stable"));
  }

  @Test
  void raisingTheLimit_grantsTheWaitingMachine() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    assertAnswer(409, "failed_lock", preReboot("m2", "stable"));
    maxReboots("stable", 2);
    assertAnswer(200, "ok", preReboot("m2", "stable"));
    assertEquals(List.of("m1", "m2"), holders("stable"));
  }

  @Test
  void theLimit_isTheGroupPolicysMaxReboots_default1_andRefusedNegative() {
    assertEquals(1, server.adminOk("GET", "/api/v1/groups/stable", null).path("policy").path("max_reboots").asInt());
    JsonNode created = server.adminOk("POST", "/api/v1/groups",
        "{\"name\": \"web\", \"channel\": \"stable\", \"policy\": {\"max_reboots\": 4}}");
    assertEquals(4, created.path("policy").path("max_reboots").asInt());
    HttpResponse<String> bad = server.admin("PUT", "/api/v1/groups/web", "{\"policy\": {\"max_reboots\": -1}}");
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("max_reboots"), bad.body());
    assertEquals(4, server.adminOk("GET", "/api/v1/groups/web", null).path("policy").path("max_reboots").asInt());
  }

  // ---- the admin API

  @Test
  void adminReboots_listsTheHolders_withMaxAndAvailable() {
    maxReboots("stable", 2);
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    JsonNode j = reboots("stable");
    assertEquals("stable", j.path("group").asText());
    assertEquals(2, j.path("max").asInt());
    assertEquals(1, j.path("available").asInt());
    assertEquals(1, j.path("holders").size());
    assertEquals("m1", j.path("holders").get(0).path("id").asText());
    java.time.Instant.parse(j.path("holders").get(0).path("since").asText());
  }

  @Test
  void adminRelease_givesBackAStaleSlot_thenIs404ForAMachineHoldingNone() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    JsonNode released = server.adminOk("DELETE", "/api/v1/groups/stable/reboots/m1", null);
    assertEquals(true, released.path("released").asBoolean(false));
    assertEquals(List.of(), holders("stable"));
    HttpResponse<String> again = server.admin("DELETE", "/api/v1/groups/stable/reboots/m1", null);
    assertEquals(404, again.statusCode(), again.body());
    assertTrue(TestServer.json(again).path("error").asText().contains("holds no reboot slot"), again.body());
    HttpResponse<String> noGroup = server.admin("DELETE", "/api/v1/groups/workers/reboots/m1", null);
    assertEquals(404, noGroup.statusCode(), noGroup.body());
    assertEquals(404, server.admin("GET", "/api/v1/groups/workers/reboots", null).statusCode());
    assertEquals(405, server.admin("POST", "/api/v1/groups/stable/reboots/m1", "{}").statusCode());
    assertEquals(405, server.admin("DELETE", "/api/v1/groups/stable/reboots", null).statusCode());
  }

  @Test
  void adminReboots_withoutTheToken_is401_andReleasesNothing() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    AdminApiHttpTest.assertUnauthorized(server.send(server.request("/api/v1/groups/stable/reboots").GET()));
    AdminApiHttpTest.assertUnauthorized(server.send(server.request("/api/v1/groups/stable/reboots/m1")
        .header("Authorization", "Bearer " + "0".repeat(64)).DELETE()));
    assertEquals(List.of("m1"), holders("stable"));
  }

  @Test
  void everyTakeAndRelease_isInTheActivityLog_withGroupMachineAndActor() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    assertAnswer(409, "failed_lock", preReboot("m2", "stable"));
    assertAnswer(200, "ok", steadyState("m1", "stable"));
    assertAnswer(200, "ok", steadyState("m1", "stable"));      // held none: nothing to record
    assertAnswer(200, "ok", preReboot("m2", "stable"));
    server.send(server.request("/api/v1/groups/stable/reboots/m2").header("Authorization", "Bearer " + TestServer.TOKEN)
        .header("X-Cairn-Actor", "alice@ops").DELETE());
    List<String> lines = new ArrayList<>();
    for (JsonNode a : server.adminOk("GET", "/api/v1/activity", null)) {
      if (a.path("kind").asText().startsWith("reboot.")) {
        lines.add(a.path("kind").asText() + "|" + a.path("machine_id").asText() + "|" + a.path("actor").asText()
            + "|" + a.path("message").asText());
      }
    }
    assertEquals(List.of(
        "reboot.released|m2|alice@ops|reboot slot of group stable released by alice@ops (0 of 1 slots taken)",
        "reboot.taken|m2|m2|took a reboot slot of group stable (1 of 1 slots taken)",
        "reboot.released|m1|m1|gave back its reboot slot of group stable (0 of 1 slots taken)",
        "reboot.taken|m1|m1|took a reboot slot of group stable (1 of 1 slots taken)"), lines);
  }

  @Test
  void theRolloutShowsTheHolders() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    JsonNode r = server.adminOk("GET", "/api/v1/groups/stable/rollout", null).path("reboots");
    assertEquals(1, r.path("max").asInt());
    assertEquals(0, r.path("available").asInt());
    assertEquals("m1", r.path("holders").get(0).path("id").asText());
  }

  @Test
  void grantsAndRefusals_areCounted() {
    assertAnswer(200, "ok", preReboot("m1", "stable"));
    assertAnswer(409, "failed_lock", preReboot("m2", "stable"));
    assertAnswer(409, "failed_lock", preReboot("m3", "stable"));
    assertAnswer(200, "ok", steadyState("m1", "stable"));
    PrometheusText.Exposition m = PrometheusText.parse(server.send(server.request("/metrics").GET()).body());
    assertEquals(1.0, m.value("cairn_fleetlock_requests_total", "operation", "pre-reboot", "outcome", "taken"));
    assertEquals(2.0, m.value("cairn_fleetlock_requests_total", "operation", "pre-reboot", "outcome", "failed_lock"));
    assertEquals(1.0, m.value("cairn_fleetlock_requests_total", "operation", "steady-state", "outcome", "released"));
  }

  /**
   * A client that promises a body and sends a part of it before closing its side: a 400 naming the
   * unread body (not the 500 of a server fault), no slot taken, and the next client served.
   */
  @Test
  void aBodyCutShort_isBadRequest_andTakesNoSlot() throws Exception {
    String body = body("cut", "stable");
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.base.getPort())) {
      s.getOutputStream().write(("POST /v1/pre-reboot HTTP/1.1\r\nHost: x\r\nfleet-lock-protocol: true\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 10))
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.shutdownOutput();
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("\"kind\":\"bad_request\"") && answer.contains("the body could not be read"), answer);
    }
    assertAnswer(200, "ok", preReboot("next", "stable"));
  }
}
