package demo

import (
	"context"
	"testing"
	"time"

	docstore "congvu/docs-store"
)

func small(today time.Time) Config {
	return Config{Seed: 7, Today: today, Incoming: 300, Secret: 10, Drafts: 80}
}

// The same seed gives the same events and state; replaying the demo's events
// into an empty store gives the same state, audit chain included.
func TestDemoDeterministicAndReplayEqualsState(t *testing.T) {
	ctx := context.Background()
	today := time.Date(2026, 11, 27, 10, 0, 0, 0, vn)
	a, cast, err := Open(ctx, t.TempDir(), small(today))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, _, err := Open(ctx, t.TempDir(), small(today))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	da, _ := a.StateDigest(ctx)
	db, _ := b.StateDigest(ctx)
	if da != db {
		t.Fatal("same seed, different state")
	}
	empty, err := docstore.Open(t.TempDir(), docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	n, err := a.ReplayInto(ctx, empty)
	if err != nil {
		t.Fatal(err)
	}
	dr, _ := empty.StateDigest(ctx)
	if dr != da {
		t.Fatalf("replay of %d events gives a different state", n)
	}
	if err := empty.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
	// The demo is full: every draft state and a populated register.
	cnt, err := a.RegisterCount(ctx, cast.Clerk, cast.IncomingRegister)
	if err != nil || cnt != 300 {
		t.Fatalf("incoming register has %d (%v)", cnt, err)
	}
	counts, err := a.DraftCounts(ctx, cast.Chairman)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{docstore.DraftEditing, docstore.DraftCancelled, docstore.DraftInitial, docstore.DraftPending,
		docstore.DraftReturned, docstore.DraftApproved, docstore.DraftSigned, docstore.DraftIssued} {
		if counts[st] == 0 {
			t.Errorf("no draft in state %s: %v", st, counts)
		}
	}
	t.Logf("%d events replayed; drafts by state %v", n, counts)
}
