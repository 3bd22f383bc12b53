-- Serving the right bytes to the right machine. Independent of every other migration but 001 and 003.

-- The attributes of the machine's last request that were longer than the server keeps
-- (dev.cairn.omaha.Store#MAX_TEXT) and were cut to it: their request names (machinealias,track),
-- comma-separated; null when nothing was cut.
alter table instance add column truncated text;
