package imapsync

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
)

// replayDrafts mirrors the drafts saved on this computer to the account's
// Drafts folder: a new version is appended (\Draft) and the copy it
// replaces deleted; a sent or discarded draft's copy is deleted, then the
// draft. Each step is recorded as it completes, so a broken connection
// leaves nothing twice: at worst the next sync deletes and appends again.
func (s *session) replayDrafts(ctx context.Context) error {
	ds, err := s.e.store.MailDrafts(ctx, s.e.account.ID, true)
	if err != nil || len(ds) == 0 {
		return err
	}
	box, err := s.e.store.MailFolderByRole(ctx, s.e.account.ID, docstore.FolderDrafts)
	if errors.Is(err, docstore.ErrNotFound) {
		return nil // no Drafts folder known (yet): the drafts stay here until the next sync
	}
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Uploaded && !d.Discarded {
			continue
		}
		if d.ServerUID != 0 {
			sel, err := s.selectFolder(box.Name, false)
			if err != nil {
				return err
			}
			if sel.UIDValidity == d.ServerUIDValidity {
				uids := imap.UIDSetNum(imap.UID(d.ServerUID))
				if err := s.c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
					return s.e.connErr(err)
				}
				if err := s.expunge(uids); err != nil {
					return err
				}
			}
			if err := s.e.store.MailDraftServerGone(ctx, d.ID); err != nil {
				return err
			}
		}
		if d.Discarded {
			continue
		}
		data, err := AppendBlob(s.c, s.e.store, box.Name, d.Blob, imap.FlagDraft, imap.FlagSeen)
		if err != nil {
			return fmt.Errorf("draft %s: %w", d.ID, s.e.connErr(err))
		}
		if err := s.e.store.MailDraftUploaded(ctx, d.ID, d.Updated, data.UIDValidity, uint32(data.UID)); err != nil {
			return err
		}
	}
	return nil
}

// AppendBlob APPENDs a message of the blob store to folder, streamed.
// (The drafts here, and the outbox's copy to Sent.)
func AppendBlob(c *imapclient.Client, st *docstore.Store, folder string, ref docstore.BlobRef, flags ...imap.Flag) (*imap.AppendData, error) {
	f, err := st.Blobs().Open(ref.SHA256)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := c.Append(folder, ref.Size, &imap.AppendOptions{Flags: flags})
	if _, err := io.Copy(cmd, f); err != nil {
		cmd.Close()
		return nil, err
	}
	if err := cmd.Close(); err != nil {
		return nil, err
	}
	return cmd.Wait()
}
