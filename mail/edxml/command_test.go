package edxml

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// congvu edxml show prints the fields as JSON; check says valid, or every
// reason it is not, with exit status 1.
func TestCommandShowAndCheck(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.edxml")
	var buf bytes.Buffer
	d := sample()
	d.Date = "2026-11-20"
	d.Attachments = []Attachment{{ContentID: "a1", Name: "vb.pdf", ContentType: "application/pdf"}}
	if err := WriteDocument(&buf, d, files{"a1": []byte("%PDF-1.7")}.open, true); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(good, buf.Bytes(), 0o644)
	var out, errOut bytes.Buffer
	if rc := Command([]string{"show", good}, &out, &errOut); rc != 0 {
		t.Fatalf("show: %d %s", rc, errOut.String())
	}
	var p Package
	if err := json.Unmarshal(out.Bytes(), &p); err != nil || p.Document == nil || p.Document.CodeNumber != "1234" ||
		len(p.Document.Attachments) != 1 || p.Document.Attachments[0].Ref.Size != 8 {
		t.Fatalf("show printed %s (%v)", out.String(), err)
	}
	out.Reset()
	if rc := Command([]string{"check", good}, &out, &errOut); rc != 0 || !strings.HasPrefix(out.String(), "Gói tin hợp lệ") {
		t.Fatalf("check a good package: %d %q", rc, out.String())
	}

	bad := filepath.Join(dir, "bad.edxml")
	d.Other.Priority, d.CodeNotation = 9, strings.Repeat("X", 40)
	buf.Reset()
	WriteDocument(&buf, d, files{"a1": []byte("%PDF-1.7")}.open, false)
	os.WriteFile(bad, buf.Bytes(), 0o644)
	out.Reset()
	if rc := Command([]string{"check", bad}, &out, &errOut); rc != 1 || !strings.Contains(out.String(), "có 2 lỗi") ||
		!strings.Contains(out.String(), "MessageHeader/OtherInfo/Priority") || !strings.Contains(out.String(), "MessageHeader/Code/CodeNotation") {
		t.Fatalf("check a bad package: %d %q", rc, out.String())
	}
	broken := filepath.Join(dir, "broken.edxml")
	os.WriteFile(broken, []byte(`<edXML xmlns="`+Namespace+`"><edXMLEnvelope>`), 0o644)
	errOut.Reset()
	if rc := Command([]string{"check", broken}, &out, &errOut); rc != 1 || !strings.Contains(errOut.String(), "bị hỏng") {
		t.Fatalf("check a broken package: %d %q", rc, errOut.String())
	}
	if rc := Command([]string{"check"}, &out, &errOut); rc != 2 {
		t.Fatalf("usage: %d", rc)
	}
}
