// Package mailtest gives tests real mail servers: the Dovecot + Postfix
// instance of scripts/mailserver on 127.0.0.1 (imported by _test files only).
//
// Shared(t) is the instance `make test` starts once for every package
// (scripts/test.sh exports its values as CONGVU_MAIL_*); Private(t) starts
// one of its own for a test that stops, kills or restarts servers. Without
// a server (a developer running go test directly, not as root) both skip
// the test with the reason — unless CONGVU_REQUIRE_MAIL=1 (make test as
// root, CI), where a missing server fails it.
//
// The environment scripts/test.sh sets:
//
//	CONGVU_MAIL_ROOT              the server's state directory
//	CONGVU_MAIL_CA                its self-signed certificate (PEM file)
//	CONGVU_MAIL_IMAP_PORT         IMAP, STARTTLS (plain LOGIN also allowed)
//	CONGVU_MAIL_IMAPS_PORT        IMAP over implicit TLS
//	CONGVU_MAIL_LMTP_PORT         Dovecot LMTP
//	CONGVU_MAIL_SMTP_PORT         SMTP without AUTH, accepts mail for the test domains
//	CONGVU_MAIL_SUBMISSION_PORT   submission: STARTTLS, then AUTH required
//	CONGVU_MAIL_SUBMISSIONS_PORT  submissions: implicit TLS, AUTH required
//	CONGVU_MAIL_SCRIPTS           absolute path of scripts/mailserver
//	CONGVU_REQUIRE_MAIL=1         a missing server is a failure, not a skip
//	CONGVU_KEYRING=real           a Secret Service (gnome-keyring) is on the session bus
//
// To run mail tests by hand (as root):
//
//	S=$(mktemp -d); eval "$(scripts/mailserver/start.sh $S | sed 's/^/export CONGVU_/')"
//	go test ./mail/...; scripts/mailserver/stop.sh $S --purge
//
// Users: clerk, manager, specialist, bench, big, admin, u01..u24
// @agency.test and alice@other.test; every password is "<local part>pass".
// Shared/VanThu is a public folder where clerk and manager have every
// right. JournalFolders makes a test's own shared journal folders (admin:
// every right; staff: lrsi); u01..u20 are FreshUser's, u21..u24 spare staff.
package mailtest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"congvu/docs-store"
)

// Env is one running test mail server.
type Env struct {
	Root, CA                                                                 string // state dir; CA: path of the server's certificate (PEM)
	IMAPPort, IMAPSPort, LMTPPort, SMTPPort, SubmissionPort, SubmissionsPort int
	private                                                                  bool
	scripts                                                                  string
}

// Domain of the unqualified user names given to Account, Password, ….
const Domain = "agency.test"

// Host every server listens on.
const Host = "127.0.0.1"

func required() bool { return os.Getenv("CONGVU_REQUIRE_MAIL") == "1" }

// unavailable skips t (or fails it with CONGVU_REQUIRE_MAIL=1).
func unavailable(t testing.TB, why string) {
	t.Helper()
	if required() {
		t.Fatalf("mailtest: no test mail server: %s (CONGVU_REQUIRE_MAIL=1)", why)
	}
	t.Skipf("mailtest: SKIP, no test mail server: %s — run `make test`, or as root: S=$(mktemp -d); eval \"$(scripts/mailserver/start.sh $S | sed 's/^/export CONGVU_/')\"", why)
}

var (
	sharedOnce sync.Once
	shared     *Env
	sharedErr  string
)

