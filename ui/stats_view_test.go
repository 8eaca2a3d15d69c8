package ui

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	docstore "congvu/docs-store"
)

// statsPage opens the Thống kê page of the demo agency for viewer at the
// size it has in a 1366×768 window, and waits for the figures.
func statsPage(t *testing.T, st *docstore.Store, viewer string) (*StatsPage, fyne.Window) {
	t.Helper()
	p := NewStatsPage(st, viewer, "2026-11-27")
	w := test.NewTempWindow(t, p.Content)
	w.Resize(fyne.NewSize(1130, 700))
	if p.body.Objects[0] != p.waiting || p.Status.Text != "Đang tính…" {
		t.Fatalf("no placeholder while computing: %q", p.Status.Text)
	}
	eventually(t, "the figures of "+viewer, func() bool { _, ok := p.Stats(); return ok })
	return p, w
}

func TestStatsPageShowsTheClerksYearAndHidesSecretRegisters(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, cast := demoStore(t)
	test.NewTempApp(t)
	useTestBridge(t)

	p, _ := statsPage(t, st, cast.Clerk)
	s, _ := p.Stats()
	if s.Year != 2026 || p.Year.Selected != "2026" {
		t.Fatalf("year %d, selector %q", s.Year, p.Year.Selected)
	}
	if s.TotalIncoming() == 0 || s.TotalOutgoing() == 0 || len(s.Types) == 0 || s.Done() == 0 || s.IncomingShare.Electronic == 0 {
		t.Fatalf("the clerk's year is empty: %+v", s)
	}
	// The numbers are also written out, in Vietnamese.
	if !strings.Contains(p.Totals.Text, "Năm 2026: ") || !strings.Contains(p.Totals.Text, formatCount(s.TotalIncoming())+" văn bản đến") {
		t.Fatalf("totals line %q", p.Totals.Text)
	}
	if !strings.Contains(p.OnTimeOf.Text, formatPercent(s.OnTimeRate())) || !strings.HasPrefix(p.Overdue.Text, "Đang xử lý, đã quá hạn: ") {
		t.Fatalf("on-time lines %q, %q", p.OnTimeOf.Text, p.Overdue.Text)
	}
	if p.Monthly.series[0].Values[0]+p.Monthly.series[1].Values[0] != s.Incoming[0]+s.Outgoing[0] || len(p.Types.labels) > topTypes {
		t.Fatal("the charts do not show the figures")
	}
	if p.InShare.title != "Văn bản đến: "+formatCount(s.TotalIncoming()) {
		t.Fatalf("incoming share titled %q", p.InShare.title)
	}

	// The văn thư of the secret register also counts its documents; the
	// uncleared clerk does not.
	q, _ := statsPage(t, st, cast.SecretClerk)
	secret, _ := q.Stats()
	if secret.TotalIncoming() <= s.TotalIncoming() {
		t.Fatalf("cleared clerk counts %d incoming, uncleared %d", secret.TotalIncoming(), s.TotalIncoming())
	}

	// Another year is computed in the background, behind the placeholder.
	p.Year.SetSelected("2025")
	if p.body.Objects[0] != p.waiting || p.Status.Text != "Đang tính…" {
		t.Fatal("no placeholder while computing another year")
	}
	eventually(t, "the other year", func() bool { s, ok := p.Stats(); return ok && s.Year == 2025 })
}

// Per unit and overdue, and the figures exported: one sheet per view.
func TestStatsUnitsOverdueAndExport(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, cast := demoStore(t)
	test.NewTempApp(t)
	useTestBridge(t)
	p, _ := statsPage(t, st, cast.Chairman)
	if len(p.units) == 0 || p.Units.Length() != len(p.units) {
		t.Fatalf("units: %d", len(p.units))
	}
	if !strings.Contains(unitLine(p.units[0]), "đúng hạn") {
		t.Fatalf("unit line %q", unitLine(p.units[0]))
	}
	var out bufCloser
	p.ExportTo(statsData{Stats: p.stats, units: p.units, overdue: p.overdue}, &out)
	eventually(t, "exported", func() bool { return p.Message.Text == "Đã xuất số liệu thống kê (tệp Excel)." })
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	sheets := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			sheets++
		}
	}
	if sheets != 5 {
		t.Fatalf("%d sheets", sheets)
	}
}
