package journal

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"
	"golang.org/x/text/unicode/norm"

	docstore "congvu/docs-store"
	"congvu/mail/mimemsg"
)

// checkEnvelope compares what Decode gave with the event sent.
func checkEnvelope(t *testing.T, env *Envelope, ev docstore.Event) {
	t.Helper()
	raw, _ := ev.Encode()
	switch {
	case env == nil:
		t.Fatal("nil envelope")
	case !bytes.Equal(env.Raw, raw):
		t.Fatalf("raw event differs:\n got %s\nwant %s", env.Raw, raw)
	case env.Event.ID != ev.ID || env.Event.Type != ev.Type || env.Event.Actor != ev.Actor || env.Event.Version != ev.Version:
		t.Fatalf("event %+v, want %+v", env.Event, ev)
	case !env.Event.Time.Equal(ev.Time):
		t.Fatalf("time %v, want %v", env.Event.Time, ev.Time)
	case !bytes.Equal(env.Event.Payload, ev.Payload):
		t.Fatalf("payload %s, want %s", env.Event.Payload, ev.Payload)
	case env.Agency != msgAgency:
		t.Fatalf("agency %q", env.Agency)
	case !env.Signer.Equal(msgPub(msgKey(1))):
		t.Fatalf("signer %s", Fingerprint(env.Signer))
	}
}

func TestRoundTripEveryType(t *testing.T) {
	evs := allEvents(t)
	if len(evs) != 21 {
		t.Fatalf("%d event types; a new one needs a fixture and a description", len(evs))
	}
	for _, ev := range evs {
		t.Run(ev.Type, func(t *testing.T) {
			msg := encodeMsg(t, ev)
			env, files, err := decodeMsg(msg)
			if err != nil {
				t.Fatalf("Decode: %v\n%s", err, msg)
			}
			checkEnvelope(t, env, ev)
			if len(env.Files) != 0 || len(files) != 0 {
				t.Fatalf("files %v", env.Files)
			}
			// And with a file (any event may carry one; Decode does not
			// ask which the payload names).
			f := memFile("Tệp đính kèm.pdf", attachPDF)
			env, files, err = decodeMsg(encodeMsg(t, ev, f))
			if err != nil {
				t.Fatalf("Decode with a file: %v", err)
			}
			checkEnvelope(t, env, ev)
			if len(env.Files) != 1 || env.Files[0] != f.SHA256 || !bytes.Equal(files[f.SHA256], attachPDF) {
				t.Fatalf("files %v", env.Files)
			}
		})
	}
}