// Shared is the instance of make test (from the CONGVU_MAIL_* variables).
// Tests using it must not stop it, and should use their own mailbox
// (FreshUser) or tolerate other tests' mail in the fixed ones.
func Shared(t testing.TB) *Env {
	t.Helper()
	sharedOnce.Do(func() {
		root := os.Getenv("CONGVU_MAIL_ROOT")
		if root == "" {
			sharedErr = "CONGVU_MAIL_ROOT is not set"
			return
		}
		e := &Env{Root: root, CA: os.Getenv("CONGVU_MAIL_CA"), scripts: scriptsDir()}
		if e.CA == "" {
			e.CA = filepath.Join(root, "tls", "cert.pem")
		}
		for _, p := range []struct {
			name string
			dst  *int
		}{
			{"CONGVU_MAIL_IMAP_PORT", &e.IMAPPort}, {"CONGVU_MAIL_IMAPS_PORT", &e.IMAPSPort},
			{"CONGVU_MAIL_LMTP_PORT", &e.LMTPPort}, {"CONGVU_MAIL_SMTP_PORT", &e.SMTPPort},
			{"CONGVU_MAIL_SUBMISSION_PORT", &e.SubmissionPort}, {"CONGVU_MAIL_SUBMISSIONS_PORT", &e.SubmissionsPort},
		} {
			n, err := strconv.Atoi(os.Getenv(p.name))
			if err != nil || n <= 0 {
				sharedErr = p.name + " is not set (or not a port)"
				return
			}
			*p.dst = n
		}
		if _, err := os.Stat(e.CA); err != nil {
			sharedErr = "CONGVU_MAIL_CA: " + err.Error()
			return
		}
		for _, p := range []int{e.IMAPPort, e.SubmissionPort} {
			c, err := net.DialTimeout("tcp", net.JoinHostPort(Host, strconv.Itoa(p)), 3*time.Second)
			if err != nil {
				sharedErr = fmt.Sprintf("the server of CONGVU_MAIL_ROOT=%s does not answer: %v", root, err)
				return
			}
			c.Close()
		}
		shared = e
	})
	if shared == nil {
		unavailable(t, sharedErr)
	}
	return shared
}

// scriptsDir is scripts/mailserver: CONGVU_MAIL_SCRIPTS, else found from
// this source file's place in the module.
func scriptsDir() string {
	if d := os.Getenv("CONGVU_MAIL_SCRIPTS"); d != "" {
		return d
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts", "mailserver")
}

// Private starts a mail server of its own for t, in a new directory under
// the system temp dir (it must be world-traversable: /tmp is), and stops
// and removes it in t.Cleanup. Root only (Dovecot changes users); otherwise
// the test is skipped (failed with CONGVU_REQUIRE_MAIL=1). Starting takes
// ~0.5 s, stopping ~1–3 s.
func Private(t testing.TB) *Env {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "a private mail server needs root (Dovecot and Postfix change to their own users)")
	}
	scripts := scriptsDir()
	if _, err := os.Stat(filepath.Join(scripts, "start.sh")); err != nil {
		unavailable(t, "scripts/mailserver/start.sh not found (set CONGVU_MAIL_SCRIPTS): "+err.Error())
	}
	for _, b := range []string{"dovecot", "postfix"} {
		if _, err := lookSbin(b); err != nil {
			unavailable(t, b+" is not installed (scripts/deps.sh dovecot-imapd dovecot-lmtpd postfix)")
		}
	}
	// Dovecot's and Postfix's users must traverse every parent directory.
	tmp := os.TempDir()
	if fi, err := os.Stat(tmp); err != nil || fi.Mode().Perm()&0001 == 0 {
		tmp = "/tmp"
	}
	root, err := os.MkdirTemp(tmp, "congvu-mail-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(scripts, "start.sh"), root)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		os.RemoveAll(root)
		t.Fatalf("mailtest: start.sh %s: %v\n%s", root, err, stderr.String())
	}
	e := &Env{private: true, scripts: scripts}
	vals := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vals[k] = v
		}
	}
	e.Root, e.CA = vals["MAIL_ROOT"], vals["MAIL_CA"]
	for k, dst := range map[string]*int{
		"MAIL_IMAP_PORT": &e.IMAPPort, "MAIL_IMAPS_PORT": &e.IMAPSPort, "MAIL_LMTP_PORT": &e.LMTPPort,
		"MAIL_SMTP_PORT": &e.SMTPPort, "MAIL_SUBMISSION_PORT": &e.SubmissionPort, "MAIL_SUBMISSIONS_PORT": &e.SubmissionsPort,
	} {
		*dst, _ = strconv.Atoi(vals[k])
	}
	t.Cleanup(func() {
		cmd := exec.Command("bash", filepath.Join(scripts, "stop.sh"), root, "--purge")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("mailtest: stop.sh %s: %v\n%s", root, err, out)
		}
	})
	if e.Root == "" || e.IMAPPort == 0 || e.SubmissionsPort == 0 {
		t.Fatalf("mailtest: start.sh printed no ports:\n%s\n%s", out, stderr.String())
	}
	return e
}

