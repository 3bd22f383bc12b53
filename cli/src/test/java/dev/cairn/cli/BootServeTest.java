package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn serve} as it runs: the boot server and the update server on one listener, one data
 * directory (the boot example written on first start), one database (the machine inventory), one
 * admin token and one /healthz.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BootServeTest {
  @TempDir static Path dir;
  Path data;
  String url;
  Process server;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start() throws Exception {
    data = dir.resolve("cairn-data");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    url = "http://127.0.0.1:" + port;
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Cairn.class.getName(), "serve", "--listen", "127.0.0.1:" + port,
        "--data-dir", data.toString()));
    server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile()).start();
    for (int i = 0; ; i++) {
      try {
        if (get("/healthz").statusCode() == 200) {
          break;
        }
      } catch (IOException notYet) {
        // still starting
      }
      if (i > 150 || !server.isAlive()) {
        fail("cairn serve did not come up:\n" + Files.readString(dir.resolve("serve.log")));
      }
      Thread.sleep(100);
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);
    }
  }

  HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String token() throws IOException {
    return Files.readString(data.resolve("admin.token")).strip();
  }

  @Test
  void firstStart_writesTheBootExample_andItsFilesCheckClean() throws Exception {
    assertTrue(Files.isDirectory(data.resolve("boot/profiles")), "boot/profiles");
    assertTrue(Files.isDirectory(data.resolve("boot/groups")), "boot/groups");
    assertTrue(Files.isDirectory(data.resolve("boot/templates")), "boot/templates");
    CliHarness.Result check = CliHarness.cairn("boot", "check", "--data-dir", data.toString());
    assertEquals(0, check.code(), check.describe("a clean example"));
  }

  @Test
  void bootEndpoints_andUpdateEndpoint_shareOneListener() throws Exception {
    HttpResponse<String> boot = get("/boot.ipxe");
    assertEquals(200, boot.statusCode(), boot.body());
    assertTrue(boot.body().startsWith("#!ipxe"), boot.body());
    assertTrue(boot.body().contains("mac=${mac:hexhyp}"), boot.body());

    HttpResponse<String> ipxe = get("/ipxe?mac=52-54-00-12-34-56&uuid=9F0B2C1E-0000-4000-8000-000000000001");
    assertEquals(200, ipxe.statusCode(), ipxe.body());
    assertTrue(ipxe.body().startsWith("#!ipxe") && ipxe.body().contains("kernel "), ipxe.body());

    HttpResponse<String> badMac = get("/ipxe?mac=52-54-00-zz");
    assertEquals(400, badMac.statusCode(), badMac.body());

    HttpResponse<String> update = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/update/"))
        .POST(HttpRequest.BodyPublishers.ofString("<request protocol=\"3.0\"></request>")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, update.statusCode(), "the update endpoint answers on the same port: " + update.body());
  }

  @Test
  void bootRequests_areRecordedInTheMachineInventory_behindTheAdminToken() throws Exception {
    assertEquals(200, get("/ipxe?mac=52:54:00:AB:CD:EF&hostname=node-7").statusCode());
    HttpResponse<String> machine = null;
    for (int i = 0; i < 50; i++) {    // the inventory is written through the group commit, just after the answer
      machine = get("/api/v1/machines/52-54-00-ab-cd-ef", "Authorization", "Bearer " + token());
      if (machine.statusCode() == 200) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals(200, machine.statusCode(), machine.body());
    assertTrue(machine.body().contains("\"group\" : \"default\""), machine.body());
    assertTrue(machine.body().contains("\"hostname\" : \"node-7\""), machine.body());
    assertTrue(machine.body().contains("/ipxe"), machine.body());
    assertEquals(401, get("/api/v1/machines").statusCode());
  }

  /**
   * Repeats of a machine's request are counted rather than written one by one; the next request
   * that differs (another endpoint) is written at once and carries their count: the inventory has
   * every request, and the latest one's endpoint, without waiting for the counted ones' sweep.
   */
  @Test
  void repeatedBootRequests_areAllCounted_andARequestThatDiffersIsWrittenAtOnce() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertEquals(200, get("/ipxe?mac=52:54:00:ab:cd:01").statusCode());
    }
    assertEquals(200, get("/cloud-config?mac=52:54:00:ab:cd:01").statusCode());
    HttpResponse<String> machine = null;
    for (int i = 0; i < 50; i++) {    // written through the group commit, just after the answer
      machine = get("/api/v1/machines/52:54:00:ab:cd:01", "Authorization", "Bearer " + token());
      if (machine.statusCode() == 200 && machine.body().contains("/cloud-config")) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals(200, machine.statusCode(), machine.body());
    assertTrue(machine.body().contains("\"requests\" : 6"), machine.body());
    assertTrue(machine.body().contains("\"last_endpoint\" : \"/cloud-config\""), machine.body());
  }
}
