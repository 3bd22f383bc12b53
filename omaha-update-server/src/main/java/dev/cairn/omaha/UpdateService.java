package dev.cairn.omaha;

import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Store.EventRecord;
import dev.cairn.omaha.Store.GroupRecord;
import dev.cairn.omaha.Store.HistoryRecord;
import dev.cairn.omaha.Store.InstanceRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Answers one Omaha request in one store transaction: per app, records its events, decides the
 * update check with {@link UpdatePolicy}, and remembers the machine. No HTTP in here.
 */
public final class UpdateService {
  private final Store store;
  private final Clock clock;
  private final AddressQuota quota;

  /** With the default per-address limits ({@link AddressQuota.Limits#defaults()}). */
  public UpdateService(Store store, Clock clock) {
    this(store, clock, new AddressQuota(AddressQuota.Limits.defaults()));
  }

  public UpdateService(Store store, Clock clock, AddressQuota quota) {
    this.store = store;
    this.clock = clock;
    this.quota = quota;
  }

  /** What happened, for metrics: per app, whether it was granted, held (and why) or neither. */
  public record Outcome(OmahaResponse response, List<String> verdicts) {}

  /** Answers {@code request}, waiting for its transaction to commit. */
  public Outcome handle(OmahaRequest request, String clientIp) {
    return store.transaction(work(request, clientIp));
  }

  /**
   * Answers {@code request} without waiting: every app of it in one unit of work, and the outcome
   * once that unit is committed, so nothing is answered that is not on disk.
   */
  public CompletableFuture<Outcome> submit(OmahaRequest request, String clientIp) {
    return store.submit(work(request, clientIp));
  }

  private Store.Work<Outcome> work(OmahaRequest request, String clientIp) {
    Instant now = clock.instant();
    long elapsed = Duration.between(now.atZone(clock.getZone()).toLocalDate().atStartOfDay(clock.getZone()).toInstant(), now)
        .getSeconds();
    return tx -> {
      List<OmahaResponse.App> apps = new ArrayList<>(request.apps().size());
      List<String> verdicts = new ArrayList<>(request.apps().size());
      String[] verdict = new String[1];
      for (OmahaRequest.App app : request.apps()) {
        apps.add(one(tx, app, clientIp, now, verdict));
        verdicts.add(verdict[0]);
      }
      return new Outcome(new OmahaResponse(elapsed, apps), verdicts);
    };
  }

  private OmahaResponse.App one(Store.Tx tx, OmahaRequest.App sent, String ip, Instant now, String[] verdict) {
    if (!tx.appExists(sent.appId())) {
      verdict[0] = "unknown-app";
      return new OmahaResponse.App(sent.appId(), "error-unknownApplication", sent.ping(), sent.events().size(), null);
    }
    Optional<Decision.NoUpdate> anonymous = UpdatePolicy.machineIdHold(sent.machineId());
    if (anonymous.isPresent()) {
      // Answered, never stored: an instance (and its events) under "" or a cut id would mix machines.
      verdict[0] = sent.updateCheck() ? "hold:" + anonymous.get().reason() : sent.events().isEmpty() ? "ping" : "event";
      return new OmahaResponse.App(sent.appId(), "ok", sent.ping(), sent.events().size(),
          sent.updateCheck() ? OmahaResponse.Update.none() : null);
    }
    InstanceRecord before = tx.instance(sent.appId(), sent.machineId()).orElse(null);
    List<String> truncated = new ArrayList<>(0);
    OmahaRequest.App app = kept(sent, truncated);
    State s = new State(before, app);
    for (OmahaRequest.Event e : app.events()) {
      event(tx, app, s, e, now, ip);
    }
    OmahaResponse.Update update = null;
    if (app.updateCheck()) {
      update = check(tx, app, !truncated.contains("track"), s, now, verdict, ip);
    } else {
      verdict[0] = app.events().isEmpty() ? "ping" : "event";
    }
    String alias = app.machineAlias();
    if (alias.isEmpty() && before != null) {
      alias = before.alias();
      if (before.truncated().contains("machinealias")) {
        truncated.add("machinealias");
      }
    }
    tx.saveInstance(new InstanceRecord(app.appId(), app.machineId(), app.track(), app.version(), app.bootId(),
        app.oem(), app.oemVersion(), app.alephVersion(), alias, ip, s.status,
        s.grantedVersion, s.grantedAt, app.updateCheck() ? Optional.of(now) : s.lastCheck, s.lastHold,
        s.lastErrorCode, s.lastErrorFlags, truncated, s.grantBootId, s.progressed));
    return new OmahaResponse.App(app.appId(), "ok", app.ping(), app.events().size(), update);
  }

