package docstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"congvu/docs-store/vntext"
)

// IncomingInput is what the clerk types to register an incoming document:
// every column of the Decree 30 incoming register (Phụ lục IV) that is not
// assigned by the system, plus urgency, secrecy, due date, pages and source.
type IncomingInput struct {
	RegisterID  string       `json:"register_id"`
	ArrivalDate string       `json:"arrival_date"` // ngày đến, YYYY-MM-DD
	Issuer      string       `json:"issuer"`       // tác giả: cơ quan ban hành
	IssuerCode  string       `json:"issuer_code,omitempty"`
	Notation    string       `json:"notation"` // số và ký hiệu, e.g. 1220/QĐ-UBND
	DocDate     string       `json:"doc_date"` // ngày tháng văn bản
	Type        string       `json:"type"`     // DocType code
	Subject     string       `json:"subject"`  // trích yếu
	Recipients  string       `json:"recipients,omitempty"`
	Note        string       `json:"note,omitempty"`
	Urgency     Urgency      `json:"urgency"`
	Secrecy     Secrecy      `json:"secrecy"`
	DueDate     string       `json:"due_date,omitempty"` // hạn giải quyết
	Pages       int          `json:"pages,omitempty"`
	Source      Source       `json:"source"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// normalize brings every text field to NFC (and one tone placement) and
// trims it: the input boundary of the store.
func (in *IncomingInput) normalize() {
	for _, p := range []*string{&in.Issuer, &in.IssuerCode, &in.Notation, &in.Subject, &in.Recipients, &in.Note} {
		*p = strings.TrimSpace(vntext.NFC(*p))
	}
	for i := range in.Attachments {
		in.Attachments[i].Name = vntext.NFC(in.Attachments[i].Name)
	}
	if in.Source == "" {
		in.Source = SourcePaper
	}
}

// validate checks what can be checked from the input alone (the reducer
// runs it too, for events from elsewhere). It reports every wrong field at
// once, so the form can mark them all.
func (in *IncomingInput) validate() error {
	var errs []error
	add := func(field, reason string) { errs = append(errs, invalid(field, reason)) }
	arrivalOK := validDate(in.ArrivalDate)
	if !arrivalOK {
		add("arrival_date", "format")
	}
	switch {
	case blank(in.Issuer):
		add("issuer", "required")
	case len(in.Issuer) > 500:
		add("issuer", "too_long")
	}
	if in.IssuerCode != "" && !ValidAgencyCode(in.IssuerCode) {
		add("issuer_code", "format")
	}
	if in.Notation != "" && !ValidNotation(in.Notation) {
		add("notation", "format")
	}
	switch {
	case !validDate(in.DocDate):
		add("doc_date", "format")
	case arrivalOK && in.DocDate > in.ArrivalDate:
		add("doc_date", "future")
	}
	if _, ok := LookupDocType(in.Type); !ok {
		add("type", "unknown")
	}
	switch {
	case blank(in.Subject):
		add("subject", "required")
	case len(in.Subject) > 2000:
		add("subject", "too_long")
	}
	if in.Urgency < UrgencyNormal || in.Urgency > UrgencyFlash {
		add("urgency", "unknown")
	}
	if in.Secrecy < SecrecyNone || in.Secrecy > SecrecyTuyet {
		add("secrecy", "unknown")
	}
	switch {
	case in.DueDate == "":
	case !validDate(in.DueDate):
		add("due_date", "format")
	case arrivalOK && in.DueDate < in.ArrivalDate:
		add("due_date", "before_arrival")
	}
	if in.Pages < 0 || in.Pages > 100000 {
		add("pages", "range")
	}
	if !validSource(in.Source) {
		add("source", "unknown")
	}
	for _, a := range in.Attachments {
		if checkFile(a) != nil {
			add("attachments", "format")
			break
		}
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// Registered is the result of a registration: the new document and its
// number, and the likely duplicates the clerk should look at. Duplicates are
// a warning, not an error: the same letter may legitimately come twice.
type Registered struct {
	DocID      string
	Number     int
	Duplicates []DocRef
}

// DocRef names a document briefly.
type DocRef struct {
	ID       string
	Register string
	Number   int
	Notation string
	Issuer   string
	DocDate  string
}

// Today is the current date in Vietnam by the store's clock (the one the
// commands date their events with).
func (s *Store) Today() string { return LocalDate(s.now()) }

// RegisterIncoming registers one incoming document as clerk actor: it gets
// the next số đến of its register (one sequence for paper and electronic,
// gap-free), in its own transaction.
func (s *Store) RegisterIncoming(ctx context.Context, actor string, in IncomingInput) (Registered, error) {
	res, err := s.importIncoming(ctx, actor, []IncomingInput{in})
	if err != nil {
		return Registered{}, err
	}
	return res[0], nil
}

// ImportIncoming registers many documents in one transaction (an import of
// a paper register, or a batch from the exchange): all or none, numbers in
// input order.
func (s *Store) ImportIncoming(ctx context.Context, actor string, ins []IncomingInput) ([]Registered, error) {
	return s.importIncoming(ctx, actor, ins)
}

func (s *Store) importIncoming(ctx context.Context, actor string, ins []IncomingInput) ([]Registered, error) {
	now := s.now()
	today := LocalDate(now)
	out := make([]Registered, len(ins))
	_, err := s.write(ctx, "register incoming", func(tx *wtx) ([]Event, error) {
		evs := make([]Event, 0, len(ins))
		next := map[string]int{}
		norm := make([]IncomingInput, len(ins))
		keys := make([]dupKey, len(ins))
		for i := range ins {
			norm[i] = ins[i]
			norm[i].normalize()
			if norm[i].ArrivalDate > today {
				return nil, invalid("arrival_date", "future")
			}
			// Field checks run once, in the reducer, within this transaction.
			keys[i] = keyOf(&norm[i])
		}
		known, err := findDuplicates(tx, keys)
		if err != nil {
			return nil, err
		}
		for i := range norm {
			in := norm[i]
			n, ok := next[in.RegisterID]
			if !ok {
				var err error
				if n, err = nextNumber(tx, in.RegisterID, ""); err != nil {
					return nil, err
				}
			}
			next[in.RegisterID] = n + 1
			id := s.newID()
			var dups []DocRef
			if keys[i].notation != "" {
				dups = append(dups, known[keys[i]]...)
				// Later documents of the same batch see this one too.
				known[keys[i]] = append(known[keys[i]], DocRef{ID: id, Register: in.RegisterID, Number: n, Notation: in.Notation, Issuer: in.Issuer, DocDate: in.DocDate})
			}
			e, err := newEvent(s.newID(), EvIncomingRegistered, actor, now, IncomingRegistered{DocID: id, Number: n, Doc: in})
			if err != nil {
				return nil, err
			}
			out[i] = Registered{DocID: id, Number: n, Duplicates: dups}
			evs = append(evs, e)
		}
		return evs, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dupKey is what makes two registrations likely the same document: the
// same issuer, số ký hiệu (case-insensitive, marks folded) and date — the
// Phụ lục VI duplicate warning.
type dupKey struct{ issuer, notation, date string }

func keyOf(in *IncomingInput) dupKey {
	return dupKey{vntext.Fold(in.Issuer), vntext.Fold(in.Notation), in.DocDate}
}

// Keys are looked up dupChunk at a time, then 10, then 1; a short chunk
// is padded with a key that matches nothing, so only three statement texts
// exist (each prepared once).
const dupChunk = 100

var dupQueries = map[int]string{}

func init() {
	for _, n := range []int{1, 10, dupChunk} {
		dupQueries[n] = `SELECT id, register_id, number, notation, issuer, doc_date, issuer_fold, notation_fold FROM documents
	WHERE (issuer_fold, notation_fold, doc_date) IN (VALUES ` + strings.TrimSuffix(strings.Repeat("(?,?,?),", n), ",") + `)`
	}
}

// findDuplicates finds the registered documents sharing a key with any of
// keys (a whole import batch in a few statements).
func findDuplicates(tx *wtx, keys []dupKey) (map[dupKey][]DocRef, error) {
	out := map[dupKey][]DocRef{}
	var want []dupKey
	for _, k := range keys {
		if k.notation != "" {
			want = append(want, k)
		}
	}
	for start := 0; start < len(want); {
		size := 1
		switch left := len(want) - start; {
		case left >= 50:
			size = dupChunk
		case left >= 5:
			size = 10
		}
		args := make([]any, 0, 3*size)
		for i := start; i < start+size; i++ {
			if i < len(want) {
				args = append(args, want[i].issuer, want[i].notation, want[i].date)
			} else {
				args = append(args, "", "", "-") // no document is dated "-"
			}
		}
		start += size
		rows, err := tx.Query(dupQueries[size], args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var d DocRef
			var k dupKey
			if err := rows.Scan(&d.ID, &d.Register, &d.Number, &d.Notation, &d.Issuer, &d.DocDate, &k.issuer, &k.notation); err != nil {
				rows.Close()
				return nil, err
			}
			k.date = d.DocDate
			out[k] = append(out[k], d)
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Direction is a leader's bút phê on an incoming document.
type Direction struct {
	DocID       string
	Comment     string
	Assignments []AssignmentInput // exactly one chu_tri; any phoi_hop, de_biet
}

// Direct records a leader's direction and creates the assignments.
func (s *Store) Direct(ctx context.Context, actor string, d Direction) (string, error) {
	now := s.now()
	dirID := s.newID()
	_, err := s.write(ctx, "direct "+d.DocID, func(tx *wtx) ([]Event, error) {
		as := make([]AssignmentInput, len(d.Assignments))
		for i, a := range d.Assignments {
			a.ID = s.newID()
			as[i] = a
		}
		e, err := newEvent(s.newID(), EvIncomingDirected, actor, now, IncomingDirected{
			DirectionID: dirID, DocID: d.DocID, Comment: strings.TrimSpace(vntext.NFC(d.Comment)),
			Date: LocalDate(now), Assignments: as,
		})
		return []Event{e}, err
	})
	return dirID, err
}

// AcceptAssignment: nhận xử lý (chờ xử lý → đang xử lý).
func (s *Store) AcceptAssignment(ctx context.Context, actor, assignmentID string) error {
	return s.assignmentStep(ctx, actor, EvAssignmentAccepted, assignmentID, "")
}

// CompleteAssignment: hoàn thành (đang xử lý → hoàn thành).
func (s *Store) CompleteAssignment(ctx context.Context, actor, assignmentID string) error {
	return s.assignmentStep(ctx, actor, EvAssignmentDone, assignmentID, "")
}

// ReturnAssignment: trả lại, with a reason (required).
func (s *Store) ReturnAssignment(ctx context.Context, actor, assignmentID, reason string) error {
	return s.assignmentStep(ctx, actor, EvAssignmentReturned, assignmentID, reason)
}

func (s *Store) assignmentStep(ctx context.Context, actor, typ, id, reason string) error {
	return s.single(ctx, typ+" "+id, actor, typ, AssignmentStep{AssignmentID: id, Reason: strings.TrimSpace(vntext.NFC(reason))})
}

// single writes a command made of one event whose payload needs no lookup.
func (s *Store) single(ctx context.Context, op, actor, typ string, payload any) error {
	now := s.now()
	_, err := s.write(ctx, op, func(tx *wtx) ([]Event, error) {
		e, err := newEvent(s.newID(), typ, actor, now, payload)
		return []Event{e}, err
	})
	return err
}

// DeadlineState derives the colour of a deadline on a given day.
type DeadlineState int

const (
	NoDeadline DeadlineState = iota
	OnTime                   // còn hạn
	DueSoon                  // sắp đến hạn (within DueSoonDays)
	Overdue                  // quá hạn
)

// DueSoonDays is how close a deadline must be to count as sắp đến hạn.
const DueSoonDays = 2

// DeadlineOn classifies a deadline (YYYY-MM-DD) on day today for work not
// yet done.
func DeadlineOn(deadline, today string) DeadlineState {
	if deadline == "" {
		return NoDeadline
	}
	if deadline < today {
		return Overdue
	}
	t, err := time.Parse(dateLayout, today)
	if err != nil {
		return OnTime
	}
	if deadline <= t.AddDate(0, 0, DueSoonDays).Format(dateLayout) {
		return DueSoon
	}
	return OnTime
}

// LikelyDuplicates lists registered documents that look like in (same
// issuer, số ký hiệu and date), so the window can ask before registering.
func (s *Store) LikelyDuplicates(ctx context.Context, viewer string, in IncomingInput) ([]DocRef, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	in.normalize()
	k := keyOf(&in)
	if k.notation == "" {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, register_id, number, notation, issuer, doc_date FROM documents
		WHERE issuer_fold = ? AND notation_fold = ? AND doc_date = ? AND secrecy <= ? LIMIT 5`, k.issuer, k.notation, k.date, v.clearance)
	if err != nil {
		return nil, fmt.Errorf("likely duplicates: %w", err)
	}
	defer rows.Close()
	var out []DocRef
	for rows.Next() {
		var d DocRef
		if err := rows.Scan(&d.ID, &d.Register, &d.Number, &d.Notation, &d.Issuer, &d.DocDate); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RecentIssuers suggests issuers from the last 5,000 registrations, most
// frequent first, for the registration form (typing "so tai" offers
// "Sở Tài chính …"). The window of history keeps it fast at any size.
func (s *Store) RecentIssuers(ctx context.Context, prefix string, limit int) ([]string, error) {
	p := vntext.Fold(prefix)
	rows, err := s.r.QueryContext(ctx, `SELECT issuer FROM documents
		WHERE rowid > (SELECT coalesce(max(rowid), 0) - 5000 FROM documents) AND kind = 'den' AND issuer_fold >= ? AND issuer_fold < ?
		GROUP BY issuer_fold ORDER BY count(*) DESC LIMIT ?`, p, p+"\U0010FFFF", limit)
	if err != nil {
		return nil, fmt.Errorf("recent issuers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
