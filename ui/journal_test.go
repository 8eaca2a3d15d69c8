package ui

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/journal"
	"congvu/mail/mailtest"
)

// resetJournalLink forgets, after the test, the reports and the
// replicator the test's window was told about.
func resetJournalLink(t *testing.T) {
	t.Cleanup(func() {
		journalLink.mu.Lock()
		journalLink.r, journalLink.last, journalLink.seen, journalLink.show = nil, journal.Status{}, false, nil
		journalLink.mu.Unlock()
	})
}

// journalShell is demoShell with the journal's state reset afterwards.
func journalShell(t *testing.T) (*docstore.Store, *Shell, fyne.Window) {
	t.Helper()
	resetJournalLink(t)
	st, _, s, w := demoShell(t)
	s.Keys = journal.MemoryKeys()
	return st, s, w
}

// testKey is a fixed Ed25519 key made from byte b.
func testKey(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return ed25519.NewKeyFromSeed(seed)
}

// What the sync indicator says for the replicator's reports and the
// store's counters.
func TestSyncIndicatorWords(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(docstore.VietnamTime)
	at := time.Date(now.Year(), now.Month(), now.Day(), 10, 5, 0, 0, docstore.VietnamTime)
	for _, c := range []struct {
		st       journal.Status
		reported bool
		js       docstore.JournalStatus
		text     string
		warnings string
	}{
		{journal.Status{}, false, docstore.JournalStatus{Joined: true}, "Đang kết nối máy chủ…", ""},
		{journal.Status{Online: true, LastSync: at}, true, docstore.JournalStatus{Joined: true}, "Đã đồng bộ 10:05", ""},
		{journal.Status{Online: true, LastSync: at.AddDate(0, 0, -1)}, true, docstore.JournalStatus{Joined: true}, "Đã đồng bộ 10:05 " + at.AddDate(0, 0, -1).Format("02/01/2006"), ""},
		{journal.Status{Err: account.ErrNetwork}, true, docstore.JournalStatus{Joined: true}, "Đang ngoại tuyến", ""},
		{journal.Status{Err: account.ErrNetwork, LastSync: at}, true, docstore.JournalStatus{Joined: true, Pending: 3}, "Đang ngoại tuyến  ·  3 thay đổi chờ gửi", ""},
		{journal.Status{Online: true, LastSync: at}, true, docstore.JournalStatus{Joined: true, Pending: 1, Warnings: 2}, "Đã đồng bộ 10:05  ·  1 thay đổi chờ gửi", "2 cảnh báo"},
	} {
		text, warnings := syncWords(c.st, c.reported, c.js)
		if text != c.text || warnings != c.warnings {
			t.Errorf("%+v %+v: %q %q, want %q %q", c.st, c.js, text, warnings, c.text, c.warnings)
		}
	}
}

// The indicator shows once the workstation has joined, follows the
// replicator's reports (sent from another goroutine, through the bridge)
// and opens the journal page when tapped.
func TestSyncIndicatorFollowsReports(t *testing.T) {
	st, s, _ := journalShell(t)
	s.RefreshCounts()
	eventually(t, "the first counts", func() bool { return s.journal.marked })
	if s.Sync.Visible() {
		t.Fatal("sync indicator shown before joining")
	}
	if strings.Contains(s.Status.Text, "chưa kết nối") == false {
		t.Fatalf("status line %q before joining", s.Status.Text)
	}
	if err := st.SetJournalFolder(context.Background(), docstore.ScopeAgency, DefaultJournalFolder); err != nil {
		t.Fatal(err)
	}
	s.RefreshCounts()
	eventually(t, "the indicator", func() bool { return s.Sync.Visible() && s.Sync.Text.Text == "Đang kết nối máy chủ…" })
	if strings.Contains(s.Status.Text, "chưa kết nối") {
		t.Fatalf("status line %q still says there is no server", s.Status.Text)
	}

	now := time.Now().In(docstore.VietnamTime)
	at := time.Date(now.Year(), now.Month(), now.Day(), 10, 5, 0, 0, docstore.VietnamTime)
	go JournalStatus(journal.Status{Online: true, LastSync: at}) // the replicator's goroutine
	eventually(t, "online", func() bool { return s.Sync.Text.Text == "Đã đồng bộ 10:05" })
	go JournalStatus(journal.Status{Err: account.ErrNetwork, LastSync: at})
	eventually(t, "offline", func() bool { return s.Sync.Text.Text == "Đang ngoại tuyến" })
	if s.Sync.Warnings.Visible() {
		t.Fatal("warnings shown without any")
	}

	test.Tap(s.Sync)
	if s.JournalPage == nil || !s.showing(s.JournalPage.Content) {
		t.Fatal("the indicator did not open the journal page")
	}
	p := s.JournalPage
	eventually(t, "the page's status", func() bool { return strings.HasPrefix(p.State.Text, "Ngoại tuyến") })
	if !strings.Contains(p.State.Text, "Lỗi mạng") || p.Folder.Text != DefaultJournalFolder || p.Pending.Text != "0" {
		t.Fatalf("journal page: state %q, folder %q, pending %q", p.State.Text, p.Folder.Text, p.Pending.Text)
	}
	s.GoBack()
	if s.showing(p.Content) {
		t.Fatal("Quay lại stayed on the journal page")
	}
}

