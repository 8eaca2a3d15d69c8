package account

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"congvu/mail/mailtest"
)

func TestMemoryPasswords(t *testing.T) {
	p := Memory()
	if _, err := p.Get("a"); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("empty: %v", err)
	}
	if err := p.Set("a", "mật khẩu"); err != nil {
		t.Fatal(err)
	}
	if pw, err := p.Get("a"); err != nil || pw != "mật khẩu" {
		t.Fatalf("%q %v", pw, err)
	}
	if err := p.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if err := p.Delete("a"); err != nil {
		t.Fatal("deleting twice:", err)
	}
	if _, err := p.Get("a"); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("after Delete: %v", err)
	}
}

// mockKeyring replaces the OS keyring for this process (keyring.MockInit
// cannot be undone: the real keyring is tested in child processes).
func mockKeyring(t *testing.T, err error) {
	if err == nil {
		keyring.MockInit()
	} else {
		keyring.MockInitWithError(err)
	}
	old := checkBus
	checkBus = func() error { return nil }
	t.Cleanup(func() { checkBus = old })
}

func TestKeyringMock(t *testing.T) {
	mockKeyring(t, nil)
	k := Keyring()
	if _, err := k.Get("acc1"); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("missing: %v", err)
	}
	if err := k.Set("acc1", "pw1"); err != nil {
		t.Fatal(err)
	}
	if err := k.Set("acc1", "pw2"); err != nil {
		t.Fatal(err)
	}
	if pw, err := k.Get("acc1"); err != nil || pw != "pw2" {
		t.Fatalf("%q %v", pw, err)
	}
	if err := k.Delete("acc1"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("acc1"); err != nil {
		t.Fatal("deleting a missing item:", err)
	}
	if _, err := k.Get("acc1"); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("after Delete: %v", err)
	}
	if err := KeyringAvailable(); err != nil {
		t.Fatal(err)
	}
}

func TestKeyringMockFailure(t *testing.T) {
	mockKeyring(t, errors.New("org.freedesktop.DBus.Error.ServiceUnknown"))
	k := Keyring()
	if _, err := k.Get("acc1"); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Get: %v", err)
	}
	if err := k.Set("acc1", "x"); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Set: %v", err)
	}
	if err := k.Delete("acc1"); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Delete: %v", err)
	}
	if err := KeyringAvailable(); !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("KeyringAvailable: %v", err)
	}
}

// runChild runs TestKeyringChild in a new process of this test binary
// (go-keyring and godbus keep process-wide state: the mock provider, the
// cached session bus connection) with mode and extra environment.
func runChild(t *testing.T, mode string, env ...string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeyringChild$", "-test.v", "-test.count=1")
	cmd.Env = append(append(os.Environ(), "CONGVU_KEYRING_CHILD="+mode), env...)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyringChild") {
		t.Fatalf("child %s: %v\n%s", mode, err, out)
	}
}

// TestKeyringReal uses the Secret Service of make test (gnome-keyring on a
// private session bus, CONGVU_KEYRING=real).
func TestKeyringReal(t *testing.T) {
	t.Parallel()
	if os.Getenv("CONGVU_KEYRING") != "real" {
		t.Skip("SKIP: CONGVU_KEYRING is not \"real\" (make test starts gnome-keyring on a private D-Bus session)")
	}
	runChild(t, "real")
}

// Without a reachable session bus, the keyring is ErrNoKeyring — and no
// dbus-launch is started behind our back.
func TestKeyringNoBus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runChild(t, "nobus", "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-such-socket"))
	runChild(t, "nobus", "DBUS_SESSION_BUS_ADDRESS=", "XDG_RUNTIME_DIR="+dir)
}

func TestKeyringChild(t *testing.T) {
	switch os.Getenv("CONGVU_KEYRING_CHILD") {
	case "":
		t.Skip("only run by TestKeyringReal and TestKeyringNoBus")
	case "real":
		if err := KeyringAvailable(); err != nil {
			t.Fatal("KeyringAvailable:", err)
		}
		k := Keyring()
		id := "test-" + mailtest.Token()
		if _, err := k.Get(id); !errors.Is(err, ErrNoPassword) {
			t.Fatalf("Get of a missing item: %v", err)
		}
		if err := k.Set(id, "mật khẩu 1"); err != nil {
			t.Fatal(err)
		}
		if err := k.Set(id, "mật khẩu 2"); err != nil {
			t.Fatal(err)
		}
		if pw, err := k.Get(id); err != nil || pw != "mật khẩu 2" {
			t.Fatalf("Get: %q %v", pw, err)
		}
		if err := k.Delete(id); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get(id); !errors.Is(err, ErrNoPassword) {
			t.Fatalf("Get after Delete: %v", err)
		}
		if err := k.Delete(id); err != nil {
			t.Fatal("Delete of a missing item:", err)
		}
	case "nobus":
		if err := KeyringAvailable(); !errors.Is(err, ErrNoKeyring) {
			t.Fatalf("KeyringAvailable: %v", err)
		}
		if _, err := Keyring().Get("x"); !errors.Is(err, ErrNoKeyring) {
			t.Fatalf("Get: %v", err)
		}
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" && !strings.HasPrefix(os.Getenv("DBUS_SESSION_BUS_ADDRESS"), "unix:path=") {
			t.Fatalf("a session bus was launched: DBUS_SESSION_BUS_ADDRESS=%s", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		}
	}
}
