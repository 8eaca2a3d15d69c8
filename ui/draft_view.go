package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// DraftView is one draft in the approval flow. The buttons it offers follow
// the draft's state and who is looking; the store decides whether a step is
// allowed, so a wrong press gets the store's refusal in Vietnamese.
type DraftView struct {
	st      *docstore.Store
	viewer  string
	id      string
	changed func()

	Draft   docstore.Draft
	Steps   []docstore.Step
	Message *widget.Label
	Comment *widget.Entry

	// Submit: approver and optional unit head for ký nháy.
	Approver, Initialer *widget.Select
	// Sign: signing authority and title.
	Authority *widget.Select
	Title     *widget.Entry
	// Issue: outgoing register, nơi nhận, bản lưu, số bản.
	Register                   *widget.Select
	Recipients, Holder, Copies *widget.Entry
	IssueSource                *widget.RadioGroup // văn bản điện tử / bản giấy
	Preview                    *widget.Label
	Buttons                    map[string]*widget.Button // by action key: submit, initial, approve, return, sign, issue, cancel
	Content                    fyne.CanvasObject

	// Versions of the draft, first first, each with its "Lưu thành…" button
	// (same order); AddVersionButton ("Thêm phiên bản") is there for the
	// author while the draft is being edited or was returned, else nil.
	Versions         []docstore.DraftFile
	SaveButtons      []*widget.Button
	AddVersionButton *widget.Button

	leaders, heads []docstore.Person
	outRegs        []docstore.Register
	body           *fyne.Container
}

// NewDraftView loads a draft the viewer may see.
func NewDraftView(st *docstore.Store, viewer, id string, back, changed func()) *DraftView {
	v := &DraftView{st: st, viewer: viewer, id: id, changed: changed}
	v.Message = widget.NewLabel("")
	v.Message.Wrapping = fyne.TextWrapWord
	v.body = container.NewVBox()
	v.Content = container.NewBorder(container.NewHBox(widget.NewButton(T("doc.back"), back)), nil, nil, nil, container.NewVScroll(v.body))
	v.reload()
	return v
}

