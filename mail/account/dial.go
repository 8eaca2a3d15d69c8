// Package account connects to an agency's mail servers (IMAP and SMTP
// submission, over TLS or STARTTLS, always verified) and keeps the
// passwords (OS keyring, or memory only).
//
// Every connection failure is a *ConnError whose Err is (errors.Is) one of
// the sentinels below, or a *UntrustedCertError; the window maps them to
// Vietnamese. No error text ever holds the password.
package account

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"congvu/docs-store"
)

// What went wrong when connecting (ConnError.Err wraps one of them).
var (
	// ErrHostNotFound: the server name does not resolve (or is empty).
	ErrHostNotFound = errors.New("server name not found")
	// ErrPortClosed: the host answered, but nothing listens on the port
	// (connection refused), or the port number is invalid.
	ErrPortClosed = errors.New("connection refused on this port")
	// ErrTimeout: no answer in time (Dialer.Timeout): a firewall dropping
	// packets, a server that accepts and never speaks, or TLS chosen for a
	// STARTTLS port.
	ErrTimeout = errors.New("no answer from the server in time")
	// ErrNetwork: the network is unreachable, or the connection was cut
	// (reset, closed) before the login finished.
	ErrNetwork = errors.New("network error")
	// ErrTLS: TLS failed: no common version or cipher, a plain-text port
	// used with TLS, unusable CAPEM. An untrusted certificate is a
	// *UntrustedCertError, for which errors.Is(err, ErrTLS) holds too.
	ErrTLS = errors.New("secure connection (TLS) failed")
	// ErrAuthFailed: the server refused the user name or password
	// (IMAP NO [AUTHENTICATIONFAILED], SMTP 535). Never retried
	// automatically: the user must correct it.
	ErrAuthFailed = errors.New("user name or password refused")
	// ErrProtocol: the server does not speak what was expected (not IMAP or
	// SMTP, no STARTTLS, no AUTH PLAIN/LOGIN) or refused for another reason
	// (server unavailable, too many connections).
	ErrProtocol = errors.New("unexpected answer from the server")
)

// ConnError is a failure to connect to or log in to one server.
type ConnError struct {
	Server string // "imap" or "smtp"
	Host   string
	Port   int
	Err    error // wraps a sentinel above, or is a *UntrustedCertError, or context.Canceled
}

func (e *ConnError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Server, net.JoinHostPort(e.Host, strconv.Itoa(e.Port)), e.Err)
}

func (e *ConnError) Unwrap() error { return e.Err }

// kindError is a sentinel with the underlying error's text (password
// removed); errors.Is/As reach both the sentinel and the original error
// (e.g. *smtp.SMTPError, *imap.Error).
type kindError struct {
	kind   error
	detail string
	err    error
}

func (e *kindError) Error() string {
	if e.detail == "" {
		return e.kind.Error()
	}
	return e.kind.Error() + ": " + e.detail
}

func (e *kindError) Unwrap() []error {
	if e.err == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.err}
}

// Resolver looks up a host name; *net.Resolver is one.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// Dialer connects to an account's servers and logs in. The zero value is
// ready: net.DefaultResolver and a 15 s limit.
type Dialer struct {
	Resolver Resolver      // nil: net.DefaultResolver
	Timeout  time.Duration // the whole connect + TLS + login; default 15 s
}

const defaultTimeout = 15 * time.Second

func (d Dialer) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return defaultTimeout
}

// attempt is one connection being made: it closes the socket when the time
// is up or ctx ends, and classifies errors.
type attempt struct {
	server, host string
	port         int
	password     string
	ctx          context.Context
	conn         net.Conn // the TCP connection (under TLS, if any)
	timer        *time.Timer
	stopCtx      func() bool
	timedOut     atomic.Bool
	canceled     atomic.Bool
	mu           sync.Mutex
}

func (d Dialer) begin(ctx context.Context, server, host string, port int, password string) *attempt {
	at := &attempt{server: server, host: host, port: port, password: password, ctx: ctx}
	at.timer = time.AfterFunc(d.timeout(), func() {
		at.timedOut.Store(true)
		at.closeConn()
	})
	at.stopCtx = context.AfterFunc(ctx, func() {
		at.canceled.Store(true)
		at.closeConn()
	})
	return at
}

func (at *attempt) closeConn() {
	at.mu.Lock()
	defer at.mu.Unlock()
	if at.conn != nil {
		at.conn.Close()
	}
}

func (at *attempt) setConn(c net.Conn) {
	at.mu.Lock()
	at.conn = c
	at.mu.Unlock()
	if at.timedOut.Load() || at.canceled.Load() {
		c.Close()
	}
}

