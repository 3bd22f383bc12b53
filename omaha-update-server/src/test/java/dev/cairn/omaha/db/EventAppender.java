package dev.cairn.omaha.db;

import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Store.EventRecord;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The process {@link SqlStoreDurabilityTest} kills: appends events one transaction at a time
 * and prints each one's sequence number only after its transaction returned. Stops by itself
 * after a minute, should nobody kill it.
 */
public final class EventAppender {
  static final String MACHINE = "durable-machine";

  private EventAppender() {}

  public static void main(String[] args) throws Exception {
    Path db = Path.of(args[0]);
    PrintStream out = System.out;
    Instant end = Instant.now().plus(Duration.ofMinutes(1));
    try (SqlStore store = TestDatabase.open(db)) {
      for (int seq = 1; Instant.now().isBefore(end); seq++) {
        int n = seq;
        store.transaction(tx -> {
          tx.appendEvent(new EventRecord(Model.COREOS_APP_ID, MACHINE, Instant.ofEpochMilli(n), 13, 1, n, 0,
              "3400.1.0", "3510.2.1"));
          tx.saveInstance(Fixtures.instance(Model.COREOS_APP_ID, MACHINE, "stable", "3400.1.0",
              InstanceStatus.DOWNLOADING, Optional.empty(), Optional.empty(), Instant.ofEpochMilli(n)));
          return null;
        });
        out.println(n);
        out.flush();
      }
    }
  }
}
