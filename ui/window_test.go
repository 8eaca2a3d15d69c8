package ui

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/docs-store/vntext"
)

// cellText renders the table and returns the text of a visible cell.
func cellText(t *testing.T, tb *registerTable, row, col int) string {
	t.Helper()
	// Ask the table's callbacks, as Fyne does for a cell scrolled into view.
	c := tb.CreateCell()
	tb.UpdateCell(widget.TableCellID{Row: row, Col: col}, c)
	_, l := cellParts(c)
	return l.Text
}

func TestMainShowsAgencyAndRegisterInVietnamese(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, cast := demoStore(t)
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme())
	m := NewMain(st, cast.Clerk)
	w := test.NewTempWindow(t, m.Content)
	w.Resize(fyne.NewSize(1366, 768))

	if !strings.Contains(m.Agency.Text, "Ủy ban nhân dân thành phố Lâm Sơn") || !strings.Contains(m.Agency.Text, "000.00.12.H31") {
		t.Fatalf("agency label %q", m.Agency.Text)
	}
	if m.Rows() != 250 {
		t.Fatalf("%d rows", m.Rows())
	}
	// Newest first: the first row has số đến 250; the header is Vietnamese.
	if got := cellText(t, m.Table, 0, 1); got != "250" {
		t.Fatalf("first row số đến = %q", got)
	}
	if got := cellText(t, m.Table, 249, 1); got != "1" {
		t.Fatalf("last row số đến = %q", got)
	}
	// An unfinished document past its deadline is drawn red, one due tomorrow amber.
	m.model.today = func() string { return "2026-11-27" }
	red := false
	for i := 0; i < m.Rows(); i++ {
		d, _ := m.model.Row(i)
		c := m.Table.CreateCell()
		m.Table.UpdateCell(widget.TableCellID{Row: i, Col: 6}, c)
		_, l := cellParts(c)
		want := widget.MediumImportance
		if d.Status != docstore.DocDone && d.DueDate != "" {
			switch docstore.DeadlineOn(d.DueDate, "2026-11-27") {
			case docstore.Overdue:
				want, red = widget.DangerImportance, true
			case docstore.DueSoon:
				want = widget.WarningImportance
			}
		}
		if l.Importance != want {
			t.Fatalf("row %d (due %s, %s) drawn %v, want %v", i, d.DueDate, d.Status, l.Importance, want)
		}
	}
	if !red {
		t.Fatal("the demo has no overdue document to colour")
	}
	hdr := m.Table.CreateHeader().(*sortHeader)
	m.Table.UpdateHeader(widget.TableCellID{Row: -1, Col: 1}, hdr)
	if hdr.label.Text != "Số đến" || !hdr.arrow.Visible() {
		t.Fatalf("header %q (the newest-first arrow shown: %v)", hdr.label.Text, hdr.arrow.Visible())
	}
	if !strings.Contains(m.Status.Text, "250 văn bản") {
		t.Fatalf("status %q", m.Status.Text)
	}
	// The clerk without clearance does not get the secret register to pick.
	for _, o := range m.Picker.Options {
		if strings.Contains(o, "mật") {
			t.Fatalf("secret register offered to an uncleared clerk: %v", m.Picker.Options)
		}
	}
	// Switching to the outgoing register shows its columns.
	m.ShowRegister(cast.OutgoingRegister)
	m.Table.UpdateHeader(widget.TableCellID{Row: -1, Col: 3}, hdr)
	if hdr.label.Text != "Người ký" {
		t.Fatalf("outgoing header %q", hdr.label.Text)
	}
	if m.Rows() == 0 || !strings.Contains(cellText(t, m.Table, 0, 0), "-UBND") && !strings.Contains(cellText(t, m.Table, 0, 0), "/UBND") {
		t.Fatalf("outgoing first row %q (%d rows)", cellText(t, m.Table, 0, 0), m.Rows())
	}
	// A registration made elsewhere appears after Refresh (the store is the source).
	m.ShowRegister(cast.IncomingRegister)
	day := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	in := demo.IncomingInputs(rand.New(rand.NewPCG(1, 2)), cast.IncomingRegister, 1, day, day, docstore.SecrecyNone)
	if _, err := st.RegisterIncoming(context.Background(), cast.Clerk, in[0]); err != nil {
		t.Fatal(err)
	}
	m.Refresh()
	if m.Rows() != 251 || cellText(t, m.Table, 0, 1) != "251" {
		t.Fatalf("after a new registration: %d rows, first %q", m.Rows(), cellText(t, m.Table, 0, 1))
	}
}

