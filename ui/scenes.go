package ui

import "context"

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
	default:
		return false
	}
	return true
}
