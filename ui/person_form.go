package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail/journal"
)

// directorySection is Cài đặt's "Danh bạ cơ quan" for the quản trị: each
// person opens the person form; Thêm người adds one.
func (s *Shell) directorySection(p *SettingsPage) fyne.CanvasObject {
	box := container.NewVBox(heading("settings.directory"))
	p.People = map[string]*widget.Button{}
	for _, person := range s.people {
		line := person.FullName
		for _, part := range []string{person.Title, person.UnitName, personRoles(person)} {
			if part != "" {
				line += "  ·  " + part
			}
		}
		b := s.openButton(line, func() { s.OpenPersonForm(&person) })
		p.People[person.ID] = b
		box.Add(b)
	}
	p.AddPerson = widget.NewButton(T("person.add"), func() { s.OpenPersonForm(nil) })
	box.Add(container.NewHBox(p.AddPerson))
	return box
}

// OpenPersonForm shows the person form (nil: a new person); after saving,
// Cài đặt comes back with the directory read again.
func (s *Shell) OpenPersonForm(p *docstore.Person) {
	s.leaveTo()
	s.PersonForm = NewPersonForm(s.st, s.viewer, s.people, p, func(saved bool) {
		if saved {
			s.people, _ = s.st.People(context.Background())
		}
		s.GoBack()
	})
	s.page.Objects = []fyne.CanvasObject{s.PersonForm.Content}
	s.page.Refresh()
}

// PersonForm is a person of the agency's directory as the quản trị adds or
// edits them, with the public key their journal events must be signed
// with: pasted from what the colleague sent, its fingerprint shown for
// the two to compare aloud before saving.
type PersonForm struct {
	Content                           fyne.CanvasObject
	FullName, Title, Email, PublicKey *widget.Entry
	Unit, Clearance                   *widget.Select
	Roles                             *widget.CheckGroup
	KeyPrint                          *widget.Label // the fingerprint of the key pasted, to read aloud
	Save, Cancel                      *widget.Button
	Message                           *widget.Label

	st       *docstore.Store
	viewer   string
	id       string // "" for a new person
	units    []string
	errs     map[string]*widget.Label
	body     *fyne.Container
	keyPrint *fyne.Container // KeyPrint and what to do with it
	done     func(saved bool)
}

// personRoleOrder is the order of the roles' boxes.
var personRoleOrder = []docstore.Role{docstore.RoleAdmin, docstore.RoleClerk, docstore.RoleAgencyLeader, docstore.RoleUnitHead, docstore.RoleSpecialist}

