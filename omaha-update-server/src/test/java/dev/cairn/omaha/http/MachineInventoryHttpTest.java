package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.omaha.ControlChars;
import dev.cairn.omaha.MachineSighting;
import dev.cairn.omaha.Store;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/v1/machines and /api/v1/machines/{key} on the real server, over sightings recorded
 * through {@code SqlStore.recordMachine} as the boot server records them.
 */
class MachineInventoryHttpTest {
  static final Instant T0 = Instant.parse("2026-11-18T13:36:48Z");
  static final String MAC = "52:54:00:ab:cd:0f";
  static final String UUID = "4c4c4544-0051-3410-8051-b2c04f4e3232";
  static final String EVIL = "\u001b[2J\u001b]0;owned\u0007\u009b31m\u007f\r\n\u202e";

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

  void record(MachineSighting s) {
    server.store.recordMachine(s).join();
  }

  /** Three machines: two of group workers (one seen twice), one that matched no group. */
  void threeMachines() {
    record(MachineSighting.of(T0, Map.of("mac", "52-54-00-AB-CD-0F", "hostname", "node17", "arch", "x86_64"),
        "10.0.0.17", "workers", "coreos-install", "ipxe", "profile coreos-install"));
    record(MachineSighting.of(T0.plusSeconds(1), Map.of("uuid", UUID, "serial", "SN-4711"), "10.0.0.18", null, null,
        "cloud-config", "404 no group"));
    record(MachineSighting.of(T0.plusSeconds(30), Map.of("mac", MAC, "hostname", "node17"), "10.0.0.17", "workers",
        "coreos-install", "cloud-config", "served coreos-install"));
    record(MachineSighting.of(T0.plusSeconds(2), Map.of("mac", "52:54:00:00:00:02"), "10.0.0.19", "workers",
        "coreos-install", "ipxe", "profile coreos-install"));
  }

  static List<String> keys(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(m -> out.add(m.get("key").asText()));
    return out;
  }

  @Test
  void recordedSightings_areListedNewestFirst_withEveryFieldAndTheLabelsAsAnObject() {
    threeMachines();

    JsonNode all = server.adminOk("GET", "/api/v1/machines", null);

    assertEquals(List.of(MAC, "52:54:00:00:00:02", "uuid:" + UUID), keys(all));
    JsonNode m = all.get(0);
    assertEquals("workers", m.get("group").asText());
    assertEquals("coreos-install", m.get("profile").asText());
    assertEquals("10.0.0.17", m.get("address").asText());
    assertEquals(T0.toString(), m.get("first_seen").asText());
    assertEquals(T0.plusSeconds(30).toString(), m.get("last_seen").asText());
    assertEquals(2, m.get("requests").asInt());
    assertEquals("cloud-config", m.get("last_endpoint").asText());
    assertEquals("served coreos-install", m.get("last_outcome").asText());
    assertTrue(m.get("labels").isObject(), m.toString());
    assertEquals(TestServer.JSON.valueToTree(Map.of("mac", MAC, "hostname", "node17", "arch", "x86_64")),
        m.get("labels"));
    assertFalse(m.has("truncated"), "nothing cut, no field");
    JsonNode unknown = all.get(2);
    assertTrue(unknown.get("group").isNull() && unknown.get("profile").isNull(), unknown.toString());
    assertEquals("404 no group", unknown.get("last_outcome").asText());
  }

  @Test
  void groupAndLimit_filterTheList() {
    threeMachines();
    assertEquals(List.of(MAC, "52:54:00:00:00:02"), keys(server.adminOk("GET", "/api/v1/machines?group=workers", null)));
    assertEquals(List.of(MAC), keys(server.adminOk("GET", "/api/v1/machines?group=workers&limit=1", null)));
    assertEquals(List.of(), keys(server.adminOk("GET", "/api/v1/machines?group=storage", null)));
    assertEquals(3, server.adminOk("GET", "/api/v1/machines?group=", null).size());
  }

