package imapsync

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
	"congvu/mail/mimemsg"
)

// fetchMissingBodies downloads, newest first, the bodies the cache lacks
// (those under the account's automatic size cap; larger ones wait for the
// user to open them). Each batch is written to the blob store, made
// durable with one sync, then committed: an interrupted run keeps every
// committed batch and the next run asks the store what is still missing.
func (s *session) fetchMissingBodies(ctx context.Context, f docstore.MailFolder) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		if err := s.serveWaiting(ctx); err != nil {
			return total, err
		}
		need, err := s.e.store.MailNeedingBodies(ctx, f.ID, s.e.opt.BodyBatchCount)
		if err != nil {
			return total, err
		}
		if len(need) == 0 {
			return total, nil
		}
		// Cut the batch by bytes too: a batch is what a crash may cost.
		var size int64
		for i, h := range need {
			size += h.Size
			if size > s.e.opt.BodyBatchBytes && i > 0 {
				need = need[:i]
				break
			}
		}
		n, err := s.fetchBodies(ctx, f, need)
		total += n
		if err != nil {
			return total, &FolderError{f.Name, "bodies", err}
		}
		if n == 0 {
			// The server returned none of them (expunged meanwhile): the
			// store marks nothing, so stop rather than ask again forever;
			// the next sync's expunge pass removes them.
			return total, nil
		}
	}
}

// fetchBodies downloads the given messages of the selected folder f whole
// (BODY.PEEK[], so \Seen is not set) and stores them.
func (s *session) fetchBodies(ctx context.Context, f docstore.MailFolder, hs []docstore.MailHeader) (int, error) {
	if _, err := s.selectFolder(f.Name, false); err != nil {
		return 0, err
	}
	var set imap.UIDSet
	for _, h := range hs {
		set.AddNum(imap.UID(h.UID))
	}
	batch := s.e.store.Blobs().Batch()
	var bodies []docstore.MailBody
	cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	var ferr error
	for {
		m := cmd.Next()
		if m == nil {
			break
		}
		b, err := s.readBody(m, batch)
		if err != nil {
			ferr = err
			break
		}
		if b.UID != 0 && (b.State != 0 || b.Blob.SHA256 != "") {
			bodies = append(bodies, b)
			s.e.progress(Progress{Folder: f.Name, Phase: PhaseBodies, Done: 1})
		}
		if ctx.Err() != nil {
			ferr = ctx.Err()
			break
		}
	}
	if err := cmd.Close(); ferr == nil {
		ferr = err
	}
	// Store what arrived whole even when the connection broke afterwards.
	if len(bodies) > 0 {
		if err := batch.Sync(); err != nil {
			return 0, err
		}
		if err := s.e.store.PutMailBodies(ctx, f.ID, bodies); err != nil {
			return 0, err
		}
	}
	if ferr != nil {
		return len(bodies), s.e.connErr(ferr)
	}
	return len(bodies), nil
}

// readBody reads one FETCH reply: the literal goes to the blob store and,
// through a pipe, to the MIME parser at the same time, so a message is read
// from the network once and never held whole in memory.
func (s *session) readBody(m *imapclient.FetchMessageData, batch *docstore.BlobBatch) (docstore.MailBody, error) {
	var b docstore.MailBody
	for {
		item := m.Next()
		if item == nil {
			break
		}
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			b.UID = uint32(it.UID)
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				b.State, b.Error = docstore.BodyFailed, "server sent no body"
				continue
			}
			pr, pw := io.Pipe()
			parsed := make(chan *mimemsg.Message, 1)
			go func() {
				msg, _ := mimemsg.Parse(pr)
				io.Copy(io.Discard, pr) // Parse reads to EOF; this is belt and braces
				parsed <- msg
			}()
			ref, err := batch.Put(io.TeeReader(it.Literal, pw))
			pw.CloseWithError(err)
			msg := <-parsed
			if err != nil {
				return b, fmt.Errorf("read message body: %w", err)
			}
			b.State, b.Blob = docstore.BodyPresent, ref
			if msg != nil {
				b.Text, b.Parts = msg.Text, msg.Parts
				if len(msg.Problems) > 0 {
					b.Error = strings.Join(msg.Problems, "; ")
				}
			}
		}
	}
	return b, nil
}

// fetchOne downloads one message on demand (a large one the user opened).
func (s *session) fetchOne(ctx context.Context, row docstore.MailMessage) error {
	f, err := s.e.store.MailFolder(ctx, row.FolderID)
	if err != nil {
		return err
	}
	sel, err := s.selectFolder(f.Name, false)
	if err != nil {
		return err
	}
	if sel.UIDValidity != f.UIDValidity {
		return &FolderError{f.Name, "bodies", ErrFolderGone}
	}
	n, err := s.fetchBodies(ctx, f, []docstore.MailHeader{row.MailHeader})
	if err == nil && n == 0 {
		return &FolderError{f.Name, "bodies", fmt.Errorf("message %d: %w", row.UID, docstore.ErrNotFound)}
	}
	return err
}
