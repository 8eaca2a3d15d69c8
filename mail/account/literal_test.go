package account

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// sizedReader is a literal of announced size that may hold fewer bytes
// (the connection broke) and counts the reads it was asked for.
type sizedReader struct {
	r     io.Reader
	size  int64
	reads int
}

func (s *sizedReader) Read(p []byte) (int, error) { s.reads++; return s.r.Read(p) }
func (s *sizedReader) Size() int64                { return s.size }

func TestLiteralWhole(t *testing.T) {
	l := NewLiteral(&sizedReader{r: strings.NewReader("hello"), size: 5})
	b, err := io.ReadAll(l)
	if err != nil || string(b) != "hello" || l.Broken() {
		t.Fatalf("whole literal: %q %v broken=%v", b, err, l.Broken())
	}
}

// A literal that ends early (EOF before its size) or fails is broken,
// and is never read again: the wire belongs to the client's reader
// goroutine by then.
func TestLiteralBroken(t *testing.T) {
	for name, r := range map[string]io.Reader{
		"short": strings.NewReader("hel"),
		"reset": io.MultiReader(strings.NewReader("he"), iotestErr{}),
	} {
		src := &sizedReader{r: r, size: 5}
		l := NewLiteral(src)
		_, err := io.ReadAll(l)
		if !errors.Is(err, ErrLiteralBroken) || !l.Broken() {
			t.Fatalf("%s: %v broken=%v", name, err, l.Broken())
		}
		n := src.reads
		l.Discard()
		if _, err := l.Read(make([]byte, 1)); !errors.Is(err, ErrLiteralBroken) || src.reads != n {
			t.Fatalf("%s: read again after breaking (%d reads, then %d)", name, n, src.reads)
		}
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("connection reset by peer") }
