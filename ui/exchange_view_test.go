package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/edxml"
	"congvu/mail/pdfsig/pdfsigtest"
)

// Chờ tiếp nhận: the clerk sees the packages other agencies sent, one
// flagged as asked back; opening one fills Vào sổ from it with its file;
// registering it files the document and queues 03 for the sender;
// refusing another asks why and queues 02.
func TestExchangeQueueRegisterAndRefuse(t *testing.T) {
	st, cast, s, w, a := exchangeShell(t)
	ctx := context.Background()
	if !s.OpenScene("exchange.queue") {
		t.Fatal("no exchange scene")
	}
	q := s.ExchangeQueue
	eventually(t, "the queue", func() bool { return len(q.packages) == 3 })
	if len(q.asked) != 1 {
		t.Fatalf("asked back: %v", q.asked)
	}
	var plan, moha docstore.ExchangeIncoming
	for _, p := range q.packages {
		switch p.Notation {
		case "87/KH-UBND":
			plan = p
		case "512/BNV-CCVC":
			moha = p
		}
	}

	s.OpenPackage(plan)
	f := s.Form
	if f.Notation.Text != "87/KH-UBND" || f.Issuer.Text != "Ủy ban nhân dân tỉnh" || f.Type.Selected != "Kế hoạch" ||
		f.Source.SelectedIndex() != 3 || len(f.Stored) != 1 || f.Stored[0].Name != "87-KH-UBND.pdf" {
		t.Fatalf("filled: %q %q %q source %d files %+v", f.Notation.Text, f.Issuer.Text, f.Type.Selected, f.Source.SelectedIndex(), f.Stored)
	}
	test.Tap(f.Submit)
	var items []docstore.OutboxItem
	eventually(t, "registered, 03 queued", func() bool {
		ws, _ := st.ExchangeWaitingList(ctx, cast.Clerk)
		items, _ = st.OutboxItems(ctx, a.ID)
		return len(ws) == 2 && len(items) == 1
	})
	if len(items) != 1 || items[0].Recipients[0] != "vanthu@tinh.gov.vn" || !strings.Contains(items[0].Subject, "Trạng thái 03") {
		t.Fatalf("outbox after registering: %+v", items)
	}

	s.OpenPackage(moha)
	var refuse *widget.Button
	for _, o := range s.Form.Actions.Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == T("exchange.refuse") {
			refuse = b
		}
	}
	test.Tap(refuse)
	for _, e := range widgetsDeep[*widget.Entry](w.Canvas().Overlays().Top()) {
		e.SetText("Gửi nhầm cơ quan")
	}
	tapInOverlay(t, w, T("exchange.refuse"))
	eventually(t, "refused", func() bool { ws, _ := st.ExchangeWaitingList(ctx, cast.Clerk); return len(ws) == 1 })
	eventually(t, "refused, 02 queued", func() bool {
		items, _ = st.OutboxItems(ctx, a.ID)
		return len(items) == 2
	})
	if !strings.Contains(items[0].Subject+items[1].Subject, "Trạng thái 02") {
		t.Fatalf("outbox after refusing: %+v", items)
	}
}

// exchangeShell is the demo's văn thư with a mail service whose shared
// account is the exchange mailbox (no server: statuses wait in the
// outbox), two of the demo's senders in the exchange directory.
func exchangeShell(t *testing.T) (*docstore.Store, *demo.Cast, *Shell, fyne.Window, docstore.MailAccount) {
	t.Helper()
	st, cast, s, w := demoShell(t)
	ctx := context.Background()
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	t.Cleanup(svc.Stop)
	a := docstore.MailAccount{Address: "vanthu@lamson.gov.vn", DisplayName: "Văn thư", Username: "vanthu@lamson.gov.vn", IMAPHost: "127.0.0.1",
		IMAPPort: 993, IMAPSecurity: docstore.SecurityTLS, SMTPHost: "127.0.0.1", SMTPPort: 465, SMTPSecurity: docstore.SecurityTLS,
		PasswordMode: docstore.PasswordAsk, Shared: true}
	if err := svc.AddAccount(ctx, &a, ""); err != nil {
		t.Fatal(err)
	}
	s.SetMail(svc)
	for _, ag := range []docstore.ExchangeAgency{{OrganID: "000.00.00.H31", Name: "UBND tỉnh", Email: "vanthu@tinh.gov.vn"},
		{OrganID: "000.00.00.G09", Name: "Bộ Nội vụ", Email: "vanthu@moha.gov.vn"}} {
		if err := st.SetExchangeAgency(ctx, cast.Admin, ag); err != nil {
			t.Fatal(err)
		}
	}
	return st, cast, s, w, a
}

