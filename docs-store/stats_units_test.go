package docstore

import (
	"testing"
	"time"
)

// Per unit: an assignment done on time, one done late, one open and
// overdue, one not yet due; each counted once, for its handler's unit; the
// overdue list holds the overdue one.
func TestUnitsWorkAndOverdue(t *testing.T) {
	f := newFixture(t)
	day := func(d string) {
		tm, err := time.ParseInLocation("2006-01-02 15:04", d+" 09:00", VietnamTime)
		f.must(err)
		f.clock.set(tm)
	}
	direct := func(deadline string) (string, string) {
		r, err := f.s.RegisterIncoming(f.ctx, clerk, f.incoming())
		f.must(err)
		_, err = f.s.Direct(f.ctx, chairman, Direction{DocID: r.DocID,
			Assignments: []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "chu_tri", Deadline: deadline}}})
		f.must(err)
		as, err := f.s.Assignments(f.ctx, chairman, r.DocID)
		f.must(err)
		return r.DocID, as[0].ID
	}
	day("2026-03-10")
	_, onTime := direct("2026-03-20")
	_, late := direct("2026-03-12")
	_, overdue := direct("2026-03-15")
	_, notDue := direct("2026-12-20")
	_ = notDue
	for _, id := range []string{onTime, late} {
		f.must(f.s.AcceptAssignment(f.ctx, specTN, id))
	}
	day("2026-03-14")
	f.must(f.s.CompleteAssignment(f.ctx, specTN, onTime))
	f.must(f.s.CompleteAssignment(f.ctx, specTN, late))
	_ = overdue
	us, err := f.s.UnitsWork(f.ctx, chairman, 2026, "2026-03-16")
	f.must(err)
	if len(us) != 1 || us[0].UnitID != "tnmt" || us[0].Name != "Phòng Tài nguyên và Môi trường" ||
		us[0].OnTime != 1 || us[0].Late != 1 || us[0].Overdue != 1 || us[0].NotDue != 1 || us[0].Rate() != 0.5 {
		t.Fatalf("units %+v", us)
	}
	od, err := f.s.OverdueWork(f.ctx, chairman, "2026-03-16", 10)
	f.must(err)
	if len(od) != 1 || od[0].ID != overdue || od[0].AssigneeName != "Lê Thu Trang" {
		t.Fatalf("overdue %+v", od)
	}
}
