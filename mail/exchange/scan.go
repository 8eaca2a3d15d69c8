package exchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"congvu/docs-store"
	"congvu/mail/edxml"
	"congvu/mail/mimemsg"
)

// Summary is what a Scan found.
type Summary struct {
	Messages   int // messages looked at
	Documents  int // packages queued for the clerk
	Duplicates int // packages already queued (the same DocumentId)
	Statuses   int // status reports recorded
	Refused    []Refusal
}

// Refusal is a package that could not be read: the message stays in the
// mailbox, and the clerk is told why (in Vietnamese: edxml.Sentence).
type Refusal struct {
	Subject string
	From    string
	Err     error
}

// isPackagePart: an attachment that may be an edXML package.
func isPackagePart(p docstore.MailPart) bool {
	name := strings.ToLower(p.Name)
	return strings.HasSuffix(name, ".edxml") || ((p.MIMEType == "application/xml" || p.MIMEType == "text/xml") && strings.HasSuffix(name, ".xml"))
}

// Scan looks at the exchange mailbox's INBOX messages not looked at yet
// (after a mail sync): each package of a document goes to the queue of
// the văn thư, answered at once with status 01 (đã đến); each status
// report is recorded against the outgoing document it is about. A package
// that cannot be read is reported in Summary.Refused and left in the
// mailbox; nothing of it is queued.
func (x *Exchange) Scan(ctx context.Context) (Summary, error) {
	var sum Summary
	a, err := x.Account(ctx)
	if err != nil {
		return sum, err
	}
	inbox, err := x.st.MailFolderByName(ctx, a.ID, "INBOX")
	if err != nil {
		return sum, fmt.Errorf("exchange scan: %w", err)
	}
	for {
		ids, err := x.st.ExchangeUnseen(ctx, inbox.ID, 100)
		if err != nil || len(ids) == 0 {
			return sum, err
		}
		for _, id := range ids {
			m, err := x.st.MailMessage(ctx, id)
			if err != nil {
				return sum, err
			}
			sum.Messages++
			if err := x.scanMessage(ctx, a, m, &sum); err != nil {
				return sum, err
			}
		}
	}
}

func (x *Exchange) scanMessage(ctx context.Context, a docstore.MailAccount, m docstore.MailMessage, sum *Summary) error {
	key := docstore.ExchangeKey(m.MailRow)
	for _, part := range m.Parts {
		if !isPackagePart(part) {
			continue
		}
		ref, err := x.savePart(ctx, m, part)
		if err != nil {
			return err
		}
		f, err := x.st.Blobs().Open(ref.SHA256)
		if err != nil {
			return err
		}
		p, err := edxml.Parse(f, edxml.BlobStore(x.st.Blobs()), edxml.Options{})
		f.Close()
		if err != nil {
			if isPackageFault(err) {
				sum.Refused = append(sum.Refused, Refusal{Subject: m.Subject, From: fromAddr(m), Err: err})
				continue
			}
			return err
		}
		switch {
		case p.Status != nil:
			s := p.Status
			if _, known, ok := x.checkSender(ctx, m, s.From.OrganID); !known || !ok {
				// Reports only from the agencies of the directory, from
				// their exchange address: a forged 13 must not empty the
				// queue, nor a forged 03 tell the clerk a document arrived.
				sum.Refused = append(sum.Refused, Refusal{Subject: m.Subject, From: fromAddr(m), Err: ErrUntrustedSender})
				continue
			}
			if err := x.st.AddExchangeStatus(ctx, docstore.ExchangeStatus{DocumentID: s.ResponseFor.DocumentID, OrganID: s.From.OrganID,
				Code: string(s.Code), Direction: "in", Description: s.Description, At: s.Timestamp}, ""); err != nil {
				return err
			}
			sum.Statuses++
		case p.Document != nil:
			replyTo, known, ok := x.checkSender(ctx, m, p.Document.From.OrganID)
			if known && !ok {
				sum.Refused = append(sum.Refused, Refusal{Subject: m.Subject, From: fromAddr(m), Err: ErrUntrustedSender})
				continue
			}
			if err := x.queue(ctx, a, replyTo, ref, p, sum); err != nil {
				return err
			}
		}
	}
	// Seen only once every part is in: a failure above (a full disk)
	// leaves the message to be read again, whole, at the next scan.
	return x.st.MarkExchangeSeen(ctx, key)
}

// checkSender checks a message against the exchange directory: known says the
// agency organID is in it, ok that the message came from its exchange
// address; replyTo is that address ("" for an agency not in the directory:
// its package is queued for the clerk, but nothing is mailed back to an
// address only the message itself vouches for).
func (x *Exchange) checkSender(ctx context.Context, m docstore.MailMessage, organID string) (replyTo string, known, ok bool) {
	ag, err := x.st.ExchangeAgencyByID(ctx, organID)
	if err != nil {
		return "", false, false
	}
	for _, f := range m.From {
		if strings.EqualFold(strings.TrimSpace(f.Addr), strings.TrimSpace(ag.Email)) {
			return ag.Email, true, true
		}
	}
	return ag.Email, true, false
}