  @Test
  void oneMachine_byItsKeyInAnyWrittenForm() {
    threeMachines();
    for (String key : List.of(MAC, "52-54-00-AB-CD-0F", "525400abcd0f")) {
      JsonNode m = server.adminOk("GET", "/api/v1/machines/" + key, null);
      assertEquals(MAC, m.get("key").asText(), key);
      assertEquals(2, m.get("requests").asInt(), key);
    }
    assertEquals("uuid:" + UUID, server.adminOk("GET", "/api/v1/machines/uuid:" + UUID.toUpperCase(), null)
        .get("key").asText());
    assertEquals("uuid:" + UUID, server.adminOk("GET", "/api/v1/machines/uuid%3A" + UUID, null).get("key").asText());
  }

  @Test
  void unknownMachine_is404NamingIt() {
    HttpResponse<String> r = server.admin("GET", "/api/v1/machines/52:54:00:00:00:99", null);
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("no machine '52:54:00:00:00:99' in the inventory", TestServer.json(r).get("error").asText());
  }

  @Test
  void onlyTheAdminToken_showsTheMachines() {
    threeMachines();
    for (String path : List.of("/api/v1/machines", "/api/v1/machines/" + MAC)) {
      assertTrue(server.admin("GET", path, null).body().contains(MAC), path);
      HttpResponse<String> r = server.send(server.request(path).GET());
      AdminApiHttpTest.assertUnauthorized(r);
      assertFalse(r.body().contains("52:54"), r.body());
      r = server.send(server.request(path).header("Authorization", "Bearer " + "0".repeat(64)).GET());
      AdminApiHttpTest.assertUnauthorized(r);
    }
  }

  @Test
  void badLimit_is400_andWritingIs405() {
    HttpResponse<String> r = server.admin("GET", "/api/v1/machines?limit=0", null);
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("limit must be 1-10000, got '0'", TestServer.json(r).get("error").asText());
    assertEquals(405, server.admin("POST", "/api/v1/machines", "{}").statusCode());
    assertEquals(405, server.admin("DELETE", "/api/v1/machines/" + MAC, null).statusCode());
    assertEquals(404, server.admin("GET", "/api/v1/machines/" + MAC + "/labels", null).statusCode());
  }

  @Test
  void hostileLabels_areAnsweredAsJsonEscapes_neverRaw_cutAndNamed() {
    String longValue = "node" + EVIL + "x".repeat(5000);
    record(new MachineSighting(MAC, T0, Map.of("mac", MAC, "hostname", longValue, "k" + EVIL, "v" + EVIL),
        "10.0.0.17", "workers" + EVIL, null, "ipxe", "profile " + EVIL));

    for (String path : List.of("/api/v1/machines", "/api/v1/machines/" + MAC)) {
      HttpResponse<String> r = server.admin("GET", path, null);
      assertEquals(200, r.statusCode(), r.body());
      String body = r.body();
      for (int i = 0; i < body.length(); i++) {
        char c = body.charAt(i);
        assertFalse(c != '\n' && ControlChars.isControl(c),
            String.format("raw U+%04X at %d in %s", (int) c, i, ControlChars.escape(body)));
      }
      assertTrue(body.contains("\\u001B[2J\\u001B]0;owned\\u0007\\u009B31m\\u007F\\r\\n\\u202E"), body);
      JsonNode m = TestServer.json(r);
      m = m.isArray() ? m.get(0) : m;
      assertEquals(longValue.substring(0, Store.MAX_TEXT), m.get("labels").get("hostname").asText(), "as sent, cut");
      assertEquals("v" + EVIL, m.get("labels").get("k" + EVIL).asText());
      assertEquals("workers" + EVIL, m.get("group").asText());
      assertEquals("[\"label hostname\"]", m.get("truncated").toString());
    }
  }
}
