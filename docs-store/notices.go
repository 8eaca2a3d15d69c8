package docstore

import (
	"context"
	"fmt"
	"time"
)

// Kinds of notice: what the window may tell its user with a desktop
// notification. Each can be turned off in Cài đặt.
const (
	NoticeUrgent   = "urgent"   // an urgent incoming document was registered (leaders, văn thư)
	NoticeAssigned = "assigned" // a direction gave me (or my unit) a document to handle
	NoticeDraft    = "draft"    // a draft now waits for my step
	NoticeDeadline = "deadline" // my work is due tomorrow
)

// Notice is one thing to tell the user.
type Notice struct {
	Kind        string
	SubjectKind string // "document" or "draft"
	ID          string
	Subject     string
	Notation    string
	Urgency     Urgency
	Role        string // the assignment's role (assigned, deadline)
	Deadline    string
}

// NoticeCursor marks what the user has already been told about: the last
// document, assignment and workflow step seen. Rowids only grow (rows are
// never deleted), so "after the cursor" is "new since" — except across a
// rebuild from the journal, which writes every row again from rowid 1:
// Rebuilds says which generation of rowids the cursor counts in.
type NoticeCursor struct {
	Doc, Assignment, Step int64
	Rebuilds              int64
}

// NoticeMark is the cursor of everything in the store now: a window
// starting with no cursor of its own begins here rather than announcing
// the whole history.
func (s *Store) NoticeMark(ctx context.Context) (NoticeCursor, error) {
	var c NoticeCursor
	err := s.r.QueryRowContext(ctx, `SELECT (SELECT coalesce(max(rowid), 0) FROM documents),
		(SELECT coalesce(max(rowid), 0) FROM assignments), (SELECT coalesce(max(seq), 0) FROM workflow_steps),
		(SELECT coalesce(max(rebuilds), 0) FROM journal_state)`).
		Scan(&c.Doc, &c.Assignment, &c.Step, &c.Rebuilds)
	if err != nil {
		return c, fmt.Errorf("notice mark: %w", err)
	}
	return c, nil
}

// noticeBatch bounds each kind per call: after a long sync the user gets a
// few notifications and the counters, not hundreds of pop-ups.
const noticeBatch = 20

// Notices lists what is new for viewer since after, and the cursor to pass
// next time; with today it adds the work due tomorrow (the caller decides
// how often to say so). Only what the viewer may read is told.
func (s *Store) Notices(ctx context.Context, viewer string, after NoticeCursor, today string) ([]Notice, NoticeCursor, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, after, err
	}
	next, err := s.NoticeMark(ctx)
	if err != nil {
		return nil, after, err
	}
	if after.Rebuilds != next.Rebuilds {
		// Rebuilt since: the cursor's rowids are of rows written again.
		// Start from now (what came with the rebuild shows in the
		// counters) rather than announce old rows or miss new ones.
		after = next
	}
	var out []Notice
	add := func(kind, q string, args ...any) error {
		rows, err := s.r.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("notices %s: %w", kind, err)
		}
		defer rows.Close()
		for rows.Next() {
			n := Notice{Kind: kind, SubjectKind: "document"}
			if err := rows.Scan(&n.SubjectKind, &n.ID, &n.Subject, &n.Notation, &n.Urgency, &n.Role, &n.Deadline); err != nil {
				return fmt.Errorf("notices %s: %w", kind, err)
			}
			out = append(out, n)
		}
		return rows.Err()
	}
	// Urgent arrivals concern those who direct and the văn thư who carries
	// the paper; others hear of a document when it is assigned to them.
	if v.roles[RoleAgencyLeader] || v.roles[RoleUnitHead] || v.roles[RoleClerk] {
		err := add(NoticeUrgent, `SELECT 'document', d.id, d.subject, d.notation, d.urgency, '', d.due_date
			FROM documents d JOIN registers r ON r.id = d.register_id
			WHERE d.rowid > ? AND d.rowid <= ? AND d.kind = 'den' AND d.urgency >= ? AND d.secrecy <= ? AND (r.secret = 0 OR ? >= 1)
			ORDER BY d.rowid LIMIT ?`, after.Doc, next.Doc, UrgencyUrgent, v.clearance, v.clearance, noticeBatch)
		if err != nil {
			return nil, after, err
		}
	}
	mine := `((a.assignee_kind = 'person' AND a.assignee_id = ?) OR (a.assignee_kind = 'unit' AND a.assignee_id = ?))`
	err = add(NoticeAssigned, `SELECT 'document', d.id, d.subject, d.notation, d.urgency, a.role, a.deadline
		FROM assignments a JOIN documents d ON d.id = a.document_id
		WHERE a.rowid > ? AND a.rowid <= ? AND `+mine+` AND a.state IN ('cho_xu_ly', 'dang_xu_ly') AND d.secrecy <= ?
		ORDER BY a.rowid LIMIT ?`, after.Assignment, next.Assignment, v.id, v.unit, v.clearance, noticeBatch)
	if err != nil {
		return nil, after, err
	}
	// A draft step since the cursor that left the draft waiting for me
	// (DraftsWaitingFor's condition); one notice per draft.
	err = add(NoticeDraft, `SELECT 'draft', x.id, x.subject, '', x.urgency, '', ''
		FROM drafts x WHERE x.id IN (SELECT subject_id FROM workflow_steps WHERE subject_kind = 'draft' AND seq > ? AND seq <= ?)
		AND x.secrecy <= ? AND ((x.state = 'cho_ky_nhay' AND x.initialer_id = ?) OR (x.state IN ('cho_duyet', 'da_duyet') AND x.approver_id = ?)
			OR (x.state = 'da_ky' AND ?) OR (x.state = 'tra_lai' AND x.author_id = ?))
		ORDER BY x.updated_at LIMIT ?`, after.Step, next.Step, v.clearance, v.id, v.id, v.roles[RoleClerk], v.id, noticeBatch)
	if err != nil {
		return nil, after, err
	}
	if today != "" {
		t, err := time.Parse("2006-01-02", today)
		if err != nil {
			return nil, after, invalid("today", "format")
		}
		err = add(NoticeDeadline, `SELECT 'document', d.id, d.subject, d.notation, d.urgency, a.role, a.deadline
			FROM assignments a JOIN documents d ON d.id = a.document_id
			WHERE `+mine+` AND a.state IN ('cho_xu_ly', 'dang_xu_ly') AND a.deadline = ? AND d.secrecy <= ?
			ORDER BY a.rowid LIMIT ?`, v.id, v.unit, t.AddDate(0, 0, 1).Format("2006-01-02"), v.clearance, noticeBatch)
		if err != nil {
			return nil, after, err
		}
	}
	return out, next, nil
}
