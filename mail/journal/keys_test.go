package journal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"regexp"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	docstore "congvu/docs-store"
)

func TestFingerprint(t *testing.T) {
	pub := msgPub(msgKey(1))
	// Fixed values: a fingerprint an administrator once wrote down must
	// read the same in every later build.
	if got := Fingerprint(pub); got != "SHA256:NHUPmL1Z/PyUbaRaqr6TO+FUpLUJThxKv0KGZQXzyX4" {
		t.Fatalf("Fingerprint %q", got)
	}
	if got := FingerprintGroups(pub); got != "86936 91292 13466 16251 20789 13994 08037 62910" {
		t.Fatalf("FingerprintGroups %q", got)
	}
	groups := regexp.MustCompile(`^[0-9]{5}( [0-9]{5}){7}$`)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		pub, _, _ := ed25519.GenerateKey(rand.Reader)
		fp, g := Fingerprint(pub), FingerprintGroups(pub)
		if len(fp) != len("SHA256:")+43 || fp[:7] != "SHA256:" || !groups.MatchString(g) {
			t.Fatalf("%q %q", fp, g)
		}
		if seen[fp] || seen[g] {
			t.Fatal("two keys, one fingerprint")
		}
		seen[fp], seen[g] = true, true
	}
}

func TestPublicKeyString(t *testing.T) {
	pub := msgPub(msgKey(7))
	s := PublicKeyString(pub)
	for _, in := range []string{s, " " + s + "\n"} {
		got, err := ParsePublicKey(in)
		if err != nil || !got.Equal(pub) {
			t.Fatalf("ParsePublicKey(%q): %v", in, err)
		}
		// docstore reads the directory's keys: both must agree.
		if d, err := docstore.ParsePublicKey(in); err != nil || !bytes.Equal(d, pub) {
			t.Fatalf("docstore.ParsePublicKey(%q): %v", in, err)
		}
	}
	for _, bad := range []string{"", "!!", base64.StdEncoding.EncodeToString(pub[:31]), base64.StdEncoding.EncodeToString(append(pub, 0)), hex.EncodeToString(pub)} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
}

// testKeyStore runs the KeyStore contract against ks.
func testKeyStore(t *testing.T, ks KeyStore, id string) {
	if _, err := ks.Get(id); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Get of nothing: %v", err)
	}
	k := msgKey(9)
	if err := ks.Set(id, k); err != nil {
		t.Fatal(err)
	}
	got, err := ks.Get(id)
	if err != nil || !got.Equal(k) {
		t.Fatalf("Get: %v", err)
	}
	got[0] ^= 1 // a caller's change does not reach the store
	if again, _ := ks.Get(id); !again.Equal(k) {
		t.Fatal("the store shares its key with callers")
	}
	if err := ks.Set(id, k[:32]); err == nil {
		t.Fatal("Set of a short key accepted")
	}
	mixed := append(append(ed25519.PrivateKey{}, k[:32]...), msgPub(msgKey(8))...)
	if err := ks.Set(id, mixed); err == nil {
		t.Fatal("Set of a key whose halves differ accepted")
	}
	if err := ks.Set("", k); err == nil {
		t.Fatal("Set without a person id accepted")
	}
}

func TestMemoryKeys(t *testing.T) {
	testKeyStore(t, MemoryKeys(), "p-1")
}

