package docstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
)

// Stats are the figures of the Thống kê page for one year, counted over the
// registers and documents a viewer may read.
type Stats struct {
	Year int

	// Documents per month, January first: incoming by ngày đến, outgoing by
	// the date of the document (the day it was issued).
	Incoming, Outgoing [12]int
	// Types counts the documents of the year per type, most frequent first.
	Types []TypeCount

	// The chủ trì assignments that have a deadline: completed in the year on
	// or before the deadline, or after it; and those still open whose deadline
	// falls in the year, past it on today or not yet.
	OnTime, Late, Overdue, NotDue int

	// How the year's documents came in and went out.
	IncomingShare, OutgoingShare SourceShare
}

// TypeCount is the number of documents of one type in a year.
type TypeCount struct {
	Code               string // a DocTypes code; OtherTypes for the rest (TopTypes)
	Incoming, Outgoing int
}

// OtherTypes is the code of the "other types" line of TopTypes.
const OtherTypes = ""

// Total is incoming plus outgoing.
func (t TypeCount) Total() int { return t.Incoming + t.Outgoing }

// SourceShare splits documents into electronic ones (dien_tu, email, edXML)
// and paper ones.
type SourceShare struct{ Electronic, Paper int }

// Total is electronic plus paper.
func (s SourceShare) Total() int { return s.Electronic + s.Paper }

// Rate is the electronic share, 0–1 (0 when there is nothing).
func (s SourceShare) Rate() float64 { return ratio(s.Electronic, s.Total()) }

// TotalIncoming is the number of incoming documents of the year.
func (s Stats) TotalIncoming() int { return sum12(s.Incoming) }

// TotalOutgoing is the number of outgoing documents of the year.
func (s Stats) TotalOutgoing() int { return sum12(s.Outgoing) }

// Done is the number of chủ trì assignments with a deadline completed in
// the year.
func (s Stats) Done() int { return s.OnTime + s.Late }

// OnTimeRate is the share of Done completed on or before the deadline, 0–1
// (0 when none was completed).
func (s Stats) OnTimeRate() float64 { return ratio(s.OnTime, s.Done()) }

