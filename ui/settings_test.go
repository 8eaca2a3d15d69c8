package ui

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail/journal"
)

// Cài đặt: the profile is the viewer's; text size applies at once and is
// kept; a notification kind turned off stays off; a change of language
// rebuilds the window in the new language.
func TestSettingsApplyAndPersist(t *testing.T) {
	_, cast, s, _ := demoShell(t)
	t.Cleanup(func() { SetupLanguage("vi") })
	s.Show(NavSettings)
	p := s.Settings
	if p == nil {
		t.Fatal("no settings page")
	}
	var text string
	for _, it := range p.Profile.Items {
		text += it.Text + ": " + it.Widget.(*widget.Label).Text + "|"
	}
	var clerk docstore.Person
	for _, x := range s.people {
		if x.ID == cast.Clerk {
			clerk = x
		}
	}
	if !strings.Contains(text, clerk.FullName) || !strings.Contains(text, "văn thư") {
		t.Fatalf("profile does not show the clerk: %q", text)
	}

	base := theme.DefaultTheme().Size(theme.SizeNameText)
	p.TextSize.SetSelected(T("settings.size_2"))
	if got := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText); got != base*1.15 {
		t.Errorf("text size %v after choosing Lớn, want %v", got, base*1.15)
	}
	if s.prefs.TextScale() != 1.15 {
		t.Errorf("text scale not kept: %v", s.prefs.TextScale())
	}

	p.Notify[docstore.NoticeDraft].SetChecked(false)
	if s.prefs.Notify(docstore.NoticeDraft) || !s.prefs.Notify(docstore.NoticeAssigned) {
		t.Error("notification switches not kept")
	}

	var rebuilt string
	s.Rebuild = func(viewer, page string) { rebuilt = viewer + " " + page }
	p.Language.SetSelected("English")
	if rebuilt != cast.Clerk+" "+NavSettings || s.prefs.Language() != "en" || T("nav.settings") != "Settings" {
		t.Fatalf("language change: rebuilt %q, pref %q, %q", rebuilt, s.prefs.Language(), T("nav.settings"))
	}
}

// The first start on an empty folder founds the agency: a wrong agency
// code is refused in Vietnamese and nothing is written; then the agency
// exists with the user as its quản trị and văn thư.
func TestFirstStartFoundsTheAgency(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	useTestBridge(t)
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var who string
	u := NewSetup(st, nil, nil, func(id string) { who = id })
	u.Keys = journal.MemoryKeys()
	if u.Demo != nil {
		t.Error("demo offered without a way to make it")
	}
	test.Type(u.Code, "12.H31")
	test.Type(u.Name, "Ủy ban nhân dân xã Hòa Bình")
	test.Type(u.Abbr, "UBND")
	test.Type(u.FullName, "Trần Thị Hoà")
	test.Type(u.Title, "Văn thư")
	test.Type(u.Email, "hoa.vanthu@hoabinh.gov.vn")
	test.Tap(u.Found)
	eventually(t, "the refusal", func() bool { return strings.HasPrefix(u.Message.Text, "Mã định danh cơ quan: ") })
	if who != "" {
		t.Fatal("founded with a wrong code")
	}
	if _, err := st.Agency(context.Background()); err == nil {
		t.Fatal("a refused founding wrote the agency")
	}
	u.Code.SetText("000.00.31.H31")
	test.Tap(u.Found)
	eventually(t, "the founding", func() bool { return who != "" })
	people, err := st.People(context.Background())
	if err != nil || len(people) != 1 || people[0].ID != who || people[0].FullName != "Trần Thị Hoà" ||
		!people[0].Has(docstore.RoleAdmin) || !people[0].Has(docstore.RoleClerk) {
		t.Fatalf("after founding: %+v %v", people, err)
	}
}

