package docstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"
)

// builder makes the events of one command inside the write transaction, so
// what it reads (the next number, the current state) cannot change before
// the events are applied.
type builder func(tx *wtx) ([]Event, error)

// write runs one command: build its events, apply each through the reducer,
// append it to the log and the audit chain, commit. Either all of it lands
// or none.
func (s *Store) write(ctx context.Context, op string, b builder) ([]Event, error) {
	if p := s.currentPublisher(); p != nil {
		return s.publish(ctx, p, op, b)
	}
	return s.writeEvents(ctx, op, false, b)
}

// writeEvents: foreign events (from a colleague, a backup) get their wire
// form checked again before the reducer sees them.
func (s *Store) writeEvents(ctx context.Context, op string, foreign bool, b builder) ([]Event, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	sqltx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	defer sqltx.Rollback()
	tx := &wtx{tx: sqltx, cache: s.stmts}
	evs, err := b(tx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	for _, e := range evs {
		if err := appendEvent(tx, e, foreign); err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
	}
	if err := sqltx.Commit(); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return evs, nil
}

// appendEvent applies e and records it in events and audit.
func appendEvent(tx *wtx, e Event, foreign bool) error {
	if foreign {
		if err := e.check(); err != nil {
			return err
		}
	}
	if err := apply(tx, e); err != nil {
		return err
	}
	res, err := tx.Exec(`INSERT INTO events(id, type, version, actor, time, payload) VALUES (?,?,?,?,?,?)`,
		e.ID, e.Type, e.Version, e.Actor, evStamp(e), []byte(e.Payload))
	if err != nil {
		if isConstraint(err) {
			return fmt.Errorf("%w: event %s already applied", ErrBadEvent, e.ID)
		}
		return err
	}
	seq, _ := res.LastInsertId()
	return appendAudit(tx, seq, e)
}

func eventHash(e Event) []byte {
	h := sha256.New()
	for _, f := range []string{e.ID, e.Type, fmt.Sprint(e.Version), e.Actor, evStamp(e)} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(f)))
		h.Write(n[:])
		h.Write([]byte(f))
	}
	h.Write(e.Payload)
	return h.Sum(nil)
}

func chainHash(prev, evHash []byte, seq int64) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(evHash)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	h.Write(n[:])
	return h.Sum(nil)
}

var genesis = make([]byte, sha256.Size)

func appendAudit(tx *wtx, seq int64, e Event) error {
	prev := tx.lastHash
	if prev == nil {
		prev = genesis
		err := tx.QueryRow(`SELECT hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	eh := eventHash(e)
	h := chainHash(prev, eh, seq)
	_, err := tx.Exec(`INSERT INTO audit(seq, event_id, type, actor, time, event_hash, prev, hash) VALUES (?,?,?,?,?,?,?,?)`,
		seq, e.ID, e.Type, e.Actor, evStamp(e), eh, prev, h)
	if err == nil {
		tx.lastHash = h
	}
	return err
}

// AuditError says where the audit chain breaks.
type AuditError struct {
	Seq    int64
	Reason string
}

func (e *AuditError) Error() string { return fmt.Sprintf("audit row %d: %s", e.Seq, e.Reason) }

// VerifyAudit walks the audit chain and the event log side by side and
// returns an *AuditError at the first row that was changed, deleted or
// inserted out of turn, or an event with no matching audit row.
func (s *Store) VerifyAudit(ctx context.Context) error {
	var nEvents, nAudit int64
	if err := s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM audit)`).Scan(&nEvents, &nAudit); err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT e.seq, e.id, e.type, e.version, e.actor, e.time, e.payload,
		a.seq, coalesce(a.event_id, ''), a.event_hash, a.prev, a.hash
		FROM events e LEFT JOIN audit a ON a.seq = e.seq ORDER BY e.seq`)
	if err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	defer rows.Close()
	prev := genesis
	var want int64 = 1
	for rows.Next() {
		var (
			seq          int64
			e            Event
			stamp        string
			payload      []byte
			aseq         sql.NullInt64
			aid          string
			eh, ap, hash []byte
		)
		if err := rows.Scan(&seq, &e.ID, &e.Type, &e.Version, &e.Actor, &stamp, &payload, &aseq, &aid, &eh, &ap, &hash); err != nil {
			return fmt.Errorf("verify audit: %w", err)
		}
		e.Payload = payload
		e.Time, _ = time.Parse(time.RFC3339Nano, stamp)
		switch {
		case seq != want:
			return &AuditError{Seq: want, Reason: "event missing"}
		case !aseq.Valid:
			return &AuditError{Seq: seq, Reason: "audit row missing"}
		case aid != e.ID:
			return &AuditError{Seq: seq, Reason: "audit row names another event"}
		case !bytes.Equal(eh, eventHash(e)):
			return &AuditError{Seq: seq, Reason: "event changed after it was recorded"}
		case !bytes.Equal(ap, prev):
			return &AuditError{Seq: seq, Reason: "chain broken (a row before it was changed or deleted)"}
		case !bytes.Equal(hash, chainHash(prev, eh, seq)):
			return &AuditError{Seq: seq, Reason: "audit row changed"}
		}
		prev = hash
		want++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify audit: %w", err)
	}
	if nAudit != nEvents {
		return &AuditError{Seq: want, Reason: fmt.Sprintf("%d audit rows for %d events", nAudit, nEvents)}
	}
	return nil
}

// wtx is a transaction whose statements are prepared once per connection
// and reused: parsing SQL was a quarter of the cost of a registration.
type wtx struct {
	tx    *sql.Tx
	cache *stmtCache // nil: prepare each time (read-only helpers)
	// Memos for the length of the transaction.
	people   map[string]*person
	regs     map[string]*register
	lastHash []byte // the audit chain's head
	stmts    map[string]*sql.Stmt
	// noSavepoints: ApplyJournal's first attempt at a batch; a refused
	// event aborts it (errNeedSavepoints) instead of rolling back alone.
	noSavepoints bool
}

type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func (c *stmtCache) get(q string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.db.Prepare(q)
	if err != nil {
		return nil, err
	}
	c.m[q] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

func (t *wtx) stmt(q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.cache.get(q)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[q] = t.tx.Stmt(st)
	return t.stmts[q], nil
}

func (t *wtx) Exec(q string, args ...any) (sql.Result, error) {
	if t.cache == nil {
		return t.tx.Exec(q, args...)
	}
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.Exec(args...)
}

func (t *wtx) Query(q string, args ...any) (*sql.Rows, error) {
	if t.cache == nil {
		return t.tx.Query(q, args...)
	}
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.Query(args...)
}

func (t *wtx) QueryRow(q string, args ...any) *sql.Row {
	if t.cache == nil {
		return t.tx.QueryRow(q, args...)
	}
	st, err := t.stmt(q)
	if err != nil {
		return t.tx.QueryRow(q, args...) // surfaces the same prepare error through Scan
	}
	return st.QueryRow(args...)
}
