-- 0006: drafts of messages, kept on this computer and mirrored to the
-- account's Drafts folder on the server.
--
-- A draft is written here first (durably), so closing the composer or
-- losing the network loses nothing; the sync engine then APPENDs it to the
-- server's Drafts (flag \Draft) and records the UID it got, and replaces
-- that copy when the draft is saved again. Sending or discarding it marks
-- the row "discarded": the engine deletes the server copy, then the row.
CREATE TABLE IF NOT EXISTS mail_drafts (
	id              TEXT PRIMARY KEY,
	account_id      TEXT NOT NULL REFERENCES mail_accounts(id) ON DELETE CASCADE,
	message_id      TEXT NOT NULL,
	subject         TEXT NOT NULL DEFAULT '',
	recipients      TEXT NOT NULL DEFAULT '',
	blob_sha        TEXT NOT NULL,
	blob_size       INTEGER NOT NULL,
	updated         INTEGER NOT NULL,              -- unix nanoseconds
	uploaded        INTEGER NOT NULL DEFAULT 0,    -- the server has this version
	server_validity INTEGER NOT NULL DEFAULT 0,    -- where the server's copy is (0: none)
	server_uid      INTEGER NOT NULL DEFAULT 0,
	discarded       INTEGER NOT NULL DEFAULT 0     -- sent or thrown away: delete the server copy, then the row
);
CREATE INDEX IF NOT EXISTS mail_drafts_account ON mail_drafts(account_id, updated);
