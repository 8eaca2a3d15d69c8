package journal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
	"congvu/mail/account"
)

// Config is what a Replicator needs: the person's own mail account (the
// journal folders live on the same server), their key and their agency.
type Config struct {
	Account  docstore.MailAccount
	Password func(ctx context.Context) (string, error)
	Dialer   account.Dialer
	Key      ed25519.PrivateKey
	Author   docstore.MailAddress // From of the journal messages
	Agency   string               // the agency's code, bound into every signature
	// Poll: how often the journals are read when IDLE brings nothing
	// (a server without IDLE, a notification lost). Default 30 s.
	Poll time.Duration
	// Batch: messages applied per transaction when reading. Default 500.
	Batch int
	Log   *slog.Logger
	// OnStatus is called (from the replicator's goroutine) when the status
	// changes; the window's bridge hands it to the widgets.
	OnStatus func(Status)
}

// Status is what the sync indicator shows.
type Status struct {
	Online    bool
	LastSync  time.Time
	Err       error             // the last connection failure, if offline
	Rights    map[string]string // scope → the rights missing on its folder ("" none)
	Reclaimed []docstore.Reclaimed
}

// Replicator keeps a store and its agency's journals in step: it appends
// local events (Publish, and the outbox of events made offline), reads the
// journals' new messages, verifies them and applies them in UID order. One
// goroutine (Run) owns the IMAP connection; Publish hands it requests.
type Replicator struct {
	st   *docstore.Store
	cfg  Config
	reqs chan *publishReq
	kick chan struct{}

	mu         sync.Mutex
	status     Status
	reclaiming atomic.Bool
	running    atomic.Bool // Run is serving requests
}

type publishReq struct {
	ctx   context.Context
	scope string
	evs   []docstore.Event
	reply chan error
}

// New makes a replicator; Run starts it, st.SetPublisher(r) routes local
// commands through it.
func New(st *docstore.Store, cfg Config) *Replicator {
	if cfg.Poll <= 0 {
		cfg.Poll = 30 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Replicator{st: st, cfg: cfg, reqs: make(chan *publishReq), kick: make(chan struct{}, 1)}
}

// Status is the current status.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.status
}

func (r *Replicator) setStatus(f func(*Status)) {
	r.mu.Lock()
	f(&r.status)
	st := r.status
	r.mu.Unlock()
	if r.cfg.OnStatus != nil {
		r.cfg.OnStatus(st)
	}
}

// Kick asks for a sync now.
func (r *Replicator) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// publishWait bounds how long a command waits for the replicator's
// goroutine to take its request (it may be in the middle of a large read).
const publishWait = 10 * time.Second

// Publish implements docstore.Publisher: the events are appended to the
// scope's journal and applied here in journal order before it returns.
// docstore.ErrOffline when the server cannot be reached (nothing sent);
// docstore.ErrUnconfirmed when the connection broke after sending (the
// same events then wait in the outbox, and a copy already in the journal
// is recognised by its id).
func (r *Replicator) Publish(ctx context.Context, scope string, evs []docstore.Event) error {
	req := &publishReq{ctx: ctx, scope: scope, evs: evs, reply: make(chan error, 1)}
	t := time.NewTimer(publishWait)
	defer t.Stop()
	select {
	case r.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return docstore.ErrOffline
	}
	select {
	case err := <-req.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run keeps the connection and serves Publish until ctx ends: connect,
// read every journal, append the outbox, then wait (IDLE on the agency's
// journal) for a request, a notification or the poll; reconnect with
// jittered exponential backoff. While offline, Publish is answered
// ErrOffline at once.
func (r *Replicator) Run(ctx context.Context) {
	r.running.Store(true)
	defer r.running.Store(false)
	backoff := time.Second
	for ctx.Err() == nil {
		s, err := r.connect(ctx)
		if err == nil {
			backoff = time.Second
			err = s.serve(ctx)
			s.close()
		}
		if ctx.Err() != nil {
			return
		}
		r.setStatus(func(st *Status) { st.Online, st.Err = false, err })
		r.cfg.Log.Warn("journal offline", "err", err)
		wait := backoff/2 + time.Duration(rand.Int64N(int64(backoff)))
		if backoff < 5*time.Minute {
			backoff *= 2
		}
		r.offlineFor(ctx, wait)
	}
}

// offlineFor answers requests with ErrOffline for d (or until a Kick).
func (r *Replicator) offlineFor(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case req := <-r.reqs:
			req.reply <- docstore.ErrOffline
		case <-r.kick:
			return
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// SyncOnce connects, reads the journals, appends the outbox, claims lost
// numbers again and disconnects: congvu's headless sync, and the tests.
func (r *Replicator) SyncOnce(ctx context.Context) error {
	s, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	return s.syncAll(ctx)
}

// session is one logged-in connection, owned by one goroutine.
type session struct {
	r        *Replicator
	c        *imapclient.Client
	changed  chan struct{} // the selected journal got new messages (IDLE)
	selected string
	rightsOf map[string]string // scope → missing rights (MYRIGHTS), nil: to ask
}

func (r *Replicator) connect(ctx context.Context) (*session, error) {
	pw, err := r.cfg.Password(ctx)
	if err != nil {
		return nil, err
	}
	s := &session{r: r, changed: make(chan struct{}, 1)}
	signal := func() {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	}
	opts := &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				signal()
			}
		},
	}}
	c, err := r.cfg.Dialer.IMAP(ctx, r.cfg.Account, pw, opts)
	if err != nil {
		return nil, err
	}
	s.c = c
	return s, nil
}

