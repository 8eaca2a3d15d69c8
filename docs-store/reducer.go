package docstore

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"congvu/docs-store/vntext"
)

// The reducer: apply(tx, e) checks an event against the current state
// (permissions, the state machines, numbering) and writes its effect. It is
// deterministic: it reads only the event and the database — no clock, no
// randomness, no files — so replaying the events gives the same state on
// any machine. Local commands and (later) colleagues' events both come here.

type applyFunc func(tx *wtx, e Event) error

var reducers map[string]applyFunc

func init() {
	reducers = map[string]applyFunc{
		EvAgencyFounded:      applyAgencyFounded,
		EvUnitAdded:          applyUnitAdded,
		EvExchangeAgencySet:  applyExchangeAgencySet,
		EvPersonAdded:        applyPersonAdded,
		EvPersonUpdated:      applyPersonUpdated,
		EvRegisterOpened:     applyRegisterOpened,
		EvRegisterClosed:     applyRegisterClosed,
		EvRegisterReopened:   applyRegisterReopened,
		EvIncomingRegistered: applyIncomingRegistered,
		EvIncomingDirected:   applyIncomingDirected,
		EvAssignmentAccepted: applyAssignmentStep("accept"),
		EvAssignmentDone:     applyAssignmentStep("complete"),
		EvAssignmentReturned: applyAssignmentStep("return"),
		EvDraftCreated:       applyDraftCreated,
		EvDraftVersion:       applyDraftVersion,
		EvDraftSubmitted:     applyDraftSubmitted,
		EvDraftInitialed:     applyDraftStep("initial"),
		EvDraftReturned:      applyDraftStep("return"),
		EvDraftApproved:      applyDraftStep("approve"),
		EvDraftSigned:        applyDraftSigned,
		EvDraftIssued:        applyDraftIssued,
		EvDraftCancelled:     applyDraftStep("cancel"),
	}
}

func apply(tx *wtx, e Event) error {
	f, ok := reducers[e.Type]
	if !ok {
		return fmt.Errorf("%w: unknown type %q", ErrBadEvent, e.Type)
	}
	if err := f(tx, e); err != nil {
		return fmt.Errorf("apply %s %s: %w", e.Type, e.ID, err)
	}
	return nil
}

func evStamp(e Event) string { return e.Time.UTC().Format(time.RFC3339Nano) }

// VietnamTime is the zone of every date the registers show (UTC+7, no
// daylight saving): a document registered at 23:30 UTC is dated the next day.
var VietnamTime = time.FixedZone("ICT", 7*3600)

// LocalDate is t's day in Vietnam, YYYY-MM-DD.
func LocalDate(t time.Time) string { return t.In(VietnamTime).Format(dateLayout) }

const dateLayout = "2006-01-02"

func validDate(s string) bool {
	_, err := time.Parse(dateLayout, s)
	return err == nil
}

// --- lookups used by the reducer ---

type person struct {
	ID        string
	UnitID    string
	Clearance Secrecy
	FullName  string
	roles     map[Role]bool
}

func (p *person) has(roles ...Role) bool {
	for _, r := range roles {
		if p.roles[r] {
			return true
		}
	}
	return false
}

// loadPerson reads a person, memoised for the transaction (a batch import
// applies thousands of events by the same clerk). Directory events forget
// the memo.
func loadPerson(tx *wtx, id string) (*person, error) {
	return memoized(&tx.people, id, func() (*person, error) { return readPerson(tx, id) })
}

// memoized returns m[id], reading and remembering it when absent.
func memoized[V any](m *map[string]V, id string, read func() (V, error)) (V, error) {
	if v, ok := (*m)[id]; ok {
		return v, nil
	}
	v, err := read()
	if err == nil {
		if *m == nil {
			*m = map[string]V{}
		}
		(*m)[id] = v
	}
	return v, err
}

