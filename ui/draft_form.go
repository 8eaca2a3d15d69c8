package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// DraftForm starts a new draft (dự thảo): type, trích yếu, urgency,
// secrecy and its first file, streamed into the blob store.
type DraftForm struct {
	st      *docstore.Store
	viewer  string
	created func(id string)

	Type, Urgency, Secrecy *widget.Select
	Subject, File          *widget.Entry
	Create                 *widget.Button
	Message                *widget.Label
	Content                fyne.CanvasObject
	types                  []docstore.DocType
}

// NewDraftForm builds the form; created gets the new draft's id.
func NewDraftForm(st *docstore.Store, viewer string, win fyne.Window, created func(id string)) *DraftForm {
	f := &DraftForm{st: st, viewer: viewer, created: created}
	f.Type, f.types = typeSelect(true)
	f.Urgency, f.Secrecy = urgencySecrecySelects()
	f.Subject = widget.NewMultiLineEntry()
	f.Subject.SetPlaceHolder(T("col.subject_only"))
	f.File = widget.NewEntry()
	f.File.SetPlaceHolder(T("draft.file"))
	pick := widget.NewButton(T("draft.pick_file"), func() {
		if win == nil {
			return
		}
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				r.Close()
				f.AddFiles([]fyne.URI{r.URI()})
			}
		}, win)
	})
	f.Message = widget.NewLabel("")
	f.Message.Wrapping = fyne.TextWrapWord
	f.Create = widget.NewButton(T("draft.create"), f.create)
	f.Create.Importance = widget.HighImportance
	title := heading("draft.new")
	f.Content = container.NewVScroll(container.NewVBox(title,
		container.NewGridWithColumns(3, f.Type, f.Urgency, f.Secrecy), f.Subject,
		container.NewBorder(nil, nil, nil, container.NewHBox(pick, dropHint()), f.File), container.NewHBox(f.Create), f.Message))
	return f
}

// AddFiles is what picking files does (and a drop of files on the window
// while the form is open): the first one, if it is a local file, becomes
// the draft's file. Call it on the main goroutine.
func (f *DraftForm) AddFiles(uris []fyne.URI) {
	if len(uris) == 0 {
		return
	}
	u := uris[0]
	if err := localFile(u); err != nil {
		f.Message.SetText(T("file.refused", map[string]any{"Name": uriName(u), "Reason": fileErrorText(err)}))
		return
	}
	f.File.SetText(u.Path())
	f.Message.SetText("")
	if len(uris) > 1 {
		f.Message.SetText(T("file.first_only", map[string]any{"Name": u.Name()}))
	}
}

func (f *DraftForm) create() {
	path := strings.TrimSpace(f.File.Text)
	in := docstore.NewDraft{Subject: f.Subject.Text, Urgency: docstore.Urgency(max(f.Urgency.SelectedIndex(), 0)),
		Secrecy: docstore.Secrecy(max(f.Secrecy.SelectedIndex(), 0))}
	if i := f.Type.SelectedIndex(); i >= 0 {
		in.Type = f.types[i].Code
	}
	f.Create.Disable()
	goBackground(func() {
		id, err := func() (string, error) {
			if path == "" {
				return "", &docstore.FieldError{Field: "file", Reason: "required"}
			}
			if st, err := os.Stat(path); err != nil || st.IsDir() {
				return "", &docstore.FieldError{Field: "file", Reason: "missing"}
			}
			ref, err := f.st.Blobs().PutFile(path) // streamed, never whole in memory
			if err != nil {
				return "", err
			}
			in.File = docstore.Attachment{SHA256: ref.SHA256, Name: filepath.Base(path), Size: ref.Size}
			return f.st.CreateDraft(context.Background(), f.viewer, in)
		}()
		OnMain(func() {
			f.Create.Enable()
			if err != nil {
				f.Message.SetText(ErrorText(err))
				return
			}
			if f.created != nil {
				f.created(id)
			}
		})
	})
}

// typeSelect offers the document types (only those this agency issues when
// adminOnly), "Công văn" selected; the slice maps indexes back to types.
func typeSelect(adminOnly bool) (*widget.Select, []docstore.DocType) {
	var types []docstore.DocType
	var names []string
	for _, t := range docstore.DocTypes {
		if t.Admin || !adminOnly {
			types = append(types, t)
			names = append(names, t.Name)
		}
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelected("Công văn")
	return sel, types
}

// urgencySecrecySelects offers độ khẩn and độ mật, "Thường" selected; the
// index is the docstore value.
func urgencySecrecySelects() (*widget.Select, *widget.Select) {
	u := widget.NewSelect([]string{T("urgency.0"), T("urgency.1"), T("urgency.2"), T("urgency.3")}, nil)
	u.SetSelectedIndex(0)
	s := widget.NewSelect([]string{T("secrecy.0"), T("secrecy.1"), T("secrecy.2"), T("secrecy.3")}, nil)
	s.SetSelectedIndex(0)
	return u, s
}