func lookSbin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

// IsPrivate reports whether e was made by Private (and may be stopped).
func (e *Env) IsPrivate() bool { return e.private }

func (e *Env) service(t testing.TB, script, action string) {
	t.Helper()
	if !e.private {
		t.Fatalf("mailtest: %s %s is only allowed on a Private server (the Shared one serves every package)", script, action)
	}
	cmd := exec.Command("bash", filepath.Join(e.scripts, script), e.Root, action)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mailtest: %s %s: %v\n%s", script, action, err, out)
	}
}

// StopDovecot stops Dovecot (SIGTERM: clients get BYE); Postfix keeps
// accepting and queues what it cannot deliver. Private only.
func (e *Env) StopDovecot(t testing.TB) { t.Helper(); e.service(t, "dovecot.sh", "stop") }

// StartDovecot starts Dovecot again on the same ports and waits for them.
func (e *Env) StartDovecot(t testing.TB) { t.Helper(); e.service(t, "dovecot.sh", "start") }

// KillDovecot SIGKILLs Dovecot's master and every child at once (a crash:
// connections drop without BYE). Private only.
func (e *Env) KillDovecot(t testing.TB) { t.Helper(); e.service(t, "dovecot.sh", "kill") }

// StopPostfix stops Postfix (SIGTERM). Private only.
func (e *Env) StopPostfix(t testing.TB) { t.Helper(); e.service(t, "postfix.sh", "stop") }

// StartPostfix starts Postfix again on the same ports and waits for them.
func (e *Env) StartPostfix(t testing.TB) { t.Helper(); e.service(t, "postfix.sh", "start") }

// KillPostfix SIGKILLs Postfix's master and its children. Private only.
func (e *Env) KillPostfix(t testing.TB) { t.Helper(); e.service(t, "postfix.sh", "kill") }

// Address is the full address of user: "clerk" → "clerk@agency.test";
// an address is returned as it is.
func Address(user string) string {
	if strings.Contains(user, "@") {
		return user
	}
	return user + "@" + Domain
}

// Password of a test user: "<local part>pass".
func (e *Env) Password(user string) string {
	local, _, _ := strings.Cut(Address(user), "@")
	return local + "pass"
}

// CAPEM is the content of the server's certificate (the test CA).
func (e *Env) CAPEM() string {
	b, err := os.ReadFile(e.CA)
	if err != nil {
		panic("mailtest: " + err.Error())
	}
	return string(b)
}

// Account is user's account on this server as the app would save it:
// 127.0.0.1, IMAP with STARTTLS, submission with STARTTLS, the test CA as
// the trusted certificate, Username = the address, PasswordMode
// docstore.PasswordAsk (tests never touch the keyring by accident),
// ID "test-<local>-<domain>".
func (e *Env) Account(user string) docstore.MailAccount {
	addr := Address(user)
	local, domain, _ := strings.Cut(addr, "@")
	return docstore.MailAccount{
		ID:           "test-" + local + "-" + strings.ReplaceAll(domain, ".", "-"),
		Address:      addr,
		DisplayName:  local,
		Username:     addr,
		IMAPHost:     Host,
		IMAPPort:     e.IMAPPort,
		IMAPSecurity: docstore.SecurityStartTLS,
		SMTPHost:     Host,
		SMTPPort:     e.SubmissionPort,
		SMTPSecurity: docstore.SecurityStartTLS,
		CAPEM:        e.CAPEM(),
		PasswordMode: docstore.PasswordAsk,
	}
}