func (s *session) close() { account.Logout(s.c) }

// serve: sync, then wait for work, until the connection fails or ctx ends.
func (s *session) serve(ctx context.Context) error {
	sync := true
	for {
		if sync {
			if err := s.syncAll(ctx); err != nil {
				return err
			}
		}
		var err error
		if sync, err = s.wait(ctx); err != nil {
			return err
		}
	}
}

// wait idles on the agency's journal until a request, a notification, a
// Kick or the poll interval; it serves requests itself. sync: the journals
// are to be read again (not after a request: serving it read its folder).
func (s *session) wait(ctx context.Context) (sync bool, err error) {
	// A request already waiting is served without an IDLE round trip (a
	// burst of commands, an import).
	select {
	case req := <-s.r.reqs:
		return false, s.handle(ctx, req)
	default:
	}
	folders, err := s.r.st.JournalFolders(ctx)
	if err != nil {
		return false, err
	}
	for _, f := range folders {
		if f.Scope != docstore.ScopeAgency {
			continue
		}
		sel, err := s.examine(f.Name)
		if err != nil {
			return false, err
		}
		// A message that arrived between the last read and this SELECT is
		// in the SELECT's counts, not announced by IDLE: read it now.
		if sel != nil && uint32(sel.UIDNext) > f.LastUID+1 {
			return true, nil
		}
	}
	idle, err := s.c.Idle()
	if err != nil {
		return false, fmt.Errorf("idle: %w", err)
	}
	stop := func() error {
		if err := idle.Close(); err != nil {
			return err
		}
		return idle.Wait()
	}
	t := time.NewTimer(s.r.cfg.Poll)
	defer t.Stop()
	select {
	case req := <-s.r.reqs:
		if err := stop(); err != nil {
			req.reply <- docstore.ErrOffline
			return false, err
		}
		return false, s.handle(ctx, req)
	case <-s.changed:
	case <-s.r.kick:
	case <-t.C:
		s.rightsOf = nil // the administrator may have changed them
	case <-ctx.Done():
		stop()
		return false, ctx.Err()
	}
	return true, stop()
}

// examine selects name read-only unless it is selected already (then the
// server announces what changed since as unilateral EXISTS, and sel is
// nil).
func (s *session) examine(name string) (*imap.SelectData, error) {
	if s.selected == name {
		return nil, nil
	}
	sel, err := s.c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		s.selected = ""
		return nil, err
	}
	s.selected = name
	return sel, nil
}

// handle serves one Publish: append, read up to what was appended, reply
// with the verdict of the events.
func (s *session) handle(ctx context.Context, req *publishReq) error {
	folder, err := s.folder(ctx, req.scope)
	if err != nil {
		req.reply <- err
		return nil
	}
	mine := map[string]bool{}
	for _, e := range req.evs {
		mine[e.ID] = true
		if err := s.appendEvent(ctx, folder, e); err != nil {
			// Whether it arrived is unknown: the store keeps the events
			// pending, and the next read recognises a copy by its id.
			req.reply <- fmt.Errorf("%w: %v", docstore.ErrUnconfirmed, err)
			return err
		}
	}
	outs, err := s.pull(ctx, folder, mine)
	if err != nil {
		req.reply <- fmt.Errorf("%w: %v", docstore.ErrUnconfirmed, err)
		return err
	}
	req.reply <- verdictOf(outs, mine)
	return nil
}

