package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code cairn serve} as a separate process on 127.0.0.1 with its own data directory, its output in
 * {@code serve.log} next to it; started by {@link #start}, up once /healthz answers 200.
 */
final class ServeProcess implements AutoCloseable {
  final Path data;
  final Path log;
  final String url;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServeProcess(Path data, Path log, String url, Process process) {
    this.data = data;
    this.log = log;
    this.url = url;
    this.process = process;
  }

  /** Starts {@code cairn serve} with its data in {@code dir/cairn-data}. */
  static ServeProcess start(Path dir) throws Exception {
    Path data = dir.resolve("cairn-data");
    Path log = dir.resolve("serve.log");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Cairn.class.getName(), "serve", "--listen", "127.0.0.1:" + port,
        "--data-dir", data.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ServeProcess s = new ServeProcess(data, log, "http://127.0.0.1:" + port, p);
    for (int i = 0; ; i++) {
      try {
        if (s.send("GET", "/healthz", null, null).statusCode() == 200) {
          return s;
        }
      } catch (IOException notYet) {
        // still starting
      }
      if (i > 150 || !p.isAlive()) {
        p.destroy();
        fail("cairn serve did not come up:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  /** The admin token the server wrote on first start. */
  String token() throws IOException {
    return Files.readString(data.resolve("admin.token")).strip();
  }

  /** The data directory's token file, for {@code cairn admin --token-file}. */
  Path tokenFile() {
    return data.resolve("admin.token");
  }

  /** What the server has logged so far. */
  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** A request with {@code body} (none when null) and {@code token} as the bearer token (none when null). */
  HttpResponse<String> send(String method, String path, byte[] body, String token) throws IOException,
      InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** A request with the admin token. */
  HttpResponse<String> admin(String method, String path, byte[] body) throws IOException, InterruptedException {
    return send(method, path, body, token());
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
