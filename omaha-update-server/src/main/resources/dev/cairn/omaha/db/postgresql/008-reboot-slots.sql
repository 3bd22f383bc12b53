-- The reboot lock (FleetLock, POST /v1/pre-reboot and /v1/steady-state): how many of a group's
-- machines may reboot into an update at once, and which hold a slot now. Groups made before this
-- migration get the default, 1.

alter table grp add column max_reboots bigint not null default 1 check (max_reboots >= 0);

create table reboot_holder (
  group_id   bigint  not null references grp (id) on delete cascade,
  machine_id text    not null,              -- as the machine sent it: 1-256 printable ASCII
  since      bigint  not null,              -- epoch milliseconds
  primary key (group_id, machine_id)
);
