// Command congvu-bench measures the document core and prints one table
// (docs/BENCHMARKS.md records its output): registration through the public
// API, one per transaction and batched, against raw SQLite inserts of the
// same rows; Vietnamese search over a 1,000,000-document register against a
// LIKE scan; the first page of that register; replay of the event log; and
// the peak RSS of each step. Its window part (window.go) times the first
// window of congvu on a 1,000,000-document register, of Thunderbird and of
// Evolution under a private Xvfb, with the peak memory of each process tree.
//
//	go run ./cmd/congvu-bench [-register 20000] [-import 100000] [-search 1000000]
//	go run ./cmd/congvu-bench -only window [-window-store DIR] [-window-runs 5]
//	go run ./cmd/congvu-bench -only mail [-mail-n 20000] [-mail-big 100000] [-mail-attach 200]
//	go run ./cmd/congvu-bench -only journal [-journal-n 100000] [-journal-latency 20] [-journal-appends 200] [-journal-burst 1000]
//	go run ./cmd/congvu-bench -only edxml [-edxml-n 1000] [-edxml-attach 200]
//	go run ./cmd/congvu-bench -only print [-print-rows 10000] [-print-out FILE.pdf]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	_ "modernc.org/sqlite"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
)

type row struct {
	step, figure, goal, note string
	rssMB                    float64
}

var rows []row

// journalOpts sizes the journal part (journal.go).
type journalOpts struct {
	n            int    // events of the large journal a new workstation joins (0: skip that half)
	latency      int    // registrations timed from one client's action to the other client's store
	appends      int    // sequential registrations through the replicator, for the append rate (new journal)
	appendsLarge int    // the same on the large journal (each takes longer there)
	burst        int    // events landing at once, for the receiving client's apply rate (0: skip)
	sdbox        bool   // the large journal again in an sdbox folder of the same server
	keep         bool   // leave the mail servers and the work folder
	profile      string // CPU profile of the joining workstation (the child process)
}

// The journal part needs the test mail servers (Linux); journal.go sets
// these there.
var (
	journalBench = func(ctx context.Context, work string, opt journalOpts) {
		fmt.Fprintln(os.Stderr, "journal part: Linux only (the test mail servers)")
	}
	// journalChild is the joining workstation, run in a child process of
	// the bench (so that its peak RSS is its own): congvu-bench
	// -journal-child CONFIG, a flag not listed in -help.
	journalChild = func(config string) {
		fmt.Fprintln(os.Stderr, "journal child: Linux only")
		os.Exit(2)
	}
)

const journalChildFlag = "-journal-child"

