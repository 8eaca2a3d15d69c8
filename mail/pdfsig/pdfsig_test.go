package pdfsig

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"congvu/mail/pdfsig/pdfsigtest"
)

func inspect(t *testing.T, pdf []byte) []Signature {
	t.Helper()
	sigs, err := Inspect(bytes.NewReader(pdf), int64(len(pdf)))
	if err != nil {
		t.Fatal(err)
	}
	return sigs
}

// A signed PDF: who signed and when, valid; then changed inside the signed
// part (not valid: modified), and with an update appended (valid, but
// changed after signing).
func TestSignedPDF(t *testing.T) {
	for _, useRSA := range []bool{true, false} {
		cert, key := pdfsigtest.Signer(t, useRSA)
		pdf := pdfsigtest.SignedPDF(t, cert, key, "Quyết định số 1234/QĐ-UBND")
		sigs := inspect(t, pdf)
		if len(sigs) != 1 {
			t.Fatalf("rsa=%v: %d signatures", useRSA, len(sigs))
		}
		s := sigs[0]
		if !s.Valid || s.Err != nil || s.ChangedAfter || s.Signer != "Nguyễn Văn Đức" || s.Organization != "Ủy ban nhân dân tỉnh Nghệ An" ||
			s.Issuer != "Cục Chứng thực số và Bảo mật thông tin" || time.Since(s.SigningTime) > time.Minute {
			t.Fatalf("rsa=%v: %+v", useRSA, s)
		}

		tampered := bytes.Replace(pdf, []byte("1234"), []byte("1235"), 1)
		s = inspect(t, tampered)[0]
		if s.Valid || !errors.Is(s.Err, ErrModified) {
			t.Fatalf("rsa=%v: changed inside the signed part: %+v", useRSA, s)
		}

		updated := append(bytes.Clone(pdf), []byte("4 0 obj\n(Nội dung khác)\nendobj\n%%EOF\n")...)
		s = inspect(t, updated)[0]
		if !s.Valid || !s.ChangedAfter {
			t.Fatalf("rsa=%v: update appended: %+v", useRSA, s)
		}
	}
}

// Not a PDF, a PDF without signatures, a broken signature: said, no panic.
func TestUnsignedAndBroken(t *testing.T) {
	if _, err := Inspect(bytes.NewReader([]byte("PK\x03\x04 a docx")), 12); !errors.Is(err, ErrNotPDF) {
		t.Fatalf("a docx: %v", err)
	}
	if s := inspect(t, []byte("%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")); len(s) != 0 {
		t.Fatalf("unsigned: %+v", s)
	}
	cert, key := pdfsigtest.Signer(t, false)
	pdf := pdfsigtest.SignedPDF(t, cert, key, "x")
	i := bytes.Index(pdf, []byte("/Contents <")) + len("/Contents <")
	copy(pdf[i:], "zz")
	if s := inspect(t, pdf); len(s) != 1 || s[0].Valid || s[0].Err == nil {
		t.Fatalf("broken contents: %+v", s)
	}
	bad := []byte("%PDF-1.7\n/ByteRange [0 999999 1000000 5] /Contents <00>\n")
	if s := inspect(t, bad); len(s) != 1 || s[0].Valid || s[0].Err == nil {
		t.Fatalf("a range past the end: %+v", s)
	}
}

// FuzzInspect: any bytes are inspected without a panic.
func FuzzInspect(f *testing.F) {
	cert, key := pdfsigtest.Signer(f, false)
	f.Add(pdfsigtest.SignedPDF(f, cert, key, "văn bản"))
	f.Add([]byte("%PDF-1.7 /ByteRange [0 1 2 3] /Contents <3000>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Inspect(bytes.NewReader(b), int64(len(b)))
	})
}