// queue puts a document package in the clerk's queue and answers 01 (once:
// a package found again after a failed answer is answered then).
func (x *Exchange) queue(ctx context.Context, a docstore.MailAccount, replyTo string, ref docstore.BlobRef, p *edxml.Package, sum *Summary) error {
	in, dup, err := x.enqueue(ctx, a.ID, replyTo, "", ref, p)
	if err != nil {
		return err
	}
	if dup {
		sum.Duplicates++
	} else {
		sum.Documents++
	}
	if replyTo == "" || in.State != docstore.ExchangeWaiting {
		return nil // nowhere to answer (the clerk sees it all the same), or handled already
	}
	if answered, err := x.answered(ctx, in.DocumentID, edxml.StatusArrived); err != nil || answered {
		return err
	}
	return x.report(ctx, "", in, edxml.StatusArrived, "Đã đến: phần mềm quản lý văn bản đã nhận, văn thư chưa xử lý")
}

// answered says whether this agency already sent code about documentID.
func (x *Exchange) answered(ctx context.Context, documentID string, code edxml.StatusCode) (bool, error) {
	sts, err := x.st.ExchangeStatuses(ctx, documentID)
	for _, s := range sts {
		if s.Direction == "out" && s.Code == string(code) {
			return true, err
		}
	}
	return false, err
}

// enqueue records a parsed document package (its file at ref) in the queue.
func (x *Exchange) enqueue(ctx context.Context, accountID, replyTo, key string, ref docstore.BlobRef, p *edxml.Package) (docstore.ExchangeIncoming, bool, error) {
	d := p.Document
	meta, err := json.Marshal(p)
	if err != nil {
		return docstore.ExchangeIncoming{}, false, err
	}
	in := docstore.ExchangeIncoming{DocumentID: d.DocumentID, BusinessType: int(d.Business.Type), FromOrgan: d.From.OrganID,
		FromName: d.From.OrganName, ReplyTo: replyTo, Notation: d.CodeNumber + "/" + d.CodeNotation, Subject: d.Subject,
		Meta: string(meta), PackageSHA: ref.SHA256, AccountID: accountID}
	dup, err := x.st.AddExchangeIncoming(ctx, &in, key)
	return in, dup, err
}

// QueuePackage reads a package file that came another way (a file the
// clerk was handed, the demo) and queues it like one found in the
// mailbox, without answering 01 (it did not arrive through the mail);
// later statuses go to the sender's address in the exchange directory.
func (x *Exchange) QueuePackage(ctx context.Context, r io.Reader) (docstore.ExchangeIncoming, bool, error) {
	ref, err := x.st.Blobs().Put(r)
	if err != nil {
		return docstore.ExchangeIncoming{}, false, err
	}
	f, err := x.st.Blobs().Open(ref.SHA256)
	if err != nil {
		return docstore.ExchangeIncoming{}, false, err
	}
	p, err := edxml.Parse(f, edxml.BlobStore(x.st.Blobs()), edxml.Options{})
	f.Close()
	if err != nil {
		return docstore.ExchangeIncoming{}, false, err
	}
	if p.Document == nil {
		return docstore.ExchangeIncoming{}, false, fmt.Errorf("%w: a status report, not a document", edxml.ErrInvalid)
	}
	replyTo := ""
	if ag, err := x.st.ExchangeAgencyByID(ctx, p.Document.From.OrganID); err == nil {
		replyTo = ag.Email
	}
	return x.enqueue(ctx, "", replyTo, "file:"+ref.SHA256, ref, p)
}

// savePart copies a message's attachment into the blob store.
func (x *Exchange) savePart(ctx context.Context, m docstore.MailMessage, part docstore.MailPart) (docstore.BlobRef, error) {
	raw, err := x.st.OpenMailRaw(ctx, m.Blob)
	if err != nil {
		return docstore.BlobRef{}, err
	}
	defer raw.Close()
	pr, pw := io.Pipe()
	go func() {
		_, err := mimemsg.OpenPart(raw, part.Path, pw)
		pw.CloseWithError(err)
	}()
	ref, err := x.st.Blobs().Put(pr)
	pr.Close()
	return ref, err
}

// isPackageFault: the package is at fault (broken, hostile, too large),
// not this workstation (a full disk).
func isPackageFault(err error) bool {
	for _, e := range []error{edxml.ErrMalformed, edxml.ErrNotEdXML, edxml.ErrDoctype, edxml.ErrTooLarge, edxml.ErrInvalid} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func fromAddr(m docstore.MailMessage) string {
	if len(m.ReplyTo) > 0 {
		return m.ReplyTo[0].Addr
	}
	if len(m.From) > 0 {
		return m.From[0].Addr
	}
	return ""
}