func main() {
	if len(os.Args) == 3 && os.Args[1] == journalChildFlag {
		journalChild(os.Args[2])
		return
	}
	nReg := flag.Int("register", 20000, "registrations one per transaction")
	nImp := flag.Int("import", 100000, "documents imported in batches")
	nSearch := flag.Int("search", 1000000, "documents in the search corpus")
	nNotmuch := flag.Int("notmuch", 200000, "documents indexed by notmuch for the peer comparison (0: skip)")
	keep := flag.String("dir", "", "work folder (default: a temporary folder, removed at the end)")
	only := flag.String("only", "", "run one part only: core (the document store), window (first window and memory, against Thunderbird and Evolution), mail (sync against mbsync) journal (the shared journal), edxml (packages from other agencies) or print (a register to PDF)")
	var wopt windowOpts
	flag.StringVar(&wopt.store, "window-store", "", "window part: demo folder with the large register, built there if it holds no database and kept (default: built in the work folder)")
	flag.IntVar(&wopt.docs, "window-docs", 1000000, "window part: documents in the incoming register of that demo folder")
	flag.IntVar(&wopt.runs, "window-runs", 5, "window part: warm starts per program (and runs of --first-frame and --type-search)")
	flag.DurationVar(&wopt.hold, "window-hold", 5*time.Second, "window part: how long each program runs after its first window, for the peak RSS")
	flag.StringVar(&wopt.congvu, "window-congvu", "", "window part: congvu binary to measure (default: go build it into the work folder)")
	flag.StringVar(&wopt.search, "window-search", "dat dai", "window part: text typed by congvu --type-search")
	flag.StringVar(&wopt.programs, "window-programs", "congvu,thunderbird,evolution", "window part: programs to start")
	var mopt mailOpts
	flag.IntVar(&mopt.n, "mail-n", 20000, "mail part: messages in the INBOX synced by congvu and by mbsync")
	flag.IntVar(&mopt.big, "mail-big", 100000, "mail part: messages of the large folder (peak RSS of congvu's sync; 0: skip)")
	flag.IntVar(&mopt.attachMB, "mail-attach", 200, "mail part: MB of the large attachment downloaded and opened (0: skip)")
	flag.IntVar(&mopt.runs, "mail-runs", 11, "mail part: no-change resyncs per tool (the median is reported)")
	flag.BoolVar(&mopt.keep, "mail-keep", false, "mail part: leave the mail servers running (in the work folder)")
	var jopt journalOpts
	flag.IntVar(&jopt.n, "journal-n", 100000, "journal part: events in the large journal a new workstation joins (0: skip)")
	flag.IntVar(&jopt.latency, "journal-latency", 20, "journal part: registrations timed from one client's action to its appearance on another")
	flag.IntVar(&jopt.appends, "journal-appends", 200, "journal part: sequential registrations through the replicator (append rate)")
	flag.IntVar(&jopt.appendsLarge, "journal-appends-large", 50, "journal part: the same on the large journal")
	flag.IntVar(&jopt.burst, "journal-burst", 1000, "journal part: events landing in the journal at once (apply rate of an idling client; 0: skip)")
	flag.BoolVar(&jopt.sdbox, "journal-sdbox", true, "journal part: measure the large journal again in an sdbox folder (a namespace added to the bench's own Dovecot)")
	flag.BoolVar(&jopt.keep, "journal-keep", false, "journal part: leave the mail servers running and keep the work folder")
	flag.StringVar(&jopt.profile, "journal-cpuprofile", "", "journal part: CPU profiles of the joining workstation (the child): F.prof gives F-maildir.prof and F-sdbox.prof")
	nEdxml := flag.Int("edxml-n", 1000, "edxml part: incoming packages parsed and registered")
	edxmlKB := flag.Int("edxml-attach", 200, "edxml part: KB of each package's attachment")
	nPrint := flag.Int("print-rows", 10000, "print part: documents of the register printed to PDF")
	printOut := flag.String("print-out", "", "print part: keep the PDF here")
	flag.Parse()
	if *only != "" && *only != "core" && *only != "window" && *only != "mail" && *only != "journal" && *only != "edxml" && *only != "print" {
		check(fmt.Errorf("-only %q: core, window, mail, journal, edxml or print", *only))
	}
	dir := *keep
	if dir == "" {
		d, err := os.MkdirTemp("", "congvu-bench-")
		check(err)
		rm := func() {
			if !jopt.keep {
				os.RemoveAll(d)
			}
		}
		defer rm()
		atExit = append(atExit, rm) // check leaves through os.Exit, past the defers
		dir = d
	}
	ctx := context.Background()
	fmt.Fprintf(os.Stderr, "congvu-bench: %s, %d CPU, %s/%s, work folder %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, dir)
	if *only == "" || *only == "core" {
		coreBench(ctx, dir, *nReg, *nImp, *nSearch, *nNotmuch)
	}
	if *only == "" || *only == "window" {
		windowBench(ctx, dir, wopt)
	}
	if *only == "" || *only == "mail" {
		mailBench(ctx, dir, mopt)
	}
	if *only == "" || *only == "journal" {
		journalBench(ctx, dir, jopt)
	}
	if *only == "" || *only == "edxml" {
		edxmlBench(ctx, dir, *nEdxml, *edxmlKB)
	}
	if *only == "" || *only == "print" {
		printBench(ctx, dir, *nPrint, *printOut)
	}

	fmt.Printf("Machine: %s, %d cores, %s; Go %s; %s\n\n", cpuModel(), runtime.NumCPU(), memTotal(), runtime.Version(), time.Now().Format("2006-01-02"))
	fmt.Println("| step | result | goal | peak RSS | note |")
	fmt.Println("|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %.0f MB | %s |\n", r.step, r.figure, r.goal, r.rssMB, r.note)
	}
}