// The journal page lists the messages that were not applied, with their
// kind in Vietnamese, who sent them, their UID and why; the rights missing
// and the numbers claimed again are said in words.
func TestJournalPageWarnings(t *testing.T) {
	st, s, _ := journalShell(t)
	ctx := context.Background()
	clerk := demoTemplate.cast.Clerk
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.SetJournalFolder(ctx, docstore.ScopeAgency, "Shared/Journal-test"))
	_, err := st.ApplyJournal(ctx, docstore.ScopeAgency, []docstore.JournalEntry{
		{UID: 3, Problem: errors.New("journal: malformed journal message: no event part"), ProblemKind: "malformed", ProblemCode: docstore.WarnMalformed},
		{UID: 4, Event: docstore.Event{ID: "e-sig", Actor: clerk}, Problem: errors.New("journal: bad signature"), ProblemKind: "signature",
			ProblemCode: docstore.WarnBadSignature},
		{UID: 5, Event: docstore.Event{ID: "e-forged", Actor: clerk, Type: docstore.EvDraftApproved}, Problem: errors.New("forbidden"),
			ProblemKind: "forged", ProblemCode: docstore.WarnForbidden},
		{UID: 6, Event: docstore.Event{ID: "e-invalid", Actor: "p-nobody"}, Problem: errors.New("bad event"), ProblemKind: "invalid"}, // no code: read before codes
	})
	must(err)
	go JournalStatus(journal.Status{Online: true, LastSync: time.Now(), Rights: map[string]string{docstore.ScopeAgency: "ri"},
		Reclaimed: []docstore.Reclaimed{{DocID: "d-x", RegisterID: "den-2026", Lost: 5, Number: 8}}})
	eventually(t, "the report", func() bool { return s.journal.reported })
	s.RefreshCounts()
	eventually(t, "the warnings' count", func() bool { return s.Sync.Warnings.Visible() && s.Sync.Warnings.Text == "4 cảnh báo" })

	s.OpenJournal()
	p := s.JournalPage
	eventually(t, "the warnings", func() bool { return p.Warnings.Length() == 4 })
	if p.WarningsTitle.Text != "Cảnh báo: 4 thư trong nhật ký không được áp dụng" {
		t.Errorf("warnings title %q", p.WarningsTitle.Text)
	}
	rows := map[string]string{}
	for i := 0; i < p.Warnings.Length(); i++ {
		o := p.Warnings.CreateItem()
		p.Warnings.UpdateItem(i, o)
		c := o.(*fyne.Container)
		head, reason := c.Objects[0].(*widget.Label).Text, c.Objects[1].(*widget.Label).Text
		rows[head] = reason
	}
	var clerkName string
	for _, x := range s.people {
		if x.ID == clerk {
			clerkName = x.FullName
		}
	}
	for _, want := range []struct{ start, reason string }{
		{"Thư không phải sự kiện hợp lệ  ·  không rõ người gửi  ·  Nhật ký cơ quan, thư UID 3",
			"Nội dung sự kiện bị hỏng hoặc sai định dạng nên không đọc được.  (Chi tiết kỹ thuật: journal: malformed journal message: no event part)"},
		{"Chữ ký không hợp lệ  ·  " + clerkName + "  ·  Nhật ký cơ quan, thư UID 4",
			"Chữ ký số không khớp với nội dung: thư đã bị sửa sau khi ký.  (Chi tiết kỹ thuật: journal: bad signature)"},
		{"Giả danh hoặc không có quyền  ·  " + clerkName + "  ·  Nhật ký cơ quan, thư UID 5",
			clerkName + " không có quyền phê duyệt dự thảo.  (Chi tiết kỹ thuật: forbidden)"},
		{"Sự kiện không hợp lệ  ·  p-nobody  ·  Nhật ký cơ quan, thư UID 6", "(Chi tiết kỹ thuật: bad event)"},
	} {
		found := false
		for head, reason := range rows {
			if strings.HasPrefix(head, want.start) && reason == want.reason {
				found = true
			}
		}
		if !found {
			t.Errorf("no row %q / %q in %q", want.start, want.reason, rows)
		}
	}
	if p.Rights.Text != "Nhật ký cơ quan: thiếu quyền đọc, ghi thêm.\nHãy nhờ bộ phận CNTT cấp quyền trên máy chủ thư." {
		t.Errorf("rights %q", p.Rights.Text)
	}
	if p.SecretFolder.Text != "Không có (máy này không theo dõi sổ mật)" || p.SecretFolder.TextStyle.Monospace {
		t.Errorf("secret folder %q", p.SecretFolder.Text)
	}
	var reclaimed []string
	for _, b := range buttonsIn(p.Reclaimed) {
		reclaimed = append(reclaimed, b.Text)
	}
	if len(reclaimed) != 1 || reclaimed[0] != "Số đến 5 đã có người vào sổ trước; văn bản nhận số 8." {
		t.Errorf("numbers claimed again: %q", reclaimed)
	}
}

