-- Install-once network boots: the machines whose installer said they are installed (the boot
-- server's POST /installed), by the inventory's machine key (the MAC, else uuid:UUID). A machine
-- here whose group's profile is install_once is sent to its local disk on its next network boots;
-- `cairn admin machine reinstall` deletes its row. A table of its own rather than columns of
-- machine: the installer may report before the machine's first sighting is written.
-- Independent of every other migration.

create table machine_install (
  machine_key       text    not null primary key,
  -- epoch milliseconds
  installed_at      bigint  not null,
  -- the profile the machine's group had when it reported
  installed_profile text    not null
);
