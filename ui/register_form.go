package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// RegisterForm is the clerk's "Vào sổ" form for an incoming document. Each
// field has its message line beneath it; the store's typed errors land on
// the field they name.
type RegisterForm struct {
	st     *docstore.Store
	viewer string
	win    fyne.Window
	done   func(docstore.Registered)

	Register, Type, Urgency, Secrecy, Source *widget.Select
	Arrival, Notation, DocDate, Due, Pages   *widget.Entry
	Issuer                                   *widget.SelectEntry
	Subject, Recipients, Note                *widget.Entry
	Submit                                   *widget.Button
	Message                                  *widget.Label
	// NumberHint is the provisional số đến: the next number of the chosen
	// register now. The number is confirmed only when the document is
	// registered (another clerk, or a sync, may take it first).
	NumberHint *widget.Label
	errs       map[string]*widget.Label
	regs       []docstore.Register
	body       *fyne.Container
	Content    fyne.CanvasObject

	// Files to attach (local files, streamed into the blob store when the
	// document is registered), listed in FileList, each with a "Bỏ" button.
	Files        []fyne.URI
	FileList     *fyne.Container
	AttachButton *widget.Button
	// Stored are files already in the blob store (those of an edXML
	// package), attached as they are and listed first.
	Stored []docstore.Attachment
	// Save registers the input (nil: RegisterIncoming); a package from
	// another agency registers through the exchange, which answers 03.
	Save func(context.Context, docstore.IncomingInput) (docstore.Registered, error)
	// Actions holds buttons beside Submit (Từ chối for a package).
	Actions *fyne.Container
}

