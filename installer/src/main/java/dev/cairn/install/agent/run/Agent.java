package dev.cairn.install.agent.run;

import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.GptStore;
import dev.cairn.gpt.Partition;
import dev.cairn.gpt.PartitionTable;
import dev.cairn.install.TargetFacts;
import dev.cairn.install.agent.AgentEvent;
import dev.cairn.install.agent.AgentRequest;
import dev.cairn.install.agent.CheckResult;
import dev.cairn.install.agent.ErrorCode;
import dev.cairn.install.agent.ReleaseInfo;
import dev.cairn.install.agent.Slots;
import dev.cairn.install.agent.UpdateConf;
import dev.cairn.install.agent.UpdateOffer;
import dev.cairn.install.agent.UsrSelector;
import dev.cairn.install.agent.host.AgentLock;
import dev.cairn.install.agent.host.AgentState;
import dev.cairn.install.agent.host.Host;
import dev.cairn.install.agent.omaha.OmahaClient;
import dev.cairn.install.disk.Inspect;
import dev.cairn.install.disk.TargetDisk;
import dev.cairn.install.net.Http;
import dev.cairn.signing.ReleaseKeys;
import dev.cairn.signing.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The machine's half of the update loop, as update_engine, Flatcar's postinstall and set-good-root
 * do it together: check, take a signed payload into the other USR slot, flag it to be tried once,
 * report each step, and mark a healthy boot good. Nothing about the disk changes until the payload
 * is downloaded and proven; the other slot is made unbootable before a byte of it is written.
 */
public final class Agent {
  private final Host host;
  private final ReleaseKeys keys;
  private final Optional<Path> keyring;
  private final Http http;
  private final Optional<String> serverOverride;
  private final PrintWriter out;
  private final int threads;

  public Agent(Host host, ReleaseKeys keys, Optional<Path> keyring, Http http, Optional<String> serverOverride,
      PrintWriter out, int threads) {
    this.host = host;
    this.keys = keys;
    this.keyring = keyring;
    this.http = http;
    this.serverOverride = serverOverride;
    this.out = out;
    this.threads = threads;
  }

  /** A failed step: update_engine's code for it, and one line. */
  public static final class Failed extends IOException {
    public final ErrorCode code;
    /** Whether the server heard of it; if not, it is kept and sent before the next check. */
    public final boolean reported;

    public Failed(ErrorCode code, String message, Throwable cause) {
      this(code, message, cause, false);
    }

    Failed(ErrorCode code, String message, Throwable cause, boolean reported) {
      super(message, cause);
      this.code = code;
      this.reported = reported;
    }
  }

  private record Facts(AgentRequest.Machine machine, OmahaClient client, UpdateConf conf, ReleaseInfo release) {}

  private Facts facts(AgentState state) throws IOException {
    ReleaseInfo release = host.release();
    UpdateConf conf = host.updateConf();
    String server = serverOverride.or(conf::server).orElseThrow(() -> new IllegalArgumentException(
        "no update server: set SERVER= in " + host.file("/etc/coreos/update.conf") + " or give --server"));
    Host.Oem oem = host.oem();
    String aleph = release.version();
    AgentRequest.Machine m = new AgentRequest.Machine(release.appId(), release.version(), conf.group(), host.bootId(),
        oem.id(), oem.version(), aleph, host.machineId(), "", AgentRequest.Machine.LANG, release.board(),
        AgentRequest.Machine.OS_VERSION, AgentRequest.Machine.OS_PLATFORM, release.version() + "_x86_64");
    URI uri;
    try {
      uri = URI.create(server);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("SERVER is not a URL: '" + server + "'");
    }
    return new Facts(m, new OmahaClient(uri), conf, release);
  }

  /**
   * The event an update check carries: 3/0 with error 44 when the machine runs the version it ran
   * before its last update (the update rolled back), else 3/2 with the version before the update
   * ("" when there was none).
   */
  static AgentEvent bootEvent(AgentState state, String running) {
    if (state.previousVersion().isPresent() && state.previousVersion().get().equals(running)) {
      return AgentEvent.rolledBack();
    }
    return AgentEvent.bootedAfterUpdate(state.previousVersion().orElse(""));
  }

