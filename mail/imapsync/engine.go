// Package imapsync keeps an account's IMAP folders in the local cache
// (docstore's mail tables), so the Hộp thư works offline.
//
// One Engine per account. Its connection belongs to one goroutine (Run's,
// or the caller's in SyncOnce); the window talks to it through requests
// (Open, FetchBody, Kick) and hears back through Progress callbacks and
// the store. The order of work follows what a reader needs first: the
// folder list, then every folder's headers (the list is usable at once),
// then bodies in the background, newest first, under a size cap.
//
// go-imap v2 beta.8 has no QRESYNC on the client side, so changes are found
// with CONDSTORE (FETCH … CHANGEDSINCE) and expunges with one UID SEARCH
// RETURN (ALL), and only when the message count says something went.
package imapsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"mime"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/mimemsg"
)

// Dialer connects and logs in (account.Dialer in the app; tests may wrap
// it to cut connections).
type Dialer interface {
	IMAP(ctx context.Context, a docstore.MailAccount, password string, opts *imapclient.Options) (*imapclient.Client, error)
}

// PasswordFunc gives the account's password when a connection is made
// (from the keyring, or what the user typed this session).
type PasswordFunc func(ctx context.Context) (string, error)

// Options tune an Engine; the zero value is what the app uses.
type Options struct {
	HeaderBatch    int           // headers per transaction; default 2000
	BodyBatchCount int           // bodies per durable batch; default 400
	BodyBatchBytes int64         // bytes per durable batch; default 32 MiB
	IdleFolder     string        // the folder watched with IDLE; default INBOX
	FullSyncEvery  time.Duration // all folders, not just the watched one; default 5 min
	MaxBackoff     time.Duration // default 5 min
	WordDecoder    *mime.WordDecoder
	Progress       func(Progress) // called from the engine's goroutine: keep it short
	Log            *slog.Logger
}

// Phases of Progress.
const (
	PhaseConnect = "connect"
	PhaseFolders = "folders"
	PhaseHeaders = "headers"
	PhaseBodies  = "bodies"
	PhaseOps     = "ops"
	PhaseIdle    = "idle"    // up to date, watching for new mail
	PhaseOffline = "offline" // no connection; Err says why, Retry when
)

// Progress is a report from the engine: what it is doing, or that it is
// waiting (PhaseIdle, PhaseOffline).
type Progress struct {
	Account string
	Folder  string
	Phase   string
	Done    int // items finished in this step (increments)
	Err     error
	Retry   time.Time // PhaseOffline: when the next attempt is made (zero: only on Kick)
}

// Engine syncs one account.
type Engine struct {
	store    *docstore.Store
	account  docstore.MailAccount
	dial     Dialer
	password PasswordFunc
	opt      Options
	log      *slog.Logger

	reqs chan request
	wake chan struct{} // the server said something changed (IDLE)
	kick chan struct{}

	mu      sync.Mutex
	idleBox string
	running atomic.Bool // Run is active: requests are served (or refused as offline)
}

// New makes the engine of account a.
func New(st *docstore.Store, a docstore.MailAccount, d Dialer, pw PasswordFunc, opt Options) *Engine {
	if opt.HeaderBatch <= 0 {
		opt.HeaderBatch = 2000
	}
	if opt.BodyBatchCount <= 0 {
		opt.BodyBatchCount = 400
	}
	if opt.BodyBatchBytes <= 0 {
		opt.BodyBatchBytes = 32 << 20
	}
	if opt.IdleFolder == "" {
		opt.IdleFolder = "INBOX"
	}
	if opt.FullSyncEvery <= 0 {
		opt.FullSyncEvery = 5 * time.Minute
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 5 * time.Minute
	}
	if opt.WordDecoder == nil {
		opt.WordDecoder = mimemsg.WordDecoder
	}
	lg := opt.Log
	if lg == nil {
		lg = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Engine{
		store: st, account: a, dial: d, password: pw, opt: opt,
		log:  lg.With("account", a.Address),
		reqs: make(chan request), wake: make(chan struct{}, 1), kick: make(chan struct{}, 1),
		idleBox: opt.IdleFolder,
	}
}

func (e *Engine) progress(p Progress) {
	if e.opt.Progress != nil {
		p.Account = e.account.ID
		e.opt.Progress(p)
	}
}

// connErr sorts an error of the IMAP client: a server's NO/BAD (an
// *imap.Error) is about one command and stays as it is; a cancelled
// context stays too; anything else — a read or write failure, EOF, an
// answer that cannot be parsed — means the connection is unusable, and
// becomes ErrConnectionLost, on which the loop reconnects. (connErr is
// only given errors of IMAP commands, never of the store.)
func (e *Engine) connErr(err error) error {
	if err == nil {
		return nil
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrConnectionLost) {
		return err
	}
	// Writing a body to the blob store failed (a full disk): ours, not the
	// connection's.
	var pe *fs.PathError
	var le *os.LinkError
	if errors.As(err, &pe) || errors.As(err, &le) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrConnectionLost, err)
}

