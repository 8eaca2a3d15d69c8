package ui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/imapsync"
	"congvu/mail/mimemsg"
)

// cacheMessage puts one message in the cache as a sync would: its raw form
// in the blob store, its header row, then its parsed body.
func cacheMessage(t *testing.T, st *docstore.Store, folder docstore.MailFolder, uid uint32, d mimemsg.Draft, flags ...string) {
	t.Helper()
	var raw bytes.Buffer
	if err := mimemsg.Compose(&raw, d); err != nil {
		t.Fatal(err)
	}
	ref, err := st.Blobs().Put(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := mimemsg.Parse(bytes.NewReader(raw.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range m.Parts {
		names = append(names, p.Name)
	}
	h := docstore.MailHeader{UID: uid, Flags: flags, InternalDate: d.Date, Size: int64(raw.Len()), Date: d.Date,
		Subject: m.Subject, From: m.From, To: m.To, MessageID: m.MessageID, Attachments: names}
	ctx := context.Background()
	if err := st.PutMailHeaders(ctx, folder.ID, []docstore.MailHeader{h}); err != nil {
		t.Fatal(err)
	}
	if err := st.PutMailBodies(ctx, folder.ID, []docstore.MailBody{{UID: uid, State: docstore.BodyPresent, Blob: ref, Text: m.Text, Parts: m.Parts}}); err != nil {
		t.Fatal(err)
	}
}

func mailShell(t *testing.T) (*docstore.Store, *Shell, docstore.MailFolder) {
	t.Helper()
	st, _, s, _ := demoShell(t)
	ctx := context.Background()
	a := docstore.MailAccount{Address: "vanthu@sotnmt.lamha.gov.vn", DisplayName: "Văn thư Sở", IMAPHost: "127.0.0.1", IMAPPort: 9,
		SMTPHost: "127.0.0.1", SMTPPort: 9, PasswordMode: docstore.PasswordAsk, Shared: true}
	if err := st.SaveMailAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	fs, err := st.SyncMailFolders(ctx, a.ID, []docstore.MailFolderInfo{{Name: "INBOX", Role: docstore.FolderInbox}, {Name: "Sent", Role: docstore.FolderSent}, {Name: "Trash", Role: docstore.FolderTrash}})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ResetMailFolder(ctx, fs[0].ID, 1700000000); err != nil {
		t.Fatal(err)
	}
	inbox, _ := st.MailFolderByName(ctx, a.ID, "INBOX")
	when := time.Date(2026, 11, 26, 9, 30, 0, 0, docstore.VietnamTime)
	pdf := bytes.Repeat([]byte("%PDF-1.4 công văn "), 800)
	cacheMessage(t, st, inbox, 1, mimemsg.Draft{
		From: docstore.MailAddress{Name: "Sở Xây dựng tỉnh Lâm Hà", Addr: "vanthu@sxd.lamha.gov.vn"},
		To:   []docstore.MailAddress{{Addr: a.Address}}, Date: when,
		Subject: "Công văn 321/SXD-QLN về việc kiểm tra trật tự xây dựng", Text: "Kính gửi Sở Tài nguyên và Môi trường,\nSở Xây dựng gửi công văn kèm theo.\n",
		Attachments: []mimemsg.Attachment{
			{Name: "CV 321-SXD-QLN.pdf", MIMEType: "application/pdf", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(pdf)), nil }},
			{Name: "hoadon\u202Efdp.exe", MIMEType: "application/octet-stream", Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("MZ")), nil }},
		},
	})
	cacheMessage(t, st, inbox, 2, mimemsg.Draft{
		From: docstore.MailAddress{Name: "Nguyễn Văn An", Addr: "an.nv@other.test"}, To: []docstore.MailAddress{{Addr: a.Address}},
		Date: when.Add(time.Hour), Subject: "Hỏi về thủ tục đất đai", Text: "Xin hỏi thủ tục cấp giấy chứng nhận."}, `\Seen`)
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	s.SetMail(svc)
	return st, s, inbox
}

