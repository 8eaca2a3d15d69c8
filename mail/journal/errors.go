package journal

import (
	"errors"

	"congvu/mail/account"
)

// Errors of Decode. Each is wrapped with what was wrong (fmt.Errorf %w),
// so errors.Is tells the caller what to do with the message: skip it
// quietly (ErrNotJournal), list it under the journal's warnings
// (ErrMalformed, ErrBadSignature, ErrOtherAgency, ErrFileMismatch).
var (
	// ErrNotJournal: not a journal message at all — no X-Congvu-Journal
	// header, or no event part (a mail someone APPENDed to the folder by
	// hand, a notice of the server).
	ErrNotJournal = errors.New("journal: not a journal message")
	// ErrMalformed: a journal message that cannot be read — broken MIME or
	// JSON, a limit passed, parts that contradict each other. When the
	// event itself is bad, docstore.ErrBadEvent is wrapped too.
	ErrMalformed = errors.New("journal: malformed journal message")
	// ErrVersion: a journal message of a later wire format than v1 (always
	// together with ErrMalformed). This build cannot read it; a newer one
	// can, so a caller may want to stop rather than skip it.
	ErrVersion = errors.New("journal: unsupported journal format version")
	// ErrBadSignature: the signature does not verify against the key the
	// message carries, or that key or signature is malformed.
	ErrBadSignature = errors.New("journal: bad signature")
	// ErrOtherAgency: a journal message of another agency (copied or
	// replayed from its journal into this one).
	ErrOtherAgency = errors.New("journal: event of another agency")
	// ErrFileMismatch: a document file whose content does not have the
	// SHA-256 it is named by (Decode), or is not the size announced
	// (Encode).
	ErrFileMismatch = errors.New("journal: file content does not match its SHA-256")
)

// Errors of the key store.
var (
	// ErrNoKey: no private key is stored for this person (KeyStore.Get).
	ErrNoKey = errors.New("journal: no signing key stored")
	// ErrNoKeyring: the OS keyring cannot be used — no Secret Service on
	// the session bus, a dismissed unlock prompt, no answer in time.
	// The same sentinel as mail/account's: one sentence in the window.
	ErrNoKeyring = account.ErrNoKeyring
)
