package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/emersion/go-imap/v2"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/journal"
)

// Joining the agency's shared journal (Cài đặt → Nhật ký chung của cơ
// quan → Tham gia cơ quan): read the founding of the agency's journal,
// compare its administrator's key fingerprint with the one the
// administrator gave, then pin it and start sharing.

// DefaultJournalFolder is the journal folder the join form proposes.
const DefaultJournalFolder = "Shared/CongVu/NhatKy"

// StartJournal starts sharing the open data folder with its agency's
// journal for viewer, when the workstation has joined (main calls it once
// the window is up). It runs in a goroutine of its own: the key comes from
// the OS keyring, which may show its unlock prompt. Reports reach the
// window through JournalStatus; a failure to start is reported as an
// offline status with its reason.
func StartJournal(svc *mail.Service, viewer string, keys journal.KeyStore) {
	go startJournal(svc, viewer, keys)
}

// startJournal starts the replicator; not joined is no error.
func startJournal(svc *mail.Service, viewer string, keys journal.KeyStore) error {
	if _, err := svc.Store().Pin(context.Background()); err != nil {
		return nil // not joined (or unreadable: the journal page says so)
	}
	r, err := svc.StartJournal(context.Background(), viewer, keys, JournalStatus)
	if errors.Is(err, journal.ErrNotJoined) {
		return nil
	}
	if err != nil {
		if errors.Is(err, journal.ErrNoKeyring) {
			err = keyError{err} // the key, not the mail password (which the replicator asks for later)
		}
		JournalStatus(journal.Status{Err: err})
		return err
	}
	JournalStarted(r)
	return nil
}

// keyErrorText words a failure to have the person's journal key: without
// a keyring the key cannot be kept (the mail password's sentence, which
// offers to ask at each start, does not fit a key); the rest as
// everywhere.
func keyErrorText(err error) string {
	if errors.Is(err, journal.ErrNoKeyring) {
		return T("err.journal.no_keyring")
	}
	return ErrorText(err)
}

// keyError is a failure to have the person's journal key, worded as such
// wherever it is shown (the journal page, through the status).
type keyError struct{ err error }

func (e keyError) Error() string    { return e.err.Error() }
func (e keyError) Unwrap() error    { return e.err }
func (e keyError) Sentence() string { return keyErrorText(e.err) }

// fingerprintText lays out a fingerprint's groups of digits (journal.
// FingerprintGroups) four to a line, to be read aloud group by group.
func fingerprintText(groups string) string {
	g := strings.Fields(groups)
	var lines []string
	for len(g) > 4 {
		lines = append(lines, strings.Join(g[:4], "   "))
		g = g[4:]
	}
	return strings.Join(append(lines, strings.Join(g, "   ")), "\n")
}

// fingerprintLabel shows fingerprint groups large, in a monospace font.
func fingerprintLabel() *widget.Label {
	l := widget.NewLabel("")
	l.TextStyle.Monospace = true
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// KeyBox shows the viewer's own journal key for the administrator to bind:
// the fingerprint to read aloud, the public key and a button to copy it.
// The key is made on first use and kept in the OS keyring.
type KeyBox struct {
	Content fyne.CanvasObject
	Groups  *widget.Label
	Public  *widget.Label
	Copy    *widget.Button
	Message *widget.Label
	Key     mail.PersonKey
	Err     error // why the key could not be had
	// Loaded is called once the key was read (or not), on the main goroutine.
	Loaded func(ok bool)
}

func newKeyBox() *KeyBox {
	b := &KeyBox{Groups: fingerprintLabel(), Public: widget.NewLabel(""), Message: widget.NewLabel(T("key.loading"))}
	b.Public.TextStyle.Monospace = true
	b.Public.Wrapping = fyne.TextWrapBreak
	b.Message.Wrapping = fyne.TextWrapWord
	b.Copy = widget.NewButtonWithIcon(T("key.copy"), theme.ContentCopyIcon(), func() {
		if app := fyne.CurrentApp(); app != nil && b.Key.Public != "" {
			app.Clipboard().SetContent(b.Key.Public)
			b.Message.SetText(T("key.copied"))
		}
	})
	b.Copy.Disable()
	help := widget.NewLabel(T("key.help"))
	help.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(T("key.fingerprint"), b.Groups), widget.NewFormItem(T("key.public"), b.Public))
	b.Content = container.NewVBox(heading("key.title"), help, form, container.NewHBox(b.Copy), b.Message)
	return b
}

