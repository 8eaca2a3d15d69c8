//go:build linux

package main

// The window part: how fast a first window appears and how much memory the
// whole program takes, for Công vụ on a 1,000,000-document register and for
// the two desktop mail clients an office would otherwise use (Thunderbird,
// Evolution), all measured in one run under a private Xvfb.
//
// What is measured, per start:
//   - mapped: from just before exec to the first MapNotify, on the root
//     window, of a top-level window (a child of the root that is not
//     override-redirect, so no tooltip or menu) belonging to the program:
//     its _NET_WM_PID, when set, must be a process of the program's own
//     tree (a desktop service's window, e.g. the portal's, is skipped).
//     There is no window manager, so top-level windows stay children of
//     the root.
//   - peak RSS: the sum of VmRSS over the program's process tree, sampled
//     from /proc every 20 ms from exec until `hold` after the map (or until
//     the program exits by itself). The tree is every descendant of this
//     process except Xvfb: this process is a child subreaper, so helpers
//     that double-fork, and services D-Bus starts for the program (its
//     private session bus is our child), are counted too. The shared
//     desktop services (the bus itself, at-spi, dconf, the portals, the
//     keyring, gvfs) are left out of the headline figure — a desktop
//     session already runs them — and given in the note. Summed RSS counts
//     pages shared between the processes once per process.
//
// Each start gets a fresh session bus (dbus-daemon --session, started
// before the clock starts) and the program's own HOME / XDG_* folders; the
// cold start is the first start of a fresh profile after dropping the page
// cache, the warm starts reuse the profile the cold start made.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
)

type windowOpts struct {
	store    string        // the 1,000,000-document demo folder; reused when it holds a database
	docs     int           // documents in its incoming register
	runs     int           // warm starts per program
	hold     time.Duration // RSS window after the map
	congvu   string        // congvu binary ("" = go build it)
	search   string        // text typed by --type-search
	programs string        // which programs, comma separated
}

// infra are the shared desktop services a fresh session bus starts on
// demand (process names as /proc shows them, 15 characters at most).
var infra = []string{"dbus-daemon", "at-spi-bus-laun", "at-spi2-registr", "dconf-service", "xdg-desktop-por",
	"xdg-document-po", "xdg-permission-", "fusermount3", "fusermount", "gnome-keyring-d", "gvfsd", "gvfs-"}

func isInfra(comm string) bool {
	for _, p := range infra {
		if strings.HasPrefix(comm, p) {
			return true
		}
	}
	return false
}

type winBench struct {
	opt     windowOpts
	work    string
	display string
	xvfb    *exec.Cmd
	x       *xgb.Conn
	root    xproto.Window
	maps    chan mapEvent
	atomPID xproto.Atom
	cold    string // how cold starts were made cold

	interrupted atomic.Bool
}

type mapEvent struct {
	win xproto.Window
	at  time.Time
}

type startResult struct {
	mapMS      float64 // -1: no window mapped
	winNote    string  // the window counted
	peakMB     float64 // the program's own tree
	peakAllMB  float64 // with the desktop services
	peakProcs  int
	pssMB      float64 // the program's own tree at the end of the hold, PSS
	top        string  // the biggest processes at the peak
	stderr     string
	killed     int // processes still alive after SIGTERM and the grace period
	exitedSelf bool
}

// windowBench runs the window part and adds its rows.
func windowBench(ctx context.Context, work string, opt windowOpts) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		fmt.Fprintln(os.Stderr, "  Xvfb not installed: window part skipped (apt-get install xvfb)")
		return
	}
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		fmt.Fprintln(os.Stderr, "  dbus-daemon not installed: window part skipped (apt-get install dbus)")
		return
	}
	// Helpers that daemonize, and services the bus starts, become our
	// children instead of init's: the tree stays countable and killable.
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, 36 /* PR_SET_CHILD_SUBREAPER */, 1, 0); e != 0 {
		fmt.Fprintln(os.Stderr, "  PR_SET_CHILD_SUBREAPER:", e)
	}
	wb := &winBench{opt: opt, work: work}
	check(wb.startX())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		fmt.Fprintln(os.Stderr, "congvu-bench: interrupted, stopping the window part")
		wb.interrupted.Store(true)
		wb.killTree(2 * time.Second)
		wb.stopX()
		os.Exit(130)
	}()
	atExit = append(atExit, func() { wb.killTree(2 * time.Second); wb.stopX() })
	defer func() { signal.Stop(stop); wb.stopX(); atExit = atExit[:len(atExit)-1] }()

	want := map[string]bool{}
	for _, p := range strings.Split(opt.programs, ",") {
		want[strings.TrimSpace(p)] = true
	}
	if want["congvu"] {
		wb.congvu(ctx)
	}
	if want["thunderbird"] {
		wb.peer("Thunderbird", "thunderbird")
	}
	if want["evolution"] {
		wb.peer("Evolution", "evolution")
	}
}

