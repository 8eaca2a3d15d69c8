package docstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"congvu/docs-store/vntext"
)

// --- directory ---

// FoundAgency creates the agency with its first administrator; admin.ID is
// the actor. Only possible on an empty store.
func (s *Store) FoundAgency(ctx context.Context, a AgencyFounded) error {
	a.Name, a.Abbr, a.Place = vntext.NFC(strings.TrimSpace(a.Name)), strings.TrimSpace(a.Abbr), vntext.NFC(strings.TrimSpace(a.Place))
	normPerson(&a.Admin)
	return s.single(ctx, "found agency", a.Admin.ID, EvAgencyFounded, a)
}

func normPerson(p *PersonInput) {
	p.FullName = vntext.NFC(strings.TrimSpace(p.FullName))
	p.Title = vntext.NFC(strings.TrimSpace(p.Title))
	p.Email = strings.TrimSpace(p.Email)
}

// AddUnit adds a unit (phòng, ban) to the directory (quản trị only).
func (s *Store) AddUnit(ctx context.Context, actor string, u UnitAdded) error {
	u.Name, u.Abbr = vntext.NFC(strings.TrimSpace(u.Name)), vntext.NFC(strings.TrimSpace(u.Abbr))
	return s.single(ctx, "add unit "+u.ID, actor, EvUnitAdded, u)
}

// AddPerson adds a person with roles and clearance (quản trị only).
func (s *Store) AddPerson(ctx context.Context, actor string, p PersonInput) error {
	normPerson(&p)
	return s.single(ctx, "add person "+p.ID, actor, EvPersonAdded, p)
}

// UpdatePerson replaces a person's details, roles and clearance.
func (s *Store) UpdatePerson(ctx context.Context, actor string, p PersonInput) error {
	normPerson(&p)
	return s.single(ctx, "update person "+p.ID, actor, EvPersonUpdated, p)
}

// --- registers ---

// OpenRegister opens a register for a year (văn thư or quản trị).
func (s *Store) OpenRegister(ctx context.Context, actor string, r RegisterOpened) error {
	r.Name = vntext.NFC(strings.TrimSpace(r.Name))
	return s.single(ctx, "open register "+r.ID, actor, EvRegisterOpened, r)
}

// CloseRegister closes a register at year end: no more entries.
func (s *Store) CloseRegister(ctx context.Context, actor, id string) error {
	return s.single(ctx, "close register "+id, actor, EvRegisterClosed, RegisterRef{ID: id})
}

// ReopenRegister reopens a closed register (quản trị only).
func (s *Store) ReopenRegister(ctx context.Context, actor, id string) error {
	return s.single(ctx, "reopen register "+id, actor, EvRegisterReopened, RegisterRef{ID: id})
}

// --- drafts ---

// NewDraft is a specialist's new draft with its first file.
type NewDraft struct {
	Type    string
	Subject string
	Urgency Urgency
	Secrecy Secrecy
	File    Attachment
}

// CreateDraft starts a draft (dự thảo), version 1.
func (s *Store) CreateDraft(ctx context.Context, actor string, d NewDraft) (string, error) {
	id := s.newID()
	d.File.Name = vntext.NFC(d.File.Name)
	err := s.single(ctx, "create draft", actor, EvDraftCreated, DraftCreated{
		DraftID: id, Type: d.Type, Subject: vntext.NFC(strings.TrimSpace(d.Subject)),
		Urgency: d.Urgency, Secrecy: d.Secrecy, File: d.File,
	})
	return id, err
}

// AddDraftVersion adds the next version (file and note) to a draft being
// edited or returned.
func (s *Store) AddDraftVersion(ctx context.Context, actor, draftID string, f Attachment, note, subject string) (int, error) {
	var v int
	now := s.now()
	_, err := s.write(ctx, "add draft version "+draftID, func(tx *wtx) ([]Event, error) {
		if err := tx.QueryRow(`SELECT count(*) FROM draft_versions WHERE draft_id = ?`, draftID).Scan(&v); err != nil {
			return nil, err
		}
		v++
		f.Name = vntext.NFC(f.Name)
		e, err := newEvent(s.newID(), EvDraftVersion, actor, now, DraftVersion{
			DraftID: draftID, Version: v, File: f, Note: vntext.NFC(strings.TrimSpace(note)), Subject: vntext.NFC(strings.TrimSpace(subject)),
		})
		return []Event{e}, err
	})
	return v, err
}

// SubmitDraft sends the draft to the named approver, through the unit
// head's ký nháy first when initialer is given.
func (s *Store) SubmitDraft(ctx context.Context, actor, draftID, approver, initialer string) error {
	return s.single(ctx, "submit draft "+draftID, actor, EvDraftSubmitted, DraftSubmitted{DraftID: draftID, ApproverID: approver, InitialerID: initialer})
}