// connect dials and logs in. The IDLE handler only signals: unilateral
// data arrives on go-imap's reader goroutine, where no command may be sent.
func (e *Engine) connect(ctx context.Context) (*session, error) {
	e.progress(Progress{Phase: PhaseConnect})
	pw, err := e.password(ctx)
	if err != nil {
		return nil, err
	}
	signal := func() {
		select {
		case e.wake <- struct{}{}:
		default:
		}
	}
	opts := &imapclient.Options{
		WordDecoder: e.opt.WordDecoder,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Expunge: func(uint32) { signal() },
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					signal()
				}
			},
			Fetch: func(m *imapclient.FetchMessageData) {
				m.Collect()
				signal()
			},
		},
	}
	c, err := e.dial.IMAP(ctx, e.account, pw, opts)
	if err != nil {
		return nil, err
	}
	caps := c.Caps()
	if len(caps) == 0 {
		caps, _ = c.Capability().Wait()
	}
	return &session{e: e, c: c, caps: caps}, nil
}

func (s *session) close() { account.Logout(s.c) }

// Summary is the result of a whole sync of an account.
type Summary struct {
	Account string
	Folders []FolderSummary
	Ops     int // offline operations replayed
	Elapsed time.Duration
	Err     error // the connection-level failure, if any
}

// Totals adds up the folders.
func (s Summary) Totals() (newMsgs, changed, removed, bodies, errs int) {
	for _, f := range s.Folders {
		newMsgs += f.New
		changed += f.Changed
		removed += f.Removed
		bodies += f.Bodies
		if f.Err != nil {
			errs++
		}
	}
	if s.Err != nil {
		errs++
	}
	return
}

// SyncOnce connects, replays offline operations, syncs every folder
// (headers of all first, then bodies) and logs out.
func (e *Engine) SyncOnce(ctx context.Context) Summary {
	t0 := time.Now()
	sum := Summary{Account: e.account.Address}
	s, err := e.connect(ctx)
	if err != nil {
		sum.Err, sum.Elapsed = err, time.Since(t0)
		return sum
	}
	defer s.close()
	sum.Folders, sum.Ops, sum.Err = s.syncAll(ctx, t0)
	sum.Elapsed = time.Since(t0)
	return sum
}

// syncAll: ops, folder list, headers of every folder, then bodies.
func (s *session) syncAll(ctx context.Context, t0 time.Time) ([]FolderSummary, int, error) {
	ops, err := s.replayOps(ctx)
	if err != nil && isConnErr(err) {
		return nil, ops, err
	}
	s.e.progress(Progress{Phase: PhaseFolders})
	// Drafts before the folder list, like the operations: LIST-STATUS
	// then already counts what they changed in Drafts.
	if err := s.replayDrafts(ctx); err != nil {
		if isConnErr(err) {
			return nil, ops, err
		}
		s.e.log.Warn("drafts to the server", "err", err)
	}
	folders, err := s.listFolders(ctx)
	if err != nil {
		return nil, ops, err
	}
	folders = folderOrder(folders)
	var sums []FolderSummary
	var synced []docstore.MailFolder
	for _, f := range folders {
		if f.NoSelect {
			continue
		}
		if s.unchanged(f) {
			sums = append(sums, FolderSummary{Folder: f.Name, ListReady: time.Since(t0)})
			synced = append(synced, f)
			continue
		}
		f2, fs, err := s.syncHeaders(ctx, f)
		fs.Err, fs.ListReady = err, time.Since(t0)
		sums = append(sums, fs)
		if err != nil {
			if isConnErr(err) {
				return sums, ops, err
			}
			s.e.log.Warn("folder headers", "folder", f.Name, "err", err)
			continue
		}
		synced = append(synced, f2)
	}
	for _, f := range synced {
		n, err := s.fetchMissingBodies(ctx, f)
		for j := range sums {
			if sums[j].Folder == f.Name {
				sums[j].Bodies, sums[j].Err, sums[j].Done = n, err, time.Since(t0)
			}
		}
		if err != nil && isConnErr(err) {
			return sums, ops, err
		}
	}
	// Messages went away (expunged, rebuilt folder, moved): their raw
	// copies in the database go too.
	for _, fs := range sums {
		if fs.Removed > 0 || fs.Reset || ops > 0 {
			if _, err := s.e.store.PruneMailRaw(ctx); err != nil {
				s.e.log.Warn("prune raw messages", "err", err)
			}
			break
		}
	}
	return sums, ops, nil
}

// request is what the window asks of the connection's goroutine: the
// body of one message (FetchBody).
type request struct {
	rowid int64
	reply chan error
}

// Open makes folder the one watched with IDLE and syncs it at once.
func (e *Engine) Open(folder string) {
	e.mu.Lock()
	e.idleBox = folder
	e.mu.Unlock()
	e.Kick()
}

func (e *Engine) idleFolder() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.idleBox
}

// Kick asks for a sync now (offline operations queued, the user pressed
// Đồng bộ, a password was entered after a refusal).
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// FetchBody downloads one message on demand (one over the automatic size
// cap). It waits for the engine's goroutine; ErrOffline when there is no
// connection.
func (e *Engine) FetchBody(ctx context.Context, rowid int64) error {
	return e.ask(ctx, request{rowid: rowid})
}

