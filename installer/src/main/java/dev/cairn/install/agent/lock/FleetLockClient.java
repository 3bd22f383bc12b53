package dev.cairn.install.agent.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A FleetLock client, as Zincati speaks it: {@code POST /v1/pre-reboot} to take a reboot slot,
 * {@code POST /v1/steady-state} to give it back, each with the {@code fleet-lock-protocol: true}
 * header and {@code {"client_params":{"id":..,"group":..}}}. 200 is the only yes; any other answer
 * with FleetLock's {@code {"kind":..,"value":..}} body is a no, said in one line; an unreachable
 * server or a 5xx is an IOException, so the caller asks again.
 */
public final class FleetLockClient implements RebootLock {
  /** The most of an answer read: FleetLock's answers are a line of JSON. */
  static final int MAX_ANSWER = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String group;
  private final HttpClient http;
  private final Duration timeout;

  /**
   * @param base the server's root ({@code http://cairn:8080}); the FleetLock paths are under it
   * @param group the reboot group
   * @throws IllegalArgumentException when {@code base} is not an http(s) URL or the group is empty
   */
  public FleetLockClient(String base, String group, Duration timeout) {
    this.base = url(base);
    if (group == null || group.isEmpty() || group.length() > Semaphore.MAX_ID) {
      throw new IllegalArgumentException("a FleetLock group must be 1 to " + Semaphore.MAX_ID + " characters, got '" + group + "'");
    }
    this.group = group;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  static URI url(String base) {
    URI u;
    try {
      u = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the lock server must be an http or https URL, got '" + base + "'");
    }
    if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null
        || u.getQuery() != null || u.getFragment() != null) {
      throw new IllegalArgumentException("the lock server must be an http or https URL, got '" + base + "'");
    }
    return u;
  }

  @Override
  public Outcome lock(String id) throws IOException {
    Answer a = post("/v1/pre-reboot", id);
    if (a.status == 200) {
      return new Outcome.Granted(false);
    }
    if (a.status >= 500) {
      throw new IOException(describe() + ": pre-reboot answered " + a.status + " " + a.said);
    }
    return new Outcome.Refused(a.said);
  }

  @Override
  public boolean unlock(String id) throws IOException {
    Answer a = post("/v1/steady-state", id);
    if (a.status == 200) {
      return true;
    }
    throw new IOException(describe() + ": steady-state answered " + a.status + " " + a.said);
  }

  @Override
  public String describe() {
    return "FleetLock " + base + " group " + group;
  }

  private record Answer(int status, String said) {}

  private Answer post(String path, String id) throws IOException {
    Semaphore.checkId(id);
    ObjectNode body = JSON.createObjectNode();
    body.putObject("client_params").put("id", id).put("group", group);
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
        .header("fleet-lock-protocol", "true").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    HttpResponse<java.io.InputStream> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(describe() + ": interrupted");
    } catch (IOException e) {
      throw new IOException(describe() + ": " + path + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
    byte[] bytes;
    try (java.io.InputStream in = r.body()) {
      bytes = in.readNBytes(MAX_ANSWER);
    }
    return new Answer(r.statusCode(), said(r.statusCode(), new String(bytes, StandardCharsets.UTF_8)));
  }

  /** FleetLock's error body as {@code kind: value}, else the text itself, on one line. */
  static String said(int status, String text) {
    try {
      JsonNode n = JSON.readTree(text);
      if (n != null && n.hasNonNull("kind")) {
        return oneLine(n.path("kind").asText() + ": " + n.path("value").asText(""));
      }
    } catch (IOException notJson) {
      // said as it is
    }
    String t = oneLine(text.strip());
    return t.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + (t.length() > 200 ? t.substring(0, 200) + "..." : t);
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n\\t]+", " ");
  }
}
