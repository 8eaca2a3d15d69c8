package account

import (
	"errors"
	"fmt"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// ErrLiteralBroken: a FETCH literal stopped before its end (the connection
// broke in the middle of a message). What was read of it is worthless, and
// the connection too.
var ErrLiteralBroken = errors.New("imap: message cut off in the middle")

// Literal is a FETCH literal that remembers whether reading it failed.
//
// Why: in go-imap v2.0.0-beta.8 a literal whose read fails (the server
// went away mid-message) hands the connection straight back to the
// client's reader goroutine, yet FetchMessageData.Next and
// FetchCommand.Close still drain that literal afterwards, reading the same
// bufio.Reader from a second goroutine — a data race the race detector
// catches when Dovecot is killed mid-sync. So a reader of a literal wraps
// it here and, when Broken, calls CloseBroken instead of cmd.Close: the
// connection is closed first (the reader goroutine then ends) and only
// then is the command drained, from one goroutine.
type Literal struct {
	r      imap.LiteralReader
	read   int64
	broken bool
}

// NewLiteral wraps a FETCH item's literal.
func NewLiteral(r imap.LiteralReader) *Literal { return &Literal{r: r} }

// Size is the literal's announced size.
func (l *Literal) Size() int64 { return l.r.Size() }

func (l *Literal) Read(p []byte) (int, error) {
	if l.broken {
		return 0, ErrLiteralBroken
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	if err != nil && (err != io.EOF || l.read < l.r.Size()) {
		l.broken = true
		return n, fmt.Errorf("%w: %v", ErrLiteralBroken, err)
	}
	return n, err
}

// Broken says the literal stopped before its end.
func (l *Literal) Broken() bool { return l.broken }

// Discard reads what is left of the literal, unless it broke (then the
// wire is the client's reader goroutine's again and must not be touched).
func (l *Literal) Discard() {
	if !l.broken {
		io.Copy(io.Discard, l)
	}
}

// CloseFetch ends a FETCH command. When one of its literals broke, the
// connection is closed before the command is drained (see Literal);
// otherwise it is cmd.Close. The error is the command's, or
// ErrLiteralBroken.
func CloseFetch(c *imapclient.Client, cmd *imapclient.FetchCommand, broken bool) error {
	if !broken {
		return cmd.Close()
	}
	c.Close()
	cmd.Close()
	return ErrLiteralBroken
}
