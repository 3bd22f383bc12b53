package dev.cairn.pxe.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.pxe.BootData;
import dev.cairn.pxe.Labels;
import dev.cairn.pxe.Match;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BootFiles}: the example on first start, and the watcher: a good change is served within
 * two seconds; a bad one is held back whole, said once in the log and by {@link BootFiles#problem},
 * and the set served before stays.
 */
class BootFilesTest {
  /** The bound on how long a change may take to be served. */
  static final long SERVED_WITHIN_MILLIS = 2_000;

  @TempDir Path dataDir;
  final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  final Logger log = Logger.getLogger(BootFiles.class.getName());
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logged.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void captureLog() {
    log.addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    log.removeHandler(capture);
  }

  /** Waits for {@code condition} at most {@code millis}; whether it came true. */
  static boolean within(long millis, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000;
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(20);
    }
    return condition.getAsBoolean();
  }

  private static String role(BootFiles f) {
    Match m = f.current().match(Labels.of(Map.of("mac", "52:54:00:00:00:01")));
    return m.group() == null ? null : m.group().metadata().get("role");
  }

  private List<String> warnings() {
    return logged.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
  }

  @Test
  void firstStart_writesTheExample_ownerOnly_eachFileOpeningWithAComment_andServesIt() throws Exception {
    try (BootFiles f = BootFiles.open(dataDir.resolve("data"))) {
      Path boot = dataDir.resolve("data/boot");
      assertEquals(Optional.empty(), f.problem());
      assertEquals("1 profile, 1 group, 1 template", f.current().summary());
      List<Path> all;
      try (Stream<Path> s = Files.walk(dataDir.resolve("data"))) {
        all = s.toList();
      }
      for (Path p : all) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, p.toString());
      }
      assertEquals(List.of("assets", "groups", "profiles", "templates"),
          Files.list(boot).map(p -> p.getFileName().toString()).sorted().toList());
      for (String file : List.of("profiles/example.yaml", "groups/default.yaml", "templates/example.yaml")) {
        List<String> lines = Files.readAllLines(boot.resolve(file));
        int first = file.startsWith("templates/") ? 1 : 0;    // a template's first line is #cloud-config
        assertTrue(lines.get(first).startsWith("# ") && lines.get(first + 1).startsWith("# "), file);
      }
      Match m = f.current().match(Labels.of(Map.of("mac", "52:54:00:12:34:56")));
      assertEquals("default", m.group().id());
      assertEquals("example", m.profile().id());
      assertEquals("stable", m.group().update().group());
    }
  }

  @Test
  void existingBootData_isNeverOverwritten() throws Exception {
    Files.createDirectories(dataDir.resolve("boot/groups"));
    Files.writeString(dataDir.resolve("boot/groups/mine.yaml"), "id: mine\n");
    try (BootFiles f = BootFiles.open(dataDir)) {
      assertEquals("0 profiles, 1 group, 0 templates", f.current().summary());
      assertFalse(Files.exists(dataDir.resolve("boot/profiles")));
    }
  }

  @Test
  void goodChange_isServedWithinTwoSeconds() throws Exception {
    try (BootFiles f = BootFiles.open(dataDir)) {
      Path group = dataDir.resolve("boot/groups/default.yaml");
      assertEquals(null, role(f));
      Files.writeString(group, Files.readString(group).replace("metadata:\n", "metadata:\n  role: worker\n"));
      assertTrue(within(SERVED_WITHIN_MILLIS, () -> "worker".equals(role(f))), "not served within 2 s");
      assertEquals(Optional.empty(), f.problem());
      assertEquals(2, f.reloads(BootFiles.Result.OK));
      assertEquals(List.of(), warnings());
    }
  }

  @Test
  void badChange_keepsTheOldSetWhole_saysSoOnce_andAFixIsServed() throws Exception {
    try (BootFiles f = BootFiles.open(dataDir)) {
      BootData before = f.current();
      Path group = dataDir.resolve("boot/groups/default.yaml");
      String good = Files.readString(group);
      // two changes at once: a good new profile and a group with a typo; neither may be served
      Files.writeString(dataDir.resolve("boot/profiles/second.yaml"),
          "id: second\nboot:\n  kernel: https://example.com/vmlinuz\n");
      Files.writeString(group, good.replace("profile: example", "profile: example\nprofle: second"));
      assertTrue(within(SERVED_WITHIN_MILLIS, () -> f.problem().isPresent()), "the findings were not noticed");
      assertTrue(f.problem().get().matches("boot data in " + dataDir.resolve("boot")
          + " has 1 finding since \\d\\d:\\d\\d:\\d\\d UTC; serving the set loaded at \\d\\d:\\d\\d:\\d\\d UTC"),
          f.problem().get());
      assertTrue(before == f.current(), "the set served changed");
      assertEquals(1, f.reloads(BootFiles.Result.FINDINGS));
      assertFalse(f.ok());
      Thread.sleep(BootFiles.BACKSTOP_MILLIS + 2 * BootFiles.QUIET_MILLIS);    // a backstop passes: not read, not logged again
      assertEquals(1, f.reloads(BootFiles.Result.FINDINGS));
      List<String> w = warnings();
      assertEquals(1, w.size(), w::toString);
      assertTrue(w.get(0).matches("boot data in .*/boot has 1 finding; still serving the set loaded at "
          + "\\d\\d:\\d\\d:\\d\\d UTC: boot/groups/default.yaml:\\d+: unknown key profle \\(expected id, name, profile,"
          + " selector, metadata, update\\)"), w.get(0));

      Files.writeString(group, good);
      assertTrue(within(SERVED_WITHIN_MILLIS, () -> f.problem().isEmpty()), "the fix was not served within 2 s");
      assertTrue(f.ok());
      assertEquals("2 profiles, 1 group, 1 template", f.current().summary());
    }
  }

  @Test
  void findingsAtStart_serveNothing_andSaySo() throws Exception {
    Files.createDirectories(dataDir.resolve("boot/groups"));
    Files.writeString(dataDir.resolve("boot/groups/a.yaml"), "id: a\nprofile: missing\n");
    try (BootFiles f = BootFiles.open(dataDir)) {
      assertEquals(Optional.of("boot data in " + dataDir.resolve("boot") + " has 1 finding since "
          + f.problem().get().replaceAll(".* since (\\d\\d:\\d\\d:\\d\\d UTC).*", "$1")
          + "; serving no boot data (none has loaded without findings yet)"), f.problem());
      assertEquals(Match.Kind.NO_GROUP, f.current().match(Labels.NONE).kind());
    }
  }

  @Test
  void removedFolder_isAnError_theOldSetStays_andItsReturnIsServed() throws Exception {
    try (BootFiles f = BootFiles.open(dataDir)) {
      BootData before = f.current();
      Path boot = dataDir.resolve("boot");
      Path moved = dataDir.resolve("boot.moved");
      Files.move(boot, moved);
      assertTrue(within(SERVED_WITHIN_MILLIS, () -> f.problem().isPresent()));
      assertTrue(f.problem().get().matches("boot data in .*/boot cannot be read since \\d\\d:\\d\\d:\\d\\d UTC "
          + "\\(no such directory\\); serving the set loaded at \\d\\d:\\d\\d:\\d\\d UTC"), f.problem().get());
      assertTrue(before == f.current());
      assertEquals(1, f.reloads(BootFiles.Result.ERROR));
      Files.move(moved, boot);
      assertTrue(within(SERVED_WITHIN_MILLIS, () -> f.problem().isEmpty()));
    }
  }

  /** 10,000 group files, each with its own metadata, all rendering one template: they load clean and match. */
  @Test
  void tenThousandGroupFiles_loadWithoutFindings_andEachMachineGetsItsGroup() throws Exception {
    Path boot = dataDir.resolve("boot");
    Files.createDirectories(boot.resolve("groups"));
    Files.createDirectories(boot.resolve("profiles"));
    Files.createDirectories(boot.resolve("templates"));
    Files.writeString(boot.resolve("profiles/p.yaml"), "id: p\nboot:\n  kernel: https://example.com/vmlinuz\n"
        + "cloud_config: t\n");
    Files.writeString(boot.resolve("templates/t.yaml"), "#cloud-config\nhostname: ${name}\ncoreos:\n  etcd2:\n"
        + "    advertise-client-urls: http://${net.ip}:2379\n");
    for (int i = 0; i < 10_000; i++) {
      Files.writeString(boot.resolve(String.format("groups/g%05d.yaml", i)), String.format(
          "id: g%05d\nprofile: p\nselector:\n  mac: 52:54:00:00:%02x:%02x\nmetadata:\n  name: node-%d\n"
              + "  net:\n    ip: 10.0.%d.%d\nupdate:\n  group: stable\n", i, i >> 8, i & 0xff, i, i >> 8, i & 0xff));
    }
    try (BootFiles f = BootFiles.open(dataDir)) {
      assertEquals(Optional.empty(), f.problem());
      assertEquals("1 profile, 10000 groups, 1 template", f.current().summary());
      for (int i = 0; i < 10_000; i += 97) {
        Match m = f.current().match(Labels.of(Map.of("mac", String.format("52-54-00-00-%02X-%02X", i >> 8, i & 0xff))));
        assertEquals(String.format("g%05d", i), m.group().id());
        assertEquals("10.0." + (i >> 8) + "." + (i & 0xff), m.group().metadata().get("net.ip"));
      }
    }
  }
}
