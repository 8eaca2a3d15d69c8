package docstore

import (
	"errors"
	"testing"
)

// signedDraft walks a new draft by author to "da_ky" (approved by the
// chairman, via the unit head's ký nháy).
func (f *fixture) signedDraft(typ, author string) string {
	f.t.Helper()
	id, err := f.s.CreateDraft(f.ctx, author, NewDraft{Type: typ, Subject: "Về việc phê duyệt kế hoạch sử dụng đất năm 2026", File: f.file("v1 " + typ)})
	f.must(err)
	f.must(f.s.SubmitDraft(f.ctx, author, id, chairman, headTN))
	f.must(f.s.InitialDraft(f.ctx, headTN, id, ""))
	f.must(f.s.ApproveDraft(f.ctx, chairman, id, "Đồng ý"))
	f.must(f.s.SignDraft(f.ctx, chairman, id, "TM.", "CHỦ TỊCH"))
	return id
}

func (f *fixture) draftState(id string) string {
	f.t.Helper()
	d, err := f.s.Draft(f.ctx, admin, id)
	f.must(err)
	return d.State
}

func wantErr(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got %v, want %v", what, err, target)
	}
}

// Every transition of the draft state machine: the allowed ones move the
// state, every other action in every state is refused with ErrTransition.
func TestDraftStateMachineEveryTransition(t *testing.T) {
	f := newFixture(t)
	id, err := f.s.CreateDraft(f.ctx, specTN, NewDraft{Type: "QD", Subject: "Về việc thành lập Tổ công tác", File: f.file("v1")})
	f.must(err)
	if f.draftState(id) != DraftEditing {
		t.Fatal("new draft not du_thao")
	}
	// Not yet submitted: approve/initial/sign/issue are not transitions of du_thao.
	wantErr(t, f.s.ApproveDraft(f.ctx, chairman, id, ""), ErrTransition, "approve a draft being edited")
	wantErr(t, f.s.InitialDraft(f.ctx, headTN, id, ""), ErrTransition, "initial a draft being edited")
	wantErr(t, f.s.SignDraft(f.ctx, chairman, id, "TM.", "CHỦ TỊCH"), ErrTransition, "sign a draft being edited")
	_, err = f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: regOut, Recipients: "x", Copies: 1})
	wantErr(t, err, ErrTransition, "issue an unsigned draft")
	// A new version while editing.
	v, err := f.s.AddDraftVersion(f.ctx, specTN, id, f.file("v2"), "sửa lỗi chính tả", "")
	if err != nil || v != 2 {
		t.Fatalf("version %d %v", v, err)
	}
	// Submit with ký nháy.
	f.must(f.s.SubmitDraft(f.ctx, specTN, id, chairman, headTN))
	if f.draftState(id) != DraftInitial {
		t.Fatal("not cho_ky_nhay")
	}
	wantErr(t, f.s.ApproveDraft(f.ctx, chairman, id, ""), ErrTransition, "approve before ký nháy")
	_, err = f.s.AddDraftVersion(f.ctx, specTN, id, f.file("v3"), "", "")
	wantErr(t, err, ErrTransition, "edit while submitted")
	wantErr(t, f.s.CancelDraft(f.ctx, specTN, id), ErrTransition, "cancel while submitted")
	// The unit head returns it: comment required.
	wantErr(t, f.s.ReturnDraft(f.ctx, headTN, id, "  "), ErrInvalid, "return without comment")
	f.must(f.s.ReturnDraft(f.ctx, headTN, id, "Bổ sung căn cứ"))
	if f.draftState(id) != DraftReturned {
		t.Fatal("not tra_lai")
	}
	_, err = f.s.AddDraftVersion(f.ctx, specTN, id, f.file("v3"), "đã bổ sung", "")
	f.must(err)
	// Resubmit straight to the approver (no ký nháy this time).
	f.must(f.s.SubmitDraft(f.ctx, specTN, id, chairman, ""))
	if f.draftState(id) != DraftPending {
		t.Fatal("not cho_duyet")
	}
	f.must(f.s.ReturnDraft(f.ctx, chairman, id, "Chưa đạt"))
	f.must(f.s.SubmitDraft(f.ctx, specTN, id, chairman, ""))
	f.must(f.s.ApproveDraft(f.ctx, chairman, id, ""))
	if f.draftState(id) != DraftApproved {
		t.Fatal("not da_duyet")
	}
	wantErr(t, f.s.ApproveDraft(f.ctx, chairman, id, ""), ErrTransition, "approve twice")
	wantErr(t, f.s.SignDraft(f.ctx, chairman, id, "XX.", "CHỦ TỊCH"), ErrInvalid, "unknown signing authority")
	f.must(f.s.SignDraft(f.ctx, chairman, id, "TM.", "CHỦ TỊCH"))
	if f.draftState(id) != DraftSigned {
		t.Fatal("not da_ky")
	}
	wantErr(t, f.s.ReturnDraft(f.ctx, chairman, id, "muộn"), ErrTransition, "return after signing")
	is, err := f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: regOut, Recipients: "Như trên;\nLưu: VT, TNMT.", CopyHolder: "Phòng TNMT", Copies: 4})
	f.must(err)
	if is.Notation != "01/QĐ-UBND" || f.draftState(id) != DraftIssued {
		t.Fatalf("issued %+v state %s", is, f.draftState(id))
	}
	_, err = f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: regOut, Recipients: "x", Copies: 1})
	wantErr(t, err, ErrTransition, "issue twice")
	steps, err := f.s.Timeline(f.ctx, specTN, "draft", id)
	f.must(err)
	if len(steps) != 11 {
		t.Fatalf("timeline has %d steps: %+v", len(steps), steps)
	}
	// Cancel: allowed while editing, final afterwards.
	id2, err := f.s.CreateDraft(f.ctx, specTN, NewDraft{Type: "CV", Subject: "V/v mời họp", File: f.file("x")})
	f.must(err)
	f.must(f.s.CancelDraft(f.ctx, specTN, id2))
	wantErr(t, f.s.SubmitDraft(f.ctx, specTN, id2, chairman, ""), ErrTransition, "submit a cancelled draft")
}

