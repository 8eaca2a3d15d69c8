package docstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// viewerInfo is what reads need to know about who is looking.
type viewerInfo struct {
	id        string
	clearance Secrecy
	unit      string
	roles     map[Role]bool
}

// viewer loads the reader (one row, with the roles); an unknown person
// sees nothing.
func (s *Store) viewer(ctx context.Context, id string) (*viewerInfo, error) {
	v := &viewerInfo{id: id, roles: map[Role]bool{}}
	var roles string
	err := s.r.QueryRowContext(ctx, `SELECT clearance, coalesce(unit_id, ''),
		coalesce((SELECT group_concat(role) FROM person_roles WHERE person_id = people.id), '') FROM people WHERE id = ?`, id).
		Scan(&v.clearance, &v.unit, &roles)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, forbidden(id, "read (not in the directory)")
	}
	if err != nil {
		return nil, fmt.Errorf("load viewer: %w", err)
	}
	for _, r := range splitRoles(roles) {
		v.roles[r] = true
	}
	return v, nil
}

// Agency is the agency of this store.
type Agency struct {
	Code, Name, Abbr, Place string
}

// Agency returns the agency, or ErrNoAgency on a new store.
func (s *Store) Agency(ctx context.Context) (Agency, error) {
	var a Agency
	err := s.r.QueryRowContext(ctx, `SELECT code, name, abbr, place FROM agency`).Scan(&a.Code, &a.Name, &a.Abbr, &a.Place)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNoAgency
	}
	return a, err
}

// Person is a directory entry.
type Person struct {
	ID, Email, FullName, Title, UnitID, UnitName string
	Clearance                                    Secrecy
	Roles                                        []Role
}

// People lists the directory in Vietnamese order of given name.
func (s *Store) People(ctx context.Context) ([]Person, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.email, p.full_name, p.title, coalesce(p.unit_id,''), coalesce(u.name,''), p.clearance,
		coalesce((SELECT group_concat(role) FROM person_roles r WHERE r.person_id = p.id), '')
		FROM people p LEFT JOIN units u ON u.id = p.unit_id ORDER BY p.name_key`)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var out []Person
	for rows.Next() {
		var p Person
		var roles string
		if err := rows.Scan(&p.ID, &p.Email, &p.FullName, &p.Title, &p.UnitID, &p.UnitName, &p.Clearance, &roles); err != nil {
			return nil, err
		}
		p.Roles = splitRoles(roles)
		out = append(out, p)
	}
	return out, rows.Err()
}

// Has reports whether the person holds any of roles.
func (p Person) Has(roles ...Role) bool {
	for _, r := range roles {
		if hasRole(p.Roles, r) {
			return true
		}
	}
	return false
}

// Label is how the window names a person: "Nguyễn Văn Ánh — Chủ tịch UBND".
func (p Person) Label() string { return p.FullName + " — " + p.Title }

func splitRoles(s string) []Role {
	var out []Role
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if i > start {
				out = append(out, Role(s[start:i]))
			}
			start = i + 1
		}
	}
	return out
}

// Register is a register as listed.
type Register struct {
	ID      string
	Kind    string
	Year    int
	Secret  bool
	Name    string
	PerType bool
	Closed  bool
	Count   int // documents in it
}

// Registers lists the registers the viewer may see, newest year first.
func (s *Store) Registers(ctx context.Context, viewer string) ([]Register, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT r.id, r.kind, r.year, r.secret, r.name, r.per_type, r.closed,
		coalesce((SELECT sum(next - 1) FROM counters c WHERE c.register_id = r.id), 0)
		FROM registers r WHERE r.secret = 0 OR ? >= 1 ORDER BY r.year DESC, r.kind, r.secret, r.name`, v.clearance)
	if err != nil {
		return nil, fmt.Errorf("list registers: %w", err)
	}
	defer rows.Close()
	var out []Register
	for rows.Next() {
		var r Register
		if err := rows.Scan(&r.ID, &r.Kind, &r.Year, &r.Secret, &r.Name, &r.PerType, &r.Closed, &r.Count); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DocumentRow is one line of a register: the Decree 30 columns.
type DocumentRow struct {
	rowid           int64
	ID              string
	RegisterID      string
	Kind            string
	Number          int
	Type            string
	Notation        string
	DocDate         string
	ArrivalDate     string
	Issuer          string
	Subject         string
	Recipients      string
	ForwardedDate   string
	Note            string
	Urgency         Urgency
	Secrecy         Secrecy
	DueDate         string
	Pages           int
	Source          Source
	Signer          string
	SignerAuthority string
	SignerTitle     string
	CopyHolder      string
	Copies          int
	Status          string
}

const docColumns = `d.rowid, d.id, d.register_id, d.kind, d.number, d.type_code, d.notation, d.doc_date, d.arrival_date, d.issuer, d.subject,
	d.recipients, d.forwarded_date, d.note, d.urgency, d.secrecy, d.due_date, d.pages, d.source, d.signer, d.signer_authority,
	d.signer_title, d.copy_holder, d.copies, d.status`

func scanDoc(rows interface{ Scan(...any) error }, d *DocumentRow) error {
	return rows.Scan(&d.rowid, &d.ID, &d.RegisterID, &d.Kind, &d.Number, &d.Type, &d.Notation, &d.DocDate, &d.ArrivalDate, &d.Issuer,
		&d.Subject, &d.Recipients, &d.ForwardedDate, &d.Note, &d.Urgency, &d.Secrecy, &d.DueDate, &d.Pages, &d.Source, &d.Signer,
		&d.SignerAuthority, &d.SignerTitle, &d.CopyHolder, &d.Copies, &d.Status)
}

func (s *Store) visibleRegister(ctx context.Context, v *viewerInfo, id string) (*Register, error) {
	r := &Register{ID: id}
	err := s.r.QueryRowContext(ctx, `SELECT kind, year, secret, name, per_type, closed,
		coalesce((SELECT sum(next - 1) FROM counters c WHERE c.register_id = registers.id), 0) FROM registers WHERE id = ?`, id).
		Scan(&r.Kind, &r.Year, &r.Secret, &r.Name, &r.PerType, &r.Closed, &r.Count)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && r.Secret && v.clearance < SecrecyMat) {
		return nil, fmt.Errorf("register %s: %w", id, ErrNotFound) // a secret register is invisible, not "forbidden"
	}
	return r, err
}

