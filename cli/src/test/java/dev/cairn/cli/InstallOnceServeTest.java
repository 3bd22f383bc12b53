package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Install-once network boots through a real {@code cairn serve} and its SQLite file: the profile's
 * kernel line names {@code /installed}; {@code POST /installed} marks the machine, its next
 * {@code /ipxe} boots its disk, across a restart, until {@code cairn admin machine reinstall}; the
 * refusals (a profile that is not install-once, an unknown machine, GET); and a marked machine moved
 * to a group whose profile is not install-once boots that profile.
 */
class InstallOnceServeTest {
  static final String ONCE = "52-54-00-0e-0e-01";
  static final String EVERY = "52-54-00-0e-0e-02";
  static final String LOCAL_BOOT_TAIL = """
      echo Cairn: installed, booting from the local disk
      iseq ${platform} efi && exit ||
      sanboot --no-describe --drive 0x80 || exit
      """;

  @TempDir Path dir;

  /** Two profiles (install-once and not) by URL, so no assets are needed, and a group of one MAC for each. */
  void writeBootData() throws Exception {
    Path boot = dir.resolve("cairn-data/boot");
    Files.createDirectories(boot.resolve("profiles"));
    Files.createDirectories(boot.resolve("groups"));
    Files.createDirectories(boot.resolve("templates"));
    Files.createDirectories(boot.resolve("assets"));
    Files.writeString(boot.resolve("profiles/once.yaml"), """
        id: once
        install_once: true
        boot:
          kernel: http://mirror.example.com/vmlinuz
          args: [console=ttyS0]
        """);
    Files.writeString(boot.resolve("profiles/every.yaml"), """
        id: every
        boot:
          kernel: http://mirror.example.com/vmlinuz
          args: [console=ttyS0]
        """);
    writeGroup("once", "once", ONCE);
    writeGroup("every", "every", EVERY);
  }

  void writeGroup(String id, String profile, String mac) throws Exception {
    Files.writeString(dir.resolve("cairn-data/boot/groups/" + id + ".yaml"),
        "id: " + id + "\nprofile: " + profile + "\nselector:\n  mac: " + mac + "\n");
  }

  static CliHarness.Result admin(ServeProcess s, String... args) {
    List<String> all = new ArrayList<>(List.of("admin"));
    all.addAll(List.of(args));
    all.addAll(List.of("--server", s.url, "--token-file", s.tokenFile().toString()));
    return CliHarness.cairn(all.toArray(String[]::new));
  }

  static HttpResponse<String> post(ServeProcess s, String path) throws Exception {
    return s.send("POST", path, "ignored".getBytes(), null);
  }