// offline is a journal server that cannot be reached.
type offline struct{}

func (offline) Publish(context.Context, string, []docstore.Event) error { return docstore.ErrOffline }

// A registration made while the server cannot be reached is applied as
// pending: its number shows "(tạm)" in the register and the document,
// until the journal confirms it, when the register is read again by
// itself.
func TestProvisionalNumberUntilConfirmed(t *testing.T) {
	st, s, _ := journalShell(t)
	ctx := context.Background()
	cast := demoTemplate.cast
	if err := st.SetJournalFolder(ctx, docstore.ScopeAgency, "Shared/Journal-test"); err != nil {
		t.Fatal(err)
	}
	st.SetPublisher(offline{})
	reg, err := st.RegisterIncoming(ctx, cast.Clerk, docstore.IncomingInput{RegisterID: cast.IncomingRegister, ArrivalDate: "2026-11-27",
		Issuer: "Sở Xây dựng", Notation: "318/SXD-QLN", DocDate: "2026-11-26", Type: "CV", Subject: "V/v kiểm tra trật tự xây dựng", Source: docstore.SourcePaper})
	st.SetPublisher(nil)
	if err != nil {
		t.Fatal(err)
	}
	s.RefreshCounts()
	eventually(t, "pending in the indicator", func() bool { return strings.Contains(s.Sync.Text.Text, "1 thay đổi chờ gửi") })
	s.Incoming.ShowRegister(cast.IncomingRegister)
	s.Incoming.Refresh()

	numberCell := func() *widget.Label {
		table := s.Incoming.Table
		for row := 0; row < 3; row++ {
			if d, ok := s.Incoming.model.Row(row); ok && d.ID == reg.DocID {
				o := table.CreateCell()
				table.UpdateCell(widget.TableCellID{Row: row, Col: 1}, o)
				_, l := cellParts(o)
				return l
			}
		}
		t.Fatal("the new document is not among the first rows")
		return nil
	}
	want := fmt.Sprintf("%d (tạm)", reg.Number)
	if l := numberCell(); l.Text != want || !l.TextStyle.Italic {
		t.Fatalf("number cell %q (italic %v), want %q", l.Text, l.TextStyle.Italic, want)
	}
	if !strings.Contains(s.Incoming.Status.Text, "1 số tạm: chờ máy chủ xác nhận") {
		t.Errorf("register status %q", s.Incoming.Status.Text)
	}
	// Another document of the same register keeps its plain number.
	if d, ok := s.Incoming.model.Row(1); ok && d.ID != reg.DocID {
		o := s.Incoming.Table.CreateCell()
		s.Incoming.Table.UpdateCell(widget.TableCellID{Row: 1, Col: 1}, o)
		if _, l := cellParts(o); l.Text != fmt.Sprint(d.Number) || l.TextStyle.Italic {
			t.Errorf("a confirmed number shows %q", l.Text)
		}
	}

	s.OpenDocument(reg.DocID)
	if !s.Doc.Provisional || s.Doc.Number == nil || s.Doc.Number.Text != want {
		t.Fatalf("document view: provisional %v, number %v", s.Doc.Provisional, s.Doc.Number)
	}
	s.GoBack()

	// The journal confirms the registration (the clerk's key bound first,
	// as the administrator does): the register drops "(tạm)" by itself.
	key := testKey(7)
	pub := key.Public().(ed25519.PublicKey)
	var clerk docstore.Person
	for _, x := range s.people {
		if x.ID == cast.Clerk {
			clerk = x
		}
	}
	if err := st.UpdatePerson(ctx, cast.Admin, docstore.PersonInput{ID: clerk.ID, Email: clerk.Email, FullName: clerk.FullName, Title: clerk.Title,
		UnitID: clerk.UnitID, Roles: clerk.Roles, Clearance: clerk.Clearance, PublicKey: journal.PublicKeyString(pub)}); err != nil {
		t.Fatal(err)
	}
	out, err := st.JournalOutbox(ctx)
	if err != nil || len(out) != 1 {
		t.Fatalf("outbox %v %v", out, err)
	}
	outs, err := st.ApplyJournal(ctx, docstore.ScopeAgency, []docstore.JournalEntry{{UID: 9, Event: out[0].Event, Signer: pub}})
	if err != nil || outs[0].Verdict != docstore.VerdictApplied {
		t.Fatalf("confirming: %+v %v", outs, err)
	}
	s.RefreshCounts()
	eventually(t, "the confirmed number", func() bool { l := numberCell(); return l.Text == fmt.Sprint(reg.Number) && !l.TextStyle.Italic })
	if strings.Contains(s.Incoming.Status.Text, "số tạm") || strings.Contains(s.Sync.Text.Text, "chờ gửi") {
		t.Errorf("after confirming: register %q, indicator %q", s.Incoming.Status.Text, s.Sync.Text.Text)
	}
}

