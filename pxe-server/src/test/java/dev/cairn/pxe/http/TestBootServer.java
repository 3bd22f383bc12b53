package dev.cairn.pxe.http;

import dev.cairn.pxe.files.BootFiles;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.undertow.Undertow;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The boot server for the HTTP tests: {@link BootFiles} over a data directory, {@link BootRoutes}
 * behind a real Undertow listener on 127.0.0.1 with a port of the system's choosing (routed as
 * {@code cairn serve} routes: {@link BootRoutes#serves}, else 404), and an HTTP client. The public
 * URL machines are told is {@value #PUBLIC_URL}, whatever the port, so responses can be golden.
 */
final class TestBootServer implements AutoCloseable {
  static final String PUBLIC_URL = "http://boot.example.com:8080";
  static final Path FIXTURE = Path.of("src/test/resources/testdata/boot");

  final Path dataDir;
  final BootFiles files;
  final PrometheusRegistry registry = new PrometheusRegistry();
  final Undertow server;
  final URI base;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private TestBootServer(Path dataDir, Supplier<String> publicUrl) throws IOException {
    this.dataDir = dataDir;
    this.files = BootFiles.open(dataDir);
    BootRoutes routes = new BootRoutes(files, publicUrl, registry);
    this.server = Undertow.builder().addHttpListener(0, "127.0.0.1")
        .setHandler(ex -> {
          if (BootRoutes.serves(ex.getRelativePath())) {
            routes.handleRequest(ex);
          } else {
            ex.setStatusCode(StatusCodes.NOT_FOUND);
            ex.getResponseSender().send("not found\n");
          }
        }).build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    this.base = URI.create("http://127.0.0.1:" + port);
  }

  /** Serves {@code dataDir} as it is (the example is written when it has no boot/). */
  static TestBootServer start(Path dataDir) throws IOException {
    return new TestBootServer(dataDir, () -> PUBLIC_URL);
  }

  /** Serves a copy of the test fixture ({@code testdata/boot}) in {@code dataDir}. */
  static TestBootServer fixture(Path dataDir) throws IOException {
    return fixture(dataDir, () -> PUBLIC_URL);
  }

  /** As above, telling machines the public URL {@code publicUrl} gives at the time. */
  static TestBootServer fixture(Path dataDir, Supplier<String> publicUrl) throws IOException {
    copyFixture(dataDir);
    return new TestBootServer(dataDir, publicUrl);
  }

  static void copyFixture(Path dataDir) throws IOException {
    Path to = dataDir.resolve("boot");
    try (Stream<Path> s = Files.walk(FIXTURE)) {
      for (Path p : s.sorted().toList()) {
        Path t = to.resolve(FIXTURE.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> send(HttpRequest.Builder b) throws IOException, InterruptedException {
    return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(base.resolve(pathAndQuery));
  }

  /**
   * Sends {@code target} exactly as written on the request line (no client normalises a {@code ..}
   * or an encoded dot away) and returns the status line.
   */
  String raw(String target) throws IOException {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      return all.substring(0, all.indexOf("\r\n"));
    }
  }

  @Override
  public void close() {
    server.stop();
    files.close();
  }
}
