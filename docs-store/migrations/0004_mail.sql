-- 0004: the mailbox cache (mail_cache.go, mail_outbox.go, mail_search.go).
--
-- Unlike every table before it, none of this is derived from the events:
-- the mail tables are a cache of the IMAP servers, written directly (no
-- event, no audit row) and rebuilt from the server whenever its UIDVALIDITY
-- changes. Only the outbox (and the queued operations) hold anything that
-- exists nowhere else; their writes are committed with synchronous=FULL.
--
-- Choices:
--   * No password anywhere. mail_accounts.credential_mode says where the
--     password is kept (the OS keyring, or asked for at each start); a test
--     checks that no column of any table is named after a password.
--   * mail_messages is what the list shows, one small row a message; the
--     text and the parts of the downloaded body live in mail_text (same
--     rowid), read only by the reader and the search rebuild. The raw message
--     is in the blob store (blob_sha).
--   * Each message has a local rowid (stable while it is cached): the
--     virtual list, mail_fts and mail_ops refer to it. Links to documents
--     (mail_links) are keyed by account and Message-ID instead, so they
--     survive a rebuild of the folder, a move, or a copy in another folder.
--   * Dates are unix seconds (IMAP gives seconds). `date` is the Date
--     header, or the INTERNALDATE when the header is missing or unreadable,
--     so a message without one still sorts among its neighbours.
--   * mail_folders.total/unread are counters kept by the store in the same
--     transaction as every change to the folder's messages: the folder pane
--     never counts a 100,000-message folder.
--   * mail_messages_list gives MailRowids (newest first) as one index-only
--     scan; mail_messages_need_body, a partial index, holds only the
--     messages the body pass still has to fetch, so asking for the next batch
--     costs nothing once a folder is complete; the UNIQUE (folder_id, uid)
--     index serves MailUIDs, MailMaxUID and every by-UID update.
--   * mail_fts is built like doc_fts (0001): contentless, a folded and an
--     exact column, the same tokenizer, so a query finds a document and the
--     e-mail it came in alike. Its rowid is mail_messages.rowid; it holds the
--     subject, the names and addresses of From/To/Cc, attachment names and,
--     once downloaded, the text (64 KB at most a message).
--   * mail_addresses feeds the composer's completion: one row per address
--     seen in From/To/Cc with how often, counted when a message is first
--     cached (never decremented, a rebuilt folder counts again: it only
--     ranks), so completion never reads the messages.
-- IF NOT EXISTS: a store taken back to an older schema version (a test
-- does so) keeps these, and migrating it again must not fail.

