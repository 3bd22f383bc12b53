package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.omaha.MachineSighting;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn admin machine list} and {@code show} against the real server, over sightings
 * recorded in its store as the boot server records them.
 */
class MachineCommandsLiveServerTest {
  static final Instant T0 = Instant.parse("2026-11-18T13:36:48Z");
  static final String MAC = "52:54:00:ab:cd:0f";
  static final String UUID = "4c4c4544-0051-3410-8051-b2c04f4e3232";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  LiveServer server;

  @BeforeEach
  void start() throws Exception {
    server = LiveServer.start(dir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Admin.Result admin(String... args) {
    return Admin.run(server.env(), args);
  }

  void record(MachineSighting s) {
    server.store().recordMachine(s).join();
  }

  void threeMachines() {
    record(MachineSighting.of(T0, Map.of("mac", MAC, "hostname", "node17", "arch", "x86_64", "serial", "SN-4711"),
        "10.0.0.17", "workers", "coreos-install", "ipxe", "profile coreos-install"));
    record(MachineSighting.of(T0.plusSeconds(1), Map.of("uuid", UUID), "10.0.0.18", null, null, "cloud-config",
        "404 no group"));
    record(MachineSighting.of(T0.plusSeconds(30), Map.of("mac", MAC, "hostname", "node17"), "10.0.0.17", "workers",
        "coreos-install", "cloud-config", "served coreos-install"));
    record(MachineSighting.of(T0.plusSeconds(2), Map.of("mac", "52:54:00:00:00:02"), "10.0.0.19", "storage",
        "storage-node", "grub", "profile storage-node"));
  }

  @Test
  void machineList_isATableNewestFirst_sayingWhatEachWasLastServed() {
    threeMachines();
    assertEquals("""
        KEY                                        GROUP    PROFILE         LAST SEEN             ADDRESS    LAST SERVED                          INSTALLED
        52:54:00:ab:cd:0f                          workers  coreos-install  2026-11-18T13:37:18Z  10.0.0.17  cloud-config: served coreos-install  -
        52:54:00:00:00:02                          storage  storage-node    2026-11-18T13:36:50Z  10.0.0.19  grub: profile storage-node           -
        uuid:4c4c4544-0051-3410-8051-b2c04f4e3232  -        -               2026-11-18T13:36:49Z  10.0.0.18  cloud-config: 404 no group           -
        """, admin("machine", "list").ok().out());
  }

  @Test
  void machineList_byGroup_upToTheLimit_orAsTheServersJson() throws Exception {
    threeMachines();
    assertEquals("""
        KEY                GROUP    PROFILE       LAST SEEN             ADDRESS    LAST SERVED                 INSTALLED
        52:54:00:00:00:02  storage  storage-node  2026-11-18T13:36:50Z  10.0.0.19  grub: profile storage-node  -
        """, admin("machine", "list", "--group", "storage").ok().out());
    assertEquals(2, admin("machine", "list", "--limit", "1").ok().out().lines().count());
    JsonNode j = JSON.readTree(admin("machine", "list", "--format", "json").ok().out());
    assertEquals(3, j.size());
    assertEquals(MAC, j.get(0).get("key").asText());
    assertEquals("node17", j.get(0).get("labels").get("hostname").asText());
  }

  @Test
  void machineShow_printsEveryField_andTheLabelsOnePerLine() {
    threeMachines();
    assertEquals("""
        machine 52:54:00:ab:cd:0f
          group        workers
          profile      coreos-install
          address      10.0.0.17
          first seen   2026-11-18T13:36:48Z
          last seen    2026-11-18T13:37:18Z (2 requests)
          last served  cloud-config: served coreos-install
          installed    -

        labels
          arch      x86_64
          hostname  node17
          mac       52:54:00:ab:cd:0f
          serial    SN-4711
        """, admin("machine", "show", MAC).ok().out());
  }

  @Test
  void machineShow_ofAMachineThatMatchedNoGroup_saysSo() {
    threeMachines();
    String out = admin("machine", "show", "uuid:" + UUID.toUpperCase()).ok().out();
    assertTrue(out.startsWith("machine uuid:" + UUID + "\n  group        - (none matched)\n  profile      -\n"), out);
    assertTrue(out.contains("(1 request)\n  last served  cloud-config: 404 no group\n"), out);
  }

  @Test
  void machineShow_takesTheMacInAnyUsualForm_andJson() throws Exception {
    threeMachines();
    assertTrue(admin("machine", "show", "52-54-00-AB-CD-0F").ok().out().startsWith("machine " + MAC + "\n"));
    JsonNode j = JSON.readTree(admin("machine", "show", "525400abcd0f", "--format", "json").ok().out());
    assertEquals(2, j.get("requests").asInt());
  }

  @Test
  void unknownMachine_isTheServers404_oneLine_exit1() {
    Admin.Result r = admin("machine", "show", "52:54:00:00:00:99");
    assertEquals(1, r.code());
    assertEquals("admin machine show: no machine '52:54:00:00:00:99' in the inventory\n", r.err());
  }

  @Test
  void badLimit_isExit2() {
    Admin.Result r = admin("machine", "list", "--limit", "0");
    assertEquals(2, r.code());
    assertEquals("admin machine list: --limit must be 1-10000, got 0\n", r.err());
  }

  /**
   * A machine chooses its labels, hostname included: control characters and values far longer
   * than the server keeps. The table and the machine's page show them escaped and cut, and say
   * what was cut.
   */
  @Test
  void hostileLabelsAndFields_areShownEscaped_andCut() {
    String evil = ControlCharsAdminTest.EVIL;
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("mac", MAC);
    labels.put("hostname", "node" + evil + "x".repeat(5000));
    labels.put("rack" + evil, "r1" + evil);
    record(new MachineSighting(MAC, T0, labels, "10.0.0.17", "workers" + evil, "p" + evil, "ipxe" + evil,
        "o".repeat(300)));

    String list = admin("machine", "list").ok().out();
    String show = admin("machine", "show", MAC).ok().out();

    ControlCharsAdminTest.assertNoRawControl(list);
    ControlCharsAdminTest.assertNoRawControl(show);
    String shown = ControlCharsAdminTest.EVIL_SHOWN;
    assertTrue(list.contains("  workers" + shown + "  p" + shown + "  "), list);
    assertTrue(list.contains("  ipxe" + shown + ": " + "o".repeat(256) + "  -\n"), list);
    assertTrue(show.contains("  group        workers" + shown + "\n"), show);
    assertTrue(show.contains("  cut          outcome, label hostname (longer or more than the server keeps;"
        + " stored cut short)\n"), show);
    String hostname = ("node" + evil + "x".repeat(5000)).substring(0, 256);
    assertTrue(show.contains("\n  hostname" + " ".repeat(2 + ("rack" + shown).length() - "hostname".length())
        + dev.cairn.omaha.ControlChars.escape(hostname) + "\n"), show);
    assertTrue(show.contains("\n  rack" + shown + "  r1" + shown + "\n"), show);
    assertFalse(show.contains("x".repeat(256)), "cut to 256 characters");
  }
}
