package dev.cairn.omaha.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The server's log format: one line per record ({@code 2026-11-18T13:36:48Z INFO logger: message}),
 * where the JDK's default takes two; a record with an exception is followed by its stack trace.
 */
final class LogLines extends Formatter {
  @Override
  public String format(LogRecord r) {
    StringBuilder b = new StringBuilder()
        .append(Instant.ofEpochMilli(r.getMillis()).truncatedTo(ChronoUnit.SECONDS)).append(' ')
        .append(r.getLevel().getName()).append(' ')
        .append(r.getLoggerName()).append(": ")
        .append(formatMessage(r).replace('\n', ' ')).append('\n');
    if (r.getThrown() != null) {
      StringWriter trace = new StringWriter();
      r.getThrown().printStackTrace(new PrintWriter(trace));
      b.append(trace);
    }
    return b.toString();
  }
}
