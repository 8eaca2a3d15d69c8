// Package mail is everything that talks to the agency's servers. This file
// wires the parts for one data folder: the accounts, their passwords, one
// sync engine per account (imapsync) and the outbox sender (outbox). The
// window and the headless commands both go through a Service.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/exchange"
	"congvu/mail/imapsync"
	"congvu/mail/outbox"
)

// Service runs the mail of one data folder.
type Service struct {
	store   *docstore.Store
	dial    account.Dialer
	keyring account.Passwords
	session account.Passwords // typed this run ("ask each start", or before saving)
	log     *slog.Logger
	Sender  *outbox.Sender
	// Exchange carries documents to and from other agencies (edXML);
	// while the service runs it scans the exchange mailbox after each
	// sync.
	Exchange *exchange.Exchange
	// OnExchange hears what each scan found (from its goroutine).
	OnExchange func(exchange.Summary, error)
	scanKick   chan struct{}

	// OnProgress hears every engine's reports (from their goroutines).
	OnProgress func(imapsync.Progress)

	mu      sync.Mutex
	engines map[string]*imapsync.Engine
	stops   map[string]context.CancelFunc // each running engine's own stop
	cancel  context.CancelFunc
	ctx     context.Context // Start's, for engines started later
	wg      sync.WaitGroup
}

// Options for a Service.
type Options struct {
	Dialer   account.Dialer    // zero value: system resolver, 15 s timeout
	Keyring  account.Passwords // nil: the OS keyring
	Log      *slog.Logger
	Progress func(imapsync.Progress)
}

// NewService makes the mail service of st; nothing connects until Start or
// SyncOnce.
func NewService(st *docstore.Store, opt Options) *Service {
	s := &Service{
		store: st, dial: opt.Dialer, keyring: opt.Keyring, session: account.Memory(),
		log: opt.Log, engines: map[string]*imapsync.Engine{}, stops: map[string]context.CancelFunc{}, OnProgress: opt.Progress,
	}
	if s.keyring == nil {
		s.keyring = account.Keyring()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.Sender = outbox.New(st, s.dial, s.Password, s.log)
	s.Exchange = exchange.New(st, s.Sender, s.log)
	s.scanKick = make(chan struct{}, 1)
	return s
}

// Store is the data folder this service works for.
func (s *Service) Store() *docstore.Store { return s.store }

// Password finds an account's password: typed this session first, then
// the keyring (unless the account is set to ask each start).
func (s *Service) Password(ctx context.Context, accountID string) (string, error) {
	if pw, err := s.session.Get(accountID); err == nil {
		return pw, nil
	}
	a, err := s.store.MailAccount(ctx, accountID)
	if err != nil {
		return "", err
	}
	if a.PasswordMode == docstore.PasswordAsk {
		return "", account.ErrNoPassword
	}
	return s.keyring.Get(accountID)
}

// SetPassword keeps a password: in the keyring when save is true (and the
// account saves passwords), else for this run only. After a refusal the
// engines and the sender are kicked, so the new password is tried at once.
func (s *Service) SetPassword(ctx context.Context, accountID, password string, save bool) error {
	if save {
		if err := s.keyring.Set(accountID, password); err != nil {
			return fmt.Errorf("save password: %w", err)
		}
		s.session.Delete(accountID)
	} else if err := s.session.Set(accountID, password); err != nil {
		return err
	}
	s.Kick()
	return nil
}

// AddAccount saves a (new or changed) account and its password: in the
// keyring, or, with PasswordAsk, for this run only.
func (s *Service) AddAccount(ctx context.Context, a *docstore.MailAccount, password string) error {
	if err := s.store.SaveMailAccount(ctx, a); err != nil {
		return err
	}
	if password == "" {
		return nil
	}
	return s.SetPassword(ctx, a.ID, password, a.PasswordMode != docstore.PasswordAsk)
}

// RemoveAccount deletes an account, its cache and its saved password.
func (s *Service) RemoveAccount(ctx context.Context, id string) error {
	s.mu.Lock()
	delete(s.engines, id)
	stop := s.stops[id]
	delete(s.stops, id)
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	if err := s.keyring.Delete(id); err != nil && !errors.Is(err, account.ErrNoPassword) && !errors.Is(err, account.ErrNoKeyring) {
		return err
	}
	s.session.Delete(id)
	return s.store.DeleteMailAccount(ctx, id)
}

// Check tries both servers of an account with a password.
func (s *Service) Check(ctx context.Context, a docstore.MailAccount, password string) account.CheckResult {
	return s.dial.Check(ctx, a, password)
}

func (s *Service) engine(a docstore.MailAccount) *imapsync.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.engines[a.ID]; ok {
		return e
	}
	e := imapsync.New(s.store, a, s.dial, func(ctx context.Context) (string, error) { return s.Password(ctx, a.ID) },
		imapsync.Options{Log: s.log, Progress: s.progress})
	s.engines[a.ID] = e
	return e
}

