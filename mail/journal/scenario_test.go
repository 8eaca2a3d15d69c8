package journal

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"congvu/docs-store"
)

func (c *client) draftState(t testing.TB, id string) string {
	d, err := c.st.Draft(context.Background(), c.person, id)
	if err != nil {
		return ""
	}
	return d.State
}

// A document registered by the clerk is directed by the leader and
// completed by the specialist; a draft goes submit → return → resubmit →
// approve → sign → issue across the three workstations; every store ends
// identical. Each step is taken on a workstation only once it has seen
// the step before through the journal (IDLE), as people do.
func TestThreeWorkstationsConverge(t *testing.T) {
	a := newTestAgency(t)
	ctx := context.Background()
	clerk, leader, spec := a.join("clerk"), a.join("manager"), a.join("specialist")
	const wait = 10 * time.Second

	reg, err := clerk.st.RegisterIncoming(ctx, "clerk", a.incoming(1))
	must(t, err)
	if reg.Number != 1 {
		t.Fatalf("số đến %d", reg.Number)
	}
	t0 := time.Now()
	eventually(t, wait, "the leader sees the registration", func() bool { return leader.hasDoc(reg.DocID) })
	t.Logf("registration seen by the leader after %v", time.Since(t0).Round(time.Millisecond))

	_, err = leader.st.Direct(ctx, "manager", docstore.Direction{DocID: reg.DocID, Comment: "Giao đồng chí Trang chủ trì, báo cáo trước ngày 30.",
		Assignments: []docstore.AssignmentInput{{Kind: "person", Assignee: "specialist", Role: "chu_tri", Deadline: docstore.LocalDate(time.Now().AddDate(0, 0, 10))}}})
	must(t, err)
	var asg docstore.Assignment
	eventually(t, wait, "the specialist gets the assignment", func() bool {
		as, err := spec.st.MyWork(ctx, "specialist", spec.st.Today())
		if err != nil || len(as) == 0 {
			return false
		}
		asg = as[0]
		return true
	})
	must(t, spec.st.AcceptAssignment(ctx, "specialist", asg.ID))
	must(t, spec.st.CompleteAssignment(ctx, "specialist", asg.ID))

	file := func(content string) docstore.Attachment {
		ref, err := spec.st.Blobs().Put(bytes.NewReader(bytes.Repeat([]byte(content), 2000)))
		must(t, err)
		return docstore.Attachment{SHA256: ref.SHA256, Name: "Dự thảo công văn.docx", Size: ref.Size}
	}
	v1 := file("bản một ")
	draft, err := spec.st.CreateDraft(ctx, "specialist", docstore.NewDraft{Type: "CV", Subject: "V/v báo cáo kết quả kiểm tra trật tự xây dựng", File: v1})
	must(t, err)
	must(t, spec.st.SubmitDraft(ctx, "specialist", draft, "manager", ""))
	eventually(t, wait, "the leader gets the draft", func() bool { return leader.draftState(t, draft) == docstore.DraftPending })
	must(t, leader.st.ReturnDraft(ctx, "manager", draft, "Bổ sung căn cứ pháp lý"))
	eventually(t, wait, "the specialist sees it returned", func() bool { return spec.draftState(t, draft) == docstore.DraftReturned })
	v2 := file("bản hai ")
	_, err = spec.st.AddDraftVersion(ctx, "specialist", draft, v2, "Đã bổ sung căn cứ", "")
	must(t, err)
	must(t, spec.st.SubmitDraft(ctx, "specialist", draft, "manager", ""))
	eventually(t, wait, "the leader gets it again", func() bool { return leader.draftState(t, draft) == docstore.DraftPending })
	must(t, leader.st.ApproveDraft(ctx, "manager", draft, "Đồng ý"))
	must(t, leader.st.SignDraft(ctx, "manager", draft, "TM.", "CHỦ TỊCH"))
	eventually(t, wait, "the clerk sees it signed", func() bool { return clerk.draftState(t, draft) == docstore.DraftSigned })
	issued, err := clerk.st.IssueDraft(ctx, "clerk", docstore.Issue{DraftID: draft, RegisterID: regOut, Recipients: "Như trên;\nLưu: VT.", Copies: 2})
	must(t, err)
	if issued.Number != 1 {
		t.Fatalf("số văn bản đi %d", issued.Number)
	}
	a.converged(t, wait, "admin", "clerk", "manager", "specialist")
	// The draft's files travelled with the journal, once each.
	for _, sha := range []string{v1.SHA256, v2.SHA256} {
		if _, err := leader.st.Blobs().Path(sha); err != nil {
			t.Errorf("file %s not on the leader's workstation: %v", sha[:8], err)
		}
		f, err := leader.st.Blobs().Open(sha)
		if err != nil {
			t.Errorf("open %s: %v", sha[:8], err)
			continue
		}
		f.Close()
	}
}

