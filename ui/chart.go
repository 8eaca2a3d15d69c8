package ui

import (
	"image/color"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Small charts drawn with canvas primitives, for the Thống kê page. Each
// chart builds its objects once per data set (SetData) and only moves and
// sizes them in Layout, so resizing the window costs no allocation. They
// hold a dozen or two values: nothing here is virtual.

// Series is one coloured set of values, with its name in the legend.
type Series struct {
	Name   string
	Color  color.Color
	Values []int
}

// Slice is one part of a whole (a ring or a share bar).
type Slice struct {
	Name  string
	Color color.Color
	Value int
}

// The chart palette: fixed colours that stay apart on the light theme and
// for the common colour blindnesses (blue/orange, green/amber).
var (
	colorIncoming   = color.NRGBA{R: 0x2b, G: 0x6c, B: 0xb0, A: 0xff} // văn bản đến
	colorOutgoing   = color.NRGBA{R: 0xe0, G: 0x7b, B: 0x1a, A: 0xff} // văn bản đi
	colorOnTime     = color.NRGBA{R: 0x2e, G: 0x8b, B: 0x57, A: 0xff}
	colorLate       = color.NRGBA{R: 0xd9, G: 0x4f, B: 0x2b, A: 0xff}
	colorElectronic = color.NRGBA{R: 0x1b, G: 0x9a, B: 0xaa, A: 0xff}
	colorPaper      = color.NRGBA{R: 0xb9, G: 0xa7, B: 0x7e, A: 0xff}
	colorOther      = color.NRGBA{R: 0x9a, G: 0xa5, B: 0xb1, A: 0xff}
)

const (
	chartPad   = 6  // between a label and what it names
	swatchSize = 12 // the coloured square of a legend line
)

// chartTextSize is a little smaller than body text: axis labels and legends.
func chartTextSize() float32 { return theme.TextSize() - 1 }

func newChartText(s string, bold bool) *canvas.Text {
	t := canvas.NewText(s, theme.Color(theme.ColorNameForeground))
	t.TextSize = chartTextSize()
	t.TextStyle.Bold = bold
	return t
}

// textSize measures a chart text as drawn.
func textSize(t *canvas.Text) fyne.Size { return fyne.MeasureText(t.Text, t.TextSize, t.TextStyle) }

// legend is a row of swatches and names; it lays itself out from x, y and
// returns its height.
type legend struct {
	swatches []*canvas.Rectangle
	names    []*canvas.Text
}

func newLegend(names []string, colors []color.Color) legend {
	var l legend
	for i, n := range names {
		sw := canvas.NewRectangle(colors[i])
		sw.CornerRadius = 2
		l.swatches = append(l.swatches, sw)
		l.names = append(l.names, newChartText(n, false))
	}
	return l
}

func (l legend) objects() []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for i := range l.names {
		out = append(out, l.swatches[i], l.names[i])
	}
	return out
}

func (l legend) width() float32 {
	w := float32(0)
	for i, n := range l.names {
		if i > 0 {
			w += 3 * chartPad
		}
		w += swatchSize + chartPad + textSize(n).Width
	}
	return w
}

func (l legend) height() float32 {
	if len(l.names) == 0 {
		return 0
	}
	return textSize(l.names[0]).Height
}

// layout places the legend in one row from x, y.
func (l legend) layout(x, y float32) {
	h := l.height()
	for i, n := range l.names {
		l.swatches[i].Move(fyne.NewPos(x, y+(h-swatchSize)/2))
		l.swatches[i].Resize(fyne.NewSquareSize(swatchSize))
		x += swatchSize + chartPad
		n.Move(fyne.NewPos(x, y))
		x += textSize(n).Width + 3*chartPad
	}
}

func (l legend) refreshColors() {
	for _, n := range l.names {
		n.Color = theme.Color(theme.ColorNameForeground)
	}
}

// niceScale picks the top of a value axis and its step (1, 2 or 5 × 10^k)
// so that about four gridlines cover most.
func niceScale(most int) (top, step int) {
	if most <= 4 {
		return 4, 1
	}
	raw := float64(most) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int(mag)
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			step = int(m * mag)
			break
		}
	}
	top = (most + step - 1) / step * step
	return top, step
}