// verdictOf: nil when every event of mine was applied, else why not.
func verdictOf(outs []docstore.JournalOutcome, mine map[string]bool) error {
	for _, o := range outs {
		if !mine[o.EventID] || o.Verdict == docstore.VerdictApplied {
			continue
		}
		if o.Err != nil {
			return o.Err
		}
		return fmt.Errorf("journal: event %s %s (%s)", o.EventID, o.Verdict, o.Kind)
	}
	return nil
}

func (s *session) folder(ctx context.Context, scope string) (docstore.JournalFolder, error) {
	fs, err := s.r.st.JournalFolders(ctx)
	if err != nil {
		return docstore.JournalFolder{}, err
	}
	for _, f := range fs {
		if f.Scope == scope {
			return f, nil
		}
	}
	return docstore.JournalFolder{}, fmt.Errorf("%w: no journal folder for scope %q", ErrNotJoined, scope)
}

// ErrNotJoined: the workstation has no journal folder for the scope.
var ErrNotJoined = errors.New("not joined to the agency's journal")

// appendEvent signs and APPENDs one event, with the files the journal
// does not hold yet.
func (s *session) appendEvent(ctx context.Context, f docstore.JournalFolder, e docstore.Event) error {
	var files []File
	var shas []string
	for _, a := range docstore.EventFiles(e) {
		if has, err := s.r.st.JournalHasFile(ctx, f.Scope, a.SHA256); err != nil || has {
			continue
		}
		sha := a.SHA256
		files = append(files, File{SHA256: sha, Name: a.Name, Size: a.Size, MIMEType: "application/octet-stream",
			Open: func() (io.ReadCloser, error) { return s.r.st.Blobs().Open(sha) }})
		shas = append(shas, sha)
	}
	// The message goes to a temporary file when it carries files (APPEND
	// needs its size first; a file is never held whole in memory).
	var body io.Reader
	var size int64
	if len(files) == 0 {
		var buf bytes.Buffer
		if err := Encode(&buf, e, s.r.cfg.Agency, s.r.cfg.Author, s.r.cfg.Key, nil); err != nil {
			return fmt.Errorf("encode event %s: %w", e.ID, err)
		}
		body, size = &buf, int64(buf.Len())
	} else {
		tmp, err := os.CreateTemp("", "congvu-journal-*.eml")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		if err := Encode(tmp, e, s.r.cfg.Agency, s.r.cfg.Author, s.r.cfg.Key, files); err != nil {
			return fmt.Errorf("encode event %s: %w", e.ID, err)
		}
		if size, err = tmp.Seek(0, io.SeekCurrent); err != nil {
			return err
		}
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return err
		}
		body = tmp
	}
	cmd := s.c.Append(f.Name, size, nil)
	if _, err := io.Copy(cmd, body); err != nil {
		cmd.Close()
		return fmt.Errorf("append event %s: %w", e.ID, err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("append event %s: %w", e.ID, err)
	}
	data, err := cmd.Wait()
	if err != nil {
		return fmt.Errorf("append event %s: %w", e.ID, err)
	}
	if data != nil && data.UID != 0 {
		s.r.st.NoteJournalFiles(ctx, f.Scope, uint32(data.UID), shas)
	}
	return nil
}

// syncAll reads every journal, appends the outbox (reading again after
// each scope's appends) and claims lost numbers again.
func (s *session) syncAll(ctx context.Context) error {
	folders, err := s.r.st.JournalFolders(ctx)
	if err != nil {
		return err
	}
	if s.rightsOf == nil {
		// MYRIGHTS once a session (and again at each poll): they change
		// only when the administrator changes them.
		s.rightsOf = map[string]string{}
		for _, f := range folders {
			m, err := s.rights(f)
			if err != nil {
				return err
			}
			s.rightsOf[f.Scope] = m
		}
	}
	missing := s.rightsOf
	for _, f := range folders {
		m := missing[f.Scope]
		if m != "" && f.Scope != docstore.ScopeAgency {
			continue // not cleared for the secret journal: the server refuses, the window shows nothing of it
		}
		if _, err := s.pull(ctx, f, nil); err != nil {
			return err
		}
	}
	out, err := s.r.st.JournalOutbox(ctx)
	if err != nil {
		return err
	}
	byScope := map[string][]docstore.Event{}
	for _, o := range out {
		byScope[o.Scope] = append(byScope[o.Scope], o.Event)
	}
	for _, f := range folders {
		evs := byScope[f.Scope]
		if len(evs) == 0 {
			continue
		}
		for _, e := range evs {
			if err := s.appendEvent(ctx, f, e); err != nil {
				s.r.st.SetOutboxError(ctx, e.ID, err.Error())
				return err
			}
		}
		if _, err := s.pull(ctx, f, nil); err != nil {
			return err
		}
	}
	s.r.setStatus(func(st *Status) {
		st.Online, st.Err, st.LastSync, st.Rights = true, nil, time.Now(), missing
	})
	s.r.reclaimLater(ctx)
	return nil
}