// ---- Xvfb and the X connection ----

func (wb *winBench) startX() error {
	for n := 130; n <= 160; n++ {
		if exists(fmt.Sprintf("/tmp/.X11-unix/X%d", n)) || exists(fmt.Sprintf("/tmp/.X%d-lock", n)) {
			continue
		}
		wb.display = fmt.Sprintf(":%d", n)
		break
	}
	if wb.display == "" {
		return errors.New("no free X display in :130–:160")
	}
	wb.xvfb = exec.Command("Xvfb", wb.display, "-screen", "0", "1366x768x24", "-nolisten", "tcp")
	wb.xvfb.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := wb.xvfb.Start(); err != nil {
		return err
	}
	xgb.Logger.SetOutput(discard{}) // it complains of a missing ~/.Xauthority: Xvfb runs without one
	var err error
	for i := 0; i < 100; i++ {
		time.Sleep(100 * time.Millisecond)
		if !exists("/tmp/.X11-unix/X" + wb.display[1:]) {
			continue
		}
		if wb.x, err = xgb.NewConnDisplay(wb.display); err == nil {
			break
		}
	}
	if wb.x == nil {
		return fmt.Errorf("Xvfb %s: %v", wb.display, err)
	}
	wb.root = xproto.Setup(wb.x).DefaultScreen(wb.x).Root
	if err := xproto.ChangeWindowAttributesChecked(wb.x, wb.root, xproto.CwEventMask,
		[]uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		return err
	}
	a, err := xproto.InternAtom(wb.x, false, uint16(len("_NET_WM_PID")), "_NET_WM_PID").Reply()
	if err != nil {
		return err
	}
	wb.atomPID = a.Atom
	wb.maps = make(chan mapEvent, 256)
	go func() {
		for {
			ev, xerr := wb.x.WaitForEvent()
			if ev == nil && xerr == nil {
				return
			}
			if m, ok := ev.(xproto.MapNotifyEvent); ok && m.Event == wb.root && !m.OverrideRedirect {
				select {
				case wb.maps <- mapEvent{m.Window, time.Now()}:
				default:
				}
			}
		}
	}()
	fmt.Fprintf(os.Stderr, "  window: Xvfb %s 1366x768x24 (pid %d)\n", wb.display, wb.xvfb.Process.Pid)
	return nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func (wb *winBench) stopX() {
	if wb.x != nil {
		wb.x.Close()
		wb.x = nil
	}
	if wb.xvfb != nil && wb.xvfb.Process != nil {
		wb.xvfb.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { wb.xvfb.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			wb.xvfb.Process.Kill()
			<-done
		}
		wb.xvfb = nil
	}
}

// windowInfo says whose window it is and what it looks like.
func (wb *winBench) windowInfo(w xproto.Window) (pid int, note string) {
	if r, err := xproto.GetProperty(wb.x, false, w, wb.atomPID, xproto.AtomCardinal, 0, 1).Reply(); err == nil && len(r.Value) >= 4 {
		pid = int(xgb.Get32(r.Value))
	}
	class := ""
	if r, err := xproto.GetProperty(wb.x, false, w, xproto.AtomWmClass, xproto.AtomString, 0, 64).Reply(); err == nil {
		class = strings.Join(strings.FieldsFunc(string(r.Value), func(r rune) bool { return r == 0 }), "/")
	}
	geo := ""
	if g, err := xproto.GetGeometry(wb.x, xproto.Drawable(w)).Reply(); err == nil {
		geo = fmt.Sprintf("%dx%d", g.Width, g.Height)
	}
	return pid, strings.TrimSpace(class + " " + geo)
}

// ---- process tree ----

type proc struct {
	pid, ppid int
	comm      string
	state     byte
	rssKB     int64
}

var pageKB = int64(os.Getpagesize() / 1024)

func scanProcs() map[int]*proc {
	ents, _ := os.ReadDir("/proc")
	out := make(map[int]*proc, len(ents))
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) < 22 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		rss, _ := strconv.ParseInt(f[21], 10, 64)
		out[pid] = &proc{pid: pid, ppid: ppid, comm: s[open+1 : close], state: f[0][0], rssKB: rss * pageKB}
	}
	return out
}

