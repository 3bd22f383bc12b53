package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a machine calls itself: attributes longer than the server keeps, and checks that name no
 * machine at all. Each is answered (HTTP 200, never an error update_engine would back off from),
 * and nothing is stored that could be confused with another machine.
 */
class MachineIdentityHttpTest {
  static final String MACHINE = "0123456789abcdef0123456789abcdef";
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

  static String check(String machineId, String track) {
    return TestServer.check(machineId, "3510.2.1", track);
  }

  List<String> metrics() {
    return server.send(server.request("/metrics")).body().lines().toList();
  }

  /** The count of update checks held for {@code reason}, read with the strict exposition parser. */
  double held(String reason) {
    Double v = PrometheusText.parse(server.send(server.request("/metrics")).body())
        .value("cairn_update_checks_total", "verdict", "hold", "reason", reason);
    return v == null ? 0 : v;
  }

  // ---- attributes longer than what is kept

  @Test
  void machineAliasOf300Characters_isServed_keptTo256_andTheInstanceSaysSo() {
    String alias = "rack4-node17-".repeat(25);    // 325 characters
    HttpResponse<String> r = server.omaha(check(MACHINE, "stable").replace("machinealias=\"\"",
        "machinealias=\"" + alias + "\""));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains(OFFER), r.body());
    JsonNode i = server.instance(MACHINE);
    assertEquals(alias.substring(0, 256), i.get("alias").asText());
    assertEquals("[\"machinealias\"]", i.get("truncated").toString());
  }

  @Test
  void truncatedFlag_isClearedWhenTheMachineSendsAShortValueAgain() {
    server.omaha(check(MACHINE, "stable").replace("oem=\"qemu\"", "oem=\"" + "q".repeat(300) + "\""));
    assertEquals("[\"oem\"]", server.instance(MACHINE).get("truncated").toString());

    server.omaha(check(MACHINE, "stable"));

    JsonNode i = server.instance(MACHINE);
    assertEquals("qemu", i.get("oem").asText());
    assertFalse(i.has("truncated"), i.toString());
  }

  @Test
  void trackOf2000Characters_namesNoGroup_isNoupdate_andIsKeptTo256() {
    String track = "stable" + "x".repeat(1994);
    HttpResponse<String> r = server.omaha(check(MACHINE, track));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains(NOUPDATE), r.body());
    JsonNode i = server.instance(MACHINE);
    assertEquals(track.substring(0, 256), i.get("group").asText());
    assertTrue(i.get("last_hold").asText().startsWith("UNKNOWN_GROUP"), i.toString());
    assertTrue(i.get("last_hold").asText().length() < 512, i.toString());
    assertEquals("[\"track\"]", i.get("truncated").toString());
  }

  @Test
  void trackWhoseFirst256CharactersNameAGroup_stillNamesNoGroup() throws Exception {
    String group = "g".repeat(256);
    server.store.upsertGroup(TestServer.APP, group, "stable", dev.cairn.omaha.Model.Policy.defaults());

    HttpResponse<String> r = server.omaha(check(MACHINE, group + "-and-more"));

    assertTrue(r.body().contains(NOUPDATE), r.body());
    assertTrue(server.instance(MACHINE).get("last_hold").asText().startsWith("UNKNOWN_GROUP"));
  }

  @Test
  void machineIdsOf300Characters_sharingTheirFirst256_areAnsweredButNeverStored() {
    String shared = "a".repeat(256);
    HttpResponse<String> first = server.omaha(check(shared + "1".repeat(44), "stable"));
    HttpResponse<String> second = server.omaha(check(shared + "2".repeat(44), "stable"));

    for (HttpResponse<String> r : List.of(first, second)) {
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains(NOUPDATE), r.body());
      assertTrue(r.body().contains("<ping status=\"ok\"/>"), r.body());
    }
    assertEquals(0, server.instances().size());
    assertEquals(2, held("MACHINE_ID_TOO_LONG"), metrics().toString());
  }

  // ---- no machine id

  @Test
  void checkWithAnEmptyMachineId_isNoupdate_grantsNothing_andStoresNothing() {
    HttpResponse<String> r = server.omaha(check("", "stable"));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains(NOUPDATE), r.body());
    assertEquals(0, server.instances().size());
    assertEquals(1, held("NO_MACHINE_ID"), metrics().toString());
    assertFalse(metrics().stream().anyMatch(l -> l.contains("verdict=\"granted\"")), metrics().toString());
  }

  @Test
  void checkWithoutAMachineIdAttribute_isNoupdate_andStoresNothing() {
    String request = check(MACHINE, "stable").replace(" machineid=\"" + MACHINE + "\"", "");
    assertFalse(request.contains("machineid"));

    HttpResponse<String> r = server.omaha(request);

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains(NOUPDATE), r.body());
    assertEquals(0, server.instances().size());
    assertEquals(1, held("NO_MACHINE_ID"), metrics().toString());
  }

  @Test
  void eventWithoutAMachineId_isAcknowledged_andStoresNothing() {
    HttpResponse<String> r = server.omaha(TestServer.request("", "3510.2.1", "stable",
        "        <event eventtype=\"3\" eventresult=\"0\" errorcode=\"268435490\"></event>\n"));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains("<event status=\"ok\"/>"), r.body());
    assertFalse(r.body().contains("<updatecheck"), r.body());
    assertEquals(0, server.instances().size());
  }
}