// The quản trị binds a colleague's public key in the person form: a key
// that is not one is refused beside its field, a good one shows its
// fingerprint (to compare aloud) and is saved with the person.
func TestPersonFormPublicKey(t *testing.T) {
	st, s, _ := journalShell(t)
	cast := demoTemplate.cast
	s.Show(NavSettings)
	if s.Settings.People != nil {
		t.Fatal("the directory is offered to the clerk")
	}
	s.SetViewer(cast.Admin)
	s.Show(NavSettings)
	b := s.Settings.People[cast.Specialist]
	if b == nil {
		t.Fatal("the specialist is not in the directory section")
	}
	test.Tap(b)
	f := s.PersonForm
	if f == nil || !s.showing(f.Content) || f.FullName.Text == "" {
		t.Fatal("the person form did not open on the specialist")
	}
	test.Type(f.PublicKey, "không-phải-khóa")
	if f.keyPrint.Visible() {
		t.Error("a fingerprint shown for no key")
	}
	test.Tap(f.Save)
	if e := f.errs["public_key"]; !e.Visible() || !strings.HasPrefix(e.Text, "Khóa công khai không hợp lệ") {
		t.Fatalf("key error %q (shown %v)", e.Text, e.Visible())
	}
	if f.Message.Text != "Hãy sửa các ô có thông báo đỏ." {
		t.Errorf("message %q", f.Message.Text)
	}

	pub := testKey(9).Public().(ed25519.PublicKey)
	f.PublicKey.SetText(" " + journal.PublicKeyString(pub) + "\n")
	if !f.keyPrint.Visible() || strings.Join(strings.Fields(f.KeyPrint.Text), " ") != journal.FingerprintGroups(pub) {
		t.Fatalf("fingerprint %q", f.KeyPrint.Text)
	}
	if f.errs["public_key"].Visible() {
		t.Error("the key error stayed after a good key")
	}
	test.Tap(f.Save)
	eventually(t, "back to Cài đặt", func() bool { return s.Settings != nil && s.showing(s.Settings.Content) })
	dump, err := st.CanonicalDump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dump, strings.ToUpper(fmt.Sprintf("%x", []byte(pub)))) {
		t.Fatal("the key is not bound to the specialist")
	}

	// A new person: the store's refusals go beside their fields too.
	test.Tap(s.Settings.AddPerson)
	f = s.PersonForm
	test.Type(f.FullName, "Phạm Văn Mới")
	test.Type(f.Email, "không có a còng")
	test.Tap(f.Save)
	eventually(t, "the refusal", func() bool { return f.errs["email"].Visible() })
	if f.errs["email"].Text != T("mailacct.err_address") {
		t.Errorf("email error %q", f.errs["email"].Text)
	}
}

