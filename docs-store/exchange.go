package docstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Liên thông: packages received from other agencies wait here ("Chờ tiếp
// nhận") until a clerk registers or refuses them; status reports both ways
// are kept per document. These tables are a cache of the exchange mailbox
// (mail/exchange fills them from it), not events: what a clerk does with a
// package — the registration — is an event like any other.

// Exchange package states.
const (
	ExchangeWaiting    = "waiting"
	ExchangeRegistered = "registered"
	ExchangeRefused    = "refused"
)

// ExchangeIncoming is a package received: enough to list it, the parsed
// package (Meta, JSON of mail/edxml.Package) and the file.
type ExchangeIncoming struct {
	ID           string
	DocumentID   string // edXML DocumentId
	BusinessType int    // 0 new, 1 revocation, 2 update, 3 replacement
	FromOrgan    string
	FromName     string
	ReplyTo      string // the sender's exchange address: statuses go there
	Notation     string
	Subject      string
	Meta         string
	PackageSHA   string
	AccountID    string
	ReceivedAt   time.Time
	State        string
	DocID        string
	Reason       string
}

// ExchangeStatus is one status report about a document.
type ExchangeStatus struct {
	DocumentID  string
	OrganID     string // who reports
	Code        string // 01 … 16
	Direction   string // in | out
	Description string
	At          time.Time
}

// ExchangeSeen says whether the mail message with this Message-ID was
// already looked at for a package.
func (s *Store) ExchangeSeen(ctx context.Context, messageID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM exchange_seen WHERE message_id = ?`, messageID).Scan(&n)
	return n > 0, err
}

// AddExchangeIncoming records a package found in message messageID (and
// the message as seen), in one transaction. A package already there (the
// same DocumentId and business type) is not added again: duplicate is true
// and in is the one kept.
func (s *Store) AddExchangeIncoming(ctx context.Context, in *ExchangeIncoming, messageID string) (duplicate bool, err error) {
	if in.ID == "" {
		in.ID = s.newID()
	}
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = s.now()
	}
	in.State = ExchangeWaiting
	err = s.mailWrite(ctx, "add exchange package "+in.DocumentID, true, func(tx *wtx) error {
		if messageID != "" {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO exchange_seen(message_id) VALUES (?)`, messageID); err != nil {
				return err
			}
		}
		res, err := tx.Exec(`INSERT OR IGNORE INTO exchange_incoming(id, document_id, business_type, from_organ, from_name, reply_to, notation,
			subject, meta, package_sha, account_id, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			in.ID, in.DocumentID, in.BusinessType, in.FromOrgan, in.FromName, in.ReplyTo, in.Notation, in.Subject, in.Meta, in.PackageSHA,
			in.AccountID, in.ReceivedAt.UnixNano())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		// Known already. Refused before, it is the sender's corrected
		// version: back in the queue in place of the old one.
		res, err = tx.Exec(`UPDATE exchange_incoming SET id = ?, from_organ = ?, from_name = ?, reply_to = ?, notation = ?, subject = ?, meta = ?,
			package_sha = ?, account_id = ?, received_at = ?, state = 'waiting', doc_id = '', reason = ''
			WHERE document_id = ? AND business_type = ? AND state = 'refused'`,
			in.ID, in.FromOrgan, in.FromName, in.ReplyTo, in.Notation, in.Subject, in.Meta, in.PackageSHA, in.AccountID, in.ReceivedAt.UnixNano(),
			in.DocumentID, in.BusinessType)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		duplicate = true
		return scanExchangeIncoming(tx.QueryRow(`SELECT `+exchangeIncomingCols+` FROM exchange_incoming WHERE document_id = ? AND business_type = ?`,
			in.DocumentID, in.BusinessType), in)
	})
	return duplicate, err
}

// MarkExchangeSeen records a message looked at that held no package for
// the queue (a status report, or none at all).
func (s *Store) MarkExchangeSeen(ctx context.Context, messageID string) error {
	return s.mailWrite(ctx, "exchange message seen", false, func(tx *wtx) error {
		_, err := tx.Exec(`INSERT OR IGNORE INTO exchange_seen(message_id) VALUES (?)`, messageID)
		return err
	})
}

const exchangeIncomingCols = `id, document_id, business_type, from_organ, from_name, reply_to, notation, subject, meta, package_sha,
	account_id, received_at, state, doc_id, reason`

func scanExchangeIncoming(sc rowScanner, in *ExchangeIncoming) error {
	var at int64
	err := sc.Scan(&in.ID, &in.DocumentID, &in.BusinessType, &in.FromOrgan, &in.FromName, &in.ReplyTo, &in.Notation, &in.Subject, &in.Meta,
		&in.PackageSHA, &in.AccountID, &at, &in.State, &in.DocID, &in.Reason)
	in.ReceivedAt = fromNanos(at)
	return err
}

// RequireClerk: the exchange is the văn thư's (Decree 30 Điều 20: the văn
// thư receives and registers incoming documents, and sends the outgoing
// ones); ErrForbidden for anyone else.
func (s *Store) RequireClerk(ctx context.Context, viewer, action string) error {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return err
	}
	if !v.roles[RoleClerk] {
		return forbidden(viewer, action)
	}
	return nil
}

// ExchangeWaitingList lists the packages waiting for a clerk, oldest
// first (văn thư only).
func (s *Store) ExchangeWaitingList(ctx context.Context, viewer string) ([]ExchangeIncoming, error) {
	if err := s.RequireClerk(ctx, viewer, "read the exchange queue"); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+exchangeIncomingCols+` FROM exchange_incoming WHERE state = ? ORDER BY received_at`, ExchangeWaiting)
	out, err := scanAll(rows, err, scanExchangeIncoming)
	if err != nil {
		return nil, fmt.Errorf("exchange queue: %w", err)
	}
	return out, nil
}

// ExchangeWaitingCount is how many packages wait for a clerk (văn thư
// only): the Văn bản đến page's button, without reading them.
func (s *Store) ExchangeWaitingCount(ctx context.Context, viewer string) (int, error) {
	if err := s.RequireClerk(ctx, viewer, "read the exchange queue"); err != nil {
		return 0, err
	}
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM exchange_incoming WHERE state = ?`, ExchangeWaiting).Scan(&n)
	return n, err
}

