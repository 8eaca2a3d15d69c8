// Package pdfsig reads the digital signatures of a PDF (the signed
// documents Decree 30 and Circular 41/2017 make the norm between
// agencies): who signed, when, whether the signature matches the bytes it
// covers, and whether the file was changed after signing.
//
// A PDF signature (adbe.pkcs7.detached, ETSI.CAdES.detached) is a CMS
// SignedData in the /Contents of a signature dictionary, over the byte
// ranges its /ByteRange names: the whole file but the /Contents hole. The
// ranges are hashed as a stream (a signed PDF is never read whole into
// memory). The certificate is shown, not judged: the agencies' CAs (Ban
// Cơ yếu Chính phủ) are not in the system's trust store, and the window
// says so.
package pdfsig

import (
	"bufio"
	"bytes"
	"crypto"
	_ "crypto/sha1" // SHA-1 signatures still exist in older documents
	_ "crypto/sha256"
	_ "crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"go.mozilla.org/pkcs7"
)

// Signature is one signature of a PDF.
type Signature struct {
	Signer       string    // the certificate's common name
	Organization string    // its organisation, when it has one
	Issuer       string    // who issued the certificate (common name)
	SigningTime  time.Time // the signed signing-time attribute (zero: none)
	NotAfter     time.Time // the certificate's end of validity
	// Valid: the signature is the certificate's over exactly the bytes it
	// covers. Err says why not.
	Valid bool
	Err   error
	// ChangedAfter: bytes were added after the signed part (an incremental
	// update: annotations, a later signature, or a change of content).
	ChangedAfter bool
}

// ErrNotPDF: the file is not a PDF.
var ErrNotPDF = errors.New("pdfsig: not a PDF")

// maxContents bounds a signature's /Contents (a CMS with its chain and a
// timestamp is a few tens of kB).
const maxContents = 1 << 20

// Inspect finds and checks every signature of the PDF r of the given
// size; none found is an empty list.
func Inspect(r io.ReaderAt, size int64) ([]Signature, error) {
	head := make([]byte, 5)
	if n, _ := r.ReadAt(head, 0); n < 5 || string(head) != "%PDF-" {
		return nil, ErrNotPDF
	}
	ranges, err := findByteRanges(r, size)
	if err != nil {
		return nil, err
	}
	var out []Signature
	for _, br := range ranges {
		out = append(out, check(r, size, br))
	}
	return out, nil
}

// byteRange is a /ByteRange: [a, a+b) and [c, c+d).
type byteRange [4]int64

var marker = []byte("/ByteRange")

// findByteRanges scans the file in chunks (overlapping by a marker's
// length plus the array) for /ByteRange [a b c d].
func findByteRanges(r io.ReaderAt, size int64) ([]byteRange, error) {
	const chunk = 1 << 20
	const overlap = 256
	var out []byteRange
	seen := map[byteRange]bool{}
	buf := make([]byte, min(size, chunk)+overlap)
	for off := int64(0); off < size; off += chunk {
		n, err := r.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return nil, err
		}
		b := buf[:n]
		for i := 0; ; {
			j := bytes.Index(b[i:], marker)
			if j < 0 {
				break
			}
			at := i + j
			i = at + len(marker)
			if int64(at) >= chunk && off+chunk < size {
				continue // the next chunk finds it whole
			}
			if br, ok := parseByteRange(b[at+len(marker):]); ok && !seen[br] {
				seen[br] = true
				out = append(out, br)
			}
		}
	}
	return out, nil
}

// parseByteRange reads " [a b c d]".
func parseByteRange(b []byte) (byteRange, bool) {
	var br byteRange
	i := bytes.IndexByte(b, '[')
	j := bytes.IndexByte(b, ']')
	if i < 0 || j < i || len(bytes.TrimSpace(b[:i])) > 0 {
		return br, false
	}
	f := bytes.Fields(b[i+1 : j])
	if len(f) != 4 {
		return br, false
	}
	for k := range f {
		n, err := strconv.ParseInt(string(f[k]), 10, 64)
		if err != nil || n < 0 {
			return br, false
		}
		br[k] = n
	}
	return br, true
}

// check verifies one signature.
func check(r io.ReaderAt, size int64, br byteRange) Signature {
	var s Signature
	a, b, c, d := br[0], br[1], br[2], br[3]
	if a != 0 || b > size || c > size || d > size || a+b > c || c+d > size || c-(a+b) > 2*maxContents+2 {
		s.Err = fmt.Errorf("pdfsig: byte range %v does not fit the file", br)
		return s
	}
	s.ChangedAfter = c+d < size
	hole := make([]byte, c-(a+b))
	if _, err := r.ReadAt(hole, a+b); err != nil {
		s.Err = err
		return s
	}
	hole = bytes.TrimSpace(hole)
	if len(hole) < 2 || hole[0] != '<' || hole[len(hole)-1] != '>' {
		s.Err = errors.New("pdfsig: the signature's /Contents is not a hex string")
		return s
	}
	der, err := hex.DecodeString(string(bytes.Join(bytes.Fields(hole[1:len(hole)-1]), nil)))
	if err != nil {
		s.Err = fmt.Errorf("pdfsig: /Contents: %w", err)
		return s
	}
	der = trimDER(der) // the hole is padded with zeros
	p7, err := pkcs7.Parse(der)
	if err != nil {
		s.Err = fmt.Errorf("pdfsig: the signature: %w", err)
		return s
	}
	cert := p7.GetOnlySigner()
	if cert == nil || len(p7.Signers) != 1 {
		s.Err = errors.New("pdfsig: not one signer with its certificate")
		return s
	}
	s.Signer, s.Issuer, s.NotAfter = cert.Subject.CommonName, cert.Issuer.CommonName, cert.NotAfter
	if len(cert.Subject.Organization) > 0 {
		s.Organization = cert.Subject.Organization[0]
	}
	var signingTime time.Time
	if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &signingTime) == nil {
		s.SigningTime = signingTime
	}
	s.Err = verify(r, br, p7, cert)
	s.Valid = s.Err == nil
	return s
}

