package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /healthz} reports a stalled server as 503 with the reason, measured: the worker threads
 * held by clients that never send their body, update checks waiting on a database another process
 * has locked. It answers while every worker is busy, and says 200 again once the stall is over.
 */
class StallHealthHttpTest {
  static final Duration STALL = Duration.ofSeconds(1);
  static final Duration HEADROOM = Duration.ofSeconds(15);

  @TempDir
  Path dir;

  TestServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Asks /healthz until it answers {@code status} (boundedly); that answer's body. */
  String awaitHealth(int status) throws Exception {
    long deadline = System.nanoTime() + HEADROOM.toNanos();
    HttpResponse<String> r;
    do {
      r = server.http.send(server.request("/healthz").timeout(Duration.ofSeconds(5)).GET().build(),
          BodyHandlers.ofString());
      if (r.statusCode() == status) {
        return r.body();
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("/healthz stayed " + r.statusCode() + " " + r.body().strip() + ", expected " + status);
  }

  @Test
  void healthz_whileEveryWorkerWaitsForAnAdminBody_is503NamingTheWorkers_andOkOnceTheyAreFreed() throws Exception {
    server = TestServer.start(dir, OmahaServer.MAX_CHECKS_IN_FLIGHT, Limits.DEFAULTS.withStall(STALL)
        .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60)),
        false);
    assertEquals("ok\n", awaitHealth(200));
    List<RawClient> held = new ArrayList<>();
    try {
      for (int i = 0; i < OmahaServer.WORKERS; i++) {
        held.add(RawClient.connect(server.server.port(), "127.0.0.2").send("POST /api/v1/groups HTTP/1.1\r\n"
            + "Host: cairn\r\nAuthorization: Bearer " + TestServer.TOKEN + "\r\nContent-Type: application/json\r\n"
            + "Content-Length: 100\r\n\r\n"));
      }

      String reason = awaitHealth(503);

      assertTrue(reason.startsWith("worker threads stalled: a task has waited "), reason);
      assertTrue(reason.contains("(16 threads, "), reason);
    } finally {
      held.forEach(RawClient::close);
    }
    assertEquals("ok\n", awaitHealth(200));
  }

  @Test
  void healthz_whileChecksWaitForADatabaseAnotherProcessLocked_is503NamingTheChecks_andOkOnceItIsReleased()
      throws Exception {
    server = TestServer.start(dir, OmahaServer.MAX_CHECKS_IN_FLIGHT, Limits.DEFAULTS.withStall(STALL), false);
    server.release();
    assertEquals("ok\n", awaitHealth(200));
    CompletableFuture<HttpResponse<String>> waiting;
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cairn.db"));
        Statement s = other.createStatement()) {
      s.execute("begin immediate");    // the write lock, as another process would hold it
      waiting = server.http.sendAsync(server.request("/v1/update/").header("Content-Type", "text/xml")
          .POST(BodyPublishers.ofString(TestServer.check("0123456789abcdef0123456789abcdef", "3510.2.1", "stable")))
          .build(), BodyHandlers.ofString());

      String reason = awaitHealth(503);

      assertTrue(reason.startsWith("update checks stalled: 1 waiting for the database (at most 4096), none answered for "),
          reason);
      s.execute("commit");
    }
    assertEquals(200, waiting.get(30, TimeUnit.SECONDS).statusCode());
    assertEquals("ok\n", awaitHealth(200));
  }
}
