package docstore

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// statsFixture is a small year with known answers (today 30/06/2026):
//
//	incoming 2026: 15/01 CV paper, 20/01 QĐ edXML, 03/02 CV e-mail,
//	               01/06 TB electronic, 02/06 HD paper; 01/03 CV paper in
//	               the secret register; 2025: 30/12 CV paper
//	outgoing 2026: 15/04 QĐ, 30/06 CV (issued here: electronic)
//	chủ trì work:  in1 due 10/02, done 10/02 23:30 (on time);
//	               in2 due 10/02, done 11/02 00:30 — still 10/02 in UTC (late);
//	               in3 due 20/02, not started (overdue); in4 due 15/07,
//	               started (not yet due); in5 no deadline, done (not counted);
//	               the secret document due 05/03, done 04/03 (on time)
func statsFixture(t testing.TB) *fixture {
	f := newFixture(t)
	at := func(month time.Month, day, hour, min int) {
		f.clock.set(time.Date(2026, month, day, hour, min, 0, 0, VietnamTime))
	}
	reg := func(mod func(*IncomingInput)) string {
		t.Helper()
		return f.register(func(in *IncomingInput) { in.ArrivalDate = f.s.Today(); mod(in); in.DocDate = in.ArrivalDate }).DocID
	}
	direct := func(doc, who, deadline string, accept bool, others ...AssignmentInput) string {
		t.Helper()
		_, err := f.s.Direct(f.ctx, chairman, Direction{DocID: doc,
			Assignments: append([]AssignmentInput{{Kind: "person", Assignee: who, Role: "chu_tri", Deadline: deadline}}, others...)})
		f.must(err)
		work, err := f.s.Assignments(f.ctx, chairman, doc)
		f.must(err)
		if accept {
			f.must(f.s.AcceptAssignment(f.ctx, who, work[0].ID))
		}
		return work[0].ID
	}
	at(1, 15, 9, 0)
	in1 := reg(func(in *IncomingInput) { in.Type, in.Source = "CV", SourcePaper })
	// Phối hợp and để biết are not counted, only chủ trì.
	a1 := direct(in1, specTN, "2026-02-10", true, AssignmentInput{Kind: "unit", Assignee: "nv", Role: "phoi_hop", Deadline: "2026-02-05"},
		AssignmentInput{Kind: "person", Assignee: headTN, Role: "de_biet"})
	at(1, 20, 9, 0)
	in2 := reg(func(in *IncomingInput) { in.Type, in.Source = "QD", SourceEdXML })
	a2 := direct(in2, specTN, "2026-02-10", true)
	at(2, 3, 9, 0)
	in3 := reg(func(in *IncomingInput) { in.Type, in.Source = "CV", SourceEmail })
	direct(in3, specTN, "2026-02-20", false)
	at(2, 10, 23, 30)
	f.must(f.s.CompleteAssignment(f.ctx, specTN, a1))
	at(2, 11, 0, 30)
	f.must(f.s.CompleteAssignment(f.ctx, specTN, a2))
	at(3, 1, 9, 0)
	sec, err := f.s.RegisterIncoming(f.ctx, clerkMat, f.incoming(func(in *IncomingInput) {
		in.RegisterID, in.Secrecy, in.ArrivalDate, in.DocDate, in.Type, in.Source = regInMat, SecrecyMat, "2026-03-01", "2026-02-27", "CV", SourcePaper
	}))
	f.must(err)
	aSec := direct(sec.DocID, headTN, "2026-03-05", true)
	at(3, 4, 9, 0)
	f.must(f.s.CompleteAssignment(f.ctx, headTN, aSec))
	at(4, 15, 9, 0)
	_, err = f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: f.signedDraft("QD", specTN), RegisterID: regOut, Recipients: "Như trên", Copies: 2})
	f.must(err)
	at(6, 1, 9, 0)
	in4 := reg(func(in *IncomingInput) { in.Type, in.Source = "TB", SourceElectronic })
	direct(in4, specTN, "2026-07-15", true)
	at(6, 2, 9, 0)
	in5 := reg(func(in *IncomingInput) { in.Type, in.Source = "HD", SourcePaper })
	a5 := direct(in5, specTN, "", true)
	f.must(f.s.CompleteAssignment(f.ctx, specTN, a5))
	at(6, 30, 9, 0)
	_, err = f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: f.signedDraft("CV", specTN), RegisterID: regOut, Recipients: "Như trên", Copies: 2})
	f.must(err)
	reg(func(in *IncomingInput) {
		in.RegisterID, in.ArrivalDate, in.Type, in.Source = regIn2025, "2025-12-30", "CV", SourcePaper
	})
	return f
}