// Two clerks register documents at the same time into the same register,
// one of them offline for part of it: after sync every number is used
// exactly once, the same on every workstation; the offline one's numbers
// were provisional until then.
func TestRacingClerksOneOffline(t *testing.T) {
	n := 120
	if testing.Short() {
		n = 40
	}
	a := newTestAgency(t)
	ctx := context.Background()
	c1, c2 := a.join("clerk"), a.join("u01")
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	register := func(c *client, from int, offlineAt, onlineAt int) {
		defer wg.Done()
		for i := 0; i < n; i++ {
			if i == offlineAt {
				c.proxy.unplug()
			}
			if i == onlineAt {
				c.proxy.plug()
				c.r.Kick()
			}
			t0 := time.Now()
			if _, err := c.st.RegisterIncoming(ctx, c.person, a.incoming(from+i)); err != nil {
				errs <- err
			}
			if d := time.Since(t0); d > time.Second {
				t.Logf("%s: registration %d took %v", c.person, i, d.Round(time.Millisecond))
			}
		}
	}
	wg.Add(2)
	go register(c1, 1000, -1, -1)
	go register(c2, 2000, n/4, n/2)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	a.converged(t, 60*time.Second, "clerk", "u01", "admin")
	rows, err := c1.st.ListRegister(ctx, "clerk", regIn, 0, 10*n)
	must(t, err)
	var got []int
	for _, r := range rows {
		got = append(got, r.Number)
	}
	sort.Ints(got)
	if len(got) != 2*n {
		t.Fatalf("%d documents, want %d", len(got), 2*n)
	}
	for i, x := range got {
		if x != i+1 {
			t.Fatalf("number %d missing or doubled (got %d)", i+1, x)
		}
	}
	if p, _ := c2.st.PendingDocuments(ctx); len(p) != 0 {
		t.Fatalf("%d numbers still provisional", len(p))
	}
}

// Issuing an outgoing number needs the server: offline it is refused.
func TestIssueOfflineRefused(t *testing.T) {
	a := newTestAgency(t)
	ctx := context.Background()
	clerk := a.join("clerk")
	clerk.proxy.unplug()
	_, err := clerk.st.IssueDraft(ctx, "clerk", docstore.Issue{DraftID: "none", RegisterID: regOut})
	if err == nil || (!errors.Is(err, docstore.ErrNotFound) && !errors.Is(err, docstore.ErrNeedsConnection) && !errors.Is(err, docstore.ErrTransition)) {
		t.Fatalf("issue offline: %v", err)
	}
	// An incoming registration offline is kept, its number provisional.
	reg, err := clerk.st.RegisterIncoming(ctx, "clerk", a.incoming(1))
	must(t, err)
	p, _ := clerk.st.PendingDocuments(ctx)
	if !p[reg.DocID] {
		t.Fatal("an offline registration is not provisional")
	}
	clerk.proxy.plug()
	clerk.r.Kick()
	eventually(t, 20*time.Second, "confirmed once online", func() bool {
		p, _ := clerk.st.PendingDocuments(ctx)
		return len(p) == 0
	})
}
