-- The failure brake counts only failures that could be real: from a machine whose grant progressed
-- (it reported the download started from the boot it was granted in), within its address's limit.

-- The boot id the machine sent with the check that granted it, and whether it has since reported
-- the download started from that boot (reset by each failure that counted).
alter table instance add column grant_boot_id text;
alter table instance add column progressed bigint not null default 0 check (progressed in (0, 1));

-- Whether the event counts toward the failure brake. Failures recorded before this migration keep
-- counting, as they did when they were recorded.
alter table event add column brake bigint not null default 0 check (brake in (0, 1));
update event set brake = 1 where result = 0;
drop index event_failures;
create index event_brake on event (app_id, version, id) where brake = 1;

-- The brake's second condition: counted failures at least this share (percent) of the machines
-- granted the version since the group was last resumed. 0 (the value for groups made before this
-- migration): the count alone decides, as it did.
alter table grp add column failure_percent bigint not null default 0 check (failure_percent between 0 and 100);
