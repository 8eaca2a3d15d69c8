package journal

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	docstore "congvu/docs-store"
)

// FuzzDecode: whatever the bytes, Decode returns — no panic (a recovered
// one shows as "internal error"), an error of one of its kinds and no
// envelope, or an envelope that holds together. Seeded with valid
// messages (with and without files) and every broken one of the tests;
// the inputs it found are kept in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, typ := range []string{docstore.EvIncomingRegistered, docstore.EvPersonAdded, docstore.EvDraftIssued} {
		f.Add(encodeMsg(f, eventOf(f, typ)))
	}
	f.Add(encodeMsg(f, eventOf(f, docstore.EvDraftCreated), memFile("a.pdf", attachPDF), memFile("b", []byte("x")), memFile("rỗng", nil)))
	for _, c := range badMessages(f, false) {
		if len(c.msg) <= 64<<10 { // the big ones only slow the fuzzer down
			f.Add(c.msg)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env, err := Decode(bytes.NewReader(data), msgAgency, func(sha, name string, r io.Reader) error {
			if !validSHA(sha) || !utf8.ValidString(name) || len(name) > 255 {
				t.Fatalf("onFile(%q, %q)", sha, name)
			}
			_, err := io.Copy(io.Discard, r)
			return err
		})
		if err != nil {
			if env != nil {
				t.Fatalf("an envelope with the error %v", err)
			}
			if !isJournalError(err) {
				t.Fatalf("untyped error %v", err)
			}
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			return
		}
		if env.Agency != msgAgency || len(env.Signer) != 32 {
			t.Fatalf("envelope %+v", env)
		}
		ev, derr := docstore.DecodeEvent(env.Raw)
		if derr != nil || ev.ID != env.Event.ID || ev.Type != env.Event.Type {
			t.Fatalf("Raw does not hold the event: %v", derr)
		}
		seen := map[string]bool{}
		for _, s := range env.Files {
			if !validSHA(s) || seen[s] {
				t.Fatalf("files %v", env.Files)
			}
			seen[s] = true
		}
	})
}
