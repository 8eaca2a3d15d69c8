package ui

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// registerModel serves a register's rows to a virtual table a page at a
// time; only the pages on screen (and a few around) are in memory.
//
// In the register's own order (newest number first, no filter) a page is a
// keyset read of the register (ListRegister). A filtered or sorted register
// is a view: the ordered rowids of its documents (8 bytes a row, computed
// in the background by Main), and a page is those 100 rowids read at once
// (DocumentsByRowid).
type registerModel struct {
	st       *docstore.Store
	viewer   string
	register docstore.Register

	today func() string // YYYY-MM-DD in Vietnam

	mu    sync.Mutex
	count int
	total int     // documents in the register (the view's count is len(ids))
	ids   []int64 // the view; nil in the register's own order
	pages map[int][]docstore.DocumentRow
	order []int // page numbers, least recently used first
	err   error
	// onError is told (on the main goroutine) when a page cannot be read.
	onError func(error)

	// pending: the documents registered here while offline, whose number
	// the journal has not confirmed yet (read once per reload: few);
	// pendingHere of them in this register.
	pending     map[string]bool
	pendingHere int
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
	m.total, m.err = m.st.RegisterCount(context.Background(), m.viewer, m.register.ID)
	m.count = m.total
	if m.ids != nil {
		m.count = len(m.ids)
	}
	m.pending, m.pendingHere = pendingIn(m.st, m.viewer, m.register.ID)
}

// pendingIn reads the documents whose number is provisional, and how many
// of them are in register reg.
func pendingIn(st *docstore.Store, viewer, reg string) (map[string]bool, int) {
	ctx := context.Background()
	pending, err := st.PendingDocuments(ctx)
	if err != nil || len(pending) == 0 {
		return nil, 0
	}
	here := 0
	for id := range pending {
		if d, err := st.Document(ctx, viewer, id); err == nil && d.RegisterID == reg {
			here++
		}
	}
	return pending, here
}

// provisional reports whether document id's number waits for the
// journal's confirmation.
func (m *registerModel) provisional(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pending[id]
}

// provisionalCount is how many documents of the register have a
// provisional number.
func (m *registerModel) provisionalCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pendingHere
}

// provisionalNumber marks a number the journal has not confirmed yet.
func provisionalNumber(number string) string {
	return T("journal.provisional", map[string]any{"Number": number})
}

// setView shows the documents of ids, in that order; nil goes back to the
// register's own order.
func (m *registerModel) setView(ids []int64) {
	m.mu.Lock()
	m.ids = ids
	m.mu.Unlock()
	m.reload()
}

// viewing reports whether the model shows a view rather than the register.
func (m *registerModel) viewing() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ids != nil
}

func (m *registerModel) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.count
}

// Total is the number of documents in the register, whatever the view.
func (m *registerModel) Total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total
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

// Row returns row i (0 = first shown), reading its page when needed.
func (m *registerModel) Row(i int) (docstore.DocumentRow, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i < 0 || i >= m.count {
		return docstore.DocumentRow{}, false
	}
	p := i / pageSize
	rows, ok := m.pages[p]
	if !ok {
		var err error
		rows, err = m.readPage(p)
		if err != nil {
			m.err = err
			if m.onError != nil { // queued: runs after this cell, without the model's lock
				OnMain(func() { m.onError(err) })
			}
			return docstore.DocumentRow{}, false
		}
		m.pages[p] = rows
		m.order = append(m.order, p)
		if len(m.order) > maxPages {
			delete(m.pages, m.order[0])
			m.order = m.order[1:]
		}
	}
	if i%pageSize >= len(rows) || rows[i%pageSize].ID == "" {
		return docstore.DocumentRow{}, false
	}
	return rows[i%pageSize], true
}

// readPage reads page p (m.mu held).
func (m *registerModel) readPage(p int) ([]docstore.DocumentRow, error) {
	ctx := context.Background()
	if m.ids == nil {
		return m.st.ListRegister(ctx, m.viewer, m.register.ID, p*pageSize, pageSize)
	}
	ids := m.ids[p*pageSize : min((p+1)*pageSize, len(m.ids))]
	docs, err := m.st.DocumentsByRowid(ctx, m.viewer, ids)
	if err != nil {
		return nil, err
	}
	// Row i of the page is ids[i]; one the viewer may no longer see (a
	// clearance lowered meanwhile) stays an empty row.
	rows := make([]docstore.DocumentRow, len(ids))
	at := 0
	for i, id := range ids {
		if at < len(docs) && docs[at].RowID() == id {
			rows[i] = docs[at]
			at++
		}
	}
	return rows, nil
}

