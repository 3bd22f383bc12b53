package dev.cairn.omaha.http;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Everything the server logs (every record that reaches the root logger) and everything written
 * straight to System.err, while it is open. System.err is still written to as well.
 */
final class CapturedOutput implements AutoCloseable {
  private final List<LogRecord> records = new ArrayList<>();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream originalErr = System.err;
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (records) {
        records.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  CapturedOutput() {
    handler.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(handler);
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (err) {
          err.write(b);
        }
        originalErr.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (err) {
          err.write(b, off, len);
        }
        originalErr.write(b, off, len);
      }
    }, true));
  }

  /** The records logged so far. */
  List<LogRecord> records() {
    synchronized (records) {
      return List.copyOf(records);
    }
  }

  /** The lines the server logged about refused requests and connections. */
  List<String> refusals() {
    return records().stream().filter(r -> r.getLoggerName().equals(RefusalLog.class.getName()))
        .map(LogRecord::getMessage).toList();
  }

  /**
   * The refusal lines once there are {@code n} of them (waiting, boundedly, for those logged just
   * after the connection closed), and no more logged for a moment after.
   */
  List<String> refusals(int n) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (refusals().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Thread.sleep(100);
    return refusals();
  }

  /** The records that carry a stack trace, or are warnings or worse from anything but the refusal log. */
  List<String> alarming() {
    List<String> out = new ArrayList<>();
    for (LogRecord r : records()) {
      if (r.getThrown() != null || r.getLevel().intValue() >= Level.WARNING.intValue()) {
        out.add(r.getLevel() + " " + r.getLoggerName() + ": " + r.getMessage()
            + (r.getThrown() == null ? "" : " " + r.getThrown()));
      }
    }
    return out;
  }

  /** What was written straight to System.err. */
  String stderr() {
    synchronized (err) {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    Logger.getLogger("").removeHandler(handler);
    System.setErr(originalErr);
  }
}
