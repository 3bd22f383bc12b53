package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which package a machine is offered, and where its offer sends it to download. */
class OfferedPackageHttpTest {
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

  static String codebase(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    String b = r.body();
    int at = b.indexOf("<url codebase=\"");
    assertTrue(at >= 0, "no offer: " + b);
    int from = at + "<url codebase=\"".length();
    return b.substring(from, b.indexOf('"', from));
  }

  // ---- the package for the machine's board

  static final String OTHER_APP = "{5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22}";

  /** A package of {@code version} for {@code board}, downloaded from a host named for the board. */
  void pkg(String app, String board, String version) {
    String hash = board.startsWith("arm64") ? "C" : "A";
    server.adminOk("POST", "/api/v1/packages?app=" + q(app), "{\"version\": \"" + version + "\", \"board\": \"" + board
        + "\", \"name\": \"update.gz\", \"size\": " + (board.startsWith("arm64") ? 2000 : 1000) + ", \"sha1\": \""
        + hash.repeat(27) + "=\", \"sha256\": \"" + hash.repeat(43) + "=\", \"url\": \"https://" + board
        + ".example.com/" + version + "/\"}");
  }

  static String q(String app) {
    return java.net.URLEncoder.encode(app, java.nio.charset.StandardCharsets.UTF_8);
  }

  void pkg(String board, String version) {
    pkg(TestServer.APP, board, version);
  }

  void serve(String channel, String version) {
    server.adminOk("PUT", "/api/v1/channels/" + channel, "{\"version\": \"" + version + "\"}");
  }

  /** A scheduled check from a machine of {@code board} ("" sends no board attribute at all). */
  static String check(String machine, String version, String board) {
    String c = TestServer.check(machine, version, "stable");
    return board.isEmpty() ? c.replace(" board=\"amd64-usr\"", "")
        : c.replace("board=\"amd64-usr\"", "board=\"" + board + "\"");
  }

  String lastHold(String machine) {
    return server.instance(machine).get("last_hold").asText();
  }

  @Test
  void arm64Machine_isOfferedTheArm64PackageOfItsChannelsVersion_andAmd64MachineTheAmd64One() {
    pkg("amd64-usr", "3602.2.0");
    pkg("arm64-usr", "3602.2.0");
    serve("stable", "3602.2.0");

    HttpResponse<String> arm = server.omaha(check("a1".repeat(16), "3510.2.1", "arm64-usr"));
    HttpResponse<String> amd = server.omaha(check("b2".repeat(16), "3510.2.1", "amd64-usr"));

    assertEquals("https://arm64-usr.example.com/3602.2.0/", codebase(arm));
    assertTrue(arm.body().contains("size=\"2000\" hash=\"" + "C".repeat(27) + "=\""), arm.body());
    assertTrue(arm.body().contains("sha256=\"" + "C".repeat(43) + "=\""), arm.body());
    assertEquals("https://amd64-usr.example.com/3602.2.0/", codebase(amd));
    assertTrue(amd.body().contains("size=\"1000\" hash=\"" + "A".repeat(27) + "=\""), amd.body());
  }

