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
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
)

func demoStore(t *testing.T) (*docstore.Store, *demo.Cast) {
	t.Helper()
	today := time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	st, cast, err := demo.Open(context.Background(), t.TempDir(), demo.Config{Seed: 3, Today: today, Incoming: 250, Secret: 5, Drafts: 40})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, cast
}

// cellText renders the table and returns the text of a visible cell.
func cellText(t *testing.T, tb *widget.Table, row, col int) string {
	t.Helper()
	// Ask the table's callbacks, as Fyne does for a cell scrolled into view.
	l := tb.CreateCell().(*widget.Label)
	tb.UpdateCell(widget.TableCellID{Row: row, Col: col}, l)
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
	if !strings.Contains(m.User.Text, "Đỗ Thị Hạnh") {
		t.Fatalf("user label %q", m.User.Text)
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
		l := m.Table.CreateCell().(*widget.Label)
		m.Table.UpdateCell(widget.TableCellID{Row: i, Col: 5}, l)
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
	hdr := m.Table.CreateHeader().(*widget.Label)
	m.Table.UpdateHeader(widget.TableCellID{Row: -1, Col: 1}, hdr)
	if hdr.Text != "Số đến" {
		t.Fatalf("header %q", hdr.Text)
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
	if hdr.Text != "Người ký" {
		t.Fatalf("outgoing header %q", hdr.Text)
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
