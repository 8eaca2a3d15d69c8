package ui

import (
	"fmt"
	"io"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	docstore "congvu/docs-store"
	"congvu/docs-store/printed"
)

// unitLine is a unit's line: its on-time rate and its open work.
func unitLine(u docstore.UnitWork) string {
	name := u.Name
	if name == "" {
		name = T("stats.no_unit")
	}
	rate := "—"
	if u.OnTime+u.Late > 0 {
		rate = formatPercent(u.Rate())
	}
	return T("stats.unit_line", map[string]any{"Unit": name, "Rate": rate, "OnTime": u.OnTime, "Done": u.OnTime + u.Late,
		"Overdue": u.Overdue, "NotDue": u.NotDue})
}

// overdueLine is an overdue assignment's line.
func overdueLine(a docstore.Assignment) string {
	return fmt.Sprintf("%s  ·  %s  ·  %s %s  ·  %s", a.Notation, a.AssigneeName, T("doc.deadline"), dmy(a.Deadline), a.Subject)
}

// atLeast gives o a minimum height (a list's own is one row).
func atLeast(o fyne.CanvasObject, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(0, h))
	return container.NewStack(r, o)
}

// askExport saves the year's figures as a spreadsheet.
func (p *StatsPage) askExport() {
	if !p.ready {
		return
	}
	d := statsData{Stats: p.stats, units: p.units, overdue: p.overdue}
	askSave(windowFor(p.Content), p.Message, fmt.Sprintf("thong-ke-%d.xlsx", d.Year), func(w fyne.URIWriteCloser) {
		p.ExportTo(d, w)
	})
}

// ExportTo writes the figures of d to w (closed after), in the background.
func (p *StatsPage) ExportTo(d statsData, w io.WriteCloser) {
	p.Message.SetText(T("register.printing"))
	goBackground(func() {
		err := printed.WriteXLSX(w, statsSheets(d))
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		OnMain(func() {
			if err != nil {
				p.Message.SetText(ErrorText(err))
				return
			}
			p.Message.SetText(T("stats.exported"))
		})
	})
}

// statsSheets are the year's figures as sheets: per month, per type,
// electronic share, per unit, overdue work.
func statsSheets(d statsData) []printed.Sheet {
	itoa := strconv.Itoa
	rows := func(n int, row func(i int) []string) func(func([]string) error) error {
		return func(yield func([]string) error) error {
			for i := 0; i < n; i++ {
				if err := yield(row(i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	typeName := func(code string) string {
		if t, ok := docstore.LookupDocType(code); ok {
			return t.Name
		}
		return code
	}
	share := func(s docstore.SourceShare) []string {
		pct := "—"
		if s.Total() > 0 {
			pct = formatPercent(float64(s.Electronic) / float64(s.Total()))
		}
		return []string{itoa(s.Electronic), itoa(s.Paper), pct}
	}
	return []printed.Sheet{
		{Name: T("stats.sheet_months"), Header: []string{T("stats.month"), T("stats.incoming"), T("stats.outgoing")},
			Rows: rows(12, func(i int) []string { return []string{itoa(i + 1), itoa(d.Incoming[i]), itoa(d.Outgoing[i])} })},
		{Name: T("stats.sheet_types"), Widths: []float64{30, 12, 12}, Header: []string{T("stats.type"), T("stats.incoming"), T("stats.outgoing")},
			Rows: rows(len(d.Types), func(i int) []string {
				t := d.Types[i]
				return []string{typeName(t.Code), itoa(t.Incoming), itoa(t.Outgoing)}
			})},
		{Name: T("stats.sheet_electronic"), Widths: []float64{20, 14, 14, 14},
			Header: []string{"", T("stats.electronic_part"), T("stats.paper_part"), T("stats.electronic_share")},
			Rows: rows(2, func(i int) []string {
				if i == 0 {
					return append([]string{T("stats.incoming")}, share(d.IncomingShare)...)
				}
				return append([]string{T("stats.outgoing")}, share(d.OutgoingShare)...)
			})},
		{Name: T("stats.sheet_units"), Widths: []float64{40, 12, 12, 12, 12, 14},
			Header: []string{T("stats.unit"), T("stats.done_on_time"), T("stats.done_late"), T("stats.overdue"), T("stats.not_due"), T("stats.on_time_rate")},
			Rows: rows(len(d.units), func(i int) []string {
				u := d.units[i]
				rate := ""
				if u.OnTime+u.Late > 0 {
					rate = formatPercent(u.Rate())
				}
				return []string{u.Name, itoa(u.OnTime), itoa(u.Late), itoa(u.Overdue), itoa(u.NotDue), rate}
			})},
		{Name: T("stats.sheet_overdue"), Widths: []float64{20, 60, 30, 14},
			Header: []string{T("col.notation"), T("col.subject_only"), T("stats.handler"), T("doc.deadline")},
			Rows: rows(len(d.overdue), func(i int) []string {
				a := d.overdue[i]
				return []string{a.Notation, a.Subject, a.AssigneeName, dmy(a.Deadline)}
			})},
	}
}
