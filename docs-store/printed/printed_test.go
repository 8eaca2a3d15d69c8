package printed

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
)

// pdfText is pdftotext -layout of a PDF (poppler-utils, which make test
// installs).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CONGVU_REQUIRE_MAIL") != "" { // make test: every tool is there
			t.Fatal("pdftotext not installed (poppler-utils)")
		}
		t.Skip("pdftotext not installed (poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "so.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The demo agency's registers printed: the cover says which register,
// year, dates, numbers and volume; the pages carry the model's columns,
// numbered, and every document; Vietnamese comes out as written.
func TestPrintedRegisters(t *testing.T) {
	ctx := context.Background()
	today := time.Date(2026, 11, 27, 9, 0, 0, 0, docstore.VietnamTime)
	st, cast, err := demo.Open(ctx, t.TempDir(), demo.Config{Seed: 7, Today: today, Incoming: 120, Secret: 5, Drafts: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var buf bytes.Buffer
	sum, err := RegisterPDF(ctx, st, cast.Clerk, cast.IncomingRegister, &buf, Options{Volume: 1, Printed: today})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 120 || sum.Pages < 3 {
		t.Fatalf("printed %+v", sum)
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm: 2026", "Quyển số: 01", "Từ số 1 đến số 120",
		"Ngày đến", "Số đến", "Tác giả", "trích yếu", "Đơn vị hoặc", "người nhận", "chuyển", "Ký nhận", "Ghi chú", "(10)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the incoming register lacks %q", want)
		}
	}
	rowids, _ := st.RegisterView(ctx, cast.Clerk, cast.IncomingRegister, docstore.RegisterFilter{}, docstore.DefaultSort)
	docs, _ := st.DocumentsByRowid(ctx, cast.Clerk, rowids[:5])
	for _, d := range docs {
		if !strings.Contains(text, d.Notation) || !strings.Contains(text, d.Issuer[:min(len(d.Issuer), 12)]) {
			t.Errorf("document %s (%s) not printed", d.Notation, d.Issuer)
		}
	}

	buf.Reset()
	sum, err = RegisterPDF(ctx, st, cast.Clerk, cast.OutgoingRegister, &buf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, buf.Bytes())
	for _, want := range []string{"SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Số, ký hiệu", "Người ký", "Nơi nhận", "bản lưu", "lượng"} {
		if !strings.Contains(text, want) {
			t.Errorf("the outgoing register lacks %q", want)
		}
	}

	// The handling-tracking register of the incoming one: who handles
	// each document, its deadline, where it stands.
	buf.Reset()
	sum, err = TrackingPDF(ctx, st, cast.Clerk, cast.IncomingRegister, &buf, Options{Printed: today})
	if err != nil || sum.Rows != 120 {
		t.Fatalf("tracking register: %+v %v", sum, err)
	}
	text = pdfText(t, buf.Bytes())
	for _, want := range []string{"SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN", "Thời hạn giải", "Tiến độ giải", "(chủ trì)", "trả lời", "(7)"} {
		if !strings.Contains(text, want) {
			t.Errorf("the tracking register lacks %q", want)
		}
	}
	if _, err := TrackingPDF(ctx, st, cast.Clerk, cast.OutgoingRegister, &buf, Options{}); !errors.Is(err, docstore.ErrInvalid) {
		t.Errorf("tracking an outgoing register: %v", err)
	}

	// The secret register only for the cleared: the store decides.
	if _, err := RegisterPDF(ctx, st, cast.Clerk, cast.SecretRegister, &buf, Options{}); !errors.Is(err, docstore.ErrNotFound) && !errors.Is(err, docstore.ErrForbidden) {
		t.Fatalf("a clerk printed the secret register: %v", err)
	}
	if _, err := RegisterPDF(ctx, st, cast.SecretClerk, cast.SecretRegister, &buf, Options{}); err != nil {
		t.Fatalf("the cleared clerk: %v", err)
	}
}

// The register as a spreadsheet: the model's heading, then every document
// in register order; every part well-formed XML.
func TestRegisterXLSX(t *testing.T) {
	ctx := context.Background()
	today := time.Date(2026, 11, 27, 9, 0, 0, 0, docstore.VietnamTime)
	st, cast, err := demo.Open(ctx, t.TempDir(), demo.Config{Seed: 8, Today: today, Incoming: 60, Secret: 2, Drafts: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var buf bytes.Buffer
	n, err := RegisterXLSX(ctx, st, cast.Clerk, cast.IncomingRegister, &buf)
	if err != nil || n != 60 {
		t.Fatalf("%d rows, %v", n, err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var sheet string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		if f.Name == "xl/worksheets/sheet1.xml" {
			sheet = string(b)
		}
	}
	rowids, _ := st.RegisterView(ctx, cast.Clerk, cast.IncomingRegister, docstore.RegisterFilter{}, docstore.RegisterSort{Key: docstore.SortNumber, Asc: true})
	docs, _ := st.DocumentsByRowid(ctx, cast.Clerk, rowids[:1])
	if strings.Count(sheet, "<row ") != 61 || !strings.Contains(sheet, "Tên loại và trích yếu nội dung văn bản") ||
		!strings.Contains(sheet, `<c r="D2" t="inlineStr" s="2"><is><t xml:space="preserve">`+docs[0].Notation) {
		t.Fatalf("sheet: %d rows, first %s", strings.Count(sheet, "<row "), docs[0].Notation)
	}
}