// fakeFounding is the founding of the demo agency by the key of byte b.
func fakeFounding(st *docstore.Store, b byte) journal.Founding {
	ag, _ := st.Agency(context.Background())
	pub := testKey(b).Public().(ed25519.PublicKey)
	return journal.Founding{Agency: docstore.AgencyFounded{Code: ag.Code, Name: ag.Name, Admin: docstore.PersonInput{FullName: "Lê Quang Huy"}},
		AdminKey: pub, Fingerprint: journal.Fingerprint(pub), Groups: journal.FingerprintGroups(pub), Rights: "lrsi"}
}

// Tham gia cơ quan: a malformed code is refused before anything is read;
// the real service answers that there is no own mail account; a founding
// read shows the administrator's fingerprint to compare, and confirming
// pins it, records the folders and shows the workstation as joined.
func TestJoinDialogFlow(t *testing.T) {
	st, s, _ := journalShell(t)
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	s.SetMail(svc)
	s.Show(NavSettings)
	if s.Settings.Join == nil {
		t.Fatal("no Tham gia cơ quan in Cài đặt")
	}
	test.Tap(s.Settings.Join)
	j := s.JoinDialog
	if j == nil || j.Folder.Text != DefaultJournalFolder || j.Secret.Text != "" {
		t.Fatal("the join dialog did not open with the default folder")
	}
	ag, _ := st.Agency(context.Background())
	if j.Code.Text != ag.Code {
		t.Errorf("agency code %q, want %q", j.Code.Text, ag.Code)
	}
	eventually(t, "the own key", func() bool { return j.Own.Key.Public != "" })
	if !strings.Contains(j.Own.Groups.Text, strings.Fields(j.Own.Key.Groups)[0]) || j.Own.Copy.Disabled() {
		t.Errorf("own key: %q", j.Own.Groups.Text)
	}
	test.Tap(j.Own.Copy)
	if got := fyne.CurrentApp().Clipboard().Content(); got != j.Own.Key.Public {
		t.Errorf("clipboard %q, want the public key", got)
	}

	j.Code.SetText("12.H31")
	test.Tap(j.Read)
	if !j.CodeError.Visible() || j.Progress.Visible() {
		t.Fatal("a malformed code was not refused")
	}
	j.Code.SetText(ag.Code)
	test.Tap(j.Read) // the real service: no mail account of the viewer's own
	eventually(t, "the refusal", func() bool {
		return strings.HasPrefix(j.Message.Text, "Chưa có tài khoản thư của chính bạn")
	})
	if j.CodeError.Visible() || j.Founding != nil || !j.Confirm.Disabled() {
		t.Fatal("state after a refusal")
	}

	j.ReadFounding = func(context.Context, string, string, string) (journal.Founding, error) {
		return journal.Founding{}, fmt.Errorf("read: %w", journal.ErrNoFounding)
	}
	test.Tap(j.Read)
	eventually(t, "no founding", func() bool { return strings.HasPrefix(j.Message.Text, "Thư mục này không bắt đầu bằng") })

	f := fakeFounding(st, 3)
	var asked []string
	j.ReadFounding = func(_ context.Context, viewer, folder, code string) (journal.Founding, error) {
		asked = []string{viewer, folder, code}
		return f, nil
	}
	j.Secret.SetText("Shared/CongVu/NhatKy-Mat")
	test.Tap(j.Read)
	eventually(t, "the founding", func() bool { return j.Founding != nil })
	if fmt.Sprint(asked) != fmt.Sprint([]string{s.viewer, DefaultJournalFolder, ag.Code}) {
		t.Errorf("read %q", asked)
	}
	if !j.check.Visible() || j.form.Visible() || j.Confirm.Disabled() {
		t.Fatal("the fingerprint step is not shown")
	}
	if g := strings.Fields(j.Groups.Text); strings.Join(g, " ") != f.Groups || !strings.Contains(j.Groups.Text, "\n") {
		t.Errorf("fingerprint groups %q, want %q on two lines", j.Groups.Text, f.Groups)
	}
	if j.Fingerprint.Text != f.Fingerprint || !strings.Contains(j.Agency.Text, ag.Name) || j.Admin.Text != "Lê Quang Huy" || j.Rights.Visible() {
		t.Errorf("founding shown: %q %q %q rights %q", j.Fingerprint.Text, j.Agency.Text, j.Admin.Text, j.Rights.Text)
	}
	test.Tap(j.Back)
	if !j.form.Visible() || j.Founding != nil {
		t.Fatal("Quay lại did not return to the form")
	}
	test.Tap(j.Read)
	eventually(t, "the founding again", func() bool { return j.Founding != nil })

	// Confirm: the real ConfirmJoin (the replicator is not started here).
	j.Join = func(f journal.Founding, folder, secret string) error {
		return svc.ConfirmJoin(context.Background(), f, folder, secret)
	}
	test.Tap(j.Confirm)
	eventually(t, "joined", func() bool { return s.Settings.ShowJournal != nil })
	pin, err := st.Pin(context.Background())
	if err != nil || pin.AgencyCode != ag.Code || !ed25519.PublicKey(pin.AdminKey).Equal(f.AdminKey) {
		t.Fatalf("pin %+v %v", pin, err)
	}
	folders, _ := st.JournalFolders(context.Background())
	if len(folders) != 2 || folders[0].Name != DefaultJournalFolder || folders[1].Name != "Shared/CongVu/NhatKy-Mat" {
		t.Fatalf("folders %+v", folders)
	}
	if s.Settings.Join != nil || !strings.HasPrefix(s.Settings.Message.Text, "Đã tham gia") {
		t.Errorf("settings after joining: message %q", s.Settings.Message.Text)
	}
	eventually(t, "the indicator", func() bool { return s.Sync.Visible() })
}

