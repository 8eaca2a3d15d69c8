package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// enterList is a widget.List on which Enter does what Space does in Fyne
// (select the highlighted row, which opens it): clerks coming from the web
// systems press Enter.
type enterList struct{ widget.List }

func newEnterList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *enterList {
	l := &enterList{}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

func (l *enterList) TypedKey(ev *fyne.KeyEvent) {
	l.List.TypedKey(enterAsSpace(ev))
}

// enterAsSpace maps Enter (both keys) to Space for the list and table
// keyboard handling.
func enterAsSpace(ev *fyne.KeyEvent) *fyne.KeyEvent {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		return &fyne.KeyEvent{Name: fyne.KeySpace, Physical: ev.Physical}
	}
	return ev
}
