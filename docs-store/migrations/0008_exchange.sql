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
