package docstore

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fixture is a small agency: an admin, two clerks (one cleared for mật),
// two leaders, a unit head and two specialists in two units.
type fixture struct {
	t     testing.TB
	s     *Store
	ctx   context.Context
	clock *testClock
	year  int
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

const (
	admin      = "admin"
	clerk      = "clerk"
	clerkMat   = "clerk-mat"
	chairman   = "chairman"
	vice       = "vice"
	headTN     = "head-tn"
	specTN     = "spec-tn"
	specTN2    = "spec-tn2"
	specNV     = "spec-nv"
	headNV     = "head-nv"
	regIn      = "den-2026"
	regInMat   = "den-mat-2026"
	regOut     = "di-2026"
	regOutType = "di-loai-2026"
	regIn2025  = "den-2025"
	regIn2027  = "den-2027"
)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return openFixture(t, t.TempDir())
}

func openFixture(t testing.TB, dir string) *fixture {
	t.Helper()
	c := &testClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, VietnamTime)}
	s, err := Open(dir, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &fixture{t: t, s: s, ctx: context.Background(), clock: c, year: 2026}
	f.must(s.FoundAgency(f.ctx, AgencyFounded{Code: "000.00.12.H31", Name: "Ủy ban nhân dân thành phố Lâm Sơn", Abbr: "UBND", Place: "Lâm Sơn",
		Admin: PersonInput{ID: admin, Email: "admin@x.vn", FullName: "Quản Trị Viên", Clearance: SecrecyMat}}))
	f.must(s.AddUnit(f.ctx, admin, UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}))
	f.must(s.AddUnit(f.ctx, admin, UnitAdded{ID: "tnmt", Name: "Phòng Tài nguyên và Môi trường", Abbr: "TNMT"}))
	f.must(s.AddUnit(f.ctx, admin, UnitAdded{ID: "nv", Name: "Phòng Nội vụ", Abbr: "NV"}))
	people := []PersonInput{
		{ID: clerk, FullName: "Đỗ Thị Hạnh", UnitID: "vp", Roles: []Role{RoleClerk}},
		{ID: clerkMat, FullName: "Bùi Thanh Thủy", UnitID: "vp", Roles: []Role{RoleClerk}, Clearance: SecrecyMat},
		{ID: chairman, FullName: "Nguyễn Văn Ánh", UnitID: "vp", Roles: []Role{RoleAgencyLeader}, Clearance: SecrecyToiMat},
		{ID: vice, FullName: "Trần Thị Hòa", UnitID: "vp", Roles: []Role{RoleAgencyLeader}},
		{ID: headTN, FullName: "Phạm Văn Anh", UnitID: "tnmt", Roles: []Role{RoleUnitHead}, Clearance: SecrecyMat},
		{ID: specTN, FullName: "Lê Thu Trang", UnitID: "tnmt", Roles: []Role{RoleSpecialist}},
		{ID: specTN2, FullName: "Võ Minh Khoa", UnitID: "tnmt", Roles: []Role{RoleSpecialist}},
		{ID: specNV, FullName: "Hồ Ngọc Lan", UnitID: "nv", Roles: []Role{RoleSpecialist}},
		{ID: headNV, FullName: "Ngô Đức Long", UnitID: "nv", Roles: []Role{RoleUnitHead}},
	}
	for _, p := range people {
		p.Email = p.ID + "@lamson.gov.vn"
		f.must(s.AddPerson(f.ctx, admin, p))
	}
	for _, r := range []RegisterOpened{
		{ID: regIn, Kind: KindIncoming, Year: 2026, Name: "Sổ văn bản đến năm 2026"},
		{ID: regInMat, Kind: KindIncoming, Year: 2026, Secret: true, Name: "Sổ văn bản đến mật năm 2026"},
		{ID: regOut, Kind: KindOutgoing, Year: 2026, Name: "Sổ văn bản đi năm 2026"},
		{ID: regOutType, Kind: KindOutgoing, Year: 2026, PerType: true, Name: "Sổ văn bản đi theo loại 2026"},
		{ID: regIn2025, Kind: KindIncoming, Year: 2025, Name: "Sổ văn bản đến năm 2025"},
		{ID: regIn2027, Kind: KindIncoming, Year: 2027, Name: "Sổ văn bản đến năm 2027"},
	} {
		f.must(s.OpenRegister(f.ctx, clerkMat, r))
	}
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

var seqNotation atomic.Int64

func (f *fixture) incoming(mod ...func(*IncomingInput)) IncomingInput {
	n := seqNotation.Add(1)
	in := IncomingInput{
		RegisterID: regIn, ArrivalDate: LocalDate(f.clock.now()), Issuer: "Sở Tài nguyên và Môi trường",
		IssuerCode: "000.00.04.H31", Notation: fmt.Sprintf("%d/STNMT-QLĐĐ", n), DocDate: "2026-03-05", Type: "CV",
		Subject: "V/v rà soát hồ sơ cấp giấy chứng nhận quyền sử dụng đất", Source: SourcePaper,
	}
	for _, m := range mod {
		m(&in)
	}
	return in
}

func (f *fixture) register(mod ...func(*IncomingInput)) Registered {
	f.t.Helper()
	r, err := f.s.RegisterIncoming(f.ctx, clerk, f.incoming(mod...))
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *fixture) file(content string) Attachment {
	f.t.Helper()
	ref, err := f.s.Blobs().Put(bytes.NewReader([]byte(content)))
	if err != nil {
		f.t.Fatal(err)
	}
	return Attachment{SHA256: ref.SHA256, Name: "dự thảo.docx", Size: ref.Size}
}

// numbers lists a register's numbers in order, via the public API.
func (f *fixture) numbers(viewer, reg string) []int {
	f.t.Helper()
	n, err := f.s.RegisterCount(f.ctx, viewer, reg)
	if err != nil {
		f.t.Fatal(err)
	}
	rows, err := f.s.ListRegister(f.ctx, viewer, reg, 0, n+10)
	if err != nil {
		f.t.Fatal(err)
	}
	out := make([]int, len(rows))
	for i, r := range rows {
		out[len(rows)-1-i] = r.Number
	}
	return out
}

// explain is SQLite's query plan for q, one step a line.
func explain(t testing.TB, f *fixture, q string, args ...any) string {
	t.Helper()
	rows, err := f.s.r.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	out := ""
	for rows.Next() {
		var id, parent, notused int
		var detail string
		rows.Scan(&id, &parent, &notused, &detail)
		out += detail + "\n"
	}
	return out
}
