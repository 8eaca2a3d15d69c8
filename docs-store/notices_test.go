package docstore

import (
	"testing"
)

func kinds(ns []Notice) map[string][]string {
	out := map[string][]string{}
	for _, n := range ns {
		out[n.Kind] = append(out[n.Kind], n.ID)
	}
	return out
}

// Each kind of notice reaches the people it concerns, once, and only what
// they may read: an urgent arrival tells the leaders and the văn thư, a
// direction tells the assignee (and a unit's people), a submitted draft
// tells its approver, work due tomorrow tells its handler.
func TestNoticesReachTheRightPeople(t *testing.T) {
	f := newFixture(t)
	start := map[string]NoticeCursor{}
	for _, p := range []string{chairman, clerk, specTN, specNV, headNV} {
		c, err := f.s.NoticeMark(f.ctx)
		f.must(err)
		start[p] = c
	}
	urgent := f.register(func(in *IncomingInput) { in.Urgency = UrgencyFlash })
	plain := f.register()
	secret, err := f.s.RegisterIncoming(f.ctx, clerkMat, f.incoming(func(in *IncomingInput) {
		in.RegisterID = regInMat
		in.Secrecy = SecrecyMat
		in.Urgency = UrgencyFlash
	}))
	f.must(err)
	f.Direct(urgent.DocID) // chủ trì specTN due 2026-03-30, phối hợp unit nv
	_, err = f.s.Direct(f.ctx, chairman, Direction{DocID: plain.DocID, Assignments: []AssignmentInput{
		{Kind: "person", Assignee: specTN, Role: "chu_tri", Deadline: "2026-03-11"}}})
	f.must(err)
	draft, err := f.s.CreateDraft(f.ctx, specTN, NewDraft{Type: "CV", Subject: "V/v báo cáo tiến độ", File: f.file("v1")})
	f.must(err)
	f.must(f.s.SubmitDraft(f.ctx, specTN, draft, chairman, ""))

	today := "2026-03-10"
	got := map[string]map[string][]string{}
	for p, c := range start {
		ns, next, err := f.s.Notices(f.ctx, p, c, today)
		f.must(err)
		got[p] = kinds(ns)
		// Asked again from the new cursor: only the deadline reminder repeats.
		again, _, err := f.s.Notices(f.ctx, p, next, today)
		f.must(err)
		for _, n := range again {
			if n.Kind != NoticeDeadline {
				t.Errorf("%s told twice about %s %s", p, n.Kind, n.ID)
			}
		}
	}
	same := func(p, kind string, want ...string) {
		t.Helper()
		if g := got[p][kind]; len(g) != len(want) || (len(want) > 0 && g[0] != want[0]) || (len(want) > 1 && g[1] != want[1]) {
			t.Errorf("%s %s: got %v, want %v", p, kind, g, want)
		}
	}
	same(chairman, NoticeUrgent, urgent.DocID, secret.DocID) // cleared for the secret register
	same(clerk, NoticeUrgent, urgent.DocID)                  // not cleared: the secret one is not told
	same(specTN, NoticeUrgent)                               // specialists hear of assignments instead
	same(specTN, NoticeAssigned, urgent.DocID, plain.DocID)
	same(specNV, NoticeAssigned, urgent.DocID) // phối hợp through the unit
	same(headNV, NoticeAssigned, urgent.DocID)
	same(chairman, NoticeDraft, draft)
	same(specTN, NoticeDraft)
	same(specTN, NoticeDeadline, plain.DocID) // due 2026-03-11, tomorrow
	same(specNV, NoticeDeadline)

	if _, _, err := f.s.Notices(f.ctx, "nobody", NoticeCursor{}, today); err == nil {
		t.Error("an unknown person got notices")
	}
	if _, _, err := f.s.Notices(f.ctx, specTN, NoticeCursor{}, "10/03/2026"); err == nil {
		t.Error("a malformed today was accepted")
	}
}
