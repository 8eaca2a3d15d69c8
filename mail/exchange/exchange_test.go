package exchange_test

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/edxml"
	"congvu/mail/exchange"
	"congvu/mail/mailtest"
)

// agency is one agency's workstation: its store, its mail service with the
// exchange mailbox (the shared văn thư account), its exchange.
type agency struct {
	code string
	st   *docstore.Store
	svc  *mail.Service
	x    *exchange.Exchange
	addr string
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newAgency(t *testing.T, e *mailtest.Env, code, name, user string) *agency {
	t.Helper()
	ctx := context.Background()
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	must(t, st.FoundAgency(ctx, docstore.AgencyFounded{Code: code, Name: name, Abbr: "UBND", Place: "Lâm Sơn",
		Admin: docstore.PersonInput{ID: "vt", FullName: "Đỗ Thị Hạnh", Email: "vt@x.vn", Roles: []docstore.Role{docstore.RoleAdmin, docstore.RoleClerk}}}))
	must(t, st.AddUnit(ctx, "vt", docstore.UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}))
	must(t, st.AddPerson(ctx, "vt", docstore.PersonInput{ID: "ld", Email: "ld@x.vn", FullName: "Nguyễn Văn Ánh", UnitID: "vp", Roles: []docstore.Role{docstore.RoleAgencyLeader}}))
	must(t, st.AddPerson(ctx, "vt", docstore.PersonInput{ID: "cv", Email: "cv@x.vn", FullName: "Lê Thu Trang", UnitID: "vp", Roles: []docstore.Role{docstore.RoleSpecialist}}))
	must(t, st.OpenRegister(ctx, "vt", docstore.RegisterOpened{ID: "den", Kind: docstore.KindIncoming, Year: time.Now().Year(), Name: "Sổ văn bản đến"}))
	must(t, st.OpenRegister(ctx, "vt", docstore.RegisterOpened{ID: "di", Kind: docstore.KindOutgoing, Year: time.Now().Year(), Name: "Sổ văn bản đi"}))
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	t.Cleanup(svc.Stop)
	a := e.Account(user)
	a.ID, a.Shared = "", true
	must(t, svc.AddAccount(ctx, &a, e.Password(user)))
	must(t, svc.SetPassword(ctx, a.ID, e.Password(user), false))
	return &agency{code: code, st: st, svc: svc, x: exchange.New(st, svc.Sender, nil), addr: a.Address}
}

// issue makes an issued outgoing document with a file: drafted, approved,
// signed, numbered.
func (a *agency) issue(t *testing.T, subject string) string {
	t.Helper()
	ctx := context.Background()
	ref, err := a.st.Blobs().Put(bytes.NewReader([]byte("%PDF-1.7 " + subject)))
	must(t, err)
	d, err := a.st.CreateDraft(ctx, "cv", docstore.NewDraft{Type: "CV", Subject: subject, File: docstore.Attachment{SHA256: ref.SHA256, Name: "Công văn.pdf", Size: ref.Size}})
	must(t, err)
	must(t, a.st.SubmitDraft(ctx, "cv", d, "ld", ""))
	must(t, a.st.ApproveDraft(ctx, "ld", d, "Đồng ý"))
	must(t, a.st.SignDraft(ctx, "ld", d, "TM.", "CHỦ TỊCH"))
	is, err := a.st.IssueDraft(ctx, "vt", docstore.Issue{DraftID: d, RegisterID: "di", Recipients: "Như trên;\nLưu: VT.", Copies: 2})
	must(t, err)
	return is.DocID
}

// send submits the outbox; sync fetches the mailbox and looks for packages.
func (a *agency) send(t *testing.T) {
	t.Helper()
	for _, r := range a.svc.Sender.SendDue(context.Background()) {
		must(t, r.Err)
	}
}

func (a *agency) scan(t *testing.T) exchange.Summary {
	t.Helper()
	ctx := context.Background()
	sums, err := a.svc.SyncOnce(ctx)
	must(t, err)
	for _, s := range sums {
		must(t, s.Err)
	}
	sum, err := a.x.Scan(ctx)
	must(t, err)
	return sum
}