// chartBase is what the three charts share: the data generation the
// renderer has built, and the number format.
type chartBase struct {
	widget.BaseWidget
	gen    int
	Format func(int) string // how values are written; strconv.Itoa when nil
}

func (c *chartBase) format(n int) string {
	if c.Format != nil {
		return c.Format(n)
	}
	return strconv.Itoa(n)
}

// chartRenderer rebuilds its objects when the data generation changed and
// lays them out otherwise.
type chartRenderer struct {
	base    *chartBase
	built   int
	objects []fyne.CanvasObject
	build   func() []fyne.CanvasObject
	layout  func(fyne.Size)
	minSize func() fyne.Size
	colors  func()
	size    fyne.Size
}

func newChartRenderer(base *chartBase, build func() []fyne.CanvasObject, layout func(fyne.Size), minSize func() fyne.Size, colors func()) *chartRenderer {
	r := &chartRenderer{base: base, build: build, layout: layout, minSize: minSize, colors: colors}
	r.built = base.gen
	r.objects = build()
	return r
}

func (r *chartRenderer) Destroy()                     {}
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *chartRenderer) MinSize() fyne.Size           { return r.minSize() }
func (r *chartRenderer) Layout(s fyne.Size)           { r.size = s; r.layout(s) }

func (r *chartRenderer) Refresh() {
	if r.built != r.base.gen {
		r.built = r.base.gen
		r.objects = r.build()
	}
	r.colors() // the theme may have changed
	r.layout(r.size)
	for _, o := range r.objects {
		o.Refresh()
	}
}

// seriesChart is the data of the bar charts: categories and the series
// drawn over them.
type seriesChart struct {
	chartBase
	labels []string
	series []Series
}

// SetData replaces the data (on the main goroutine); the objects are built
// again once.
func (c *seriesChart) SetData(labels []string, series ...Series) {
	c.labels, c.series = labels, series
	c.gen++
	c.Refresh()
}

// BarChart draws categories along the horizontal axis (the months) with one
// bar per series side by side in each, a value axis with gridlines and a
// legend above.
type BarChart struct{ seriesChart }

// NewBarChart makes a grouped bar chart; labels name the categories.
func NewBarChart(labels []string, series ...Series) *BarChart {
	c := &BarChart{seriesChart{labels: labels, series: series}}
	c.ExtendBaseWidget(c)
	return c
}