// NewRegisterForm builds the form; done is called after a registration.
func NewRegisterForm(st *docstore.Store, viewer string, win fyne.Window, today string, done func(docstore.Registered)) *RegisterForm {
	f := &RegisterForm{st: st, viewer: viewer, win: win, done: done, errs: map[string]*widget.Label{}}
	all, _ := st.Registers(context.Background(), viewer)
	var regNames []string
	for _, r := range all {
		if r.Kind == docstore.KindIncoming && !r.Closed {
			f.regs = append(f.regs, r)
			regNames = append(regNames, registerTitle(r))
		}
	}
	f.NumberHint = widget.NewLabel("")
	f.NumberHint.Importance = widget.LowImportance
	f.Register = widget.NewSelect(regNames, func(string) { f.showNextNumber() })
	if len(regNames) > 0 {
		f.Register.SetSelectedIndex(0)
	}
	f.Type, _ = typeSelect(false) // incoming documents may be of any type, laws included
	f.Urgency, f.Secrecy = urgencySecrecySelects()
	f.Source = widget.NewSelect([]string{T("source.giay"), T("source.dien_tu"), T("source.email"), T("source.edxml")}, nil)
	f.Source.SetSelectedIndex(0)
	f.Arrival = widget.NewEntry()
	f.Arrival.SetText(dmy(today))
	f.DocDate = widget.NewEntry()
	f.DocDate.SetPlaceHolder("dd/mm/yyyy")
	f.Due = widget.NewEntry()
	f.Due.SetPlaceHolder("dd/mm/yyyy")
	f.Pages = widget.NewEntry()
	f.Notation = widget.NewEntry()
	f.Notation.SetPlaceHolder("1220/QĐ-UBND")
	f.Issuer = widget.NewSelectEntry(nil)
	f.Issuer.OnChanged = func(s string) { // suggestions from history
		if len([]rune(s)) < 2 {
			return
		}
		goBackground(func() {
			names, err := st.RecentIssuers(context.Background(), s, 8)
			if err == nil {
				OnMain(func() { f.Issuer.SetOptions(names) })
			}
		})
	}
	f.Subject = widget.NewMultiLineEntry()
	f.Subject.SetMinRowsVisible(2)
	f.Subject.Wrapping = fyne.TextWrapWord
	f.Recipients = widget.NewEntry()
	f.Note = widget.NewEntry()
	f.Message = widget.NewLabel("")
	f.Message.Wrapping = fyne.TextWrapWord
	f.Submit = widget.NewButton(T("form.register"), f.submit)
	f.Submit.Importance = widget.HighImportance

	field := func(key, name string, w fyne.CanvasObject) fyne.CanvasObject {
		e := widget.NewLabel("")
		e.Importance = widget.DangerImportance
		e.Hide()
		f.errs[name] = e
		return container.NewBorder(nil, e, nil, nil, container.NewBorder(nil, nil,
			container.NewGridWrap(fyne.NewSize(190, w.MinSize().Height), widget.NewLabel(T(key))), nil, w))
	}
	// The Decree 30 register's columns on the left, handling details on the right.
	cols := [2]*fyne.Container{container.NewVBox(), container.NewVBox()}
	for _, fl := range []struct {
		col       int
		key, name string
		w         fyne.CanvasObject
	}{
		{0, "col.register", "register_id", container.NewBorder(nil, nil, nil, f.NumberHint, f.Register)}, {0, "col.arrival", "arrival_date", f.Arrival},
		{0, "col.issuer", "issuer", f.Issuer}, {0, "col.notation", "notation", f.Notation},
		{0, "col.doc_date", "doc_date", f.DocDate}, {0, "col.type", "type", f.Type},
		{0, "col.subject_only", "subject", f.Subject},
		{1, "col.urgency", "urgency", f.Urgency}, {1, "col.secrecy", "secrecy", f.Secrecy},
		{1, "col.due", "due_date", f.Due}, {1, "col.pages", "pages", f.Pages},
		{1, "col.source", "source", f.Source}, {1, "col.recipients", "recipients", f.Recipients},
		{1, "col.note", "note", f.Note},
	} {
		cols[fl.col].Add(field(fl.key, fl.name, fl.w))
	}
	left, right := cols[0], cols[1]
	f.FileList = container.NewVBox()
	f.AttachButton = widget.NewButton(T("file.attach"), func() {
		if f.win == nil {
			return
		}
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				r.Close() // streamed again from its URI when the document is registered
				f.AddFiles([]fyne.URI{r.URI()})
			}
		}, f.win)
	})
	files := field("doc.attachments", "attachments", container.NewVBox(container.NewHBox(f.AttachButton, dropHint()), f.FileList))
	title := widget.NewLabel(T("form.register_title"))
	title.TextStyle.Bold = true
	title.SizeName = "headingText"
	f.Actions = container.NewHBox(f.Submit)
	f.body = container.NewVBox(title, container.NewGridWithColumns(2, left, right), files, f.Actions, f.Message)
	f.Content = container.NewVScroll(f.body)
	return f
}

// parseDMY reads dd/mm/yyyy (or d/m/yyyy, or ISO) as ISO; "" stays "".
func parseDMY(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	for _, layout := range []string{"02/01/2006", "2/1/2006", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

// Input reads the form; a field that cannot even be read is an error on it.
func (f *RegisterForm) Input() (docstore.IncomingInput, error) {
	var in docstore.IncomingInput
	if i := f.Register.SelectedIndex(); i >= 0 {
		in.RegisterID = f.regs[i].ID
	}
	var ok bool
	for _, d := range []struct {
		name string
		src  *widget.Entry
		dst  *string
	}{{"arrival_date", f.Arrival, &in.ArrivalDate}, {"doc_date", f.DocDate, &in.DocDate}, {"due_date", f.Due, &in.DueDate}} {
		if *d.dst, ok = parseDMY(d.src.Text); !ok {
			return in, &docstore.FieldError{Field: d.name, Reason: "format"}
		}
	}
	if i := f.Type.SelectedIndex(); i >= 0 {
		in.Type = docstore.DocTypes[i].Code
	}
	in.Urgency = docstore.Urgency(max(f.Urgency.SelectedIndex(), 0))
	in.Secrecy = docstore.Secrecy(max(f.Secrecy.SelectedIndex(), 0))
	in.Source = []docstore.Source{docstore.SourcePaper, docstore.SourceElectronic, docstore.SourceEmail, docstore.SourceEdXML}[max(f.Source.SelectedIndex(), 0)]
	if p := strings.TrimSpace(f.Pages.Text); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return in, &docstore.FieldError{Field: "pages", Reason: "format"}
		}
		in.Pages = n
	}
	in.Issuer, in.Notation, in.Subject = f.Issuer.Text, strings.TrimSpace(f.Notation.Text), f.Subject.Text
	in.Recipients, in.Note = f.Recipients.Text, f.Note.Text
	return in, nil
}

