package docstore

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestNumberingPerRegisterYearAndSecretApart(t *testing.T) {
	f := newFixture(t)
	for i := 0; i < 3; i++ {
		if r := f.register(); r.Number != i+1 {
			t.Fatalf("số đến %d, want %d", r.Number, i+1)
		}
	}
	// The secret register keeps its own sequence from 1.
	r, err := f.s.RegisterIncoming(f.ctx, clerkMat, f.incoming(func(in *IncomingInput) { in.RegisterID, in.Secrecy = regInMat, SecrecyMat }))
	if err != nil || r.Number != 1 {
		t.Fatalf("secret register: number %d, err %v", r.Number, err)
	}
	// Paper and electronic share one sequence.
	r = f.register(func(in *IncomingInput) { in.Source = SourceEdXML })
	if r.Number != 4 {
		t.Fatalf("electronic document got %d, want 4 (one sequence with paper)", r.Number)
	}
	// Yearly reset: the new year's register starts again at 1; the old
	// year's register refuses this year's dates.
	f.clock.set(time.Date(2027, 1, 2, 8, 0, 0, 0, VietnamTime))
	r = f.register(func(in *IncomingInput) { in.RegisterID, in.DocDate = regIn2027, "2026-12-30" })
	if r.Number != 1 {
		t.Fatalf("2027 register starts at %d", r.Number)
	}
	_, err = f.s.RegisterIncoming(f.ctx, clerk, f.incoming(func(in *IncomingInput) { in.RegisterID = regIn }))
	if !errors.Is(err, ErrWrongYear) {
		t.Fatalf("2027 date in the 2026 register: %v", err)
	}
	if got := f.numbers(clerk, regIn); fmt.Sprint(got) != "[1 2 3 4]" {
		t.Fatalf("2026 register numbers %v", got)
	}
}

func TestNumberingConcurrentNoDuplicateNoGap(t *testing.T) {
	f := newFixture(t)
	workers, each := 8, 5000
	if testing.Short() {
		each = 500
	} else if raceDetector {
		each = 600 // full size runs without -race in scripts/test.sh
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				in := f.incoming(func(in *IncomingInput) { in.Notation = fmt.Sprintf("%d/UBND-VP", w*each+i+1) })
				if _, err := f.s.RegisterIncoming(f.ctx, clerk, in); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	nums := f.numbers(clerk, regIn)
	if len(nums) != workers*each {
		t.Fatalf("%d documents, want %d", len(nums), workers*each)
	}
	for i, n := range nums {
		if n != i+1 {
			t.Fatalf("position %d has number %d: duplicate or gap", i, n)
		}
	}
	if err := f.s.VerifyAudit(f.ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOutgoingPerTypeCountersAndNotation(t *testing.T) {
	f := newFixture(t)
	issue := func(typ, reg string) Issued {
		t.Helper()
		id := f.signedDraft(typ, specTN)
		is, err := f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: reg, Recipients: "Như trên", Copies: 3})
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	if got := issue("QD", regOut).Notation; got != "01/QĐ-UBND" {
		t.Fatalf("first decision: %s", got)
	}
	if got := issue("CV", regOut).Notation; got != "02/UBND-TNMT" {
		t.Fatalf("công văn: %s", got)
	}
	if got := issue("TTR", regOut).Notation; got != "03/TTr-UBND" {
		t.Fatalf("tờ trình keeps TTr: %s", got)
	}
	// Per-type counters: each type counts from 1.
	if got := issue("QYD", regOutType).Notation; got != "01/QyĐ-UBND" {
		t.Fatalf("per-type quy định: %s", got)
	}
	if got := issue("QD", regOutType).Notation; got != "01/QĐ-UBND" {
		t.Fatalf("per-type quyết định: %s", got)
	}
	if got := issue("QD", regOutType).Notation; got != "02/QĐ-UBND" {
		t.Fatalf("per-type second quyết định: %s", got)
	}
	rows, err := f.s.ListRegister(f.ctx, clerk, regOut, 0, 10)
	if err != nil || len(rows) != 3 {
		t.Fatal(rows, err)
	}
	d := rows[2]
	if d.Signer != "Nguyễn Văn Ánh" || d.SignerAuthority != "TM." || d.Recipients != "Như trên" || d.Copies != 3 || d.DocDate == "" || d.ForwardedDate == "" {
		t.Fatalf("outgoing register columns incomplete: %+v", d)
	}
}

func TestComposeNotation(t *testing.T) {
	qd, _ := LookupDocType("QD")
	cv, _ := LookupDocType("CV")
	trs, _ := LookupDocType("TRS")
	for _, c := range []struct{ got, want string }{
		{ComposeNotation(15, qd, "UBND", "VP"), "15/QĐ-UBND"},
		{ComposeNotation(5, cv, "UBND", "VP"), "05/UBND-VP"},
		{ComposeNotation(123, trs, "UBND", ""), "123/TrS-UBND"},
	} {
		if c.got != c.want {
			t.Errorf("got %s want %s", c.got, c.want)
		}
	}
	for _, ok := range []string{"15/QĐ-UBND", "627/TTr-STTTT", "30/2020/NĐ-CP", "05/UBND-VP", "12/KH-UBND.VX"} {
		if !ValidNotation(ok) {
			t.Errorf("%s refused", ok)
		}
	}
	for _, bad := range []string{"", "QĐ-UBND", "15 / QĐ-UBND", "15/", "abc/QĐ", "15/QĐ--UBND", "15/QĐ-UBND\u202e"} {
		if ValidNotation(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if len(DocTypes) < 29+3 {
		t.Fatal("the 29 types of Điều 7 (plus công văn, thư công and copies) are not all there")
	}
}