func (f *fixture) stats(viewer string, year int) Stats {
	f.t.Helper()
	st, err := f.s.Stats(f.ctx, viewer, year, "2026-06-30")
	f.must(err)
	return st
}

func TestStatsCountsMonthsTypesWorkAndSources(t *testing.T) {
	f := statsFixture(t)
	st := f.stats(clerk, 2026)
	if want := [12]int{2, 1, 0, 0, 0, 2}; st.Incoming != want {
		t.Errorf("incoming per month %v, want %v", st.Incoming, want)
	}
	if want := [12]int{0, 0, 0, 1, 0, 1}; st.Outgoing != want {
		t.Errorf("outgoing per month %v, want %v", st.Outgoing, want)
	}
	wantTypes := []TypeCount{{"CV", 2, 1}, {"QD", 1, 1}, {"HD", 1, 0}, {"TB", 1, 0}}
	if !reflect.DeepEqual(st.Types, wantTypes) {
		t.Errorf("types %+v, want %+v", st.Types, wantTypes)
	}
	if top := st.TopTypes(3); !reflect.DeepEqual(top, []TypeCount{{"CV", 2, 1}, {"QD", 1, 1}, {OtherTypes, 2, 0}}) {
		t.Errorf("top 3 types %+v", top)
	}
	if len(st.TopTypes(4)) != 4 || len(st.TopTypes(10)) != 4 {
		t.Error("TopTypes cuts a list that fits")
	}
	// 10/02 23:30 is on time, 11/02 00:30 is late although it is still
	// 10/02 in UTC; the work without a deadline and phối hợp do not count.
	if st.OnTime != 1 || st.Late != 1 || st.Overdue != 1 || st.NotDue != 1 || st.OnTimeRate() != 0.5 {
		t.Errorf("work: on time %d, late %d, overdue %d, not due %d, rate %v", st.OnTime, st.Late, st.Overdue, st.NotDue, st.OnTimeRate())
	}
	if st.IncomingShare != (SourceShare{Electronic: 3, Paper: 2}) || st.OutgoingShare != (SourceShare{Electronic: 2}) {
		t.Errorf("sources: incoming %+v, outgoing %+v", st.IncomingShare, st.OutgoingShare)
	}
	if st.IncomingShare.Rate() != 0.6 || st.TotalIncoming() != 5 || st.TotalOutgoing() != 2 {
		t.Errorf("rate %v, totals %d/%d", st.IncomingShare.Rate(), st.TotalIncoming(), st.TotalOutgoing())
	}
	// On 10/02 the two open assignments were still ahead of their deadline.
	early, err := f.s.Stats(f.ctx, clerk, 2026, "2026-02-10")
	f.must(err)
	if early.Overdue != 0 || early.NotDue != 2 {
		t.Errorf("on 10/02: overdue %d, not due %d", early.Overdue, early.NotDue)
	}
	// The year is the date's: the 2025 register's document counts in 2025 only.
	old := f.stats(clerk, 2025)
	if old.Incoming[11] != 1 || old.TotalIncoming() != 1 || old.Done() != 0 {
		t.Errorf("2025: %+v", old)
	}
	if empty := f.stats(clerk, 2030); !reflect.DeepEqual(empty, Stats{Year: 2030}) || empty.OnTimeRate() != 0 || empty.IncomingShare.Rate() != 0 {
		t.Errorf("a year without documents: %+v", empty)
	}
}

func TestStatsHideSecretRegistersFromTheUncleared(t *testing.T) {
	f := statsFixture(t)
	plain, cleared := f.stats(clerk, 2026), f.stats(clerkMat, 2026)
	if plain.Incoming[2] != 0 || cleared.Incoming[2] != 1 || cleared.TotalIncoming() != plain.TotalIncoming()+1 {
		t.Errorf("March: uncleared %d, cleared %d", plain.Incoming[2], cleared.Incoming[2])
	}
	if cleared.OnTime != plain.OnTime+1 || cleared.IncomingShare.Paper != plain.IncomingShare.Paper+1 || cleared.Types[0] != (TypeCount{"CV", 3, 1}) {
		t.Errorf("cleared %+v, uncleared %+v", cleared, plain)
	}
	if spec := f.stats(specTN, 2026); !reflect.DeepEqual(spec, plain) {
		t.Errorf("another uncleared person sees other figures: %+v", spec)
	}
	_, err := f.s.Stats(f.ctx, "nobody", 2026, "2026-06-30")
	wantErr(t, err, ErrForbidden, "stats for someone not in the directory")
}

