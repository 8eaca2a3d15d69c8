package docstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"congvu/docs-store/vntext"
)

// The outbox is the one part of the mail tables that is not a cache: a
// composed message is ours until the SMTP server has taken it. Every write
// is durable (mailWrite with synchronous=FULL), and the state machine
//
//	queued → sending → sent → appended
//	   ↑        ↓ (temporary failure: back to queued, later)
//	   └─ failed ← (permanent refusal; the user presses Gửi lại)
//
// with a Message-ID that never changes means a message is submitted once,
// or — after a crash between the server's answer and OutboxSent — at worst
// once more with the same Message-ID.

// outboxKeep is how long appended (finished) items stay in the list.
const outboxKeep = 7 * 24 * time.Hour

const outboxCols = `id, account_id, message_id, env_from, recipients, subject, blob_sha, blob_size, state, attempts,
	last_error, next_try, created, sent_at, document_id, parts`

func scanOutbox(sc rowScanner, it *OutboxItem) error {
	var recips, parts string
	var next, created, sent int64
	if err := sc.Scan(&it.ID, &it.AccountID, &it.MessageID, &it.From, &recips, &it.Subject, &it.Blob.SHA256, &it.Blob.Size,
		&it.State, &it.Attempts, &it.LastError, &next, &created, &sent, &it.DocumentID, &parts); err != nil {
		return err
	}
	it.Recipients = fromJSON[string](recips)
	it.Parts = fromJSON[MailPart](parts)
	it.NextTry, it.Created, it.SentAt = fromNanos(next), fromNanos(created), fromNanos(sent)
	return nil
}

// EnqueueOutbox queues a composed message whose raw form is already in the
// blob store. It assigns ID (when empty), State queued and Created.
func (s *Store) EnqueueOutbox(ctx context.Context, it *OutboxItem) error {
	it.MessageID = normMessageID(it.MessageID)
	it.From = strings.TrimSpace(it.From)
	it.Subject = strings.TrimSpace(vntext.NFC(it.Subject))
	it.DocumentID = strings.TrimSpace(it.DocumentID)
	var recips []string
	for _, r := range it.Recipients {
		if r = strings.TrimSpace(r); r != "" {
			recips = append(recips, r)
		}
	}
	it.Recipients = recips
	for i := range it.Parts {
		it.Parts[i].Name = vntext.NFC(it.Parts[i].Name)
	}
	var errs []error
	add := func(field, reason string) { errs = append(errs, invalid(field, reason)) }
	if it.AccountID == "" {
		add("account_id", "required")
	}
	if it.MessageID == "" {
		add("message_id", "required")
	}
	switch {
	case it.From == "":
		add("from", "required")
	case !validMailAddress(it.From):
		add("from", "format")
	}
	if len(it.Recipients) == 0 {
		add("recipients", "required")
	}
	for _, r := range it.Recipients {
		if !validMailAddress(r) {
			add("recipients", "format")
			break
		}
	}
	if p, err := s.blobs.Path(it.Blob.SHA256); err != nil {
		add("blob", "format")
	} else if _, err := os.Stat(p); err != nil {
		add("blob", "required") // it must be on disk before it is queued
	}
	if len(errs) > 0 {
		return fmt.Errorf("enqueue outbox: %w", errors.Join(errs...))
	}
	id := it.ID
	if id == "" {
		id = s.newID()
	}
	created := s.now()
	err := s.mailWrite(ctx, "enqueue outbox", true, func(tx *wtx) error {
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM mail_accounts WHERE id = ?`, it.AccountID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return notFound("mail account", it.AccountID)
		} else if err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO mail_outbox(id, account_id, message_id, env_from, recipients, subject, blob_sha, blob_size,
			state, next_try, created, document_id, parts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
			id, it.AccountID, it.MessageID, it.From, jsonOrEmpty(it.Recipients), it.Subject, it.Blob.SHA256, it.Blob.Size,
			OutboxQueued, nanos(it.NextTry), nanos(created), it.DocumentID, jsonOrEmpty(it.Parts))
		if isConstraint(err) {
			return invalid("id", "duplicate")
		}
		return err
	})
	if err != nil {
		return err
	}
	it.ID, it.State, it.Created, it.Attempts, it.LastError, it.SentAt = id, OutboxQueued, created, 0, "", time.Time{}
	return nil
}

// OutboxItems lists the outbox of an account ("" every account): all that
// is not finished, and what was appended to Sent in the last 7 days; newest
// first.
func (s *Store) OutboxItems(ctx context.Context, accountID string) ([]OutboxItem, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+outboxCols+` FROM mail_outbox
		WHERE (? = '' OR account_id = ?) AND (state <> 'appended' OR appended_at >= ?)
		ORDER BY created DESC, rowid DESC`, accountID, accountID, nanos(s.now().Add(-outboxKeep)))
	out, err := scanAll(rows, err, scanOutbox)
	if err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	return out, nil
}

// ClaimOutbox takes the oldest queued item of the account ("" any account)
// that is due (NextTry not after now) and marks it sending; (nil, nil) when
// there is none.
func (s *Store) ClaimOutbox(ctx context.Context, accountID string) (*OutboxItem, error) {
	// Most calls find nothing due: a read says so without the durable
	// write transaction.
	var due int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM mail_outbox
		WHERE state = 'queued' AND next_try <= ? AND (? = '' OR account_id = ?) LIMIT 1)`, nanos(s.now()), accountID, accountID).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	if due == 0 {
		return nil, nil
	}
	var it *OutboxItem
	err = s.mailWrite(ctx, "claim outbox", true, func(tx *wtx) error {
		var x OutboxItem
		err := scanOutbox(tx.QueryRow(`SELECT `+outboxCols+` FROM mail_outbox
			WHERE state = 'queued' AND next_try <= ? AND (? = '' OR account_id = ?)
			ORDER BY created, rowid LIMIT 1`, nanos(s.now()), accountID, accountID), &x)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE mail_outbox SET state = 'sending' WHERE id = ?`, x.ID); err != nil {
			return err
		}
		x.State = OutboxSending
		it = &x
		return nil
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// outboxStep moves item id from one of the states from to the state to,
// with the extra assignments set (SQL, with args); anything else is
// ErrTransition (or ErrNotFound).
func (s *Store) outboxStep(ctx context.Context, op, id string, from []string, to, set string, args ...any) error {
	return s.mailWrite(ctx, op, true, func(tx *wtx) error {
		var state string
		err := tx.QueryRow(`SELECT state FROM mail_outbox WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("outbox item", id)
		}
		if err != nil {
			return err
		}
		ok := false
		for _, f := range from {
			ok = ok || f == state
		}
		if !ok {
			return &TransitionError{Entity: "outbox", From: state, Action: to}
		}
		q := `UPDATE mail_outbox SET state = ?`
		if set != "" {
			q += ", " + set
		}
		_, err = tx.Exec(q+` WHERE id = ?`, append(append([]any{to}, args...), id)...)
		return err
	})
}