// Maildir is the directory of user's INBOX Maildir.
func (e *Env) Maildir(user string) string {
	local, domain, _ := strings.Cut(Address(user), "@")
	return filepath.Join(e.Root, "mail", domain, local, "Maildir")
}

// FreshUsers are the mailboxes FreshUser hands out.
const FreshUsers = 20

var (
	freshMu   sync.Mutex
	freshUsed = map[string]bool{} // Root/user → handed out in this process
)

// FreshUser returns a user ("u07") no other test of this process or of
// another live test process has, with an empty mailbox: its home
// ($Root/mail/agency.test/uNN) is removed first and Dovecot creates it
// again at the next login or delivery. That is safe because nobody has a
// session open on it: a user is claimed through a file in $Root/claims
// holding the claiming process's pid, and taken back only once that
// process is gone. Fails the test when all 20 are taken.
func (e *Env) FreshUser(t testing.TB) string {
	t.Helper()
	claims := filepath.Join(e.Root, "claims")
	if err := os.MkdirAll(claims, 0755); err != nil {
		t.Fatal(err)
	}
	freshMu.Lock()
	defer freshMu.Unlock()
	me := strconv.Itoa(os.Getpid())
	for i := 1; i <= FreshUsers; i++ {
		u := fmt.Sprintf("u%02d", i)
		if freshUsed[e.Root+"/"+u] {
			continue
		}
		if !claim(filepath.Join(claims, u), me) {
			continue
		}
		freshUsed[e.Root+"/"+u] = true
		home := filepath.Dir(e.Maildir(u))
		if err := os.RemoveAll(home); err != nil {
			t.Fatalf("mailtest: emptying %s: %v", home, err)
		}
		return u
	}
	t.Fatalf("mailtest: all %d fresh users (u01..u%02d) are taken; add more to scripts/mailserver/users and vmailbox", FreshUsers, FreshUsers)
	return ""
}

// claim takes the claim file for this process: created exclusively, or
// taken over when the process named in it is gone.
func claim(path, me string) bool {
	for range 3 {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0644)
		if err == nil {
			f.WriteString(me)
			f.Close()
			return true
		}
		b, err := os.ReadFile(path)
		if err != nil {
			continue // removed meanwhile: try to create it again
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		if pid > 0 && processAlive(pid) {
			return false
		}
		// A dead owner: take it over by a rename of our own file over it
		// (atomic), then check we won against another process doing the same.
		tmp := path + "." + me
		if os.WriteFile(tmp, []byte(me), 0644) != nil {
			return false
		}
		if os.Rename(tmp, path) != nil {
			os.Remove(tmp)
			return false
		}
		time.Sleep(10 * time.Millisecond)
		if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == me {
			return true
		}
		return false
	}
	return false
}

