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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the database stalls, update checks wait for it only up to a limit: another process holds
 * SQLite's write lock for real, the checks within the limit wait and are answered once it is
 * released, and the checks beyond it are answered 503 at once instead of piling up.
 */
class OverloadHttpTest {
  static final int LIMIT = 4;

  @TempDir
  Path dir;

  @Test
  void checksBeyondTheLimit_whileTheDatabaseIsLocked_get503AtOnce_andTheWaitingOnesAreServedAfterwards()
      throws Exception {
    try (TestServer server = TestServer.start(dir, LIMIT)) {
      server.release();
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cairn.db"));
          Statement s = other.createStatement()) {
        s.execute("begin immediate");   // the write lock, as another process would hold it
        for (int i = 0; i < LIMIT; i++) {
          waiting.add(server.http.sendAsync(server.request("/v1/update/").header("Content-Type", "text/xml")
              .POST(BodyPublishers.ofString(TestServer.check(String.format("%032x", i), "3510.2.1", "stable"))).build(),
              BodyHandlers.ofString()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.server.admission().inFlight() < LIMIT && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(LIMIT, server.server.admission().inFlight(), "the first checks did not arrive");

        HttpResponse<String> refused = server.omaha(TestServer.check(String.format("%032x", 99), "3510.2.1", "stable"));

        assertEquals(503, refused.statusCode(), refused.body());
        assertEquals("60", refused.headers().firstValue("Retry-After").orElse(""));
        assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone), "a check was answered while the lock was held");
        s.execute("commit");
      }
      for (CompletableFuture<HttpResponse<String>> f : waiting) {
        HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("<updatecheck status=\"ok\">"), r.body());
      }
      assertEquals(LIMIT, server.instances().size(), "every waiting check is stored, the refused one is not");
      assertEquals(0, server.server.admission().inFlight());
    }
  }
}
