// Command congvu is Công vụ, the desktop office client for Vietnamese civil
// servants: official e-mail, document registers and the approval workflow in
// one offline-first window. main only wires things together.
//
//	congvu [--data DIR] [--as PERSON]        open the app on a data folder
//	congvu demo [--data DIR] [--as PERSON]   open it on a generated demo agency
//	congvu version
//	congvu account add|list|remove … [--data DIR]  provision mail accounts (password on stdin)
//	congvu sync --once [--data DIR]                   sync every mail account, print a summary
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"congvu/assets"
	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail"
	"congvu/mail/edxml"
	"congvu/mail/imapsync"
	"congvu/mail/journal"
	"congvu/mail/maildemo"
	"congvu/ui"
	_ "congvu/ui/texturecache" // before Fyne reads FYNE_CACHE: see the package
)

const appID = "vn.gov.congvu"

// started is as close to the process start as Go lets main see it; the
// measuring flags report from here (the benchmark also times the whole
// process from outside).
var started = time.Now()

func main() {
	args := os.Args[1:]
	if len(args) > 0 && (args[0] == "account" || args[0] == "sync") {
		os.Exit(headless(args[0], args[1:]))
	}
	if len(args) > 0 && args[0] == "edxml" {
		os.Exit(edxml.Command(args[1:], os.Stdout, os.Stderr))
	}
	cmd := "run"
	if len(args) > 0 && (args[0] == "demo" || args[0] == "version" || args[0] == "run") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("congvu", flag.ExitOnError)
	dataFlag := fs.String("data", "", "data folder (default: the user's data folder; for demo: a new temporary folder)")
	as := fs.String("as", "", "person id to open as (default: the person chosen at the first start; demo: the clerk)")
	language := fs.String("lang", "", "language: vi or en (default: the one chosen in Cài đặt, else vi)")
	register := fs.String("register", "", "register id to open first")
	page := fs.String("page", "", "page to open first: nav.incoming, nav.mywork, nav.drafts, … (screenshots)")
	search := fs.String("search", "", "search for this text at start (screenshots)")
	quitAfter := fs.Duration("quit-after", 0, "smoke test: quit after this long, failing if the register shows no rows")
	firstFrame := fs.Bool("first-frame", false, "benchmark: print the time to the first drawn frame and exit")
	scrollEnd := fs.Bool("scroll-end", false, "benchmark: scroll the incoming register to its end, print time and peak RSS, exit")
	typeSearch := fs.String("type-search", "", "benchmark: type this into the search box, print how long after the last key the results showed, exit")
	typeGap := fs.Duration("type-gap", 80*time.Millisecond, "benchmark: the pause between keys for --type-search")
	size := fs.String("size", "1366x768", "window size in device-independent pixels, WxH (screenshots)")
	fs.Parse(args)

	if cmd == "version" {
		fmt.Println("congvu", version(), "schema", docstore.SchemaVersion())
		return
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	prefs := ui.NewPrefs(a.Preferences())
	if *language == "" {
		*language = prefs.Language()
	}
	if err := ui.SetupLanguage(*language); err != nil {
		fmt.Fprintln(os.Stderr, "translations:", err)
	}
	a.Settings().SetTheme(ui.NewScaledTheme(prefs.TextScale()))

	w := a.NewWindow(ui.T("app.title"))
	var width, height float32 = 1366, 768
	fmt.Sscanf(*size, "%fx%f", &width, &height)
	w.Resize(fyne.NewSize(width, height))
	dir, err := dataDir(cmd, *dataFlag, prefs)
	var st *docstore.Store
	if err == nil {
		st, err = open(cmd, dir)
	}
	if err != nil {
		// The store refused to open (in use, damaged, too new): say so in
		// Vietnamese and change nothing on disk.
		fmt.Fprintln(os.Stderr, "congvu:", err)
		w.SetContent(container.NewCenter(widget.NewLabel(ui.ErrorText(err))))
		if *quitAfter > 0 { // a script's run must end even here
			time.AfterFunc(*quitAfter, func() { os.Exit(1) })
		}
		w.ShowAndRun()
		os.Exit(1)
	}
	// Fyne 2.7.1 can hang at exit when a lifecycle event is still queued
	// as the main loop stops (seen in a smoke run under load: Run waits for
	// the event queue, which waits for the stopped loop). The data must not
	// stay locked by a process that lingers: close the store as the window
	// closes, and leave for sure a few seconds later.
	var view *ui.Shell
	// current follows st across the demo join, which runs off the main
	// goroutine; closing the window and signals read it.
	var current atomic.Pointer[docstore.Store]
	current.Store(st)
	w.SetOnClosed(func() {
		if view != nil {
			view.Close()
		}
		if s := current.Load(); s != nil {
			s.Close()
		}
		go func() {
			time.Sleep(3 * time.Second)
			os.Exit(0)
		}()
	})
	// Fyne turns SIGINT/SIGTERM into a Quit, which can hang the same way
	// (a session logout must not leave the folder locked): close the store
	// and leave.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sig
		if s := current.Load(); s != nil {
			s.Close()
		}
		os.Exit(0)
	}()
	// build puts the window's content together for a person; Cài đặt calls
	// it again after a change of language.
	var build func(viewer, page string)
	// The mail service of the open data folder: its sync engines and the
	// outbox run in the background for as long as the window is open (and
	// across a change of language); a new folder (the demo join) gets a
	// new one.
	var svc *mail.Service
	mailStarted := false
	service := func() *mail.Service {
		if svc != nil && svc.Store() == st {
			return svc
		}
		if svc != nil {
			svc.Stop()
		}
		mailStarted = false
		svc = mail.NewService(st, mail.Options{Progress: func(p imapsync.Progress) {
			ui.OnMain(func() {
				if view != nil {
					view.MailProgress(p)
				}
			})
		}})
		return svc
	}
	build = func(viewer, page string) {
		if view != nil {
			view.Close()
		}
		service()
		// The demo's mailboxes are only a cache: no server behind them.
		if cmd != "demo" && !mailStarted {
			mailStarted = true
			if err := svc.Start(context.Background()); err != nil {
				fmt.Fprintln(os.Stderr, "congvu: mail:", err)
			}
			// A workstation that joined its agency shares its registers
			// through the journal (nothing when not joined); a newcomer's
			// replicator, started with their account, restarts as them.
			ui.StartJournal(svc, viewer, journal.KeyringKeys())
		}
		if cmd != "demo" {
			prefs.SetPerson(dir, viewer)
		}
		view = ui.NewShell(st, viewer, cmd == "demo")
		view.SetMail(svc)
		view.Dir, view.Rebuild = dir, build
		view.Install(w)
		if page != "" && !view.OpenScene(page) {
			view.Show(page)
		}
		content := view.Content
		if *firstFrame || *scrollEnd || *typeSearch != "" {
			content = ui.WithFirstFrame(content, func() {
				fmt.Fprintf(os.Stderr, "congvu: first frame %d ms\n", time.Since(started).Milliseconds())
				probe(view, st, *firstFrame, *scrollEnd, *typeSearch, *typeGap)
			})
		}
		w.SetContent(content)
		view.StartNotifications(a.SendNotification)
	}
	viewer := whoAmI(st, cmd, dir, *as, prefs)
	if viewer == "" {
		// First start on this folder: found the agency or join the demo,
		// then say who you are.
		joinDemo := func(ctx context.Context) (*docstore.Store, error) {
			st.Close()
			demoSt, _, err := demo.Open(ctx, dir, demo.Default(time.Now()))
			if err == nil {
				err = fillDemoMail(demoSt)
			}
			if err != nil {
				demoSt, _ = docstore.Open(dir, windowStore)
			}
			st = demoSt
			current.Store(st)
			return st, err
		}
		var joinSvc *mail.Service
		if cmd != "demo" {
			joinSvc = service() // "Tham gia cơ quan" adds the account and reads the journal with it
		}
		setup := ui.NewSetup(st, joinSvc, joinDemo, func(viewer string) { build(viewer, *page) })
		if *page != "" {
			setup.OpenScene(*page)
		}
		w.SetContent(setup.Content)
	} else {
		build(viewer, *page)
		if *register != "" {
			view.ShowRegister(*register)
		}
		if *search != "" {
			view.Search.SetText(*search)
		}
	}
	if *quitAfter > 0 {
		go func() {
			time.Sleep(*quitAfter)
			fyne.Do(func() {
				n := 0
				if view != nil {
					n = view.Rows()
				}
				fmt.Fprintf(os.Stderr, "congvu: smoke test: window open, %d documents in the register\n", n)
				st.Close()
				if n == 0 && cmd == "demo" {
					os.Exit(1)
				}
				os.Exit(0) // not a.Quit(): see SetOnClosed above
			})
		}()
	}
	w.ShowAndRun()
	st.Close()
}