func TestMailViewReadRegisterAndSearch(t *testing.T) {
	st, s, inbox := mailShell(t)
	ctx := context.Background()
	s.Show(NavMail)
	v := s.MailView
	if v == nil {
		t.Fatal("no Hộp thư")
	}
	if got := v.List.Length(); got != 2 {
		t.Fatalf("list has %d rows", got)
	}
	if !strings.Contains(strings.Join(labelsDeep(v.Folders), "|"), "Hộp thư đến") {
		t.Fatalf("folders: %v", labelsDeep(v.Folders))
	}
	f, _ := st.MailFolder(ctx, inbox.ID)
	if f.Unread != 1 {
		t.Fatalf("unread %d", f.Unread)
	}
	// Newest first: the citizen's question (10:30), then the công văn.
	v.List.Select(1)
	if v.open == nil || v.open.UID != 1 {
		t.Fatalf("opened %+v", v.open)
	}
	text := strings.Join(labelsDeep(v.Reader), "|")
	for _, want := range []string{"Công văn 321/SXD-QLN", "Sở Xây dựng tỉnh Lâm Hà", "CV 321-SXD-QLN.pdf", "Kính gửi Sở Tài nguyên"} {
		if !strings.Contains(text, want) {
			t.Fatalf("reader lacks %q: %s", want, text)
		}
	}
	if strings.Contains(text, "\u202E") {
		t.Fatal("the direction override of a hostile name reached the screen")
	}
	// Reading marked it read, in the cache at once and queued for the server.
	f, _ = st.MailFolder(ctx, inbox.ID)
	ops, _ := st.PendingMailOps(ctx, v.open.AccountID)
	if f.Unread != 0 || len(ops) != 1 || ops[0].Kind != docstore.MailOpAddFlags {
		t.Fatalf("after reading: unread %d, ops %+v", f.Unread, ops)
	}

	// Vào sổ văn bản đến: the form comes pre-filled with the files.
	test.Tap(v.Register)
	eventually(t, "the registration form", func() bool { return s.Form != nil && len(s.Form.Files) == 2 })
	form := s.Form
	if form.Issuer.Text != "Sở Xây dựng tỉnh Lâm Hà" || !strings.Contains(form.Subject.Text, "kiểm tra trật tự") || form.Source.Selected != T("source.email") {
		t.Fatalf("pre-filled: %q %q %q", form.Issuer.Text, form.Subject.Text, form.Source.Selected)
	}
	test.Type(form.Notation, "321/SXD-QLN")
	test.Type(form.DocDate, "25/11/2026")
	test.Tap(form.Submit)
	eventually(t, "the registration", func() bool { return strings.Contains(form.Message.Text, "Đã vào sổ") })
	docs, err := st.MailDocuments(ctx, v.open.Rowid)
	if err != nil || len(docs) != 1 {
		t.Fatalf("message → document link: %v %v", docs, err)
	}
	back, err := st.DocumentMail(ctx, docs[0])
	if err != nil || len(back) != 1 || back[0].UID != 1 {
		t.Fatalf("document → message link: %+v %v", back, err)
	}
	atts, err := st.Attachments(ctx, s.viewer, docs[0])
	if err != nil || len(atts) != 2 {
		t.Fatalf("document attachments: %+v %v", atts, err)
	}

	// The search box finds mail and documents with the same folding.
	s.Search.SetText("kiem tra trat tu xay dung")
	s.runSearch()
	eventually(t, "search results", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.hits) > 0 && len(s.mailHits) > 0
	})
	s.Search.SetText("nguyen van an")
	s.runSearch()
	eventually(t, "the sender found without marks", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.mailHits) == 1 && s.mailHits[0].UID == 2
	})
}

func TestMailViewNoAccountOffersToAdd(t *testing.T) {
	st, _, s, _ := demoShell(t)
	s.SetMail(mail.NewService(st, mail.Options{Keyring: account.Memory()}))
	s.Show(NavMail)
	if !strings.Contains(s.MailView.Empty.Text, "Chưa có tài khoản thư") {
		t.Fatalf("empty text %q", s.MailView.Empty.Text)
	}
	add, ok := s.MailView.Reader.Objects[0].(*widget.Button)
	if !ok {
		t.Fatalf("no add button: %T", s.MailView.Reader.Objects[0])
	}
	test.Tap(add)
	if s.AccountForm == nil {
		t.Fatal("the account form did not open")
	}
}

// An account asked for at each start reports "no password": the Hộp thư
// asks for it and hands it to the service (memory only for such accounts).
func TestMailViewAsksForPassword(t *testing.T) {
	_, s, inbox := mailShell(t)
	s.Show(NavMail)
	v := s.MailView
	v.Progress(imapsync.Progress{Account: inbox.AccountID, Phase: imapsync.PhaseOffline, Err: account.ErrNoPassword})
	if !v.PasswordBar.Visible() || !strings.Contains(v.PasswordPrompt.Text, "vanthu@sotnmt.lamha.gov.vn") {
		t.Fatalf("no password prompt: %v %q", v.PasswordBar.Visible(), v.PasswordPrompt.Text)
	}
	test.Type(v.Password, "mat-khau-van-thu")
	v.submitPassword()
	eventually(t, "the password kept", func() bool {
		pw, err := s.mailSvc.Password(context.Background(), inbox.AccountID)
		return err == nil && pw == "mat-khau-van-thu" && !v.PasswordBar.Visible()
	})
	if strings.Contains(strings.Join(labelsDeep(v.Content), "|"), "mat-khau-van-thu") {
		t.Fatal("the password is shown somewhere")
	}
}

