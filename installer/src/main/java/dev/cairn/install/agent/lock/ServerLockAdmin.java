package dev.cairn.install.agent.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cairn serve}'s reboot slots through its admin API, for {@code cairn locks --server}: the
 * group's slots ({@code GET /api/v1/groups/G/reboots}), a holder released ({@code DELETE
 * .../reboots/ID}) and the limit changed (the group's policy {@code max_reboots}). Every call
 * carries the admin token.
 */
public final class ServerLockAdmin implements LockAdmin {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String group;
  private final String token;
  private final String actor;
  private final HttpClient http;
  private final Duration timeout;
  private final Map<String, Instant> since = new LinkedHashMap<>();

  public ServerLockAdmin(String base, String group, String token, String actor, Duration timeout) {
    this.base = FleetLockClient.url(base);
    if (group == null || group.isEmpty()) {
      throw new IllegalArgumentException("cairn serve's reboot slots are per group: give --group");
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("no admin token");
    }
    this.group = group;
    this.token = token.strip();
    this.actor = actor;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public Semaphore status() throws IOException {
    JsonNode n = call("GET", "/reboots", null, 200);
    List<String> holders = new ArrayList<>();
    since.clear();
    for (JsonNode h : n.path("holders")) {
      holders.add(h.path("id").asText());
      if (h.hasNonNull("since")) {
        since.put(h.path("id").asText(), Instant.parse(h.path("since").asText()));
      }
    }
    return new Semaphore(n.path("available").asInt(), n.path("max").asInt(), holders);
  }

  /** When each holder of the last {@link #status} took its slot. */
  public Map<String, Instant> since() {
    return Map.copyOf(since);
  }

  @Override
  public boolean unlock(String id) throws IOException {
    Semaphore.checkId(id);
    return call("DELETE", "/reboots/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20"), null, 404) != null;
  }

  @Override
  public Semaphore setMax(int max) throws IOException {
    if (max < 0) {
      throw new IllegalArgumentException("max must be 0 or more, got " + max);
    }
    Semaphore before = status();
    ObjectNode body = JSON.createObjectNode();
    body.putObject("policy").put("max_reboots", max);
    call("PUT", "", body, 200);
    return before;
  }

  @Override
  public String describe() {
    return "cairn serve " + base + " group " + group;
  }

  /**
   * One admin call on the group; returns the answer, or null when it is {@code orNull} (the
   * status that means "not there" for this call).
   */
  private JsonNode call(String method, String path, JsonNode body, int orNull) throws IOException {
    URI uri = URI.create(base + "/api/v1/groups/" + URLEncoder.encode(group, StandardCharsets.UTF_8).replace("+", "%20") + path);
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", "Bearer " + token)
        .header("X-Cairn-Actor", actor).header("Accept", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r;
    try {
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(describe() + ": interrupted");
    } catch (IOException e) {
      throw new IOException(describe() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    }
    int s = r.statusCode();
    if (s == orNull && s != 200) {
      return null;
    }
    if (s == 401 || s == 403) {
      throw new IOException(describe() + ": the server refused the admin token (" + s + ")");
    }
    if (s == 404) {
      throw new IllegalArgumentException(describe() + ": " + error(r.body()));
    }
    if (s / 100 != 2) {
      throw new IOException(describe() + ": " + method + " " + uri.getPath() + " answered " + s + ": " + error(r.body()));
    }
    try {
      return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    } catch (IOException e) {
      throw new IOException(describe() + ": the answer is not JSON: " + e.getMessage(), e);
    }
  }

  private static String error(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.hasNonNull("error")) {
        return n.path("error").asText();
      }
    } catch (IOException notJson) {
      // said as it is
    }
    return FleetLockClient.said(0, body);
  }
}
