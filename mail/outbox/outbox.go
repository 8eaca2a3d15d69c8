// Package outbox sends composed messages: stored first (durably, in the
// blob store and the outbox table), then submitted over SMTP, then appended
// to the account's Sent folder. A failure leaves the message queued with
// the reason shown; it is retried with backoff and sent once.
//
// Exactly once: the outbox row moves queued → sending → sent → appended,
// each step committed durably before the next network step. The one window
// no client can close is a crash after the SMTP server answered 250 to
// DATA and before "sent" is committed (microseconds); such an item comes
// back as queued ("interrupted") and would be sent again, with the same
// Message-ID, so the recipients' clients show it once.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/imapsync"
	"congvu/mail/mimemsg"
)

// Dialer gives logged-in SMTP and IMAP connections (account.Dialer).
type Dialer interface {
	SMTP(ctx context.Context, a docstore.MailAccount, password string) (*smtp.Client, error)
	IMAP(ctx context.Context, a docstore.MailAccount, password string, opts *imapclient.Options) (*imapclient.Client, error)
}

// Passwords gives an account's password (keyring, or typed this session).
type Passwords func(ctx context.Context, accountID string) (string, error)

// Sender submits the outbox of every account.
type Sender struct {
	store    *docstore.Store
	dial     Dialer
	password Passwords
	log      *slog.Logger
	now      func() time.Time
	kick     chan struct{}

	// OnChange is called after every state change of an item (the window
	// refreshes the outbox and the counters); from the sender's goroutine.
	OnChange func()

	mu      sync.Mutex
	blocked map[string]error // account id → auth refusal: no retry until Kick
}