// until scans until cond holds (mail takes a moment through Postfix).
func (a *agency) until(t *testing.T, what string, cond func(exchange.Summary) bool) exchange.Summary {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var total exchange.Summary
	for {
		s := a.scan(t)
		total.Messages += s.Messages
		total.Documents += s.Documents
		total.Duplicates += s.Duplicates
		total.Statuses += s.Statuses
		total.Refused = append(total.Refused, s.Refused...)
		if cond(total) {
			return total
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: after 20 s, %+v", what, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// twoAgencies: A (Lâm Sơn, a fresh mailbox of agency.test) and B (Nghệ
// An, vanthu@other.test), each in the other's exchange directory.
func twoAgencies(t *testing.T, e *mailtest.Env) (*agency, *agency) {
	t.Helper()
	ctx := context.Background()
	a := newAgency(t, e, "000.00.31.H31", "Ủy ban nhân dân thành phố Lâm Sơn", e.FreshUser(t))
	// B's exchange mailbox is a fixed one (the other domain has few):
	// emptied first, so an earlier test's packages are not this one's.
	e.Doveadm(t, "expunge", "-u", "vanthu@other.test", "mailbox", "INBOX", "all")
	b := newAgency(t, e, "000.00.00.H41", "Ủy ban nhân dân tỉnh Nghệ An", "vanthu@other.test")
	must(t, a.st.SetExchangeAgency(ctx, "vt", docstore.ExchangeAgency{OrganID: b.code, Name: "UBND tỉnh Nghệ An", Email: b.addr}))
	must(t, b.st.SetExchangeAgency(ctx, "vt", docstore.ExchangeAgency{OrganID: a.code, Name: "UBND thành phố Lâm Sơn", Email: a.addr}))
	return a, b
}

// Two agencies on the loopback mail server, two domains: A issues a
// document to B; B's văn thư finds it waiting, registers it, it is
// assigned, handled, completed; A sees 01, 03, 04, 05, 06 in that order.
// The same package again is recognised; a broken one is refused and
// queues nothing; a secret document never leaves.
func TestTwoAgenciesExchange(t *testing.T) {
	e := mailtest.Shared(t)
	ctx := context.Background()
	a, b := twoAgencies(t, e)
	var waitingBefore []docstore.ExchangeIncoming

	docA := a.issue(t, "V/v phối hợp kiểm tra liên ngành")
	docID, err := a.x.SendDocument(ctx, "vt", docA, []string{b.code})
	must(t, err)
	a.send(t)

	got := b.until(t, "B receives the package", func(s exchange.Summary) bool { return s.Documents >= 1 })
	if len(got.Refused) != 0 {
		t.Fatalf("refused: %+v", got.Refused)
	}
	waiting, err := b.st.ExchangeWaitingList(ctx, "vt")
	must(t, err)
	var pk docstore.ExchangeIncoming
	for _, w := range waiting {
		if w.DocumentID == docID {
			pk = w
		}
	}
	if pk.ID == "" || len(waiting) != len(waitingBefore)+1 || pk.FromOrgan != a.code || !strings.Contains(pk.Subject, "liên ngành") {
		t.Fatalf("the queue: %+v (DocumentId %s)", waiting, docID)
	}
	if _, err := b.st.ExchangeWaitingList(ctx, "cv"); err == nil {
		t.Fatal("a specialist read the exchange queue")
	}
	in, err := exchange.Prefill(pk, b.st.Today())
	must(t, err)
	in.RegisterID = "den"
	if in.Notation == "" || in.Issuer == "" || len(in.Attachments) != 1 || in.Source != docstore.SourceEdXML {
		t.Fatalf("prefilled %+v", in)
	}
	reg, err := b.x.Register(ctx, "vt", pk.ID, in)
	must(t, err)
	if _, err := b.x.Register(ctx, "vt", pk.ID, in); err == nil {
		t.Fatal("the same package registered twice")
	}
	files, err := b.st.Attachments(ctx, "vt", reg.DocID)
	must(t, err)
	if len(files) != 1 || files[0].Name != "Công văn.pdf" {
		t.Fatalf("registered files %+v", files)
	}
	for _, step := range []struct {
		code edxml.StatusCode
		text string
	}{{edxml.StatusAssigned, "Giao Sở Tài chính chủ trì"}, {edxml.StatusInProgress, "Đang xử lý"}, {edxml.StatusCompleted, "Hoàn thành xử lý"}} {
		must(t, b.x.Report(ctx, "vt", reg.DocID, step.code, step.text))
	}
	b.send(t)

	a.until(t, "A gets the statuses", func(exchange.Summary) bool {
		rs, _ := a.st.ExchangeRecipients(ctx, docA)
		return len(rs) == 1 && rs[0].LastCode == "06"
	})
	sts, err := a.st.ExchangeStatuses(ctx, docID)
	must(t, err)
	// In the order B made them (mail may arrive in another order).
	sort.SliceStable(sts, func(i, j int) bool {
		return sts[i].At.Before(sts[j].At) || sts[i].At.Equal(sts[j].At) && sts[i].Code < sts[j].Code
	})
	var codes []string
	for _, s := range sts {
		if s.Direction == "in" && s.OrganID == b.code {
			codes = append(codes, s.Code)
		}
	}
	if strings.Join(codes, " ") != "01 03 04 05 06" {
		t.Fatalf("statuses at A: %v", codes)
	}

	// A status claiming to be B's, from another address: refused, not
	// recorded (a forged 13 must not empty a queue, a forged 03 mislead).
	var forged bytes.Buffer
	must(t, edxml.WriteStatus(&forged, &edxml.Status{From: edxml.Organ{OrganID: b.code, OrganName: "UBND tỉnh Nghệ An"}, Code: edxml.StatusCompleted,
		ResponseFor: edxml.Reference{OrganID: a.code, Code: "1/x", DocumentID: docID}, Timestamp: time.Now().Truncate(time.Second)}))
	e.DeliverRaw(t, "INBOX", a.addr, []byte("From: ke-gia-mao@other.test\r\nTo: "+a.addr+"\r\nSubject: [edXML] Trạng thái 06\r\nMessage-ID: <forged-"+docID+"@test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\n"+
		"Content-Type: application/xml\r\nContent-Disposition: attachment; filename=\"trang-thai.edxml\"\r\n\r\n"+forged.String()+"\r\n--b--\r\n"))
	spoof := a.until(t, "A refuses the forged status", func(s exchange.Summary) bool { return len(s.Refused) >= 1 })
	if !errors.Is(spoof.Refused[0].Err, exchange.ErrUntrustedSender) {
		t.Fatalf("forged status: %v", spoof.Refused[0].Err)
	}

	if _, err := a.x.SendDocument(ctx, "vt", docA, []string{"000.00.00.G22"}); !errors.Is(err, exchange.ErrUnknownAgency) {
		t.Fatalf("an agency not in the directory: %v", err)
	}
	if _, err := b.x.SendDocument(ctx, "vt", reg.DocID, []string{a.code}); !errors.Is(err, exchange.ErrNotIssued) {
		t.Fatalf("an incoming document sent on: %v", err)
	}

	// The same package again: recognised, not queued twice.
	_, err = a.x.SendDocument(ctx, "vt", docA, []string{b.code})
	must(t, err)
	a.send(t)
	b.until(t, "B sees the duplicate", func(s exchange.Summary) bool { return s.Duplicates >= 1 })
	if w, _ := b.st.ExchangeWaitingList(ctx, "vt"); len(w) != len(waitingBefore) {
		t.Fatalf("the duplicate was queued: %d waiting", len(w))
	}

	// A broken package in B's mailbox: refused with the reason, nothing queued.
	e.DeliverRaw(t, "INBOX", b.addr, []byte("From: "+a.addr+"\r\nTo: "+b.addr+"\r\nSubject: [edXML] hỏng\r\nMessage-ID: <broken-"+docID+"@test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\n"+
		"Content-Type: application/xml\r\nContent-Disposition: attachment; filename=\"goi-tin.edxml\"\r\n\r\n<edXML xmlns=\""+edxml.Namespace+"\"><edXMLEnvelope>\r\n--b--\r\n"))
	bad := b.until(t, "B refuses the broken package", func(s exchange.Summary) bool { return len(s.Refused) >= 1 })
	if !strings.Contains(edxml.Sentence(bad.Refused[0].Err), "hỏng") {
		t.Fatalf("refusal: %v", bad.Refused[0].Err)
	}
	if w, _ := b.st.ExchangeWaitingList(ctx, "vt"); len(w) != len(waitingBefore) {
		t.Fatalf("the broken package was queued")
	}

	// A takes another document back: 13 with the reason; B, where it still
	// waits, agrees (15) and it leaves the queue.
	doc2 := a.issue(t, "V/v tổ chức hội nghị (đã có văn bản thay thế)")
	id2, err := a.x.SendDocument(ctx, "vt", doc2, []string{b.code})
	must(t, err)
	a.send(t)
	b.until(t, "B receives the second package", func(s exchange.Summary) bool { return s.Documents >= 1 })
	must(t, a.x.RequestRevocation(ctx, "vt", doc2, "Văn bản ban hành nhầm, đề nghị trả lại"))
	a.send(t)
	var pk2 docstore.ExchangeIncoming
	b.until(t, "B reads the request", func(exchange.Summary) bool {
		w, _ := b.st.ExchangeWaitingList(ctx, "vt")
		for _, p := range w {
			if p.DocumentID == id2 {
				pk2 = p
			}
		}
		_, asked, _ := b.x.PendingRequest(ctx, pk2)
		return asked
	})
	req, _, _ := b.x.PendingRequest(ctx, pk2)
	if req.Reason != "Văn bản ban hành nhầm, đề nghị trả lại" || req.Kind != edxml.BusinessRevocation {
		t.Fatalf("the request: %+v", req)
	}
	must(t, b.x.AnswerRequest(ctx, "vt", pk2.ID, true, ""))
	b.send(t)
	if _, asked, _ := b.x.PendingRequest(ctx, pk2); asked {
		t.Fatal("still asked after the answer")
	}
	if w, _ := b.st.ExchangeWaitingList(ctx, "vt"); len(w) != len(waitingBefore) {
		t.Fatalf("the revoked package still waits: %+v", w)
	}
	a.until(t, "A gets 15", func(exchange.Summary) bool {
		rs, _ := a.st.ExchangeRecipients(ctx, doc2)
		return len(rs) == 1 && rs[0].LastCode == "15"
	})
}

// The running app answers 01 by itself: B's mail service, started as the
// window starts it, syncs (IDLE), finds the package, queues it and sends
// 01 back without anyone pressing anything.
func TestRunningServiceAnswersArrival(t *testing.T) {
	e := mailtest.Shared(t)
	ctx := context.Background()
	a, b := twoAgencies(t, e)
	found := make(chan exchange.Summary, 8)
	b.svc.OnExchange = func(s exchange.Summary, err error) {
		if err == nil && s.Documents > 0 {
			found <- s
		}
	}
	must(t, b.svc.Start(ctx))
	doc := a.issue(t, "V/v báo cáo tình hình thực hiện")
	_, err := a.x.SendDocument(ctx, "vt", doc, []string{b.code})
	must(t, err)
	a.send(t)
	select {
	case <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("B's running service did not find the package")
	}
	a.until(t, "A gets 01 from the running service", func(exchange.Summary) bool {
		rs, _ := a.st.ExchangeRecipients(ctx, doc)
		return len(rs) == 1 && rs[0].LastCode == "01"
	})
}

// An updated version of a document (business type 2): the clerk sees the
// request with its reason; agreeing answers 15 and the package stays
// waiting to be registered (no server needed: the answer waits in the
// outbox).
func TestUpdatePackageAnswered(t *testing.T) {
	ctx := context.Background()
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	must(t, st.FoundAgency(ctx, docstore.AgencyFounded{Code: "000.00.00.H41", Name: "UBND tỉnh Nghệ An", Abbr: "UBND", Place: "Nghệ An",
		Admin: docstore.PersonInput{ID: "vt", FullName: "Văn Thư", Email: "vt@x.vn", Roles: []docstore.Role{docstore.RoleAdmin, docstore.RoleClerk}}}))
	must(t, st.SetExchangeAgency(ctx, "vt", docstore.ExchangeAgency{OrganID: "000.00.31.H31", Name: "UBND TP Lâm Sơn", Email: "vanthu@lamson.gov.vn"}))
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	t.Cleanup(svc.Stop)
	a := docstore.MailAccount{Address: "vanthu@nghean.gov.vn", Username: "vanthu@nghean.gov.vn", IMAPHost: "127.0.0.1", IMAPPort: 993,
		IMAPSecurity: docstore.SecurityTLS, SMTPHost: "127.0.0.1", SMTPPort: 465, SMTPSecurity: docstore.SecurityTLS, PasswordMode: docstore.PasswordAsk, Shared: true}
	must(t, svc.AddAccount(ctx, &a, ""))
	d := &edxml.Document{From: edxml.Organ{OrganID: "000.00.31.H31", OrganName: "UBND TP Lâm Sơn"}, To: []edxml.Organ{{OrganID: "000.00.00.H41"}},
		DocumentID: "000.00.31.H31,2026/11/20,1234/UBND-VP", CodeNumber: "1234", CodeNotation: "UBND-VP", Date: "2026-11-20", Subject: "V/v rà soát",
		Business: edxml.Business{Type: edxml.BusinessUpdate, Reason: "Sửa phụ lục kèm theo", DocumentInfoChanged: true}}
	var buf bytes.Buffer
	must(t, edxml.WriteDocument(&buf, d, nil, false))
	x := svc.Exchange
	pk, dup, err := x.QueuePackage(ctx, &buf)
	must(t, err)
	if dup || pk.BusinessType != int(edxml.BusinessUpdate) || pk.ReplyTo != "vanthu@lamson.gov.vn" {
		t.Fatalf("queued %+v", pk)
	}
	req, asked, err := x.PendingRequest(ctx, pk)
	if err != nil || !asked || req.Kind != edxml.BusinessUpdate || req.Reason != "Sửa phụ lục kèm theo" {
		t.Fatalf("request %+v %v %v", req, asked, err)
	}
	must(t, x.AnswerRequest(ctx, "vt", pk.ID, true, ""))
	if _, asked, _ := x.PendingRequest(ctx, pk); asked {
		t.Fatal("still pending after the answer")
	}
	if w, _ := st.ExchangeWaitingList(ctx, "vt"); len(w) != 1 {
		t.Fatalf("the update left the queue: %d waiting", len(w))
	}
	items, _ := st.OutboxItems(ctx, a.ID)
	if len(items) != 1 || !strings.Contains(items[0].Subject, "Trạng thái 15") || items[0].Recipients[0] != "vanthu@lamson.gov.vn" {
		t.Fatalf("outbox %+v", items)
	}
}