// failingKeys is a keyring that cannot be reached.
type failingKeys struct{}

func (failingKeys) Get(string) (ed25519.PrivateKey, error) { return nil, journal.ErrNoKeyring }
func (failingKeys) Set(string, ed25519.PrivateKey) error   { return journal.ErrNoKeyring }

// Without a keyring the join dialog says so and cannot confirm; the
// first start founds the agency all the same, without a key, and says
// the journal waits for one.
func TestNoKeyring(t *testing.T) {
	st, s, _ := journalShell(t)
	s.SetMail(mail.NewService(st, mail.Options{Keyring: account.Memory()}))
	s.Keys = failingKeys{}
	s.Show(NavSettings)
	test.Tap(s.Settings.Join)
	j := s.JoinDialog
	eventually(t, "the keyring's refusal", func() bool { return j.Own.Err != nil })
	if !strings.HasPrefix(j.Own.Message.Text, "Máy tính này không có kho khóa") || !j.Own.Copy.Disabled() {
		t.Errorf("own key message %q", j.Own.Message.Text)
	}
	j.ReadFounding = func(context.Context, string, string, string) (journal.Founding, error) {
		return fakeFounding(st, 3), nil
	}
	test.Tap(j.Read)
	eventually(t, "the founding", func() bool { return j.Founding != nil })
	if !j.Confirm.Disabled() || j.Message.Text != T("join.need_key") {
		t.Errorf("confirm enabled without a key (message %q)", j.Message.Text)
	}

	// Cài đặt's "Hiện khóa ký của tôi" says the same.
	test.Tap(s.Settings.ShowKey)
	eventually(t, "the key box", func() bool { return s.Settings.Key != nil && s.Settings.Key.Err != nil })

	// The first start.
	empty, u, who := filledSetup(t, failingKeys{})
	test.Tap(u.Found)
	eventually(t, "the notice", func() bool { return u.Continue.Visible() })
	if _, err := empty.Agency(context.Background()); err != nil {
		t.Fatal("the agency was not founded without a key")
	}
	if *who != "" || !strings.HasPrefix(u.Message.Text, "Đã thiết lập cơ quan, nhưng chưa tạo được khóa ký") || !u.Found.Disabled() {
		t.Fatalf("notice %q, opened as %q", u.Message.Text, *who)
	}
	test.Tap(u.Continue)
	if *who == "" {
		t.Fatal("Tiếp tục did not open the window")
	}
}