func TestLoadOrCreateKey(t *testing.T) {
	ks := MemoryKeys()
	k, created, err := LoadOrCreateKey(ks, "p-1")
	if err != nil || !created || len(k) != ed25519.PrivateKeySize {
		t.Fatalf("%v %v", created, err)
	}
	k2, created, err := LoadOrCreateKey(ks, "p-1")
	if err != nil || created || !k2.Equal(k) {
		t.Fatalf("second call: %v %v", created, err)
	}
	// Many at once, on a fresh person: one key, made once.
	var wg sync.WaitGroup
	var made atomic.Int32
	keys := make([]ed25519.PrivateKey, 16)
	for i := range keys {
		wg.Go(func() {
			k, c, err := LoadOrCreateKey(ks, "p-2")
			if err != nil {
				t.Error(err)
			}
			if c {
				made.Add(1)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys {
		if !k.Equal(keys[0]) {
			t.Fatal("callers got different keys")
		}
	}
	if made.Load() != 1 {
		t.Fatalf("%d keys made", made.Load())
	}
}

// fakeKeyring is the go-keyring calls of keyringKeys, in memory.
type fakeKeyring struct {
	mu     sync.Mutex
	m      map[string]string
	getErr error
	setErr error
	drop   bool          // Set succeeds and keeps nothing
	block  chan struct{} // non-nil: calls wait on it
	sets   int
}

func (f *fakeKeyring) store(timeout time.Duration) keyringKeys {
	return keyringKeys{service: keyringService, timeout: timeout, bus: func() error { return nil },
		get: func(service, user string) (string, error) {
			if f.block != nil {
				<-f.block
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.getErr != nil {
				return "", f.getErr
			}
			s, ok := f.m[service+"/"+user]
			if !ok {
				return "", keyring.ErrNotFound
			}
			return s, nil
		},
		set: func(service, user, secret string) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.sets++
			if f.setErr != nil {
				return f.setErr
			}
			if !f.drop {
				f.m[service+"/"+user] = secret
			}
			return nil
		}}
}

func TestKeyringKeysFake(t *testing.T) {
	f := &fakeKeyring{m: map[string]string{}}
	ks := f.store(time.Second)
	testKeyStore(t, ks, "p-1")
	// What goes in the keyring: the seed, base64, under our service.
	if s := f.m["congvu-journal-key/p-1"]; s != base64.StdEncoding.EncodeToString(msgKey(9).Seed()) {
		t.Fatalf("stored %q", s)
	}

	// Something unreadable stored: an error, and never a new key over it.
	f.m["congvu-journal-key/p-2"] = "not a key"
	if _, err := ks.Get("p-2"); err == nil || errors.Is(err, ErrNoKey) {
		t.Fatalf("corrupt key: %v", err)
	}
	sets := f.sets
	if _, _, err := LoadOrCreateKey(ks, "p-2"); err == nil || f.sets != sets {
		t.Fatalf("LoadOrCreateKey over a corrupt key: %v (%d sets)", err, f.sets-sets)
	}

	// The keyring failing, or not answering: ErrNoKeyring, and no key made.
	f.getErr = errors.New("org.freedesktop.Secret.Error.IsLocked")
	if _, err := ks.Get("p-1"); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("locked: %v", err)
	}
	if _, _, err := LoadOrCreateKey(ks, "p-3"); !errors.Is(err, ErrNoKeyring) || f.sets != sets {
		t.Fatalf("LoadOrCreateKey, keyring locked: %v", err)
	}
	f.getErr, f.setErr = nil, errors.New("prompt dismissed")
	if err := ks.Set("p-1", msgKey(1)); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Set: %v", err)
	}
	f.setErr = nil
	f.block = make(chan struct{})
	defer close(f.block)
	start := time.Now()
	if _, err := f.store(50 * time.Millisecond).Get("p-1"); !errors.Is(err, ErrNoKeyring) || time.Since(start) > 5*time.Second {
		t.Fatalf("blocked keyring: %v after %v", err, time.Since(start))
	}
}

func TestKeyringKeysNoBus(t *testing.T) {
	called := false
	ks := keyringKeys{service: keyringService, timeout: time.Second, bus: func() error { return sessionBusErr },
		get: func(string, string) (string, error) { called = true; return "", nil },
		set: func(string, string, string) error { called = true; return nil }}
	if _, err := ks.Get("p"); !errors.Is(err, ErrNoKeyring) {
		t.Fatal(err)
	}
	if err := ks.Set("p", msgKey(1)); !errors.Is(err, ErrNoKeyring) {
		t.Fatal(err)
	}
	if called {
		t.Fatal("the keyring was called without a bus")
	}
}

var sessionBusErr = errors.Join(ErrNoKeyring, errors.New("no bus"))

func TestLoadOrCreateKeyDroppingStore(t *testing.T) {
	f := &fakeKeyring{m: map[string]string{}, drop: true}
	if _, _, err := LoadOrCreateKey(f.store(time.Second), "p-1"); err == nil {
		t.Fatal("a keyring that keeps nothing went unnoticed")
	}
}

// TestKeyringKeysReal uses the OS keyring: only on request, since it may
// show an unlock prompt and leaves a trace in the keyring's log.
func TestKeyringKeysReal(t *testing.T) {
	if os.Getenv("CONGVU_KEYRING") != "real" {
		t.Skip("uses the OS keyring (it may prompt to unlock it); set CONGVU_KEYRING=real to run")
	}
	if KeyringKeys().(keyringKeys).service != "congvu-journal-key" {
		t.Fatal("service name changed: keys stored before would be lost")
	}
	var b [6]byte
	rand.Read(b[:])
	id := "test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		keyring.Delete(keyringService, id)
		keyring.Delete(keyringService, id+"-new")
	})
	ks := KeyringKeys()
	testKeyStore(t, ks, id)
	k, created, err := LoadOrCreateKey(ks, id+"-new")
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	k2, created, err := LoadOrCreateKey(KeyringKeys(), id+"-new")
	if err != nil || created || !k2.Equal(k) {
		t.Fatalf("load: %v %v", created, err)
	}
}

// Without a session bus, KeyringKeys says ErrNoKeyring at once, and does
// not let the D-Bus library launch a bus of its own.
func TestKeyringKeysNoSessionBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the session bus check is for the Secret Service platforms")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	start := time.Now()
	if _, err := KeyringKeys().Get("p-1"); !errors.Is(err, ErrNoKeyring) || time.Since(start) > 5*time.Second {
		t.Fatalf("Get: %v after %v", err, time.Since(start))
	}
	if _, _, err := LoadOrCreateKey(KeyringKeys(), "p-1"); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("LoadOrCreateKey: %v", err)
	}
}
