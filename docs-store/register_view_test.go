package docstore

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// viewFixture registers 12 incoming documents with known columns in the
// ordinary register (numbers 1–12) and three in the secret one (mật,
// tối mật, mật), and directs some of them.
type viewDoc struct {
	num                         int
	typ, issuer, notation, date string // date: ngày văn bản; arrival is date + 1 day
	urgency                     Urgency
	secrecy                     Secrecy
	id                          string
	rowid                       int64
}

func viewFixture(t *testing.T) (*fixture, []viewDoc, []viewDoc) {
	t.Helper()
	f := newFixture(t)
	docs := []viewDoc{
		{typ: "CV", issuer: "Sở Tài chính", notation: "15/STC-NS", date: "2026-02-03", urgency: UrgencyNormal},
		{typ: "QD", issuer: "Ủy ban nhân dân tỉnh Lâm Hà", notation: "120/QĐ-UBND", date: "2026-02-01", urgency: UrgencyUrgent},
		{typ: "CV", issuer: "Đài Phát thanh tỉnh", notation: "7/ĐPT-VP", date: "2026-02-05", urgency: UrgencyFlash},
		{typ: "KH", issuer: "Sở Nội vụ", notation: "33/KH-SNV", date: "2026-02-05", urgency: UrgencyNormal},
		{typ: "CV", issuer: "Bộ Tài chính", notation: "9/BTC-NSNN", date: "2026-02-10", urgency: UrgencyHigh},
		{typ: "QD", issuer: "Sở Tài chính", notation: "16/QĐ-STC", date: "2026-02-11", urgency: UrgencyUrgent},
		{typ: "TB", issuer: "Công an tỉnh", notation: "2/TB-CAT", date: "2026-02-12", urgency: UrgencyNormal},
		{typ: "CV", issuer: "Sở Y tế", notation: "88/SYT-NVY", date: "2026-02-13", urgency: UrgencyUrgent},
		{typ: "GM", issuer: "Ban Dân tộc", notation: "4/GM-BDT", date: "2026-02-14", urgency: UrgencyNormal},
		{typ: "CV", issuer: "Ánh Dương JSC", notation: "1/CV-AD", date: "2026-02-20", urgency: UrgencyFlash},
		{typ: "QD", issuer: "Ủy ban nhân dân tỉnh Lâm Hà", notation: "130/QĐ-UBND", date: "2026-02-25", urgency: UrgencyNormal},
		{typ: "CV", issuer: "Sở Tài chính", notation: "17/STC-NS", date: "2026-02-27", urgency: UrgencyHigh},
	}
	register := func(reg string, clerkID string, d *viewDoc) {
		arr, _ := time.Parse("2006-01-02", d.date)
		in := f.incoming(func(in *IncomingInput) {
			in.RegisterID, in.Type, in.Issuer, in.Notation, in.DocDate = reg, d.typ, d.issuer, d.notation, d.date
			in.ArrivalDate = arr.AddDate(0, 0, 1).Format("2006-01-02")
			in.Urgency, in.Secrecy = d.urgency, d.secrecy
		})
		r, err := f.s.RegisterIncoming(f.ctx, clerkID, in)
		f.must(err)
		d.id, d.num = r.DocID, r.Number
		f.must(f.s.r.QueryRow(`SELECT rowid FROM documents WHERE id = ?`, r.DocID).Scan(&d.rowid))
	}
	for i := range docs {
		register(regIn, clerk, &docs[i])
	}
	// Directions: spec-tn chủ trì on 2 and 5; spec-nv để biết on 5 and 8.
	for _, i := range []int{1, 4} {
		as := []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "chu_tri", Deadline: "2026-03-30"}}
		if i == 4 {
			as = append(as, AssignmentInput{Kind: "person", Assignee: specNV, Role: "de_biet"})
		}
		_, err := f.s.Direct(f.ctx, chairman, Direction{DocID: docs[i].id, Comment: "Giao xử lý", Assignments: as})
		f.must(err)
	}
	_, err := f.s.Direct(f.ctx, chairman, Direction{DocID: docs[7].id, Comment: "Giao xử lý", Assignments: []AssignmentInput{
		{Kind: "person", Assignee: specTN2, Role: "chu_tri"}, {Kind: "person", Assignee: specNV, Role: "de_biet"}}})
	f.must(err)

	secret := []viewDoc{
		{typ: "CV", issuer: "Công an tỉnh", notation: "5/CAT-PA", date: "2026-02-02", secrecy: SecrecyMat},
		{typ: "QD", issuer: "Bộ Quốc phòng", notation: "6/QĐ-BQP", date: "2026-02-03", secrecy: SecrecyToiMat},
		{typ: "CV", issuer: "Công an tỉnh", notation: "8/CAT-PA", date: "2026-02-04", secrecy: SecrecyMat},
	}
	// Only the chairman (tối mật) may register a tối mật document: make
	// clerk-mat's clearance enough for the fixture, then restore it.
	f.must(f.s.UpdatePerson(f.ctx, admin, PersonInput{ID: clerkMat, Email: clerkMat + "@lamson.gov.vn", FullName: "Bùi Thanh Thủy", UnitID: "vp",
		Roles: []Role{RoleClerk}, Clearance: SecrecyToiMat}))
	for i := range secret {
		register(regInMat, clerkMat, &secret[i])
	}
	f.must(f.s.UpdatePerson(f.ctx, admin, PersonInput{ID: clerkMat, Email: clerkMat + "@lamson.gov.vn", FullName: "Bùi Thanh Thủy", UnitID: "vp",
		Roles: []Role{RoleClerk}, Clearance: SecrecyMat}))
	return f, docs, secret
}

