package docstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// The shared journal (issue 5, docs/JOURNAL.md): colleagues share the
// registers and the workflow as events in shared IMAP folders. The
// server's UIDs order the events of a folder, and every workstation
// applies them in that order through the same reducer, so all reach the
// same state and the same verdicts. This file is the store's side: which
// journal an event goes to, applying what the server holds (ApplyJournal),
// the events made while the server could not be reached, and rebuilding
// the state in journal order. mail/journal talks to the server.

// Scopes: which journal folder an event belongs to.
const (
	ScopeAgency = ""    // the agency's journal: directory, ordinary registers and drafts
	ScopeSecret = "mat" // the secret registers' journal, readable only by those cleared
)

var (
	// ErrOffline: the journal server could not be reached. A Publisher
	// returns it; the store then applies the events here as pending.
	ErrOffline = errors.New("journal server unreachable")
	// ErrUnconfirmed: the events were sent to the journal server, or may
	// have been, and no verdict came back (the connection broke). They
	// stay in the outbox under the same ids: read back from the journal
	// they are applied in its order, and a second copy is a duplicate.
	ErrUnconfirmed = errors.New("sent to the journal server without an answer")
	// ErrNeedsConnection: a step that must be confirmed by the server
	// before it counts (issuing an outgoing number, which gets printed).
	ErrNeedsConnection = errors.New("this step needs the connection to the agency's server")
)

// Publisher shares the events of local commands with the colleagues:
// mail/journal's replicator, once the workstation has joined its agency.
type Publisher interface {
	// Publish appends evs (valid against this store's state a moment ago)
	// to the journal of scope, brings this store up to date with what the
	// journal holds before them, and returns once they were applied here
	// in journal order (through ApplyJournal). It returns ErrOffline when
	// the server could not be reached (nothing was appended), or the
	// verdict's error when a colleague's event came first and the journal
	// refused them (ErrNumberTaken, *TransitionError, …).
	Publish(ctx context.Context, scope string, evs []Event) error
}

type publisherBox struct{ p Publisher }

// SetPublisher makes local commands go through the journal (nil: back to
// a standalone store whose commands apply at once).
func (s *Store) SetPublisher(p Publisher) {
	if p == nil {
		s.publisher.Store(nil)
		return
	}
	s.publisher.Store(&publisherBox{p})
}

func (s *Store) currentPublisher() Publisher {
	if b := s.publisher.Load(); b != nil {
		return b.p
	}
	return nil
}

// maxReclaims bounds how often a command claims a number again after a
// colleague took it first (each round takes one server round trip; two
// clerks registering as fast as the machine allows lose about every other
// claim).
const maxReclaims = 30

// publish runs a local command through the journal: its events are built
// and checked against the state (then rolled back), published, and applied
// here when the journal has ordered them. A number a colleague claimed
// first is claimed again at once (the builder reads the next one); the
// event that lost stays in the journal, refused everywhere, and names its
// replacement for the notice. Offline the events apply here at once as
// pending, unless the step needs the server's confirmation.
func (s *Store) publish(ctx context.Context, p Publisher, op string, b builder) ([]Event, error) {
	var lost []string
	for attempt := 0; ; attempt++ {
		evs, scope, err := s.dryRun(ctx, op, b)
		if err != nil {
			return nil, err
		}
		err = p.Publish(ctx, scope, evs)
		if err == nil {
			if len(lost) > 0 {
				s.noteReplaced(ctx, lost, evs[0].ID)
			}
			return evs, nil
		}
		if errors.Is(err, ErrOffline) || errors.Is(err, ErrUnconfirmed) {
			inDoubt := errors.Is(err, ErrUnconfirmed)
			if !inDoubt && needsConnection(evs) {
				return nil, fmt.Errorf("%s: %w", op, ErrNeedsConnection)
			}
			applied, werr := s.writePending(ctx, op, evs, inDoubt)
			if werr != nil && !inDoubt && attempt < maxReclaims {
				// Nothing was sent, and colleagues' events read meanwhile
				// made these stale (the number moved on): build afresh.
				continue
			}
			if werr != nil {
				return nil, fmt.Errorf("%s: %w", op, werr)
			}
			if len(lost) > 0 {
				s.noteReplaced(ctx, lost, evs[0].ID)
			}
			if !applied {
				// In doubt, and no longer valid here: the journal's order
				// decides. Say so rather than show what may not stand.
				return nil, fmt.Errorf("%s: %w", op, ErrUnconfirmed)
			}
			if inDoubt && needsConnection(evs) {
				return evs, fmt.Errorf("%s: %w", op, ErrUnconfirmed)
			}
			return evs, nil
		}
		if errors.Is(err, ErrNumberTaken) && attempt < maxReclaims {
			for _, e := range evs {
				lost = append(lost, e.ID)
			}
			// A little jitter, so that two clerks who keep colliding stop.
			time.Sleep(time.Duration(rand.IntN(5*(attempt+1))) * time.Millisecond)
			continue
		}
		return nil, fmt.Errorf("%s: %w", op, err)
	}
}