// column is one register column: its title key, width and cell text.
type column struct {
	key   string
	width float32
	text  func(d docstore.DocumentRow) string
}

// sortKeyOf is the order a tap on a column's header asks for, if any. The
// outgoing Số, ký hiệu column sorts by the number, the incoming one by the
// folded text of the số ký hiệu.
func sortKeyOf(kind, col string) (docstore.SortKey, bool) {
	switch col {
	case "col.arrival":
		return docstore.SortArrival, true
	case "col.number_in":
		return docstore.SortNumber, true
	case "col.issuer":
		return docstore.SortIssuer, true
	case "col.doc_date":
		return docstore.SortDocDate, true
	case "col.urgency":
		return docstore.SortUrgency, true
	case "col.notation":
		if kind == docstore.KindOutgoing {
			return docstore.SortNumber, true
		}
		return docstore.SortNotation, true
	}
	return 0, false
}

// firstDirection is the direction a column sorts in at its first tap:
// numbers and dates newest first, the most urgent first, names A to Z.
func firstDirection(k docstore.SortKey) bool {
	return k == docstore.SortIssuer || k == docstore.SortNotation
}

func columnsOf(kind string) []column {
	if kind == docstore.KindOutgoing {
		return outgoingColumns
	}
	return incomingColumns
}

// sortHeader is a column title that sorts the register when tapped; an
// arrow beside the title shows the current order.
type sortHeader struct {
	widget.BaseWidget
	label *widget.Label
	arrow *widget.Icon
	col   int
	onTap func(col int)
}

func newSortHeader() *sortHeader {
	h := &sortHeader{label: widget.NewLabel(""), arrow: widget.NewIcon(nil), col: -1}
	h.label.TextStyle.Bold = true
	h.label.Truncation = fyne.TextTruncateEllipsis
	h.arrow.Hide()
	h.ExtendBaseWidget(h)
	return h
}

func (h *sortHeader) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, nil, h.arrow, h.label))
}

// Tapped sorts by this column (again: the other way round).
func (h *sortHeader) Tapped(*fyne.PointEvent) {
	if h.onTap != nil && h.col >= 0 {
		h.onTap(h.col)
	}
}

// Cursor is a hand over a sortable title.
func (h *sortHeader) Cursor() desktop.Cursor {
	if h.onTap != nil {
		return desktop.PointerCursor
	}
	return desktop.DefaultCursor
}

// set shows column col's title; sorted is nil when the table is not sorted
// by it, else whether it is ascending.
func (h *sortHeader) set(col int, title string, sortable bool, sorted *bool, onTap func(int)) {
	h.col = col
	h.label.SetText(title)
	h.onTap = nil
	if sortable {
		h.onTap = onTap
	}
	switch {
	case sorted == nil:
		h.arrow.Hide()
	case *sorted:
		h.arrow.SetResource(theme.MoveUpIcon())
		h.arrow.Show()
	default:
		h.arrow.SetResource(theme.MoveDownIcon())
		h.arrow.Show()
	}
}