// coreBench is the document-core part: registration, import, raw
// inserts, replay, search and paging, notmuch.
func coreBench(ctx context.Context, dir string, nReg, nImp, nSearch, nNotmuch int) {
	today := time.Now()
	year := today.Year()
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(year, today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)

	// 1. One registration per transaction, as a clerk works.
	resetPeak()
	st, cast := newStore(ctx, filepath.Join(dir, "register"), today)
	ins := demo.IncomingInputs(rand.New(rand.NewPCG(1, 1)), cast.IncomingRegister, nReg, from, to, docstore.SecrecyNone)
	t0 := time.Now()
	for _, in := range ins {
		_, err := st.RegisterIncoming(ctx, cast.Clerk, in)
		check(err)
	}
	regRate := float64(len(ins)) / time.Since(t0).Seconds()
	st.Close()
	add("register, 1 per transaction (public API)", fmt.Sprintf("%.0f docs/s", regRate), "≥ 2,000 docs/s", fmt.Sprintf("%d docs: event + reducer + FTS + audit per commit", len(ins)))

	// 2. Batched import.
	resetPeak()
	st, cast = newStore(ctx, filepath.Join(dir, "import"), today)
	ins = demo.IncomingInputs(rand.New(rand.NewPCG(2, 2)), cast.IncomingRegister, nImp, from, to, docstore.SecrecyNone)
	t0 = time.Now()
	for i := 0; i < len(ins); i += 1000 {
		_, err := st.ImportIncoming(ctx, cast.Clerk, ins[i:min(i+1000, len(ins))])
		check(err)
	}
	impRate := float64(len(ins)) / time.Since(t0).Seconds()
	add("import, batches of 1,000 (public API)", fmt.Sprintf("%.0f docs/s", impRate), "≥ 20,000 docs/s", fmt.Sprintf("%d docs", len(ins)))

	// 3. The ceiling: raw inserts of the same rows.
	resetPeak()
	plain, withFTS := rawInserts(filepath.Join(dir, "raw.db"), ins)
	add("raw SQLite insert, plain table", fmt.Sprintf("%.0f rows/s", plain), "ceiling", fmt.Sprintf("import = %.2f× of it; 1/tx = %.3f×", impRate/plain, regRate/plain))
	add("raw SQLite insert + FTS5 row", fmt.Sprintf("%.0f rows/s", withFTS), "ceiling", fmt.Sprintf("import = %.2f× of it", impRate/withFTS))

	// 4. Replay of the import store's log into an empty store.
	resetPeak()
	empty, err := docstore.Open(filepath.Join(dir, "replay"), docstore.Options{})
	check(err)
	t0 = time.Now()
	n, err := st.ReplayInto(ctx, empty)
	check(err)
	add("replay all events into an empty store", fmt.Sprintf("%.0f events/s", float64(n)/time.Since(t0).Seconds()), "—", fmt.Sprintf("%d events", n))
	empty.Close()
	st.Close()

	// 5. Search and paging in a large register.
	resetPeak()
	st, cast = newStore(ctx, filepath.Join(dir, "search"), today)
	t0 = time.Now()
	rng := rand.New(rand.NewPCG(3, 3))
	for done := 0; done < nSearch; done += 5000 {
		batch := demo.IncomingInputs(rng, cast.IncomingRegister, min(5000, nSearch-done), from.AddDate(0, 0, done*300/nSearch), to, docstore.SecrecyNone)
		_, err := st.ImportIncoming(ctx, cast.Clerk, batch)
		check(err)
		if done%100000 == 0 {
			fmt.Fprintf(os.Stderr, "  search corpus: %d/%d\n", done, nSearch)
		}
	}
	add(fmt.Sprintf("build the %s-document corpus (import)", thousands(nSearch)), fmt.Sprintf("%.0f docs/s", float64(nSearch)/time.Since(t0).Seconds()), "—", "batches of 5,000")

	queries := []string{"dat dai", "ngan sach", "thu hoi", "cai cach", "chuyen doi", "ve sinh", "tuyen sinh", "khen thuong",
		"giai quyet", "phong chay", "tai dinh", "moi truong", "hoa giai", "an toan", "nong thon", "ke hoach"}
	marked := []string{"đất đai", "ngân sách", "hoà giải", "thuỷ lợi", "an toàn", "nông thôn", "khen thưởng", "cải cách"}
	urg := docstore.UrgencyUrgent
	searchRow := func(name string, qs []string, mk func(string) docstore.Query) {
		resetPeak()
		var lat []time.Duration
		hits := 0
		for round := 0; round < 10; round++ {
			for _, q := range qs {
				t := time.Now()
				res, err := st.Search(ctx, cast.Clerk, mk(q))
				check(err)
				lat = append(lat, time.Since(t))
				hits += len(res)
			}
		}
		p50, p99 := pct(lat, 50), pct(lat, 99)
		add(name, fmt.Sprintf("p50 %s, p99 %s", ms(p50), ms(p99)), "p50 ≤ 20 ms, p99 ≤ 100 ms", fmt.Sprintf("%d queries, %.0f results each on average", len(lat), float64(hits)/float64(len(lat))))
	}
	searchRow("search, folded two words, 50 results", queries, func(q string) docstore.Query { return docstore.Query{Text: q, Limit: 50} })
	searchRow("search + filter (urgency khẩn)", queries, func(q string) docstore.Query { return docstore.Query{Text: q, Urgency: &urg, Limit: 50} })
	searchRow("search + filter (type Quyết định, date range)", queries, func(q string) docstore.Query {
		return docstore.Query{Text: q, Type: "QD", DateFrom: fmt.Sprintf("%d-03-01", year), DateTo: fmt.Sprintf("%d-09-30", year), Limit: 50}
	})
	searchRow("search with marks (exact-marks first)", marked, func(q string) docstore.Query { return docstore.Query{Text: q, Limit: 50} })

	// The naive alternative: LIKE over the subject (finds nothing for words
	// typed without marks, and must scan to prove it).
	resetPeak()
	var lat []time.Duration
	found := 0
	for _, q := range append(slices.Clone(queries[:4]), marked[:4]...) {
		t := time.Now()
		n, err := st.LikeScan(ctx, q, 50)
		check(err)
		lat = append(lat, time.Since(t))
		found += n
	}
	add("LIKE '%…%' scan of the subject, for comparison", fmt.Sprintf("p50 %s, max %s", ms(pct(lat, 50)), ms(pct(lat, 100))), "—",
		fmt.Sprintf("typed without marks: no result; %d hits in %d queries", found, len(lat)))

	// First page of the register, newest first, and a deep page.
	for _, off := range []int{0, nSearch / 2} {
		resetPeak()
		var lat []time.Duration
		for i := 0; i < 200; i++ {
			t := time.Now()
			page, err := st.ListRegister(ctx, cast.Clerk, cast.IncomingRegister, off, 50)
			check(err)
			lat = append(lat, time.Since(t))
			if len(page) != 50 {
				check(fmt.Errorf("page of %d rows", len(page)))
			}
		}
		name := "first page of 50, newest first"
		goal := "≤ 10 ms"
		if off > 0 {
			name, goal = fmt.Sprintf("page of 50 at row %s", thousands(off)), "—"
		}
		add(name+fmt.Sprintf(" (%s docs)", thousands(nSearch)), fmt.Sprintf("p50 %s, p99 %s", ms(pct(lat, 50)), ms(pct(lat, 99))), goal, "keyset on the gap-free số đến")
	}
	st.Close()

	if nNotmuch > 0 {
		corpus := demo.IncomingInputs(rand.New(rand.NewPCG(4, 4)), "x", nNotmuch, from, to, docstore.SecrecyNone)
		notmuchPeer(dir, corpus, queries, marked)
		// And our search on a corpus of the same size, measured the same way.
		resetPeak()
		st, cast = newStore(ctx, filepath.Join(dir, "search-peer"), today)
		for i := 0; i < len(corpus); i += 5000 {
			batch := corpus[i:min(i+5000, len(corpus))]
			for j := range batch {
				batch[j].RegisterID = cast.IncomingRegister
			}
			_, err := st.ImportIncoming(ctx, cast.Clerk, batch)
			check(err)
		}
		searchRow(fmt.Sprintf("Công vụ search, the same folded queries (%s docs)", thousands(len(corpus))), queries, func(q string) docstore.Query { return docstore.Query{Text: q, Limit: 50} })
		searchRow(fmt.Sprintf("Công vụ search, the same marked queries (%s docs)", thousands(len(corpus))), marked, func(q string) docstore.Query { return docstore.Query{Text: q, Limit: 50} })
		st.Close()
	}
}