// tree is every live descendant of this process, Xvfb's excepted.
func (wb *winBench) tree(all map[int]*proc) []*proc {
	kids := map[int][]int{}
	for _, p := range all {
		kids[p.ppid] = append(kids[p.ppid], p.pid)
	}
	skip := -1
	if wb.xvfb != nil && wb.xvfb.Process != nil {
		skip = wb.xvfb.Process.Pid
	}
	var out []*proc
	stack := []int{os.Getpid()}
	for len(stack) > 0 {
		pid := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, k := range kids[pid] {
			if k == skip {
				continue
			}
			if p := all[k]; p != nil {
				out = append(out, p)
				stack = append(stack, k)
			}
		}
	}
	return out
}

// sampler follows the tree's RSS every 20 ms.
type sampler struct {
	mu            sync.Mutex
	peak, peakAll int64
	peakProcs     int
	top           string
	own           map[int]bool // pids seen in the program's own tree
	stop, done    chan struct{}
}

func (wb *winBench) sample() *sampler {
	s := &sampler{own: map[int]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var own, all int64
			n := 0
			byName := map[string][2]int64{}
			for _, p := range wb.tree(scanProcs()) {
				if p.state == 'Z' {
					continue
				}
				all += p.rssKB
				if isInfra(p.comm) {
					continue
				}
				own += p.rssKB
				n++
				v := byName[p.comm]
				byName[p.comm] = [2]int64{v[0] + p.rssKB, v[1] + 1}
				s.mu.Lock()
				s.own[p.pid] = true
				s.mu.Unlock()
			}
			s.mu.Lock()
			s.peakAll = max(s.peakAll, all)
			if own > s.peak {
				s.peak, s.peakProcs, s.top = own, n, topNames(byName)
			}
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) isOwn(pid int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.own[pid]
}

func (s *sampler) finish() { close(s.stop); <-s.done }

func topNames(by map[string][2]int64) string {
	names := make([]string, 0, len(by))
	for k := range by {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return by[names[i]][0] > by[names[j]][0] })
	var parts []string
	for i, k := range names {
		if i == 5 {
			parts = append(parts, "…")
			break
		}
		v := by[k]
		if v[1] > 1 {
			parts = append(parts, fmt.Sprintf("%s ×%d %.0f", k, v[1], float64(v[0])/1024))
		} else {
			parts = append(parts, fmt.Sprintf("%s %.0f", k, float64(v[0])/1024))
		}
	}
	return strings.Join(parts, ", ")
}

// pss sums the proportional set size (shared pages split between the
// processes sharing them) of the program's own tree, once: reading it walks
// every page table, too slow to sample every 20 ms.
func (wb *winBench) pss(smp *sampler) float64 {
	var kb int64
	for _, p := range wb.tree(scanProcs()) {
		if p.state == 'Z' || isInfra(p.comm) {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", p.pid))
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 2 && f[0] == "Pss:" {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				kb += v
			}
		}
	}
	return float64(kb) / 1024
}