// load reads (or makes) the key of the person with this address and id
// (mail.JournalKey) in the background.
func (b *KeyBox) load(keys journal.KeyStore, email, person string) {
	goBackground(func() {
		k, err := mail.JournalKey(keys, email, person)
		OnMain(func() {
			b.Key, b.Err = k, err
			if err != nil {
				b.Message.SetText(keyErrorText(err))
				b.Message.Importance = widget.DangerImportance
				b.Message.Refresh()
			} else {
				b.Groups.SetText(fingerprintText(k.Groups))
				b.Public.SetText(k.Public)
				b.Copy.Enable()
				b.Message.SetText("")
				if k.Created {
					b.Message.SetText(T("key.created"))
				}
			}
			refreshTree(b.Content)
			if b.Loaded != nil {
				b.Loaded(err == nil)
			}
		})
	})
}

// journalSection is Cài đặt's "Nhật ký chung của cơ quan": joined or how
// to join, and the viewer's own key.
func (s *Shell) journalSection(p *SettingsPage) fyne.CanvasObject {
	box := container.NewVBox(heading("settings.journal"))
	ctx := context.Background()
	pin, err := s.st.Pin(ctx)
	switch {
	case err == nil:
		folder := ""
		if fs, err := s.st.JournalFolders(ctx); err == nil {
			for _, f := range fs {
				if f.Scope == docstore.ScopeAgency {
					folder = f.Name
				}
			}
		}
		joined := widget.NewLabel(T("join.joined", map[string]any{"Code": pin.AgencyCode, "Folder": folder}))
		joined.Wrapping = fyne.TextWrapWord
		p.ShowJournal = widget.NewButton(T("join.show_journal"), s.OpenJournal)
		box.Add(joined)
		box.Add(container.NewHBox(p.ShowJournal))
	case errors.Is(err, docstore.ErrNotFound):
		help := widget.NewLabel(T("join.help"))
		help.Wrapping = fyne.TextWrapWord
		box.Add(help)
		if s.mailSvc != nil {
			p.Join = widget.NewButton(T("join.open"), s.OpenJoin)
			p.Join.Importance = widget.HighImportance
			row := container.NewHBox(p.Join)
			if s.may(docstore.RoleAdmin) {
				// The founding administrator starts the journal from this
				// workstation's log; the others then join it.
				p.Create = widget.NewButton(T("journal.create"), func() { s.openCreateJournal(p) })
				row.Add(p.Create)
			}
			box.Add(row)
		}
	default:
		box.Add(widget.NewLabel(ErrorText(err)))
	}
	keyRow := container.NewVBox()
	p.ShowKey = widget.NewButton(T("key.show"), func() {
		k := newKeyBox()
		p.Key = k
		keyRow.Objects = []fyne.CanvasObject{k.Content}
		keyRow.Refresh()
		k.load(s.Keys, s.viewerEmail(), s.viewer)
	})
	keyRow.Add(container.NewHBox(p.ShowKey))
	box.Add(keyRow)
	return box
}