  /** One update check, as update_engine sends it; returns the server's answer. */
  public CheckResult check(AgentRequest.InstallSource source) throws IOException {
    AgentState state = AgentState.load(host.root());
    Facts f = facts(state);
    sendPending(f, state);
    state = AgentState.load(host.root());
    AgentEvent event = bootEvent(state, f.release().version());
    CheckResult result;
    try {
      result = f.client().send(AgentRequest.updateCheck(source, f.machine(), event));
    } catch (IOException e) {
      state.withLastCheck(Instant.now(), "failed: " + oneLine(e.getMessage())).save(host.root());
      throw e;
    }
    String said = describe(result);
    AgentState next = state.withLastCheck(Instant.now(), said);
    if (state.previousVersion().isPresent()) {
      // The boot after the update is reported; later checks say nothing of it again.
      next = next.withPreviousVersion(Optional.empty());
    }
    // An update that now runs, or that rolled back, is no longer waiting.
    Optional<String> waiting = event.result() == AgentEvent.RESULT_ERROR ? Optional.empty()
        : state.updateWaiting().filter(v -> !v.equals(f.release().version()));
    next.withUpdateWaiting(waiting).save(host.root());
    return result;
  }

  /** One line about a check's answer. */
  public static String describe(CheckResult r) {
    if (r instanceof CheckResult.Offer o) {
      return "update " + o.offer().version() + " offered (" + o.offer().packageName() + ", " + o.offer().size() + " bytes)";
    }
    if (r instanceof CheckResult.NoUpdate) {
      return "no update";
    }
    if (r instanceof CheckResult.AppError e) {
      return "the server refused the app: " + e.status();
    }
    return "acknowledged";
  }

