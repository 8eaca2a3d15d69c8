package journal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/zalando/go-keyring"

	"congvu/mail/account"
)

// KeyStore keeps each person's Ed25519 signing key on this workstation.
type KeyStore interface {
	// Get returns the person's key: ErrNoKey when none is stored,
	// ErrNoKeyring when the keyring cannot be reached.
	Get(personID string) (ed25519.PrivateKey, error)
	// Set stores (or replaces) the person's key.
	Set(personID string, k ed25519.PrivateKey) error
}

// keyringService is the service attribute of the keys in the OS keyring
// (user = the person id): secret-tool lookup service congvu-journal-key
// username <id>. The secret is the 32-byte seed, standard base64.
const keyringService = "congvu-journal-key"

// How long a keyring call may take before it counts as ErrNoKeyring: the
// Secret Service may be showing its unlock prompt, hence the generous
// bound (as mail/account does). A call that times out is abandoned.
var keyringTimeout = 2 * time.Minute

// KeyringKeys is the OS keyring (Secret Service, Keychain, Credential
// Manager) through github.com/zalando/go-keyring. On Linux, without a
// session bus it returns ErrNoKeyring at once rather than let the D-Bus
// library launch a bus of its own.
func KeyringKeys() KeyStore {
	return keyringKeys{service: keyringService, timeout: keyringTimeout, get: keyring.Get, set: keyring.Set, bus: account.SessionBusPresent}
}

// keyringKeys has its calls as fields so that tests can put a blocking or
// failing keyring in.
type keyringKeys struct {
	service string
	timeout time.Duration
	get     func(service, user string) (string, error)
	set     func(service, user, secret string) error
	bus     func() error
}

func (k keyringKeys) Get(personID string) (ed25519.PrivateKey, error) {
	if personID == "" {
		return nil, errors.New("journal: keyring: no person id")
	}
	s, err := keyringCall(k, func() (string, error) { return k.get(k.service, personID) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, fmt.Errorf("%w for %s", ErrNoKey, personID)
	}
	if err != nil {
		return nil, noKeyring(err)
	}
	seed, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(seed) != ed25519.SeedSize {
		// Not ErrNoKey: a caller must not take this as leave to make a
		// new key over the one the directory binds to this person.
		return nil, fmt.Errorf("journal: keyring: the key stored for %s is unreadable", personID)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func (k keyringKeys) Set(personID string, key ed25519.PrivateKey) error {
	if personID == "" {
		return errors.New("journal: keyring: no person id")
	}
	if err := checkPrivate(key); err != nil {
		return err
	}
	secret := base64.StdEncoding.EncodeToString(key.Seed())
	_, err := keyringCall(k, func() (struct{}, error) { return struct{}{}, k.set(k.service, personID, secret) })
	if err != nil {
		return noKeyring(err)
	}
	return nil
}

func noKeyring(err error) error {
	if errors.Is(err, ErrNoKeyring) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrNoKeyring, err)
}

// keyringCall runs f (a go-keyring call, which can block on a D-Bus
// prompt forever) with k's time limit.
func keyringCall[T any](k keyringKeys, f func() (T, error)) (T, error) {
	return account.KeyringCall(k.timeout, k.bus, f)
}

// MemoryKeys keeps keys in memory, for tests and for a run without a
// keyring (the key is then lost at exit).
func MemoryKeys() KeyStore { return &memoryKeys{m: map[string][]byte{}} }

type memoryKeys struct {
	mu sync.Mutex
	m  map[string][]byte // person id → seed
}

func (m *memoryKeys) Get(personID string) (ed25519.PrivateKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	seed, ok := m.m[personID]
	if !ok {
		return nil, fmt.Errorf("%w for %s", ErrNoKey, personID)
	}
	return ed25519.NewKeyFromSeed(seed), nil // a copy: callers cannot alter the stored key
}

func (m *memoryKeys) Set(personID string, k ed25519.PrivateKey) error {
	if personID == "" {
		return errors.New("journal: keys: no person id")
	}
	if err := checkPrivate(k); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m[personID] = bytes.Clone(k.Seed())
	return nil
}

// checkPrivate refuses a key whose public half is not its seed's: it
// would sign with one key and announce another.
func checkPrivate(k ed25519.PrivateKey) error {
	if len(k) != ed25519.PrivateKeySize || !bytes.Equal(ed25519.NewKeyFromSeed(k.Seed()), k) {
		return errors.New("journal: malformed Ed25519 private key")
	}
	return nil
}

// createMu makes LoadOrCreateKey's look-then-create one step within this
// process: two callers must not each make (and one lose) a key.
var createMu sync.Mutex

// LoadOrCreateKey returns the person's key from ks, making and storing a
// new one (created true) when none is stored. Only ErrNoKey leads to a new
// key: when the keyring cannot be reached, or holds something unreadable,
// the error is returned, since a new key would not be the one the
// directory binds to the person. A new key is read back before it is
// returned, so a keyring that silently keeps nothing is noticed now and
// not at the next start.
func LoadOrCreateKey(ks KeyStore, personID string) (ed25519.PrivateKey, bool, error) {
	createMu.Lock()
	defer createMu.Unlock()
	k, err := ks.Get(personID)
	if err == nil {
		return k, false, nil
	}
	if !errors.Is(err, ErrNoKey) {
		return nil, false, fmt.Errorf("journal: load key of %s: %w", personID, err)
	}
	_, k, err = ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, fmt.Errorf("journal: new key: %w", err)
	}
	if err := ks.Set(personID, k); err != nil {
		return nil, false, fmt.Errorf("journal: save new key of %s: %w", personID, err)
	}
	back, err := ks.Get(personID)
	if err != nil {
		return nil, false, fmt.Errorf("journal: read back new key of %s: %w", personID, err)
	}
	if !bytes.Equal(back, k) {
		return nil, false, fmt.Errorf("journal: the key store returned another key than the one saved for %s", personID)
	}
	return k, true, nil
}
