package docstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"time"
	"unicode/utf8"
)

// Event is one immutable change. Its payload carries everything a receiver
// needs to apply it (ids, numbers, dates, names), so a colleague's client
// applies it without asking anyone, and replay gives the same state.
type Event struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Version int             `json:"v"`
	Actor   string          `json:"actor"` // person id of the author
	Time    time.Time       `json:"time"`  // when the author made it (UTC)
	Payload json.RawMessage `json:"payload"`

	// decoded is the payload value a local command built, so the reducer
	// need not parse the JSON it has just written. Never set for events
	// from elsewhere.
	decoded any
}

// Event types. The version of each payload is 1; a later change of a
// payload's meaning gets a new version and the reducer keeps both.
const (
	EvAgencyFounded      = "agency.founded"
	EvUnitAdded          = "unit.added"
	EvPersonAdded        = "person.added"
	EvPersonUpdated      = "person.updated"
	EvRegisterOpened     = "register.opened"
	EvRegisterClosed     = "register.closed"
	EvRegisterReopened   = "register.reopened"
	EvIncomingRegistered = "incoming.registered"
	EvIncomingDirected   = "incoming.directed"
	EvAssignmentAccepted = "assignment.accepted"
	EvAssignmentDone     = "assignment.completed"
	EvAssignmentReturned = "assignment.returned"
	EvDraftCreated       = "draft.created"
	EvDraftVersion       = "draft.version_added"
	EvDraftSubmitted     = "draft.submitted"
	EvDraftInitialed     = "draft.initialed"
	EvDraftReturned      = "draft.returned"
	EvDraftApproved      = "draft.approved"
	EvDraftSigned        = "draft.signed"
	EvDraftIssued        = "draft.issued"
	EvDraftCancelled     = "draft.cancelled"
)

// CurrentVersion is the payload version this build writes.
const CurrentVersion = 1

// MaxEventSize bounds a decoded event; files travel as blobs, not inline.
const MaxEventSize = 1 << 20

// Payloads.

type AgencyFounded struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Abbr  string `json:"abbr"`
	Place string `json:"place"`
	// The founding administrator: the event's actor becomes this person.
	Admin PersonInput `json:"admin"`
}

type UnitAdded struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Abbr string `json:"abbr"`
}

// PersonInput is a person of the directory.
type PersonInput struct {
	ID        string  `json:"id"`
	Email     string  `json:"email"`
	FullName  string  `json:"full_name"`
	Title     string  `json:"title"`
	UnitID    string  `json:"unit_id"`
	Roles     []Role  `json:"roles"`
	Clearance Secrecy `json:"clearance"`
	// PublicKey is the person's Ed25519 public key (base64, 32 bytes), the
	// one their journal events must be signed with. Only the administrator
	// binds it (person.added, person.updated), and the founding
	// administrator's own comes with agency.founded.
	PublicKey string `json:"public_key,omitempty"`
}

type RegisterOpened struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Year    int    `json:"year"`
	Secret  bool   `json:"secret"`
	Name    string `json:"name"`
	PerType bool   `json:"per_type"`
}

type RegisterRef struct {
	ID string `json:"id"`
}

// Attachment is a file of a document, stored in the blob store.
type Attachment struct {
	SHA256 string `json:"sha256"`
	Name   string `json:"name"`
	Size   int64  `json:"size"`
}

type IncomingRegistered struct {
	DocID  string        `json:"doc_id"`
	Number int           `json:"number"` // the claimed số đến
	Doc    IncomingInput `json:"doc"`
}

// AssignmentInput is one line of a direction.
type AssignmentInput struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"` // person | unit
	Assignee string `json:"assignee"`
	Role     string `json:"role"` // chu_tri | phoi_hop | de_biet
	Deadline string `json:"deadline,omitempty"`
}

type IncomingDirected struct {
	DirectionID string            `json:"direction_id"`
	DocID       string            `json:"doc_id"`
	Comment     string            `json:"comment"`
	Date        string            `json:"date"` // ngày chuyển
	Assignments []AssignmentInput `json:"assignments"`
}

type AssignmentStep struct {
	AssignmentID string `json:"assignment_id"`
	Reason       string `json:"reason,omitempty"`
}

type DraftCreated struct {
	DraftID string     `json:"draft_id"`
	UnitID  string     `json:"unit_id"`
	Type    string     `json:"type"`
	Subject string     `json:"subject"`
	Urgency Urgency    `json:"urgency"`
	Secrecy Secrecy    `json:"secrecy"`
	File    Attachment `json:"file"`
}

type DraftVersion struct {
	DraftID string     `json:"draft_id"`
	Version int        `json:"version"`
	File    Attachment `json:"file"`
	Note    string     `json:"note"`
	Subject string     `json:"subject,omitempty"`
}

type DraftSubmitted struct {
	DraftID     string `json:"draft_id"`
	ApproverID  string `json:"approver_id"`
	InitialerID string `json:"initialer_id,omitempty"`
}

type DraftStep struct {
	DraftID string `json:"draft_id"`
	Comment string `json:"comment,omitempty"`
}

type DraftSignature struct {
	DraftID   string `json:"draft_id"`
	Authority string `json:"authority"` // TM. KT. TL. TUQ. Q. or ""
	Title     string `json:"title"`     // chức vụ shown under the authority
}

