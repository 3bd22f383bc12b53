package dev.cairn.omaha.db;

import dev.cairn.omaha.Model.OfficeHours;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.UpdatePolicy;
import dev.cairn.omaha.UpdatePolicy.GroupStats;
import dev.cairn.omaha.Version;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operations of one transaction on the write connection. Valid only while its transaction
 * runs: a Tx kept past it refuses every call.
 */
final class SqlTx implements Store.Tx {
  private final Connection c;
  private final Dialect dialect;
  private final GroupCache cache;
  private GroupCache.Snapshot snapshot;
  private boolean open = true;

  /** A Tx for admin work: nothing is read through the check cache. */
  SqlTx(Connection c, Dialect dialect) {
    this(c, dialect, null);
  }

  /**
   * A Tx for checks: group records and app ids are read through {@code cache} (shared by the
   * store; see {@link GroupCache} for when it is cleared).
   */
  SqlTx(Connection c, Dialect dialect, GroupCache cache) {
    this.c = c;
    this.dialect = dialect;
    this.cache = cache;
  }

  /** The cache's records this unit reads, fixed at its first use; null for admin work. */
  private Map<String, Optional<Store.GroupRecord>> groups() throws SQLException {
    if (cache == null) {
      return null;
    }
    if (snapshot == null) {
      snapshot = dialect == Dialect.SQLITE ? cache.current() : cache.of(generation(c));
    }
    return snapshot.groups();
  }

  /** The database's generation of what checks cache; PostgreSQL only. */
  static long generation(Connection c) throws SQLException {
    return Sql.one(c, "select n from cache_generation where name = 'config'", r -> r.getLong(1)).orElse(0L);
  }