// killTree ends every process of ours but Xvfb: SIGTERM, then SIGKILL for
// what is left after grace. It returns how many needed SIGKILL.
func (wb *winBench) killTree(grace time.Duration) int {
	signalAll := func(sig syscall.Signal) int {
		n := 0
		for _, p := range wb.tree(scanProcs()) {
			if p.state != 'Z' {
				syscall.Kill(p.pid, sig)
				n++
			}
		}
		return n
	}
	waitGone := func(d time.Duration) int {
		deadline := time.Now().Add(d)
		for {
			wb.reap()
			alive := 0
			for _, p := range wb.tree(scanProcs()) {
				if p.state != 'Z' {
					alive++
				}
			}
			if alive == 0 || time.Now().After(deadline) {
				return alive
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if signalAll(syscall.SIGTERM) == 0 {
		wb.reap()
		return 0
	}
	left := waitGone(grace)
	if left > 0 {
		var names []string
		for _, p := range wb.tree(scanProcs()) {
			if p.state != 'Z' {
				names = append(names, p.comm)
			}
		}
		fmt.Fprintf(os.Stderr, "    still running %s after SIGTERM: %s, SIGKILL\n", grace, strings.Join(names, ", "))
		signalAll(syscall.SIGKILL)
		waitGone(3 * time.Second)
	}
	return left
}

// reap collects zombies that were handed to us as the subreaper (the
// programs we started ourselves are waited for by their exec.Cmd).
var waited sync.Map // pid → true while an exec.Cmd waits for it

func (wb *winBench) reap() {
	self := os.Getpid()
	for _, p := range scanProcs() {
		if p.ppid == self && p.state == 'Z' {
			if _, ok := waited.Load(p.pid); ok {
				continue
			}
			var ws syscall.WaitStatus
			syscall.Wait4(p.pid, &ws, syscall.WNOHANG, nil)
		}
	}
}

// ---- one start ----

type session struct {
	base string   // HOME and the XDG folders live here
	env  []string // the program's environment (the bus address is added per start)
}

func (wb *winBench) newSession(name string) *session {
	check(os.MkdirAll(wb.work, 0o755))
	base, err := os.MkdirTemp(wb.work, "window-"+name+"-")
	check(err)
	s := &session{base: base}
	for _, d := range []string{"home", "config", "data", "cache", "state", "run", "tmp"} {
		check(os.MkdirAll(filepath.Join(base, d), 0o700))
	}
	lang := os.Getenv("LANG")
	if lang == "" || lang == "C" || lang == "POSIX" {
		lang = "C.UTF-8"
	}
	s.env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"DISPLAY=" + wb.display,
		"HOME=" + filepath.Join(base, "home"),
		"XDG_CONFIG_HOME=" + filepath.Join(base, "config"),
		"XDG_DATA_HOME=" + filepath.Join(base, "data"),
		"XDG_CACHE_HOME=" + filepath.Join(base, "cache"),
		"XDG_STATE_HOME=" + filepath.Join(base, "state"),
		"XDG_RUNTIME_DIR=" + filepath.Join(base, "run"),
		"TMPDIR=" + filepath.Join(base, "tmp"),
		"LANG=" + lang,
		"USER=" + userName(), "LOGNAME=" + userName(),
		// No crash reporter, no update or telemetry traffic (there is no
		// network here anyway).
		"MOZ_CRASHREPORTER_DISABLE=1",
		"MOZ_CRASHREPORTER_NO_REPORT=1",
		"MOZ_DISABLE_AUTO_SAFE_MODE=1",
	}
	return s
}

func userName() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "root"
}

// close removes the session's folders (after unmounting what the document
// portal may have mounted under them).
func (s *session) close() {
	if b, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) > 4 && strings.HasPrefix(f[4], s.base+"/") {
				syscall.Unmount(f[4], syscall.MNT_DETACH)
			}
		}
	}
	os.RemoveAll(s.base)
}

// startBus starts a private session bus with the session's environment, so
// the services it starts see the same HOME and XDG folders.
func (wb *winBench) startBus(s *session) (string, *exec.Cmd, error) {
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nosyslog", "--print-address=1")
	cmd.Env = s.env
	cmd.Dir = filepath.Join(s.base, "home")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = nil
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	waited.Store(cmd.Process.Pid, true)
	go func() { cmd.Wait(); waited.Delete(cmd.Process.Pid) }()
	line := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		l, _ := r.ReadString('\n')
		line <- strings.TrimSpace(l)
		for {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
		}
	}()
	select {
	case addr := <-line:
		if addr == "" {
			return "", cmd, errors.New("dbus-daemon printed no address")
		}
		return addr, cmd, nil
	case <-time.After(10 * time.Second):
		return "", cmd, errors.New("dbus-daemon: no address after 10 s")
	}
}

