-- 0007: the shared journal (issue 5, docs/JOURNAL.md). Events travel to and
-- from colleagues as messages of a shared IMAP folder; its UIDs order them.

-- A person's Ed25519 public key (32 bytes), bound by the administrator.
-- (A table of its own: every statement here may run again on a store
-- already at this version, see TestStatsRebuiltByReplayAndMigration.)
CREATE TABLE IF NOT EXISTS person_keys (
    person_id  TEXT PRIMARY KEY REFERENCES people(id),
    public_key BLOB NOT NULL
) WITHOUT ROWID;

-- What this workstation pinned when it joined: the agency and the
-- fingerprint of its founding administrator's key.
CREATE TABLE IF NOT EXISTS journal_pin (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    agency_code TEXT NOT NULL,
    admin_key   BLOB NOT NULL              -- the founding administrator's public key
);

-- One journal folder per scope: '' the agency's, 'mat' the secret
-- registers' (only the people cleared for them can read it).
CREATE TABLE IF NOT EXISTS journal_folders (
    scope       TEXT PRIMARY KEY,
    name        TEXT NOT NULL,             -- e.g. Shared/CongVu/NhatKy
    uidvalidity INTEGER NOT NULL DEFAULT 0,
    last_uid    INTEGER NOT NULL DEFAULT 0 -- every message up to it has been applied, refused or warned of
);

-- Where each event stands in its journal. An event made here while the
-- server could not be reached is 'pending' (applied here already, in
-- doubt) until the server gives it a UID; 'applied' and 'refused' are
-- verdicts every client reaches alike, applying the journal in UID order.
CREATE TABLE IF NOT EXISTS journal_events (
    event_id    TEXT PRIMARY KEY,
    scope       TEXT NOT NULL,
    uid         INTEGER,                   -- NULL while pending
    state       TEXT NOT NULL,             -- pending | applied | refused
    local       INTEGER NOT NULL,          -- 1: made on this workstation
    offline     INTEGER NOT NULL DEFAULT 0, -- 1: made while the server could not be reached (applied here before the journal ordered it)
    kind        TEXT NOT NULL DEFAULT '',  -- refused: lost (a colleague came first) | forged | invalid
    reason      TEXT NOT NULL DEFAULT '',  -- refused: the error, for the log and the warnings view
    replaced_by TEXT NOT NULL DEFAULT '', -- a lost claim: the event that claimed again
    raw         BLOB,                      -- a refused event's wire form (it is in no other table)
    reread      INTEGER NOT NULL DEFAULT 0 -- 1: its folder got a new UIDVALIDITY; not yet found again
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS journal_events_by_uid ON journal_events(scope, uid) WHERE uid IS NOT NULL;
CREATE INDEX IF NOT EXISTS journal_events_pending ON journal_events(state) WHERE state = 'pending';

-- Local events waiting to be appended, in the order they were made.
CREATE TABLE IF NOT EXISTS journal_outbox (
    seq      INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    scope    TEXT NOT NULL,
    error    TEXT NOT NULL DEFAULT ''      -- the last failure, for the sync indicator
);

-- Messages of a journal that are no valid event of this agency (a bad
-- signature, a hand-made APPEND, an event signed with another person's
-- key, a step its author may not take): listed under a warning, never
-- applied, never blocking the rest.
CREATE TABLE IF NOT EXISTS journal_warnings (
    scope    TEXT NOT NULL,
    uid      INTEGER NOT NULL,
    event_id TEXT NOT NULL DEFAULT '',
    actor    TEXT NOT NULL DEFAULT '',
    kind     TEXT NOT NULL,                -- malformed | signature | forged | invalid
    code     TEXT NOT NULL DEFAULT '',     -- why, for the window: the Warn* constants of journal_warnings.go
    event_type TEXT NOT NULL DEFAULT '',   -- the refused event's type ("" for no event)
    reason   TEXT NOT NULL,                -- the technical text
    seen_at  INTEGER NOT NULL,             -- unix nanoseconds, when this workstation read it
    PRIMARY KEY (scope, uid)
) WITHOUT ROWID;

-- Files the journal holds (sha256 → the message carrying it), so a file
-- goes up once and a receiver knows where to fetch it.
CREATE TABLE IF NOT EXISTS journal_files (
    sha256 TEXT NOT NULL,
    scope  TEXT NOT NULL,
    uid    INTEGER NOT NULL,
    PRIMARY KEY (sha256, scope)
) WITHOUT ROWID;

-- out_of_order: events were applied here out of journal order (made while
-- the server could not be reached, then a colleague's came first); the
-- state is rebuilt in journal order once every pending event has its UID.
CREATE TABLE IF NOT EXISTS journal_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    out_of_order INTEGER NOT NULL DEFAULT 0,
    -- How many times the state was rebuilt from the journal: each rebuild
    -- gives the documents new rowids, so a NoticeCursor from before one
    -- means nothing (NoticeCursor.Rebuilds).
    rebuilds     INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO journal_state(id) VALUES (1);