// A document that came by edXML, handled here: directing it reports 04,
// the handler taking it 05, its completion 06 — each queued for the
// sender.
func TestExchangeHandlingReported(t *testing.T) {
	st, cast, s, _, a := exchangeShell(t)
	ctx := context.Background()
	if !s.demoExchange() {
		t.Fatal("no demo packages")
	}
	ws, _ := st.ExchangeWaitingList(ctx, cast.Clerk)
	var plan docstore.ExchangeIncoming
	for _, p := range ws {
		if p.Notation == "87/KH-UBND" {
			plan = p
		}
	}
	s.OpenPackage(plan)
	test.Tap(s.Form.Submit)
	var items []docstore.OutboxItem
	eventually(t, "registered", func() bool { items, _ = st.OutboxItems(ctx, a.ID); return len(items) == 1 })
	docID := items[0].DocumentID
	codes := func() string {
		items, _ := st.OutboxItems(ctx, a.ID)
		var cs []string
		for _, it := range items {
			cs = append(cs, strings.Fields(strings.TrimPrefix(it.Subject, "[edXML] Trạng thái "))[0])
		}
		slices.Sort(cs)
		return strings.Join(cs, " ")
	}

	v := NewDocumentView(st, cast.Chairman, docID, func() {}, nil)
	v.Exchange = s.exchange()
	v.ChuTri.SetSelectedIndex(0)
	v.Deadline.SetText("15/12/2026")
	test.Tap(v.DirectBtn)
	eventually(t, "04 queued", func() bool { return codes() == "03 04" })
	eventually(t, "the assignment", func() bool {
		d, err := st.Assignments(ctx, cast.Chairman, docID)
		return err == nil && len(d) > 0
	})
	work, _ := st.Assignments(ctx, cast.Chairman, docID)
	who := work[0].Assignee
	if work[0].Kind == "unit" {
		for _, p := range s.people {
			if p.UnitID == who && p.Has(docstore.RoleUnitHead) {
				who = p.ID
			}
		}
	}
	h := NewDocumentView(st, who, docID, func() {}, nil)
	h.Exchange = s.exchange()
	btns := h.Actions[work[0].ID]
	if len(btns) != 3 {
		t.Fatalf("the handler's actions: %d", len(btns))
	}
	test.Tap(btns[0]) // nhận xử lý
	eventually(t, "05 queued", func() bool { return codes() == "03 04 05" })
	h = NewDocumentView(st, who, docID, func() {}, nil)
	h.Exchange = s.exchange()
	test.Tap(h.Actions[work[0].ID][1]) // hoàn thành
	eventually(t, "06 queued", func() bool { return codes() == "03 04 05 06" })
}

