-- The update server's first schema. Every instant is epoch milliseconds (integer), every duration
-- whole seconds, every version the text of dev.cairn.omaha.Version#toString (so equal versions
-- compare equal as text), every flag 0 or 1.

-- An application update_engine asks about, by its Omaha app id ({e96281a6-...}).
create table app (
  id         text    not null primary key,
  name       text    not null,
  board      text    not null,              -- the default board (amd64-usr): pinned versions resolve to it
  created_at integer not null
);

-- An update payload of one app for one board.
create table package (
  id         integer not null primary key,
  app_id     text    not null references app (id),
  version    text    not null,
  board      text    not null,
  name       text    not null,              -- the payload file name under base_url
  size       integer not null check (size > 0),
  sha1       text    not null check (length(sha1) = 28),     -- base64, as Omaha carries it
  sha256     text    not null check (length(sha256) = 44),   -- base64
  base_url   text    not null,
  signature  text,                          -- detached signature of the payload, when there is one
  created_at integer not null,
  unique (app_id, board, version),
  unique (app_id, id)                       -- target of same-app foreign keys below
);

-- A named stream of releases (alpha, beta, stable) pointing at the package it currently serves.
create table channel (
  id         integer not null primary key,
  app_id     text    not null references app (id),
  name       text    not null,
  package_id integer,
  unique (app_id, name),
  unique (app_id, id),
  foreign key (app_id, package_id) references package (app_id, id)
);

-- A required stop: machines older than it go through it before anything newer.
create table channel_floor (
  channel_id integer not null references channel (id) on delete cascade,
  package_id integer not null references package (id),
  reason     text    not null default '',
  primary key (channel_id, package_id)
);

-- A version that is never offered on the channel.
create table channel_blacklist (
  channel_id integer not null references channel (id) on delete cascade,
  version    text    not null,
  primary key (channel_id, version)
);

-- A group of machines (the track update_engine sends) following one channel, with its rollout policy.
create table grp (
  id                     integer not null primary key,
  app_id                 text    not null references app (id),
  name                   text    not null,   -- the track
  channel_id             integer not null,
  updates_enabled        integer not null check (updates_enabled in (0, 1)),
  max_updates_per_period integer not null check (max_updates_per_period >= 0),  -- 0: no limit
  period_seconds         integer not null check (period_seconds > 0),
  update_timeout_seconds integer not null check (update_timeout_seconds > 0),
  rollout_percent        integer not null check (rollout_percent between 0 and 100),
  office_hours_days      text,               -- MON,TUE,WED,THU,FRI; all four office_hours_* null: any time
  office_hours_start     text,               -- 09:00, inclusive
  office_hours_end       text,               -- 17:00, exclusive
  office_hours_zone      text,               -- Europe/Berlin
  failure_brake          integer not null check (failure_brake >= 0),            -- 0: never
  pinned_version         text,
  allow_downgrade        integer not null check (allow_downgrade in (0, 1)),
  paused_reason          text,
  paused_at              integer,
  unique (app_id, name),
  foreign key (app_id, channel_id) references channel (app_id, id),
  check ((office_hours_days is null) = (office_hours_start is null)
     and (office_hours_days is null) = (office_hours_end is null)
     and (office_hours_days is null) = (office_hours_zone is null))
);

-- What is known of one machine for one app. track is what the machine sent, whether or not a
-- group of that name exists (ADR 002, rule 2).
create table instance (
  app_id           text    not null references app (id),
  machine_id       text    not null,
  track            text    not null,
  version          text    not null,       -- as the machine reported it
  boot_id          text,
  oem              text,
  oem_version      text,
  aleph_version    text,
  alias            text,
  ip               text,
  status           text    not null,       -- a dev.cairn.omaha.Model.InstanceStatus name
  granted_version  text,
  granted_at       integer,
  last_check       integer,
  last_hold        text,
  last_error_code  integer not null default 0,
  last_error_flags integer not null default 0,
  primary key (app_id, machine_id)
) without rowid;

-- The instance list of a group, and the grants of a group in a period (the rate limit).
create index instance_by_track on instance (app_id, track, granted_at);
-- Grants across groups by age (timeouts).
create index instance_by_granted_at on instance (granted_at);

-- An event as the machine reported it; error_code without update_engine's flag bits.
create table event (
  id               integer not null primary key autoincrement,
  app_id           text    not null references app (id),
  machine_id       text    not null,
  at               integer not null,
  type             integer not null,
  result           integer not null,
  error_code       integer not null,
  error_flags      integer not null,
  previous_version text,
  version          text
);

create index event_by_machine on event (app_id, machine_id, at);
-- Failed updates to a version (the failure brake).
create index event_failures on event (app_id, version, machine_id) where result = 0;

-- The state changes of an instance.
create table instance_history (
  id          integer not null primary key autoincrement,
  app_id      text    not null references app (id),
  machine_id  text    not null,
  at          integer not null,
  from_status text,
  to_status   text    not null,
  version     text,
  detail      text
);

create index instance_history_by_machine on instance_history (app_id, machine_id, at);

-- What happened, for operators: policy changes, channel moves, the failure brake.
create table activity (
  id         integer not null primary key autoincrement,
  at         integer not null,
  app_id     text    not null references app (id),
  group_id   integer references grp (id) on delete set null,
  machine_id text,
  kind       text    not null,
  message    text    not null
);

create index activity_by_at on activity (at);