type DraftIssue struct {
	DraftID    string `json:"draft_id"`
	DocID      string `json:"doc_id"`
	RegisterID string `json:"register_id"`
	Number     int    `json:"number"`
	Notation   string `json:"notation"`
	Date       string `json:"date"`
	Recipients string `json:"recipients"`  // nơi nhận
	CopyHolder string `json:"copy_holder"` // đơn vị, người nhận bản lưu
	Copies     int    `json:"copies"`      // số lượng bản
	Forwarded  string `json:"forwarded"`   // ngày chuyển
	Note       string `json:"note"`
	Signer     string `json:"signer"` // full name, carried for the register
	PageCount  int    `json:"pages"`
	// Source is how it is issued: dien_tu (signed digitally, sent through
	// the system) or giay (signed by hand, sealed, posted). Events written
	// before it existed have none and were electronic.
	Source Source `json:"source,omitempty"`
}

// payloadTypes maps each event type to a fresh payload value, for decoding.
var payloadTypes = map[string]func() any{
	EvAgencyFounded:      func() any { return new(AgencyFounded) },
	EvUnitAdded:          func() any { return new(UnitAdded) },
	EvPersonAdded:        func() any { return new(PersonInput) },
	EvPersonUpdated:      func() any { return new(PersonInput) },
	EvRegisterOpened:     func() any { return new(RegisterOpened) },
	EvRegisterClosed:     func() any { return new(RegisterRef) },
	EvRegisterReopened:   func() any { return new(RegisterRef) },
	EvIncomingRegistered: func() any { return new(IncomingRegistered) },
	EvIncomingDirected:   func() any { return new(IncomingDirected) },
	EvAssignmentAccepted: func() any { return new(AssignmentStep) },
	EvAssignmentDone:     func() any { return new(AssignmentStep) },
	EvAssignmentReturned: func() any { return new(AssignmentStep) },
	EvDraftCreated:       func() any { return new(DraftCreated) },
	EvDraftVersion:       func() any { return new(DraftVersion) },
	EvDraftSubmitted:     func() any { return new(DraftSubmitted) },
	EvDraftInitialed:     func() any { return new(DraftStep) },
	EvDraftReturned:      func() any { return new(DraftStep) },
	EvDraftApproved:      func() any { return new(DraftStep) },
	EvDraftSigned:        func() any { return new(DraftSignature) },
	EvDraftIssued:        func() any { return new(DraftIssue) },
	EvDraftCancelled:     func() any { return new(DraftStep) },
	EvExchangeAgencySet:  func() any { return new(ExchangeAgency) },
}

// EventTypes lists every event type this build knows, sorted.
func EventTypes() []string {
	ts := make([]string, 0, len(payloadTypes))
	for t := range payloadTypes {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// newEvent wraps a payload.
func newEvent(id, typ, actor string, at time.Time, payload any) (Event, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s: %w", typ, err)
	}
	if !validUTF8(reflect.ValueOf(payload)) {
		// JSON would silently turn the bad bytes into U+FFFD: refuse them at
		// the door rather than store mangled text.
		return Event{}, invalid("text", "encoding")
	}
	return Event{ID: id, Type: typ, Version: CurrentVersion, Actor: actor, Time: at.UTC().Truncate(time.Millisecond), Payload: b, decoded: payload}, nil
}

// validUTF8 reports whether every string inside v is valid UTF-8.
func validUTF8(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return utf8.ValidString(v.String())
	case reflect.Pointer, reflect.Interface:
		return v.IsNil() || validUTF8(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() && !validUTF8(v.Field(i)) {
				return false
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if !validUTF8(v.Index(i)) {
				return false
			}
		}
	}
	return true
}

// Encode gives the wire form of an event (one JSON object).
func (e Event) Encode() ([]byte, error) { return json.Marshal(e) }

// DecodeEvent parses and checks the wire form of an event: size, required
// fields, a known type and version, a payload of the right shape. It is the
// door events from other machines come through, so it never panics and
// names what is wrong.
func DecodeEvent(b []byte) (Event, error) {
	var e Event
	if len(b) > MaxEventSize {
		return e, fmt.Errorf("%w: %d bytes, more than %d", ErrBadEvent, len(b), MaxEventSize)
	}
	if !utf8.Valid(b) {
		return e, fmt.Errorf("%w: not UTF-8", ErrBadEvent)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	if dec.More() {
		return Event{}, fmt.Errorf("%w: data after the event", ErrBadEvent)
	}
	if err := e.check(); err != nil {
		return Event{}, err
	}
	return e, nil
}

func (e Event) check() error {
	switch {
	case e.ID == "" || len(e.ID) > 64:
		return fmt.Errorf("%w: id missing or too long", ErrBadEvent)
	case e.Actor == "" || len(e.Actor) > 64:
		return fmt.Errorf("%w: actor missing or too long", ErrBadEvent)
	case e.Time.IsZero():
		return fmt.Errorf("%w: time missing", ErrBadEvent)
	case e.Version != CurrentVersion:
		return fmt.Errorf("%w: %s version %d not supported", ErrBadEvent, e.Type, e.Version)
	}
	mk, ok := payloadTypes[e.Type]
	if !ok {
		return fmt.Errorf("%w: unknown type %q", ErrBadEvent, e.Type)
	}
	if len(e.Payload) == 0 || e.Payload[0] != '{' {
		return fmt.Errorf("%w: %s payload is not an object", ErrBadEvent, e.Type)
	}
	if err := json.Unmarshal(e.Payload, mk()); err != nil {
		return fmt.Errorf("%w: %s payload: %v", ErrBadEvent, e.Type, err)
	}
	return nil
}

// decodePayload unmarshals an event's payload into its type.
func decodePayload[T any](e Event) (*T, error) {
	switch v := e.decoded.(type) {
	case T:
		return &v, nil
	case *T:
		c := *v
		return &c, nil
	}
	p := new(T)
	if err := json.Unmarshal(e.Payload, p); err != nil {
		return nil, fmt.Errorf("%w: %s payload: %v", ErrBadEvent, e.Type, err)
	}
	return p, nil
}
