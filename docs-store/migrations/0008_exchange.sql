-- Liên thông (issue 6): the agencies outside this one that documents are
-- exchanged with as edXML packages, keyed by mã định danh, with the
-- address their exchange mailbox receives packages at. Derived from
-- exchange.agency_set events (the administrator keeps the list; the
-- journal shares it).
CREATE TABLE IF NOT EXISTS exchange_agencies (
    organ_id TEXT PRIMARY KEY,   -- QCVN 102 mã định danh, 000.00.00.H41
    name     TEXT NOT NULL,
    email    TEXT NOT NULL,
    name_key BLOB NOT NULL       -- vntext.SortKey(name): the list in Vietnamese order
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS exchange_agencies_name ON exchange_agencies(name_key);

-- Packages received in an exchange mailbox (a cache of what the mailbox
-- holds, like the mail tables; the registration itself is an event).
-- One row per document and business type: a package sent twice, or seen
-- by two clerks' workstations, is one.
CREATE TABLE IF NOT EXISTS exchange_incoming (
    id            TEXT PRIMARY KEY,
    document_id   TEXT NOT NULL,               -- edXML DocumentId
    business_type INTEGER NOT NULL,            -- 0 new, 1 revocation, 2 update, 3 replacement
    from_organ    TEXT NOT NULL,
    from_name     TEXT NOT NULL,
    reply_to      TEXT NOT NULL,               -- where statuses go: the sender's exchange address
    notation      TEXT NOT NULL,               -- số/ký hiệu, for the list
    subject       TEXT NOT NULL,
    meta          TEXT NOT NULL,               -- the parsed package (JSON, mail/edxml.Package)
    package_sha   TEXT NOT NULL,               -- the package file in the blob store
    account_id    TEXT NOT NULL,
    received_at   INTEGER NOT NULL,            -- unix nanoseconds
    state         TEXT NOT NULL DEFAULT 'waiting', -- waiting | registered | refused
    doc_id        TEXT NOT NULL DEFAULT '',    -- the document registered from it
    reason        TEXT NOT NULL DEFAULT '',    -- why refused
    UNIQUE (document_id, business_type)
);
CREATE INDEX IF NOT EXISTS exchange_incoming_state ON exchange_incoming(state, received_at);

-- Mail messages already looked at for packages (by Message-ID).
CREATE TABLE IF NOT EXISTS exchange_seen (
    message_id TEXT PRIMARY KEY
) WITHOUT ROWID;

-- Status reports about documents (QCVN 102 codes 01–16), both ways:
-- 'in' what other agencies report on ours, 'out' what this agency sent.
CREATE TABLE IF NOT EXISTS exchange_status (
    document_id TEXT NOT NULL,
    organ_id    TEXT NOT NULL,                 -- the agency reporting
    code        TEXT NOT NULL,
    direction   TEXT NOT NULL,                 -- in | out
    description TEXT NOT NULL DEFAULT '',
    at          INTEGER NOT NULL,              -- the report's own timestamp (the sender's clock), unix nanoseconds
    received    INTEGER NOT NULL,              -- when this workstation recorded it (our clock): the order of reports
    PRIMARY KEY (document_id, organ_id, code, direction, at)
) WITHOUT ROWID;

-- Outgoing documents sent by edXML, per recipient agency.
CREATE TABLE IF NOT EXISTS exchange_outgoing (
    doc_id      TEXT NOT NULL,
    organ_id    TEXT NOT NULL,
    document_id TEXT NOT NULL,                 -- the edXML DocumentId
    outbox_id   TEXT NOT NULL,                 -- the outbox message carrying it
    sent_at     INTEGER NOT NULL,
    PRIMARY KEY (doc_id, organ_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS exchange_outgoing_docid ON exchange_outgoing(document_id);
