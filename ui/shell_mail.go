package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/imapsync"
	"congvu/mail/mimemsg"
)

// SetMail gives the window the mail service of its data folder (main
// starts it; the window only shows what it does and asks it for work).
func (s *Shell) SetMail(svc *mail.Service) { s.mailSvc = svc }

// MailProgress is a sync engine's report; call it on the main goroutine
// (main's bridge does, through OnMain).
func (s *Shell) MailProgress(p imapsync.Progress) {
	if s.MailView != nil {
		s.MailView.Progress(p)
	}
}

func (s *Shell) mailPage() fyne.CanvasObject {
	v := NewMailView(s.st, s.mailSvc, s.viewer)
	s.MailView = v
	v.OnCompose = s.OpenComposer
	v.OnRegister = s.registerFromMail
	v.OnAddAccount = func() { s.OpenAccountForm(nil) }
	v.OnEditDraft = func(acct docstore.MailAccount, d mimemsg.Draft, m docstore.MailMessage) {
		s.OpenComposer(acct, d)
		if s.Composer == nil {
			return
		}
		// The local draft of this message, if it was written here; and
		// where the server's copy is, which the next save replaces.
		var id string
		if md, err := s.st.MailDraftByMessageID(context.Background(), acct.ID, m.MessageID); err == nil {
			id = md.ID
		}
		var validity uint32
		if f, err := s.st.MailFolder(context.Background(), m.FolderID); err == nil {
			validity = f.UIDValidity
		}
		s.Composer.EditingDraft(id, validity, m.UID)
	}
	return v.Content
}

// OpenMail shows the Hộp thư with one message open (a search result).
func (s *Shell) OpenMail(rowid int64) {
	s.Show(NavMail)
	if s.MailView != nil {
		s.MailView.OpenMessage(rowid)
	}
}

// OpenComposer shows the composer for an account, with a ready draft
// (reply, forward) or an empty one.
func (s *Shell) OpenComposer(acct docstore.MailAccount, d mimemsg.Draft) {
	if s.mailSvc == nil {
		return
	}
	s.leaveTo()
	accts, _ := s.st.MailAccounts(context.Background())
	// The chosen account first: the composer sends from its first account
	// unless the user picks another.
	ordered := []docstore.MailAccount{acct}
	for _, a := range accts {
		if a.ID != acct.ID {
			ordered = append(ordered, a)
		}
	}
	s.Composer = NewComposer(s.mailSvc, s.st, s.viewer, ordered, d, func(queued bool) {
		s.GoBack()
		if s.MailView != nil {
			s.MailView.Reload()
		}
	})
	s.page.Objects = []fyne.CanvasObject{s.Composer.Content}
	s.page.Refresh()
}

// OpenAccountForm shows the account form (a nil account: a new one).
func (s *Shell) OpenAccountForm(a *docstore.MailAccount) {
	if s.mailSvc == nil {
		return
	}
	s.leaveTo()
	s.AccountForm = NewAccountForm(s.mailSvc, a, func(saved *docstore.MailAccount) {
		if saved != nil {
			s.mailSvc.StartAccount(*saved)
		}
		s.GoBack()
		if s.MailView != nil {
			s.MailView.Reload()
		}
	})
	s.page.Objects = []fyne.CanvasObject{s.AccountForm.Content}
	s.page.Refresh()
}

// registerFromMail opens "Vào sổ" pre-filled from a message: the issuer
// from the sender, trích yếu from the subject, source email, its files
// attached; once registered, message and document are linked both ways.
func (s *Shell) registerFromMail(m docstore.MailMessage, files []string) {
	s.OpenRegisterForm()
	f := s.Form
	rowid := m.Rowid
	f.done = func(r docstore.Registered) {
		if err := s.st.LinkMailDocument(context.Background(), rowid, r.DocID); err != nil {
			f.Message.SetText(ErrorText(err))
		}
		s.RefreshCounts()
	}
	if len(m.From) > 0 {
		issuer := m.From[0].Name
		if issuer == "" {
			issuer = m.From[0].Addr
		}
		f.Issuer.SetText(issuer)
	}
	f.Subject.SetText(m.Subject)
	f.Source.SetSelectedIndex(2) // email
	var uris []fyne.URI
	for _, p := range files {
		uris = append(uris, storage.NewFileURI(p))
	}
	f.AddFiles(uris)
}

func mailHitLine(h docstore.MailHit) string {
	return fmt.Sprintf("✉  %s  ·  %s  ·  %s  ·  %s", mailDate(h.Date), subjectOr(h.Subject), addrList(h.From), h.FolderName)
}