  /**
   * The app as it is kept: every text cut to {@link Store#MAX_TEXT} characters, and the names of
   * the stored attributes that were cut added to {@code truncated}. The app id and machine id are
   * never cut (a known app id is short; a machine id that long is not stored at all). Most
   * requests have nothing to cut and are answered as they are.
   */
  static OmahaRequest.App kept(OmahaRequest.App a, List<String> truncated) {
    boolean previousTooLong = false;
    for (OmahaRequest.Event e : a.events()) {
      previousTooLong |= e.previousVersion().length() > Store.MAX_TEXT;
    }
    int max = Math.max(Math.max(Math.max(a.track().length(), a.version().length()),
        Math.max(a.bootId().length(), a.oem().length())), Math.max(Math.max(a.oemVersion().length(),
        a.alephVersion().length()), Math.max(a.machineAlias().length(), a.board().length())));
    if (max <= Store.MAX_TEXT && !previousTooLong) {
      return a;
    }
    List<OmahaRequest.Event> events = a.events();
    if (previousTooLong) {
      events = a.events().stream().map(e -> new OmahaRequest.Event(e.type(), e.result(), e.errorCode(),
          cut(e.previousVersion(), null, truncated))).toList();
    }
    return new OmahaRequest.App(a.appId(), cut(a.version(), "version", truncated), cut(a.track(), "track", truncated),
        cut(a.bootId(), "bootid", truncated), cut(a.oem(), "oem", truncated),
        cut(a.oemVersion(), "oemversion", truncated), cut(a.alephVersion(), "alephversion", truncated),
        a.machineId(), cut(a.machineAlias(), "machinealias", truncated), cut(a.board(), null, truncated),
        a.ping(), a.updateCheck(), events);
  }

  /** {@code v} cut to {@link Store#MAX_TEXT} characters (never inside a surrogate pair); {@code name} noted when cut. */
  private static String cut(String v, String name, List<String> truncated) {
    if (v.length() <= Store.MAX_TEXT) {
      return v;
    }
    if (name != null) {
      truncated.add(name);
    }
    int end = Character.isHighSurrogate(v.charAt(Store.MAX_TEXT - 1)) ? Store.MAX_TEXT - 1 : Store.MAX_TEXT;
    return v.substring(0, end);
  }

  /** The instance's state as this request changes it. */
  private static final class State {
    InstanceStatus status;
    Optional<Version> grantedVersion;
    Optional<Instant> grantedAt;
    Optional<Instant> lastCheck;
    String lastHold;
    int lastErrorCode;
    int lastErrorFlags;
    String grantBootId;
    boolean progressed;

    State(InstanceRecord r, OmahaRequest.App app) {
      grantBootId = r == null ? null : r.grantBootId();
      progressed = r != null && r.progressed();
      status = r == null ? InstanceStatus.UNDEFINED : r.status();
      grantedVersion = r == null ? Optional.empty() : r.grantedVersion();
      grantedAt = r == null ? Optional.empty() : r.grantedAt();
      lastCheck = r == null ? Optional.empty() : r.lastCheck();
      lastHold = r == null ? "" : r.lastHold();
      lastErrorCode = r == null ? 0 : r.lastErrorCode();
      lastErrorFlags = r == null ? 0 : r.lastErrorFlags();
    }
  }

  private void event(Store.Tx tx, OmahaRequest.App app, State s, OmahaRequest.Event e, Instant now, String ip) {
    int code = e.errorCode() < 0 ? 0 : UpdatePolicy.baseErrorCode(e.errorCode());
    int flags = e.errorCode() < 0 ? 0 : UpdatePolicy.errorFlags(e.errorCode());
    String target = s.grantedVersion.map(Version::toString).orElse("");
    // update_engine sends 3/2 with every check; it means "rebooted into it" only after an update.
    // Otherwise it says only "I run my version", which the instance record already holds: it is
    // counted in the metrics but not stored, so the event log keeps what happened.
    boolean routine32 = e.type() == 3 && e.result() == 2
        && (e.previousVersion().isEmpty() || e.previousVersion().equals("0.0.0.0"));
    if (routine32 && !ranGranted(s, app)) {
      return;
    }
    String uncounted = "";
    boolean brake = false;
    if (e.result() == 0) {
      // A failure counts toward the brake only when this machine's grant progressed (it reported
      // the download started from the boot it was granted in), and within its address's limit.
      if (!s.progressed || s.grantedVersion.isEmpty()) {
        uncounted = " (not counted toward the failure brake: no download started since the grant)";
      } else if (!quota.countFailure(ip, now)) {
        uncounted = " (not counted toward the failure brake: address " + ip + " reported its most failures this period)";
      } else {
        brake = true;
        s.progressed = false;
      }
    } else if (e.type() == 13 && e.result() == 1 && s.grantedVersion.isPresent()
        && app.bootId().equals(s.grantBootId == null ? "" : s.grantBootId)) {
      s.progressed = true;
    }
    tx.appendEvent(new EventRecord(app.appId(), app.machineId(), now, e.type(), e.result(), code, flags,
        e.previousVersion(), target, brake));
    InstanceStatus next = UpdatePolicy.afterEvent(s.status, e.type(), e.result());
    if (e.result() == 0) {
      s.lastErrorCode = code;
      s.lastErrorFlags = flags;
    }
    change(tx, app, s, next, now, "event " + e.type() + "/" + e.result() + (e.result() == 0 ? " error " + code : "")
        + uncounted);
  }

