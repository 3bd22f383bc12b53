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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * locksmith's reboot semaphore in etcd, reached through etcd's v3 JSON gateway ({@code POST
 * /v3/kv/range}, {@code /v3/kv/txn}) with the JDK's HTTP client.
 *
 * <p>The value is locksmith's ({@link SemaphoreJson}) under locksmith's key ({@link #key}), so a
 * fleet moving from locksmith keeps its semaphore. A missing key is created as {@code
 * Semaphore.fresh(1)}, as locksmith does, by a transaction that succeeds only while the key does
 * not exist; every change is a transaction comparing the key's {@code mod_revision} with the one
 * read, so two machines never both take the last slot. A lost compare re-reads and decides again
 * (at most {@value #MAX_CHANGE_ATTEMPTS} times, with a short random pause).
 *
 * <p>Each request goes to one endpoint at a time: an endpoint that cannot be reached, answers
 * 5xx, or reports an election in progress ({@code etcdserver: leader changed}, {@code no leader},
 * {@code request timed out}) is left for the next one, round after round, until the deadline of
 * the call; then an {@link IOException} names the endpoints tried and the last error (a TLS
 * handshake refused by every endpoint fails at once, as waiting does not mend it). A
 * transaction whose answer was lost may be sent again: its compare then fails if the first one
 * was applied, and the value read afresh decides (a machine found holding a slot is {@code
 * Granted(true)}; an unlock finding the machine gone returns false).
 */
public final class EtcdLock implements RebootLock, LockAdmin {
  /** locksmith's key without a group. */
  public static final String KEY = "coreos.com/updateengine/rebootlock/semaphore";

  static final int MAX_CHANGE_ATTEMPTS = 64;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How to reach the lock, as locksmith's settings: {@code LOCKSMITHD_ENDPOINT} (comma-separated
   * URLs), {@code LOCKSMITHD_GROUP}, {@code LOCKSMITHD_ETCD_CAFILE}, {@code
   * LOCKSMITHD_ETCD_CERTFILE}/{@code KEYFILE}, {@code LOCKSMITHD_ETCD_USERNAME}/{@code PASSWORD}.
   *
   * @param deadline how long one call ({@code lock}, {@code unlock}, ...) keeps trying the
   *     endpoints before it fails
   */
  public record Options(
      List<URI> endpoints,
      Optional<String> group,
      Optional<Path> caFile,
      Optional<Path> certFile,
      Optional<Path> keyFile,
      Optional<String> username,
      Optional<String> password,
      Duration deadline) {
    public Options {
      endpoints = List.copyOf(endpoints);
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(caFile, "caFile");
      Objects.requireNonNull(certFile, "certFile");
      Objects.requireNonNull(keyFile, "keyFile");
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(deadline, "deadline");
    }

    /** Plain endpoints, no group, TLS or auth, a 20 s deadline. */
    public static Options of(List<URI> endpoints) {
      return new Options(endpoints, Optional.empty(), Optional.empty(), Optional.empty(),
          Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofSeconds(20));
    }

    public Options withGroup(String g) {
      return new Options(endpoints, Optional.of(g), caFile, certFile, keyFile, username, password, deadline);
    }

    public Options withAuth(String user, String pass) {
      return new Options(endpoints, group, caFile, certFile, keyFile, Optional.of(user), Optional.of(pass), deadline);
    }

    public Options withDeadline(Duration d) {
      return new Options(endpoints, group, caFile, certFile, keyFile, username, password, d);
    }
  }

  private final List<URI> endpoints;
  private final String key;
  private final String key64;
  private final HttpClient http;
  private final Duration deadline;
  private final Optional<String> username;
  private final Optional<String> password;
  private final AtomicInteger preferred = new AtomicInteger();
  private volatile String token;

  private EtcdLock(Options o, HttpClient http) {
    this.endpoints = o.endpoints();
    this.key = key(o.group());
    this.key64 = b64(key);
    this.http = http;
    this.deadline = o.deadline();
    this.username = o.username();
    this.password = o.password();
  }

  /**
   * The lock described by {@code o}.
   *
   * @throws IllegalArgumentException naming the bad value: no endpoints, an endpoint that is not an
   *     {@code http://} or {@code https://} URL of a host with no path, a CA file that holds no
   *     certificate, a client certificate without its key (or the reverse), a key that is not an
   *     unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC), a username without a password
   *     (or the reverse), a deadline not above zero
   * @throws IOException when a CA, certificate or key file cannot be read (naming it)
   */
  public static EtcdLock open(Options o) throws IOException {
    if (o.endpoints().isEmpty()) {
      throw new IllegalArgumentException("etcd endpoints: at least one URL is expected, got none");
    }
    for (URI u : o.endpoints()) {
      checkEndpoint(u);
    }
    if (o.deadline().isZero() || o.deadline().isNegative()) {
      throw new IllegalArgumentException("etcd deadline must be above zero, got " + o.deadline());
    }
    if (o.username().isPresent() != o.password().isPresent()) {
      throw new IllegalArgumentException("etcd username and password go together, got only the "
          + (o.username().isPresent() ? "username" : "password"));
    }
    if (o.username().filter(String::isEmpty).isPresent()) {
      throw new IllegalArgumentException("etcd username must not be empty");
    }
    if (o.certFile().isPresent() != o.keyFile().isPresent()) {
      throw new IllegalArgumentException("etcd client certificate and key go together, got only the "
          + (o.certFile().isPresent() ? "certificate " + o.certFile().get() : "key " + o.keyFile().get()));
    }
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (o.caFile().isPresent() || o.certFile().isPresent()) {
      b.sslContext(Pem.sslContext(o.caFile(), o.certFile(), o.keyFile()));
    }
    return new EtcdLock(o, b.build());
  }

  /**
   * locksmith's key: {@value #KEY}, or with a group {@code
   * coreos.com/updateengine/rebootlock/groups/<group>/semaphore}, the group escaped as Go's {@code
   * url.QueryEscape}. An empty group is no group, as in locksmith.
   */
  public static String key(Optional<String> group) {
    return group.filter(g -> !g.isEmpty())
        .map(g -> "coreos.com/updateengine/rebootlock/groups/" + queryEscape(g) + "/semaphore")
        .orElse(KEY);
  }

  /** Go's {@code url.QueryEscape}: A-Z a-z 0-9 {@code -_.~} kept, space as {@code +}, other bytes of the UTF-8 form as {@code %XX}. */
  static String queryEscape(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append((char) c);
      } else if (c == ' ') {
        out.append('+');
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return out.toString();
  }

  /** The key this lock keeps its semaphore under. */
  public String key() {
    return key;
  }

  @Override
  public String describe() {
    return "etcd " + endpoints.stream().map(URI::toString).collect(Collectors.joining(",")) + " key " + key;
  }

  @Override
  public Outcome lock(String id) throws IOException {
    Semaphore.checkId(id);
    Call call = new Call();
    for (int attempt = 1; ; attempt++) {
      Read r = read(call);
      if (r.value().isEmpty()) {
        if (!create(call, Semaphore.fresh(1))) {
          lostCompare(call, attempt);
        }
        continue;
      }
      Semaphore now = r.value().get();
      Semaphore.Take take = now.take(id);
      if (take instanceof Semaphore.Take.AlreadyHeld) {
        return new Outcome.Granted(true);
      }
      if (take instanceof Semaphore.Take.Full) {
        return new Outcome.Refused("every slot is taken: max " + now.max()
            + ", held by " + (now.holders().isEmpty() ? "none" : String.join(", ", now.holders())));
      }
      if (swap(call, r.modRevision(), ((Semaphore.Take.Taken) take).next())) {
        return new Outcome.Granted(false);
      }
      lostCompare(call, attempt);
    }
  }

  @Override
  public boolean unlock(String id) throws IOException {
    Semaphore.checkId(id);
    Call call = new Call();
    for (int attempt = 1; ; attempt++) {
      Read r = read(call);
      Optional<Semaphore> next = r.value().flatMap(s -> s.release(id));
      if (next.isEmpty()) {
        return false;
      }
      if (swap(call, r.modRevision(), next.get())) {
        return true;
      }
      lostCompare(call, attempt);
    }
  }

  @Override
  public Semaphore status() throws IOException {
    return read(new Call()).value().orElse(Semaphore.fresh(1));
  }

  @Override
  public Semaphore setMax(int max) throws IOException {
    Semaphore.fresh(1).withMax(max); // refuses a bad max before anything is sent
    Call call = new Call();
    for (int attempt = 1; ; attempt++) {
      Read r = read(call);
      Semaphore before = r.value().orElse(Semaphore.fresh(1));
      boolean stored = r.value().isEmpty()
          ? create(call, before.withMax(max))
          : swap(call, r.modRevision(), before.withMax(max));
      if (stored) {
        return before;
      }
      lostCompare(call, attempt);
    }
  }

  // ---- the semaphore in etcd

  private record Read(Optional<Semaphore> value, long modRevision) {}

  private Read read(Call call) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("key", key64);
    JsonNode res = call.post("/v3/kv/range", body);
    JsonNode kvs = res.get("kvs");
    if (kvs == null || kvs.isNull() || kvs.isEmpty()) {
      return new Read(Optional.empty(), 0);
    }
    JsonNode kv = kvs.get(0);
    long mod = int64(kv, "mod_revision");
    String value = new String(unb64(kv.path("value").asText("")), StandardCharsets.UTF_8);
    try {
      return new Read(Optional.of(SemaphoreJson.decode(value)), mod);
    } catch (IllegalArgumentException bad) {
      throw new IOException(describe() + ": " + bad.getMessage());
    }
  }

  /** Stores {@code s} if the key still does not exist; false when another machine created it first. */
  private boolean create(Call call, Semaphore s) throws IOException {
    ObjectNode cmp = JSON.createObjectNode().put("key", key64).put("target", "VERSION")
        .put("result", "EQUAL").put("version", "0");
    return txn(call, cmp, s);
  }

  /** Stores {@code s} if the key is still at {@code modRevision}; false when it changed. */
  private boolean swap(Call call, long modRevision, Semaphore s) throws IOException {
    ObjectNode cmp = JSON.createObjectNode().put("key", key64).put("target", "MOD")
        .put("result", "EQUAL").put("mod_revision", Long.toString(modRevision));
    return txn(call, cmp, s);
  }

  private boolean txn(Call call, ObjectNode compare, Semaphore s) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.putArray("compare").add(compare);
    body.putArray("success").addObject().putObject("request_put")
        .put("key", key64).put("value", b64(SemaphoreJson.encode(s)));
    return call.post("/v3/kv/txn", body).path("succeeded").asBoolean(false);
  }

  private void lostCompare(Call call, int attempt) throws IOException {
    if (attempt >= MAX_CHANGE_ATTEMPTS) {
      throw new IOException(describe() + ": the semaphore changed under every one of "
          + attempt + " attempts; try again");
    }
    call.pause(ThreadLocalRandom.current().nextLong(5, 10 + 10L * Math.min(attempt, 20)));
  }

  // ---- HTTP, endpoints and auth

  /** One public call: its deadline, and the endpoints tried and the last error for its message. */
  private final class Call {
    final long end = System.nanoTime() + deadline.toNanos();
    final Set<URI> tried = new LinkedHashSet<>();
    final Set<URI> untrusted = new LinkedHashSet<>();
    String lastError = "none";
    boolean reauthenticated;

    JsonNode post(String path, JsonNode body) throws IOException {
      if (username.isPresent() && token == null && !path.equals("/v3/auth/authenticate")) {
        authenticate(this);
      }
      int failures = 0;
      while (true) {
        int p = preferred.get();
        int i = Math.floorMod(p, endpoints.size());
        URI endpoint = endpoints.get(i);
        tried.add(endpoint);
        String error;
        try {
          Answer a = send(endpoint, path, body);
          if (a.status() == 200) {
            return a.json();
          }
          String message = a.json().path("error").asText(a.json().path("message").asText("HTTP " + a.status()));
          if (username.isPresent() && !reauthenticated && !path.equals("/v3/auth/authenticate")
              && (a.status() == 401 || message.contains("invalid auth token"))) {
            reauthenticated = true;
            token = null;
            authenticate(this);
            continue;
          }
          if (a.status() < 500 && !electing(message)) {
            throw new Refusal(describe() + ": " + endpoint + path + " answered " + a.status() + ": " + message);
          }
          error = endpoint + ": " + message;
        } catch (IOException e) {
          if (e instanceof Refusal) {
            throw e;
          }
          error = endpoint + ": " + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage());
          if (tlsFailure(e)) {
            // Not something time mends: once every endpoint has failed so, say so at once.
            untrusted.add(endpoint);
            if (untrusted.size() == endpoints.size()) {
              throw new Refusal(describe() + ": TLS failed with every endpoint; last: " + error);
            }
          }
        }
        lastError = error;
        preferred.compareAndSet(p, p + 1);
        failures++;
        if (System.nanoTime() >= end) {
          throw new IOException("etcd unreachable within " + deadline.toMillis() + " ms (key " + key
              + "), tried " + tried.stream().map(URI::toString).collect(Collectors.joining(","))
              + "; last error: " + lastError);
        }
        if (failures % endpoints.size() == 0) {
          pause(ThreadLocalRandom.current().nextLong(50, 250));
        }
      }
    }

    private Answer send(URI endpoint, String path, JsonNode body) throws IOException {
      long left = Math.max(1, (end - System.nanoTime()) / 1_000_000);
      HttpRequest.Builder r = HttpRequest.newBuilder(endpoint.resolve(path))
          .timeout(Duration.ofMillis(Math.min(REQUEST_TIMEOUT.toMillis(), left)))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
      String t = token;
      if (t != null && !path.equals("/v3/auth/authenticate")) {
        r.header("Authorization", t);
      }
      HttpResponse<byte[]> res;
      try {
        res = http.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Refusal(describe() + ": interrupted");
      }
      JsonNode json;
      try {
        json = JSON.readTree(res.body());
      } catch (IOException e) {
        json = null;
      }
      if (json == null || !json.isObject()) {
        if (res.statusCode() >= 500) {
          return new Answer(res.statusCode(), JSON.createObjectNode());
        }
        throw new Refusal(describe() + ": " + endpoint + path + " answered " + res.statusCode()
            + " with no JSON object");
      }
      return new Answer(res.statusCode(), json);
    }

    void pause(long millis) throws IOException {
      long left = (end - System.nanoTime()) / 1_000_000;
      try {
        Thread.sleep(Math.max(0, Math.min(millis, left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Refusal(describe() + ": interrupted");
      }
    }
  }

  private record Answer(int status, JsonNode json) {}

  /** An error that ends the call at once: not worth another endpoint. */
  private static final class Refusal extends IOException {
    Refusal(String message) {
      super(message);
    }
  }

  private void authenticate(Call call) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("name", username.get()).put("password", password.get());
    JsonNode res;
    try {
      res = call.post("/v3/auth/authenticate", body);
    } catch (IOException e) {
      throw new Refusal("etcd authentication as '" + username.get() + "' failed: " + e.getMessage());
    }
    String t = res.path("token").asText("");
    if (t.isEmpty()) {
      throw new Refusal(describe() + ": etcd authentication as '" + username.get() + "' gave no token");
    }
    token = t;
  }

  private static boolean tlsFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLHandshakeException
          || t instanceof java.security.cert.CertificateException) {
        return true;
      }
    }
    return false;
  }

  /** etcd's errors while a leader is being elected or a member is overloaded: worth another endpoint. */
  static boolean electing(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("leader changed") || m.contains("no leader") || m.contains("timed out")
        || m.contains("server stopped") || m.contains("too many requests") || m.contains("not leader")
        || m.contains("unhealthy cluster") || m.contains("not capable");
  }

  private static void checkEndpoint(URI u) {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("etcd endpoint '" + u + "' must be an http:// or https:// URL");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw new IllegalArgumentException("etcd endpoint '" + u + "' must name a host");
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    if (!path.isEmpty() && !path.equals("/") || u.getRawQuery() != null || u.getRawFragment() != null
        || u.getRawUserInfo() != null) {
      throw new IllegalArgumentException("etcd endpoint '" + u + "' must be scheme://host:port with no path");
    }
  }

  /**
   * A list of endpoints as locksmith's {@code LOCKSMITHD_ENDPOINT}: URLs separated by commas.
   *
   * @throws IllegalArgumentException naming a value that is not a URL
   */
  public static List<URI> endpoints(String commaSeparated) {
    List<URI> out = new ArrayList<>();
    for (String s : commaSeparated.split(",", -1)) {
      String t = s.trim();
      try {
        URI u = new URI(t);
        checkEndpoint(u);
        out.add(u);
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("etcd endpoint '" + t + "' is not a URL");
      }
    }
    return out;
  }

  private static long int64(JsonNode node, String field) throws IOException {
    JsonNode v = node.get(field);
    try {
      return v == null ? 0 : Long.parseLong(v.asText());
    } catch (NumberFormatException e) {
      throw new IOException("etcd answered " + field + " " + v + ", an integer was expected");
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] unb64(String s) throws IOException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new IOException("etcd answered a value that is not base64");
    }
  }

}
