-- The admin workflow: who made each change, groups paused and resumed by hand, and the rollout view.

-- Who made the change: the X-Cairn-Actor header of the admin request ("admin" without one), or
-- "cairn" for what the server does itself (the failure brake).
alter table activity add column actor text not null default 'admin';
create index activity_by_actor on activity (actor, at);

-- When the group's updates were last turned on again after a pause, and the highest event id at
-- that moment: the failure brake counts only failures after it (event.id > brake_events_after), so
-- a resumed group is not braked again by the failures that paused it.
alter table grp add column resumed_at bigint;
alter table grp add column brake_events_after bigint not null default 0;

-- The rollout view counts a group's machines by version and status from this index alone.
create index instance_by_track_version on instance (app_id, track, version, status);
