package journal

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
	"congvu/mail/account"
)

// Founding is what a workstation joining an agency reads in its journal
// before trusting it: the agency.founded event, verified against the key
// it names, and that key's fingerprint for the user to compare with the
// one the administrator gave them (as an SSH client shows a host key).
type Founding struct {
	Agency      docstore.AgencyFounded
	AdminKey    ed25519.PublicKey
	Fingerprint string // Fingerprint(AdminKey)
	Groups      string // FingerprintGroups(AdminKey), to read aloud
	Rights      string // MYRIGHTS on the folder
}

// ErrNoFounding: the folder holds no agency.founded of this agency as its
// first event (wrong folder, wrong agency code, or not a journal).
var ErrNoFounding = errors.New("the journal folder does not start with the founding of this agency")

// ReadFounding reads the first message of the agency's journal folder with
// the person's mail account and verifies it: the founding of agencyCode,
// signed by the administrator key it names. Nothing is stored; the caller
// pins the key (docstore.SetJournalPin) once the user has compared the
// fingerprint.
func ReadFounding(ctx context.Context, d account.Dialer, a docstore.MailAccount, password, folder, agencyCode string) (Founding, error) {
	var f Founding
	c, err := d.IMAP(ctx, a, password, nil)
	if err != nil {
		return f, err
	}
	defer account.Logout(c)
	rights, err := c.MyRights(folder).Wait()
	if err != nil {
		return f, fmt.Errorf("journal folder %s: %w", folder, err)
	}
	f.Rights = string(rights.Rights)
	if _, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return f, fmt.Errorf("journal folder %s: %w", folder, err)
	}
	cmd := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	broken := false
	defer func() { account.CloseFetch(c, cmd, broken) }()
	m := cmd.Next()
	if m == nil {
		return f, ErrNoFounding
	}
	var env *Envelope
	for {
		item := m.Next()
		if item == nil {
			break
		}
		if it, ok := item.(imapclient.FetchItemDataBodySection); ok && it.Literal != nil {
			lit := account.NewLiteral(it.Literal)
			env, err = Decode(lit, agencyCode, nil)
			lit.Discard()
			if broken = lit.Broken(); broken {
				return f, fmt.Errorf("journal folder %s: %w", folder, account.ErrLiteralBroken)
			}
			if err != nil {
				return f, fmt.Errorf("%w: %v", ErrNoFounding, err)
			}
		}
	}
	if env == nil || env.Event.Type != docstore.EvAgencyFounded {
		return f, ErrNoFounding
	}
	var p docstore.AgencyFounded
	if err := json.Unmarshal(env.Event.Payload, &p); err != nil {
		return f, fmt.Errorf("%w: %v", ErrNoFounding, err)
	}
	key, err := ParsePublicKey(p.Admin.PublicKey)
	if err != nil || !key.Equal(env.Signer) || p.Code != agencyCode {
		return f, fmt.Errorf("%w: not signed by the administrator it names", ErrNoFounding)
	}
	f.Agency, f.AdminKey = p, key
	f.Fingerprint, f.Groups = Fingerprint(key), FingerprintGroups(key)
	return f, nil
}
