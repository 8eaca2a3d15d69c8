package journal

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// formatVersion is the "v" of the Signed object and the value of the
// X-Congvu-Journal header.
const formatVersion = 1

// sigContext starts every signed byte string: a signature made for the
// journal cannot be passed off as one for anything else the key signs.
const sigContext = "congvu-journal-v1\x00"

// signedBytes is what the Ed25519 signature covers: the context, the
// agency code and the event's bytes, NUL-separated. An agency code has no
// NUL (validAgency), so the split is unambiguous.
func signedBytes(agency string, raw []byte) []byte {
	b := make([]byte, 0, len(sigContext)+len(agency)+1+len(raw))
	b = append(b, sigContext...)
	b = append(b, agency...)
	b = append(b, 0)
	return append(b, raw...)
}

// signedObject is the JSON of the event part (doc.go, "Signed").
type signedObject struct {
	Agency string
	Event  []byte // the event's bytes as signed
	Key    ed25519.PublicKey
	Sig    []byte
}

// marshalSigned writes the Signed object. It is assembled by hand so that
// the event goes in byte for byte: json.Marshal of a RawMessage would
// compact it, which happens to be a no-op for ev.Encode() output today but
// is not something the signature should depend on.
func marshalSigned(agency string, raw []byte, key ed25519.PrivateKey) ([]byte, error) {
	ag, err := json.Marshal(agency)
	if err != nil {
		return nil, fmt.Errorf("journal: encode agency: %w", err)
	}
	pub := key.Public().(ed25519.PublicKey)
	sig := ed25519.Sign(key, signedBytes(agency, raw))
	var b bytes.Buffer
	b.Grow(len(raw) + 256)
	fmt.Fprintf(&b, `{"v":%d,"agency":%s,"event":`, formatVersion, ag)
	b.Write(raw)
	b.WriteString(`,"key":"` + base64.StdEncoding.EncodeToString(pub) + `"`)
	b.WriteString(`,"sig":"` + base64.StdEncoding.EncodeToString(sig) + `"}`)
	return b.Bytes(), nil
}

// parseSigned reads the Signed object strictly: UTF-8, one object with
// exactly the five members, each once, nothing after it. A member given
// twice is refused rather than "last wins": two readers of the same
// bytes must never see two different events.
func parseSigned(b []byte) (*signedObject, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: event part is not UTF-8", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("%w: event part is not a JSON object", ErrMalformed)
	}
	var (
		s        signedObject
		seen     = map[string]bool{}
		version  json.RawMessage
		key, sig string
	)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: event part: %v", ErrMalformed, err)
		}
		name, _ := t.(string)
		if seen[name] {
			return nil, fmt.Errorf("%w: event part: %q given twice", ErrMalformed, name)
		}
		seen[name] = true
		var dst any
		switch name {
		case "v":
			dst = &version
		case "agency":
			dst = &s.Agency
		case "event":
			dst = (*json.RawMessage)(&s.Event)
		case "key":
			dst = &key
		case "sig":
			dst = &sig
		default:
			return nil, fmt.Errorf("%w: event part: unknown member %q", ErrMalformed, name)
		}
		if err := dec.Decode(dst); err != nil {
			return nil, fmt.Errorf("%w: event part: %s: %v", ErrMalformed, name, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("%w: event part: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: event part: data after the object", ErrMalformed)
	}
	if len(seen) != 5 { // only the five names get this far
		return nil, fmt.Errorf("%w: event part: members missing (want v, agency, event, key, sig)", ErrMalformed)
	}
	switch v := string(version); {
	case v == "1":
	case isJSONInt(v):
		return nil, fmt.Errorf("%w: %w: v=%s", ErrMalformed, ErrVersion, v)
	default:
		return nil, fmt.Errorf("%w: event part: v is not a version number", ErrMalformed)
	}
	if len(s.Event) == 0 || s.Event[0] != '{' {
		return nil, fmt.Errorf("%w: event part: event is not an object", ErrMalformed)
	}
	var err error
	if s.Key, err = decodeFixed(key, ed25519.PublicKeySize); err != nil {
		return nil, fmt.Errorf("%w: key: %v", ErrBadSignature, err)
	}
	if s.Sig, err = decodeFixed(sig, ed25519.SignatureSize); err != nil {
		return nil, fmt.Errorf("%w: sig: %v", ErrBadSignature, err)
	}
	return &s, nil
}

// decodeFixed decodes canonical standard base64 of exactly n bytes.
func decodeFixed(s string, n int) ([]byte, error) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64: %v", err)
	}
	if len(b) != n {
		return nil, fmt.Errorf("%d bytes, want %d", len(b), n)
	}
	return b, nil
}

func isJSONInt(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// verify checks the signature of s for agency.
func (s *signedObject) verify(agency string) error {
	if !ed25519.Verify(s.Key, signedBytes(agency, s.Event), s.Sig) {
		return fmt.Errorf("%w: the signature does not verify with key %s", ErrBadSignature, Fingerprint(s.Key))
	}
	return nil
}
