package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.omaha.AddressQuota;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client address can claim to be any number of machines. Its new grants and the failures it
 * reports are capped per period, so it can neither take a group's whole rate limit nor pause the
 * group through the failure brake.
 */
class AddressLimitsHttpTest {
  static final String OLD = "3510.2.1";

  @TempDir
  Path dir;

  TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String machine(int n) {
    return String.format("%032x", n);
  }

  String check(String machine) {
    HttpResponse<String> r = server.omaha(TestServer.check(machine, OLD, "stable"));
    assertEquals(200, r.statusCode(), r.body());
    return r.body().contains("<updatecheck status=\"ok\">") ? "ok" : "noupdate";
  }

  void event(String machine, int type, int result) {
    assertEquals(200, server.omaha(TestServer.event(machine, OLD, type, result)).statusCode());
  }

  @Test
  void oneAddress_getsAtMostItsGrantsPerPeriod_theRestHoldWithTheReason() throws Exception {
    server = TestServer.start(dir, new AddressQuota.Limits(3, 0, Duration.ofHours(1), 1000));
    server.release();
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"max_updates_per_period\": 100}}");

    for (int i = 1; i <= 3; i++) {
      assertEquals("ok", check(machine(i)));
    }
    assertEquals("noupdate", check(machine(4)));
    assertEquals("ok", check(machine(2)), "a machine already granted is offered its update again");

    JsonNode i4 = server.adminOk("GET", "/api/v1/instances/" + machine(4), null);
    assertTrue(i4.toString().contains("ADDRESS_LIMITED"), i4.toString());
    JsonNode rollout = server.adminOk("GET", "/api/v1/groups/stable/rollout", null);
    assertEquals(3, rollout.get("states").get("granted").asInt(), rollout.toString());
  }

  @Test
  void oneAddress_cannotPauseAGroup_itsFailuresPastTheLimitAreNotCounted() throws Exception {
    server = TestServer.start(dir, new AddressQuota.Limits(0, 2, Duration.ofHours(1), 1000));
    server.release();
    server.adminOk("PUT", "/api/v1/groups/stable",
        "{\"policy\": {\"failure_brake\": 3, \"failure_percent\": 0, \"max_updates_per_period\": 0}}");

    for (int i = 1; i <= 5; i++) {
      assertEquals("ok", check(machine(i)));
      event(machine(i), 13, 1);
      event(machine(i), 3, 0);
    }

    assertEquals("ok", check(machine(6)), "5 failures from one address count as 2, under the brake's 3");
    assertFalse(server.adminOk("GET", "/api/v1/groups/stable", null).get("paused").asBoolean());
    JsonNode history = server.adminOk("GET", "/api/v1/instances/" + machine(5), null);
    assertTrue(history.toString().contains("address 127.0.0.1 reported its most failures this period"),
        history.toString());
  }
}
