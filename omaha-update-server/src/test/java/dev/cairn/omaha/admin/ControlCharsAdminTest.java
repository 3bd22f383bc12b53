package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.omaha.ControlChars;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Store.InstanceRecord;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Machines choose their alias, OEM, boot id, track and version, control characters included. The
 * database keeps them as sent; the admin API writes them as JSON escapes, and {@code cairn admin}
 * shows them as visible escapes: no machine and no server can drive the operator's terminal.
 */
class ControlCharsAdminTest {
  static final String MACHINE = "0123456789abcdef0123456789abcdef";
  static final String OTHER_MACHINE = "fedcba9876543210fedcba9876543210";
  static final ObjectMapper JSON = new ObjectMapper();

  /** Clear screen, retitle the window, bell, CSI (C1), DEL, CR, LF and a right-to-left override. */
  static final String EVIL_XML = "&#x1b;[2J&#x1b;]0;owned&#x7;&#x9b;31m&#x7f;&#xd;&#xa;&#x202e;";
  static final String EVIL = "\u001b[2J\u001b]0;owned\u0007\u009b31m\u007f\r\n\u202e";
  static final String EVIL_SHOWN = "\\e[2J\\e]0;owned\\a\\x9b31m\\x7f\\r\\n\\u202e";

  @TempDir Path dir;
  LiveServer server;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir);
    env = server.env();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /**
   * A check from {@code machine}; XML 1.1 lets character references carry C0 controls into
   * attributes, as a hostile machine would send them.
   */
  void check(String machine, String track, String version, String alias, String oem, String bootId) throws Exception {
    String xml = "<?xml version=\"1.1\" encoding=\"UTF-8\"?>\n"
        + "<request protocol=\"3.0\" version=\"update_engine-0.4.10\" installsource=\"scheduler\" ismachine=\"1\">\n"
        + " <os version=\"Chateau\" platform=\"CoreOS\" sp=\"3510.2.1_x86_64\"></os>\n"
        + " <app appid=\"" + Model.COREOS_APP_ID + "\" version=\"" + version + "\" track=\"" + track + "\""
        + " bootid=\"" + bootId + "\" oem=\"" + oem + "\" machineid=\"" + machine + "\" machinealias=\"" + alias + "\""
        + " board=\"amd64-usr\">\n"
        + "  <ping active=\"1\"></ping>\n  <updatecheck></updatecheck>\n"
        + " </app>\n</request>\n";
    HttpResponse<String> r = server.post(xml.getBytes(StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode(), r.body());
  }

  static void assertNoRawControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != '\n' && ControlChars.isControl(c)) {
        throw new AssertionError(String.format("raw U+%04X at %d in: %s", (int) c, i, ControlChars.escape(text)));
      }
    }
  }

  @Test
  void hostileAttributes_areStoredRaw_andShownEscapedByInstanceListAndShow() throws Exception {
    check(MACHINE, "stable", "3510.2.1", "node" + EVIL_XML, "qemu" + EVIL_XML, "{boot}" + EVIL_XML);
    check(OTHER_MACHINE, "stable" + EVIL_XML, "3510.2.1" + EVIL_XML, "", "qemu", "{boot}");

    InstanceRecord stored = server.store().instance(Model.COREOS_APP_ID, MACHINE).orElseThrow();
    assertEquals("node" + EVIL, stored.alias());
    assertEquals("qemu" + EVIL, stored.oem());
    assertEquals("{boot}" + EVIL, stored.bootId());
    InstanceRecord other = server.store().instance(Model.COREOS_APP_ID, OTHER_MACHINE).orElseThrow();
    assertEquals("stable" + EVIL, other.track());
    assertEquals("3510.2.1" + EVIL, other.version());

    String list = Admin.run(env, "instance", "list").ok().out();
    assertNoRawControl(list);
    assertTrue(list.contains("node" + EVIL_SHOWN), list);
    assertTrue(list.contains("stable" + EVIL_SHOWN), list);
    assertTrue(list.contains("3510.2.1" + EVIL_SHOWN), list);
    assertEquals(3, list.lines().count(), "a header and one line per machine: " + list);

    String show = Admin.run(env, "instance", "show", MACHINE).ok().out();
    assertNoRawControl(show);
    assertTrue(show.startsWith("machine " + MACHINE + " (node" + EVIL_SHOWN + ")\n"), show);
    assertTrue(show.contains("  oem      qemu" + EVIL_SHOWN + ", boot id {boot}" + EVIL_SHOWN + "\n"), show);
    String showOther = Admin.run(env, "instance", "show", OTHER_MACHINE).ok().out();
    assertNoRawControl(showOther);
    assertTrue(showOther.contains("  group    stable" + EVIL_SHOWN + "\n"), showOther);
    assertTrue(showOther.contains("  version  3510.2.1" + EVIL_SHOWN + "\n"), showOther);
  }

  @Test
  void hostileAttributes_areJsonEscapes_inTheApi_andInTheCliJson_andReadBackRaw() throws Exception {
    check(MACHINE, "stable", "3510.2.1", "node" + EVIL_XML, "qemu", "{boot}");

    HttpResponse<String> api = server.api("/api/v1/instances/" + MACHINE);
    assertEquals(200, api.statusCode(), api.body());
    assertNoRawControl(api.body());
    assertTrue(api.body().contains("\"alias\" : \"node\\u001B[2J\\u001B]0;owned\\u0007\\u009B31m\\u007F\\r\\n\\u202E\""),
        api.body());
    assertEquals("node" + EVIL, JSON.readTree(api.body()).get("alias").asText());
    HttpResponse<String> apiList = server.api("/api/v1/instances");
    assertNoRawControl(apiList.body());
    assertTrue(apiList.body().contains("\\u001B") && apiList.body().contains("\\u009B"), apiList.body());

    String cliList = Admin.run(env, "instance", "list", "--format", "json").ok().out();
    assertNoRawControl(cliList);
    assertEquals("node" + EVIL, JSON.readTree(cliList).get(0).get("alias").asText());
    String cliShow = Admin.run(env, "instance", "show", MACHINE, "--json").ok().out();
    assertNoRawControl(cliShow);
    assertEquals("node" + EVIL, JSON.readTree(cliShow).get("alias").asText());
  }

  @Test
  void aServersErrorLine_withControlCharacters_isPrintedEscaped_onOneLine() throws Exception {
    try (RecordingServer hostile = new RecordingServer()) {
      hostile.answer(400, "{\"error\": \"no such group \\u001b[2J\\u009b\\r\\nadmin: all good\"}");

      Admin.Result r = Admin.run(hostile.env(), "group", "pause", "stable");

      assertEquals(1, r.code(), r.err());
      assertNoRawControl(r.err());
      assertEquals("admin group pause: no such group \\e[2J\\x9b\\r\\nadmin: all good\n", r.err());
    }
  }

  @Test
  void activityAndGroupNamesFromAServer_withControlCharacters_arePrintedEscaped() throws Exception {
    try (RecordingServer hostile = new RecordingServer()) {
      hostile.answer(200, "[{\"at\": \"2026-11-22T03:00:00Z\", \"actor\": \"ops\u009b2J\", \"kind\": \"group\","
          + " \"machine_id\": null, \"message\": \"group x\\u001b]0;owned\\u0007 paused\u202e\"}]");

      String table = Admin.run(hostile.env(), "activity").ok().out();
      String json = Admin.run(hostile.env(), "activity", "--format", "json").ok().out();

      assertNoRawControl(table);
      assertTrue(table.contains("ops\\x9b2J"), table);
      assertTrue(table.contains("group x\\e]0;owned\\a paused\\u202e"), table);
      assertNoRawControl(json);
      JsonNode a = JSON.readTree(json).get(0);
      assertEquals("ops\u009b2J", a.get("actor").asText());
      assertEquals("group x\u001b]0;owned\u0007 paused\u202e", a.get("message").asText());

      hostile.answer(200, "[{\"name\": \"stable\u009b2J\", \"channel\": \"stable\\u001b[8m\", \"policy\": {}}]");
      String groups = Admin.run(hostile.env(), "group", "list").ok().out();
      assertNoRawControl(groups);
      assertTrue(groups.contains("stable\\x9b2J  stable\\e[8m"), groups);
    }
  }
}