func (v *DraftView) reload() {
	ctx := context.Background()
	v.body.RemoveAll()
	v.Buttons = map[string]*widget.Button{}
	var err error
	if v.Draft, err = v.st.Draft(ctx, v.viewer, v.id); err != nil {
		v.body.Add(widget.NewLabel(ErrorText(err)))
		return
	}
	v.Steps, _ = v.st.Timeline(ctx, v.viewer, "draft", v.id)
	d := v.Draft
	t, _ := docstore.LookupDocType(d.Type)
	title := widget.NewLabel(t.Name + " — " + d.Subject)
	title.TextStyle.Bold = true
	title.Wrapping = fyne.TextWrapWord
	v.body.Add(title)
	v.body.Add(widget.NewLabel(fmt.Sprintf("%s: %s  ·  %s: %d  ·  %s: %s", T("doc.status"), T("draft."+d.State),
		T("draft.versions"), d.Versions, T("col.urgency"), T(fmt.Sprintf("urgency.%d", d.Urgency)))))
	v.body.Add(v.versionList())

	people, _ := v.st.People(ctx)
	v.leaders, v.heads = nil, nil
	var leaderNames, headNames []string
	clerk := false
	for _, p := range people {
		if p.Has(docstore.RoleAgencyLeader, docstore.RoleUnitHead) { // who may approve
			v.leaders = append(v.leaders, p)
			leaderNames = append(leaderNames, p.Label())
		}
		if p.Has(docstore.RoleUnitHead) { // who may initial
			v.heads = append(v.heads, p)
			headNames = append(headNames, p.Label())
		}
		clerk = clerk || (p.ID == v.viewer && p.Has(docstore.RoleClerk))
	}
	v.Comment = widget.NewMultiLineEntry()
	v.Comment.SetPlaceHolder(T("draft.comment"))
	button := func(key string, fn func() error) *widget.Button {
		b := widget.NewButton(T("draft.action."+key), func() { v.do(fn) })
		v.Buttons[key] = b
		return b
	}
	actions := container.NewVBox()
	me := v.viewer
	switch {
	case (d.State == docstore.DraftEditing || d.State == docstore.DraftReturned) && d.Author == me:
		v.Approver = widget.NewSelect(leaderNames, nil)
		v.Approver.PlaceHolder = T("draft.pick_approver")
		v.Initialer = widget.NewSelect(append([]string{T("draft.no_initial")}, headNames...), nil)
		v.Initialer.SetSelectedIndex(0)
		actions.Add(container.NewGridWithColumns(2, v.Approver, v.Initialer))
		actions.Add(container.NewHBox(button("submit", v.submit), button("cancel", func() error { return v.st.CancelDraft(ctx, me, v.id) })))
	case d.State == docstore.DraftInitial && d.Initialer == me:
		actions.Add(v.Comment)
		actions.Add(container.NewHBox(button("initial", func() error { return v.st.InitialDraft(ctx, me, v.id, v.Comment.Text) }),
			button("return", func() error { return v.st.ReturnDraft(ctx, me, v.id, v.Comment.Text) })))
	case d.State == docstore.DraftPending && d.Approver == me:
		actions.Add(v.Comment)
		actions.Add(container.NewHBox(button("approve", func() error { return v.st.ApproveDraft(ctx, me, v.id, v.Comment.Text) }),
			button("return", func() error { return v.st.ReturnDraft(ctx, me, v.id, v.Comment.Text) })))
	case d.State == docstore.DraftApproved && d.Approver == me:
		v.Authority = widget.NewSelect(docstore.SigningAuthorities, nil)
		v.Authority.SetSelected("TM.")
		v.Title = widget.NewEntry()
		v.Title.SetPlaceHolder(T("draft.title"))
		actions.Add(container.NewGridWithColumns(2, v.Authority, v.Title))
		actions.Add(v.Comment)
		actions.Add(container.NewHBox(button("sign", func() error { return v.st.SignDraft(ctx, me, v.id, v.Authority.Selected, v.Title.Text) }),
			button("return", func() error { return v.st.ReturnDraft(ctx, me, v.id, v.Comment.Text) })))
	case d.State == docstore.DraftSigned && clerk:
		actions.Add(v.issueForm())
	}
	if len(v.Buttons) > 0 {
		v.body.Add(heading("draft.actions"))
		v.body.Add(actions)
	}
	v.body.Add(heading("doc.timeline"))
	for _, st := range v.Steps {
		line := fmt.Sprintf("%s  ·  %s  ·  %s", stamp(st.At), st.ActorName, T("dstep."+st.Action))
		if st.Comment != "" {
			line += ": " + st.Comment
		}
		v.body.Add(widget.NewLabel(line))
	}
	v.body.Add(v.Message)
	v.body.Refresh()
}

func (v *DraftView) submit() error {
	i := v.Approver.SelectedIndex()
	if i < 0 {
		return &docstore.FieldError{Field: "approver_id", Reason: "required"}
	}
	initialer := ""
	if j := v.Initialer.SelectedIndex(); j > 0 {
		initialer = v.heads[j-1].ID
	}
	return v.st.SubmitDraft(context.Background(), v.viewer, v.id, v.leaders[i].ID, initialer)
}

// versionList shows the versions, each with "Mở" and "Lưu thành…", and
// "Thêm phiên bản" for the author while they may add one.
func (v *DraftView) versionList() fyne.CanvasObject {
	box := container.NewVBox(heading("file.versions_heading"))
	v.Versions, _ = v.st.DraftVersions(context.Background(), v.viewer, v.id)
	v.SaveButtons, v.AddVersionButton = nil, nil
	for i, ver := range v.Versions {
		line := T("file.version_line", map[string]any{"Version": ver.Version, "Name": ver.File.Name, "Size": sizeText(ver.File.Size),
			"By": ver.ByName, "At": stamp(ver.At)})
		if ver.Note != "" {
			line += ": " + ver.Note
		}
		label := widget.NewLabel(line)
		label.Wrapping = fyne.TextWrapWord
		open := widget.NewButton(T("doc.open"), func() { openBlob(v.st, v.Message, ver.File.SHA256) })
		save := widget.NewButton(T("file.save_as"), func() {
			askSaveAs(windowFor(v.Content), v.Message, ver.File, func(w fyne.URIWriteCloser) { v.SaveVersion(i, w) })
		})
		v.SaveButtons = append(v.SaveButtons, save)
		box.Add(container.NewBorder(nil, nil, nil, container.NewHBox(open, save), label))
	}
	if v.mayAddVersion() == nil {
		v.AddVersionButton = widget.NewButton(T("file.add_version"), v.pickVersion)
		box.Add(container.NewHBox(v.AddVersionButton, dropHint()))
	}
	return box
}

