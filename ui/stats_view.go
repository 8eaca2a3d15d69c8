package ui

import (
	"context"
	"math"
	"sort"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// StatsPage is Thống kê: for a year, the documents in and out per month
// and per type, how much of the work was done on time, and how much came
// and went electronically — over what the viewer may read.
type StatsPage struct {
	Content fyne.CanvasObject
	Year    *widget.Select // the years of the registers the viewer sees
	Status  *widget.Label  // "Đang tính…" while computing, or the refusal

	Monthly          *BarChart
	Types            *HBarChart
	OnTime           *ShareRing
	InShare          *ShareBar
	OutShare         *ShareBar
	Totals, OnTimeOf *widget.Label
	Overdue, NotDue  *widget.Label
	// Per unit: each unit's on-time rate; the open work past its deadline;
	// the figures exported to a spreadsheet.
	Units       *widget.List
	OverdueList *widget.List
	Export      *widget.Button
	Message     *widget.Label

	st     *docstore.Store
	viewer string
	today  string

	// Main goroutine only.
	body     *fyne.Container // the placeholder, then the charts
	charts   fyne.CanvasObject
	waiting  fyne.CanvasObject
	years    []int
	year     int
	gen      int // the latest computation; older results are dropped
	stats    docstore.Stats
	units    []docstore.UnitWork
	overdue  []docstore.Assignment
	ready    bool
	onChange bool // false while the page itself sets the year selector
}

// topTypes is how many lines the per-type chart shows (the rest is "khác").
const topTypes = 8

// NewStatsPage builds the page for viewer on today (YYYY-MM-DD); the
// figures are computed in the background and replace the placeholder.
func NewStatsPage(st *docstore.Store, viewer string, today string) *StatsPage {
	p := &StatsPage{st: st, viewer: viewer, today: today}
	p.Year = widget.NewSelect(nil, func(string) {
		if p.onChange && p.Year.SelectedIndex() >= 0 {
			p.compute(p.years[p.Year.SelectedIndex()])
		}
	})
	p.Status = widget.NewLabel(T("stats.computing"))

	p.Monthly = NewBarChart(nil)
	p.Monthly.Format = formatCount
	p.Types = NewHBarChart(nil)
	p.Types.Format = formatCount
	p.OnTime = NewShareRing("")
	p.OnTime.Format = formatCount
	p.InShare = NewShareBar("")
	p.OutShare = NewShareBar("")
	for _, b := range []*ShareBar{p.InShare, p.OutShare} {
		b.Format, b.Percent = formatCount, formatPercent
	}
	p.Totals = widget.NewLabel("")
	p.OnTimeOf = widget.NewLabel("")
	p.OnTimeOf.Wrapping = fyne.TextWrapWord
	p.Overdue = widget.NewLabel("")
	p.Overdue.Importance = widget.DangerImportance
	p.NotDue = widget.NewLabel("")

	monthly := widget.NewCard(T("stats.monthly"), "", container.NewBorder(p.Totals, nil, nil, nil, p.Monthly))
	types := widget.NewCard(T("stats.by_type"), "", p.Types)
	onTime := widget.NewCard(T("stats.on_time_rate"), "", container.NewBorder(nil,
		container.NewVBox(p.OnTimeOf, p.Overdue, p.NotDue), nil, nil, p.OnTime))
	note := widget.NewLabelWithStyle(T("stats.electronic_note"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	note.Wrapping = fyne.TextWrapWord
	shares := widget.NewCard(T("stats.electronic"), "", container.NewVBox(p.InShare, layout.NewSpacer(), p.OutShare, layout.NewSpacer(), note))
	p.Units = widget.NewList(func() int { return len(p.units) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(unitLine(p.units[i])) })
	p.OverdueList = widget.NewList(func() int { return len(p.overdue) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(overdueLine(p.overdue[i])) })
	units := widget.NewCard(T("stats.by_unit"), "", p.Units)
	overdue := widget.NewCard(T("stats.overdue_list"), "", p.OverdueList)
	p.charts = container.NewVScroll(container.NewVBox(
		atLeast(container.New(&ratioLayout{0.6}, monthly, types), 300),
		atLeast(container.New(&ratioLayout{0.5}, onTime, shares), 300),
		atLeast(container.New(&ratioLayout{0.5}, units, overdue), 300)))
	p.waiting = container.NewCenter(widget.NewLabel(T("stats.computing")))
	p.body = container.NewStack(p.waiting)

	title := heading("stats.title")
	p.Message = widget.NewLabel("")
	p.Export = widget.NewButton(T("stats.export"), p.askExport)
	top := container.NewHBox(title, widget.NewLabel(T("stats.year")),
		container.NewGridWrap(fyne.NewSize(110, p.Year.MinSize().Height), p.Year), p.Status, layout.NewSpacer(), p.Message, p.Export)
	p.Content = container.NewBorder(top, nil, nil, nil, p.body)
	p.load()
	return p
}

// load finds the years of the viewer's registers, then computes the current
// year's figures (or the newest year's when this one has no register).
func (p *StatsPage) load() {
	p.gen++
	gen := p.gen
	goBackground(func() {
		regs, err := p.st.Registers(context.Background(), p.viewer)
		var years []int
		seen := map[int]bool{}
		for _, r := range regs {
			if !seen[r.Year] {
				seen[r.Year] = true
				years = append(years, r.Year)
			}
		}
		sort.Sort(sort.Reverse(sort.IntSlice(years)))
		year := 0
		if y, e := strconv.Atoi(p.today[:min(4, len(p.today))]); e == nil && seen[y] {
			year = y
		} else if len(years) > 0 {
			year = years[0]
		}
		var st statsData
		if err == nil && year != 0 {
			st, err = p.fetch(year)
		}
		OnMain(func() {
			if gen != p.gen {
				return
			}
			p.years = years
			var opts []string
			for _, y := range years {
				opts = append(opts, strconv.Itoa(y))
			}
			p.onChange = false
			p.Year.SetOptions(opts)
			if year != 0 {
				p.Year.SetSelected(strconv.Itoa(year))
			}
			p.onChange = true
			switch {
			case err != nil:
				p.fail(err)
			case year == 0:
				p.fail(nil)
			default:
				p.show(st)
			}
		})
	})
}

// compute reads another year in the background.
func (p *StatsPage) compute(year int) {
	if year == p.year && p.ready {
		return
	}
	p.gen++
	gen := p.gen
	p.ready = false
	p.Status.SetText(T("stats.computing"))
	p.body.Objects = []fyne.CanvasObject{p.waiting}
	p.body.Refresh()
	goBackground(func() {
		st, err := p.fetch(year)
		OnMain(func() {
			if gen != p.gen {
				return // the user picked another year meanwhile
			}
			if err != nil {
				p.fail(err)
				return
			}
			p.show(st)
		})
	})
}

// fail shows a refusal (or, with nil, that there is no register yet).
func (p *StatsPage) fail(err error) {
	text := T("stats.no_registers")
	if err != nil {
		text = ErrorText(err)
	}
	p.Status.SetText(text)
	p.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(text))}
	p.body.Refresh()
}

// statsData is a year's figures, with the units' and the overdue work.
type statsData struct {
	docstore.Stats
	units   []docstore.UnitWork
	overdue []docstore.Assignment
}

// fetch reads a year's figures (background).
func (p *StatsPage) fetch(year int) (statsData, error) {
	ctx := context.Background()
	var d statsData
	var err error
	if d.Stats, err = p.st.Stats(ctx, p.viewer, year, p.today); err != nil {
		return d, err
	}
	if d.units, err = p.st.UnitsWork(ctx, p.viewer, year, p.today); err != nil {
		return d, err
	}
	d.overdue, err = p.st.OverdueWork(ctx, p.viewer, p.today, 200)
	return d, err
}

// show draws a year's figures (main goroutine).
func (p *StatsPage) show(d statsData) {
	st := d.Stats
	p.stats, p.units, p.overdue, p.year, p.ready = st, d.units, d.overdue, st.Year, true
	p.Units.Refresh()
	p.OverdueList.Refresh()
	p.Status.SetText("")

	months := make([]string, 12)
	for i := range months {
		months[i] = strconv.Itoa(i + 1)
	}
	p.Monthly.SetData(months,
		Series{Name: T("stats.incoming"), Color: colorIncoming, Values: st.Incoming[:]},
		Series{Name: T("stats.outgoing"), Color: colorOutgoing, Values: st.Outgoing[:]})
	p.Totals.SetText(T("stats.totals", map[string]any{"Year": st.Year,
		"In": formatCount(st.TotalIncoming()), "Out": formatCount(st.TotalOutgoing())}))

	var names []string
	var in, out []int
	for _, t := range st.TopTypes(topTypes) {
		name := t.Code
		if t.Code == docstore.OtherTypes {
			name = T("stats.other_types")
		} else if dt, ok := docstore.LookupDocType(t.Code); ok {
			name = dt.Name
		}
		names, in, out = append(names, name), append(in, t.Incoming), append(out, t.Outgoing)
	}
	p.Types.SetData(names,
		Series{Name: T("stats.incoming"), Color: colorIncoming, Values: in},
		Series{Name: T("stats.outgoing"), Color: colorOutgoing, Values: out})

	rate := "—"
	if st.Done() > 0 {
		rate = formatPercent(st.OnTimeRate())
		p.OnTimeOf.SetText(T("stats.on_time_of", map[string]any{"Rate": rate, "OnTime": formatCount(st.OnTime), "Done": formatCount(st.Done())}))
	} else {
		p.OnTimeOf.SetText(T("stats.none_done"))
	}
	p.OnTime.SetData(rate,
		Slice{Name: T("stats.done_on_time"), Color: colorOnTime, Value: st.OnTime},
		Slice{Name: T("stats.done_late"), Color: colorLate, Value: st.Late})
	p.Overdue.SetText(T("stats.open_overdue", map[string]any{"Count": formatCount(st.Overdue)}))
	p.NotDue.SetText(T("stats.open_not_due", map[string]any{"Count": formatCount(st.NotDue)}))

	share := func(b *ShareBar, titleKey string, s docstore.SourceShare) {
		b.SetData(T(titleKey, map[string]any{"Count": formatCount(s.Total())}),
			Slice{Name: T("stats.electronic_part"), Color: colorElectronic, Value: s.Electronic},
			Slice{Name: T("stats.paper_part"), Color: colorPaper, Value: s.Paper})
	}
	share(p.InShare, "stats.incoming_count", st.IncomingShare)
	share(p.OutShare, "stats.outgoing_count", st.OutgoingShare)

	p.body.Objects = []fyne.CanvasObject{p.charts}
	p.body.Refresh()
}

// Stats returns the figures shown, and whether they are in yet (main
// goroutine).
func (p *StatsPage) Stats() (docstore.Stats, bool) { return p.stats, p.ready }

// formatCount writes a count with the language's digit grouping (1.234 in
// Vietnamese, 1,234 in English).
func formatCount(n int) string {
	if n < 0 {
		return "-" + formatCount(-n)
	}
	s := strconv.Itoa(n)
	sep := T("stats.digit_group")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + sep + s[i:]
	}
	return s
}

// formatPercent writes a share (0–1) as a whole percentage.
func formatPercent(r float64) string {
	return strconv.Itoa(int(math.Round(r*100))) + "%"
}

// ratioLayout puts two objects side by side, the first taking share of the
// width (the monthly chart wants more room than the list of types).
type ratioLayout struct{ share float32 }

func (l *ratioLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	gap := float32(8)
	w := (size.Width - gap) * l.share
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(w, size.Height))
	objs[1].Move(fyne.NewPos(w+gap, 0))
	objs[1].Resize(fyne.NewSize(size.Width-w-gap, size.Height))
}

func (l *ratioLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		m := o.MinSize()
		s.Width += m.Width
		s.Height = fyne.Max(s.Height, m.Height)
	}
	return s.AddWidthHeight(8, 0)
}