// Joining the demo agency on an empty folder, then "who are you?": the
// person picked is the one the window opens as.
func TestFirstStartJoinsTheDemoAndAsksWhoYouAre(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	test.NewTempApp(t)
	useTestBridge(t)
	dir := t.TempDir()
	st, err := docstore.Open(dir, docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cast *demo.Cast
	join := func(ctx context.Context) (*docstore.Store, error) {
		st.Close()
		var err error
		st, cast, err = demo.Open(ctx, dir, demo.Config{Seed: 5, Today: time.Date(2026, 11, 27, 9, 0, 0, 0, docstore.VietnamTime), Incoming: 30, Drafts: 8})
		return st, err
	}
	t.Cleanup(func() { st.Close() })
	var who string
	u := NewSetup(st, nil, join, func(id string) { who = id })
	test.Tap(u.Demo)
	eventually(t, "the demo agency", func() bool { return u.People != nil })
	for i, p := range u.people {
		if p.ID == cast.Chairman {
			u.People.Select(i)
		}
	}
	if who != cast.Chairman {
		t.Fatalf("opened as %q, want the chairman %q", who, cast.Chairman)
	}
}

// Desktop notifications: the specialist hears of a direction (with its
// deadline) and of tomorrow's deadline once a day; the history before the
// first start is not announced; a kind switched off is not sent.
func TestNotificationsFollowTheSettings(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	ctx := context.Background()
	var sent []*fyne.Notification
	n := NewNotifier(st, s.prefs, "demo", cast.Specialist, func(m *fyne.Notification) { sent = append(sent, m) })
	mark, err := st.NoticeMark(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.prefs.SetNoticeCursor("demo", cast.Specialist, mark) // as Run does the first time
	s.prefs.SetDeadlineToldOn("demo", cast.Specialist, st.Today())

	in := demo.IncomingInputs(rand.New(rand.NewPCG(9, 9)), cast.IncomingRegister, 1, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), 0)[0]
	in.ArrivalDate = st.Today()
	reg, err := st.RegisterIncoming(ctx, cast.Clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Direct(ctx, cast.Chairman, docstore.Direction{DocID: reg.DocID, Assignments: []docstore.AssignmentInput{
		{Kind: "person", Assignee: cast.Specialist, Role: "chu_tri", Deadline: "2026-11-28"}}})
	if err != nil {
		t.Fatal(err)
	}
	n.Check(ctx)
	eventually(t, "the notification", func() bool { return len(sent) > 0 })
	if sent[0].Title != "Văn bản giao cho bạn xử lý" || !strings.Contains(sent[0].Content, "hạn 28/11/2026") {
		t.Fatalf("notification %q: %q", sent[0].Title, sent[0].Content)
	}
	// Tomorrow's deadline: told once a day.
	s.prefs.SetDeadlineToldOn("demo", cast.Specialist, "")
	sent = nil
	n.Check(ctx)
	eventually(t, "the reminder", func() bool { return len(sent) > 0 })
	found := false
	for _, m := range sent {
		found = found || (m.Title == "Việc đến hạn ngày mai" && strings.Contains(m.Content, in.Notation))
	}
	if !found {
		t.Fatalf("no deadline reminder among %d notifications", len(sent))
	}
	sent = nil
	n.Check(ctx)
	for len(mainQueue) > 0 {
		(<-mainQueue)()
	}
	if len(sent) != 0 {
		t.Fatalf("told again: %q", sent[0].Title)
	}
	// Switched off: a second direction is not announced.
	s.prefs.SetNotify(docstore.NoticeAssigned, false)
	in.Notation = "99/KH-UBND"
	reg2, err := st.RegisterIncoming(ctx, cast.Clerk, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Direct(ctx, cast.Chairman, docstore.Direction{DocID: reg2.DocID, Assignments: []docstore.AssignmentInput{
		{Kind: "person", Assignee: cast.Specialist, Role: "chu_tri"}}})
	if err != nil {
		t.Fatal(err)
	}
	n.Check(ctx)
	for len(mainQueue) > 0 {
		(<-mainQueue)()
	}
	if len(sent) != 0 {
		t.Fatalf("a switched-off kind was sent: %q", sent[0].Title)
	}
}
