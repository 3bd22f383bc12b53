package dev.cairn.omaha.db;

import static dev.cairn.omaha.db.SqlStoreMigrationTest.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.omaha.Model;
import dev.cairn.omaha.Store.EventRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A writer killed with SIGKILL mid-stream loses no acknowledged write and leaves a sound database. */
class SqlStoreDurabilityTest {
  static final int ACKNOWLEDGED = 300;

  @TempDir
  Path dir;

  @Test
  @Timeout(60)
  void killedWriter_losesNoAcknowledgedEvent_andTheDatabaseOpensClean() throws Exception {
    Path db = dir.resolve("omaha.db");
    try (SqlStore store = SqlStore.open(db)) {
      store.seedDefaults();
    }
    Path err = dir.resolve("appender.err");
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), EventAppender.class.getName(), db.toString())
        .redirectError(err.toFile())
        .start();
    List<Integer> acked = new ArrayList<>();
    ExecutorService reader = Executors.newSingleThreadExecutor();
    try {
      Future<?> reading = reader.submit(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while (acked.size() < ACKNOWLEDGED && (line = r.readLine()) != null) {
            synchronized (acked) {
              acked.add(Integer.parseInt(line.trim()));
            }
          }
        }
        return null;
      });
      try {
        reading.get(45, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        fail("the appender acknowledged only " + acked.size() + " events; its stderr: " + Files.readString(err));
      }
      assertTrue(child.isAlive(), "the appender stopped by itself; its stderr: " + Files.readString(err));
      child.destroyForcibly();   // SIGKILL: no shutdown hooks, no close, no checkpoint
      assertTrue(child.waitFor(10, TimeUnit.SECONDS));
      assertEquals(128 + 9, child.exitValue(), "the appender was not killed by SIGKILL");
    } finally {
      child.destroyForcibly();
      reader.shutdownNow();
    }
    assertEquals(ACKNOWLEDGED, acked.size(), "stderr: " + Files.readString(err));
    assertTrue(Files.size(dir.resolve("omaha.db-wal")) > 0, "the kill left no write-ahead log to recover from");

    List<EventRecord> events;
    try (SqlStore store = SqlStore.open(db)) {
      assertTrue(store.healthy());
      events = store.events(Model.COREOS_APP_ID, EventAppender.MACHINE);
      // and it still takes writes
      store.transaction(tx -> {
        tx.appendEvent(new EventRecord(Model.COREOS_APP_ID, "after", Instant.EPOCH, 3, 2, 0, 0, "", "3510.2.1"));
        return null;
      });
    }
    List<Integer> stored = events.stream().map(EventRecord::errorCode).toList();
    int last = acked.get(acked.size() - 1);
    assertTrue(stored.size() >= last, "stored " + stored.size() + " events, acknowledged up to " + last);
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(i + 1, stored.get(i), "events are committed in order, without gaps");
    }
    assertTrue(stored.containsAll(acked));
    assertEquals(List.of("ok"), query(db, "pragma integrity_check"));
    assertEquals(List.of(), query(db, "pragma foreign_key_check"));
    assertEquals(List.of(String.valueOf(stored.size())), query(db,
        "select last_check from instance where machine_id = '" + EventAppender.MACHINE + "'"));
  }
}
