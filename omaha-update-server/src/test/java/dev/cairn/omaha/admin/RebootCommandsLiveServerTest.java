package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reboot lock through {@code cairn admin}: --max-reboots, group release, the rollout's reboots line, activity. */
class RebootCommandsLiveServerTest {
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

  void take(String id, String group, int status) throws Exception {
    var r = server.fleetLock("/v1/pre-reboot", id, group);
    assertEquals(status, r.statusCode(), r.body());
  }

  JsonNode slots(String group) throws Exception {
    var r = server.api("/api/v1/groups/" + group + "/reboots");
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  @Test
  void groupCreate_withMaxReboots_setsTheLimit_andTheGroupLineSaysIt() throws Exception {
    String out = admin("group", "create", "web", "--channel", "stable", "--max-reboots", "2").ok().out();
    assertTrue(out.strip().endsWith(", 2 reboots at a time"), out);
    assertEquals(2, slots("web").path("max").asInt());
    take("m1", "web", 200);
    take("m2", "web", 200);
    take("m3", "web", 409);
  }

  @Test
  void groupUpdate_maxRebootsZero_saysNoReboots_andRefusesEveryMachine() throws Exception {
    String out = admin("group", "update", "stable", "--max-reboots", "0").ok().out();
    assertTrue(out.strip().endsWith(", no reboots"), out);
    take("m1", "stable", 409);
    JsonNode g = JSON.readTree(admin("group", "list", "--format", "json").ok().out());
    for (JsonNode x : g) {
      assertEquals(x.path("name").asText().equals("stable") ? 0 : 1, x.path("policy").path("max_reboots").asInt());
    }
  }

  @Test
  void maxRebootsNegative_isBadInput_exit2_andNothingChanges() throws Exception {
    Admin.Result r = admin("group", "update", "stable", "--max-reboots", "-1");
    assertEquals(2, r.code());
    assertEquals("admin group update: --max-reboots must be 0 or more, got -1\n", r.err());
    assertEquals(1, slots("stable").path("max").asInt());
  }

  @Test
  void groupRelease_givesBackAStaleSlot_soTheNextMachineGetsIn_thenRefusesAMachineHoldingNone() throws Exception {
    take("m1", "stable", 200);
    take("m2", "stable", 409);
    Admin.Result r = admin("group", "release", "stable", "m1").ok();
    assertEquals("released the reboot slot of m1 in group stable\n", r.out());
    take("m2", "stable", 200);

    Admin.Result again = admin("group", "release", "stable", "m1");
    assertEquals(1, again.code());
    assertEquals(1, again.err().lines().count(), again.err());
    assertTrue(again.err().startsWith("admin group release: ") && again.err().contains("holds no reboot slot"),
        again.err());
  }

  /** FleetLock ids are any printable ASCII: the path segment carries them percent-encoded. */
  @Test
  void groupRelease_ofAnIdWithSlashPercentAndQuestionMark_releasesThatMachine() throws Exception {
    admin("group", "update", "stable", "--max-reboots", "3").ok();
    for (String id : new String[] {"rack/7", "m%2F1", "a?b#c"}) {
      var r = server.fleetLock("/v1/pre-reboot", id, "stable");
      assertEquals(200, r.statusCode(), r.body());
    }
    for (String id : new String[] {"rack/7", "m%2F1", "a?b#c"}) {
      admin("group", "release", "stable", id).ok();
    }
    assertEquals(0, slots("stable").path("holders").size());
  }

  @Test
  void rollout_showsTheHolders_inTheTextAndTheJson() throws Exception {
    admin("group", "update", "stable", "--max-reboots", "2").ok();
    String none = admin("rollout", "stable").ok().out();
    assertTrue(none.endsWith("\nreboots: 0 of 2 slots taken\n"), none);
    take("m1", "stable", 200);
    String out = admin("rollout", "stable").ok().out();
    String since = slots("stable").path("holders").get(0).path("since").asText();
    assertTrue(out.endsWith("\nreboots: 1 of 2 slots taken: m1 (since " + since + ")\n"), out);
    JsonNode j = JSON.readTree(admin("rollout", "stable", "--format", "json").ok().out());
    assertEquals(1, j.path("reboots").path("available").asInt());
    assertEquals("m1", j.path("reboots").path("holders").get(0).path("id").asText());
  }

  @Test
  void activity_showsTheTakeByTheMachine_andTheReleaseByTheAdmin() throws Exception {
    take("m1", "stable", 200);
    admin("group", "release", "stable", "m1").ok();
    String out = admin("activity").ok().out();
    String actor = AdminCommand.actor();
    assertTrue(out.lines().anyMatch(l -> l.contains(" m1 ") && l.contains("reboot.taken")
        && l.contains("took a reboot slot of group stable (1 of 1 slots taken)")), out);
    assertTrue(out.lines().anyMatch(l -> l.contains("reboot.released") && l.contains(actor)
        && l.contains(" m1 ") && l.contains("reboot slot of group stable released by " + actor)), out);
  }
}
