package account

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"congvu/docs-store"
	"congvu/mail/mailtest"
)

// stubResolver answers from a fixed table and never asks DNS: an unknown
// name is "no such host".
type stubResolver struct {
	mu    sync.Mutex
	hosts map[string][]string
	asked []string
}

func (r *stubResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	r.mu.Lock()
	r.asked = append(r.asked, host)
	r.mu.Unlock()
	if a, ok := r.hosts[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// noDNS fails the test if the dialer would use the real resolver.
var noDNS = &stubResolver{}

// variants of an account: IMAP and SMTP each over STARTTLS and implicit TLS.
type variant struct {
	name string
	set  func(a *docstore.MailAccount, e *mailtest.Env)
	imap bool
}

var variants = []variant{
	{"imap-starttls", func(a *docstore.MailAccount, e *mailtest.Env) {
		a.IMAPSecurity, a.IMAPPort = docstore.SecurityStartTLS, e.IMAPPort
	}, true},
	{"imap-tls", func(a *docstore.MailAccount, e *mailtest.Env) {
		a.IMAPSecurity, a.IMAPPort = docstore.SecurityTLS, e.IMAPSPort
	}, true},
	{"smtp-starttls", func(a *docstore.MailAccount, e *mailtest.Env) {
		a.SMTPSecurity, a.SMTPPort = docstore.SecurityStartTLS, e.SubmissionPort
	}, false},
	{"smtp-tls", func(a *docstore.MailAccount, e *mailtest.Env) {
		a.SMTPSecurity, a.SMTPPort = docstore.SecurityTLS, e.SubmissionsPort
	}, false},
}

// dial connects the variant's server and logs out again.
func dial(ctx context.Context, d Dialer, v variant, a docstore.MailAccount, pw string) error {
	if v.imap {
		c, err := d.IMAP(ctx, a, pw, nil)
		if err != nil {
			return err
		}
		defer c.Close()
		if s := c.State(); s != imap.ConnStateAuthenticated {
			return fmt.Errorf("state %v after login", s)
		}
		return c.Logout().Wait()
	}
	c, err := d.SMTP(ctx, a, pw)
	if err != nil {
		return err
	}
	return c.Quit()
}

func TestConnectTLSAndStartTLS(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			a := e.Account("specialist")
			v.set(&a, e)
			if err := dial(context.Background(), Dialer{Resolver: noDNS}, v, a, e.Password("specialist")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The SMTP client is ready to send: a message submitted over each variant
// arrives.
func TestSMTPSubmits(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	u := e.FreshUser(t)
	for _, v := range variants[2:] {
		a := e.Account(u)
		v.set(&a, e)
		c, err := Dialer{Resolver: noDNS}.SMTP(context.Background(), a, e.Password(u))
		if err != nil {
			t.Fatal(err)
		}
		tok := mailtest.Token()
		msg := "From: " + a.Address + "\r\nTo: " + a.Address + "\r\nSubject: " + v.name + " " + tok + "\r\nMessage-ID: <" + tok + "@agency.test>\r\n\r\nXin chào\r\n"
		if err := c.SendMail(a.Address, []string{a.Address}, strings.NewReader(msg)); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		c.Quit()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		out := e.Doveadm(t, "-f", "flow", "mailbox", "status", "-u", mailtest.Address(u), "messages", "INBOX")
		if strings.Contains(out, "messages=2") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("2 messages expected in %s's INBOX: %s", u, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func opensslFingerprint(t *testing.T, file string) string {
	out, err := exec.Command("openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", file).Output()
	if err != nil {
		t.Fatalf("openssl: %v", err)
	}
	_, fp, ok := strings.Cut(strings.TrimSpace(string(out)), "=")
	if !ok {
		t.Fatalf("openssl printed %q", out)
	}
	return fp
}

func TestUntrustedCertificate(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	want := opensslFingerprint(t, e.CA)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			a := e.Account("specialist")
			v.set(&a, e)
			a.CAPEM = ""
			pw := e.Password("specialist")
			err := dial(context.Background(), Dialer{Resolver: noDNS}, v, a, pw)
			var ce *ConnError
			var u *UntrustedCertError
			if !errors.As(err, &ce) || !errors.As(err, &u) {
				t.Fatalf("want *ConnError with *UntrustedCertError, got %T %v", err, err)
			}
			if !errors.Is(err, ErrTLS) {
				t.Errorf("errors.Is(err, ErrTLS) = false: %v", err)
			}
			if u.Fingerprint != want {
				t.Errorf("fingerprint %s, openssl says %s", u.Fingerprint, want)
			}
			if u.HostMismatch || u.Expired || u.Host != "127.0.0.1" || !strings.Contains(u.Subject, "localhost") {
				t.Errorf("unexpected details: %+v", u)
			}
			if !strings.Contains(strings.Join(u.Names, " "), "127.0.0.1") {
				t.Errorf("names %v", u.Names)
			}
			if strings.Contains(err.Error(), pw) {
				t.Errorf("the password is in the error: %v", err)
			}
			// The user trusts what was shown: the same connection now works.
			a.CAPEM = u.PEM
			if err := dial(context.Background(), Dialer{Resolver: noDNS}, v, a, pw); err != nil {
				t.Fatalf("after trusting the presented certificate: %v", err)
			}
		})
	}
}

// A name the certificate does not carry: trusting it would not help.
func TestCertificateHostMismatch(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	r := &stubResolver{hosts: map[string][]string{"mail.agency.test": {"127.0.0.1"}}}
	a := e.Account("specialist")
	a.IMAPHost = "mail.agency.test"
	_, err := Dialer{Resolver: r}.IMAP(context.Background(), a, e.Password("specialist"), nil)
	var u *UntrustedCertError
	if !errors.As(err, &u) || !u.HostMismatch {
		t.Fatalf("want an UntrustedCertError with HostMismatch, got %v", err)
	}
	if len(r.asked) != 1 || r.asked[0] != "mail.agency.test" {
		t.Errorf("resolver asked %v", r.asked)
	}
}

func TestWrongPassword(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	const wrong = "Sai-Mat-Khau-7d1e"
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			a := e.Account("specialist")
			v.set(&a, e)
			err := dial(context.Background(), Dialer{Resolver: noDNS}, v, a, wrong)
			var ce *ConnError
			if !errors.Is(err, ErrAuthFailed) || !errors.As(err, &ce) {
				t.Fatalf("want ErrAuthFailed in a *ConnError, got %T %v", err, err)
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", ce)} {
				if strings.Contains(s, wrong) {
					t.Errorf("the password is in the error text: %s", s)
				}
			}
			if ce.Server != map[bool]string{true: "imap", false: "smtp"}[v.imap] || ce.Host != "127.0.0.1" {
				t.Errorf("ConnError %+v", ce)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	a := e.Account("manager")
	d := Dialer{Resolver: noDNS}
	if r := d.Check(context.Background(), a, e.Password("manager")); !r.OK() {
		t.Fatalf("Check: %+v", r)
	}
	r := d.Check(context.Background(), a, "sai")
	if !errors.Is(r.IMAP, ErrAuthFailed) || !errors.Is(r.SMTP, ErrAuthFailed) {
		t.Fatalf("Check with a wrong password: %+v", r)
	}
}

func TestPortClosed(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	for _, v := range variants {
		a := e.Account("specialist")
		v.set(&a, e)
		port := mailtest.FreePort(t)
		a.IMAPPort, a.SMTPPort = port, port
		err := dial(context.Background(), Dialer{Resolver: noDNS}, v, a, "x")
		var ce *ConnError
		if !errors.Is(err, ErrPortClosed) || !errors.As(err, &ce) || ce.Port != port {
			t.Errorf("%s: want ErrPortClosed on port %d, got %v", v.name, port, err)
		}
	}
}

func TestHostNotFound(t *testing.T) {
	t.Parallel()
	r := &stubResolver{}
	a := docstore.MailAccount{Address: "a@agency.test", IMAPHost: "mail.khong-co.test", IMAPPort: 993, IMAPSecurity: docstore.SecurityTLS,
		SMTPHost: "smtp.khong-co.test", SMTPPort: 465, SMTPSecurity: docstore.SecurityTLS}
	res := Dialer{Resolver: r}.Check(context.Background(), a, "x")
	if !errors.Is(res.IMAP, ErrHostNotFound) || !errors.Is(res.SMTP, ErrHostNotFound) {
		t.Fatalf("want ErrHostNotFound: %+v", res)
	}
	if len(r.asked) != 2 {
		t.Errorf("resolver asked %v", r.asked)
	}
	// An empty host name is the same mistake.
	a.IMAPHost = " "
	if _, err := (Dialer{Resolver: r}).IMAP(context.Background(), a, "x", nil); !errors.Is(err, ErrHostNotFound) {
		t.Errorf("empty host: %v", err)
	}
	// A resolver that does not answer: a timeout.
	start := time.Now()
	_, err := Dialer{Resolver: hangResolver{}, Timeout: 200 * time.Millisecond}.IMAP(context.Background(), a2(), "x", nil)
	if !errors.Is(err, ErrTimeout) || time.Since(start) > 3*time.Second {
		t.Errorf("hanging resolver: %v after %v", err, time.Since(start))
	}
}

func a2() docstore.MailAccount {
	return docstore.MailAccount{Address: "a@agency.test", IMAPHost: "mail.cham.test", IMAPPort: 993, IMAPSecurity: docstore.SecurityTLS}
}

// hangResolver answers only when its context ends.
type hangResolver struct{}

func (hangResolver) LookupHost(ctx context.Context, host string) ([]string, error) {
	<-ctx.Done()
	return nil, &net.DNSError{Err: ctx.Err().Error(), Name: host, IsTimeout: true}
}

// silentServer accepts connections and never says anything.
func silentServer(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return l.Addr().(*net.TCPAddr).Port
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	port := silentServer(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			a := docstore.MailAccount{Address: "a@agency.test", IMAPHost: "127.0.0.1", SMTPHost: "127.0.0.1"}
			v.set(&a, &mailtest.Env{})
			a.IMAPPort, a.SMTPPort = port, port
			start := time.Now()
			err := dial(context.Background(), Dialer{Resolver: noDNS, Timeout: 300 * time.Millisecond}, v, a, "x")
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("want ErrTimeout, got %v", err)
			}
			if el := time.Since(start); el > 3*time.Second {
				t.Errorf("took %v", el)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	t.Parallel()
	port := silentServer(t)
	a := docstore.MailAccount{Address: "a@agency.test", IMAPHost: "127.0.0.1", IMAPPort: port, IMAPSecurity: docstore.SecurityStartTLS}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := Dialer{Resolver: noDNS}.IMAP(ctx, a, "x", nil)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 3*time.Second {
		t.Fatalf("want context.Canceled soon, got %v after %v", err, time.Since(start))
	}
	// A context deadline counts as a timeout.
	ctx, cancel = context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = Dialer{Resolver: noDNS}.IMAP(ctx, a, "x", nil)
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("want ErrTimeout, got %v", err)
	}
}

// Wrong ports: the protocol does not match what answers.
func TestWrongService(t *testing.T) {
	t.Parallel()
	e := mailtest.Shared(t)
	d := Dialer{Resolver: noDNS, Timeout: 5 * time.Second}
	// SMTP STARTTLS on the relay port: TLS works, but AUTH is not offered.
	a := e.Account("specialist")
	a.SMTPPort = e.SMTPPort
	if _, err := d.SMTP(context.Background(), a, e.Password("specialist")); !errors.Is(err, ErrProtocol) {
		t.Errorf("smtp on the relay port: want ErrProtocol, got %v", err)
	}
	// IMAP on an SMTP port.
	a = e.Account("specialist")
	a.IMAPPort = e.SubmissionPort
	if _, err := d.IMAP(context.Background(), a, e.Password("specialist"), nil); !errors.Is(err, ErrProtocol) {
		t.Errorf("imap on the submission port: want ErrProtocol, got %v", err)
	}
	// Implicit TLS on the STARTTLS port: the server sends its plain greeting.
	a = e.Account("specialist")
	a.IMAPSecurity = docstore.SecurityTLS
	if _, err := d.IMAP(context.Background(), a, e.Password("specialist"), nil); !errors.Is(err, ErrTLS) {
		t.Errorf("imap TLS on the STARTTLS port: want ErrTLS, got %v", err)
	}
}

func TestTLSConfig(t *testing.T) {
	c, err := TLSConfig(docstore.MailAccount{}, "mail.agency.test")
	if err != nil || c.ServerName != "mail.agency.test" || c.InsecureSkipVerify || c.MinVersion < 0x0303 || c.RootCAs == nil {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := TLSConfig(docstore.MailAccount{CAPEM: "not a certificate"}, "h"); !errors.Is(err, ErrTLS) {
		t.Errorf("garbage CAPEM: %v", err)
	}
}

// An account's own certificates are tried first, alone; the system's roots
// only when they do not know the issuer. A server whose CA is in the system
// store connects although CAPEM holds another CA (the agency's, say), and a
// server in neither is refused with the fingerprint to show. The system
// store is made of the test server's CA (SSL_CERT_FILE) in a child process:
// Go reads the system roots once per process.
func TestSystemRootsAfterOwnCertificates(t *testing.T) {
	mode := os.Getenv("CONGVU_TEST_SYSTEM_ROOTS")
	e := mailtest.Shared(t)
	if mode == "" {
		for _, c := range []struct{ mode, file string }{{"trusted", e.CA}, {"untrusted", filepath.Join(t.TempDir(), "none.pem")}} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSystemRootsAfterOwnCertificates$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "CONGVU_TEST_SYSTEM_ROOTS="+c.mode, "SSL_CERT_FILE="+c.file, "SSL_CERT_DIR="+t.TempDir())
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "--- PASS") {
				t.Errorf("%s: %v\n%s", c.mode, err, out)
			}
		}
		return
	}
	other := otherCA(t)
	for _, v := range variants {
		a := e.Account("specialist")
		v.set(&a, e)
		a.CAPEM = other
		err := dial(context.Background(), Dialer{Resolver: noDNS}, v, a, e.Password("specialist"))
		var u *UntrustedCertError
		switch {
		case mode == "trusted" && err != nil:
			t.Errorf("%s: CA in the system store, another in CAPEM: %v", v.name, err)
		case mode == "untrusted" && !errors.As(err, &u):
			t.Errorf("%s: CA in neither: want *UntrustedCertError, got %T %v", v.name, err, err)
		}
	}
}

// otherCA is a CA certificate (PEM) that signed nothing the tests see.
func otherCA(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Another agency CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
