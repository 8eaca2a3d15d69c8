// Package exchange carries documents between agencies (liên thông) as
// edXML packages (QCVN 102:2016, package mail/edxml) attached to e-mail
// sent to each agency's exchange mailbox: the agency's shared văn thư
// account. Received packages wait in the store's queue ("Chờ tiếp nhận")
// and are answered with status reports: 01 at once, then 02/03 as the
// clerk refuses or registers, 04–06 as the document is handled. The
// transport sits behind this package so a connector to a provincial or
// national exchange service can take its place later.
package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"congvu/docs-store"
	"congvu/mail/edxml"
	"congvu/mail/mimemsg"
	"congvu/mail/outbox"
)

var (
	// ErrNoExchangeAccount: the agency has no shared (văn thư) mail
	// account to exchange packages through.
	ErrNoExchangeAccount = errors.New("exchange: no shared văn thư mailbox to exchange packages through")
	// ErrSecret: a secret document never travels this way (Decision
	// 28/2018: state secrets are excluded from electronic exchange).
	ErrSecret = errors.New("exchange: a secret document is not sent by edXML")
	// ErrUnknownAgency: a recipient is not in the exchange directory.
	ErrUnknownAgency = errors.New("exchange: the agency is not in the exchange directory")
	// ErrNotIssued: only an issued outgoing document (with its number) is
	// sent.
	ErrNotIssued = errors.New("exchange: the document is not an issued outgoing document")
	// ErrNoRequest: the sender asked nothing (or was answered already).
	ErrNoRequest = errors.New("exchange: no request of the sender waits for an answer")
	// ErrUntrustedSender: a package or report claims an agency of the
	// exchange directory but came from another address.
	ErrUntrustedSender = errors.New("exchange: the message does not come from the agency's exchange address")
)

// Exchange sends and receives packages for one store.
type Exchange struct {
	st     *docstore.Store
	sender *outbox.Sender
	log    *slog.Logger
	now    func() time.Time
}

