package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Groups created, paused and resumed, their rollout view, the failure brake and the instance filters. */
class GroupRolloutHttpTest {
  static final String OLD = "3510.2.1";
  static final String NEW = TestServer.VERSION;
  static final String OFFER = "<updatecheck status=\"ok\">";
  static final String NOUPDATE = "<updatecheck status=\"noupdate\"/>";

  @TempDir
  Path dir;

  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    server.release();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String machine(int n) {
    return String.format("%032x", n);
  }

  String check(String machine, String version) {
    HttpResponse<String> r = server.omaha(TestServer.check(machine, version, "stable"));
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains(OFFER) || r.body().contains(NOUPDATE), r.body());
    return r.body().contains(OFFER) ? "ok" : "noupdate";
  }

  void event(String machine, String version, String event) {
    HttpResponse<String> r = server.omaha(TestServer.request(machine, version, "stable", "        " + event + "\n"));
    assertEquals(200, r.statusCode(), r.body());
  }

  /** What update_engine sends when a granted update fails: download started, then 3/0. */
  void failAfterDownloadStarted(String machine) {
    event(machine, OLD, "<event eventtype=\"13\" eventresult=\"1\"></event>");
    event(machine, OLD, "<event eventtype=\"3\" eventresult=\"0\" errorcode=\"7\"></event>");
  }

  JsonNode rollout() {
    return server.adminOk("GET", "/api/v1/groups/stable/rollout", null);
  }

  static void assertStates(JsonNode rollout, int granted, int complete, int onHold) {
    JsonNode s = rollout.get("states");
    assertEquals(List.of("granted", "downloading", "downloaded", "installed", "complete", "error", "timed_out",
        "on_hold", "undefined"), fieldNames(s));
    assertEquals(granted, s.get("granted").asInt(), s.toString());
    assertEquals(complete, s.get("complete").asInt(), s.toString());
    assertEquals(onHold, s.get("on_hold").asInt(), s.toString());
  }

  static List<String> fieldNames(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void rollout_fiveMachinesAgainstTwoPerHour_twoGrantedThreeWaiting_thenTheGrantedOnesComplete() {
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"max_updates_per_period\": 2}}");
    List<String> verdicts = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      verdicts.add(check(machine(i), OLD));
    }
    assertEquals(List.of("ok", "ok", "noupdate", "noupdate", "noupdate"), verdicts);

    JsonNode r = rollout();
    assertEquals("stable", r.get("group").asText());
    assertEquals("stable", r.get("channel").asText());
    assertEquals(NEW, r.get("target_version").asText());
    assertFalse(r.get("paused").asBoolean());
    assertEquals(5, r.get("machines").asInt());
    assertEquals("[{\"version\":\"3510.2.1\",\"machines\":5}]", r.get("versions").toString());
    assertStates(r, 2, 0, 3);
    assertEquals(3, r.get("waiting").asInt());
    assertEquals(2, r.get("policy").get("max_updates_per_period").asInt());

    for (int i = 1; i <= 2; i++) {
      event(machine(i), OLD, "<event eventtype=\"13\" eventresult=\"1\"></event>");
      event(machine(i), OLD, "<event eventtype=\"14\" eventresult=\"1\"></event>");
      event(machine(i), OLD, "<event eventtype=\"3\" eventresult=\"1\"></event>");
      assertEquals("noupdate", check(machine(i), NEW));
    }

    r = rollout();
    assertEquals(5, r.get("machines").asInt());
    assertEquals("[{\"version\":\"3510.2.1\",\"machines\":3},{\"version\":\"3602.2.0\",\"machines\":2}]",
        r.get("versions").toString());
    assertStates(r, 0, 2, 3);
    assertEquals(3, r.get("waiting").asInt());
  }

  @Test
  void rollout_ofAnUnknownGroup_is404() {
    HttpResponse<String> r = server.admin("GET", "/api/v1/groups/nope/rollout", null);

    assertEquals(404, r.statusCode(), r.body());
  }

  @Test
  void failureBrake_twoFailuresPauseTheGroupWithAReason_theNextMachineGetsNoupdate_andResumeDoesNotReBrake() {
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"failure_brake\": 2, \"max_updates_per_period\": 0}}");
    for (int i = 1; i <= 2; i++) {
      assertEquals("ok", check(machine(i), OLD));
      failAfterDownloadStarted(machine(i));
    }

    assertEquals("noupdate", check(machine(3), OLD));

    JsonNode g = server.adminOk("GET", "/api/v1/groups/stable", null);
    assertTrue(g.get("paused").asBoolean(), g.toString());
    String reason = "2 failed updates to 3602.2.0 in group stable of 2 granted (brake at 2 and 10%)";
    assertEquals(reason, g.get("paused_reason").asText());
    assertFalse(g.get("paused_at").isNull());
    JsonNode a = server.adminOk("GET", "/api/v1/activity?limit=1", null).get(0);
    assertEquals("group.paused", a.get("kind").asText());
    assertEquals(reason, a.get("message").asText());
    assertEquals("cairn", a.get("actor").asText());
    JsonNode r = rollout();
    assertTrue(r.get("paused").asBoolean());
    assertEquals(reason, r.get("paused_reason").asText());
    assertEquals(2, r.get("states").get("error").asInt());
    assertEquals("noupdate", check(machine(4), OLD));

    server.adminOk("POST", "/api/v1/groups/stable/resume", null);

    assertEquals("ok", check(machine(3), OLD));
    assertFalse(server.adminOk("GET", "/api/v1/groups/stable", null).get("paused").asBoolean());
  }

  @Test
  void failureBrake_madeUpMachinesThatTakeAnOfferAndReportFailure_withoutADownload_pauseNothing() {
    // the outside trial: three made-up machine ids take an offer and at once report 3/0
    for (int i = 1; i <= 3; i++) {
      assertEquals("ok", check(machine(i), OLD));
      event(machine(i), OLD, "<event eventtype=\"3\" eventresult=\"0\" errorcode=\"7\"></event>");
    }

    assertEquals("ok", check(machine(4), OLD));
    assertFalse(server.adminOk("GET", "/api/v1/groups/stable", null).get("paused").asBoolean());
    JsonNode history = server.adminOk("GET", "/api/v1/instances/" + machine(1), null);
    assertTrue(history.toString().contains("not counted toward the failure brake: no download started since the grant"),
        history.toString());
  }

  @Test
  void failureBrake_aDownloadStartedFromAnotherBoot_doesNotMakeTheFailureCount() {
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"failure_brake\": 1, \"max_updates_per_period\": 0}}");
    assertEquals("ok", check(machine(1), OLD));
    String otherBoot = TestServer.request(machine(1), OLD, "stable",
        "        <event eventtype=\"13\" eventresult=\"1\"></event>\n")
        .replace("{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}", "{00000000-0000-4000-8000-000000000000}");
    assertEquals(200, server.omaha(otherBoot).statusCode());
    event(machine(1), OLD, "<event eventtype=\"3\" eventresult=\"0\" errorcode=\"7\"></event>");

    assertEquals("ok", check(machine(2), OLD));
  }

  @Test
  void failureBrake_asAShareOfTheGrants_threeFailuresOfFortyDoNotBrakeAt10Percent_fourDo() {
    server.adminOk("PUT", "/api/v1/groups/stable",
        "{\"policy\": {\"failure_brake\": 3, \"failure_percent\": 10, \"max_updates_per_period\": 0}}");
    for (int i = 1; i <= 40; i++) {
      assertEquals("ok", check(machine(i), OLD));
    }
    for (int i = 1; i <= 3; i++) {
      failAfterDownloadStarted(machine(i));
    }
    assertEquals("ok", check(machine(41), OLD), "3 failures are under 10 % of 41 grants");

    failAfterDownloadStarted(machine(4));
    failAfterDownloadStarted(machine(5));

    assertEquals("noupdate", check(machine(42), OLD));
    JsonNode g = server.adminOk("GET", "/api/v1/groups/stable", null);
    assertEquals("5 failed updates to 3602.2.0 in group stable of 41 granted (brake at 3 and 10%)",
        g.get("paused_reason").asText());
    assertEquals(10, g.get("policy").get("failure_percent").asInt());
  }

  @Test
  void failureBrake_afterResume_countsOnlyNewFailures() {
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"failure_brake\": 2, \"max_updates_per_period\": 0}}");
    for (int i = 1; i <= 2; i++) {
      check(machine(i), OLD);
      failAfterDownloadStarted(machine(i));
    }
    check(machine(3), OLD);
    server.adminOk("POST", "/api/v1/groups/stable/resume", null);
    for (int i = 4; i <= 5; i++) {
      assertEquals("ok", check(machine(i), OLD));
      failAfterDownloadStarted(machine(i));
    }

    assertEquals("noupdate", check(machine(6), OLD));

    assertTrue(server.adminOk("GET", "/api/v1/groups/stable", null).get("paused").asBoolean());
  }

  @Test
  void pauseAndResume_byHand_showInTheGroup_holdMachines_andNameTheActor() {
    HttpResponse<String> p = server.send(server.request("/api/v1/groups/stable/pause")
        .header("Authorization", "Bearer " + TestServer.TOKEN).header("X-Cairn-Actor", "dave@ops")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"reason\": \"bad kernel in 3602.2.0\"}")));

    assertEquals(200, p.statusCode(), p.body());
    JsonNode g = TestServer.json(p);
    assertTrue(g.get("paused").asBoolean());
    assertEquals("bad kernel in 3602.2.0", g.get("paused_reason").asText());
    assertFalse(g.get("paused_at").isNull());
    assertFalse(g.get("policy").get("updates_enabled").asBoolean());
    JsonNode a = server.adminOk("GET", "/api/v1/activity?limit=1", null).get(0);
    assertEquals("group.paused", a.get("kind").asText());
    assertEquals("group stable paused: bad kernel in 3602.2.0", a.get("message").asText());
    assertEquals("dave@ops", a.get("actor").asText());
    assertEquals("noupdate", check(machine(1), OLD));

    JsonNode resumed = server.adminOk("POST", "/api/v1/groups/stable/resume", null);

    assertFalse(resumed.get("paused").asBoolean());
    assertTrue(resumed.get("paused_reason").isNull());
    assertTrue(resumed.get("paused_at").isNull());
    assertTrue(resumed.get("policy").get("updates_enabled").asBoolean());
    assertEquals("group.resumed", server.adminOk("GET", "/api/v1/activity?limit=1", null).get(0).get("kind").asText());
    assertEquals("ok", check(machine(1), OLD));
  }

  @Test
  void pause_withoutAReason_saysWhoPausedIt_andABadReasonIs400() {
    JsonNode g = server.adminOk("POST", "/api/v1/groups/stable/pause", null);
    HttpResponse<String> bad = server.admin("POST", "/api/v1/groups/beta/pause", "{\"reason\": 7}");
    HttpResponse<String> unknown = server.admin("POST", "/api/v1/groups/nope/pause", null);

    assertEquals("paused by admin", g.get("paused_reason").asText());
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("field 'reason' must be a string", TestServer.json(bad).get("error").asText());
    assertFalse(server.adminOk("GET", "/api/v1/groups/beta", null).get("paused").asBoolean());
    assertEquals(404, unknown.statusCode(), unknown.body());
  }

  @Test
  void createGroup_followsItsChannelWithItsPolicy_andTheSameNameAgainIs409() {
    JsonNode g = server.adminOk("POST", "/api/v1/groups",
        "{\"name\": \"canary\", \"channel\": \"stable\", \"policy\": {\"rollout_percent\": 10}}");

    assertEquals("canary", g.get("name").asText());
    assertEquals("stable", g.get("channel").asText());
    assertEquals(NEW, g.get("channel_version").asText());
    assertEquals(10, g.get("policy").get("rollout_percent").asInt());
    assertFalse(g.get("paused").asBoolean());
    HttpResponse<String> again = server.admin("POST", "/api/v1/groups", "{\"name\": \"canary\", \"channel\": \"beta\"}");
    assertEquals(409, again.statusCode(), again.body());
    assertEquals("group 'canary' already exists", TestServer.json(again).get("error").asText());
    assertEquals("stable", server.adminOk("GET", "/api/v1/groups/canary", null).get("channel").asText());
  }

  @Test
  void createGroup_withBadInput_is400NamingTheField_andCreatesNothing() {
    HttpResponse<String> noChannel = server.admin("POST", "/api/v1/groups", "{\"name\": \"canary\"}");
    HttpResponse<String> badPolicy = server.admin("POST", "/api/v1/groups",
        "{\"name\": \"canary\", \"channel\": \"stable\", \"policy\": {\"failure_brake\": \"two\"}}");
    HttpResponse<String> badName = server.admin("POST", "/api/v1/groups", "{\"name\": \"Can ary\", \"channel\": \"stable\"}");

    assertEquals(400, noChannel.statusCode(), noChannel.body());
    assertEquals("field 'channel' is required", TestServer.json(noChannel).get("error").asText());
    assertEquals(400, badPolicy.statusCode(), badPolicy.body());
    assertEquals("field 'failure_brake' must be a whole number", TestServer.json(badPolicy).get("error").asText());
    assertEquals(400, badName.statusCode(), badName.body());
    assertTrue(TestServer.json(badName).get("error").asText().startsWith("field 'name' must match"));
    assertEquals(3, server.adminOk("GET", "/api/v1/groups", null).size());
  }

  @Test
  void instances_filterByStatusInAnyCase_byVersion_andByGroup_andABadStatusIs400() {
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"max_updates_per_period\": 1}}");
    check(machine(1), OLD);
    check(machine(2), OLD);
    check(machine(3), "3510.2.0");
    server.omaha(TestServer.check(machine(4), OLD, "beta"));

    JsonNode granted = server.adminOk("GET", "/api/v1/instances?status=GRANTED", null);
    assertEquals(1, granted.size());
    assertEquals(machine(1), granted.get(0).get("machine_id").asText());
    JsonNode held = server.adminOk("GET", "/api/v1/instances?status=on_hold&group=stable", null);
    assertEquals(2, held.size(), held.toString());
    JsonNode older = server.adminOk("GET", "/api/v1/instances?version=3510.2.0", null);
    assertEquals(1, older.size());
    assertEquals(machine(3), older.get(0).get("machine_id").asText());
    assertEquals(2, server.adminOk("GET", "/api/v1/instances?group=stable&version=3510.2.1&limit=10", null).size());
    JsonNode beta = server.adminOk("GET", "/api/v1/instances?group=beta", null);
    assertEquals(1, beta.size());
    assertEquals(machine(4), beta.get(0).get("machine_id").asText());
    HttpResponse<String> bad = server.admin("GET", "/api/v1/instances?status=flying", null);
    assertEquals(400, bad.statusCode(), bad.body());
    assertEquals("status must be one of undefined, granted, downloading, downloaded, installed, complete, error,"
        + " on_hold, timed_out, got 'flying'", TestServer.json(bad).get("error").asText());
    HttpResponse<String> badVersion = server.admin("GET", "/api/v1/instances?version=latest", null);
    assertEquals(400, badVersion.statusCode(), badVersion.body());
  }
}
