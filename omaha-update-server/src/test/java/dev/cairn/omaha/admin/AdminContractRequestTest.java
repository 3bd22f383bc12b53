package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests {@code cairn admin} builds for the endpoints of the release-workflow contract
 * (keys, uploads, channel create and promote, group create, pause and resume, rollout, filters),
 * checked on a server that records them and answers with the contract's JSON.
 */
class AdminContractRequestTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String FPR = "0123456789ABCDEF0123456789ABCDEF01234567";
  static final String KEY_JSON = "{\"fingerprint\": \"" + FPR + "\", \"user_ids\": [\"Cairn Release <release@example.com>\"],"
      + " \"created\": \"2026-11-22T03:00:00Z\", \"subkeys\": [\"89ABCDEF0123456789ABCDEF0123456789ABCDEF\"]}";
  static final String GROUP_JSON = "{\"name\": \"canary\", \"channel\": \"alpha\", \"channel_version\": \"2.0.0\","
      + " \"paused\": true, \"paused_reason\": \"disk errors on rack 4\", \"paused_at\": \"2026-11-22T03:10:00Z\","
      + " \"policy\": {\"updates_enabled\": true, \"max_updates_per_period\": 5, \"period_seconds\": 3600,"
      + " \"update_timeout_seconds\": 3600, \"rollout_percent\": 100, \"failure_brake\": 3, \"pinned_version\": null,"
      + " \"allow_downgrade\": false, \"office_hours\": null}}";

  static final String SHA256 = "0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=";

  @TempDir Path dir;
  RecordingServer server;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Admin.Result admin(String... args) {
    return Admin.run(server.env(), args);
  }

  Path file(String name, byte[] content) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, content);
    return p;
  }

  static JsonNode json(RecordingServer.Request r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void everyRequest_carriesTheTokenAndTheActor() {
    server.answer(200, "[]");
    admin("key", "list").ok();
    RecordingServer.Request r = server.only();
    assertEquals("Bearer recorded-token", r.header("Authorization"));
    assertEquals(System.getProperty("user.name"), r.header("X-Cairn-Actor").split("@")[0]);
    assertTrue(r.header("X-Cairn-Actor").matches("[^@]+@[^@]+"), r.header("X-Cairn-Actor"));
  }

  @Test
  void keyAdd_postsTheFileBytesAsPgpKeys() throws Exception {
    byte[] key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ...\n-----END PGP PUBLIC KEY BLOCK-----\n"
        .getBytes(StandardCharsets.US_ASCII);
    server.answer(200, "[" + KEY_JSON + "]");
    Admin.Result res = admin("key", "add", file("release.asc", key).toString()).ok();
    RecordingServer.Request r = server.only();
    assertEquals("POST", r.method());
    assertEquals("/api/v1/keys", r.path());
    assertEquals("application/pgp-keys", r.header("Content-Type"));
    assertArrayEquals(key, r.body());
    assertEquals("trusted " + FPR + "  Cairn Release <release@example.com>\n", res.out());
  }

  @Test
  void keyList_isATable() {
    server.answer(200, "[" + KEY_JSON + "]");
    assertEquals("FINGERPRINT                               USER IDS                             CREATED               SUBKEYS\n"
        + FPR + "  Cairn Release <release@example.com>  2026-11-22T03:00:00Z  1\n", admin("key", "list").ok().out());
    assertEquals("GET", server.only().method());
  }

  @Test
  void keyRemove_deletesByFingerprint() {
    server.answer(200, "{\"removed\": \"" + FPR + "\"}");
    assertEquals("removed " + FPR + "\n", admin("key", "remove", FPR).ok().out());
    assertEquals("DELETE", server.only().method());
    assertEquals("/api/v1/keys/" + FPR, server.only().path());
  }

  @Test
  void keyConflict_isTheServersErrorLine_exit1() throws Exception {
    server.answer(409, "{\"error\": \"key " + FPR + " is already trusted\"}");
    Admin.Result r = admin("key", "add", file("k.asc", new byte[] {1}).toString());
    assertEquals(1, r.code());
    assertEquals("admin key add: key " + FPR + " is already trusted\n", r.err());
  }

  @Test
  void packageAddFile_streamsThePayloadWithItsSignatureHeader() throws Exception {
    byte[] payload = new byte[300_000];
    new java.util.Random(7).nextBytes(payload);
    byte[] sig = {(byte) 0x88, 0x75, 0x04, 0x00};
    Path f = file("flatcar_production_update.gz", payload);
    server.answer(200, "{\"version\": \"2.0.0\", \"board\": \"amd64-usr\", \"name\": \"flatcar_production_update.gz\","
        + " \"size\": 300000, \"sha1\": \"x\", \"sha256\": \"y\", \"url\": \"http://cairn/packages/2.0.0/\","
        + " \"signed_by\": \"" + FPR + "\", \"hosted\": true}");
    Admin.Result res = admin("package", "add", "--version", "2.0.0", "--file", f.toString(),
        "--signature", file("p.sig", sig).toString()).ok();
    RecordingServer.Request r = server.only();
    assertEquals("PUT", r.method());
    assertEquals("/api/v1/packages/2.0.0/payload", r.path());
    assertEquals("name=flatcar_production_update.gz", r.query());
    assertEquals(Base64.getEncoder().encodeToString(sig), r.header("X-Cairn-Signature"));
    assertEquals("300000", r.header("Content-Length"));
    assertArrayEquals(payload, r.body());
    assertEquals("package 2.0.0 (amd64-usr) flatcar_production_update.gz, 300000 bytes, signed by " + FPR
        + ", served from http://cairn/packages/2.0.0/\n", res.out());
  }

  @Test
  void packageAddFile_withNameBoardAndApp_putsThemInTheQuery() throws Exception {
    server.answer(200, "{}");
    admin("package", "add", "--version", "2.0.0", "--file", file("p.gz", new byte[] {1, 2}).toString(), "--name", "update.gz",
        "--board", "arm64-usr", "--app", "{5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22}",
        "--signature", file("p.sig", new byte[] {9}).toString()).ok();
    assertEquals("name=update.gz&board=arm64-usr&app=%7B5f2d9a2e-7e4b-4c1d-9a57-3b0f0c6f1e22%7D", server.only().query());
  }

  @Test
  void packageAddUrl_postsTheJsonWithTheSignatureInBase64() throws Exception {
    byte[] sig = "armored".getBytes(StandardCharsets.US_ASCII);
    server.answer(200, "{\"version\": \"2.0.0\", \"name\": \"u.gz\", \"size\": 10}");
    admin("package", "add", "--version", "2.0.0", "--url", "https://mirror.example.com/2.0.0/", "--name", "u.gz",
        "--size", "10", "--sha256", SHA256, "--sha1", "AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=", "--signature",
        file("s.asc", sig).toString()).ok();
    RecordingServer.Request r = server.only();
    assertEquals("POST", r.method());
    assertEquals("/api/v1/packages", r.path());
    assertNull(r.query());
    assertEquals("application/json", r.header("Content-Type"));
    JsonNode b = json(r);
    assertEquals("2.0.0", b.get("version").asText());
    assertEquals("u.gz", b.get("name").asText());
    assertEquals("https://mirror.example.com/2.0.0/", b.get("url").asText());
    assertEquals(10, b.get("size").asLong());
    assertEquals(SHA256, b.get("sha256").asText());
    assertEquals(Base64.getEncoder().encodeToString(sig), b.get("signature").asText());
    assertEquals("AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=", b.get("sha1").asText());
    assertTrue(!b.has("board"), b.toString());
  }

  @Test
  void packageAddUrl_withoutSha1_isExit2_andSendsNothing() throws Exception {
    Admin.Result r = admin("package", "add", "--version", "2.0.0", "--url", "https://mirror.example.com/2.0.0/",
        "--name", "u.gz", "--size", "10", "--sha256", SHA256, "--signature", file("s.asc", new byte[] {1}).toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--url needs --sha1 too"), r.err());
    assertEquals(0, server.requests.size());
  }

  @Test
  void packageAdd_needsExactlyOneSource_andUrlNeedsAName() throws Exception {
    Path sig = file("s", new byte[] {1});
    assertEquals(2, admin("package", "add", "--version", "1", "--signature", sig.toString()).code());
    assertEquals(2, admin("package", "add", "--version", "1", "--signature", sig.toString(), "--file", sig.toString(),
        "--url", "https://x/", "--size", "1", "--sha256", SHA256).code());
    Admin.Result r = admin("package", "add", "--version", "1", "--signature", sig.toString(), "--url", "https://x/",
        "--size", "1", "--sha256", SHA256);
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--url needs --name"), r.err());
    assertTrue(server.requests.isEmpty());
  }

  @Test
  void digestThatIsNotASha256_isBadInput_namingIt() throws Exception {
    Admin.Result r = admin("package", "add", "--version", "1", "--signature", file("s", new byte[] {1}).toString(),
        "--url", "https://x/", "--name", "u.gz", "--size", "1", "--sha256", "c2hhMjU2");
    assertEquals(2, r.code());
    assertEquals("admin package add: --sha256 must be the base64 of 32 bytes, got 6 bytes in 'c2hhMjU2'\n", r.err());
    assertTrue(server.requests.isEmpty());
  }

  @Test
  void keyRemoveOfSomethingNotAFingerprint_isBadInput() {
    assertEquals(2, admin("key", "remove", "release@example.com").code());
    assertTrue(server.requests.isEmpty());
  }

  @Test
  void progressBar_redrawsOnOneLine_andEndsIt() {
    java.io.StringWriter w = new java.io.StringWriter();
    PackageCommands.ProgressBar bar = new PackageCommands.ProgressBar(new java.io.PrintWriter(w), 100L << 20);
    bar.accept(1);
    bar.accept(2);
    bar.accept(50L << 20);
    bar.accept(100L << 20);
    bar.finish();
    String[] draws = w.toString().split("\r", -1);
    assertEquals(5, draws.length, w.toString());
    assertTrue(draws[2].contains(" 50%  50.0 of 100.0 MiB"), draws[2]);
    assertTrue(draws[4].endsWith("100%  100.0 of 100.0 MiB\n"), draws[4]);
  }

  @Test
  void signatureRefused_isTheServersErrorLine() throws Exception {
    server.answer(422, "{\"error\": \"signature refused: key 0123 is not trusted\"}");
    Admin.Result r = admin("package", "add", "--version", "2.0.0", "--file", file("p", new byte[] {1}).toString(),
        "--signature", file("s", new byte[] {2}).toString());
    assertEquals(1, r.code());
    assertEquals("admin package add: signature refused: key 0123 is not trusted\n", r.err());
  }

  @Test
  void packageDelete_andAddImage() throws Exception {
    server.answer(200, "{\"deleted\": \"2.0.0\"}");
    assertEquals("deleted 2.0.0\n", admin("package", "delete", "2.0.0", "--board", "amd64-usr").ok().out());
    assertEquals("DELETE", server.only().method());
    assertEquals("/api/v1/packages/2.0.0", server.only().path());
    assertEquals("board=amd64-usr", server.only().query());

    server.requests.clear();
    server.answer(200, "{\"version\": \"2.0.0\", \"board\": \"amd64-usr\", \"name\": \"flatcar_production_image.bin.bz2\","
        + " \"size\": 3, \"sha256\": \"x\", \"signed_by\": \"" + FPR + "\"}");
    byte[] image = {1, 2, 3};
    Admin.Result res = admin("package", "add-image", "--version", "2.0.0",
        "--file", file("flatcar_production_image.bin.bz2", image).toString(), "--signature", file("i.sig", new byte[] {4}).toString()).ok();
    RecordingServer.Request r = server.only();
    assertEquals("PUT", r.method());
    assertEquals("/api/v1/images/2.0.0/flatcar_production_image.bin.bz2", r.path());
    assertNull(r.query());
    assertEquals(Base64.getEncoder().encodeToString(new byte[] {4}), r.header("X-Cairn-Signature"));
    assertArrayEquals(image, r.body());
    assertEquals("image 2.0.0 (amd64-usr) flatcar_production_image.bin.bz2, 3 bytes, signed by " + FPR + "\n", res.out());
  }

  @Test
  void channelCreate_andPromote() throws Exception {
    server.answer(200, "{\"name\": \"edge\", \"version\": null}");
    assertEquals("channel edge created\n", admin("channel", "create", "edge").ok().out());
    assertEquals("POST", server.only().method());
    assertEquals("/api/v1/channels", server.only().path());
    assertEquals("{\"name\":\"edge\"}", server.only().text());

    server.requests.clear();
    server.answer(200, "{\"name\": \"beta\", \"version\": \"2.0.0\", \"previous\": \"1.0.0\"}");
    assertEquals("beta: 1.0.0 -> 2.0.0 (from alpha)\n", admin("channel", "promote", "alpha", "beta").ok().out());
    assertEquals("/api/v1/channels/beta/promote", server.only().path());
    assertEquals("alpha", json(server.only()).get("from").asText());
    assertEquals(false, json(server.only()).get("allow_downgrade").asBoolean());

    server.requests.clear();
    admin("channel", "promote", "alpha", "beta", "--allow-downgrade").ok();
    assertEquals(true, json(server.only()).get("allow_downgrade").asBoolean());
  }

  @Test
  void refusedDowngrade_isTheServersLine() {
    server.answer(409, "{\"error\": \"promoting alpha to beta would move beta back from 2.0.0 to 1.0.0; allow the downgrade to do it\"}");
    Admin.Result r = admin("channel", "promote", "alpha", "beta");
    assertEquals(1, r.code());
    assertEquals("admin channel promote: promoting alpha to beta would move beta back from 2.0.0 to 1.0.0;"
        + " allow the downgrade to do it\n", r.err());
  }

  @Test
  void groupCreate_postsNameChannelAndOnlyTheGivenPolicy() throws Exception {
    server.answer(200, GROUP_JSON);
    admin("group", "create", "canary", "--channel", "alpha", "--max-updates", "5", "--office-hours", "Mon,Wed,Fri 22:00-06:00").ok();
    RecordingServer.Request r = server.only();
    assertEquals("POST", r.method());
    assertEquals("/api/v1/groups", r.path());
    assertEquals(JSON.readTree("{\"name\": \"canary\", \"channel\": \"alpha\", \"policy\": {\"max_updates_per_period\": 5,"
        + " \"office_hours\": {\"days\": [\"MON\", \"WED\", \"FRI\"], \"start\": \"22:00\", \"end\": \"06:00\", \"zone\": \"UTC\"}}}"),
        json(r));
    assertEquals(2, admin("group", "create", "canary").code(), "--channel is required");
  }

  @Test
  void groupPauseWithReason_andResume() throws Exception {
    server.answer(200, GROUP_JSON);
    Admin.Result res = admin("group", "pause", "canary", "--reason", "disk errors on rack 4").ok();
    assertEquals("/api/v1/groups/canary/pause", server.only().path());
    assertEquals("disk errors on rack 4", json(server.only()).get("reason").asText());
    assertTrue(res.out().startsWith("group canary (channel alpha -> 2.0.0): paused (disk errors on rack 4), at most 5 per 1h"),
        res.out());

    server.requests.clear();
    admin("group", "resume", "canary").ok();
    assertEquals("POST", server.only().method());
    assertEquals("/api/v1/groups/canary/resume", server.only().path());
  }

  @Test
  void groupUpdateWithNothingToChange_isBadInput() {
    Admin.Result r = admin("group", "update", "canary");
    assertEquals(2, r.code());
    assertTrue(server.requests.isEmpty());
  }

  @Test
  void rollout_getsTheGroupsRollout_andPrintsThePicture() {
    server.answer(200, ViewsTest.ROLLOUT);
    assertEquals("""
        group alpha (channel alpha) -> 2.0.0, updates enabled
        machines 5: 1.0.0 x3, 2.0.0 x2
        granted 2  downloading 0  downloaded 0  installed 0  complete 0  failed 0  timed out 0  on hold 3  waiting 3
        """, admin("rollout", "alpha").ok().out());
    assertEquals("GET", server.only().method());
    assertEquals("/api/v1/groups/alpha/rollout", server.only().path());
  }

  @Test
  void instanceListFilters_goInTheQuery() {
    server.answer(200, "[]");
    assertEquals("MACHINE ID  ALIAS  GROUP  VERSION  STATUS  LAST CHECK  GRANTED\n",
        admin("instance", "list", "--group", "alpha", "--status", "error", "--version", "1.0.0", "--limit", "50").ok().out());
    assertEquals("/api/v1/instances", server.only().path());
    assertEquals("group=alpha&status=error&version=1.0.0&limit=50", server.only().query());
  }

  @Test
  void activitySince_isNowMinusTheDuration_andShowsTheActor() {
    server.answer(200, "[{\"at\": \"2026-11-22T03:00:00Z\", \"app\": \"x\", \"kind\": \"channel.promoted\","
        + " \"message\": \"beta: 1.0.0 -> 2.0.0 (from alpha)\", \"machine_id\": null, \"actor\": \"ops@admin1\"}]");
    Instant before = Instant.now();
    Admin.Result res = admin("activity", "--since", "1h30m", "--limit", "20").ok();
    Instant after = Instant.now();
    String q = server.only().query();
    assertTrue(q.startsWith("since=") && q.endsWith("&limit=20"), q);
    Instant since = Instant.parse(java.net.URLDecoder.decode(q.substring(6, q.indexOf('&')), StandardCharsets.UTF_8));
    assertTrue(!since.isBefore(before.minus(Duration.ofMinutes(90))) && !since.isAfter(after.minus(Duration.ofMinutes(90))),
        since.toString());
    assertEquals("AT                    ACTOR       KIND              MACHINE  MESSAGE\n"
        + "2026-11-22T03:00:00Z  ops@admin1  channel.promoted  -        beta: 1.0.0 -> 2.0.0 (from alpha)\n", res.out());
  }

  @Test
  void activitySinceNotADuration_isBadInput() {
    Admin.Result r = admin("activity", "--since", "yesterday");
    assertEquals(2, r.code());
    assertEquals("admin activity: --since: 'yesterday' is not a duration like 90s, 45m, 1h, 2d or 1h30m\n", r.err());
  }

  @Test
  void pathSegments_areEncoded() {
    server.answer(200, GROUP_JSON);
    admin("group", "resume", "a b/c").ok();
    assertEquals("/api/v1/groups/a%20b%2Fc/resume", server.only().path());
  }
}