// maxReclaimed bounds Status.Reclaimed to the latest numbers claimed
// again: the journal page lists them to be told and opened, and a day of
// racing clerks must not grow it (nor the status copies) without end.
const maxReclaimed = 50

// reclaimLater claims again, in a goroutine of its own, the numbers the
// journal gave to colleagues first: each claim is a command published
// through this replicator, whose goroutine must be free to serve it.
func (r *Replicator) reclaimLater(ctx context.Context) {
	if !r.running.Load() || !r.reclaiming.CompareAndSwap(false, true) {
		return // (SyncOnce: no loop to serve the claims; the next Run does it)
	}
	go func() {
		defer r.reclaiming.Store(false)
		reclaimed, err := r.st.ReclaimLost(ctx)
		if err != nil {
			r.cfg.Log.Warn("claim lost numbers again", "err", err)
		}
		if len(reclaimed) > 0 {
			r.setStatus(func(st *Status) {
				st.Reclaimed = append(st.Reclaimed, reclaimed...)
				if n := len(st.Reclaimed); n > maxReclaimed {
					st.Reclaimed = slices.Clone(st.Reclaimed[n-maxReclaimed:])
				}
			})
		}
	}()
}

// rights reads MYRIGHTS on a journal folder and says which of the rights
// the journal needs are missing: l r i (look up, read, insert).
func (s *session) rights(f docstore.JournalFolder) (string, error) {
	data, err := s.c.MyRights(f.Name).Wait()
	if err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) {
			return "lri", nil // no such folder, or no right to see it
		}
		return "", err
	}
	have := string(data.Rights)
	var miss strings.Builder
	for _, r := range "lri" {
		if !strings.ContainsRune(have, r) {
			miss.WriteRune(r)
		}
	}
	return miss.String(), nil
}

// pull reads the journal folder f from its position, verifies each
// message and applies them in UID order, batch by batch. mine marks the
// events this workstation just appended.
func (s *session) pull(ctx context.Context, f docstore.JournalFolder, mine map[string]bool) (outs []docstore.JournalOutcome, err error) {
	if s.selected == f.Name && f.UIDValidity != 0 {
		// Still selected (the agency's journal, between IDLEs): a NOOP
		// brings the session up to date and the new messages are fetched
		// as they are. Selecting again would make Dovecot read a folder of
		// 100,000 maildir files anew: 0.6 s a command (docs/BENCHMARKS.md).
		if err := s.c.Noop().Wait(); err != nil {
			return nil, fmt.Errorf("journal %s: %w", f.Name, err)
		}
		// UIDs first: "n:*" always answers with the last message, and its
		// body (files and all) is not to be fetched again at every sync.
		var set imap.UIDSet
		set.AddRange(imap.UID(f.LastUID+1), 0)
		msgs, err := s.c.Fetch(set, &imap.FetchOptions{UID: true}).Collect()
		if err != nil {
			return nil, fmt.Errorf("journal %s: %w", f.Name, err)
		}
		newer := false
		for _, m := range msgs {
			newer = newer || uint32(m.UID) > f.LastUID
		}
		if !newer {
			return nil, nil
		}
		return s.fetchFrom(ctx, f, mine)
	}
	if s.selected != f.Name {
		// Another folder (the secret journal): STATUS says whether there
		// is anything to read before paying for a SELECT.
		st, err := s.c.Status(f.Name, &imap.StatusOptions{UIDNext: true, UIDValidity: true}).Wait()
		if err == nil && st.UIDValidity == f.UIDValidity && f.UIDValidity != 0 && uint32(st.UIDNext) <= f.LastUID+1 {
			return nil, nil
		}
	}
	s.selected = ""
	sel, err := s.c.Select(f.Name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w", f.Name, err)
	}
	s.selected = f.Name
	reread := false
	if f.UIDValidity != sel.UIDValidity {
		if f.UIDValidity != 0 {
			if err := s.r.st.ResetJournalScope(ctx, f.Scope, sel.UIDValidity); err != nil {
				return nil, err
			}
			reread = true
		} else if err := s.r.st.SetJournalValidity(ctx, f.Scope, sel.UIDValidity); err != nil {
			return nil, err
		}
		f.UIDValidity, f.LastUID = sel.UIDValidity, 0
		if fs, err := s.r.st.JournalFolders(ctx); err == nil {
			for _, x := range fs {
				if x.Scope == f.Scope {
					f.LastUID = x.LastUID
				}
			}
		}
	}
	if reread {
		// Everything read again (or nothing to read): settle what the
		// restored folder no longer holds.
		defer func() {
			if err == nil {
				err = s.r.st.FinishJournalReread(ctx, f.Scope)
			}
		}()
	}
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && uint32(sel.UIDNext) <= f.LastUID+1) {
		return nil, nil
	}
	return s.fetchFrom(ctx, f, mine)
}