// start runs one start of a program: untilExit waits for it to leave by
// itself (up to timeout), else it is ended hold after its first window.
func (wb *winBench) start(s *session, untilExit bool, timeout time.Duration, name string, args ...string) startResult {
	res := startResult{mapMS: -1}
	if wb.interrupted.Load() {
		return res
	}
	addr, bus, err := wb.startBus(s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "  window:", err)
		wb.killTree(2 * time.Second)
		return res
	}
	_ = bus
	cmd := exec.Command(name, args...)
	cmd.Env = append(slices.Clone(s.env), "DBUS_SESSION_BUS_ADDRESS="+addr)
	cmd.Dir = filepath.Join(s.base, "home")
	var stderr strings.Builder
	var mu sync.Mutex
	cmd.Stderr = lockedWriter{&mu, &stderr}
	cmd.Stdout = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	for len(wb.maps) > 0 { // windows of an earlier start
		<-wb.maps
	}
	smp := wb.sample()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		smp.finish()
		fmt.Fprintln(os.Stderr, "  window:", err)
		wb.killTree(2 * time.Second)
		return res
	}
	pid := cmd.Process.Pid
	waited.Store(pid, true)
	exited := make(chan struct{})
	go func() { cmd.Wait(); waited.Delete(pid); close(exited) }()
	deadline := time.After(timeout)
	var holdEnd <-chan time.Time
wait:
	for {
		select {
		case m := <-wb.maps:
			if res.mapMS >= 0 {
				continue
			}
			owner, note := wb.windowInfo(m.win)
			if owner != 0 && owner != pid && !smp.isOwn(owner) {
				// Another process's window: a desktop service's, say.
				fmt.Fprintf(os.Stderr, "    (skipped a window of pid %d: %s)\n", owner, note)
				continue
			}
			res.mapMS = float64(m.at.Sub(t0).Microseconds()) / 1000
			res.winNote = note
			if !untilExit {
				holdEnd = time.After(wb.opt.hold)
			}
		case <-holdEnd:
			res.pssMB = wb.pss(smp)
			break wait
		case <-exited:
			res.exitedSelf = true
			break wait
		case <-deadline:
			fmt.Fprintf(os.Stderr, "  window: %s: still running after %s\n", name, timeout)
			break wait
		}
	}
	smp.finish()
	res.peakMB = float64(smp.peak) / 1024
	res.peakAllMB = float64(smp.peakAll) / 1024
	res.peakProcs = smp.peakProcs
	res.top = smp.top
	res.killed = wb.killTree(5 * time.Second)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
	mu.Lock()
	res.stderr = stderr.String()
	mu.Unlock()
	return res
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *strings.Builder
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.b.Len() < 1<<20 {
		w.b.Write(p)
	}
	return len(p), nil
}

// dropCaches empties the page cache, so the next start reads everything
// from disk. It needs root; without it "cold" only means a fresh profile.
func (wb *winBench) dropCaches() {
	syscall.Sync()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0); err != nil {
		wb.cold = "first start of a fresh profile (the page cache could not be dropped: " + err.Error() + ")"
		return
	}
	wb.cold = "first start of a fresh profile, page cache dropped just before"
}

// series does the cold start and the warm starts of one program.
func (wb *winBench) series(label string, s *session, name string, args ...string) startResult {
	fmt.Fprintf(os.Stderr, "  window: %s, cold start\n", label)
	wb.dropCaches()
	cold := wb.start(s, false, 120*time.Second, name, args...)
	wb.logStart(label+" cold", cold)
	var warm []startResult
	for i := 0; i < wb.opt.runs; i++ {
		r := wb.start(s, false, 120*time.Second, name, args...)
		wb.logStart(fmt.Sprintf("%s warm %d", label, i+1), r)
		warm = append(warm, r)
	}
	wb.rowsFor(label, cold, warm)
	return cold
}

func (wb *winBench) logStart(what string, r startResult) {
	fmt.Fprintf(os.Stderr, "    %-28s mapped %7.1f ms  peak RSS %6.1f MB (processes: %d; with desktop services %.1f MB)  PSS at the end %.1f MB  window %q  killed %d\n",
		what, r.mapMS, r.peakMB, r.peakProcs, r.peakAllMB, r.pssMB, r.winNote, r.killed)
}

