-- What servers cache of the groups for their checks, by generation. On PostgreSQL several servers
-- share one database: each admin change, and each pause by the failure brake, adds one to the
-- 'config' generation in its own transaction, and a server whose cache is of an older generation
-- reads the groups again. Marking a machine installed, or clearing its mark, adds one to 'installs',
-- and every server reads the marks again. SQLite has one server, which keeps its caches itself; the
-- table is kept in both so that the schemas stay the same.
create table cache_generation (
  name text   not null primary key,
  n    bigint not null
);
insert into cache_generation (name, n) values ('config', 0), ('installs', 0);

-- Each track's (version, status) count may be spread over several rows, summed when read: on
-- PostgreSQL every change holds its row until it commits, and one row per count would make the
-- machines of a group commit one at a time across every replica. SQLite keeps shard 0.
create table instance_tally_sharded (
  app_id  text    not null,
  track   text    not null,
  version text    not null,
  status  text    not null,
  n       integer not null,
  shard   integer not null default 0,
  primary key (app_id, track, version, status, shard)
) without rowid;
insert into instance_tally_sharded (app_id, track, version, status, n, shard)
  select app_id, track, version, status, n, 0 from instance_tally;
drop table instance_tally;
alter table instance_tally_sharded rename to instance_tally;
