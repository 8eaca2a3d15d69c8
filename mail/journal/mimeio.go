package journal

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"

	"congvu/mail/mimemsg"
)

// --- writing ---

// headerWriter writes header fields with CRLF, folded at spaces
// (mimemsg.WriteField).
type headerWriter struct {
	w *bufio.Writer
}

func (h headerWriter) field(name, value string) {
	mimemsg.WriteField(h.w, name, strings.Split(strings.TrimSpace(value), " "))
}

// encodeWords encodes a header value: as it is when it is plain ASCII,
// else as RFC 2047 encoded-words (mimemsg.EncodeWords). Always encoding
// what is not plain ASCII (rather than mime.BEncoding, which leaves a
// literal "=?" alone) keeps a subject from being misread as encoded.
func encodeWords(s string) string {
	plain := !strings.Contains(s, "=?")
	for i := 0; i < len(s) && plain; i++ {
		plain = s[i] >= 0x20 && s[i] < 0x7f
	}
	if plain {
		return s
	}
	return strings.Join(mimemsg.EncodeWords(s), " ")
}

// --- reading ---

// sourceReader remembers the first error of the caller's reader, so that
// a broken connection is reported as such and not as a broken message.
type sourceReader struct {
	r   io.Reader
	err error
}

func (s *sourceReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return n, err
}

// budgetReader bounds what a header section may read: while limited it
// gives at most left more bytes, then reports io.EOF and notes that the
// budget ran out. go-message reads headers without any bound of its own,
// so the limit has to sit under its buffered reader. Bodies are read
// unlimited (document files are large; they are streamed).
type budgetReader struct {
	r        io.Reader
	limited  bool
	left     int64
	exceeded bool
}

func (b *budgetReader) limit(n int64) { b.limited, b.left = true, n }
func (b *budgetReader) unlimit()      { b.limited = false }

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.limited {
		if b.left <= 0 {
			b.exceeded = true
			return 0, io.EOF
		}
		if int64(len(p)) > b.left {
			p = p[:b.left]
		}
	}
	n, err := b.r.Read(p)
	if b.limited {
		b.left -= int64(n)
	}
	return n, err
}

// hashReader passes a file's content through and, at its end, checks
// that its SHA-256 is the one it is named by: the consumer gets
// ErrFileMismatch instead of io.EOF, so a wrong file cannot be taken for
// a complete one. err keeps the first error it returned (the message's
// fault, not the consumer's).
type hashReader struct {
	r    io.Reader
	h    hash.Hash
	want string
	n    int64
	err  error
}

func newHashReader(r io.Reader, sha string) *hashReader {
	return &hashReader{r: r, h: sha256.New(), want: sha}
}

func (h *hashReader) Read(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	switch {
	case err == io.EOF:
		if got := hex.EncodeToString(h.h.Sum(nil)); got != h.want {
			h.err = fmt.Errorf("%w: file %s has SHA-256 %s", ErrFileMismatch, h.want, got)
			return n, h.err
		}
		h.err = io.EOF
	case err != nil:
		h.err = err
	}
	return n, err
}

// drain reads what the consumer left and returns the reader's verdict:
// nil when the whole content was there and matched.
func (h *hashReader) drain() error {
	if h.err == nil {
		io.Copy(io.Discard, h)
	}
	if h.err == io.EOF {
		return nil
	}
	return h.err
}