  private static boolean ranGranted(State s, OmahaRequest.App app) {
    Version running = Version.tryParse(app.version());
    return running != null && s.grantedVersion.isPresent() && running.compareTo(s.grantedVersion.get()) >= 0;
  }

  /** {@code trackWhole}: the track was not cut; a cut one names no group, whatever it starts with. */
  private OmahaResponse.Update check(Store.Tx tx, OmahaRequest.App app, boolean trackWhole, State s, Instant now,
      String[] verdict, String ip) {
    if (s.status != InstanceStatus.COMPLETE && ranGranted(s, app)) {
      change(tx, app, s, InstanceStatus.COMPLETE, now, "runs the granted version");
    }
    Optional<GroupRecord> group = trackWhole ? tx.group(app.appId(), app.track()) : Optional.empty();
    if (group.isPresent() && s.status.inFlight() && s.grantedAt.isPresent()
        && !s.grantedAt.get().plus(group.get().policy().updateTimeout()).isAfter(now) && !ranGranted(s, app)) {
      change(tx, app, s, InstanceStatus.TIMED_OUT, now, "no progress within " + group.get().policy().updateTimeout());
    }
    Optional<UpdatePolicy.GroupView> view = group.map(GroupRecord::view);
    java.util.function.Supplier<UpdatePolicy.GroupStats> stats = () -> {
      GroupRecord g = group.orElseThrow();
      Model.Policy p = g.policy();
      return tx.stats(g.id(), now.minus(p.period()), g.targetVersion().orElse(Version.parse("0.0.0")),
          // The grants of the target matter only to a brake that is on and has a share to meet.
          p.failureBrake() > 0 && p.failurePercent() > 0 ? p.failureBrake() : Integer.MAX_VALUE);
    };
    UpdatePolicy.InstanceView instance = new UpdatePolicy.InstanceView(s.status, s.grantedVersion, s.grantedAt);
    Decision d = UpdatePolicy.decide(new UpdatePolicy.Check(true, app.track(), view, app.version(),
        app.machineId(), app.board(), instance, stats, now, quota.mayGrant(ip, now)));
    if (d instanceof Decision.Offer offer) {
      if (offer.newGrant()) {
        quota.granted(ip, now);
        s.grantedVersion = Optional.of(offer.pkg().version());
        s.grantedAt = Optional.of(now);
        s.grantBootId = app.bootId();
        s.progressed = false;
        change(tx, app, s, InstanceStatus.GRANTED, now, "granted " + offer.pkg().version());
        verdict[0] = "granted";
      } else {
        verdict[0] = "regranted";
      }
      s.lastHold = "";
      return new OmahaResponse.Update(offer.pkg());
    }
    Decision.NoUpdate hold = (Decision.NoUpdate) d;
    s.lastHold = hold.reason() + ": " + hold.detail();
    verdict[0] = "hold:" + hold.reason();
    if (hold.reason() == Decision.Hold.FAILURE_BRAKE && group.isPresent() && group.get().policy().updatesEnabled()) {
      tx.pauseGroup(group.get().id(), hold.detail(), now);
    }
    if (hold.reason() == Decision.Hold.RATE_LIMITED || hold.reason() == Decision.Hold.ADDRESS_LIMITED
        || hold.reason() == Decision.Hold.UPDATES_PAUSED
        || hold.reason() == Decision.Hold.OUTSIDE_OFFICE_HOURS || hold.reason() == Decision.Hold.FAILURE_BRAKE) {
      if (s.status == InstanceStatus.UNDEFINED || s.status == InstanceStatus.COMPLETE || s.status == InstanceStatus.ERROR) {
        change(tx, app, s, InstanceStatus.ON_HOLD, now, hold.reason().name());
      }
    }
    return OmahaResponse.Update.none();
  }

  private static void change(Store.Tx tx, OmahaRequest.App app, State s, InstanceStatus to, Instant now, String detail) {
    if (s.status == to) {
      return;
    }
    tx.appendHistory(new HistoryRecord(app.appId(), app.machineId(), now, s.status, to, app.version(), detail));
    s.status = to;
  }
}
