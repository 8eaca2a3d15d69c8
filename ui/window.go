// Package ui is the Fyne window of Công vụ. It reads the store directly
// (ui → docstore for reads) and, once the mail issue lands, talks to
// servers only through package mail.
package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// Main is the main view: the agency, a register picker and the register
// as a virtual table.
type Main struct {
	st     *docstore.Store
	viewer string

	Agency  *widget.Label
	Tools   *fyne.Container // the page's buttons, beside the register picker
	Picker  *widget.Select
	Status  *widget.Label
	Table   *registerTable
	model   *registerModel
	regs    []docstore.Register
	body    *fyne.Container
	Content fyne.CanvasObject
	// OnOpen is called with a document's id when its row is selected.
	OnOpen func(id string)

	// Filters is the bar above the table; filter and order are what it and
	// the column titles ask for.
	Filters *filterBar
	filter  docstore.RegisterFilter
	order   docstore.RegisterSort
	// A view is computed in the background: gen numbers the requests (a
	// result is shown only if no newer request was made), cancel stops the
	// one running.
	gen     int
	cancel  context.CancelFunc
	working bool
}

// NewMain builds the register view for viewer (a person id) over st: all
// the registers the viewer may see.
func NewMain(st *docstore.Store, viewer string) *Main { return NewRegisterPage(st, viewer, "") }

// NewRegisterPage is the register view limited to one kind of register
// (docstore.KindIncoming or KindOutgoing; "" for all).
func NewRegisterPage(st *docstore.Store, viewer, kind string) *Main {
	return newRegisterPage(st, viewer, kind, mustPeople(st))
}

// newRegisterPage builds the page with the directory already read (the
// shell reads it once for all its pages).
func newRegisterPage(st *docstore.Store, viewer, kind string, people []docstore.Person) *Main {
	m := &Main{st: st, viewer: viewer}
	ctx := context.Background()
	m.Agency = widget.NewLabel("")
	m.Agency.TextStyle.Bold = true
	m.Agency.SizeName = "subHeadingText"
	m.Agency.Truncation = fyne.TextTruncateEllipsis // the rail keeps its width on a narrow screen
	m.Status = widget.NewLabel("")
	m.body = container.NewStack()
	ag, err := st.Agency(ctx)
	if err != nil {
		m.Agency.SetText(T("app.title"))
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(ErrorTextOr(err, "app.no_agency")))}
		m.Content = container.NewBorder(m.Agency, nil, nil, nil, m.body)
		return m
	}
	m.Agency.SetText(fmt.Sprintf("%s  ·  %s", ag.Name, ag.Code))
	m.Filters = newFilterBar(people, viewer, func(f docstore.RegisterFilter) {
		m.filter = f
		m.applyView(true)
	})
	if kind != "" {
		m.Filters.setKind(kind)
	}
	all, err := st.Registers(ctx, viewer)
	if err != nil {
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(ErrorText(err)))}
	}
	for _, r := range all {
		if kind == "" || r.Kind == kind {
			m.regs = append(m.regs, r)
		}
	}
	names := make([]string, len(m.regs))
	for i, r := range m.regs {
		names[i] = registerTitle(r)
	}
	m.Picker = widget.NewSelect(names, func(s string) {
		for _, r := range m.regs {
			if registerTitle(r) == s {
				m.show(r)
			}
		}
	})
	picker := container.NewGridWrap(fyne.NewSize(320, m.Picker.MinSize().Height), m.Picker)
	// One line: the agency, then the page's own buttons (Vào sổ) and the
	// register picker; who is using the window is in the top bar.
	m.Tools = container.NewHBox()
	header := container.NewBorder(nil, nil, nil, container.NewHBox(m.Tools, widget.NewLabel(T("register.pick")), picker), m.Agency)
	m.Content = container.NewBorder(container.NewVBox(header, m.Filters.Content), m.Status, nil, nil, m.body)
	for _, r := range m.regs { // the ordinary register of the newest year opens first
		if (r.Kind == kind || (kind == "" && r.Kind == docstore.KindIncoming)) && !r.Secret {
			m.Picker.SetSelected(registerTitle(r))
			break
		}
	}
	return m
}

// ErrorTextOr is ErrorText, or the message key when the error is the
// expected empty state.
func ErrorTextOr(err error, key string) string {
	if err == docstore.ErrNoAgency {
		return T(key)
	}
	return ErrorText(err)
}

func mustPeople(st *docstore.Store) []docstore.Person {
	ps, _ := st.People(context.Background())
	return ps
}

func registerTitle(r docstore.Register) string {
	s := r.Name
	if r.Secret && !strings.Contains(s, "mật") {
		s += " (" + T("register.secret") + ")"
	}
	if r.Closed {
		s += " — " + T("register.closed")
	}
	return s
}