// New makes a sender.
func New(st *docstore.Store, d Dialer, pw Passwords, lg *slog.Logger) *Sender {
	if lg == nil {
		lg = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Sender{store: st, dial: d, password: pw, log: lg, now: time.Now, kick: make(chan struct{}, 1), blocked: map[string]error{}}
}

// Queue composes d and puts it in the outbox of account a. The message is
// written to the blob store (streamed: attachments are never whole in
// memory) and the outbox row committed durably before Queue returns, so
// from here on nothing can lose it.
func (s *Sender) Queue(ctx context.Context, a docstore.MailAccount, d mimemsg.Draft, documentID string) (docstore.OutboxItem, error) {
	if d.From.Addr == "" {
		d.From = docstore.MailAddress{Name: a.DisplayName, Addr: a.Address}
	}
	if d.Date.IsZero() {
		d.Date = s.now()
	}
	if d.MessageID == "" {
		d.MessageID = mimemsg.NewMessageIDFor(a.Address)
	}
	rcpts := mimemsg.Recipients(d)
	if len(rcpts) == 0 {
		return docstore.OutboxItem{}, &docstore.FieldError{Field: "to", Reason: "required"}
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(mimemsg.Compose(pw, d)) }()
	ref, err := s.store.Blobs().Put(pr)
	pr.Close()
	if err != nil {
		return docstore.OutboxItem{}, fmt.Errorf("queue message: %w", err)
	}
	it := docstore.OutboxItem{
		AccountID: a.ID, MessageID: d.MessageID, From: a.Address, Recipients: rcpts,
		Subject: d.Subject, Blob: ref, DocumentID: documentID,
	}
	for _, at := range d.Attachments {
		it.Parts = append(it.Parts, docstore.MailPart{Name: at.Name, MIMEType: at.MIMEType, Size: -1})
	}
	if err := s.store.EnqueueOutbox(ctx, &it); err != nil {
		return docstore.OutboxItem{}, fmt.Errorf("queue message: %w", err)
	}
	s.Kick()
	return it, nil
}

// Kick asks for an attempt now (a message was queued, the user pressed
// Gửi lại, the network came back, a password was entered).
func (s *Sender) Kick() {
	s.mu.Lock()
	clear(s.blocked)
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Run sends until ctx ends: each queued item when due, waking on Kick and
// at the earliest NextTry.
func (s *Sender) Run(ctx context.Context) error {
	if n, err := s.store.RecoverOutbox(ctx); err != nil {
		return err
	} else if n > 0 {
		s.log.Warn("outbox: items interrupted while sending are queued again", "n", n)
	}
	for {
		s.SendDue(ctx)
		wait := s.nextWait(ctx)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.kick:
		case <-time.After(wait):
		}
	}
}

// nextWait is the time until the earliest queued item is due (at most a
// minute, so a clock change cannot stall the queue).
func (s *Sender) nextWait(ctx context.Context) time.Duration {
	items, err := s.store.OutboxItems(ctx, "")
	wait := time.Minute
	if err != nil {
		return wait
	}
	now := s.now()
	for _, it := range items {
		if it.State != docstore.OutboxQueued && it.State != docstore.OutboxSent {
			continue
		}
		if d := it.NextTry.Sub(now); d < wait {
			wait = max(d, 100*time.Millisecond)
		}
	}
	return wait
}

// Result is one attempt's outcome (for `congvu send` and tests).
type Result struct {
	Item docstore.OutboxItem
	Err  error
}

// SendDue submits every due item of every account once, and appends to
// Sent what SMTP has taken but Sent does not have yet.
func (s *Sender) SendDue(ctx context.Context) []Result {
	accts, err := s.store.MailAccounts(ctx)
	if err != nil {
		return []Result{{Err: err}}
	}
	var out []Result
	for _, a := range accts {
		out = append(out, s.sendAccount(ctx, a)...)
	}
	return out
}

func (s *Sender) sendAccount(ctx context.Context, a docstore.MailAccount) []Result {
	s.mu.Lock()
	blocked := s.blocked[a.ID]
	s.mu.Unlock()
	if blocked != nil {
		return nil
	}
	var out []Result
	s.appendPending(ctx, a)
	var c *smtp.Client
	defer func() {
		if c != nil {
			c.Quit()
		}
	}()
	for ctx.Err() == nil {
		it, err := s.store.ClaimOutbox(ctx, a.ID)
		if err != nil {
			return append(out, Result{Err: err})
		}
		if it == nil {
			break
		}
		s.changed()
		if c == nil {
			c, err = s.connect(ctx, a)
		}
		if err == nil {
			err = s.submit(c, *it)
		}
		if err != nil {
			permanent := isPermanent(err)
			next := s.now().Add(backoff(it.Attempts + 1))
			if errors.Is(err, account.ErrAuthFailed) {
				s.mu.Lock()
				s.blocked[a.ID] = err // no retry storm against a wrong password
				s.mu.Unlock()
			}
			if ferr := s.store.OutboxFailed(ctx, it.ID, reason(err), permanent, next); ferr != nil {
				err = errors.Join(err, ferr)
			}
			s.changed()
			out = append(out, Result{Item: *it, Err: err})
			if c != nil {
				c.Close()
				c = nil
			}
			if !permanent {
				break // the server is unwell: the rest waits too
			}
			continue
		}
		if err := s.store.OutboxSent(ctx, it.ID); err != nil {
			return append(out, Result{Item: *it, Err: err})
		}
		s.changed()
		out = append(out, Result{Item: *it})
	}
	s.appendPending(ctx, a)
	return out
}

func (s *Sender) changed() {
	if s.OnChange != nil {
		s.OnChange()
	}
}

func (s *Sender) connect(ctx context.Context, a docstore.MailAccount) (*smtp.Client, error) {
	pw, err := s.password(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	return s.dial.SMTP(ctx, a, pw)
}

// submit sends one item: MAIL FROM, RCPT TO each, DATA streamed from the
// blob store.
func (s *Sender) submit(c *smtp.Client, it docstore.OutboxItem) error {
	f, err := s.store.Blobs().Open(it.Blob.SHA256)
	if err != nil {
		return fmt.Errorf("open queued message: %w", err)
	}
	defer f.Close()
	if err := c.Mail(it.From, nil); err != nil {
		return err
	}
	for _, r := range it.Recipients {
		if err := c.Rcpt(r, nil); err != nil {
			c.Reset()
			return &RecipientError{Recipient: r, Err: err}
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// RecipientError: the server refused one recipient (unknown mailbox, …).
type RecipientError struct {
	Recipient string
	Err       error
}

func (e *RecipientError) Error() string {
	return fmt.Sprintf("recipient %s refused: %v", e.Recipient, e.Err)
}
func (e *RecipientError) Unwrap() error { return e.Err }

// isPermanent: a 5xx answer will not change by waiting.
func isPermanent(err error) bool {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code >= 500 && se.Code < 600 && !errors.Is(err, account.ErrAuthFailed)
	}
	return false
}

// reason is the text kept on the item; never the password (errors from
// package account and go-smtp never carry it).
func reason(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return s
}

func backoff(attempt int) time.Duration {
	d := 30 * time.Second << min(attempt-1, 7) // 30 s … 64 min
	return min(d, time.Hour)
}

// appendPending copies to the Sent folder what SMTP took. A failure here
// is retried on the next round; the message has left already, so the item
// is shown as sent meanwhile.
func (s *Sender) appendPending(ctx context.Context, a docstore.MailAccount) {
	items, err := s.store.OutboxItems(ctx, a.ID)
	if err != nil {
		return
	}
	var todo []docstore.OutboxItem
	for _, it := range items {
		if it.State == docstore.OutboxSent {
			todo = append(todo, it)
		}
	}
	if len(todo) == 0 {
		return
	}
	sent, err := s.store.MailFolderByRole(ctx, a.ID, docstore.FolderSent)
	name := sent.Name
	if err != nil {
		name = "Sent"
	}
	pw, err := s.password(ctx, a.ID)
	if err != nil {
		return
	}
	c, err := s.dial.IMAP(ctx, a, pw, nil)
	if err != nil {
		s.log.Warn("outbox: append to Sent", "err", err)
		return
	}
	defer func() { c.Logout().Wait(); c.Close() }()
	if _, err := c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		s.log.Warn("outbox: select Sent", "folder", name, "err", err)
		return
	}
	for _, it := range todo {
		// A crash between APPEND and the commit below would append it
		// twice: look for its Message-ID first.
		found, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + it.MessageID + ">"}}}, nil).Wait()
		if err != nil {
			s.log.Warn("outbox: search Sent", "folder", name, "err", err)
			return
		}
		if len(found.AllUIDs()) > 0 {
			if err := s.store.OutboxAppended(ctx, it.ID); err != nil {
				return
			}
			continue
		}
		if _, err := imapsync.AppendBlob(c, s.store, name, it.Blob, imap.FlagSeen); err != nil {
			s.log.Warn("outbox: append to Sent", "folder", name, "err", err)
			return
		}
		if err := s.store.OutboxAppended(ctx, it.ID); err != nil {
			return
		}
		s.changed()
	}
}
