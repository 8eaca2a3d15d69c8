package ui

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"congvu/mail/journal"
)

// mainRunner is how background work reaches the widgets: fyne.Do queues the
// function onto the Fyne main goroutine. Tests swap in a queue that the test
// goroutine drains, so they stay race-free too.
var mainRunner atomic.Pointer[func(func())]

func init() { setMainRunner(fyne.Do) }

func setMainRunner(f func(func())) { mainRunner.Store(&f) }

// OnMain runs f on the Fyne main goroutine. Background work (sync, the send
// queue, search, counters) reports to the window only through here, so no
// goroutine ever touches a widget directly.
func OnMain(f func()) { (*mainRunner.Load())(f) }

// background counts the window's goroutines, so closing the window (or a
// test) can wait for them to finish.
var background sync.WaitGroup

// ProgressDelay is how long background work may take before the status
// line shows that something is running.
const ProgressDelay = 200 * time.Millisecond

// activity counts background work that has run longer than ProgressDelay
// and tells the window (through OnMain) when the count becomes or stops
// being non-zero.
var activity struct {
	mu   sync.Mutex
	n    int
	show func(running bool)
}

// SetActivityIndicator sets what shows that long work is running (the
// status line's progress bar); it is called on the main goroutine.
func SetActivityIndicator(show func(running bool)) {
	activity.mu.Lock()
	activity.show = show
	activity.mu.Unlock()
}

func busy(delta int) {
	activity.mu.Lock()
	defer activity.mu.Unlock() // queued under the lock: the last change queued is the last shown
	activity.n += delta
	on, show := activity.n > 0, activity.show
	if show != nil {
		OnMain(func() { show(on) })
	}
}

// goBackground runs f in a goroutine that Wait knows about. f reports its
// result through OnMain. Work that outlasts ProgressDelay lights the
// status line's progress bar until it ends.
func goBackground(f func()) {
	background.Add(1)
	go func() {
		defer background.Done()
		slow := time.AfterFunc(ProgressDelay, func() { busy(+1) })
		f()
		if !slow.Stop() {
			busy(-1)
		}
	}()
}

// WaitBackground waits until no background work of the window is running.
func WaitBackground() { background.Wait() }

// runStep runs a store step in the background; on the main goroutine a
// refusal is shown in msg as a sentence, a success runs done.
func runStep(msg interface{ SetText(string) }, step func() error, done func()) {
	goBackground(func() {
		err := step()
		OnMain(func() {
			if err != nil {
				msg.SetText(ErrorText(err))
				return
			}
			done()
		})
	})
}

// journalLink hands the shared journal's reports to the window. The
// replicator reports from its own goroutine (JournalStatus, its OnStatus);
// the window shows the report on the main goroutine. The link outlives a
// rebuild of the window (a change of language): the new window reads the
// last report back.
var journalLink struct {
	mu   sync.Mutex
	r    *journal.Replicator
	last journal.Status
	seen bool
	show func(journal.Status)
}

// JournalStatus is the callback to give mail.Service.StartJournal: it may
// be called from any goroutine, keeps the report and hands it to the
// window through OnMain.
func JournalStatus(st journal.Status) {
	journalLink.mu.Lock()
	defer journalLink.mu.Unlock() // queued under the lock: reports are shown in order
	journalLink.last, journalLink.seen = st, true
	if show := journalLink.show; show != nil {
		OnMain(func() { show(st) })
	}
}

// JournalStarted records the replicator running for the open data folder
// ("Đồng bộ ngay" asks it for a sync); any goroutine.
func JournalStarted(r *journal.Replicator) {
	journalLink.mu.Lock()
	journalLink.r = r
	journalLink.mu.Unlock()
}

// setJournalIndicator sets what shows the journal's reports (the window's
// sync indicator); called on the main goroutine. It returns the last
// report, if any came.
func setJournalIndicator(show func(journal.Status)) (journal.Status, bool) {
	journalLink.mu.Lock()
	defer journalLink.mu.Unlock()
	journalLink.show = show
	return journalLink.last, journalLink.seen
}

// runningJournal is the replicator of the open data folder, nil when none
// runs.
func runningJournal() *journal.Replicator {
	journalLink.mu.Lock()
	defer journalLink.mu.Unlock()
	return journalLink.r
}
