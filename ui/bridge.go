package ui

import (
	"sync"
	"sync/atomic"

	"fyne.io/fyne/v2"
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

// goBackground runs f in a goroutine that Wait knows about. f reports its
// result through OnMain.
func goBackground(f func()) {
	background.Add(1)
	go func() {
		defer background.Done()
		f()
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