func (c *BarChart) CreateRenderer() fyne.WidgetRenderer {
	var (
		leg       legend
		grid      []*canvas.Line
		ticks     []*canvas.Text
		bars      [][]*canvas.Rectangle // [series][category]
		xs        []*canvas.Text
		axis      *canvas.Line
		top, step int
	)
	build := func() []fyne.CanvasObject {
		most := 0
		var names []string
		var colors []color.Color
		for _, s := range c.series {
			for _, v := range s.Values {
				most = max(most, v)
			}
			names = append(names, s.Name)
			colors = append(colors, s.Color)
		}
		top, step = niceScale(most)
		leg = newLegend(names, colors)
		grid, ticks, xs = nil, nil, nil
		var objs []fyne.CanvasObject
		for v := 0; v <= top; v += step {
			l := canvas.NewLine(theme.Color(theme.ColorNameSeparator))
			l.StrokeWidth = 1
			t := newChartText(c.format(v), false)
			t.Alignment = fyne.TextAlignTrailing
			grid, ticks = append(grid, l), append(ticks, t)
			objs = append(objs, l, t)
		}
		bars = make([][]*canvas.Rectangle, len(c.series))
		for i, s := range c.series {
			for range c.labels {
				b := canvas.NewRectangle(s.Color)
				bars[i] = append(bars[i], b)
				objs = append(objs, b)
			}
		}
		for _, l := range c.labels {
			t := newChartText(l, false)
			t.Alignment = fyne.TextAlignCenter
			xs = append(xs, t)
			objs = append(objs, t)
		}
		axis = canvas.NewLine(theme.Color(theme.ColorNameForeground))
		axis.StrokeWidth = 1
		return append(append(objs, axis), leg.objects()...)
	}
	layout := func(size fyne.Size) {
		if len(ticks) == 0 {
			return
		}
		textH := textSize(ticks[0]).Height
		axisW := float32(0)
		for _, t := range ticks {
			axisW = fyne.Max(axisW, textSize(t).Width)
		}
		left := axisW + chartPad
		plotTop := leg.height() + 2*chartPad + textH/2
		plotBottom := size.Height - textH - chartPad
		plotW := size.Width - left - chartPad
		plotH := plotBottom - plotTop
		if plotH <= 0 || plotW <= 0 {
			return
		}
		leg.layout(fyne.Max(left, size.Width-leg.width()-2*chartPad), 0)
		for i, l := range grid {
			y := plotBottom - plotH*float32(i*step)/float32(top)
			l.Position1, l.Position2 = fyne.NewPos(left, y), fyne.NewPos(size.Width-chartPad, y)
			ticks[i].Move(fyne.NewPos(0, y-textH/2))
			ticks[i].Resize(fyne.NewSize(axisW, textH))
		}
		axis.Position1, axis.Position2 = fyne.NewPos(left, plotBottom), fyne.NewPos(size.Width-chartPad, plotBottom)
		n := float32(len(c.labels))
		if n == 0 {
			return
		}
		cw := plotW / n
		group := cw * 0.72
		bw := group / float32(max(len(c.series), 1))
		for j, t := range xs {
			x := left + cw*float32(j)
			t.Move(fyne.NewPos(x, plotBottom+chartPad/2))
			t.Resize(fyne.NewSize(cw, textH))
			for i, s := range c.series {
				v := 0
				if j < len(s.Values) {
					v = s.Values[j]
				}
				h := plotH * float32(v) / float32(top)
				b := bars[i][j]
				b.Move(fyne.NewPos(x+(cw-group)/2+bw*float32(i), plotBottom-h))
				b.Resize(fyne.NewSize(bw-1, h))
			}
		}
	}
	minSize := func() fyne.Size {
		t := newChartText("00", false)
		h := textSize(t).Height
		return fyne.NewSize(float32(len(c.labels))*float32(6*max(len(c.series), 1))+60, 6*h)
	}
	colors := func() {
		for _, t := range append(append([]*canvas.Text{}, ticks...), xs...) {
			t.Color = theme.Color(theme.ColorNameForeground)
		}
		for _, l := range grid {
			l.StrokeColor = theme.Color(theme.ColorNameSeparator)
		}
		if axis != nil {
			axis.StrokeColor = theme.Color(theme.ColorNameForeground)
		}
		leg.refreshColors()
	}
	return newChartRenderer(&c.chartBase, build, layout, minSize, colors)
}

// HBarChart draws one horizontal bar per category (the document types),
// its series stacked end to end, the total written after the bar and the
// category named before it; a legend above when there are several series.
type HBarChart struct{ seriesChart }

// NewHBarChart makes a horizontal stacked bar chart.
func NewHBarChart(labels []string, series ...Series) *HBarChart {
	c := &HBarChart{seriesChart{labels: labels, series: series}}
	c.ExtendBaseWidget(c)
	return c
}

// maxRowHeight keeps a short list from turning into fat bars.
const maxRowHeight = 30

