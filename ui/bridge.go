package ui

import "fyne.io/fyne/v2"

// onMain is how background work reaches the widgets: fyne.Do queues the
// function onto the Fyne main goroutine. Tests replace it with a queue that
// the test goroutine drains, so they stay race-free too.
var onMain = fyne.Do

// OnMain runs f on the Fyne main goroutine. Background work (sync, the send
// queue, search, counters) reports to the window only through here, so no
// goroutine ever touches a widget directly.
func OnMain(f func()) { onMain(f) }