func (m *Main) show(r docstore.Register) {
	m.stopView()
	model := newRegisterModel(m.st, m.viewer, r)
	if model.err != nil {
		m.model = nil
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(ErrorText(model.err)))}
		m.body.Refresh()
		return
	}
	m.model = model
	model.onError = func(err error) { m.Status.SetText(ErrorText(err)) }
	if m.Filters.setKind(r.Kind) { // the type and status lists changed
		if f, ok, _ := m.Filters.Filter(); ok {
			m.filter = f
		}
	}
	if _, ok := sortKeyOf(r.Kind, m.sortColumnKey()); !ok { // an order the new register has no column for
		m.order = docstore.DefaultSort
	}
	m.Table = newRegisterTable(m.model, func() docstore.RegisterSort { return m.order }, m.sortBy)
	m.Table.OnSelected = func(id widget.TableCellID) {
		if d, ok := m.model.Row(id.Row); ok && m.OnOpen != nil {
			m.OnOpen(d.ID)
		}
	}
	if !m.filter.Empty() || !m.order.IsDefault() {
		// The same filter and order on the register just picked.
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("filter.working")))}
		m.body.Refresh()
		m.applyView(true)
		return
	}
	m.showBody()
	m.showStatus()
}

// sortColumnKey is the title key of a column the current order sorts by.
func (m *Main) sortColumnKey() string {
	for _, c := range columnsOf(m.model.register.Kind) {
		if k, ok := sortKeyOf(m.model.register.Kind, c.key); ok && k == m.order.Key {
			return c.key
		}
	}
	return ""
}

// showBody shows the table, or a sentence when there is nothing to show.
func (m *Main) showBody() {
	switch {
	case m.model.Len() > 0:
		m.body.Objects = []fyne.CanvasObject{m.Table}
	case m.model.viewing():
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("filter.none")))}
	default:
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("register.empty")))}
	}
	m.body.Refresh()
}

// showStatus writes the count (of the view, and of the register) below.
func (m *Main) showStatus() {
	title := registerTitle(m.model.register)
	switch {
	case m.working:
		m.Status.SetText(T("filter.working") + "  ·  " + title)
	case m.model.viewing() && !m.filter.Empty():
		m.Status.SetText(T("filter.count", map[string]any{"Count": m.model.Len(), "Total": m.model.Total()}) + "  ·  " + title)
	default:
		m.Status.SetText(T("register.count", map[string]any{"Count": m.model.Len()}) + "  ·  " + title)
	}
	if n := m.model.provisionalCount(); n > 0 {
		m.Status.SetText(m.Status.Text + "  ·  " + T("journal.provisional_count", map[string]any{"Count": n}))
	}
}

// sortBy is a tap on column col's title: sort by it, or the other way
// round when the register is already sorted by it.
func (m *Main) sortBy(col int) {
	if m.model == nil {
		return
	}
	cols := columnsOf(m.model.register.Kind)
	if col < 0 || col >= len(cols) {
		return
	}
	key, ok := sortKeyOf(m.model.register.Kind, cols[col].key)
	if !ok {
		return
	}
	if m.order.Key == key {
		m.order.Asc = !m.order.Asc
	} else {
		m.order = docstore.RegisterSort{Key: key, Asc: firstDirection(key)}
	}
	m.applyView(true)
}

// stopView cancels a view still being computed; its result, should it
// arrive anyway, is dropped (gen).
func (m *Main) stopView() {
	m.gen++
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	m.working = false
}

// applyView shows the register in m.filter and m.order. The register's own
// order is paged directly; any other is computed in the background (the
// status line says "đang lọc…" meanwhile, the rows shown stay until then),
// and a newer change cancels the computation and wins. top scrolls the
// table back to its first row when the view arrives.
func (m *Main) applyView(top bool) {
	if m.model == nil {
		return
	}
	m.stopView()
	m.Table.Refresh() // the arrows
	if m.filter.Empty() && m.order.IsDefault() {
		m.model.setView(nil)
		m.Table.ScrollToTop()
		m.showBody()
		m.showStatus()
		return
	}
	gen, model := m.gen, m.model
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.working = cancel, true
	m.showStatus()
	st, viewer, reg, f, o := m.st, m.viewer, model.register.ID, m.filter, m.order
	goBackground(func() {
		ids, err := st.RegisterView(ctx, viewer, reg, f, o)
		OnMain(func() {
			if gen != m.gen || model != m.model { // a newer request, or another register
				return
			}
			cancel()
			m.cancel, m.working = nil, false
			if err != nil {
				m.Status.SetText(ErrorText(err))
				return
			}
			model.setView(ids)
			if top {
				m.Table.ScrollToTop()
			}
			m.Table.Refresh()
			m.showBody()
			m.showStatus()
		})
	})
}

// Working reports whether a view is being computed.
func (m *Main) Working() bool { return m.working }

// Refresh re-reads the open register (after a change made elsewhere).
func (m *Main) Refresh() {
	if m.model == nil {
		return
	}
	if m.model.viewing() || m.working {
		m.model.reload()
		m.applyView(false) // the change may move documents in or out of the view
		return
	}
	m.model.reload()
	m.Table.Refresh()
	m.showBody()
	m.showStatus()
}

// ShowRegister opens a register by id, if the viewer may see it.
func (m *Main) ShowRegister(id string) {
	if m.Picker == nil { // no agency yet
		return
	}
	for _, r := range m.regs {
		if r.ID == id {
			m.Picker.SetSelected(registerTitle(r))
		}
	}
}

// Rows is the number of documents in the open register.
func (m *Main) Rows() int {
	if m.model == nil {
		return 0
	}
	return m.model.Len()
}