// InitialDraft is the unit head's ký nháy.
func (s *Store) InitialDraft(ctx context.Context, actor, draftID, comment string) error {
	return s.draftStep(ctx, actor, EvDraftInitialed, draftID, comment)
}

// ReturnDraft sends the draft back to its author; the comment is required.
func (s *Store) ReturnDraft(ctx context.Context, actor, draftID, comment string) error {
	return s.draftStep(ctx, actor, EvDraftReturned, draftID, comment)
}

// ApproveDraft is the named approver's approval of the content.
func (s *Store) ApproveDraft(ctx context.Context, actor, draftID, comment string) error {
	return s.draftStep(ctx, actor, EvDraftApproved, draftID, comment)
}

// CancelDraft abandons a draft (author, while editing or returned).
func (s *Store) CancelDraft(ctx context.Context, actor, draftID string) error {
	return s.draftStep(ctx, actor, EvDraftCancelled, draftID, "")
}

func (s *Store) draftStep(ctx context.Context, actor, typ, draftID, comment string) error {
	return s.single(ctx, typ+" "+draftID, actor, typ, DraftStep{DraftID: draftID, Comment: vntext.NFC(strings.TrimSpace(comment))})
}

// SignDraft: the approver signs, with the signing authority (TM., KT., …)
// and title shown on the document.
func (s *Store) SignDraft(ctx context.Context, actor, draftID, authority, title string) error {
	return s.single(ctx, "sign draft "+draftID, actor, EvDraftSigned, DraftSignature{DraftID: draftID, Authority: authority, Title: vntext.NFC(strings.TrimSpace(title))})
}

// Issue is what the clerk adds when numbering and issuing a signed draft.
type Issue struct {
	DraftID    string
	RegisterID string
	Recipients string // nơi nhận
	CopyHolder string // đơn vị, người nhận bản lưu
	Copies     int    // số lượng bản
	Pages      int
	Note       string
	Source     Source // SourceElectronic (the default) or SourcePaper
}

// Issued is the number and ký hiệu given.
type Issued struct {
	DocID    string
	Number   int
	Notation string
}

// PreviewNotation is the số và ký hiệu the draft would get if issued now
// in the register (the number may still be taken by someone else).
func (s *Store) PreviewNotation(ctx context.Context, draftID, registerID string) (Issued, error) {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Issued{}, err
	}
	defer tx.Rollback()
	return composeIssue(&wtx{tx: tx}, draftID, registerID)
}

func composeIssue(tx *wtx, draftID, registerID string) (Issued, error) {
	d, err := loadDraft(tx, draftID)
	if err != nil {
		return Issued{}, err
	}
	reg, err := loadRegister(tx, registerID)
	if err != nil {
		return Issued{}, err
	}
	key := ""
	if reg.PerType {
		key = d.Type
	}
	next, err := nextNumber(tx, registerID, key)
	if err != nil {
		return Issued{}, err
	}
	var agencyAbbr, unitAbbr string
	if err := tx.QueryRow(`SELECT abbr FROM agency`).Scan(&agencyAbbr); err != nil {
		return Issued{}, fmt.Errorf("%w", ErrNoAgency)
	}
	tx.QueryRow(`SELECT abbr FROM units WHERE id = ?`, d.Unit).Scan(&unitAbbr)
	t, _ := LookupDocType(d.Type)
	return Issued{Number: next, Notation: ComposeNotation(next, t, agencyAbbr, unitAbbr)}, nil
}

// IssueDraft: the clerk numbers a signed draft in an outgoing register,
// composes its ký hiệu and registers it with every column of the Decree 30
// outgoing register, dated today.
func (s *Store) IssueDraft(ctx context.Context, actor string, is Issue) (Issued, error) {
	now := s.now()
	date := LocalDate(now)
	var out Issued
	_, err := s.write(ctx, "issue draft "+is.DraftID, func(tx *wtx) ([]Event, error) {
		pre, err := composeIssue(tx, is.DraftID, is.RegisterID)
		if err != nil {
			return nil, err
		}
		out = pre
		out.DocID = s.newID()
		e, err := newEvent(s.newID(), EvDraftIssued, actor, now, DraftIssue{
			DraftID: is.DraftID, DocID: out.DocID, RegisterID: is.RegisterID, Number: pre.Number, Notation: pre.Notation,
			Date: date, Recipients: vntext.NFC(strings.TrimSpace(is.Recipients)), CopyHolder: vntext.NFC(strings.TrimSpace(is.CopyHolder)),
			Copies: is.Copies, Forwarded: date, Note: vntext.NFC(strings.TrimSpace(is.Note)), PageCount: is.Pages,
			Source: is.Source,
		})
		return []Event{e}, err
	})
	if err != nil {
		return Issued{}, err
	}
	return out, nil
}
