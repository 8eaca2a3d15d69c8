-- 0003: indexes for the filtered and sorted register (Store.RegisterView).
--
-- The newest-first register needs none of them: it pages by the gap-free
-- number on the UNIQUE (register_id, counter_key, number) index.
--
-- documents_view holds every column a register is filtered on, in number
-- order: a filter (loại, độ khẩn, độ mật, trạng thái, khoảng ngày) is one
-- index-only scan of the register, never a million table lookups (those
-- take 1–3 s at 1,000,000 documents; this scan 0.2–0.4 s).
-- documents_by_doc_date and documents_by_arrival give the two date orders
-- without sorting a million rows (an SQL sort of them takes about 1 s).
-- The issuer order comes from documents_dup (0001); độ khẩn and số ký hiệu
-- are sorted in Go.
--
-- All three are appended to at their right end when a document is
-- registered (the number grows, the dates nearly so). Measured on imports
-- of 60,000 documents in batches of 1,000 (6 alternating runs each, shared
-- 2-core machine): CPU time per document 61.9 → 67.4 µs (+9 %), wall-clock
-- rate 14,450 → 13,800 docs/s (−4.5 %).
-- IF NOT EXISTS: a store taken back to an older schema version (a test
-- does so) keeps them, and migrating it again must not fail.
CREATE INDEX IF NOT EXISTS documents_view ON documents(register_id, counter_key, number, type_code, urgency, secrecy, status, arrival_date, doc_date);
CREATE INDEX IF NOT EXISTS documents_by_doc_date ON documents(register_id, doc_date);
CREATE INDEX IF NOT EXISTS documents_by_arrival ON documents(register_id, arrival_date);
