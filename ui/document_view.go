package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail/edxml"
	"congvu/mail/exchange"
)

// DocumentView is one incoming document: its register line, attachments,
// the leader's direction form, the handlers' actions and the timeline.
type DocumentView struct {
	st      *docstore.Store
	viewer  string
	docID   string
	changed func()

	Doc       docstore.DocumentRow
	Work      []docstore.Assignment
	Steps     []docstore.Step
	Message   *widget.Label
	ChuTri    *widget.Select
	PhoiHop   *widget.CheckGroup
	Deadline  *widget.Entry
	Comment   *widget.Entry
	DirectBtn *widget.Button
	Actions   map[string][]*widget.Button // assignment id → nhận xử lý / hoàn thành / trả lại
	Reason    *widget.Entry
	Content   fyne.CanvasObject
	// Provisional: the number waits for the journal's confirmation
	// (registered offline); Number then shows it, marked "(tạm)".
	Provisional bool
	Number      *widget.Label

	// Attachments and, beside each, its "Lưu thành…" button (same order).
	Attachments []docstore.Attachment
	SaveButtons []*widget.Button
	// Signatures: under each PDF attachment (by SHA-256), what its digital
	// signature says.
	Signatures map[string]*widget.Label

	assignees []docstore.AssignmentInput // options of ChuTri, same order
	units     map[string]string          // unit name → id, for PhoiHop

	// Exchange tells the agency a document came from by edXML how it is
	// handled: 04 when directed, 05 when the handler takes it, 06 when it
	// is done (nil: no mail service, as in the demo).
	Exchange *exchange.Exchange
	// For an issued outgoing document: where it stands at each agency it
	// was sent to by edXML, and the buttons to send and to take it back.
	Recipients     []docstore.ExchangeRecipient
	SendExchange   *widget.Button
	RevokeExchange *widget.Button
	body           *fyne.Container
}

// NewDocumentView loads a document the viewer may see; changed is called
// after an action so the caller can refresh counters.
func NewDocumentView(st *docstore.Store, viewer, docID string, back, changed func()) *DocumentView {
	return newDocumentView(st, viewer, docID, back, changed, nil)
}

// newDocumentView is NewDocumentView with the exchange known before the
// document is read (the window's way: one load, not two).
func newDocumentView(st *docstore.Store, viewer, docID string, back, changed func(), x *exchange.Exchange) *DocumentView {
	v := &DocumentView{st: st, viewer: viewer, docID: docID, changed: changed, Actions: map[string][]*widget.Button{}, Exchange: x}
	v.Message = widget.NewLabel("")
	v.Message.Wrapping = fyne.TextWrapWord
	body := container.NewVBox()
	v.body = body
	v.Content = container.NewBorder(container.NewHBox(widget.NewButton(T("doc.back"), back)), nil, nil, nil, container.NewVScroll(body))
	v.reload(body)
	return v
}

// SetExchange gives the view the mail service's exchange (after it was
// built): an outgoing document then shows its liên thông section.
func (v *DocumentView) SetExchange(x *exchange.Exchange) {
	v.Exchange = x
	if x != nil && v.Doc.Kind == docstore.KindOutgoing {
		v.reload(v.body)
	}
}