func TestErrorTextIsVietnamese(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	cases := map[error]string{
		docstore.ErrLocked:                                         "đang mở thư mục dữ liệu",
		fmt.Errorf("open: %w", docstore.ErrCorrupt):                "bị hỏng",
		&docstore.PermissionError{Actor: "x", Action: "y"}:         "không có quyền",
		&docstore.FieldError{Field: "subject", Reason: "required"}: "chưa hợp lệ",
		fmt.Errorf("x: %w", docstore.ErrRegisterClosed):            "Sổ đã khóa",
		errors.New("boom"):                                         "Đã xảy ra lỗi",
	}
	for err, want := range cases {
		if got := ErrorText(err); !strings.Contains(got, want) {
			t.Errorf("%v → %q, want it to contain %q", err, got, want)
		}
	}
}

func TestEmptyStoreSaysWhatToDo(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	test.NewTempApp(t)
	m := NewMain(st, "")
	m.ShowRegister("den-2026") // nothing to show: must not panic
	test.NewTempWindow(t, m.Content)
	if m.Rows() != 0 {
		t.Fatal("rows in an empty store")
	}
	if texts := labels(m.Content); !strings.Contains(strings.Join(texts, "|"), "Chưa thiết lập cơ quan") {
		t.Fatalf("the empty window says %q", texts)
	}
}

// labels collects the text of every label in a tree of canvas objects.
func labels(o fyne.CanvasObject) []string {
	switch v := o.(type) {
	case *widget.Label:
		return []string{v.Text}
	case *fyne.Container:
		var out []string
		for _, c := range v.Objects {
			out = append(out, labels(c)...)
		}
		return out
	case *container.Scroll:
		return labels(v.Content)
	}
	return nil
}

