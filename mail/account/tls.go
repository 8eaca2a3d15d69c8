package account

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"congvu/docs-store"
)

// TLSConfig is the TLS configuration for one of the account's servers:
// the system roots plus the certificates the user trusted for this account
// (a.CAPEM), the server name host, TLS 1.2 or later. Verification is never
// switched off.
func TLSConfig(a docstore.MailAccount, host string) (*tls.Config, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if strings.TrimSpace(a.CAPEM) != "" {
		if !pool.AppendCertsFromPEM([]byte(a.CAPEM)) {
			return nil, errNoPEM
		}
	}
	return tlsConfig(pool, host), nil
}

func tlsConfig(roots *x509.CertPool, host string) *tls.Config {
	return &tls.Config{
		RootCAs:    roots,
		ServerName: host,
		MinVersion: tls.VersionTLS12,
	}
}

var errNoPEM = fmt.Errorf("%w: the trusted certificates of the account (CAPEM) hold no PEM certificate", ErrTLS)

// withRoots runs dial with the roots a server's certificate is verified
// against: TLSConfig's, the system's plus the account's own (CAPEM).
//
// An account with certificates of its own (the agency's CA, or a server
// certificate the user trusted) is first tried with those alone: the
// first use of the system roots parses every certificate of the system
// store, 10–15 ms of CPU, a third of a no-change sync. Only when that
// fails because the issuer is unknown — the server's certificate comes
// from a public CA — is the connection made again with all of them. What
// is trusted is the same either way; nothing is ever left unverified.
//
// Without certificates of its own, the system roots are loaded while the
// connection is made (TCP connect and greeting take as long on loopback).
func withRoots[C any](a docstore.MailAccount, host string, dial func(roots func() (*tls.Config, error)) (C, error)) (C, error) {
	host = strings.Trim(strings.TrimSpace(host), "[]")
	if strings.TrimSpace(a.CAPEM) != "" {
		own := x509.NewCertPool()
		if !own.AppendCertsFromPEM([]byte(a.CAPEM)) {
			return dial(func() (*tls.Config, error) { return nil, errNoPEM })
		}
		c, err := dial(func() (*tls.Config, error) { return tlsConfig(own, host), nil })
		var u *UntrustedCertError
		if !errors.As(err, &u) || !errors.As(u.Err, new(x509.UnknownAuthorityError)) {
			return c, err
		}
	}
	type result struct {
		cfg *tls.Config
		err error
	}
	ch := make(chan result, 1)
	go func() {
		cfg, err := TLSConfig(a, host)
		ch <- result{cfg, err}
	}()
	return dial(sync.OnceValues(func() (*tls.Config, error) {
		r := <-ch
		return r.cfg, r.err
	}))
}

// UntrustedCertError: the server presented a certificate that does not
// verify. The session was not used: nothing (not even the password) was
// sent over it. The window shows the fingerprint and asks the user whether
// to trust the certificate; if so, PEM is appended to the account's CAPEM
// and the connection is tried again.
//
// errors.Is(err, ErrTLS) holds; Err is the verification error
// (x509.UnknownAuthorityError, x509.CertificateInvalidError,
// x509.HostnameError, …).
type UntrustedCertError struct {
	Host        string
	Fingerprint string // SHA-256 of the leaf, "AB:CD:…" as openssl x509 -fingerprint -sha256 prints it
	Subject     string
	Issuer      string
	NotBefore   time.Time
	NotAfter    time.Time
	Names       []string // DNS names and IP addresses the leaf is valid for
	// HostMismatch: the certificate does not name Host. Trusting it would
	// not help; the account should use one of Names as the server name.
	HostMismatch bool
	// Expired: outside NotBefore..NotAfter. Trusting it would not help.
	Expired bool
	PEM     string // the chain the server presented, leaf first: what the user would trust
	Err     error
}

func (e *UntrustedCertError) Error() string {
	return fmt.Sprintf("untrusted certificate from %s (SHA-256 %s, subject %q, issuer %q): %v",
		e.Host, e.Fingerprint, e.Subject, e.Issuer, e.Err)
}

func (e *UntrustedCertError) Unwrap() []error { return []error{ErrTLS, e.Err} }

// untrusted turns a handshake error into *UntrustedCertError when it is a
// certificate verification failure (it carries the presented chain), nil
// otherwise.
func untrusted(host string, err error) *UntrustedCertError {
	var cv *tls.CertificateVerificationError
	if !errors.As(err, &cv) || len(cv.UnverifiedCertificates) == 0 {
		return nil
	}
	leaf := cv.UnverifiedCertificates[0]
	sum := sha256.Sum256(leaf.Raw)
	hexs := make([]string, len(sum))
	for i, b := range sum {
		hexs[i] = fmt.Sprintf("%02X", b)
	}
	var p strings.Builder
	for _, c := range cv.UnverifiedCertificates {
		pem.Encode(&p, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	names := append([]string(nil), leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	u := &UntrustedCertError{
		Host:        host,
		Fingerprint: strings.Join(hexs, ":"),
		Subject:     leaf.Subject.String(),
		Issuer:      leaf.Issuer.String(),
		NotBefore:   leaf.NotBefore,
		NotAfter:    leaf.NotAfter,
		Names:       names,
		PEM:         p.String(),
		Err:         cv.Err,
	}
	var he x509.HostnameError
	u.HostMismatch = errors.As(cv.Err, &he)
	var ci x509.CertificateInvalidError
	u.Expired = errors.As(cv.Err, &ci) && ci.Reason == x509.Expired
	return u
}