  static String ipxe(ServeProcess s, String mac) throws Exception {
    HttpResponse<String> r = s.send("GET", "/ipxe?mac=" + mac + "&uuid=4C4C4544-0000-1000-8000-000000000001", null,
        null);
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  static void assertLocalBoot(String script) {
    List<String> lines = script.lines().toList();
    assertEquals("#!ipxe", lines.get(0), script);
    assertTrue(lines.get(1).matches("# Cairn: 52:54:00:0e:0e:01 was installed at 20\\d\\d-\\d\\d-\\d\\dT[0-9:.]+Z"
        + " \\(profile once\\); booting from its disk"), script);
    assertEquals(LOCAL_BOOT_TAIL, script.substring(script.indexOf('\n', script.indexOf('\n') + 1) + 1), script);
  }

  @Test
  void installed_bootsTheDisk_acrossARestart_untilReinstall() throws Exception {
    writeBootData();
    ServeProcess s = ServeProcess.start(dir);
    String profile;
    String firstUrl = s.url;
    try {
      profile = ipxe(s, ONCE);
      assertTrue(profile.contains("kernel http://mirror.example.com/vmlinuz console=ttyS0 cairn.installed=" + s.url
          + "/installed?mac=${mac:hexhyp}\n"), profile);

      HttpResponse<String> get = s.send("GET", "/installed?mac=" + ONCE, null, null);
      assertEquals(405, get.statusCode(), get.body());
      assertEquals("POST", get.headers().firstValue("allow").orElse(""));

      HttpResponse<String> unknown = post(s, "/installed?mac=52-54-00-0e-0e-09");
      assertEquals(404, unknown.statusCode(), unknown.body());
      assertEquals("no group matches mac=52:54:00:0e:0e:09, and there is no default group\n", unknown.body());

      HttpResponse<String> ok = post(s, "/installed?mac=" + ONCE);
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals("installed: 52:54:00:0e:0e:01 (profile once); its next network boot goes to its disk\n", ok.body());
      assertLocalBoot(ipxe(s, ONCE));
      HttpResponse<String> grub = s.send("GET", "/grub?mac=52:54:00:0e:0e:01", null, null);
      assertTrue(grub.body().endsWith("\nexit\n"), grub.body());

      HttpResponse<String> activity = s.admin("GET", "/api/v1/activity", null);
      assertTrue(activity.body().contains("machine 52:54:00:0e:0e:01 installed (profile once)"), activity.body());
      HttpResponse<String> metrics = s.send("GET", "/metrics", null, s.token());
      assertTrue(metrics.body().contains("cairn_boot_requests_total{endpoint=\"/installed\",status=\"200\"} 1.0"),
          metrics.body());
    } finally {
      s.close();
    }

    s = ServeProcess.start(dir);    // the same data directory and database
    try {
      assertLocalBoot(ipxe(s, ONCE));
      CliHarness.Result list = admin(s, "machine", "list").ok();
      assertTrue(list.out().lines().anyMatch(l -> l.startsWith("52:54:00:0e:0e:01") && l.matches(".*\\b20\\d\\d-.*Z$")),
          list.out());
      assertTrue(list.out().startsWith("KEY") && list.out().lines().findFirst().orElse("").endsWith("INSTALLED"),
          list.out());
      CliHarness.Result show = admin(s, "machine", "show", ONCE).ok();
      assertTrue(show.out().matches("(?s).*\n  installed    20\\d\\d-[^ ]+Z \\(profile once; .*"), show.out());

      CliHarness.Result reinstall = admin(s, "machine", "reinstall", ONCE).ok();
      assertTrue(reinstall.out().matches("52:54:00:0e:0e:01: install mark of 20\\d\\d-[^ ]+Z \\(profile once\\) cleared;"
          + " its next network boot installs again\n"), reinstall.out());
      assertEquals(profile.replace(firstUrl, s.url), ipxe(s, ONCE));    // the profile again (on this server's port)
      assertTrue(admin(s, "machine", "show", ONCE).ok().out().contains("\n  installed    -\n"));

      CliHarness.Result missing = admin(s, "machine", "reinstall", "52:54:00:0e:0e:77");
      assertNotEquals(0, missing.code(), missing.describe("an unknown machine"));
      assertTrue(missing.err().contains("no machine '52:54:00:0e:0e:77' in the inventory"), missing.err());
    } finally {
      s.close();
    }
  }

  @Test
  void profileThatIsNotInstallOnce_is409_andItsMachineStillInstalls() throws Exception {
    writeBootData();
    try (ServeProcess s = ServeProcess.start(dir)) {
      String before = ipxe(s, EVERY);
      assertTrue(!before.contains("cairn.installed="), before);
      HttpResponse<String> r = post(s, "/installed?mac=" + EVERY);
      assertEquals(409, r.statusCode(), r.body());
      assertEquals("profile every of group every is not install_once: nothing recorded, its machines install on"
          + " every network boot\n", r.body());
      assertEquals(before, ipxe(s, EVERY));
    }
  }

  @Test
  void installedMachineMovedToAGroupWhoseProfileIsNotInstallOnce_bootsThatProfile() throws Exception {
    writeBootData();
    try (ServeProcess s = ServeProcess.start(dir)) {
      assertEquals(200, post(s, "/installed?mac=" + ONCE).statusCode());
      assertLocalBoot(ipxe(s, ONCE));
    }
    writeGroup("once", "every", ONCE);
    try (ServeProcess s = ServeProcess.start(dir)) {
      String script = ipxe(s, ONCE);
      assertTrue(script.startsWith("#!ipxe\n# Cairn: group once, profile every\nkernel "), script);
    }
  }
}
