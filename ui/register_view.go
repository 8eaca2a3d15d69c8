package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// registerModel serves a register's rows to a virtual table a page at a
// time; only the pages on screen (and a few around) are in memory.
type registerModel struct {
	st       *docstore.Store
	viewer   string
	register docstore.Register

	today func() string // YYYY-MM-DD in Vietnam

	mu    sync.Mutex
	count int
	pages map[int][]docstore.DocumentRow
	order []int // page numbers, least recently used first
	err   error
}

const (
	pageSize = 100
	maxPages = 8
)

func newRegisterModel(st *docstore.Store, viewer string, reg docstore.Register) *registerModel {
	m := &registerModel{st: st, viewer: viewer, register: reg, pages: map[int][]docstore.DocumentRow{}, today: st.Today}
	m.reload()
	return m
}

// reload re-reads the count and drops the cached pages (after a change).
func (m *registerModel) reload() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pages = map[int][]docstore.DocumentRow{}
	m.order = nil
	m.count, m.err = m.st.RegisterCount(context.Background(), m.viewer, m.register.ID)
}

func (m *registerModel) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count
}

// loaded is how many rows the model holds in memory (the probe checks
// that scrolling a million rows keeps only a few pages).
func (m *registerModel) loaded() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, p := range m.pages {
		n += len(p)
	}
	return n
}

// Row returns row i (0 = newest), reading its page when needed.
func (m *registerModel) Row(i int) (docstore.DocumentRow, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := i / pageSize
	rows, ok := m.pages[p]
	if !ok {
		var err error
		rows, err = m.st.ListRegister(context.Background(), m.viewer, m.register.ID, p*pageSize, pageSize)
		if err != nil {
			m.err = err
			return docstore.DocumentRow{}, false
		}
		m.pages[p] = rows
		m.order = append(m.order, p)
		if len(m.order) > maxPages {
			delete(m.pages, m.order[0])
			m.order = m.order[1:]
		}
	}
	if i%pageSize >= len(rows) {
		return docstore.DocumentRow{}, false
	}
	return rows[i%pageSize], true
}

// column is one register column: its title key, width and cell text.
type column struct {
	key   string
	width float32
	text  func(d docstore.DocumentRow) string
}

func dmy(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

func typeAndSubject(d docstore.DocumentRow) string {
	t, _ := docstore.LookupDocType(d.Type)
	return t.Name + " — " + d.Subject
}

// Columns of the Decree 30 registers (Phụ lục IV); Ký nhận is a paper
// signature column and is left to the printed register.
var incomingColumns = []column{
	{"col.arrival", 95, func(d docstore.DocumentRow) string { return dmy(d.ArrivalDate) }},
	{"col.number_in", 72, func(d docstore.DocumentRow) string { return fmt.Sprint(d.Number) }},
	{"col.issuer", 230, func(d docstore.DocumentRow) string { return d.Issuer }},
	{"col.notation", 150, func(d docstore.DocumentRow) string { return d.Notation }},
	{"col.doc_date", 118, func(d docstore.DocumentRow) string { return dmy(d.DocDate) }},
	{"col.subject", 430, typeAndSubject},
	{"col.urgency", 118, func(d docstore.DocumentRow) string { return T(fmt.Sprintf("urgency.%d", d.Urgency)) }},
	{"col.recipients", 200, func(d docstore.DocumentRow) string { return d.Recipients }},
	{"col.forwarded", 95, func(d docstore.DocumentRow) string { return dmy(d.ForwardedDate) }},
	{"col.note", 160, func(d docstore.DocumentRow) string { return d.Note }},
}

var outgoingColumns = []column{
	{"col.notation", 150, func(d docstore.DocumentRow) string { return d.Notation }},
	{"col.doc_date", 118, func(d docstore.DocumentRow) string { return dmy(d.DocDate) }},
	{"col.subject", 430, typeAndSubject},
	{"col.signer", 260, func(d docstore.DocumentRow) string {
		return d.Signer + " — " + d.SignerAuthority + " " + d.SignerTitle
	}},
	{"col.dest", 220, func(d docstore.DocumentRow) string { return d.Recipients }},
	{"col.copy_holder", 180, func(d docstore.DocumentRow) string { return d.CopyHolder }},
	{"col.copies", 70, func(d docstore.DocumentRow) string { return fmt.Sprint(d.Copies) }},
	{"col.forwarded", 95, func(d docstore.DocumentRow) string { return dmy(d.ForwardedDate) }},
	{"col.note", 160, func(d docstore.DocumentRow) string { return d.Note }},
}

// newRegisterTable is a virtual table over the model: Fyne creates only the
// cells on screen and asks the model for their rows.
func newRegisterTable(m *registerModel) *widget.Table {
	cols := incomingColumns
	if m.register.Kind == docstore.KindOutgoing {
		cols = outgoingColumns
	}
	t := widget.NewTable(
		func() (int, int) { return m.Len(), len(cols) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			d, ok := m.Row(id.Row)
			if !ok {
				l.SetText("")
				return
			}
			l.TextStyle.Bold = d.Urgency >= docstore.UrgencyHigh
			// Overdue rows red, due-soon amber (documents not yet done).
			l.Importance = widget.MediumImportance
			if d.Kind == docstore.KindIncoming && d.Status != docstore.DocDone {
				switch docstore.DeadlineOn(d.DueDate, m.today()) {
				case docstore.Overdue:
					l.Importance = widget.DangerImportance
				case docstore.DueSoon:
					l.Importance = widget.WarningImportance
				}
			}
			// One line per cell: nơi nhận and notes are often several lines.
			l.SetText(strings.Join(strings.Fields(cols[id.Col].text(d)), " "))
		},
	)
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.TextStyle.Bold = true
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(T(cols[id.Col].key))
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
	return t
}
