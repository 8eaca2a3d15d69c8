package ui

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2/container"

	docstore "congvu/docs-store"
	"congvu/mail/edxml"
	"congvu/mail/journal"
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
	case "doc.outgoing": // the newest issued outgoing document: its liên thông section
		s.Show(NavOutgoing)
		if s.Outgoing != nil && s.Outgoing.Rows() > 0 {
			if d, ok := s.Outgoing.model.Row(0); ok {
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
	case "exchange.queue": // Chờ tiếp nhận: packages from other agencies, one asked back by its sender
		if !s.demo || !s.demoExchange() {
			return false
		}
		s.Show(NavIncoming)
		s.OpenExchangeQueue()
	case "exchange.package": // one of them open in Vào sổ, filled from the package
		if !s.demo || !s.demoExchange() {
			return false
		}
		ps, err := s.st.ExchangeWaitingList(context.Background(), s.viewer)
		if err != nil || len(ps) == 0 {
			return false
		}
		s.Show(NavIncoming)
		s.OpenPackage(ps[len(ps)-1])
	case "journal.page": // Nhật ký đồng bộ of a demo journal: warnings, a number claimed again, a provisional number
		if !s.demo || !s.demoJournal() {
			return false
		}
		s.OpenJournal()
	case "journal.provisional": // the incoming register with a number the server has not confirmed yet
		if !s.demo || !s.demoJournal() {
			return false
		}
		s.Show(NavIncoming)
	case "journal.join": // Tham gia cơ quan, at the fingerprint to compare
		if !s.demo {
			return false
		}
		s.Show(NavSettings)
		s.OpenJoin()
		j := s.JoinDialog
		j.ReadFounding = func(context.Context, string, string, string) (journal.Founding, error) { return s.demoFounding() }
		j.read()
	case "settings.journal": // Cài đặt scrolled to the shared journal (and, for the quản trị, the directory)
		s.Show(NavSettings)
		p := s.Settings
		time.AfterFunc(time.Second, func() { // once the window has laid the page out
			OnMain(func() {
				if sc, ok := p.Content.(*container.Scroll); ok {
					sc.Offset.Y = p.Journal.Position().Y
					sc.Refresh()
				}
			})
		})
	case "person.key": // the quản trị binds a colleague's public key (run --as the demo's quản trị)
		for _, p := range s.people {
			if p.ID != s.viewer && p.Has(docstore.RoleClerk) {
				s.Show(NavSettings)
				s.OpenPersonForm(&p)
				seed := sha256.Sum256([]byte(p.ID))
				s.PersonForm.PublicKey.SetText(journal.PublicKeyString(ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)))
				return true
			}
		}
		return false
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

// demoJournal gives the demo agency (which has no server) what a joined
// workstation shows, for the screenshots: the journal folder, three
// messages of the journal that were not applied, a registration made
// offline (its number provisional) and a number claimed again. The demo's
// clerk must be the viewer.
func (s *Shell) demoJournal() bool {
	ctx := context.Background()
	if err := s.st.SetJournalFolder(ctx, docstore.ScopeAgency, DefaultJournalFolder); err != nil {
		return false
	}
	var forger, clerk string
	for _, p := range s.people {
		if p.Has(docstore.RoleClerk) && clerk == "" {
			clerk = p.ID
		} else if p.Has(docstore.RoleSpecialist) && forger == "" {
			forger = p.ID
		}
	}
	s.st.ApplyJournal(ctx, docstore.ScopeAgency, []docstore.JournalEntry{
		{UID: 1412, Problem: errors.New("journal: not a journal message"), ProblemKind: "malformed", ProblemCode: docstore.WarnNotJournal},
		{UID: 1437, Event: docstore.Event{ID: "demo-sig", Actor: clerk}, Problem: errors.New("journal: bad signature: the signature does not verify"),
			ProblemKind: "signature", ProblemCode: docstore.WarnBadSignature},
		{UID: 1440, Event: docstore.Event{ID: "demo-forged", Actor: forger, Type: docstore.EvDraftApproved}, Problem: errors.New(forger + " may not approve"),
			ProblemKind: "forged", ProblemCode: docstore.WarnForbidden},
	})
	if pending, err := s.st.PendingDocuments(ctx); err == nil && len(pending) == 0 {
		today := s.today()
		s.st.SetPublisher(offlinePublisher{})
		s.st.RegisterIncoming(ctx, s.viewer, docstore.IncomingInput{RegisterID: "den-" + today[:4], ArrivalDate: today, Issuer: "Sở Xây dựng",
			Notation: "318/SXD-QLN", DocDate: today, Type: "CV", Subject: "V/v kiểm tra trật tự xây dựng (vào sổ khi mất mạng)", Source: docstore.SourcePaper})
		s.st.SetPublisher(nil)
	}
	var reclaimed []docstore.Reclaimed
	if s.Incoming != nil && s.Incoming.Rows() > 1 {
		if d, ok := s.Incoming.model.Row(1); ok {
			reclaimed = append(reclaimed, docstore.Reclaimed{DocID: d.ID, RegisterID: d.RegisterID, Lost: d.Number - 3, Number: d.Number})
		}
	}
	JournalStatus(journal.Status{Online: true, LastSync: time.Now().Add(-2 * time.Minute), Reclaimed: reclaimed,
		Rights: map[string]string{docstore.ScopeAgency: ""}})
	s.RefreshCounts()
	return true
}

// offlinePublisher is a journal server that cannot be reached (demo).
type offlinePublisher struct{}

func (offlinePublisher) Publish(context.Context, string, []docstore.Event) error {
	return docstore.ErrOffline
}

// demoFounding is the demo agency's founding as a joining workstation
// reads it, with a key made from the agency's code.
func (s *Shell) demoFounding() (journal.Founding, error) {
	ag, err := s.st.Agency(context.Background())
	if err != nil {
		return journal.Founding{}, err
	}
	seed := sha256.Sum256([]byte(ag.Code))
	pub := ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey)
	admin := docstore.PersonInput{FullName: "Quản trị"}
	for _, p := range s.people {
		if p.Has(docstore.RoleAdmin) {
			admin = docstore.PersonInput{ID: p.ID, FullName: p.FullName, Title: p.Title}
		}
	}
	return journal.Founding{Agency: docstore.AgencyFounded{Code: ag.Code, Name: ag.Name, Admin: admin}, AdminKey: pub,
		Fingerprint: journal.Fingerprint(pub), Groups: journal.FingerprintGroups(pub), Rights: "lrsi"}, nil
}