// An issued outgoing document goes out by edXML from its detail: the
// văn thư picks agencies of the directory; the package waits in the
// outbox; the recipients are listed, and the document can be asked back.
func TestSendOutgoingByExchange(t *testing.T) {
	st, cast, s, w, a := exchangeShell(t)
	ctx := context.Background()
	s.Show(NavOutgoing)
	var docID string
	for i := 0; i < s.Outgoing.Rows() && docID == ""; i++ {
		if d, ok := s.Outgoing.model.Row(i); ok && d.Number > 0 && d.Secrecy == docstore.SecrecyNone {
			docID = d.ID
		}
	}
	if docID == "" {
		t.Fatal("no issued outgoing document in the demo")
	}
	v := NewDocumentView(st, cast.Clerk, docID, func() {}, nil)
	v.SetExchange(s.exchange())
	if v.SendExchange == nil || v.RevokeExchange != nil {
		t.Fatal("the send button (and no revoke before sending)")
	}
	test.Tap(v.SendExchange)
	for _, g := range widgetsDeep[*widget.CheckGroup](w.Canvas().Overlays().Top()) {
		g.SetSelected(g.Options[:1])
	}
	tapInOverlay(t, w, T("exchange.send_go"))
	eventually(t, "sent", func() bool { return len(v.Recipients) == 1 || v.Message.Text != "" })
	if len(v.Recipients) != 1 {
		t.Fatalf("not sent: %q", v.Message.Text)
	}
	items, _ := st.OutboxItems(ctx, a.ID)
	if len(items) != 1 || !strings.HasPrefix(items[0].Subject, "[edXML] ") || len(items[0].Parts) != 1 || !strings.HasSuffix(items[0].Parts[0].Name, ".edxml") {
		t.Fatalf("outbox: %+v", items)
	}
	if v.RevokeExchange == nil {
		t.Fatal("no revoke button once sent")
	}
	test.Tap(v.RevokeExchange)
	for _, e := range widgetsDeep[*widget.Entry](w.Canvas().Overlays().Top()) {
		e.SetText("Văn bản ban hành nhầm")
	}
	tapInOverlay(t, w, T("exchange.revoke_go"))
	eventually(t, "13 queued", func() bool {
		items, _ = st.OutboxItems(ctx, a.ID)
		return len(items) == 2
	})
	// The leader sees where it stands but has no send button.
	l := NewDocumentView(st, cast.Chairman, docID, func() {}, nil)
	l.SetExchange(s.exchange())
	if len(l.Recipients) != 1 || l.SendExchange != nil {
		t.Fatalf("the leader's view: %d recipients, send button %v", len(l.Recipients), l.SendExchange != nil)
	}
}

// The quản trị keeps the exchange directory from Cài đặt: an agency added
// by hand is counted; a wrong mã định danh is said and changes nothing;
// a văn thư has no such section.
func TestExchangeDirectoryInSettings(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	ctx := context.Background()
	s.Show(NavSettings)
	if s.Settings.AddAgency != nil {
		t.Fatal("a văn thư sees the exchange directory section")
	}
	s.SetViewer(cast.Admin)
	s.Show(NavSettings)
	p := s.Settings
	p.AgencyID.SetText("000.00.00.H41")
	p.AgencyName.SetText("Ủy ban nhân dân tỉnh Nghệ An")
	p.AgencyEmail.SetText("vanthu@nghean.gov.vn")
	test.Tap(p.AddAgency)
	eventually(t, "saved", func() bool { return strings.Contains(p.ExchangeAgencies.Text, "1 cơ quan") })
	p.AgencyID.SetText("H41")
	p.AgencyName.SetText("Sai mã")
	p.AgencyEmail.SetText("a@b.vn")
	test.Tap(p.AddAgency)
	eventually(t, "refused", func() bool { return p.Message.Text != "" && !strings.Contains(p.Message.Text, "Đã lưu") })
	if as, _ := st.ExchangeAgencies(ctx); len(as) != 1 {
		t.Fatalf("directory %+v", as)
	}
}

