package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// filterBar is the row of compact filters above a register: loại, độ khẩn,
// độ mật (only the levels the viewer is cleared for), trạng thái (incoming),
// a date range (ngày đến for incoming, ngày văn bản for outgoing), người xử
// lý, and Xoá lọc. Every change calls onChange with the new filter; a date
// that cannot be read is said beside the fields and changes nothing.
type filterBar struct {
	Type, Urgency, Secrecy, Status, Handler *widget.Select
	From, To                                *widget.Entry
	DateMsg                                 *widget.Label
	Clear                                   *widget.Button
	Content                                 fyne.CanvasObject

	dateLabel *widget.Label
	statusBox *fyne.Container
	secBox    *fyne.Container
	types     []docstore.DocType
	statuses  []string
	people    []docstore.Person
	clearance docstore.Secrecy
	kind      string
	quiet     bool // set while the bar changes its own widgets
	onChange  func(docstore.RegisterFilter)
}

// incomingStatuses are the trạng thái an incoming document goes through;
// an outgoing one is always đã ban hành, so its page has no such filter.
var incomingStatuses = []string{docstore.DocAwaiting, docstore.DocInProgress, docstore.DocReturned, docstore.DocDone}

func newFilterBar(people []docstore.Person, viewer string, onChange func(docstore.RegisterFilter)) *filterBar {
	b := &filterBar{onChange: onChange}
	for _, p := range people {
		if p.ID == viewer {
			b.clearance = p.Clearance
		}
	}
	b.people = people
	changed := func(string) { b.changed(false) }
	b.Type = widget.NewSelect(nil, changed)
	urg := []string{T("filter.any_urgency")}
	for u := docstore.UrgencyNormal; u <= docstore.UrgencyFlash; u++ {
		urg = append(urg, T("urgency."+itoa(int(u))))
	}
	b.Urgency = widget.NewSelect(urg, changed)
	sec := []string{T("filter.any_secrecy")}
	for l := docstore.SecrecyNone; l <= b.clearance; l++ {
		sec = append(sec, T("secrecy."+itoa(int(l))))
	}
	b.Secrecy = widget.NewSelect(sec, changed)
	b.Status = widget.NewSelect(nil, changed)
	handlers := []string{T("filter.any_handler")}
	for _, p := range people {
		handlers = append(handlers, p.Label())
	}
	b.Handler = widget.NewSelect(handlers, changed)
	b.From = widget.NewEntry()
	b.To = widget.NewEntry()
	for _, e := range []*widget.Entry{b.From, b.To} {
		e.SetPlaceHolder(T("filter.date_hint"))
		e.OnChanged = func(string) { b.changed(true) }
		e.OnSubmitted = func(string) { b.submitted() }
	}
	b.DateMsg = widget.NewLabel("")
	b.DateMsg.Importance = widget.DangerImportance
	b.DateMsg.Truncation = fyne.TextTruncateEllipsis
	b.Clear = widget.NewButton(T("filter.clear"), b.reset)
	b.dateLabel = widget.NewLabel("")

	sized := func(w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	label := func(text string) *widget.Label { return widget.NewLabel(text) }
	b.statusBox = container.NewHBox(label(T("filter.status")), sized(150, b.Status))
	b.secBox = container.NewHBox(label(T("filter.secrecy")), sized(120, b.Secrecy))
	if b.clearance == docstore.SecrecyNone { // one level only: nothing to choose
		b.secBox.Hide()
	}
	row1 := container.NewBorder(nil, nil, container.NewHBox(
		label(T("filter.type")), sized(190, b.Type),
		label(T("filter.urgency")), sized(135, b.Urgency),
		b.secBox, b.statusBox,
	), b.Clear)
	row2 := container.NewBorder(nil, nil, container.NewHBox(
		label(T("filter.handler")), sized(290, b.Handler),
		b.dateLabel, sized(112, b.From), label(T("filter.to")), sized(112, b.To),
	), nil, b.DateMsg)
	b.Content = container.NewVBox(row1, row2)
	b.setKind(docstore.KindIncoming)
	b.reset0()
	return b
}

func itoa(n int) string { return string(rune('0' + n)) }

// setKind fits the bar to a register kind: the types it may hold, the
// trạng thái filter (incoming only) and the date the range applies to.
func (b *filterBar) setKind(kind string) bool {
	if kind == b.kind {
		return false
	}
	b.kind = kind
	b.types = nil
	opts := []string{T("filter.any_type")}
	for _, t := range docstore.DocTypes {
		if kind != docstore.KindOutgoing || t.Admin {
			b.types = append(b.types, t)
			opts = append(opts, t.Name)
		}
	}
	b.statuses = nil
	st := []string{T("filter.any_status")}
	if kind != docstore.KindOutgoing {
		b.statuses = incomingStatuses
		for _, s := range b.statuses {
			st = append(st, T("status."+s))
		}
	}
	b.quiet = true
	b.Type.Options = opts
	b.Type.SetSelectedIndex(0)
	b.Status.Options = st
	b.Status.SetSelectedIndex(0)
	b.quiet = false
	if kind == docstore.KindOutgoing {
		b.statusBox.Hide()
		b.dateLabel.SetText(T("filter.doc_date_from"))
	} else {
		b.statusBox.Show()
		b.dateLabel.SetText(T("filter.arrival_from"))
	}
	return true
}

// Filter reads the bar; ok is false while a date cannot be read (msg says
// why, in the user's language; "" while a date is still being typed).
func (b *filterBar) Filter() (f docstore.RegisterFilter, ok bool, msg string) {
	if i := b.Type.SelectedIndex(); i > 0 {
		f.Type = b.types[i-1].Code
	}
	if i := b.Urgency.SelectedIndex(); i > 0 {
		u := docstore.Urgency(i - 1)
		f.Urgency = &u
	}
	if i := b.Secrecy.SelectedIndex(); i > 0 {
		s := docstore.Secrecy(i - 1)
		f.Secrecy = &s
	}
	if i := b.Status.SelectedIndex(); i > 0 && i <= len(b.statuses) {
		f.Status = b.statuses[i-1]
	}
	if i := b.Handler.SelectedIndex(); i > 0 {
		f.Handler = b.people[i-1].ID
	}
	ok = true
	for _, d := range []struct {
		e  *widget.Entry
		to *string
	}{{b.From, &f.DateFrom}, {b.To, &f.DateTo}} {
		iso, good := parseDMY(d.e.Text)
		if !good {
			ok = false
			// A date is dd/mm/yyyy: say so once it could be complete.
			if len(strings.TrimSpace(d.e.Text)) >= len("1/1/2026") {
				msg = T("filter.bad_date")
			}
			continue
		}
		*d.to = iso
	}
	if ok && f.DateFrom != "" && f.DateTo != "" && f.DateFrom > f.DateTo {
		return f, false, T("filter.date_order")
	}
	return f, ok, msg
}

// changed applies the bar when what it says can be read. typing is true
// for a keystroke in a date field: a date typed only half is not an error
// yet, but it is when another filter cannot be applied because of it.
func (b *filterBar) changed(typing bool) {
	if b.quiet {
		return
	}
	f, ok, msg := b.Filter()
	if !ok && msg == "" && !typing {
		msg = T("filter.bad_date")
	}
	b.DateMsg.SetText(msg)
	if ok && b.onChange != nil {
		b.onChange(f)
	}
}

// submitted (Enter in a date field) says what is wrong even with a date
// typed only half.
func (b *filterBar) submitted() {
	b.changed(false)
}

// reset0 puts every filter back to "any", quietly.
func (b *filterBar) reset0() {
	b.quiet = true
	for _, s := range []*widget.Select{b.Type, b.Urgency, b.Secrecy, b.Status, b.Handler} {
		s.SetSelectedIndex(0)
	}
	b.From.SetText("")
	b.To.SetText("")
	b.DateMsg.SetText("")
	b.quiet = false
}

// reset is Xoá lọc: every filter back to "any" (the order stays).
func (b *filterBar) reset() {
	b.reset0()
	if b.onChange != nil {
		b.onChange(docstore.RegisterFilter{})
	}
}