// New makes the exchange of st, sending through sender's outbox.
func New(st *docstore.Store, sender *outbox.Sender, lg *slog.Logger) *Exchange {
	if lg == nil {
		lg = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Exchange{st: st, sender: sender, log: lg, now: time.Now}
}

// Account is the agency's exchange mailbox: its shared văn thư account.
func (x *Exchange) Account(ctx context.Context) (docstore.MailAccount, error) {
	accts, err := x.st.MailAccounts(ctx)
	if err != nil {
		return docstore.MailAccount{}, err
	}
	for _, a := range accts {
		if a.Shared {
			return a, nil
		}
	}
	return docstore.MailAccount{}, ErrNoExchangeAccount
}

// self is this agency as edXML names it.
func (x *Exchange) self(ctx context.Context, a docstore.MailAccount) (edxml.Organ, error) {
	ag, err := x.st.Agency(ctx)
	if err != nil {
		return edxml.Organ{}, err
	}
	return edxml.Organ{OrganID: ag.Code, OrganName: ag.Name, Email: a.Address}, nil
}

// --- sending ---

// splitNotation cuts "1234/UBND-VP" into the số and the ký hiệu.
func splitNotation(n string, number int) (string, string) {
	num, rest, ok := strings.Cut(n, "/")
	if !ok {
		return fmt.Sprint(number), n
	}
	return num, rest
}

// documentPackage builds the package of an issued outgoing document for
// the agencies to.
func (x *Exchange) documentPackage(ctx context.Context, actor string, doc docstore.DocumentRow, from edxml.Organ, to []edxml.Organ, staff edxml.StaffInfo) (*edxml.Document, error) {
	files, err := x.st.Attachments(ctx, actor, doc.ID)
	if err != nil {
		return nil, err
	}
	num, notation := splitNotation(doc.Notation, doc.Number)
	typeName := doc.Type
	if t, ok := docstore.LookupDocType(doc.Type); ok {
		typeName = t.Name
	}
	d := &edxml.Document{
		From: from, To: to, CodeNumber: num, CodeNotation: notation, Date: doc.DocDate,
		DocumentID: from.OrganID + "," + strings.ReplaceAll(doc.DocDate, "-", "/") + "," + num + "/" + notation,
		Type:       1, TypeName: typeName, Subject: doc.Subject,
		Signer:   edxml.Signer{Competence: doc.SignerAuthority, Position: doc.SignerTitle, FullName: doc.Signer},
		ToPlaces: splitLines(doc.Recipients),
		Other:    edxml.OtherInfo{Priority: int(doc.Urgency), PromulgationAmount: doc.Copies, PageAmount: doc.Pages},
		Traces:   []edxml.Trace{{OrganID: from.OrganID, Timestamp: x.now()}},
		Business: edxml.Business{Type: edxml.BusinessNew, Staff: staff},
	}
	if ag, err := x.st.Agency(ctx); err == nil {
		d.Place = ag.Place
	}
	for i, f := range files {
		// ContentType left empty: WriteDocument names it from the file's
		// extension.
		d.Attachments = append(d.Attachments, edxml.Attachment{ContentID: fmt.Sprintf("f%d", i+1), Name: f.Name,
			Ref: edxml.Ref{SHA256: f.SHA256, Size: f.Size}})
	}
	return d, nil
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(strings.TrimLeft(l, "-–• ")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// SendDocument sends an issued outgoing document to agencies of the
// exchange directory as one edXML package, mailed from the exchange
// mailbox to each agency's exchange address. A secret document is refused
// (ErrSecret), so is an agency not in the directory. It returns the
// package's DocumentId.
func (x *Exchange) SendDocument(ctx context.Context, actor, docID string, organIDs []string) (string, error) {
	if err := x.st.RequireClerk(ctx, actor, "send by edXML"); err != nil {
		return "", err
	}
	doc, err := x.st.Document(ctx, actor, docID)
	if err != nil {
		return "", fmt.Errorf("send by edXML: %w", err)
	}
	if doc.Secrecy > docstore.SecrecyNone {
		return "", fmt.Errorf("send %s by edXML: %w", doc.Notation, ErrSecret)
	}
	if doc.Kind != docstore.KindOutgoing || doc.Number == 0 {
		return "", fmt.Errorf("send %s by edXML: %w", doc.ID, ErrNotIssued)
	}
	a, err := x.Account(ctx)
	if err != nil {
		return "", err
	}
	from, err := x.self(ctx, a)
	if err != nil {
		return "", err
	}
	var to []edxml.Organ
	var rcpts []docstore.MailAddress
	for _, id := range organIDs {
		ag, err := x.st.ExchangeAgencyByID(ctx, id)
		if errors.Is(err, docstore.ErrNotFound) {
			return "", fmt.Errorf("send %s by edXML to %s: %w", doc.Notation, id, ErrUnknownAgency)
		}
		if err != nil {
			return "", err
		}
		to = append(to, edxml.Organ{OrganID: ag.OrganID, OrganName: ag.Name, Email: ag.Email})
		rcpts = append(rcpts, docstore.MailAddress{Name: ag.Name, Addr: ag.Email})
	}
	if len(to) == 0 {
		return "", &docstore.FieldError{Field: "to", Reason: "required"}
	}
	pkg, err := x.documentPackage(ctx, actor, doc, from, to, x.staff(ctx, actor))
	if err != nil {
		return "", err
	}
	if errs := edxml.Validate(&edxml.Package{Document: pkg}, x.now()); len(errs) > 0 {
		return "", fmt.Errorf("send %s by edXML: %w", doc.Notation, errs[0])
	}
	blobStore := x.st.Blobs()
	open := func(at edxml.Attachment) (io.ReadCloser, error) { return blobStore.Open(at.Ref.SHA256) }
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(edxml.WriteDocument(pw, pkg, open, false)) }()
	ref, err := blobStore.Put(pr)
	pr.Close()
	if err != nil {
		return "", fmt.Errorf("send %s by edXML: %w", doc.Notation, err)
	}
	draft := mimemsg.Draft{
		To:      rcpts,
		Subject: "[edXML] " + doc.Notation + " — " + doc.Subject,
		Text: "Gói tin văn bản điện tử theo QCVN 102:2016 (edXML) gửi từ " + from.OrganName + ".\n" +
			"Số, ký hiệu: " + doc.Notation + "\nTrích yếu: " + doc.Subject + "\n",
		Attachments: []mimemsg.Attachment{{Name: packageName(pkg.DocumentID), MIMEType: "application/xml",
			Open: func() (io.ReadCloser, error) { return blobStore.Open(ref.SHA256) }}},
	}
	it, err := x.sender.Queue(ctx, a, draft, docID)
	if err != nil {
		return "", fmt.Errorf("send %s by edXML: %w", doc.Notation, err)
	}
	for _, t := range to {
		if err := x.st.AddExchangeOutgoing(ctx, docID, t.OrganID, pkg.DocumentID, it.ID); err != nil {
			return "", err
		}
	}
	return pkg.DocumentID, nil
}

// staff is the person behind a package or a report, as StaffInfo.
func (x *Exchange) staff(ctx context.Context, actor string) edxml.StaffInfo {
	people, err := x.st.People(ctx)
	if err != nil {
		return edxml.StaffInfo{}
	}
	for _, p := range people {
		if p.ID == actor {
			return edxml.StaffInfo{Department: p.UnitName, Staff: p.FullName, Email: p.Email}
		}
	}
	return edxml.StaffInfo{}
}

// packageName is the attachment's file name: the DocumentId made safe.
func packageName(documentID string) string {
	return docstore.SafeFileName(strings.NewReplacer(",", "_", "/", "-").Replace(documentID)) + ".edxml"
}

// --- statuses ---

// report sends a status about the document of a received package to its
// sender, and records it.
func (x *Exchange) report(ctx context.Context, actor string, in docstore.ExchangeIncoming, code edxml.StatusCode, description string) error {
	var p edxml.Package
	if err := json.Unmarshal([]byte(in.Meta), &p); err != nil || p.Document == nil {
		return fmt.Errorf("exchange package %s: unreadable: %v", in.ID, err)
	}
	d := p.Document
	if in.ReplyTo == "" {
		return nil // a package handed over as a file, from an agency not in the directory: nobody to tell
	}
	ref := edxml.Reference{OrganID: d.From.OrganID, Code: d.CodeNumber + "/" + d.CodeNotation, Date: d.Date, DocumentID: d.DocumentID}
	return x.sendStatus(ctx, actor, docstore.MailAddress{Name: d.From.OrganName, Addr: in.ReplyTo}, ref, code, description, in.DocID)
}

// sendStatus mails a status package about the document ref to rcpt, and
// records it (direction out).
func (x *Exchange) sendStatus(ctx context.Context, actor string, rcpt docstore.MailAddress, ref edxml.Reference, code edxml.StatusCode, description, docID string) error {
	a, err := x.Account(ctx)
	if err != nil {
		return err
	}
	from, err := x.self(ctx, a)
	if err != nil {
		return err
	}
	st := &edxml.Status{From: from, Code: code, Description: description, Timestamp: x.now().Truncate(time.Second),
		ResponseFor: ref, Staff: x.staff(ctx, actor)}
	var buf bytes.Buffer
	if err := edxml.WriteStatus(&buf, st); err != nil {
		return err
	}
	body := buf.Bytes()
	draft := mimemsg.Draft{
		To:      []docstore.MailAddress{rcpt},
		Subject: "[edXML] Trạng thái " + string(code) + " — " + ref.Code,
		Text:    "Báo cáo trạng thái xử lý văn bản theo QCVN 102:2016: " + statusName(code) + ".\n",
		Attachments: []mimemsg.Attachment{{Name: "trang-thai-" + string(code) + "-" + packageName(ref.DocumentID), MIMEType: "application/xml",
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }}},
	}
	if _, err := x.sender.Queue(ctx, a, draft, docID); err != nil {
		return fmt.Errorf("status %s of %s: %w", code, ref.DocumentID, err)
	}
	return x.st.AddExchangeStatus(ctx, docstore.ExchangeStatus{DocumentID: ref.DocumentID, OrganID: from.OrganID, Code: string(code),
		Direction: "out", Description: description, At: st.Timestamp}, "")
}

// RequestRevocation asks every agency an outgoing document went to by
// edXML to give it back (status 13, with the reason); each answers 15
// (agreed) or 16 (refused).
func (x *Exchange) RequestRevocation(ctx context.Context, actor, docID, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return &docstore.FieldError{Field: "reason", Reason: "required"}
	}
	if err := x.st.RequireClerk(ctx, actor, "ask a document back"); err != nil {
		return err
	}
	doc, err := x.st.Document(ctx, actor, docID)
	if err != nil {
		return err
	}
	rs, err := x.st.ExchangeRecipients(ctx, docID)
	if err != nil {
		return err
	}
	if len(rs) == 0 {
		return fmt.Errorf("revoke %s: %w", doc.Notation, docstore.ErrNotFound)
	}
	a, err := x.Account(ctx)
	if err != nil {
		return err
	}
	self, err := x.self(ctx, a)
	if err != nil {
		return err
	}
	for _, r := range rs {
		ag, err := x.st.ExchangeAgencyByID(ctx, r.OrganID)
		if err != nil {
			return fmt.Errorf("revoke %s at %s: %w", doc.Notation, r.OrganID, err)
		}
		// ResponseFor names the document as it was sent: its issuer (us).
		ref := edxml.Reference{OrganID: self.OrganID, Code: doc.Notation, Date: doc.DocDate, DocumentID: r.DocumentID}
		if err := x.sendStatus(ctx, actor, docstore.MailAddress{Name: ag.Name, Addr: ag.Email}, ref, edxml.StatusRevocationAsked, reason, docID); err != nil {
			return err
		}
	}
	return nil
}