func TestRoundTripWithFiles(t *testing.T) {
	// Sizes around the base64 line (57 bytes) and group (3 bytes) edges.
	var files []File
	want := map[string][]byte{}
	for _, n := range []int{0, 1, 2, 3, 56, 57, 58, 114, 1000, 70_000} {
		b := make([]byte, n)
		newGen(int64(n), uint64(n)+7).Read(b)
		f := memFile("tệp "+strings.Repeat("x", n%7)+".pdf", b)
		if _, dup := want[f.SHA256]; dup {
			continue
		}
		files = append(files, f)
		want[f.SHA256] = b
	}
	for _, typ := range []string{docstore.EvIncomingRegistered, docstore.EvDraftCreated, docstore.EvDraftVersion} {
		t.Run(typ, func(t *testing.T) {
			ev := eventOf(t, typ)
			msg := encodeMsg(t, ev, files...)
			var names []string
			env, err := Decode(bytes.NewReader(msg), msgAgency, func(sha, name string, r io.Reader) error {
				b, err := io.ReadAll(r)
				if err != nil {
					return err
				}
				if !bytes.Equal(b, want[sha]) {
					t.Errorf("file %s: %d bytes differ", sha, len(b))
				}
				names = append(names, name)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			checkEnvelope(t, env, ev)
			if len(env.Files) != len(files) {
				t.Fatalf("files %d, want %d", len(env.Files), len(files))
			}
			for i, f := range files {
				if env.Files[i] != f.SHA256 || names[i] != f.Name {
					t.Fatalf("file %d: %s %q, want %s %q", i, env.Files[i], names[i], f.SHA256, f.Name)
				}
			}
			// nil onFile: the files are still checked and listed.
			env, err = Decode(bytes.NewReader(msg), msgAgency, nil)
			if err != nil || len(env.Files) != len(files) {
				t.Fatalf("nil onFile: %v, %v", err, env)
			}
		})
	}
}

// TestEncodeFormat: what IMAP APPEND and any mail reader expect.
func TestEncodeFormat(t *testing.T) {
	ev := eventOf(t, docstore.EvIncomingRegistered)
	msg := encodeMsg(t, ev, memFile("a.pdf", attachPDF))
	if bytes.Contains(bytes.ReplaceAll(msg, []byte("\r\n"), nil), []byte("\n")) || bytes.Contains(bytes.ReplaceAll(msg, []byte("\r\n"), nil), []byte("\r")) {
		t.Fatal("a line does not end in CRLF")
	}
	for i, l := range strings.Split(string(msg), "\r\n") {
		if len(l) > 78 {
			t.Errorf("line %d: %d characters: %q", i+1, len(l), l)
		}
		for _, c := range []byte(l) {
			if c >= 0x80 {
				t.Fatalf("line %d: 8-bit byte: %q", i+1, l)
			}
		}
	}
	hdr := string(msg[:bytes.Index(msg, []byte("\r\n\r\n"))])
	for _, want := range []string{
		"Message-ID: <" + ev.ID + "@journal.congvu>",
		"X-Congvu-Journal: 1",
		"X-Congvu-Event: " + ev.ID,
		"X-Congvu-Type: incoming.registered",
		"MIME-Version: 1.0",
		"Date: Thu, 05 Mar 2026 09:04:05 +0700",
	} {
		if !strings.Contains(hdr, want+"\r\n") {
			t.Errorf("header lacks %q:\n%s", want, hdr)
		}
	}
	unfolded := strings.ReplaceAll(string(msg), "\r\n ", " ")
	if !strings.Contains(unfolded, `Content-Disposition: attachment; filename="`+fileSHA(attachPDF)+`"`) {
		t.Error("file part not named by its SHA-256")
	}
}

// TestStandardParsers: a mail client shows the message right — go-message
// as the reference, and the project's own mimemsg.
func TestStandardParsers(t *testing.T) {
	ev := eventOf(t, docstore.EvIncomingRegistered)
	subject, text := Describe(ev)
	msg := encodeMsg(t, ev, memFile("Quyết định 1220.pdf", attachPDF))

	mr, err := mail.CreateReader(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if s, err := mr.Header.Subject(); err != nil || s != subject {
		t.Fatalf("Subject %q, %v; want %q", s, err, subject)
	}
	if !strings.HasPrefix(subject, "Vào sổ văn bản đến số 12: Về việc phê duyệt") {
		t.Fatalf("subject %q", subject)
	}
	from, err := mr.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != msgAuthor.Name || from[0].Address != msgAuthor.Addr {
		t.Fatalf("From %v, %v", from, err)
	}
	if d, err := mr.Header.Date(); err != nil || !d.Equal(ev.Time.Truncate(time.Second)) {
		t.Fatalf("Date %v, %v", d, err)
	}
	if id, err := mr.Header.MessageID(); err != nil || id != ev.ID+"@journal.congvu" {
		t.Fatalf("Message-ID %q, %v", id, err)
	}
	var sawText, sawEvent, sawFile bool
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p.Body)
		ct, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch h := p.Header.(type) {
		case *mail.InlineHeader:
			switch ct {
			case "text/plain":
				sawText = true
				if body := strings.ReplaceAll(string(body), "\r\n", "\n"); !strings.HasPrefix(body, text) || !strings.Contains(string(body), "Công vụ") {
					t.Fatalf("text part:\n%s", body)
				}
			case EventType:
				sawEvent = true
				var s map[string]json.RawMessage
				if err := json.Unmarshal(body, &s); err != nil || string(s["v"]) != "1" || string(s["agency"]) != `"`+msgAgency+`"` {
					t.Fatalf("event part %s: %v", body, err)
				}
			}
		case *mail.AttachmentHeader:
			sawFile = true
			if fn, _ := h.Filename(); fn != fileSHA(attachPDF) || !bytes.Equal(body, attachPDF) {
				t.Fatalf("attachment %q, %d bytes", fn, len(body))
			}
			if params["name"] != "Quyết định 1220.pdf" {
				t.Fatalf("name parameter %q", params["name"])
			}
		}
	}
	if !sawText || !sawEvent || !sawFile {
		t.Fatalf("parts: text %v, event %v, file %v", sawText, sawEvent, sawFile)
	}

	m, err := mimemsg.Parse(bytes.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != subject || !strings.Contains(m.Text, "Trích yếu: “Về việc phê duyệt") || len(m.From) != 1 || m.From[0].Name != msgAuthor.Name {
		t.Fatalf("mimemsg: %q %q\n%s", m.Subject, m.From, m.Text)
	}
	if len(m.Problems) > 0 {
		t.Fatalf("mimemsg problems: %v", m.Problems)
	}
}

// TestLargeFileStreamed: a 3 MB file goes through Encode and Decode
// without either holding it.
func TestLargeFileStreamed(t *testing.T) {
	const size = 3 << 20
	sha := genSHA(size, 42)
	f := File{SHA256: sha, Name: "bản đồ quy hoạch.tif", MIMEType: "image/tiff", Size: size,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(newGen(size, 42)), nil }}
	ev := eventOf(t, docstore.EvDraftCreated)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(Encode(pw, ev, msgAgency, msgAuthor, msgKey(1), []File{f})) }()
	var got int64
	env, err := Decode(pr, msgAgency, func(s, name string, r io.Reader) error {
		n, err := io.Copy(sha256.New(), r)
		got = n
		return err
	})
	pr.Close()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got != size || len(env.Files) != 1 || env.Files[0] != sha {
		t.Fatalf("got %d bytes, files %v", got, env.Files)
	}
	// The file is 3 MB, 4 MB in base64; all the allocations of both
	// sides together stay a fraction of that.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d bytes allocated for a %d-byte file", alloc, size)
	if alloc > 1<<20 {
		t.Fatalf("%d bytes allocated for a %d-byte file", alloc, size)
	}
}

