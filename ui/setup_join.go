package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail/journal"
)

// The first start of a colleague's workstation: "Tham gia cơ quan". The
// agency already keeps its registers in a journal on its mail server; this
// workstation has nothing yet, not even a person of the directory to be.
// Three steps:
//
//  1. the newcomer's own mailbox (the journal is read and written with it);
//  2. the agency's code and journal folders; the founding is read and the
//     administrator's fingerprint compared, as an SSH client asks; the
//     newcomer's own key (made now, kept in the OS keyring under the
//     address) is shown for the administrator to bind to them;
//  3. the journal is read, and as soon as the directory names the address,
//     the window opens as that person. Until the administrator has added
//     them, the screen says so and keeps waiting.
type SetupJoin struct {
	Account *AccountForm
	Panel   *JoinDialog
	// Waiting for the directory.
	Waiting  *widget.Label
	Progress *widget.ProgressBarInfinite
	Missing  *widget.Label
	Own      *KeyBox

	acct   docstore.MailAccount
	stop   chan struct{}
	joined bool
}

// showJoin starts the join: the account form first.
func (u *Setup) showJoin() {
	j := &SetupJoin{}
	u.Join = j
	j.Account = NewAccountForm(u.mail, nil, func(saved *docstore.MailAccount) {
		if saved == nil {
			u.showFounding()
			return
		}
		j.acct = *saved
		u.showJoinPanel(j)
	})
	help := widget.NewLabel(T("setup.join_account_help"))
	help.Wrapping = fyne.TextWrapWord
	u.body.Objects = []fyne.CanvasObject{container.NewBorder(container.NewVBox(heading("setup.join_title"), help), nil, nil, nil, j.Account.Content)}
	u.body.Refresh()
}

// showJoinPanel is step 2: the agency, its fingerprint, the newcomer's key.
func (u *Setup) showJoinPanel(j *SetupJoin) {
	svc, keys, acct := u.mail, u.Keys, j.acct
	p := newJoinPanel(u.st, keys, acct.Address, "")
	j.Panel = p
	p.ReadFounding = svc.ReadFounding
	p.Join = func(f journal.Founding, folder, secret string) error {
		ctx := context.Background()
		if err := svc.ConfirmJoin(ctx, f, folder, secret); err != nil {
			return err
		}
		r, err := svc.StartJournalFor(ctx, acct, keys, JournalStatus)
		if err != nil {
			return err
		}
		JournalStarted(r)
		return nil
	}
	p.Joined = func(f journal.Founding) { u.showJoinWaiting(j, f) }
	u.body.Objects = []fyne.CanvasObject{container.NewBorder(heading("setup.join_title"), nil, nil, nil, p.Content)}
	u.body.Refresh()
}

// showJoinWaiting is step 3: the journal is read until the directory
// names the account's address.
func (u *Setup) showJoinWaiting(j *SetupJoin, f journal.Founding) {
	j.Waiting = widget.NewLabel(T("setup.join_reading", map[string]any{"Name": f.Agency.Name}))
	j.Waiting.Wrapping = fyne.TextWrapWord
	j.Progress = widget.NewProgressBarInfinite()
	j.Missing = widget.NewLabel("")
	j.Missing.Wrapping = fyne.TextWrapWord
	j.Missing.TextStyle.Bold = true // a sentence to act on: not the pale warning colour
	j.Missing.Hide()
	j.Own = newKeyBox()
	j.Own.Content.Hide()
	j.Own.load(u.Keys, j.acct.Address, "")
	u.body.Objects = []fyne.CanvasObject{container.NewVScroll(container.NewPadded(container.NewVBox(
		heading("setup.join_title"), j.Waiting, j.Progress, j.Missing, j.Own.Content)))}
	u.body.Refresh()

	// Each report of the replicator (and a slow tick, for a journal read
	// in one pass) asks the directory again.
	j.stop = make(chan struct{})
	check := func(st journal.Status) { u.checkJoined(j, st) }
	if last, ok := setJournalIndicator(check); ok {
		check(last)
	}
	stop := j.stop
	go func() { // not goBackground: it lasts as long as the screen, not one task
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				OnMain(func() { u.checkJoined(j, journal.Status{}) })
			}
		}
	}()
}

// checkJoined opens the window once the directory names the newcomer;
// after a complete read without them, it says the administrator has not
// added them yet and shows the key to give. Main goroutine.
func (u *Setup) checkJoined(j *SetupJoin, st journal.Status) {
	if j.joined {
		return
	}
	p, err := u.mail.DirectoryPerson(context.Background(), j.acct.Address)
	if err == nil {
		j.joined = true
		close(j.stop)
		setJournalIndicator(nil)
		j.Progress.Stop()
		u.done(p.ID)
		return
	}
	switch {
	case !errors.Is(err, docstore.ErrNotFound):
		j.Missing.SetText(ErrorText(err))
		j.Missing.Show()
	case st.Err != nil:
		j.Missing.SetText(journalErrorText(st.Err, ""))
		j.Missing.Show()
	case !st.LastSync.IsZero():
		// Read to the end: the administrator has not added the address.
		j.Missing.SetText(T("setup.join_not_in_directory", map[string]any{"Address": j.acct.Address}))
		j.Missing.Show()
		j.Own.Content.Show()
	}
	refreshTree(u.body)
}

// OpenScene shows a step of joining for the screenshots
// (scripts/screenshots.sh): "setup.join" the mailbox form, "setup.join.
// waiting" a newcomer the administrator has not added yet (with a key made
// in memory, not kept).
func (u *Setup) OpenScene(name string) bool {
	switch {
	case u.mail == nil:
		return false
	case name == "setup.join":
		u.showJoin()
	case name == "setup.join.waiting":
		u.Keys = journal.MemoryKeys()
		j := &SetupJoin{acct: docstore.MailAccount{Address: "khoa.pm@lamson.gov.vn"}}
		u.Join = j
		u.showJoinWaiting(j, journal.Founding{Agency: docstore.AgencyFounded{Name: "Ủy ban nhân dân thành phố Lâm Sơn"}})
		u.checkJoined(j, journal.Status{Online: true, LastSync: time.Now()})
	default:
		return false
	}
	return true
}