func (wb *winBench) rowsFor(label string, cold startResult, warm []startResult) {
	goal := "—"
	if label != "Công vụ" {
		goal = "peer"
	}
	hold := fmt.Sprintf("peak over exec … map + %s", wb.opt.hold)
	if cold.mapMS < 0 {
		addRSS(label+": first window mapped, cold", "no window", goal, firstLine(cold.stderr), cold.peakMB)
	} else {
		addRSS(label+": first window mapped, cold", fmt.Sprintf("%.0f ms", cold.mapMS), goal,
			fmt.Sprintf("%s; window %s; RSS %s, processes: %d (%s MB); %.0f MB with the desktop services it woke; PSS at map + %s: %.0f MB",
				wb.cold, cold.winNote, hold, cold.peakProcs, cold.top, cold.peakAllMB, wb.opt.hold, cold.pssMB), cold.peakMB)
	}
	var ms, mb, all, pss []float64
	for _, r := range warm {
		if r.mapMS >= 0 {
			ms = append(ms, r.mapMS)
			mb = append(mb, r.peakMB)
			all = append(all, r.peakAllMB)
			pss = append(pss, r.pssMB)
		}
	}
	if len(ms) == 0 {
		if len(warm) > 0 {
			addRSS(label+": first window mapped, warm", "no window", goal, firstLine(warm[0].stderr), 0)
		}
		return
	}
	last := warm[len(warm)-1]
	addRSS(label+": first window mapped, warm", fmt.Sprintf("median %.0f ms (%.0f–%.0f)", median(ms), slices.Min(ms), slices.Max(ms)), goal,
		fmt.Sprintf("median of %d starts reusing the profile; RSS (median) %s, e.g. processes: %d (%s MB); %.0f MB with the desktop services; PSS at map + %s: %.0f MB",
			len(ms), hold, last.peakProcs, last.top, median(all), wb.opt.hold, median(pss)), median(mb))
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return strings.ReplaceAll(s, "|", "/")
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

// ---- the programs ----

func (wb *winBench) peer(label, name string) {
	if _, err := exec.LookPath(name); err != nil {
		fmt.Fprintf(os.Stderr, "  %s not installed: skipped (apt-get install %s)\n", name, name)
		return
	}
	s := wb.newSession(name)
	defer s.close()
	switch name {
	case "thunderbird":
		prof := filepath.Join(s.base, "profile")
		check(os.MkdirAll(prof, 0o700))
		check(os.WriteFile(filepath.Join(prof, "user.js"), []byte(thunderbirdPrefs), 0o600))
		wb.series(label+" "+debVersion(name), s, name, "-profile", prof, "-no-remote")
	case "evolution":
		wb.series(label+" "+debVersion(name), s, name)
	}
}

// thunderbirdPrefs keep a fresh profile off the network and free of
// blocking questions (default client, rights notice, safe mode).
const thunderbirdPrefs = `user_pref("app.update.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.update.checkInstallTime", false);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("extensions.systemAddon.update.enabled", false);
user_pref("mail.shell.checkDefaultClient", false);
user_pref("mail.rights.override", true);
user_pref("mail.provider.enabled", false);
user_pref("mailnews.start_page.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("toolkit.startup.max_resumed_crashes", -1);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("messaging-system.rsexperimentloader.enabled", false);
user_pref("mail.inappnotifications.enabled", false);
`

func debVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil {
		return ""
	}
	v := string(out)
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[i+1:]
	}
	if i := strings.IndexAny(v, "-+~"); i >= 0 {
		v = v[:i]
	}
	return v
}

var (
	reFirstFrame = regexp.MustCompile(`congvu: first frame ([0-9.]+) ms`)
	reScroll     = regexp.MustCompile(`congvu: scrolled ([0-9]+) rows in ([0-9.]+) ms, peak RSS ([0-9.]+) MB`)
	reSearch     = regexp.MustCompile(`congvu: search "(.*)" ([0-9]+) results ([0-9.]+) ms after the last key`)
)

