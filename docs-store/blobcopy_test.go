package docstore

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

// CopyTo streams a blob out and checks its SHA-256 on the way: a damaged
// blob is reported as ErrDamaged, a full disk as a WriteError.
func TestBlobCopyToVerifies(t *testing.T) {
	f := newFixture(t)
	content := strings.Repeat("Quyết định về việc phê duyệt kế hoạch. ", 5000) // ~200 KB: several buffers
	ref, err := f.s.Blobs().Put(strings.NewReader(content))
	f.must(err)

	var out bytes.Buffer
	n, err := f.s.Blobs().CopyTo(&out, ref)
	if err != nil || n != int64(len(content)) || out.String() != content {
		t.Fatalf("copy: %d bytes, %v", n, err)
	}

	_, err = f.s.Blobs().CopyTo(&failingWriter{after: 40000}, ref)
	var we *WriteError
	if !errors.As(err, &we) || errors.Is(err, ErrDamaged) {
		t.Fatalf("full disk reported as %v", err)
	}

	missing := BlobRef{SHA256: strings.Repeat("ab", 32), Size: 3}
	if _, err := f.s.Blobs().CopyTo(io.Discard, missing); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing blob: %v", err)
	}
	if _, err := f.s.Blobs().CopyTo(io.Discard, BlobRef{SHA256: "../../etc/passwd"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a path as blob id: %v", err)
	}

	// One byte changed, same size: found at the end.
	p, _ := f.s.Blobs().Path(ref.SHA256)
	bad := []byte(content)
	bad[len(bad)/2] ^= 1
	if err := os.WriteFile(p, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if _, err := f.s.Blobs().CopyTo(&out, ref); !errors.Is(err, ErrDamaged) {
		t.Fatalf("damaged blob: %v", err)
	}
	// Truncated: refused before a byte is written.
	if err := os.WriteFile(p, bad[:100], 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if n, err := f.s.Blobs().CopyTo(&out, ref); !errors.Is(err, ErrDamaged) || n != 0 || out.Len() != 0 {
		t.Fatalf("truncated blob: %d bytes written, %v", n, err)
	}
}

// The versions of a draft, with their notes, for the viewer; only the
// author adds one, and only while editing or returned.
func TestDraftVersionsList(t *testing.T) {
	f := newFixture(t)
	id, err := f.s.CreateDraft(f.ctx, specTN, NewDraft{Type: "CV", Subject: "V/v báo cáo tình hình sử dụng đất", File: f.file("bản 1")})
	f.must(err)
	v2 := f.file("bản 2")
	v2.Name = "dự thảo lần 2.docx"
	n, err := f.s.AddDraftVersion(f.ctx, specTN, id, v2, "  Sửa theo góp ý ", "")
	if err != nil || n != 2 {
		t.Fatalf("add version: %d %v", n, err)
	}
	if _, err := f.s.AddDraftVersion(f.ctx, specTN2, id, v2, "", ""); !errors.Is(err, ErrForbidden) {
		t.Fatalf("another specialist adding a version: %v", err)
	}
	vs, err := f.s.DraftVersions(f.ctx, specTN, id)
	f.must(err)
	if len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 || vs[1].Note != "Sửa theo góp ý" ||
		vs[1].File != v2 || vs[1].ByName != "Lê Thu Trang" || vs[1].At == "" {
		t.Fatalf("versions %+v", vs)
	}
	if _, err := f.s.DraftVersions(f.ctx, specTN, "no-such-draft"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown draft: %v", err)
	}
}
