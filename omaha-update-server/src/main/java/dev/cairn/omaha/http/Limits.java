package dev.cairn.omaha.http;

import java.time.Duration;

/**
 * How long a client may take, and how many connections one address may hold: what keeps slow,
 * stalled and unfinished clients from holding the server's connections and threads. Each is
 * described, with what happens when it is hit, in docs/update-server.md ("Limits and timeouts").
 *
 * @param headers the request line and headers must arrive within this, counted from their first byte
 * @param body a request body may pause no longer than this between two bytes, and the whole body of
 *     an update check must arrive within it
 * @param idle a connection without a request (new, or kept alive after one) is closed after this
 * @param write a response may wait no longer than this for the client to take more of it
 * @param connectionsPerAddress the open connections one client address may hold; 0 for no limit
 * @param stall {@code /healthz} answers 503 once the worker threads, the file threads or the update
 *     checks have made no progress for this long
 */
public record Limits(Duration headers, Duration body, Duration idle, Duration write, int connectionsPerAddress,
    Duration stall) {
  /** The longest any of the timeouts may be (Undertow takes them as an int of milliseconds). */
  static final Duration LONGEST = Duration.ofDays(1);

  public static final Limits DEFAULTS = new Limits(Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(60), Duration.ofSeconds(60), 256, Duration.ofSeconds(10));

  public Limits {
    check("header timeout", headers);
    check("body timeout", body);
    check("idle timeout", idle);
    check("write timeout", write);
    check("stall timeout", stall);
    if (connectionsPerAddress < 0) {
      throw new IllegalArgumentException("connections per address must be 0 (no limit) or more, got "
          + connectionsPerAddress);
    }
  }

  private static void check(String what, Duration d) {
    if (d == null || d.toMillis() < 1 || d.compareTo(LONGEST) > 0) {
      throw new IllegalArgumentException(what + " must be between 1ms and 1d, got " + d);
    }
  }

  /** These limits with the timeouts replaced (the tests' short ones). */
  public Limits withTimeouts(Duration headers, Duration body, Duration idle, Duration write) {
    return new Limits(headers, body, idle, write, connectionsPerAddress, stall);
  }

  /** These limits with another limit of connections per address. */
  public Limits withConnectionsPerAddress(int n) {
    return new Limits(headers, body, idle, write, n, stall);
  }

  /** These limits with another stall timeout. */
  public Limits withStall(Duration d) {
    return new Limits(headers, body, idle, write, connectionsPerAddress, d);
  }

  static int millis(Duration d) {
    return (int) d.toMillis();
  }
}