// viewerRegister loads the viewer and the register, if they may see it.
func (s *Store) viewerRegister(ctx context.Context, viewer, registerID string) (*viewerInfo, *Register, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.visibleRegister(ctx, v, registerID)
	return v, r, err
}

// RegisterCount is the number of documents in a register.
func (s *Store) RegisterCount(ctx context.Context, viewer, registerID string) (int, error) {
	v, r, err := s.viewerRegister(ctx, viewer, registerID)
	if err != nil {
		return 0, err
	}
	if r.Secret { // only the documents within the viewer's clearance
		var n int
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE register_id = ? AND secrecy <= ?`, registerID, v.clearance).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("count register %s: %w", registerID, err)
		}
		return n, nil
	}
	return r.Count, nil
}

// ListRegister returns rows [offset, offset+limit) of a register, newest
// first. Numbers are gap-free, so row i has number count-i: a page is an
// index range seek, as fast at row 900,000 as at row 0.
func (s *Store) ListRegister(ctx context.Context, viewer, registerID string, offset, limit int) ([]DocumentRow, error) {
	v, r, err := s.viewerRegister(ctx, viewer, registerID)
	if err != nil {
		return nil, err
	}
	var rows *sql.Rows
	switch {
	case r.Secret:
		// A secret register holds mật, tối mật and tuyệt mật documents; a
		// viewer sees those within their clearance, so the numbers seen are
		// not gap-free and the page is an offset (secret registers are small).
		rows, err = s.r.QueryContext(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.register_id = ? AND d.secrecy <= ?
			ORDER BY d.rowid DESC LIMIT ? OFFSET ?`, registerID, v.clearance, limit, offset)
	case r.PerType: // several counters: numbers repeat, page by insertion order
		rows, err = s.r.QueryContext(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.register_id = ? ORDER BY d.rowid DESC LIMIT ? OFFSET ?`,
			registerID, limit, offset)
	default:
		rows, err = s.r.QueryContext(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.register_id = ? AND d.counter_key = '' AND d.number <= ?
			ORDER BY d.number DESC LIMIT ?`, registerID, r.Count-offset, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("list register %s: %w", registerID, err)
	}
	defer rows.Close()
	out := make([]DocumentRow, 0, limit)
	for rows.Next() {
		var d DocumentRow
		if err := scanDoc(rows, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Document returns one document, if the viewer may see it.
func (s *Store) Document(ctx context.Context, viewer, id string) (DocumentRow, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return DocumentRow{}, err
	}
	var d DocumentRow
	err = scanDoc(s.r.QueryRowContext(ctx, `SELECT `+docColumns+` FROM documents d WHERE d.id = ?`, id), &d)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && d.Secrecy > v.clearance) {
		return DocumentRow{}, fmt.Errorf("document %s: %w", id, ErrNotFound)
	}
	return d, err
}

// Attachments of a document the viewer may see.
func (s *Store) Attachments(ctx context.Context, viewer, docID string) ([]Attachment, error) {
	if _, err := s.Document(ctx, viewer, docID); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT sha256, name, size FROM attachments WHERE document_id = ? ORDER BY name`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.SHA256, &a.Name, &a.Size); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assignment is one line of work on an incoming document.
type Assignment struct {
	ID, DocID, Kind, Assignee, AssigneeName, Role, Deadline, State, Reason string
	Subject, Notation                                                      string
	DeadlineState                                                          DeadlineState
}

// MyWork lists the assignments of a person (and of their unit) that are not
// finished, most urgent deadline first; today colours the deadlines.
func (s *Store) MyWork(ctx context.Context, viewer, today string) ([]Assignment, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.document_id, a.assignee_kind, a.assignee_id, a.role, a.deadline, a.state, a.reason, d.subject, d.notation
		FROM assignments a JOIN documents d ON d.id = a.document_id
		WHERE ((a.assignee_kind = 'person' AND a.assignee_id = ?) OR (a.assignee_kind = 'unit' AND a.assignee_id = ?))
		AND a.state IN ('cho_xu_ly', 'dang_xu_ly') AND d.secrecy <= ?
		ORDER BY a.deadline = '', a.deadline, a.rowid`, v.id, v.unit, v.clearance)
	if err != nil {
		return nil, fmt.Errorf("my work: %w", err)
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		var a Assignment
		if err := rows.Scan(&a.ID, &a.DocID, &a.Kind, &a.Assignee, &a.Role, &a.Deadline, &a.State, &a.Reason, &a.Subject, &a.Notation); err != nil {
			return nil, err
		}
		a.DeadlineState = DeadlineOn(a.Deadline, today)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Assignments of a document.
func (s *Store) Assignments(ctx context.Context, viewer, docID string) ([]Assignment, error) {
	if _, err := s.Document(ctx, viewer, docID); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT a.id, a.assignee_kind, a.assignee_id, coalesce(p.full_name, u.name, ''), a.role, a.deadline, a.state, a.reason
		FROM assignments a LEFT JOIN people p ON a.assignee_kind = 'person' AND p.id = a.assignee_id
		LEFT JOIN units u ON a.assignee_kind = 'unit' AND u.id = a.assignee_id
		WHERE a.document_id = ? ORDER BY a.rowid`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assignment
	for rows.Next() {
		a := Assignment{DocID: docID}
		if err := rows.Scan(&a.ID, &a.Kind, &a.Assignee, &a.AssigneeName, &a.Role, &a.Deadline, &a.State, &a.Reason); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Step is one line of a timeline: who did what, when.
type Step struct {
	Actor, ActorName, Action, Comment, At string
}

// Timeline of a document or draft (subjectKind "document" or "draft").
func (s *Store) Timeline(ctx context.Context, viewer, subjectKind, id string) ([]Step, error) {
	if subjectKind == "document" {
		if _, err := s.Document(ctx, viewer, id); err != nil {
			return nil, err
		}
	} else if _, err := s.Draft(ctx, viewer, id); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT actor, coalesce(p.full_name, actor), action, comment, at FROM (
			SELECT 0 AS seq, registered_by AS actor, 'register' AS action, '' AS comment, registered_at AS at
				FROM documents WHERE ? = 'document' AND id = ? AND kind = 'den'
			UNION ALL
			SELECT seq, actor, action, comment, at FROM workflow_steps WHERE subject_kind = ? AND subject_id = ?)
		LEFT JOIN people p ON p.id = actor ORDER BY seq`, subjectKind, id, subjectKind, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var st Step
		if err := rows.Scan(&st.Actor, &st.ActorName, &st.Action, &st.Comment, &st.At); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Draft as shown.
type Draft struct {
	ID, Author, Unit, Type, Subject, State, Initialer, Approver, Authority, Title, DocumentID string
	Urgency                                                                                   Urgency
	Secrecy                                                                                   Secrecy
	Versions                                                                                  int
}

// draftColumns and scanDraft read a Draft; every draft query shares them.
const draftColumns = `id, author_id, unit_id, type_code, subject, state, initialer_id, approver_id, signer_authority, signer_title,
	document_id, urgency, secrecy, (SELECT count(*) FROM draft_versions WHERE draft_id = drafts.id)`

func scanDraft(row interface{ Scan(...any) error }, d *Draft) error {
	return row.Scan(&d.ID, &d.Author, &d.Unit, &d.Type, &d.Subject, &d.State, &d.Initialer, &d.Approver, &d.Authority, &d.Title,
		&d.DocumentID, &d.Urgency, &d.Secrecy, &d.Versions)
}

// Draft returns a draft the viewer may see: its author, the people it is
// submitted to, the clerks, and leaders — if cleared for its secrecy.
func (s *Store) Draft(ctx context.Context, viewer, id string) (Draft, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return Draft{}, err
	}
	var d Draft
	err = scanDraft(s.r.QueryRowContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE id = ?`, id), &d)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && d.Secrecy > v.clearance) {
		return Draft{}, fmt.Errorf("draft %s: %w", id, ErrNotFound)
	}
	return d, err
}

// drafts lists the drafts a query selects, in one round trip.
func (s *Store) drafts(ctx context.Context, where string, args ...any) ([]Draft, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+draftColumns+` FROM drafts WHERE `+where+` ORDER BY updated_at DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("list drafts: %w", err)
	}
	defer rows.Close()
	var out []Draft
	for rows.Next() {
		var d Draft
		if err := scanDraft(rows, &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DraftsWaitingFor lists the drafts whose next step is the viewer's: to
// initial or approve/sign as named, or (clerks) to number and issue.
func (s *Store) DraftsWaitingFor(ctx context.Context, viewer string) ([]Draft, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	return s.drafts(ctx, `secrecy <= ? AND ((state = 'cho_ky_nhay' AND initialer_id = ?) OR (state IN ('cho_duyet', 'da_duyet') AND approver_id = ?)
		OR (state = 'da_ky' AND ?) OR (state = 'tra_lai' AND author_id = ?))`, v.clearance, v.id, v.id, v.roles[RoleClerk], v.id)
}

// DraftsByAuthor lists a person's own drafts (those they are still cleared
// for), newest change first.
func (s *Store) DraftsByAuthor(ctx context.Context, viewer string) ([]Draft, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	return s.drafts(ctx, `author_id = ? AND secrecy <= ?`, v.id, v.clearance)
}

// DraftCounts counts the drafts the viewer may see, by state (for the
// window's badges: chờ duyệt, chờ cấp số, …).
func (s *Store) DraftCounts(ctx context.Context, viewer string) (map[string]int, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT state, count(*) FROM drafts WHERE secrecy <= ? GROUP BY state`, v.clearance)
	if err != nil {
		return nil, fmt.Errorf("count drafts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Counts are the numbers on the window's badges, for one viewer on a day.
type Counts struct {
	AwaitingDirection int // incoming documents waiting for a leader's direction (leaders, clerks)
	MyPending         int // my assignments not finished (chờ xử lý + đang xử lý)
	DueSoon           int // … of which due within DueSoonDays
	Overdue           int // … of which past their deadline
	DraftsWaiting     int // drafts whose next step is mine (ký nháy, duyệt, ký, or returned to me)
	ToIssue           int // signed drafts waiting for a number (clerks)
}

// Counts computes the badges with a handful of indexed queries.
func (s *Store) Counts(ctx context.Context, viewer, today string) (Counts, error) {
	var c Counts
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return c, err
	}
	if v.roles[RoleClerk] || v.roles[RoleAgencyLeader] {
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM documents WHERE kind = 'den' AND status IN ('cho_phan_phoi', 'bi_tra_lai') AND secrecy <= ?`,
			v.clearance).Scan(&c.AwaitingDirection); err != nil {
			return c, fmt.Errorf("counts: %w", err)
		}
	}
	work, err := s.MyWork(ctx, viewer, today)
	if err != nil {
		return c, err
	}
	for _, a := range work {
		c.MyPending++
		switch a.DeadlineState {
		case DueSoon:
			c.DueSoon++
		case Overdue:
			c.Overdue++
		}
	}
	waiting, err := s.DraftsWaitingFor(ctx, viewer)
	if err != nil {
		return c, err
	}
	for _, d := range waiting {
		if d.State == DraftSigned {
			c.ToIssue++
		} else {
			c.DraftsWaiting++
		}
	}
	return c, nil
}
