package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// SettingsPage is Cài đặt: the profile, the language, the text size, the
// data folder and which desktop notifications to show.
type SettingsPage struct {
	Language  *widget.RadioGroup
	TextSize  *widget.RadioGroup
	Notify    map[string]*widget.Check
	DataDir   *widget.Label
	ChooseDir *widget.Button
	Message   *widget.Label
	Profile   *widget.Form
	// MailAccounts lists the mail accounts, each with Sửa and Xóa, and
	// the Thêm tài khoản thư button.
	MailAccounts *fyne.Container
	Content      fyne.CanvasObject

	// The shared journal: Tham gia cơ quan (not joined yet) or Xem nhật
	// ký đồng bộ (joined), and the viewer's own key once shown.
	Journal                    fyne.CanvasObject
	Join, ShowJournal, ShowKey *widget.Button
	// Create: the founding administrator starts the journal from here.
	Create *widget.Button
	Key    *KeyBox
	// Danh bạ cơ quan (quản trị): a button per person, and Thêm người.
	People    map[string]*widget.Button
	AddPerson *widget.Button
	// Danh bạ liên thông (quản trị): the agencies, an import, one added.
	ExchangeAgencies                  *widget.Label
	ImportAgencies                    *widget.Button
	AgencyID, AgencyName, AgencyEmail *widget.Entry
	AddAgency                         *widget.Button
}

var languageNames = []string{"Tiếng Việt", "English"} // each in its own language

func (s *Shell) settingsPage() fyne.CanvasObject {
	p := &SettingsPage{Notify: map[string]*widget.Check{}, Message: widget.NewLabel("")}
	p.Message.Wrapping = fyne.TextWrapWord
	box := container.NewVBox()

	// Hồ sơ: who the window is open as, from the agency's directory (the
	// quản trị keeps it; the user cannot grant themself roles here).
	box.Add(heading("settings.profile"))
	form := widget.NewForm()
	for _, person := range s.people {
		if person.ID != s.viewer {
			continue
		}
		form.Append(T("settings.name"), widget.NewLabel(person.FullName))
		form.Append(T("settings.title"), widget.NewLabel(person.Title))
		form.Append(T("settings.unit"), widget.NewLabel(person.UnitName))
		form.Append(T("settings.roles"), widget.NewLabel(personRoles(person)))
		form.Append(T("settings.clearance"), widget.NewLabel(T(fmt.Sprintf("secrecy.%d", person.Clearance))))
		form.Append(T("settings.email"), widget.NewLabel(person.Email))
	}
	if ag, err := s.st.Agency(context.Background()); err == nil {
		form.Append(T("settings.agency"), widget.NewLabel(fmt.Sprintf("%s  ·  %s", ag.Name, ag.Code)))
	}
	box.Add(form)
	p.Profile = form

	// Ngôn ngữ: applied at once (the window is rebuilt in the new language).
	box.Add(heading("settings.language"))
	p.Language = widget.NewRadioGroup(languageNames, nil)
	p.Language.Horizontal = true
	p.Language.SetSelected(languageNames[map[string]int{"vi": 0, "en": 1}[s.prefs.Language()]])
	p.Language.OnChanged = func(name string) {
		l := "vi"
		if name == languageNames[1] {
			l = "en"
		}
		if l == s.prefs.Language() {
			return
		}
		s.prefs.SetLanguage(l)
		if err := SetupLanguage(l); err != nil {
			p.Message.SetText(ErrorText(err))
			return
		}
		if s.Rebuild != nil {
			s.Rebuild(s.viewer, NavSettings)
		}
	}
	box.Add(p.Language)

	// Cỡ chữ: applied at once through the theme.
	box.Add(heading("settings.text_size"))
	sizes := make([]string, len(TextScales))
	for i := range TextScales {
		sizes[i] = T(fmt.Sprintf("settings.size_%d", i))
	}
	p.TextSize = widget.NewRadioGroup(sizes, nil)
	p.TextSize.Horizontal = true
	for i, v := range TextScales {
		if v == s.prefs.TextScale() {
			p.TextSize.SetSelected(sizes[i])
		}
	}
	p.TextSize.OnChanged = func(name string) {
		for i, v := range TextScales {
			if sizes[i] == name {
				s.prefs.SetTextScale(v)
				if app := fyne.CurrentApp(); app != nil {
					app.Settings().SetTheme(NewScaledTheme(v))
				}
			}
		}
	}
	box.Add(p.TextSize)

	// Thư mục dữ liệu: a new choice takes effect at the next start (the
	// open store holds its folder locked until then).
	box.Add(heading("settings.data_dir"))
	p.DataDir = widget.NewLabel(s.Dir)
	p.DataDir.Wrapping = fyne.TextWrapBreak
	if chosen := s.prefs.DataDir(); chosen != "" && chosen != s.Dir {
		p.Message.SetText(T("settings.data_dir_next", map[string]any{"Dir": chosen}))
	}
	p.ChooseDir = widget.NewButton(T("settings.choose_dir"), func() {
		if s.win == nil {
			return
		}
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil || u == nil {
				return
			}
			s.chooseDataDir(p, u.Path())
		}, s.win)
		if s.Dir != "" {
			if l, err := storage.ListerForURI(storage.NewFileURI(s.Dir)); err == nil {
				d.SetLocation(l)
			}
		}
		d.Show()
	})
	box.Add(container.NewBorder(nil, nil, nil, p.ChooseDir, p.DataDir))
	if s.demo {
		box.Add(widget.NewLabel(T("settings.demo_dir")))
	}

	// Tài khoản thư: the mailboxes this data folder reads, each with its
	// form (servers, password, trusted certificate).
	if s.mailSvc != nil {
		box.Add(heading("settings.mail_accounts"))
		p.MailAccounts = container.NewVBox()
		s.listMailAccounts(p)
		box.Add(p.MailAccounts)
	}

	// Nhật ký chung của cơ quan: joining, the viewer's key.
	p.Journal = s.journalSection(p)
	box.Add(p.Journal)

	// Danh bạ cơ quan: the quản trị adds people and binds their keys;
	// danh bạ liên thông: the agencies documents are exchanged with.
	if s.may(docstore.RoleAdmin) {
		box.Add(s.directorySection(p))
		box.Add(s.exchangeDirectorySection(p))
	}

	// Thông báo: each kind on or off.
	box.Add(heading("settings.notifications"))
	for _, kind := range NoticeKinds {
		kind := kind
		c := widget.NewCheck(T(fmt.Sprintf("settings.notify_%s", kind)), func(on bool) { s.prefs.SetNotify(kind, on) })
		c.SetChecked(s.prefs.Notify(kind))
		p.Notify[kind] = c
		box.Add(c)
	}
	box.Add(p.Message)
	p.Content = container.NewVScroll(container.NewPadded(box))
	s.Settings = p
	return p.Content
}