// filledSetup is the first start on an empty data folder, keeping keys
// in keys, its founding form filled in; *who is whom it opens as.
func filledSetup(t *testing.T, keys journal.KeyStore) (*docstore.Store, *Setup, *string) {
	t.Helper()
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	who := new(string)
	u := NewSetup(st, nil, nil, func(id string) { *who = id })
	u.Keys = keys
	for e, text := range map[*widget.Entry]string{u.Code: "000.00.31.H31", u.Name: "Ủy ban nhân dân xã Hòa Bình", u.Abbr: "UBND",
		u.FullName: "Trần Thị Hoà", u.Email: "hoa@hoabinh.gov.vn"} {
		e.SetText(text)
	}
	return st, u, who
}

// The first start with a keyring: the founding names the administrator's
// key, the one the keyring keeps for them.
func TestFirstStartKeepsTheAdministratorsKey(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	useTestBridge(t)
	keys := journal.MemoryKeys()
	st, u, who := filledSetup(t, keys)
	test.Tap(u.Found)
	eventually(t, "the founding", func() bool { return *who != "" })
	k, err := keys.Get("hoa@hoabinh.gov.vn") // under the address: see mail.JournalKey
	if err != nil {
		t.Fatal(err)
	}
	dump, _ := st.CanonicalDump(context.Background())
	if !strings.Contains(dump, strings.ToUpper(fmt.Sprintf("%x", []byte(k.Public().(ed25519.PublicKey))))) {
		t.Fatal("the founding does not bind the administrator's key")
	}
}