// probe runs the measuring flags once the first frame is on screen, prints
// their figures and leaves (os.Exit: see SetOnClosed).
func probe(view *ui.Shell, st *docstore.Store, firstFrame, scrollEnd bool, search string, gap time.Duration) {
	leave := func() { st.Close(); os.Exit(0) }
	switch {
	case firstFrame:
		leave()
	case scrollEnd:
		view.ScrollToEnd(func(r ui.ScrollResult) {
			fmt.Fprintf(os.Stderr, "congvu: scrolled %d rows in %d ms, peak RSS %.0f MB (%d steps, %d rows held at the end)\n",
				r.Rows, r.Elapsed.Milliseconds(), r.PeakRSS, r.Requests, r.Loaded)
			leave()
		})
	default:
		view.TypeSearch(search, gap, func(hits int, after time.Duration) {
			fmt.Fprintf(os.Stderr, "congvu: search %q %d results %d ms after the last key\n", search, hits, after.Milliseconds())
			leave()
		})
	}
}

// windowStore are the store options of the window: small reader caches
// (2 MiB each, SQLite's default) — see docs/BENCHMARKS.md, the window.
var windowStore = docstore.Options{ReaderCacheKiB: 2048}

// memoryLimit is the Go heap's soft limit in the window (unless GOMEMLIMIT
// is set). Fyne allocates hundreds of MB/s while a register scrolls (text
// shaped and rasterised per cell); with the default GOGC the heap would
// grow to twice its ~30 MB of live data between collections.
const memoryLimit = 64 << 20

