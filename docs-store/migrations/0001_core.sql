-- 0001: the event log, the audit chain and the tables the reducer builds from it.
-- Every domain table below is derived state: it can be rebuilt by replaying
-- `events` in seq order (Store.ReplayInto).

CREATE TABLE events (
    seq     INTEGER PRIMARY KEY,          -- local order of application
    id      TEXT    NOT NULL UNIQUE,      -- global id, carried between colleagues
    type    TEXT    NOT NULL,
    version INTEGER NOT NULL,
    actor   TEXT    NOT NULL,
    time    TEXT    NOT NULL,             -- RFC 3339, UTC
    payload BLOB    NOT NULL              -- JSON, exactly as signed/hashed
);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Append-only, hash-chained: hash = SHA-256(prev || event_hash || seq).
CREATE TABLE audit (
    seq        INTEGER PRIMARY KEY,
    event_id   TEXT    NOT NULL,         -- = events.id of the same seq
    type       TEXT    NOT NULL,
    actor      TEXT    NOT NULL,
    time       TEXT    NOT NULL,
    event_hash BLOB    NOT NULL,
    prev       BLOB    NOT NULL,
    hash       BLOB    NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

CREATE TABLE agency (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    code  TEXT NOT NULL,                  -- mã định danh, 000.00.00.H31
    name  TEXT NOT NULL,
    abbr  TEXT NOT NULL,                  -- UBND: used in ký hiệu
    place TEXT NOT NULL                   -- địa danh of the date line
);

CREATE TABLE units (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    abbr     TEXT NOT NULL,               -- VP: used in công văn ký hiệu
    name_key BLOB NOT NULL                -- Vietnamese collation key
);

CREATE TABLE people (
    id        TEXT PRIMARY KEY,
    email     TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    title     TEXT NOT NULL,
    unit_id   TEXT REFERENCES units(id),
    clearance INTEGER NOT NULL DEFAULT 0, -- 0 none, 1 mật, 2 tối mật, 3 tuyệt mật
    name_key  BLOB NOT NULL
);
CREATE INDEX people_by_name ON people(name_key);
CREATE INDEX people_by_unit ON people(unit_id);

CREATE TABLE person_roles (
    person_id TEXT NOT NULL REFERENCES people(id),
    role      TEXT NOT NULL,
    PRIMARY KEY (person_id, role)
) WITHOUT ROWID;

CREATE TABLE registers (
    rid         INTEGER PRIMARY KEY,      -- local, for compact search facets
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('den', 'di')),
    year        INTEGER NOT NULL,
    secret      INTEGER NOT NULL DEFAULT 0,
    name        TEXT NOT NULL,
    per_type    INTEGER NOT NULL DEFAULT 0, -- outgoing: one counter per document type
    closed      INTEGER NOT NULL DEFAULT 0
);

-- Next number per register (counter_key '') or per register and type.
CREATE TABLE counters (
    register_id TEXT NOT NULL REFERENCES registers(id),
    counter_key TEXT NOT NULL,
    next        INTEGER NOT NULL,
    PRIMARY KEY (register_id, counter_key)
) WITHOUT ROWID;

CREATE TABLE documents (
    rowid            INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    register_id      TEXT    NOT NULL REFERENCES registers(id),
    kind             TEXT    NOT NULL,
    counter_key      TEXT    NOT NULL DEFAULT '',
    number           INTEGER NOT NULL,    -- số đến / số (đi)
    type_code        TEXT    NOT NULL,
    notation         TEXT    NOT NULL DEFAULT '', -- số và ký hiệu, as written
    notation_fold    TEXT    NOT NULL DEFAULT '', -- folded, for duplicate checks
    doc_date         TEXT    NOT NULL,    -- ngày tháng văn bản, YYYY-MM-DD
    arrival_date     TEXT    NOT NULL DEFAULT '', -- ngày đến (incoming)
    issuer           TEXT    NOT NULL DEFAULT '', -- tác giả / cơ quan ban hành
    issuer_code      TEXT    NOT NULL DEFAULT '', -- its mã định danh when known
    issuer_fold      TEXT    NOT NULL DEFAULT '',
    subject          TEXT    NOT NULL,    -- trích yếu
    recipients       TEXT    NOT NULL DEFAULT '', -- đơn vị/người nhận (đến) or nơi nhận (đi)
    forwarded_date   TEXT    NOT NULL DEFAULT '', -- ngày chuyển
    note             TEXT    NOT NULL DEFAULT '', -- ghi chú
    urgency          INTEGER NOT NULL DEFAULT 0,
    secrecy          INTEGER NOT NULL DEFAULT 0,
    due_date         TEXT    NOT NULL DEFAULT '',
    pages            INTEGER NOT NULL DEFAULT 0,
    source           TEXT    NOT NULL DEFAULT 'giay',
    signer           TEXT    NOT NULL DEFAULT '', -- người ký
    signer_authority TEXT    NOT NULL DEFAULT '', -- TM. / KT. / TL. / TUQ. / Q.
    signer_title     TEXT    NOT NULL DEFAULT '',
    copy_holder      TEXT    NOT NULL DEFAULT '', -- đơn vị, người nhận bản lưu
    copies           INTEGER NOT NULL DEFAULT 0,  -- số lượng bản
    draft_id         TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL,
    registered_by    TEXT    NOT NULL,
    registered_at    TEXT    NOT NULL,
    UNIQUE (register_id, counter_key, number)
);
CREATE INDEX documents_dup ON documents(issuer_fold, notation_fold, doc_date);