// TopTypes is Types cut to at most n lines: the n-1 most frequent types and
// one OtherTypes line adding up the rest (all of Types when it fits).
func (s Stats) TopTypes(n int) []TypeCount {
	if len(s.Types) <= n || n < 1 {
		return s.Types
	}
	out := append([]TypeCount(nil), s.Types[:n-1]...)
	other := TypeCount{Code: OtherTypes}
	for _, t := range s.Types[n-1:] {
		other.Incoming += t.Incoming
		other.Outgoing += t.Outgoing
	}
	return append(out, other)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func sum12(m [12]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// statDocsMonth is the month a document counts in, as SQL over documents.
const statDocsMonth = `substr(CASE kind WHEN 'den' THEN arrival_date ELSE doc_date END, 1, 7)`

// foldEvery is how many documents registered since the last fold make
// Stats fold them into stat_docs before reading (below it they are counted
// on the fly: a range of the documents table by rowid).
const foldEvery = 5000

// Stats counts year for viewer, today (YYYY-MM-DD, in Vietnam) deciding
// which open assignments are overdue. It reads the small stat_docs and
// stat_work tables of migration 0002 (a few thousand rows per year at most)
// plus the documents registered since stat_docs was last brought up to
// date, so it costs about the same on a million documents as on a hundred.
// An unknown viewer gets the usual refusal; registers they may not see
// (secret ones, for people without clearance) and documents above their
// clearance are left out.
func (s *Store) Stats(ctx context.Context, viewer string, year int, today string) (Stats, error) {
	st := Stats{Year: year}
	v, visible, err := s.visibleRegisters(ctx, viewer)
	if err != nil {
		return st, err
	}
	// Many documents since the last fold (an import): fold them first, once,
	// rather than count them on the fly at every call.
	var mark, last int64
	if err := s.r.QueryRowContext(ctx, `SELECT last_rowid, (SELECT coalesce(max(rowid), 0) FROM documents) FROM stat_docs_mark`).Scan(&mark, &last); err != nil {
		return st, fmt.Errorf("stats %d: %w", year, err)
	}
	if last-mark >= foldEvery {
		// Folding is an optimisation: if it cannot write (disk full,
		// read-only medium), the rows are counted on the fly below.
		_ = s.foldStats(ctx)
	}
	y := fmt.Sprintf("%04d", year)
	// One snapshot: a fold committing meanwhile must not count twice.
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("stats %d: %w", year, err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT last_rowid FROM stat_docs_mark`).Scan(&mark); err != nil {
		return st, fmt.Errorf("stats %d: %w", year, err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT month, kind, register_id, secrecy, type_code, source, n FROM stat_docs
		WHERE month BETWEEN ?1 AND ?2 AND n > 0
		UNION ALL
		SELECT `+statDocsMonth+`, kind, register_id, secrecy, type_code, source, count(*) FROM documents
		WHERE rowid > ?3 AND `+statDocsMonth+` BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4, 5, 6`, y+"-01", y+"-12", mark)
	if err != nil {
		return st, fmt.Errorf("stats %d: %w", year, err)
	}
	defer rows.Close()
	types := map[string]*TypeCount{}
	for rows.Next() {
		var month, kind, reg, typ string
		var src Source
		var secrecy Secrecy
		var n int
		if err := rows.Scan(&month, &kind, &reg, &secrecy, &typ, &src, &n); err != nil {
			return st, fmt.Errorf("stats %d: %w", year, err)
		}
		m, err := strconv.Atoi(month[5:])
		if !visible[reg] || secrecy > v.clearance || err != nil || m < 1 || m > 12 {
			continue
		}
		t := types[typ]
		if t == nil {
			t = &TypeCount{Code: typ}
			types[typ] = t
		}
		share := &st.IncomingShare
		if kind == KindIncoming {
			st.Incoming[m-1] += n
			t.Incoming += n
		} else {
			st.Outgoing[m-1] += n
			t.Outgoing += n
			share = &st.OutgoingShare
		}
		if src == SourcePaper {
			share.Paper += n
		} else {
			share.Electronic += n
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("stats %d: %w", year, err)
	}
	rows.Close()
	for _, t := range types {
		if t.Total() > 0 {
			st.Types = append(st.Types, *t)
		}
	}
	sort.Slice(st.Types, func(i, j int) bool {
		a, b := st.Types[i], st.Types[j]
		if a.Total() != b.Total() {
			return a.Total() > b.Total()
		}
		return a.Code < b.Code
	})

	work, err := tx.QueryContext(ctx, `SELECT day, status, register_id, secrecy, n FROM stat_work
		WHERE day BETWEEN ? AND ? AND n > 0`, y+"-01-01", y+"-12-31")
	if err != nil {
		return st, fmt.Errorf("stats %d: %w", year, err)
	}
	defer work.Close()
	for work.Next() {
		var day, status, reg string
		var secrecy Secrecy
		var n int
		if err := work.Scan(&day, &status, &reg, &secrecy, &n); err != nil {
			return st, fmt.Errorf("stats %d: %w", year, err)
		}
		if !visible[reg] || secrecy > v.clearance {
			continue
		}
		switch {
		case status == "on_time":
			st.OnTime += n
		case status == "late":
			st.Late += n
		case day < today: // open, the deadline (day) passed
			st.Overdue += n
		default:
			st.NotDue += n
		}
	}
	if err := work.Err(); err != nil {
		return st, fmt.Errorf("stats %d: %w", year, err)
	}
	return st, nil
}

// foldStats adds the documents registered since the last fold to
// stat_docs, unless a write is under way (then this Stats counts them on
// the fly and the next one folds them).
func (s *Store) foldStats(ctx context.Context) error {
	if !s.writeMu.TryLock() {
		return nil
	}
	defer s.writeMu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("fold stats: %w", err)
	}
	defer tx.Rollback()
	// The writer lock is held: no document arrives between the two statements.
	if _, err := tx.ExecContext(ctx, `INSERT INTO stat_docs
		SELECT `+statDocsMonth+`, kind, register_id, secrecy, type_code, source, count(*) FROM documents
		WHERE rowid > (SELECT last_rowid FROM stat_docs_mark) GROUP BY 1, 2, 3, 4, 5, 6
		ON CONFLICT DO UPDATE SET n = n + excluded.n`); err != nil {
		return fmt.Errorf("fold stats: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE stat_docs_mark SET last_rowid = (SELECT coalesce(max(rowid), 0) FROM documents)`); err != nil {
		return fmt.Errorf("fold stats: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("fold stats: %w", err)
	}
	return nil
}