// JoinDialog is "Tham gia cơ quan": first the agency's code and journal
// folders, then, once the founding is read, the administrator's key
// fingerprint to compare before confirming. The viewer's own key is shown
// below both steps, for the administrator to bind.
type JoinDialog struct {
	Code, Folder, Secret *widget.Entry
	CodeError            *widget.Label
	FolderError          *widget.Label
	Read                 *widget.Button
	Progress             *widget.ProgressBarInfinite
	Message              *widget.Label
	// After reading: the agency, its administrator and the fingerprint.
	Agency, Admin, Groups, Fingerprint, Rights *widget.Label
	Confirm, Back                              *widget.Button
	Own                                        *KeyBox
	Founding                                   *journal.Founding
	Content                                    fyne.CanvasObject

	// ReadFounding and Join talk to the server: the mail service's,
	// unless a test puts its own in. Joined is called on the main
	// goroutine once Join succeeded.
	ReadFounding func(ctx context.Context, viewer, folder, code string) (journal.Founding, error)
	Join         func(f journal.Founding, folder, secret string) error
	Joined       func(f journal.Founding)

	form, check *fyne.Container
	dlg         dialog.Dialog
	cancel      context.CancelFunc
	keyOK       bool
	viewer      string // "" for a newcomer, not yet in the directory
}

// OpenJoin shows the join dialog over the window.
func (s *Shell) OpenJoin() {
	j := s.newJoinDialog()
	s.JoinDialog = j
	if s.win == nil {
		return
	}
	j.dlg = dialog.NewCustom(T("join.title"), T("join.close"), j.Content, s.win)
	j.dlg.SetOnClosed(func() {
		if j.cancel != nil {
			j.cancel()
		}
	})
	j.dlg.Resize(fyne.NewSize(880, 680))
	j.dlg.Show()
	s.win.Canvas().Focus(j.Code)
}

func (s *Shell) newJoinDialog() *JoinDialog {
	j := newJoinPanel(s.st, s.Keys, s.viewerEmail(), s.viewer)
	if svc := s.mailSvc; svc != nil {
		j.ReadFounding = svc.ReadFounding
		j.Join = func(f journal.Founding, folder, secret string) error {
			if err := svc.ConfirmJoin(context.Background(), f, folder, secret); err != nil {
				return err
			}
			return startJournal(svc, s.viewer, s.Keys)
		}
	}
	j.Joined = func(f journal.Founding) {
		if j.dlg != nil {
			j.dlg.Hide()
		}
		s.RefreshCounts()
		if s.items[s.current].key == NavSettings && s.back == nil {
			s.show(s.current)
			if s.Settings != nil {
				s.Settings.Message.SetText(T("join.done", map[string]any{"Name": f.Agency.Name}))
			}
		}
	}
	return j
}