// OutboxSent: the SMTP server accepted the message (sending → sent).
func (s *Store) OutboxSent(ctx context.Context, id string) error {
	return s.outboxStep(ctx, "outbox sent", id, []string{OutboxSending}, OutboxSent, `sent_at = ?, last_error = ''`, nanos(s.now()))
}

// OutboxFailed: the submission failed. A temporary failure puts it back in
// the queue until next; a permanent one (a 5xx refusal) marks it failed for
// the user to act on. Either way the attempt and the reason are recorded
// (reason is shown to the user: never put a credential in it).
func (s *Store) OutboxFailed(ctx context.Context, id, reason string, permanent bool, next time.Time) error {
	to := OutboxQueued
	if permanent {
		to, next = OutboxFailed, time.Time{}
	}
	return s.outboxStep(ctx, "outbox failed", id, []string{OutboxSending}, to,
		`attempts = attempts + 1, last_error = ?, next_try = ?`, capUTF8(strings.TrimSpace(reason), 1000), nanos(next))
}

// OutboxAppended: the message is in the server's Sent folder too (sent →
// appended): done.
func (s *Store) OutboxAppended(ctx context.Context, id string) error {
	return s.outboxStep(ctx, "outbox appended", id, []string{OutboxSent}, OutboxAppended, `appended_at = ?`, nanos(s.now()))
}

// RequeueOutbox: the user asks to send a failed message again (failed →
// queued, due at once).
func (s *Store) RequeueOutbox(ctx context.Context, id string) error {
	return s.outboxStep(ctx, "requeue outbox", id, []string{OutboxFailed}, OutboxQueued, `next_try = 0, last_error = ''`)
}

// DeleteOutbox removes a message that is not on its way (queued or failed);
// one being sent or already sent is ErrTransition.
func (s *Store) DeleteOutbox(ctx context.Context, id string) error {
	return s.mailWrite(ctx, "delete outbox", true, func(tx *wtx) error {
		var state string
		err := tx.QueryRow(`SELECT state FROM mail_outbox WHERE id = ?`, id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("outbox item", id)
		}
		if err != nil {
			return err
		}
		if state != OutboxQueued && state != OutboxFailed {
			return &TransitionError{Entity: "outbox", From: state, Action: "delete"}
		}
		_, err = tx.Exec(`DELETE FROM mail_outbox WHERE id = ?`, id)
		return err
	})
}

// RecoverOutbox, at start: items left sending by a previous run go back to
// the queue with LastError "interrupted". It returns how many.
func (s *Store) RecoverOutbox(ctx context.Context) (int, error) {
	var n int64
	err := s.mailWrite(ctx, "recover outbox", true, func(tx *wtx) error {
		res, err := tx.Exec(`UPDATE mail_outbox SET state = 'queued', last_error = 'interrupted' WHERE state = 'sending'`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