// ExchangeIncomingByID is one received package (văn thư only).
func (s *Store) ExchangeIncomingByID(ctx context.Context, viewer, id string) (ExchangeIncoming, error) {
	var in ExchangeIncoming
	if err := s.RequireClerk(ctx, viewer, "read the exchange queue"); err != nil {
		return in, err
	}
	err := scanExchangeIncoming(s.r.QueryRowContext(ctx, `SELECT `+exchangeIncomingCols+` FROM exchange_incoming WHERE id = ?`, id), &in)
	if errors.Is(err, sql.ErrNoRows) {
		return in, notFound("exchange package", id)
	}
	return in, err
}

// ErrExchangeDone: the package was registered or refused already (by this
// clerk, or by a colleague).
var ErrExchangeDone = errors.New("the package was already handled")

// SetExchangeIncomingDone records what the clerk did with a waiting
// package: registered (as docID) or refused (with reason). Only one clerk
// wins: a package no longer waiting is ErrExchangeDone.
func (s *Store) SetExchangeIncomingDone(ctx context.Context, actor, id, state, docID, reason string) error {
	if err := s.RequireClerk(ctx, actor, "handle an exchange package"); err != nil {
		return err
	}
	if state != ExchangeRegistered && state != ExchangeRefused {
		return invalid("state", "format")
	}
	if state == ExchangeRefused && blank(reason) {
		return invalid("reason", "required")
	}
	return s.mailWrite(ctx, "exchange package "+state, true, func(tx *wtx) error {
		res, err := tx.Exec(`UPDATE exchange_incoming SET state = ?, doc_id = ?, reason = ? WHERE id = ? AND state = ?`,
			state, docID, reason, id, ExchangeWaiting)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("exchange package %s: %w", id, ErrExchangeDone)
		}
		return nil
	})
}

// RefuseWaitingDocument takes every package of documentID still waiting
// out of the queue, with the reason (the sender took the document back).
func (s *Store) RefuseWaitingDocument(ctx context.Context, actor, documentID, reason string) error {
	if err := s.RequireClerk(ctx, actor, "handle an exchange package"); err != nil {
		return err
	}
	return s.mailWrite(ctx, "exchange document taken back", true, func(tx *wtx) error {
		_, err := tx.Exec(`UPDATE exchange_incoming SET state = 'refused', reason = ? WHERE document_id = ? AND state = 'waiting'`, reason, documentID)
		return err
	})
}

// SetExchangeIncomingDoc records the document a package claimed for
// registration became; with docID "" (the registration failed) the package
// waits again.
func (s *Store) SetExchangeIncomingDoc(ctx context.Context, id, docID string) error {
	return s.mailWrite(ctx, "exchange package document", true, func(tx *wtx) error {
		if docID == "" {
			_, err := tx.Exec(`UPDATE exchange_incoming SET state = 'waiting', doc_id = '' WHERE id = ? AND state = 'registered' AND doc_id = ''`, id)
			return err
		}
		_, err := tx.Exec(`UPDATE exchange_incoming SET doc_id = ? WHERE id = ?`, docID, id)
		return err
	})
}

// ExchangeIncomingForDoc is the package a registered document came from
// (ErrNotFound when it came otherwise).
func (s *Store) ExchangeIncomingForDoc(ctx context.Context, docID string) (ExchangeIncoming, error) {
	var in ExchangeIncoming
	err := scanExchangeIncoming(s.r.QueryRowContext(ctx, `SELECT `+exchangeIncomingCols+` FROM exchange_incoming WHERE doc_id = ? AND state = ?`,
		docID, ExchangeRegistered), &in)
	if errors.Is(err, sql.ErrNoRows) {
		return in, notFound("exchange package of document", docID)
	}
	return in, err
}

