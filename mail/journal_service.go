package mail

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"congvu/docs-store"
	"congvu/mail/journal"
)

// The shared journal (issue 5) from the window's side: joining an agency,
// the person's key, and the replicator that runs while the window is open.

// ErrNoOwnAccount: the person has no mail account of their own here; the
// journal is read and written with it.
var ErrNoOwnAccount = errors.New("no mail account of this person's own")

// OwnAccount is the person's own mailbox: the account whose address is the
// person's e-mail, else the first that is not a shared mailbox.
func (s *Service) OwnAccount(ctx context.Context, personID string) (docstore.MailAccount, error) {
	accts, err := s.store.MailAccounts(ctx)
	if err != nil {
		return docstore.MailAccount{}, err
	}
	email := ""
	if people, err := s.store.People(ctx); err == nil {
		for _, p := range people {
			if p.ID == personID {
				email = p.Email
			}
		}
	}
	for _, a := range accts {
		if email != "" && strings.EqualFold(a.Address, email) {
			return a, nil
		}
	}
	for _, a := range accts {
		if !a.Shared {
			return a, nil
		}
	}
	return docstore.MailAccount{}, ErrNoOwnAccount
}

// PersonKey is the person's journal key (made on first use, kept in the
// OS keyring) as the administrator binds it: the public key to paste into
// the directory and its fingerprint to compare.
type PersonKey struct {
	Public      string // base64, as docstore.PersonInput.PublicKey holds it
	Fingerprint string
	Groups      string
	Created     bool
	private     ed25519.PrivateKey
}

// JournalKey loads (or makes) the person's key from keys.
func JournalKey(keys journal.KeyStore, personID string) (PersonKey, error) {
	k, created, err := journal.LoadOrCreateKey(keys, personID)
	if err != nil {
		return PersonKey{}, err
	}
	pub := k.Public().(ed25519.PublicKey)
	return PersonKey{Public: journal.PublicKeyString(pub), Fingerprint: journal.Fingerprint(pub), Groups: journal.FingerprintGroups(pub),
		Created: created, private: k}, nil
}

// ReadFounding reads, with the person's own account, the founding event
// of the agency's journal folder, for the user to compare its key's
// fingerprint before joining (ConfirmJoin).
func (s *Service) ReadFounding(ctx context.Context, personID, folder, agencyCode string) (journal.Founding, error) {
	a, err := s.OwnAccount(ctx, personID)
	if err != nil {
		return journal.Founding{}, err
	}
	pw, err := s.Password(ctx, a.ID)
	if err != nil {
		return journal.Founding{}, err
	}
	return journal.ReadFounding(ctx, s.dial, a, pw, folder, agencyCode)
}

// ConfirmJoin pins what the user compared and records the journal
// folders (secret may be empty: not cleared for secret registers).
func (s *Service) ConfirmJoin(ctx context.Context, f journal.Founding, folder, secretFolder string) error {
	if err := s.store.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: f.Agency.Code, AdminKey: f.AdminKey}); err != nil {
		return fmt.Errorf("join agency: %w", err)
	}
	if err := s.store.SetJournalFolder(ctx, docstore.ScopeAgency, folder); err != nil {
		return fmt.Errorf("join agency: %w", err)
	}
	if secretFolder != "" {
		if err := s.store.SetJournalFolder(ctx, docstore.ScopeSecret, secretFolder); err != nil {
			return fmt.Errorf("join agency: %w", err)
		}
	}
	return nil
}

// StartJournal starts sharing this store with the agency's journal for
// the person: their own account, their key from keys. Local commands go
// through the journal from now on; the replicator runs until Stop.
// journal.ErrNotJoined when the workstation has not joined an agency.
func (s *Service) StartJournal(ctx context.Context, personID string, keys journal.KeyStore, onStatus func(journal.Status)) (*journal.Replicator, error) {
	pin, err := s.store.Pin(ctx)
	if errors.Is(err, docstore.ErrNotFound) {
		return nil, journal.ErrNotJoined
	}
	if err != nil {
		return nil, err
	}
	a, err := s.OwnAccount(ctx, personID)
	if err != nil {
		return nil, err
	}
	k, err := JournalKey(keys, personID)
	if err != nil {
		return nil, err
	}
	author := docstore.MailAddress{Addr: a.Address, Name: a.DisplayName}
	r := journal.New(s.store, journal.Config{
		Account:  a,
		Password: func(ctx context.Context) (string, error) { return s.Password(ctx, a.ID) },
		Dialer:   s.dial,
		Key:      k.private,
		Author:   author,
		Agency:   pin.AgencyCode,
		Log:      s.log,
		OnStatus: onStatus,
	})
	s.store.SetPublisher(r)
	s.mu.Lock()
	base := s.ctx
	s.mu.Unlock()
	if base == nil {
		base = ctx
	}
	rctx, cancel := context.WithCancel(base)
	s.mu.Lock()
	if stop := s.stops["journal"]; stop != nil {
		stop() // started again (joined again, another person): one replicator
	}
	s.stops["journal"] = cancel
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		r.Run(rctx)
	}()
	return r, nil
}

// CreateJournal is the founding administrator's side of joining: it pins
// the agency with their own key, records the (empty) journal folders the
// agency's IT made (docs/JOURNAL-SERVER.md), queues everything this store
// holds for them — the founding first — and starts the replicator, which
// appends it. Colleagues then join with ReadFounding and ConfirmJoin.
func (s *Service) CreateJournal(ctx context.Context, personID string, keys journal.KeyStore, folder, secretFolder string, onStatus func(journal.Status)) (*journal.Replicator, error) {
	ag, err := s.store.Agency(ctx)
	if err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	k, err := JournalKey(keys, personID)
	if err != nil {
		return nil, err
	}
	pub, err := docstore.ParsePublicKey(k.Public)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: ag.Code, AdminKey: pub}); err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	if err := s.store.SetJournalFolder(ctx, docstore.ScopeAgency, folder); err != nil {
		return nil, fmt.Errorf("create journal: %w", err)
	}
	if secretFolder != "" {
		if err := s.store.SetJournalFolder(ctx, docstore.ScopeSecret, secretFolder); err != nil {
			return nil, fmt.Errorf("create journal: %w", err)
		}
	}
	if err := s.store.PublishHistory(ctx); err != nil {
		return nil, err
	}
	return s.StartJournal(ctx, personID, keys, onStatus)
}