// Request is what the sender of a received package asks of this agency
// beyond registering it: to give it back (a status 13, or a package of
// business type 1), or to take an updated (2) or replacing (3) version.
type Request struct {
	Kind   edxml.BusinessType // BusinessRevocation, BusinessUpdate, BusinessReplacement
	Reason string
}

// PendingRequest says whether the sender of package pk asks something not
// answered yet (15 or 16).
func (x *Exchange) PendingRequest(ctx context.Context, pk docstore.ExchangeIncoming) (Request, bool, error) {
	sts, err := x.st.ExchangeStatuses(ctx, pk.DocumentID)
	if err != nil {
		return Request{}, false, err
	}
	var req Request
	asked := false
	if pk.BusinessType != int(edxml.BusinessNew) {
		// The package itself is the request; its reason is in Bussiness.
		var p edxml.Package
		if json.Unmarshal([]byte(pk.Meta), &p) == nil && p.Document != nil {
			req, asked = Request{Kind: edxml.BusinessType(pk.BusinessType), Reason: p.Document.Business.Reason}, true
		}
	}
	for _, s := range sts {
		switch {
		case s.Direction == "in" && s.Code == string(edxml.StatusRevocationAsked) && s.OrganID == pk.FromOrgan:
			req, asked = Request{Kind: edxml.BusinessRevocation, Reason: s.Description}, true
		case s.Direction == "out" && (s.Code == string(edxml.StatusRequestAgreed) || s.Code == string(edxml.StatusRequestRefused)):
			asked = false
		}
	}
	return req, asked, nil
}