  @Test
  void machineWhoseBoardHasNoPackageOfTheVersion_isNoupdate_andTheReasonIsRecordedAndCounted() {
    pkg("amd64-usr", "3602.2.0");
    serve("stable", "3602.2.0");

    HttpResponse<String> r = server.omaha(check(MACHINE, "3510.2.1", "arm64-usr"));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("<updatecheck status=\"noupdate\"/>"), r.body());
    assertEquals("NO_PACKAGE_FOR_BOARD: version 3602.2.0 has no package for board arm64-usr (only for amd64-usr)",
        lastHold(MACHINE));
    assertEquals("undefined", server.instance(MACHINE).get("status").asText());
    String metrics = server.send(server.request("/metrics")).body();
    assertEquals(1.0, PrometheusText.parse(metrics).value("cairn_update_checks_total", "verdict", "hold", "reason",
        "NO_PACKAGE_FOR_BOARD"), metrics);
  }

  @Test
  void channelMayServeAVersionOnlyOneBoardHas_andTheOtherBoardsWait() {
    pkg("arm64-usr", "3602.2.0");
    serve("stable", "3602.2.0");

    assertEquals("https://arm64-usr.example.com/3602.2.0/",
        codebase(server.omaha(check("a1".repeat(16), "3510.2.1", "arm64-usr"))));
    server.omaha(check(MACHINE, "3510.2.1", "amd64-usr"));
    assertTrue(lastHold(MACHINE).startsWith("NO_PACKAGE_FOR_BOARD"), lastHold(MACHINE));
    assertEquals("3602.2.0", server.adminOk("GET", "/api/v1/groups/stable", null).get("channel_version").asText());
  }

  @Test
  void machineThatSendsNoBoard_isServedTheAppsDefaultBoard() {
    server.adminOk("POST", "/api/v1/apps", "{\"id\": \"" + OTHER_APP + "\", \"name\": \"Edge OS\","
        + " \"board\": \"arm64-usr\"}");
    server.adminOk("PUT", "/api/v1/groups/stable?app=" + q(OTHER_APP), "{\"channel\": \"stable\"}");
    pkg(OTHER_APP, "amd64-usr", "1.1.0");
    pkg(OTHER_APP, "arm64-usr", "1.1.0");
    server.adminOk("PUT", "/api/v1/channels/stable?app=" + q(OTHER_APP), "{\"version\": \"1.1.0\"}");

    HttpResponse<String> none = server.omaha(check("a1".repeat(16), "1.0.0", "").replace(TestServer.APP, OTHER_APP));
    HttpResponse<String> amd = server.omaha(check("b2".repeat(16), "1.0.0", "amd64-usr")
        .replace(TestServer.APP, OTHER_APP));

    assertEquals("https://arm64-usr.example.com/1.1.0/", codebase(none));
    assertEquals("https://amd64-usr.example.com/1.1.0/", codebase(amd));
  }

  @Test
  void pinnedVersion_isOfferedForTheMachinesBoard() {
    for (String board : new String[] {"amd64-usr", "arm64-usr"}) {
      pkg(board, "3500.0.0");
      pkg(board, "3602.2.0");
    }
    serve("stable", "3602.2.0");
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"pinned_version\": \"3500.0.0\"}}");

    assertEquals("https://arm64-usr.example.com/3500.0.0/",
        codebase(server.omaha(check("a1".repeat(16), "3400.0.0", "arm64-usr"))));
    assertEquals("https://amd64-usr.example.com/3500.0.0/",
        codebase(server.omaha(check("b2".repeat(16), "3400.0.0", "amd64-usr"))));
  }

  @Test
  void floor_isOfferedForTheMachinesBoard_andWithoutOneTheMachineWaitsRatherThanSkipIt() {
    pkg("amd64-usr", "3400.0.0");
    pkg("amd64-usr", "3602.2.0");
    pkg("arm64-usr", "3602.2.0");
    serve("stable", "3602.2.0");
    server.store.addFloor(TestServer.APP, "stable", dev.cairn.omaha.Version.parse("3400.0.0"), "new partition table");

    String arm = "a1".repeat(16);
    assertTrue(server.omaha(check(arm, "3300.0.0", "arm64-usr")).body().contains("noupdate"));
    assertEquals("NO_PACKAGE_FOR_BOARD: floor 3400.0.0, a required stop before 3602.2.0, has no package for board"
        + " arm64-usr", lastHold(arm));
    assertEquals("https://amd64-usr.example.com/3400.0.0/",
        codebase(server.omaha(check("b2".repeat(16), "3300.0.0", "amd64-usr"))));

    pkg("arm64-usr", "3400.0.0");
    assertEquals("https://arm64-usr.example.com/3400.0.0/", codebase(server.omaha(check(arm, "3300.0.0", "arm64-usr"))));
  }

  @Test
  void promotion_carriesTheVersion_soEveryBoardGetsItsOwnPackage() {
    pkg("amd64-usr", "3602.2.0");
    pkg("arm64-usr", "3602.2.0");
    serve("alpha", "3602.2.0");
    server.adminOk("POST", "/api/v1/channels/stable/promote", "{\"from\": \"alpha\"}");

    assertEquals("https://arm64-usr.example.com/3602.2.0/",
        codebase(server.omaha(check("a1".repeat(16), "3510.2.1", "arm64-usr"))));
    assertEquals("https://amd64-usr.example.com/3602.2.0/",
        codebase(server.omaha(check("b2".repeat(16), "3510.2.1", "amd64-usr"))));
  }

  // ---- the codebase

  @Test
  void externalUrlWithoutTrailingSlash_isStoredAndOfferedEndingInSlash() {
    JsonNode p = server.adminOk("POST", "/api/v1/packages", TestServer.PACKAGE_JSON.replace("}",
        ", \"url\": \"https://mirror.example.com/flatcar/3602.2.0\"}"));
    assertEquals("https://mirror.example.com/flatcar/3602.2.0/", p.get("url").asText());
    server.adminOk("PUT", "/api/v1/channels/stable", "{\"version\": \"3602.2.0\"}");

    assertEquals("https://mirror.example.com/flatcar/3602.2.0/",
        codebase(server.omaha(TestServer.check(MACHINE, "3510.2.1", "stable"))));
    assertEquals("https://mirror.example.com/flatcar/3602.2.0/",
        server.adminOk("GET", "/api/v1/packages", null).get(0).get("url").asText());
  }

  @Test
  void storedUrlWithoutTrailingSlash_fromAnEarlierServer_isOfferedEndingInSlash() throws Exception {
    server.release();
    try (Connection c = dev.cairn.omaha.db.TestDatabase.connect(dir.resolve("cairn.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate("update package set base_url = 'https://mirror.example.com/3602.2.0'");
    }
    server.adminOk("PUT", "/api/v1/channels/stable", "{\"version\": \"3602.2.0\"}");   // forgets cached groups

    assertEquals("https://mirror.example.com/3602.2.0/",
        codebase(server.omaha(TestServer.check(MACHINE, "3510.2.1", "stable"))));
  }
}