func readPerson(tx *wtx, id string) (*person, error) {
	p := &person{ID: id, roles: map[Role]bool{}}
	var unit sql.NullString
	err := tx.QueryRow(`SELECT coalesce(unit_id,''), clearance, full_name FROM people WHERE id = ?`, id).Scan(&unit, &p.Clearance, &p.FullName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("person %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	p.UnitID = unit.String
	rows, err := tx.Query(`SELECT role FROM person_roles WHERE person_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Role
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		p.roles[r] = true
	}
	return p, rows.Err()
}

// actor loads the event's author; an unknown author is a permission failure.
func actor(tx *wtx, e Event) (*person, error) {
	p, err := loadPerson(tx, e.Actor)
	if errors.Is(err, ErrNotFound) {
		return nil, forbidden(e.Actor, actNotInDirectory)
	}
	return p, err
}

type register struct {
	ID      string
	RID     int64
	Kind    string
	Year    int
	Secret  bool
	Closed  bool
	PerType bool
}

func loadRegister(tx *wtx, id string) (*register, error) {
	return memoized(&tx.regs, id, func() (*register, error) { return readRegister(tx, id) })
}

func readRegister(tx *wtx, id string) (*register, error) {
	r := &register{ID: id}
	err := tx.QueryRow(`SELECT rid, kind, year, secret, closed, per_type FROM registers WHERE id = ?`, id).
		Scan(&r.RID, &r.Kind, &r.Year, &r.Secret, &r.Closed, &r.PerType)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("register %s: %w", id, ErrNotFound)
	}
	return r, err
}

// nextNumber is the number the register's counter (key: "" or the type
// code of a register numbered per type) gives next: 1 before its first.
func nextNumber(tx *wtx, registerID, key string) (int, error) {
	next := 1
	err := tx.QueryRow(`SELECT next FROM counters WHERE register_id = ? AND counter_key = ?`, registerID, key).Scan(&next)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	return next, nil
}

// claimNumber checks that number is the next of the register's counter and
// advances it: numbers are gap-free and unique by construction.
func claimNumber(tx *wtx, reg *register, key string, number int) error {
	res, err := tx.Exec(`UPDATE counters SET next = next + 1 WHERE register_id = ? AND counter_key = ? AND next = ?`, reg.ID, key, number)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var next int
	err = tx.QueryRow(`SELECT next FROM counters WHERE register_id = ? AND counter_key = ?`, reg.ID, key).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		next = 1
		if number == 1 {
			_, err = tx.Exec(`INSERT INTO counters(register_id, counter_key, next) VALUES (?, ?, 2)`, reg.ID, key)
			return err
		}
	} else if err != nil {
		return err
	}
	return fmt.Errorf("%w: register %s claims %d, next is %d", ErrNumberTaken, reg.ID, number, next)
}

func step(tx *wtx, kind, subject string, e Event, action, comment string) error {
	_, err := tx.Exec(`INSERT INTO workflow_steps(subject_kind, subject_id, actor, action, comment, at, event_id) VALUES (?,?,?,?,?,?,?)`,
		kind, subject, e.Actor, action, comment, evStamp(e), e.ID)
	return err
}

// --- directory ---

func applyAgencyFounded(tx *wtx, e Event) error {
	p, err := decodePayload[AgencyFounded](e)
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM agency`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return &TransitionError{Entity: "agency", From: "founded", Action: "found"}
	}
	switch {
	case !ValidAgencyCode(p.Code):
		return invalid("code", "format")
	case blank(p.Name):
		return invalid("name", "required")
	case blank(p.Abbr):
		return invalid("abbr", "required")
	case p.Admin.ID != e.Actor:
		return forbidden(e.Actor, "found the agency for someone else")
	}
	if _, err := tx.Exec(`INSERT INTO agency(id, code, name, abbr, place) VALUES (1, ?, ?, ?, ?)`, p.Code, p.Name, p.Abbr, p.Place); err != nil {
		return err
	}
	admin := p.Admin
	if !hasRole(admin.Roles, RoleAdmin) {
		admin.Roles = append(admin.Roles, RoleAdmin)
	}
	return insertPerson(tx, &admin)
}

func hasRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func requireAdmin(tx *wtx, e Event, action string) error {
	a, err := actor(tx, e)
	if err != nil {
		return err
	}
	if !a.has(RoleAdmin) {
		return forbidden(e.Actor, action)
	}
	return nil
}

func applyUnitAdded(tx *wtx, e Event) error {
	p, err := decodePayload[UnitAdded](e)
	if err != nil {
		return err
	}
	if err := requireAdmin(tx, e, "add_unit"); err != nil {
		return err
	}
	if blank(p.ID) || blank(p.Name) {
		return invalid("name", "required")
	}
	if blank(p.Abbr) || strings.ContainsAny(p.Abbr, " /") {
		return invalid("abbr", "format")
	}
	_, err = tx.Exec(`INSERT INTO units(id, name, abbr, name_key) VALUES (?, ?, ?, ?)`, p.ID, p.Name, p.Abbr, vntext.SortKey(p.Name))
	if isConstraint(err) {
		return invalid("id", "duplicate")
	}
	return err
}

func validatePerson(tx *wtx, p *PersonInput) error {
	switch {
	case blank(p.ID):
		return invalid("id", "required")
	case blank(p.FullName):
		return invalid("full_name", "required")
	case !strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " \t\r\n"):
		return invalid("email", "format")
	case p.Clearance < SecrecyNone || p.Clearance > SecrecyTuyet:
		return invalid("clearance", "unknown")
	}
	for _, r := range p.Roles {
		if !validRole(r) {
			return invalid("roles", "unknown")
		}
	}
	if p.UnitID != "" {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM units WHERE id = ?`, p.UnitID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return invalid("unit_id", "unknown")
		}
	}
	return nil
}

func insertPerson(tx *wtx, p *PersonInput) error {
	delete(tx.people, p.ID)
	if err := validatePerson(tx, p); err != nil {
		return err
	}
	var unit any
	if p.UnitID != "" {
		unit = p.UnitID
	}
	_, err := tx.Exec(`INSERT INTO people(id, email, full_name, title, unit_id, clearance, name_key) VALUES (?,?,?,?,?,?,?)`,
		p.ID, strings.ToLower(p.Email), p.FullName, p.Title, unit, p.Clearance, personKey(p.FullName))
	if isConstraint(err) {
		return invalid("email", "duplicate")
	}
	if err != nil {
		return err
	}
	if err := setRoles(tx, p.ID, p.Roles); err != nil {
		return err
	}
	return setPublicKey(tx, p.ID, p.PublicKey)
}

// setPublicKey binds a person to the Ed25519 key their journal events
// must be signed with. An empty key leaves the binding as it is (a
// person.updated that only changes a title keeps the key).
func setPublicKey(tx *wtx, id, key string) error {
	if key == "" {
		return nil
	}
	pub, err := ParsePublicKey(key)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT INTO person_keys(person_id, public_key) VALUES (?, ?)
		ON CONFLICT(person_id) DO UPDATE SET public_key = excluded.public_key`, id, pub)
	return err
}

// ParsePublicKey reads an Ed25519 public key as PersonInput.PublicKey
// holds it (standard base64 of its 32 bytes).
func ParsePublicKey(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != 32 {
		return nil, invalid("public_key", "format")
	}
	return b, nil
}

// personKey sorts Vietnamese names by given name first, as registers and
// staff lists do (Nguyễn Văn Ánh sorts under Ánh), then by the whole name.
func personKey(full string) []byte {
	f := strings.Fields(full)
	given := full
	if len(f) > 0 {
		given = f[len(f)-1]
	}
	return append(append(vntext.SortKey(given), 0), vntext.SortKey(full)...)
}

func setRoles(tx *wtx, id string, roles []Role) error {
	if _, err := tx.Exec(`DELETE FROM person_roles WHERE person_id = ?`, id); err != nil {
		return err
	}
	for _, r := range roles {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO person_roles(person_id, role) VALUES (?, ?)`, id, r); err != nil {
			return err
		}
	}
	return nil
}

func applyPersonAdded(tx *wtx, e Event) error {
	p, err := decodePayload[PersonInput](e)
	if err != nil {
		return err
	}
	if err := requireAdmin(tx, e, "add_person"); err != nil {
		return err
	}
	return insertPerson(tx, p)
}

func applyPersonUpdated(tx *wtx, e Event) error {
	p, err := decodePayload[PersonInput](e)
	if err != nil {
		return err
	}
	if err := requireAdmin(tx, e, "update_person"); err != nil {
		return err
	}
	if _, err := loadPerson(tx, p.ID); err != nil {
		return err
	}
	delete(tx.people, p.ID)
	if err := validatePerson(tx, p); err != nil {
		return err
	}
	var unit any
	if p.UnitID != "" {
		unit = p.UnitID
	}
	if _, err := tx.Exec(`UPDATE people SET email=?, full_name=?, title=?, unit_id=?, clearance=?, name_key=? WHERE id=?`,
		strings.ToLower(p.Email), p.FullName, p.Title, unit, p.Clearance, personKey(p.FullName), p.ID); err != nil {
		if isConstraint(err) {
			return invalid("email", "duplicate")
		}
		return err
	}
	if err := setRoles(tx, p.ID, p.Roles); err != nil {
		return err
	}
	return setPublicKey(tx, p.ID, p.PublicKey)
}

// --- registers ---

func applyRegisterOpened(tx *wtx, e Event) error {
	p, err := decodePayload[RegisterOpened](e)
	if err != nil {
		return err
	}
	a, err := actor(tx, e)
	if err != nil {
		return err
	}
	if !a.has(RoleClerk, RoleAdmin) || (p.Secret && a.Clearance < SecrecyMat) {
		return forbidden(e.Actor, "open_register")
	}
	switch {
	case p.Kind != KindIncoming && p.Kind != KindOutgoing:
		return invalid("kind", "unknown")
	case p.Year < 2000 || p.Year > 2200:
		return invalid("year", "range")
	case blank(p.Name):
		return invalid("name", "required")
	case blank(p.ID):
		return invalid("id", "required")
	}
	_, err = tx.Exec(`INSERT INTO registers(id, kind, year, secret, name, per_type) VALUES (?,?,?,?,?,?)`,
		p.ID, p.Kind, p.Year, p.Secret, p.Name, p.PerType && p.Kind == KindOutgoing)
	if isConstraint(err) {
		return invalid("id", "duplicate")
	}
	return err
}

func applyRegisterClosed(tx *wtx, e Event) error {
	return setRegisterClosed(tx, e, true)
}

func applyRegisterReopened(tx *wtx, e Event) error {
	return setRegisterClosed(tx, e, false)
}

func setRegisterClosed(tx *wtx, e Event, closed bool) error {
	p, err := decodePayload[RegisterRef](e)
	if err != nil {
		return err
	}
	a, err := actor(tx, e)
	if err != nil {
		return err
	}
	reg, err := loadRegister(tx, p.ID)
	if err != nil {
		return err
	}
	action := "close_register"
	allowed := a.has(RoleClerk, RoleAdmin)
	if !closed {
		action, allowed = "reopen_register", a.has(RoleAdmin) // reopening needs quản trị
	}
	if !allowed || (reg.Secret && a.Clearance < SecrecyMat) {
		return forbidden(e.Actor, action)
	}
	if reg.Closed == closed {
		from := "open"
		if reg.Closed {
			from = "closed"
		}
		return &TransitionError{Entity: "register", From: from, Action: action}
	}
	delete(tx.regs, p.ID)
	_, err = tx.Exec(`UPDATE registers SET closed = ? WHERE id = ?`, closed, p.ID)
	return err
}

// checkRegisterForEntry is what every numbering event checks.
func checkRegisterForEntry(reg *register, kind, date string) error {
	if reg.Kind != kind {
		return invalid("register_id", "kind")
	}
	if reg.Closed {
		return fmt.Errorf("register %s: %w", reg.ID, ErrRegisterClosed)
	}
	if len(date) < 4 || date[:4] != fmt.Sprint(reg.Year) {
		return fmt.Errorf("register %s (%d), date %s: %w", reg.ID, reg.Year, date, ErrWrongYear)
	}
	return nil
}

// --- incoming documents ---

// Incoming document status.
const (
	DocAwaiting   = "cho_phan_phoi" // registered, waiting for a direction
	DocInProgress = "dang_xu_ly"
	DocReturned   = "bi_tra_lai" // the chủ trì returned it; needs a new direction
	DocDone       = "hoan_thanh"
	DocIssued     = "da_ban_hanh" // outgoing
)

func applyIncomingRegistered(tx *wtx, e Event) error {
	p, err := decodePayload[IncomingRegistered](e)
	if err != nil {
		return err
	}
	a, err := actor(tx, e)
	if err != nil {
		return err
	}
	in := &p.Doc
	if err := in.validate(); err != nil {
		return err
	}
	reg, err := loadRegister(tx, in.RegisterID)
	if err != nil {
		return invalid("register_id", "unknown")
	}
	if !a.has(RoleClerk) || a.Clearance < in.Secrecy || (reg.Secret && a.Clearance < SecrecyMat) {
		return forbidden(e.Actor, "register_incoming")
	}
	if err := checkRegisterForEntry(reg, KindIncoming, in.ArrivalDate); err != nil {
		return err
	}
	if reg.Secret != (in.Secrecy > SecrecyNone) {
		return invalid("secrecy", "register") // secret documents go to a secret register, and only they
	}
	if err := claimNumber(tx, reg, "", p.Number); err != nil {
		return err
	}
	res, err := tx.Exec(`INSERT INTO documents(id, register_id, kind, number, type_code, notation, notation_fold, doc_date, arrival_date,
		issuer, issuer_code, issuer_fold, subject, recipients, note, urgency, secrecy, due_date, pages, source, status, registered_by, registered_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.DocID, reg.ID, KindIncoming, p.Number, in.Type, in.Notation, vntext.Fold(in.Notation), in.DocDate, in.ArrivalDate,
		in.Issuer, in.IssuerCode, vntext.Fold(in.Issuer), in.Subject, in.Recipients, in.Note, in.Urgency, in.Secrecy,
		in.DueDate, in.Pages, in.Source, DocAwaiting, e.Actor, evStamp(e))
	if isConstraint(err) {
		return fmt.Errorf("document %s: %w", p.DocID, ErrNumberTaken)
	}
	if err != nil {
		return err
	}
	rowid, _ := res.LastInsertId()
	for _, at := range in.Attachments {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO attachments(document_id, sha256, name, size) VALUES (?,?,?,?)`, p.DocID, at.SHA256, at.Name, at.Size); err != nil {
			return err
		}
	}
	// The registration step of the timeline is the document row itself
	// (registered_by, registered_at): Timeline reads it from there.
	t, _ := LookupDocType(in.Type)
	parts := []string{t.Name, in.Subject, in.Notation, in.Issuer, in.Recipients, in.Note}
	for _, at := range in.Attachments {
		parts = append(parts, at.Name)
	}
	return writeIndex(tx, rowid, false, parts, facets(reg.RID, in.Type, int(in.Urgency), int(in.Secrecy), KindIncoming))
}

type docState struct {
	RowID    int64
	Kind     string
	Status   string
	Secrecy  Secrecy
	Arrival  string
	Register string
}

func loadDoc(tx *wtx, id string) (*docState, error) {
	d := &docState{}
	err := tx.QueryRow(`SELECT rowid, kind, status, secrecy, arrival_date, register_id FROM documents WHERE id = ?`, id).
		Scan(&d.RowID, &d.Kind, &d.Status, &d.Secrecy, &d.Arrival, &d.Register)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	return d, err
}

func applyIncomingDirected(tx *wtx, e Event) error {
	p, err := decodePayload[IncomingDirected](e)
	if err != nil {
		return err
	}
	a, err := actor(tx, e)
	if err != nil {
		return err
	}
	doc, err := loadDoc(tx, p.DocID)
	if err != nil {
		return err
	}
	if a.Clearance < doc.Secrecy {
		return fmt.Errorf("document %s: %w", p.DocID, ErrNotFound)
	}
	if !a.has(RoleAgencyLeader, RoleUnitHead) {
		return forbidden(e.Actor, "direct")
	}
	if doc.Kind != KindIncoming || doc.Status == DocDone {
		return &TransitionError{Entity: "document", From: doc.Status, Action: "direct"}
	}
	if !validDate(p.Date) {
		return invalid("date", "format")
	}
	chuTri := 0
	seen := map[string]bool{}
	for _, as := range p.Assignments {
		if seen[as.Kind+as.Assignee] {
			return invalid("assignments", "duplicate")
		}
		seen[as.Kind+as.Assignee] = true
		switch as.Role {
		case "chu_tri":
			chuTri++
		case "phoi_hop", "de_biet":
		default:
			return invalid("assignments", "role")
		}
		if as.Deadline != "" && (!validDate(as.Deadline) || as.Deadline < doc.Arrival) {
			return invalid("deadline", "before_arrival")
		}
		if err := checkAssignee(tx, a, as, doc.Secrecy); err != nil {
			return err
		}
	}
	if chuTri != 1 {
		return invalid("assignments", "one_chu_tri")
	}
	if _, err := tx.Exec(`INSERT INTO directions(id, document_id, by_person, comment, at) VALUES (?,?,?,?,?)`,
		p.DirectionID, p.DocID, e.Actor, p.Comment, evStamp(e)); err != nil {
		if isConstraint(err) {
			return invalid("direction_id", "duplicate")
		}
		return err
	}
	for _, as := range p.Assignments {
		state := AsPending
		if as.Role == "de_biet" {
			state = AsForInfo
		}
		if _, err := tx.Exec(`INSERT INTO assignments(id, document_id, direction_id, assignee_kind, assignee_id, role, deadline, state, updated_at)
			VALUES (?,?,?,?,?,?,?,?,?)`, as.ID, p.DocID, p.DirectionID, as.Kind, as.Assignee, as.Role, as.Deadline, state, evStamp(e)); err != nil {
			if isConstraint(err) {
				return invalid("assignments", "duplicate")
			}
			return err
		}
	}
	if _, err := tx.Exec(`UPDATE documents SET status = ?, forwarded_date = CASE WHEN forwarded_date = '' THEN ? ELSE forwarded_date END,
		recipients = CASE WHEN recipients = '' THEN ? ELSE recipients END WHERE id = ?`,
		DocInProgress, p.Date, assigneeSummary(tx, p.Assignments), p.DocID); err != nil {
		return err
	}
	if err := step(tx, "document", p.DocID, e, "direct", p.Comment); err != nil {
		return err
	}
	return indexDoc(tx, doc.RowID, true)
}

// checkAssignee: the assignee exists and is cleared; a unit head directs
// only inside their own unit.
func checkAssignee(tx *wtx, a *person, as AssignmentInput, secrecy Secrecy) error {
	switch as.Kind {
	case "person":
		p, err := loadPerson(tx, as.Assignee)
		if err != nil {
			return invalid("assignments", "unknown")
		}
		if p.Clearance < secrecy {
			return invalid("assignments", "not_cleared")
		}
		if !a.has(RoleAgencyLeader) && p.UnitID != a.UnitID {
			return forbidden(a.ID, "direct outside own unit")
		}
	case "unit":
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM units WHERE id = ?`, as.Assignee).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return invalid("assignments", "unknown")
		}
		if secrecy > SecrecyNone {
			return invalid("assignments", "not_cleared") // secret documents go to named, cleared people
		}
		if !a.has(RoleAgencyLeader) && as.Assignee != a.UnitID {
			return forbidden(a.ID, "direct outside own unit")
		}
	default:
		return invalid("assignments", "kind")
	}
	return nil
}