func (f *RegisterForm) clearErrors() {
	for _, e := range f.errs {
		e.Hide()
	}
	f.Message.SetText("")
	f.relayout()
}

// refreshTree refreshes every container under o, innermost first, so a
// form lays itself out again after message lines beside its fields appear
// or go (a refresh of the outer box alone keeps the old row heights).
func refreshTree(o fyne.CanvasObject) {
	if c, ok := o.(*fyne.Container); ok {
		for _, x := range c.Objects {
			refreshTree(x)
		}
		c.Refresh()
	}
}

// relayout recomputes the form's layout after message lines appear or go.
func (f *RegisterForm) relayout() {
	refreshTree(f.body)
}

// showError puts each field error of a store error beside its field;
// anything else goes to the message line.
func (f *RegisterForm) showError(err error) {
	marked := false
	for _, fe := range docstore.FieldErrors(err) {
		if l, ok := f.errs[fe.Field]; ok {
			l.SetText(T("field." + fe.Reason))
			l.Show()
			marked = true
		}
	}
	if marked {
		f.Message.SetText(T("form.fix_fields"))
		f.relayout()
		return
	}
	f.Message.SetText(ErrorText(err))
}

func (f *RegisterForm) submit() {
	f.clearErrors()
	in, err := f.Input()
	if err != nil {
		f.showError(err)
		return
	}
	f.Submit.Disable()
	goBackground(func() {
		dups, err := f.st.LikelyDuplicates(context.Background(), f.viewer, in)
		OnMain(func() {
			if err != nil || len(dups) == 0 || f.win == nil {
				f.register(in)
				return
			}
			d := dups[0]
			msg := T("form.duplicate", map[string]any{"Notation": d.Notation, "Issuer": d.Issuer, "Number": d.Number, "Date": dmy(d.DocDate)})
			dialog.ShowConfirm(T("form.duplicate_title"), msg, func(yes bool) {
				if yes {
					f.register(in)
				} else {
					f.Submit.Enable()
				}
			}, f.win)
		})
	})
}

// AddFiles is what picking files in the dialog does (and a drop of files on
// the window while the form is open): each local file is added to the
// attachments, once; anything else is refused with a message. Call it on
// the main goroutine.
func (f *RegisterForm) AddFiles(uris []fyne.URI) {
	var refused []string
	for _, u := range uris {
		if err := localFile(u); err != nil {
			refused = append(refused, T("file.refused", map[string]any{"Name": uriName(u), "Reason": fileErrorText(err)}))
			continue
		}
		if !slices.ContainsFunc(f.Files, func(x fyne.URI) bool { return x.String() == u.String() }) {
			f.Files = append(f.Files, u)
		}
	}
	f.showFiles()
	f.errs["attachments"].Hide()
	f.Message.SetText(strings.Join(refused, " "))
	f.relayout()
}