func TestDraftPermissions(t *testing.T) {
	f := newFixture(t)
	id, err := f.s.CreateDraft(f.ctx, specTN, NewDraft{Type: "CV", Subject: "V/v báo cáo", File: f.file("a")})
	f.must(err)
	wantErr(t, f.s.SubmitDraft(f.ctx, specNV, id, chairman, ""), ErrForbidden, "someone else submits my draft")
	wantErr(t, f.s.SubmitDraft(f.ctx, specTN, id, specTN2, ""), ErrInvalid, "approver who is no leader")
	wantErr(t, f.s.SubmitDraft(f.ctx, specTN, id, chairman, specNV), ErrInvalid, "initialer who is no unit head")
	f.must(f.s.SubmitDraft(f.ctx, specTN, id, chairman, ""))
	wantErr(t, f.s.ApproveDraft(f.ctx, vice, id, ""), ErrForbidden, "a leader who is not the named approver")
	wantErr(t, f.s.ApproveDraft(f.ctx, clerk, id, ""), ErrForbidden, "a clerk approves")
	wantErr(t, f.s.ReturnDraft(f.ctx, vice, id, "không"), ErrForbidden, "a leader not named returns")
	f.must(f.s.ApproveDraft(f.ctx, chairman, id, ""))
	wantErr(t, f.s.SignDraft(f.ctx, vice, id, "KT.", "PHÓ CHỦ TỊCH"), ErrForbidden, "someone else signs")
	f.must(f.s.SignDraft(f.ctx, chairman, id, "TM.", "CHỦ TỊCH"))
	_, err = f.s.IssueDraft(f.ctx, specTN, Issue{DraftID: id, RegisterID: regOut, Recipients: "x", Copies: 1})
	wantErr(t, err, ErrForbidden, "a specialist numbers")
	_, err = f.s.IssueDraft(f.ctx, chairman, Issue{DraftID: id, RegisterID: regOut, Recipients: "x", Copies: 1})
	wantErr(t, err, ErrForbidden, "a leader numbers")
	_, err = f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: regIn, Recipients: "x", Copies: 1})
	wantErr(t, err, ErrInvalid, "issue into an incoming register")
	_, err = f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: regOut, Recipients: "", Copies: 1})
	wantErr(t, err, ErrInvalid, "no nơi nhận")
	// Self-approval is refused.
	id2, err := f.s.CreateDraft(f.ctx, headTN, NewDraft{Type: "CV", Subject: "V/v tự duyệt", File: f.file("b")})
	f.must(err)
	f.s.UpdatePerson(f.ctx, admin, PersonInput{ID: headTN, Email: "head-tn@lamson.gov.vn", FullName: "Phạm Văn Anh", UnitID: "tnmt", Roles: []Role{RoleUnitHead, RoleAgencyLeader}, Clearance: SecrecyMat})
	wantErr(t, f.s.SubmitDraft(f.ctx, headTN, id2, headTN, ""), ErrInvalid, "submit to oneself")
}