func processAlive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// Deliver sends raw to the address to (a user name or an address) through
// Postfix's plain SMTP port (no AUTH, as another server would) and waits
// (≤ 5 s) until Dovecot has put it in to's INBOX Maildir. The envelope
// sender is the From address of raw, or sender@agency.test.
func (e *Env) Deliver(t testing.TB, to string, raw []byte) {
	t.Helper()
	rcpt := Address(to)
	sent := time.Now().Add(-2 * time.Second) // mtimes are whole seconds on some file systems
	c, err := smtp.Dial(net.JoinHostPort(Host, strconv.Itoa(e.SMTPPort)))
	if err != nil {
		t.Fatalf("mailtest: Deliver: %v", err)
	}
	defer c.Close()
	c.CommandTimeout = 10 * time.Second
	if err := c.Hello("mailtest.agency.test"); err != nil {
		t.Fatalf("mailtest: Deliver: EHLO: %v", err)
	}
	if err := c.Mail(envelopeFrom(raw), nil); err != nil {
		t.Fatalf("mailtest: Deliver: MAIL FROM: %v", err)
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		t.Fatalf("mailtest: Deliver: RCPT TO:<%s>: %v", rcpt, err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatalf("mailtest: Deliver: DATA: %v", err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatalf("mailtest: Deliver: DATA: %v", err)
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		t.Fatalf("mailtest: Deliver: end of DATA: %v", err)
	}
	c.Quit()
	// "2.0.0 Ok: queued as 4Y8mQK1Zz3z9rxL": Postfix's Received header has
	// "with ESMTP id <that>"; find the file that carries it.
	qid := resp.StatusText
	if i := strings.LastIndex(qid, " as "); i >= 0 {
		qid = strings.TrimSpace(qid[i+4:])
	}
	needle := []byte("id " + qid)
	md := e.Maildir(rcpt)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if findInMaildir(md, needle, sent) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: Deliver: the message (queue id %s) for %s is not in %s after 5 s; see %s/log/postfix.log and dovecot.log", qid, rcpt, md, e.Root)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// envelopeFrom is the address in raw's From header, or sender@agency.test.
func envelopeFrom(raw []byte) string {
	hdr, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, line := range strings.Split(strings.ReplaceAll(string(hdr), "\r\n", "\n"), "\n") {
		if len(line) > 5 && strings.EqualFold(line[:5], "from:") {
			v := line[5:]
			if i := strings.LastIndexByte(v, '<'); i >= 0 {
				if j := strings.IndexByte(v[i:], '>'); j > 0 {
					return v[i+1 : i+j]
				}
			}
			if v = strings.TrimSpace(v); strings.Contains(v, "@") && !strings.ContainsAny(v, " ,") {
				return v
			}
		}
	}
	return "sender@agency.test"
}

// findInMaildir: a file in new/ or cur/, changed since `since`, whose first
// 16 KB contain needle (seeded messages have old mtimes and are not read).
func findInMaildir(md string, needle []byte, since time.Time) bool {
	buf := make([]byte, 16<<10)
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(md, sub))
		for _, de := range ents {
			if fi, err := de.Info(); err != nil || fi.ModTime().Before(since) {
				continue
			}
			f, err := os.Open(filepath.Join(md, sub, de.Name()))
			if err != nil {
				continue
			}
			n, _ := f.Read(buf)
			f.Close()
			if bytes.Contains(buf[:n], needle) {
				return true
			}
		}
	}
	return false
}

// SeedMaildir writes n generated messages straight into user's INBOX
// Maildir (see SeedMaildirDir): deterministic for a seed, every pdfEvery-th
// with a ~100 KB PDF (0: none), files owned by mail:mail. 20,000 take ~3 s.
func (e *Env) SeedMaildir(t testing.TB, user string, n int, seed int64, pdfEvery int) {
	t.Helper()
	md := e.Maildir(user)
	// The home and domain directories Dovecot would create, owned alike.
	uid, gid := mailIDs()
	for _, d := range []string{filepath.Dir(filepath.Dir(md)), filepath.Dir(md)} {
		if err := mkdirOwned(d, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := seedMaildir(md, Address(user), n, seed, pdfEvery, uid, gid); err != nil {
		t.Fatal(err)
	}
}

// Doveadm runs doveadm -c $Root/etc/dovecot.conf args… and returns its
// output; a failure fails the test. E.g. e.Doveadm(t, "mailbox", "status",
// "-u", "clerk@agency.test", "messages", "INBOX").
func (e *Env) Doveadm(t testing.TB, args ...string) string {
	t.Helper()
	bin, err := lookSbin("doveadm")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	cmd := exec.Command(bin, append([]string{"-c", filepath.Join(e.Root, "etc", "dovecot.conf")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("mailtest: doveadm %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// FreePort is a port on 127.0.0.1 nobody listens on (one the kernel just
// gave out and took back): connecting to it is refused.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", Host+":0")
	if err != nil {
		t.Fatal(err)
	}
	p := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return p
}

// Token is a random hex string for unique subjects and Message-IDs.
func Token() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