// dataDir is the folder to open: the flag, else (outside the demo) the one
// chosen in Cài đặt, else the user's data folder; the demo without a flag
// gets a new temporary folder.
func dataDir(cmd, flagDir string, prefs ui.Prefs) (string, error) {
	switch {
	case flagDir != "":
		return flagDir, nil
	case cmd == "demo":
		return os.MkdirTemp("", "congvu-demo-")
	case prefs.DataDir() != "":
		return prefs.DataDir(), nil
	}
	return docstore.DefaultDir()
}

// open opens the store in dir; the demo fills a new folder first.
func open(cmd, dir string) (*docstore.Store, error) {
	if cmd == "demo" {
		fmt.Fprintln(os.Stderr, "congvu: demo agency in", dir)
		if _, err := os.Stat(filepath.Join(dir, docstore.DBFile)); err != nil {
			st, _, err := demo.Open(context.Background(), dir, demo.Default(time.Now()))
			if err == nil {
				err = fillDemoMail(st)
			}
			return st, err
		}
	}
	return docstore.Open(dir, windowStore)
}

// fillDemoMail gives the demo agency's clerk a full Hộp thư (it never
// connects anywhere: the demo accounts have no password).
func fillDemoMail(st *docstore.Store) error {
	if err := maildemo.Fill(context.Background(), st, time.Now()); err != nil {
		return fmt.Errorf("demo mail: %w", err)
	}
	return nil
}

// whoAmI is the person to open as: the one asked for; in the demo the
// first văn thư; else the one chosen at the first start on this folder, if
// still in the directory. "" means ask.
func whoAmI(st *docstore.Store, cmd, dir, as string, prefs ui.Prefs) string {
	if as != "" {
		return as
	}
	people, err := st.People(context.Background())
	if err != nil {
		return ""
	}
	want := prefs.Person(dir)
	for _, p := range people {
		if (cmd == "demo" && p.Has(docstore.RoleClerk)) || (cmd != "demo" && p.ID == want) {
			return p.ID
		}
	}
	return ""
}

// version is kept equal to FyneApp.toml's Version.
func version() string { return "0.1.0" }

// headless runs the mail commands without a window (IT provisioning,
// diagnosis, the benchmarks): congvu account …, congvu sync --once.
func headless(cmd string, args []string) int {
	dir, rest := "", args[:0:0]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "--data" || a == "-data") && i+1 < len(args):
			dir = args[i+1]
			i++
		case strings.HasPrefix(a, "--data="):
			dir = strings.TrimPrefix(a, "--data=")
		default:
			rest = append(rest, a)
		}
	}
	// The translations load while the database opens and the servers
	// answer (a few ms of a 40 ms congvu sync --once); the first sentence
	// printed waits for them.
	langReady := make(chan struct{})
	go func() {
		defer close(langReady)
		if err := ui.SetupLanguage(os.Getenv("CONGVU_LANG")); err != nil {
			fmt.Fprintln(os.Stderr, "translations:", err)
		}
	}()
	tr := func(key string, data ...any) string { <-langReady; return ui.T(key, data...) }
	errText := func(err error) string { <-langReady; return ui.ErrorText(err) }
	if dir == "" {
		var err error
		if dir, err = docstore.DefaultDir(); err != nil {
			fmt.Fprintln(os.Stderr, errText(err))
			return 1
		}
	}
	st, err := docstore.Open(dir, docstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, errText(err))
		return 1
	}
	defer st.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	svc := mail.NewService(st, mail.Options{})
	c := &mail.Console{Service: svc, Store: st, In: os.Stdin, Out: os.Stdout, Err: os.Stderr, T: tr, ErrorText: errText}
	return c.Run(ctx, cmd, rest)
}