// dryRun builds a command's events and applies them in a transaction that
// is then rolled back: the events are known valid now, nothing changed.
func (s *Store) dryRun(ctx context.Context, op string, b builder) ([]Event, string, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	sqltx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, err)
	}
	defer sqltx.Rollback()
	tx := &wtx{tx: sqltx, cache: s.stmts}
	evs, err := b(tx)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", op, err)
	}
	scope := ScopeAgency
	for i, e := range evs {
		sc, err := eventScope(tx, e)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", op, err)
		}
		if i == 0 {
			scope = sc
		} else if sc != scope {
			// One command, one journal: its events are appended together.
			return nil, "", fmt.Errorf("%s: events for two journals", op)
		}
		if err := apply(tx, e); err != nil {
			return nil, "", fmt.Errorf("%s: %w", op, err)
		}
	}
	return evs, scope, nil
}

// writePending keeps the events of a command in the journal outbox,
// pending until the server orders them, and applies them here at once
// (applied). They are the events the publisher was given, ids and all:
// when it could not tell whether its append reached the server, the
// journal's copy and this one are the same event, applied once.
//
// Events that no longer apply here (colleagues' events read meanwhile)
// are refused when hold is false; when hold is true (they may be in the
// journal already) they are kept unapplied in the outbox, whole, and the
// journal's order gives them their verdict when they are read back.
func (s *Store) writePending(ctx context.Context, op string, evs []Event, hold bool) (applied bool, err error) {
	record := func(tx *wtx, raw map[string][]byte) error {
		for _, e := range evs {
			scope, err := eventScope(tx, e)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO journal_events(event_id, scope, state, local, offline, raw) VALUES (?, ?, 'pending', 1, 1, ?)
				ON CONFLICT(event_id) DO NOTHING`, e.ID, scope, raw[e.ID]); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT OR IGNORE INTO journal_outbox(event_id, scope) VALUES (?, ?)`, e.ID, scope); err != nil {
				return err
			}
		}
		return nil
	}
	_, err = s.writeEvents(ctx, op, false, func(tx *wtx) ([]Event, error) {
		return evs, record(tx, nil)
	})
	if err == nil || !hold {
		return err == nil, err
	}
	raw := map[string][]byte{}
	for _, e := range evs {
		if raw[e.ID], err = e.Encode(); err != nil {
			return false, err
		}
	}
	err = s.mailWrite(ctx, op+" (held)", true, func(tx *wtx) error { return record(tx, raw) })
	return false, err
}

// needsConnection: issuing an outgoing number prints it on the document;
// it must be the journal's before anyone sees it.
func needsConnection(evs []Event) bool {
	for _, e := range evs {
		if e.Type == EvDraftIssued {
			return true
		}
	}
	return false
}

