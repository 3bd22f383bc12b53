package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn admin} against the real server, for the endpoints it has today. */
class AdminLiveServerTest {
  static final String MACHINE = "0123456789abcdef0123456789abcdef";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  LiveServer server;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir);
    env = server.env();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Admin.Result admin(String... args) {
    return Admin.run(env, args);
  }

  Path file(String name, String content) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  /** An external package 3602.2.0 and channel stable pointing at it. */
  void release() throws Exception {
    Path sig = file("payload.sig", "-----BEGIN PGP SIGNATURE-----\nnot checked by this server\n-----END PGP SIGNATURE-----\n");
    admin("package", "add", "--version", "3602.2.0", "--url", "https://mirror.example.com/3602.2.0/",
        "--name", "flatcar_production_update.gz", "--size", "304218311",
        "--sha256", "0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=", "--sha1", "AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=",
        "--signature", sig.toString()).ok();
    admin("channel", "set", "stable", "3602.2.0").ok();
  }

  @Test
  void channelList_isATableOfTheSeededChannels() {
    assertEquals("""
        NAME    VERSION
        alpha   -
        beta    -
        stable  -
        """, admin("channel", "list").ok().out());
  }

  @Test
  void channelList_asJson_isTheServersJson() throws Exception {
    JsonNode j = JSON.readTree(admin("channel", "list", "--format", "json").ok().out());
    assertEquals(3, j.size());
    assertEquals("alpha", j.get(0).get("name").asText());
  }

  @Test
  void packageFromUrl_thenChannelSet_showInTheListsAndTheActivity() throws Exception {
    Path sig = file("payload.sig", "sig");
    Admin.Result add = admin("package", "add", "--version", "3602.2.0", "--url", "https://mirror.example.com/3602.2.0/",
        "--name", "flatcar_production_update.gz", "--size", "304218311",
        "--sha256", "0VAlQW3RE99SGtSB5R4m08antAHO8XDoBMKDyxQT/Mg=", "--sha1", "AZ0MbXC8v8ZNvP2XbL1yZy4uQcA=",
        "--signature", sig.toString()).ok();
    assertEquals("package 3602.2.0 (amd64-usr) flatcar_production_update.gz, 304218311 bytes,"
        + " served from https://mirror.example.com/3602.2.0/\n", add.out());
    assertEquals("channel stable now serves 3602.2.0\n", admin("channel", "set", "stable", "3602.2.0").ok().out());

    String packages = admin("package", "list").ok().out();
    assertTrue(packages.startsWith("VERSION   BOARD      NAME"), packages);
    assertTrue(packages.contains("3602.2.0  amd64-usr  flatcar_production_update.gz  304218311"), packages);
    assertTrue(admin("channel", "list").ok().out().contains("stable  3602.2.0"));

    String activity = admin("activity", "--limit", "5").ok().out();
    assertTrue(activity.startsWith("AT "), activity);
    assertTrue(activity.contains("channel stable now serves 3602.2.0"), activity);
  }

  @Test
  void groupUpdate_sendsEveryPolicyFlag_andTheServerKeepsThem() throws Exception {
    Admin.Result r = admin("group", "update", "stable", "--max-updates", "20", "--period", "1h", "--update-timeout", "1h30m",
        "--rollout-percent", "50", "--office-hours", "Mon-Fri 09:00-17:00 Europe/Berlin", "--halt-after-failures", "5",
        "--halt-failure-percent", "25", "--pin", "3510.2.1", "--allow-downgrade").ok();
    assertEquals("group stable (channel stable -> no version): updates enabled, at most 20 per 1h, rollout 50%,"
        + " timeout 1h30m, halt after 5 failures and 25% of grants, pinned to 3510.2.1, downgrades allowed,"
        + " office hours MON,TUE,WED,THU,FRI 09:00-17:00 Europe/Berlin\n", r.out());

    JsonNode groups = JSON.readTree(admin("group", "list", "--format", "json").ok().out());
    JsonNode stable = null;
    for (JsonNode g : groups) {
      if (g.get("name").asText().equals("stable")) {
        stable = g;
      }
    }
    JsonNode p = stable.get("policy");
    assertEquals(20, p.get("max_updates_per_period").asInt());
    assertEquals(3600, p.get("period_seconds").asInt());
    assertEquals(5400, p.get("update_timeout_seconds").asInt());
    assertEquals(50, p.get("rollout_percent").asInt());
    assertEquals(5, p.get("failure_brake").asInt());
    assertEquals("3510.2.1", p.get("pinned_version").asText());
    assertTrue(p.get("allow_downgrade").asBoolean());
    assertEquals("Europe/Berlin", p.get("office_hours").get("zone").asText());

    admin("group", "update", "stable", "--no-allow-downgrade", "--pin", "none", "--office-hours", "none").ok();
    String table = admin("group", "list").ok().out();
    assertTrue(table.startsWith("NAME    CHANNEL  VERSION  STATUS           POLICY\n"), table);
    assertTrue(table.contains("stable  stable   -        updates enabled  at most 20 per 1h, rollout 50%, timeout 1h30m,"
        + " halt after 5 failures and 25% of grants\n"), table);
  }

  @Test
  void badPolicyFlag_isExit2_namingTheValue_andSendsNothing() {
    Admin.Result r = admin("group", "update", "stable", "--period", "1hour");
    assertEquals(2, r.code());
    assertEquals("admin group update: --period: '1hour' is not a duration like 90s, 45m, 1h, 2d or 1h30m\n", r.err());
    assertTrue(admin("activity").ok().out().lines().count() == 1, "nothing changed");
  }

  @Test
  void machineThatChecked_isListed_andShownWithHistoryAndEvents() throws Exception {
    release();
    server.omaha("update-check.xml");
    server.omaha("event-download-started.xml");

    String list = admin("instance", "list", "--group", "stable", "--limit", "10").ok().out();
    assertTrue(list.startsWith("MACHINE ID                        ALIAS"), list);
    assertTrue(list.contains(MACHINE), list);
    assertTrue(list.contains("downloading"), list);

    String show = admin("instance", "show", MACHINE).ok().out();
    assertTrue(show.startsWith("machine " + MACHINE), show);
    assertTrue(show.contains("  status   downloading"), show);
    assertTrue(show.contains("  granted  3602.2.0 at "), show);
    assertTrue(show.contains("undefined -> granted"), show);
    assertTrue(show.contains("granted -> downloading"), show);
    assertTrue(show.contains("13/1 download started (ok)"), show);
  }

  @Test
  void serverRefusal_isOneLineWithTheServersError_exit1() {
    Admin.Result r = admin("channel", "set", "stable", "9.9.9");
    assertEquals(1, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("admin channel set: "), r.err());
    assertTrue(r.err().contains("9.9.9"), r.err());
  }

  @Test
  void unknownMachine_isTheServers404Message() {
    Admin.Result r = admin("instance", "show", "ffffffffffffffffffffffffffffffff");
    assertEquals(1, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  @Test
  void wrongToken_isRefused_sayingWhereTheTokenCameFrom() throws Exception {
    env = Map.of("CAIRN_SERVER", server.url, "CAIRN_TOKEN", "wrong");
    Admin.Result r = admin("channel", "list");
    assertEquals(1, r.code());
    assertEquals("admin channel list: the server at " + server.url + " refused the admin token from CAIRN_TOKEN"
        + " (a valid bearer token is required)\n", r.err());

    Path tokenFile = file("admin.token", "also-wrong\n");
    env = Map.of("CAIRN_SERVER", server.url);
    r = admin("channel", "list", "--token-file", tokenFile.toString());
    assertTrue(r.err().contains("refused the admin token from " + tokenFile), r.err());
  }

  @Test
  void tokenFile_andServerOption_work_withoutEnvironment() throws Exception {
    Path tokenFile = file("admin.token", LiveServer.TOKEN + "\n");
    env = Map.of();
    admin("--server", server.url, "--token-file", tokenFile.toString(), "channel", "list").ok();
    admin("channel", "list", "--server", server.url, "--token-file", tokenFile.toString()).ok();
  }

  @Test
  void environmentTokenWinsOverTheTokenFile() throws Exception {
    Path tokenFile = file("admin.token", "stale\n");
    env = new HashMap<>(server.env());
    admin("channel", "list", "--token-file", tokenFile.toString()).ok();
  }

  @Test
  void noServerListening_namesTheUrl() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    env = Map.of("CAIRN_TOKEN", "x");
    Admin.Result r = admin("channel", "list", "--server", "http://127.0.0.1:" + port);
    assertEquals(1, r.code());
    assertTrue(r.err().contains("cannot reach the server at http://127.0.0.1:" + port + " (connection refused)"), r.err());
  }

  @Test
  void rollout_ofAGroupWithOneMachineDownloading_showsTheTargetTheVersionsAndTheCounts() throws Exception {
    release();
    server.omaha("update-check.xml");
    server.omaha("event-download-started.xml");

    String out = admin("rollout", "stable").ok().out();

    assertTrue(out.startsWith("group stable (channel stable) -> 3602.2.0, updates enabled\n"), out);
    assertTrue(out.contains("machines 1:"), out);
    assertTrue(out.contains("granted 0  downloading 1  "), out);
  }

  @Test
  void badUsage_isExit2() {
    assertEquals(2, admin("channel", "list", "--format", "yaml").code());
    assertEquals(2, admin("channel", "set", "stable").code());
    assertEquals(2, admin("instance", "list", "--limit", "0").code());
    Admin.Result r = admin("channel", "list", "--server", "ftp://example.com");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--server must be an http:// or https:// URL, got 'ftp://example.com'"), r.err());
  }
}
