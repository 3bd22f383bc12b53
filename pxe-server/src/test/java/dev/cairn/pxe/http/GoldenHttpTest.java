package dev.cairn.pxe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code testdata/NAME.request} (a path and query) asked of the real server over the fixture
 * ({@code testdata/boot}), answered as {@code testdata/NAME.expected}: the status, the content type,
 * a blank line and the body. iPXE scripts, GRUB configs, cloud-configs, metadata and the misses. To
 * accept a deliberate change, run with -Dgolden.update=true and review the diff.
 */
class GoldenHttpTest {
  static final Path DIR = Path.of("src/test/resources/testdata");

  @TempDir static Path dataDir;
  static TestBootServer server;

  @BeforeAll
  static void start() throws IOException {
    server = TestBootServer.fixture(dataDir);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".request"))
          .map(n -> n.substring(0, n.length() - ".request".length())).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void response_matchesGoldenFile(String name) throws Exception {
    String request = Files.readString(DIR.resolve(name + ".request"), StandardCharsets.UTF_8).strip();
    HttpResponse<String> r = server.get(request);
    String actual = r.statusCode() + " " + r.headers().firstValue("content-type").orElse("-") + "\n\n" + r.body();
    Path expected = DIR.resolve(name + ".expected");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expected, actual);
    }
    assertTrue(Files.exists(expected), "missing " + expected);
    assertEquals(Files.readString(expected, StandardCharsets.UTF_8), actual);
  }

  @Test
  void theFixtureLoadsWithoutFindings() {
    assertEquals(java.util.Optional.empty(), server.files.problem());
  }
}