func (v *DocumentView) reload(body *fyne.Container) {
	ctx := context.Background()
	body.RemoveAll()
	v.Actions = map[string][]*widget.Button{}
	var err error
	if v.Doc, err = v.st.Document(ctx, v.viewer, v.docID); err != nil {
		body.Add(widget.NewLabel(ErrorText(err)))
		return
	}
	v.Work, _ = v.st.Assignments(ctx, v.viewer, v.docID)
	v.Steps, _ = v.st.Timeline(ctx, v.viewer, "document", v.docID)
	d := v.Doc

	title := widget.NewLabel(typeAndSubject(d))
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	body.Add(title)
	meta := container.NewGridWithColumns(4)
	pending, _ := v.st.PendingDocuments(ctx)
	v.Provisional, v.Number = pending[d.ID], nil
	for _, kv := range [][2]string{
		{"col.number_in", fmt.Sprint(d.Number)}, {"col.arrival", dmy(d.ArrivalDate)}, {"col.issuer", d.Issuer}, {"col.notation", d.Notation},
		{"col.doc_date", dmy(d.DocDate)}, {"col.urgency", T(fmt.Sprintf("urgency.%d", d.Urgency))}, {"col.secrecy", T(fmt.Sprintf("secrecy.%d", d.Secrecy))},
		{"col.due", dmy(d.DueDate)}, {"doc.status", T("status." + d.Status)}, {"col.recipients", d.Recipients}, {"col.forwarded", dmy(d.ForwardedDate)}, {"col.note", d.Note},
	} {
		k := widget.NewLabel(T(kv[0]))
		k.TextStyle.Bold = true
		val := widget.NewLabel(kv[1])
		val.Wrapping = fyne.TextWrapWord
		if v.Provisional && numberColumn(d.Kind, kv[0]) {
			val.SetText(provisionalNumber(kv[1]))
			val.TextStyle.Italic = true
			v.Number = val
		}
		meta.Add(k)
		meta.Add(val)
	}
	body.Add(meta)
	if v.Provisional {
		note := widget.NewLabel(T("journal.provisional_doc"))
		note.Wrapping = fyne.TextWrapWord
		note.TextStyle.Italic = true // as the number it explains
		body.Add(note)
	}

	if d.Kind == docstore.KindOutgoing && d.Number > 0 && v.Exchange != nil {
		body.Add(v.exchangeSection(ctx, body))
	}

	v.Attachments, _ = v.st.Attachments(ctx, v.viewer, v.docID)
	v.SaveButtons = nil
	if len(v.Attachments) > 0 {
		body.Add(heading("doc.attachments"))
		for i, a := range v.Attachments {
			open := widget.NewButton(T("doc.open"), func() { v.open(a) })
			save := widget.NewButton(T("file.save_as"), func() {
				askSaveAs(windowFor(v.Content), v.Message, a, func(w fyne.URIWriteCloser) { v.SaveAttachment(i, w) })
			})
			v.SaveButtons = append(v.SaveButtons, save)
			body.Add(container.NewBorder(nil, nil, nil, container.NewHBox(open, save),
				widget.NewLabel(fmt.Sprintf("%s (%s)", a.Name, sizeText(a.Size)))))
			if isPDF(a.Name) {
				body.Add(v.signatureLine(a))
			}
		}
	}

	body.Add(heading("doc.assignments"))
	if len(v.Work) == 0 {
		body.Add(widget.NewLabel(T("doc.no_assignments")))
	}
	v.Reason = widget.NewEntry()
	v.Reason.SetPlaceHolder(T("doc.reason"))
	me := v.me()
	for _, a := range v.Work {
		a := a
		line := fmt.Sprintf("%s — %s — %s %s — %s", a.AssigneeName, T("role."+a.Role), T("doc.deadline"), dmy(a.Deadline), T("as."+a.State))
		if a.Reason != "" {
			line += " (" + a.Reason + ")"
		}
		row := container.NewHBox(widget.NewLabel(line))
		if (a.Kind == "person" && a.Assignee == me.ID) || (a.Kind == "unit" && a.Assignee == me.UnitID) {
			var btns []*widget.Button
			for _, act := range []struct {
				key string
				fn  func() error
			}{
				{"doc.accept", func() error {
					return v.then(v.st.AcceptAssignment(ctx, v.viewer, a.ID), edxml.StatusInProgress, T("exchange.status.in_progress"))
				}},
				{"doc.complete", func() error { return v.completed(v.st.CompleteAssignment(ctx, v.viewer, a.ID)) }},
				{"doc.return", func() error { return v.st.ReturnAssignment(ctx, v.viewer, a.ID, v.Reason.Text) }},
			} {
				act := act
				b := widget.NewButton(T(act.key), func() { v.do(body, act.fn) })
				btns = append(btns, b)
				row.Add(b)
			}
			v.Actions[a.ID] = btns
		}
		body.Add(row)
	}
	if len(v.Actions) > 0 {
		body.Add(v.Reason)
	}

	if me.leader && d.Status != docstore.DocDone {
		body.Add(v.directionForm(body, me))
	}

	body.Add(heading("doc.timeline"))
	for _, st := range v.Steps {
		line := fmt.Sprintf("%s  ·  %s  ·  %s", stamp(st.At), st.ActorName, T("step."+st.Action))
		if st.Comment != "" {
			line += ": " + st.Comment
		}
		body.Add(widget.NewLabel(line))
	}
	body.Add(v.Message)
	body.Refresh()
}