// AnswerRequest answers the sender's request about a package: 15 agreed,
// 16 refused, with the reason. Agreeing to give a document back takes a
// package still waiting out of the queue (nobody registers it); an updated
// or replacing version stays for the clerk to register.
func (x *Exchange) AnswerRequest(ctx context.Context, actor, packageID string, agree bool, reason string) error {
	pk, err := x.st.ExchangeIncomingByID(ctx, actor, packageID)
	if err != nil {
		return err
	}
	req, asked, err := x.PendingRequest(ctx, pk)
	if err != nil {
		return err
	}
	if !asked {
		return fmt.Errorf("answer about %s: %w", pk.DocumentID, ErrNoRequest)
	}
	code := edxml.StatusRequestRefused
	if agree {
		code = edxml.StatusRequestAgreed
		if req.Kind == edxml.BusinessRevocation {
			// The document taken back leaves the queue, whichever row
			// holds it: this package, or the original one it revokes.
			if err := x.st.RefuseWaitingDocument(ctx, actor, pk.DocumentID, "Cơ quan gửi đã thu hồi"); err != nil {
				return err
			}
		}
	}
	if strings.TrimSpace(reason) == "" {
		reason = statusName(code)
	}
	return x.report(ctx, actor, pk, code, reason)
}

// statusName says a code in Vietnamese.
func statusName(c edxml.StatusCode) string {
	switch c {
	case edxml.StatusArrived:
		return "đã đến"
	case edxml.StatusRefused:
		return "từ chối tiếp nhận"
	case edxml.StatusRegistered:
		return "đã tiếp nhận, vào sổ"
	case edxml.StatusAssigned:
		return "đã phân công xử lý"
	case edxml.StatusInProgress:
		return "đang xử lý"
	case edxml.StatusCompleted:
		return "hoàn thành"
	case edxml.StatusRevocationAsked:
		return "yêu cầu lấy lại văn bản"
	case edxml.StatusRequestAgreed:
		return "đồng ý yêu cầu"
	case edxml.StatusRequestRefused:
		return "từ chối yêu cầu"
	}
	return string(c)
}

