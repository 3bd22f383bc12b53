-- The counts an update decision needs, kept in the transaction that changes them instead of
-- recounted from the instance and event tables on every check (see KeptCounts.java). Each is
-- keyed by (app, track) as the recount is: a group counts the instances whose track is its name.
-- A row whose count falls to 0 stays; the consistency check compares them with the recount.

-- Instances granted, by the time of their grant (instance.granted_at), at three resolutions:
-- level 0 counts per second, 1 per minute, 2 per hour (slot = granted_at / 1000, / 60000,
-- / 3600000). Grants since an instant are the whole hours, minutes and seconds after it, plus the
-- instances granted in the part of a second before the first whole second.
create table grant_tally (
  app_id text    not null,
  track  text    not null,
  level  bigint  not null check (level in (0, 1, 2)),
  slot   bigint  not null,
  n      bigint  not null,
  primary key (app_id, track, level, slot)
);

-- Counted failures (event.brake = 1) of each version by the track's instances, since the track's
-- group was last resumed (event.id > grp.brake_events_after; 0 without a group).
create table failure_tally (
  app_id  text    not null,
  track   text    not null,
  version text    not null,
  n       bigint  not null,
  primary key (app_id, track, version)
);

-- The track's instances granted each version since its group was last resumed
-- (instance.granted_at > grp.resumed_at; any time without one).
create table target_tally (
  app_id  text    not null,
  track   text    not null,
  version text    not null,
  n       bigint  not null,
  primary key (app_id, track, version)
);

-- The track's instances by reported version and status (the rollout view).
create table instance_tally (
  app_id  text    not null,
  track   text    not null,
  version text    not null,
  status  text    not null,
  n       bigint  not null,
  primary key (app_id, track, version, status)
);

insert into grant_tally (app_id, track, level, slot, n)
  select app_id, track, 0, granted_at / 1000, count(*) from instance where granted_at is not null
  group by app_id, track, granted_at / 1000;
insert into grant_tally (app_id, track, level, slot, n)
  select app_id, track, 1, granted_at / 60000, count(*) from instance where granted_at is not null
  group by app_id, track, granted_at / 60000;
insert into grant_tally (app_id, track, level, slot, n)
  select app_id, track, 2, granted_at / 3600000, count(*) from instance where granted_at is not null
  group by app_id, track, granted_at / 3600000;

insert into failure_tally (app_id, track, version, n)
  select e.app_id, i.track, e.version, count(*)
  from event e join instance i on i.app_id = e.app_id and i.machine_id = e.machine_id
  left join grp g on g.app_id = i.app_id and g.name = i.track
  where e.brake = 1 and e.version is not null and e.id > coalesce(g.brake_events_after, 0)
  group by e.app_id, i.track, e.version;

insert into target_tally (app_id, track, version, n)
  select i.app_id, i.track, i.granted_version, count(*)
  from instance i left join grp g on g.app_id = i.app_id and g.name = i.track
  where i.granted_version is not null and i.granted_at > coalesce(g.resumed_at, 0)
  group by i.app_id, i.track, i.granted_version;

insert into instance_tally (app_id, track, version, status, n)
  select app_id, track, version, status, count(*) from instance group by app_id, track, version, status;