// The whole join against the real Dovecot of make test: an administrator's
// workstation founds the agency into a journal folder; a colleague's
// window reads the founding, shows the administrator's fingerprint,
// confirms, and its replicator brings the agency onto the empty store,
// the sync indicator saying so.
func TestJoinAgainstTheServer(t *testing.T) {
	e := mailtest.Shared(t)
	folder, _ := e.JournalFolders(t)
	ctx := context.Background()
	const code = "000.00.77.H31"

	_, adminPub := adminStation(t, e, folder, code)

	// The colleague's window, on an empty data folder with their mailbox.
	stB, svcB := emptyStation(t)
	acctB := e.Account("u21")
	acctB.ID = ""
	if err := svcB.AddAccount(ctx, &acctB, e.Password("u21")); err != nil {
		t.Fatal(err)
	}
	s := NewShell(stB, "u21", false)
	t.Cleanup(s.Close)
	t.Cleanup(svcB.Stop) // before the window closes (cleanups run last-in first-out)
	s.Keys = journal.MemoryKeys()
	s.SetMail(svcB)
	w := test.NewTempWindow(t, s.Content)
	w.Resize(fyne.NewSize(1366, 768))
	s.Install(w)

	s.Show(NavSettings)
	test.Tap(s.Settings.Join)
	j := s.JoinDialog
	j.Code.SetText(code)
	j.Folder.SetText(folder)
	test.Tap(j.Read)
	eventually(t, "the founding", func() bool { return !j.Progress.Visible() })
	if j.Founding == nil {
		t.Fatalf("no founding: %q", j.Message.Text)
	}
	if !strings.Contains(j.Agency.Text, "Ủy ban nhân dân xã Thử Nghiệm") || strings.Join(strings.Fields(j.Groups.Text), " ") != journal.FingerprintGroups(adminPub) {
		t.Fatalf("founding shown: %q %q", j.Agency.Text, j.Groups.Text)
	}
	eventually(t, "the own key", func() bool { return !j.Confirm.Disabled() })
	test.Tap(j.Confirm)
	mailFormWait(t, "the replicator", 20*time.Second, func() bool { return runningJournal() != nil })
	mailFormWait(t, "the agency read from the journal", 20*time.Second, func() bool { _, err := stB.Agency(ctx); return err == nil })
	mailFormWait(t, "the indicator", 20*time.Second, func() bool { return s.Sync.Visible() && strings.HasPrefix(s.Sync.Text.Text, "Đã đồng bộ") })
	if pin, err := stB.Pin(ctx); err != nil || !ed25519.PublicKey(pin.AdminKey).Equal(adminPub) {
		t.Fatalf("pin %+v %v", pin, err)
	}
}

// adminStation is the founding administrator's workstation of agency code,
// its journal in folder on the real Dovecot: founded, the founding
// appended.
func adminStation(t *testing.T, e *mailtest.Env, folder, code string) (*docstore.Store, ed25519.PublicKey) {
	t.Helper()
	ctx := context.Background()
	stA, err := docstore.Open(t.TempDir(), docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stA.Close() })
	svcA := mail.NewService(stA, mail.Options{Keyring: account.Memory()})
	t.Cleanup(svcA.Stop)
	acctA := e.Account(mailtest.JournalAdmin)
	acctA.ID = "" // a new account here
	if err := svcA.AddAccount(ctx, &acctA, e.Password(mailtest.JournalAdmin)); err != nil {
		t.Fatal(err)
	}
	keysA := journal.MemoryKeys()
	// Under the id: the replicator starts before the founding names the
	// address (mail.JournalKey looks under both).
	kA, err := mail.JournalKey(keysA, "", "p-admin")
	if err != nil {
		t.Fatal(err)
	}
	adminPub, _ := journal.ParsePublicKey(kA.Public)
	if err := stA.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: code, AdminKey: adminPub}); err != nil {
		t.Fatal(err)
	}
	if err := stA.SetJournalFolder(ctx, docstore.ScopeAgency, folder); err != nil {
		t.Fatal(err)
	}
	rA, err := svcA.StartJournal(ctx, "p-admin", keysA, nil)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !rA.Status().Online {
		if time.Now().After(deadline) {
			t.Fatalf("the administrator's replicator is not online: %v", rA.Status().Err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := stA.FoundAgency(ctx, docstore.AgencyFounded{Code: code, Name: "Ủy ban nhân dân xã Thử Nghiệm", Abbr: "UBND", Place: "Thử Nghiệm",
		Admin: docstore.PersonInput{ID: "p-admin", Email: mailtest.Address(mailtest.JournalAdmin), FullName: "Quản Trị Viên",
			Roles: []docstore.Role{docstore.RoleAdmin, docstore.RoleClerk}, PublicKey: kA.Public}}); err != nil {
		t.Fatal(err)
	}
	if js, _ := stA.JournalStatus(ctx); js.Pending != 0 {
		t.Fatalf("the founding was not appended: %+v", js)
	}
	return stA, adminPub
}

// emptyStation is a colleague's workstation at its first start: an empty
// data folder, its mail service (memory keyring), the Fyne test app and
// bridge, the journal's window state reset afterwards.
func emptyStation(t *testing.T) (*docstore.Store, *mail.Service) {
	t.Helper()
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	useTestBridge(t)
	resetJournalLink(t)
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	t.Cleanup(svc.Stop)
	return st, svc
}