// done ends the watch; false if the time ran out or ctx ended meanwhile
// (the connection is then closed).
func (at *attempt) done() bool {
	t := at.timer.Stop()
	c := at.stopCtx()
	return t && c && !at.timedOut.Load() && !at.canceled.Load()
}

// fail stops the watch, closes the connection and classifies err.
func (at *attempt) fail(err error) *ConnError {
	at.timer.Stop()
	at.stopCtx()
	at.closeConn()
	return &ConnError{Server: at.server, Host: at.host, Port: at.port, Err: at.classify(err)}
}

func (at *attempt) kind(kind, err error) error {
	detail := ""
	if err != nil {
		detail = err.Error()
		if at.password != "" && strings.Contains(detail, at.password) {
			detail = strings.ReplaceAll(detail, at.password, "********")
			err = errors.New(detail) // the original must not leak through Unwrap either
		}
	}
	return &kindError{kind: kind, detail: detail, err: err}
}

func (at *attempt) classify(err error) error {
	if u := (*UntrustedCertError)(nil); errors.As(err, &u) {
		return u
	}
	var ke *kindError
	if errors.As(err, &ke) {
		return ke
	}
	if cerr := at.ctx.Err(); cerr != nil && !errors.Is(cerr, context.DeadlineExceeded) {
		return cerr // the caller gave up: context.Canceled
	}
	if at.timedOut.Load() || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || at.ctx.Err() != nil {
		return at.kind(ErrTimeout, err)
	}
	if u := untrusted(at.host, err); u != nil {
		return u
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return at.kind(ErrPortClosed, err)
	case errors.As(err, &ne) && ne.Timeout():
		return at.kind(ErrTimeout, err)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return at.kind(ErrNetwork, err)
	}
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	if errors.As(err, &rh) || errors.As(err, &alert) || strings.HasPrefix(err.Error(), "tls: ") {
		return at.kind(ErrTLS, err)
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return at.kind(ErrProtocol, err)
	}
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return at.kind(ErrProtocol, err)
	}
	return at.kind(ErrProtocol, err)
}

// connect resolves host (through d.Resolver; an IP address is used as is)
// and opens a TCP connection to the first address that answers.
func (d Dialer) connect(at *attempt) error {
	if at.port <= 0 || at.port > 65535 {
		return at.kind(ErrPortClosed, fmt.Errorf("invalid port %d", at.port))
	}
	host := strings.TrimSpace(at.host)
	if host == "" {
		return at.kind(ErrHostNotFound, errors.New("no server name"))
	}
	var addrs []string
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		addrs = []string{ip.String()}
	} else {
		var r Resolver = net.DefaultResolver
		if d.Resolver != nil {
			r = d.Resolver
		}
		lctx, cancel := context.WithTimeout(at.ctx, d.timeout())
		var err error
		addrs, err = r.LookupHost(lctx, host)
		cancel()
		var de *net.DNSError
		switch {
		case err != nil && (errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &de) && de.IsTimeout)):
			return at.kind(ErrTimeout, err)
		case err != nil:
			return at.kind(ErrHostNotFound, err)
		case len(addrs) == 0:
			return at.kind(ErrHostNotFound, fmt.Errorf("no address for %s", host))
		}
	}
	dctx, cancel := context.WithTimeout(at.ctx, d.timeout())
	defer cancel()
	var nd net.Dialer
	var first error
	for _, a := range addrs {
		c, err := nd.DialContext(dctx, "tcp", net.JoinHostPort(a, strconv.Itoa(at.port)))
		if err == nil {
			at.setConn(c)
			return nil
		}
		if first == nil {
			first = err
		}
		if dctx.Err() != nil {
			break
		}
	}
	return first
}

// tlsHandshake runs the implicit-TLS handshake on at.conn.
func (at *attempt) tlsHandshake(cfg *tls.Config, proto string) (*tls.Conn, error) {
	cfg = cfg.Clone()
	cfg.NextProtos = []string{proto}
	tc := tls.Client(at.conn, cfg)
	if err := tc.Handshake(); err != nil {
		return nil, err
	}
	return tc, nil
}

func username(a docstore.MailAccount) string {
	if a.Username != "" {
		return a.Username
	}
	return a.Address
}

// IMAP connects to the account's IMAP server (a.IMAPSecurity: implicit TLS,
// or STARTTLS — anything else counts as STARTTLS: plain text is never
// used), logs in (AUTHENTICATE PLAIN when offered, else LOGIN) and returns
// the logged-in client. opts may carry handlers; its TLSConfig is replaced
// by TLSConfig(a, a.IMAPHost) (see withRoots). On failure: a *ConnError.
func (d Dialer) IMAP(ctx context.Context, a docstore.MailAccount, password string, opts *imapclient.Options) (*imapclient.Client, error) {
	return withRoots(a, a.IMAPHost, func(roots func() (*tls.Config, error)) (*imapclient.Client, error) {
		return d.imap(ctx, a, password, opts, roots)
	})
}

