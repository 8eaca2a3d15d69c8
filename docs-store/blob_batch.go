package docstore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// BlobBatch stores many blobs and makes them durable together. The mail
// sync writes thousands of messages a minute; an fsync per file (what Put
// does) would cost more than the network. A batch writes each file and
// renames it into place without syncing, then Sync makes the whole batch
// durable at once (syncfs on Linux, an fsync per file elsewhere), and only
// then does the caller commit the rows that name the blobs. So the database
// never refers to a blob that a power cut could take away; a crash before
// Sync leaves at worst unreferenced files, which the next Put of the same
// content overwrites when their size is wrong.
type BlobBatch struct {
	b     *BlobStore
	files []string // written since the last Sync (for the per-file fallback)
}

// Batch starts a batch of writes into b.
func (b *BlobStore) Batch() *BlobBatch { return &BlobBatch{b: b} }

// Put streams r into the store like BlobStore.Put, without syncing.
func (bb *BlobBatch) Put(r io.Reader) (BlobRef, error) {
	tmp, err := os.CreateTemp(filepath.Join(bb.b.dir, "tmp"), "in-*")
	if err != nil {
		return BlobRef{}, fmt.Errorf("store blob: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a rename this is a no-op
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return BlobRef{}, fmt.Errorf("store blob: %w", err)
	}
	ref := BlobRef{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	dst, _ := bb.b.Path(ref.SHA256)
	if st, err := os.Stat(dst); err == nil && st.Size() == n {
		return ref, nil // already here, whole
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return BlobRef{}, fmt.Errorf("store blob: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return BlobRef{}, fmt.Errorf("store blob: %w", err)
	}
	bb.files = append(bb.files, dst)
	return ref, nil
}

// Sync makes every blob written by this batch durable.
func (bb *BlobBatch) Sync() error {
	if len(bb.files) == 0 {
		return nil
	}
	if err := syncBlobs(bb.b.dir, bb.files); err != nil {
		return fmt.Errorf("sync blobs: %w", err)
	}
	bb.files = bb.files[:0]
	return nil
}

// syncEach is the portable durability: each file, then each directory that
// received a new name.
func syncEach(files []string) error {
	dirs := map[string]bool{}
	for _, p := range files {
		if err := fsyncPath(p); err != nil {
			return err
		}
		dirs[filepath.Dir(p)] = true
	}
	if runtime.GOOS == "windows" {
		return nil // NTFS: a directory cannot be flushed; the rename is journalled
	}
	for d := range dirs {
		if err := fsyncPath(d); err != nil {
			return err
		}
	}
	return nil
}

func fsyncPath(p string) error {
	// Windows flushes a file only through a handle open for writing
	// (FlushFileBuffers needs GENERIC_WRITE): a read-only one is "Access
	// denied". Directories are never flushed there (syncEach).
	flag := os.O_RDONLY
	if runtime.GOOS == "windows" {
		flag = os.O_RDWR
	}
	f, err := os.OpenFile(p, flag, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
