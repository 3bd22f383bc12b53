package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release from end to end, as an operator drives it: a real {@code cairn serve} on a free port
 * (its own JVM), {@code cairn admin} for every step, gpg for the release key and its signatures,
 * and update_engine-shaped requests over HTTP for the machines. Each test uses its own groups and
 * machines, so the order they run in does not matter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReleaseWorkflowTest {
  static final String APP = "{e96281a6-d1af-4bde-9a0a-97b76e56dc57}";
  static final ObjectMapper JSON = new ObjectMapper();
  static final int SERVER_HEAP_MIB = 64;

  @TempDir
  static Path dir;

  GpgHome gpg;
  Process server;
  String url;
  Path data;
  Path token;
  Path releaseKey;
  Path payload;
  Path payloadSig;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start() throws Exception {
    gpg = GpgHome.in(dir);
    releaseKey = newKey("Cairn Release <release@example.com>", "release.asc");
    newKey("Somebody Else <rogue@example.com>", "rogue.asc");

    data = dir.resolve("cairn-data");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    url = "http://127.0.0.1:" + port;
    // A small heap: the large-payload test below shows that uploads and downloads are streamed.
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + SERVER_HEAP_MIB + "m", "-cp", System.getProperty("java.class.path"), Cairn.class.getName(), "serve", "--listen", "127.0.0.1:" + port,
        "--data-dir", data.toString(), "--public-url", url,
        // every machine of these tests is 127.0.0.1: the per-address grant limit would stop the rollouts
        "--address-grants", "0"));
    server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile()).start();
    for (int i = 0; ; i++) {
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
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
    token = data.resolve("admin.token");

    payload = dir.resolve("flatcar_production_update.gz");
    byte[] bytes = new byte[300_000];
    new Random(42).nextBytes(bytes);
    Files.write(payload, bytes);
    payloadSig = sign("release@example.com", payload);

    admin("key", "add", releaseKey.toString()).ok();
    admin("package", "add", "--version", "2.0.0", "--file", payload.toString(), "--signature", payloadSig.toString()).ok();
    admin("channel", "set", "alpha", "2.0.0").ok();
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);
    }
    if (gpg != null) {
      gpg.close();
    }
  }

  // ---- helpers

  /** A new Ed25519 signing key in the test's gpg home; its public key exported to {@code file}. */
  Path newKey(String uid, String file) {
    gpg.gpgOk("--passphrase", "", "--quick-gen-key", uid, "ed25519", "sign", "never");
    Path out = dir.resolve(file);
    gpg.gpgOk("--armor", "--output", out.toString(), "--export", uid);
    return out;
  }

  /** A detached binary signature of {@code file} by {@code who}. */
  Path sign(String who, Path file) {
    Path sig = Path.of(file + "." + who.replaceAll("@.*", "") + ".sig");
    gpg.gpgOk("--yes", "--local-user", who, "--output", sig.toString(), "--detach-sign", file.toString());
    return sig;
  }

  Result admin(String... args) {
    List<String> all = new ArrayList<>(List.of("admin", "--server", url, "--token-file", token.toString()));
    all.addAll(Arrays.asList(args));
    return CliHarness.cairn(all.toArray(String[]::new));
  }

  JsonNode adminJson(String... args) throws IOException {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--format");
    all.add("json");
    return JSON.readTree(admin(all.toArray(String[]::new)).ok().out());
  }

  /** An update_engine-shaped request from {@code machine}: {@code body} inside its app element. */
  HttpResponse<String> omaha(String machine, String version, String track, String body) throws Exception {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<request protocol=\"3.0\" version=\"update_engine-0.4.10\" updaterversion=\"update_engine-0.4.10\""
        + " installsource=\"scheduler\" ismachine=\"1\">\n"
        + "  <os version=\"Chateau\" platform=\"CoreOS\" sp=\"" + version + "_x86_64\"></os>\n"
        + "  <app appid=\"" + APP + "\" version=\"" + version + "\" track=\"" + track + "\""
        + " bootid=\"{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}\" oem=\"qemu\" machineid=\"" + machine + "\""
        + " lang=\"en-US\" board=\"amd64-usr\" hardware_class=\"\" delta_okay=\"false\">\n" + body + "\n  </app>\n"
        + "</request>\n";
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/update/"))
        .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(xml)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r;
  }

  HttpResponse<String> check(String machine, String version, String track) throws Exception {
    return omaha(machine, version, track, "<ping active=\"1\"></ping><updatecheck></updatecheck>"
        + "<event eventtype=\"3\" eventresult=\"2\" previousversion=\"\"></event>");
  }

  void event(String machine, String version, String track, int type, int result, String extra) throws Exception {
    HttpResponse<String> r = omaha(machine, version, track,
        "<event eventtype=\"" + type + "\" eventresult=\"" + result + "\" " + extra + "></event>");
    assertTrue(r.body().contains("<event status=\"ok\"/>"), r.body());
  }

  static String attr(String xml, String element, String attribute) {
    Matcher m = Pattern.compile("<" + element + "\\b[^>]*\\b" + attribute + "=\"([^\"]*)\"").matcher(xml);
    return m.find() ? m.group(1) : fail("no " + element + "@" + attribute + " in " + xml);
  }

  static String b64(String algorithm, byte[] bytes) throws Exception {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance(algorithm).digest(bytes));
  }

  static String machine(String name) {
    return String.format("%032x", name.hashCode() & 0xffffffffL);
  }

  /** Every regular file under the data directory's package store, as paths relative to it. */
  List<String> storedFiles() throws IOException {
    Path packages = data.resolve("packages");
    if (!Files.exists(packages)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(packages)) {
      return s.filter(Files::isRegularFile).map(p -> packages.relativize(p).toString()).sorted().toList();
    }
  }

  // ---- acceptance

  @Test
  void dataDirectory_isOwnerOnly_database_wal_shm_token_keys_andPayloads() throws Exception {
    List<String> open = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    try (var walk = Files.walk(data)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        String mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        String want = Files.isDirectory(p) ? "rwx------" : "rw-------";
        seen.add(data.relativize(p).toString());
        if (!mode.equals(want)) {
          open.add(data.relativize(p) + " " + mode);
        }
      }
    }
    assertTrue(seen.containsAll(List.of("cairn.db", "cairn.db-wal", "cairn.db-shm", "admin.token", "keys")), seen.toString());
    assertTrue(seen.stream().anyMatch(p -> p.startsWith("packages/") && p.endsWith(".sig")), seen.toString());
    assertEquals(List.of(), open, "everything in the data directory is owner-only (0700 directories, 0600 files)");
  }

  @Test
  void signedPayload_setOnAlpha_isOffered_downloaded_resumed_andItsSignatureVerifiesWithGpg() throws Exception {
    byte[] bytes = Files.readAllBytes(payload);

    String answer = check(machine("alpha-1"), "1.0.0", "alpha").body();

    assertTrue(answer.contains("<updatecheck status=\"ok\">"), answer);
    assertEquals("2.0.0", attr(answer, "manifest", "version"));
    assertEquals("flatcar_production_update.gz", attr(answer, "package", "name"));
    assertEquals(String.valueOf(bytes.length), attr(answer, "package", "size"));
    assertEquals(b64("SHA-1", bytes), attr(answer, "package", "hash"));
    assertEquals(b64("SHA-256", bytes), attr(answer, "action", "sha256"));

    String codebase = attr(answer, "url", "codebase");
    URI file = URI.create(codebase + "flatcar_production_update.gz");
    HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(file).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, whole.statusCode());
    assertArrayEquals(bytes, whole.body(), "the download is not the uploaded payload");

    HttpResponse<byte[]> tail = http.send(HttpRequest.newBuilder(file).header("Range", "bytes=100-").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, tail.statusCode());
    assertArrayEquals(Arrays.copyOfRange(bytes, 100, bytes.length), tail.body());
    assertEquals("bytes 100-" + (bytes.length - 1) + "/" + bytes.length,
        tail.headers().firstValue("Content-Range").orElse(""));

    HttpResponse<byte[]> sig = http.send(HttpRequest.newBuilder(URI.create(file + ".sig")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, sig.statusCode());
    Path served = dir.resolve("served.sig");
    Files.write(served, sig.body());
    Path download = dir.resolve("download.gz");
    Files.write(download, whole.body());
    String[] valid = GpgHome.assertGood(gpg.verify(served, download));
    assertEquals(gpg.fingerprints("release@example.com").primary(), valid[9]);
  }

  @Test
  void installerImage_ofTheChannelsVersion_isServedWithVersionTxt_andItsSignatureVerifiesWithGpg() throws Exception {
    Path image = dir.resolve("flatcar_production_image.bin.bz2");
    byte[] bytes = new byte[70_000];
    new Random(7).nextBytes(bytes);
    Files.write(image, bytes);
    admin("package", "add-image", "--version", "2.0.0", "--file", image.toString(),
        "--signature", sign("release@example.com", image).toString()).ok();

    HttpResponse<String> versionTxt = http.send(HttpRequest.newBuilder(
        URI.create(url + "/release/alpha/amd64-usr/current/version.txt")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, versionTxt.statusCode(), versionTxt.body());
    assertTrue(versionTxt.body().lines().anyMatch("COREOS_VERSION=2.0.0"::equals), versionTxt.body());

    String base = url + "/release/alpha/amd64-usr/2.0.0/flatcar_production_image.bin.bz2";
    HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, got.statusCode());
    assertArrayEquals(bytes, got.body());
    HttpResponse<byte[]> sig = http.send(HttpRequest.newBuilder(URI.create(base + ".sig")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, sig.statusCode());
    Path served = dir.resolve("image-served.sig");
    Files.write(served, sig.body());
    GpgHome.assertGood(gpg.verify(served, image));
  }

  @Test
  void payloadFourTimesTheServersHeap_isUploadedAndDownloadedWhole() throws Exception {
    Path big = dir.resolve("big_update.gz");
    long size = 4L * SERVER_HEAP_MIB * CliHarness.MIB + 12345;
    try (var out = Files.newOutputStream(big)) {
      byte[] block = new byte[1 << 20];
      Random random = new Random(99);
      for (long left = size; left > 0; left -= block.length) {
        random.nextBytes(block);
        out.write(block, 0, (int) Math.min(block.length, left));
      }
    }
    admin("package", "add", "--version", "3.0.0", "--file", big.toString(),
        "--signature", sign("release@example.com", big).toString()).ok();

    Path download = dir.resolve("big_download.gz");
    HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(url + "/packages/amd64-usr/3.0.0/big_update.gz")).build(),
        HttpResponse.BodyHandlers.ofFile(download));

    assertEquals(200, r.statusCode());
    assertEquals(size, Files.size(download));
    assertEquals(CliHarness.sha256(big), CliHarness.sha256(download));
    assertTrue(server.isAlive(), "the server died on a payload larger than its heap");
    Files.delete(big);
    Files.delete(download);
  }

  @Test
  void uploadOnATerminal_showsAProgressBarThatEndsAt100Percent() throws Exception {
    Path file = dir.resolve("terminal_update.gz");
    byte[] bytes = new byte[12 << 20];
    new Random(5).nextBytes(bytes);
    Files.write(file, bytes);
    Path sig = sign("release@example.com", file);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String command = String.join(" ", java, "-cp", System.getProperty("java.class.path"), Cairn.class.getName(),
        "admin", "--server", url, "--token-file", token.toString(), "package", "add", "--version", "4.0.0",
        "--file", file.toString(), "--signature", sig.toString());

    // script(1) runs the command on a pseudo-terminal, as an operator's shell would
    Result r = CliHarness.peer("script", "-qec", command, "/dev/null");

    assertEquals(0, r.code(), r.describe("the upload on a terminal failed"));
    assertTrue(r.out().contains("[########################################] 100%  12.0 of 12.0 MiB"), r.out());
    assertTrue(r.out().contains("package 4.0.0 (amd64-usr) terminal_update.gz, " + bytes.length + " bytes"), r.out());
    Result piped = admin("package", "add", "--version", "4.0.1", "--file", file.toString(),
        "--signature", sig.toString()).ok();
    assertFalse(piped.err().contains("MiB"), "a progress bar without a terminal: " + piped.err());
  }

  @Test
  void betaMachine_getsNoUpdate_untilAlphaIsPromotedToBeta_andPromotingBackIsRefusedWithoutAllowDowngrade()
      throws Exception {
    assertTrue(check(machine("beta-1"), "1.0.0", "beta").body().contains("<updatecheck status=\"noupdate\""));

    admin("channel", "promote", "alpha", "beta").ok();

    String answer = check(machine("beta-1"), "1.0.0", "beta").body();
    assertTrue(answer.contains("<updatecheck status=\"ok\">"), answer);
    assertEquals("2.0.0", attr(answer, "manifest", "version"));

    Path older = dir.resolve("older.gz");
    Files.write(older, "an older payload".getBytes(StandardCharsets.UTF_8));
    admin("package", "add", "--version", "1.5.0", "--file", older.toString(),
        "--signature", sign("release@example.com", older).toString()).ok();
    admin("channel", "create", "edge").ok();
    admin("channel", "set", "edge", "1.5.0").ok();

    Result refused = admin("channel", "promote", "edge", "beta");
    assertEquals(1, refused.code(), refused.describe("a downgrade of beta must be refused"));
    assertTrue(refused.err().contains("2.0.0") && refused.err().contains("1.5.0"), refused.err());
    assertEquals("2.0.0", channelVersion("beta"), "a refused promotion changed beta");

    admin("channel", "promote", "edge", "beta", "--allow-downgrade").ok();
    assertEquals("1.5.0", channelVersion("beta"));
    admin("channel", "promote", "alpha", "beta").ok();
  }

  String channelVersion(String name) throws IOException {
    for (JsonNode c : adminJson("channel", "list")) {
      if (c.path("name").asText().equals(name)) {
        return c.path("version").asText();
      }
    }
    return fail("no channel " + name);
  }

  @Test
  void untrustedTamperedAndUnsignedPayloads_areRefusedWithTheReason_andNothingIsStored() throws Exception {
    List<String> before = storedFiles();
    JsonNode packagesBefore = adminJson("package", "list");

    Path p = dir.resolve("evil.gz");
    Files.write(p, "a payload nobody trusted signed".getBytes(StandardCharsets.UTF_8));
    Result untrusted = admin("package", "add", "--version", "9.0.0", "--file", p.toString(),
        "--signature", sign("rogue@example.com", p).toString());
    assertEquals(1, untrusted.code(), untrusted.describe("an untrusted signature must be refused"));
    assertTrue(untrusted.err().toLowerCase().contains("not trusted") || untrusted.err().toLowerCase().contains("unknown key"),
        untrusted.err());

    Path t = dir.resolve("tampered.gz");
    Files.write(t, "the payload as it was signed".getBytes(StandardCharsets.UTF_8));
    Path tSig = sign("release@example.com", t);
    Files.write(t, "the payload as it was changed".getBytes(StandardCharsets.UTF_8));
    Result tampered = admin("package", "add", "--version", "9.0.1", "--file", t.toString(), "--signature", tSig.toString());
    assertEquals(1, tampered.code(), tampered.describe("a tampered payload must be refused"));
    assertTrue(tampered.err().toLowerCase().contains("signature"), tampered.err());

    String tok = Files.readString(token).strip();
    HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(
        URI.create(url + "/api/v1/packages/9.0.2/payload?name=unsigned.gz"))
        .header("Authorization", "Bearer " + tok)
        .PUT(HttpRequest.BodyPublishers.ofString("no signature at all")).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(unsigned.statusCode() == 400 || unsigned.statusCode() == 422, unsigned.statusCode() + " " + unsigned.body());
    assertTrue(unsigned.body().contains("signature"), unsigned.body());

    assertEquals(before, storedFiles(), "a refused upload left files behind");
    assertEquals(packagesBefore, adminJson("package", "list"), "a refused upload created a package");
  }

  @Test
  void maxTwoUpdatesPerHour_grantsTwoOfFive_rolloutShowsThem_andTheirEventsCompleteThem() throws Exception {
    admin("group", "create", "limited", "--channel", "alpha", "--max-updates", "2", "--period", "1h").ok();
    List<String> granted = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String m = machine("limited-" + i);
      if (check(m, "1.0.0", "limited").body().contains("<updatecheck status=\"ok\">")) {
        granted.add(m);
      }
    }
    assertEquals(2, granted.size(), "granted: " + granted);

    JsonNode rollout = adminJson("rollout", "limited");
    assertEquals(2, rollout.path("states").path("granted").asInt(), rollout.toString());
    assertEquals(3, rollout.path("waiting").asInt(), rollout.toString());
    Result human = admin("rollout", "limited").ok();
    assertTrue(human.out().contains("granted 2"), human.out());
    assertTrue(human.out().contains("waiting 3"), human.out());

    for (String m : granted) {
      event(m, "1.0.0", "limited", 13, 1, "");
      event(m, "1.0.0", "limited", 14, 1, "");
      event(m, "1.0.0", "limited", 3, 1, "");
      omaha(m, "2.0.0", "limited", "<updatecheck></updatecheck>"
          + "<event eventtype=\"3\" eventresult=\"2\" previousversion=\"1.0.0\"></event>");
    }

    Result show = admin("instance", "show", granted.get(0)).ok();
    for (String state : List.of("GRANTED", "DOWNLOADING", "DOWNLOADED", "INSTALLED", "COMPLETE")) {
      assertTrue(show.out().toUpperCase().contains(state), "history lacks " + state + ":\n" + show.out());
    }
    JsonNode after = adminJson("rollout", "limited");
    assertEquals(2, after.path("states").path("complete").asInt(), after.toString());
  }

  @Test
  void haltAfterTwoFailures_pausesTheGroup_theNextMachineGetsNoUpdate_andActivitySaysWhy() throws Exception {
    admin("group", "create", "brakes", "--channel", "alpha", "--halt-after-failures", "2").ok();
    for (String name : List.of("brakes-a", "brakes-b")) {
      String m = machine(name);
      assertTrue(check(m, "1.0.0", "brakes").body().contains("<updatecheck status=\"ok\">"));
      event(m, "1.0.0", "brakes", 13, 1, "");
      event(m, "1.0.0", "brakes", 3, 0, "errorcode=\"44\"");
    }

    String next = check(machine("brakes-c"), "1.0.0", "brakes").body();

    assertTrue(next.contains("<updatecheck status=\"noupdate\""), next);
    JsonNode rollout = adminJson("rollout", "brakes");
    assertTrue(rollout.path("paused").asBoolean(), rollout.toString());
    Result activity = admin("activity").ok();
    assertTrue(activity.out().contains("brakes") && activity.out().toLowerCase().contains("fail"), activity.out());
  }

  @Test
  void callsWithoutTheTokenOrWithAWrongOne_failClearly_andChangeNothing() throws Exception {
    String before = channelVersion("stable");
    Path wrong = dir.resolve("wrong.token");
    Files.writeString(wrong, "not-the-token\n");

    Result r = CliHarness.cairn("admin", "--server", url, "--token-file", wrong.toString(), "channel", "set", "stable", "2.0.0");
    assertEquals(1, r.code(), r.describe("a wrong token must fail"));
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("token"), r.err());

    Result missing = CliHarness.cairn("admin", "--server", url, "--token-file", dir.resolve("absent").toString(),
        "group", "pause", "stable");
    assertTrue(missing.code() != 0, missing.describe("no token must fail"));
    assertTrue(missing.err().contains("absent"), missing.err());

    HttpResponse<String> bare = http.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/channels/stable"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"version\": \"2.0.0\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, bare.statusCode());

    assertEquals(before, channelVersion("stable"), "an unauthenticated call changed the channel");
    for (JsonNode g : adminJson("group", "list")) {
      if (g.path("name").asText().equals("stable")) {
        assertFalse(g.path("paused").asBoolean(), "an unauthenticated call paused group stable: " + g);
        return;
      }
    }
    fail("no group stable");
  }
}
