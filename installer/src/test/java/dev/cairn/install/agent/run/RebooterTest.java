package dev.cairn.install.agent.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.install.agent.host.AgentState;
import dev.cairn.install.agent.host.Host;
import dev.cairn.install.agent.lock.EtcdCluster;
import dev.cairn.install.agent.lock.EtcdLock;
import dev.cairn.install.agent.lock.Locks;
import dev.cairn.install.agent.lock.RebootLock;
import dev.cairn.install.agent.lock.SemaphoreJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reboot step (locksmithd's part) with the test driving the clock: a machine whose update is
 * waiting does not reboot outside its window, waits exactly until the window opens, and reboots
 * then; with a lock, it asks for a slot only inside the window and keeps asking while the slot is
 * taken. The clock is a {@link MovingClock}: each wait the rebooter asks for moves it instead of
 * sleeping, and the reboot command is a real script leaving a mark, so every wait is checked to
 * happen before the reboot. The lock is a real single-node etcd.
 */
class RebooterTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final String ID = "0123456789abcdef0123456789abcdef";
  private static final String OTHER = "fedcba9876543210fedcba9876543210";

  static EtcdCluster etcd;

  @RegisterExtension
  static final EtcdCluster.PrintLogsOnFailure LOGS = new EtcdCluster.PrintLogsOnFailure(() -> etcd);

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws IOException {
    etcd = EtcdCluster.start("rebooter", 1);
  }

  @AfterAll
  static void stop() {
    if (etcd != null) {
      etcd.close();
    }
  }

  /** A clock the test moves: each wait moves it on by the wait, at once. */
  static final class MovingClock extends Clock {
    private Instant now;
    final List<Duration> waits = new ArrayList<>();
    private final Path mark;

    MovingClock(ZonedDateTime start, Path mark) {
      this.now = start.toInstant();
      this.mark = mark;
    }

    @Override
    public ZoneId getZone() {
      return BERLIN;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    synchronized void sleep(Duration d) {
      assertFalse(Files.exists(mark), "the machine rebooted before a wait of " + d);
      waits.add(d);
      now = now.plus(d);
    }

    ZonedDateTime local() {
      return ZonedDateTime.ofInstant(instant(), BERLIN);
    }
  }

  private record Machine(Path root, Path mark, List<String> reboot) {}

  private Machine machine(String conf) throws IOException {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("etc/coreos"));
    Files.writeString(root.resolve("etc/machine-id"), ID + "\n");
    Files.writeString(root.resolve("etc/coreos/update.conf"), conf);
    AgentState.EMPTY.withUpdateWaiting(Optional.of("2.0.0")).save(root);
    Path mark = tmp.resolve("rebooted");
    Path script = Files.writeString(tmp.resolve("reboot.sh"), "#!/bin/sh\ndate > " + mark + "\n");
    script.toFile().setExecutable(true);
    return new Machine(root, mark, List.of(script.toString()));
  }

  private static ZonedDateTime at(String local) {
    return ZonedDateTime.of(LocalDateTime.parse(local), BERLIN);
  }

  private static Rebooter rebooter(Machine m, MovingClock clock, StringWriter log) {
    return new Rebooter(new Host(m.root(), Optional.empty()), clock, clock::sleep, choice -> Locks.open(choice, Map.of()),
        m.reboot(), Duration.ofMinutes(1), new PrintWriter(log, true));
  }

  @Test
  void outsideAWeeklyWindow_waitsUntilItOpens_thenReboots() throws Exception {
    Machine m = machine("REBOOT_STRATEGY=reboot\nLOCKSMITHD_REBOOT_WINDOW_START=Thu 04:00\n"
        + "LOCKSMITHD_REBOOT_WINDOW_LENGTH=1h\n");
    MovingClock clock = new MovingClock(at("2026-12-02T12:00"), m.mark());    // a Wednesday
    StringWriter log = new StringWriter();

    assertEquals(Rebooter.Result.REBOOTED, rebooter(m, clock, log).rebootIfWaiting());

    assertEquals(List.of(Duration.ofHours(16)), clock.waits, log::toString);
    assertEquals(at("2026-12-03T04:00"), clock.local());
    assertTrue(Files.exists(m.mark()), log::toString);
    assertTrue(log.toString().contains("outside the reboot window (Thu 04:00 for 1h): waiting 16h00m, until "
        + "2026-12-03T04:00+01:00"), log::toString);
  }

  @Test
  void insideADailyWindow_rebootsAtOnce() throws Exception {
    Machine m = machine("REBOOT_STRATEGY=reboot\nREBOOT_WINDOW_START=04:00\nREBOOT_WINDOW_LENGTH=1h\n");
    MovingClock clock = new MovingClock(at("2026-12-02T04:59"), m.mark());
    StringWriter log = new StringWriter();
    assertEquals(Rebooter.Result.REBOOTED, rebooter(m, clock, log).rebootIfWaiting());
    assertEquals(List.of(), clock.waits);
    assertTrue(Files.exists(m.mark()));
  }

  @Test
  void justAfterADailyWindow_waitsForTomorrows() throws Exception {
    Machine m = machine("REBOOT_STRATEGY=reboot\nREBOOT_WINDOW_START=04:00\nREBOOT_WINDOW_LENGTH=1h\n");
    MovingClock clock = new MovingClock(at("2026-12-02T05:01"), m.mark());
    StringWriter log = new StringWriter();
    assertEquals(Rebooter.Result.REBOOTED, rebooter(m, clock, log).rebootIfWaiting());
    assertEquals(List.of(Duration.ofHours(22).plusMinutes(59)), clock.waits, log::toString);
    assertTrue(Files.exists(m.mark()));
  }

  @Test
  void strategyOff_orNothingWaiting_doesNotReboot() throws Exception {
    Machine m = machine("REBOOT_STRATEGY=off\n");
    MovingClock clock = new MovingClock(at("2026-12-02T12:00"), m.mark());
    StringWriter log = new StringWriter();
    assertEquals(Rebooter.Result.OFF, rebooter(m, clock, log).rebootIfWaiting());
    assertTrue(log.toString().contains("REBOOT_STRATEGY=off, reboot to run it"), log::toString);

    Files.writeString(m.root().resolve("etc/coreos/update.conf"), "REBOOT_STRATEGY=reboot\n");
    AgentState.EMPTY.save(m.root());
    assertEquals(Rebooter.Result.NOTHING_WAITING, rebooter(m, clock, log).rebootIfWaiting());
    assertFalse(Files.exists(m.mark()));
    assertEquals(List.of(), clock.waits);
  }

  /**
   * etcd-lock with a window: the only slot is held by another machine, so the agent asks every
   * minute while the window is open; the window closes, and it waits for the next week's, where
   * the slot (given back in between) is taken, recorded in the agent's state, and the machine
   * reboots. Then mark-good's release gives it back.
   */
  @Test
  void etcdLock_slotTakenUntilTheWindowCloses_waitsForTheNextWindow_thenTakesItAndReboots() throws Exception {
    String endpoint = etcd.endpoint(0).toString();
    String group = "window-test";
    Machine m = machine("REBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_ENDPOINT=" + endpoint + "\nLOCKSMITHD_GROUP=" + group
        + "\nLOCKSMITHD_REBOOT_WINDOW_START=Thu 04:00\nLOCKSMITHD_REBOOT_WINDOW_LENGTH=2m\n");
    EtcdLock admin = EtcdLock.open(EtcdLock.Options.of(etcd.endpoints()).withGroup(group));
    assertEquals(new RebootLock.Outcome.Granted(false), admin.lock(OTHER));

    MovingClock clock = new MovingClock(at("2026-12-03T04:00"), m.mark());    // a Thursday, the window opening
    StringWriter log = new StringWriter();
    Rebooter r = new Rebooter(new Host(m.root(), Optional.empty()), clock, d -> {
      clock.sleep(d);
      if (clock.waits.size() == 4) {
        try {
          admin.unlock(OTHER);     // the other machine rebooted and gave its slot back, a week on
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    }, choice -> Locks.open(choice, Map.of()), m.reboot(), Duration.ofMinutes(1), new PrintWriter(log, true));

    assertEquals(Rebooter.Result.REBOOTED, r.rebootIfWaiting());

    // 04:00 refused, wait 1 min; 04:01 refused, wait 1 min; 04:02 refused (the end is in the
    // window), wait 1 min; 04:03 outside: wait until next Thursday 04:00; taken.
    assertEquals(List.of(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1),
        Duration.ofDays(7).minusMinutes(3)), clock.waits, log::toString);
    assertEquals(at("2026-12-10T04:00"), clock.local());
    assertTrue(Files.exists(m.mark()));
    assertTrue(log.toString().contains("no reboot slot from etcd " + endpoint), log::toString);
    assertTrue(admin.status().holds(ID));
    assertEquals(Optional.of(admin.describe()), AgentState.load(m.root()).rebootLock());
    String stored = etcd.etcdctl("get", EtcdLock.key(Optional.of(group)), "--print-value-only").strip();
    assertEquals(List.of(ID), SemaphoreJson.decode(stored).holders());
  }

  @Test
  void etcdLock_withNoLockConfiguredAtAll_isRefusedNamingTheSettings() throws Exception {
    Machine m = machine("REBOOT_STRATEGY=etcd-lock\n");
    MovingClock clock = new MovingClock(at("2026-12-02T12:00"), m.mark());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> rebooter(m, clock, new StringWriter()).rebootIfWaiting());
    assertTrue(e.getMessage().contains("LOCKSMITHD_ENDPOINT") && e.getMessage().contains("LOCK_SERVER")
        && e.getMessage().contains("SERVER"), e.getMessage());
    assertFalse(Files.exists(m.mark()));
  }

  @Test
  void bestEffort_withAnUnreachableLock_rebootsWithoutIt() throws Exception {
    Machine m = machine("REBOOT_STRATEGY=best-effort\nLOCKSMITHD_ENDPOINT=http://127.0.0.1:1\n");
    MovingClock clock = new MovingClock(at("2026-12-02T12:00"), m.mark());
    StringWriter log = new StringWriter();
    Rebooter r = new Rebooter(new Host(m.root(), Optional.empty()), clock, clock::sleep,
        choice -> Locks.open(choice, Map.of(), Duration.ofSeconds(1)), m.reboot(), Duration.ofMinutes(1),
        new PrintWriter(log, true));
    assertEquals(Rebooter.Result.REBOOTED, r.rebootIfWaiting());
    assertTrue(log.toString().contains("REBOOT_STRATEGY=best-effort: rebooting without it"), log::toString);
    assertEquals(Optional.empty(), AgentState.load(m.root()).rebootLock());
  }

  @Test
  void aFailedRebootCommand_givesTheSlotBack() throws Exception {
    String group = "failed-reboot";
    Machine m = machine("REBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_ENDPOINT=" + etcd.endpoint(0) + "\nLOCKSMITHD_GROUP=" + group + "\n");
    MovingClock clock = new MovingClock(at("2026-12-02T12:00"), m.mark());
    StringWriter log = new StringWriter();
    Rebooter r = new Rebooter(new Host(m.root(), Optional.empty()), clock, clock::sleep,
        choice -> Locks.open(choice, Map.of()), List.of("false"), Duration.ofMinutes(1), new PrintWriter(log, true));
    IOException e = assertThrows(IOException.class, r::rebootIfWaiting);
    assertTrue(e.getMessage().contains("false exited 1"), e.getMessage());
    EtcdLock admin = EtcdLock.open(EtcdLock.Options.of(etcd.endpoints()).withGroup(group));
    assertEquals(List.of(), admin.status().holders(), log::toString);
    assertEquals(1, admin.status().available());
    assertEquals(Optional.empty(), AgentState.load(m.root()).rebootLock());
  }

  private static Agent agent(Machine m) {
    return new Agent(new Host(m.root(), Optional.empty()), null, Optional.empty(), null, Optional.empty(),
        new PrintWriter(new StringWriter()), 1);
  }

  /** After the healthy boot: the slot recorded in the state goes back to etcd, and the record with it. */
  @Test
  void releaseRebootLock_givesTheSlotBack_andForgetsIt() throws Exception {
    String group = "release";
    Machine m = machine("REBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_ENDPOINT=" + etcd.endpoint(0) + "\nLOCKSMITHD_GROUP=" + group + "\n");
    MovingClock clock = new MovingClock(at("2026-12-02T12:00"), m.mark());
    assertEquals(Rebooter.Result.REBOOTED, rebooter(m, clock, new StringWriter()).rebootIfWaiting());
    EtcdLock admin = EtcdLock.open(EtcdLock.Options.of(etcd.endpoints()).withGroup(group));
    assertEquals(List.of(ID), admin.status().holders());

    Optional<String> given = agent(m).releaseRebootLock(choice -> Locks.open(choice, Map.of()));

    assertEquals(Optional.of(admin.describe()), given);
    assertEquals(List.of(), admin.status().holders());
    assertEquals(Optional.empty(), AgentState.load(m.root()).rebootLock());
    assertEquals(Optional.empty(), agent(m).releaseRebootLock(choice -> Locks.open(choice, Map.of())));
  }

  /** The lock out of reach after the boot: an error naming it, and the state still says the slot is held. */
  @Test
  void releaseRebootLock_withTheLockUnreachable_failsNamingIt_andKeepsTheRecord() throws Exception {
    Machine m = machine("REBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_ENDPOINT=http://127.0.0.1:1\n");
    AgentState.load(m.root()).withRebootLock(Optional.of("etcd http://127.0.0.1:1 key k"), Optional.empty()).save(m.root());
    IOException e = assertThrows(IOException.class, () -> agent(m).releaseRebootLock(
        choice -> Locks.open(choice, Map.of(), Duration.ofSeconds(1))));
    assertTrue(e.getMessage().startsWith("could not give the reboot slot back to etcd http://127.0.0.1:1"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(kept; the next mark-good or daemon run gives it back)"), e.getMessage());
    assertEquals(Optional.of("etcd http://127.0.0.1:1 key k"), AgentState.load(m.root()).rebootLock());
  }

  /**
   * The boot that took the slot has not rebooted yet (its reboot command returned, the machine is
   * going down, or a daemon runs on), so it keeps the slot; a later boot gives it back.
   */
  @Test
  void releaseRebootLock_fromTheBootThatTookTheSlot_keepsIt_aLaterBootGivesItBack() throws Exception {
    String group = "same-boot";
    Machine m = machine("REBOOT_STRATEGY=etcd-lock\nLOCKSMITHD_ENDPOINT=" + etcd.endpoint(0) + "\nLOCKSMITHD_GROUP=" + group + "\n");
    Path bootId = m.root().resolve("proc/sys/kernel/random/boot_id");
    Files.createDirectories(bootId.getParent());
    Files.writeString(bootId, "6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1\n");
    MovingClock clock = new MovingClock(at("2026-12-02T12:00"), m.mark());
    assertEquals(Rebooter.Result.REBOOTED, rebooter(m, clock, new StringWriter()).rebootIfWaiting());
    assertEquals(Optional.of("{6d1a0c5e-3b39-4f0e-a0b7-2e1ac0b4c2f1}"), AgentState.load(m.root()).rebootLockBoot());
    EtcdLock admin = EtcdLock.open(EtcdLock.Options.of(etcd.endpoints()).withGroup(group));

    assertEquals(Optional.empty(), agent(m).releaseRebootLock(choice -> Locks.open(choice, Map.of())));
    assertEquals(List.of(ID), admin.status().holders());

    Files.writeString(bootId, "0b5c3f9e-8d21-4a67-b1c0-5e4d3a2b1c0f\n");
    assertEquals(Optional.of(admin.describe()), agent(m).releaseRebootLock(choice -> Locks.open(choice, Map.of())));
    assertEquals(List.of(), admin.status().holders());
    assertEquals(Optional.empty(), AgentState.load(m.root()).rebootLockBoot());
  }
}