// NewPersonForm builds the form over the directory people, for p (nil: a
// new person). done is told whether the person was saved.
func NewPersonForm(st *docstore.Store, viewer string, people []docstore.Person, p *docstore.Person, done func(saved bool)) *PersonForm {
	f := &PersonForm{st: st, viewer: viewer, done: done, errs: map[string]*widget.Label{}, Message: widget.NewLabel("")}
	f.Message.Wrapping = fyne.TextWrapWord
	f.FullName, f.Title, f.Email = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	f.Email.SetPlaceHolder("ten@coquan.gov.vn")
	// Units: those the directory knows (there is no list of units apart).
	unitNames := []string{T("person.no_unit")}
	f.units = []string{""}
	for _, x := range people {
		if x.UnitID != "" && !containsString(f.units, x.UnitID) {
			f.units = append(f.units, x.UnitID)
			unitNames = append(unitNames, x.UnitName)
		}
	}
	f.Unit = widget.NewSelect(unitNames, nil)
	f.Unit.SetSelectedIndex(0)
	var roleNames []string
	for _, r := range personRoleOrder {
		roleNames = append(roleNames, T("prole."+string(r)))
	}
	f.Roles = widget.NewCheckGroup(roleNames, nil)
	f.Roles.Horizontal = true
	var levels []string
	for i := docstore.SecrecyNone; i <= docstore.SecrecyTuyet; i++ {
		levels = append(levels, T(fmt.Sprintf("secrecy.%d", i)))
	}
	f.Clearance = widget.NewSelect(levels, nil)
	f.Clearance.SetSelectedIndex(0)
	f.PublicKey = widget.NewEntry()
	f.PublicKey.TextStyle.Monospace = true
	f.PublicKey.SetPlaceHolder(T("person.key_hint_new"))
	f.KeyPrint = fingerprintLabel()
	keyHelp := widget.NewLabel(T("person.key_print"))
	keyHelp.Wrapping = fyne.TextWrapWord
	f.keyPrint = container.NewVBox(keyHelp, f.KeyPrint)
	f.keyPrint.Hide()
	f.PublicKey.OnChanged = f.keyTyped

	title := widget.NewLabel(T("person.new_title"))
	if p != nil {
		title.SetText(T("person.edit_title"))
		f.id = p.ID
		f.FullName.SetText(p.FullName)
		f.Title.SetText(p.Title)
		f.Email.SetText(p.Email)
		for i, u := range f.units {
			if u == p.UnitID {
				f.Unit.SetSelectedIndex(i)
			}
		}
		var on []string
		for i, r := range personRoleOrder {
			if p.Has(r) {
				on = append(on, roleNames[i])
			}
		}
		f.Roles.SetSelected(on)
		f.Clearance.SetSelectedIndex(int(p.Clearance))
		f.PublicKey.SetPlaceHolder(T("person.key_hint_keep"))
	}
	title.TextStyle.Bold = true
	title.SizeName = "headingText"
	withError := func(name string, w fyne.CanvasObject) fyne.CanvasObject {
		e := widget.NewLabel("")
		e.Importance = widget.DangerImportance
		e.Wrapping = fyne.TextWrapWord
		e.Hide()
		f.errs[name] = e
		return container.NewVBox(w, e)
	}
	form := widget.NewForm(
		widget.NewFormItem(T("person.full_name"), withError("full_name", f.FullName)),
		widget.NewFormItem(T("person.title"), withError("title", f.Title)),
		widget.NewFormItem(T("person.email"), withError("email", f.Email)),
		widget.NewFormItem(T("person.unit"), withError("unit_id", f.Unit)),
		widget.NewFormItem(T("person.roles"), withError("roles", f.Roles)),
		widget.NewFormItem(T("person.clearance"), withError("clearance", f.Clearance)),
		widget.NewFormItem(T("person.key"), withError("public_key", container.NewVBox(f.PublicKey, f.keyPrint))),
	)
	f.Save = widget.NewButton(T("person.save"), f.save)
	f.Save.Importance = widget.HighImportance
	f.Cancel = widget.NewButton(T("person.cancel"), func() { f.done(false) })
	f.body = container.NewVBox(title, form, container.NewHBox(f.Save, f.Cancel), f.Message)
	f.Content = container.NewVScroll(container.NewPadded(f.body))
	return f
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keyTyped shows the fingerprint of a well-formed key as it is pasted,
// for the quản trị and the colleague to compare.
func (f *PersonForm) keyTyped(text string) {
	f.errs["public_key"].Hide()
	pub, err := journal.ParsePublicKey(text)
	if strings.TrimSpace(text) == "" || err != nil {
		f.keyPrint.Hide()
	} else {
		f.KeyPrint.SetText(fingerprintText(journal.FingerprintGroups(pub)))
		f.keyPrint.Show()
	}
	refreshTree(f.body)
}

// Input reads the form; a key that is not one is refused here, beside
// its field (the rest the store checks).
func (f *PersonForm) Input() (docstore.PersonInput, error) {
	in := docstore.PersonInput{ID: f.id, FullName: f.FullName.Text, Title: f.Title.Text, Email: strings.TrimSpace(f.Email.Text),
		Clearance: docstore.Secrecy(max(f.Clearance.SelectedIndex(), 0))}
	if in.ID == "" {
		in.ID = docstore.NewID()
	}
	if i := f.Unit.SelectedIndex(); i > 0 {
		in.UnitID = f.units[i]
	}
	for i, r := range personRoleOrder {
		if containsString(f.Roles.Selected, f.Roles.Options[i]) {
			in.Roles = append(in.Roles, r)
		}
	}
	if key := strings.TrimSpace(f.PublicKey.Text); key != "" {
		if _, err := docstore.ParsePublicKey(key); err != nil {
			return in, err
		}
		in.PublicKey = key
	}
	return in, nil
}

// showError puts the store's field errors beside their fields, anything
// else in the message line.
func (f *PersonForm) showError(err error) {
	for _, e := range f.errs {
		e.Hide()
	}
	text := ErrorText(err)
	if fes := docstore.FieldErrors(err); len(fes) > 0 {
		text = ""
		for _, fe := range fes {
			if l, ok := f.errs[fe.Field]; ok {
				l.SetText(fieldText(fe))
				l.Show()
				text = T("form.fix_fields")
			}
		}
		if text == "" {
			text = ErrorText(err)
		}
	}
	f.Message.SetText(text)
	f.Message.Importance = widget.DangerImportance
	refreshTree(f.body)
}

func (f *PersonForm) save() {
	in, err := f.Input()
	if err != nil {
		f.showError(err)
		return
	}
	f.Save.Disable()
	f.Message.Importance = widget.MediumImportance
	f.Message.SetText(T("person.saving"))
	st, viewer, isNew := f.st, f.viewer, f.id == ""
	goBackground(func() {
		var err error
		if isNew {
			err = st.AddPerson(context.Background(), viewer, in)
		} else {
			err = st.UpdatePerson(context.Background(), viewer, in)
		}
		OnMain(func() {
			f.Save.Enable()
			if err != nil {
				f.showError(err)
				return
			}
			f.Message.SetText(T("person.saved"))
			f.done(true)
		})
	})
}