// newJoinPanel builds the join form and check for the person with this
// address and id (a newcomer: the address of their account, no id); the
// caller sets ReadFounding, Join and Joined.
func newJoinPanel(st *docstore.Store, keys journal.KeyStore, email, viewer string) *JoinDialog {
	j := &JoinDialog{Code: widget.NewEntry(), Folder: widget.NewEntry(), Secret: widget.NewEntry(), Message: widget.NewLabel(""), viewer: viewer}
	if ag, err := st.Agency(context.Background()); err == nil {
		j.Code.SetText(ag.Code)
	}
	j.Code.SetPlaceHolder("000.00.12.H31")
	j.Folder.SetText(DefaultJournalFolder)
	j.Secret.SetPlaceHolder(T("join.secret_hint"))
	for _, e := range []*widget.Entry{j.Code, j.Folder, j.Secret} {
		e.TextStyle.Monospace = true
	}
	errLabel := func() *widget.Label {
		l := widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Hide()
		return l
	}
	j.CodeError, j.FolderError = errLabel(), errLabel()
	j.Message.Wrapping = fyne.TextWrapWord
	j.Progress = widget.NewProgressBarInfinite()
	j.Progress.Stop()
	j.Progress.Hide()
	j.Read = widget.NewButton(T("join.read"), j.read)
	j.Read.Importance = widget.HighImportance
	j.Code.OnSubmitted = func(string) { j.read() }
	j.Folder.OnSubmitted = func(string) { j.read() }
	help := widget.NewLabel(T("join.help"))
	help.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(T("join.code"), container.NewVBox(j.Code, j.CodeError)),
		widget.NewFormItem(T("join.folder"), container.NewVBox(j.Folder, j.FolderError)),
		widget.NewFormItem(T("join.secret"), j.Secret),
	)
	j.form = container.NewVBox(help, form, container.NewHBox(j.Read))

	value := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	j.Agency, j.Admin, j.Rights = value(), value(), value()
	j.Agency.TextStyle.Bold = true
	j.Rights.Importance = widget.DangerImportance
	j.Groups = fingerprintLabel()
	j.Fingerprint = widget.NewLabel("")
	j.Fingerprint.TextStyle.Monospace = true
	compare := widget.NewLabel(T("join.compare"))
	compare.Wrapping = fyne.TextWrapWord
	j.Confirm = widget.NewButtonWithIcon(T("join.confirm"), theme.ConfirmIcon(), j.confirm)
	j.Confirm.Importance = widget.HighImportance
	j.Confirm.Disable()
	j.Back = widget.NewButton(T("join.back"), func() { j.showForm() })
	info := widget.NewForm(widget.NewFormItem(T("join.agency"), j.Agency), widget.NewFormItem(T("join.admin"), j.Admin))
	j.check = container.NewVBox(info, heading("join.fingerprint"), compare, container.NewPadded(j.Groups), j.Fingerprint, j.Rights,
		container.NewHBox(j.Confirm, j.Back))
	j.check.Hide()

	j.Own = newKeyBox()
	j.Own.Loaded = func(ok bool) {
		j.keyOK = ok
		if !ok {
			j.Message.SetText(T("join.need_key"))
		}
		j.enableConfirm()
	}
	j.Content = container.NewVScroll(container.NewPadded(container.NewVBox(j.form, j.check, j.Progress, j.Message, widget.NewSeparator(), j.Own.Content)))
	j.Own.load(keys, email, viewer)
	return j
}

func (j *JoinDialog) enableConfirm() {
	if j.keyOK && j.Founding != nil {
		j.Confirm.Enable()
	} else {
		j.Confirm.Disable()
	}
}

func (j *JoinDialog) busy(on bool, key string) {
	if on {
		j.Message.SetText(T(key))
		j.Message.Importance = widget.MediumImportance
		j.Progress.Show()
		j.Progress.Start()
		j.Read.Disable()
		j.Confirm.Disable()
		j.Back.Disable()
	} else {
		j.Progress.Stop()
		j.Progress.Hide()
		j.Read.Enable()
		j.Back.Enable()
		j.enableConfirm()
	}
	j.Message.Refresh()
}

func (j *JoinDialog) fail(err error, folder string) {
	j.busy(false, "")
	j.Message.SetText(journalErrorText(err, folder))
	j.Message.Importance = widget.DangerImportance
	j.Message.Refresh()
	refreshTree(j.form)
}

// journalErrorText words a failure to read or write the journal: a
// folder the server refuses is named, a connection cut in the middle of
// a command is said so; the rest as everywhere.
func journalErrorText(err error, folder string) string {
	var ie *imap.Error
	switch {
	case errors.As(err, &ie) && !errors.Is(err, journal.ErrNoFounding):
		return T("err.journal.folder", map[string]any{"Folder": folder})
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed):
		return T("err.journal.lost")
	}
	return ErrorText(err)
}

// read checks the form and reads the founding of the journal folder in
// the background.
func (j *JoinDialog) read() {
	code, folder := strings.TrimSpace(j.Code.Text), strings.TrimSpace(j.Folder.Text)
	j.CodeError.Hide()
	j.FolderError.Hide()
	ok := true
	if !docstore.ValidAgencyCode(code) {
		j.CodeError.SetText(T("join.err_code"))
		j.CodeError.Show()
		ok = false
	}
	if folder == "" {
		j.FolderError.SetText(T("field.required"))
		j.FolderError.Show()
		ok = false
	}
	refreshTree(j.form)
	if !ok || j.ReadFounding == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	j.cancel = cancel
	j.busy(true, "join.reading")
	readFounding, viewer := j.ReadFounding, j.viewer
	goBackground(func() {
		f, err := readFounding(ctx, viewer, folder, code)
		cancel()
		OnMain(func() {
			if err != nil {
				j.fail(err, folder)
				return
			}
			j.busy(false, "")
			j.showFounding(f)
		})
	})
}

