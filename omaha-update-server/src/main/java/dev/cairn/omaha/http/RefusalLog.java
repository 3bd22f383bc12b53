package dev.cairn.omaha.http;

import io.undertow.server.HttpServerExchange;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The log of refused requests and connections: one line each, at most {@value #PER_MINUTE} a
 * minute. The ones beyond are counted, and the count is logged in one line once the minute is
 * over, so a flood of bad requests cannot flood the log.
 */
final class RefusalLog {
  static final int PER_MINUTE = 20;
  private static final long MINUTE = 60_000_000_000L;
  private static final int LONGEST_REASON = 200;
  private static final System.Logger LOG = System.getLogger(RefusalLog.class.getName());

  private final Consumer<String> out;
  private final LongSupplier nanos;
  private long windowStart;
  private int logged;
  private long dropped;

  RefusalLog() {
    this(line -> LOG.log(System.Logger.Level.INFO, line), System::nanoTime);
  }

  /** Lines go to {@code out}; {@code nanos} is the clock the minutes are measured on. */
  RefusalLog(Consumer<String> out, LongSupplier nanos) {
    this.out = out;
    this.nanos = nanos;
    this.windowStart = nanos.getAsLong();
  }

  /** Logs that the request of {@code ex} was refused and why ({@code reason} may hold what the client sent). */
  void refused(HttpServerExchange ex, String reason) {
    refused(ex.getSourceAddress().getAddress().getHostAddress() + " " + ex.getRequestMethod() + " "
        + ex.getRequestPath() + ": " + reason);
  }

  /** Logs {@code line} (made one line, and cut to a sane length), unless this minute's lines are used up. */
  synchronized void refused(String line) {
    roll();
    if (logged < PER_MINUTE) {
      logged++;
      out.accept("refused " + oneLine(line));
    } else {
      dropped++;
    }
  }

  /** Logs the count of the lines left out once their minute is over; called every second or so. */
  synchronized void tick() {
    roll();
  }

  private void roll() {
    long now = nanos.getAsLong();
    if (now - windowStart >= MINUTE) {
      if (dropped > 0) {
        out.accept("refused " + dropped + " more requests or connections in the last minute (not logged one by one)");
      }
      windowStart = now;
      logged = 0;
      dropped = 0;
    }
  }

  static String oneLine(String s) {
    String t = s.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
    return t.length() > LONGEST_REASON ? t.substring(0, LONGEST_REASON) + "..." : t;
  }
}