// assigneeSummary is the "đơn vị hoặc người nhận" column when the clerk left
// it empty: the chủ trì's name.
func assigneeSummary(tx *wtx, as []AssignmentInput) string {
	for _, x := range as {
		if x.Role != "chu_tri" {
			continue
		}
		var name string
		q := `SELECT full_name FROM people WHERE id = ?`
		if x.Kind == "unit" {
			q = `SELECT name FROM units WHERE id = ?`
		}
		tx.QueryRow(q, x.Assignee).Scan(&name)
		return name
	}
	return ""
}

// Assignment states and the explicit transitions between them.
const (
	AsPending    = "cho_xu_ly"
	AsInProgress = "dang_xu_ly"
	AsDone       = "hoan_thanh"
	AsReturned   = "tra_lai"
	AsForInfo    = "de_biet"
)

var assignmentTransitions = map[string]map[string]string{
	AsPending:    {"accept": AsInProgress, "return": AsReturned},
	AsInProgress: {"complete": AsDone, "return": AsReturned},
}

func applyAssignmentStep(action string) applyFunc {
	return func(tx *wtx, e Event) error {
		p, err := decodePayload[AssignmentStep](e)
		if err != nil {
			return err
		}
		a, err := actor(tx, e)
		if err != nil {
			return err
		}
		var docID, kind, assignee, state, role string
		err = tx.QueryRow(`SELECT document_id, assignee_kind, assignee_id, state, role FROM assignments WHERE id = ?`, p.AssignmentID).
			Scan(&docID, &kind, &assignee, &state, &role)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("assignment %s: %w", p.AssignmentID, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if !(kind == "person" && assignee == a.ID) && !(kind == "unit" && assignee == a.UnitID) {
			return forbidden(e.Actor, action)
		}
		next, ok := assignmentTransitions[state][action]
		if !ok {
			return &TransitionError{Entity: "assignment", From: state, Action: action}
		}
		if action == "return" && blank(p.Reason) {
			return invalid("reason", "required")
		}
		if _, err := tx.Exec(`UPDATE assignments SET state = ?, reason = ?, updated_at = ? WHERE id = ?`, next, p.Reason, evStamp(e), p.AssignmentID); err != nil {
			return err
		}
		if role == "chu_tri" {
			docStatus := ""
			switch next {
			case AsDone:
				docStatus = DocDone
			case AsReturned:
				docStatus = DocReturned
			}
			if docStatus != "" {
				if _, err := tx.Exec(`UPDATE documents SET status = ? WHERE id = ?`, docStatus, docID); err != nil {
					return err
				}
			}
		}
		return step(tx, "document", docID, e, "assignment_"+action, p.Reason)
	}
}

// --- drafts and approval ---

// Draft states and the explicit transitions between them: the only steps
// allowed. submit goes to cho_ky_nhay when a unit head must initial first.
const (
	DraftEditing   = "du_thao"
	DraftReturned  = "tra_lai"
	DraftInitial   = "cho_ky_nhay"
	DraftPending   = "cho_duyet"
	DraftApproved  = "da_duyet"
	DraftSigned    = "da_ky" // waiting for the clerk to number and issue
	DraftIssued    = "da_ban_hanh"
	DraftCancelled = "huy"
)

var draftTransitions = map[string]map[string]string{
	DraftEditing:  {"add_version": DraftEditing, "submit": DraftPending, "submit_initial": DraftInitial, "cancel": DraftCancelled},
	DraftReturned: {"add_version": DraftReturned, "submit": DraftPending, "submit_initial": DraftInitial, "cancel": DraftCancelled},
	DraftInitial:  {"initial": DraftPending, "return": DraftReturned},
	DraftPending:  {"approve": DraftApproved, "return": DraftReturned},
	DraftApproved: {"sign": DraftSigned, "return": DraftReturned},
	DraftSigned:   {"issue": DraftIssued},
}

type draftState struct {
	ID, Author, Unit, Type, Subject, State, Initialer, Approver, Authority, Title string
	Urgency                                                                       Urgency
	Secrecy                                                                       Secrecy
	Versions                                                                      int
}

func loadDraft(tx *wtx, id string) (*draftState, error) {
	d := &draftState{ID: id}
	err := tx.QueryRow(`SELECT author_id, unit_id, type_code, subject, state, initialer_id, approver_id, signer_authority, signer_title, urgency, secrecy,
		(SELECT count(*) FROM draft_versions WHERE draft_id = drafts.id) FROM drafts WHERE id = ?`, id).
		Scan(&d.Author, &d.Unit, &d.Type, &d.Subject, &d.State, &d.Initialer, &d.Approver, &d.Authority, &d.Title, &d.Urgency, &d.Secrecy, &d.Versions)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("draft %s: %w", id, ErrNotFound)
	}
	return d, err
}