func TestFolderTreeOrder(t *testing.T) {
	f := func(name, role string) docstore.MailFolder {
		return docstore.MailFolder{MailFolderInfo: docstore.MailFolderInfo{Name: name, Delim: "/", Role: role}}
	}
	got := treeOrder([]docstore.MailFolder{f("INBOX", "inbox"), f("Sent", "sent"), f("Archive", "archive"), f("Dự án", ""), f("Archive/2025", ""), f("Dự án/Đất đai", "")})
	var names []string
	for _, g := range got {
		names = append(names, g.Name)
	}
	if want := "INBOX|Sent|Archive|Archive/2025|Dự án|Dự án/Đất đai"; strings.Join(names, "|") != want {
		t.Fatalf("order %v", names)
	}
}

// Lưu nháp keeps one local draft however often it is pressed; sending the
// message discards it.
func TestComposerSavesOneDraftThenSendDiscardsIt(t *testing.T) {
	st, s, inbox := mailShell(t)
	ctx := context.Background()
	acct, _ := st.MailAccount(ctx, inbox.AccountID)
	s.OpenComposer(acct, mimemsg.Draft{})
	c := s.Composer
	test.Type(c.To, "Trưởng phòng <truongphong@sotnmt.lamha.gov.vn>")
	test.Type(c.Subject, "Dự thảo công văn trả lời Sở Xây dựng")
	test.Type(c.Body, "Kính gửi anh, em gửi dự thảo.")
	test.Tap(c.SaveDraft)
	eventually(t, "the first save", func() bool { return c.draftID != "" })
	first := c.draftID
	test.Type(c.Body, " Đã sửa lần hai.")
	test.Tap(c.SaveDraft)
	eventually(t, "the second save", func() bool {
		return strings.Contains(c.Message.Text, "Đã lưu nháp") && c.SaveDraft.Disabled() == false
	})
	ds, err := st.MailDrafts(ctx, acct.ID, false)
	if err != nil || len(ds) != 1 || ds[0].ID != first || ds[0].Subject != "Dự thảo công văn trả lời Sở Xây dựng" {
		t.Fatalf("drafts: %+v %v", ds, err)
	}
	test.Tap(c.Send)
	eventually(t, "sent and the draft gone", func() bool {
		ds, _ := st.MailDrafts(ctx, acct.ID, true)
		items, _ := st.OutboxItems(ctx, acct.ID)
		return len(ds) == 0 && len(items) == 1
	})
}

// A draft saved here is listed under "Thư nháp trên máy" even offline, and
// "Sửa tiếp" reopens it: the next save replaces the same draft.
func TestLocalDraftListedAndReopened(t *testing.T) {
	st, s, inbox := mailShell(t)
	ctx := context.Background()
	acct, _ := st.MailAccount(ctx, inbox.AccountID)
	s.OpenComposer(acct, mimemsg.Draft{})
	c := s.Composer
	test.Type(c.To, "phongtn@sotnmt.lamha.gov.vn")
	test.Type(c.Subject, "Nháp: kế hoạch kiểm tra đất đai")
	test.Type(c.Body, "Nội dung đang viết.")
	test.Tap(c.SaveDraft)
	eventually(t, "the save", func() bool { return c.draftID != "" })
	id := c.draftID
	s.Show(NavMail)
	v := s.MailView
	v.Reload()
	found := -1
	for i, e := range v.entries {
		if e.drafts {
			found = i
		}
	}
	if found < 0 {
		t.Fatal("no Thư nháp trên máy entry")
	}
	v.Folders.Select(found)
	if v.List.Length() != 1 {
		t.Fatalf("%d local drafts listed", v.List.Length())
	}
	v.List.Select(0)
	v.editLocalDraft(v.drafts[0])
	c = s.Composer
	if c.Subject.Text != "Nháp: kế hoạch kiểm tra đất đai" || !strings.Contains(c.Body.Text, "Nội dung đang viết") || c.draftID != id {
		t.Fatalf("reopened: %q %q %q", c.Subject.Text, c.Body.Text, c.draftID)
	}
	test.Tap(c.SaveDraft)
	eventually(t, "the save", func() bool { return !c.SaveDraft.Disabled() && strings.Contains(c.Message.Text, "Đã lưu nháp") })
	if ds, _ := st.MailDrafts(ctx, acct.ID, true); len(ds) != 1 || ds[0].ID != id {
		t.Fatalf("drafts after reopening and saving: %+v", ds)
	}
	// Once the server's Drafts holds it, it is listed there only.
	ds, _ := st.MailDrafts(ctx, acct.ID, false)
	if err := st.MailDraftUploaded(ctx, id, ds[0].Updated, 1700000000, 7); err != nil {
		t.Fatal(err)
	}
	v.Reload()
	for _, e := range v.entries {
		if e.drafts {
			t.Fatalf("an uploaded draft is still under Thư nháp trên máy (%d)", e.count)
		}
	}
}
