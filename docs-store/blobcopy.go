package docstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// ErrDamaged is a stored file whose content no longer matches its SHA-256
// (a disk error, a truncated copy of the data folder, a hand edit).
var ErrDamaged = errors.New("stored file is damaged")

// WriteError wraps a failure of the destination of CopyTo (disk full, a
// removed USB stick), so it is not mistaken for a damaged blob.
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return "write copy: " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

type destWriter struct{ w io.Writer }

func (d destWriter) Write(p []byte) (int, error) {
	n, err := d.w.Write(p)
	if err != nil {
		err = &WriteError{Err: err}
	}
	return n, err
}

// CopyTo streams the blob ref to w (a 32 KiB buffer at a time, never the
// whole file in memory), hashing as it goes. A blob of the wrong size is
// refused before anything is written; a blob whose SHA-256 differs is
// found at the end, after w got all of it: the error is then ErrDamaged
// and the caller must discard what it wrote. ErrNotFound when the blob is
// not here, a *WriteError when w failed.
func (b *BlobStore) CopyTo(w io.Writer, ref BlobRef) (int64, error) {
	f, err := b.Open(ref.SHA256)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if ref.Size >= 0 {
		if fi, err := f.Stat(); err == nil && fi.Size() != ref.Size {
			return 0, fmt.Errorf("copy attachment %s: %d bytes, want %d: %w", ref.SHA256, fi.Size(), ref.Size, ErrDamaged)
		}
	}
	h := sha256.New()
	n, err := io.Copy(destWriter{w}, io.TeeReader(f, h))
	if err != nil {
		var we *WriteError
		if errors.As(err, &we) {
			return n, err
		}
		return n, fmt.Errorf("copy attachment %s: %v: %w", ref.SHA256, err, ErrDamaged)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != ref.SHA256 {
		return n, fmt.Errorf("copy attachment %s: content hashes to %s: %w", ref.SHA256, got, ErrDamaged)
	}
	return n, nil
}
