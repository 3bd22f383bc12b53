package dev.cairn.omaha.http;

import static dev.cairn.omaha.http.TestServer.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/**
 * update_engine's requests (the fixtures in src/test/resources/omaha/) posted to the real server
 * over HTTP, answered byte for byte as the golden responses, and recorded as the admin API shows.
 */
class OmahaConformanceHttpTest {
  static final String MACHINE = "0123456789abcdef0123456789abcdef";

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

  /** The response must be HTTP 200, XML, and exactly the golden file. */
  static void assertGolden(String golden, HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/xml"),
        r.headers().toString());
    assertEquals(fixture(golden), r.body());
  }

  @Test
  void updateCheckWithPingAndRoutine32_beforeAnyPackage_isNoupdate() {
    assertGolden("response-noupdate.xml", server.omaha(fixture("update-check.xml")));

    JsonNode i = server.instance(MACHINE);
    assertEquals("stable", i.get("group").asText());
    assertEquals("3510.2.1", i.get("version").asText());
    assertEquals("rack4-node17", i.get("alias").asText());
    assertTrue(i.get("last_hold").asText().startsWith("NO_PACKAGE"), i.toString());
    assertEquals("undefined", i.get("status").asText(), "the routine 3/2 is no reboot into an update");
  }

  @Test
  void updateCheck_afterStablePointsAtAPackage_offersItExactly() {
    server.release();

    HttpResponse<String> r = server.omaha(fixture("update-check.xml"));

    assertGolden("response-offer.xml", r);
    assertTrue(r.body().contains("<url codebase=\"https://cairn.example.com/packages/3602.2.0/\"/>"));
    assertTrue(r.body().contains("sha256=\"0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=\" DisablePayloadBackoff=\"true\""));
    JsonNode i = server.instance(MACHINE);
    assertEquals("granted", i.get("status").asText());
    assertEquals("3602.2.0", i.get("granted_version").asText());
    assertEquals(TestServer.NOW.toString(), i.get("granted_at").asText());
  }

  @Test
  void pingOnly_isAnsweredWithOnlyAPing() {
    HttpResponse<String> r = server.omaha(fixture("ping-only.xml"));

    assertGolden("response-ping-only.xml", r);
    JsonNode i = server.instance(MACHINE);
    assertEquals(0, i.get("events").size());
    assertTrue(i.get("last_check").isNull(), "a ping is no update check: " + i);
  }

  @Test
  void eventOnly_downloadStarted_isAcknowledged_andTheInstanceIsDownloading() {
    assertGolden("response-event-only.xml", server.omaha(fixture("event-download-started.xml")));

    JsonNode i = server.instance(MACHINE);
    assertEquals("downloading", i.get("status").asText());
    assertEquals(1, i.get("events").size());
    assertEquals(13, i.get("events").get(0).get("type").asInt());
    assertEquals(1, i.get("events").get(0).get("result").asInt());
  }

  @Test
  void rollbackEvent_3_0_isRecordedWithErrorCode44() {
    HttpResponse<String> r = server.omaha(fixture("rollback-event.xml"));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("<event status=\"ok\"/>"), r.body());
    JsonNode i = server.instance(MACHINE);
    JsonNode e = i.get("events").get(0);
    assertEquals(List.of(3, 0, 44, 0), List.of(e.get("type").asInt(), e.get("result").asInt(),
        e.get("error_code").asInt(), e.get("error_flags").asInt()));
    assertEquals("error", i.get("status").asText());
    assertEquals(44, i.path("last_error_code").asInt());
    assertEquals(0, i.path("last_error_flags").asInt());
  }

  @Test
  void errorCodeWithFlagBit28_isRecordedAsCode34WithFlags1() {
    HttpResponse<String> r = server.omaha(fixture("error-with-flag-28.xml"));

    assertGolden("response-event-only.xml", r);
    JsonNode i = server.instance(MACHINE);
    JsonNode e = i.get("events").get(0);
    assertEquals(34, e.get("error_code").asInt());
    assertEquals(1, e.get("error_flags").asInt());
    assertEquals(34, i.path("last_error_code").asInt());
    assertEquals(1, i.path("last_error_flags").asInt());
  }

  @Test
  void twoApps_theUnknownIsErrorUnknownApplication_theKnownIsOffered() {
    server.release();

    assertGolden("response-two-apps.xml", server.omaha(fixture("two-apps.xml")));

    assertEquals("granted", server.instance(MACHINE).get("status").asText());
    assertEquals(0, server.adminOk("GET", "/api/v1/instances?app=%7B11111111-2222-3333-4444-555555555555%7D", null)
        .size(), "nothing is recorded for an app the server does not serve");
  }

  @Test
  void lifeCycle_grantDownloadInstallReboot_endsComplete_withEveryStepInHistory() {
    server.release();
    String old = "3510.2.1";

    assertTrue(server.omaha(TestServer.check(MACHINE, old, "stable")).body().contains("<updatecheck status=\"ok\">"));
    for (int[] step : new int[][] {{13, 1}, {14, 1}, {3, 1}}) {
      HttpResponse<String> r = server.omaha(TestServer.event(MACHINE, old, step[0], step[1]));
      assertGolden("response-event-only.xml", r);
    }
    // rebooted into the granted version: update_engine's check carries 3/2 with the version it came from
    HttpResponse<String> after = server.omaha(TestServer.request(MACHINE, TestServer.VERSION, "stable",
        "        <ping active=\"1\"></ping>\n        <updatecheck></updatecheck>\n"
        + "        <event eventtype=\"3\" eventresult=\"2\" previousversion=\"" + old + "\"></event>\n"));
    assertGolden("response-noupdate.xml", after);

    JsonNode i = server.instance(MACHINE);
    assertEquals("complete", i.get("status").asText());
    assertEquals(TestServer.VERSION, i.get("version").asText());
    assertTrue(i.get("last_hold").asText().startsWith("UP_TO_DATE"), i.toString());
    List<String> history = new ArrayList<>();
    i.get("history").forEach(h -> history.add(h.get("from").asText() + ">" + h.get("to").asText()));
    assertEquals(List.of("undefined>granted", "granted>downloading", "downloading>downloaded",
        "downloaded>installed", "installed>complete"), history);
    List<String> events = new ArrayList<>();
    i.get("events").forEach(e -> events.add(e.get("type").asInt() + "/" + e.get("result").asInt()
        + (e.get("previous_version").isNull() || e.get("previous_version").asText().isEmpty() ? ""
            : " from " + e.get("previous_version").asText())));
    // The routine 3/2 of the first check (no previous version) says nothing new and is not stored.
    assertEquals(List.of("13/1", "14/1", "3/1", "3/2 from 3510.2.1"), events);
  }
}