func dmy(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

func urgencyBadge(d docstore.DocumentRow) string {
	if d.Urgency == docstore.UrgencyNormal {
		return ""
	}
	return T(fmt.Sprintf("urgency.%d", d.Urgency))
}

func typeAndSubject(d docstore.DocumentRow) string {
	t, _ := docstore.LookupDocType(d.Type)
	return t.Name + " — " + d.Subject
}

// Columns of the Decree 30 registers (Phụ lục IV); Ký nhận is a paper
// signature column and is left to the printed register.
var incomingColumns = []column{
	{"col.arrival", 95, func(d docstore.DocumentRow) string { return dmy(d.ArrivalDate) }},
	{"col.number_in", 92, func(d docstore.DocumentRow) string { return fmt.Sprint(d.Number) }},
	// Độ khẩn early, as a badge that is blank for thường: on a 1366-pixel
	// screen it must be in view with the number (Decree 30's printed
	// register keeps it in the notes; the screen is not the paper).
	{"col.urgency", 112, urgencyBadge},
	{"col.issuer", 220, func(d docstore.DocumentRow) string { return d.Issuer }},
	{"col.notation", 150, func(d docstore.DocumentRow) string { return d.Notation }},
	{"col.doc_date", 118, func(d docstore.DocumentRow) string { return dmy(d.DocDate) }},
	{"col.subject", 430, typeAndSubject},
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
// cells on screen and asks the model for their rows. order gives the
// current sort (for the arrows); a tap on a sortable title calls onSort
// with its column.
func newRegisterTable(m *registerModel, order func() docstore.RegisterSort, onSort func(col int)) *registerTable {
	cols := columnsOf(m.register.Kind)
	// No rows until the table has a size: Fyne 2.7.1's table, asked to
	// refresh before its first layout (SetColumnWidth does), counts every
	// row as visible and makes a divider for each — a million widgets, 30 s
	// and 1.6 GB for a 1,000,000-document register. Its first layout asks
	// for the length again.
	t := &registerTable{}
	t.Length = func() (int, int) {
		if t.Size().Height <= 0 {
			return 0, len(cols)
		}
		return m.Len(), len(cols)
	}
	t.CreateCell = func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		badge := canvas.NewRectangle(color.Transparent)
		badge.CornerRadius = 4
		return container.NewStack(badge, l)
	}
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		badge, l := cellParts(o)
		badge.FillColor = color.Transparent
		d, ok := m.Row(id.Row)
		if !ok {
			l.SetText("")
			badge.Refresh()
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
		// Độ khẩn as a badge, the way the stamp stands out on paper.
		if cols[id.Col].key == "col.urgency" && d.Urgency > docstore.UrgencyNormal {
			badge.FillColor = urgencyColors[min(int(d.Urgency), len(urgencyColors)-1)]
			l.TextStyle.Bold = true
		}
		badge.Refresh()
		// One line per cell: nơi nhận and notes are often several lines.
		text := strings.Join(strings.Fields(cols[id.Col].text(d)), " ")
		l.TextStyle.Italic = false
		if numberColumn(d.Kind, cols[id.Col].key) && m.provisional(d.ID) {
			text = provisionalNumber(text)
			l.TextStyle.Italic = true
		}
		l.SetText(text)
	}
	t.ExtendBaseWidget(t)
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject { return newSortHeader() }
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col < 0 || id.Col >= len(cols) {
			return
		}
		key, sortable := sortKeyOf(m.register.Kind, cols[id.Col].key)
		var sorted *bool
		if o := order(); sortable && o.Key == key {
			sorted = &o.Asc
		}
		o.(*sortHeader).set(id.Col, T(cols[id.Col].key), sortable, sorted, onSort)
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
	return t
}

// numberColumn: the column holding a document's number in its register
// (số đến; the outgoing số, ký hiệu).
func numberColumn(kind, col string) bool {
	if kind == docstore.KindOutgoing {
		return col == "col.notation"
	}
	return col == "col.number_in"
}

// registerTable is the register's virtual table; Enter opens the
// highlighted row as Space does in Fyne (clerks press Enter). Rows are not
// counted before the first layout: see newRegisterTable.
type registerTable struct{ widget.Table }

func (t *registerTable) TypedKey(ev *fyne.KeyEvent) { t.Table.TypedKey(enterAsSpace(ev)) }

// urgencyColors are the badge tints for khẩn, thượng khẩn and hỏa tốc:
// light enough for the dark text to stay readable.
var urgencyColors = []color.Color{
	color.Transparent,
	color.NRGBA{R: 0xff, G: 0xe0, B: 0x99, A: 0xff}, // khẩn: amber
	color.NRGBA{R: 0xff, G: 0xc0, B: 0x99, A: 0xff}, // thượng khẩn: orange
	color.NRGBA{R: 0xff, G: 0xa8, B: 0xa8, A: 0xff}, // hỏa tốc: red
}

// cellParts is a register cell's badge and text.
func cellParts(o fyne.CanvasObject) (*canvas.Rectangle, *widget.Label) {
	c := o.(*fyne.Container)
	return c.Objects[0].(*canvas.Rectangle), c.Objects[1].(*widget.Label)
}
