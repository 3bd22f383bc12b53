package dev.cairn.omaha.admin;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP server that records every request it gets (method, path, query, headers, body) and
 * answers each with the status and JSON it was told to; for the endpoints of the API contract
 * that the server on this branch does not have yet.
 */
final class RecordingServer implements AutoCloseable {
  /** One request as it arrived; header names lower-case. */
  record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return v == null || v.isEmpty() ? null : v.get(0);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final HttpServer http;
  final List<Request> requests = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String answer = "{}";
  final String url;

  RecordingServer() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", ex -> {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      Map<String, List<String>> headers = new java.util.TreeMap<>();
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
      requests.add(new Request(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), ex.getRequestURI().getRawQuery(),
          headers, body));
      byte[] out = answer.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(status, out.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(out);
      }
    });
    http.start();
    url = "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /** Every following request is answered with {@code status} and {@code json}. */
  RecordingServer answer(int status, String json) {
    this.status = status;
    this.answer = json;
    return this;
  }

  /** The only request so far. */
  Request only() {
    if (requests.size() != 1) {
      throw new AssertionError("expected one request, got " + requests.size() + ": " + requests);
    }
    return requests.get(0);
  }

  Map<String, String> env() {
    return Map.of("CAIRN_SERVER", url, "CAIRN_TOKEN", "recorded-token");
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
