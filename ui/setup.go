package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/journal"
)

// Setup is the first start: on an empty data folder it founds the agency
// (or joins the demo agency); on a folder with an agency it asks who is at
// the computer. done receives the person's id.
//
// Choosing oneself from the directory is trust, not authentication: the
// store still enforces each person's roles, and the agency account (the
// mail issue) is what proves who one is.
type Setup struct {
	st       *docstore.Store
	mail     *mail.Service // nil: no "Tham gia cơ quan"
	joinDemo func(context.Context) (*docstore.Store, error)
	done     func(viewer string)

	// Joining an agency that keeps its journal on the mail server.
	JoinAgency *widget.Button
	Join       *SetupJoin

	// Founding form.
	Code, Name, Abbr, Place, FullName, Title, Email *widget.Entry
	Found, Demo                                     *widget.Button
	Progress                                        *widget.ProgressBarInfinite
	Message                                         *widget.Label
	// Keys keeps the founding administrator's journal key (the OS
	// keyring; tests put memory keys in). Without a key the agency is
	// founded all the same, and Continue goes on after saying so.
	Keys     journal.KeyStore
	Continue *widget.Button
	// Who am I.
	People  *widget.List
	people  []docstore.Person
	body    *fyne.Container
	Content fyne.CanvasObject
}

// NewSetup builds the first-start screen. svc (the store's mail service)
// offers joining an agency through its mail server; joinDemo replaces the
// (empty) store by one holding the demo agency; nil hides either choice.
func NewSetup(st *docstore.Store, svc *mail.Service, joinDemo func(context.Context) (*docstore.Store, error), done func(viewer string)) *Setup {
	u := &Setup{st: st, mail: svc, joinDemo: joinDemo, done: done, Message: widget.NewLabel(""), body: container.NewStack(), Keys: journal.KeyringKeys()}
	u.Message.Wrapping = fyne.TextWrapWord
	u.Message.Importance = widget.DangerImportance
	title := widget.NewLabel(T("setup.welcome"))
	title.SizeName = "headingText"
	title.TextStyle.Bold = true
	u.Content = container.NewBorder(container.NewVBox(title), nil, nil, nil, u.body)
	if _, err := st.Agency(context.Background()); err == nil {
		u.showPeople()
	} else {
		u.showFounding()
	}
	return u
}

func (u *Setup) showFounding() {
	entry := func(placeholder string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		return e
	}
	u.Code, u.Name, u.Abbr, u.Place = entry("000.00.12.H31"), entry(T("setup.agency_name_hint")), entry("UBND"), entry(T("setup.place_hint"))
	u.FullName, u.Title, u.Email = entry(""), entry(T("setup.title_hint")), entry("ten@coquan.gov.vn")
	form := widget.NewForm(
		widget.NewFormItem(T("setup.code"), u.Code),
		widget.NewFormItem(T("setup.agency_name"), u.Name),
		widget.NewFormItem(T("setup.abbr"), u.Abbr),
		widget.NewFormItem(T("setup.place"), u.Place),
		widget.NewFormItem(T("setup.full_name"), u.FullName),
		widget.NewFormItem(T("setup.title"), u.Title),
		widget.NewFormItem(T("setup.email"), u.Email),
	)
	u.Found = widget.NewButton(T("setup.found"), u.found)
	u.Found.Importance = widget.HighImportance
	u.Continue = widget.NewButton(T("setup.continue"), nil)
	u.Continue.Importance = widget.HighImportance
	u.Continue.Hide()
	u.Progress = widget.NewProgressBarInfinite()
	u.Progress.Hide()
	foundHelp := widget.NewLabel(T("setup.new_agency_help"))
	foundHelp.Wrapping = fyne.TextWrapWord
	found := container.NewVBox(heading("setup.new_agency"), foundHelp, form, container.NewHBox(u.Found, u.Continue))
	box := container.NewVBox()
	if u.mail != nil {
		// Most workstations join an agency that already exists: first.
		u.JoinAgency = widget.NewButton(T("setup.join_open"), u.showJoin)
		u.JoinAgency.Importance = widget.HighImportance
		u.Found.Importance = widget.MediumImportance
		joinHelp := widget.NewLabel(T("setup.join_help"))
		joinHelp.Wrapping = fyne.TextWrapWord
		box.Add(heading("setup.join_title"))
		box.Add(joinHelp)
		box.Add(container.NewHBox(u.JoinAgency))
		box.Add(widget.NewSeparator())
	}
	box.Add(found)
	if u.joinDemo != nil {
		u.Demo = widget.NewButton(T("setup.join_demo"), u.demo)
		box.Add(widget.NewSeparator())
		box.Add(heading("setup.demo_title"))
		box.Add(widget.NewLabel(T("setup.demo_help")))
		box.Add(container.NewHBox(u.Demo))
	}
	box.Add(u.Progress)
	box.Add(u.Message)
	u.body.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewPadded(box))}
	u.body.Refresh()
}