func TestEncodeRefuses(t *testing.T) {
	ev := eventOf(t, docstore.EvUnitAdded)
	bad := ev
	bad.Type = "unit.removed"
	badID := ev
	badID.ID = "id with space"
	good := memFile("a.pdf", attachPDF)
	wrong := good
	wrong.Open = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("khác")), nil }
	short := good
	short.Size++
	upper := good
	upper.SHA256 = strings.ToUpper(good.SHA256)
	for _, c := range []struct {
		name   string
		ev     docstore.Event
		agency string
		author docstore.MailAddress
		key    ed25519.PrivateKey
		files  []File
		want   error
	}{
		{"agency code", ev, "Sở TNMT", msgAuthor, msgKey(1), nil, nil},
		{"short key", ev, msgAgency, msgAuthor, msgKey(1)[:32], nil, nil},
		{"key halves differ", ev, msgAgency, msgAuthor, append(append(ed25519.PrivateKey{}, msgKey(1)[:32]...), msgPub(msgKey(2))...), nil, nil},
		{"no author", ev, msgAgency, docstore.MailAddress{Name: "x"}, msgKey(1), nil, nil},
		{"author header injection", ev, msgAgency, docstore.MailAddress{Addr: "a@b.c\r\nBcc: x@y.z"}, msgKey(1), nil, nil},
		{"unknown event type", bad, msgAgency, msgAuthor, msgKey(1), nil, docstore.ErrBadEvent},
		{"event id", badID, msgAgency, msgAuthor, msgKey(1), nil, nil},
		{"file content", ev, msgAgency, msgAuthor, msgKey(1), []File{wrong}, ErrFileMismatch},
		{"file size", ev, msgAgency, msgAuthor, msgKey(1), []File{short}, ErrFileMismatch},
		{"file name", ev, msgAgency, msgAuthor, msgKey(1), []File{upper}, nil},
		{"file twice", ev, msgAgency, msgAuthor, msgKey(1), []File{good, good}, nil},
		{"no Open", ev, msgAgency, msgAuthor, msgKey(1), []File{{SHA256: good.SHA256}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := Encode(io.Discard, c.ev, c.agency, c.author, c.key, c.files)
			if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("Encode: %v, want an error (%v)", err, c.want)
			}
		})
	}
}

