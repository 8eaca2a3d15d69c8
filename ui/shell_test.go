package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
)

// mainQueue stands in for the Fyne main goroutine: the bridge queues
// work here and eventually runs it on the test goroutine, which is the
// only one touching widgets.
var mainQueue = make(chan func(), 1024)

func useTestBridge(t *testing.T) {
	setMainRunner(func(f func()) { mainQueue <- f })
	t.Cleanup(func() {
		WaitBackground() // nothing of this test may run into the next one
		setMainRunner(fyne.Do)
		for len(mainQueue) > 0 { // work queued for a window that is gone
			<-mainQueue
		}
	})
}

// eventually runs queued main-goroutine work until cond holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		select {
		case f := <-mainQueue:
			f()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func badgeOf(s *Shell, key string) string {
	for _, it := range s.items {
		if it.key == key {
			v, _ := it.badge.Get()
			return v
		}
	}
	return ""
}

// demoShell opens the window on a small demo agency as its clerk, at
// 1366×768, on 27/11/2026, with the test bridge.
func demoShell(t *testing.T) (*docstore.Store, *demo.Cast, *Shell, fyne.Window) {
	t.Helper()
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, cast := demoStore(t)
	test.NewTempApp(t)
	useTestBridge(t)
	s := NewShell(st, cast.Clerk, true)
	t.Cleanup(s.Close) // runs before the bridge is put back (cleanups run last-in first-out)
	w := test.NewTempWindow(t, s.Content)
	w.Resize(fyne.NewSize(1366, 768))
	s.Install(w)
	s.today = func() string { return "2026-11-27" }
	return st, cast, s, w
}

func TestShellBadgesSearchAndUserSwitch(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	s.RefreshCounts()

	// The clerk sees documents waiting for a direction and drafts waiting for a number.
	eventually(t, "the clerk's badges", func() bool { return badgeOf(s, NavIncoming) != "" && badgeOf(s, NavDrafts) != "" })
	if !strings.Contains(s.Status.Text, "Chờ cấp số") {
		t.Fatalf("status line %q", s.Status.Text)
	}
	if s.Rows() != 250 {
		t.Fatalf("incoming page shows %d rows", s.Rows())
	}
	// The uncleared clerk is not offered the secret register.
	for _, o := range s.Incoming.Picker.Options {
		if strings.Contains(o, "mật") {
			t.Fatalf("secret register offered: %v", s.Incoming.Picker.Options)
		}
	}

	// Typing in the search box finds documents typed without marks, debounced.
	test.Type(s.Search, "dat dai")
	eventually(t, "search results", func() bool { return len(s.Hits()) > 0 })
	for _, h := range s.Hits() {
		if !strings.Contains(strings.ToLower(h.Subject+h.Notation+h.Issuer+h.Recipients), "đ") {
			t.Fatalf("hit without đất đai: %+v", h.DocumentRow)
		}
	}
	if s.Results.Length() != len(s.Hits()) {
		t.Fatal("the results list does not show the hits")
	}

	// Đổi người dùng (demo): the secret-register clerk sees the secret register.
	for _, o := range s.User.Options {
		if strings.HasPrefix(o, "Bùi Thanh Thủy") {
			s.User.SetSelected(o)
		}
	}
	if s.Viewer() != cast.SecretClerk {
		t.Fatalf("viewer is %s", s.Viewer())
	}
	s.Show(NavIncoming)
	secret := false
	for _, o := range s.Incoming.Picker.Options {
		secret = secret || strings.Contains(o, "mật")
	}
	if !secret {
		t.Fatalf("the cleared clerk does not get the secret register: %v", s.Incoming.Picker.Options)
	}

	// A leader with drafts waiting for approval sees them.
	leader := ""
	for _, id := range []string{cast.Chairman, cast.ViceChairman, "p-pct2"} {
		if ds, _ := st.DraftsWaitingFor(context.Background(), id); len(ds) > 0 && leader == "" {
			leader = id
		}
	}
	if leader == "" {
		t.Fatal("the demo has no draft waiting for a leader")
	}
	s.SetViewer(leader)
	s.Show(NavDrafts)
	if texts := strings.Join(labels(s.page), "|"); !strings.Contains(texts, "Chờ tôi xử lý (") {
		t.Fatalf("drafts page for the chairman: %q", texts)
	}

	// My work for a specialist is grouped by deadline.
	s.SetViewer(cast.Specialist)
	s.Show(NavMyWork)
	texts := strings.Join(labels(s.page), "|")
	if !strings.Contains(texts, "Quá hạn (") && !strings.Contains(texts, "Không có việc") {
		t.Fatalf("my work page: %q", texts)
	}
}

