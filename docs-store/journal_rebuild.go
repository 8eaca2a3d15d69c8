package docstore

import (
	"context"
	"database/sql"
	"fmt"
)

// derivedTables are every table the reducer writes, children before their
// parents: all of them are rebuilt from the events.
var derivedTables = []string{
	"workflow_steps", "draft_versions", "drafts", "assignments", "directions", "attachments",
	"documents", "counters", "registers", "person_keys", "person_roles", "people", "units", "agency",
	"stat_docs", "stat_work", "exchange_agencies",
}

// RebuildFromJournal rebuilds the state in journal order: what the
// journals ordered (the agency's, then the secret registers'), then the
// events made here that are still pending. Each event gets its verdict
// again, in that order. ApplyJournal calls it when events made offline
// met colleagues' events that came first; a changed UIDVALIDITY calls it
// after the journal was read again.
func (s *Store) RebuildFromJournal(ctx context.Context) error {
	_, err := s.writeEvents(ctx, "rebuild from journal", false, func(tx *wtx) ([]Event, error) {
		return nil, rebuild(tx)
	})
	return err
}

type journalRow struct {
	id, scope, state, kind string
	uid                    sql.NullInt64
	local                  bool
	raw                    []byte
}

func rebuild(tx *wtx) error {
	for _, t := range derivedTables {
		if _, err := tx.Exec(`DELETE FROM ` + t); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	if _, err := tx.Exec(`INSERT INTO doc_fts(doc_fts) VALUES ('delete-all')`); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE stat_docs_mark SET last_rowid = 0`); err != nil {
		return err
	}
	tx.people, tx.regs = nil, nil

	// Journal order, then what is pending in the order it was made.
	rows, err := tx.Query(`SELECT j.event_id, j.scope, j.uid, j.state, j.kind, j.local, j.raw FROM journal_events j
		LEFT JOIN events e ON e.id = j.event_id
		WHERE j.state IN ('applied', 'refused', 'pending')
		ORDER BY j.uid IS NULL, j.scope, j.uid, e.seq`)
	if err != nil {
		return err
	}
	var order []journalRow
	for rows.Next() {
		var r journalRow
		if err := rows.Scan(&r.id, &r.scope, &r.uid, &r.state, &r.kind, &r.local, &r.raw); err != nil {
			rows.Close()
			return err
		}
		order = append(order, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range order {
		if r.state == VerdictRefused && r.kind == RefusedForged {
			continue // signed with a key not the actor's: never applied
		}
		e, logged, err := journalEvent(tx, r)
		if err != nil {
			return err
		}
		err = applyInSavepoint(tx, e, !logged)
		state, kind, reason, raw := VerdictApplied, "", "", []byte(nil)
		if err != nil {
			state, kind, reason = VerdictRefused, refusalKind(err), err.Error()
			if raw, err = e.Encode(); err != nil {
				return err
			}
		}
		if r.state == "pending" && state == VerdictApplied {
			state = "pending"
		}
		if _, err := tx.Exec(`UPDATE journal_events SET state = ?, kind = ?, reason = ?, raw = ? WHERE event_id = ?`,
			state, kind, reason, raw, r.id); err != nil {
			return err
		}
		if state == VerdictRefused && !r.uid.Valid {
			// A pending event the journal order made impossible before it
			// was even appended: it will not be.
			if _, err := tx.Exec(`DELETE FROM journal_outbox WHERE event_id = ?`, r.id); err != nil {
				return err
			}
		}
	}
	_, err = tx.Exec(`UPDATE journal_state SET out_of_order = 0, rebuilds = rebuilds + 1 WHERE id = 1`)
	return err
}

// journalEvent reads an event of the journal: from the log when it was
// applied here once (logged), else from the journal's copy of a refused one.
func journalEvent(tx *wtx, r journalRow) (Event, bool, error) {
	if r.raw != nil {
		e, err := DecodeEvent(r.raw)
		if err != nil {
			return Event{}, false, err
		}
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM events WHERE id = ?`, r.id).Scan(&n); err != nil {
			return Event{}, false, err
		}
		return e, n > 0, nil
	}
	var e Event
	if err := scanEvent(tx.QueryRow(`SELECT `+eventCols+` FROM events WHERE id = ?`, r.id), &e); err != nil {
		return Event{}, false, fmt.Errorf("event %s of the journal: %w", r.id, err)
	}
	return e, true, nil
}
