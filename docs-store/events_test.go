package docstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestDecodeEventRejectsBrokenInput(t *testing.T) {
	good := `{"id":"e1","type":"register.closed","v":1,"actor":"clerk","time":"2026-03-10T02:00:00Z","payload":{"id":"den-2026"}}`
	if _, err := DecodeEvent([]byte(good)); err != nil {
		t.Fatalf("good event refused: %v", err)
	}
	for name, in := range map[string]string{
		"empty":          ``,
		"not json":       `<edXML/>`,
		"unknown type":   `{"id":"e1","type":"register.burned","v":1,"actor":"a","time":"2026-03-10T02:00:00Z","payload":{}}`,
		"future version": `{"id":"e1","type":"register.closed","v":7,"actor":"a","time":"2026-03-10T02:00:00Z","payload":{}}`,
		"no actor":       `{"id":"e1","type":"register.closed","v":1,"time":"2026-03-10T02:00:00Z","payload":{}}`,
		"no time":        `{"id":"e1","type":"register.closed","v":1,"actor":"a","payload":{}}`,
		"payload array":  `{"id":"e1","type":"register.closed","v":1,"actor":"a","time":"2026-03-10T02:00:00Z","payload":[1]}`,
		"payload wrong":  `{"id":"e1","type":"incoming.registered","v":1,"actor":"a","time":"2026-03-10T02:00:00Z","payload":{"number":"một"}}`,
		"trailing data":  good + `{}`,
		"invalid utf8":   "{\"id\":\"\xff\"}",
		"huge":           `{"id":"` + string(bytes.Repeat([]byte("a"), MaxEventSize)) + `"}`,
	} {
		if _, err := DecodeEvent([]byte(in)); !errors.Is(err, ErrBadEvent) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// A decoded event that passes DecodeEvent but breaks the rules is refused
// by the reducer without touching the store.
func TestForeignEventsGoThroughTheSameRules(t *testing.T) {
	f := newFixture(t)
	before, _ := f.s.StateDigest(f.ctx)
	forged, _ := newEvent("forged-1", EvDraftApproved, specTN, time.Now(), DraftStep{DraftID: "nope"})
	if err := f.s.ApplyEvents(f.ctx, []Event{forged}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("approval of a missing draft: %v", err)
	}
	id, _ := f.s.CreateDraft(f.ctx, specTN, NewDraft{Type: "CV", Subject: "x", File: f.file("x")})
	f.must(f.s.SubmitDraft(f.ctx, specTN, id, chairman, ""))
	before, _ = f.s.StateDigest(f.ctx)
	forged, _ = newEvent("forged-2", EvDraftApproved, specTN, time.Now(), DraftStep{DraftID: id})
	if err := f.s.ApplyEvents(f.ctx, []Event{forged}); !errors.Is(err, ErrForbidden) {
		t.Fatalf("forged approval: %v", err)
	}
	claim, _ := newEvent("claim-1", EvIncomingRegistered, clerk, time.Now(), IncomingRegistered{DocID: "d1", Number: 7, Doc: f.incoming()})
	if err := f.s.ApplyEvents(f.ctx, []Event{claim}); !errors.Is(err, ErrNumberTaken) {
		t.Fatalf("number out of sequence: %v", err)
	}
	after, _ := f.s.StateDigest(f.ctx)
	if before != after {
		t.Fatal("a refused event changed the store")
	}
}

// TestWriteFuzzCorpus refreshes testdata/fuzz/FuzzDecodeEvent from the
// events of a real fixture: CONGVU_WRITE_CORPUS=1 go test -run WriteFuzzCorpus
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("CONGVU_WRITE_CORPUS") == "" {
		t.Skip("set CONGVU_WRITE_CORPUS=1 to rewrite the seed corpus")
	}
	f := newFixture(t)
	r := f.register()
	f.Direct(r.DocID)
	f.signedDraft("QD", specTN)
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeEvent")
	os.MkdirAll(dir, 0o755)
	seen := map[string]bool{}
	f.s.EachEvent(context.Background(), 0, func(seq int64, e Event) error {
		if seen[e.Type] {
			return nil
		}
		seen[e.Type] = true
		b, _ := e.Encode()
		return os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d-%s", seq, e.Type)), []byte("go test fuzz v1\n[]byte("+strconv.Quote(string(b))+")\n"), 0o644)
	})
}

func (f *fixture) Direct(doc string) {
	_, err := f.s.Direct(f.ctx, chairman, Direction{DocID: doc, Comment: "Giao xử lý", Assignments: []AssignmentInput{
		{Kind: "person", Assignee: specTN, Role: "chu_tri", Deadline: "2026-03-30"}, {Kind: "unit", Assignee: "nv", Role: "phoi_hop"}}})
	f.must(err)
}

// FuzzDecodeEvent: the decoder never panics, and what it accepts
// re-encodes to an event it accepts again, unchanged.
func FuzzDecodeEvent(f *testing.F) {
	f.Add([]byte(`{"id":"e1","type":"register.closed","v":1,"actor":"clerk","time":"2026-03-10T02:00:00Z","payload":{"id":"den-2026"}}`))
	f.Add([]byte(`{"id":"e1","type":"incoming.directed","v":1,"actor":"a","time":"2026-03-10T02:00:00Z","payload":{"assignments":[{"role":"chu_tri"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEvent(b)
		if err != nil {
			if !errors.Is(err, ErrBadEvent) {
				t.Fatalf("error not typed: %v", err)
			}
			return
		}
		enc, err := e.Encode()
		if err != nil {
			t.Fatal(err)
		}
		e2, err := DecodeEvent(enc)
		if err != nil {
			t.Fatalf("re-encoded event refused: %v", err)
		}
		if e2.ID != e.ID || e2.Type != e.Type || !e2.Time.Equal(e.Time) || e2.Actor != e.Actor {
			t.Fatal("round trip changed the event")
		}
	})
}
