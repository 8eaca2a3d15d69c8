package pdfsig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"go.mozilla.org/pkcs7"
)

// signer is a certificate like the Ban Cơ yếu's for a person of an agency.
func signer(t testing.TB, useRSA bool) (*x509.Certificate, any) {
	t.Helper()
	var key any
	var pub any
	if useRSA {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key, pub = k, &k.PublicKey
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key, pub = k, &k.PublicKey
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Cục Chứng thực số và Bảo mật thông tin"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(10 * 365 * 24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(42),
		Subject:   pkix.Name{CommonName: "Nguyễn Văn Đức", Organization: []string{"Ủy ban nhân dân tỉnh Nghệ An"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(365 * 24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, pub, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// signedPDF is a small PDF signed the way signing tools do it: a
// signature dictionary whose /Contents hole receives the CMS over the rest.
func signedPDF(t testing.TB, cert *x509.Certificate, key any, body string) []byte {
	t.Helper()
	const hole = 16384
	pdf := "%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 3 0 R >>\nendobj\n4 0 obj\n(" + body + ")\nendobj\n" +
		"2 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 0000000000 0000000000 0000000000] /Contents <" +
		strings.Repeat("0", hole) + "> >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
	b := int64(strings.Index(pdf, "/Contents <") + len("/Contents "))
	c := b + hole + 2
	d := int64(len(pdf)) - c
	pdf = strings.Replace(pdf, "[0 0000000000 0000000000 0000000000]", fmt.Sprintf("[0 %010d %010d %010d]", b, c, d), 1)
	data := pdf[:b] + pdf[c:]
	sd, err := pkcs7.NewSignedData([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	h := hex.EncodeToString(der)
	if len(h) > hole {
		t.Fatal("signature larger than the hole")
	}
	out := []byte(pdf)
	copy(out[b+1:], h)
	return out
}

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
		cert, key := signer(t, useRSA)
		pdf := signedPDF(t, cert, key, "Quyết định số 1234/QĐ-UBND")
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
	cert, key := signer(t, false)
	pdf := signedPDF(t, cert, key, "x")
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
	cert, key := signer(f, false)
	f.Add(signedPDF(f, cert, key, "văn bản"))
	f.Add([]byte("%PDF-1.7 /ByteRange [0 1 2 3] /Contents <3000>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		Inspect(bytes.NewReader(b), int64(len(b)))
	})
}