func TestRegisterFormValidationDuplicateAndPermission(t *testing.T) {
	st, cast, s, w := demoShell(t)
	s.OpenRegisterForm()
	f := s.Form

	// A số ký hiệu with spaces, an empty subject, a date in the future: red lines beside the fields.
	test.Type(f.Issuer, "Sở Tài chính tỉnh Lâm Hà")
	test.Type(f.Notation, "15 QĐ UBND")
	test.Type(f.DocDate, "20/11/2026")
	test.Tap(f.Submit)
	eventually(t, "the notation error", func() bool { return f.errs["notation"].Visible() })
	if f.errs["notation"].Text != T("field.format") || !strings.Contains(f.Message.Text, "sửa các ô") {
		t.Fatalf("notation error %q, message %q", f.errs["notation"].Text, f.Message.Text)
	}
	f.Notation.SetText("15/QĐ-STC")
	test.Tap(f.Submit)
	eventually(t, "the subject error", func() bool { return f.errs["subject"].Visible() })
	if f.errs["subject"].Text != "Không được để trống." {
		t.Fatalf("subject error %q", f.errs["subject"].Text)
	}
	f.DocDate.SetText("28/11/2026")
	test.Type(f.Subject, "Về việc quyết toán ngân sách năm 2025")
	test.Tap(f.Submit)
	eventually(t, "the future date error", func() bool { return f.errs["doc_date"].Visible() })

	// Valid: registered with the next số đến.
	f.DocDate.SetText("20/11/2026")
	before, _ := st.RegisterCount(context.Background(), cast.Clerk, cast.IncomingRegister)
	test.Tap(f.Submit)
	eventually(t, "the registration", func() bool { return strings.Contains(f.Message.Text, "Đã vào sổ") })
	if want := fmt.Sprintf("số đến %d", before+1); !strings.Contains(f.Message.Text, want) {
		t.Fatalf("message %q, want %q", f.Message.Text, want)
	}
	// The same document again: the clerk is asked first (a confirm dialog).
	test.Tap(f.Submit)
	eventually(t, "the duplicate dialog", func() bool {
		for _, o := range w.Canvas().Overlays().List() {
			if strings.Contains(strings.Join(labelsDeep(o), "|"), "Có thể trùng") {
				return true
			}
		}
		return false
	})

	// A specialist is refused by the store, in Vietnamese.
	s.SetViewer(cast.Specialist)
	s.OpenRegisterForm()
	f = s.Form
	test.Type(f.Issuer, "Sở Nội vụ tỉnh Lâm Hà")
	f.Notation.SetText("99/SNV-VP")
	f.DocDate.SetText("20/11/2026")
	f.Subject.SetText("Về việc nâng bậc lương")
	test.Tap(f.Submit)
	eventually(t, "the refusal", func() bool { return f.Message.Text != "" })
	if f.Message.Text != "Bạn không có quyền thực hiện thao tác này." {
		t.Fatalf("specialist got %q", f.Message.Text)
	}
}

// labelsDeep collects label texts through widgets' renderers (dialogs).
func labelsDeep(o fyne.CanvasObject) []string {
	var out []string
	switch v := o.(type) {
	case *widget.Label:
		return []string{v.Text}
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, labelsDeep(c)...)
		}
		return out
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			out = append(out, labelsDeep(c)...)
		}
	}
	return out
}

