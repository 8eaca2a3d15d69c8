package edxml

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A package from another agency is read before anyone has looked at it:
// each broken or hostile one is refused with the reason, and the store
// keeps nothing of it beyond what was being read.
func TestHostilePackagesAreRefused(t *testing.T) {
	head := `<edXML xmlns="` + Namespace + `"><edXMLEnvelope><edXMLHeader><MessageHeader>`
	valid := head + `<From><OrganId>000.00.00.G22</OrganId><OrganName>VPCP</OrganName></From><To><OrganId>000.00.00.H41</OrganId></To>` +
		`<Code><CodeNumber>1</CodeNumber><CodeNotation>VPCP</CodeNotation></Code><PromulgationInfo><Place>Hà Nội</Place><PromulgationDate>2026/01/02</PromulgationDate></PromulgationInfo>` +
		`<Subject>V/v thử</Subject></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`
	if _, err := Parse(strings.NewReader(valid), tempStore(t), Options{}); err != nil {
		t.Fatalf("the valid base: %v", err)
	}
	cases := []struct {
		name, pkg string
		want      error
		field     string
	}{
		{"not XML", "%PDF-1.7 a PDF sent by mistake", ErrMalformed, ""},
		{"empty", "", ErrMalformed, ""},
		{"unclosed", head + `<Subject>V/v thử</Subject>`, ErrMalformed, ""},
		{"wrong namespace", strings.Replace(valid, Namespace, "http://www.e-doc.vn/Schema/", 1), ErrNotEdXML, ""},
		{"another root", `<html><body>hello</body></html>`, ErrNotEdXML, ""},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
			`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` + strings.Replace(valid, "V/v thử", "&lol3;", 1), ErrDoctype, ""},
		{"external entity", `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + strings.Replace(valid, "V/v thử", "&xxe;", 1), ErrDoctype, ""},
		{"undeclared entity", strings.Replace(valid, "V/v thử", "&lol9;", 1), ErrMalformed, ""},
		{"no subject", strings.Replace(valid, "<Subject>V/v thử</Subject>", "", 1), ErrInvalid, "MessageHeader/Subject"},
		{"no receiver", strings.Replace(valid, "<To><OrganId>000.00.00.H41</OrganId></To>", "", 1), ErrInvalid, "MessageHeader/To"},
		{"receiver twice", strings.Replace(valid, "<To>", "<To><OrganId>000.00.00.H41</OrganId></To><To>", 1), ErrInvalid, "MessageHeader/To"},
		{"bad date", strings.Replace(valid, "2026/01/02", "02/01/2026x", 1), ErrInvalid, "MessageHeader/PromulgationInfo/PromulgationDate"},
		{"bad status code", head + `<From><OrganId>000.00.00.H41</OrganId></From><ResponseFor><DocumentId>x</DocumentId></ResponseFor>` +
			`<StatusCode>99</StatusCode><Timestamp>2026/01/02 10:00:00</Timestamp></MessageHeader></edXMLHeader></edXMLEnvelope></edXML>`, ErrInvalid, "MessageHeader/StatusCode"},
		{"not base64", strings.Replace(valid, `</edXMLEnvelope>`, `</edXMLEnvelope><AttachmentEncoded><Attachment><ContentId>a</ContentId>`+
			`<AttachmentName>a.pdf</AttachmentName><ContentTransferEncoded>@@@@</ContentTransferEncoded></Attachment></AttachmentEncoded>`, 1), ErrMalformed, ""},
		{"cut inside an attachment", strings.Replace(valid, `</edXMLEnvelope></edXML>`, `</edXMLEnvelope><AttachmentEncoded><Attachment>`+
			`<ContentTransferEncoded>JVBERi0xLjcK`, 1), ErrMalformed, ""},
		{"element after the end", valid + "<edXML/>", ErrMalformed, ""},
		{"UTF-16 declared", `<?xml version="1.0" encoding="UTF-16"?>` + valid, ErrMalformed, ""},
	}
	for _, c := range cases {
		_, err := Parse(strings.NewReader(c.pkg), tempStore(t), Options{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
			continue
		}
		var fe *FieldError
		if c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field) {
			t.Errorf("%s: %v, want the field %s", c.name, err, c.field)
		}
		if s := Sentence(err); s == "" || strings.Contains(s, "Gói tin hợp lệ") {
			t.Errorf("%s: sentence %q", c.name, s)
		}
	}
}

// attachmentPackage is a package whose one attachment's decoded content
// is content (streamed: never in memory whole).
func attachmentPackage(name string, content func(io.Writer) error) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		d := sample()
		d.Attachments = []Attachment{{ContentID: "a1", Name: name, ContentType: "application/octet-stream"}}
		err := WriteDocument(pw, d, func(Attachment) (io.ReadCloser, error) {
			r, w := io.Pipe()
			go func() { w.CloseWithError(content(w)) }()
			return r, nil
		}, false)
		pw.CloseWithError(err)
	}()
	return pr
}

// A zip bomb: a small zip that unpacks to far more than allowed is
// stopped at the bound.
func TestZipBombIsStopped(t *testing.T) {
	pkg := attachmentPackage("bomb.pdf", func(w io.Writer) error {
		zw := zip.NewWriter(w)
		f, err := zw.Create("x.pdf")
		if err != nil {
			return err
		}
		zero := make([]byte, 1<<20)
		for i := 0; i < 64; i++ { // 64 MiB of zeros: a few dozen kB zipped
			if _, err := f.Write(zero); err != nil {
				return err
			}
		}
		return zw.Close()
	})
	_, err := Parse(pkg, tempStore(t), Options{MaxAttachmentBytes: 8 << 20})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("zip bomb: %v", err)
	}
}

// A package of 200 MB (one attachment) is read with bounded memory: the
// attachment streams to the store.
func TestHugePackageInBoundedMemory(t *testing.T) {
	size := int64(200 << 20)
	if raceDetector || testing.Short() {
		size = 40 << 20
	}
	pkg := attachmentPackage("lon.bin", func(w io.Writer) error {
		block := bytes.Repeat([]byte("Công vụ "), 1<<16)
		for left := size; left > 0; left -= int64(len(block)) {
			if _, err := w.Write(block[:min(int64(len(block)), left)]); err != nil {
				return err
			}
		}
		return nil
	})
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	st := tempStore(t)
	p, err := Parse(pkg, st, Options{})
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Document.Attachments; len(a) != 1 || a[0].Ref.Size != size {
		t.Fatalf("attachment %+v", a)
	}
	if mb := peak.Load() >> 20; mb > 48 {
		t.Fatalf("a %d MB package took %d MB of heap", size>>20, mb)
	}
	t.Logf("%d MB package, peak heap in use %d MB", size>>20, peak.Load()>>20)
}

// Hostile names are only names: no path, no device, no bidi trick, not
// 300 characters.
func TestHostileAttachmentNames(t *testing.T) {
	for _, name := range []string{"../../x", `..\..\Windows\system32\x.dll`, "CON", "hoa-don\u202Efdp.exe", strings.Repeat("dài", 100) + ".pdf", "/etc/passwd"} {
		p, err := Parse(attachmentPackage(name, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err }), tempStore(t), Options{})
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		got := p.Document.Attachments[0].Name
		if strings.ContainsAny(got, `/\`) || strings.ContainsRune(got, '\u202E') || len(got) > 200 || strings.EqualFold(got, "CON") || got == "" {
			t.Errorf("%q came out as %q", name, got)
		}
	}
}

// Too many attachments, and too much XML besides them.
func TestPackageBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<edXML xmlns="` + Namespace + `"><AttachmentEncoded>`)
	for i := 0; i < 20; i++ {
		b.WriteString(`<Attachment><ContentTransferEncoded>` + base64.StdEncoding.EncodeToString([]byte("x")) + `</ContentTransferEncoded></Attachment>`)
	}
	b.WriteString(`</AttachmentEncoded></edXML>`)
	if _, err := Parse(strings.NewReader(b.String()), tempStore(t), Options{MaxAttachments: 10}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("20 attachments with a bound of 10: %v", err)
	}
	big := `<edXML xmlns="` + Namespace + `"><x>` + strings.Repeat("chữ ", 1<<20) + `</x></edXML>`
	if _, err := Parse(strings.NewReader(big), tempStore(t), Options{MaxXMLBytes: 1 << 20}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("5 MB of XML with a bound of 1 MB: %v", err)
	}
}
