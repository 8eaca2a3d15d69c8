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
	User    *widget.Label
	Picker  *widget.Select
	Status  *widget.Label
	Table   *widget.Table
	model   *registerModel
	regs    []docstore.Register
	body    *fyne.Container
	Content fyne.CanvasObject
	// OnOpen is called with a document's id when its row is selected.
	OnOpen func(id string)
}

// NewMain builds the register view for viewer (a person id) over st: all
// the registers the viewer may see.
func NewMain(st *docstore.Store, viewer string) *Main { return NewRegisterPage(st, viewer, "") }

// NewRegisterPage is the register view limited to one kind of register
// (docstore.KindIncoming or KindOutgoing; "" for all).
func NewRegisterPage(st *docstore.Store, viewer, kind string) *Main {
	m := &Main{st: st, viewer: viewer}
	ctx := context.Background()
	m.Agency = widget.NewLabel("")
	m.Agency.TextStyle.Bold = true
	m.Agency.SizeName = "headingText"
	m.User = widget.NewLabel("")
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
	for _, p := range mustPeople(st) {
		if p.ID == viewer {
			m.User.SetText(T("app.user", map[string]any{"Name": p.FullName, "Title": p.Title}))
		}
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
	picker := container.NewGridWrap(fyne.NewSize(360, m.Picker.MinSize().Height), m.Picker)
	header := container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewLabel(T("register.pick")), picker),
		container.NewVBox(m.Agency, m.User))
	m.Content = container.NewBorder(header, m.Status, nil, nil, m.body)
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
	m.model = newRegisterModel(m.st, m.viewer, r)
	if m.model.err != nil {
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(ErrorText(m.model.err)))}
		m.body.Refresh()
		return
	}
	m.Table = newRegisterTable(m.model)
	m.Table.OnSelected = func(id widget.TableCellID) {
		if d, ok := m.model.Row(id.Row); ok && m.OnOpen != nil {
			m.OnOpen(d.ID)
		}
	}
	if m.model.Len() == 0 {
		m.body.Objects = []fyne.CanvasObject{container.NewCenter(widget.NewLabel(T("register.empty")))}
	} else {
		m.body.Objects = []fyne.CanvasObject{m.Table}
	}
	m.body.Refresh()
	m.Status.SetText(T("register.count", map[string]any{"Count": m.model.Len()}) + "  ·  " + registerTitle(r))
}

// Refresh re-reads the open register (after a change made elsewhere).
func (m *Main) Refresh() {
	if m.model == nil {
		return
	}
	m.model.reload()
	m.Table.Refresh()
	m.Status.SetText(T("register.count", map[string]any{"Count": m.model.Len()}) + "  ·  " + registerTitle(m.model.register))
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