// The incoming flow through the widgets: the clerk registers, the chairman
// directs, the specialist takes the work and finishes it.
func TestIncomingFlowRegisterDirectHandleComplete(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	s.OpenRegisterForm()
	f := s.Form
	if f.NumberHint.Text != "Số đến dự kiến: 251" { // 250 in the demo register
		t.Fatalf("provisional number %q", f.NumberHint.Text)
	}
	test.Type(f.Issuer, "Sở Xây dựng tỉnh Lâm Hà")
	test.Type(f.Notation, "321/SXD-QLN")
	test.Type(f.DocDate, "25/11/2026")
	test.Type(f.Subject, "V/v kiểm tra trật tự xây dựng khu dân cư Hòa Bình")
	test.Tap(f.Submit)
	eventually(t, "the registration", func() bool { return strings.Contains(f.Message.Text, "Đã vào sổ, số đến 251") })
	eventually(t, "the next provisional number", func() bool { return f.NumberHint.Text == "Số đến dự kiến: 252" })
	rows, err := st.ListRegister(context.Background(), cast.Clerk, cast.IncomingRegister, 0, 1)
	if err != nil || rows[0].Notation != "321/SXD-QLN" {
		t.Fatalf("newest row %+v %v", rows, err)
	}
	docID := rows[0].ID

	// The chairman directs: chủ trì a TNMT specialist, phối hợp Phòng Nội vụ, deadline.
	s.SetViewer(cast.Chairman)
	s.OpenDocument(docID)
	v := s.Doc
	if v.ChuTri == nil {
		t.Fatal("no direction form for the chairman")
	}
	for i, o := range v.ChuTri.Options {
		if v.assignees[i].Assignee == cast.Specialist {
			v.ChuTri.SetSelected(o)
		}
	}
	v.PhoiHop.SetSelected([]string{"Phòng Nội vụ"})
	test.Type(v.Deadline, "05/12/2026")
	test.Type(v.Comment, "Giao Phòng TNMT chủ trì, báo cáo trước ngày 05/12.")
	test.Tap(v.DirectBtn)
	eventually(t, "the direction", func() bool { return v.Message.Text == "Đã lưu." })
	if len(v.Work) != 2 || v.Doc.Status != docstore.DocInProgress {
		t.Fatalf("after direction: %d assignments, status %s", len(v.Work), v.Doc.Status)
	}

	// The specialist takes it and finishes it.
	s.SetViewer(cast.Specialist)
	s.OpenDocument(docID)
	v = s.Doc
	var mine string
	for _, a := range v.Work {
		if a.Assignee == cast.Specialist {
			mine = a.ID
		}
	}
	if len(v.Actions[mine]) != 3 {
		t.Fatalf("no actions for the specialist: %v", v.Actions)
	}
	test.Tap(v.Actions[mine][0]) // nhận xử lý
	eventually(t, "taking the work", func() bool { return v.Message.Text == "Đã lưu." && v.Work[0].State == docstore.AsInProgress })
	v.Message.SetText("")
	test.Tap(v.Actions[mine][1]) // hoàn thành
	eventually(t, "finishing", func() bool { return v.Doc.Status == docstore.DocDone })
	if len(v.Steps) != 4 || v.Steps[1].Action != "direct" || v.Steps[1].Comment == "" {
		t.Fatalf("timeline %+v", v.Steps)
	}
	if !strings.Contains(strings.Join(labels(v.Content), "|"), "chỉ đạo") {
		t.Fatal("timeline not shown")
	}
}

