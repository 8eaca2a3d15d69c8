package mailtest_test

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"congvu/mail/mailtest"
)

func TestSeedDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := mailtest.SeedMaildirDir(d, "bench@agency.test", 40, 7, 10); err != nil {
			t.Fatal(err)
		}
	}
	ea, _ := os.ReadDir(filepath.Join(a, "cur"))
	eb, _ := os.ReadDir(filepath.Join(b, "cur"))
	if len(ea) != 40 || len(eb) != 40 {
		t.Fatalf("%d and %d files", len(ea), len(eb))
	}
	size := regexp.MustCompile(`,S=(\d+),W=(\d+):2,`)
	pdfs := 0
	for i := range ea {
		if ea[i].Name() != eb[i].Name() {
			t.Fatalf("names differ: %s %s", ea[i].Name(), eb[i].Name())
		}
		x, _ := os.ReadFile(filepath.Join(a, "cur", ea[i].Name()))
		y, _ := os.ReadFile(filepath.Join(b, "cur", eb[i].Name()))
		if !bytes.Equal(x, y) {
			t.Fatalf("%s differs", ea[i].Name())
		}
		m := size.FindStringSubmatch(ea[i].Name())
		if m == nil || m[1] != strconv.Itoa(len(x)) || m[2] != m[1] {
			t.Fatalf("size in name %s, file has %d", ea[i].Name(), len(x))
		}
		if bytes.Contains(x, []byte("application/pdf")) {
			pdfs++
			if len(x) < 130_000 {
				t.Errorf("PDF message of %d bytes", len(x))
			}
		}
		if !bytes.Contains(x, []byte("Subject: =?utf-8?")) && !bytes.Contains(x, []byte("Subject: ")) {
			t.Errorf("no subject in %s", ea[i].Name())
		}
	}
	if pdfs != 4 {
		t.Errorf("%d messages with a PDF, want 4", pdfs)
	}
	for _, d := range []string{"new", "tmp"} {
		if fi, err := os.Stat(filepath.Join(a, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s/: %v", d, err)
		}
	}
}

func messages(t *testing.T, e *mailtest.Env, user string) int {
	out := e.Doveadm(t, "-f", "flow", "mailbox", "status", "-u", mailtest.Address(user), "messages", "INBOX")
	m := regexp.MustCompile(`messages=(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("doveadm said %q", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestSharedDeliverSeed(t *testing.T) {
	e := mailtest.Shared(t)
	u := e.FreshUser(t)
	if v := e.FreshUser(t); v == u {
		t.Fatalf("FreshUser gave %s twice", u)
	}
	if n := messages(t, e, u); n != 0 {
		t.Fatalf("fresh user %s has %d messages", u, n)
	}
	tok := mailtest.Token()
	raw := []byte("From: Trần Văn An <an.tran@other.test>\r\nTo: " + mailtest.Address(u) + "\r\nSubject: =?utf-8?q?Th=C6=B0_th=E1=BB=AD?= " + tok + "\r\n\r\nNội dung.\r\n")
	start := time.Now()
	e.Deliver(t, u, raw)
	t.Logf("delivered in %v", time.Since(start))
	if n := messages(t, e, u); n != 1 {
		t.Fatalf("after Deliver: %d messages", n)
	}
	start = time.Now()
	e.SeedMaildir(t, u, 200, 3, 10)
	t.Logf("seeded 200 in %v", time.Since(start))
	if n := messages(t, e, u); n != 201 {
		t.Fatalf("after SeedMaildir: %d messages", n)
	}
	// IMAP sees them too (STARTTLS, the test CA).
	a := e.Account(u)
	if a.Address != u+"@agency.test" || a.CAPEM == "" || e.Password(u) != u+"pass" || e.Password("alice@other.test") != "alicepass" {
		t.Fatalf("account %+v", a)
	}
}

func greeting(t *testing.T, port int) (string, error) {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(mailtest.Host, strconv.Itoa(port)), 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return bufio.NewReader(c).ReadString('\n')
}

func TestPrivateRestart(t *testing.T) {
	e := mailtest.Private(t)
	if !e.IsPrivate() {
		t.Fatal("not private")
	}
	if g, err := greeting(t, e.IMAPPort); err != nil || !strings.HasPrefix(g, "* OK") {
		t.Fatalf("IMAP greeting %q %v", g, err)
	}
	e.KillDovecot(t)
	if _, err := greeting(t, e.IMAPPort); err == nil {
		t.Fatal("IMAP still answers after KillDovecot")
	}
	e.StartDovecot(t)
	if g, err := greeting(t, e.IMAPPort); err != nil || !strings.HasPrefix(g, "* OK") {
		t.Fatalf("IMAP greeting after restart %q %v", g, err)
	}
	e.StopDovecot(t)
	e.StartDovecot(t)
	e.StopPostfix(t)
	if _, err := greeting(t, e.SMTPPort); err == nil {
		t.Fatal("SMTP still answers after StopPostfix")
	}
	e.StartPostfix(t)
	e.Deliver(t, "clerk", []byte("From: manager@agency.test\r\nTo: clerk@agency.test\r\nSubject: sau khi khởi động lại\r\n\r\nx\r\n"))
	if n := messages(t, e, "clerk"); n != 1 {
		t.Fatalf("%d messages", n)
	}
	e.KillPostfix(t)
	e.StartPostfix(t)
	if g, err := greeting(t, e.SubmissionPort); err != nil || !strings.HasPrefix(g, "220") {
		t.Fatalf("submission greeting %q %v", g, err)
	}
}

func TestFreePort(t *testing.T) {
	p := mailtest.FreePort(t)
	if _, err := net.DialTimeout("tcp", net.JoinHostPort(mailtest.Host, strconv.Itoa(p)), time.Second); err == nil {
		t.Fatal("something listens on the free port")
	}
}
