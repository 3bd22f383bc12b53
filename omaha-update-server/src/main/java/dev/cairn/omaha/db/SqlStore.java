package dev.cairn.omaha.db;

import dev.cairn.omaha.ControlChars;
import dev.cairn.omaha.MachineSighting;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.Refusal;
import dev.cairn.omaha.Rollout;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.Version;
import dev.cairn.omaha.files.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The store in one SQLite file, in WAL mode with {@code synchronous=FULL}: a write is on disk
 * before {@link #transaction} returns. SQLite has one writer at a time, so all units of work share
 * one write connection, taken in turn under a lock and each run as {@code BEGIN IMMEDIATE}; a
 * second connection serves {@link #healthy()} and the admin reads, which WAL lets run beside a
 * write. Instants are stored as epoch milliseconds, durations as whole seconds.
 *
 * <p>Besides the port, this class carries the admin operations (apps, channels, packages, groups
 * and the lists an operator reads); they may move behind a port of their own later.
 */
public final class SqlStore implements Store {
  /** The schema version this code reads and writes. */
  public static final int SCHEMA_VERSION = Migrations.LATEST;

  /** Activity kinds. */
  public static final String GROUP_PAUSED = "group.paused";
  public static final String GROUP_POLICY = "group.policy";
  public static final String CHANNEL_PACKAGE = "channel.package";
  public static final String PACKAGE_CREATED = "package.created";
  public static final String CHANNEL_CREATED = "channel.created";
  public static final String CHANNEL_PROMOTED = "channel.promoted";
  public static final String GROUP_RESUMED = "group.resumed";
  public static final String MACHINE_INSTALLED = "machine.installed";
  public static final String MACHINE_REINSTALL = "machine.reinstall";

  /** The actor of an admin change made without an X-Cairn-Actor header. */
  public static final String DEFAULT_ACTOR = "admin";
  /** The actor of what the server does by itself (the failure brake). */
  public static final String SERVER_ACTOR = "cairn";
  /** What a channel or group name created through the admin API must look like. */
  public static final String NAME_PATTERN = "[a-z0-9][a-z0-9._-]{0,63}";

  /** The groups (and channels) a new server starts with. */
  public static final List<String> DEFAULT_CHANNELS = List.of("alpha", "beta", "stable");

  private static final int BUSY_TIMEOUT_MS = 5_000;
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(SqlStore.class.getName());

  private final Engine engine;
  private final Dialect dialect;
  private final Clock clock;
  private final GroupCache groupCache;

  private SqlStore(Engine engine, GroupCache groupCache, Clock clock) {
    this.engine = engine;
    this.dialect = engine.dialect();
    this.groupCache = groupCache;
    this.clock = clock;
  }

  /** Opens (creating it if missing) and migrates the SQLite database at {@code dbFile}. */
  public static SqlStore open(Path dbFile) throws IOException {
    return open(dbFile, Clock.systemUTC());
  }

  /**
   * As {@link #open(Path)}, with the clock that stamps admin changes.
   *
   * @throws IOException naming the file when it cannot be opened, is not a database, cannot use
   *     WAL, or has a schema newer than this code
   */
  public static SqlStore open(Path dbFile, Clock clock) throws IOException {
    return open(dbFile, clock, BUSY_TIMEOUT_MS);
  }

  /** As {@link #open(Path, Clock)}, waiting at most {@code busyTimeoutMs} for another writer each try. */
  static SqlStore open(Path dbFile, Clock clock, int busyTimeoutMs) throws IOException {
    GroupCache cache = new GroupCache();
    return started(SqliteEngine.open(dbFile, cache, busyTimeoutMs), cache, clock);
  }

  /**
   * Opens and migrates the PostgreSQL database {@code database} names, with a pool of
   * {@code poolSize} connections; several servers may open the same one.
   *
   * @throws IOException naming the database (never its password) when it cannot be reached, refuses
   *     the credentials, or has a schema newer than this code
   */
  public static SqlStore open(PostgresDatabase database, int poolSize, Clock clock) throws IOException {
    GroupCache cache = new GroupCache();
    return started(PostgresEngine.open(database, poolSize, cache), cache, clock);
  }

  private static SqlStore started(Engine engine, GroupCache cache, Clock clock) throws IOException {
    SqlStore store = new SqlStore(engine, cache, clock);
    try {
      store.inTransaction(tx -> {
        KeptCounts.prune(tx.connection(), clock.instant());
        return null;
      });
      store.loadInstalls();
      if (store.dialect == Dialect.POSTGRESQL) {
        store.followInstalls();
      }
      return store;
    } catch (RuntimeException e) {
      try {
        engine.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw e;
    }
  }

  /** The SQLite database file; empty on PostgreSQL. */
  public Optional<Path> file() {
    return engine instanceof SqliteEngine s ? Optional.of(s.file()) : Optional.empty();
  }

  /** The database, as messages name it: the file, or PostgreSQL's URL without credentials. */
  public String where() {
    return engine.where();
  }

  // ---- the port ----

  /**
   * {@inheritDoc} The work may run more than once when the database asks for it (SQLite busy past
   * the busy timeout; on PostgreSQL a deadlock, a serialization failure, or what it read changed
   * under it), so it should do nothing outside the Tx that must not be repeated. Transactions do
   * not nest. A database failure is an {@link UncheckedIOException} naming the database; whatever
   * else the work throws is rethrown as is.
   */
  @Override
  public <T> T transaction(Work<T> work) {
    return await(submit(work));
  }

  /**
   * {@inheritDoc} On SQLite the work joins the next group commit and the future completes on the
   * commit thread once that commit is on disk; on PostgreSQL it runs on a connection of the pool,
   * and PostgreSQL groups the commits of concurrent units itself.
   */
  @Override
  public <T> java.util.concurrent.CompletableFuture<T> submit(Work<T> work) {
    return engine.submit(work);
  }

  private static <T> T await(java.util.concurrent.CompletableFuture<T> done) {
    try {
      return done.join();
    } catch (java.util.concurrent.CompletionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  private <T> T inTransaction(Engine.SqlWork<T> work) {
    return engine.inTransaction(work);
  }

  private <T> T read(Engine.SqlRead<T> work) {
    return engine.read(work);
  }

  @Override
  public boolean healthy() {
    return engine.healthy();
  }

  /** Waits for running units of work and closes (SQLite: checkpoints its write-ahead log first). */
  @Override
  public void close() {
    Thread t = installsFollower;
    if (t != null) {
      t.interrupt();
    }
    engine.close();
  }

  // ---- seeding and admin ----

  /**
   * The CoreOS app with channels alpha, beta and stable (no package yet) and a group of the same
   * name following each, with {@link Policy#defaults()}. Creates only what is missing: running it
   * again changes nothing that exists.
   */
  public void seedDefaults() {
    inTransaction(tx -> {
      Connection c = tx.connection();
      Sql.update(c, "insert into app (id, name, board, created_at) values (?, ?, ?, ?) on conflict (id) do nothing",
          Model.COREOS_APP_ID, "CoreOS", "amd64-usr", now());
      for (String name : DEFAULT_CHANNELS) {
        Sql.update(c, "insert into channel (app_id, name) values (?, ?) on conflict (app_id, name) do nothing",
            Model.COREOS_APP_ID, name);
        List<Object> args = new ArrayList<>(List.of(Model.COREOS_APP_ID, name));
        args.addAll(policyArgs(Policy.defaults()));
        args.addAll(List.of(Model.COREOS_APP_ID, name));
        Sql.update(c, "insert into grp (app_id, name, channel_id, " + POLICY_COLUMNS + ")"
            + " select ?, ?, c.id, " + POLICY_PARAMS + " from channel c where c.app_id = ? and c.name = ?"
            + " on conflict (app_id, name) do nothing", args.toArray());
      }
      return null;
    });
  }

  /** A new app; {@code board} is its default board: the one a machine that sends no board is served. */
  public void createApp(String appId, String name, String board) {
    inTransaction(tx -> {
      Connection c = tx.connection();
      if (appExists(c, appId)) {
        throw new IllegalArgumentException("app " + appId + " already exists");
      }
      Sql.update(c, "insert into app (id, name, board, created_at) values (?, ?, ?, ?)", appId, name, board, now());
      return null;
    });
  }

  /** A new channel of the app, pointing at no package; answers its id. */
  public long createChannel(String appId, String name) {
    return inTransaction(tx -> {
      Connection c = tx.connection();
      requireApp(c, appId);
      if (Sql.one(c, "select 1 from channel where app_id = ? and name = ?", r -> true, appId, name).isPresent()) {
        throw new IllegalArgumentException("app " + appId + " already has a channel '" + name + "'");
      }
      return Sql.insert(c, "insert into channel (app_id, name) values (?, ?)", appId, name);
    });
  }

  /** A new package of the app, without a signature; answers its id. */
  public long createPackage(String appId, Package pkg) {
    return createPackage(appId, pkg, null);
  }

  /** A new package of the app; {@code signature} may be null. Answers its id. */
  public long createPackage(String appId, Package pkg, String signature) {
    return inTransaction(tx -> {
      Connection c = tx.connection();
      requireApp(c, appId);
      if (Sql.one(c, "select 1 from package where app_id = ? and board = ? and version = ?", r -> true, appId,
          pkg.board(), pkg.version()).isPresent()) {
        throw new IllegalArgumentException("app " + appId + " already has a package " + pkg.version() + " for board "
            + pkg.board());
      }
      Instant at = now();
      long id = Sql.insert(c, "insert into package (app_id, version, board, name, size, sha1, sha256, base_url,"
          + " signature, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", appId, pkg.version(), pkg.board(),
          pkg.name(), pkg.size(), pkg.sha1Base64(), pkg.sha256Base64(), pkg.baseUrl(), signature, at);
      appActivity(c, at, appId, PACKAGE_CREATED, "package " + pkg.version() + " for " + pkg.board() + " added");
      return id;
    });
  }

  /**
   * Makes the channel serve {@code version}: each machine is offered that version's package for its
   * board. The app must have a package of the version for at least one board.
   */
  public void setChannelPackage(String appId, String channel, Version version) {
    setChannelPackage(appId, channel, version, DEFAULT_ACTOR);
  }

  /** As {@link #setChannelPackage(String, String, Version)}, recorded as done by {@code actor}. */
  public void setChannelPackage(String appId, String channel, Version version, String actor) {
    inTransaction(tx -> {
      Connection c = tx.connection();
      long channelId = channelId(c, appId, channel);
      requirePackage(c, appId, version);
      Sql.update(c, "update channel set version = ? where id = ?", version, channelId);
      appActivity(c, now(), appId, CHANNEL_PACKAGE, "channel " + channel + " now serves " + version, actor);
      return null;
    });
  }

  /**
   * A new channel of the app, serving nothing yet, created by {@code actor}.
   *
   * @throws Refusal conflict when the app has a channel of that name; not found for an unknown app
   */
  public void addChannel(String appId, String name, String actor) {
    requireName("channel name", name);
    inTransaction(tx -> {
      Connection c = tx.connection();
      if (!appExists(c, appId)) {
        throw Refusal.notFound("no app " + appId);
      }
      if (Sql.one(c, "select 1 from channel where app_id = ? and name = ?", r -> true, appId, name).isPresent()) {
        throw Refusal.conflict("channel '" + name + "' already exists");
      }
      Sql.insert(c, "insert into channel (app_id, name) values (?, ?)", appId, name);
      appActivity(c, now(), appId, CHANNEL_CREATED, "channel " + name + " created", actor);
      return null;
    });
  }

  /** A promotion done: the channel, the version it now serves and the one it served before. */
  public record Promotion(String channel, Version version, Optional<Version> previous) {}

  /**
   * Makes channel {@code to} serve the version channel {@code from} serves, in one transaction.
   *
   * @throws Refusal not found for an unknown channel; conflict when {@code from} serves nothing, or
   *     when {@code to} would move to a lower version and {@code allowDowngrade} is false
   */
  public Promotion promote(String appId, String to, String from, boolean allowDowngrade, String actor) {
    return inTransaction(tx -> {
      Connection c = tx.connection();
      record Ch(long id, Optional<Version> version) {}
      Sql.Row<Ch> row = r -> new Ch(r.getLong(1), Optional.ofNullable(r.getString(2)).map(Version::parse));
      String q = "select c.id, c.version from channel c where c.app_id = ? and c.name = ?";
      Ch source = Sql.one(c, q, row, appId, from)
          .orElseThrow(() -> Refusal.notFound("no channel '" + from + "' for app " + appId));
      Ch target = Sql.one(c, q, row, appId, to)
          .orElseThrow(() -> Refusal.notFound("no channel '" + to + "' for app " + appId));
      if (source.version().isEmpty()) {
        throw Refusal.conflict("channel " + from + " points at no package; there is nothing to promote to " + to);
      }
      Version next = source.version().orElseThrow();
      Optional<Version> previous = target.version();
      if (previous.isPresent() && next.compareTo(previous.get()) < 0 && !allowDowngrade) {
        throw Refusal.conflict("promoting " + from + " to " + to + " would move " + to + " back from "
            + previous.get() + " to " + next + "; allow the downgrade to do it");
      }
      Sql.update(c, "update channel set version = ? where id = ?", next, target.id());
      appActivity(c, now(), appId, CHANNEL_PROMOTED, to + ": " + previous.map(Version::toString).orElse("none")
          + " -> " + next + " (from " + from + ")", actor);
      return new Promotion(to, next, previous);
    });
  }

  /**
   * Makes {@code version} a required stop on the channel, for every board (a machine whose board
   * has no package of it waits). The app must have a package of the version for some board.
   */
  public void addFloor(String appId, String channel, Version version, String reason) {
    inTransaction(tx -> {
      Connection c = tx.connection();
      long channelId = channelId(c, appId, channel);
      requirePackage(c, appId, version);
      Sql.update(c, "insert into channel_floor (channel_id, version, reason) values (?, ?, ?)"
          + " on conflict (channel_id, version) do update set reason = excluded.reason", channelId, version,
          reason == null ? "" : reason);
      return null;
    });
  }

  /** Never offer {@code version} on the channel. */
  public void addBlacklist(String appId, String channel, Version version) {
    inTransaction(tx -> {
      Connection c = tx.connection();
      long channelId = channelId(c, appId, channel);
      Sql.update(c, "insert into channel_blacklist (channel_id, version) values (?, ?)"
          + " on conflict (channel_id, version) do nothing", channelId, version);
      return null;
    });
  }

  /**
   * Creates the group, or sets its channel and policy when it exists; answers its id. Turning
   * updates on clears a pause and its reason. Durations must be whole seconds.
   */
  public long upsertGroup(String appId, String name, String channel, Policy policy) {
    return upsertGroup(appId, name, channel, policy, DEFAULT_ACTOR);
  }

  /** As {@link #upsertGroup(String, String, String, Policy)}, recorded as done by {@code actor}. */
  public long upsertGroup(String appId, String name, String channel, Policy policy, String actor) {
    return writeGroup(appId, name, channel, policy, actor, false);
  }

  /**
   * A new group following {@code channel}; answers its id.
   *
   * @throws Refusal conflict when the app has a group of that name
   */
  public long createGroup(String appId, String name, String channel, Policy policy, String actor) {
    requireName("group name", name);
    return writeGroup(appId, name, channel, policy, actor, true);
  }

  private long writeGroup(String appId, String name, String channel, Policy policy, String actor, boolean mustBeNew) {
    wholeSeconds("period", policy.period());
    wholeSeconds("update timeout", policy.updateTimeout());
    return inTransaction(tx -> {
      Connection c = tx.connection();
      long channelId = channelId(c, appId, channel);
      boolean exists = Sql.one(c, "select 1 from grp where app_id = ? and name = ?", r -> true, appId, name)
          .isPresent();
      if (exists && mustBeNew) {
        throw Refusal.conflict("group '" + name + "' already exists");
      }
      boolean wasOff = exists && Sql.one(c, "select updates_enabled from grp where app_id = ? and name = ?",
          r -> r.getInt(1) == 0, appId, name).orElse(false);
      long longest = Sql.one(c, "select coalesce(max(period_seconds), 0) from grp", r -> r.getLong(1)).orElse(0L);
      Instant at = now();
      List<Object> args = new ArrayList<>(List.of(appId, name, channelId));
      args.addAll(policyArgs(policy));
      args.add(at);
      StringBuilder set = new StringBuilder("channel_id = excluded.channel_id");
      for (String col : POLICY_COLUMNS.split(", ")) {
        set.append(", ").append(col).append(" = excluded.").append(col);
      }
      Sql.update(c, "insert into grp (app_id, name, channel_id, " + POLICY_COLUMNS + ") values (?, ?, ?, "
          + POLICY_PARAMS + ") on conflict (app_id, name) do update set " + set
          + ", paused_reason = case when excluded.updates_enabled = 1 then null else grp.paused_reason end"
          + ", paused_at = case when excluded.updates_enabled = 1 then null else grp.paused_at end"
          + ", resumed_at = case when excluded.updates_enabled = 1 and grp.updates_enabled = 0 then ?"
          + " else grp.resumed_at end"
          + ", brake_events_after = case when excluded.updates_enabled = 1 and grp.updates_enabled = 0"
          + " then (select coalesce(max(id), 0) from event) else grp.brake_events_after end", args.toArray());
      long id = Sql.one(c, "select id from grp where app_id = ? and name = ?", r -> r.getLong(1), appId, name)
          .orElseThrow();
      if (wasOff && policy.updatesEnabled()) {
        KeptCounts.resumed(c, appId, name);
      }
      if (policy.period().getSeconds() > Math.max(longest, KeptCounts.KEPT_AT_LEAST.getSeconds())) {
        // Grants older than the longest period may have been pruned: count this track's again.
        KeptCounts.rebuildGrants(c, appId, name);
      }
      SqlTx.activity(c, at, id, null, GROUP_POLICY, "group " + name + (exists ? " updated" : " created")
          + ", following channel " + channel + (policy.updatesEnabled() ? "" : ", updates off"), actor);
      return id;
    });
  }

  /**
   * Turns the group's updates off by hand, with {@code reason} (or "paused by ACTOR" when null).
   *
   * @throws Refusal not found for an unknown group
   */
  public void pauseGroup(String appId, String name, String reason, String actor) {
    inTransaction(tx -> {
      Connection c = tx.connection();
      long id = groupId(c, appId, name);
      String why = reason == null || reason.isBlank() ? "paused by " + actor : reason;
      Instant at = now();
      Sql.update(c, "update grp set updates_enabled = 0, paused_reason = ?, paused_at = ? where id = ?", why, at, id);
      SqlTx.activity(c, at, id, null, GROUP_PAUSED, "group " + name + " paused: " + why, actor);
      return null;
    });
  }

  /**
   * Turns the group's updates on again and clears the pause. The failure brake then counts only
   * failures reported after this moment, so the failures that paused the group do not pause it
   * again. Resuming a group that is not paused changes nothing.
   *
   * @throws Refusal not found for an unknown group
   */
  public void resumeGroup(String appId, String name, String actor) {
    inTransaction(tx -> {
      Connection c = tx.connection();
      long id = groupId(c, appId, name);
      Instant at = now();
      if (Sql.update(c, "update grp set updates_enabled = 1, paused_reason = null, paused_at = null, resumed_at = ?,"
          + " brake_events_after = (select coalesce(max(id), 0) from event) where id = ? and updates_enabled = 0",
          at, id) > 0) {
        KeptCounts.resumed(c, appId, name);
        SqlTx.activity(c, at, id, null, GROUP_RESUMED, "group " + name + " resumed", actor);
      }
      return null;
    });
  }

  /**
   * The group's machines counted per (reported version, status), as kept (instance_tally): the
   * same cost at a million machines as at ten.
   */
  public List<Rollout.Count> rolloutCounts(String appId, String group) {
    return read(c -> KeptCounts.rollout(c, appId, group));
  }

  /**
   * The group's kept counts beside a recount of them from the instance and event tables, for the
   * grants since {@code since} and the failures and grants of {@code target}: the consistency
   * check. The recount reads every grant of the group, so it costs what the kept counts save.
   *
   * @throws Refusal not found for an unknown group
   */
  public CountCheck checkCounts(String appId, String group, Instant since, Version target) {
    return read(c -> {
      long id = groupId(c, appId, group);
      return KeptCounts.check(c, id, since, target);
    });
  }

  /** The kept counts and the recount of them; {@link #consistent} when they agree. */
  public record CountCheck(dev.cairn.omaha.UpdatePolicy.GroupStats kept,
      dev.cairn.omaha.UpdatePolicy.GroupStats recounted, List<Rollout.Count> keptRollout,
      List<Rollout.Count> recountedRollout) {
    public boolean consistent() {
      return kept.equals(recounted) && keptRollout.equals(recountedRollout);
    }
  }

  /** The group as a check sees it. */
  public Optional<GroupRecord> group(String appId, String name) {
    return read(c -> SqlTx.group(c, "g.app_id = ? and g.name = ?", appId, name));
  }

  /** Why and when the group's updates were paused, when they are. */
  public Optional<Pause> pause(String appId, String name) {
    return read(c -> Sql.one(c, "select paused_reason, paused_at from grp where app_id = ? and name = ?"
        + " and updates_enabled = 0", r -> new Pause(Optional.ofNullable(r.getString(1)), Sql.instant(r, "paused_at")),
        appId, name));
  }

  /** A paused group's reason and time; both empty when an operator turned updates off without one. */
  public record Pause(Optional<String> reason, Optional<Instant> at) {}

  /** An app as the admin API lists it. */
  public record AppInfo(String id, String name, String board) {}

  /** A channel and the version it serves, if any. */
  public record ChannelInfo(String name, Optional<Version> version) {}

  public List<AppInfo> listApps() {
    return read(c -> Sql.list(c, "select id, name, board from app order by id",
        r -> new AppInfo(r.getString(1), r.getString(2), r.getString(3))));
  }

  public List<ChannelInfo> listChannels(String appId) {
    return read(c -> Sql.list(c, "select c.name, c.version from channel c"
        + " where c.app_id = ? order by c.name", r -> new ChannelInfo(r.getString(1),
            Optional.ofNullable(r.getString(2)).map(Version::parse)), appId));
  }

  public List<Package> listPackages(String appId) {
    return read(c -> Sql.list(c, "select " + Sql.PACKAGE_COLUMNS + " from package p where p.app_id = ?"
        + " order by p.created_at, p.id", Sql::pkg, appId));
  }

  public List<String> listGroups(String appId) {
    return read(c -> Sql.list(c, "select name from grp where app_id = ? order by name", r -> r.getString(1), appId));
  }

  /** The app's instances, most recently checked first; {@code track} null lists every track. */
  public List<InstanceRecord> listInstances(String appId, String track, int limit) {
    return listInstances(appId, track, null, null, limit);
  }

  /**
   * As {@link #listInstances(String, String, int)}, also filtered by status and by the version
   * the machine reports when those are not null.
   */
  public List<InstanceRecord> listInstances(String appId, String track, Model.InstanceStatus status, Version version,
      int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    String v = version == null ? null : version.toString();
    return read(c -> Sql.list(c, "select " + Sql.INSTANCE_COLUMNS + " from instance where app_id = ?"
        + " and (cast(? as text) is null or track = ?) and (cast(? as text) is null or status = ?)"
        + " and (cast(? as text) is null or version = ?)"
        + " order by last_check desc nulls last, machine_id limit ?", Sql::instance,
        appId, track, track, status, status, v, v, limit));
  }

  /** One machine's record, if it ever checked in. */
  public Optional<InstanceRecord> instance(String appId, String machineId) {
    return read(c -> Sql.one(c, "select " + Sql.INSTANCE_COLUMNS + " from instance where app_id = ? and machine_id = ?",
        Sql::instance, appId, machineId));
  }

  /** The machine's state changes, oldest first. */
  public List<HistoryRecord> instanceHistory(String appId, String machineId) {
    return read(c -> Sql.list(c, "select * from instance_history where app_id = ? and machine_id = ? order by id",
        Sql::history, appId, machineId));
  }

  /** The machine's events, oldest first. Versions that parse are kept in their normal form. */
  public List<EventRecord> events(String appId, String machineId) {
    return read(c -> Sql.list(c, "select * from event where app_id = ? and machine_id = ? order by id",
        Sql::event, appId, machineId));
  }

  /** One line of the activity log. */
  public record Activity(long id, Instant at, String appId, Optional<Long> groupId, Optional<String> machineId,
      String kind, String message, String actor) {}

  /** The latest {@code limit} lines of the activity log, newest first. */
  public List<Activity> activity(int limit) {
    return activity(limit, null, null);
  }

  /**
   * As {@link #activity(int)}, only lines at or after {@code since} and made by {@code actor}
   * when those are not null.
   */
  public List<Activity> activity(int limit, Instant since, String actor) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    return read(c -> Sql.list(c, "select * from activity where (cast(? as bigint) is null or at >= ?)"
        + " and (cast(? as text) is null or actor = ?)"
        + " order by id desc limit ?", r -> new Activity(r.getLong("id"),
        Instant.ofEpochMilli(r.getLong("at")), r.getString("app_id"), Sql.optionalLong(r, "group_id"),
        Optional.ofNullable(r.getString("machine_id")), r.getString("kind"), r.getString("message"),
        r.getString("actor")), since, since, actor, actor, limit));
  }

  // ---- hosted payloads, installer images (the admin API's uploads and the public file routes) ----

  /** A package with where Cairn keeps its payload (empty when hosted elsewhere) and who signed it. */
  public record PackageRow(String appId, Package pkg, Optional<String> storedPath, Optional<String> signedBy,
      Optional<String> signature) {}

  /** An installer image of a release; {@code storedPath} is relative to the data directory. */
  public record ImageRow(String appId, Version version, String board, String name, long size, String sha256Hex,
      Optional<String> signedBy, String storedPath, Instant createdAt) {}

  /**
   * As {@link #createPackage(String, Package, String)}, with where its payload lies, who signed it
   * and who made the change; a package that exists already is an IllegalStateException (409).
   */
  public long createPackage(String appId, Package pkg, String signature, String signedBy, String storedPath,
      String actor) {
    return inTransaction(tx -> {
      Connection c = tx.connection();
      requireApp(c, appId);
      if (Sql.one(c, "select 1 from package where app_id = ? and board = ? and version = ?", r -> true, appId,
          pkg.board(), pkg.version()).isPresent()) {
        throw new IllegalStateException("app " + appId + " already has a package " + pkg.version() + " for board "
            + pkg.board());
      }
      Instant at = now();
      long id = Sql.insert(c, "insert into package (app_id, version, board, name, size, sha1, sha256, base_url,"
          + " signature, created_at, signed_by, stored_path) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", appId,
          pkg.version(), pkg.board(), pkg.name(), pkg.size(), pkg.sha1Base64(), pkg.sha256Base64(), pkg.baseUrl(),
          signature, at, signedBy, storedPath);
      appActivity(c, at, appId, PACKAGE_CREATED, "package " + pkg.version() + " for " + pkg.board() + " added"
          + (storedPath != null ? ", hosted here" : "") + (signedBy != null ? ", signed by " + signedBy : ", unsigned"),
          actor);
      return id;
    });
  }

  private static PackageRow packageRow(ResultSet r) throws SQLException {
    return new PackageRow(r.getString("app_id"), Sql.pkg(r), Optional.ofNullable(r.getString("stored_path")),
        Optional.ofNullable(r.getString("signed_by")), Optional.ofNullable(r.getString("signature")));
  }

  private static final String PACKAGE_ROW = "select p.app_id, " + Sql.PACKAGE_COLUMNS
      + ", p.stored_path, p.signed_by, p.signature from package p";

  public List<PackageRow> listPackageRows(String appId) {
    return read(c -> Sql.list(c, PACKAGE_ROW + " where p.app_id = ? order by p.created_at, p.id",
        SqlStore::packageRow, appId));
  }

  public Optional<PackageRow> packageRow(String appId, String board, Version version) {
    return read(c -> Sql.one(c, PACKAGE_ROW + " where p.app_id = ? and p.board = ? and p.version = ?",
        SqlStore::packageRow, appId, board, version));
  }

  /**
   * The hosted package of the app whose {@link Model#appKey key} is {@code appKey}, for
   * {@code board} of {@code version}, whose payload is named {@code name}.
   */
  public Optional<PackageRow> hostedPackage(String appKey, String board, Version version, String name) {
    return read(c -> Sql.one(c, PACKAGE_ROW + " where p.app_id in (?, ?) and p.board = ? and p.version = ?"
        + " and p.name = ? and p.stored_path is not null", SqlStore::packageRow, "{" + appKey + "}", appKey, board,
        version, name));
  }

  /** The oldest app first; among one app's packages, the oldest first. */
  private String oldestAppFirst() {
    return " order by (select a.created_at from app a where a.id = p.app_id),"
        + " (select " + dialect.appInsertOrder("a") + " from app a where a.id = p.app_id), p.id limit 1";
  }

  /**
   * The hosted package for {@code board} of {@code version} whose payload is named {@code name},
   * of the oldest app that has one: the URLs given out before the app was part of them.
   */
  public Optional<PackageRow> hostedPackage(String board, Version version, String name) {
    return read(c -> Sql.one(c, PACKAGE_ROW + " where p.board = ? and p.version = ? and p.name = ?"
        + " and p.stored_path is not null" + oldestAppFirst(), SqlStore::packageRow, board, version, name));
  }

  /**
   * The hosted package of {@code version} whose payload is named {@code name}, of the oldest app
   * (and its oldest board) that has one: the URLs given out before the board was part of them.
   */
  public Optional<PackageRow> hostedPackage(Version version, String name) {
    return read(c -> Sql.one(c, PACKAGE_ROW + " where p.version = ? and p.name = ? and p.stored_path is not null"
        + oldestAppFirst(), SqlStore::packageRow, version, name));
  }

  /**
   * Deletes the package; answers the row it was. Refused with an IllegalStateException while a
   * channel points at it or requires it as a floor.
   */
  public PackageRow deletePackage(String appId, String board, Version version, String actor) {
    return inTransaction(tx -> {
      Connection c = tx.connection();
      requireApp(c, appId);
      PackageRow row = Sql.one(c, PACKAGE_ROW + " where p.app_id = ? and p.board = ? and p.version = ?",
          SqlStore::packageRow, appId, board, version).orElseThrow(() -> new java.util.NoSuchElementException(
              "app " + appId + " has no package " + version + " for board " + board));
      // a channel serves the version to every board: deleting one board's package would strand its machines
      Optional<String> pointing = Sql.one(c, "select name from channel where app_id = ? and version = ?"
          + " order by name limit 1", r -> r.getString(1), appId, version);
      if (pointing.isPresent()) {
        throw new IllegalStateException("channel " + pointing.get() + " points at " + version
            + "; point it elsewhere first");
      }
      Optional<String> floor = Sql.one(c, "select c.name from channel_floor f join channel c on c.id = f.channel_id"
          + " where c.app_id = ? and f.version = ? order by c.name limit 1", r -> r.getString(1), appId, version);
      if (floor.isPresent()) {
        throw new IllegalStateException("channel " + floor.get() + " requires " + version
            + " as a floor; remove the floor first");
      }
      Sql.update(c, "delete from package where app_id = ? and board = ? and version = ?", appId, board, version);
      appActivity(c, now(), appId, "package.deleted", "package " + version + " for " + board + " deleted", actor);
      return row;
    });
  }

  /** A new installer image; IllegalStateException when the release has one of that name already. */
  public void createImage(ImageRow image, String actor) {
    inTransaction(tx -> {
      Connection c = tx.connection();
      requireApp(c, image.appId());
      if (Sql.one(c, "select 1 from image where app_id = ? and board = ? and version = ? and name = ?", r -> true,
          image.appId(), image.board(), image.version(), image.name()).isPresent()) {
        throw new IllegalStateException("release " + image.version() + " for " + image.board()
            + " already has an image " + image.name());
      }
      Sql.update(c, "insert into image (app_id, version, board, name, size, sha256, signed_by, stored_path, created_at)"
          + " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", image.appId(), image.version(), image.board(), image.name(),
          image.size(), image.sha256Hex(), image.signedBy().orElse(null), image.storedPath(), image.createdAt());
      appActivity(c, image.createdAt(), image.appId(), "image.added", "image " + image.name() + " of "
          + image.version() + " for " + image.board() + " added", actor);
      return null;
    });
  }

  private static ImageRow imageRow(ResultSet r) throws SQLException {
    return new ImageRow(r.getString("app_id"), Version.parse(r.getString("version")), r.getString("board"),
        r.getString("name"), r.getLong("size"), r.getString("sha256"), Optional.ofNullable(r.getString("signed_by")),
        r.getString("stored_path"), Instant.ofEpochMilli(r.getLong("created_at")));
  }

  public List<ImageRow> listImages(String appId) {
    return read(c -> Sql.list(c, "select * from image where app_id = ? order by created_at, id", SqlStore::imageRow,
        appId));
  }

  public Optional<ImageRow> image(String appId, String board, Version version, String name) {
    return read(c -> Sql.one(c, "select * from image where app_id = ? and board = ? and version = ? and name = ?",
        SqlStore::imageRow, appId, board, version, name));
  }

  /** The version the app's channel serves, when {@code board} has a package of it. */
  public Optional<Version> channelVersion(String appId, String channel, String board) {
    return read(c -> Sql.one(c, "select c.version from channel c where c.app_id = ? and c.name = ?"
        + " and exists (select 1 from package p where p.app_id = c.app_id and p.board = ? and p.version = c.version)",
        r -> Version.parse(r.getString(1)), appId, channel, board));
  }

  /** A line of the activity log about the app that no other change writes (trusted keys). */
  public void recordActivity(String appId, String kind, String message, String actor) {
    inTransaction(tx -> {
      appActivity(tx.connection(), now(), appId, kind, message, actor);
      return null;
    });
  }

  // ---- the machine inventory: the boot server's requests ----

  /**
   * The most sightings that may wait for their commit at once. Past it {@link #recordMachine}
   * drops the new one (its future fails at once) rather than queue without bound while the
   * database is slow: the boot server never waits for the inventory, and never runs out of memory
   * for it.
   */
  public static final int MAX_PENDING_SIGHTINGS = 10_000;

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final com.fasterxml.jackson.core.type.TypeReference<TreeMap<String, String>> LABELS =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};
  private static final com.fasterxml.jackson.core.type.TypeReference<List<String>> NAMES =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};

  private final java.util.concurrent.atomic.AtomicInteger pendingSightings =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * A machine of the inventory: when it was first and last seen, how many requests it made, every
   * label it has sent (the latest value of each, at most {@link MachineSighting#MAX_LABELS}), and
   * of its latest request the address, group, profile (null when none matched), endpoint and
   * outcome. {@code truncated} names what is stored cut, as {@link MachineSighting.Kept} does.
   */
  public record MachineRow(String key, Instant firstSeen, Instant lastSeen, long requests, Map<String, String> labels,
      String address, String group, String profile, String lastEndpoint, String lastOutcome, List<String> truncated,
      Install install) {
    public MachineRow {
      labels = Collections.unmodifiableMap(new TreeMap<>(labels));
      truncated = List.copyOf(truncated);
    }

    /** A machine not recorded installed. */
    public MachineRow(String key, Instant firstSeen, Instant lastSeen, long requests, Map<String, String> labels,
        String address, String group, String profile, String lastEndpoint, String lastOutcome, List<String> truncated) {
      this(key, firstSeen, lastSeen, requests, labels, address, group, profile, lastEndpoint, lastOutcome, truncated,
          null);
    }
  }

  // ---- install-once: the machines recorded installed ----

  /** A machine recorded installed ({@code POST /installed}): its key, when, and the profile it installed. */
  public record Install(String key, Instant at, String profile) {}

  /** Every machine recorded installed, by key: read at open, changed with the database (under its own lock). */
  private final Map<String, Install> installs = new java.util.concurrent.ConcurrentHashMap<>();

  /** The database's generation of the install marks when {@link #installs} was last read (PostgreSQL). */
  private volatile long installsGeneration = -1;

  private void loadInstalls() {
    synchronized (installs) {
      record Read(long generation, List<Install> marks) {}
      Read r = read(c -> new Read(dialect == Dialect.POSTGRESQL ? installsGeneration(c) : 0,
          Sql.list(c, "select * from machine_install", SqlStore::install)));
      Map<String, Install> now = new java.util.HashMap<>();
      r.marks().forEach(i -> now.put(i.key(), i));
      installs.keySet().retainAll(now.keySet());
      installs.putAll(now);
      installsGeneration = r.generation();
    }
  }

  /** Tells the other replicas to read the marks again (PostgreSQL). */
  private void installsChanged(Connection c) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      Sql.update(c, "update cache_generation set n = n + 1 where name = 'installs'");
    }
  }

  private static long installsGeneration(Connection c) throws SQLException {
    return Sql.one(c, "select n from cache_generation where name = 'installs'", r -> r.getLong(1)).orElse(0L);
  }

  /**
   * On PostgreSQL another replica may mark or clear a machine: the marks are read again when the
   * database's {@code installs} generation moved, looked at every {@link #INSTALLS_POLL}. The boot
   * server asks {@link #installed} on its I/O threads, so the marks stay in memory.
   */
  static final Duration INSTALLS_POLL = Duration.ofMillis(500);

  private void followInstalls() {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(INSTALLS_POLL.toMillis());
          long n = read(SqlStore::installsGeneration);
          if (n != installsGeneration) {
            loadInstalls();
          }
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          if (e instanceof IllegalStateException && !healthy()) {
            return;      // closed
          }
          LOG.warning(where() + ": cannot read the install marks again: " + e.getMessage());
        }
      }
    }, "cairn-install-marks");
    t.setDaemon(true);
    t.start();
    installsFollower = t;
  }

  private volatile Thread installsFollower;

  private static Install install(ResultSet r) throws SQLException {
    return new Install(r.getString("machine_key"), Instant.ofEpochMilli(r.getLong("installed_at")),
        r.getString("installed_profile"));
  }

  /**
   * The mark of the machine {@code key} (in any form {@link MachineSighting#normalKey} takes), from
   * memory: never touches the database, so the boot server asks it on its I/O threads.
   */
  public Optional<Install> installed(String key) {
    return Optional.ofNullable(installs.get(MachineSighting.normalKey(key)));
  }

  /**
   * Records the machine {@code key} installed with {@code profile} now (replacing an earlier mark),
   * with a line in the activity log naming {@code address}; the machine need not be in the inventory
   * yet. Waits for the commit.
   */
  public Install recordInstall(String key, String profile, String address) {
    Install i = new Install(MachineSighting.normalKey(key), now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), profile);
    synchronized (installs) {
      inTransaction(tx -> {
        Connection c = tx.connection();
        Sql.update(c, "insert into machine_install (machine_key, installed_at, installed_profile) values (?, ?, ?)"
            + " on conflict (machine_key) do update set installed_at = excluded.installed_at,"
            + " installed_profile = excluded.installed_profile", i.key(), i.at(), i.profile());
        installsChanged(c);
        machineActivity(c, i.at(), i.key(), MACHINE_INSTALLED, "machine " + ControlChars.escape(i.key())
            + " installed (profile " + i.profile() + "), reported from " + ControlChars.escape(address), SERVER_ACTOR);
        return null;
      });
      installs.put(i.key(), i);
    }
    return i;
  }

  /**
   * Clears the install mark of machine {@code key}, so its next network boot installs again; the
   * mark it had, or empty when it had none. Refusal (not found) when the machine is neither in the
   * inventory nor marked.
   */
  public Optional<Install> reinstall(String key, String actor) {
    String k = MachineSighting.normalKey(key);
    synchronized (installs) {
      Optional<Install> was = inTransaction(tx -> {
        Connection c = tx.connection();
        Optional<Install> old = Sql.one(c, "select * from machine_install where machine_key = ?", SqlStore::install,
            k);
        if (old.isEmpty() && Sql.one(c, "select 1 from machine where machine_key = ?", r -> 1, k).isEmpty()) {
          throw Refusal.notFound("no machine '" + ControlChars.escape(k) + "' in the inventory");
        }
        Sql.update(c, "delete from machine_install where machine_key = ?", k);
        installsChanged(c);
        machineActivity(c, now(), k, MACHINE_REINSTALL, "machine " + ControlChars.escape(k) + old.map(
            o -> " install mark cleared (installed " + o.at() + ", profile " + o.profile() + ")")
            .orElse(" was not marked installed") + ": its next network boot installs", actor);
        return old;
      });
      installs.remove(k);
      return was;
    }
  }

  /** A line of the activity log about a machine of the inventory, under the CoreOS app (none without it). */
  private static void machineActivity(Connection c, Instant at, String key, String kind, String message, String actor)
      throws SQLException {
    Sql.update(c, "insert into activity (at, app_id, machine_id, kind, message, actor) select ?, id, ?, ?, ?, ?"
        + " from app where id = ?", at, key, kind, message, actor, dev.cairn.omaha.Model.COREOS_APP_ID);
  }

  /**
   * Records one request of a machine without waiting for it: the machine's row is created or
   * brought up to date (first seen kept, last seen and the latest request's fields replaced,
   * labels merged, the request counted) in the next group commit, beside the update checks. The
   * sighting is cut to what the inventory keeps ({@link MachineSighting#kept()}) on the calling
   * thread; nothing else runs there.
   *
   * <p>A sighting that arrives after a later one of the same machine (two request threads racing)
   * still counts and may lower first seen, but changes neither last seen nor the fields of the
   * latest request, and its labels do not replace newer values.
   *
   * @return completes once the row is committed; fails with an {@link UncheckedIOException}
   *     naming the file when the database fails, or with an {@link IllegalStateException} when
   *     the store is closed or {@link #MAX_PENDING_SIGHTINGS} sightings wait already (this one is
   *     dropped). It never throws: a caller that does not care may ignore it.
   */
  public java.util.concurrent.CompletableFuture<Void> recordMachine(MachineSighting sighting) {
    return recordMachine(sighting, 1);
  }

  /**
   * As {@link #recordMachine(MachineSighting)}, for {@code requests} requests of the machine of
   * which {@code sighting} is the latest: the machine's count grows by {@code requests}. The boot
   * server records a machine's repeated requests so, a few seconds at a time, instead of one write
   * each. A count below 1 fails the future with an IllegalArgumentException.
   */
  public java.util.concurrent.CompletableFuture<Void> recordMachine(MachineSighting sighting, long requests) {
    return recordMachine(sighting, requests, false);
  }

  /**
   * Records {@code requests} requests of a machine that each repeat the one last recorded for it
   * ({@code sighting} is the latest of them): its count grows by {@code requests} and its last seen
   * moves to the sighting's time when that is later; nothing else is read or written, so this costs
   * far less than {@link #recordMachine(MachineSighting, long)}. A machine without a row is recorded
   * in full, as by that method. The boot server writes a machine's repeated requests so, a few
   * seconds at a time. Fails, and never throws, as {@link #recordMachine(MachineSighting)} does.
   */
  public java.util.concurrent.CompletableFuture<Void> recordRepeats(MachineSighting sighting, long requests) {
    return recordMachine(sighting, requests, true);
  }

  private java.util.concurrent.CompletableFuture<Void> recordMachine(MachineSighting sighting, long requests,
      boolean repeats) {
    if (requests < 1) {
      return java.util.concurrent.CompletableFuture.failedFuture(new IllegalArgumentException(
          "a sighting stands for at least 1 request, got " + requests));
    }
    MachineSighting.Kept kept;
    try {
      kept = sighting.kept();
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    if (pendingSightings.incrementAndGet() > MAX_PENDING_SIGHTINGS) {
      pendingSightings.decrementAndGet();
      return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(where() + ": "
          + MAX_PENDING_SIGHTINGS + " machine sightings wait for the database already; the sighting of "
          + ControlChars.escape(sighting.machineKey()) + " is dropped"));
    }
    java.util.concurrent.CompletableFuture<Void> done = submit(tx -> {
      try {
        Connection c = ((SqlTx) tx).connection();
        if (!repeats || Sql.update(c, countRepeats(), requests, kept.sighting().at(), kept.sighting().machineKey()) == 0) {
          saveMachine(c, kept, requests);
        }
      } catch (SQLException e) {
        throw new SqlTx.Failure(e);
      }
      return null;
    });
    done.whenComplete((r, e) -> pendingSightings.decrementAndGet());
    return done;
  }

  /** What merging a sighting into a machine's row needs of it. */
  private record Stored(Instant lastSeen, Map<String, String> labels, List<String> truncated) {}

  private void saveMachine(Connection c, MachineSighting.Kept kept, long requests) throws SQLException {
    MachineSighting s = kept.sighting();
    Optional<Stored> old = Sql.one(c, "select last_seen, labels, truncated from machine where machine_key = ?"
        + dialect.forUpdate(),
        r -> new Stored(Instant.ofEpochMilli(r.getLong(1)), labels(s.machineKey(), r.getString(2)),
            names(s.machineKey(), r.getString(3))), s.machineKey());
    MachineSighting.Merged m = old.isEmpty() ? new MachineSighting.Merged(s.labels(), kept.truncated())
        : MachineSighting.merge(old.get().labels(), old.get().truncated(), kept,
            !s.at().isBefore(old.get().lastSeen()));
    Sql.update(c, upsertMachine(), s.machineKey(), s.at(), s.at(), requests, json(m.labels()), s.address(), s.group(),
        s.profile(), s.endpoint(), s.outcome(), m.truncated().isEmpty() ? null : json(m.truncated()));
  }

  /** Repeats of a machine's last request: its count and last seen only. */
  private String countRepeats() {
    return "update machine set requests = requests + ?, last_seen = " + dialect.greatest("last_seen", "?")
        + " where machine_key = ?";
  }

  /**
   * One machine's row created, or brought up to date: the fields of the latest request replaced
   * only by a request no older than the last one seen.
   */
  private String upsertMachine() {
    return "insert into machine (machine_key, first_seen, last_seen, requests,"
      + " labels, address, group_name, profile, last_endpoint, last_outcome, truncated)"
      + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (machine_key) do update set"
      + " first_seen = " + dialect.least("machine.first_seen", "excluded.first_seen") + ", requests = machine.requests + excluded.requests,"
      + " labels = excluded.labels, truncated = excluded.truncated"
      + List.of("address", "group_name", "profile", "last_endpoint", "last_outcome").stream()
          .map(col -> ", " + col + " = case when excluded.last_seen >= machine.last_seen then excluded." + col
              + " else machine." + col + " end").collect(java.util.stream.Collectors.joining())
      + ", last_seen = " + dialect.greatest("machine.last_seen", "excluded.last_seen");
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);     // maps and lists of strings always serialize
    }
  }

  private static Map<String, String> labels(String key, String text) throws SQLException {
    try {
      return JSON.readValue(text, LABELS);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SQLException("machine " + ControlChars.escape(key) + ": labels are not a JSON object of strings: "
          + e.getOriginalMessage(), e);
    }
  }

  private static List<String> names(String key, String text) throws SQLException {
    if (text == null) {
      return List.of();
    }
    try {
      return JSON.readValue(text, NAMES);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SQLException("machine " + ControlChars.escape(key) + ": truncated is not a JSON array of strings: "
          + e.getOriginalMessage(), e);
    }
  }

  private static MachineRow machineRow(ResultSet r) throws SQLException {
    String key = r.getString("machine_key");
    return new MachineRow(key, Instant.ofEpochMilli(r.getLong("first_seen")),
        Instant.ofEpochMilli(r.getLong("last_seen")), r.getLong("requests"), labels(key, r.getString("labels")),
        r.getString("address"), r.getString("group_name"),
        r.getString("profile"), r.getString("last_endpoint"), r.getString("last_outcome"),
        names(key, r.getString("truncated")), r.getObject("installed_at") == null ? null
            : new Install(key, Instant.ofEpochMilli(r.getLong("installed_at")), r.getString("installed_profile")));
  }

  /**
   * The inventory, most recently seen first (then by key); only the machines whose latest request
   * matched group {@code group} when it is not null.
   */
  public List<MachineRow> listMachines(String group, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, got " + limit);
    }
    return read(c -> group == null
        ? Sql.list(c, MACHINES + " order by last_seen desc, m.machine_key limit ?", SqlStore::machineRow,
            limit)
        : Sql.list(c, MACHINES + " where group_name = ? order by last_seen desc, m.machine_key limit ?",
            SqlStore::machineRow, group, limit));
  }

  /**
   * One machine of the inventory, by its key in any form {@link MachineSighting#normalKey} takes
   * ({@code 52-54-00-12-34-56} finds {@code 52:54:00:12:34:56}).
   */
  public Optional<MachineRow> machine(String key) {
    return read(c -> Sql.one(c, MACHINES + " where m.machine_key = ?", SqlStore::machineRow,
        MachineSighting.normalKey(key)));
  }

  /** The inventory's rows with their install marks. */
  private static final String MACHINES = "select m.*, i.installed_at, i.installed_profile from machine m"
      + " left join machine_install i on i.machine_key = m.machine_key";

  // ---- helpers ----

  private static final String POLICY_COLUMNS = "updates_enabled, max_updates_per_period, period_seconds,"
      + " update_timeout_seconds, rollout_percent, office_hours_days, office_hours_start, office_hours_end,"
      + " office_hours_zone, failure_brake, failure_percent, pinned_version, allow_downgrade, max_reboots";
  private static final String POLICY_PARAMS = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?";

  private static List<Object> policyArgs(Policy p) {
    List<Object> a = new ArrayList<>();
    a.add(p.updatesEnabled());
    a.add(p.maxUpdatesPerPeriod());
    a.add(p.period().getSeconds());
    a.add(p.updateTimeout().getSeconds());
    a.add(p.rolloutPercent());
    a.add(p.officeHours().map(h -> SqlTx.days(h.days())).orElse(null));
    a.add(p.officeHours().map(h -> h.start().toString()).orElse(null));
    a.add(p.officeHours().map(h -> h.end().toString()).orElse(null));
    a.add(p.officeHours().map(h -> h.zone().getId()).orElse(null));
    a.add(p.failureBrake());
    a.add(p.failurePercent());
    a.add(p.pinnedVersion().orElse(null));
    a.add(p.allowDowngrade());
    a.add(p.maxReboots());
    return a;
  }

  private static void wholeSeconds(String what, Duration d) {
    if (d.getNano() != 0) {
      throw new IllegalArgumentException(what + " must be whole seconds, got " + d);
    }
  }

  private Instant now() {
    return clock.instant();
  }

  private static boolean appExists(Connection c, String appId) throws SQLException {
    return Sql.one(c, "select 1 from app where id = ?", r -> true, appId).isPresent();
  }

  private static void requireApp(Connection c, String appId) throws SQLException {
    if (!appExists(c, appId)) {
      throw new IllegalArgumentException("no app " + appId);
    }
  }

  private static long channelId(Connection c, String appId, String channel) throws SQLException {
    requireApp(c, appId);
    return Sql.one(c, "select id from channel where app_id = ? and name = ?", r -> r.getLong(1), appId, channel)
        .orElseThrow(() -> new IllegalArgumentException("app " + appId + " has no channel '" + channel + "'"));
  }

  /** Refuses a version the app has no package of, for any board. */
  private static void requirePackage(Connection c, String appId, Version version) throws SQLException {
    if (Sql.one(c, "select 1 from package where app_id = ? and version = ? limit 1", r -> true, appId, version)
        .isEmpty()) {
      throw new IllegalArgumentException("app " + appId + " has no package " + version);
    }
  }

  private static void appActivity(Connection c, Instant at, String appId, String kind, String message)
      throws SQLException {
    appActivity(c, at, appId, kind, message, DEFAULT_ACTOR);
  }

  private static void appActivity(Connection c, Instant at, String appId, String kind, String message, String actor)
      throws SQLException {
    Sql.update(c, "insert into activity (at, app_id, kind, message, actor) values (?, ?, ?, ?, ?)", at, appId, kind,
        message, actor);
  }

  private static long groupId(Connection c, String appId, String name) throws SQLException {
    return Sql.one(c, "select id from grp where app_id = ? and name = ?", r -> r.getLong(1), appId, name)
        .orElseThrow(() -> Refusal.notFound("no group '" + name + "' for app " + appId));
  }

  private static void requireName(String what, String name) {
    if (name == null || !name.matches(NAME_PATTERN)) {
      throw new IllegalArgumentException(what + " must match " + NAME_PATTERN + ", got '" + name + "'");
    }
  }
}