// The counts are derived state: replaying the events rebuilds them, and
// migration 0002 counts a store made before it existed.
func TestStatsRebuiltByReplayAndMigration(t *testing.T) {
	f := statsFixture(t)
	want := f.stats(clerkMat, 2026)

	dst, err := Open(t.TempDir(), Options{})
	f.must(err)
	defer dst.Close()
	_, err = f.s.ReplayInto(f.ctx, dst)
	f.must(err)
	if got, err := dst.Stats(f.ctx, clerkMat, 2026, "2026-06-30"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after replay %+v, %v; want %+v", got, err, want)
	}

	// Take the store back to schema 1, then open it again.
	dir := f.s.dir
	for _, q := range []string{`DROP TRIGGER stat_work_insert`, `DROP TRIGGER stat_work_delete`, `DROP TRIGGER stat_work_update_old`,
		`DROP TRIGGER stat_work_update_new`, `DROP TABLE stat_docs`, `DROP TABLE stat_docs_mark`, `DROP TABLE stat_work`, `PRAGMA user_version = 1`} {
		if _, err := f.s.w.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	f.s.Close()
	s, err := Open(dir, Options{})
	f.must(err)
	defer s.Close()
	if got, err := s.Stats(f.ctx, clerkMat, 2026, "2026-06-30"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after migrating a schema 1 store %+v, %v; want %+v", got, err, want)
	}
}

// Documents registered since the last fold are counted on the fly, and a
// fold moves them into stat_docs without changing a figure.
func TestStatsFoldNewDocuments(t *testing.T) {
	f := statsFixture(t)
	want := f.stats(clerkMat, 2026)
	mark := func() (m int64) {
		f.must(f.s.r.QueryRow(`SELECT last_rowid FROM stat_docs_mark`).Scan(&m))
		return m
	}
	if mark() != 0 {
		t.Fatalf("a new store's mark is %d", mark())
	}
	f.must(f.s.foldStats(f.ctx))
	if got := f.stats(clerkMat, 2026); mark() == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("after a fold (mark %d): %+v, want %+v", mark(), got, want)
	}
	f.register(func(in *IncomingInput) { in.Type, in.ArrivalDate, in.DocDate = "TB", "2026-06-30", "2026-06-29" })
	want.Incoming[5]++
	want.Types[2], want.Types[3] = TypeCount{"TB", 2, 0}, TypeCount{"HD", 1, 0} // TB passes HD
	want.IncomingShare.Paper++
	if got := f.stats(clerkMat, 2026); !reflect.DeepEqual(got, want) {
		t.Errorf("a document after the fold: %+v, want %+v", got, want)
	}
	f.must(f.s.foldStats(f.ctx))
	if got := f.stats(clerkMat, 2026); !reflect.DeepEqual(got, want) {
		t.Errorf("after the second fold: %+v, want %+v", got, want)
	}
}

// The queries read the small tables by key and the documents table only
// after the mark: nothing scans the documents.
func TestStatsQueriesUseTheKeys(t *testing.T) {
	f := newFixture(t)
	for _, q := range []string{
		`SELECT month, kind, register_id, secrecy, type_code, source, n FROM stat_docs WHERE month BETWEEN ?1 AND ?2 AND n > 0
		UNION ALL SELECT ` + statDocsMonth + `, kind, register_id, secrecy, type_code, source, count(*) FROM documents
		WHERE rowid > ?3 AND ` + statDocsMonth + ` BETWEEN ?1 AND ?2 GROUP BY 1, 2, 3, 4, 5, 6`,
		`SELECT day, status, register_id, secrecy, n FROM stat_work WHERE day BETWEEN ?1 AND ?2 AND n > 0`,
	} {
		p := explain(t, f, q, "2026-01", "2026-12", 0)
		t.Log(p)
		if strings.Contains(p, "SCAN") || !strings.Contains(p, "SEARCH stat_") {
			t.Errorf("%s\nplan: %s", q, p)
		}
	}
}