CREATE TABLE attachments (
    document_id TEXT    NOT NULL REFERENCES documents(id),
    sha256      TEXT    NOT NULL,
    name        TEXT    NOT NULL,         -- original name, for display only
    size        INTEGER NOT NULL,
    PRIMARY KEY (document_id, sha256, name)
) WITHOUT ROWID;

CREATE TABLE directions (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id),
    by_person   TEXT NOT NULL REFERENCES people(id),
    comment     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX directions_by_doc ON directions(document_id);

CREATE TABLE assignments (
    id            TEXT PRIMARY KEY,
    document_id   TEXT NOT NULL REFERENCES documents(id),
    direction_id  TEXT NOT NULL REFERENCES directions(id),
    assignee_kind TEXT NOT NULL CHECK (assignee_kind IN ('person', 'unit')),
    assignee_id   TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('chu_tri', 'phoi_hop', 'de_biet')),
    deadline      TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    updated_at    TEXT NOT NULL
);
CREATE INDEX assignments_by_doc ON assignments(document_id);
CREATE INDEX assignments_by_assignee ON assignments(assignee_id, state);

CREATE TABLE drafts (
    id               TEXT PRIMARY KEY,
    author_id        TEXT NOT NULL REFERENCES people(id),
    unit_id          TEXT NOT NULL DEFAULT '',
    type_code        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    urgency          INTEGER NOT NULL DEFAULT 0,
    secrecy          INTEGER NOT NULL DEFAULT 0,
    state            TEXT NOT NULL,
    initialer_id     TEXT NOT NULL DEFAULT '', -- optional ký nháy by the unit head
    approver_id      TEXT NOT NULL DEFAULT '',
    signer_authority TEXT NOT NULL DEFAULT '',
    signer_title     TEXT NOT NULL DEFAULT '',
    document_id      TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX drafts_by_author ON drafts(author_id, state);
CREATE INDEX drafts_by_state ON drafts(state);

CREATE TABLE draft_versions (
    draft_id TEXT    NOT NULL REFERENCES drafts(id),
    version  INTEGER NOT NULL,
    sha256   TEXT    NOT NULL,
    name     TEXT    NOT NULL,
    size     INTEGER NOT NULL,
    note     TEXT    NOT NULL DEFAULT '',
    by_person TEXT   NOT NULL,
    at       TEXT    NOT NULL,
    PRIMARY KEY (draft_id, version)
) WITHOUT ROWID;

-- Who did what to a draft or an incoming document: the timeline.
CREATE TABLE workflow_steps (
    seq          INTEGER PRIMARY KEY,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('draft', 'document')),
    subject_id   TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    comment      TEXT NOT NULL DEFAULT '',
    at           TEXT NOT NULL,
    event_id     TEXT NOT NULL
);
CREATE INDEX workflow_steps_by_subject ON workflow_steps(subject_kind, subject_id, seq);

-- Search: a contentless FTS5 index keyed by documents.rowid.
--   folded: marks removed, đ→d, lower case (queries typed without marks);
--   exact:  NFC, one tone placement, lower case (exact-marks-first ranking);
--   facets: synthetic tokens for the static filters (register, type, urgency,
--           secrecy), so a filter is an FTS intersection, not a row scan.
CREATE VIRTUAL TABLE doc_fts USING fts5(
    folded, exact, facets,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
-- Merge FTS segments 8 at a time instead of 4: less merge work while
-- registering, a few more segments per query (search is far under budget).
INSERT INTO doc_fts(doc_fts, rank) VALUES ('automerge', 8);
