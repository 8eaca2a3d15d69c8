package ui

import (
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// buttonsIn lists the buttons of a page (through scrolls and boxes).
func buttonsIn(o fyne.CanvasObject) []*widget.Button {
	switch v := o.(type) {
	case *widget.Button:
		return []*widget.Button{v}
	case *container.Scroll:
		return buttonsIn(v.Content)
	case *fyne.Container:
		var out []*widget.Button
		for _, c := range v.Objects {
			out = append(out, buttonsIn(c)...)
		}
		return out
	}
	return nil
}

// Keyboard and navigation: a search result opens with Enter/Space or a tap
// and Esc returns to the results; Việc của tôi opens a document; Ctrl+N
// opens registration for the clerk and a new draft on the drafts page.
func TestNavigationKeysAndBack(t *testing.T) {
	_, cast, s, w := demoShell(t)

	test.Type(s.Search, "dat dai")
	eventually(t, "search results", func() bool { return len(s.Hits()) > 0 })
	first := s.Hits()[0].ID
	w.Canvas().Focus(s.Results)
	s.Results.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter opens the highlighted row
	if s.Doc == nil || s.Doc.Doc.ID != first {
		t.Fatal("the first result did not open")
	}
	w.Canvas().Unfocus()
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape}) // Esc with no field focused
	if s.page.Objects[0] == s.Doc.Content {
		t.Fatal("Esc did not leave the document")
	}
	eventually(t, "results again", func() bool { return len(s.Hits()) > 0 })

	// Việc của tôi: each line opens its document.
	s.SetViewer(cast.Specialist)
	s.Show(NavMyWork)
	bs := buttonsIn(s.page.Objects[0])
	if len(bs) == 0 {
		t.Fatal("no work lines to open")
	}
	test.Tap(bs[0])
	if s.Doc == nil || s.page.Objects[0] != s.Doc.Content {
		t.Fatal("a work line did not open its document")
	}
	s.GoBack()
	if s.items[s.current].key != NavMyWork || s.back != nil {
		t.Fatal("back did not return to Việc của tôi")
	}

	// Ctrl+N: registration for the clerk; a draft on the drafts page.
	s.SetViewer(cast.Clerk)
	s.Show(NavIncoming)
	s.New()
	if s.Form == nil || s.page.Objects[0] != s.Form.Content {
		t.Fatal("Ctrl+N did not open Vào sổ for the clerk")
	}
	s.GoBack()
	s.Show(NavDrafts)
	s.New()
	if s.DraftForm == nil || s.page.Objects[0] != s.DraftForm.Content {
		t.Fatal("Ctrl+N on the drafts page did not open a new draft")
	}

	// Files dropped on the incoming register start a registration with
	// them attached; dropped on the open form, they join it.
	dir := t.TempDir()
	a, b := filepath.Join(dir, "Công văn 15.pdf"), filepath.Join(dir, "Phụ lục.docx")
	for _, f := range []string{a, b} {
		if err := os.WriteFile(f, []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s.Show(NavIncoming)
	s.Dropped([]fyne.URI{storage.NewFileURI(a)})
	if s.Form == nil || s.page.Objects[0] != s.Form.Content || len(s.Form.Files) != 1 {
		t.Fatal("a drop on the register did not start a registration with the file")
	}
	s.Dropped([]fyne.URI{storage.NewFileURI(b), storage.NewFileURI(a)})
	if len(s.Form.Files) != 2 {
		t.Fatalf("drop on the form: %d files, want 2 (no duplicate)", len(s.Form.Files))
	}
}

// Work that takes longer than ProgressDelay lights the status line's
// progress bar while it runs, and only then; the window stays usable.
func TestLongWorkShowsProgress(t *testing.T) {
	_, _, s, _ := demoShell(t)
	release := make(chan struct{})
	goBackground(func() { <-release })
	eventually(t, "the progress bar", func() bool { return s.Activity.Visible() })
	close(release)
	eventually(t, "the progress bar to go", func() bool { return !s.Activity.Visible() })
	goBackground(func() {}) // quick work never shows it
	WaitBackground()
	for len(mainQueue) > 0 {
		(<-mainQueue)()
	}
	if s.Activity.Visible() {
		t.Fatal("quick work lit the progress bar")
	}
}

// In the register, độ khẩn shows as a tinted badge, and Enter on the
// highlighted row opens the document.
func TestRegisterUrgencyBadgeAndEnter(t *testing.T) {
	_, _, s, w := demoShell(t)
	m := s.Incoming
	urgencyCol := -1
	for i, c := range columnsOf(docstore.KindIncoming) {
		if c.key == "col.urgency" {
			urgencyCol = i
		}
	}
	seen := map[bool]bool{}
	for i := 0; i < m.Rows() && len(seen) < 2; i++ {
		d, _ := m.model.Row(i)
		c := m.Table.CreateCell()
		m.Table.UpdateCell(widget.TableCellID{Row: i, Col: urgencyCol}, c)
		badge, _ := cellParts(c)
		tinted := badge.FillColor != color.Transparent
		if tinted != (d.Urgency > docstore.UrgencyNormal) {
			t.Fatalf("row %d urgency %d: badge tinted %v", i, d.Urgency, tinted)
		}
		seen[tinted] = true
	}
	if len(seen) != 2 {
		t.Fatal("the demo register has no urgent and plain rows to compare")
	}
	first, _ := m.model.Row(0)
	w.Canvas().Focus(m.Table)
	m.Table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if s.Doc == nil || s.Doc.Doc.ID != first.ID {
		t.Fatal("Enter did not open the highlighted row")
	}
}

// A full disk or a forbidden folder is said in Vietnamese, not as the
// operating system's English.
func TestWriteErrorsInVietnamese(t *testing.T) {
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	full := fileErrorText(&docstore.WriteError{Err: &fs.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}})
	denied := fileErrorText(&docstore.WriteError{Err: &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}})
	if full != T("file.disk_full") || denied != T("file.no_permission") || strings.Contains(full+denied, "no space") {
		t.Fatalf("%q / %q", full, denied)
	}
}