func (d Dialer) imap(ctx context.Context, a docstore.MailAccount, password string, opts *imapclient.Options, roots func() (*tls.Config, error)) (*imapclient.Client, error) {
	at := d.begin(ctx, "imap", a.IMAPHost, a.IMAPPort, password)
	if err := d.connect(at); err != nil {
		return nil, at.fail(err)
	}
	var o imapclient.Options
	if opts != nil {
		o = *opts
	}
	var c *imapclient.Client
	if a.IMAPSecurity == docstore.SecurityTLS {
		cfg, err := roots()
		if err != nil {
			return nil, at.fail(err)
		}
		o.TLSConfig = cfg
		tc, err := at.tlsHandshake(cfg, "imap")
		if err != nil {
			return nil, at.fail(err)
		}
		pc, err := peekGreeting(at, tc)
		if err != nil {
			tc.Close()
			return nil, at.fail(err)
		}
		c = imapclient.New(pc, &o)
		if err := c.WaitGreeting(); err != nil {
			c.Close()
			return nil, at.fail(err)
		}
	} else {
		pc, err := peekGreeting(at, at.conn)
		if err != nil {
			return nil, at.fail(err)
		}
		if o.TLSConfig, err = roots(); err != nil {
			return nil, at.fail(err)
		}
		c, err = imapclient.NewStartTLS(pc, &o)
		if err != nil {
			if errors.As(err, new(*imap.Error)) {
				err = at.kind(ErrProtocol, fmt.Errorf("STARTTLS refused (does the server offer it on this port?): %w", err))
			}
			return nil, at.fail(err)
		}
	}
	if err := imapLogin(at, c, username(a), password); err != nil {
		c.Close()
		return nil, at.fail(err)
	}
	if !at.done() {
		c.Close()
		return nil, at.fail(errors.New("timed out"))
	}
	// go-imap v2 beta.8 completes a LOGIN/AUTHENTICATE command (Wait
	// returns) just before it records the authenticated state; the caller
	// must find the client logged in. The gap is microseconds.
	for i := 0; i < 200 && c.State() == imap.ConnStateNotAuthenticated; i++ {
		time.Sleep(100 * time.Microsecond)
	}
	return c, nil
}

// peekGreeting reads the server's first line before go-imap does: a
// server that is not IMAP at all (an SMTP port, a web server) is then told
// apart from a broken connection for sure — go-imap, failing to parse the
// greeting, closes the connection, and what it reports depends on timing.
// The line stays buffered for go-imap.
func peekGreeting(at *attempt, conn net.Conn) (net.Conn, error) {
	br := bufio.NewReaderSize(conn, 4096)
	var line []byte
	for {
		if _, err := br.Peek(1); err != nil {
			return nil, at.classify(err)
		}
		b, _ := br.Peek(br.Buffered())
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i]
			break
		}
		if br.Buffered() >= 1024 {
			line = b
			break
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			return nil, at.classify(err)
		}
	}
	upper := strings.ToUpper(string(line))
	if !strings.HasPrefix(upper, "* OK") && !strings.HasPrefix(upper, "* PREAUTH") && !strings.HasPrefix(upper, "* BYE") {
		if len(line) > 80 {
			line = line[:80]
		}
		return nil, at.kind(ErrProtocol, fmt.Errorf("not an IMAP server: it greets with %q", strings.TrimSpace(string(line))))
	}
	return &bufConn{Conn: conn, r: br}, nil
}

// bufConn is a connection whose first bytes were read ahead into r.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func imapLogin(at *attempt, c *imapclient.Client, user, password string) error {
	if c.State() == imap.ConnStateAuthenticated {
		return nil // PREAUTH over implicit TLS
	}
	caps := c.Caps()
	var err error
	switch {
	case caps.Has(imap.AuthCap(sasl.Plain)):
		err = c.Authenticate(sasl.NewPlainClient("", user, password))
	case caps.Has(imap.CapLoginDisabled):
		return at.kind(ErrProtocol, errors.New("the server allows neither AUTHENTICATE PLAIN nor LOGIN"))
	default:
		err = c.Login(user, password).Wait()
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		switch ie.Code {
		case imap.ResponseCodeUnavailable, imap.ResponseCodeLimit, imap.ResponseCodeServerBug, imap.ResponseCodeContactAdmin:
			return at.kind(ErrProtocol, err)
		}
		if ie.Type == imap.StatusResponseTypeNo {
			return at.kind(ErrAuthFailed, err)
		}
		return at.kind(ErrProtocol, err)
	}
	return err
}

