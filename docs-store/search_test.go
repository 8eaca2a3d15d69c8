package docstore

import (
	"strings"
	"testing"
)

func TestSearchVietnameseFolding(t *testing.T) {
	f := newFixture(t)
	qd := f.register(func(in *IncomingInput) {
		in.Type, in.Notation, in.Subject = "QD", "125/QĐ-UBND", "Về việc thu hồi đất đai để xây dựng trường học"
	})
	hoa1 := f.register(func(in *IncomingInput) { in.Subject = "Kế hoạch tổ chức Ngày hội văn hóa" })
	// Typed with the old tone placement; stored with one placement, both fold to hoa.
	hoa2 := f.register(func(in *IncomingInput) { in.Subject = "Báo cáo công tác hoà giải ở cơ sở" })
	f.register(func(in *IncomingInput) {
		in.Subject = "V/v thủy lợi nội đồng"
		in.Note = "Chuyển ông Nguyễn Văn Anh"
	})
	anh := f.register(func(in *IncomingInput) {
		in.Subject = "V/v khen thưởng"
		in.Note = "Theo đề nghị của ông Nguyễn Văn Ánh"
	})

	ids := func(q Query) []string {
		t.Helper()
		hits, err := f.s.Search(f.ctx, clerk, q)
		f.must(err)
		var out []string
		for _, h := range hits {
			out = append(out, h.ID)
		}
		return out
	}
	has := func(got []string, want ...string) bool {
		for _, w := range want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				return false
			}
		}
		return true
	}
	if got := ids(Query{Text: "quyet dinh dat dai"}); len(got) != 1 || got[0] != qd.DocID {
		t.Fatalf("quyet dinh dat dai → %v", got)
	}
	if got := ids(Query{Text: "qd-ubnd"}); len(got) != 1 || got[0] != qd.DocID {
		t.Fatalf("qd-ubnd → %v", got)
	}
	if got := ids(Query{Text: "125/QĐ-UBND"}); len(got) != 1 {
		t.Fatalf("full số ký hiệu → %v", got)
	}
	if got := ids(Query{Text: "hoa"}); len(got) != 2 || !has(got, hoa1.DocID, hoa2.DocID) {
		t.Fatalf("hoa → %v", got)
	}
	if got := ids(Query{Text: "hòa giải"}); len(got) != 1 || got[0] != hoa2.DocID {
		t.Fatalf("hòa giải (old placement) → %v", got)
	}
	if got := ids(Query{Text: "thuỷ lợi"}); len(got) != 1 {
		t.Fatalf("thuỷ lợi (new placement) → %v", got)
	}
	// Exact marks first: Ánh before Anh, although Anh is newer... and vice versa.
	hits, err := f.s.Search(f.ctx, clerk, Query{Text: "Nguyễn Văn Ánh"})
	f.must(err)
	if len(hits) != 2 || hits[0].ID != anh.DocID || !hits[0].ExactMarks || hits[1].ExactMarks {
		t.Fatalf("Nguyễn Văn Ánh → %+v", hits)
	}
	hits, _ = f.s.Search(f.ctx, clerk, Query{Text: "Nguyễn Văn Anh"})
	if len(hits) != 2 || hits[0].ID == anh.DocID {
		t.Fatalf("Nguyễn Văn Anh should rank Anh first → %+v", hits)
	}
	// Filters: type, urgency, status, date range, register.
	if got := ids(Query{Text: "dat", Type: "QD"}); len(got) != 1 {
		t.Fatalf("type filter → %v", got)
	}
	if got := ids(Query{Text: "hoa", Type: "CV"}); len(got) != 2 {
		t.Fatalf("type filter CV → %v", got)
	}
	u := UrgencyFlash
	if got := ids(Query{Text: "hoa", Urgency: &u}); len(got) != 0 {
		t.Fatalf("urgency filter → %v", got)
	}
	if got := ids(Query{Text: "hoa", RegisterID: regIn, Status: DocAwaiting, DateFrom: "2026-03-10", DateTo: "2026-03-10"}); len(got) != 2 {
		t.Fatalf("register+status+date → %v", got)
	}
	if got := ids(Query{Text: "hoa", DateFrom: "2026-03-11"}); len(got) != 0 {
		t.Fatalf("date from → %v", got)
	}
	// Assignee filter, and people found by name after a direction.
	_, err = f.s.Direct(f.ctx, chairman, Direction{DocID: hoa1.DocID, Assignments: []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "chu_tri"}}})
	f.must(err)
	if got := ids(Query{Text: "le thu trang"}); len(got) != 1 || got[0] != hoa1.DocID {
		t.Fatalf("assignee name → %v", got)
	}
	if got := ids(Query{Text: "hoa", Assignee: specTN}); len(got) != 1 {
		t.Fatalf("assignee filter → %v", got)
	}
	// A filter without text lists everything matching it.
	if got := ids(Query{Type: "QD"}); len(got) != 1 {
		t.Fatalf("filter only → %v", got)
	}
	// FTS syntax typed by a user is only separators and words: never an
	// error, never an injection into the MATCH expression.
	if _, err := f.s.Search(f.ctx, clerk, Query{Text: `" OR ( NEAR* ^col:`}); err != nil {
		t.Fatalf("FTS syntax in the query: %v", err)
	}
}

func TestSearchUsesIndexes(t *testing.T) {
	f := newFixture(t)
	f.register()
	plan := func(q string, args ...any) string { return explain(t, f, q, args...) }
	p := plan(`SELECT `+docColumns+` FROM doc_fts f JOIN documents d ON d.rowid = f.rowid WHERE doc_fts MATCH ? ORDER BY f.rowid DESC LIMIT 50`, "folded : (hoa)")
	if !strings.Contains(p, "VIRTUAL TABLE INDEX") || strings.Contains(p, "TEMP B-TREE") {
		t.Fatalf("search plan:\n%s", p)
	}
	p = plan(`SELECT `+docColumns+` FROM documents d WHERE d.register_id = ? AND d.counter_key = '' AND d.number <= ? ORDER BY d.number DESC LIMIT 50`, regIn, 10)
	if strings.Contains(p, "SCAN") || strings.Contains(p, "TEMP B-TREE") {
		t.Fatalf("register page plan:\n%s", p)
	}
	args := make([]any, 3*dupChunk)
	for i := range args {
		args[i] = "x"
	}
	p = plan(dupQueries[dupChunk], args...)
	if !strings.Contains(p, "USING INDEX documents_dup") || strings.Contains(p, "SCAN documents") {
		t.Fatalf("duplicate check plan:\n%s", p)
	}
}