// The register page sorts by a tapped column title and filters from the
// bar above it, computing the view in the background ("Đang lọc…"); a newer
// change wins over one still running; Xóa lọc brings the register back.
func TestRegisterSortAndFilter(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, cast := demoStore(t)
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	useTestBridge(t)
	ctx := context.Background()
	m := NewRegisterPage(st, cast.Clerk, docstore.KindIncoming)
	w := test.NewTempWindow(t, m.Content)
	w.Resize(fyne.NewSize(1130, 690)) // the page area of a 1366×768 window
	idle := func() bool { return !m.Working() }
	header := func(col int) *sortHeader {
		h := m.Table.CreateHeader().(*sortHeader)
		m.Table.UpdateHeader(widget.TableCellID{Row: -1, Col: col}, h)
		return h
	}
	rows := func() []docstore.DocumentRow {
		t.Helper()
		var out []docstore.DocumentRow
		for i := 0; i < m.Rows(); i++ {
			d, ok := m.model.Row(i)
			if !ok {
				t.Fatalf("row %d of %d missing", i, m.Rows())
			}
			out = append(out, d)
		}
		return out
	}
	sorted := func(what string, key func(d docstore.DocumentRow) string, asc bool) {
		t.Helper()
		rs := rows()
		for i := 1; i < len(rs); i++ {
			a, b := key(rs[i-1]), key(rs[i])
			if (asc && a > b) || (!asc && a < b) {
				t.Fatalf("%s: row %d %q then %q", what, i, a, b)
			}
		}
	}
	if m.Filters.secBox.Visible() {
		t.Fatal("độ mật offered to an uncleared clerk")
	}

	// Ngày văn bản (column 4): newest date first, then oldest first.
	test.Tap(header(5))
	if !strings.Contains(m.Status.Text, "Đang lọc") {
		t.Fatalf("status while sorting: %q", m.Status.Text)
	}
	eventually(t, "the doc-date order", idle)
	if m.Rows() != 250 {
		t.Fatalf("%d rows sorted", m.Rows())
	}
	sorted("ngày văn bản ↓", func(d docstore.DocumentRow) string { return d.DocDate }, false)
	if h := header(5); !h.arrow.Visible() || h.arrow.Resource != theme.MoveDownIcon() || header(1).arrow.Visible() {
		t.Fatal("the arrow is not on Ngày văn bản")
	}
	if d, _ := m.model.Row(0); cellText(t, m.Table, 0, 5) != dmy(d.DocDate) {
		t.Fatalf("first cell %q", cellText(t, m.Table, 0, 5))
	}
	test.Tap(header(5))
	eventually(t, "the reversed order", idle)
	sorted("ngày văn bản ↑", func(d docstore.DocumentRow) string { return d.DocDate }, true)
	if header(5).arrow.Resource != theme.MoveUpIcon() {
		t.Fatal("no up arrow")
	}
	// Tác giả (column 3): A to Z in folded order.
	test.Tap(header(3))
	eventually(t, "the issuer order", idle)
	sorted("tác giả", func(d docstore.DocumentRow) string { return vntext.Fold(d.Issuer) }, true)

	// Loại: công văn only, still by issuer.
	m.Filters.Type.SetSelected("Công văn")
	eventually(t, "the type filter", idle)
	if n := m.Rows(); n == 0 || n >= 250 {
		t.Fatalf("%d công văn", n)
	}
	for _, d := range rows() {
		if d.Type != "CV" {
			t.Fatalf("a %s among công văn", d.Type)
		}
	}
	sorted("tác giả, công văn", func(d docstore.DocumentRow) string { return vntext.Fold(d.Issuer) }, true)
	if !strings.Contains(m.Status.Text, "khớp bộ lọc") || !strings.Contains(m.Status.Text, "250") {
		t.Fatalf("status %q", m.Status.Text)
	}
	// Two quick changes: the second wins, the first is cancelled or dropped.
	m.Filters.Type.SetSelected("Quyết định")
	m.Filters.Type.SetSelected("Kế hoạch")
	eventually(t, "the last filter", idle)
	for _, d := range rows() {
		if d.Type != "KH" {
			t.Fatalf("a %s among kế hoạch", d.Type)
		}
	}

	// Người xử lý: someone the demo assigned documents to, any role.
	m.Filters.Type.SetSelectedIndex(0)
	eventually(t, "all types again", idle)
	handler := ""
	for i := 0; i < 250 && handler == ""; i++ {
		d, _ := m.model.Row(i)
		as, _ := st.Assignments(ctx, cast.Clerk, d.ID)
		for _, a := range as {
			if a.Kind == "person" && a.Role == "de_biet" {
				handler = a.Assignee
			}
		}
	}
	for i, p := range m.Filters.people {
		if p.ID == handler {
			m.Filters.Handler.SetSelectedIndex(i + 1)
		}
	}
	eventually(t, "the handler filter", idle)
	if m.Rows() == 0 {
		t.Fatalf("no document for %s", handler)
	}
	for _, d := range rows() {
		as, _ := st.Assignments(ctx, cast.Clerk, d.ID)
		found := false
		for _, a := range as {
			found = found || (a.Kind == "person" && a.Assignee == handler)
		}
		if !found {
			t.Fatalf("%s is not assigned to %s", d.ID, handler)
		}
	}

	// Khoảng ngày: a date that does not exist is said beside the field and
	// changes nothing; a good one filters on the ngày đến.
	before := m.Rows()
	m.Filters.Handler.SetSelectedIndex(0)
	eventually(t, "anyone again", idle)
	test.Type(m.Filters.From, "31/02/2026")
	if m.Filters.DateMsg.Text != "Ngày không hợp lệ (dd/mm/yyyy)." || m.Working() {
		t.Fatalf("bad date: message %q, working %v", m.Filters.DateMsg.Text, m.Working())
	}
	m.Filters.From.SetText("01/11/2026")
	eventually(t, "the date range", idle)
	if m.Filters.DateMsg.Text != "" || m.Rows() == 0 || m.Rows() >= 250 {
		t.Fatalf("date range: message %q, %d rows (handler had %d)", m.Filters.DateMsg.Text, m.Rows(), before)
	}
	for _, d := range rows() {
		if d.ArrivalDate < "2026-11-01" {
			t.Fatalf("arrived %s", d.ArrivalDate)
		}
	}
	m.Filters.Urgency.SetSelectedIndex(4) // hỏa tốc, in that range: maybe none
	eventually(t, "urgency", idle)
	m.Filters.Urgency.SetSelectedIndex(0)
	eventually(t, "any urgency", idle)
	capture(t, w, "congvu-register-filter.png")

	// Xóa lọc: the whole register, still by issuer; Số đến: back to the
	// register's own order at once (no view to compute).
	test.Tap(m.Filters.Clear)
	eventually(t, "cleared", idle)
	if m.Rows() != 250 || m.Filters.From.Text != "" {
		t.Fatalf("after Xóa lọc: %d rows, from %q", m.Rows(), m.Filters.From.Text)
	}
	sorted("tác giả after Xóa lọc", func(d docstore.DocumentRow) string { return vntext.Fold(d.Issuer) }, true)
	test.Tap(header(1))
	if m.Working() || m.model.viewing() || cellText(t, m.Table, 0, 1) != "250" {
		t.Fatalf("Số đến: working %v, viewing %v, first %q", m.Working(), m.model.viewing(), cellText(t, m.Table, 0, 1))
	}

	// The cleared clerk may filter by độ mật, up to their clearance.
	sec := NewRegisterPage(st, cast.SecretClerk, docstore.KindIncoming)
	clearance := docstore.SecrecyNone
	for _, p := range sec.Filters.people {
		if p.ID == cast.SecretClerk {
			clearance = p.Clearance
		}
	}
	if !sec.Filters.secBox.Visible() || clearance == docstore.SecrecyNone || len(sec.Filters.Secrecy.Options) != int(clearance)+2 {
		t.Fatalf("độ mật options for the mật clerk: %v", sec.Filters.Secrecy.Options)
	}
	w.SetContent(sec.Content) // the widest bar, with a date message: nothing clipped
	test.Type(sec.Filters.To, "1/13/2026")
	capture(t, w, "congvu-register-filter-secret.png")
}
