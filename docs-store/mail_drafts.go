package docstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"congvu/docs-store/vntext"
)

// MailDraft is a message being written: its raw form (composed, in the
// blob store) and where the server's copy in the Drafts folder is.
type MailDraft struct {
	ID                string
	AccountID         string
	MessageID         string // stays the same across saves
	Subject           string
	Recipients        string // for the list: "Tên <addr>, …"
	Blob              BlobRef
	Updated           time.Time
	Uploaded          bool   // the server's Drafts has this version
	ServerUID         uint32 // the server's copy (0: none yet)
	ServerUIDValidity uint32
	Discarded         bool
}

func scanDraftRow(sc rowScanner, d *MailDraft) error {
	var updated int64
	err := sc.Scan(&d.ID, &d.AccountID, &d.MessageID, &d.Subject, &d.Recipients, &d.Blob.SHA256, &d.Blob.Size,
		&updated, &d.Uploaded, &d.ServerUIDValidity, &d.ServerUID, &d.Discarded)
	d.Updated = time.Unix(0, updated)
	return err
}

const draftCols = `id, account_id, message_id, subject, recipients, blob_sha, blob_size, updated, uploaded, server_validity, server_uid, discarded`

// SaveMailDraft stores a new draft (d.ID == "": an id is given) or a new
// version of one; the new version is to be uploaded. Durable.
func (s *Store) SaveMailDraft(ctx context.Context, d *MailDraft) error {
	if !validSHA(d.Blob.SHA256) {
		return fmt.Errorf("save draft: %w", invalid("blob", "format"))
	}
	if d.AccountID == "" || strings.TrimSpace(d.MessageID) == "" {
		return fmt.Errorf("save draft: %w", invalid("account", "required"))
	}
	if d.ID == "" {
		d.ID = s.newID()
	}
	d.Subject, d.Recipients = vntext.NFC(d.Subject), vntext.NFC(d.Recipients)
	d.Updated = s.now()
	d.Uploaded = false
	return s.mailWrite(ctx, "save draft", true, func(tx *wtx) error {
		_, err := tx.Exec(`INSERT INTO mail_drafts(id, account_id, message_id, subject, recipients, blob_sha, blob_size, updated)
			VALUES (?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET subject = excluded.subject, recipients = excluded.recipients,
				blob_sha = excluded.blob_sha, blob_size = excluded.blob_size, updated = excluded.updated, uploaded = 0`,
			d.ID, d.AccountID, normMessageID(d.MessageID), d.Subject, d.Recipients, d.Blob.SHA256, d.Blob.Size, d.Updated.UnixNano())
		return err
	})
}

// MailDrafts lists an account's drafts ("" all), newest first; discarded
// ones only when withDiscarded (the engine's work list).
func (s *Store) MailDrafts(ctx context.Context, accountID string, withDiscarded bool) ([]MailDraft, error) {
	q := `SELECT ` + draftCols + ` FROM mail_drafts WHERE (? = '' OR account_id = ?)`
	if !withDiscarded {
		q += ` AND discarded = 0`
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY updated DESC`, accountID, accountID)
	out, err := scanAll(rows, err, scanDraftRow)
	if err != nil {
		return nil, fmt.Errorf("list drafts: %w", err)
	}
	return out, nil
}

// MailDraftByMessageID finds the local draft of a message (a draft opened
// again from the Drafts folder keeps replacing the same server copy).
func (s *Store) MailDraftByMessageID(ctx context.Context, accountID, messageID string) (MailDraft, error) {
	var d MailDraft
	err := scanDraftRow(s.r.QueryRowContext(ctx, `SELECT `+draftCols+` FROM mail_drafts WHERE account_id = ? AND message_id = ? AND discarded = 0`,
		accountID, normMessageID(messageID)), &d)
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("draft", messageID)
	}
	return d, err
}

// DiscardMailDraft marks a draft sent or thrown away; the engine deletes
// its server copy, then the row (a draft never uploaded goes at once).
func (s *Store) DiscardMailDraft(ctx context.Context, id string) error {
	return s.mailWrite(ctx, "discard draft", true, func(tx *wtx) error {
		if _, err := tx.Exec(`DELETE FROM mail_drafts WHERE id = ? AND server_uid = 0`, id); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE mail_drafts SET discarded = 1 WHERE id = ?`, id)
		return err
	})
}

// MailDraftUploaded records that the server has the version saved at
// updated under (validity, uid); a newer save meanwhile stays to upload.
func (s *Store) MailDraftUploaded(ctx context.Context, id string, updated time.Time, validity, uid uint32) error {
	return s.mailWrite(ctx, "draft uploaded", true, func(tx *wtx) error {
		_, err := tx.Exec(`UPDATE mail_drafts SET server_validity = ?, server_uid = ?,
			uploaded = CASE WHEN updated = ? THEN 1 ELSE 0 END WHERE id = ?`, validity, uid, updated.UnixNano(), id)
		return err
	})
}

// MailDraftServerGone records that the server copy was deleted; a
// discarded draft is then removed.
func (s *Store) MailDraftServerGone(ctx context.Context, id string) error {
	return s.mailWrite(ctx, "draft server copy gone", false, func(tx *wtx) error {
		if _, err := tx.Exec(`DELETE FROM mail_drafts WHERE id = ? AND discarded = 1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(`UPDATE mail_drafts SET server_uid = 0, server_validity = 0 WHERE id = ?`, id)
		return err
	})
}
