package edxml

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// DirStore keeps attachment contents as files named by their SHA-256 in a
// folder: the command line's store (congvu edxml show / check, in a
// temporary folder) and the tests'. The app uses its blob store instead.
type DirStore struct{ Dir string }

// Put stores r's content and says where.
func (s DirStore) Put(r io.Reader) (Ref, error) {
	tmp, err := os.CreateTemp(s.Dir, "put-*")
	if err != nil {
		return Ref{}, fmt.Errorf("store attachment: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename: nothing
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Ref{}, err
	}
	ref := Ref{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	if err := os.Rename(tmp.Name(), s.path(ref.SHA256)); err != nil {
		return Ref{}, fmt.Errorf("store attachment: %w", err)
	}
	return ref, nil
}

// Open opens a stored content.
func (s DirStore) Open(sha string) (ReadAtCloser, error) { return os.Open(s.path(sha)) }

func (s DirStore) path(sha string) string { return filepath.Join(s.Dir, filepath.Base(sha)) }
