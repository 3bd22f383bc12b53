package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ViewsTest {
  static final String ROLLOUT = """
      {"group": "alpha", "channel": "alpha", "target_version": "2.0.0", "paused": false, "paused_reason": null,
       "paused_at": null, "machines": 5,
       "versions": [ {"version": "1.0.0", "machines": 3}, {"version": "2.0.0", "machines": 2} ],
       "states": {"granted": 2, "downloading": 0, "downloaded": 0, "installed": 0, "complete": 0, "error": 0,
                  "timed_out": 0, "on_hold": 3, "undefined": 0},
       "waiting": 3, "policy": {"updates_enabled": true}}
      """;

  static JsonNode json(String s) throws Exception {
    return new ObjectMapper().readTree(s);
  }

  @Test
  void rollout_isTheTargetTheVersionsAndTheStateCounts() throws Exception {
    assertEquals("""
        group alpha (channel alpha) -> 2.0.0, updates enabled
        machines 5: 1.0.0 x3, 2.0.0 x2
        granted 2  downloading 0  downloaded 0  installed 0  complete 0  failed 0  timed out 0  on hold 3  waiting 3
        """, Views.rollout(json(ROLLOUT)));
  }

  @Test
  void pausedRollout_saysSinceWhenAndWhy() throws Exception {
    String paused = ROLLOUT.replace("\"paused\": false", "\"paused\": true")
        .replace("\"paused_reason\": null", "\"paused_reason\": \"3 machines failed to update\"")
        .replace("\"paused_at\": null", "\"paused_at\": \"2026-11-22T03:10:00Z\"");
    assertTrue(Views.rollout(json(paused)).startsWith(
        "group alpha (channel alpha) -> 2.0.0, paused since 2026-11-22T03:10:00Z: 3 machines failed to update\n"),
        Views.rollout(json(paused)));
  }

  @Test
  void rolloutWithoutTargetOrMachines_saysSo() throws Exception {
    String none = "{\"group\": \"edge\", \"channel\": \"edge\", \"target_version\": null, \"machines\": 0,"
        + " \"versions\": [], \"states\": {}, \"waiting\": 0, \"policy\": {\"updates_enabled\": false}}";
    assertEquals("group edge (channel edge) -> no version, updates disabled\nmachines 0\n"
        + "granted 0  downloading 0  downloaded 0  installed 0  complete 0  failed 0  timed out 0  on hold 0  waiting 0\n",
        Views.rollout(json(none)));
  }

  @Test
  void groupLine_namesChannelStatusAndPolicy() throws Exception {
    String g = "{\"name\": \"stable\", \"channel\": \"stable\", \"channel_version\": \"3602.2.0\", \"policy\": {"
        + "\"updates_enabled\": true, \"max_updates_per_period\": 20, \"period_seconds\": 3600,"
        + " \"update_timeout_seconds\": 5400, \"rollout_percent\": 50, \"failure_brake\": 3, \"pinned_version\": null,"
        + " \"allow_downgrade\": false, \"office_hours\": {\"days\": [\"MON\", \"FRI\"], \"start\": \"09:00\","
        + " \"end\": \"17:00\", \"zone\": \"Europe/Berlin\"}}}";
    assertEquals("group stable (channel stable -> 3602.2.0): updates enabled, at most 20 per 1h, rollout 50%,"
        + " timeout 1h30m, halt after 3 failures, office hours MON,FRI 09:00-17:00 Europe/Berlin", Views.group(json(g)));
  }

  @Test
  void instance_withAttributesCutShort_saysWhichOnes() throws Exception {
    String i = "{\"machine_id\": \"0123456789abcdef0123456789abcdef\", \"group\": \"stable\", \"version\": \"3510.2.1\","
        + " \"status\": \"complete\", \"oem\": \"qemu\", \"last_hold\": \"\", \"truncated\": [\"machinealias\", \"oem\"],"
        + " \"history\": [], \"events\": []}";
    assertTrue(Views.instance(json(i), 10).contains(
        "\n  cut      machinealias, oem (longer than the server keeps; stored cut short)\n"), Views.instance(json(i), 10));
    assertFalse(Views.instance(json(i.replace("\"truncated\": [\"machinealias\", \"oem\"],", "")), 10).contains("cut"));
  }

  @Test
  void progressBar_fillsWithTheShareDone() {
    assertEquals("[#####     ]  50%  8.0 of 16.0 MiB", Views.progress(8L << 20, 16L << 20, 10));
    assertEquals("[##########] 100%  16.0 of 16.0 MiB", Views.progress(16L << 20, 16L << 20, 10));
  }

  @Test
  void json_fromAServerThatLeftControlCharactersRaw_escapesThemInsideStrings_andStaysTheSameJson() throws Exception {
    String hostile = "{\n  \"alias\" : \"a\u001b[2Jb\u009bc\u007fd\re\u202ef \\\" \\\\\",\r\n\t\"n\" : 1\u001b\n}";

    String shown = Views.json(hostile);

    assertTrue(shown.chars().noneMatch(c -> c != '\n' && dev.cairn.omaha.ControlChars.isControl(c)), shown);
    assertEquals("{\n  \"alias\" : \"a\\u001B[2Jb\\u009Bc\\u007Fd\\u000De\\u202Ef \\\" \\\\\", \n \"n\" : 1\\u001B\n}",
        shown);
    assertEquals("a\u001b[2Jb\u009bc\u007fd\re\u202ef \" \\", json(shown.replace("1\\u001B", "1")).get("alias").asText());
  }

  @Test
  void json_withoutRawControlCharacters_isPrintedUnchanged() {
    String cairns = "[ {\n  \"alias\" : \"a\\u001Bb\\u009B \\\\ \\\"q\\\"\",\n  \"n\" : null\n} ]";
    assertEquals(cairns, Views.json(cairns));
  }

  @Test
  void textFields_areEscapedForTheTerminal() throws Exception {
    JsonNode i = json("{\"machine_id\": \"m\", \"alias\": \"x\\u001b]0;owned\\u0007\\u202e\", \"oem\": \"\\u009b31m\"}");

    String shown = Views.instance(i, 10);

    assertTrue(shown.startsWith("machine m (x\\e]0;owned\\a\\u202e)\n"), shown);
    assertTrue(shown.contains("  oem      \\x9b31m, boot id -\n"), shown);
    assertTrue(shown.chars().noneMatch(c -> c != '\n' && dev.cairn.omaha.ControlChars.isControl(c)), shown);
  }
}
