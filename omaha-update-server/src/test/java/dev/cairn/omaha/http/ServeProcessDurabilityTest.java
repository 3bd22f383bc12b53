package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Store.EventRecord;
import dev.cairn.omaha.Store.InstanceRecord;
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn serve} as its own process, killed with SIGKILL while machines report events: every
 * event it answered 200 is in the database, and it starts again cleanly on the same data.
 */
class ServeProcessDurabilityTest {
  static final String APP = Model.COREOS_APP_ID;
  static final int ANSWERED_BEFORE_KILL = 150;
  static final int SENDERS = 4;

  @TempDir
  Path dir;

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Starts {@code cairn serve} on SQLite in {@code data} and waits for it to say it listens. */
  ServeChild serve(Path data, String name) throws IOException {
    return ServeChild.start(dir, name, data, List.of(), Map.of());
  }

  HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return http.send(b.timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  @Timeout(90)
  void sigkilledServe_losesNoAnsweredEvent_andStartsAgainCleanly() throws Exception {
    Path data = dir.resolve("data");
    ServeChild first = serve(data, "first");
    Set<String> answered = ConcurrentHashMap.newKeySet();
    List<String> surprises = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch enough = new CountDownLatch(1);
    ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
    try {
      for (int t = 0; t < SENDERS; t++) {
        int sender = t;
        senders.submit(() -> {
          for (int seq = 0; !stop.get(); seq++) {
            String machine = String.format("%08x%024x", sender, seq);
            HttpResponse<String> r;
            try {
              r = send(HttpRequest.newBuilder(first.base().resolve("/v1/update/"))
                  .POST(BodyPublishers.ofString(TestServer.event(machine, "3510.2.1", 13, 1))));
            } catch (IOException e) {
              return null;   // the server is gone
            }
            if (r.statusCode() == 200 && r.body().contains("<event status=\"ok\"/>")) {
              answered.add(machine);
              if (answered.size() >= ANSWERED_BEFORE_KILL) {
                enough.countDown();
              }
            } else {
              synchronized (surprises) {
                surprises.add(r.statusCode() + " " + r.body());
              }
            }
          }
          return null;
        });
      }
      assertTrue(enough.await(40, TimeUnit.SECONDS), "only " + answered.size() + " events answered; stderr: "
          + first.stderrText());
      first.process().destroyForcibly();   // SIGKILL while the senders keep sending: no hook, no close
      assertTrue(first.process().waitFor(10, TimeUnit.SECONDS));
      assertEquals(128 + 9, first.process().exitValue(), "cairn serve was not killed by SIGKILL");
    } finally {
      stop.set(true);
      first.process().destroyForcibly();
      senders.shutdown();
      assertTrue(senders.awaitTermination(20, TimeUnit.SECONDS));
    }
    assertEquals(List.of(), surprises, "every answer before the kill was a 200 acknowledging the event");
    assertTrue(answered.size() >= ANSWERED_BEFORE_KILL);

    Path db = data.resolve("cairn.db");
    try (SqlStore store = SqlStore.open(db)) {
      Map<String, InstanceRecord> instances = store.listInstances(APP, null, Integer.MAX_VALUE).stream()
          .collect(Collectors.toMap(InstanceRecord::machineId, Function.identity()));
      for (String machine : answered) {
        List<EventRecord> events = store.events(APP, machine);
        assertEquals(1, events.size(), machine + " was answered 200, its event is not stored");
        assertEquals(13, events.get(0).type());
        assertEquals(1, events.get(0).result());
        assertTrue(instances.containsKey(machine), machine + " was answered 200, its instance is not stored");
        assertEquals(InstanceStatus.DOWNLOADING, instances.get(machine).status());
      }
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("pragma integrity_check")) {
      assertTrue(r.next());
      assertEquals("ok", r.getString(1));
    }

    ServeChild second = serve(data, "second");
    try {
      HttpResponse<String> health = send(HttpRequest.newBuilder(second.base().resolve("/healthz")).GET());
      assertEquals(200, health.statusCode(), health.body());
      assertEquals("ok\n", health.body());
      // the token written at first start still opens the admin API, and it lists what was answered
      String token = Files.readString(data.resolve("admin.token"), StandardCharsets.US_ASCII).trim();
      HttpResponse<String> list = send(HttpRequest.newBuilder(second.base().resolve("/api/v1/instances?limit=10000"))
          .header("Authorization", "Bearer " + token).GET());
      assertEquals(200, list.statusCode(), list.body());
      Set<String> listed = new java.util.HashSet<>();
      for (JsonNode i : TestServer.json(list)) {
        listed.add(i.get("machine_id").asText());
      }
      assertTrue(listed.containsAll(answered), "the restarted server lists every answered machine");
    } finally {
      second.process().destroy();   // SIGTERM: the shutdown hook stops the server and closes the store
      if (!second.process().waitFor(20, TimeUnit.SECONDS)) {
        second.process().destroyForcibly();
        fail("cairn serve did not stop on SIGTERM; stderr: " + second.stderrText());
      }
    }
    assertFalse(second.stderrText().contains("INFO: starting server"),
        "cairn serve turns the libraries' logging down to warnings: " + second.stderrText());
    Path wal = data.resolve("cairn.db-wal");
    assertTrue(!Files.exists(wal) || Files.size(wal) == 0,
        "a clean stop checkpoints the write-ahead log; stderr: " + second.stderrText());
  }
}