// mayAddVersion is the store's rule, asked before a file is copied in: the
// author, while the draft is being edited or was returned. The store checks
// again when the version is added.
func (v *DraftView) mayAddVersion() error {
	switch {
	case v.Draft.ID == "" || v.Draft.Author != v.viewer:
		return docstore.ErrForbidden
	case v.Draft.State != docstore.DraftEditing && v.Draft.State != docstore.DraftReturned:
		return docstore.ErrTransition
	}
	return nil
}

// SaveVersion copies the file of version i (index into Versions) to w, what
// the save dialog of its "Lưu thành…" button returned: see saveCopy.
func (v *DraftView) SaveVersion(i int, w fyne.URIWriteCloser) {
	if i < 0 || i >= len(v.Versions) {
		w.Close()
		return
	}
	saveCopy(v.st, v.Versions[i].File, w, v.SaveButtons[i], v.Message, nil)
}

// pickVersion is "Thêm phiên bản": a file dialog, then the note, then
// AddVersion.
func (v *DraftView) pickVersion() {
	win := windowFor(v.Content)
	if win == nil {
		return
	}
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil {
			v.Message.SetText(fileErrorText(err))
			return
		}
		if r == nil {
			return
		}
		u := r.URI()
		r.Close() // AddVersion streams it again, from its URI
		v.askNote(win, u)
	}, win)
}

// askNote asks for the new version's note (optional), then adds it.
func (v *DraftView) askNote(win fyne.Window, u fyne.URI) {
	note := widget.NewMultiLineEntry()
	note.SetPlaceHolder(T("file.note_placeholder"))
	note.SetMinRowsVisible(3)
	note.Wrapping = fyne.TextWrapWord
	d := dialog.NewForm(T("file.add_version"), T("file.add_version_ok"), T("file.cancel"), []*widget.FormItem{
		widget.NewFormItem(T("file.file"), widget.NewLabel(u.Name())),
		widget.NewFormItem(T("file.note"), note),
	}, func(ok bool) {
		if ok {
			v.AddVersion(u, note.Text)
		}
	}, win)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
}

// AddVersion adds the local file u as the draft's next version, with the
// note (may be empty): the file is streamed into the blob store in the
// background, then the store adds the version (or refuses, shown as a
// sentence) and the view reloads. Call it on the main goroutine.
func (v *DraftView) AddVersion(u fyne.URI, note string) { v.addVersion(u, note, "") }

// AddFiles is a drop of files on the window while this draft is open: the
// first one becomes the next version, with no note, if the viewer may add
// one. Call it on the main goroutine.
func (v *DraftView) AddFiles(uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	extra := ""
	if len(uris) > 1 {
		extra = T("file.first_only", map[string]any{"Name": uris[0].Name()})
	}
	v.addVersion(uris[0], "", extra)
}

func (v *DraftView) addVersion(u fyne.URI, note, extra string) {
	if err := v.mayAddVersion(); err != nil {
		v.Message.SetText(ErrorText(err))
		return
	}
	if err := localFile(u); err != nil {
		v.Message.SetText(T("file.refused", map[string]any{"Name": uriName(u), "Reason": fileErrorText(err)}))
		return
	}
	btn := v.AddVersionButton
	if btn != nil {
		btn.Disable()
	}
	v.Message.SetText(T("file.adding", map[string]any{"Name": u.Name()}))
	goBackground(func() {
		var n int
		a, err := storeFile(v.st, u)
		if err == nil {
			n, err = v.st.AddDraftVersion(context.Background(), v.viewer, v.id, a, note, "")
		}
		OnMain(func() {
			if err != nil {
				if btn != nil {
					btn.Enable()
				}
				v.Message.SetText(fileErrorText(err))
				return
			}
			v.reload()
			msg := T("file.version_added", map[string]any{"Version": n, "Name": a.Name})
			if extra != "" {
				msg += " " + extra
			}
			v.Message.SetText(msg)
			if v.changed != nil {
				v.changed()
			}
		})
	})
}

