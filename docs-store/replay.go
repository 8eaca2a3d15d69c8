package docstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// eventCols are the columns of events that make an Event, in the order
// scanEvent reads them.
const eventCols = `id, type, version, actor, time, payload`

// scanEvent reads before (columns the query puts first) and then the
// eventCols of one row. A NULL event (a LEFT JOIN that found none) leaves
// e.ID empty and its time unset.
func scanEvent(sc rowScanner, e *Event, before ...any) error {
	var (
		id, typ, actor, stamp sql.NullString
		version               sql.NullInt64
		p                     []byte
	)
	if err := sc.Scan(append(before, &id, &typ, &version, &actor, &stamp, &p)...); err != nil {
		return err
	}
	*e = Event{ID: id.String, Type: typ.String, Version: int(version.Int64), Actor: actor.String, Payload: p}
	if !stamp.Valid {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, stamp.String)
	if err != nil {
		return fmt.Errorf("event %s: time: %w", e.ID, err)
	}
	e.Time = t
	return nil
}

// EachEvent calls fn for every event in log order after seq.
func (s *Store) EachEvent(ctx context.Context, after int64, fn func(seq int64, e Event) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT seq, `+eventCols+` FROM events WHERE seq > ? ORDER BY seq`, after)
	if err != nil {
		return fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var e Event
		if err := scanEvent(rows, &e, &seq); err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		if err := fn(seq, e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ApplyEvents applies events made elsewhere (a colleague's, a backup's)
// through the same reducer, in one transaction: all or none.
func (s *Store) ApplyEvents(ctx context.Context, evs []Event) error {
	_, err := s.writeEvents(ctx, "apply events", true, func(*wtx) ([]Event, error) { return evs, nil })
	return err
}

// ReplayInto applies every event of s, in order, to dst (normally an empty
// store) and returns how many it applied. Events go in batches so a large
// log does not become one huge transaction.
func (s *Store) ReplayInto(ctx context.Context, dst *Store) (int, error) {
	const batch = 2000
	buf := make([]Event, 0, batch)
	n := 0
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := dst.ApplyEvents(ctx, buf); err != nil {
			return err
		}
		n += len(buf)
		buf = buf[:0]
		return nil
	}
	err := s.EachEvent(ctx, 0, func(_ int64, e Event) error {
		buf = append(buf, e)
		if len(buf) == batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return n, fmt.Errorf("replay: %w", err)
	}
	return n, nil
}
