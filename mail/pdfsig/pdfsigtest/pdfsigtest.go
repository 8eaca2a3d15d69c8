// Package pdfsigtest makes signed PDFs for tests: a certificate issued by
// a test CA, and a PDF signed as signing tools do it.
package pdfsigtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"go.mozilla.org/pkcs7"
)

// Signer is a certificate like the Ban Cơ yếu's for a person of an agency.
func Signer(t testing.TB, useRSA bool) (*x509.Certificate, any) {
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

// SignedPDF is a small PDF signed the way signing tools do it: a
// signature dictionary whose /Contents hole receives the CMS over the rest.
func SignedPDF(t testing.TB, cert *x509.Certificate, key any, body string) []byte {
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