// FetchBodyNow downloads one message on demand whether or not Run is
// active: through Run's connection when it is, else over a connection of
// its own (the headless commands, the benchmark).
func (e *Engine) FetchBodyNow(ctx context.Context, rowid int64) error {
	if e.running.Load() {
		return e.FetchBody(ctx, rowid)
	}
	s, err := e.connect(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	return s.serve(ctx, request{rowid: rowid})
}

func (e *Engine) ask(ctx context.Context, r request) error {
	if !e.running.Load() {
		return ErrOffline
	}
	r.reply = make(chan error, 1)
	select {
	case e.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *session) serve(ctx context.Context, r request) error {
	row, err := s.e.store.MailMessage(ctx, r.rowid)
	if err != nil {
		return err
	}
	return s.fetchOne(ctx, row)
}

// serveWaiting answers the requests already waiting, between two steps of
// a long sync (a user opening a large message should not wait for 20,000
// bodies to finish).
func (s *session) serveWaiting(ctx context.Context) error {
	for {
		select {
		case r := <-s.e.reqs:
			err := s.serve(ctx, r)
			r.reply <- err
			if isConnErr(err) {
				return err
			}
		default:
			return nil
		}
	}
}

// Run keeps the account in sync until ctx ends: connect, sync everything,
// then IDLE on the open folder; on any change sync that folder, every
// FullSyncEvery all of them. A lost connection is retried with exponential
// backoff (1 s doubling to MaxBackoff, with jitter); a refused password is
// not retried until Kick, so a wrong password never locks the account.
func (e *Engine) Run(ctx context.Context) error {
	e.running.Store(true)
	defer e.running.Store(false)
	attempt := 0
	for {
		s, err := e.connect(ctx)
		if err == nil {
			attempt = 0
			err = e.online(ctx, s)
			s.close()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var wait time.Duration
		var retry time.Time
		if errors.Is(err, account.ErrAuthFailed) || errors.Is(err, account.ErrNoPassword) || errors.Is(err, account.ErrNoKeyring) {
			wait = -1 // only on Kick
		} else {
			attempt++
			wait = backoff(attempt, e.opt.MaxBackoff)
			retry = time.Now().Add(wait)
		}
		e.log.Info("offline", "err", err, "retry", wait)
		e.progress(Progress{Phase: PhaseOffline, Err: err, Retry: retry})
		var timer <-chan time.Time
		if wait >= 0 {
			timer = time.After(wait)
		}
		if err := e.offline(ctx, timer); err != nil {
			return err
		}
	}
}

// offline waits for the retry time or a Kick, answering requests with
// ErrOffline meanwhile.
func (e *Engine) offline(ctx context.Context, timer <-chan time.Time) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer:
			return nil
		case <-e.kick:
			return nil
		case r := <-e.reqs:
			r.reply <- ErrOffline
		}
	}
}

func backoff(attempt int, max time.Duration) time.Duration {
	d := time.Second << min(attempt-1, 20)
	if d > max || d <= 0 {
		d = max
	}
	return d/2 + rand.N(d/2+1)
}

// online is the connected part of Run.
func (e *Engine) online(ctx context.Context, s *session) error {
	if _, _, err := s.syncAll(ctx, time.Now()); err != nil {
		return err
	}
	full := time.NewTicker(e.opt.FullSyncEvery)
	defer full.Stop()
	for {
		box := e.idleFolder()
		f, err := e.store.MailFolderByName(ctx, e.account.ID, box)
		if errors.Is(err, docstore.ErrNotFound) && box != "INBOX" {
			// The folder shown is gone (deleted elsewhere): watch INBOX.
			e.mu.Lock()
			e.idleBox = "INBOX"
			e.mu.Unlock()
			continue
		}
		if err != nil {
			return err
		}
		// Pick up what changed while the previous step ran, then watch.
		if fs := s.syncFolder(ctx, f, true); fs.Err != nil && isConnErr(fs.Err) {
			return fs.Err
		}
		e.progress(Progress{Folder: box, Phase: PhaseIdle})
		idle, err := s.c.Idle()
		if err != nil {
			return e.connErr(err)
		}
		var job func() error
		select {
		case <-ctx.Done():
		case <-s.c.Closed():
		case <-e.wake:
		case <-e.kick:
			job = func() error { _, _, err := s.syncAll(ctx, time.Now()); return err }
		case <-full.C:
			job = func() error { _, _, err := s.syncAll(ctx, time.Now()); return err }
		case r := <-e.reqs:
			job = func() error {
				err := s.serve(ctx, r)
				r.reply <- err
				if isConnErr(err) {
					return err
				}
				return nil
			}
		}
		closeErr := idle.Close()
		if err := idle.Wait(); closeErr == nil {
			closeErr = err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-s.c.Closed():
			return ErrConnectionLost
		default:
		}
		if closeErr != nil {
			return e.connErr(closeErr)
		}
		if job != nil {
			if err := job(); err != nil && isConnErr(err) {
				return err
			}
		}
	}
}