type viewerSelf struct {
	ID, UnitID    string
	leader, clerk bool
	people        []docstore.Person
}

func (v *DocumentView) me() viewerSelf {
	people, _ := v.st.People(context.Background())
	self := viewerSelf{ID: v.viewer, people: people}
	for _, p := range people {
		if p.ID == v.viewer {
			self.UnitID = p.UnitID
			self.leader = p.Has(docstore.RoleAgencyLeader, docstore.RoleUnitHead)
			self.clerk = p.Has(docstore.RoleClerk)
		}
	}
	return self
}

// directionForm is the leader's bút phê: one chủ trì (a person), units
// phối hợp, one deadline, a comment.
func (v *DocumentView) directionForm(body *fyne.Container, me viewerSelf) fyne.CanvasObject {
	var names []string
	v.assignees = nil
	v.units = map[string]string{}
	var unitNames []string
	for _, p := range me.people {
		if p.Clearance < v.Doc.Secrecy {
			continue
		}
		names = append(names, p.FullName+" — "+p.Title+" ("+p.UnitName+")")
		v.assignees = append(v.assignees, docstore.AssignmentInput{Kind: "person", Assignee: p.ID, Role: "chu_tri"})
		if p.UnitName != "" && v.units[p.UnitName] == "" {
			v.units[p.UnitName] = p.UnitID
			unitNames = append(unitNames, p.UnitName)
		}
	}
	v.ChuTri = widget.NewSelect(names, nil)
	v.ChuTri.PlaceHolder = T("doc.pick_chu_tri")
	v.PhoiHop = widget.NewCheckGroup(unitNames, nil)
	v.Deadline = widget.NewEntry()
	v.Deadline.SetPlaceHolder("dd/mm/yyyy")
	v.Comment = widget.NewMultiLineEntry()
	v.Comment.SetPlaceHolder(T("doc.comment"))
	v.DirectBtn = widget.NewButton(T("doc.direct"), func() {
		dir, err := v.direction()
		if err != nil {
			v.Message.SetText(ErrorText(err))
			return
		}
		v.do(body, func() error {
			_, err := v.st.Direct(context.Background(), v.viewer, dir)
			return v.then(err, edxml.StatusAssigned, T("exchange.status.assigned", map[string]any{"Name": v.ChuTri.Selected}))
		})
	})
	v.DirectBtn.Importance = widget.HighImportance
	form := container.NewGridWithColumns(2,
		container.NewVBox(widget.NewLabel(T("doc.pick_chu_tri")), v.ChuTri, widget.NewLabel(T("doc.deadline_full")), v.Deadline,
			widget.NewLabel(T("doc.comment")), v.Comment, container.NewHBox(v.DirectBtn)),
		container.NewVBox(widget.NewLabel(T("doc.phoi_hop_units")), v.PhoiHop))
	return container.NewVBox(heading("doc.direction"), form)
}

