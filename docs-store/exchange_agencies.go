package docstore

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"congvu/docs-store/vntext"
)

// EvExchangeAgencySet adds, changes or (Removed) takes out an agency of
// the exchange directory.
const EvExchangeAgencySet = "exchange.agency_set"

// ExchangeAgency is an agency outside this one that documents are
// exchanged with by edXML (liên thông): its mã định danh, its name, and
// the address its exchange mailbox receives packages at. The
// administrator keeps the list; it is shared through the journal like the
// rest of the directory.
type ExchangeAgency struct {
	OrganID string `json:"organ_id"`
	Name    string `json:"name"`
	Email   string `json:"email"`
	Removed bool   `json:"removed,omitempty"`
}

func normExchangeAgency(a *ExchangeAgency) {
	a.OrganID = strings.ToUpper(strings.TrimSpace(a.OrganID))
	a.Name = vntext.NFC(strings.TrimSpace(a.Name))
	a.Email = strings.TrimSpace(a.Email)
}

// SetExchangeAgency adds or changes an agency of the exchange directory
// (quản trị only); with Removed it takes it out.
func (s *Store) SetExchangeAgency(ctx context.Context, actor string, a ExchangeAgency) error {
	normExchangeAgency(&a)
	return s.single(ctx, "set exchange agency "+a.OrganID, actor, EvExchangeAgencySet, a)
}

// ImportError is a line of an imported list that cannot be taken; nothing
// of the list was.
type ImportError struct {
	Line int
	Err  error
}

func (e *ImportError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *ImportError) Unwrap() error { return e.Err }

// ImportExchangeAgencies takes a list of agencies — CSV (comma or
// semicolon) with columns mã định danh, tên, thư điện tử; a first line of
// headings is skipped — as the provincial hub or the agency's IT hands it
// out. All or nothing: a bad line is an *ImportError and nothing changes.
// It returns how many agencies were set.
func (s *Store) ImportExchangeAgencies(ctx context.Context, actor string, r io.Reader) (int, error) {
	rows, err := readAgencyCSV(r)
	if err != nil {
		return 0, err
	}
	now := s.now()
	_, err = s.write(ctx, "import exchange agencies", func(tx *wtx) ([]Event, error) {
		evs := make([]Event, 0, len(rows))
		for _, row := range rows {
			e, err := newEvent(s.newID(), EvExchangeAgencySet, actor, now, row.a)
			if err != nil {
				return nil, &ImportError{Line: row.line, Err: err}
			}
			evs = append(evs, e)
		}
		return evs, nil
	})
	if err != nil {
		return 0, err
	}
	return len(rows), nil
}

// maxAgencyList bounds an imported list (a province has a few thousand
// agencies; a megabyte or two).
const maxAgencyList = 8 << 20

type agencyRow struct {
	line int
	a    ExchangeAgency
}

func readAgencyCSV(r io.Reader) ([]agencyRow, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxAgencyList+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxAgencyList {
		return nil, &ImportError{Line: 1, Err: invalid("file", "too_long")}
	}
	first, _, _ := strings.Cut(string(b), "\n")
	cr := csv.NewReader(strings.NewReader(string(b)))
	if strings.Contains(first, ";") && !strings.Contains(first, ",") {
		cr.Comma = ';' // as a spreadsheet saves it where the comma is the decimal mark
	}
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var rows []agencyRow
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0) // the file's line, blank lines and quoted line breaks counted
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &ImportError{Line: line, Err: invalid("csv", "format")}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < 3 {
			return nil, &ImportError{Line: line, Err: invalid("columns", "format")}
		}
		a := ExchangeAgency{OrganID: strings.TrimPrefix(rec[0], "\uFEFF"), Name: rec[1], Email: rec[2]}
		normExchangeAgency(&a)
		if n == 1 && !ValidAgencyCode(a.OrganID) && !validMailAddress(a.Email) {
			continue // headings
		}
		if err := checkExchangeAgency(a); err != nil {
			return nil, &ImportError{Line: line, Err: err}
		}
		rows = append(rows, agencyRow{line: line, a: a})
	}
	if len(rows) == 0 {
		return nil, &ImportError{Line: 1, Err: invalid("rows", "required")}
	}
	return rows, nil
}

// ExchangeAgencies lists the exchange directory in Vietnamese order.
func (s *Store) ExchangeAgencies(ctx context.Context) ([]ExchangeAgency, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT organ_id, name, email FROM exchange_agencies ORDER BY name_key`)
	out, err := scanAll(rows, err, func(sc rowScanner, a *ExchangeAgency) error { return sc.Scan(&a.OrganID, &a.Name, &a.Email) })
	if err != nil {
		return nil, fmt.Errorf("exchange agencies: %w", err)
	}
	return out, nil
}

// ExchangeAgencyByID is one agency of the directory (ErrNotFound).
func (s *Store) ExchangeAgencyByID(ctx context.Context, organID string) (ExchangeAgency, error) {
	a := ExchangeAgency{OrganID: strings.ToUpper(strings.TrimSpace(organID))}
	err := s.r.QueryRowContext(ctx, `SELECT name, email FROM exchange_agencies WHERE organ_id = ?`, a.OrganID).Scan(&a.Name, &a.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("exchange agency", a.OrganID)
	}
	if err != nil {
		return a, fmt.Errorf("exchange agency %s: %w", a.OrganID, err)
	}
	return a, nil
}

func applyExchangeAgencySet(tx *wtx, e Event) error {
	a, err := decodePayload[ExchangeAgency](e)
	if err != nil {
		return err
	}
	if err := requireAdmin(tx, e, "set_exchange_agency"); err != nil {
		return err
	}
	if err := checkExchangeAgency(*a); err != nil {
		return err
	}
	if a.Removed {
		_, err := tx.Exec(`DELETE FROM exchange_agencies WHERE organ_id = ?`, a.OrganID)
		return err
	}
	_, err = tx.Exec(`INSERT INTO exchange_agencies(organ_id, name, email, name_key) VALUES (?,?,?,?)
		ON CONFLICT(organ_id) DO UPDATE SET name = excluded.name, email = excluded.email, name_key = excluded.name_key`,
		a.OrganID, a.Name, a.Email, vntext.SortKey(a.Name))
	return err
}

// checkExchangeAgency: a mã định danh in QCVN 102 form; unless removed, a
// name and an address.
func checkExchangeAgency(a ExchangeAgency) error {
	switch {
	case !ValidAgencyCode(a.OrganID):
		return invalid("organ_id", "format")
	case a.Removed:
		return nil
	case blank(a.Name):
		return invalid("name", "required")
	case !validMailAddress(a.Email):
		return invalid("email", "format")
	}
	return nil
}