CREATE TABLE IF NOT EXISTS mail_accounts (
    id                TEXT    PRIMARY KEY,
    address           TEXT    NOT NULL,
    address_key       TEXT    NOT NULL UNIQUE,   -- lower(address): one account per mailbox
    display_name      TEXT    NOT NULL DEFAULT '',
    username          TEXT    NOT NULL,
    imap_host         TEXT    NOT NULL,
    imap_port         INTEGER NOT NULL,
    imap_security     TEXT    NOT NULL CHECK (imap_security IN ('tls', 'starttls')),
    smtp_host         TEXT    NOT NULL,
    smtp_port         INTEGER NOT NULL,
    smtp_security     TEXT    NOT NULL CHECK (smtp_security IN ('tls', 'starttls')),
    ca_pem            TEXT    NOT NULL DEFAULT '',
    credential_mode   TEXT    NOT NULL CHECK (credential_mode IN ('keyring', 'ask')), -- never the password itself
    auto_download_max INTEGER NOT NULL DEFAULT 0,
    shared            INTEGER NOT NULL DEFAULT 0,
    position          INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS mail_folders (
    id            INTEGER PRIMARY KEY,
    account_id    TEXT    NOT NULL REFERENCES mail_accounts(id),
    name          TEXT    NOT NULL,              -- the IMAP name, exactly as the server spells it
    delim         TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL DEFAULT '',   -- inbox, sent, drafts, trash, junk, archive or ''
    noselect      INTEGER NOT NULL DEFAULT 0,
    subscribed    INTEGER NOT NULL DEFAULT 0,
    uidvalidity   INTEGER NOT NULL DEFAULT 0,
    uidnext       INTEGER NOT NULL DEFAULT 0,
    highestmodseq INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT 0,    -- messages cached
    unread        INTEGER NOT NULL DEFAULT 0,    -- of which without \Seen
    synced_at     INTEGER NOT NULL DEFAULT 0,    -- unix nanoseconds, 0 never
    UNIQUE (account_id, name)
);

CREATE TABLE IF NOT EXISTS mail_messages (
    rowid         INTEGER PRIMARY KEY,
    folder_id     INTEGER NOT NULL REFERENCES mail_folders(id),
    uid           INTEGER NOT NULL,
    modseq        INTEGER NOT NULL DEFAULT 0,
    flags         TEXT    NOT NULL DEFAULT '',   -- space-separated, sorted
    seen          INTEGER NOT NULL DEFAULT 0,
    flagged       INTEGER NOT NULL DEFAULT 0,
    answered      INTEGER NOT NULL DEFAULT 0,
    internal_date INTEGER NOT NULL DEFAULT 0,    -- unix seconds
    date          INTEGER NOT NULL DEFAULT 0,    -- unix seconds (see above)
    size          INTEGER NOT NULL DEFAULT 0,
    subject       TEXT    NOT NULL DEFAULT '',
    from_addrs    TEXT    NOT NULL DEFAULT '',   -- JSON [MailAddress], '' none
    to_addrs      TEXT    NOT NULL DEFAULT '',
    cc_addrs      TEXT    NOT NULL DEFAULT '',
    reply_to      TEXT    NOT NULL DEFAULT '',
    message_id    TEXT    NOT NULL DEFAULT '',   -- without <>
    in_reply_to   TEXT    NOT NULL DEFAULT '',
    attachments   TEXT    NOT NULL DEFAULT '',   -- JSON [name], '' none
    state         INTEGER NOT NULL DEFAULT 0,    -- BodyState
    blob_sha      TEXT    NOT NULL DEFAULT '',
    blob_size     INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,    -- failed body fetches
    preview       TEXT    NOT NULL DEFAULT '',
    UNIQUE (folder_id, uid)
);
CREATE INDEX IF NOT EXISTS mail_messages_list ON mail_messages(folder_id, date DESC, internal_date DESC, uid DESC);
CREATE INDEX IF NOT EXISTS mail_messages_need_body ON mail_messages(folder_id, uid)
    WHERE state = 0 OR (state = 3 AND attempts < 3);
CREATE INDEX IF NOT EXISTS mail_messages_by_msgid ON mail_messages(message_id);

-- The downloaded body of a message: what the reader shows and search indexes.
CREATE TABLE IF NOT EXISTS mail_text (
    rowid INTEGER PRIMARY KEY,                   -- = mail_messages.rowid
    text  TEXT NOT NULL DEFAULT '',
    parts TEXT NOT NULL DEFAULT '',              -- JSON [MailPart], '' none
    error TEXT NOT NULL DEFAULT ''
);

CREATE VIRTUAL TABLE IF NOT EXISTS mail_fts USING fts5(
    folded, exact,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO mail_fts(mail_fts, rank) VALUES ('automerge', 8);

-- Changes made offline, applied to the cache at once and replayed to the
-- server in id order. They name the message the way the server does
-- (folder name, UIDVALIDITY, UID): the cached row may be gone by then.
CREATE TABLE IF NOT EXISTS mail_ops (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT    NOT NULL,
    folder_name TEXT    NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    arg         TEXT    NOT NULL DEFAULT '',
    created     INTEGER NOT NULL,                -- unix nanoseconds
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS mail_ops_by_message ON mail_ops(account_id, folder_name, uidvalidity, uid);

-- Composed messages on their way out (OutboxItem); the raw message is in the
-- blob store before the row is written.
CREATE TABLE IF NOT EXISTS mail_outbox (
    id          TEXT    PRIMARY KEY,
    account_id  TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    env_from    TEXT    NOT NULL,
    recipients  TEXT    NOT NULL,                -- JSON [address]
    subject     TEXT    NOT NULL DEFAULT '',
    blob_sha    TEXT    NOT NULL,
    blob_size   INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'appended', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    next_try    INTEGER NOT NULL DEFAULT 0,      -- unix nanoseconds, 0 at once
    created     INTEGER NOT NULL,
    sent_at     INTEGER NOT NULL DEFAULT 0,
    appended_at INTEGER NOT NULL DEFAULT 0,
    document_id TEXT    NOT NULL DEFAULT '',
    parts       TEXT    NOT NULL DEFAULT ''      -- JSON [MailPart]
);
CREATE INDEX IF NOT EXISTS mail_outbox_by_state ON mail_outbox(state, created);

CREATE TABLE IF NOT EXISTS mail_links (
    account_id  TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    document_id TEXT NOT NULL,
    created     INTEGER NOT NULL,
    PRIMARY KEY (account_id, message_id, document_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mail_links_by_document ON mail_links(document_id);

CREATE TABLE IF NOT EXISTS mail_addresses (
    addr_key TEXT    PRIMARY KEY,                -- lower-case address
    addr     TEXT    NOT NULL,
    name     TEXT    NOT NULL DEFAULT '',        -- the latest display name seen
    keys     TEXT    NOT NULL,                   -- ' ' + folded name words + ' ' + address: prefix matching
    n        INTEGER NOT NULL                    -- how often seen
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mail_addresses_by_count ON mail_addresses(n DESC);