// numbersOf maps rowids back to số đến, for readable failures.
func numbersOf(t *testing.T, docs []viewDoc, ids []int64) []int {
	t.Helper()
	out := []int{}
	for _, id := range ids {
		found := false
		for _, d := range docs {
			if d.rowid == id {
				out = append(out, d.num)
				found = true
			}
		}
		if !found {
			t.Fatalf("rowid %d is not a fixture document", id)
		}
	}
	return out
}

func TestRegisterViewFiltersAndSorts(t *testing.T) {
	f, docs, _ := viewFixture(t)
	urg := func(u Urgency) *Urgency { return &u }
	cases := []struct {
		name string
		f    RegisterFilter
		o    RegisterSort
		want []int
	}{
		{"all, number", RegisterFilter{}, DefaultSort, []int{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"all, number asc", RegisterFilter{}, RegisterSort{SortNumber, true}, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"type CV", RegisterFilter{Type: "CV"}, DefaultSort, []int{12, 10, 8, 5, 3, 1}},
		{"urgency khẩn", RegisterFilter{Urgency: urg(UrgencyUrgent)}, DefaultSort, []int{8, 6, 2}},
		{"type + urgency", RegisterFilter{Type: "CV", Urgency: urg(UrgencyFlash)}, DefaultSort, []int{10, 3}},
		{"status chờ phân phối", RegisterFilter{Status: DocAwaiting}, DefaultSort, []int{12, 11, 10, 9, 7, 6, 4, 3, 1}},
		{"status đang xử lý", RegisterFilter{Status: DocInProgress}, DefaultSort, []int{8, 5, 2}},
		// Arrival = ngày văn bản + 1 day.
		{"arrival range", RegisterFilter{DateFrom: "2026-02-06", DateTo: "2026-02-13"}, DefaultSort, []int{7, 6, 5, 4, 3}},
		{"arrival from", RegisterFilter{DateFrom: "2026-02-26"}, DefaultSort, []int{12, 11}},
		{"handler spec-tn", RegisterFilter{Handler: specTN}, DefaultSort, []int{5, 2}},
		{"handler spec-nv (để biết)", RegisterFilter{Handler: specNV}, DefaultSort, []int{8, 5}},
		{"handler + type", RegisterFilter{Handler: specNV, Type: "CV"}, RegisterSort{SortNumber, true}, []int{5, 8}},
		{"handler, doc date asc", RegisterFilter{Handler: specNV}, RegisterSort{SortDocDate, true}, []int{5, 8}},
		{"handler, urgency", RegisterFilter{Handler: specTN}, RegisterSort{SortUrgency, false}, []int{5, 2}},
		{"handler nobody", RegisterFilter{Handler: headNV}, DefaultSort, []int{}},
		// Ties (4 and 3 share 05/02) follow the direction by registration order.
		{"doc date desc", RegisterFilter{}, RegisterSort{SortDocDate, false}, []int{12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 1, 2}},
		{"doc date asc", RegisterFilter{}, RegisterSort{SortDocDate, true}, []int{2, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"doc date, type QD", RegisterFilter{Type: "QD"}, RegisterSort{SortDocDate, true}, []int{2, 6, 11}},
		{"arrival asc in range", RegisterFilter{DateTo: "2026-02-06"}, RegisterSort{SortArrival, true}, []int{2, 1, 3, 4}},
		{"urgency desc", RegisterFilter{}, RegisterSort{SortUrgency, false}, []int{10, 3, 12, 5, 8, 6, 2, 11, 9, 7, 4, 1}},
		{"urgency asc", RegisterFilter{}, RegisterSort{SortUrgency, true}, []int{1, 4, 7, 9, 11, 2, 6, 8, 5, 12, 3, 10}},
		// Folded issuer order: Ánh ~ anh, Ban, Bộ, Công, Đài ~ dai, Sở …, Ủy ~ uy.
		{"issuer asc", RegisterFilter{}, RegisterSort{SortIssuer, true}, []int{10, 9, 5, 7, 3, 4, 1, 6, 12, 8, 2, 11}},
		{"issuer desc, type CV", RegisterFilter{Type: "CV"}, RegisterSort{SortIssuer, false}, []int{8, 12, 1, 3, 5, 10}},
		{"notation asc", RegisterFilter{}, RegisterSort{SortNotation, true}, []int{10, 2, 11, 1, 6, 12, 7, 4, 9, 3, 8, 5}},
	}
	for _, c := range cases {
		ids, err := f.s.RegisterView(f.ctx, clerk, regIn, c.f, c.o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := numbersOf(t, docs, ids); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// The big-view paths (index scan + bitmap, Go sorts) give the same
	// orders as the small-view SQL sorts.
	for _, o := range []RegisterSort{{SortDocDate, true}, {SortArrival, false}, {SortIssuer, true}, {SortIssuer, false}, {SortNotation, true}, {SortNotation, false}} {
		for _, flt := range []RegisterFilter{{}, {Type: "CV"}, {DateFrom: "2026-02-06", DateTo: "2026-02-20"}, {Handler: specNV}} {
			small, err := f.s.RegisterView(f.ctx, clerk, regIn, flt, o)
			f.must(err)
			saved := smallViewLimit
			smallViewLimit = 0
			big, err := f.s.RegisterView(f.ctx, clerk, regIn, flt, o)
			smallViewLimit = saved
			f.must(err)
			if !slices.Equal(small, big) {
				t.Errorf("%+v %+v: small-view order %v, big-view order %v", o, flt, numbersOf(t, docs, small), numbersOf(t, docs, big))
			}
		}
	}
	// Pages read by rowid come back in the order asked.
	ids, err := f.s.RegisterView(f.ctx, clerk, regIn, RegisterFilter{}, RegisterSort{SortIssuer, true})
	f.must(err)
	rows, err := f.s.DocumentsByRowid(f.ctx, clerk, ids[:5])
	f.must(err)
	var got []string
	for _, r := range rows {
		got = append(got, r.Issuer)
	}
	if want := []string{"Ánh Dương JSC", "Ban Dân tộc", "Bộ Tài chính", "Công an tỉnh", "Đài Phát thanh tỉnh"}; !slices.Equal(got, want) {
		t.Fatalf("page by rowid: %q", got)
	}
	if rows[0].RowID() != ids[0] {
		t.Fatal("RowID does not round-trip")
	}
}

func TestRegisterViewEnforcesClearance(t *testing.T) {
	f, docs, secret := viewFixture(t)
	ctx := f.ctx
	// The uncleared clerk cannot view the secret register at all …
	if _, err := f.s.RegisterView(ctx, clerk, regInMat, RegisterFilter{}, RegisterSort{SortDocDate, false}); err == nil {
		t.Fatal("an uncleared clerk got a view of the secret register")
	}
	// … nor read its documents by rowid, even knowing their rowids.
	var all []int64
	for _, d := range append(slices.Clone(docs), secret...) {
		all = append(all, d.rowid)
	}
	rows, err := f.s.DocumentsByRowid(ctx, clerk, all)
	f.must(err)
	if len(rows) != len(docs) {
		t.Fatalf("uncleared clerk read %d documents by rowid, want the %d ordinary ones", len(rows), len(docs))
	}
	for _, r := range rows {
		if r.Secrecy != SecrecyNone || r.RegisterID != regIn {
			t.Fatalf("uncleared clerk read %s (secrecy %d)", r.ID, r.Secrecy)
		}
	}
	// The mật clerk sees the two mật documents, not the tối mật one, in
	// every view and by rowid.
	for _, o := range []RegisterSort{DefaultSort, {SortDocDate, true}, {SortIssuer, true}, {SortUrgency, false}, {SortNotation, false}} {
		ids, err := f.s.RegisterView(ctx, clerkMat, regInMat, RegisterFilter{}, o)
		f.must(err)
		if got := numbersOf(t, secret, ids); len(got) != 2 || slices.Contains(got, secret[1].num) {
			t.Fatalf("mật clerk, sort %+v: %v", o, got)
		}
	}
	toiMat := SecrecyToiMat
	if ids, err := f.s.RegisterView(ctx, clerkMat, regInMat, RegisterFilter{Secrecy: &toiMat}, DefaultSort); err != nil || len(ids) != 0 {
		t.Fatalf("mật clerk filtering tối mật: %v %v", ids, err)
	}
	rows, err = f.s.DocumentsByRowid(ctx, clerkMat, []int64{secret[0].rowid, secret[1].rowid, secret[2].rowid})
	f.must(err)
	if len(rows) != 2 || rows[0].ID != secret[0].id || rows[1].ID != secret[2].id {
		t.Fatalf("mật clerk by rowid: %+v", rows)
	}
	// The chairman (tối mật) sees all three; filtering by level works.
	ids, err := f.s.RegisterView(ctx, chairman, regInMat, RegisterFilter{Secrecy: &toiMat}, DefaultSort)
	f.must(err)
	if got := numbersOf(t, secret, ids); !slices.Equal(got, []int{secret[1].num}) {
		t.Fatalf("chairman filtering tối mật: %v", got)
	}
	// Someone not in the directory sees nothing.
	if _, err := f.s.DocumentsByRowid(ctx, "nobody", all); err == nil {
		t.Fatal("an unknown viewer read documents")
	}
}

func TestRegisterViewCancelled(t *testing.T) {
	f, _, _ := viewFixture(t)
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if _, err := f.s.RegisterView(ctx, clerk, regIn, RegisterFilter{Type: "CV"}, RegisterSort{SortDocDate, true}); err == nil {
		t.Fatal("a cancelled view returned rows")
	}
}

// Every statement of a view reads an index, never the table row by row,
// and the newest-first page keeps its keyset plan.
func TestRegisterViewPlans(t *testing.T) {
	f, _, _ := viewFixture(t)
	var plans []string
	for _, st := range viewStatements(f, clerkMat) {
		p := explain(t, f, st.q, st.args...)
		plans = append(plans, st.name+":\n"+p)
		if strings.Contains(p, "SCAN d\n") || strings.Contains(p, "SCAN documents\n") {
			t.Errorf("%s reads the whole table:\n%s", st.name, p)
		}
		if st.covering && !strings.Contains(p, "COVERING INDEX") {
			t.Errorf("%s is not index-only:\n%s", st.name, p)
		}
		if st.noSort && strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s sorts:\n%s", st.name, p)
		}
	}
	if testing.Verbose() {
		t.Log("\n" + strings.Join(plans, "\n"))
	}
	p := explain(t, f, `SELECT `+docColumns+` FROM documents d WHERE d.register_id = ? AND d.counter_key = '' AND d.number <= ? ORDER BY d.number DESC LIMIT ?`, regIn, 10, 100)
	t.Log("keyset page:\n" + p)
	if strings.Contains(p, "SCAN") || strings.Contains(p, "TEMP B-TREE") {
		t.Fatalf("keyset page plan:\n%s", p)
	}
}

type viewStatement struct {
	name             string
	q                string
	args             []any
	covering, noSort bool
}

// viewStatements are the statements RegisterView and DocumentsByRowid run,
// as built for a few filters (with viewer's clearance where it applies).
func viewStatements(f *fixture, viewer string) []viewStatement {
	v, err := f.s.viewer(f.ctx, viewer)
	f.must(err)
	ord := &Register{ID: regIn, Kind: KindIncoming}
	sec := &Register{ID: regInMat, Kind: KindIncoming, Secret: true}
	urg := UrgencyUrgent
	flt := RegisterFilter{Type: "CV", Urgency: &urg, Status: DocAwaiting, DateFrom: "2026-01-01", DateTo: "2026-02-01"}
	w, a := viewWhere(ord, v, flt, false, "d.")
	wh, ah := viewWhere(ord, v, flt, false, "+d.")
	ws, as := viewWhere(sec, v, RegisterFilter{}, true, "d.")
	return []viewStatement{
		{"filters, number order", `SELECT rowid FROM documents d INDEXED BY documents_view WHERE d.register_id = ? AND d.counter_key = ''` + w + ` ORDER BY d.number DESC`,
			append([]any{regIn}, a...), true, true},
		{"secret register, clearance", `SELECT d.rowid * 4 + d.urgency FROM documents d INDEXED BY documents_view WHERE d.register_id = ? AND d.counter_key = ''` + ws + ` ORDER BY d.number ASC`,
			append([]any{regInMat}, as...), true, true},
		{"handler", `SELECT d.rowid FROM documents d WHERE d.id IN (SELECT document_id FROM assignments WHERE assignee_id = ? AND assignee_kind = 'person') AND +d.register_id = ?` + wh + ` ORDER BY d.number DESC`,
			append([]any{specTN, regIn}, ah...), false, false},
		{"doc date order", `SELECT rowid FROM documents INDEXED BY documents_by_doc_date WHERE register_id = ? ORDER BY doc_date DESC, rowid DESC`, []any{regIn}, true, true},
		{"arrival order in a range", `SELECT rowid FROM documents INDEXED BY documents_by_arrival WHERE register_id = ? AND arrival_date >= ? AND arrival_date <= ? ORDER BY arrival_date ASC, rowid ASC`,
			[]any{regIn, "2026-01-01", "2026-02-01"}, true, true},
		{"issuer order", `SELECT rowid FROM documents INDEXED BY documents_dup ORDER BY issuer_fold ASC, notation_fold ASC, doc_date ASC, rowid ASC`, nil, true, true},
		{"notation keys", `SELECT rowid, notation_fold FROM documents INDEXED BY documents_dup`, nil, true, true},
		{"few, sorted", `SELECT rowid FROM documents WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY notation_fold ASC, rowid ASC`, []any{"[1,2,3]"}, false, false},
		{"page by rowid", `SELECT ` + docColumns + ` FROM documents d JOIN registers r ON r.id = d.register_id
			WHERE d.rowid IN (SELECT value FROM json_each(?)) AND d.secrecy <= ? AND (r.secret = 0 OR ? >= 1)`, []any{"[1,2,3]", 1, 1}, false, true},
	}
}

// BenchmarkRegisterView: the full ordered rowid list of a big register.
// CONGVU_VIEW_DOCS sets its size (default 200,000; the store is built once
// per run, which takes a while: about 15 s per 100,000 documents).
func BenchmarkRegisterView(b *testing.B) {
	n := 200000
	if s := os.Getenv("CONGVU_VIEW_DOCS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	f := viewCorpus(b, n)
	urg := UrgencyUrgent
	for _, c := range []struct {
		name string
		f    RegisterFilter
		o    RegisterSort
	}{
		{"sort-doc-date", RegisterFilter{}, RegisterSort{SortDocDate, false}},
		{"sort-arrival-asc", RegisterFilter{}, RegisterSort{SortArrival, true}},
		{"sort-urgency", RegisterFilter{}, RegisterSort{SortUrgency, false}},
		{"sort-issuer", RegisterFilter{}, RegisterSort{SortIssuer, true}},
		{"sort-notation", RegisterFilter{}, RegisterSort{SortNotation, true}},
		{"filter-type", RegisterFilter{Type: "QD"}, DefaultSort},
		{"filter-urgency", RegisterFilter{Urgency: &urg}, DefaultSort},
		{"filter-handler", RegisterFilter{Handler: specTN}, DefaultSort},
		{"filter-date-range", RegisterFilter{DateFrom: "2026-03-01", DateTo: "2026-05-31"}, DefaultSort},
		{"filter-type-sort-doc-date", RegisterFilter{Type: "QD"}, RegisterSort{SortDocDate, false}},
		{"filter-status", RegisterFilter{Status: DocInProgress}, DefaultSort},
	} {
		b.Run(c.name, func(b *testing.B) {
			var rows int
			for i := 0; i < b.N; i++ {
				ids, err := f.s.RegisterView(f.ctx, clerk, regIn, c.f, c.o)
				if err != nil {
					b.Fatal(err)
				}
				rows = len(ids)
			}
			b.ReportMetric(float64(rows), "rows")
		})
	}
	b.Run("page-by-rowid", func(b *testing.B) {
		ids, err := f.s.RegisterView(f.ctx, clerk, regIn, RegisterFilter{}, RegisterSort{SortIssuer, true})
		f.must(err)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			off := (i * 7919 * 100) % (len(ids) - 100)
			if _, err := f.s.DocumentsByRowid(f.ctx, clerk, ids[off:off+100]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// viewCorpus is a register of n incoming documents spread over 2025–2026
// (the clock is moved to the end of 2026), varied in type, urgency, issuer
// and số ký hiệu; one document in 25 is directed to one of four
// specialists (spec-tn gets a quarter of them).
func viewCorpus(b *testing.B, n int) *fixture {
	b.Helper()
	f := newFixture(b)
	f.clock.set(time.Date(2026, 12, 30, 9, 0, 0, 0, VietnamTime))
	types := []string{"CV", "CV", "CV", "CV", "QD", "QD", "KH", "TB", "BC", "GM"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ins := make([]IncomingInput, 0, 5000)
	var direct []string
	t0 := time.Now()
	for done := 0; done < n; {
		ins = ins[:0]
		for j := 0; j < 5000 && done+j < n; j++ {
			k := done + j
			day := start.AddDate(0, 0, k*360/n)
			ins = append(ins, f.incoming(func(in *IncomingInput) {
				in.ArrivalDate = day.Format("2006-01-02")
				in.DocDate = day.AddDate(0, 0, -(k*7)%4).Format("2006-01-02")
				in.Type = types[(k*7)%len(types)]
				in.Urgency = Urgency(0)
				switch (k * 13) % 20 {
				case 0:
					in.Urgency = UrgencyFlash
				case 1, 2:
					in.Urgency = UrgencyHigh
				case 3, 4, 5:
					in.Urgency = UrgencyUrgent
				}
				in.Issuer = fmt.Sprintf("Sở ngành số %d tỉnh Lâm Hà", (k*31)%97)
				in.Notation = fmt.Sprintf("%d/S%d-VP", k/97+1, (k*31)%97)
			}))
		}
		res, err := f.s.ImportIncoming(f.ctx, clerk, ins)
		f.must(err)
		for j, r := range res {
			if (done+j)%25 == 0 {
				direct = append(direct, r.DocID)
			}
		}
		done += len(ins)
	}
	specs := []string{specTN, specTN2, specNV, headNV}
	for i, id := range direct {
		_, err := f.s.Direct(f.ctx, chairman, Direction{DocID: id, Comment: "Giao xử lý", Assignments: []AssignmentInput{
			{Kind: "person", Assignee: specs[i%len(specs)], Role: "chu_tri", Deadline: "2027-01-30"}}})
		f.must(err)
	}
	b.Logf("corpus: %d documents, %d directed, built in %v", n, len(direct), time.Since(t0).Round(time.Second))
	b.ResetTimer()
	return f
}

// The default register listing (keyset paging) honours clearance too: in
// the secret register the mật clerk is shown the two mật documents, not
// the tối mật one between them, and the count agrees; the chairman sees
// all three.
func TestListRegisterHidesDocumentsAboveClearance(t *testing.T) {
	f, _, secret := viewFixture(t)
	for _, c := range []struct {
		viewer string
		want   int
	}{{clerkMat, 2}, {chairman, 3}} {
		n, err := f.s.RegisterCount(f.ctx, c.viewer, regInMat)
		f.must(err)
		rows, err := f.s.ListRegister(f.ctx, c.viewer, regInMat, 0, 10)
		f.must(err)
		if n != c.want || len(rows) != c.want {
			t.Fatalf("%s: count %d, %d rows, want %d", c.viewer, n, len(rows), c.want)
		}
		for _, r := range rows {
			if c.viewer == clerkMat && r.ID == secret[1].id {
				t.Fatal("the mật clerk was listed the tối mật document")
			}
		}
		if rows[0].Number < rows[len(rows)-1].Number {
			t.Fatalf("%s: not newest first", c.viewer)
		}
	}
	// Paging over the visible ones: the second page of one row is the older mật document.
	rows, err := f.s.ListRegister(f.ctx, clerkMat, regInMat, 1, 1)
	f.must(err)
	if len(rows) != 1 || rows[0].ID != secret[0].id {
		t.Fatalf("second page %+v", rows)
	}
}
