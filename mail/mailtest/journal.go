package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// The shared journal (docs/JOURNAL-SERVER.md): the agency's events are
// messages in public folders of the "Shared/" namespace, append-only for
// the staff.
const (
	// JournalAdmin is the agency administrator's user: every right on the
	// journal folders.
	JournalAdmin = "admin"
	// JournalPrefix starts the name of every folder JournalFolders makes.
	JournalPrefix = "Shared/Journal-"
	// JournalSecretSuffix ends the name of the secret ("mật") folder.
	JournalSecretSuffix = "-Mat"
	// JournalStaffRights are the staff's rights (RFC 4314 letters):
	// lookup, read, write \Seen, insert — no other flag, no expunge, no
	// create, no delete, no admin.
	JournalStaffRights = "lrsi"
	// JournalAdminRights are the administrator's: all of Dovecot's.
	JournalAdminRights = "lrwstipekxa"
)

// doveadm acl set names of the rights above.
var (
	journalStaffACL = []string{"lookup", "read", "write-seen", "insert"}
	journalAdminACL = []string{"lookup", "read", "write", "write-seen", "write-deleted",
		"insert", "post", "expunge", "create", "delete", "admin"}
)

// JournalFolders makes two new, empty journal folders for t alone:
// main = "Shared/Journal-<token>", where every authenticated user has
// JournalStaffRights (lrsi) and admin@agency.test every right, and
// secret = main+"-Mat", where admin@agency.test has every right, each of
// secretReaders ("clerk", or a full address) has lrsi, and nobody else any
// right (they do not even see it in LIST).
//
// The folders are made with doveadm as on a real server
// (docs/JOURNAL-SERVER.md): "doveadm -o plugin/acl= mailbox create" (the
// ACL plugin would refuse: nobody has the create right on the namespace
// root), then "doveadm acl set" per identifier, which writes the folder's
// dovecot-acl file. Until that runs the folder has no ACL, i.e. no rights
// for anybody. Needs root (doveadm); ~0.1 s. Nothing is removed
// afterwards: the names are unique and the server's state dir goes at the
// end of the run.
func (e *Env) JournalFolders(t testing.TB, secretReaders ...string) (main, secret string) {
	t.Helper()
	if os.Geteuid() != 0 {
		unavailable(t, "JournalFolders runs doveadm, which needs root")
	}
	main = JournalPrefix + Token()
	secret = main + JournalSecretSuffix
	admin := Address(JournalAdmin)
	e.Doveadm(t, "-o", "plugin/acl=", "mailbox", "create", "-u", admin, main, secret)
	set := func(box, id string, rights []string) {
		t.Helper()
		e.Doveadm(t, append([]string{"acl", "set", "-u", admin, box, id}, rights...)...)
	}
	set(main, "user="+admin, journalAdminACL)
	set(main, "authenticated", journalStaffACL)
	set(secret, "user="+admin, journalAdminACL)
	for _, u := range secretReaders {
		set(secret, "user="+Address(u), journalStaffACL)
	}
	return main, secret
}

// TLSConfig trusts the server's certificate (the test CA) for 127.0.0.1.
func (e *Env) TLSConfig() *tls.Config {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(e.CAPEM())) {
		panic("mailtest: no certificate in " + e.CA)
	}
	return &tls.Config{RootCAs: pool, ServerName: Host, MinVersion: tls.VersionTLS12}
}

// IMAP connects to the IMAP port with STARTTLS (the test CA trusted) and
// logs in as user ("clerk" or a full address) with its password. opts may
// carry handlers (e.g. UnilateralDataHandler for IDLE); its TLSConfig is
// replaced. The client is logged out and closed in t.Cleanup (its reading
// goroutine ends there too); closing it earlier is fine, and so is leaving
// an IDLE running.
func (e *Env) IMAP(t testing.TB, user string, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	c, err := e.dialIMAP(user, opts)
	if err != nil {
		t.Fatalf("mailtest: IMAP as %s: %v", Address(user), err)
	}
	t.Cleanup(func() { logout(c) })
	return c
}

func (e *Env) dialIMAP(user string, opts *imapclient.Options) (*imapclient.Client, error) {
	var o imapclient.Options
	if opts != nil {
		o = *opts
	}
	o.TLSConfig = e.TLSConfig()
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(Host, strconv.Itoa(e.IMAPPort)), 5*time.Second)
	if err != nil {
		return nil, err
	}
	c, err := imapclient.NewStartTLS(conn, &o)
	if err != nil {
		return nil, fmt.Errorf("STARTTLS: %w", err)
	}
	if err := c.Login(Address(user), e.Password(user)).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("LOGIN: %w", err)
	}
	// go-imap v2 beta.8 completes LOGIN just before it records the
	// authenticated state (see mail/account's dialer); wait for it.
	for i := 0; i < 2000 && c.State() == imap.ConnStateNotAuthenticated; i++ {
		time.Sleep(100 * time.Microsecond)
	}
	return c, nil
}

// logout says LOGOUT (≤ 5 s: a client stuck in IDLE cannot send it) and
// closes c, which ends its reading goroutine.
func logout(c *imapclient.Client) {
	select {
	case <-c.Closed():
		c.Close()
		return
	default:
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Logout().Wait()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	c.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
}

// DeliverRaw APPENDs raw to folder over IMAP as user — by hand, the way a
// colleague's own mail client could (e.g. a forged journal event) — and
// returns the UID the server gave it (UIDPLUS APPENDUID). A refused APPEND
// fails the test; to expect a refusal use IMAP and Append.
func (e *Env) DeliverRaw(t testing.TB, folder, user string, raw []byte) imap.UID {
	t.Helper()
	c, err := e.dialIMAP(user, nil)
	if err != nil {
		t.Fatalf("mailtest: DeliverRaw: IMAP as %s: %v", Address(user), err)
	}
	defer logout(c)
	uid, err := Append(c, folder, raw)
	if err != nil {
		t.Fatalf("mailtest: DeliverRaw: APPEND to %s as %s: %v", folder, Address(user), err)
	}
	return uid
}

// Append APPENDs raw to folder on c and returns its UID (APPENDUID; 0 if
// the server did not say).
func Append(c *imapclient.Client, folder string, raw []byte) (imap.UID, error) {
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		cmd.Wait()
		return 0, err
	}
	if err := cmd.Close(); err != nil {
		cmd.Wait()
		return 0, err
	}
	data, err := cmd.Wait()
	if err != nil {
		return 0, err
	}
	return data.UID, nil
}