func (wb *winBench) congvu(ctx context.Context) {
	bin := wb.opt.congvu
	built := ""
	if bin == "" {
		bin = filepath.Join(wb.work, "congvu")
		root, err := exec.Command("go", "env", "GOMOD").Output()
		check(err)
		fmt.Fprintln(os.Stderr, "  window: go build -o", bin, ".")
		b := exec.Command("go", "build", "-o", bin, ".")
		b.Dir = filepath.Dir(strings.TrimSpace(string(root)))
		b.Stdout, b.Stderr = os.Stderr, os.Stderr
		if err := b.Run(); err != nil {
			addRSS("Công vụ: first window mapped", "—", "—", "go build failed: "+err.Error(), 0)
			return
		}
		if out, err := exec.Command("git", "-C", b.Dir, "describe", "--always", "--dirty").Output(); err == nil {
			built = ", built from " + strings.TrimSpace(string(out))
		}
	}
	bin, _ = filepath.Abs(bin)
	store := wb.opt.store
	if store == "" {
		store = filepath.Join(wb.work, "window-store")
	}
	store, _ = filepath.Abs(store)
	year := time.Now().Year()
	reg := fmt.Sprintf("den-%d", year)
	count := ensureWindowStore(ctx, store, wb.opt.docs)
	help, _ := exec.Command(bin, "demo", "-h").CombinedOutput()
	has := func(f string) bool { return strings.Contains(string(help), "-"+f) }
	label := "Công vụ"
	s := wb.newSession("congvu")
	defer s.close()
	args := []string{"demo", "--data", store, "--register", reg}
	cold := wb.series(label, s, bin, args...)
	size := thousands(count)
	// A window that only says the store cannot be opened maps too: make
	// such a run visible.
	for _, l := range strings.Split(cold.stderr, "\n") {
		if strings.HasPrefix(l, "congvu: ") && !strings.HasPrefix(l, "congvu: demo agency in") {
			fmt.Fprintln(os.Stderr, "  window: WARNING, congvu said:", l)
			for i := range rows {
				if strings.HasPrefix(rows[i].step, label+": first window mapped") {
					rows[i].note += "; WARNING, congvu said: " + strings.ReplaceAll(l, "|", "/")
				}
			}
		}
	}
	for i := range rows {
		if strings.HasPrefix(rows[i].step, label+": first window mapped") {
			rows[i].step += fmt.Sprintf(" (%s docs)", size)
			rows[i].note = strings.Replace(rows[i].note, "; window ", built+"; window ", 1)
		}
	}

	if !has("first-frame") {
		addRSS(label+": first frame drawn (internal)", "—", "—", "this congvu has no --first-frame flag yet", 0)
	} else {
		var ms, ext, mb []float64
		for i := 0; i < wb.opt.runs; i++ {
			r := wb.start(s, true, 120*time.Second, bin, append(slices.Clone(args), "--first-frame")...)
			if m := reFirstFrame.FindStringSubmatch(r.stderr); m != nil {
				v, _ := strconv.ParseFloat(m[1], 64)
				ms = append(ms, v)
				ext = append(ext, r.mapMS)
				mb = append(mb, r.peakMB)
			} else {
				fmt.Fprintf(os.Stderr, "    first-frame: no figure: %s\n", firstLine(r.stderr))
			}
		}
		if len(ms) > 0 {
			fmt.Fprintf(os.Stderr, "    first frame (internal) %v ms; mapped in the same starts %v ms\n", ms, ext)
			addRSS(fmt.Sprintf("%s: first frame drawn, warm (%s docs)", label, size), fmt.Sprintf("median %.0f ms (%.0f–%.0f)", median(ms), slices.Min(ms), slices.Max(ms)), "—",
				fmt.Sprintf("--first-frame, from congvu's own clock (main package start) to the first painted frame; median of %d; window mapped in the same starts: median %.0f ms from exec", len(ms), median(ext)), median(mb))
		}
	}

	if !has("scroll-end") {
		addRSS(label+": scroll the register to its last row", "—", "—", "this congvu has no --scroll-end flag yet", 0)
	} else {
		r := wb.start(s, true, 30*time.Minute, bin, append(slices.Clone(args), "--scroll-end")...)
		if m := reScroll.FindStringSubmatch(r.stderr); m != nil {
			n, _ := strconv.Atoi(m[1])
			v, _ := strconv.ParseFloat(m[2], 64)
			rest := strings.TrimSpace(strings.SplitN(r.stderr[strings.Index(r.stderr, m[0])+len(m[0]):]+"\n", "\n", 2)[0])
			addRSS(fmt.Sprintf("%s: scroll the register to its last row (%s docs)", label, size), fmt.Sprintf("%s rows in %.0f ms", thousands(n), v), "—",
				fmt.Sprintf("--scroll-end; congvu's own peak RSS %s MB %s; peak RSS column: the process from outside, exec … exit", m[3], rest), r.peakMB)
		} else {
			addRSS(label+": scroll the register to its last row", "failed", "—", firstLine(r.stderr), r.peakMB)
		}
	}

	if !has("type-search") {
		addRSS(label+": search typed in the search box", "—", "—", "this congvu has no --type-search flag yet", 0)
	} else {
		var ms, mb []float64
		hits := ""
		for i := 0; i < wb.opt.runs; i++ {
			r := wb.start(s, true, 120*time.Second, bin, append(slices.Clone(args), "--type-search", wb.opt.search)...)
			if m := reSearch.FindStringSubmatch(r.stderr); m != nil {
				v, _ := strconv.ParseFloat(m[3], 64)
				ms = append(ms, v)
				mb = append(mb, r.peakMB)
				hits = m[2]
			} else {
				fmt.Fprintf(os.Stderr, "    type-search: no figure: %s\n", firstLine(r.stderr))
			}
		}
		if len(ms) > 0 {
			fmt.Fprintf(os.Stderr, "    search after the last key %v ms\n", ms)
			addRSS(fmt.Sprintf("%s: search %q typed, results shown (%s docs)", label, wb.opt.search, size),
				fmt.Sprintf("median %.0f ms after the last key (%.0f–%.0f)", median(ms), slices.Min(ms), slices.Max(ms)), "—",
				fmt.Sprintf("--type-search, one key every 80 ms; %s results; median of %d starts; RSS from outside", hits, len(ms)), median(mb))
		}
	}
}

