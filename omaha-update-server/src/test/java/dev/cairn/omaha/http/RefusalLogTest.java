package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The refusal log: one line each, at most 20 a minute, then one line that counts the rest. */
class RefusalLogTest {
  static final long SECOND = 1_000_000_000L;

  final List<String> lines = new ArrayList<>();
  final AtomicLong clock = new AtomicLong(7 * SECOND);
  final RefusalLog log = new RefusalLog(lines::add, clock::get);

  @Test
  void aFloodOfRefusals_logsTwentyAMinute_thenOneLineCountingTheRest() {
    for (int i = 0; i < 25; i++) {
      log.refused("10.0.0." + i + " POST /v1/update/: 400 malformed XML");
    }
    assertEquals(RefusalLog.PER_MINUTE, lines.size());
    assertEquals("refused 10.0.0.0 POST /v1/update/: 400 malformed XML", lines.get(0));

    clock.addAndGet(59 * SECOND);
    log.tick();
    assertEquals(RefusalLog.PER_MINUTE, lines.size(), "the minute is not over");
    clock.addAndGet(SECOND);
    log.tick();
    assertEquals("refused 5 more requests or connections in the last minute (not logged one by one)",
        lines.get(RefusalLog.PER_MINUTE));

    log.refused("10.0.0.99 POST /v1/update/: 413 body larger than 65536 bytes");
    assertEquals("refused 10.0.0.99 POST /v1/update/: 413 body larger than 65536 bytes", lines.get(lines.size() - 1));
    clock.addAndGet(120 * SECOND);
    log.tick();
    assertEquals(RefusalLog.PER_MINUTE + 2, lines.size(), "nothing was left out, so no count is logged");
  }

  @Test
  void whatTheClientSent_staysOnOneLine_andIsCut() {
    log.refused("10.0.0.1 POST /v1/update/: 400 malformed XML: <a>\n[Fatal Error] forged\r\n\u0000x" + "y".repeat(1000));

    assertEquals(1, lines.size());
    String line = lines.get(0);
    String start = "refused 10.0.0.1 POST /v1/update/: 400 malformed XML: <a> [Fatal Error] forged xy";
    assertEquals(start, line.substring(0, start.length()));
    assertEquals("refused ".length() + 200 + "...".length(), line.length(), line);
  }
}