// noteReplaced records which event claimed again for lost claims, so the
// window can say "số 5 đã có người vào sổ trước; văn bản nhận số 6".
func (s *Store) noteReplaced(ctx context.Context, lost []string, by string) {
	s.mailWrite(ctx, "note reclaimed number", false, func(tx *wtx) error {
		for _, id := range lost {
			if _, err := tx.Exec(`UPDATE journal_events SET replaced_by = ? WHERE event_id = ?`, by, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// eventScope says which journal an event goes to: the secret registers'
// when it concerns a secret register, document or draft, else the
// agency's. It reads the state the event applies to (tx) through the
// reducer's own loaders; something not found is the agency's (the
// reducer then says what is wrong).
func eventScope(tx *wtx, e Event) (string, error) {
	secret, err := eventSecret(tx, e)
	if secret {
		return ScopeSecret, err
	}
	return ScopeAgency, err
}

// scopeRef is what of any payload says where it belongs (see the payload
// types in events.go for which field each carries).
type scopeRef struct {
	ID      string  `json:"id"`     // register.opened/closed/reopened
	Secret  bool    `json:"secret"` // register.opened
	DocID   string  `json:"doc_id"`
	DraftID string  `json:"draft_id"`
	Asg     string  `json:"assignment_id"`
	Secrecy Secrecy `json:"secrecy"` // draft.created
	Doc     struct {
		RegisterID string  `json:"register_id"`
		Secrecy    Secrecy `json:"secrecy"`
	} `json:"doc"` // incoming.registered
}

func eventSecret(tx *wtx, e Event) (bool, error) {
	var r scopeRef
	if err := json.Unmarshal(e.Payload, &r); err != nil {
		return false, fmt.Errorf("%w: %s payload: %v", ErrBadEvent, e.Type, err)
	}
	found := func(err error) error {
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	}
	register := func(id string) (bool, error) {
		reg, err := loadRegister(tx, id)
		return err == nil && reg.Secret, found(err)
	}
	doc := func(id string) (bool, error) {
		d, err := loadDoc(tx, id)
		return err == nil && d.Secrecy > SecrecyNone, found(err)
	}
	switch e.Type {
	case EvRegisterOpened:
		return r.Secret, nil
	case EvRegisterClosed, EvRegisterReopened:
		return register(r.ID)
	case EvIncomingRegistered:
		if r.Doc.Secrecy > SecrecyNone {
			return true, nil
		}
		return register(r.Doc.RegisterID)
	case EvIncomingDirected:
		return doc(r.DocID)
	case EvAssignmentAccepted, EvAssignmentDone, EvAssignmentReturned:
		var docID string
		err := tx.QueryRow(`SELECT document_id FROM assignments WHERE id = ?`, r.Asg).Scan(&docID)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		return doc(docID)
	case EvDraftCreated:
		return r.Secrecy > SecrecyNone, nil
	case EvDraftVersion, EvDraftSubmitted, EvDraftInitialed, EvDraftReturned, EvDraftApproved,
		EvDraftCancelled, EvDraftSigned, EvDraftIssued:
		d, err := loadDraft(tx, r.DraftID)
		return err == nil && d.Secrecy > SecrecyNone, found(err)
	}
	return false, nil // the directory
}

// --- what the server holds ---

// JournalEntry is one message of a journal folder, read by mail/journal,
// in UID order.
type JournalEntry struct {
	UID uint32
	// Event and Signer: the decoded event and the Ed25519 public key whose
	// signature over it verified. Whether that key is the actor's is
	// checked here, in journal order.
	Event  Event
	Signer []byte
	// Problem: the message is no valid signed event of this agency (a mail
	// APPENDed by hand, a bad signature, broken JSON). Recorded as a
	// warning; Event is then unset.
	Problem     error
	ProblemKind string // malformed | signature
	ProblemCode string // WarnNotJournal, WarnMalformed, …: what the window says
	// Local: this workstation appended it just now (Publish).
	Local bool
}

// Verdicts of ApplyJournal.
const (
	VerdictApplied   = "applied"
	VerdictRefused   = "refused"   // a valid event the journal order made impossible (a colleague came first), or one its author may not make
	VerdictDuplicate = "duplicate" // the same event again (a retried append): nothing done
	VerdictWarning   = "warning"   // not a valid event of this agency: listed under the warnings
)

// Refusal kinds.
const (
	RefusedLost    = "lost"    // a colleague came first: number taken, the draft moved on
	RefusedForged  = "forged"  // signed with a key that is not the actor's, or a step the actor may not take
	RefusedInvalid = "invalid" // the event does not hold together
)

// JournalOutcome is what ApplyJournal did with one entry.
type JournalOutcome struct {
	UID     uint32
	EventID string
	Verdict string
	Kind    string // for refused/warning
	Err     error  // why refused (wraps ErrNumberTaken, ErrForbidden, …)
}

// JournalFolder is a journal folder this workstation follows.
type JournalFolder struct {
	Scope       string
	Name        string
	UIDValidity uint32
	LastUID     uint32
}

// SetJournalFolder records the folder of a scope (joining, or the
// administrator's setup).
func (s *Store) SetJournalFolder(ctx context.Context, scope, name string) error {
	return s.mailWrite(ctx, "set journal folder", true, func(tx *wtx) error {
		_, err := tx.Exec(`INSERT INTO journal_folders(scope, name) VALUES (?, ?)
			ON CONFLICT(scope) DO UPDATE SET name = excluded.name`, scope, name)
		return err
	})
}

// JournalFolders lists the followed folders, the agency's first.
func (s *Store) JournalFolders(ctx context.Context) ([]JournalFolder, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT scope, name, uidvalidity, last_uid FROM journal_folders ORDER BY scope`)
	out, err := scanAll(rows, err, func(sc rowScanner, f *JournalFolder) error {
		return sc.Scan(&f.Scope, &f.Name, &f.UIDValidity, &f.LastUID)
	})
	if err != nil {
		return nil, fmt.Errorf("journal folders: %w", err)
	}
	return out, nil
}

// JournalPin is what a workstation pinned when it joined its agency.
type JournalPin struct {
	AgencyCode string
	AdminKey   []byte // the founding administrator's Ed25519 public key
}

// SetJournalPin pins the agency and its founding administrator's key; the
// journal's agency.founded must be signed with that key.
func (s *Store) SetJournalPin(ctx context.Context, p JournalPin) error {
	if !ValidAgencyCode(p.AgencyCode) {
		return invalid("code", "format")
	}
	if len(p.AdminKey) != 32 {
		return invalid("public_key", "format")
	}
	return s.mailWrite(ctx, "pin agency", true, func(tx *wtx) error {
		_, err := tx.Exec(`INSERT INTO journal_pin(id, agency_code, admin_key) VALUES (1, ?, ?)
			ON CONFLICT(id) DO UPDATE SET agency_code = excluded.agency_code, admin_key = excluded.admin_key`, p.AgencyCode, p.AdminKey)
		return err
	})
}

// Pin reads the pin; ErrNotFound before joining.
func (s *Store) Pin(ctx context.Context) (JournalPin, error) {
	var p JournalPin
	err := s.r.QueryRowContext(ctx, `SELECT agency_code, admin_key FROM journal_pin WHERE id = 1`).Scan(&p.AgencyCode, &p.AdminKey)
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("journal pin", "")
	}
	return p, err
}

// ApplyJournal applies the next messages of a journal folder, in UID
// order, and moves the folder's position past them. Each entry gets a
// verdict: applied; refused (valid, but a colleague came first, or its
// author may not take that step — then also a warning); a duplicate of an
// event already ordered (nothing done); or a warning (no valid event of
// this agency). Nothing an entry holds can stop the entries after it.
//
// An event this workstation made while offline was applied here already:
// it now gets its UID. When a colleague's event came before it, the state
// is rebuilt in journal order once no event is pending any more.
func (s *Store) ApplyJournal(ctx context.Context, scope string, entries []JournalEntry) ([]JournalOutcome, error) {
	// Most batches hold no refusal: they are applied without a savepoint
	// per event (each made the search index flush its pending rows — a
	// fifth of a 100,000-event join). A refusal aborts that attempt, and
	// the batch is applied again with savepoints.
	out, err := s.applyJournal(ctx, scope, entries, false)
	if errors.Is(err, errNeedSavepoints) {
		out, err = s.applyJournal(ctx, scope, entries, true)
	}
	return out, err
}

// errNeedSavepoints: an event of a batch applied without savepoints was
// refused; the batch is to be applied again with them.
var errNeedSavepoints = errors.New("a refusal in the batch: apply it again with savepoints")

func (s *Store) applyJournal(ctx context.Context, scope string, entries []JournalEntry, savepoints bool) ([]JournalOutcome, error) {
	out := make([]JournalOutcome, 0, len(entries))
	_, err := s.writeEvents(ctx, "apply journal", false, func(tx *wtx) ([]Event, error) {
		tx.noSavepoints = !savepoints
		out = out[:0]
		pin, err := readPin(tx)
		if err != nil {
			return nil, err
		}
		// pendingHere: events made here offline and applied here, not yet
		// ordered (counted once; only confirmations lower it). A
		// colleague's event judged while there are some was judged against
		// a state that holds them, though they will get later UIDs: the
		// state left journal order (and so may the verdict).
		var pendingHere int
		if err := tx.QueryRow(`SELECT count(*) FROM journal_events j JOIN events e ON e.id = j.event_id WHERE j.state = 'pending'`).Scan(&pendingHere); err != nil {
			return nil, err
		}
		last := uint32(0)
		for _, en := range entries {
			if en.UID <= last {
				return nil, fmt.Errorf("journal entries out of UID order (%d after %d)", en.UID, last)
			}
			last = en.UID
			o, how, err := applyEntry(tx, scope, en, pin, s.now())
			if err != nil {
				return nil, err
			}
			switch {
			case how == confirmedHere:
				pendingHere--
			case how == judged && pendingHere > 0 && (o.Verdict == VerdictApplied || o.Verdict == VerdictRefused):
				if _, err := tx.Exec(`UPDATE journal_state SET out_of_order = 1 WHERE id = 1`); err != nil {
					return nil, err
				}
			}
			out = append(out, o)
		}
		if last > 0 {
			if _, err := tx.Exec(`UPDATE journal_folders SET last_uid = ? WHERE scope = ? AND last_uid < ?`, last, scope, last); err != nil {
				return nil, err
			}
		}
		var ooo, pending int
		if err := tx.QueryRow(`SELECT out_of_order, (SELECT count(*) FROM journal_events WHERE state = 'pending') FROM journal_state WHERE id = 1`).Scan(&ooo, &pending); err != nil {
			return nil, err
		}
		if ooo == 1 && pending == 0 {
			if err := rebuild(tx); err != nil {
				return nil, fmt.Errorf("rebuild in journal order: %w", err)
			}
			// The verdicts of the entries may have changed.
			for i := range out {
				if out[i].EventID == "" {
					continue
				}
				var state, kind, reason string
				if err := tx.QueryRow(`SELECT state, kind, reason FROM journal_events WHERE event_id = ?`, out[i].EventID).Scan(&state, &kind, &reason); err == nil && out[i].Verdict != VerdictDuplicate {
					out[i].Verdict, out[i].Kind = state, kind
					if state == VerdictRefused && out[i].Err == nil {
						out[i].Err = errors.New(reason)
					}
				}
			}
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readPin(tx *wtx) (*JournalPin, error) {
	var p JournalPin
	err := tx.QueryRow(`SELECT agency_code, admin_key FROM journal_pin WHERE id = 1`).Scan(&p.AgencyCode, &p.AdminKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// How applyEntry dealt with an entry.
type entryHow int

const (
	judged        entryHow = iota // given its verdict now (or not an event at all)
	confirmedHere                 // made here offline and applied here: now it has its UID
	foundAgain                    // read again after a new UIDVALIDITY: new UID, same verdict
)

// applyEntry gives one entry its verdict.
func applyEntry(tx *wtx, scope string, en JournalEntry, pin *JournalPin, now time.Time) (JournalOutcome, entryHow, error) {
	o := JournalOutcome{UID: en.UID, EventID: en.Event.ID}
	warn := func(kind, code string, reason error) (JournalOutcome, entryHow, error) {
		o.Verdict, o.Kind, o.Err = VerdictWarning, kind, reason
		_, err := tx.Exec(`INSERT OR IGNORE INTO journal_warnings(scope, uid, event_id, actor, kind, reason, seen_at, code, event_type)
			VALUES (?,?,?,?,?,?,?,?,?)`,
			scope, en.UID, en.Event.ID, en.Event.Actor, kind, reason.Error(), now.UnixNano(), code, en.Event.Type)
		return o, judged, err
	}
	if en.Problem != nil {
		kind := en.ProblemKind
		if kind == "" {
			kind = "malformed"
		}
		return warn(kind, en.ProblemCode, en.Problem)
	}
	e := en.Event
	// Where the event stands here, and whether the log holds it.
	var (
		state         string
		uid           sql.NullInt64
		reread, inLog bool
	)
	err := tx.QueryRow(`SELECT j.state, j.uid, j.reread, e.id IS NOT NULL FROM journal_events j
		LEFT JOIN events e ON e.id = j.event_id WHERE j.event_id = ?`, e.ID).Scan(&state, &uid, &reread, &inLog)
	known := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return o, judged, err
	}
	if known && uid.Valid {
		o.Verdict = VerdictDuplicate
		return o, judged, nil
	}
	if known && reread {
		// Found again in the folder's new UIDs: same event, same verdict.
		if _, err := tx.Exec(`UPDATE journal_events SET uid = ?, reread = 0 WHERE event_id = ?`, en.UID, e.ID); err != nil {
			return o, judged, err
		}
		o.Verdict = state
		return o, foundAgain, nil
	}
	if err := checkSigner(tx, e, en.Signer, pin); err != nil {
		o.Verdict, o.Kind, o.Err = VerdictRefused, RefusedForged, err
		if err := recordVerdict(tx, scope, en, VerdictRefused, RefusedForged, err); err != nil {
			return o, judged, err
		}
		_, _, werr := warn(RefusedForged, warningCode(err), err)
		o.Verdict = VerdictRefused
		return o, judged, werr
	}
	if known && state == "pending" && !inLog {
		// Held unapplied (sent in doubt): judged now, in journal order.
		if _, err := tx.Exec(`DELETE FROM journal_outbox WHERE event_id = ?`, e.ID); err != nil {
			return o, judged, err
		}
		en.Local = true
		known = false
	}
	if known && state == "pending" {
		// Made here offline and applied then; its place in the journal is
		// now known. (If colleagues' events came first, the rebuild at the
		// end of ApplyJournal gives it its journal-order verdict.)
		if _, err := tx.Exec(`UPDATE journal_events SET uid = ?, state = 'applied' WHERE event_id = ?`, en.UID, e.ID); err != nil {
			return o, judged, err
		}
		if _, err := tx.Exec(`DELETE FROM journal_outbox WHERE event_id = ?`, e.ID); err != nil {
			return o, judged, err
		}
		o.Verdict = VerdictApplied
		return o, confirmedHere, nil
	}
	if err := applyInSavepoint(tx, e, true); err != nil {
		if errors.Is(err, errNeedSavepoints) {
			return o, judged, err
		}
		kind := refusalKind(err)
		o.Verdict, o.Kind, o.Err = VerdictRefused, kind, err
		if rerr := recordVerdict(tx, scope, en, VerdictRefused, kind, err); rerr != nil {
			return o, judged, rerr
		}
		if kind != RefusedLost {
			if _, _, werr := warn(kind, warningCode(err), err); werr != nil {
				return o, judged, werr
			}
			o.Verdict = VerdictRefused
		}
		return o, judged, nil
	}
	o.Verdict = VerdictApplied
	return o, judged, recordVerdict(tx, scope, en, VerdictApplied, "", nil)
}

// recordVerdict notes where an event stands. A refused event is kept
// whole (raw): it is in no other table, and a rebuild in journal order may
// find it valid after all.
func recordVerdict(tx *wtx, scope string, en JournalEntry, state, kind string, reason error) error {
	msg := ""
	var raw []byte
	if reason != nil {
		msg = reason.Error()
		b, err := en.Event.Encode()
		if err != nil {
			return err
		}
		raw = b
	}
	_, err := tx.Exec(`INSERT INTO journal_events(event_id, scope, uid, state, local, kind, reason, raw) VALUES (?,?,?,?,?,?,?,?)
		ON CONFLICT(event_id) DO UPDATE SET scope = excluded.scope, uid = excluded.uid, state = excluded.state, kind = excluded.kind,
			reason = excluded.reason, raw = excluded.raw`,
		en.Event.ID, scope, en.UID, state, en.Local, kind, msg, raw)
	return err
}

// refusalKind: a valid event the journal order made impossible is "lost"
// (its author's client claims again or tells the user); one its author may
// not make is "forged"; the rest "invalid".
func refusalKind(err error) string {
	switch {
	case errors.Is(err, ErrForbidden):
		return RefusedForged
	case errors.Is(err, ErrNumberTaken), errors.Is(err, ErrTransition), errors.Is(err, ErrRegisterClosed):
		return RefusedLost
	}
	return RefusedInvalid
}

// checkSigner: the key that signed e must be its actor's, as the directory
// stands at this point of the journal. agency.founded brings its own
// administrator's key, which must be the one pinned when this workstation
// joined.
func checkSigner(tx *wtx, e Event, signer []byte, pin *JournalPin) error {
	if len(signer) != 32 {
		return signerError(e.Actor, WarnNoKey, "sign (no key)")
	}
	if e.Type == EvAgencyFounded {
		p, err := decodePayload[AgencyFounded](e)
		if err != nil {
			return err
		}
		key, err := ParsePublicKey(p.Admin.PublicKey)
		if err != nil {
			return signerError(e.Actor, WarnFounding, "found the agency without a key")
		}
		if !bytes.Equal(key, signer) {
			return signerError(e.Actor, WarnFounding, "found the agency with another key than the administrator's")
		}
		if pin != nil && (!bytes.Equal(pin.AdminKey, signer) || pin.AgencyCode != p.Code) {
			return signerError(e.Actor, WarnFounding, "found an agency other than the one pinned")
		}
		return nil
	}
	var key []byte
	err := tx.QueryRow(`SELECT public_key FROM person_keys WHERE person_id = ?`, e.Actor).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return signerError(e.Actor, WarnNoKey, "sign (no key bound to this person)")
	}
	if err != nil {
		return err
	}
	if !bytes.Equal(key, signer) {
		return signerError(e.Actor, WarnWrongKey, "sign with another person's key")
	}
	return nil
}

// applyInSavepoint applies e (and logs it when log) so that a refusal
// undoes exactly what e did.
func applyInSavepoint(tx *wtx, e Event, log bool) error {
	if tx.noSavepoints {
		var err error
		if log {
			err = appendEvent(tx, e, true)
		} else {
			err = apply(tx, e)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", errNeedSavepoints, err)
		}
		return nil
	}
	if _, err := tx.Exec(`SAVEPOINT journal_event`); err != nil {
		return err
	}
	var err error
	if log {
		err = appendEvent(tx, e, true)
	} else {
		err = apply(tx, e)
	}
	if err != nil {
		if _, rerr := tx.Exec(`ROLLBACK TO journal_event`); rerr != nil {
			return rerr
		}
		// What the transaction remembered may have come from e.
		tx.people, tx.regs, tx.lastHash = nil, nil, nil
	}
	if _, rerr := tx.Exec(`RELEASE journal_event`); rerr != nil && err == nil {
		return rerr
	}
	return err
}

// --- the outbox: events made here while the server could not be reached ---

// OutboxEvent is a local event waiting to be appended to its journal.
type OutboxEvent struct {
	Scope string
	Event Event
	Error string // the last failure to append it
}

// JournalOutbox lists the events to append, in the order they were made.
func (s *Store) JournalOutbox(ctx context.Context) ([]OutboxEvent, error) {
	// An event held unapplied (sent in doubt, no longer valid here) is in
	// the journal's copy (raw), not in the log.
	rows, err := s.r.QueryContext(ctx, `SELECT o.scope, o.error, j.raw, e.id, e.type, e.version, e.actor, e.time, e.payload
		FROM journal_outbox o JOIN journal_events j ON j.event_id = o.event_id LEFT JOIN events e ON e.id = o.event_id ORDER BY o.seq`)
	out, err := scanAll(rows, err, func(sc rowScanner, o *OutboxEvent) error {
		var raw []byte
		if err := scanEvent(sc, &o.Event, &o.Scope, &o.Error, &raw); err != nil {
			return err
		}
		if o.Event.ID == "" {
			e, err := DecodeEvent(raw)
			o.Event = e
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal outbox: %w", err)
	}
	return out, nil
}

// SetOutboxError notes why appending an event failed (shown by the sync
// indicator); "" clears it.
func (s *Store) SetOutboxError(ctx context.Context, eventID, msg string) error {
	return s.mailWrite(ctx, "note journal outbox error", false, func(tx *wtx) error {
		_, err := tx.Exec(`UPDATE journal_outbox SET error = ? WHERE event_id = ?`, msg, eventID)
		return err
	})
}

// JournalStatus is what the sync indicator shows.
type JournalStatus struct {
	Pending    int    // events made here, not yet ordered by the server
	Warnings   int    // messages of the journal that were not applied
	LastError  string // the last failure to append, if any
	Joined     bool   // a journal folder is set
	OutOfOrder bool   // waiting for pending events before rebuilding in journal order
}

// JournalStatus reads the counters of the sync indicator.
func (s *Store) JournalStatus(ctx context.Context) (JournalStatus, error) {
	var st JournalStatus
	var joined, ooo int
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM journal_events WHERE state = 'pending'),
		(SELECT count(*) FROM journal_warnings),
		coalesce((SELECT error FROM journal_outbox WHERE error <> '' ORDER BY seq DESC LIMIT 1), ''),
		(SELECT count(*) FROM journal_folders),
		coalesce((SELECT out_of_order FROM journal_state WHERE id = 1), 0)`).Scan(&st.Pending, &st.Warnings, &st.LastError, &joined, &ooo)
	st.Joined, st.OutOfOrder = joined > 0, ooo == 1
	if err != nil {
		return st, fmt.Errorf("journal status: %w", err)
	}
	return st, nil
}

// JournalWarning is a message of a journal that was not applied.
type JournalWarning struct {
	Scope   string
	UID     uint32
	EventID string
	Actor   string
	Kind    string // malformed | signature | forged | invalid
	Code    string // WarnNotJournal, …, WarnInvalid ("" when read before the codes)
	// EventType is the refused event's type ("" for a message that is no
	// event): the step someone may not take.
	EventType string
	Reason    string
	SeenAt    time.Time
}

// JournalWarnings lists them, newest first.
func (s *Store) JournalWarnings(ctx context.Context) ([]JournalWarning, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT scope, uid, event_id, actor, kind, code, event_type, reason, seen_at FROM journal_warnings
		ORDER BY seen_at DESC, uid DESC`)
	out, err := scanAll(rows, err, func(sc rowScanner, w *JournalWarning) error {
		var at int64
		err := sc.Scan(&w.Scope, &w.UID, &w.EventID, &w.Actor, &w.Kind, &w.Code, &w.EventType, &w.Reason, &at)
		w.SeenAt = time.Unix(0, at)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("journal warnings: %w", err)
	}
	return out, nil
}

// PendingDocuments says which of the documents were registered here while
// offline and are not yet ordered by the journal: their number is
// provisional.
func (s *Store) PendingDocuments(ctx context.Context) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT e.type, e.payload FROM journal_events j JOIN events e ON e.id = j.event_id
		WHERE j.state = 'pending' AND e.type IN (?, ?)`, EvIncomingRegistered, EvDraftIssued)
	if err != nil {
		return nil, fmt.Errorf("pending documents: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var typ string
		var p []byte
		if err := rows.Scan(&typ, &p); err != nil {
			return nil, fmt.Errorf("pending documents: %w", err)
		}
		e := Event{Type: typ, Payload: p}
		if typ == EvIncomingRegistered {
			if x, err := decodePayload[IncomingRegistered](e); err == nil {
				out[x.DocID] = true
			}
		} else if x, err := decodePayload[DraftIssue](e); err == nil {
			out[x.DocID] = true
		}
	}
	return out, rows.Err()
}

// Reclaimed is a registration whose number a colleague claimed first,
// registered again with the next number.
type Reclaimed struct {
	DocID      string
	RegisterID string
	Lost       int // the number it had
	Number     int // the number it has now
}

// ReclaimLost registers again, with the next numbers, the documents this
// workstation registered whose number the journal gave to a colleague
// (made offline, or in a race): "the claim with the lower UID wins; a
// client whose claim lost re-claims at once and tells the user".
func (s *Store) ReclaimLost(ctx context.Context) ([]Reclaimed, error) {
	// Only events made offline: a command made online that lost claims
	// again itself (Store.publish), before it returns.
	rows, err := s.r.QueryContext(ctx, `SELECT event_id, raw FROM journal_events
		WHERE offline = 1 AND state = 'refused' AND kind = 'lost' AND replaced_by = '' AND raw IS NOT NULL`)
	type lostEv struct {
		id  string
		raw []byte
	}
	lost, err := scanAll(rows, err, func(sc rowScanner, l *lostEv) error { return sc.Scan(&l.id, &l.raw) })
	if err != nil {
		return nil, fmt.Errorf("reclaim numbers: %w", err)
	}
	var out []Reclaimed
	for _, l := range lost {
		e, err := DecodeEvent(l.raw)
		if err != nil || e.Type != EvIncomingRegistered {
			continue // only a number is claimed again; other lost steps are shown as they are
		}
		p, err := decodePayload[IncomingRegistered](e)
		if err != nil {
			continue
		}
		var exists int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE id = ?`, p.DocID).Scan(&exists); err != nil {
			return out, err
		}
		if exists > 0 {
			continue // registered since (another reclaim)
		}
		now := s.now()
		var number int
		evs, err := s.write(ctx, "register incoming again", func(tx *wtx) ([]Event, error) {
			var err error
			if number, err = nextNumber(tx, p.Doc.RegisterID, ""); err != nil {
				return nil, err
			}
			ev, err := newEvent(s.newID(), EvIncomingRegistered, e.Actor, now, IncomingRegistered{DocID: p.DocID, Number: number, Doc: p.Doc})
			return []Event{ev}, err
		})
		if err != nil {
			return out, fmt.Errorf("reclaim number of %s: %w", p.DocID, err)
		}
		s.noteReplaced(ctx, []string{l.id}, evs[0].ID)
		out = append(out, Reclaimed{DocID: p.DocID, RegisterID: p.Doc.RegisterID, Lost: p.Number, Number: number})
	}
	return out, nil
}

// --- files and folder positions ---

// EventFiles lists the document files an event refers to: they travel
// with it to the journal (once: a file the journal holds is only named).
func EventFiles(e Event) []Attachment {
	switch e.Type {
	case EvIncomingRegistered:
		if p, err := decodePayload[IncomingRegistered](e); err == nil {
			return p.Doc.Attachments
		}
	case EvDraftCreated:
		if p, err := decodePayload[DraftCreated](e); err == nil {
			return []Attachment{p.File}
		}
	case EvDraftVersion:
		if p, err := decodePayload[DraftVersion](e); err == nil {
			return []Attachment{p.File}
		}
	}
	return nil
}

// JournalHasFile: the journal of scope already holds the file.
func (s *Store) JournalHasFile(ctx context.Context, scope, sha string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM journal_files WHERE sha256 = ? AND scope = ?`, sha, scope).Scan(&n)
	return n > 0, err
}

// NoteJournalFiles records that the message uid of scope carries files.
func (s *Store) NoteJournalFiles(ctx context.Context, scope string, uid uint32, shas []string) error {
	if len(shas) == 0 {
		return nil
	}
	return s.mailWrite(ctx, "note journal files", false, func(tx *wtx) error {
		for _, sha := range shas {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO journal_files(sha256, scope, uid) VALUES (?, ?, ?)`, sha, scope, uid); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetJournalValidity records the UIDVALIDITY of a scope's folder the first
// time it is read.
func (s *Store) SetJournalValidity(ctx context.Context, scope string, validity uint32) error {
	return s.mailWrite(ctx, "set journal uidvalidity", true, func(tx *wtx) error {
		_, err := tx.Exec(`UPDATE journal_folders SET uidvalidity = ? WHERE scope = ?`, validity, scope)
		return err
	})
}

// ResetJournalScope: the folder of scope has a new UIDVALIDITY (it was
// recreated, or restored from a backup): its UIDs name other messages now.
// The state stays; every event of the scope is to be found again
// (reread), the folder is read again from UID 1 — an event found again
// takes its new UID and keeps its verdict, a new one is judged — and
// FinishJournalReread settles what was not found.
func (s *Store) ResetJournalScope(ctx context.Context, scope string, validity uint32) error {
	return s.mailWrite(ctx, "reset journal "+scope, true, func(tx *wtx) error {
		for _, q := range []string{
			`UPDATE journal_folders SET uidvalidity = ?2, last_uid = 0 WHERE scope = ?1`,
			`DELETE FROM journal_warnings WHERE scope = ?1`,
			`DELETE FROM journal_files WHERE scope = ?1`,
			`UPDATE journal_events SET uid = NULL, reread = 1 WHERE scope = ?1 AND uid IS NOT NULL`,
		} {
			if _, err := tx.Exec(q, scope, validity); err != nil {
				return err
			}
		}
		return nil
	})
}

// FinishJournalReread ends the reading again of a scope's folder
// (ResetJournalScope): this workstation's own events the folder no longer
// holds go back to the outbox; colleagues' events it no longer holds are
// forgotten, and the state is rebuilt without them once nothing is
// pending.
func (s *Store) FinishJournalReread(ctx context.Context, scope string) error {
	_, err := s.writeEvents(ctx, "reread journal "+scope, false, func(tx *wtx) ([]Event, error) {
		var gone int
		if err := tx.QueryRow(`SELECT count(*) FROM journal_events WHERE scope = ? AND reread = 1 AND local = 0`, scope).Scan(&gone); err != nil {
			return nil, err
		}
		for _, q := range []string{
			`INSERT OR IGNORE INTO journal_outbox(event_id, scope)
				SELECT j.event_id, j.scope FROM journal_events j JOIN events e ON e.id = j.event_id
				WHERE j.scope = ? AND j.reread = 1 AND j.local = 1 AND j.state = 'applied' ORDER BY e.seq`,
			`UPDATE journal_events SET state = 'pending', offline = 1, reread = 0 WHERE scope = ? AND reread = 1 AND local = 1 AND state = 'applied'`,
			`DELETE FROM journal_events WHERE scope = ? AND reread = 1`,
		} {
			if _, err := tx.Exec(q, scope); err != nil {
				return nil, err
			}
		}
		if gone > 0 {
			if _, err := tx.Exec(`UPDATE journal_state SET out_of_order = 1 WHERE id = 1`); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	return err
}

// CanonicalDump is the shared state of the store as text, the same on
// every workstation of an agency that has read the same journal: the
// directory, the registers and their counters, the documents, the
// assignments and the drafts (not what is only local: mail, settings,
// row ids, times of reading).
func (s *Store) CanonicalDump(ctx context.Context) (string, error) {
	var b bytes.Buffer
	for _, q := range []string{
		`SELECT code, name, abbr FROM agency`,
		`SELECT id, name, abbr FROM units ORDER BY id`,
		`SELECT id, email, full_name, title, coalesce(unit_id, ''), clearance FROM people ORDER BY id`,
		`SELECT person_id, role FROM person_roles ORDER BY person_id, role`,
		`SELECT person_id, hex(public_key) FROM person_keys ORDER BY person_id`,
		`SELECT organ_id, name, email FROM exchange_agencies ORDER BY organ_id`,
		`SELECT id, kind, year, secret, closed, name FROM registers ORDER BY id`,
		`SELECT register_id, counter_key, next FROM counters ORDER BY register_id, counter_key`,
		`SELECT id, register_id, kind, number, notation, subject, issuer, status, registered_by FROM documents ORDER BY id`,
		`SELECT document_id, sha256, name, size FROM attachments ORDER BY document_id, sha256`,
		`SELECT id, document_id, assignee_kind, assignee_id, role, deadline, state FROM assignments ORDER BY id`,
		`SELECT id, state FROM drafts ORDER BY id`,
		`SELECT draft_id, version, sha256 FROM draft_versions ORDER BY draft_id, version`,
		`SELECT subject_kind, subject_id, actor, action, comment, event_id FROM workflow_steps ORDER BY event_id`,
	} {
		rows, err := s.r.QueryContext(ctx, q)
		if err != nil {
			return "", fmt.Errorf("dump: %s: %w", q, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(&b, "-- %s\n", q)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return "", err
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte('\t')
				}
				if x, ok := v.([]byte); ok {
					v = string(x)
				}
				fmt.Fprint(&b, v)
			}
			b.WriteByte('\n')
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// PublishHistory queues every event this store holds that no journal has
// yet — the founding administrator's log, made before the journal
// existed — in the order they were made, for the replicator to append.
// The founding must carry the administrator's key (AgencyFounded.Admin.
// PublicKey): a journal that starts without it is refused by every
// workstation (ErrNoAdminKey).
func (s *Store) PublishHistory(ctx context.Context) error {
	_, err := s.writeEvents(ctx, "publish history", false, func(tx *wtx) ([]Event, error) {
		rows, err := tx.Query(`SELECT ` + eventCols + ` FROM events e
			WHERE NOT EXISTS (SELECT 1 FROM journal_events j WHERE j.event_id = e.id) ORDER BY e.seq`)
		evs, err := scanAll(rows, err, func(sc rowScanner, e *Event) error { return scanEvent(sc, e) })
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.Type == EvAgencyFounded {
				p, err := decodePayload[AgencyFounded](e)
				if err != nil {
					return nil, err
				}
				if _, err := ParsePublicKey(p.Admin.PublicKey); err != nil {
					return nil, ErrNoAdminKey
				}
			}
			scope, err := eventScope(tx, e)
			if err != nil {
				return nil, err
			}
			if _, err := tx.Exec(`INSERT INTO journal_events(event_id, scope, state, local, offline) VALUES (?, ?, 'pending', 1, 1)`, e.ID, scope); err != nil {
				return nil, err
			}
			if _, err := tx.Exec(`INSERT INTO journal_outbox(event_id, scope) VALUES (?, ?)`, e.ID, scope); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	return err
}

// ErrNoAdminKey: the agency was founded without its administrator's
// journal key (no keyring at the first start), so no journal can start
// from it.
var ErrNoAdminKey = errors.New("the agency was founded without the administrator's journal key")