// The outgoing flow through the widgets: draft → submit with ký nháy →
// the unit head returns it with a comment → resubmitted → approved →
// signed → the clerk numbers and issues it; a specialist cannot issue.
func TestDraftFlowToIssue(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	ctx := context.Background()
	ref, err := st.Blobs().Put(strings.NewReader("dự thảo kế hoạch"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := st.CreateDraft(ctx, cast.Specialist, docstore.NewDraft{Type: "KH", Subject: "Kế hoạch kiểm tra trật tự xây dựng năm 2027",
		File: docstore.Attachment{SHA256: ref.SHA256, Name: "ke-hoach.docx", Size: ref.Size}})
	if err != nil {
		t.Fatal(err)
	}
	step := func(viewer, action string, prepare func(v *DraftView)) *DraftView {
		t.Helper()
		s.SetViewer(viewer)
		s.OpenDraft(id)
		v := s.Draft
		b := v.Buttons[action]
		if b == nil {
			t.Fatalf("%s has no %q button in state %s (buttons %v)", viewer, action, v.Draft.State, v.Buttons)
		}
		if prepare != nil {
			prepare(v)
		}
		test.Tap(b)
		eventually(t, action, func() bool { return v.Message.Text != "" })
		if !strings.HasPrefix(v.Message.Text, "Đã lưu.") {
			t.Fatalf("%s %s: %q", viewer, action, v.Message.Text)
		}
		return v
	}
	pickApprover := func(v *DraftView) {
		for i, p := range v.leaders {
			if p.ID == cast.Chairman {
				v.Approver.SetSelectedIndex(i)
			}
		}
	}
	step(cast.Specialist, "submit", func(v *DraftView) {
		pickApprover(v)
		for i, p := range v.heads {
			if p.ID == cast.UnitHead {
				v.Initialer.SetSelectedIndex(i + 1)
			}
		}
	})
	// Returning without a comment is refused; with one it goes back.
	s.SetViewer(cast.UnitHead)
	s.OpenDraft(id)
	test.Tap(s.Draft.Buttons["return"])
	eventually(t, "the refusal", func() bool { return s.Draft.Message.Text != "" })
	if !strings.Contains(s.Draft.Message.Text, "Không được để trống") {
		t.Fatalf("return without comment: %q", s.Draft.Message.Text)
	}
	step(cast.UnitHead, "return", func(v *DraftView) { v.Comment.SetText("Bổ sung số liệu năm 2026.") })
	step(cast.Specialist, "submit", pickApprover)
	step(cast.Chairman, "approve", nil)
	step(cast.Chairman, "sign", func(v *DraftView) { v.Title.SetText("CHỦ TỊCH") })
	v := step(cast.Clerk, "issue", func(v *DraftView) {
		if !strings.Contains(v.Preview.Text, "/KH-UBND") {
			t.Fatalf("preview %q", v.Preview.Text)
		}
		v.Recipients.SetText("- Như trên;\n- Lưu: VT, TNMT.")
		v.Holder.SetText("Phòng Tài nguyên và Môi trường")
		v.Copies.SetText("3")
	})
	if v.Draft.State != docstore.DraftIssued || !strings.Contains(v.Message.Text, "Đã cấp số") {
		t.Fatalf("after issue: %s %q", v.Draft.State, v.Message.Text)
	}
	if len(v.Steps) != 7 {
		t.Fatalf("timeline %+v", v.Steps)
	}
	// Steps out of turn are refused by the store, in Vietnamese.
	err = st.SignDraft(ctx, cast.Chairman, id, "TM.", "CHỦ TỊCH")
	if err == nil {
		t.Fatal("signing an issued draft succeeded")
	}
	if got := ErrorText(err); !strings.Contains(got, "không thực hiện được ở trạng thái") {
		t.Fatalf("refusal %q", got)
	}
	_, err = st.IssueDraft(ctx, cast.Specialist, docstore.Issue{DraftID: id, RegisterID: cast.OutgoingRegister, Recipients: "x", Copies: 1})
	if got := ErrorText(err); got != "Bạn không có quyền thực hiện thao tác này." {
		t.Fatalf("a specialist numbering: %q", got)
	}
}

// Sổ văn bản: the clerk closes a register at year end and opens next year's;
// only quản trị reopens.
func TestRegistersCloseReopenOpen(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	s.Show(NavRegister)
	test.Tap(s.RegisterButtons[cast.IncomingRegister])
	eventually(t, "closing", func() bool {
		rs, _ := st.Registers(context.Background(), cast.Clerk)
		for _, r := range rs {
			if r.ID == cast.IncomingRegister {
				return r.Closed
			}
		}
		return false
	})
	eventually(t, "the page to show the closed register", func() bool { return s.RegisterButtons[cast.IncomingRegister].Text == "Mở lại sổ" })
	test.Tap(s.RegisterButtons[cast.IncomingRegister])
	eventually(t, "the refusal", func() bool { return s.NewRegister.Message.Text != "" })
	if s.NewRegister.Message.Text != "Bạn không có quyền thực hiện thao tác này." {
		t.Fatalf("clerk reopening: %q", s.NewRegister.Message.Text)
	}
	s.NewRegister.Year.SetText("2027")
	s.NewRegister.Name.SetText("Sổ văn bản đến năm 2027")
	test.Tap(s.NewRegister.Open)
	eventually(t, "the new register", func() bool { _, ok := s.RegisterButtons["den-2027"]; return ok })
	s.SetViewer(cast.Admin)
	test.Tap(s.RegisterButtons[cast.IncomingRegister])
	eventually(t, "reopening by quản trị", func() bool { return s.RegisterButtons[cast.IncomingRegister].Text == "Khóa sổ" })

	// An outgoing register numbered per type (the option is only offered for văn bản đi).
	if !s.NewRegister.PerType.Disabled() {
		t.Fatal("per-type numbering offered for an incoming register")
	}
	s.NewRegister.Kind.SetSelectedIndex(1)
	s.NewRegister.PerType.SetChecked(true)
	s.NewRegister.Year.SetText("2027")
	s.NewRegister.Name.SetText("Sổ văn bản đi theo loại năm 2027")
	test.Tap(s.NewRegister.Open)
	eventually(t, "the per-type register", func() bool { _, ok := s.RegisterButtons["di-loai-2027"]; return ok })
	regs, _ := st.Registers(context.Background(), cast.Admin)
	for _, r := range regs {
		if r.ID == "di-loai-2027" && !r.PerType {
			t.Fatal("opened without per-type counters")
		}
	}
}

func TestNewDraftFromTheWindow(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	s.SetViewer(cast.Specialist)
	s.Show(NavDrafts)
	s.OpenDraftForm()
	f := s.DraftForm
	test.Tap(f.Create)
	eventually(t, "the missing file message", func() bool { return f.Message.Text != "" })
	if !strings.Contains(f.Message.Text, "Không được để trống") {
		t.Fatalf("no file: %q", f.Message.Text)
	}
	path := filepath.Join(t.TempDir(), "Dự thảo kế hoạch.docx")
	if err := os.WriteFile(path, []byte("nội dung dự thảo"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.File.SetText(path)
	f.Type.SetSelected("Kế hoạch")
	f.Message.SetText("")
	test.Tap(f.Create)
	eventually(t, "the missing subject message", func() bool { return f.Message.Text != "" })
	test.Type(f.Subject, "Kế hoạch chuyển đổi số năm 2027")
	test.Tap(f.Create)
	eventually(t, "the new draft", func() bool { return s.Draft != nil })
	d := s.Draft.Draft
	if d.State != docstore.DraftEditing || d.Versions != 1 || d.Type != "KH" || d.Author != cast.Specialist {
		t.Fatalf("new draft %+v", d)
	}
	if s.Draft.Buttons["submit"] == nil {
		t.Fatal("the author cannot submit the new draft")
	}
	mine, _ := st.DraftsByAuthor(context.Background(), cast.Specialist)
	if len(mine) == 0 || mine[0].ID != d.ID {
		t.Fatal("the new draft is not first among my drafts")
	}
}
