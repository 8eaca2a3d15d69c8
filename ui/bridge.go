package ui

import "fyne.io/fyne/v2"

// OnMain runs f on the Fyne main goroutine. Background work (sync, the send
// queue, imports) reports to the window only through here, so no goroutine
// ever touches a widget directly.
func OnMain(f func()) { fyne.Do(f) }