// showFounding shows what was read, for the user to compare.
func (j *JoinDialog) showFounding(f journal.Founding) {
	j.Founding = &f
	j.Agency.SetText(fmt.Sprintf("%s  ·  %s", f.Agency.Name, f.Agency.Code))
	j.Admin.SetText(f.Agency.Admin.FullName)
	j.Groups.SetText(fingerprintText(f.Groups))
	j.Fingerprint.SetText(f.Fingerprint)
	missing := ""
	for _, r := range "lri" {
		if !strings.ContainsRune(f.Rights, r) {
			missing += string(r)
		}
	}
	j.Rights.SetText("")
	j.Rights.Hide()
	if missing != "" {
		j.Rights.SetText(rightsText(map[string]string{docstore.ScopeAgency: missing}))
		j.Rights.Show()
	}
	j.Message.SetText("")
	if !j.keyOK && j.Own.Err != nil {
		j.Message.SetText(T("join.need_key"))
	}
	j.form.Hide()
	j.check.Show()
	j.enableConfirm()
	refreshTree(j.Content.(*container.Scroll).Content)
}

func (j *JoinDialog) showForm() {
	j.Founding = nil
	j.check.Hide()
	j.form.Show()
	j.Message.SetText("")
	j.enableConfirm()
}

// confirm pins the administrator's key, records the folders and starts
// sharing; the settings page then shows the workstation as joined.
func (j *JoinDialog) confirm() {
	if j.Founding == nil || !j.keyOK || j.Join == nil {
		return
	}
	f, folder, secret := *j.Founding, strings.TrimSpace(j.Folder.Text), strings.TrimSpace(j.Secret.Text)
	j.busy(true, "join.joining")
	join := j.Join
	goBackground(func() {
		err := join(f, folder, secret)
		OnMain(func() {
			if err != nil {
				j.fail(err, folder)
				return
			}
			j.busy(false, "")
			j.Message.SetText(T("join.done", map[string]any{"Name": f.Agency.Name}))
			if j.Joined != nil {
				j.Joined(f)
			}
		})
	})
}

// openCreateJournal asks for the (empty) journal folders the agency's IT
// made (docs/JOURNAL-SERVER.md) and puts this workstation's log in them:
// the administrator's side of joining.
func (s *Shell) openCreateJournal(p *SettingsPage) {
	folder := widget.NewEntry()
	folder.SetText(DefaultJournalFolder)
	secret := widget.NewEntry()
	secret.SetPlaceHolder(T("join.secret_hint"))
	help := widget.NewLabel(T("journal.create_help"))
	help.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(T("join.folder"), folder), widget.NewFormItem(T("join.secret"), secret))
	dialog.ShowCustomConfirm(T("journal.create"), T("journal.create_go"), T("mailacct.cancel"),
		container.NewVBox(help, form), func(ok bool) {
			if !ok {
				return
			}
			f, sf := strings.TrimSpace(folder.Text), strings.TrimSpace(secret.Text)
			svc, viewer, keys := s.mailSvc, s.viewer, s.Keys
			p.Message.SetText(T("journal.creating"))
			goBackground(func() {
				r, err := svc.CreateJournal(context.Background(), viewer, keys, f, sf, JournalStatus)
				OnMain(func() {
					if err != nil {
						p.Message.SetText(journalErrorText(err, f))
						return
					}
					JournalStarted(r)
					p.Message.SetText(T("journal.created", map[string]any{"Folder": f}))
					s.RefreshCounts()
				})
			})
		}, s.win)
}
