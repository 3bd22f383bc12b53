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

-- Each track's (version, status) count may be spread over several rows, summed when read: every
-- change holds its row until it commits, and one row per count would make the machines of a group
-- commit one at a time across every replica (KeptCounts.SHARDS rows per count).
alter table instance_tally add column shard bigint not null default 0;
alter table instance_tally drop constraint instance_tally_pkey;
alter table instance_tally add primary key (app_id, track, version, status, shard);
