-- 0002: the counts behind the Thống kê page.
--
-- Counting a year of a 1,000,000-document register row by row (even over a
-- covering index) takes 0.4–0.7 s in this SQLite, so the page reads these
-- small tables instead: a few thousand rows per year, whatever the number of
-- documents. Like every domain table they are derived state, rebuilt from
-- the documents and assignments (so by a replay of the events too).

-- Documents per month (of the ngày đến for incoming, of the ngày văn bản —
-- the issue date — for outgoing), per register, secrecy, type and source.
-- Kept by Store.Stats, not by a trigger: a trigger on documents makes every
-- registration open a statement journal, which flushes the FTS index's
-- pending terms at each document and halved the import rate. The columns
-- counted never change once a document is registered and documents are
-- never deleted, so the rows after stat_docs_mark.last_rowid are all that is
-- not counted yet: Stats adds them on the fly and folds them in now and then.
CREATE TABLE stat_docs (
    month       TEXT    NOT NULL,         -- YYYY-MM
    kind        TEXT    NOT NULL,         -- den | di
    register_id TEXT    NOT NULL,
    secrecy     INTEGER NOT NULL,
    type_code   TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (month, kind, register_id, secrecy, type_code, source)
) WITHOUT ROWID;

CREATE TABLE stat_docs_mark (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    last_rowid INTEGER NOT NULL           -- documents up to this rowid are in stat_docs
);

-- The chủ trì assignments that have a deadline, by how they stand:
--   open    (chờ xử lý, đang xử lý): day = the deadline, so the page splits
--           them into quá hạn / chưa đến hạn against any today;
--   on_time / late (hoàn thành): day = the day it was completed in Vietnam
--           (updated_at, UTC, is the time of the completing event: hoàn
--           thành is final), on_time when that day is ≤ the deadline.
-- Returned (trả lại) and để biết assignments are not counted. Assignments
-- change state, so triggers keep these counts (an assignment statement is
-- rarely in the same transaction as an FTS write, unlike a registration).
CREATE TABLE stat_work (
    day         TEXT    NOT NULL,         -- YYYY-MM-DD
    status      TEXT    NOT NULL,         -- open | on_time | late
    register_id TEXT    NOT NULL,
    secrecy     INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (day, status, register_id, secrecy)
) WITHOUT ROWID;

CREATE TRIGGER stat_work_insert AFTER INSERT ON assignments
WHEN NEW.role = 'chu_tri' AND NEW.deadline <> '' AND NEW.state IN ('cho_xu_ly', 'dang_xu_ly', 'hoan_thanh') BEGIN
    INSERT INTO stat_work
    SELECT CASE WHEN NEW.state = 'hoan_thanh' THEN date(NEW.updated_at, '+7 hours') ELSE NEW.deadline END,
        CASE WHEN NEW.state <> 'hoan_thanh' THEN 'open' WHEN date(NEW.updated_at, '+7 hours') <= NEW.deadline THEN 'on_time' ELSE 'late' END,
        d.register_id, d.secrecy, 1
    FROM documents d WHERE d.id = NEW.document_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER stat_work_delete AFTER DELETE ON assignments
WHEN OLD.role = 'chu_tri' AND OLD.deadline <> '' AND OLD.state IN ('cho_xu_ly', 'dang_xu_ly', 'hoan_thanh') BEGIN
    UPDATE stat_work SET n = n - 1
    WHERE day = CASE WHEN OLD.state = 'hoan_thanh' THEN date(OLD.updated_at, '+7 hours') ELSE OLD.deadline END
      AND status = CASE WHEN OLD.state <> 'hoan_thanh' THEN 'open' WHEN date(OLD.updated_at, '+7 hours') <= OLD.deadline THEN 'on_time' ELSE 'late' END
      AND (register_id, secrecy) = (SELECT register_id, secrecy FROM documents WHERE id = OLD.document_id);
END;
-- An update is the old row leaving its count and the new row joining its
-- own (each only when counted).
CREATE TRIGGER stat_work_update_old AFTER UPDATE OF role, deadline, state, updated_at, document_id ON assignments
WHEN OLD.role = 'chu_tri' AND OLD.deadline <> '' AND OLD.state IN ('cho_xu_ly', 'dang_xu_ly', 'hoan_thanh') BEGIN
    UPDATE stat_work SET n = n - 1
    WHERE day = CASE WHEN OLD.state = 'hoan_thanh' THEN date(OLD.updated_at, '+7 hours') ELSE OLD.deadline END
      AND status = CASE WHEN OLD.state <> 'hoan_thanh' THEN 'open' WHEN date(OLD.updated_at, '+7 hours') <= OLD.deadline THEN 'on_time' ELSE 'late' END
      AND (register_id, secrecy) = (SELECT register_id, secrecy FROM documents WHERE id = OLD.document_id);
END;
CREATE TRIGGER stat_work_update_new AFTER UPDATE OF role, deadline, state, updated_at, document_id ON assignments
WHEN NEW.role = 'chu_tri' AND NEW.deadline <> '' AND NEW.state IN ('cho_xu_ly', 'dang_xu_ly', 'hoan_thanh') BEGIN
    INSERT INTO stat_work
    SELECT CASE WHEN NEW.state = 'hoan_thanh' THEN date(NEW.updated_at, '+7 hours') ELSE NEW.deadline END,
        CASE WHEN NEW.state <> 'hoan_thanh' THEN 'open' WHEN date(NEW.updated_at, '+7 hours') <= NEW.deadline THEN 'on_time' ELSE 'late' END,
        d.register_id, d.secrecy, 1
    FROM documents d WHERE d.id = NEW.document_id
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A store made before this migration: count what is there.
INSERT INTO stat_docs
SELECT substr(CASE kind WHEN 'den' THEN arrival_date ELSE doc_date END, 1, 7), kind, register_id, secrecy, type_code, source, count(*)
FROM documents WHERE true GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO stat_docs_mark VALUES (1, (SELECT coalesce(max(rowid), 0) FROM documents));

INSERT INTO stat_work
SELECT CASE WHEN a.state = 'hoan_thanh' THEN date(a.updated_at, '+7 hours') ELSE a.deadline END,
    CASE WHEN a.state <> 'hoan_thanh' THEN 'open' WHEN date(a.updated_at, '+7 hours') <= a.deadline THEN 'on_time' ELSE 'late' END,
    d.register_id, d.secrecy, count(*)
FROM assignments a JOIN documents d ON d.id = a.document_id
WHERE a.role = 'chu_tri' AND a.deadline <> '' AND a.state IN ('cho_xu_ly', 'dang_xu_ly', 'hoan_thanh')
GROUP BY 1, 2, 3, 4;
