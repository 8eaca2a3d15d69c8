package docstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// BlobStore keeps attachment files once each, named by their SHA-256, under
// blobs/ab/abcdef…; the original file name is metadata in the database and
// never becomes a path, so hostile names cannot escape the folder.
type BlobStore struct{ dir string }

// BlobRef identifies a stored file.
type BlobRef struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// NewBlobStore opens (creating) a blob folder.
func NewBlobStore(dir string) (*BlobStore, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	return &BlobStore{dir: dir}, nil
}

func validSHA(sha string) bool {
	if len(sha) != 64 {
		return false
	}
	_, err := hex.DecodeString(sha)
	return err == nil
}

// Path is where a blob lives; sha must be 64 hex digits.
func (b *BlobStore) Path(sha string) (string, error) {
	if !validSHA(sha) {
		return "", fmt.Errorf("%w: blob id %q", ErrInvalid, sha)
	}
	return filepath.Join(b.dir, sha[:2], sha), nil
}

// Put streams r into the store (never holding the whole file in memory),
// hashing as it goes; a file already present is not written twice. The
// temp file is synced before the rename, so a crash leaves either no blob or
// a whole one.
func (b *BlobStore) Put(r io.Reader) (BlobRef, error) {
	tmp, err := os.CreateTemp(filepath.Join(b.dir, "tmp"), "in-*")
	if err != nil {
		return BlobRef{}, fmt.Errorf("store attachment: %w", err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return BlobRef{}, fmt.Errorf("store attachment: %w", err)
	}
	ref := BlobRef{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	dst, _ := b.Path(ref.SHA256)
	if _, err := os.Stat(dst); err == nil {
		return ref, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return BlobRef{}, fmt.Errorf("store attachment: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return BlobRef{}, fmt.Errorf("store attachment: %w", err)
	}
	return ref, nil
}

// PutFile stores the file at path.
func (b *BlobStore) PutFile(path string) (BlobRef, error) {
	f, err := os.Open(path)
	if err != nil {
		return BlobRef{}, fmt.Errorf("store attachment: %w", err)
	}
	defer f.Close()
	return b.Put(f)
}

// Open returns a reader of the blob; ErrNotFound when it is not here (yet).
func (b *BlobStore) Open(sha string) (*os.File, error) {
	p, err := b.Path(sha)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("open attachment %s: %w", sha, ErrNotFound)
	}
	return f, err
}
