package dev.cairn.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The machine key, and what the inventory keeps of a sighting: pure functions of the sighting. */
class MachineSightingTest {
  static final Instant AT = Instant.parse("2026-11-18T13:36:48Z");

  static MachineSighting sighting(Map<String, String> labels) {
    return MachineSighting.of(AT, labels, "10.0.0.17", "workers", "coreos-install", "ipxe", "profile coreos-install");
  }

  @Test
  void macInEveryWrittenForm_isOneKey_lowercaseAndColonSeparated() {
    for (String mac : List.of("52:54:00:AB:cd:0F", "52-54-00-ab-cd-0f", "5254.00ab.cd0f", "525400ABCD0F")) {
      assertEquals("52:54:00:ab:cd:0f", MachineSighting.machineKey(mac, "4c4c4544-0051-3410-8051-b2c04f4e3232",
          "10.0.0.17"), mac);
    }
  }

  @Test
  void infinibandMacOfTwentyOctets_isAMac() {
    String ib = "80:00:02:08:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0d:2a:31";
    assertEquals(ib, MachineSighting.machineKey(ib.toUpperCase(), null, "10.0.0.17"));
  }

  @Test
  void noUsableMac_fallsBackToTheUuid_lowercase() {
    for (String mac : new String[] {null, "", "52:54:00:ab:cd", "not-a-mac", "52:54:00:ab:cd:0g", "\u001b[2J"}) {
      assertEquals("uuid:4c4c4544-0051-3410-8051-b2c04f4e3232",
          MachineSighting.machineKey(mac, "4C4C4544-0051-3410-8051-B2C04F4E3232", "10.0.0.17"), String.valueOf(mac));
    }
  }