// BenchmarkStats: the Thống kê page's query on 100,000 documents registered
// through the public API, then on 1,000,000 (the other 900,000 and their
// work written with SQL, which fires the same triggers; importing a million
// documents through the API takes a minute and a half), then with
// foldEvery-1 documents not yet folded — the most Stats counts on the fly.
// The first call after each bulk write, which folds it first, is logged
// apart.
func BenchmarkStats(b *testing.B) {
	f := newFixture(b)
	f.clock.set(time.Date(2026, 12, 31, 9, 0, 0, 0, VietnamTime))
	types := []string{"CV", "CV", "CV", "QD", "TB", "KH", "BC", "GM", "TTR", "HD", "ND", "TT"}
	sources := []Source{SourcePaper, SourceElectronic, SourceEdXML, SourceEdXML, SourceEmail}
	ins := make([]IncomingInput, 5000)
	for batch := 0; batch < 20; batch++ {
		for j := range ins {
			n := batch*len(ins) + j
			ins[j] = f.incoming(func(in *IncomingInput) {
				in.Notation = fmt.Sprintf("%d/UBND-VP", n+1)
				in.ArrivalDate = fmt.Sprintf("2026-%02d-%02d", 1+n%12, 1+n%28)
				in.DocDate = in.ArrivalDate
				in.Type = types[n%len(types)]
				in.Source = sources[n%len(sources)]
			})
		}
		if _, err := f.s.ImportIncoming(f.ctx, clerk, ins); err != nil {
			b.Fatal(err)
		}
	}
	stats := func() Stats {
		st, err := f.s.Stats(f.ctx, clerk, 2026, "2026-11-27")
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	run := func(name string, docs int) {
		b.Run(name, func(b *testing.B) {
			var st Stats
			for i := 0; i < b.N; i++ {
				st = stats()
			}
			if st.TotalIncoming() != docs {
				b.Fatalf("counted %d documents, want %d", st.TotalIncoming(), docs)
			}
		})
	}
	first := func(what string) {
		t0 := time.Now()
		stats()
		b.Logf("first Stats after %s (folds them first): %v", what, time.Since(t0))
	}
	first("importing 100,000")
	run("100k", 100_000)
	if testing.Short() {
		return
	}
	// 900,000 more documents; every third is directed to a chủ trì, whose
	// work is done on time, done late or still open.
	add := func(from, to int) {
		_, err := f.s.w.ExecContext(context.Background(), `WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i+1 FROM n WHERE i < ?)
		INSERT INTO documents(id, register_id, kind, number, type_code, doc_date, arrival_date, subject, source, status, registered_by, registered_at)
		SELECT 'bench-'||i, ?, 'den', i, CASE i%6 WHEN 0 THEN 'QD' WHEN 1 THEN 'TB' WHEN 2 THEN 'KH' ELSE 'CV' END,
			printf('2026-%02d-%02d', 1 + i%12, 1 + i%28), printf('2026-%02d-%02d', 1 + i%12, 1 + i%28), 'Về việc thử',
			CASE i%3 WHEN 0 THEN 'giay' WHEN 1 THEN 'edxml' ELSE 'dien_tu' END, 'dang_xu_ly', ?, '2026-12-31T02:00:00Z' FROM n`, from, to, regIn, clerk)
		if err != nil {
			b.Fatal(err)
		}
	}
	add(100_001, 1_000_000)
	_, err := f.s.w.ExecContext(context.Background(), `INSERT INTO directions(id, document_id, by_person, comment, at)
		SELECT 'dir-'||number, id, ?, '', registered_at FROM documents WHERE id LIKE 'bench-%' AND number % 3 = 0`, chairman)
	if err != nil {
		b.Fatal(err)
	}
	_, err = f.s.w.ExecContext(context.Background(), `INSERT INTO assignments(id, document_id, direction_id, assignee_kind, assignee_id, role, deadline, state, updated_at)
		SELECT 'as-'||d.number, d.id, 'dir-'||d.number, 'person', ?, 'chu_tri', d.arrival_date,
			CASE d.number % 4 WHEN 0 THEN 'cho_xu_ly' ELSE 'hoan_thanh' END,
			CASE d.number % 4 WHEN 1 THEN d.arrival_date||'T01:00:00Z' ELSE date(d.arrival_date, '+3 days')||'T01:00:00Z' END
		FROM documents d WHERE d.id LIKE 'bench-%' AND d.number % 3 = 0`, specTN)
	if err != nil {
		b.Fatal(err)
	}
	first("adding 900,000")
	run("1M", 1_000_000)
	add(1_000_001, 1_000_000+foldEvery-1)
	run("1M+unfolded", 1_000_000+foldEvery-1)
}
