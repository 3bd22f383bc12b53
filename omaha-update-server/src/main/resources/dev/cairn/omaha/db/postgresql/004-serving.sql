-- Serving the right bytes to the right machine. Independent of every other migration but 001 and 003.

-- The attributes of the machine's last request that were longer than the server keeps
-- (dev.cairn.omaha.Store#MAX_TEXT) and were cut to it: their request names (machinealias,track),
-- comma-separated; null when nothing was cut.
alter table instance add column truncated text;

-- A channel serves a version, not one board's package: each machine is offered that version's
-- package for its own board (an arm64-usr machine the arm64-usr payload). package_id named the
-- package of one board and is no longer read or written.
alter table channel add column version text;
update channel set version = (select p.version from package p where p.id = channel.package_id);
update channel set package_id = null;

-- Floors are versions too, resolved per board like the channel's. The table is made again, as in
-- SQLite, rather than altered: its columns keep SQLite's order (channel_id, version, reason), and
-- its constraints are then named as a table created as channel_floor would name them.
create table channel_floor_version (
  channel_id bigint  not null references channel (id) on delete cascade,
  version    text    not null,
  reason     text    not null default '',
  primary key (channel_id, version)
);
insert into channel_floor_version (channel_id, version, reason)
  select f.channel_id, p.version, f.reason from channel_floor f join package p on p.id = f.package_id
  order by f.channel_id, f.package_id
  on conflict do nothing;
drop table channel_floor;
alter table channel_floor_version rename to channel_floor;
alter table channel_floor rename constraint channel_floor_version_pkey to channel_floor_pkey;
alter table channel_floor rename constraint channel_floor_version_channel_id_fkey to channel_floor_channel_id_fkey;

-- Hosted payloads are served under /packages/APP/BOARD/VERSION/NAME (APP: the app id without its
-- braces), so two apps' payloads of one name and version stay apart. The URLs stored before
-- (/packages/BOARD/VERSION/ and, earlier, /packages/VERSION/) are rewritten to that form; the old
-- forms keep answering with the oldest app's payload. (SQLite's substr(x, -n) is right(x, n) here,
-- its trim(x, '{}') btrim.)
update package
  set base_url = substr(base_url, 1, length(base_url) - length('packages/' || board || '/' || version || '/'))
    || 'packages/' || btrim(app_id, '{}') || '/' || board || '/' || version || '/'
  where stored_path is not null
    and right(base_url, length('/packages/' || board || '/' || version || '/'))
      = '/packages/' || board || '/' || version || '/';
update package
  set base_url = substr(base_url, 1, length(base_url) - length('packages/' || version || '/'))
    || 'packages/' || btrim(app_id, '{}') || '/' || board || '/' || version || '/'
  where stored_path is not null
    and right(base_url, length('/packages/' || version || '/')) = '/packages/' || version || '/';
