package docstore

import "database/sql"

// rowScanner is what a scan function reads from: *sql.Row or *sql.Rows.
type rowScanner = interface{ Scan(...any) error }

// scanAll reads every row of a query with scan, closes the rows and
// returns the query's, a scan's or the iteration's error (the caller names
// the operation). Called as scanAll(db.QueryContext(…), scanX). The result
// is never nil.
func scanAll[T any](rows *sql.Rows, err error, scan func(rowScanner, *T) error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
