package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.db.SqlStore;
import dev.cairn.omaha.db.TestDatabase;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Another server's routes on the update server's listener: served, after the update server's own, with its notice in /healthz. */
class MountHttpTest {
  @TempDir Path dir;

  @Test
  void aMountsPaths_areServedOnTheSameListener_andItsNoticeShowsInAHealthyHealthz() throws Exception {
    AtomicReference<Optional<String>> notice = new AtomicReference<>(Optional.empty());
    OmahaServer.Mount boot = new OmahaServer.Mount("boot",
        p -> p.equals("/hello") || p.equals("/metrics") || p.startsWith("/api/v1/boot/"),
        ex -> OmahaServer.text(ex, 200, "text/plain", "hello from the mount\n"), notice::get);
    try (SqlStore store = TestDatabase.open(dir.resolve("cairn.db"))) {
      store.seedDefaults();
      OmahaServer server = OmahaServer.start("127.0.0.1", 0, new OmahaServer.Deps(new UpdateService(store, Clock.systemUTC()),
          store, new Metrics(new PrometheusRegistry()), "a1b2c3d4e5f60718293a4b5c6d7e8f90", ex -> { }, null,
          new OmahaServer.Admission(OmahaServer.MAX_CHECKS_IN_FLIGHT), List.of(boot)));
      try {
        HttpClient http = HttpClient.newHttpClient();
        URI base = URI.create("http://127.0.0.1:" + server.port());
        HttpResponse<String> hello = http.send(HttpRequest.newBuilder(base.resolve("/hello")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals("hello from the mount\n", hello.body());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(false, metrics.body().contains("hello from the mount"), "the update server's own routes come first");
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(base.resolve("/nope")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/boot/profiles")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), "a mount's admin routes need the admin token");
        HttpResponse<String> admin = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/boot/profiles"))
            .header("Authorization", "Bearer a1b2c3d4e5f60718293a4b5c6d7e8f90").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("hello from the mount\n", admin.body());

        notice.set(Optional.of("serving the data loaded at 10:00:00; 1 finding since"));
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(base.resolve("/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals("ok\nboot: serving the data loaded at 10:00:00; 1 finding since\n", health.body());
      } finally {
        server.shutdown(5_000);
      }
    }
  }
}
