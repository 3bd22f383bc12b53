package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Store.EventRecord;
import dev.cairn.omaha.db.PostgresDatabase;
import dev.cairn.omaha.db.PostgresServer;
import dev.cairn.omaha.db.SqlStore;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code cairn serve} processes on one real PostgreSQL database, as replicas behind a load
 * balancer: the group's limit, a channel change and the failure brake hold across both, and one
 * killed with SIGKILL under load loses no event it acknowledged while the other keeps answering.
 */
class ReplicasProcessTest {
  static final String APP = Model.COREOS_APP_ID;
  static final String OLD = "3510.2.1";
  static final String OFFER = "<updatecheck status=\"ok\">";
  static final String NOUPDATE = "<updatecheck status=\"noupdate\"/>";

  @TempDir
  Path dir;

  PostgresServer.Database db;
  PostgresDatabase database;
  ServeChild a;
  ServeChild b;
  String token;

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void startTwoReplicas() throws Exception {
    db = PostgresServer.shared().newDatabase();
    database = PostgresDatabase.parse(db.url().replace("postgresql://", "postgresql://" + db.user() + "@"),
        db.password());
    a = replica("a");
    token = Files.readString(dir.resolve("a/admin.token"), StandardCharsets.US_ASCII).trim();
    Path tokenB = Files.createDirectories(dir.resolve("b")).resolve("admin.token");
    Files.writeString(tokenB, token + "\n", StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(tokenB, PosixFilePermissions.fromString("rw-------"));
    b = replica("b");
  }

  ServeChild replica(String name) throws IOException {
    return ServeChild.start(dir, name, dir.resolve(name), List.of("--database", database.url(), "--database-pool", "6", "--allow-unsigned"),
        Map.of("CAIRN_DATABASE_PASSWORD", db.password()));
  }

  @AfterEach
  void stopReplicas() throws Exception {
    for (ServeChild c : new ServeChild[] {a, b}) {
      if (c != null) {
        c.stop();
      }
    }
  }

  HttpResponse<String> send(HttpRequest.Builder r) throws IOException, InterruptedException {
    return http.send(r.timeout(Duration.ofSeconds(20)).build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  JsonNode admin(ServeChild on, String method, String path, String body) throws Exception {
    HttpResponse<String> r = send(HttpRequest.newBuilder(on.base().resolve(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : BodyPublishers.ofString(body)));
    assertTrue(r.statusCode() / 100 == 2, method + " " + path + ": " + r.statusCode() + " " + r.body());
    return r.body().isEmpty() ? null : TestServer.JSON.readTree(r.body());
  }

  HttpResponse<String> omaha(ServeChild on, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(on.base().resolve("/v1/update/")).POST(BodyPublishers.ofString(body)));
  }

  /** "ok" (offered the given version), "noupdate", or what else came back. */
  String check(ServeChild on, String machine, String expectVersion) throws IOException, InterruptedException {
    HttpResponse<String> r = omaha(on, TestServer.check(machine, OLD, "stable"));
    if (r.statusCode() != 200) {
      return r.statusCode() + " " + r.body();
    }
    if (r.body().contains(OFFER)) {
      assertTrue(r.body().contains("version=\"" + expectVersion + "\""), r.body());
      return "ok";
    }
    return r.body().contains(NOUPDATE) ? "noupdate" : r.body();
  }

  void publish(ServeChild on, String version) throws Exception {
    admin(on, "POST", "/api/v1/packages", TestServer.PACKAGE_JSON.replace(TestServer.VERSION, version));
  }

  static String machine(int i) {
    return String.format("%032x", 0xabc000000L + i);
  }

  <T> List<T> all(int threads, List<Callable<T>> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<T> out = new ArrayList<>();
      for (Future<T> f : pool.invokeAll(work)) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(120)
  void fiveHundredChecksOfDistinctMachines_overBothReplicas_grantExactlyTheGroupsLimitOf10() throws Exception {
    publish(a, TestServer.VERSION);
    admin(a, "PUT", "/api/v1/channels/stable", "{\"version\": \"" + TestServer.VERSION + "\"}");
    admin(b, "PUT", "/api/v1/groups/stable", "{\"policy\": {\"max_updates_per_period\": 10}}");

    List<Callable<String>> checks = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ServeChild on = i % 2 == 0 ? a : b;
      String m = machine(i);
      checks.add(() -> check(on, m, TestServer.VERSION));
    }
    List<String> answers = all(40, checks);

    assertEquals(500, answers.stream().filter(x -> x.equals("ok") || x.equals("noupdate")).count(),
        "every check answered: " + answers.stream().filter(x -> !x.equals("ok") && !x.equals("noupdate")).toList());
    assertEquals(10, answers.stream().filter("ok"::equals).count(), "granted across both replicas");
    // both replicas see the same ten, and the kept counts agree with a recount
    for (ServeChild on : new ServeChild[] {a, b}) {
      JsonNode rollout = admin(on, "GET", "/api/v1/groups/stable/rollout", null);
      assertEquals(10, rollout.get("states").get("granted").asInt(), rollout.toString());
      JsonNode counts = admin(on, "GET", "/api/v1/groups/stable/counts", null);
      assertTrue(counts.get("consistent").asBoolean(), counts.toString());
    }
  }

  @Test
  @Timeout(120)
  void aChannelChangeOnOneReplica_isServedByTheOtherAtItsVeryNextCheck() throws Exception {
    publish(a, TestServer.VERSION);
    publish(a, "3700.0.0");
    admin(a, "PUT", "/api/v1/channels/stable", "{\"version\": \"" + TestServer.VERSION + "\"}");
    admin(a, "PUT", "/api/v1/groups/stable", "{\"policy\": {\"max_updates_per_period\": 0}}");
    for (int i = 0; i < 5; i++) {      // b has the group in its cache
      assertEquals("ok", check(b, machine(i), TestServer.VERSION));
    }

    long t0 = System.nanoTime();
    admin(a, "PUT", "/api/v1/channels/stable", "{\"version\": \"3700.0.0\"}");
    String next = check(b, machine(100), "3700.0.0");
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    assertEquals("ok", next, "the first check on the other replica after the change is offered 3700.0.0");
    assertTrue(ms < 1_000, "seen by the other replica within a second: " + ms + " ms");
    // and a pause on b holds machines on a at once
    admin(b, "POST", "/api/v1/groups/stable/pause", "{\"reason\": \"maintenance\"}");
    assertEquals("noupdate", check(a, machine(101), "3700.0.0"));
  }

  @Test
  @Timeout(120)
  void theFailureBrake_tripsOnce_notOncePerReplica() throws Exception {
    publish(a, TestServer.VERSION);
    admin(a, "PUT", "/api/v1/channels/stable", "{\"version\": \"" + TestServer.VERSION + "\"}");
    admin(a, "PUT", "/api/v1/groups/stable",
        "{\"policy\": {\"failure_brake\": 3, \"failure_percent\": 0, \"max_updates_per_period\": 0}}");
    int granted = 12;
    for (int i = 0; i < granted; i++) {
      assertEquals("ok", check(i % 2 == 0 ? a : b, machine(i), TestServer.VERSION));
    }
    // every granted machine starts its download, then fails, all at once over both replicas
    List<Callable<Integer>> failures = new ArrayList<>();
    for (int i = 0; i < granted; i++) {
      ServeChild on = i % 2 == 0 ? b : a;
      String m = machine(i);
      failures.add(() -> {
        int s1 = omaha(on, TestServer.request(m, OLD, "stable",
            "        <event eventtype=\"13\" eventresult=\"1\"></event>\n")).statusCode();
        int s2 = omaha(on, TestServer.request(m, OLD, "stable",
            "        <event eventtype=\"3\" eventresult=\"0\" errorcode=\"7\"></event>\n")).statusCode();
        return s1 * 1000 + s2;
      });
    }
    assertEquals(List.of(200200), all(granted, failures).stream().distinct().toList());
    // then 40 new machines check at once, half on each replica: the first to decide pauses the group
    List<Callable<String>> checks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ServeChild on = i % 2 == 0 ? a : b;
      String m = machine(1000 + i);
      checks.add(() -> check(on, m, TestServer.VERSION));
    }
    assertEquals(List.of("noupdate"), all(40, checks).stream().distinct().toList());

    JsonNode activity = admin(b, "GET", "/api/v1/activity?limit=1000", null);
    List<String> pauses = new ArrayList<>();
    for (JsonNode line : activity) {
      if (line.get("kind").asText().equals("group.paused")) {
        pauses.add(line.get("actor").asText() + ": " + line.get("message").asText());
      }
    }
    assertEquals(1, pauses.size(), "one pause by the brake: " + pauses);
    // paused by the server at the first decision that saw at least 3 failures, whichever replica made it
    assertTrue(pauses.get(0).matches("cairn: ([3-9]|1[0-2]) failed updates to " + TestServer.VERSION.replace(".", "\\.")
        + " in group stable \\(brake at 3\\)"), pauses.toString());
    assertTrue(admin(a, "GET", "/api/v1/groups/stable", null).get("paused").asBoolean());
  }

  @Test
  @Timeout(120)
  void aReplicaKilledUnderLoad_losesNoAcknowledgedEvent_andTheOtherKeepsAnswering() throws Exception {
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<String> surprisesOfTheSurvivor = new ArrayList<>();
    AtomicBoolean killed = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch enough = new CountDownLatch(1);
    ExecutorService senders = Executors.newFixedThreadPool(8);
    int[] afterKill = new int[1];
    try {
      for (int t = 0; t < 8; t++) {
        int sender = t;
        ServeChild on = t % 2 == 0 ? a : b;
        senders.submit(() -> {
          for (int seq = 0; !stop.get(); seq++) {
            String m = String.format("%08x%024x", sender, seq);
            HttpResponse<String> r;
            try {
              r = omaha(on, TestServer.event(m, OLD, 13, 1));
            } catch (IOException e) {
              if (on == b) {
                synchronized (surprisesOfTheSurvivor) {
                  surprisesOfTheSurvivor.add(e.toString());
                }
              }
              if (on == a && killed.get()) {
                return null;      // the killed replica is gone; its senders stop
              }
              continue;
            }
            if (r.statusCode() == 200 && r.body().contains("<event status=\"ok\"/>")) {
              acknowledged.add(m);
              if (on == b && killed.get()) {
                synchronized (afterKill) {
                  afterKill[0]++;
                }
              }
              if (acknowledged.size() >= 300) {
                enough.countDown();
              }
            } else if (on == b) {
              synchronized (surprisesOfTheSurvivor) {
                surprisesOfTheSurvivor.add(r.statusCode() + " " + r.body());
              }
            }
          }
          return null;
        });
      }
      assertTrue(enough.await(60, TimeUnit.SECONDS), "only " + acknowledged.size() + " events acknowledged");
      killed.set(true);
      a.process().destroyForcibly();      // SIGKILL: no hook, no close, connections cut
      assertTrue(a.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(128 + 9, a.process().exitValue());
      int before = acknowledged.size();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acknowledged.size() < before + 200 && System.nanoTime() < until) {
        Thread.sleep(50);
      }
    } finally {
      stop.set(true);
      senders.shutdown();
      assertTrue(senders.awaitTermination(30, TimeUnit.SECONDS));
    }
    assertEquals(List.of(), surprisesOfTheSurvivor, "the surviving replica answered every event with 200");
    assertTrue(afterKill[0] >= 200, "the surviving replica kept answering: " + afterKill[0] + " after the kill");

    try (SqlStore store = SqlStore.open(database, 2, Clock.systemUTC())) {
      for (String m : acknowledged) {
        List<EventRecord> events = store.events(APP, m);
        assertEquals(1, events.size(), m + " was acknowledged, its event is not stored");
        assertEquals(13, events.get(0).type());
      }
    }
    a = null;      // already gone
    HttpResponse<String> health = send(HttpRequest.newBuilder(b.base().resolve("/healthz")).GET());
    assertEquals(200, health.statusCode(), health.body());
  }
}
