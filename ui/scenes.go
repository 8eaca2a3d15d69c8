package ui

import (
	"context"
	"strings"

	docstore "congvu/docs-store"
)

// OpenScene opens one of the states `make screenshots` photographs beyond
// the rail's pages; it reports false for a key it does not know.
func (s *Shell) OpenScene(key string) bool {
	switch key {
	case "form.register":
		s.OpenRegisterForm()
	case "form.register.errors": // the form with its validation messages
		s.OpenRegisterForm()
		s.Form.Notation.SetText("15 QĐ UBND")
		s.Form.DocDate.SetText("31/12/2099")
		s.Form.Submit.OnTapped()
	case "doc.newest": // the newest incoming document's detail
		s.Show(NavIncoming)
		if s.Incoming != nil && s.Incoming.Rows() > 0 {
			if d, ok := s.Incoming.model.Row(0); ok {
				s.OpenDocument(d.ID)
			}
		}
	case "draft.waiting": // the first draft waiting for the viewer
		s.Show(NavDrafts)
		if ds, err := s.st.DraftsWaitingFor(context.Background(), s.viewer); err == nil && len(ds) > 0 {
			s.OpenDraft(ds[0].ID)
		}
	case "mail.open": // the Hộp thư with the newest message already registered as a document
		s.Show(NavMail)
		s.openMailScene(func(r docstore.MailRow) bool {
			if len(r.Attachments) == 0 || r.State != docstore.BodyPresent {
				return false
			}
			docs, err := s.st.MailDocuments(context.Background(), r.Rowid)
			return err == nil && len(docs) > 0
		})
	case "mail.hostile": // a message whose attachment name carries a direction override
		s.Show(NavMail)
		s.openMailScene(func(r docstore.MailRow) bool { return strings.Contains(strings.Join(r.Attachments, ""), "\u202e") })
	case "mail.compose": // a reply to that message in the composer
		s.Show(NavMail)
		if s.openMailScene(func(r docstore.MailRow) bool { return len(r.Attachments) > 0 && r.State == docstore.BodyPresent }) {
			s.MailView.reply(false)
		}
	case "mail.outbox": // the outbox with a queued and a failed message
		s.Show(NavMail)
		if v := s.MailView; v != nil {
			for i, e := range v.entries {
				if e.outbox && !e.account.Shared {
					v.Folders.Select(i)
					if len(v.outbox) > 0 {
						v.List.Select(0)
					}
					break
				}
			}
		}
	case "mail.account": // the account form of the first account
		if accts, err := s.st.MailAccounts(context.Background()); err == nil && len(accts) > 0 {
			s.OpenAccountForm(&accts[0])
		}
	default:
		return false
	}
	return true
}

// openMailScene opens, in the open folder of the Hộp thư, the newest
// message that pick accepts.
func (s *Shell) openMailScene(pick func(docstore.MailRow) bool) bool {
	v := s.MailView
	if v == nil {
		return false
	}
	for i := 0; i < len(v.rowids) && i < 500; i++ {
		if r, ok := v.row(i); ok && pick(r) {
			v.List.Select(i)
			v.List.ScrollTo(i)
			return true
		}
	}
	return false
}