// AddExchangeStatus records a status report (sent or received); the same
// report twice is kept once.
func (s *Store) AddExchangeStatus(ctx context.Context, st ExchangeStatus, messageID string) error {
	if st.Direction != "in" && st.Direction != "out" {
		return invalid("direction", "format")
	}
	return s.mailWrite(ctx, "exchange status "+st.Code, false, func(tx *wtx) error {
		if messageID != "" {
			if _, err := tx.Exec(`INSERT OR IGNORE INTO exchange_seen(message_id) VALUES (?)`, messageID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT OR IGNORE INTO exchange_status(document_id, organ_id, code, direction, description, at, received)
			VALUES (?,?,?,?,?,?,?)`, st.DocumentID, st.OrganID, st.Code, st.Direction, st.Description, st.At.UnixNano(), s.now().UnixNano())
		return err
	})
}

// ExchangeStatuses lists the reports about a document in the order this
// workstation recorded them (senders' clocks differ from ours).
func (s *Store) ExchangeStatuses(ctx context.Context, documentID string) ([]ExchangeStatus, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT document_id, organ_id, code, direction, description, at FROM exchange_status
		WHERE document_id = ? ORDER BY received, at, code`, documentID)
	return scanAll(rows, err, func(sc rowScanner, st *ExchangeStatus) error {
		var at int64
		err := sc.Scan(&st.DocumentID, &st.OrganID, &st.Code, &st.Direction, &st.Description, &at)
		st.At = fromNanos(at)
		return err
	})
}

// AddExchangeOutgoing records that an outgoing document went by edXML to
// an agency, in the outbox message outboxID.
func (s *Store) AddExchangeOutgoing(ctx context.Context, docID, organID, documentID, outboxID string) error {
	return s.mailWrite(ctx, "exchange outgoing "+documentID, true, func(tx *wtx) error {
		_, err := tx.Exec(`INSERT INTO exchange_outgoing(doc_id, organ_id, document_id, outbox_id, sent_at) VALUES (?,?,?,?,?)
			ON CONFLICT(doc_id, organ_id) DO UPDATE SET document_id = excluded.document_id, outbox_id = excluded.outbox_id, sent_at = excluded.sent_at`,
			docID, organID, documentID, outboxID, s.now().UnixNano())
		return err
	})
}

// ExchangeRecipient is where an outgoing document stands at one agency:
// the latest status it reported ("" none yet).
type ExchangeRecipient struct {
	OrganID    string
	DocumentID string
	SentAt     time.Time
	LastCode   string
	LastAt     time.Time
}

// ExchangeRecipients lists the agencies an outgoing document was sent to
// by edXML, each with its latest status: by the recipient's own timestamps
// (one clock), not by when the mail came (reports may arrive out of order).
func (s *Store) ExchangeRecipients(ctx context.Context, docID string) ([]ExchangeRecipient, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT o.organ_id, o.document_id, o.sent_at,
			coalesce((SELECT code FROM exchange_status s WHERE s.document_id = o.document_id AND s.organ_id = o.organ_id AND s.direction = 'in'
				ORDER BY s.at DESC, s.code DESC LIMIT 1), ''),
			coalesce((SELECT max(at) FROM exchange_status s WHERE s.document_id = o.document_id AND s.organ_id = o.organ_id AND s.direction = 'in'), 0)
		FROM exchange_outgoing o WHERE o.doc_id = ? ORDER BY o.organ_id`, docID)
	return scanAll(rows, err, func(sc rowScanner, r *ExchangeRecipient) error {
		var sent, last int64
		err := sc.Scan(&r.OrganID, &r.DocumentID, &sent, &r.LastCode, &last)
		r.SentAt, r.LastAt = fromNanos(sent), fromNanos(last)
		return err
	})
}

// ExchangeKey is how a mail message is known to exchange_seen: its
// Message-ID, or its content's hash when it has none.
func ExchangeKey(m MailRow) string {
	if m.MessageID != "" {
		return m.MessageID
	}
	return "sha:" + m.Blob.SHA256
}

// ExchangeUnseen lists the messages of a folder, with their bodies and
// attachments, that were not looked at for packages yet.
func (s *Store) ExchangeUnseen(ctx context.Context, folderID int64, limit int) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT rowid FROM mail_messages WHERE folder_id = ? AND state = ? AND attachments != ''
		AND (CASE WHEN message_id != '' THEN message_id ELSE 'sha:' || blob_sha END) NOT IN (SELECT message_id FROM exchange_seen)
		ORDER BY rowid LIMIT ?`, folderID, BodyPresent, limit)
	return scanAll(rows, err, func(sc rowScanner, id *int64) error { return sc.Scan(id) })
}
