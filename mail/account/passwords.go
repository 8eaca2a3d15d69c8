package account

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Passwords keeps the password of each account (by MailAccount.ID). The
// account row itself never holds it.
type Passwords interface {
	// Get returns the saved password; ErrNoPassword when none is saved,
	// ErrNoKeyring when the keyring cannot be reached.
	Get(accountID string) (string, error)
	// Set saves (or replaces) the password.
	Set(accountID, password string) error
	// Delete forgets the password; forgetting one that is not saved is not
	// an error.
	Delete(accountID string) error
}

var (
	// ErrNoPassword: no password is saved for this account (Get). The
	// window asks for it.
	ErrNoPassword = errors.New("no saved password")
	// ErrNoKeyring: no OS keyring can be used — no Secret Service on the
	// session D-Bus (or no session bus at all), a locked keyring whose
	// unlock prompt was dismissed or cannot be shown, a call that did not
	// come back in time. The window offers "ask at each start" instead.
	ErrNoKeyring = errors.New("no usable keyring (Secret Service)")
)

// keyringService is the service attribute of every item Công vụ stores
// (user attribute = the account ID), as seen by seahorse / secret-tool:
// secret-tool lookup service congvu username <id>.
const keyringService = "congvu"

// How long a keyring call may take before it counts as ErrNoKeyring. The
// Secret Service may show an unlock prompt to the user, hence the generous
// bound. A call that times out is abandoned (its goroutine ends when the
// keyring answers, if ever).
var (
	keyringTimeout = 2 * time.Minute
	probeTimeout   = 20 * time.Second
)

// Keyring is the OS keyring: the freedesktop Secret Service (GNOME Keyring,
// KWallet) on Linux, the Keychain on macOS, the Credential Manager on
// Windows, through github.com/zalando/go-keyring. Items have the service
// "congvu" and the account ID as user.
//
// On Linux it first checks that a session bus is there at all
// (DBUS_SESSION_BUS_ADDRESS, or $XDG_RUNTIME_DIR/bus): without one the
// D-Bus library would launch a bus of its own with dbus-launch, which the
// keyring would not be on anyway; ErrNoKeyring is returned instead.
func Keyring() Passwords { return keyringPasswords{service: keyringService, timeout: keyringTimeout} }

type keyringPasswords struct {
	service string
	timeout time.Duration
}

func (k keyringPasswords) Get(accountID string) (string, error) {
	pw, err := keyringCall(k.timeout, func() (string, error) { return keyring.Get(k.service, accountID) })
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrNoPassword
	}
	if err != nil {
		return "", noKeyring(err)
	}
	return pw, nil
}

func (k keyringPasswords) Set(accountID, password string) error {
	_, err := keyringCall(k.timeout, func() (struct{}, error) { return struct{}{}, keyring.Set(k.service, accountID, password) })
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		return fmt.Errorf("keyring: password too long: %w", err)
	}
	if err != nil {
		return noKeyring(err)
	}
	return nil
}

func (k keyringPasswords) Delete(accountID string) error {
	_, err := keyringCall(k.timeout, func() (struct{}, error) { return struct{}{}, keyring.Delete(k.service, accountID) })
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return noKeyring(err)
}

// KeyringAvailable says whether Keyring() works here: nil, or an error
// wrapping ErrNoKeyring. It saves, reads back and deletes a throw-away item
// (service "congvu-probe"). It may show the keyring's unlock prompt.
func KeyringAvailable() error {
	var b [8]byte
	rand.Read(b[:])
	user := "probe-" + hex.EncodeToString(b[:])
	k := keyringPasswords{service: keyringService + "-probe", timeout: probeTimeout}
	const secret = "congvu keyring probe"
	if err := k.Set(user, secret); err != nil {
		return noKeyring(err)
	}
	defer k.Delete(user)
	got, err := k.Get(user)
	if err != nil {
		return noKeyring(err)
	}
	if got != secret {
		return fmt.Errorf("%w: the keyring returned another secret than the one saved", ErrNoKeyring)
	}
	return nil
}

func noKeyring(err error) error {
	if errors.Is(err, ErrNoKeyring) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrNoKeyring, err)
}

// keyringCall runs f (a go-keyring call, which can block on a D-Bus prompt
// forever) with a time limit.
func keyringCall[T any](timeout time.Duration, f func() (T, error)) (T, error) {
	return KeyringCall(timeout, checkBus, f)
}

// KeyringCall runs f, a call into the OS keyring, once bus says a session
// bus is there, and gives up after timeout with ErrNoKeyring (the call is
// abandoned; its goroutine ends when the keyring answers, if ever). For
// every keyring user of the program: passwords here, journal keys.
func KeyringCall[T any](timeout time.Duration, bus func() error, f func() (T, error)) (T, error) {
	var zero T
	if err := bus(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := f()
		ch <- result{v, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-t.C:
		return zero, fmt.Errorf("%w: no answer from the keyring within %v", ErrNoKeyring, timeout)
	}
}

// checkBus is SessionBusPresent; the tests with keyring.MockInit replace it.
var checkBus = SessionBusPresent

// SessionBusPresent: on the Secret Service platforms, a session bus address
// must be known; otherwise godbus would run dbus-launch (a stray daemon,
// without the keyring on it anyway). ErrNoKeyring when there is none.
func SessionBusPresent() error {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js", "wasip1", "plan9":
		return nil
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		if fi, err := os.Stat(filepath.Join(d, "bus")); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)", ErrNoKeyring)
}

// Memory keeps passwords for this run only ("ask at each start",
// docstore.PasswordAsk): nothing is written anywhere.
func Memory() Passwords { return &memoryPasswords{m: map[string]string{}} }

type memoryPasswords struct {
	mu sync.Mutex
	m  map[string]string
}

func (p *memoryPasswords) Get(accountID string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pw, ok := p.m[accountID]
	if !ok {
		return "", ErrNoPassword
	}
	return pw, nil
}

func (p *memoryPasswords) Set(accountID, password string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.m[accountID] = password
	return nil
}

func (p *memoryPasswords) Delete(accountID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, accountID)
	return nil
}
