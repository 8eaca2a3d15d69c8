package journal

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	docstore "congvu/docs-store"
)

// badCase is a message Decode must refuse, with the errors it must wrap.
type badCase struct {
	name   string
	msg    []byte
	agency string // "" means msgAgency
	want   []error
}

// badMessages are the hostile and broken messages of the tests and the
// fuzzer's seeds. big adds the ones of several megabytes.
func badMessages(t testing.TB, big bool) []badCase {
	ev := eventOf(t, docstore.EvIncomingRegistered)
	hdr := craftHeader(ev)
	js := signedOf(t, ev, msgAgency, msgKey(1))
	ev2 := eventOf(t, docstore.EvDraftApproved)
	js2 := signedOf(t, ev2, msgAgency, msgKey(1))
	ok := craft(hdr, textPart, eventPart8bit(js))
	if _, _, err := decodeMsg(ok); err != nil {
		t.Fatalf("the crafted base message does not decode: %v", err)
	}

	var signed map[string]json.RawMessage
	json.Unmarshal(js, &signed)
	// with rebuilds the Signed object with one member replaced (raw JSON).
	with := func(member, value string) []byte {
		m := map[string]string{}
		for k, v := range signed {
			m[k] = string(v)
		}
		m[member] = value
		return fmt.Appendf(nil, `{"v":%s,"agency":%s,"event":%s,"key":%s,"sig":%s}`, m["v"], m["agency"], m["event"], m["key"], m["sig"])
	}
	var sig []byte
	json.Unmarshal(signed["sig"], &sig)
	flipped := append([]byte{}, sig...)
	flipped[10] ^= 1

	raw, _ := ev.Encode()
	oneByte := bytes.Replace(raw, []byte(`"actor":"p-van-thu-01"`), []byte(`"actor":"p-van-thu-02"`), 1)
	// An event docstore refuses, correctly signed: the signature is not
	// what is wrong.
	unknown := ev
	unknown.Type = "incoming.burned"
	unknownRaw, _ := unknown.Encode()
	unknownJS, _ := marshalSigned(msgAgency, unknownRaw, msgKey(1))

	pdf := attachPDF
	sha := fileSHA(pdf)
	other := fileSHA([]byte("khác"))
	replace := func(b []byte, old, new string) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
	hdrWith := func(old, new string) string { return strings.Replace(hdr, old, new, 1) }
	nested := func(depth int, inner string) []byte {
		// depth multiparts around the event part, the outermost being the message.
		body := inner
		for i := depth - 1; i >= 1; i-- {
			b := fmt.Sprintf("n%d", i)
			body = "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n" + body + "\r\n--" + b + "--"
		}
		return craft(hdr, textPart, body)
	}

	many := make([]string, 1000)
	for i := range many {
		many[i] = textPart
	}

	cases := []badCase{
		{"empty input", nil, "", []error{ErrNotJournal}},
		{"plain e-mail", []byte("From: a@b.c\r\nTo: d@e.f\r\nSubject: =?utf-8?B?Q2jDoG8gYW5o?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXin chào.\r\n"), "", []error{ErrNotJournal}},
		{"plain multipart e-mail", craft("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=\""+craftBoundary+"\"\r\n", textPart, filePart64(sha, pdf)), "", []error{ErrNotJournal}},
		{"journal header, no event part", craft(hdr, textPart), "", []error{ErrNotJournal}},
		{"journal header, file but no event", craft(hdr, textPart, filePart64(sha, pdf)), "", []error{ErrMalformed}},
		{"event byte changed", craft(hdr, eventPart8bit(with("event", string(oneByte)))), "", []error{ErrBadSignature}},
		{"signature bit flipped", craft(hdr, eventPart8bit(with("sig", `"`+base64.StdEncoding.EncodeToString(flipped)+`"`))), "", []error{ErrBadSignature}},
		{"signature short", craft(hdr, eventPart8bit(with("sig", `"`+base64.StdEncoding.EncodeToString(sig[:63])+`"`))), "", []error{ErrBadSignature}},
		{"signature not base64", craft(hdr, eventPart8bit(with("sig", `"@@@@"`))), "", []error{ErrBadSignature}},
		{"signature not a string", craft(hdr, eventPart8bit(with("sig", `12`))), "", []error{ErrMalformed}},
		{"key of another person", craft(hdr, eventPart8bit(with("key", `"`+PublicKeyString(msgPub(msgKey(2)))+`"`))), "", []error{ErrBadSignature}},
		{"key malformed", craft(hdr, eventPart8bit(with("key", `"AAAA"`))), "", []error{ErrBadSignature}},
		{"key without padding", craft(hdr, eventPart8bit(with("key", `"`+strings.TrimSuffix(PublicKeyString(msgPub(msgKey(1))), "=")+`"`))), "", []error{ErrBadSignature}},
		{"decoded for another agency", ok, msgOtherAgency, []error{ErrOtherAgency}},
		{"signed for another agency", craft(hdr, eventPart8bit(signedOf(t, ev, msgOtherAgency, msgKey(1)))), "", []error{ErrOtherAgency}},
		{"agency rewritten", craft(hdr, eventPart8bit(with("agency", `"`+msgAgency+`"`))), "", nil}, // control: unchanged
		{"agency rewritten after signing", craft(hdr, eventPart8bit(replace(signedOf(t, ev, msgOtherAgency, msgKey(1)), msgOtherAgency, msgAgency))), "", []error{ErrBadSignature}},
		{"X-Congvu-Event differs", craft(hdrWith(ev.ID, ev2.ID), textPart, eventPart8bit(js)), "", []error{ErrMalformed}},
		{"X-Congvu-Type differs", craft(hdrWith("X-Congvu-Type: "+ev.Type, "X-Congvu-Type: "+ev2.Type), eventPart8bit(js)), "", []error{ErrMalformed}},
		{"X-Congvu-Event missing", craft(hdrWith("X-Congvu-Event: "+ev.ID+"\r\n", ""), eventPart8bit(js)), "", []error{ErrMalformed}},
		{"X-Congvu-Event twice", craft("X-Congvu-Event: "+ev2.ID+"\r\n"+hdr, eventPart8bit(js)), "", []error{ErrMalformed}},
		{"X-Congvu-Journal twice", craft("X-Congvu-Journal: 1\r\n"+hdr, eventPart8bit(js)), "", []error{ErrMalformed}},
		{"X-Congvu-Journal 2", craft(hdrWith("X-Congvu-Journal: 1", "X-Congvu-Journal: 2"), eventPart8bit(js)), "", []error{ErrMalformed, ErrVersion}},
		{"v 2", craft(hdr, eventPart8bit(with("v", "2"))), "", []error{ErrMalformed, ErrVersion}},
		{"v string", craft(hdr, eventPart8bit(with("v", `"1"`))), "", []error{ErrMalformed}},
		{"v float", craft(hdr, eventPart8bit(with("v", `1.0`))), "", []error{ErrMalformed}},
		{"member twice", craft(hdr, eventPart8bit(replace(js, `"v":1,`, `"v":1,"event":`+string(signedOf(t, ev2, msgAgency, msgKey(1)))+`,`))), "", []error{ErrMalformed}},
		{"event twice in the object", craft(hdr, eventPart8bit(replace(js, `"v":1,`, `"v":1,"event":{"id":"x"},`))), "", []error{ErrMalformed}},
		{"unknown member", craft(hdr, eventPart8bit(replace(js, `"v":1,`, `"v":1,"note":"x",`))), "", []error{ErrMalformed}},
		{"member missing", craft(hdr, eventPart8bit(replace(js, `"v":1,`, ``))), "", []error{ErrMalformed}},
		{"data after the object", craft(hdr, eventPart8bit(append(append([]byte{}, js...), []byte(` {}`)...))), "", []error{ErrMalformed}},
		{"not JSON", craft(hdr, eventPart8bit([]byte("<xml/>"))), "", []error{ErrMalformed}},
		{"JSON array", craft(hdr, eventPart8bit([]byte("[1,2]"))), "", []error{ErrMalformed}},
		{"event not an object", craft(hdr, eventPart8bit(with("event", `"x"`))), "", []error{ErrMalformed}},
		{"non-UTF-8 JSON", craft(hdr, eventPart8bit(replace(js, "Ủy ban", "\xd6y ban"))), "", []error{ErrMalformed}},
		{"non-UTF-8 escaped in the event", craft(hdr, eventPart8bit(with("event", strings.Replace(string(raw), "Ủy ban", "\xff", 1)))), "", []error{ErrMalformed}},
		{"event refused by docstore", craft(hdrWith(ev.Type, unknown.Type), eventPart8bit(unknownJS)), "", []error{ErrMalformed, docstore.ErrBadEvent}},
		{"charset latin1", craft(hdr, strings.Replace(eventPart8bit(js), "charset=utf-8", "charset=iso-8859-1", 1)), "", []error{ErrMalformed}},
		{"unknown transfer encoding", craft(hdr, strings.Replace(eventPart8bit(js), "8bit", "x-uuencode", 1)), "", []error{ErrMalformed}},
		{"event part in invalid base64", craft(hdr, strings.Replace(eventPart8bit([]byte("e30=!!")), "8bit", "base64", 1)), "", []error{ErrMalformed}},
		{"event part in broken quoted-printable", craft(hdr, strings.Replace(eventPart8bit([]byte("{=ZZ}")), "8bit", "quoted-printable", 1)), "", []error{ErrMalformed}},
		{"duplicated event part", craft(hdr, textPart, eventPart8bit(js), eventPart8bit(js)), "", []error{ErrMalformed}},
		{"two different event parts", craft(hdr, eventPart8bit(js), eventPart8bit(js2)), "", []error{ErrMalformed}},
		{"event part nested twice", craft(hdr, eventPart8bit(js), "Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n"+eventPart8bit(js)+"\r\n--in--"), "", []error{ErrMalformed}},
		{"event part as attachment too", craft(hdr, eventPart8bit(js), strings.Replace(eventPart8bit(js), "inline", "attachment", 1)), "", []error{ErrMalformed}},
		{"file mismatch", craft(hdr, eventPart8bit(js), filePart64(other, pdf)), "", []error{ErrFileMismatch}},
		{"file empty, named as another", craft(hdr, eventPart8bit(js), filePart64(sha, nil)), "", []error{ErrFileMismatch}},
		{"file name uppercase", craft(hdr, eventPart8bit(js), filePart64(strings.ToUpper(sha), pdf)), "", []error{ErrMalformed}},
		{"file name not a hash", craft(hdr, eventPart8bit(js), filePart64("Quyết định.pdf", pdf)), "", []error{ErrMalformed}},
		{"file name missing", craft(hdr, eventPart8bit(js), strings.Replace(filePart64(sha, pdf), `; filename="`+sha+`"`, "", 1)), "", []error{ErrMalformed}},
		{"file before the event", craft(hdr, filePart64(sha, pdf), eventPart8bit(js)), "", []error{ErrMalformed}},
		{"file twice", craft(hdr, eventPart8bit(js), filePart64(sha, pdf), filePart64(sha, pdf)), "", []error{ErrMalformed}},
		{"file in invalid base64", craft(hdr, eventPart8bit(js), strings.Replace(filePart64(sha, pdf), "JVBE", "J*BE", 1)), "", []error{ErrMalformed}},
		{"file base64 with data after padding", craft(hdr, eventPart8bit(js), filePart64(sha, pdf)+"\r\nAA==\r\nAAAA"), "", []error{ErrMalformed}},
		{"1000 parts", craft(hdr, append([]string{eventPart8bit(js)}, many...)...), "", []error{ErrMalformed}},
		{"nested 4 deep is fine", nested(4, eventPart8bit(js)), "", nil},
		{"nested 5 deep", nested(5, eventPart8bit(js)), "", []error{ErrMalformed}},
		{"no close delimiter", bytes.TrimSuffix(ok, []byte("--"+craftBoundary+"--\r\n")), "", []error{ErrMalformed}},
		{"inner close delimiter missing", craft(hdr, "Content-Type: multipart/mixed; boundary=in\r\n\r\n--in\r\n"+eventPart8bit(js)), "", []error{ErrMalformed}},
		{"boundary not as declared", replace(ok, `boundary="`+craftBoundary+`"`, `boundary="other"`), "", []error{ErrMalformed}},
		{"boundary missing", replace(ok, `; boundary="`+craftBoundary+`"`, ""), "", []error{ErrMalformed}},
		{"boundary too long", bytes.ReplaceAll(ok, []byte(craftBoundary), []byte(strings.Repeat("b", 71))), "", []error{ErrMalformed}},
		{"boundary empty", replace(ok, `boundary="`+craftBoundary+`"`, `boundary=""`), "", []error{ErrMalformed}},
		{"Content-Type broken", replace(ok, `multipart/mixed; boundary=`, `multipart/mixed; ;; boundary`), "", []error{ErrMalformed}},
		{"Content-Type twice", craft(hdr, "Content-Type: text/plain\r\n"+eventPart8bit(js)), "", []error{ErrMalformed}},
		{"header line without colon", append([]byte("X-Congvu-Journal: 1\r\nnonsense\r\n"), ok...), "", []error{ErrMalformed}},
		{"header over 64 KiB", append([]byte("X-Filler: "+strings.Repeat("a", 70<<10)+"\r\n"), ok...), "", []error{ErrMalformed}},
		{"header of many lines over 64 KiB", append([]byte(strings.Repeat("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 2000)), ok...), "", []error{ErrMalformed}},
		{"part header over 64 KiB", craft(hdr, "X-Filler: "+strings.Repeat("a ", 40<<10)+"\r\n"+eventPart8bit(js)), "", []error{ErrMalformed}},
		{"preamble over 64 KiB", replace(ok, "\r\n\r\n--", "\r\n\r\n"+strings.Repeat("preamble\r\n", 8<<10)+"--"), "", []error{ErrMalformed}},
		{"text part over 1 MiB", craft(hdr, textPart+strings.Repeat("văn bản\r\n", 120<<10), eventPart8bit(js)), "", []error{ErrMalformed}},
		{"single-part message of the event alone", []byte(strings.Replace(hdr, `multipart/mixed; boundary="`+craftBoundary+`"`, EventType, 1) + "\r\n" + string(js)), "", nil},
		{"bare LF message", bytes.ReplaceAll(ok, []byte("\r\n"), []byte("\n")), "", nil}, // tolerated, as go-message does
	}
	if big {
		huge := bytes.Repeat([]byte(" "), 10<<20)
		cases = append(cases,
			badCase{"10 MB JSON part", craft(hdr, eventPart8bit(append(append([]byte{}, js...), huge...))), "", []error{ErrMalformed}},
			badCase{"10 MB JSON part in base64", craft(hdr, strings.Replace(eventPart8bit([]byte(base64.StdEncoding.EncodeToString(huge))), "8bit", "base64", 1)), "", []error{ErrMalformed}},
		)
	}
	return cases
}

func TestDecodeRefuses(t *testing.T) {
	for _, c := range badMessages(t, true) {
		t.Run(c.name, func(t *testing.T) {
			agency := c.agency
			if agency == "" {
				agency = msgAgency
			}
			done := make(chan struct{})
			var env *Envelope
			var err error
			go func() {
				defer close(done)
				env, err = Decode(bytes.NewReader(c.msg), agency, func(_, _ string, r io.Reader) error {
					_, err := io.Copy(io.Discard, r)
					return err
				})
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Decode did not return")
			}
			if c.want == nil {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			if err == nil || env != nil {
				t.Fatalf("Decode accepted it: %+v", env)
			}
			for _, w := range c.want {
				if !errors.Is(err, w) {
					t.Fatalf("error %q does not wrap %q", err, w)
				}
			}
			// Exactly one of the five kinds, so the caller's switch is plain.
			n := 0
			for _, s := range []error{ErrNotJournal, ErrMalformed, ErrBadSignature, ErrOtherAgency, ErrFileMismatch} {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error %q is of %d kinds", err, n)
			}
			if strings.Contains(err.Error(), "internal error") {
				t.Fatal(err)
			}
			t.Log(err)
		})
	}
}

// TestDecodeBoundedMemory: a 10 MB event part costs no 10 MB.
func TestDecodeBoundedMemory(t *testing.T) {
	ev := eventOf(t, docstore.EvUnitAdded)
	js := signedOf(t, ev, msgAgency, msgKey(1))
	head := craftHeader(ev) + "\r\n--" + craftBoundary + "\r\n" + eventPart8bit(js)
	// Spaces after the object, generated as they are read: a JSON part of
	// 10 MB (refused), and a text part of 10 MB (refused).
	for _, r := range []io.Reader{
		io.MultiReader(strings.NewReader(head), &spaceReader{n: 10 << 20}),
		io.MultiReader(strings.NewReader(craftHeader(ev)+"\r\n--"+craftBoundary+"\r\n"+textPart), &spaceReader{n: 10 << 20}),
	} {
		_, err := Decode(r, msgAgency, nil)
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("got %v", err)
		}
	}
	// An endless header, an endless preamble: refused, not read forever.
	for _, r := range []io.Reader{
		&spaceReader{n: 1 << 62, prefix: "X-A: "},
		io.MultiReader(strings.NewReader(craftHeader(ev)+"\r\n"), &spaceReader{n: 1 << 62}),
	} {
		if _, err := Decode(r, msgAgency, nil); !errors.Is(err, ErrMalformed) {
			t.Fatalf("got %v", err)
		}
	}
}

// spaceReader yields prefix then n spaces.
type spaceReader struct {
	prefix string
	n      int64
}

func (s *spaceReader) Read(p []byte) (int, error) {
	if s.prefix != "" {
		k := copy(p, s.prefix)
		s.prefix = s.prefix[k:]
		return k, nil
	}
	if s.n <= 0 {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), s.n))
	for i := range p[:k] {
		p[i] = ' '
	}
	s.n -= int64(k)
	return k, nil
}