  @Test
  void unsetOrMalformedUuid_fallsBackToTheAddress() {
    for (String uuid : new String[] {null, "00000000-0000-0000-0000-000000000000",
        "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "4c4c4544-0051-3410-8051", "{4c4c4544-0051-3410-8051-b2c04f4e3232}"}) {
      assertEquals("addr:10.0.0.17", MachineSighting.machineKey(null, uuid, "10.0.0.17"), String.valueOf(uuid));
    }
    assertEquals("addr:fd00::17", MachineSighting.machineKey("", "", "fd00::17"));
  }

  @Test
  void nothingUsable_isRefused_namingWhatWasSent_escaped() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MachineSighting.machineKey("\u001b[2J", null, " "));
    assertEquals("a machine needs a MAC, a UUID or an address to be recorded; got mac '\\e[2J', uuid 'null',"
        + " address ' '", e.getMessage());
  }

  @Test
  void ofTakesTheKeyFromTheMacAndUuidLabels() {
    assertEquals("52:54:00:ab:cd:0f", sighting(Map.of("mac", "52-54-00-AB-CD-0F")).machineKey());
    assertEquals("uuid:4c4c4544-0051-3410-8051-b2c04f4e3232",
        sighting(Map.of("uuid", "4c4c4544-0051-3410-8051-b2c04f4e3232", "hostname", "node17")).machineKey());
    assertEquals("addr:10.0.0.17", sighting(Map.of("hostname", "node17")).machineKey());
    assertEquals("addr:10.0.0.17", sighting(null).machineKey());
  }

  @Test
  void keyLongerThanTheServerKeeps_isRefused_notCut() {
    // cut, it could be another machine's
    assertThrows(IllegalArgumentException.class,
        () -> new MachineSighting("k".repeat(Store.MAX_TEXT + 1), AT, Map.of(), null, null, null, "ipxe", "ok"));
    assertThrows(IllegalArgumentException.class, () -> new MachineSighting(" ", AT, Map.of(), null, null, null, null,
        null));
    assertEquals(Store.MAX_TEXT, new MachineSighting("k".repeat(Store.MAX_TEXT), AT, Map.of(), null, null, null, null,
        null).machineKey().length());
  }

  @Test
  void normalKey_findsWhatAnOperatorTypes() {
    assertEquals("52:54:00:ab:cd:0f", MachineSighting.normalKey("52-54-00-AB-CD-0F"));
    assertEquals("uuid:4c4c4544-0051-3410-8051-b2c04f4e3232",
        MachineSighting.normalKey("UUID:4C4C4544-0051-3410-8051-B2C04F4E3232"));
    assertEquals("addr:10.0.0.17", MachineSighting.normalKey("addr:10.0.0.17"));
    assertEquals("anything", MachineSighting.normalKey("anything"));
  }

  @Test
  void nullLabelsAndValues_areLeftOut() {
    Map<String, String> labels = new HashMap<>();
    labels.put("hostname", null);
    labels.put(null, "x");
    labels.put("arch", "x86_64");
    assertEquals(Map.of("arch", "x86_64"), sighting(labels).labels());
  }

  @Test
  void withinBounds_everythingIsKept_andNothingIsNamedCut() {
    MachineSighting s = sighting(Map.of("mac", "52:54:00:ab:cd:0f", "hostname", "h".repeat(Store.MAX_TEXT)));
    MachineSighting.Kept k = s.kept();
    assertEquals(s, k.sighting());
    assertEquals(List.of(), k.truncated());
  }

  @Test
  void longTexts_areCutToTheLimit_neverInsideASurrogatePair_andNamed() {
    String emoji = "\uD83D\uDE80";     // one character, two chars
    String longValue = "v".repeat(Store.MAX_TEXT - 1) + emoji + "tail";
    String longKey = "k".repeat(Store.MAX_TEXT + 10);
    MachineSighting s = new MachineSighting("52:54:00:ab:cd:0f", AT, Map.of("hostname", longValue, longKey, "x",
        "arch", "x86_64"), "a".repeat(300), "g".repeat(300), "p".repeat(257), "e".repeat(257), "o".repeat(1000));

    MachineSighting.Kept k = s.kept();

    MachineSighting kept = k.sighting();
    assertEquals("v".repeat(Store.MAX_TEXT - 1), kept.labels().get("hostname"));
    assertEquals("x", kept.labels().get("k".repeat(Store.MAX_TEXT)));
    assertEquals("x86_64", kept.labels().get("arch"));
    for (String v : List.of(kept.address(), kept.group(), kept.profile(), kept.endpoint(), kept.outcome())) {
      assertEquals(Store.MAX_TEXT, v.length());
    }
    assertEquals(List.of("address", "group", "profile", "endpoint", "outcome", "label hostname",
        "label " + "k".repeat(Store.MAX_TEXT)), k.truncated());
  }

  @Test
  void moreLabelsThanKept_keepTheWellKnownFirst_thenTheOthersByKey_andSaySo() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      labels.put(String.format("extra%02d", i), "v" + i);
    }
    labels.put("serial", "SN123");
    labels.put("mac", "52:54:00:ab:cd:0f");
    labels.put("zz-last", "z");
    labels.put("arch", "arm64");

    MachineSighting.Kept k = sighting(labels).kept();

    Map<String, String> kept = k.sighting().labels();
    assertEquals(MachineSighting.MAX_LABELS, kept.size());
    assertEquals("SN123", kept.get("serial"));
    assertEquals("arm64", kept.get("arch"));
    assertEquals("52:54:00:ab:cd:0f", kept.get("mac"));
    assertTrue(kept.containsKey("extra28") && !kept.containsKey("extra29") && !kept.containsKey("zz-last"),
        kept.toString());
    assertEquals(List.of("labels"), k.truncated());
  }

  @Test
  void merge_newerSightingsValuesWin_olderLabelsStay() {
    MachineSighting.Kept newer = sighting(Map.of("mac", "52:54:00:ab:cd:0f", "hostname", "node17-new")).kept();

    MachineSighting.Merged m = MachineSighting.merge(Map.of("hostname", "node17", "serial", "SN1"), List.of(), newer,
        true);

    assertEquals(new TreeMap<>(Map.of("mac", "52:54:00:ab:cd:0f", "hostname", "node17-new", "serial", "SN1")),
        m.labels());
    assertEquals(List.of(), m.truncated());
  }

  @Test
  void merge_olderSighting_addsOnlyLabelsNotStored_andTheStoredCutsStay() {
    MachineSighting.Kept older = new MachineSighting("52:54:00:ab:cd:0f", AT, Map.of("hostname", "old",
        "rack", "r".repeat(300)), "a".repeat(300), null, null, "ipxe", "ok").kept();

    MachineSighting.Merged m = MachineSighting.merge(Map.of("hostname", "new", "serial", "s".repeat(256)),
        List.of("outcome", "label serial"), older, false);

    assertEquals(Map.of("hostname", "new", "serial", "s".repeat(256), "rack", "r".repeat(256)), m.labels());
    // the stored fields stay, so their cut names do; the older request's address is not kept
    assertEquals(List.of("outcome", "label rack", "label serial"), m.truncated());
  }

  @Test
  void merge_beyondTheLabelLimit_keepsTheNewerLabels_andSaysSomeWereLeftOut() {
    Map<String, String> stored = new TreeMap<>();
    for (int i = 0; i < MachineSighting.MAX_LABELS; i++) {
      stored.put(String.format("old%02d", i), "o");
    }
    MachineSighting.Kept newer = sighting(Map.of("mac", "52:54:00:ab:cd:0f", "hostname", "node17")).kept();

    MachineSighting.Merged m = MachineSighting.merge(stored, List.of(), newer, true);

    assertEquals(MachineSighting.MAX_LABELS, m.labels().size());
    assertEquals("node17", m.labels().get("hostname"));
    assertEquals("52:54:00:ab:cd:0f", m.labels().get("mac"));
    assertEquals(List.of("labels"), m.truncated());
  }
}
