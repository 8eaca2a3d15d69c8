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
	p, err := s.person(ctx, personID)
	if err != nil {
		return docstore.MailAccount{}, err
	}
	for _, a := range accts {
		if p.Email != "" && strings.EqualFold(a.Address, p.Email) {
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

// keyNames are the keyring entries a person's journal key may be under,
// the first being where a new key goes: the e-mail address in lower case
// (a newcomer makes the key while joining, before the directory gives them
// an id; the administrator binds it to the person by address), else the
// person id (a person without an address, or a key made under the id).
func keyNames(email, personID string) []string {
	var names []string
	if e := strings.ToLower(strings.TrimSpace(email)); e != "" {
		names = append(names, e)
	}
	if personID != "" {
		names = append(names, personID)
	}
	return names
}

// JournalKey loads the journal key of the person with this e-mail address
// and id (either may be empty) from keys, or makes one under the address
// when none is stored under either.
func JournalKey(keys journal.KeyStore, email, personID string) (PersonKey, error) {
	names := keyNames(email, personID)
	if len(names) == 0 {
		return PersonKey{}, errors.New("journal key: no e-mail address and no person id")
	}
	for _, name := range names {
		k, err := keys.Get(name)
		if err == nil {
			return personKey(k, false), nil
		}
		if !errors.Is(err, journal.ErrNoKey) {
			return PersonKey{}, err
		}
	}
	k, created, err := journal.LoadOrCreateKey(keys, names[0])
	if err != nil {
		return PersonKey{}, err
	}
	return personKey(k, created), nil
}

func personKey(k ed25519.PrivateKey, created bool) PersonKey {
	pub := k.Public().(ed25519.PublicKey)
	return PersonKey{Public: journal.PublicKeyString(pub), Fingerprint: journal.Fingerprint(pub), Groups: journal.FingerprintGroups(pub),
		Created: created, private: k}
}

// PersonJournalKey is JournalKey for a person of this store's directory.
func (s *Service) PersonJournalKey(ctx context.Context, keys journal.KeyStore, personID string) (PersonKey, error) {
	p, err := s.person(ctx, personID)
	if err != nil {
		return PersonKey{}, err
	}
	return JournalKey(keys, p.Email, personID)
}

// person is the directory's person of this id; one not (yet) there is a
// person without an address.
func (s *Service) person(ctx context.Context, id string) (docstore.Person, error) {
	people, err := s.store.People(ctx)
	if err != nil {
		return docstore.Person{}, err
	}
	for _, p := range people {
		if p.ID == id {
			return p, nil
		}
	}
	return docstore.Person{ID: id}, nil
}

// DirectoryPerson is the person of the directory with this e-mail address
// (docstore.ErrNotFound when the administrator has not added them yet):
// who a newcomer is once the journal brought the directory.
func (s *Service) DirectoryPerson(ctx context.Context, address string) (docstore.Person, error) {
	people, err := s.store.People(ctx)
	if err != nil {
		return docstore.Person{}, err
	}
	for _, p := range people {
		if p.Email != "" && strings.EqualFold(strings.TrimSpace(p.Email), strings.TrimSpace(address)) {
			return p, nil
		}
	}
	return docstore.Person{}, fmt.Errorf("directory person %s: %w", address, docstore.ErrNotFound)
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
	a, err := s.OwnAccount(ctx, personID)
	if err != nil {
		if _, perr := s.store.Pin(ctx); errors.Is(perr, docstore.ErrNotFound) {
			return nil, journal.ErrNotJoined
		}
		return nil, err
	}
	p, err := s.person(ctx, personID)
	if err != nil {
		return nil, err
	}
	return s.runJournal(ctx, a, keys, p.Email, personID, onStatus)
}

// StartJournalFor starts the journal of a workstation that joined the
// agency (ConfirmJoin) before its user is in its directory: account is the
// newcomer's own, the key the one made for its address (the one they gave
// the administrator). The replicator reads the journal; once the directory
// names the address (DirectoryPerson), the user is that person.
func (s *Service) StartJournalFor(ctx context.Context, a docstore.MailAccount, keys journal.KeyStore, onStatus func(journal.Status)) (*journal.Replicator, error) {
	return s.runJournal(ctx, a, keys, a.Address, "", onStatus)
}

// runJournal starts the replicator with account a and the key of email /
// personID.
func (s *Service) runJournal(ctx context.Context, a docstore.MailAccount, keys journal.KeyStore, email, personID string, onStatus func(journal.Status)) (*journal.Replicator, error) {
	pin, err := s.store.Pin(ctx)
	if errors.Is(err, docstore.ErrNotFound) {
		return nil, journal.ErrNotJoined
	}
	if err != nil {
		return nil, err
	}
	k, err := JournalKey(keys, email, personID)
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
	k, err := s.PersonJournalKey(ctx, keys, personID)
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
