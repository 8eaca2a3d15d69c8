package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// tempFile writes a file named name in a fresh folder and returns its URI.
func tempFile(t *testing.T, name, content string) fyne.URI {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return storage.NewFileURI(p)
}

// writerTo opens a destination as the save dialog would hand it over.
func writerTo(t *testing.T, path string) fyne.URIWriteCloser {
	t.Helper()
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func fileSHA(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// entriesDeep collects entry texts through widgets' renderers (dialogs).
func entriesDeep(o fyne.CanvasObject) []string {
	var out []string
	switch v := o.(type) {
	case *widget.Entry:
		return []string{v.Text}
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, entriesDeep(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, entriesDeep(c)...)
		}
	}
	return out
}

// widgetsDeep collects the widgets of type W through renderers (dialogs).
func widgetsDeep[W fyne.CanvasObject](o fyne.CanvasObject) []W {
	var out []W
	if w, ok := o.(W); ok {
		out = append(out, w)
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, widgetsDeep[W](c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, widgetsDeep[W](c)...)
		}
	}
	return out
}

// capture renders the window to the temp folder, for a look at the
// layout, when CONGVU_TEST_PNG is set.
func capture(t *testing.T, w fyne.Window, name string) {
	t.Helper()
	if os.Getenv("CONGVU_TEST_PNG") == "" {
		return
	}
	f, err := os.Create(filepath.Join(os.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

// Vào sổ with files picked or dropped: local files only, each once; they
// are streamed into the blob store with the document. Then the document
// view saves an attachment elsewhere, checking its SHA-256; a damaged blob
// is reported and its partial copy removed.
func TestRegisterWithFilesThenSaveAs(t *testing.T) {
	st, cast, s, w := demoShell(t)
	ctx := context.Background()
	s.OpenRegisterForm()
	f := s.Form
	content := strings.Repeat("Công văn số 45/STC-QLNS, bản quét. ", 4000)
	scan := tempFile(t, "Công văn 45.pdf", content)
	other := tempFile(t, "phụ lục.xlsx", "bảng số liệu")
	web, _ := storage.ParseURI("https://example.gov.vn/vb.pdf")
	folder := storage.NewFileURI(t.TempDir())
	f.AddFiles([]fyne.URI{scan, other, scan, web, folder})
	if len(f.Files) != 2 || len(f.FileList.Objects) != 2 {
		t.Fatalf("files %v, %d rows", f.Files, len(f.FileList.Objects))
	}
	if !strings.Contains(f.Message.Text, "https://example.gov.vn/vb.pdf") || !strings.Contains(f.Message.Text, "không nhận đường liên kết") ||
		!strings.Contains(f.Message.Text, "thư mục, không phải tệp") {
		t.Fatalf("refusals %q", f.Message.Text)
	}
	// "Bỏ" takes a file off the list.
	row := f.FileList.Objects[1].(*fyne.Container)
	for _, o := range row.Objects {
		if b, ok := o.(*widget.Button); ok {
			test.Tap(b)
		}
	}
	if len(f.Files) != 1 || f.Files[0].String() != scan.String() {
		t.Fatalf("after Bỏ: %v", f.Files)
	}
	capture(t, w, "congvu-register-files.png")

	test.Type(f.Issuer, "Sở Tài chính tỉnh Lâm Hà")
	test.Type(f.Notation, "45/STC-QLNS")
	test.Type(f.DocDate, "20/11/2026")
	test.Type(f.Subject, "V/v thẩm định dự toán năm 2027")
	test.Tap(f.Submit)
	eventually(t, "the registration", func() bool { return strings.Contains(f.Message.Text, "Đã vào sổ") })
	if len(f.Files) != 0 || len(f.FileList.Objects) != 0 {
		t.Fatal("the files stay on the form after registering")
	}
	rows, err := st.ListRegister(ctx, cast.Clerk, cast.IncomingRegister, 0, 1)
	if err != nil || rows[0].Notation != "45/STC-QLNS" {
		t.Fatalf("newest row %+v %v", rows, err)
	}
	docID := rows[0].ID

	// A file that disappeared before "Vào sổ" is named beside the field.
	f.AddFiles([]fyne.URI{other})
	os.Remove(other.Path())
	f.Notation.SetText("46/STC-QLNS")
	test.Tap(f.Submit)
	eventually(t, "the missing file", func() bool { return f.errs["attachments"].Visible() })
	if !strings.Contains(f.errs["attachments"].Text, "phụ lục.xlsx") {
		t.Fatalf("missing file: %q", f.errs["attachments"].Text)
	}

	// The document view: "Lưu thành…" beside the attachment.
	s.OpenDocument(docID)
	v := s.Doc
	if len(v.Attachments) != 1 || len(v.SaveButtons) != 1 || v.Attachments[0].Name != "Công văn 45.pdf" {
		t.Fatalf("attachments %+v", v.Attachments)
	}
	capture(t, w, "congvu-document-attachments.png")
	// The button opens the save dialog with the name suggested.
	test.Tap(v.SaveButtons[0])
	found := false
	for _, o := range w.Canvas().Overlays().List() {
		for _, e := range entriesDeep(o) {
			found = found || e == "Công văn 45.pdf"
		}
	}
	if !found {
		t.Fatal("the save dialog does not suggest the attachment's name")
	}
	w.Canvas().Overlays().Top().Hide()
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())

	dir := t.TempDir()
	out := filepath.Join(dir, "bản sao.pdf")
	v.SaveAttachment(0, writerTo(t, out))
	if !v.SaveButtons[0].Disabled() || !strings.Contains(v.Message.Text, "Đang lưu") {
		t.Fatalf("while saving: disabled %v, message %q", v.SaveButtons[0].Disabled(), v.Message.Text)
	}
	eventually(t, "the copy", func() bool { return !v.SaveButtons[0].Disabled() })
	if !strings.HasPrefix(v.Message.Text, "Đã lưu thành") || fileSHA(t, out) != v.Attachments[0].SHA256 {
		t.Fatalf("copy: %q", v.Message.Text)
	}

	// One byte of the stored file flipped: the copy is refused and removed.
	p, _ := st.Blobs().Path(v.Attachments[0].SHA256)
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 0x20
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "hỏng.pdf")
	v.SaveAttachment(0, writerTo(t, bad))
	eventually(t, "the refusal", func() bool { return !v.SaveButtons[0].Disabled() })
	if !strings.Contains(v.Message.Text, "bị hỏng") || !strings.Contains(v.Message.Text, "đã được xóa") {
		t.Fatalf("damaged: %q", v.Message.Text)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatal("the partial copy is left behind")
	}
	// Gone from the data folder: said so, nothing left behind either.
	os.Remove(p)
	v.SaveAttachment(0, writerTo(t, bad))
	eventually(t, "the refusal", func() bool { return !v.SaveButtons[0].Disabled() })
	if !strings.Contains(v.Message.Text, "không có trên máy") {
		t.Fatalf("missing: %q", v.Message.Text)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Fatal("an empty copy is left behind")
	}
}

// A new version from the draft view: only the author while editing or
// returned; the file is streamed in, the list refreshes, and each version
// can be saved elsewhere. A drop adds the first file.
func TestDraftViewAddVersionSaveAndDrop(t *testing.T) {
	st, cast, s, w := demoShell(t)
	ctx := context.Background()
	ref, err := st.Blobs().Put(strings.NewReader("dự thảo lần 1"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.CreateDraft(ctx, cast.Specialist, docstore.NewDraft{Type: "KH", Subject: "Kế hoạch chuyển đổi số năm 2027",
		File: docstore.Attachment{SHA256: ref.SHA256, Name: "ke-hoach.docx", Size: ref.Size}})
	if err != nil {
		t.Fatal(err)
	}
	s.SetViewer(cast.Specialist)
	s.OpenDraft(id)
	v := s.Draft
	if v.AddVersionButton == nil || len(v.Versions) != 1 || len(v.SaveButtons) != 1 {
		t.Fatalf("author's view: button %v, versions %+v", v.AddVersionButton, v.Versions)
	}
	if !strings.Contains(strings.Join(labels(v.Content), "|"), "Kéo thả tệp vào đây") {
		t.Fatal("no drop hint")
	}

	// What the button does once the file is chosen: the note, then "Thêm".
	v2 := tempFile(t, "Kế hoạch (lần 2).docx", "dự thảo lần 2, đã sửa")
	v.askNote(w, v2)
	dlg := w.Canvas().Overlays().Top()
	if dlg == nil || !strings.Contains(strings.Join(labelsDeep(dlg), "|"), "Kế hoạch (lần 2).docx") {
		t.Fatal("no note dialog naming the file")
	}
	entries := widgetsDeep[*widget.Entry](dlg)
	if len(entries) != 1 {
		t.Fatalf("%d entries in the note dialog", len(entries))
	}
	test.Type(entries[0], "Bổ sung số liệu năm 2026")
	capture(t, w, "congvu-version-note.png")
	for _, b := range widgetsDeep[*widget.Button](dlg) {
		if b.Text == "Thêm" {
			test.Tap(b)
		}
	}
	if !v.AddVersionButton.Disabled() {
		t.Fatal("the button stays enabled while the file is copied in")
	}
	eventually(t, "version 2", func() bool { return len(v.Versions) == 2 })
	if !strings.Contains(v.Message.Text, "Đã thêm phiên bản 2") || v.Draft.Versions != 2 || v.Versions[1].Note != "Bổ sung số liệu năm 2026" ||
		v.Versions[1].File.Name != "Kế hoạch (lần 2).docx" {
		t.Fatalf("after adding: %q %+v", v.Message.Text, v.Versions)
	}
	if !strings.Contains(strings.Join(labels(v.Content), "|"), "Phiên bản 2 · Kế hoạch (lần 2).docx") {
		t.Fatalf("versions list: %q", labels(v.Content))
	}

	// Dropped: a link is refused; of two files the first is taken.
	web, _ := storage.ParseURI("https://example.gov.vn/a.docx")
	v.AddFiles([]fyne.URI{web})
	if !strings.Contains(v.Message.Text, "không nhận đường liên kết") || len(v.Versions) != 2 {
		t.Fatalf("link dropped: %q", v.Message.Text)
	}
	v3 := tempFile(t, "lần 3.docx", "dự thảo lần 3")
	v.AddFiles([]fyne.URI{v3, v2})
	eventually(t, "version 3", func() bool { return len(v.Versions) == 3 })
	if !strings.Contains(v.Message.Text, "Chỉ nhận tệp đầu tiên") || v.Versions[2].Note != "" || v.Versions[2].File.Name != "lần 3.docx" {
		t.Fatalf("dropped two: %q %+v", v.Message.Text, v.Versions[2])
	}
	capture(t, w, "congvu-draft-versions.png")
	// The button opens the file dialog (the rest is AddVersion, above).
	test.Tap(v.AddVersionButton)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("Thêm phiên bản opens no dialog")
	}
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())

	// Save version 2 elsewhere.
	out := filepath.Join(t.TempDir(), "v2.docx")
	v.SaveVersion(1, writerTo(t, out))
	eventually(t, "the copy", func() bool { return strings.HasPrefix(v.Message.Text, "Đã lưu thành") })
	if b, _ := os.ReadFile(out); string(b) != "dự thảo lần 2, đã sửa" {
		t.Fatalf("copy holds %q", b)
	}

	// The unit head sees the versions but may not add one: refused in Vietnamese.
	s.SetViewer(cast.UnitHead)
	s.OpenDraft(id)
	v = s.Draft
	if v.AddVersionButton != nil || len(v.SaveButtons) != 3 {
		t.Fatalf("unit head: button %v, %d save buttons", v.AddVersionButton, len(v.SaveButtons))
	}
	v.AddFiles([]fyne.URI{v3})
	if v.Message.Text != "Bạn không có quyền thực hiện thao tác này." {
		t.Fatalf("unit head dropping: %q", v.Message.Text)
	}
	// Submitted: the author no longer may.
	s.SetViewer(cast.Specialist)
	s.OpenDraft(id)
	v = s.Draft
	for i, p := range v.leaders {
		if p.ID == cast.Chairman {
			v.Approver.SetSelectedIndex(i)
		}
	}
	test.Tap(v.Buttons["submit"])
	eventually(t, "submitting", func() bool { return strings.HasPrefix(v.Message.Text, "Đã lưu.") })
	if v.AddVersionButton != nil {
		t.Fatal("Thêm phiên bản offered on a submitted draft")
	}
	v.AddVersion(v3, "")
	if !strings.Contains(v.Message.Text, "không thực hiện được ở trạng thái") {
		t.Fatalf("adding to a submitted draft: %q", v.Message.Text)
	}
	if n, _ := st.DraftVersions(ctx, cast.Specialist, id); len(n) != 3 {
		t.Fatalf("%d versions", len(n))
	}
}

// A drop on the new-draft form takes the first local file as the draft's.
func TestDraftFormAddFiles(t *testing.T) {
	_, cast, s, w := demoShell(t)
	s.SetViewer(cast.Specialist)
	s.Show(NavDrafts)
	s.OpenDraftForm()
	f := s.DraftForm
	if !strings.Contains(strings.Join(labels(f.Content), "|"), "Kéo thả tệp vào đây") {
		t.Fatal("no drop hint")
	}
	web, _ := storage.ParseURI("https://example.gov.vn/a.docx")
	f.AddFiles([]fyne.URI{web})
	if f.File.Text != "" || !strings.Contains(f.Message.Text, "không nhận đường liên kết") {
		t.Fatalf("link: %q %q", f.File.Text, f.Message.Text)
	}
	a := tempFile(t, "Tờ trình.docx", "nội dung tờ trình")
	b := tempFile(t, "khác.docx", "x")
	f.AddFiles([]fyne.URI{a, b})
	if f.File.Text != a.Path() || !strings.Contains(f.Message.Text, "Tờ trình.docx") {
		t.Fatalf("two files: %q %q", f.File.Text, f.Message.Text)
	}
	capture(t, w, "congvu-draft-form.png")
	f.Type.SetSelected("Tờ trình")
	test.Type(f.Subject, "Tờ trình phê duyệt kế hoạch năm 2027")
	test.Tap(f.Create)
	eventually(t, "the new draft", func() bool { return s.Draft != nil })
	if len(s.Draft.Versions) != 1 || s.Draft.Versions[0].File.Name != "Tờ trình.docx" {
		t.Fatalf("new draft versions %+v", s.Draft.Versions)
	}
}