func transition(d *draftState, action string) (string, error) {
	next, ok := draftTransitions[d.State][action]
	if !ok {
		return "", &TransitionError{Entity: "draft", From: d.State, Action: action}
	}
	return next, nil
}

func setDraftState(tx *wtx, e Event, id, state string) error {
	_, err := tx.Exec(`UPDATE drafts SET state = ?, updated_at = ? WHERE id = ?`, state, evStamp(e), id)
	return err
}

func checkFile(f Attachment) error {
	if !validSHA(f.SHA256) || f.Size < 0 {
		return invalid("file", "format")
	}
	if blank(f.Name) {
		return invalid("file", "required")
	}
	return nil
}

func applyDraftCreated(tx *wtx, e Event) error {
	p, err := decodePayload[DraftCreated](e)
	if err != nil {
		return err
	}
	a, err := actor(tx, e)
	if err != nil {
		return err
	}
	t, ok := LookupDocType(p.Type)
	switch {
	case !ok || !t.Admin:
		return invalid("type", "unknown")
	case blank(p.Subject):
		return invalid("subject", "required")
	case p.Urgency < UrgencyNormal || p.Urgency > UrgencyFlash:
		return invalid("urgency", "unknown")
	case p.Secrecy < SecrecyNone || p.Secrecy > SecrecyTuyet:
		return invalid("secrecy", "unknown")
	case a.Clearance < p.Secrecy:
		return forbidden(e.Actor, "draft a secret document")
	}
	if err := checkFile(p.File); err != nil {
		return err
	}
	unit := p.UnitID
	if unit == "" {
		unit = a.UnitID
	}
	if _, err := tx.Exec(`INSERT INTO drafts(id, author_id, unit_id, type_code, subject, urgency, secrecy, state, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		p.DraftID, e.Actor, unit, p.Type, p.Subject, p.Urgency, p.Secrecy, DraftEditing, evStamp(e), evStamp(e)); err != nil {
		if isConstraint(err) {
			return invalid("draft_id", "duplicate")
		}
		return err
	}
	if err := insertVersion(tx, e, p.DraftID, 1, p.File, ""); err != nil {
		return err
	}
	return step(tx, "draft", p.DraftID, e, "create", "")
}

func insertVersion(tx *wtx, e Event, draft string, v int, f Attachment, note string) error {
	_, err := tx.Exec(`INSERT INTO draft_versions(draft_id, version, sha256, name, size, note, by_person, at) VALUES (?,?,?,?,?,?,?,?)`,
		draft, v, f.SHA256, f.Name, f.Size, note, e.Actor, evStamp(e))
	return err
}

func applyDraftVersion(tx *wtx, e Event) error {
	p, err := decodePayload[DraftVersion](e)
	if err != nil {
		return err
	}
	d, err := loadDraft(tx, p.DraftID)
	if err != nil {
		return err
	}
	if e.Actor != d.Author {
		return forbidden(e.Actor, "add_version")
	}
	if _, err := transition(d, "add_version"); err != nil {
		return err
	}
	if p.Version != d.Versions+1 {
		return invalid("version", "sequence")
	}
	if err := checkFile(p.File); err != nil {
		return err
	}
	if err := insertVersion(tx, e, d.ID, p.Version, p.File, p.Note); err != nil {
		return err
	}
	if !blank(p.Subject) {
		if _, err := tx.Exec(`UPDATE drafts SET subject = ? WHERE id = ?`, p.Subject, d.ID); err != nil {
			return err
		}
	}
	return step(tx, "draft", d.ID, e, "add_version", p.Note)
}

func applyDraftSubmitted(tx *wtx, e Event) error {
	p, err := decodePayload[DraftSubmitted](e)
	if err != nil {
		return err
	}
	d, err := loadDraft(tx, p.DraftID)
	if err != nil {
		return err
	}
	if e.Actor != d.Author {
		return forbidden(e.Actor, "submit")
	}
	action := "submit"
	if p.InitialerID != "" {
		action = "submit_initial"
	}
	next, err := transition(d, action)
	if err != nil {
		return err
	}
	ap, err := loadPerson(tx, p.ApproverID)
	if err != nil || !ap.has(RoleAgencyLeader, RoleUnitHead) {
		return invalid("approver_id", "not_leader")
	}
	if ap.ID == d.Author {
		return invalid("approver_id", "self")
	}
	if ap.Clearance < d.Secrecy {
		return invalid("approver_id", "not_cleared")
	}
	if p.InitialerID != "" {
		in, err := loadPerson(tx, p.InitialerID)
		if err != nil || !in.has(RoleUnitHead) {
			return invalid("initialer_id", "not_unit_head")
		}
		if in.Clearance < d.Secrecy {
			return invalid("initialer_id", "not_cleared")
		}
	}
	if _, err := tx.Exec(`UPDATE drafts SET approver_id = ?, initialer_id = ? WHERE id = ?`, p.ApproverID, p.InitialerID, d.ID); err != nil {
		return err
	}
	if err := setDraftState(tx, e, d.ID, next); err != nil {
		return err
	}
	return step(tx, "draft", d.ID, e, action, "")
}

// applyDraftStep handles initial, return, approve and cancel: who may do it
// is fixed by the draft (the named initialer, the named approver, the author).
func applyDraftStep(action string) applyFunc {
	return func(tx *wtx, e Event) error {
		p, err := decodePayload[DraftStep](e)
		if err != nil {
			return err
		}
		d, err := loadDraft(tx, p.DraftID)
		if err != nil {
			return err
		}
		next, err := transition(d, action)
		if err != nil {
			return err
		}
		var who string
		switch action {
		case "initial":
			who = d.Initialer
		case "approve":
			who = d.Approver
		case "cancel":
			who = d.Author
		case "return":
			who = d.Approver
			if d.State == DraftInitial {
				who = d.Initialer
			}
			if blank(p.Comment) {
				return invalid("comment", "required")
			}
		}
		if e.Actor != who {
			return forbidden(e.Actor, action)
		}
		if err := setDraftState(tx, e, d.ID, next); err != nil {
			return err
		}
		return step(tx, "draft", d.ID, e, action, p.Comment)
	}
}

func applyDraftSigned(tx *wtx, e Event) error {
	p, err := decodePayload[DraftSignature](e)
	if err != nil {
		return err
	}
	d, err := loadDraft(tx, p.DraftID)
	if err != nil {
		return err
	}
	next, err := transition(d, "sign")
	if err != nil {
		return err
	}
	if e.Actor != d.Approver {
		return forbidden(e.Actor, "sign")
	}
	if !validAuthority(p.Authority) {
		return invalid("authority", "unknown")
	}
	if _, err := tx.Exec(`UPDATE drafts SET signer_authority = ?, signer_title = ? WHERE id = ?`, p.Authority, p.Title, d.ID); err != nil {
		return err
	}
	if err := setDraftState(tx, e, d.ID, next); err != nil {
		return err
	}
	return step(tx, "draft", d.ID, e, "sign", "")
}

func applyDraftIssued(tx *wtx, e Event) error {
	p, err := decodePayload[DraftIssue](e)
	if err != nil {
		return err
	}
	a, err := actor(tx, e)
	if err != nil {
		return err
	}
	d, err := loadDraft(tx, p.DraftID)
	if err != nil {
		return err
	}
	if !a.has(RoleClerk) || a.Clearance < d.Secrecy {
		return forbidden(e.Actor, "issue")
	}
	next, err := transition(d, "issue")
	if err != nil {
		return err
	}
	reg, err := loadRegister(tx, p.RegisterID)
	if err != nil {
		return invalid("register_id", "unknown")
	}
	if !validDate(p.Date) {
		return invalid("date", "format")
	}
	if err := checkRegisterForEntry(reg, KindOutgoing, p.Date); err != nil {
		return err
	}
	if reg.Secret != (d.Secrecy > SecrecyNone) {
		return invalid("register_id", "secrecy")
	}
	switch {
	case blank(p.Recipients):
		return invalid("recipients", "required")
	case p.Copies < 1:
		return invalid("copies", "range")
	case !ValidNotation(p.Notation):
		return invalid("notation", "format")
	case p.Forwarded != "" && (!validDate(p.Forwarded) || p.Forwarded < p.Date):
		return invalid("forwarded", "before_date")
	case p.Source != "" && p.Source != SourcePaper && p.Source != SourceElectronic:
		return invalid("source", "unknown")
	}
	source := p.Source
	if source == "" {
		source = SourceElectronic
	}
	key := ""
	if reg.PerType {
		key = d.Type
	}
	if err := claimNumber(tx, reg, key, p.Number); err != nil {
		return err
	}
	var approverName string
	tx.QueryRow(`SELECT full_name FROM people WHERE id = ?`, d.Approver).Scan(&approverName)
	signer := p.Signer
	if signer == "" {
		signer = approverName
	}
	res, err := tx.Exec(`INSERT INTO documents(id, register_id, kind, counter_key, number, type_code, notation, notation_fold, doc_date,
		issuer, issuer_fold, subject, recipients, forwarded_date, note, urgency, secrecy, pages, source, signer, signer_authority, signer_title,
		copy_holder, copies, draft_id, status, registered_by, registered_at)
		VALUES (?,?,?,?,?,?,?,?,?,(SELECT name FROM agency),(SELECT name FROM agency),?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.DocID, reg.ID, KindOutgoing, key, p.Number, d.Type, p.Notation, vntext.Fold(p.Notation), p.Date,
		d.Subject, p.Recipients, p.Forwarded, p.Note, d.Urgency, d.Secrecy, p.PageCount, source, signer, d.Authority, d.Title,
		p.CopyHolder, p.Copies, d.ID, DocIssued, e.Actor, evStamp(e))
	if isConstraint(err) {
		return fmt.Errorf("document %s: %w", p.DocID, ErrNumberTaken)
	}
	if err != nil {
		return err
	}
	rowid, _ := res.LastInsertId()
	if _, err := tx.Exec(`UPDATE documents SET issuer_fold = ? WHERE rowid = ?`, vntext.Fold(agencyName(tx)), rowid); err != nil {
		return err
	}
	// The issued document carries the signed version's file.
	if _, err := tx.Exec(`INSERT OR IGNORE INTO attachments(document_id, sha256, name, size)
		SELECT ?, sha256, name, size FROM draft_versions WHERE draft_id = ? ORDER BY version DESC LIMIT 1`, p.DocID, d.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE drafts SET document_id = ? WHERE id = ?`, p.DocID, d.ID); err != nil {
		return err
	}
	if err := setDraftState(tx, e, d.ID, next); err != nil {
		return err
	}
	if err := step(tx, "draft", d.ID, e, "issue", p.Notation); err != nil {
		return err
	}
	return indexDoc(tx, rowid, false)
}

func agencyName(tx *wtx) string {
	var n string
	tx.QueryRow(`SELECT name FROM agency`).Scan(&n)
	return n
}

func isConstraint(err error) bool {
	return err != nil && strings.Contains(err.Error(), "constraint failed")
}