// showFiles lists the files to attach, each with its "Bỏ" button (the
// stored files of a package first, without one).
func (f *RegisterForm) showFiles() {
	f.FileList.RemoveAll()
	for _, a := range f.Stored {
		name := widget.NewLabel(a.Name + "  (" + sizeText(a.Size) + ")")
		name.Truncation = fyne.TextTruncateEllipsis
		f.FileList.Add(name)
	}
	for _, u := range f.Files {
		name := widget.NewLabel(u.Name())
		name.Truncation = fyne.TextTruncateEllipsis
		remove := widget.NewButton(T("file.remove"), func() {
			f.Files = slices.DeleteFunc(f.Files, func(x fyne.URI) bool { return x.String() == u.String() })
			f.showFiles()
			f.relayout()
		})
		f.FileList.Add(container.NewBorder(nil, nil, nil, remove, name))
	}
	f.FileList.Refresh()
}

// storeFiles streams the files to attach into the blob store (off the main
// goroutine); a file that cannot be read is named in the error.
func (f *RegisterForm) storeFiles(files []fyne.URI) ([]docstore.Attachment, error) {
	var out []docstore.Attachment
	for _, u := range files {
		a, err := storeFile(f.st, u)
		if err != nil {
			return nil, &attachError{name: u.Name(), err: err}
		}
		out = append(out, a)
	}
	return out, nil
}

// attachError is a file of the form that could not be stored.
type attachError struct {
	name string
	err  error
}

func (e *attachError) Error() string { return e.name + ": " + e.err.Error() }
func (e *attachError) Unwrap() error { return e.err }

func (f *RegisterForm) register(in docstore.IncomingInput) {
	files := slices.Clone(f.Files)
	goBackground(func() {
		var res docstore.Registered
		atts, err := f.storeFiles(files)
		if err == nil {
			in.Attachments = append(slices.Clone(f.Stored), atts...)
			if f.Save != nil {
				res, err = f.Save(context.Background(), in)
			} else {
				res, err = f.st.RegisterIncoming(context.Background(), f.viewer, in)
			}
		}
		OnMain(func() {
			f.Submit.Enable()
			var ae *attachError
			if errors.As(err, &ae) {
				l := f.errs["attachments"]
				l.SetText(T("file.refused", map[string]any{"Name": ae.name, "Reason": fileErrorText(ae.err)}))
				l.Show()
				f.Message.SetText(T("form.fix_fields"))
				f.relayout()
				return
			}
			if err != nil {
				f.showError(err)
				return
			}
			// Registered with the document; files dropped meanwhile stay for the next one.
			f.Files = slices.DeleteFunc(f.Files, func(u fyne.URI) bool {
				return slices.ContainsFunc(files, func(x fyne.URI) bool { return x.String() == u.String() })
			})
			f.showFiles()
			f.Message.SetText(T("form.registered", map[string]any{"Number": res.Number}) + dupNote(res))
			f.refreshNumbers()
			if f.done != nil {
				f.done(res)
			}
		})
	})
}

// showNextNumber shows the provisional số đến of the chosen register.
func (f *RegisterForm) showNextNumber() {
	i := f.Register.SelectedIndex()
	if i < 0 || i >= len(f.regs) || f.regs[i].PerType {
		f.NumberHint.SetText("")
		return
	}
	f.NumberHint.SetText(T("form.next_number", map[string]any{"Number": f.regs[i].Count + 1}))
}

// refreshNumbers re-reads the registers' counts after a registration, so
// the provisional number moves on.
func (f *RegisterForm) refreshNumbers() {
	goBackground(func() {
		all, err := f.st.Registers(context.Background(), f.viewer)
		if err != nil {
			return
		}
		OnMain(func() {
			for i := range f.regs {
				for _, r := range all {
					if r.ID == f.regs[i].ID {
						f.regs[i].Count = r.Count
					}
				}
			}
			f.showNextNumber()
		})
	})
}

func dupNote(r docstore.Registered) string {
	if len(r.Duplicates) == 0 {
		return ""
	}
	return " " + T("form.registered_dup", map[string]any{"Count": len(r.Duplicates)})
}
