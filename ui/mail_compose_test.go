package ui

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"golang.org/x/text/unicode/norm"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/mimemsg"
)

// composeAccount saves the account the composer sends from, with an INBOX
// whose messages bring the addresses to complete.
func composeAccount(t *testing.T, st *docstore.Store, seen ...docstore.MailAddress) docstore.MailAccount {
	t.Helper()
	ctx := context.Background()
	a := docstore.MailAccount{Address: "vanthu@sotnmt.hanoi.gov.vn", DisplayName: "Văn thư Sở TN&MT",
		IMAPHost: "mail.sotnmt.hanoi.gov.vn", SMTPHost: "mail.sotnmt.hanoi.gov.vn", PasswordMode: docstore.PasswordAsk}
	if err := st.SaveMailAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	folders, err := st.SyncMailFolders(ctx, a.ID, []docstore.MailFolderInfo{{Name: "INBOX", Delim: "/"}})
	if err != nil {
		t.Fatal(err)
	}
	var hs []docstore.MailHeader
	for i, from := range seen {
		hs = append(hs, docstore.MailHeader{UID: uint32(i + 1), Subject: "Công văn", Date: time.Date(2026, 11, 20, 9, 0, 0, 0, docstore.VietnamTime),
			From: []docstore.MailAddress{from}, To: []docstore.MailAddress{{Name: a.DisplayName, Addr: a.Address}}})
	}
	if err := st.PutMailHeaders(ctx, folders[0].ID, hs); err != nil {
		t.Fatal(err)
	}
	return a
}

