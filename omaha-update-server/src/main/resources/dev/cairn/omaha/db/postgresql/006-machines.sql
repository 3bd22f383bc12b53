-- The machine inventory: every machine the boot server has answered, one row each, brought up to
-- date by each of its network-boot requests (/ipxe, /grub, /cloud-config, /metadata, /assets/...).
-- Independent of every other migration.

create table machine (
  -- dev.cairn.omaha.MachineSighting#machineKey: the MAC, lowercase and colon-separated; else
  -- uuid:UUID; else addr:ADDRESS
  machine_key   text    not null primary key,
  first_seen    bigint  not null,
  last_seen     bigint  not null,
  requests      bigint  not null check (requests > 0),
  -- every label the machine has sent (mac, uuid, hostname, serial, arch, ...), the latest value of
  -- each: a JSON object of strings, at most 32 of them
  labels        text    not null,
  -- of its latest request: where it came from, the group and profile it matched (null: none), the
  -- endpoint that answered it (ipxe, cloud-config) and the outcome (profile coreos-install,
  -- 404 no group)
  address       text,
  group_name    text,
  profile       text,
  last_endpoint text,
  last_outcome  text,
  -- what was longer than the server keeps (dev.cairn.omaha.Store#MAX_TEXT) and stored cut, or
  -- labels left out past 32: a JSON array of names (address, label hostname, labels, ...); null
  -- when nothing was
  truncated     text
);

-- The inventory newest first, whole or by group.
create index machine_by_last_seen on machine (last_seen);
create index machine_by_group on machine (group_name, last_seen);