func (c *HBarChart) CreateRenderer() fyne.WidgetRenderer {
	var (
		leg    legend
		names  []*canvas.Text
		values []*canvas.Text
		bars   [][]*canvas.Rectangle // [series][category]
		totals []int
		most   int // the longest bar's total
	)
	build := func() []fyne.CanvasObject {
		var objs []fyne.CanvasObject
		var sn []string
		var colors []color.Color
		for _, s := range c.series {
			sn = append(sn, s.Name)
			colors = append(colors, s.Color)
		}
		leg = legend{}
		if len(c.series) > 1 {
			leg = newLegend(sn, colors)
		}
		names, values, totals, most = nil, nil, make([]int, len(c.labels)), 0
		bars = make([][]*canvas.Rectangle, len(c.series))
		for j, l := range c.labels {
			for _, s := range c.series {
				if j < len(s.Values) {
					totals[j] += s.Values[j]
				}
			}
			most = max(most, totals[j])
			n := newChartText(l, false)
			n.Alignment = fyne.TextAlignTrailing
			v := newChartText(c.format(totals[j]), true)
			names, values = append(names, n), append(values, v)
			objs = append(objs, n, v)
		}
		for i, s := range c.series {
			for range c.labels {
				b := canvas.NewRectangle(s.Color)
				bars[i] = append(bars[i], b)
				objs = append(objs, b)
			}
		}
		return append(objs, leg.objects()...)
	}
	layout := func(size fyne.Size) {
		if len(names) == 0 {
			return
		}
		top := float32(0)
		if leg.height() > 0 {
			top = leg.height() + 2*chartPad
		}
		nameW, valueW := float32(0), float32(0)
		for j := range names {
			nameW = fyne.Max(nameW, textSize(names[j]).Width)
			valueW = fyne.Max(valueW, textSize(values[j]).Width)
		}
		nameW = fyne.Min(nameW, size.Width*0.45)
		barX := nameW + chartPad
		barMax := size.Width - barX - valueW - chartPad
		rowH := fyne.Min(maxRowHeight, (size.Height-top)/float32(len(names)))
		textH := textSize(names[0]).Height
		leg.layout(barX, 0)
		for j := range names {
			y := top + rowH*float32(j)
			names[j].Move(fyne.NewPos(0, y+(rowH-textH)/2))
			names[j].Resize(fyne.NewSize(nameW, textH))
			x := barX
			for i, s := range c.series {
				v := 0
				if j < len(s.Values) {
					v = s.Values[j]
				}
				w := float32(0)
				if most > 0 && barMax > 0 {
					w = barMax * float32(v) / float32(most)
				}
				bars[i][j].Move(fyne.NewPos(x, y+rowH*0.18))
				bars[i][j].Resize(fyne.NewSize(w, rowH*0.64))
				x += w
			}
			values[j].Move(fyne.NewPos(x+chartPad/2, y+(rowH-textH)/2))
		}
	}
	minSize := func() fyne.Size {
		h := textSize(newChartText("Ag", false)).Height
		top := float32(0)
		if len(c.series) > 1 {
			top = h + 2*chartPad
		}
		return fyne.NewSize(200, top+float32(len(c.labels))*(h+4))
	}
	colors := func() {
		for j := range names {
			names[j].Color = theme.Color(theme.ColorNameForeground)
			values[j].Color = theme.Color(theme.ColorNameForeground)
		}
		leg.refreshColors()
	}
	return newChartRenderer(&c.chartBase, build, layout, minSize, colors)
}

// ShareRing draws the slices of a whole as a ring, with a caption in the
// middle (the rate) and, beside it, one legend line per slice with its
// value.
type ShareRing struct {
	chartBase
	center string
	slices []Slice
}

// NewShareRing makes a ring; center is written in its middle.
func NewShareRing(center string, slices ...Slice) *ShareRing {
	c := &ShareRing{center: center, slices: slices}
	c.ExtendBaseWidget(c)
	return c
}

// SetData replaces the data (on the main goroutine).
func (c *ShareRing) SetData(center string, slices ...Slice) {
	c.center, c.slices = center, slices
	c.gen++
	c.Refresh()
}

func (c *ShareRing) CreateRenderer() fyne.WidgetRenderer {
	var (
		track  *canvas.Arc // the full circle, seen where there is no data
		arcs   []*canvas.Arc
		center *canvas.Text
		leg    []legend // one per line, with its value
	)
	build := func() []fyne.CanvasObject {
		total := 0
		for _, s := range c.slices {
			total += s.Value
		}
		track = canvas.NewArc(0, 360, 0.62, theme.Color(theme.ColorNameSeparator))
		objs := []fyne.CanvasObject{track}
		arcs, leg = nil, nil
		angle := float32(0)
		for _, s := range c.slices {
			sweep := float32(0)
			if total > 0 {
				sweep = 360 * float32(s.Value) / float32(total)
			}
			a := canvas.NewArc(angle, angle+sweep, 0.62, s.Color)
			angle += sweep
			arcs = append(arcs, a)
			l := newLegend([]string{s.Name + ": " + c.format(s.Value)}, []color.Color{s.Color})
			leg = append(leg, l)
			objs = append(objs, a)
			objs = append(objs, l.objects()...)
		}
		center = newChartText(c.center, true)
		center.TextSize = theme.TextSize() + 6
		center.Alignment = fyne.TextAlignCenter
		return append(objs, center)
	}
	layout := func(size fyne.Size) {
		d := fyne.Min(size.Height, size.Width*0.45)
		// The arc is drawn in the square from its position, like a circle.
		pos := fyne.NewPos(0, (size.Height-d)/2)
		track.Move(pos)
		track.Resize(fyne.NewSquareSize(d))
		for _, a := range arcs {
			a.Move(pos)
			a.Resize(fyne.NewSquareSize(d))
		}
		ch := textSize(center).Height
		center.Move(fyne.NewPos(0, pos.Y+(d-ch)/2))
		center.Resize(fyne.NewSize(d, ch))
		lineH := float32(0)
		if len(leg) > 0 {
			lineH = leg[0].height() + chartPad
		}
		y := (size.Height - lineH*float32(len(leg))) / 2
		for _, l := range leg {
			l.layout(d+2*chartPad, y)
			y += lineH
		}
	}
	minSize := func() fyne.Size {
		w := float32(0)
		for _, l := range leg {
			w = fyne.Max(w, l.width())
		}
		return fyne.NewSize(110+2*chartPad+w, 110)
	}
	colors := func() {
		track.FillColor = theme.Color(theme.ColorNameSeparator)
		center.Color = theme.Color(theme.ColorNameForeground)
		for _, l := range leg {
			l.refreshColors()
		}
	}
	return newChartRenderer(&c.chartBase, build, layout, minSize, colors)
}