  /** Makes every replica's cached group records stale (PostgreSQL; SQLite clears its only cache itself). */
  static void bumpGeneration(Connection c, Dialect dialect) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      Sql.update(c, "update cache_generation set n = n + 1 where name = 'config'");
    }
  }

  /**
   * Takes the group's row lock (PostgreSQL), held until this unit commits, so that units deciding
   * from the group's counts (grants against its limit, reboot slots) run one after another across
   * every replica. When the group's records changed since this unit read them from the cache, the
   * unit is run again with fresh ones: a decision is never made on a policy another replica
   * changed while this one waited.
   */
  private void lockGroup(long groupId) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      return;      // the whole file is this unit's until it commits
    }
    Sql.one(c, "select id from grp where id = ? for update", r -> r.getLong(1), groupId);
    if (snapshot != null && generation(c) != snapshot.generation()) {
      throw new Retry("group " + groupId + " changed while the check waited for it");
    }
  }

  /**
   * Takes the row locks of the groups whose grant and failure counts since their last resume the
   * change moves (PostgreSQL): a machine granted, or moved between tracks with a grant, and a
   * machine that is new or moves while it has failures that count toward the brake. A resume counts
   * those again under the same lock, so it runs wholly before or after this unit. The first check
   * of a new machine with nothing counted (most of them) takes no group lock, so machines joining
   * a group do not wait for each other.
   */
  private void lockGroupsOfCounts(String appId, String machineId, Optional<KeptCounts.Row> was, KeptCounts.Row now)
      throws SQLException {
    if (dialect == Dialect.SQLITE) {
      return;
    }
    boolean moved = was.isPresent() && !was.get().track().equals(now.track());
    boolean granted = was.isPresent() ? !was.get().grantedAt().equals(now.grantedAt())
        || !was.get().grantedVersion().equals(now.grantedVersion())
        || moved && (now.grantedAt().isPresent() || was.get().grantedAt().isPresent())
        : now.grantedAt().isPresent();
    // No counted failure of this machine can appear meanwhile: counting one takes the machine's lock.
    boolean failures = (was.isEmpty() || moved) && Sql.one(c, "select 1 from event" + dialect.indexedBy("event_by_machine")
        + " where app_id = ? and machine_id = ? and brake = 1 limit 1", r -> true, appId, machineId).isPresent();
    if (!granted && !failures) {
      return;
    }
    java.util.TreeSet<String> tracks = new java.util.TreeSet<>();
    tracks.add(now.track());
    was.ifPresent(w -> tracks.add(w.track()));
    for (String track : tracks) {     // in name order, as every unit takes them
      lockGroupOfTrack(appId, track);
    }
  }

  /** The row lock of the app's group named {@code track}, if there is one (PostgreSQL). */
  private void lockGroupOfTrack(String appId, String track) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      Sql.one(c, "select id from grp where app_id = ? and name = ? for update", r -> r.getLong(1), appId, track);
    }
  }

  /** The machines whose lock this unit holds. */
  private final Set<String> lockedMachines = new java.util.HashSet<>();

  /**
   * Takes the machine's lock (PostgreSQL: an advisory lock for the rest of the transaction), so
   * that every unit reading or writing what one machine did runs after the others across every
   * replica: its instance, its events and the counts they move. A row lock would not do, for a
   * machine seen for the first time has no row yet.
   */
  private void lockMachine(String appId, String machineId) throws SQLException {
    if (dialect == Dialect.SQLITE || !lockedMachines.add(appId + "\0" + machineId)) {
      return;
    }
    Sql.one(c, "select 1 from (select pg_advisory_xact_lock(hashtextextended(?, 0))) l", r -> true,
        appId + "/" + machineId);
  }

  /**
   * A unit that must run again from the start: what it read changed under it (PostgreSQL). The
   * store rolls it back and runs it again.
   */
  static final class Retry extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Retry(String why) {
      super(why, null, false, false);
    }
  }

  void end() {
    open = false;
  }

  Connection connection() {
    check();
    return c;
  }

  private void check() {
    if (!open) {
      throw new IllegalStateException("this transaction has ended; use the Tx only inside its unit of work");
    }
  }

  /** What a Tx method throws for a database failure; the transaction unwraps it. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(SQLException cause) {
      super(cause.getMessage(), cause);
    }

    SQLException sql() {
      return (SQLException) getCause();
    }
  }

  @Override
  public boolean appExists(String appId) {
    check();
    try {
      Map<String, Optional<Store.GroupRecord>> groups = groups();
      if (groups != null && groups.containsKey("app\0" + appId)) {
        return true;
      }
      boolean found = Sql.one(c, "select 1 from app where id = ?", r -> true, appId).isPresent();
      if (found && groups != null) {
        snapshot.put("app\0" + appId, Optional.empty());
      }
      return found;
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  @Override
  public Optional<Store.GroupRecord> group(String appId, String track) {
    check();
    String key = appId + "\0" + track;
    try {
      Map<String, Optional<Store.GroupRecord>> groups = groups();
      if (groups != null) {
        Optional<Store.GroupRecord> cached = groups.get(key);
        if (cached != null) {
          return cached;
        }
      }
      Optional<Store.GroupRecord> g = group(c, "g.app_id = ? and g.name = ?", appId, track);
      if (groups != null) {
        snapshot.put(key, g);
      }
      return g;
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  private static final String GROUP_QUERY = "select g.*, c.name as channel_name, c.version as channel_version,"
      + " a.board as app_board from grp g join channel c on c.id = g.channel_id join app a on a.id = g.app_id where ";

  /**
   * The group with everything its checks need: the version its channel serves, the floors and
   * blacklist, and the packages, for every board, of the channel's version, the pinned version
   * and the floors. Read once per group and kept in the check cache, so a check resolves its
   * board's package with two map lookups.
   */
  static Optional<Store.GroupRecord> group(Connection c, String where, Object... args) throws SQLException {
    record Row(long id, String appId, String name, String channel, long channelId, Optional<Version> channelVersion,
        String board, Policy policy) {}
    Optional<Row> found = Sql.one(c, GROUP_QUERY + where, r -> new Row(r.getLong("id"), r.getString("app_id"),
        r.getString("name"), r.getString("channel_name"), r.getLong("channel_id"),
        Optional.ofNullable(r.getString("channel_version")).map(Version::parse), r.getString("app_board"), policy(r)),
        args);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Row g = found.get();
    List<Package> packages = Sql.list(c, "select " + Sql.PACKAGE_COLUMNS + " from package p where p.app_id = ?"
        + " and (p.version = ? or p.version = ? or p.version in (select version from channel_floor where channel_id = ?))",
        Sql::pkg, g.appId(), g.channelVersion().orElse(null), g.policy().pinnedVersion().orElse(null), g.channelId());
    List<Version> floors = Sql.list(c, "select version from channel_floor where channel_id = ?",
        r -> Version.parse(r.getString(1)), g.channelId());
    List<Version> blacklist = Sql.list(c, "select version from channel_blacklist where channel_id = ?",
        r -> Version.parse(r.getString(1)), g.channelId());
    return Optional.of(new Store.GroupRecord(g.id(), g.appId(), g.name(), g.channel(), new UpdatePolicy.GroupView(
        g.name(), g.policy(), g.board(), g.channelVersion(), floors, Set.copyOf(blacklist),
        UpdatePolicy.GroupView.byBoard(packages))));
  }

  static Policy policy(ResultSet r) throws SQLException {
    Optional<OfficeHours> hours = Optional.empty();
    String days = r.getString("office_hours_days");
    if (days != null) {
      hours = Optional.of(new OfficeHours(days(days), LocalTime.parse(r.getString("office_hours_start")),
          LocalTime.parse(r.getString("office_hours_end")), ZoneId.of(r.getString("office_hours_zone"))));
    }
    String pinned = r.getString("pinned_version");
    return new Policy(r.getInt("updates_enabled") != 0, r.getInt("max_updates_per_period"),
        Duration.ofSeconds(r.getLong("period_seconds")), Duration.ofSeconds(r.getLong("update_timeout_seconds")),
        r.getInt("rollout_percent"), hours, r.getInt("failure_brake"), r.getInt("failure_percent"),
        Optional.ofNullable(pinned).map(Version::parse),
        r.getInt("allow_downgrade") != 0, r.getInt("max_reboots"));
  }

  /** MON,TUE,... in the order of the week. */
  static String days(Set<DayOfWeek> days) {
    return days.stream().sorted().map(d -> d.name().substring(0, 3)).collect(Collectors.joining(","));
  }

  static Set<DayOfWeek> days(String text) {
    Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
    for (String part : text.split(",")) {
      String p = part.trim().toUpperCase(Locale.ROOT);
      DayOfWeek d = Arrays.stream(DayOfWeek.values()).filter(x -> x.name().startsWith(p) && p.length() == 3)
          .findFirst().orElseThrow(() -> new IllegalArgumentException(
              "office hours day must be one of MON,TUE,WED,THU,FRI,SAT,SUN, got '" + part + "'"));
      out.add(d);
    }
    return out;
  }

  /** The instance rows this unit read, so a save that leaves the indexed columns alone can skip them. */
  private final Map<String, Store.InstanceRecord> loaded = new java.util.HashMap<>();
  /** Instances this transaction looked for and found none of. */
  private final Set<String> absent = new java.util.HashSet<>();

  @Override
  public Optional<Store.InstanceRecord> instance(String appId, String machineId) {
    check();
    try {
      // Two checks of one machine on two replicas run one after the other: the second sees what the
      // first wrote.
      lockMachine(appId, machineId);
      Optional<Store.InstanceRecord> r = Sql.one(c, "select " + Sql.INSTANCE_COLUMNS
          + " from instance where app_id = ? and machine_id = ?", Sql::instance, appId, machineId);
      r.ifPresent(i -> loaded.put(appId + "\0" + machineId, i));
      if (r.isEmpty()) {
        absent.add(appId + "\0" + machineId);
      }
      return r;
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  /**
   * Grants of the group since the first parameter, failed updates to the version of the second
   * that count toward the brake, by machines of the group since its updates were last resumed;
   * the third is the group's id. "brake = 1" stays a literal so that the partial index event_brake
   * applies.
   */
  static final String STATS = "select"
      + " (select count(*) from instance i where i.app_id = g.app_id and i.track = g.name and i.granted_at >= ?),"
      + " (select count(*) from event e join instance i on i.app_id = e.app_id and i.machine_id = e.machine_id"
      + "   where e.app_id = g.app_id and e.version = ? and e.brake = 1 and i.track = g.name"
      + "   and e.id > g.brake_events_after)"
      + " from grp g where g.id = ?";

  /** The group's machines granted the version of the first parameter since the group was last resumed. */
  static final String GRANTS_OF_TARGET = "select count(*) from grp g join instance i on i.app_id = g.app_id"
      + " and i.track = g.name and i.granted_at > coalesce(g.resumed_at, 0) where g.id = ? and i.granted_version = ?";

  @Override
  public GroupStats stats(long groupId, Instant since, Version target, int minFailures) {
    check();
    try {
      String[] g = Sql.one(c, "select app_id, name from grp where id = ?", r -> new String[] {r.getString(1),
          r.getString(2)}, groupId).orElseThrow(() -> new IllegalArgumentException("no group with id " + groupId));
      lockGroup(groupId);
      return KeptCounts.stats(c, g[0], g[1], since, target, minFailures);
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void saveInstance(Store.InstanceRecord i) {
    check();
    String key = i.appId() + "\0" + i.machineId();
    Store.InstanceRecord before = loaded.get(key);
    try {
      lockMachine(i.appId(), i.machineId());
      Optional<KeptCounts.Row> was = before != null ? Optional.of(KeptCounts.Row.of(before))
          : absent.contains(key) ? Optional.empty() : KeptCounts.stored(c, i.appId(), i.machineId());
      lockGroupsOfCounts(i.appId(), i.machineId(), was, KeptCounts.Row.of(i));
      write(i, before, was.isEmpty());
      KeptCounts.instanceChanged(c, dialect, i.appId(), i.machineId(), was, KeptCounts.Row.of(i));
    } catch (SQLException e) {
      throw new Failure(e);
    }
    loaded.put(key, i);
    absent.remove(key);
  }

  /** Writes the instance, touching only the indexes whose columns change. */
  private void write(Store.InstanceRecord i, Store.InstanceRecord before, boolean absentBefore) {
    if (absentBefore) {
      // Another replica may have written the machine's first row since this unit looked: then the
      // unit runs again and finds it, so the kept counts change once.
      try {
        if (Sql.update(c, INSERT_INSTANCE + " on conflict (app_id, machine_id) do nothing", values(i)) == 0) {
          throw new Retry("machine " + i.machineId() + " was written by another unit");
        }
        return;
      } catch (SQLException e) {
        throw new Failure(e);
      }
    }
    if (before != null && before.track().equals(i.track()) && before.grantedAt().equals(i.grantedAt())
        && before.version().equals(i.version()) && before.status() == i.status()) {
      // The indexed columns (track, granted_at, version, status) stay: an UPDATE that does not
      // name them leaves their indexes untouched, which halves the pages a routine check writes.
      try {
        Sql.update(c, "update instance set boot_id = ?, oem = ?, oem_version = ?, aleph_version = ?,"
            + " alias = ?, ip = ?, granted_version = ?, last_check = ?, last_hold = ?,"
            + " last_error_code = ?, last_error_flags = ?, truncated = ?, grant_boot_id = ?, progressed = ?"
            + " where app_id = ? and machine_id = ?",
            i.bootId(), i.oem(), i.oemVersion(), i.alephVersion(), i.alias(), i.ip(),
            i.grantedVersion().orElse(null), i.lastCheck().orElse(null), i.lastHold(), i.lastErrorCode(),
            i.lastErrorFlags(), Sql.truncated(i.truncated()), i.grantBootId(), i.progressed(), i.appId(),
            i.machineId());
        return;
      } catch (SQLException e) {
        throw new Failure(e);
      }
    }
    if (before != null && before.track().equals(i.track()) && before.grantedAt().equals(i.grantedAt())) {
      // track and granted_at stay: their index is left untouched.
      try {
        Sql.update(c, "update instance set version = ?, boot_id = ?, oem = ?, oem_version = ?, aleph_version = ?,"
            + " alias = ?, ip = ?, status = ?, granted_version = ?, last_check = ?, last_hold = ?,"
            + " last_error_code = ?, last_error_flags = ?, truncated = ?, grant_boot_id = ?, progressed = ?"
            + " where app_id = ? and machine_id = ?",
            i.version(), i.bootId(), i.oem(), i.oemVersion(), i.alephVersion(), i.alias(), i.ip(), i.status(),
            i.grantedVersion().orElse(null), i.lastCheck().orElse(null), i.lastHold(), i.lastErrorCode(),
            i.lastErrorFlags(), Sql.truncated(i.truncated()), i.grantBootId(), i.progressed(), i.appId(),
            i.machineId());
        return;
      } catch (SQLException e) {
        throw new Failure(e);
      }
    }
    try {
      Sql.update(c, INSERT_INSTANCE + " on conflict (app_id, machine_id) do update set track = excluded.track, version = excluded.version,"
          + " boot_id = excluded.boot_id, oem = excluded.oem, oem_version = excluded.oem_version,"
          + " aleph_version = excluded.aleph_version, alias = excluded.alias, ip = excluded.ip,"
          + " status = excluded.status, granted_version = excluded.granted_version, granted_at = excluded.granted_at,"
          + " last_check = excluded.last_check, last_hold = excluded.last_hold,"
          + " last_error_code = excluded.last_error_code, last_error_flags = excluded.last_error_flags,"
          + " truncated = excluded.truncated, grant_boot_id = excluded.grant_boot_id,"
          + " progressed = excluded.progressed", values(i));
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  private static final String INSERT_INSTANCE = "insert into instance (" + Sql.INSTANCE_COLUMNS + ")"
      + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /** The instance's values in the order of {@link Sql#INSTANCE_COLUMNS}. */
  private static Object[] values(Store.InstanceRecord i) {
    return new Object[] {i.appId(), i.machineId(), i.track(), i.version(), i.bootId(), i.oem(), i.oemVersion(),
        i.alephVersion(), i.alias(), i.ip(), i.status(), i.grantedVersion().orElse(null), i.grantedAt().orElse(null),
        i.lastCheck().orElse(null), i.lastHold(), i.lastErrorCode(), i.lastErrorFlags(), Sql.truncated(i.truncated()),
        i.grantBootId(), i.progressed()};
  }

  @Override
  public void appendEvent(Store.EventRecord e) {
    check();
    try {
      boolean counted = e.brake() && e.result() == 0 && e.version() != null;
      Optional<String> countedIn = Optional.empty();
      if (counted) {
        lockMachine(e.appId(), e.machineId());
        String key = e.appId() + "\0" + e.machineId();
        countedIn = loaded.containsKey(key) ? Optional.of(loaded.get(key).track())
            : absent.contains(key) ? Optional.empty()
            : KeptCounts.stored(c, e.appId(), e.machineId()).map(KeptCounts.Row::track);
        if (countedIn.isPresent()) {
          // Before the event takes its id: a resume of the group (which counts failures after the
          // last event id it sees) then runs wholly before or wholly after this unit.
          lockGroupOfTrack(e.appId(), countedIn.get());
        }
      }
      Sql.update(c, "insert into event (app_id, machine_id, at, type, result, error_code, error_flags,"
          + " previous_version, version, brake) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", e.appId(), e.machineId(),
          e.at(), e.type(), e.result(), e.errorCode(), e.errorFlags(), Sql.versionText(e.previousVersion()),
          Sql.versionText(e.version()), e.brake() && e.result() == 0);
      // A failure from a machine with no instance counts once its instance is written.
      if (countedIn.isPresent()) {
        KeptCounts.failureCounted(c, e.appId(), countedIn.get(), Sql.versionText(e.version()));
      }
    } catch (SQLException x) {
      throw new Failure(x);
    }
  }

  @Override
  public void appendHistory(Store.HistoryRecord h) {
    check();
    try {
      Sql.update(c, "insert into instance_history (app_id, machine_id, at, from_status, to_status, version, detail)"
          + " values (?, ?, ?, ?, ?, ?, ?)", h.appId(), h.machineId(), h.at(), h.from(), h.to(), h.version(),
          h.detail());
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void pauseGroup(long groupId, String reason, Instant at) {
    check();
    try {
      if (cache != null) {
        cache.clear();
      }
      bumpGeneration(c, dialect);
      if (Sql.update(c, "update grp set updates_enabled = 0, paused_reason = ?, paused_at = ? where id = ?",
          reason, at, groupId) == 0) {
        throw new IllegalArgumentException("no group with id " + groupId);
      }
      activity(c, at, groupId, null, SqlStore.GROUP_PAUSED, reason, SqlStore.SERVER_ACTOR);
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  @Override
  public List<dev.cairn.omaha.RebootSlots.Holder> rebootHolders(long groupId) {
    check();
    try {
      lockGroup(groupId);
      return Sql.list(c, "select machine_id, since from reboot_holder where group_id = ? order by since, machine_id",
          r -> new dev.cairn.omaha.RebootSlots.Holder(r.getString(1), Instant.ofEpochMilli(r.getLong(2))), groupId);
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void addRebootHolder(long groupId, String machineId, Instant since) {
    check();
    try {
      Sql.update(c, "insert into reboot_holder (group_id, machine_id, since) values (?, ?, ?)", groupId, machineId,
          since);
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  @Override
  public boolean removeRebootHolder(long groupId, String machineId) {
    check();
    try {
      return Sql.update(c, "delete from reboot_holder where group_id = ? and machine_id = ?", groupId, machineId) > 0;
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  @Override
  public void appendActivity(long groupId, String machineId, String kind, String message, String actor, Instant at) {
    check();
    try {
      activity(c, at, groupId, machineId, kind, message, actor);
    } catch (SQLException e) {
      throw new Failure(e);
    }
  }

  /** An activity row about a group (its app taken from the group). */
  static void activity(Connection c, Instant at, long groupId, String machineId, String kind, String message)
      throws SQLException {
    activity(c, at, groupId, machineId, kind, message, SqlStore.DEFAULT_ACTOR);
  }

  /** As above, made by {@code actor}. */
  static void activity(Connection c, Instant at, long groupId, String machineId, String kind, String message,
      String actor) throws SQLException {
    Sql.update(c, "insert into activity (at, app_id, group_id, machine_id, kind, message, actor)"
        + " select ?, app_id, id, ?, ?, ?, ? from grp where id = ?", at, machineId, kind, message, actor, groupId);
  }
}
