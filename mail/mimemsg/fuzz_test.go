package mimemsg

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	docstore "congvu/docs-store"

	"golang.org/x/text/unicode/norm"
)

// FuzzParse: whatever the input, Parse does not panic (a recovered panic
// shows as an "internal error" problem), reads all of it, keeps its
// limits, returns valid NFC text, and every part it lists can be opened
// with the size it lists.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.eml*"))
	for _, file := range files {
		data := readCorpus(f, filepath.Base(file))
		if len(data) <= 256<<10 { // the big ones only slow the fuzzer down
			f.Add(data)
		}
	}
	f.Add([]byte("Subject: =?utf-8?B?w6A=?=\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n\r\nx\r\n--a--"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cr := &countReader{r: bytes.NewReader(data)}
		m, _ := Parse(cr)
		if m == nil {
			t.Fatal("nil Message")
		}
		for _, p := range m.Problems {
			if strings.HasPrefix(p, "internal error") {
				t.Fatal(p)
			}
		}
		if cr.n != int64(len(data)) {
			t.Fatalf("read %d of %d bytes", cr.n, len(data))
		}
		checkInvariants(t, m)
		for i, p := range m.Parts {
			if i == 5 {
				break
			}
			n, err := OpenPart(bytes.NewReader(data), p.Path, io.Discard)
			if err != nil || n != p.Size {
				t.Fatalf("part %s: OpenPart %d, %v; listed %d", p.Path, n, err, p.Size)
			}
		}
	})
}

// FuzzDecodeHeader: never panics, valid NFC UTF-8 out, bounded growth.
func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{
		"=?utf-8?B?Vmnhu4d0IE5hbQ==?=",
		"=?UTF-8?Q?Vi=E1=BB=87t_Nam?= =?utf-8?q?_x?=",
		"=?windows-1258?Q?Gi=E2y?=",
		"=?viscii?B?VmmudA==?=",
		"=?x-unknown?Q?=FF?= raw \xff\xfe",
		"=?utf-16?B?AFQAaA==?=",
		"=?utf-8*vi?Q?a?==?",
		"Re:=?utf-8?Q?h=E1=BB=8Dp?=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := DecodeHeader(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 %q", out)
		}
		if !norm.NFC.IsNormalString(out) {
			t.Fatalf("not NFC %q", out)
		}
		if len(out) > 4*len(s)+16 {
			t.Fatalf("%d bytes out of %d", len(out), len(s))
		}
	})
}

// FuzzComposeSubject: a subject and a display name survive Compose and
// Parse, whatever they hold (controls become blanks, as on screen).
func FuzzComposeSubject(f *testing.F) {
	f.Add("Về việc triển khai kế hoạch chuyển đổi số năm 2025", "Nguyễn Văn Ánh")
	f.Add("=?utf-8?q?not_encoded?=", `"quoted" \ name`)
	f.Add("From: x\r\nBcc: y", "a, b <c>")
	f.Fuzz(func(t *testing.T, subject, name string) {
		var buf bytes.Buffer
		d := Draft{From: docstore.MailAddress{Name: name, Addr: "a@x.vn"}, Subject: subject, Text: "x"}
		if err := Compose(&buf, d); err != nil {
			t.Fatal(err)
		}
		m, err := Parse(&buf)
		if err != nil {
			t.Fatal(err)
		}
		want := oneLine(strings.ToValidUTF8(subject, "\uFFFD"))
		if m.Subject != want {
			t.Fatalf("subject %q, want %q", m.Subject, want)
		}
		wantName := oneLine(strings.ToValidUTF8(name, ""))
		if len(m.From) != 1 || m.From[0].Addr != "a@x.vn" || (m.From[0].Name != wantName && wantName != "a@x.vn") {
			t.Fatalf("From %v, want name %q", m.From, wantName)
		}
	})
}
