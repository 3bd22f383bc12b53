-- Payloads Cairn hosts itself, and who signed them. Independent of every other migration but 001.

-- Where a hosted payload lies, relative to the data directory (packages/APP/BOARD/VERSION/NAME;
-- its detached signature beside it as NAME.sig); null for a package hosted elsewhere.
alter table package add column stored_path text;
-- The primary fingerprint of the trusted key that signed the payload; null when unsigned.
alter table package add column signed_by text;

-- An installer image uploaded for a release: served at /release/CHANNEL/BOARD/VERSION/NAME.
create table image (
  id          integer not null primary key,
  app_id      text    not null references app (id),
  version     text    not null,
  board       text    not null,
  name        text    not null,
  size        integer not null check (size >= 0),
  sha256      text    not null,              -- hex
  signed_by   text,
  stored_path text    not null,              -- relative to the data directory; NAME.sig beside it
  created_at  integer not null,
  unique (app_id, board, version, name)
);
