package imapsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/mimemsg"
)

// fetchMissingBodies downloads, newest first, the bodies the cache lacks
// (those under the account's automatic size cap; larger ones wait for the
// user to open them). Each batch is written to the blob store, made
// durable with one sync, then committed: an interrupted run keeps every
// committed batch and the next run asks the store what is still missing.
// The network and the disk work side by side: a writer goroutine syncs and
// commits batch n while batch n+1 is read.
func (s *session) fetchMissingBodies(ctx context.Context, f docstore.MailFolder) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		if err := s.serveWaiting(ctx); err != nil {
			return total, err
		}
		// A round: what is missing now, fetched in batches; the next
		// round starts when its last batch is committed, so the store's
		// answer never includes a batch still in flight.
		need, err := s.e.store.MailNeedingBodies(ctx, f.ID, 10*s.e.opt.BodyBatchCount)
		if err != nil {
			return total, err
		}
		if len(need) == 0 {
			return total, nil
		}
		w := newBodyWriter(ctx, s.e, f)
		var ferr error
		for len(need) > 0 && ferr == nil {
			var size int64
			n := len(need)
			for i, h := range need {
				size += h.Size
				if i > 0 && (i >= s.e.opt.BodyBatchCount || size > s.e.opt.BodyBatchBytes) {
					n = i
					break
				}
			}
			ferr = s.fetchBodies(ctx, f, need[:n], w)
			need = need[n:]
		}
		n, werr := w.close()
		total += n
		if ferr != nil {
			return total, &FolderError{f.Name, "bodies", ferr}
		}
		if werr != nil {
			return total, &FolderError{f.Name, "bodies", werr}
		}
		if n == 0 {
			// The server returned none of them (expunged meanwhile): stop
			// rather than ask again forever; the next sync's expunge pass
			// removes them.
			return total, nil
		}
	}
}

// bodyWriter commits fetched batches in its own goroutine: sync the
// batch's blobs, then PutMailBodies.
type bodyWriter struct {
	jobs chan bodyJob
	done chan struct{}
	n    int
	err  error
}

type bodyJob struct {
	blobs  *docstore.BlobBatch
	bodies []docstore.MailBody
}

func newBodyWriter(ctx context.Context, e *Engine, f docstore.MailFolder) *bodyWriter {
	w := &bodyWriter{jobs: make(chan bodyJob, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for j := range w.jobs {
			if w.err != nil {
				continue // drain; a failed batch stops the folder's body pass
			}
			if err := j.blobs.Sync(); err != nil {
				w.err = err
				continue
			}
			if err := e.store.PutMailBodies(ctx, f.ID, j.bodies); err != nil {
				w.err = err
				continue
			}
			w.n += len(j.bodies)
			e.progress(Progress{Folder: f.Name, Phase: PhaseBodies, Done: len(j.bodies)})
		}
	}()
	return w
}

func (w *bodyWriter) put(j bodyJob) { w.jobs <- j }

// close waits for every batch handed over and says how many bodies were
// committed.
func (w *bodyWriter) close() (int, error) {
	close(w.jobs)
	<-w.done
	return w.n, w.err
}

// fetchBodies downloads the given messages of folder f whole (BODY.PEEK[],
// so \Seen is not set) and hands them to w, also what arrived whole before
// the connection broke.
func (s *session) fetchBodies(ctx context.Context, f docstore.MailFolder, hs []docstore.MailHeader, w *bodyWriter) error {
	if _, err := s.selectFolder(f.Name, false); err != nil {
		return err
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
		}
		if ctx.Err() != nil {
			ferr = ctx.Err()
			break
		}
	}
	if err := account.CloseFetch(s.c, cmd, errors.Is(ferr, account.ErrLiteralBroken)); ferr == nil {
		ferr = err
	}
	if len(bodies) > 0 {
		w.put(bodyJob{blobs: batch, bodies: bodies})
	}
	return s.e.connErr(ferr)
}

// readBody reads one FETCH reply. A small message (up to
// docstore.MailRawInline, nearly all of them) is read into memory, hashed
// and parsed there, and goes to the database with its row: no file per
// message. A larger one streams to the blob store and, through a pipe, to
// the MIME parser at the same time, so it is read from the network once
// and never held whole in memory.
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
			var msg *mimemsg.Message
			lit := account.NewLiteral(it.Literal)
			if n := lit.Size(); n >= 0 && n <= docstore.MailRawInline {
				raw := make([]byte, n)
				if _, err := io.ReadFull(lit, raw); err != nil {
					return b, fmt.Errorf("read message body: %w", err)
				}
				sum := sha256.Sum256(raw)
				b.Blob = docstore.BlobRef{SHA256: hex.EncodeToString(sum[:]), Size: n}
				b.Raw = raw
				msg, _ = mimemsg.Parse(bytes.NewReader(raw))
			} else {
				pr, pw := io.Pipe()
				parsed := make(chan *mimemsg.Message, 1)
				go func() {
					msg, _ := mimemsg.Parse(pr)
					io.Copy(io.Discard, pr) // Parse reads to EOF; this is belt and braces
					parsed <- msg
				}()
				ref, err := batch.Put(io.TeeReader(lit, pw))
				pw.CloseWithError(err)
				msg = <-parsed
				if lit.Broken() {
					err = fmt.Errorf("%w (%v)", account.ErrLiteralBroken, err)
				}
				if err != nil {
					return b, fmt.Errorf("read message body: %w", err)
				}
				b.Blob = ref
			}
			b.State = docstore.BodyPresent
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
	w := newBodyWriter(ctx, s.e, f)
	err = s.fetchBodies(ctx, f, []docstore.MailHeader{row.MailHeader}, w)
	n, werr := w.close()
	if err == nil {
		err = werr
	}
	if err == nil && n == 0 {
		return &FolderError{f.Name, "bodies", fmt.Errorf("message %d: %w", row.UID, docstore.ErrNotFound)}
	}
	return err
}
