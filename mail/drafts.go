package mail

import (
	"context"
	"fmt"
	"io"
	"strings"

	"congvu/docs-store"
	"congvu/mail/mimemsg"
)

// SaveDraft composes d and keeps it as a draft of account a: in the blob
// store and the drafts table first (durably: nothing is lost when the
// composer closes or the network is down), then the account's engine puts
// it in the server's Drafts folder, replacing its previous version. id is
// the draft's id from a previous save ("" the first time); d.MessageID
// must stay the same across saves (it is set here the first time).
func (s *Service) SaveDraft(ctx context.Context, a docstore.MailAccount, d *mimemsg.Draft, id string) (docstore.MailDraft, error) {
	if d.From.Addr == "" {
		d.From = docstore.MailAddress{Name: a.DisplayName, Addr: a.Address}
	}
	if d.MessageID == "" {
		d.MessageID = mimemsg.NewMessageIDFor(a.Address)
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(mimemsg.Compose(pw, *d)) }()
	ref, err := s.store.Blobs().Put(pr)
	pr.Close()
	if err != nil {
		return docstore.MailDraft{}, fmt.Errorf("save draft: %w", err)
	}
	var to []string
	for _, r := range append(append([]docstore.MailAddress{}, d.To...), d.Cc...) {
		to = append(to, r.Addr)
	}
	md := docstore.MailDraft{ID: id, AccountID: a.ID, MessageID: d.MessageID, Subject: d.Subject,
		Recipients: strings.Join(to, ", "), Blob: ref}
	if err := s.store.SaveMailDraft(ctx, &md); err != nil {
		return docstore.MailDraft{}, err
	}
	if e := s.Engine(a.ID); e != nil {
		e.Kick()
	}
	return md, nil
}

// DiscardDraft forgets a draft (sent, or thrown away); its server copy is
// deleted at the next sync.
func (s *Service) DiscardDraft(ctx context.Context, accountID, id string) error {
	if err := s.store.DiscardMailDraft(ctx, id); err != nil {
		return err
	}
	if e := s.Engine(accountID); e != nil {
		e.Kick()
	}
	return nil
}