// Under each PDF of a document: signed and intact, changed after signing,
// or not signed at all.
func TestPDFSignaturesShown(t *testing.T) {
	st, cast, _, _ := demoShell(t)
	ctx := context.Background()
	cert, key := pdfsigtest.Signer(t, true)
	signed := pdfsigtest.SignedPDF(t, cert, key, "Quyết định 1234/QĐ-UBND")
	tampered := bytes.Replace(bytes.Clone(signed), []byte("1234"), []byte("1235"), 1)
	var atts []docstore.Attachment
	for name, b := range map[string][]byte{"ky-so.pdf": signed, "da-sua.pdf": tampered, "khong-ky.pdf": []byte("%PDF-1.4\n%%EOF\n")} {
		ref, err := st.Blobs().Put(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		atts = append(atts, docstore.Attachment{SHA256: ref.SHA256, Name: name, Size: ref.Size})
	}
	today := "2026-11-27"
	r, err := st.RegisterIncoming(ctx, cast.Clerk, docstore.IncomingInput{RegisterID: cast.IncomingRegister, ArrivalDate: today, Issuer: "UBND tỉnh Nghệ An",
		Notation: "1234/QĐ-UBND", DocDate: today, Type: "QD", Subject: "Quyết định ký số", Source: docstore.SourceEdXML, Attachments: atts})
	if err != nil {
		t.Fatal(err)
	}
	v := NewDocumentView(st, cast.Clerk, r.DocID, func() {}, nil)
	text := func(i int) string { return v.Signatures[atts[i].SHA256].Text }
	eventually(t, "the three lines", func() bool {
		for i := range atts {
			if strings.HasPrefix(text(i), "Đang") {
				return false
			}
		}
		return true
	})
	for i, a := range atts {
		want := map[string]string{"ky-so.pdf": "✓ Có chữ ký số của Nguyễn Văn Đức", "da-sua.pdf": "đã bị sửa sau khi ký", "khong-ky.pdf": "Không có chữ ký số"}[a.Name]
		if !strings.Contains(text(i), want) {
			t.Errorf("%s: %q, want %q", a.Name, text(i), want)
		}
	}
}

type bufCloser struct{ bytes.Buffer }

func (*bufCloser) Close() error { return nil }

// Sổ văn bản prints a register to PDF and says how much it printed.
func TestPrintRegisterFromTheWindow(t *testing.T) {
	st, cast, s, _ := demoShell(t)
	regs, _ := st.Registers(context.Background(), cast.Clerk)
	var reg docstore.Register
	for _, r := range regs {
		if r.ID == cast.IncomingRegister {
			reg = r
		}
	}
	msg := widget.NewLabel("")
	var out bufCloser
	s.PrintRegisterTo(reg, &out, msg)
	eventually(t, "printed", func() bool { return strings.HasPrefix(msg.Text, "Đã in") })
	if !bytes.HasPrefix(out.Bytes(), []byte("%PDF-")) || !strings.Contains(msg.Text, "văn bản") {
		t.Fatalf("%q, %d bytes", msg.Text, out.Len())
	}
	out.Reset()
	msg.SetText("")
	s.ExportRegisterTo(reg, &out, msg)
	eventually(t, "exported", func() bool { return strings.HasPrefix(msg.Text, "Đã xuất") })
	if !bytes.HasPrefix(out.Bytes(), []byte("PK\x03\x04")) {
		t.Fatalf("not a spreadsheet: %q", msg.Text)
	}
}

// A package's XML signature is shown with its certificate.
func TestPackageSignatureShown(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(edxml.Package{Document: &edxml.Document{Subject: "x"}, Signature: &edxml.Signature{Certificate: &edxml.Certificate{
		Subject: "CN=Văn phòng UBND tỉnh Nghệ An", Issuer: "CN=Cục Chứng thực số và Bảo mật thông tin",
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	got := packageSignature(docstore.ExchangeIncoming{Meta: string(meta)})
	if !strings.Contains(got, "Văn phòng UBND tỉnh Nghệ An") || !strings.Contains(got, "01/01/2028") {
		t.Fatalf("%q", got)
	}
	if packageSignature(docstore.ExchangeIncoming{Meta: `{"document":{}}`}) != "" {
		t.Fatal("an unsigned package shows a signature")
	}
}