func outbox(t *testing.T, st *docstore.Store) []docstore.OutboxItem {
	t.Helper()
	items, err := st.OutboxItems(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// The address fields complete from the addresses seen in mail, part by
// part; Draft parses them (NFC names); a field that does not parse, or no
// recipient at all, is said beside the field and nothing is queued; a
// message without a subject is sent after a confirmation, with its files
// read from disk only then.
func TestComposerCompletesParsesAndQueues(t *testing.T) {
	st, svc := mailFormRig(t)
	nfd := func(s string) string { return norm.NFD.String(s) }
	acct := composeAccount(t, st,
		docstore.MailAddress{Name: "Trần Văn Bình", Addr: "binh.tv@sotnmt.hanoi.gov.vn"},
		docstore.MailAddress{Name: nfd("Nguyễn Thị Ánh"), Addr: "anh.nt@stp.hanoi.gov.vn"},
		docstore.MailAddress{Name: "Phòng TN&MT, Sở", Addr: "phong.tnmt@hanoi.gov.vn"})
	var queued []bool
	c := NewComposer(svc, st, "", []docstore.MailAccount{acct}, mimemsg.Draft{}, func(q bool) { queued = append(queued, q) })
	w := test.NewTempWindow(t, c.Content)
	w.Resize(fyne.NewSize(1000, 800))
	if c.From.Selected != "Văn thư Sở TN&MT <vanthu@sotnmt.hanoi.gov.vn>" {
		t.Fatalf("from %q", c.From.Selected)
	}

	// "trần" → one completion; choosing it completes the field.
	test.Type(c.To, "trần")
	eventually(t, "completions of trần", func() bool { return len(c.Suggestions(c.To)) > 0 })
	if got := c.Suggestions(c.To); !slices.Equal(got, []string{"Trần Văn Bình <binh.tv@sotnmt.hanoi.gov.vn>"}) {
		t.Fatalf("completions %q", got)
	}
	test.Tap(c.To.ActionItem.(fyne.Tappable))
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("the arrow shows no completions")
	}
	w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
	c.ChooseSuggestion(c.To, 0)
	if c.To.Text != "Trần Văn Bình <binh.tv@sotnmt.hanoi.gov.vn>, " {
		t.Fatalf("after choosing: %q", c.To.Text)
	}
	// The next part: "anh" (no marks) finds Ánh; the first part stays.
	test.Type(c.To, "anh")
	eventually(t, "completions of anh", func() bool {
		s := c.Suggestions(c.To)
		return len(s) == 1 && strings.HasPrefix(s[0], "Nguyễn Thị Ánh")
	})
	c.ChooseSuggestion(c.To, 0)
	if c.To.Text != "Trần Văn Bình <binh.tv@sotnmt.hanoi.gov.vn>, Nguyễn Thị Ánh <anh.nt@stp.hanoi.gov.vn>, " {
		t.Fatalf("after the second: %q", c.To.Text)
	}
	// A name with a comma is quoted, so it stays one address.
	test.Type(c.Cc, "phòng")
	eventually(t, "completions of phòng", func() bool { return len(c.Suggestions(c.Cc)) == 1 })
	c.ChooseSuggestion(c.Cc, 0)
	if c.Cc.Text != `"Phòng TN&MT, Sở" <phong.tnmt@hanoi.gov.vn>, ` {
		t.Fatalf("cc %q", c.Cc.Text)
	}
	c.Bcc.SetText(nfd("Lưu trữ <luutru@sotnmt.hanoi.gov.vn>; "))

	d, err := c.Draft()
	if err != nil {
		t.Fatal(err)
	}
	want := []docstore.MailAddress{{Name: "Trần Văn Bình", Addr: "binh.tv@sotnmt.hanoi.gov.vn"}, {Name: "Nguyễn Thị Ánh", Addr: "anh.nt@stp.hanoi.gov.vn"}}
	if !slices.Equal(d.To, want) || len(d.Cc) != 1 || d.Cc[0].Name != "Phòng TN&MT, Sở" ||
		len(d.Bcc) != 1 || d.Bcc[0] != (docstore.MailAddress{Name: "Lưu trữ", Addr: "luutru@sotnmt.hanoi.gov.vn"}) ||
		d.From != (docstore.MailAddress{Name: "Văn thư Sở TN&MT", Addr: acct.Address}) {
		t.Fatalf("draft to %+v cc %+v bcc %+v from %+v", d.To, d.Cc, d.Bcc, d.From)
	}
	if !norm.NFC.IsNormalString(d.To[1].Name) || !norm.NFC.IsNormalString(d.Bcc[0].Name) {
		t.Fatal("names are not NFC")
	}

	// Not an address: said beside its field, nothing queued.
	c.Cc.SetText("an@, phong.tnmt@hanoi.gov.vn")
	test.Tap(c.Send)
	if !c.errs["cc"].Visible() || c.errs["cc"].Text != "Địa chỉ không hợp lệ: an@" || c.errs["to"].Visible() {
		t.Fatalf("cc error %v %q", c.errs["cc"].Visible(), c.errs["cc"].Text)
	}
	// No recipient at all.
	c.To.SetText("")
	c.Cc.SetText("")
	c.Bcc.SetText(" , ")
	test.Tap(c.Send)
	if !c.errs["to"].Visible() || c.errs["to"].Text != "Hãy nhập ít nhất một người nhận." || c.errs["cc"].Visible() {
		t.Fatalf("no recipient: %v %q", c.errs["to"].Visible(), c.errs["to"].Text)
	}
	WaitBackground()
	if len(outbox(t, st)) != 0 || len(queued) != 0 {
		t.Fatal("queued without a recipient")
	}

	// Files: local ones only, each once, with a size; "Bỏ" takes one away.
	pdf := tempFile(t, "Báo cáo quý IV.pdf", strings.Repeat("%PDF-1.4 báo cáo ", 200))
	xls := tempFile(t, "Phụ lục.xlsx", "bảng số liệu")
	web, _ := storage.ParseURI("https://example.gov.vn/a.pdf")
	c.AddFiles([]fyne.URI{pdf, xls, pdf, web})
	if len(c.files) != 2 || !strings.Contains(c.Message.Text, "không nhận đường liên kết") {
		t.Fatalf("files %+v, message %q", c.files, c.Message.Text)
	}
	if got := composeSize(c.files[0].Size); got != "3,7 KB" {
		t.Fatalf("size %q of %d bytes", got, c.files[0].Size)
	}
	if !strings.Contains(strings.Join(labelsDeep(c.Attachments), "|"), "Báo cáo quý IV.pdf|3,7 KB") {
		t.Fatalf("list shows %q", labelsDeep(c.Attachments))
	}
	c.RemoveAttachment(1)
	if len(c.files) != 1 || c.files[0].Name != "Báo cáo quý IV.pdf" {
		t.Fatalf("after Bỏ: %+v", c.files)
	}
	capture(t, w, "congvu-mail-compose.png")

	// No subject: asked first; "Quay lại" sends nothing, "Gửi" sends.
	c.To.SetText("Trần Văn Bình <binh.tv@sotnmt.hanoi.gov.vn>, ")
	test.Type(c.Body, "Kính gửi anh Bình,\nGửi anh báo cáo quý IV.")
	test.Tap(c.Send)
	if !strings.Contains(strings.Join(labelsDeep(w.Canvas().Overlays().Top()), "|"), "Gửi thư không có tiêu đề?") {
		t.Fatal("no confirmation for the missing subject")
	}
	tapInOverlay(t, w, "Quay lại")
	WaitBackground()
	if len(outbox(t, st)) != 0 {
		t.Fatal("sent after Quay lại")
	}
	test.Tap(c.Send)
	tapInOverlay(t, w, "Gửi")
	eventually(t, "the queued message", func() bool { return len(queued) == 1 })
	if !queued[0] || c.Message.Text != "Đã đưa vào hộp thư đi; sẽ gửi khi có kết nối." || !c.Send.Disabled() {
		t.Fatalf("after sending: %v %q", queued, c.Message.Text)
	}
	items := outbox(t, st)
	if len(items) != 1 || items[0].State != docstore.OutboxQueued || items[0].AccountID != acct.ID ||
		!slices.Equal(items[0].Recipients, []string{"binh.tv@sotnmt.hanoi.gov.vn"}) ||
		len(items[0].Parts) != 1 || items[0].Parts[0].Name != "Báo cáo quý IV.pdf" {
		t.Fatalf("outbox %+v", items)
	}
	raw := blobBytes(t, st, items[0].Blob.SHA256)
	m, err := mimemsg.Parse(bytes.NewReader(raw))
	if err != nil || !strings.Contains(m.Text, "Gửi anh báo cáo quý IV.") || len(m.Parts) != 1 {
		t.Fatalf("queued message: %+v %v", m, err)
	}
	var got bytes.Buffer
	if _, err := mimemsg.OpenPart(bytes.NewReader(raw), m.Parts[0].Path, &got); err != nil || got.String() != strings.Repeat("%PDF-1.4 báo cáo ", 200) {
		t.Fatalf("attachment content: %d bytes, %v", got.Len(), err)
	}
}

func blobBytes(t *testing.T, st *docstore.Store, sha string) []byte {
	t.Helper()
	f, err := st.Blobs().Open(sha)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A reply comes in ready-made: the recipients filled in, the cursor above
// the quote; a file that is gone by the time of sending is named.
func TestComposerReplyAndVanishedFile(t *testing.T) {
	st, svc := mailFormRig(t)
	acct := composeAccount(t, st)
	orig := &mimemsg.Message{Subject: "Kế hoạch năm 2027", From: []docstore.MailAddress{{Name: "Lê Văn Cường", Addr: "cuong.lv@hanoi.gov.vn"}},
		To: []docstore.MailAddress{{Addr: acct.Address}}, MessageID: "abc@hanoi.gov.vn", Text: "Đề nghị Sở góp ý."}
	d := mimemsg.Reply(orig, docstore.MailAddress{Name: acct.DisplayName, Addr: acct.Address}, false)
	var queued []bool
	c := NewComposer(svc, st, "", []docstore.MailAccount{acct}, d, func(q bool) { queued = append(queued, q) })
	w := test.NewTempWindow(t, c.Content)
	w.Resize(fyne.NewSize(1000, 800))
	if c.To.Text != "Lê Văn Cường <cuong.lv@hanoi.gov.vn>" || c.Subject.Text != "Re: Kế hoạch năm 2027" ||
		!strings.Contains(c.Body.Text, "> Đề nghị Sở góp ý.") || c.Body.CursorRow != 0 || c.Body.CursorColumn != 0 {
		t.Fatalf("reply: to %q, subject %q, cursor %d:%d", c.To.Text, c.Subject.Text, c.Body.CursorRow, c.Body.CursorColumn)
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "góp ý.docx")
	if err := os.WriteFile(p, []byte("góp ý"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.AddFile(p)
	c.AddFile(filepath.Join(dir, "không có.pdf"))
	if len(c.files) != 1 || !strings.Contains(c.Message.Text, "không có.pdf") {
		t.Fatalf("files %+v, message %q", c.files, c.Message.Text)
	}
	os.Remove(p)
	test.Tap(c.Send)
	eventually(t, "the refusal", func() bool { return c.errs["attachments"].Visible() })
	if !strings.Contains(c.errs["attachments"].Text, "góp ý.docx") || len(queued) != 0 || len(outbox(t, st)) != 0 || c.Send.Disabled() {
		t.Fatalf("vanished file: %q", c.errs["attachments"].Text)
	}
	c.RemoveAttachment(0)
	test.Tap(c.Send)
	eventually(t, "the queued reply", func() bool { return len(queued) == 1 })
	items := outbox(t, st)
	m, err := mimemsg.Parse(bytes.NewReader(blobBytes(t, st, items[0].Blob.SHA256)))
	if err != nil || m.InReplyTo != "abc@hanoi.gov.vn" || m.Subject != "Re: Kế hoạch năm 2027" {
		t.Fatalf("reply sent: %+v %v", m, err)
	}
	test.Tap(c.Cancel)
	if len(queued) != 2 || queued[1] {
		t.Fatalf("cancel: %v", queued)
	}
}

// A registered document's files: found in the picker by its number,
// attached from the blob store (a 300-character Vietnamese name too) and
// sent with the document's id; a damaged stored copy is not sent.
func TestComposerAttachesDocumentFiles(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, cast := demoStore(t)
	test.NewTempApp(t)
	useTestBridge(t)
	ctx := context.Background()
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	acct := composeAccount(t, st)

	long := []rune(strings.Repeat("Công văn số 1220/UBND-TNMT về việc thu hồi đất để xây dựng trường học ", 6))
	longName := string(long[:296]) + ".pdf"
	if n := len([]rune(longName)); n != 300 {
		t.Fatalf("name of %d characters", n)
	}
	pdf := strings.Repeat("%PDF-1.4 nội dung công văn ", 500)
	ref1, err := st.Blobs().Put(strings.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	ref2, err := st.Blobs().Put(strings.NewReader("phụ lục kèm theo"))
	if err != nil {
		t.Fatal(err)
	}
	in := demo.IncomingInputs(rand.New(rand.NewPCG(4, 4)), cast.IncomingRegister, 1, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), 0)[0]
	in.ArrivalDate = st.Today()
	in.Notation = "4321/UBND-TNMT"
	in.Attachments = []docstore.Attachment{{SHA256: ref1.SHA256, Name: norm.NFD.String(longName), Size: ref1.Size}, {SHA256: ref2.SHA256, Name: "Phụ lục.docx", Size: ref2.Size}}
	reg, err := st.RegisterIncoming(ctx, cast.Clerk, in)
	if err != nil {
		t.Fatal(err)
	}

	var queued []bool
	c := NewComposer(svc, st, cast.Clerk, []docstore.MailAccount{acct}, mimemsg.Draft{Subject: "Chuyển văn bản 4321/UBND-TNMT"}, func(q bool) { queued = append(queued, q) })
	w := test.NewTempWindow(t, c.Content)
	w.Resize(fyne.NewSize(1000, 800))
	test.Tap(c.AttachDocument)
	p := c.picker
	if p == nil || w.Canvas().Overlays().Top() == nil {
		t.Fatal("no document picker")
	}
	test.Type(p.Search, "4321/UBND")
	eventually(t, "the document in the picker", func() bool {
		return slices.ContainsFunc(p.hits, func(h docstore.Hit) bool { return h.ID == reg.DocID })
	})
	capture(t, w, "congvu-mail-compose-picker.png")
	p.List.Select(slices.IndexFunc(p.hits, func(h docstore.Hit) bool { return h.ID == reg.DocID }))
	eventually(t, "the document's files", func() bool { return len(c.files) == 2 })
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("the picker stays open")
	}
	if c.documentID != reg.DocID || !strings.Contains(c.Message.Text, "Đã đính kèm 2 tệp") {
		t.Fatalf("document %q, message %q", c.documentID, c.Message.Text)
	}
	names := []string{c.files[0].Name, c.files[1].Name}
	if !slices.Contains(names, longName) || composeSize(ref1.Size) != "15,1 KB" {
		t.Fatalf("names %q, size %s", names, composeSize(ref1.Size))
	}
	// Attached twice: once.
	c.AddDocumentAttachments(reg.DocID)
	eventually(t, "the second add", func() bool { return strings.Contains(c.Message.Text, "Đã đính kèm 0 tệp") })
	if len(c.files) != 2 {
		t.Fatalf("%d files", len(c.files))
	}

	test.Type(c.To, "phongtnmt@hanoi.gov.vn")
	test.Tap(c.Send)
	eventually(t, "the queued message", func() bool { return len(queued) == 1 })
	items := outbox(t, st)
	if len(items) != 1 || items[0].DocumentID != reg.DocID || len(items[0].Parts) != 2 ||
		!slices.ContainsFunc(items[0].Parts, func(p docstore.MailPart) bool { return p.Name == longName }) {
		t.Fatalf("outbox %+v", items)
	}
	raw := blobBytes(t, st, items[0].Blob.SHA256)
	m, err := mimemsg.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(m.Parts, func(p docstore.MailPart) bool { return p.Name == longName })
	if i < 0 {
		t.Fatalf("parts %+v", m.Parts)
	}
	var got bytes.Buffer
	if _, err := mimemsg.OpenPart(bytes.NewReader(raw), m.Parts[i].Path, &got); err != nil || got.String() != pdf {
		t.Fatalf("the long-named file: %d bytes, %v", got.Len(), err)
	}

	// The appendix's stored copy damaged: refused, named, not queued.
	path, _ := st.Blobs().Path(ref2.SHA256)
	b, _ := os.ReadFile(path)
	b[0] ^= 0x20
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	c2 := NewComposer(svc, st, cast.Clerk, []docstore.MailAccount{acct}, mimemsg.Draft{Subject: "Lần hai"}, func(q bool) { queued = append(queued, q) })
	test.NewTempWindow(t, c2.Content)
	c2.To.SetText("phongtnmt@hanoi.gov.vn")
	c2.AddDocumentAttachments(reg.DocID)
	eventually(t, "the files", func() bool { return len(c2.files) == 2 })
	test.Tap(c2.Send)
	eventually(t, "the refusal", func() bool { return c2.errs["attachments"].Visible() })
	if !strings.Contains(c2.errs["attachments"].Text, "Phụ lục.docx") || !strings.Contains(c2.errs["attachments"].Text, "bị hỏng") ||
		len(outbox(t, st)) != 1 || len(queued) != 1 {
		t.Fatalf("damaged: %q", c2.errs["attachments"].Text)
	}
}