// ensureWindowStore makes (or reuses) the demo agency with a register of
// about docs incoming documents: the normal demo, then imported batches.
func ensureWindowStore(ctx context.Context, dir string, docs int) int {
	year := time.Now().Year()
	reg := fmt.Sprintf("den-%d", year)
	if exists(filepath.Join(dir, docstore.DBFile)) {
		st, err := docstore.Open(dir, docstore.Options{})
		check(err)
		n := registerCount(ctx, st, reg)
		st.Close()
		fmt.Fprintf(os.Stderr, "  window: reusing %s (%s documents in %s)\n", dir, thousands(n), reg)
		return n
	}
	check(os.MkdirAll(dir, 0o755))
	fmt.Fprintf(os.Stderr, "  window: building the demo agency with %s documents in %s\n", thousands(docs), dir)
	t0 := time.Now()
	today := time.Now()
	st, cast, err := demo.Open(ctx, dir, demo.Default(today))
	check(err)
	have := registerCount(ctx, st, cast.IncomingRegister)
	from := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(year, today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(5, 5))
	for done := have; done < docs; done += 5000 {
		batch := demo.IncomingInputs(rng, cast.IncomingRegister, min(5000, docs-done), from, to, docstore.SecrecyNone)
		_, err := st.ImportIncoming(ctx, cast.Clerk, batch)
		check(err)
		if (done-have)%100000 < 5000 {
			fmt.Fprintf(os.Stderr, "    %d/%d\n", done, docs)
		}
	}
	n := registerCount(ctx, st, cast.IncomingRegister)
	check(st.Close())
	fmt.Fprintf(os.Stderr, "  window: built in %s\n", time.Since(t0).Round(time.Second))
	return n
}

// registerCount is the number of the newest document: numbers are gap-free.
func registerCount(ctx context.Context, st *docstore.Store, reg string) int {
	people, err := st.People(ctx)
	if err != nil {
		return 0
	}
	for _, p := range people {
		page, err := st.ListRegister(ctx, p.ID, reg, 0, 1)
		if err == nil && len(page) == 1 {
			return page[0].Number
		}
	}
	return 0
}
