package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.db.SqlStore;
import dev.cairn.omaha.db.TestDatabase;
import dev.cairn.signing.openpgp.OpenPgpReleaseKeys;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusted keys, signed uploads and the public file routes, against the real server with keys and
 * signatures made by the real gpg.
 */
class PayloadHostingHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  private static final String NAME = "flatcar_production_update.gz";

  @TempDir static Path gpgDir;
  private static Path home;
  private static byte[] trustedKey;
  private static byte[] trustedSecret;
  private static String trustedFpr;
  private static byte[] payload;
  private static byte[] goodSig;
  private static byte[] untrustedSig;

  @TempDir Path dir;
  private SqlStore store;
  private OmahaServer server;
  private URI base;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void keysAndSignatures() throws Exception {
    home = Files.createDirectory(gpgDir.resolve("gnupg"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    gpg(null, "--quick-gen-key", "--passphrase", "", "Cairn Release <release@example.com>", "ed25519", "sign", "never");
    gpg(null, "--quick-gen-key", "--passphrase", "", "Stranger <stranger@example.com>", "ed25519", "sign", "never");
    trustedKey = gpg(null, "--armor", "--export", "release@example.com");
    trustedSecret = gpg(null, "--armor", "--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-keys",
        "release@example.com");
    for (String line : new String(gpg(null, "--with-colons", "--list-keys", "release@example.com"),
        StandardCharsets.UTF_8).lines().toList()) {
      if (line.startsWith("fpr:") && trustedFpr == null) {
        trustedFpr = line.split(":")[9];
      }
    }
    payload = new byte[300_000];
    new Random(7).nextBytes(payload);
    goodSig = sign("release@example.com", payload);
    untrustedSig = sign("stranger@example.com", payload);
  }

  @AfterAll
  static void stopAgent() throws Exception {
    new ProcessBuilder("gpgconf", "--kill", "all").inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start().waitFor();
  }

  private static byte[] sign(String who, byte[] data) throws Exception {
    return gpg(data, "--local-user", who, "--detach-sign", "--output", "-");
  }

  private static byte[] gpg(byte[] stdin, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("gpg", "--batch", "--no-tty", "--homedir", home.toString()));
    cmd.addAll(Arrays.asList(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin);
    }
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), "gpg " + cmd);
    return out;
  }

  @BeforeEach
  void start() throws IOException {
    store = TestDatabase.open(dir.resolve("cairn.db"));
    store.seedDefaults();
    PayloadApi payloads = new PayloadApi(store, () -> "https://cairn.example.com", dir, new OpenPgpReleaseKeys(),
        false);
    server = OmahaServer.start("127.0.0.1", 0, new OmahaServer.Deps(new UpdateService(store, Clock.systemUTC()),
        store, new Metrics(new PrometheusRegistry()), TOKEN, new AdminApi(store, () -> "https://cairn.example.com", payloads),
        new PublicFiles(store, dir)));
    base = URI.create("http://127.0.0.1:" + server.port());
  }

  @AfterEach
  void stop() {
    server.shutdown(5_000);
    store.close();
  }

  // ---- helpers

  private HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder admin(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + TOKEN);
  }

  private static JsonNode json(HttpResponse<byte[]> r) throws IOException {
    return JSON.readTree(r.body());
  }

  private HttpResponse<byte[]> trust(byte[] key) throws Exception {
    return send(admin("/api/v1/keys").header("Content-Type", "application/pgp-keys")
        .POST(BodyPublishers.ofByteArray(key)));
  }

  private HttpResponse<byte[]> upload(String version, byte[] data, byte[] sig) throws Exception {
    return upload("amd64-usr", version, data, sig);
  }

  private HttpResponse<byte[]> upload(String board, String version, byte[] data, byte[] sig) throws Exception {
    HttpRequest.Builder b = admin("/api/v1/packages/" + version + "/payload?name=" + NAME + "&board=" + board);
    if (sig != null) {
      b.header("X-Cairn-Signature", Base64.getEncoder().encodeToString(sig));
    }
    return send(b.PUT(BodyPublishers.ofByteArray(data)));
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.GET());
  }

  private static String sum(String tool, byte[] data, Path dir) throws Exception {
    Path f = dir.resolve("sum-input");
    Files.write(f, data);
    Process p = new ProcessBuilder(tool, f.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    Files.delete(f);
    return out.substring(0, out.indexOf(' '));
  }

  /** Files under the data directory's packages/ (including .incoming), as relative paths. */
  private List<String> storedFiles() throws IOException {
    Path packages = dir.resolve("packages");
    if (!Files.exists(packages)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(packages)) {
      return s.filter(Files::isRegularFile).map(p -> packages.relativize(p).toString()).sorted().toList();
    }
  }

  private void assertNothingStored(HttpResponse<byte[]> r, int status, String inError) throws Exception {
    assertEquals(status, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertTrue(json(r).get("error").asText().contains(inError), json(r).toString());
    assertEquals(0, store.listPackageRows(dev.cairn.omaha.Model.COREOS_APP_ID).size());
    assertEquals(List.of(), storedFiles());
  }

  // ---- keys

  @Test
  void keys_areAdded_listed_andRemoved() throws Exception {
    HttpResponse<byte[]> added = trust(trustedKey);
    assertEquals(200, added.statusCode(), new String(added.body(), StandardCharsets.UTF_8));
    assertEquals(trustedFpr, json(added).get(0).get("fingerprint").asText());
    assertTrue(Files.exists(dir.resolve("keys/" + trustedFpr + ".asc")));
    JsonNode list = json(send(admin("/api/v1/keys").GET()));
    assertEquals(1, list.size());
    assertEquals("Cairn Release <release@example.com>", list.get(0).get("user_ids").get(0).asText());
    assertEquals(409, trust(trustedKey).statusCode());
    HttpResponse<byte[]> removed = send(admin("/api/v1/keys/" + trustedFpr).DELETE());
    assertEquals(trustedFpr, json(removed).get("removed").asText());
    assertEquals(404, send(admin("/api/v1/keys/" + trustedFpr).DELETE()).statusCode());
    assertEquals(0, json(send(admin("/api/v1/keys").GET())).size());
  }

  @Test
  void secretKey_isRefused_andNotTrusted() throws Exception {
    HttpResponse<byte[]> r = trust(trustedSecret);
    assertEquals(400, r.statusCode());
    assertTrue(json(r).get("error").asText().contains("is a secret key; add its public key only"), json(r).toString());
    assertEquals(0, json(send(admin("/api/v1/keys").GET())).size());
  }

  @Test
  void garbageKey_isRefused_saying_noPublicKey() throws Exception {
    HttpResponse<byte[]> r = trust("hello".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, r.statusCode());
    assertTrue(json(r).get("error").asText().startsWith("the key"), json(r).toString());
  }

  // ---- uploads

  @Test
  void signedUpload_isAccepted_withTheHashesSha1sumAndSha256sumGive() throws Exception {
    trust(trustedKey);
    HttpResponse<byte[]> r = upload("2.0.0", payload, goodSig);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    JsonNode p = json(r);
    assertEquals(payload.length, p.get("size").asLong());
    assertEquals(sum("sha1sum", payload, dir), hex(p.get("sha1").asText()));
    assertEquals(sum("sha256sum", payload, dir), hex(p.get("sha256").asText()));
    assertEquals(trustedFpr, p.get("signed_by").asText());
    assertTrue(p.get("hosted").asBoolean());
    assertEquals("https://cairn.example.com/packages/e96281a6-d1af-4bde-9a0a-97b76e56dc57/amd64-usr/2.0.0/",
        p.get("url").asText());
    String app = dev.cairn.omaha.Model.COREOS_APP_ID;
    assertEquals(List.of(app + "/amd64-usr/2.0.0/" + NAME, app + "/amd64-usr/2.0.0/" + NAME + ".sig"), storedFiles());
  }

  private static String hex(String base64) {
    return java.util.HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
  }

  @Test
  void tamperedPayload_isRefused_andNothingIsStored() throws Exception {
    trust(trustedKey);
    byte[] tampered = payload.clone();
    tampered[1000] ^= 1;
    assertNothingStored(upload("2.0.0", tampered, goodSig), 422, "signature refused: bad signature");
  }

  @Test
  void untrustedKey_isRefused_andNothingIsStored() throws Exception {
    trust(trustedKey);
    assertNothingStored(upload("2.0.0", payload, untrustedSig), 422, "signature refused: unknown key");
  }

  @Test
  void unsignedUpload_isRefused_andNothingIsStored() throws Exception {
    trust(trustedKey);
    assertNothingStored(upload("2.0.0", payload, null), 400, "needs a detached signature (X-Cairn-Signature)");
  }

  @Test
  void garbageSignature_isRefused_andNothingIsStored() throws Exception {
    trust(trustedKey);
    assertNothingStored(upload("2.0.0", payload, "not a signature".getBytes(StandardCharsets.UTF_8)), 422,
        "signature refused: malformed signature");
  }

  @Test
  void secondUploadOfAVersion_isRefused_withConflict() throws Exception {
    trust(trustedKey);
    assertEquals(200, upload("2.0.0", payload, goodSig).statusCode());
    assertEquals(409, upload("2.0.0", payload, goodSig).statusCode());
  }

  @Test
  void externalPackage_needsASignatureByATrustedKey() throws Exception {
    trust(trustedKey);
    String body = "{\"version\": \"2.1.0\", \"name\": \"" + NAME + "\", \"url\": \"https://mirror.example.com/2.1.0/\","
        + " \"size\": 300000, \"sha1\": \"AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=\","
        + " \"sha256\": \"0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=\", \"signature\": \"%s\"}";
    HttpResponse<byte[]> stranger = send(admin("/api/v1/packages").POST(BodyPublishers.ofString(
        String.format(body, Base64.getEncoder().encodeToString(untrustedSig)))));
    assertEquals(422, stranger.statusCode());
    HttpResponse<byte[]> ok = send(admin("/api/v1/packages").POST(BodyPublishers.ofString(
        String.format(body, Base64.getEncoder().encodeToString(goodSig)))));
    assertEquals(200, ok.statusCode(), new String(ok.body(), StandardCharsets.UTF_8));
    assertEquals(trustedFpr, json(ok).get("signed_by").asText());
    assertFalse(json(ok).get("hosted").asBoolean());
  }

  @Test
  void delete_isRefusedWhileAChannelPointsAtThePackage_thenRemovesItsFiles() throws Exception {
    trust(trustedKey);
    upload("2.0.0", payload, goodSig);
    send(admin("/api/v1/channels/alpha").PUT(BodyPublishers.ofString("{\"version\": \"2.0.0\"}")));
    HttpResponse<byte[]> refused = send(admin("/api/v1/packages/2.0.0").DELETE());
    assertEquals(409, refused.statusCode());
    assertEquals("channel alpha points at 2.0.0; point it elsewhere first", json(refused).get("error").asText());
    assertEquals(2, storedFiles().size());
    store.createPackage(dev.cairn.omaha.Model.COREOS_APP_ID, new dev.cairn.omaha.Model.Package(
        dev.cairn.omaha.Version.parse("2.0.1"), "amd64-usr", NAME, 1, "AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=",
        "0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=", "https://x.example.com/"));
    send(admin("/api/v1/channels/alpha").PUT(BodyPublishers.ofString("{\"version\": \"2.0.1\"}")));
    HttpResponse<byte[]> deleted = send(admin("/api/v1/packages/2.0.0").DELETE());
    assertEquals(200, deleted.statusCode(), new String(deleted.body(), StandardCharsets.UTF_8));
    assertEquals(List.of(), storedFiles());
    assertEquals(404, get("/packages/2.0.0/" + NAME).statusCode());
  }

  // ---- public hosting

  @Test
  void hostedPayload_isServed_withRangesHeadEtagAnd304() throws Exception {
    trust(trustedKey);
    upload("2.0.0", payload, goodSig);
    String etag = "\"" + sum("sha256sum", payload, dir) + "\"";
    HttpResponse<byte[]> whole = get("/packages/2.0.0/" + NAME);
    assertEquals(200, whole.statusCode());
    assertArrayEquals(payload, whole.body());
    assertEquals(etag, whole.headers().firstValue("ETag").orElseThrow());
    assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElseThrow());

    HttpResponse<byte[]> first = get("/packages/2.0.0/" + NAME, "Range", "bytes=0-99");
    assertEquals(206, first.statusCode());
    assertEquals("bytes 0-99/300000", first.headers().firstValue("Content-Range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(payload, 0, 100), first.body());
    HttpResponse<byte[]> from = get("/packages/2.0.0/" + NAME, "Range", "bytes=100-");
    assertEquals(206, from.statusCode());
    assertArrayEquals(Arrays.copyOfRange(payload, 100, payload.length), from.body());
    HttpResponse<byte[]> last = get("/packages/2.0.0/" + NAME, "Range", "bytes=-500");
    assertEquals("bytes 299500-299999/300000", last.headers().firstValue("Content-Range").orElseThrow());
    assertArrayEquals(Arrays.copyOfRange(payload, payload.length - 500, payload.length), last.body());
    HttpResponse<byte[]> past = get("/packages/2.0.0/" + NAME, "Range", "bytes=300000-");
    assertEquals(416, past.statusCode());
    assertEquals("bytes */300000", past.headers().firstValue("Content-Range").orElseThrow());

    assertEquals(304, get("/packages/2.0.0/" + NAME, "If-None-Match", etag).statusCode());
    HttpResponse<Void> head = http.send(HttpRequest.newBuilder(base.resolve("/packages/2.0.0/" + NAME))
        .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.discarding());
    assertEquals(200, head.statusCode());
    assertEquals("300000", head.headers().firstValue("Content-Length").orElseThrow());
  }

  @Test
  void sameVersionAndName_forTwoBoards_areEachServedUnderTheirBoard() throws Exception {
    trust(trustedKey);
    byte[] arm = "the arm64 payload".getBytes(StandardCharsets.UTF_8);
    byte[] armSig = sign("release@example.com", arm);
    assertEquals(200, upload("2.0.0", payload, goodSig).statusCode());
    HttpResponse<byte[]> r = upload("arm64-usr", "2.0.0", arm, armSig);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals("https://cairn.example.com/packages/e96281a6-d1af-4bde-9a0a-97b76e56dc57/arm64-usr/2.0.0/",
        json(r).get("url").asText());

    assertArrayEquals(arm, get("/packages/e96281a6-d1af-4bde-9a0a-97b76e56dc57/arm64-usr/2.0.0/" + NAME).body());
    assertArrayEquals(payload, get("/packages/amd64-usr/2.0.0/" + NAME).body());
    assertArrayEquals(arm, get("/packages/arm64-usr/2.0.0/" + NAME).body());
    assertArrayEquals(armSig, get("/packages/arm64-usr/2.0.0/" + NAME + ".sig").body());
    assertEquals(404, get("/packages/riscv-usr/2.0.0/" + NAME).statusCode());
    // the form without the board, as the first uploads were named, still answers: the oldest
    assertArrayEquals(payload, get("/packages/2.0.0/" + NAME).body());
  }

  // ---- two apps hosting a payload of the same name and version

  private static final String OTHER_APP = "{5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22}";

  private static String q(String app) {
    return java.net.URLEncoder.encode(app, StandardCharsets.UTF_8);
  }

  private HttpResponse<byte[]> upload(String app, String board, String version, byte[] data, byte[] sig)
      throws Exception {
    return send(admin("/api/v1/packages/" + version + "/payload?name=" + NAME + "&board=" + board + "&app=" + q(app))
        .header("X-Cairn-Signature", Base64.getEncoder().encodeToString(sig)).PUT(BodyPublishers.ofByteArray(data)));
  }

  /** The value of {@code attribute} in the first {@code <element ...>} of {@code xml}. */
  private static String attr(String xml, String element, String attribute) {
    int at = xml.indexOf("<" + element + " ");
    assertTrue(at >= 0, "no <" + element + "> in " + xml);
    int from = xml.indexOf(attribute + "=\"", at) + attribute.length() + 2;
    return xml.substring(from, xml.indexOf('"', from));
  }

  private static byte[] digest(String algorithm, byte[] data) throws Exception {
    return java.security.MessageDigest.getInstance(algorithm).digest(data);
  }

  @Test
  void twoAppsHostingAPayloadOfTheSameNameAndVersion_eachOfferDownloadsItsOwnAppsBytes() throws Exception {
    trust(trustedKey);
    byte[] other = "the other app's payload, not CoreOS".getBytes(StandardCharsets.UTF_8);
    assertEquals(200, send(admin("/api/v1/apps").POST(BodyPublishers.ofString("{\"id\": \"" + OTHER_APP
        + "\", \"name\": \"Rack agent\"}"))).statusCode());
    String coreos = dev.cairn.omaha.Model.COREOS_APP_ID;
    assertEquals(200, upload(coreos, "amd64-usr", "2.0.0", payload, goodSig).statusCode());
    HttpResponse<byte[]> up = upload(OTHER_APP, "amd64-usr", "2.0.0", other, sign("release@example.com", other));
    assertEquals(200, up.statusCode(), new String(up.body(), StandardCharsets.UTF_8));
    for (String app : List.of(coreos, OTHER_APP)) {
      assertEquals(200, send(admin("/api/v1/channels/stable?app=" + q(app))
          .PUT(BodyPublishers.ofString("{\"version\": \"2.0.0\"}"))).statusCode());
    }
    assertEquals(200, send(admin("/api/v1/groups/stable?app=" + q(OTHER_APP))
        .PUT(BodyPublishers.ofString("{\"channel\": \"stable\"}"))).statusCode());

    for (String app : List.of(coreos, OTHER_APP)) {
      byte[] expected = app.equals(coreos) ? payload : other;
      String check = TestServer.check("0123456789abcdef0123456789abcdef", "1.0.0", "stable")
          .replace(TestServer.APP, app);
      String offer = new String(send(HttpRequest.newBuilder(base.resolve("/v1/update/"))
          .POST(BodyPublishers.ofString(check))).body(), StandardCharsets.UTF_8);
      String url = attr(offer, "url", "codebase") + attr(offer, "package", "name");
      assertTrue(url.startsWith("https://cairn.example.com/packages/"), url);
      HttpResponse<byte[]> download = get(url.substring("https://cairn.example.com".length()));

      assertEquals(200, download.statusCode(), app + " " + url);
      assertArrayEquals(expected, download.body(), app + " " + url);
      assertEquals(Long.parseLong(attr(offer, "package", "size")), download.body().length, app);
      assertEquals(attr(offer, "package", "hash"), Base64.getEncoder().encodeToString(digest("SHA-1", download.body())));
      assertEquals(attr(offer, "action", "sha256"),
          Base64.getEncoder().encodeToString(digest("SHA-256", download.body())));
    }
  }

  @Test
  void urlsWithoutTheApp_keepServingTheOldestApp_evenWhenANewerAppUploadedFirst() throws Exception {
    trust(trustedKey);
    byte[] other = "the other app's payload, not CoreOS".getBytes(StandardCharsets.UTF_8);
    byte[] only = "a payload only the other app has".getBytes(StandardCharsets.UTF_8);
    send(admin("/api/v1/apps").POST(BodyPublishers.ofString("{\"id\": \"" + OTHER_APP + "\", \"name\": \"Rack agent\"}")));
    assertEquals(200, upload(OTHER_APP, "amd64-usr", "2.0.0", other, sign("release@example.com", other)).statusCode());
    assertEquals(200, upload("2.0.0", payload, goodSig).statusCode());
    assertEquals(200, upload(OTHER_APP, "amd64-usr", "7.0.0", only, sign("release@example.com", only)).statusCode());

    assertArrayEquals(payload, get("/packages/amd64-usr/2.0.0/" + NAME).body());
    assertArrayEquals(payload, get("/packages/2.0.0/" + NAME).body());
    assertArrayEquals(goodSig, get("/packages/2.0.0/" + NAME + ".sig").body());
    // a payload no older app has is still found by the old forms
    assertArrayEquals(only, get("/packages/amd64-usr/7.0.0/" + NAME).body());
    assertArrayEquals(other, get("/packages/5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22/amd64-usr/2.0.0/" + NAME).body());
    assertEquals(404, get("/packages/00000000-0000-0000-0000-000000000000/amd64-usr/2.0.0/" + NAME).statusCode());
  }

  @Test
  void servedSignature_isTheUploadedOne() throws Exception {
    trust(trustedKey);
    upload("2.0.0", payload, goodSig);
    HttpResponse<byte[]> sig = get("/packages/2.0.0/" + NAME + ".sig");
    assertEquals(200, sig.statusCode());
    assertArrayEquals(goodSig, sig.body());
  }

  @Test
  void unknownFiles_andPathTricks_are404() throws Exception {
    trust(trustedKey);
    upload("2.0.0", payload, goodSig);
    assertEquals(404, get("/packages/2.0.0/other.gz").statusCode());
    assertEquals(404, get("/packages/2.0.0/..%2F..%2Fcairn.db").statusCode());
    assertEquals(404, get("/packages/9.9.9/" + NAME).statusCode());
  }

  @Test
  void versionTxt_namesTheChannelsCurrentRelease_and404WithoutOne() throws Exception {
    trust(trustedKey);
    upload("2.0.0", payload, goodSig);
    assertEquals(404, get("/release/alpha/amd64-usr/current/version.txt").statusCode());
    send(admin("/api/v1/channels/alpha").PUT(BodyPublishers.ofString("{\"version\": \"2.0.0\"}")));
    HttpResponse<byte[]> r = get("/release/alpha/amd64-usr/current/version.txt");
    assertEquals(200, r.statusCode());
    assertEquals("COREOS_BUILD=2\nCOREOS_BRANCH=0\nCOREOS_PATCH=0\nCOREOS_VERSION=2.0.0\nCOREOS_VERSION_ID=2.0.0\n"
        + "COREOS_BUILD_ID=\"\"\nCOREOS_SDK_VERSION=2.0.0\n", new String(r.body(), StandardCharsets.UTF_8));
  }

  @Test
  void versionTxt_answersForEveryBoardWithAPackageOfTheChannelsVersion() throws Exception {
    trust(trustedKey);
    byte[] arm = "the arm64 payload".getBytes(StandardCharsets.UTF_8);
    assertEquals(200, upload("2.0.0", payload, goodSig).statusCode());
    assertEquals(200, upload("arm64-usr", "2.0.0", arm, sign("release@example.com", arm)).statusCode());
    send(admin("/api/v1/channels/alpha").PUT(BodyPublishers.ofString("{\"version\": \"2.0.0\"}")));

    for (String board : List.of("amd64-usr", "arm64-usr")) {
      HttpResponse<byte[]> r = get("/release/alpha/" + board + "/current/version.txt");
      assertEquals(200, r.statusCode(), board);
      assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("COREOS_VERSION=2.0.0\n"), board);
    }
    assertEquals(404, get("/release/alpha/riscv-usr/current/version.txt").statusCode());
  }

  @Test
  void deletingOneBoardsPackageOfAVersionAChannelServes_isRefused_soThatBoardIsNotStranded() throws Exception {
    trust(trustedKey);
    byte[] arm = "the arm64 payload".getBytes(StandardCharsets.UTF_8);
    upload("2.0.0", payload, goodSig);
    upload("arm64-usr", "2.0.0", arm, sign("release@example.com", arm));
    send(admin("/api/v1/channels/alpha").PUT(BodyPublishers.ofString("{\"version\": \"2.0.0\"}")));

    HttpResponse<byte[]> refused = send(admin("/api/v1/packages/2.0.0?board=arm64-usr").DELETE());

    assertEquals(409, refused.statusCode(), new String(refused.body(), StandardCharsets.UTF_8));
    assertEquals("channel alpha points at 2.0.0; point it elsewhere first", json(refused).get("error").asText());
    assertArrayEquals(arm, get("/packages/arm64-usr/2.0.0/" + NAME).body());
  }

  @Test
  void installerImage_isUploadedSigned_andServedUnderRelease() throws Exception {
    trust(trustedKey);
    byte[] image = Arrays.copyOf(payload, 5000);
    byte[] sig = sign("release@example.com", image);
    HttpResponse<byte[]> r = send(admin("/api/v1/images/2.0.0/flatcar_production_image.bin.bz2")
        .header("X-Cairn-Signature", Base64.getEncoder().encodeToString(sig)).PUT(BodyPublishers.ofByteArray(image)));
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(sum("sha256sum", image, dir), json(r).get("sha256").asText());
    assertEquals(1, json(send(admin("/api/v1/images").GET())).size());
    assertArrayEquals(image, get("/release/stable/amd64-usr/2.0.0/flatcar_production_image.bin.bz2").body());
    assertArrayEquals(sig, get("/release/stable/amd64-usr/2.0.0/flatcar_production_image.bin.bz2.sig").body());
    assertEquals(404, get("/release/stable/amd64-usr/2.0.1/flatcar_production_image.bin.bz2").statusCode());
    HttpResponse<byte[]> stranger = send(admin("/api/v1/images/2.0.1/flatcar_production_image.bin.bz2")
        .header("X-Cairn-Signature", Base64.getEncoder().encodeToString(untrustedSig))
        .PUT(BodyPublishers.ofByteArray(image)));
    assertEquals(422, stranger.statusCode());
    assertFalse(Files.exists(dir.resolve("images/" + dev.cairn.omaha.Model.COREOS_APP_ID + "/amd64-usr/2.0.1")));
  }
}