func (v *DocumentView) direction() (docstore.Direction, error) {
	dir := docstore.Direction{DocID: v.docID, Comment: v.Comment.Text}
	deadline, ok := parseDMY(v.Deadline.Text)
	if !ok {
		return dir, &docstore.FieldError{Field: "deadline", Reason: "format"}
	}
	i := v.ChuTri.SelectedIndex()
	if i < 0 {
		return dir, &docstore.FieldError{Field: "assignments", Reason: "one_chu_tri"}
	}
	main := v.assignees[i]
	main.Deadline = deadline
	dir.Assignments = append(dir.Assignments, main)
	for _, u := range v.PhoiHop.Selected {
		dir.Assignments = append(dir.Assignments, docstore.AssignmentInput{Kind: "unit", Assignee: v.units[u], Role: "phoi_hop", Deadline: deadline})
	}
	return dir, nil
}

// do runs a store action off the main goroutine and reloads the view.
// then reports code to the agency the document came from, once the step
// (err) succeeded; a report that cannot be queued is said, the step stays.
func (v *DocumentView) then(err error, code edxml.StatusCode, text string) error {
	if err != nil || v.Exchange == nil {
		return err
	}
	if rerr := v.Exchange.Report(context.Background(), v.viewer, v.docID, code, text); rerr != nil {
		return &reportError{rerr}
	}
	return nil
}

// completed reports 06 when the step finished the document's handling.
func (v *DocumentView) completed(err error) error {
	if err != nil {
		return err
	}
	d, derr := v.st.Document(context.Background(), v.viewer, v.docID)
	if derr != nil || d.Status != docstore.DocDone {
		return nil
	}
	return v.then(nil, edxml.StatusCompleted, T("exchange.status.completed"))
}

// reportError: the step was taken, but the status for the sending agency
// could not be queued.
type reportError struct{ err error }

func (e *reportError) Error() string { return e.err.Error() }
func (e *reportError) Unwrap() error { return e.err }
func (e *reportError) Sentence() string {
	return T("exchange.report_failed", map[string]any{"Reason": ErrorText(e.err)})
}

func (v *DocumentView) do(body *fyne.Container, fn func() error) {
	goBackground(func() {
		err := fn()
		OnMain(func() {
			var re *reportError
			if err != nil && !errors.As(err, &re) {
				v.Message.SetText(ErrorText(err))
				return
			}
			v.reload(body)
			v.Message.SetText(T("doc.saved"))
			if re != nil { // saved; only the report to the sender is missing
				v.Message.SetText(ErrorText(err))
			}
			if v.changed != nil {
				v.changed()
			}
		})
	})
}

// SaveAttachment copies attachment i to w (what the save dialog of its
// "Lưu thành…" button returned), in the background: see saveCopy.
func (v *DocumentView) SaveAttachment(i int, w fyne.URIWriteCloser) {
	if i < 0 || i >= len(v.Attachments) {
		w.Close()
		return
	}
	saveCopy(v.st, v.Attachments[i], w, v.SaveButtons[i], v.Message, nil)
}

// open hands the attachment to the system viewer (the blob's path; the
// original name is only shown, never used as a path).
func (v *DocumentView) open(a docstore.Attachment) { openBlob(v.st, v.Message, a.SHA256) }

// openBlob hands a stored file to the system viewer; a failure goes to msg.
func openBlob(st *docstore.Store, msg *widget.Label, sha string) {
	p, err := st.Blobs().Path(sha)
	if err != nil {
		msg.SetText(ErrorText(err))
		return
	}
	openPath(msg, p)
}

// openPath hands a local file to the system viewer; a failure goes to msg.
func openPath(msg *widget.Label, p string) {
	u := &url.URL{Scheme: "file", Path: filepath.ToSlash(p)}
	if app := fyne.CurrentApp(); app != nil {
		if err := app.OpenURL(u); err != nil {
			msg.SetText(ErrorText(err))
		}
	}
}

func heading(key string) *widget.Label {
	l := widget.NewLabel(T(key))
	l.TextStyle.Bold = true
	return l
}

// stamp shows an RFC 3339 UTC time as Vietnam local dd/mm/yyyy hh:mm.
func stamp(at string) string {
	t, err := parseStamp(at)
	if err != nil {
		return at
	}
	return t.Format("02/01/2006 15:04")
}

func parseStamp(at string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, at)
	return t.In(docstore.VietnamTime), err
}