func TestIncomingDirectionAndHandling(t *testing.T) {
	f := newFixture(t)
	r := f.register()
	dir := Direction{DocID: r.DocID, Comment: "Giao Phòng TNMT chủ trì", Assignments: []AssignmentInput{
		{Kind: "person", Assignee: specTN, Role: "chu_tri", Deadline: "2026-03-20"},
		{Kind: "unit", Assignee: "nv", Role: "phoi_hop", Deadline: "2026-03-18"},
		{Kind: "person", Assignee: headTN, Role: "de_biet"},
	}}
	_, err := f.s.Direct(f.ctx, clerk, dir)
	wantErr(t, err, ErrForbidden, "a clerk directs")
	_, err = f.s.Direct(f.ctx, specTN, dir)
	wantErr(t, err, ErrForbidden, "a specialist directs")
	bad := dir
	bad.Assignments = []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "phoi_hop"}}
	_, err = f.s.Direct(f.ctx, chairman, bad)
	wantErr(t, err, ErrInvalid, "no chủ trì")
	bad.Assignments = []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "chu_tri", Deadline: "2026-03-01"}}
	_, err = f.s.Direct(f.ctx, chairman, bad)
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Reason != "before_arrival" {
		t.Fatalf("deadline before arrival: %v", err)
	}
	// A unit head directs only inside the unit.
	_, err = f.s.Direct(f.ctx, headTN, Direction{DocID: r.DocID, Assignments: []AssignmentInput{{Kind: "person", Assignee: specNV, Role: "chu_tri"}}})
	wantErr(t, err, ErrForbidden, "unit head directs outside the unit")
	_, err = f.s.Direct(f.ctx, chairman, dir)
	f.must(err)
	work, err := f.s.Assignments(f.ctx, chairman, r.DocID)
	f.must(err)
	if len(work) != 3 || work[0].State != AsPending || work[2].State != AsForInfo {
		t.Fatalf("assignments %+v", work)
	}
	main := work[0].ID
	wantErr(t, f.s.AcceptAssignment(f.ctx, specTN2, main), ErrForbidden, "someone else takes my work")
	wantErr(t, f.s.CompleteAssignment(f.ctx, specTN, main), ErrTransition, "complete before nhận xử lý")
	f.must(f.s.AcceptAssignment(f.ctx, specTN, main))
	wantErr(t, f.s.AcceptAssignment(f.ctx, specTN, main), ErrTransition, "accept twice")
	// A unit assignment is taken by a member of the unit.
	f.must(f.s.AcceptAssignment(f.ctx, specNV, work[1].ID))
	wantErr(t, f.s.AcceptAssignment(f.ctx, headTN, work[2].ID), ErrTransition, "để biết has no handling")
	// My work shows the deadline colour.
	f.clock.set(f.clock.now().AddDate(0, 0, 9)) // 2026-03-19: due tomorrow
	mine, err := f.s.MyWork(f.ctx, specTN, f.s.Today())
	f.must(err)
	if len(mine) != 1 || mine[0].DeadlineState != DueSoon {
		t.Fatalf("my work %+v", mine)
	}
	if DeadlineOn("2026-03-20", "2026-03-21") != Overdue || DeadlineOn("2026-04-20", "2026-03-21") != OnTime || DeadlineOn("", "x") != NoDeadline {
		t.Fatal("deadline classes")
	}
	f.must(f.s.CompleteAssignment(f.ctx, specTN, main))
	d, err := f.s.Document(f.ctx, clerk, r.DocID)
	f.must(err)
	if d.Status != DocDone || d.ForwardedDate != "2026-03-10" || d.Recipients == "" {
		t.Fatalf("document after handling %+v", d)
	}
	_, err = f.s.Direct(f.ctx, chairman, dir)
	wantErr(t, err, ErrTransition, "direct a finished document")
	// Trả lại needs a reason and reopens the document for a new direction.
	r2 := f.register()
	_, err = f.s.Direct(f.ctx, chairman, Direction{DocID: r2.DocID, Assignments: []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "chu_tri"}}})
	f.must(err)
	w2, _ := f.s.Assignments(f.ctx, chairman, r2.DocID)
	wantErr(t, f.s.ReturnAssignment(f.ctx, specTN, w2[0].ID, ""), ErrInvalid, "return without reason")
	f.must(f.s.ReturnAssignment(f.ctx, specTN, w2[0].ID, "Không thuộc thẩm quyền"))
	d2, _ := f.s.Document(f.ctx, clerk, r2.DocID)
	if d2.Status != DocReturned {
		t.Fatalf("status %s", d2.Status)
	}
	steps, err := f.s.Timeline(f.ctx, clerk, "document", r.DocID)
	f.must(err)
	if len(steps) != 5 || steps[0].Action != "register" || steps[0].ActorName != "Đỗ Thị Hạnh" {
		t.Fatalf("timeline %+v", steps)
	}
}

func TestCountsForBadges(t *testing.T) {
	f := newFixture(t)
	r := f.register()
	f.register()
	c, err := f.s.Counts(f.ctx, chairman, f.s.Today())
	f.must(err)
	if c.AwaitingDirection != 2 {
		t.Fatalf("leader badges %+v", c)
	}
	_, err = f.s.Direct(f.ctx, chairman, Direction{DocID: r.DocID, Assignments: []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "chu_tri", Deadline: "2026-03-11"}}})
	f.must(err)
	f.signedDraft("CV", specTN)
	c, _ = f.s.Counts(f.ctx, specTN, f.s.Today())
	if c.MyPending != 1 || c.DueSoon != 1 || c.Overdue != 0 {
		t.Fatalf("specialist badges %+v", c)
	}
	c, _ = f.s.Counts(f.ctx, clerk, f.s.Today())
	if c.ToIssue != 1 || c.AwaitingDirection != 1 {
		t.Fatalf("clerk badges %+v", c)
	}
	f.clock.set(f.clock.now().AddDate(0, 0, 3))
	c, _ = f.s.Counts(f.ctx, specTN, f.s.Today())
	if c.Overdue != 1 {
		t.Fatalf("overdue not counted %+v", c)
	}
}
