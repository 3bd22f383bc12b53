package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * A client of the admin HTTP API: the bearer token, the {@code X-Cairn-Actor} header, and one
 * clear line ({@link AdminException}) for whatever the server refuses or when it cannot be reached.
 */
public final class AdminClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final URI base;
  private final String token;
  private final String tokenSource;
  private final String actor;
  private final HttpClient http;

  /**
   * @param server base URL, like {@code http://127.0.0.1:8080}
   * @param tokenSource where the token came from, for the message when the server refuses it
   */
  public AdminClient(String server, String token, String tokenSource, String actor) {
    this.base = baseUri(server);
    this.token = token;
    this.tokenSource = tokenSource;
    this.actor = actor;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  static URI baseUri(String server) {
    String s = server == null ? "" : server.strip();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      URI u = URI.create(s);
      if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
        return u;
      }
    } catch (IllegalArgumentException e) {
      // named below
    }
    throw new IllegalArgumentException("--server must be an http:// or https:// URL, got '" + server + "'");
  }

  /** The server's base URL. */
  public String server() {
    return base.toString();
  }

  /** One path segment, percent-encoded. */
  public static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code ?a=1&b=2} from the pairs whose value is not null; empty when none is. */
  public static String query(Map<String, ?> params) {
    StringBuilder b = new StringBuilder();
    params.forEach((k, v) -> {
      if (v != null) {
        b.append(b.length() == 0 ? '?' : '&').append(k).append('=')
            .append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
      }
    });
    return b.toString();
  }

  /** Pairs in the order given, for {@link #query}. */
  public static Map<String, Object> params(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** GET; the JSON text the server answered. */
  public String get(String path) {
    return exchange(request(path).GET());
  }

  /** A request with a JSON body (or none when {@code body} is null); the JSON text the server answered. */
  public String send(String method, String path, JsonNode body) {
    HttpRequest.Builder b = request(path);
    if (body == null) {
      return exchange(b.method(method, BodyPublishers.noBody()));
    }
    try {
      b.header("Content-Type", "application/json");
      return exchange(b.method(method, BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request whose body is {@code bytes} of {@code contentType}. */
  public String sendBytes(String method, String path, byte[] bytes, String contentType) {
    return exchange(request(path).header("Content-Type", contentType).method(method, BodyPublishers.ofByteArray(bytes)));
  }

  /**
   * Streams {@code file} as the body, telling {@code progress} how many bytes have gone so far;
   * {@code headers} go along.
   */
  public String upload(String method, String path, Path file, Map<String, String> headers, LongConsumer progress)
      throws IOException {
    long size = Files.size(file);
    BodyPublisher stream = BodyPublishers.ofInputStream(() -> {
      try {
        return new Counting(Files.newInputStream(file), progress);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/octet-stream");
    auth(b);
    headers.forEach(b::header);
    return exchange(b.method(method, BodyPublishers.fromPublisher(stream, size)));
  }

  private HttpRequest.Builder request(String path) {
    return auth(HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("Accept", "application/json"));
  }

  private HttpRequest.Builder auth(HttpRequest.Builder b) {
    return b.header("Authorization", "Bearer " + token).header("X-Cairn-Actor", actor);
  }

  private String exchange(HttpRequest.Builder b) {
    HttpRequest req = b.build();
    HttpResponse<String> r;
    try {
      r = http.send(req, BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new AdminException(0, "cannot reach the server at " + base + " ("
          + (e instanceof ConnectException ? "connection refused" : "connect timed out")
          + "); is cairn serve running there? (--server or CAIRN_SERVER)");
    } catch (IOException e) {
      throw new AdminException(0, req.method() + " " + base + req.uri().getRawPath() + ": "
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminException(0, "interrupted");
    }
    if (r.statusCode() / 100 == 2) {
      return r.body();
    }
    String why = error(r.body());
    if (r.statusCode() == 401) {
      throw new AdminException(401, "the server at " + base + " refused the admin token from " + tokenSource
          + (why.isEmpty() ? "" : " (" + why + ")"));
    }
    throw new AdminException(r.statusCode(), why.isEmpty()
        ? req.method() + " " + req.uri().getRawPath() + ": HTTP " + r.statusCode() : why, r.body());
  }

  /** The {@code error} of a JSON error body, else the body's first line. */
  static String error(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (IOException e) {
      // not JSON: the text itself
    }
    String first = body.strip().lines().findFirst().orElse("");
    return first.length() > 200 ? first.substring(0, 200) + "..." : first;
  }

  /** Counts the bytes read through it. */
  private static final class Counting extends FilterInputStream {
    private final LongConsumer progress;
    private long done;

    Counting(InputStream in, LongConsumer progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      if (c >= 0) {
        progress.accept(++done);
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        done += n;
        progress.accept(done);
      }
      return n;
    }
  }
}