// chooseDataDir records a new data folder for the next start. A folder
// holding another program's files is refused by the store when it opens;
// here only the obvious is checked.
func (s *Shell) chooseDataDir(p *SettingsPage, dir string) {
	dir = filepath.Clean(dir)
	if dir == s.Dir {
		s.prefs.SetDataDir(dir)
		p.Message.SetText("")
		return
	}
	// Open it once now: a folder that cannot be used (no write permission,
	// another program's database, a newer version's) is refused here, not
	// at every later start.
	runStep(p.Message, func() error {
		st, err := docstore.Open(dir, docstore.Options{})
		if err != nil {
			return err
		}
		return st.Close()
	}, func() {
		s.prefs.SetDataDir(dir)
		p.Message.SetText(T("settings.data_dir_next", map[string]any{"Dir": dir}))
	})
}

// personRoles names a person's roles for the who-am-I list.
func personRoles(p docstore.Person) string {
	roles := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		roles[i] = T("prole." + string(r))
	}
	return strings.Join(roles, ", ")
}

// listMailAccounts fills the Tài khoản thư section.
func (s *Shell) listMailAccounts(p *SettingsPage) {
	p.MailAccounts.RemoveAll()
	accts, err := s.st.MailAccounts(context.Background())
	if err != nil {
		p.MailAccounts.Add(widget.NewLabel(ErrorText(err)))
		return
	}
	for _, a := range accts {
		a := a
		label := a.Address
		if a.DisplayName != "" {
			label = a.DisplayName + " <" + a.Address + ">"
		}
		if a.Shared {
			label += " · " + T("settings.mail_shared")
		}
		name := widget.NewLabel(label)
		name.Truncation = fyne.TextTruncateEllipsis
		edit := widget.NewButton(T("settings.mail_edit"), func() { s.OpenAccountForm(&a) })
		remove := widget.NewButton(T("settings.mail_remove"), func() {
			if s.win == nil {
				return
			}
			dialog.ShowConfirm(T("settings.mail_remove"), T("settings.mail_remove_confirm", map[string]any{"Address": a.Address}), func(ok bool) {
				if !ok {
					return
				}
				if err := s.mailSvc.RemoveAccount(context.Background(), a.ID); err != nil {
					p.Message.SetText(ErrorText(err))
				}
				s.listMailAccounts(p)
			}, s.win)
		})
		p.MailAccounts.Add(container.NewBorder(nil, nil, nil, container.NewHBox(edit, remove), name))
	}
	p.MailAccounts.Add(container.NewHBox(widget.NewButton(T("mail.add_account"), func() { s.OpenAccountForm(nil) })))
	p.MailAccounts.Refresh()
}
