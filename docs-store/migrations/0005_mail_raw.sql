-- 0005: small raw messages live in the database.
--
-- The mail sync stored every raw message as a file of the blob store; for
-- a 20,000-message first sync that is 20,000 file creations and renames,
-- and the syncfs that makes them durable stalls the creation of the next
-- batch's files (measured: 0.13 ms a file alone, 0.5 ms beside a syncfs).
-- Messages up to 1 MiB (nearly all: a letter with a scanned công văn is
-- ~150 KB) are kept here instead, written in the same transaction as their
-- cache row, so a batch is one WAL append and one fsync. Larger ones stay
-- files, streamed, never whole in memory. Keyed by SHA-256 like the blob
-- store, so a message in two folders is kept once.
CREATE TABLE IF NOT EXISTS mail_raw (
	sha  TEXT PRIMARY KEY,
	data BLOB NOT NULL
);