  /** An event a failed run could not send, sent now. */
  private void sendPending(Facts f, AgentState state) throws IOException {
    Optional<String> pending = state.pendingEvent();
    if (pending.isEmpty()) {
      return;
    }
    String[] p = pending.get().split(" ");
    AgentEvent e = new AgentEvent(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), "");
    f.client().send(AgentRequest.event(AgentRequest.InstallSource.SCHEDULER, f.machine(), e));
    state.withPendingEvent(Optional.empty()).save(host.root());
  }

  /**
   * Checks and, on an offer, takes the update into the other USR slot. Returns the version
   * installed, or empty when there was nothing to do.
   */
  public Optional<String> update(Optional<Path> diskOverride) throws IOException {
    try (AgentLock lock = AgentLock.acquire(host.root())) {
      CheckResult r = check(AgentRequest.InstallSource.ON_DEMAND);
      out.println("check: " + describe(r));
      if (!(r instanceof CheckResult.Offer offer)) {
        return Optional.empty();
      }
      Facts f = facts(AgentState.load(host.root()));
      try {
        String v = apply(f, offer.offer(), diskOverride);
        return Optional.of(v);
      } catch (Failed e) {
        boolean sent = report(f, AgentEvent.error(e.code, 0));
        throw new Failed(e.code, e.getMessage(), e.getCause(), sent);
      } catch (IOException | RuntimeException e) {
        boolean sent = report(f, AgentEvent.error(ErrorCode.ERROR, 0));
        throw new Failed(ErrorCode.ERROR, e.getMessage(), e, sent);
      }
    }
  }

  /** Sends an event; when the server cannot be reached, keeps it for the next check. */
  private boolean report(Facts f, AgentEvent e) throws IOException {
    try {
      f.client().send(AgentRequest.event(AgentRequest.InstallSource.ON_DEMAND, f.machine(), e));
      return true;
    } catch (IOException unreachable) {
      AgentState.load(host.root()).withPendingEvent(Optional.of(e.type() + " " + e.result() + " " + e.errorCode()))
          .save(host.root());
      out.println("could not report event " + e.type() + "/" + e.result() + " (" + oneLine(unreachable.getMessage())
          + "): kept for the next check");
      return false;
    }
  }

  private String apply(Facts f, UpdateOffer offer, Optional<Path> diskOverride) throws IOException {
    UsrSelector usr = host.usr();
    Path diskPath = diskOverride.orElseGet(() -> {
      try {
        return host.usrDisk(usr);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    TargetFacts facts = Inspect.system().facts(diskPath);
    List<byte[]> trusted = List.of(Files.readAllBytes(keyring.orElseThrow(() -> new IllegalArgumentException(
        "no keyring: give --keyring FILE with the trusted release keys"))));
    report(f, AgentEvent.downloadStarted());
    Path dir = Files.createDirectories(host.root().resolve(AgentState.DIR).resolve("download"));
    Path file = dir.resolve(offer.packageName());
    String url = offer.payloadUrls().get(0);
    out.println("downloading " + url);
    Verdict.Verified verified;
    try {
      verified = PayloadFetch.fetch(http, url, file, new PayloadFetch.Expected(offer.size(),
          offer.sha1Base64().isEmpty() ? null : offer.sha1Base64(),
          Base64.getEncoder().encodeToString(offer.payloadSha256())), keys, trusted);
    } catch (PayloadFetch.Refused e) {
      ErrorCode code = switch (e.problem) {
        case TRANSFER -> ErrorCode.DOWNLOAD_TRANSFER_ERROR;
        case SIZE -> ErrorCode.PAYLOAD_SIZE_MISMATCH_ERROR;
        case HASH -> ErrorCode.PAYLOAD_HASH_MISMATCH_ERROR;
        case SIGNATURE -> ErrorCode.DOWNLOAD_PAYLOAD_VERIFICATION_ERROR;
      };
      throw new Failed(code, e.getMessage(), e);
    }
    out.println("verified: size, SHA-256 and signature by \"" + verified.signer().userId() + "\"");
    report(f, AgentEvent.downloadFinished());
    try (TargetDisk disk = TargetDisk.open(facts)) {
      GptRead read = GptStore.read(disk);
      PartitionTable table = read.table();
      Slots slots = Slots.find(table, usr);
      Partition other = slots.other();
      int ss = disk.sectorSize();
      if (other.attributes().priority() > 0 || other.attributes().successful()) {
        // The slot is about to hold half a filesystem: it must not be booted until it is whole.
        PartitionTable off = table.with(other.withAttributes(
            other.attributes().withPriority(0).withTries(0).withSuccessful(false)));
        GptStore.write(disk, read, off);
        read = GptStore.read(disk);
        table = read.table();
      }
      SlotWriter.Written w;
      try {
        w = SlotWriter.write(file, disk, other.firstLba() * ss, other.sizeLba() * ss,
            other.label() + " (partition " + other.number() + ")", threads);
      } catch (SlotWriter.TooLarge e) {
        throw new Failed(ErrorCode.PAYLOAD_SIZE_MISMATCH_ERROR, e.getMessage(), e);
      } catch (SlotWriter.ReadBackMismatch e) {
        throw new Failed(ErrorCode.NEW_ROOTFS_VERIFICATION_ERROR, e.getMessage(), e);
      } catch (IOException e) {
        throw new Failed(ErrorCode.DOWNLOAD_WRITE_ERROR, e.getMessage(), e);
      }
      out.println("written: " + w.bytes() + " bytes (" + w.format() + ") into " + other.label() + ", read back");
      PartitionTable flagged = Slots.find(table, usr).afterUpdate(table);
      GptStore.write(disk, read, flagged);
      Partition now = flagged.partition(other.number()).orElseThrow();
      out.println("flags: " + other.label() + " " + now.attributes() + " (tried once at the next boot)");
    }
    AgentState.load(host.root()).withPreviousVersion(Optional.of(f.release().version()))
        .withUpdateWaiting(Optional.of(offer.version())).save(host.root());
    Files.deleteIfExists(file);
    report(f, AgentEvent.updateComplete());
    out.println("update " + offer.version() + " installed; it runs after a reboot");
    return offer.version();
  }

  /** What set-good-root does: the running slot successful, no tries left to count, first in line. */
  public Partition markGood(Optional<Path> diskOverride) throws IOException {
    UsrSelector usr = host.usr();
    Path diskPath = diskOverride.isPresent() ? diskOverride.get() : host.usrDisk(usr);
    try (AgentLock lock = AgentLock.acquire(host.root());
         TargetDisk disk = TargetDisk.open(Inspect.system().facts(diskPath))) {
      GptRead read = GptStore.read(disk);
      Slots slots = Slots.find(read.table(), usr);
      PartitionTable next = slots.markGood(read.table());
      if (!next.equals(read.table())) {
        GptStore.write(disk, read, next);
      }
      return next.partition(slots.running().number()).orElseThrow();
    }
  }

  /**
   * Gives back the reboot slot this machine took before its last reboot, if it holds one: after a
   * healthy boot ({@code mark-good}, or the daemon once the running slot is marked successful).
   * The boot that took the slot keeps it: it has not rebooted yet.
   * The lock is the one update.conf names now, as {@code etcd-lock} would take it. A slot the lock
   * no longer knows of counts as given back.
   *
   * @return the lock it was given back to, or empty when none was held
   * @throws IOException when the lock cannot be reached; the state still says the slot is held,
   *     so the next run gives it back
   */
  public Optional<String> releaseRebootLock(Rebooter.Locks locks) throws IOException {
    AgentState state = AgentState.load(host.root());
    if (state.rebootLock().isEmpty() || stillTheBootThatTookIt(state)) {
      return Optional.empty();
    }
    dev.cairn.install.agent.LockChoice choice = dev.cairn.install.agent.LockChoice.of(host.updateConf(),
        UpdateConf.RebootStrategy.ETCD_LOCK);
    dev.cairn.install.agent.lock.RebootLock lock = locks.open(choice);
    try {
      lock.unlock(host.machineId());
    } catch (IOException e) {
      throw new IOException("could not give the reboot slot back to " + lock.describe() + ": " + e.getMessage()
          + " (kept; the next mark-good or daemon run gives it back)", e);
    }
    AgentState.load(host.root()).withRebootLock(Optional.empty(), Optional.empty()).save(host.root());
    return Optional.of(lock.describe());
  }

  /** Whether this is the boot that took the slot: its reboot has not happened yet. */
  private boolean stillTheBootThatTookIt(AgentState state) {
    if (state.rebootLockBoot().isEmpty()) {
      return false;
    }
    try {
      return state.rebootLockBoot().get().equals(host.bootId());
    } catch (IOException | RuntimeException unreadable) {
      return false;
    }
  }

  /** {@link #releaseRebootLock} once the running slot is marked good; empty before that. */
  public Optional<String> releaseRebootLockIfGood(Rebooter.Locks locks) throws IOException {
    if (AgentState.load(host.root()).rebootLock().isEmpty() || !runningSlotGood(Optional.empty())) {
      return Optional.empty();
    }
    return releaseRebootLock(locks);
  }

  /** Whether the running USR slot is marked successful (the boot was declared healthy). */
  public boolean runningSlotGood(Optional<Path> diskOverride) throws IOException {
    UsrSelector usr = host.usr();
    Path diskPath = diskOverride.isPresent() ? diskOverride.get() : host.usrDisk(usr);
    try (TargetDisk disk = TargetDisk.open(Inspect.system().facts(diskPath))) {
      PartitionTable t = GptStore.read(disk).table();
      return Slots.find(t, usr).running().attributes().successful();
    }
  }

  /** The running slot, the other slot's flags, the last check and an update waiting. */
  public void status(Optional<Path> diskOverride) throws IOException {
    AgentState state = AgentState.load(host.root());
    ReleaseInfo release = host.release();
    UsrSelector usr = host.usr();
    out.println("version:  " + release.version() + " (" + release.board() + ")");
    Path diskPath = diskOverride.isPresent() ? diskOverride.get() : host.usrDisk(usr);
    try (TargetDisk disk = TargetDisk.open(Inspect.system().facts(diskPath))) {
      PartitionTable t = GptStore.read(disk).table();
      Slots s = Slots.find(t, usr);
      out.println("running:  " + s.running().label() + " (partition " + s.running().number() + ") " + s.running().attributes());
      out.println("other:    " + s.other().label() + " (partition " + s.other().number() + ") " + s.other().attributes());
    }
    out.println("checked:  " + state.lastCheck().map(Instant::toString).orElse("never")
        + state.lastResult().map(r -> ": " + r).orElse(""));
    out.println("waiting:  " + state.updateWaiting().map(v -> v + " is installed; reboot to run it").orElse("nothing"));
    state.pendingEvent().ifPresent(e -> out.println("pending:  event " + e + " to report at the next check"));
    state.rebootLock().ifPresent(l -> out.println("reboot:   holds a reboot slot of " + l
        + " until a healthy boot gives it back"));
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\n', ' ');
  }
}