// found founds the agency with the user as its quản trị and văn thư (the
// first person on a new installation registers the paperwork too; the
// directory can give the roles to others later).
func (u *Setup) found() {
	id := docstore.NewID()
	a := docstore.AgencyFounded{
		Code: strings.TrimSpace(u.Code.Text), Name: u.Name.Text, Abbr: u.Abbr.Text, Place: u.Place.Text,
		Admin: docstore.PersonInput{ID: id, FullName: u.FullName.Text, Title: u.Title.Text, Email: u.Email.Text,
			Roles: []docstore.Role{docstore.RoleAdmin, docstore.RoleClerk}},
	}
	if strings.TrimSpace(a.Admin.FullName) == "" {
		u.Message.SetText(T("setup.need_name"))
		return
	}
	u.busy(true)
	// The administrator's journal key goes into the founding: the
	// journal's first event names it, and colleagues pin it when they
	// join. Without a keyring the agency is founded without it.
	var keyErr error
	keys, email := u.Keys, a.Admin.Email
	runStep(u, func() error {
		if k, err := mail.JournalKey(keys, email, id); err == nil {
			a.Admin.PublicKey = k.Public
		} else {
			keyErr = err
		}
		return refusal(u.st.FoundAgency(context.Background(), a))
	}, func() {
		u.busy(false)
		if keyErr == nil {
			u.done(id)
			return
		}
		// Founded: say that the journal waits for a key, then go on.
		u.Found.Disable()
		if u.Demo != nil {
			u.Demo.Disable()
		}
		u.Message.Importance = widget.MediumImportance
		u.Message.SetText(T("setup.no_key") + "\n" + keyErrorText(keyErr))
		u.Continue.OnTapped = func() { u.done(id) }
		u.Continue.Show()
	})
}

func (u *Setup) demo() {
	u.busy(true)
	var st *docstore.Store
	runStep(u, func() (err error) {
		st, err = u.joinDemo(context.Background())
		if st != nil { // after a failed join, the folder reopened as it was
			u.st = st
		}
		return err
	}, func() {
		u.busy(false)
		u.showPeople()
	})
}

// SetText shows a refusal (runStep reports through it) and ends the busy
// state.
func (u *Setup) SetText(s string) {
	u.busy(false)
	u.Message.SetText(s)
}

// setupFields names the form's fields for the store's field errors.
var setupFields = map[string]string{
	"code": "setup.code", "name": "setup.agency_name", "abbr": "setup.abbr",
	"full_name": "setup.full_name", "email": "setup.email",
}

// refusal words a founding error with the field it is about.
func refusal(err error) error {
	var fe *docstore.FieldError
	if errors.As(err, &fe) {
		if key, ok := setupFields[fe.Field]; ok {
			return fieldRefusal{T(key) + ": " + T("field."+fe.Reason)}
		}
	}
	return err
}

// fieldRefusal is a refusal already worded for the user.
type fieldRefusal struct{ text string }

func (r fieldRefusal) Error() string    { return r.text }
func (r fieldRefusal) Sentence() string { return r.text }

func (u *Setup) busy(on bool) {
	for _, b := range []*widget.Button{u.Found, u.Demo, u.JoinAgency} {
		if b == nil {
			continue
		}
		if on {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if on {
		u.Message.SetText(T("setup.working"))
		u.Progress.Show()
		u.Progress.Start()
	} else {
		u.Message.SetText("")
		u.Progress.Stop()
		u.Progress.Hide()
	}
}

// showPeople asks "who are you?" with the directory, by unit.
func (u *Setup) showPeople() {
	people, err := u.st.People(context.Background())
	if err != nil {
		u.Message.SetText(ErrorText(err))
		return
	}
	u.people = people
	u.People = widget.NewList(func() int { return len(u.people) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.TextStyle.Bold = true
			return container.NewBorder(nil, nil, name, nil, widget.NewLabel(""))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := u.people[i]
			c := o.(*fyne.Container)
			c.Objects[1].(*widget.Label).SetText(p.FullName)
			c.Objects[0].(*widget.Label).SetText(p.Title + "  ·  " + p.UnitName + "  ·  " + personRoles(p))
		})
	u.People.OnSelected = func(i widget.ListItemID) { u.done(u.people[i].ID) }
	u.body.Objects = []fyne.CanvasObject{container.NewBorder(
		container.NewVBox(heading("setup.who"), widget.NewLabel(T("setup.who_help"))), u.Message, nil, nil, u.People)}
	u.body.Refresh()
}