// demoExchange puts three packages from other agencies in the demo's
// queue (once), as if the exchange mailbox had brought them; the first
// one's sender asks for it back.
func (s *Shell) demoExchange() bool {
	x := s.exchange()
	if x == nil {
		return false
	}
	ctx := context.Background()
	if ps, err := s.st.ExchangeWaitingList(ctx, s.viewer); err != nil || len(ps) > 0 {
		return err == nil
	}
	today := s.today()
	date := today[:4] + "/" + today[5:7] + "/" + today[8:]
	self, _ := s.st.Agency(ctx)
	for i, p := range []struct{ id, name, number, notation, typ, subject, file string }{
		{"000.00.12.H31", "Sở Tài chính", "2145", "STC-NS", "Công văn", "V/v hướng dẫn lập dự toán ngân sách năm sau", "2145-STC-NS.pdf"},
		{"000.00.00.H31", "Ủy ban nhân dân tỉnh", "87", "KH-UBND", "Kế hoạch", "Kế hoạch chuyển đổi số tỉnh giai đoạn 2026–2030", "87-KH-UBND.pdf"},
		{"000.00.00.G09", "Bộ Nội vụ", "512", "BNV-CCVC", "Công văn", "V/v báo cáo số lượng, chất lượng cán bộ, công chức cấp xã", "512-BNV-CCVC.pdf"},
	} {
		d := &edxml.Document{From: edxml.Organ{OrganID: p.id, OrganName: p.name}, To: []edxml.Organ{{OrganID: self.Code, OrganName: self.Name}},
			DocumentID: p.id + "," + date + "," + p.number + "/" + p.notation, CodeNumber: p.number, CodeNotation: p.notation,
			Place: "Lâm Sơn", Date: today, Type: 1, TypeName: p.typ, Subject: p.subject, Other: edxml.OtherInfo{Priority: i % 2, PageAmount: 2 + i},
			Signer:      edxml.Signer{Competence: "KT. GIÁM ĐỐC", Position: "PHÓ GIÁM ĐỐC", FullName: "Trần Văn Bình"},
			Attachments: []edxml.Attachment{{ContentID: "f1", Name: p.file, ContentType: "application/pdf"}}}
		var buf bytes.Buffer
		content := []byte("%PDF-1.7\n% " + p.subject + "\n")
		if err := edxml.WriteDocument(&buf, d, func(edxml.Attachment) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(content)), nil
		}, i == 1); err != nil {
			return false
		}
		if _, _, err := x.QueuePackage(ctx, &buf); err != nil {
			return false
		}
		if i == 0 {
			s.st.AddExchangeStatus(ctx, docstore.ExchangeStatus{DocumentID: d.DocumentID, OrganID: p.id, Code: string(edxml.StatusRevocationAsked),
				Direction: "in", Description: "Văn bản gửi nhầm cơ quan, đề nghị trả lại", At: time.Now()}, "")
		}
	}
	return true
}