// Register registers a waiting package as an incoming document (the
// clerk's form filled from it, attachments included) and answers 03.
func (x *Exchange) Register(ctx context.Context, actor, packageID string, in docstore.IncomingInput) (docstore.Registered, error) {
	pk, err := x.st.ExchangeIncomingByID(ctx, actor, packageID)
	if err != nil {
		return docstore.Registered{}, err
	}
	if pk.State != docstore.ExchangeWaiting {
		return docstore.Registered{}, fmt.Errorf("exchange package %s: %w", packageID, docstore.ErrExchangeDone)
	}
	in.Source = docstore.SourceEdXML
	// Claim the package first: of two clerks (or a double click) one
	// registers it; the other gets ErrExchangeDone and registers nothing.
	if err := x.st.SetExchangeIncomingDone(ctx, actor, packageID, docstore.ExchangeRegistered, "", ""); err != nil {
		return docstore.Registered{}, err
	}
	reg, err := x.st.RegisterIncoming(ctx, actor, in)
	if err != nil {
		if rerr := x.st.SetExchangeIncomingDoc(ctx, packageID, ""); rerr != nil { // waits again
			x.log.Warn("exchange package back to waiting", "err", rerr)
		}
		return reg, err
	}
	if err := x.st.SetExchangeIncomingDoc(ctx, packageID, reg.DocID); err != nil {
		return reg, err
	}
	pk.DocID = reg.DocID
	return reg, x.report(ctx, actor, pk, edxml.StatusRegistered, "Đã tiếp nhận, vào sổ văn bản đến số "+fmt.Sprint(reg.Number))
}

// Refuse refuses a waiting package with a reason and answers 02.
func (x *Exchange) Refuse(ctx context.Context, actor, packageID, reason string) error {
	pk, err := x.st.ExchangeIncomingByID(ctx, actor, packageID)
	if err != nil {
		return err
	}
	if err := x.st.SetExchangeIncomingDone(ctx, actor, packageID, docstore.ExchangeRefused, "", reason); err != nil {
		return err
	}
	return x.report(ctx, actor, pk, edxml.StatusRefused, reason)
}

// Report sends a later status (04 assigned, 05 in progress, 06
// completed) about a document registered from a package; nothing when
// the document did not come by edXML.
func (x *Exchange) Report(ctx context.Context, actor, docID string, code edxml.StatusCode, description string) error {
	pk, err := x.st.ExchangeIncomingForDoc(ctx, docID)
	if errors.Is(err, docstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return x.report(ctx, actor, pk, code, description)
}

// Prefill is the registration form of a waiting package: what the clerk
// checks and completes (the register, the arrival date) before Register.
func Prefill(pk docstore.ExchangeIncoming, today string) (docstore.IncomingInput, error) {
	var p edxml.Package
	if err := json.Unmarshal([]byte(pk.Meta), &p); err != nil || p.Document == nil {
		return docstore.IncomingInput{}, fmt.Errorf("exchange package %s: unreadable: %v", pk.ID, err)
	}
	d := p.Document
	in := docstore.IncomingInput{ArrivalDate: today, Issuer: d.From.OrganName, IssuerCode: d.From.OrganID,
		Notation: d.CodeNumber + "/" + d.CodeNotation, DocDate: d.Date, Subject: d.Subject, DueDate: d.DueDate,
		Urgency: docstore.Urgency(min(max(d.Other.Priority, 0), 3)), Pages: d.Other.PageAmount, Source: docstore.SourceEdXML,
		Type: typeCode(d.TypeName)}
	for _, a := range d.Attachments {
		in.Attachments = append(in.Attachments, docstore.Attachment{SHA256: a.Ref.SHA256, Name: a.Name, Size: a.Ref.Size})
	}
	return in, nil
}

// typeCode finds the store's type of a TypeName ("Công văn" → CV).
func typeCode(name string) string {
	for _, t := range docstore.DocTypes {
		if strings.EqualFold(t.Name, strings.TrimSpace(name)) {
			return t.Code
		}
	}
	return "CV"
}
