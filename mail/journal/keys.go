package journal

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
)

// Fingerprint names a public key the way OpenSSH prints fingerprints:
// "SHA256:" and the unpadded base64 of the SHA-256 of the key. The hash
// is of the raw 32-byte key (not of the SSH wire blob), so it is not what
// ssh-keygen -l would print for the same key; these keys are no SSH keys.
// It is what logs and error messages show.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// FingerprintGroups is the same key's fingerprint for people to compare:
// 8 groups of 5 digits, e.g. "04217 93501 …". When the administrator binds
// a colleague's key (and when a workstation pins the founding
// administrator's), the two read it to each other on the phone or side by
// side on screen; digits read aloud alike in Vietnamese and English, with
// no letters to spell (f, j, w, z are not Vietnamese letters) and no O/0
// or I/1/l to confuse. Group i is the i-th 4 bytes of the SHA-256 of the
// key, big-endian, modulo 100000: the 40 digits carry about 132 bits, far
// beyond what a forger could match by searching for keys.
func FingerprintGroups(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	groups := make([]string, 8)
	for i := range groups {
		groups[i] = fmt.Sprintf("%05d", binary.BigEndian.Uint32(sum[4*i:])%100000)
	}
	return strings.Join(groups, " ")
}

// PublicKeyString is the form a public key has in the directory
// (docstore.PersonInput.PublicKey): standard base64.
func PublicKeyString(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}

// ParsePublicKey reads a PublicKeyString (surrounding blanks ignored, as
// docstore.ParsePublicKey does, so both accept the same strings).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("journal: public key: not base64: %w", err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("journal: public key: %d bytes, want %d", len(b), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(b), nil
}
