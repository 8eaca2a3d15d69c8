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
		p, err := edxml.Parse(f, blobs{x.st.Blobs()}, edxml.Options{})
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
			if err := x.st.AddExchangeStatus(ctx, docstore.ExchangeStatus{DocumentID: s.ResponseFor.DocumentID, OrganID: s.From.OrganID,
				Code: string(s.Code), Direction: "in", Description: s.Description, At: s.Timestamp}, key); err != nil {
				return err
			}
			sum.Statuses++
		case p.Document != nil:
			if err := x.queue(ctx, a, m, key, ref, p, sum); err != nil {
				return err
			}
		}
	}
	return x.st.MarkExchangeSeen(ctx, key)
}

// queue puts a document package in the clerk's queue and answers 01.
func (x *Exchange) queue(ctx context.Context, a docstore.MailAccount, m docstore.MailMessage, key string, ref docstore.BlobRef, p *edxml.Package, sum *Summary) error {
	replyTo := fromAddr(m)
	if ag, err := x.st.ExchangeAgencyByID(ctx, p.Document.From.OrganID); err == nil {
		replyTo = ag.Email // the directory's address before whatever the mail says
	}
	in, dup, err := x.enqueue(ctx, a.ID, replyTo, key, ref, p)
	if err != nil {
		return err
	}
	if dup {
		sum.Duplicates++
		return nil
	}
	sum.Documents++
	if replyTo == "" {
		return nil // nowhere to answer: the clerk sees it all the same
	}
	return x.report(ctx, "", in, edxml.StatusArrived, "Đã đến: phần mềm quản lý văn bản đã nhận, văn thư chưa xử lý")
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
	p, err := edxml.Parse(f, blobs{x.st.Blobs()}, edxml.Options{})
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