// trimDER cuts a DER value to its encoded length.
func trimDER(b []byte) []byte {
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	if err != nil {
		return b
	}
	return b[:len(b)-len(rest)]
}

// attribute is a CMS attribute as go.mozilla.org/pkcs7 holds it.
type attribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

// verify: the digest of the ranges (streamed) is the signed
// message-digest attribute, and the signature over the signed attributes
// is the certificate's.
func verify(r io.ReaderAt, br byteRange, p7 *pkcs7.PKCS7, cert *x509.Certificate) error {
	si := p7.Signers[0]
	h, err := hashFor(si.DigestAlgorithm.Algorithm)
	if err != nil {
		return err
	}
	w := h.New()
	for _, rg := range [][2]int64{{br[0], br[1]}, {br[2], br[3]}} {
		if _, err := io.Copy(w, bufio.NewReaderSize(io.NewSectionReader(r, rg[0], rg[1]), 64<<10)); err != nil {
			return err
		}
	}
	sum := w.Sum(nil)
	if len(si.AuthenticatedAttributes) == 0 {
		return errors.New("pdfsig: a signature without signed attributes is not supported")
	}
	var digest []byte
	if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeMessageDigest, &digest); err != nil {
		return err
	}
	if !bytes.Equal(digest, sum) {
		return ErrModified
	}
	attrs := make([]attribute, len(si.AuthenticatedAttributes))
	for i, a := range si.AuthenticatedAttributes {
		attrs[i] = attribute{Type: a.Type, Value: a.Value}
	}
	enc, err := asn1.Marshal(struct {
		A []attribute `asn1:"set"`
	}{A: attrs})
	if err != nil {
		return err
	}
	var set asn1.RawValue
	if _, err := asn1.Unmarshal(enc, &set); err != nil {
		return err
	}
	alg, err := signatureAlgorithm(si.DigestEncryptionAlgorithm.Algorithm, si.DigestAlgorithm.Algorithm)
	if err != nil {
		return err
	}
	if err := cert.CheckSignature(alg, set.Bytes, si.EncryptedDigest); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}

var (
	// ErrModified: the signed bytes are not those the signature covers
	// now — the document was changed after it was signed.
	ErrModified = errors.New("pdfsig: the signed part of the document was changed")
	// ErrBadSignature: the signature is not the certificate's.
	ErrBadSignature = errors.New("pdfsig: the signature does not verify")
)

func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, error) {
	switch {
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA1):
		return crypto.SHA1, nil
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA256):
		return crypto.SHA256, nil
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA384):
		return crypto.SHA384, nil
	case oid.Equal(pkcs7.OIDDigestAlgorithmSHA512):
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("pdfsig: digest algorithm %v not supported", oid)
}

// oidECPublicKey (id-ecPublicKey) is what some signing tools put as the
// signature algorithm of an ECDSA signer.
var oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}

func signatureAlgorithm(enc, digest asn1.ObjectIdentifier) (x509.SignatureAlgorithm, error) {
	h, err := hashFor(digest)
	if err != nil {
		return 0, err
	}
	rsa := enc.Equal(pkcs7.OIDEncryptionAlgorithmRSA) || enc.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA1) ||
		enc.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA256) || enc.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA384) ||
		enc.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA512)
	ecdsa := enc.Equal(pkcs7.OIDDigestAlgorithmECDSASHA1) || enc.Equal(pkcs7.OIDDigestAlgorithmECDSASHA256) ||
		enc.Equal(pkcs7.OIDDigestAlgorithmECDSASHA384) || enc.Equal(pkcs7.OIDDigestAlgorithmECDSASHA512) ||
		enc.Equal(pkcs7.OIDEncryptionAlgorithmECDSAP256) || enc.Equal(pkcs7.OIDEncryptionAlgorithmECDSAP384) ||
		enc.Equal(oidECPublicKey)
	switch {
	case rsa && h == crypto.SHA1:
		return x509.SHA1WithRSA, nil
	case rsa && h == crypto.SHA256:
		return x509.SHA256WithRSA, nil
	case rsa && h == crypto.SHA384:
		return x509.SHA384WithRSA, nil
	case rsa && h == crypto.SHA512:
		return x509.SHA512WithRSA, nil
	case ecdsa && h == crypto.SHA1:
		return x509.ECDSAWithSHA1, nil
	case ecdsa && h == crypto.SHA256:
		return x509.ECDSAWithSHA256, nil
	case ecdsa && h == crypto.SHA384:
		return x509.ECDSAWithSHA384, nil
	case ecdsa && h == crypto.SHA512:
		return x509.ECDSAWithSHA512, nil
	}
	return 0, fmt.Errorf("pdfsig: signature algorithm %v not supported", enc)
}
