package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group policy as machines see it over HTTP: holds are noupdate with HTTP 200, never errors. */
class UpdatePolicyHttpTest {
  static final String OLD = "3510.2.1";
  static final String OFFER = "<updatecheck status=\"ok\">";
  static final String NOUPDATE = "<updatecheck status=\"noupdate\"/>";
  static final int MACHINES = 200;
  static final int LIMIT = 5;

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

  static String verdict(HttpResponse<String> r) {
    assertEquals(200, r.statusCode(), r.body());
    if (r.body().contains(OFFER)) {
      assertTrue(r.body().contains("<manifest version=\"" + TestServer.VERSION + "\">"), r.body());
      return "ok";
    }
    assertTrue(r.body().contains(NOUPDATE), r.body());
    return "noupdate";
  }

  /** Every machine checks once, all at once: 32 threads released together. */
  List<HttpResponse<String>> checkAllAtOnce(List<String> machines) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(32);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> futures = new ArrayList<>();
      for (String m : machines) {
        futures.add(pool.submit(() -> {
          go.await();
          return server.omaha(TestServer.check(m, OLD, "stable"));
        }));
      }
      go.countDown();
      List<HttpResponse<String>> out = new ArrayList<>();
      for (Future<HttpResponse<String>> f : futures) {
        out.add(f.get(30, TimeUnit.SECONDS));
      }
      return out;
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void twoHundredConcurrentChecks_getExactlyTheGroupsFiveGrants_andEveryHoldIsHttp200() throws Exception {
    JsonNode g = server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"max_updates_per_period\": 5}}");
    assertEquals(LIMIT, g.get("policy").get("max_updates_per_period").asInt());
    List<String> machines = new ArrayList<>();
    for (int i = 0; i < MACHINES; i++) {
      machines.add(String.format("%032x", 0x5eedL * 1_000_003L + i));
    }

    List<HttpResponse<String>> answers = checkAllAtOnce(machines);

    List<String> verdicts = answers.stream().map(UpdatePolicyHttpTest::verdict).toList();
    assertEquals(Map.of("ok", (long) LIMIT, "noupdate", (long) MACHINES - LIMIT),
        verdicts.stream().collect(Collectors.groupingBy(v -> v, Collectors.counting())));
    List<String> granted = new ArrayList<>();
    for (int i = 0; i < MACHINES; i++) {
      if (verdicts.get(i).equals("ok")) {
        granted.add(machines.get(i));
      }
    }
    JsonNode all = server.instances();
    assertEquals(MACHINES, all.size());
    List<String> grantedInStore = new ArrayList<>();
    all.forEach(i -> {
      if (i.get("status").asText().equals("granted")) {
        grantedInStore.add(i.get("machine_id").asText());
      } else {
        assertTrue(i.get("last_hold").asText().startsWith("RATE_LIMITED"), i.toString());
      }
    });
    assertEquals(granted.stream().sorted().toList(), grantedInStore.stream().sorted().toList());
  }

  @Test
  void aMachineCheckingAgainWhileInFlight_getsTheSamePackage_withoutUsingAGrant() {
    server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"max_updates_per_period\": 1}}");
    String first = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    HttpResponse<String> grant = server.omaha(TestServer.check(first, OLD, "stable"));
    assertEquals("ok", verdict(grant));
    server.omaha(TestServer.event(first, OLD, 13, 1));

    HttpResponse<String> again = server.omaha(TestServer.check(first, OLD, "stable"));
    HttpResponse<String> againStill = server.omaha(TestServer.check(first, OLD, "stable"));

    assertEquals(grant.body(), again.body(), "the same package, byte for byte");
    assertEquals(grant.body(), againStill.body());
    assertEquals("downloading", server.instance(first).get("status").asText(), "the re-offer does not reset progress");
    // the one grant of the period is still the first machine's: nobody else gets one
    HttpResponse<String> other = server.omaha(TestServer.check("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", OLD, "stable"));
    assertEquals("noupdate", verdict(other));
    assertTrue(server.instance("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb").get("last_hold").asText()
        .startsWith("RATE_LIMITED: 1 updates granted"));
    String body = server.send(server.request("/metrics")).body();
    PrometheusText.Exposition metrics = PrometheusText.parse(body);
    assertEquals(1.0, metrics.value("cairn_update_checks_total", "verdict", "granted", "reason", ""), body);
    assertEquals(2.0, metrics.value("cairn_update_checks_total", "verdict", "regranted", "reason", ""), body);
  }

  @Test
  void pausedGroup_answersNoupdate_andTheInstanceNamesUpdatesPaused() {
    JsonNode g = server.adminOk("PUT", "/api/v1/groups/stable", "{\"policy\": {\"updates_enabled\": false}}");
    assertEquals(false, g.get("policy").get("updates_enabled").asBoolean());
    String m = "cccccccccccccccccccccccccccccccc";

    assertEquals("noupdate", verdict(server.omaha(TestServer.check(m, OLD, "stable"))));

    JsonNode i = server.instance(m);
    assertTrue(i.get("last_hold").asText().startsWith("UPDATES_PAUSED"), i.toString());
    assertEquals("on_hold", i.get("status").asText());
  }

  @Test
  void unknownGroup_answersNoupdate_andTheInstanceIsListedUnderItsTrack() {
    String m = "dddddddddddddddddddddddddddddddd";

    assertEquals("noupdate", verdict(server.omaha(TestServer.check(m, OLD, "nightly"))));

    JsonNode nightly = server.adminOk("GET", "/api/v1/instances?group=nightly", null);
    assertEquals(1, nightly.size(), nightly.toString());
    assertEquals(m, nightly.get(0).get("machine_id").asText());
    assertEquals("nightly", nightly.get(0).get("group").asText());
    assertTrue(nightly.get(0).get("last_hold").asText().startsWith("UNKNOWN_GROUP"), nightly.toString());
    assertEquals(0, server.adminOk("GET", "/api/v1/instances?group=stable", null).size());
  }
}