// fetchFrom reads the selected journal folder f beyond its position.
func (s *session) fetchFrom(ctx context.Context, f docstore.JournalFolder, mine map[string]bool) ([]docstore.JournalOutcome, error) {
	var outs []docstore.JournalOutcome
	var set imap.UIDSet
	set.AddRange(imap.UID(f.LastUID+1), 0)
	cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	batch := make([]docstore.JournalEntry, 0, s.r.cfg.Batch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		o, err := s.r.st.ApplyJournal(ctx, f.Scope, batch)
		if err != nil {
			return err
		}
		outs = append(outs, o...)
		batch = batch[:0]
		return nil
	}
	var ferr error
	for {
		m := cmd.Next()
		if m == nil {
			break
		}
		en, err := s.readEntry(ctx, f, m)
		if err != nil {
			ferr = err
			break
		}
		if en.UID <= f.LastUID {
			continue // "n:*" always answers with the last message, even below n
		}
		en.Local = mine[en.Event.ID]
		batch = append(batch, en)
		if len(batch) == cap(batch) {
			if ferr = flush(); ferr != nil {
				break
			}
		}
	}
	if err := account.CloseFetch(s.c, cmd, errors.Is(ferr, account.ErrLiteralBroken)); ferr == nil {
		ferr = err
	}
	if ferr == nil {
		ferr = flush()
	}
	return outs, ferr
}

// readEntry turns one FETCH reply into a journal entry: the verified event,
// or the problem that makes it none (a warning, never an error: one bad
// message must not stop the journal). File parts go to the blob store.
func (s *session) readEntry(ctx context.Context, f docstore.JournalFolder, m *imapclient.FetchMessageData) (docstore.JournalEntry, error) {
	var en docstore.JournalEntry
	for {
		item := m.Next()
		if item == nil {
			break
		}
		switch it := item.(type) {
		case imapclient.FetchItemDataUID:
			en.UID = uint32(it.UID)
		case imapclient.FetchItemDataBodySection:
			if it.Literal == nil {
				en.Problem, en.ProblemKind, en.ProblemCode = errors.New("the server sent no body"), "malformed", docstore.WarnNoBody
				continue
			}
			var got []string
			lit := account.NewLiteral(it.Literal)
			env, err := Decode(lit, s.r.cfg.Agency, func(sha, name string, r io.Reader) error {
				ref, err := s.r.st.Blobs().Put(r)
				if err != nil {
					return err
				}
				if ref.SHA256 != sha {
					return ErrFileMismatch
				}
				got = append(got, sha)
				return nil
			})
			// What Decode left unread must still be read off the wire.
			lit.Discard()
			if lit.Broken() {
				// The connection, not the message: read it again later
				// rather than judge half an event.
				return en, account.ErrLiteralBroken
			}
			switch {
			case err == nil:
				en.Event, en.Signer = env.Event, env.Signer
			case errors.Is(err, ErrBadSignature), errors.Is(err, ErrOtherAgency):
				en.Problem, en.ProblemKind, en.ProblemCode = err, "signature", problemCode(err)
			default:
				var pe *os.PathError
				if errors.As(err, &pe) {
					return en, err // the disk, not the message
				}
				en.Problem, en.ProblemKind, en.ProblemCode = err, "malformed", problemCode(err)
			}
			if err == nil && len(got) > 0 {
				defer s.r.st.NoteJournalFiles(ctx, f.Scope, en.UID, got)
			}
		}
	}
	return en, nil
}

// problemCode says why a message is no event the store can judge, for the
// window's warning (docstore.Warn*).
func problemCode(err error) string {
	for _, c := range []struct {
		err  error
		code string
	}{
		{ErrNotJournal, docstore.WarnNotJournal},
		{ErrVersion, docstore.WarnVersion}, // before ErrMalformed: it comes with it
		{ErrBadSignature, docstore.WarnBadSignature},
		{ErrOtherAgency, docstore.WarnOtherAgency},
		{ErrFileMismatch, docstore.WarnFileMismatch},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return docstore.WarnMalformed
}
