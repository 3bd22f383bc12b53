package dev.cairn.pxe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.pxe.BootData;
import dev.cairn.pxe.files.BootFiles;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xnio.XnioWorker;

/**
 * The answers the boot routes keep ({@link dev.cairn.pxe.RenderCache}) against the real server:
 * a changed file is answered as soon as its set is served, never a kept answer of the set before;
 * a new public URL is in the next answer; and the answers made from memory do not wait for a
 * worker thread.
 */
class RenderCacheHttpTest {
  /** As for {@link BootFiles}: a change is served within two seconds. */
  static final long SERVED_WITHIN_MILLIS = 2_000;
  static final String MAC = "mac=52:54:00:00:00:01";

  @TempDir Path dataDir;

  static boolean within(long millis, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  static String body(TestBootServer s, String path) throws Exception {
    HttpResponse<String> r = s.get(path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  @Test
  void aChangedProfileAndTemplate_areAnsweredAsSoonAsTheirSetIsServed_neverAKeptAnswer() throws Exception {
    try (TestBootServer s = TestBootServer.fixture(dataDir)) {
      for (int i = 0; i < 2; i++) {     // made, then kept
        assertTrue(body(s, "/ipxe?" + MAC).contains(" console=ttyS0 "));
        assertTrue(body(s, "/grub?" + MAC).contains(" 'console=ttyS0' "));
        assertFalse(body(s, "/cloud-config?" + MAC).contains("manage_etc_hosts"));
      }
      BootData before = s.files.current();
      Path profile = dataDir.resolve("boot/profiles/flatcar.yaml");
      Files.writeString(profile, Files.readString(profile).replace("console=ttyS0", "console=ttyS1"));
      Path template = dataDir.resolve("boot/templates/worker.yaml");
      Files.writeString(template, Files.readString(template) + "manage_etc_hosts: localhost\n");

      assertTrue(within(SERVED_WITHIN_MILLIS, () -> s.files.current() != before), "the change was not loaded in 2 s");
      assertEquals(java.util.Optional.empty(), s.files.problem(), "loaded clean");
      assertTrue(body(s, "/ipxe?" + MAC).contains(" console=ttyS1 "), "the next /ipxe is the new one");
      assertTrue(body(s, "/grub?" + MAC).contains(" 'console=ttyS1' "), "the next /grub is the new one");
      assertTrue(body(s, "/cloud-config?" + MAC).endsWith("manage_etc_hosts: localhost\n"),
          "the next /cloud-config is the new one");
    }
  }

  @Test
  void aNewPublicUrl_isInTheNextAnswer() throws Exception {
    AtomicReference<String> url = new AtomicReference<>("http://boot.example.com:8080");
    try (TestBootServer s = TestBootServer.fixture(dataDir, url::get)) {
      for (int i = 0; i < 2; i++) {
        assertTrue(body(s, "/boot.ipxe").contains("chain --autofree http://boot.example.com:8080/ipxe?"));
        assertTrue(body(s, "/ipxe?" + MAC).contains("kernel http://boot.example.com:8080/assets/"));
        assertTrue(body(s, "/grub?" + MAC).contains("linux '(http,boot.example.com:8080)/assets/"));
        assertTrue(body(s, "/cloud-config?" + MAC).contains("BOOT_SERVER=http://boot.example.com:8080\n"));
      }
      url.set("http://10.0.0.1:8081");
      assertTrue(body(s, "/boot.ipxe").contains("chain --autofree http://10.0.0.1:8081/ipxe?"));
      assertTrue(body(s, "/ipxe?" + MAC).contains("kernel http://10.0.0.1:8081/assets/"));
      assertTrue(body(s, "/grub?" + MAC).contains("linux '(http,10.0.0.1:8081)/assets/"));
      String config = body(s, "/cloud-config?" + MAC);
      assertTrue(config.contains("BOOT_SERVER=http://10.0.0.1:8081\n"), config);
      assertTrue(config.contains("server: \"http://10.0.0.1:8081/v1/update/\""), config);
    }
  }

  /**
   * With every worker thread taken, the scripts, metadata and a kept cloud-config are still
   * answered (on the I/O thread); a cloud-config not rendered yet waits for a worker, and is
   * answered once one is free.
   */
  @Test
  void scriptsMetadataAndKeptConfigs_areAnsweredWhileEveryWorkerThreadIsBusy_aNewRenderWaitsForOne() throws Exception {
    try (TestBootServer s = TestBootServer.fixture(dataDir)) {
      String config = body(s, "/cloud-config?" + MAC);     // rendered now, kept from here on
      XnioWorker worker = s.server.getWorker();
      int threads = worker.getMXBean().getMaxWorkerPoolSize();
      CountDownLatch busy = new CountDownLatch(threads);
      CountDownLatch release = new CountDownLatch(1);
      for (int i = 0; i < threads; i++) {
        worker.execute(() -> {
          busy.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      try {
        assertTrue(busy.await(30, TimeUnit.SECONDS), "every worker thread is taken");
        java.util.concurrent.CompletableFuture<HttpResponse<String>> render = s.http.sendAsync(
            java.net.http.HttpRequest.newBuilder(s.base.resolve("/cloud-config?mac=52:54:00:00:00:02")).build(),
            HttpResponse.BodyHandlers.ofString());
        for (String path : List.of("/boot.ipxe", "/ipxe?" + MAC, "/grub?" + MAC, "/cloud-config?" + MAC,
            "/metadata?" + MAC, "/ipxe?mac=bad")) {
          HttpResponse<String> r = s.get(path);
          assertEquals(path.endsWith("bad") ? 400 : 200, r.statusCode(), path + ": " + r.body());
        }
        assertEquals(config, body(s, "/cloud-config?" + MAC));
        assertFalse(render.isDone(), "a render not kept yet waits for a worker");
        release.countDown();
        HttpResponse<String> r = render.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("MAC=52:54:00:00:00:02\n"), r.body());
      } finally {
        release.countDown();
      }
      assertEquals(200, s.get("/assets/flatcar/vmlinuz").statusCode(), "files are looked up on a worker again");
    }
  }
}