func (s *Service) progress(p imapsync.Progress) {
	if p.Phase == imapsync.PhaseIdle {
		// A sync pass ended: new packages may have come.
		select {
		case s.scanKick <- struct{}{}:
		default:
		}
	}
	if s.OnProgress != nil {
		s.OnProgress(p)
	}
}

// scanExchange scans the exchange mailbox each time a sync pass ends,
// until ctx ends; what it queued (status replies) goes out at once.
func (s *Service) scanExchange(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.scanKick:
		}
		sum, err := s.Exchange.Scan(ctx)
		if errors.Is(err, exchange.ErrNoExchangeAccount) {
			continue
		}
		if err != nil {
			s.log.Warn("exchange scan", "err", err)
		}
		if sum.Documents+sum.Statuses > 0 {
			s.Sender.Kick()
		}
		if s.OnExchange != nil {
			s.OnExchange(sum, err)
		}
	}
}

// Engine is the running engine of an account (nil before Start).
func (s *Service) Engine(accountID string) *imapsync.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.engines[accountID]
}

// SyncOnce syncs every account once, one after another, without IDLE.
func (s *Service) SyncOnce(ctx context.Context) ([]imapsync.Summary, error) {
	accts, err := s.store.MailAccounts(ctx)
	if err != nil {
		return nil, err
	}
	// Accounts sync side by side: each has its own server connection, and
	// most of a sync is waiting for the server.
	out := make([]imapsync.Summary, len(accts))
	var wg sync.WaitGroup
	for i, a := range accts {
		e := s.engine(a)
		wg.Go(func() { out[i] = e.SyncOnce(ctx) })
	}
	wg.Wait()
	return out, nil
}

// Start runs every account's engine and the sender in the background
// until Stop.
func (s *Service) Start(ctx context.Context) error {
	accts, err := s.store.MailAccounts(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel, s.ctx = cancel, ctx
	s.mu.Unlock()
	for _, a := range accts {
		s.startEngine(ctx, a)
	}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.Sender.Run(ctx)
	}()
	go func() {
		defer s.wg.Done()
		s.scanExchange(ctx)
	}()
	return nil
}

// StartAccount runs the engine of an account added or changed after Start
// (a changed account gets a new engine with its new settings).
func (s *Service) StartAccount(a docstore.MailAccount) {
	s.mu.Lock()
	ctx := s.ctx
	stop := s.stops[a.ID]
	delete(s.engines, a.ID)
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	if ctx == nil {
		return
	}
	s.startEngine(ctx, a)
	s.Sender.Kick()
}

func (s *Service) startEngine(ctx context.Context, a docstore.MailAccount) {
	e := s.engine(a)
	ectx, stop := context.WithCancel(ctx)
	s.mu.Lock()
	s.stops[a.ID] = stop
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		e.Run(ectx)
	}()
}

// Kick asks every engine and the sender to try now.
func (s *Service) Kick() {
	s.mu.Lock()
	for _, e := range s.engines {
		e.Kick()
	}
	s.mu.Unlock()
	s.Sender.Kick()
}

// Stop ends the background work and waits for it.
func (s *Service) Stop() {
	s.mu.Lock()
	cancel := s.cancel
	stops := make([]context.CancelFunc, 0, len(s.stops))
	for _, stop := range s.stops {
		stops = append(stops, stop)
	}
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	for _, stop := range stops {
		stop() // work started outside Start (the journal) too
	}
	s.wg.Wait()
}
