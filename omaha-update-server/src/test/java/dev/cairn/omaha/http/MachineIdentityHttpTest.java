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

  // ---- no machine id

  @Test
  void checkWithAnEmptyMachineId_isNoupdate_grantsNothing_andStoresNothing() {
    HttpResponse<String> r = server.omaha(check("", "stable"));

    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.body().contains(NOUPDATE), r.body());
    assertEquals(0, server.instances().size());
    assertTrue(metrics().contains("cairn_update_checks_total{verdict=\"hold\",reason=\"NO_MACHINE_ID\"} 1"),
        metrics().toString());
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
    assertTrue(metrics().contains("cairn_update_checks_total{verdict=\"hold\",reason=\"NO_MACHINE_ID\"} 1"),
        metrics().toString());
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
