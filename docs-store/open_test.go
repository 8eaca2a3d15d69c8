package docstore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecondInstanceIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	s.Close()
	s2, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("reopen after close: %v", err)
	}
	s2.Close()
}

func TestCorruptDatabaseIsRefusedNotOverwritten(t *testing.T) {
	dir := t.TempDir()
	junk := bytes.Repeat([]byte("không phải cơ sở dữ liệu "), 200)
	path := filepath.Join(dir, DBFile)
	os.WriteFile(path, junk, 0o600)
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("junk file: %v", err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, junk) {
		t.Fatal("the damaged file was changed")
	}
	// A real database damaged in its pages.
	dir2 := t.TempDir()
	f := openFixture(t, dir2)
	f.register()
	f.s.Close()
	p2 := filepath.Join(dir2, DBFile)
	b, _ := os.ReadFile(p2)
	for i := 4096; i < len(b); i++ {
		b[i] ^= 0x5a
	}
	os.WriteFile(p2, b, 0o600)
	os.Remove(p2 + "-wal")
	s, err := Open(dir2, Options{})
	if err == nil {
		s.Close()
		t.Fatal("damaged pages accepted")
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Logf("damaged pages refused with: %v", err)
	}
	if after, _ := os.ReadFile(p2); !bytes.Equal(after, b) {
		t.Fatal("the damaged database was changed")
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.w.Exec(`PRAGMA user_version = 99`)
	s.Close()
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("newer schema: %v", err)
	}
	// Another program's SQLite file in the folder is not ours to migrate.
	dir2 := t.TempDir()
	s2, _ := Open(dir2, Options{})
	s2.w.Exec(`PRAGMA application_id = 12345`)
	s2.Close()
	if _, err := Open(dir2, Options{}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("foreign database: %v", err)
	}
}

func TestSchemaVersionRecorded(t *testing.T) {
	f := newFixture(t)
	var v int
	f.s.r.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion() || v < 1 {
		t.Fatalf("user_version %d, want %d", v, SchemaVersion())
	}
}

// Attachments stream in (a 64 MiB file through a reader that never holds
// it), are stored once, and hostile names never become paths.
func TestBlobsStreamedAndDeduplicated(t *testing.T) {
	f := newFixture(t)
	const size = 64 << 20
	ref, err := f.s.Blobs().Put(io.LimitReader(zeroReader{}, size))
	if err != nil || ref.Size != size {
		t.Fatal(ref, err)
	}
	again, _ := f.s.Blobs().Put(io.LimitReader(zeroReader{}, size))
	if again != ref {
		t.Fatal("same content, different blob")
	}
	entries, _ := os.ReadDir(filepath.Join(f.s.Dir(), "blobs", "tmp"))
	if len(entries) != 0 {
		t.Fatal("temp files left behind")
	}
	for _, name := range []string{"../../x", "CON", strings.Repeat("đ", 300) + ".pdf", "tài liệu\u202efdp.exe", "a/b\\c"} {
		r := f.register(func(in *IncomingInput) {
			in.Attachments = []Attachment{{SHA256: ref.SHA256, Name: name, Size: ref.Size}}
		})
		as, err := f.s.Attachments(f.ctx, clerk, r.DocID)
		f.must(err)
		if len(as) != 1 || as[0].Name != name {
			t.Fatalf("name not kept for display: %+v", as)
		}
		p, _ := f.s.Blobs().Path(as[0].SHA256)
		if !strings.HasPrefix(p, filepath.Join(f.s.Dir(), "blobs")) {
			t.Fatal("blob outside the store")
		}
	}
	if _, err := f.s.Blobs().Path("../../etc/passwd"); !errors.Is(err, ErrInvalid) {
		t.Fatal("a path as blob id accepted")
	}
	rc, err := f.s.Blobs().Open(ref.SHA256)
	f.must(err)
	n, _ := io.Copy(io.Discard, rc)
	rc.Close()
	if n != size {
		t.Fatal("blob truncated")
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