// issueForm is the clerk's chờ cấp số step: the register, with the number
// and ký hiệu it would get, nơi nhận, bản lưu and số bản.
func (v *DraftView) issueForm() fyne.CanvasObject {
	ctx := context.Background()
	regs, _ := v.st.Registers(ctx, v.viewer)
	v.outRegs = nil
	var names []string
	for _, r := range regs {
		if r.Kind == docstore.KindOutgoing && !r.Closed && r.Secret == (v.Draft.Secrecy > docstore.SecrecyNone) {
			v.outRegs = append(v.outRegs, r)
			names = append(names, registerTitle(r))
		}
	}
	v.Preview = widget.NewLabel("")
	v.Preview.TextStyle.Bold = true
	v.Register = widget.NewSelect(names, func(string) {
		if i := v.Register.SelectedIndex(); i >= 0 {
			if p, err := v.st.PreviewNotation(ctx, v.id, v.outRegs[i].ID); err == nil {
				v.Preview.SetText(T("draft.preview", map[string]any{"Notation": p.Notation}))
			}
		}
	})
	v.Recipients = widget.NewMultiLineEntry()
	v.Recipients.SetPlaceHolder(T("col.dest"))
	v.Holder = widget.NewEntry()
	v.Holder.SetPlaceHolder(T("col.copy_holder"))
	v.Copies = widget.NewEntry()
	v.Copies.SetPlaceHolder(T("col.copies"))
	v.IssueSource = widget.NewRadioGroup([]string{T("source.dien_tu"), T("source.giay")}, nil)
	v.IssueSource.Horizontal = true
	v.IssueSource.Required = true
	v.IssueSource.SetSelected(T("source.dien_tu"))
	if len(names) > 0 {
		v.Register.SetSelectedIndex(0)
	}
	issue := widget.NewButton(T("draft.action.issue"), func() {
		// The fields are read here, on the main goroutine; the step runs off it.
		i := v.Register.SelectedIndex()
		n := 0
		fmt.Sscan(v.Copies.Text, &n)
		recipients, holder := v.Recipients.Text, v.Holder.Text
		source := docstore.SourceElectronic
		if v.IssueSource.Selected == T("source.giay") {
			source = docstore.SourcePaper
		}
		v.do(func() error {
			if i < 0 {
				return &docstore.FieldError{Field: "register_id", Reason: "required"}
			}
			is, err := v.st.IssueDraft(ctx, v.viewer, docstore.Issue{DraftID: v.id, RegisterID: v.outRegs[i].ID,
				Recipients: recipients, CopyHolder: holder, Copies: n, Source: source})
			if err == nil {
				OnMain(func() { v.Preview.SetText(T("draft.issued", map[string]any{"Notation": is.Notation})) })
			}
			return err
		})
	})
	issue.Importance = widget.HighImportance
	v.Buttons["issue"] = issue
	return container.NewVBox(v.Register, v.Preview, container.NewHBox(widget.NewLabel(T("draft.issue_source")), v.IssueSource), v.Recipients, container.NewGridWithColumns(2, v.Holder, v.Copies), container.NewHBox(issue))
}

// do runs a store step off the main goroutine, then reloads.
func (v *DraftView) do(fn func() error) {
	runStep(v.Message, fn, func() {
		preview := ""
		if v.Preview != nil {
			preview = v.Preview.Text
		}
		v.reload()
		v.Message.SetText(T("doc.saved") + " " + preview)
		if v.changed != nil {
			v.changed()
		}
	})
}
