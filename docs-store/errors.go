package docstore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Each refusal the UI must explain is one of these (or
// wraps one), so ui can map it to a Vietnamese sentence with errors.Is.
var (
	ErrLocked         = errors.New("data folder is in use by another Công vụ window")
	ErrCorrupt        = errors.New("database is damaged or not a Công vụ database")
	ErrSchemaTooNew   = errors.New("database was written by a newer Công vụ")
	ErrNotFound       = errors.New("not found")
	ErrForbidden      = errors.New("not permitted")
	ErrInvalid        = errors.New("invalid input")
	ErrTransition     = errors.New("transition not allowed")
	ErrRegisterClosed = errors.New("register is closed")
	ErrWrongYear      = errors.New("date is outside the register's year")
	ErrNumberTaken    = errors.New("number already taken")
	ErrNoAgency       = errors.New("agency not set up")
	ErrBadEvent       = errors.New("malformed event")
)

// FieldError says which input field is wrong and why. Field names are the
// JSON names of the input struct, so the UI can put the message beside it.
type FieldError struct {
	Field  string
	Reason string // machine code: "required", "future", "format", "unknown", "before_arrival", ...
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Reason) }
func (e *FieldError) Unwrap() error { return ErrInvalid }

func invalid(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// FieldErrors lists every field error inside err (a form can have several).
func FieldErrors(err error) []*FieldError {
	var out []*FieldError
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if fe, ok := e.(*FieldError); ok {
			out = append(out, fe)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// PermissionError names who was refused what.
type PermissionError struct {
	Actor  string
	Action string // e.g. "register_incoming", "approve"
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("%s may not %s", e.Actor, e.Action)
}
func (e *PermissionError) Unwrap() error { return ErrForbidden }

func forbidden(actor, action string) error { return &PermissionError{Actor: actor, Action: action} }

// TransitionError is a workflow step that the state machine does not list.
type TransitionError struct {
	Entity string // "draft", "assignment", "register"
	From   string
	Action string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s in state %q: %s not allowed", e.Entity, e.From, e.Action)
}
func (e *TransitionError) Unwrap() error { return ErrTransition }

// randomID is 128 bits, UUIDv7-like: 48 bits of milliseconds then 80
// random bits. Ids made one after another sort together, so the unique
// indexes on events.id and documents.id grow at their right edge instead of
// at random pages (a third faster on a large import).
func randomID() string {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	ms := uint64(time.Now().UnixMilli())
	for i := 5; i >= 0; i-- {
		b[i] = byte(ms)
		ms >>= 8
	}
	return hex.EncodeToString(b[:])
}

// NewID makes an id for a new entity named by the window (the founding
// administrator, say), in the store's own form.
func NewID() string { return randomID() }
