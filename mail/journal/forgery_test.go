package journal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	"congvu/docs-store"
)

// forge encodes an event as person's workstation would, but with any actor
// and any key, and APPENDs it by hand as person.
func (a *testAgency) forge(t *testing.T, person, actor string, key ed25519.PrivateKey, typ string, payload any) string {
	t.Helper()
	p, err := json.Marshal(payload)
	must(t, err)
	id := "forged-" + typ + "-" + actor
	ev := docstore.Event{ID: id, Type: typ, Version: docstore.CurrentVersion, Actor: actor, Time: time.Now().UTC().Truncate(time.Millisecond), Payload: p}
	var buf bytes.Buffer
	must(t, Encode(&buf, ev, agencyCode, docstore.MailAddress{Addr: person + "@agency.test"}, key, nil))
	a.e.DeliverRaw(t, a.main, person, buf.Bytes())
	return id
}

// A specialist approves a draft with their own key (they may not approve),
// signs an approval in the leader's name with their own key, and APPENDs
// a plain message by hand: nothing of it is applied anywhere, each is
// listed under the warnings, and the journal goes on.
func TestForgeriesAreNotApplied(t *testing.T) {
	a := newTestAgency(t)
	ctx := context.Background()
	leader, spec := a.join("manager"), a.join("specialist")
	ref, err := spec.st.Blobs().Put(bytes.NewReader([]byte("dự thảo")))
	must(t, err)
	draft, err := spec.st.CreateDraft(ctx, "specialist", docstore.NewDraft{Type: "CV", Subject: "V/v xin ý kiến", File: docstore.Attachment{SHA256: ref.SHA256, Name: "du-thao.docx", Size: ref.Size}})
	must(t, err)
	must(t, spec.st.SubmitDraft(ctx, "specialist", draft, "manager", ""))
	eventually(t, 10*time.Second, "the leader gets the draft", func() bool { return leader.draftState(t, draft) == docstore.DraftPending })

	step := docstore.DraftStep{DraftID: draft, Comment: "Đồng ý"}
	a.forge(t, "specialist", "specialist", a.keys["specialist"], docstore.EvDraftApproved, step) // no right to approve
	a.forge(t, "specialist", "manager", a.keys["specialist"], docstore.EvDraftApproved, step)    // the leader's name, the specialist's key
	a.e.DeliverRaw(t, a.main, "specialist", []byte("From: specialist@agency.test\r\nSubject: Duyệt\r\n\r\nĐã duyệt.\r\n"))
	// The journal goes on: the leader returns the draft, for real.
	must(t, leader.st.ReturnDraft(ctx, "manager", draft, "Chưa đủ căn cứ"))
	for _, c := range []*client{leader, spec} {
		eventually(t, 10*time.Second, c.person+" reads the forgeries and the return", func() bool {
			ws, _ := c.st.JournalWarnings(ctx)
			return len(ws) == 3 && c.draftState(t, draft) == docstore.DraftReturned
		})
		ws, _ := c.st.JournalWarnings(ctx)
		kinds, codes := map[string]int{}, map[string]string{}
		for _, w := range ws {
			kinds[w.Kind]++
			codes[w.Code] = w.EventType
		}
		if kinds[docstore.RefusedForged] != 2 || kinds["malformed"] != 1 {
			t.Errorf("%s: warnings %+v", c.person, ws)
		}
		// Why, for the window: no right to approve; the leader's name
		// with another key; not an event at all.
		if len(codes) != 3 || codes[docstore.WarnForbidden] != docstore.EvDraftApproved || codes[docstore.WarnWrongKey] != docstore.EvDraftApproved ||
			codes[docstore.WarnNotJournal] != "" {
			t.Errorf("%s: warning codes %v", c.person, codes)
		}
	}
	a.converged(t, 10*time.Second, "manager", "specialist", "admin")
}

// The secret register lives in the secret journal: the cleared clerk and
// leader see its documents, the specialist's workstation (no right on
// that folder: the server refuses) shows nothing of it, and says which
// rights are missing.
func TestSecretJournalOnlyForTheCleared(t *testing.T) {
	a := newTestAgency(t, secretRegister)
	ctx := context.Background()
	clerk, leader, spec := a.join("clerk"), a.join("manager"), a.join("specialist")
	in := a.incoming(1)
	in.RegisterID, in.Secrecy = regMat, docstore.SecrecyMat
	reg, err := clerk.st.RegisterIncoming(ctx, "clerk", in)
	must(t, err)
	eventually(t, 10*time.Second, "the cleared leader sees the secret document", func() bool { return leader.hasDoc(reg.DocID) })
	// The ordinary journal goes on for everybody.
	open, err := clerk.st.RegisterIncoming(ctx, "clerk", a.incoming(2))
	must(t, err)
	eventually(t, 10*time.Second, "the specialist sees the ordinary document", func() bool { return spec.hasDoc(open.DocID) })
	if spec.hasDoc(reg.DocID) {
		t.Fatal("the specialist's workstation holds the secret document")
	}
	d, _ := spec.st.CanonicalDump(ctx)
	if bytes.Contains([]byte(d), []byte(regMat)) {
		t.Fatal("the specialist's workstation knows the secret register")
	}
	if st := spec.r.Status(); st.Rights[docstore.ScopeSecret] == "" {
		t.Fatalf("missing rights on the secret journal not reported: %+v", st.Rights)
	}
	if st := leader.r.Status(); st.Rights[docstore.ScopeSecret] != "" || st.Rights[docstore.ScopeAgency] != "" {
		t.Fatalf("the leader lacks rights: %+v", st.Rights)
	}
	a.converged(t, 10*time.Second, "clerk", "manager")
}

// The same event delivered twice (a retried APPEND whose first answer was
// lost, a message copied back by hand): the second copy changes nothing.
func TestDuplicateDeliveryAppliedOnce(t *testing.T) {
	a := newTestAgency(t)
	ctx := context.Background()
	clerk, leader := a.join("clerk"), a.join("manager")
	reg, err := clerk.st.RegisterIncoming(ctx, "clerk", a.incoming(1))
	must(t, err)
	var ev docstore.Event
	must(t, clerk.st.EachEvent(ctx, 0, func(_ int64, e docstore.Event) error {
		if e.Type == docstore.EvIncomingRegistered {
			ev = e
		}
		return nil
	}))
	before := a.converged(t, 10*time.Second, "clerk", "manager")
	var buf bytes.Buffer
	must(t, Encode(&buf, ev, agencyCode, docstore.MailAddress{Addr: "clerk@agency.test"}, a.keys["clerk"], nil))
	uid := a.e.DeliverRaw(t, a.main, "clerk", buf.Bytes())
	eventually(t, 10*time.Second, "the copy is read", func() bool { return leader.lastUID(docstore.ScopeAgency) >= uint32(uid) })
	if after := a.converged(t, 10*time.Second, "clerk", "manager"); after != before {
		t.Fatalf("the second copy of %s changed the state", reg.DocID)
	}
	if ws, _ := leader.st.JournalWarnings(ctx); len(ws) != 0 {
		t.Fatalf("a duplicate is not a warning: %+v", ws)
	}
}
