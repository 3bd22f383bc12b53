package dev.cairn.pxe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The endpoints against the real server over the fixture: matching, labels, misses, hostile values. */
class BootRoutesHttpTest {
  @TempDir Path dataDir;
  TestBootServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestBootServer.fixture(dataDir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String group(String query) throws Exception {
    HttpResponse<String> r = server.get("/ipxe?" + query);
    assertEquals(200, r.statusCode(), r.body());
    String second = r.body().lines().skip(1).findFirst().orElse("");
    return second.startsWith("# Cairn: group ") ? second.substring(15, second.indexOf(',')) : r.body();
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"52:54:00:ab:cd:ef", "52:54:00:AB:CD:EF", "52-54-00-ab-cd-ef", "52-54-00-AB-CD-EF",
      "525400abcdef", "525400ABCDEF", "5254.00ab.cdef", "5254.00AB.CDEF", " 52:54:00:ab:cd:ef "})
  void macInAnyCommonForm_matchesTheGroupThatSelectsIt(String mac) throws Exception {
    assertEquals("node-mac", group("mac=" + q(mac)));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"52:54:00:ab:cd", "52:54:00:ab:cd:ef:01", "52:54-00:ab:cd:ef", "52:54:00:ab:cd:eg",
      "525400abcde", "525400abcdef0", "52.54.00.ab.cd.ef", "5254:00ab:cdef", "52::54:00:ab:cd:ef", "x"})
  void unparseableMac_is400WithTheReason_notIgnored(String mac) throws Exception {
    for (String endpoint : List.of("/ipxe", "/grub", "/cloud-config", "/metadata")) {
      HttpResponse<String> r = server.get(endpoint + "?mac=" + q(mac));
      assertEquals(400, r.statusCode(), endpoint + " " + r.body());
      assertTrue(r.body().startsWith("MAC address \"" + mac + "\": expected six hex octets"), r.body());
    }
  }

  @Test
  void uuid_isMatchedWhateverItsCase() throws Exception {
    Files.writeString(dataDir.resolve("boot/groups/by-uuid.yaml"),
        "id: by-uuid\nprofile: remote-http\nselector:\n  uuid: 4C4C4544-0042-3010-8048-B5C04F4E5931\n");
    TestBootServer s = TestBootServer.start(dataDir);
    try {
      for (String uuid : List.of("4c4c4544-0042-3010-8048-b5c04f4e5931", "4C4C4544-0042-3010-8048-B5C04F4E5931")) {
        HttpResponse<String> r = s.get("/ipxe?uuid=" + uuid);
        assertTrue(r.body().contains("# Cairn: group by-uuid,"), r.body());
      }
    } finally {
      s.close();
    }
  }

  @Test
  void mostSelectorsWin_andAPartialMatchIsNoMatch() throws Exception {
    assertEquals("arm-rack7", group("arch=arm64&rack=r7&mac=52:54:00:00:00:09"));
    assertEquals("default", group("arch=arm64&rack=r8"));
    assertEquals("default", group("arch=arm64"));
    // node-mac (1 selector) and arm-rack7 (2) both match: the one with more wins
    assertEquals("arm-rack7", group("arch=arm64&rack=r7&mac=52:54:00:ab:cd:ef"));
  }

  @Test
  void equallySpecificGroups_theIdThatSortsFirstWins() throws Exception {
    Files.writeString(dataDir.resolve("boot/groups/a-by-serial.yaml"),
        "id: a-by-serial\nprofile: remote-http\nselector:\n  serial: SN1\n");
    TestBootServer s = TestBootServer.start(dataDir);
    try {
      HttpResponse<String> r = s.get("/ipxe?mac=52:54:00:ab:cd:ef&serial=SN1");
      assertTrue(r.body().contains("# Cairn: group a-by-serial,"), r.body());
    } finally {
      s.close();
    }
  }

  @Test
  void emptyLabels_countAsAbsent() throws Exception {
    assertEquals("default", group("mac=&uuid=&hostname=&serial=&arch="));
  }

  @Test
  void noGroupAndNoDefault_ipxeSaysWhyAndAsksAgain_othersAre404WithTheReason() throws Exception {
    Files.delete(dataDir.resolve("boot/groups/default.yaml"));
    TestBootServer s = TestBootServer.start(dataDir);
    try {
      HttpResponse<String> ipxe = s.get("/ipxe?mac=52-54-00-00-00-07&hostname=h%241&arch=x86_64");
      assertEquals(200, ipxe.statusCode());
      assertEquals("""
          #!ipxe
          echo Cairn: nothing to boot for this machine
          echo Cairn: labels arch=x86_64 hostname=h%241 mac=52:54:00:00:00:07
          echo Cairn: no group matches these labels, and there is no default group
          echo Cairn: asking again in 10 s
          sleep 10
          chain --replace --autofree http://boot.example.com:8080/boot.ipxe
          """, ipxe.body());
      for (String endpoint : List.of("/grub", "/cloud-config", "/metadata")) {
        HttpResponse<String> r = s.get(endpoint + "?mac=52-54-00-00-00-07");
        assertEquals(404, r.statusCode(), endpoint);
        assertEquals("no group matches mac=52:54:00:00:00:07, and there is no default group\n", r.body(), endpoint);
      }
    } finally {
      s.close();
    }
  }

  @Test
  void badLabels_are400() throws Exception {
    Map<String, String> cases = Map.of(
        "/ipxe?mac=52:54:00:00:00:01&mac=52:54:00:00:00:02", "label mac is given 2 times\n",
        "/ipxe?hostname=a%0Ab", "label hostname: a control character (U+000A) in the value\n",
        "/cloud-config?hostname=a%E2%80%A8b", "label hostname: a control character (U+2028) in the value\n",
        "/cloud-config?hostname=a%C2%85b", "label hostname: a control character (U+0085) in the value\n",
        "/metadata?rack-row=1", "label name \"rack-row\": expected lower-case letters, digits and _, starting with a letter"
            + " or _ (at most 64)\n",
        "/grub?hostname=" + "h".repeat(257), "label hostname: longer than 256 characters\n");
    for (Map.Entry<String, String> c : cases.entrySet()) {
      HttpResponse<String> r = server.get(c.getKey());
      assertEquals(400, r.statusCode(), c.getKey());
      assertEquals(c.getValue(), r.body(), c.getKey());
    }
    StringBuilder many = new StringBuilder("/ipxe?");
    for (int i = 0; i < 33; i++) {
      many.append("l").append(i).append("=x&");
    }
    assertEquals("at most 32 labels, got 33\n", server.get(many.toString()).body());
  }

  @Test
  void otherMethods_are405() throws Exception {
    HttpResponse<byte[]> r = server.send(server.request("/ipxe").POST(HttpRequest.BodyPublishers.ofString("x")));
    assertEquals(405, r.statusCode());
    assertEquals("GET, HEAD", r.headers().firstValue("allow").orElse(""));
  }

  @Test
  void head_ofAScript_hasItsLengthAndNoBody() throws Exception {
    HttpResponse<byte[]> get = server.send(server.request("/boot.ipxe"));
    HttpResponse<byte[]> head = server.send(server.request("/boot.ipxe").method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, head.statusCode());
    assertEquals(0, head.body().length);
    assertEquals(String.valueOf(get.body().length), head.headers().firstValue("content-length").orElse(""));
  }

  /** Hostile label values go into the template as one YAML value each: the config parses to exactly them. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"x: y", "x # y", "\"quoted\"", "'single'", "- item", "---", "{a: b}", "[1, 2]", "&a", "*a",
      "!!binary AAAA", "|", ">", "%YAML", "@x", "`x", "\\", "?", ":", "- ", "\u00a0", "😀", "${uuid}", "yes"})
  void hostileHostname_isOneValueOfTheConfig(String hostname) throws Exception {
    HttpResponse<String> r = server.get("/cloud-config?mac=52:54:00:00:00:05&hostname=" + q(hostname));
    assertEquals(200, r.statusCode(), r.body());
    Map<?, ?> config = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(r.body());
    assertEquals(List.of("hostname", "ssh_authorized_keys", "coreos", "write_files"), List.copyOf(config.keySet()));
    assertEquals(hostname, config.get("hostname"));
    assertFalse(r.body().contains("\u0085") || r.body().contains("\u2029"), r.body());
  }

  @Test
  void hostileMetadata_isOneValueOfTheConfig_andOneLineOfMetadata() throws Exception {
    Files.writeString(dataDir.resolve("boot/groups/hostile.yaml"), """
        id: hostile
        profile: flatcar
        selector:
          mac: 52:54:00:66:66:66
        metadata:
          role: "worker\\nmanage_etc_hosts: localhost"
          note: "a\\x85b\\u2028c"
          ssh_key: "k\\n  - ssh-rsa EVIL"
          rack:
            row: "1\\"\\n#"
            name: "r\\\\1\\tx"
        """);
    TestBootServer s = TestBootServer.start(dataDir);
    try {
      assertEquals(java.util.Optional.empty(), s.files.problem());
      HttpResponse<String> r = s.get("/cloud-config?mac=52:54:00:66:66:66");
      assertEquals(200, r.statusCode(), r.body());
      Map<?, ?> config = (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(r.body());
      assertEquals(List.of("k\n  - ssh-rsa EVIL"), config.get("ssh_authorized_keys"));
      assertFalse(config.containsKey("manage_etc_hosts"));
      Map<?, ?> file = (Map<?, ?>) ((List<?>) config.get("write_files")).get(0);
      assertEquals("MAC=52:54:00:66:66:66\nUUID=\nROLE=worker\nmanage_etc_hosts: localhost\nRACK=r\\1\tx\n"
          + "BOOT_SERVER=http://boot.example.com:8080\n", file.get("content"));
      HttpResponse<String> m = s.get("/metadata?mac=52:54:00:66:66:66");
      assertEquals("MAC=52:54:00:66:66:66\nNOTE=a\\x85b\\u2028c\nRACK_NAME=r\\\\1\\tx\nRACK_ROW=1\"\\n#\nROLE=worker\\nmanage_etc_hosts: localhost\n"
          + "SERVER=http://boot.example.com:8080\nSSH_KEY=k\\n  - ssh-rsa EVIL\n", m.body());
    } finally {
      s.close();
    }
  }

  /** A label value that makes the config fail the validator: 500 with the report, never the config; one log line. */
  @Test
  void renderTheValidatorRejects_is500WithTheReport_andOneLogLine() throws Exception {
    Files.writeString(dataDir.resolve("boot/templates/files.yaml"),
        "#cloud-config\nwrite_files:\n  - path: /etc/hosts.d/${hostname}\n    content: x\n");
    Files.writeString(dataDir.resolve("boot/profiles/files.yaml"),
        "id: files\nboot:\n  kernel: flatcar/vmlinuz\ncloud_config: files\n");
    Files.writeString(dataDir.resolve("boot/groups/files.yaml"),
        "id: files\nprofile: files\nselector:\n  rack: files\n");
    List<LogRecord> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    Logger log = Logger.getLogger(BootRoutes.class.getName());
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    log.addHandler(h);
    TestBootServer s = TestBootServer.start(dataDir);
    try {
      assertEquals(java.util.Optional.empty(), s.files.problem());
      assertEquals(200, s.get("/cloud-config?rack=files&hostname=web-1").statusCode());
      HttpResponse<String> r = s.get("/cloud-config?rack=files&hostname=..%2F..%2Fusr%2Fbin%2Fx");
      assertEquals(500, r.statusCode());
      String reason = "the cloud-config of group files (template boot/templates/files.yaml, for "
          + "hostname=../../usr/bin/x rack=files) does not render: 1 error, first at line 3: file cannot be"
          + " written to a read-only filesystem (/usr is read-only on CoreOS)";
      assertEquals(reason + "\n\nboot/templates/files.yaml:3:11: error: file cannot be written to a read-only filesystem"
          + " (/usr is read-only on CoreOS)\n    - path: /etc/hosts.d/../../usr/bin/x\n            ^\n", r.body());
      assertEquals(1, logged.size());
      assertEquals(reason, logged.get(0).getMessage());
    } finally {
      log.removeHandler(h);
      s.close();
    }
  }

  @Test
  void scriptTemplate_refusesAValueThatIsNotAWord() throws Exception {
    Files.writeString(dataDir.resolve("boot/templates/script.yaml"), "#!/bin/sh\nhostname ${hostname}\n");
    Files.writeString(dataDir.resolve("boot/profiles/script.yaml"),
        "id: script\nboot:\n  kernel: flatcar/vmlinuz\ncloud_config: script\n");
    Files.writeString(dataDir.resolve("boot/groups/script.yaml"), "id: script\nprofile: script\nselector:\n  rack: s\n");
    TestBootServer s = TestBootServer.start(dataDir);
    try {
      assertEquals("#!/bin/sh\nhostname web-1\n", s.get("/cloud-config?rack=s&hostname=web-1").body());
      HttpResponse<String> r = s.get("/cloud-config?rack=s&hostname=" + q("x;reboot"));
      assertEquals(500, r.statusCode());
      assertTrue(r.body().contains("boot/templates/script.yaml:2:10: error: the value of ${hostname} cannot go into a #!"
          + " script"), r.body());
      assertFalse(r.body().contains("hostname x;reboot"), r.body());
    } finally {
      s.close();
    }
  }

  @Test
  void metrics_countRequestsByEndpointAndStatus_andSayTheDataIsOk() throws Exception {
    server.get("/ipxe?mac=52:54:00:00:00:01");
    server.get("/ipxe?mac=bad");
    server.get("/assets/flatcar/vmlinuz");
    String text = scrape(server);
    assertTrue(text.contains("cairn_boot_data_ok 1.0\n"), text);
    assertTrue(text.contains("cairn_boot_data_reloads_total{result=\"ok\"} 1.0\n"), text);
    assertTrue(text.contains("cairn_boot_data_reloads_total{result=\"findings\"} 0.0\n"), text);
    assertTrue(text.contains("cairn_boot_requests_total{endpoint=\"/ipxe\",status=\"200\"} 1.0\n"), text);
    assertTrue(text.contains("cairn_boot_requests_total{endpoint=\"/ipxe\",status=\"400\"} 1.0\n"), text);
    assertTrue(text.contains("cairn_boot_requests_total{endpoint=\"/assets/\",status=\"200\"} 1.0\n"), text);
  }

  /**
   * {@code /installed} takes POST only; without an install-once profile it records nothing (409),
   * for no group 404 with the reason; with one on a server that keeps no inventory, 503. Each is
   * counted under its endpoint.
   */
  @Test
  void installed_postOnly_409ForAProfileThatIsNotInstallOnce_404ForNoGroup_503WithoutAnInventory()
      throws Exception {
    HttpResponse<String> get = server.get("/installed?mac=52-54-00-0e-0e-01");
    assertEquals(405, get.statusCode(), get.body());
    assertEquals("POST", get.headers().firstValue("allow").orElse(""));
    HttpResponse<String> post = server.http.send(server.request("/ipxe?mac=52-54-00-0e-0e-01")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode(), "the other endpoints still refuse POST");
    assertEquals("GET, HEAD", post.headers().firstValue("allow").orElse(""));

    HttpResponse<String> every = postInstalled("mac=52:54:00:ab:cd:ef");
    assertEquals(409, every.statusCode(), every.body());
    assertEquals("profile flatcar of group node-mac is not install_once: nothing recorded, its machines install on"
        + " every network boot\n", every.body());
    HttpResponse<String> once = postInstalled("mac=52-54-00-0e-0e-01");
    assertEquals(503, once.statusCode(), once.body());
    assertTrue(once.body().startsWith("not recorded: this server keeps no machine inventory"), once.body());

    Files.delete(dataDir.resolve("boot/groups/default.yaml"));
    TestBootServer s = TestBootServer.start(dataDir);
    try {
      HttpResponse<String> none = s.http.send(s.request("/installed?mac=52-54-00-00-00-07")
          .POST(HttpRequest.BodyPublishers.ofString("body ignored")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, none.statusCode(), none.body());
      assertEquals("no group matches mac=52:54:00:00:00:07, and there is no default group\n", none.body());
    } finally {
      s.close();
    }
    String text = scrape(server);
    assertTrue(text.contains("cairn_boot_requests_total{endpoint=\"/installed\",status=\"405\"} 1.0\n"), text);
    assertTrue(text.contains("cairn_boot_requests_total{endpoint=\"/installed\",status=\"409\"} 1.0\n"), text);
    assertTrue(text.contains("cairn_boot_requests_total{endpoint=\"/installed\",status=\"503\"} 1.0\n"), text);
  }

  private HttpResponse<String> postInstalled(String query) throws Exception {
    return server.http.send(server.request("/installed?" + query).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String scrape(TestBootServer s) throws java.io.IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, s.registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