func newStore(ctx context.Context, dir string, today time.Time) (*docstore.Store, *demo.Cast) {
	st, cast, err := demo.Open(ctx, dir, demo.Config{Seed: 1, Today: today})
	check(err)
	return st, cast
}

// rawInserts writes the same rows into a plain table, then into a plain
// table plus an FTS5 row each, in transactions of 1,000 with one prepared
// statement: what SQLite alone can do here.
func rawInserts(path string, ins []docstore.IncomingInput) (plain, withFTS float64) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	check(err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE d(id INTEGER PRIMARY KEY, arrival TEXT, issuer TEXT, notation TEXT, doc_date TEXT, type TEXT, subject TEXT, urgency INT, pages INT);
		CREATE TABLE d2(id INTEGER PRIMARY KEY, arrival TEXT, issuer TEXT, notation TEXT, doc_date TEXT, type TEXT, subject TEXT, urgency INT, pages INT);
		CREATE VIRTUAL TABLE f USING fts5(t, content='', tokenize='unicode61 remove_diacritics 2');`)
	check(err)
	run := func(fts bool) float64 {
		t0 := time.Now()
		for i := 0; i < len(ins); i += 1000 {
			tx, err := db.Begin()
			check(err)
			table := "d"
			if fts {
				table = "d2"
			}
			st, err := tx.Prepare(`INSERT INTO ` + table + `(arrival, issuer, notation, doc_date, type, subject, urgency, pages) VALUES (?,?,?,?,?,?,?,?)`)
			check(err)
			ft, err := tx.Prepare(`INSERT INTO f(rowid, t) VALUES (?, ?)`)
			check(err)
			for _, in := range ins[i:min(i+1000, len(ins))] {
				res, err := st.Exec(in.ArrivalDate, in.Issuer, in.Notation, in.DocDate, in.Type, in.Subject, in.Urgency, in.Pages)
				check(err)
				if fts {
					id, _ := res.LastInsertId()
					_, err = ft.Exec(id, in.Subject+" "+in.Notation+" "+in.Issuer)
					check(err)
				}
			}
			check(tx.Commit())
		}
		return float64(len(ins)) / time.Since(t0).Seconds()
	}
	return run(false), run(true)
}

func add(step, figure, goal, note string) { addRSS(step, figure, goal, note, peakMB()) }

func addRSS(step, figure, goal, note string, rssMB float64) {
	rows = append(rows, row{step: step, figure: figure, goal: goal, note: note, rssMB: rssMB})
	fmt.Fprintf(os.Stderr, "  %-55s %s\n", step, figure)
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return s[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// resetPeak clears the kernel's peak-RSS mark (Linux), so each step
// reports its own peak.
func resetPeak() {
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

func peakMB() float64 { return procField("/proc/self/status", "VmHWM:") / 1024 }

func procField(file, key string) float64 {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, key) {
			var v float64
			fmt.Sscan(strings.TrimSpace(strings.TrimPrefix(l, key)), &v)
			return v
		}
	}
	return 0
}

func memTotal() string {
	return fmt.Sprintf("%.0f GiB RAM", procField("/proc/meminfo", "MemTotal:")/1024/1024)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// atExit runs before check leaves (the window part stops its Xvfb and
// the programs it started).
var atExit []func()

func check(err error) {
	if err != nil {
		for _, f := range slices.Backward(atExit) {
			f()
		}
		fmt.Fprintln(os.Stderr, "congvu-bench:", err)
		os.Exit(1)
	}
}
