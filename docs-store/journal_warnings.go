package docstore

import (
	"errors"
	"fmt"
)

// Why a message of a journal was not applied, as a code the window words
// in Vietnamese (JournalWarning.Code). The technical text stays in Reason.
const (
	// Messages that are no valid signed event of this agency
	// (JournalEntry.ProblemCode, set by the reader of the journal).
	WarnNotJournal   = "not-journal"   // a mail put in the folder by hand, not an event
	WarnMalformed    = "malformed"     // an event message that cannot be read
	WarnVersion      = "version"       // written by a later version of Công vụ
	WarnNoBody       = "no-body"       // the server sent no content
	WarnBadSignature = "bad-signature" // altered after signing
	WarnOtherAgency  = "other-agency"  // an event of another agency
	WarnFileMismatch = "file-mismatch" // an attached file is not the one signed
	// Events refused here.
	WarnNoKey          = "no-key"           // its author has no key in the directory
	WarnWrongKey       = "wrong-key"        // signed with a key that is not its author's
	WarnFounding       = "founding"         // a founding not signed by the pinned administrator
	WarnNotInDirectory = "not-in-directory" // its author is in no directory
	WarnForbidden      = "forbidden"        // a step its author may not take
	WarnInvalid        = "invalid"          // does not hold together with the registers
)

// WarnCodes lists the codes, for the window's translations.
var WarnCodes = []string{WarnNotJournal, WarnMalformed, WarnVersion, WarnNoBody, WarnBadSignature, WarnOtherAgency, WarnFileMismatch,
	WarnNoKey, WarnWrongKey, WarnFounding, WarnNotInDirectory, WarnForbidden, WarnInvalid}

// SignerError: the key that signed an event is not one that may sign it.
type SignerError struct {
	Actor string
	Code  string // WarnNoKey, WarnWrongKey or WarnFounding
	why   string
}

func (e *SignerError) Error() string { return fmt.Sprintf("%s may not %s", e.Actor, e.why) }
func (e *SignerError) Unwrap() error { return ErrForbidden }

func signerError(actor, code, why string) error {
	return &SignerError{Actor: actor, Code: code, why: why}
}

// actNotInDirectory is the PermissionError action of an author the
// directory does not know.
const actNotInDirectory = "act (not in the directory)"

// warningCode is the code of an event refused with err.
func warningCode(err error) string {
	var se *SignerError
	var pe *PermissionError
	switch {
	case errors.As(err, &se):
		return se.Code
	case errors.As(err, &pe) && pe.Action == actNotInDirectory:
		return WarnNotInDirectory
	case errors.Is(err, ErrForbidden):
		return WarnForbidden
	}
	return WarnInvalid
}