// ShareBar draws the slices of a whole as one bar split in proportion,
// titled above, and the slices' names, shares and values below.
type ShareBar struct {
	chartBase
	title  string
	slices []Slice
	// Percent writes a share (0–1); the value alone is written when nil.
	Percent func(float64) string
}

// NewShareBar makes a share bar.
func NewShareBar(title string, slices ...Slice) *ShareBar {
	c := &ShareBar{title: title, slices: slices}
	c.ExtendBaseWidget(c)
	return c
}

// SetData replaces the data (on the main goroutine).
func (c *ShareBar) SetData(title string, slices ...Slice) {
	c.title, c.slices = title, slices
	c.gen++
	c.Refresh()
}

const shareBarHeight = 18

func (c *ShareBar) CreateRenderer() fyne.WidgetRenderer {
	var (
		title *canvas.Text
		track *canvas.Rectangle
		parts []*canvas.Rectangle
		leg   legend
		total int
	)
	build := func() []fyne.CanvasObject {
		total = 0
		for _, s := range c.slices {
			total += s.Value
		}
		title = newChartText(c.title, true)
		track = canvas.NewRectangle(theme.Color(theme.ColorNameSeparator))
		objs := []fyne.CanvasObject{title, track}
		parts = nil
		var names []string
		var colors []color.Color
		for _, s := range c.slices {
			r := canvas.NewRectangle(s.Color)
			parts = append(parts, r)
			objs = append(objs, r)
			text := s.Name + " " + c.format(s.Value)
			if c.Percent != nil && total > 0 {
				text = s.Name + " " + c.Percent(float64(s.Value)/float64(total)) + " (" + c.format(s.Value) + ")"
			}
			names, colors = append(names, text), append(colors, s.Color)
		}
		leg = newLegend(names, colors)
		return append(objs, leg.objects()...)
	}
	layout := func(size fyne.Size) {
		th := textSize(title).Height
		title.Move(fyne.NewPos(0, 0))
		y := th + chartPad/2
		track.Move(fyne.NewPos(0, y))
		track.Resize(fyne.NewSize(size.Width, shareBarHeight))
		x := float32(0)
		for i, s := range c.slices {
			w := float32(0)
			if total > 0 {
				w = size.Width * float32(s.Value) / float32(total)
			}
			parts[i].Move(fyne.NewPos(x, y))
			parts[i].Resize(fyne.NewSize(w, shareBarHeight))
			x += w
		}
		leg.layout(0, y+shareBarHeight+chartPad/2)
	}
	minSize := func() fyne.Size {
		th := textSize(newChartText("Ag", true)).Height
		return fyne.NewSize(fyne.Max(leg.width(), 160), 2*th+shareBarHeight+chartPad)
	}
	colors := func() {
		title.Color = theme.Color(theme.ColorNameForeground)
		track.FillColor = theme.Color(theme.ColorNameSeparator)
		leg.refreshColors()
	}
	return newChartRenderer(&c.chartBase, build, layout, minSize, colors)
}