// SMTP connects to the account's submission server (a.SMTPSecurity:
// implicit TLS, or STARTTLS), authenticates with AUTH PLAIN and returns the
// client, ready for Mail/Rcpt/Data. On failure: a *ConnError.
func (d Dialer) SMTP(ctx context.Context, a docstore.MailAccount, password string) (*smtp.Client, error) {
	return withRoots(a, a.SMTPHost, func(roots func() (*tls.Config, error)) (*smtp.Client, error) {
		return d.smtp(ctx, a, password, roots)
	})
}

func (d Dialer) smtp(ctx context.Context, a docstore.MailAccount, password string, roots func() (*tls.Config, error)) (*smtp.Client, error) {
	at := d.begin(ctx, "smtp", a.SMTPHost, a.SMTPPort, password)
	if err := d.connect(at); err != nil {
		return nil, at.fail(err)
	}
	cfg, err := roots()
	if err != nil {
		return nil, at.fail(err)
	}
	ehlo := ehloName(at.conn)
	var c *smtp.Client
	if a.SMTPSecurity == docstore.SecurityTLS {
		tc, err := at.tlsHandshake(cfg, "smtp")
		if err != nil {
			return nil, at.fail(err)
		}
		c = smtp.NewClient(tc)
		c.CommandTimeout = d.timeout()
		if err := c.Hello(ehlo); err != nil {
			c.Close()
			return nil, at.fail(smtpErr(at, err))
		}
	} else {
		c, err = smtp.NewClientStartTLS(at.conn, cfg)
		if err != nil {
			return nil, at.fail(smtpErr(at, err))
		}
		c.CommandTimeout = d.timeout()
		// The EHLO after STARTTLS runs the handshake.
		if err := c.Hello(ehlo); err != nil {
			c.Close()
			return nil, at.fail(smtpErr(at, err))
		}
	}
	if !c.SupportsAuth(sasl.Plain) {
		c.Close()
		return nil, at.fail(at.kind(ErrProtocol, errors.New("the server offers no AUTH PLAIN (is this the submission port?)")))
	}
	if err := c.Auth(sasl.NewPlainClient("", username(a), password)); err != nil {
		c.Close()
		return nil, at.fail(smtpErr(at, err))
	}
	if !at.done() {
		c.Close()
		return nil, at.fail(errors.New("timed out"))
	}
	c.CommandTimeout = 5 * time.Minute
	return c, nil
}

func smtpErr(at *attempt, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		switch {
		case se.Code == 535 || (se.Code/100 == 5 && se.EnhancedCode == smtp.EnhancedCode{5, 7, 8}):
			return at.kind(ErrAuthFailed, err)
		default:
			return at.kind(ErrProtocol, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "doesn't support STARTTLS") {
		return at.kind(ErrProtocol, err)
	}
	return err
}

// ehloName is the address literal of our end of the connection, as
// Thunderbird sends it ("[192.0.2.7]"): unlike "localhost" it is accepted by
// servers that check the EHLO argument.
func ehloName(c net.Conn) string {
	ta, ok := c.LocalAddr().(*net.TCPAddr)
	if !ok {
		return "localhost"
	}
	if ip4 := ta.IP.To4(); ip4 != nil {
		return "[" + ip4.String() + "]"
	}
	return "[IPv6:" + ta.IP.String() + "]"
}

// CheckResult is the outcome of Check: nil, or the *ConnError of each server.
type CheckResult struct {
	IMAP, SMTP error
}

// OK says both servers accepted the login.
func (r CheckResult) OK() bool { return r.IMAP == nil && r.SMTP == nil }

// Check logs in to both servers in parallel, then logs out: the test the
// account form runs before saving.
func (d Dialer) Check(ctx context.Context, a docstore.MailAccount, password string) CheckResult {
	var r CheckResult
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		c, err := d.IMAP(ctx, a, password, nil)
		if err != nil {
			r.IMAP = err
			return
		}
		c.Logout().Wait()
		c.Close()
	}()
	go func() {
		defer wg.Done()
		c, err := d.SMTP(ctx, a, password)
		if err != nil {
			r.SMTP = err
			return
		}
		if c.Quit() != nil {
			c.Close()
		}
	}()
	wg.Wait()
	return r
}

// Logout ends an IMAP session politely: LOGOUT, waiting at most 2 s for
// the server's answer (a dead connection must not hold up a shutdown),
// then closes the connection.
func Logout(c *imapclient.Client) {
	done := make(chan struct{})
	go func() {
		c.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	c.Close()
}
