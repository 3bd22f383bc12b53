package dev.cairn.omaha.db;

import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Rollout;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.UpdatePolicy.GroupStats;
import dev.cairn.omaha.Version;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The counts an update decision needs, kept instead of recounted (migration 009): a group's
 * grants in its period (the rate limit), its counted failures of a version and its grants of that
 * version since it was last resumed (the failure brake), and its machines by version and status
 * (the rollout view). Each is changed in the transaction that changes what it counts (an
 * instance's track, grant, granted version, version or status; a counted failure; a resume), so
 * it is exact under concurrency as the recount was, and reading one costs the same however many
 * machines were granted.
 *
 * <p>Every count is keyed by (app, track), as the recount is: a group counts the instances whose
 * track is its name, wherever they came from. {@link #recount} is the recount itself, kept for the
 * consistency check.
 */
final class KeptCounts {
  private KeptCounts() {}

  private static final long SECOND = 1000;
  private static final long MINUTE = 60 * SECOND;
  private static final long HOUR = 60 * MINUTE;
  private static final long[] WIDTHS = {SECOND, MINUTE, HOUR};

  /** What of an instance the counts depend on. */
  record Row(String track, String version, InstanceStatus status, Optional<Instant> grantedAt,
      Optional<String> grantedVersion) {
    static Row of(Store.InstanceRecord i) {
      return new Row(i.track(), i.version(), i.status(), i.grantedAt(), i.grantedVersion().map(Version::toString));
    }
  }

  /** The instance's row as stored, or empty when there is none. */
  static Optional<Row> stored(Connection c, String app, String machine) throws SQLException {
    return Sql.one(c, "select track, version, status, granted_at, granted_version from instance"
        + " where app_id = ? and machine_id = ?", r -> new Row(r.getString(1), r.getString(2),
            Sql.status(r.getString(3)), Sql.instant(r, "granted_at"), Optional.ofNullable(r.getString(5))), app, machine);
  }

  /** How many rows each (version, status) count of a track is spread over on PostgreSQL. */
  static final int SHARDS = 16;

  /**
   * The machine's row of its track's (version, status) count. On PostgreSQL every check that
   * changes a count holds that row's lock until it commits, so a count kept in one row would let
   * machines joining a group (or moving through a rollout) commit only one at a time across every
   * replica: the count is spread over {@link #SHARDS} rows by machine and summed when read. SQLite
   * has one writer anyway and keeps one row. The sums are right whichever row a change lands in.
   */
  static int shard(Dialect d, String machine) {
    return d == Dialect.SQLITE ? 0 : Math.floorMod(machine.hashCode(), SHARDS);
  }

  /** The counts after an instance went from {@code before} (empty: it is new) to {@code after}. */
  static void instanceChanged(Connection c, Dialect d, String app, String machine, Optional<Row> before, Row after)
      throws SQLException {
    if (before.isPresent() && before.get().equals(after)) {
      return;
    }
    Row b = before.orElse(null);
    if (b == null || !b.track().equals(after.track()) || !b.version().equals(after.version())
        || b.status() != after.status()) {
      int shard = shard(d, machine);
      if (b != null) {
        add(c, "instance_tally", "version, status, shard", -1, app, b.track(), b.version(), b.status(), shard);
      }
      add(c, "instance_tally", "version, status, shard", 1, app, after.track(), after.version(), after.status(), shard);
    }
    if (b == null || !b.track().equals(after.track()) || !b.grantedAt().equals(after.grantedAt())) {
      if (b != null && b.grantedAt().isPresent()) {
        grant(c, app, b.track(), b.grantedAt().get(), -1);
      }
      if (after.grantedAt().isPresent()) {
        grant(c, app, after.track(), after.grantedAt().get(), 1);
      }
    }
    Optional<String> was = b == null ? Optional.empty() : target(c, app, b);
    Optional<String> is = target(c, app, after);
    if (b == null || !b.track().equals(after.track()) || !was.equals(is)) {
      if (was.isPresent()) {
        add(c, "target_tally", "version", -1, app, b.track(), was.get());
      }
      if (is.isPresent()) {
        add(c, "target_tally", "version", 1, app, after.track(), is.get());
      }
    }
    if (b == null || !b.track().equals(after.track())) {
      // The failures count by the instance's track now: its counted failures move with it.
      if (b != null) {
        moveFailures(c, d, app, machine, b.track(), -1);
      }
      moveFailures(c, d, app, machine, after.track(), 1);
    }
  }

  /** A counted failure of {@code version} by the machine, whose instance is in {@code track}. */
  static void failureCounted(Connection c, String app, String track, String version) throws SQLException {
    add(c, "failure_tally", "version", 1, app, track, version);
  }

  /**
   * The group of {@code track} was resumed: its failures and grants of a version count from now,
   * so both are counted again over what came after the resume (a range of the event ids and of
   * the grant times, not the whole table).
   */
  static void resumed(Connection c, String app, String track) throws SQLException {
    Sql.update(c, "delete from failure_tally where app_id = ? and track = ?", app, track);
    Sql.update(c, "insert into failure_tally (app_id, track, version, n)"
        + " select e.app_id, i.track, e.version, count(*) from event e"
        + " join instance i on i.app_id = e.app_id and i.machine_id = e.machine_id"
        + " where e.id > (select coalesce(max(brake_events_after), 0) from grp where app_id = ? and name = ?)"
        + " and e.app_id = ? and e.brake = 1 and e.version is not null and i.track = ?"
        + " group by e.app_id, i.track, e.version", app, track, app, track);
    Sql.update(c, "delete from target_tally where app_id = ? and track = ?", app, track);
    Sql.update(c, "insert into target_tally (app_id, track, version, n)"
        + " select app_id, track, granted_version, count(*) from instance"
        + " where app_id = ? and track = ? and granted_version is not null"
        + " and granted_at > (select coalesce(max(resumed_at), 0) from grp where app_id = ? and name = ?)"
        + " group by app_id, track, granted_version", app, track, app, track);
  }

  /** Grants are kept at least this far back, whatever the groups' periods. */
  static final java.time.Duration KEPT_AT_LEAST = java.time.Duration.ofDays(31);

  /**
   * Drops grant tallies no period can reach: older than the longest period of any group (at
   * least {@link #KEPT_AT_LEAST}) and a day. A group given a longer period later has its track's
   * grants counted again ({@link #rebuildGrants}).
   */
  static void prune(Connection c, Instant now) throws SQLException {
    long longest = Sql.one(c, "select coalesce(max(period_seconds), 0) from grp", r -> r.getLong(1)).orElse(0L);
    long horizon = now.toEpochMilli() - Math.max(longest * SECOND, KEPT_AT_LEAST.toMillis()) - 24 * HOUR;
    for (int level = 0; level < WIDTHS.length; level++) {
      Sql.update(c, "delete from grant_tally where level = ? and slot < ?", level,
          Math.floorDiv(horizon, WIDTHS[level]));
    }
  }

  /** The track's grant tallies counted again from its instances. */
  static void rebuildGrants(Connection c, String app, String track) throws SQLException {
    Sql.update(c, "delete from grant_tally where app_id = ? and track = ?", app, track);
    for (int level = 0; level < WIDTHS.length; level++) {
      // The width is a literal, so that the select and the grouping say the same expression.
      String slot = "granted_at / " + WIDTHS[level];
      Sql.update(c, "insert into grant_tally (app_id, track, level, slot, n)"
          + " select app_id, track, ?, " + slot + ", count(*) from instance"
          + " where app_id = ? and track = ? and granted_at is not null group by app_id, track, " + slot,
          level, app, track);
    }
  }

  /** The group's counts for a decision, as {@code Store.Tx.stats} answers them. */
  static GroupStats stats(Connection c, String app, String track, Instant since, Version target, int minFailures)
      throws SQLException {
    int granted = (int) grantsSince(c, app, track, since);
    int failures = (int) value(c, "failure_tally", "version", app, track, target.toString());
    if (failures < minFailures) {
      return new GroupStats(granted, failures);
    }
    return new GroupStats(granted, failures, (int) value(c, "target_tally", "version", app, track, target.toString()));
  }

  /**
   * Instances of the track granted at or after {@code since}: the whole hours, minutes and
   * seconds after it from the tally, and the grants in the part of a second before the first
   * whole second from the instance index (at most a second's grants).
   */
  static long grantsSince(Connection c, String app, String track, Instant since) throws SQLException {
    long t = since.toEpochMilli();
    long s1 = ceil(t, SECOND);
    long m1 = Math.max(s1, ceil(t, MINUTE));
    long h1 = Math.max(m1, ceil(t, HOUR));
    return Sql.one(c, "select"
        + " (select count(*) from instance where app_id = ? and track = ? and granted_at >= ? and granted_at < ?)"
        + " + (select coalesce(sum(n), 0) from grant_tally where app_id = ? and track = ? and level = 0"
        + "    and slot >= ? and slot < ?)"
        + " + (select coalesce(sum(n), 0) from grant_tally where app_id = ? and track = ? and level = 1"
        + "    and slot >= ? and slot < ?)"
        + " + (select coalesce(sum(n), 0) from grant_tally where app_id = ? and track = ? and level = 2"
        + "    and slot >= ?)",
        r -> r.getLong(1), app, track, t, s1, app, track, s1 / SECOND, m1 / SECOND, app, track, m1 / MINUTE,
        h1 / MINUTE, app, track, h1 / HOUR).orElse(0L);
  }

  /** The track's machines by version and status. */
  static List<Rollout.Count> rollout(Connection c, String app, String track) throws SQLException {
    return Sql.list(c, "select version, status, sum(n) from instance_tally where app_id = ? and track = ?"
        + " group by version, status having sum(n) > 0 order by version, status", r -> new Rollout.Count(r.getString(1), Sql.status(r.getString(2)), r.getLong(3)),
        app, track);
  }

  /** The recount the kept counts replace, next to them. */
  static SqlStore.CountCheck check(Connection c, long groupId, Instant since, Version target) throws SQLException {
    String[] g = Sql.one(c, "select app_id, name from grp where id = ?", r -> new String[] {r.getString(1), r.getString(2)},
        groupId).orElseThrow(() -> new IllegalArgumentException("no group with id " + groupId));
    GroupStats kept = stats(c, g[0], g[1], since, target, 0);
    GroupStats recounted = recount(c, groupId, since, target);
    List<Rollout.Count> recountedRollout = Sql.list(c, "select version, status, count(*) from instance"
        + " where app_id = ? and track = ? group by version, status order by version, status",
        r -> new Rollout.Count(r.getString(1), Sql.status(r.getString(2)), r.getLong(3)), g[0], g[1]);
    return new SqlStore.CountCheck(kept, recounted, rollout(c, g[0], g[1]), recountedRollout);
  }

  /** The counts recounted from the instance and event tables (every grant of the target counted). */
  static GroupStats recount(Connection c, long groupId, Instant since, Version target) throws SQLException {
    GroupStats s = Sql.one(c, SqlTx.STATS, r -> new GroupStats(r.getInt(1), r.getInt(2)), since, target, groupId)
        .orElseThrow(() -> new IllegalArgumentException("no group with id " + groupId));
    int grants = Sql.one(c, SqlTx.GRANTS_OF_TARGET, r -> r.getInt(1), groupId, target).orElse(0);
    return new GroupStats(s.grantedInPeriod(), s.failuresOfTarget(), grants);
  }

  private static long ceil(long t, long width) {
    return Math.floorDiv(t + width - 1, width) * width;
  }

  private static void grant(Connection c, String app, String track, Instant at, int delta) throws SQLException {
    long t = at.toEpochMilli();
    for (int level = 0; level < WIDTHS.length; level++) {
      add(c, "grant_tally", "level, slot", delta, app, track, level, Math.floorDiv(t, WIDTHS[level]));
    }
  }

  /** The version the instance counts toward in target_tally, if any: granted since its group's resume. */
  private static Optional<String> target(Connection c, String app, Row r) throws SQLException {
    if (r.grantedVersion().isEmpty() || r.grantedAt().isEmpty()) {
      return Optional.empty();
    }
    long resumed = Sql.one(c, "select coalesce(max(resumed_at), 0) from grp where app_id = ? and name = ?",
        x -> x.getLong(1), app, r.track()).orElse(0L);
    return r.grantedAt().get().toEpochMilli() > resumed ? r.grantedVersion() : Optional.empty();
  }

  /** Adds ({@code sign} 1) or takes away (-1) the machine's counted failures in {@code track}. */
  private static void moveFailures(Connection c, Dialect d, String app, String machine, String track, int sign)
      throws SQLException {
    // By the machine's own index: the partial index of counted failures would read every one of them.
    List<Object[]> perVersion = Sql.list(c, "select version, count(*) from event" + d.indexedBy("event_by_machine")
        + " where app_id = ? and machine_id = ?"
        + " and brake = 1 and version is not null"
        + " and id > (select coalesce(max(brake_events_after), 0) from grp where app_id = ? and name = ?)"
        + " group by version", r -> new Object[] {r.getString(1), r.getLong(2)}, app, machine, app, track);
    for (Object[] v : perVersion) {
      add(c, "failure_tally", "version", sign * (long) v[1], app, track, v[0]);
    }
  }

  private static long value(Connection c, String table, String keys, Object... key) throws SQLException {
    StringBuilder where = new StringBuilder("app_id = ? and track = ?");
    for (String k : keys.split(",\\s*")) {
      where.append(" and ").append(k).append(" = ?");
    }
    return Sql.one(c, "select n from " + table + " where " + where, r -> r.getLong(1), key).orElse(0L);
  }

  /** Adds {@code delta} to the row of {@code key} (app, track, then {@code keys}), creating it. */
  private static void add(Connection c, String table, String keys, long delta, Object... key) throws SQLException {
    Objects.requireNonNull(key[1], "track");
    String marks = "?, ?" + ", ?".repeat(keys.split(",\\s*").length);
    Object[] args = java.util.Arrays.copyOf(key, key.length + 1);
    args[key.length] = delta;
    Sql.update(c, "insert into " + table + " (app_id, track, " + keys + ", n) values (" + marks + ", ?)"
        + " on conflict (app_id, track, " + keys + ") do update set n = " + table + ".n + excluded.n", args);
  }
}