// TestFileTypeNeverStructure: a file's MIME type cannot make its part
// look like the event or a container.
func TestFileTypeNeverStructure(t *testing.T) {
	ev := eventOf(t, docstore.EvDraftCreated)
	for _, typ := range []string{EventType, "multipart/mixed; boundary=x", "message/rfc822", "text/plain\r\nX: y", "", "garbage"} {
		f := memFile("a", attachPDF)
		f.MIMEType = typ
		if _, _, err := decodeMsg(encodeMsg(t, ev, f)); err != nil {
			t.Errorf("type %q: %v", typ, err)
		}
	}
}

// TestEventBytesKept: the signature covers the event's bytes as they
// were signed, whatever their spacing; Decode keeps them.
func TestEventBytesKept(t *testing.T) {
	ev := eventOf(t, docstore.EvUnitAdded)
	raw, _ := ev.Encode()
	spaced := bytes.ReplaceAll(raw, []byte(`,"`), []byte(`, "`))
	js, _ := marshalSigned(msgAgency, spaced, msgKey(1))
	env, _, err := decodeMsg(craft(craftHeader(ev), textPart, eventPart8bit(js)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(env.Raw, spaced) {
		t.Fatalf("raw %s", env.Raw)
	}
	if !ed25519.Verify(env.Signer, signedBytes(msgAgency, env.Raw), mustSig(t, js)) {
		t.Fatal("signature does not verify over Raw")
	}
}

func mustSig(t *testing.T, js []byte) []byte {
	var s struct{ Sig []byte }
	if err := json.Unmarshal(js, &s); err != nil {
		t.Fatal(err)
	}
	return s.Sig
}

// TestEpilogueIgnored: what follows the close delimiter is not looked at.
func TestEpilogueIgnored(t *testing.T) {
	msg := encodeMsg(t, eventOf(t, docstore.EvDraftApproved))
	r := io.MultiReader(bytes.NewReader(msg), strings.NewReader("--"+strings.Repeat("rác ", 1<<16)))
	if _, err := Decode(r, msgAgency, nil); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeReadError(t *testing.T) {
	msg := encodeMsg(t, eventOf(t, docstore.EvDraftApproved), memFile("a", attachPDF))
	cut := errors.New("connection reset")
	for _, n := range []int{0, 10, len(msg) / 2, len(msg) - 10} {
		_, err := Decode(io.MultiReader(bytes.NewReader(msg[:n]), &errReader{cut}), msgAgency, nil)
		if !errors.Is(err, cut) || isJournalError(err) {
			t.Fatalf("cut at %d: %v", n, err)
		}
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

func TestDecodeOnFileError(t *testing.T) {
	msg := encodeMsg(t, eventOf(t, docstore.EvDraftCreated), memFile("a", attachPDF))
	disk := errors.New("disk full")
	_, err := Decode(bytes.NewReader(msg), msgAgency, func(string, string, io.Reader) error { return disk })
	if !errors.Is(err, disk) || isJournalError(err) {
		t.Fatalf("got %v", err)
	}
	// A consumer that reads nothing and says fine: the file is checked
	// all the same.
	env, err := Decode(bytes.NewReader(msg), msgAgency, func(string, string, io.Reader) error { return nil })
	if err != nil || len(env.Files) != 1 {
		t.Fatalf("%v %v", env, err)
	}
}

// TestTruncated: every prefix of a message is refused with a typed error
// (the whole message, and the whole message but for its last CRLF, pass).
func TestTruncated(t *testing.T) {
	msg := encodeMsg(t, eventOf(t, docstore.EvDraftSigned), memFile("a", attachPDF[:100]))
	end := bytes.LastIndex(msg, []byte("--\r\n")) + 2
	for n := 0; n < len(msg); n++ {
		env, err := Decode(bytes.NewReader(msg[:n]), msgAgency, nil)
		if n == end {
			if err != nil {
				t.Fatalf("cut at %d of %d: %v", n, len(msg), err)
			}
			continue
		}
		if err == nil || env != nil || !isJournalError(err) {
			t.Fatalf("cut at %d of %d: %v", n, len(msg), err)
		}
	}
}

// TestDescriptionsDecoded: the subject of every type reaches a mail
// reader intact.
func TestDescriptionsDecoded(t *testing.T) {
	for _, ev := range allEvents(t) {
		subject, _ := Describe(ev)
		mr, err := mail.CreateReader(bytes.NewReader(encodeMsg(t, ev)))
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := mr.Header.Subject(); s != subject || !norm.NFC.IsNormalString(s) {
			t.Errorf("%s: subject %q, want %q", ev.Type, s, subject)
		}
	}
}

func TestFingerprintInError(t *testing.T) {
	// A bad signature names the key, for the warning list.
	ev := eventOf(t, docstore.EvUnitAdded)
	js := signedOf(t, ev, msgAgency, msgKey(1))
	js = bytes.Replace(js, []byte(PublicKeyString(msgPub(msgKey(1)))), []byte(PublicKeyString(msgPub(msgKey(3)))), 1)
	_, _, err := decodeMsg(craft(craftHeader(ev), eventPart8bit(js)))
	if !errors.Is(err, ErrBadSignature) || !strings.Contains(err.Error(), Fingerprint(msgPub(msgKey(3)))) {
		t.Fatalf("got %v", err)
	}
}

// TestQPExact: the event part's encoding gives back its bytes exactly,
// line breaks, trailing blanks and all, so the signature holds.
func TestQPExact(t *testing.T) {
	for _, s := range []string{"", "a", "{\"a\":\"b\"}\r\n", "x \r\ny\t\n", "=3D=\r\n", strings.Repeat("Ủy ban ", 100), "\x00\xff"} {
		var b bytes.Buffer
		bw := bufio.NewWriter(&b)
		if err := writeQP(bw, []byte(s), true); err != nil {
			t.Fatal(err)
		}
		bw.Flush()
		enc := strings.TrimSuffix(b.String(), "\r\n") // the delimiter's
		got, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(enc)))
		if err != nil || string(got) != s {
			t.Fatalf("%q: got %q, %v", s, got, err)
		}
		for _, l := range strings.Split(enc, "\r\n") {
			if len(l) > 76 {
				t.Fatalf("line of %d", len(l))
			}
		}
	}
}

// TestFileNames: the person's file name reaches a mail client and onFile
// whole, however long or odd, and the header still folds within 78.
func TestFileNames(t *testing.T) {
	ev := eventOf(t, docstore.EvDraftCreated)
	for _, name := range []string{
		"a.pdf",
		`Tờ trình "số 5"; bản cuối.docx`,
		strings.Repeat("Quyết định phê duyệt kế hoạch cải cách hành chính ", 3) + ".pdf",
		strings.Repeat("ệ", 150), // cut at 200 bytes, between characters
		"tab\there\r\nnew line",
	} {
		msg := encodeMsg(t, ev, memFile(name, attachPDF))
		for _, l := range strings.Split(string(msg), "\r\n") {
			if len(l) > 78 {
				t.Errorf("%q: line of %d: %q", name, len(l), l)
			}
		}
		want := fileLabel(name, 200)
		var got string
		if _, err := Decode(bytes.NewReader(msg), msgAgency, func(_, n string, _ io.Reader) error { got = n; return nil }); err != nil || got != want {
			t.Errorf("onFile name %q, %v; want %q", got, err, want)
		}
		mr, _ := mail.CreateReader(bytes.NewReader(msg))
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			if _, ok := p.Header.(*mail.AttachmentHeader); ok {
				if _, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); params["name"] != want {
					t.Errorf("go-message reads name %q, want %q", params["name"], want)
				}
			}
		}
	}
	if got := fileLabel(strings.Repeat("ệ", 150), 200); len(got) > 200 || !utf8.ValidString(got) {
		t.Fatalf("label of %d bytes", len(got))
	}
}

// TestOnFilePanics: a panic of the caller's onFile is the caller's, not
// turned into a verdict on the message.
func TestOnFilePanics(t *testing.T) {
	msg := encodeMsg(t, eventOf(t, docstore.EvDraftCreated), memFile("a", attachPDF))
	defer func() {
		if v := recover(); v != "boom" {
			t.Fatalf("recovered %v", v)
		}
	}()
	Decode(bytes.NewReader(msg), msgAgency, func(string, string, io.Reader) error { panic("boom") })
	t.Fatal("no panic")
}
