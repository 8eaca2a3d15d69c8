package ui

import (
	"fmt"
	"path/filepath"

	"fyne.io/fyne/v2"

	docstore "congvu/docs-store"
)

// Prefs are the user's choices in Cài đặt, kept in Fyne's preferences (a
// file in the user's config folder, per app id): they belong to the person
// at this computer, not to the agency's data, so they never go into the
// store or its event log.
type Prefs struct{ p fyne.Preferences }

// NewPrefs wraps an app's preferences.
func NewPrefs(p fyne.Preferences) Prefs { return Prefs{p} }

// Text sizes offered in Cài đặt, as a scale of Fyne's sizes.
var TextScales = []float32{0.9, 1, 1.15, 1.3}

// NoticeKinds are the notification kinds, in the order Cài đặt lists them.
var NoticeKinds = []string{docstore.NoticeUrgent, docstore.NoticeAssigned, docstore.NoticeDraft, docstore.NoticeDeadline}

// Language is "vi" (the default) or "en".
func (p Prefs) Language() string {
	if p.p.String("language") == "en" {
		return "en"
	}
	return "vi"
}

func (p Prefs) SetLanguage(l string) { p.p.SetString("language", l) }

// TextScale is the chosen text size (1 = Fyne's).
func (p Prefs) TextScale() float32 {
	s := float32(p.p.FloatWithFallback("text_scale", 1))
	for _, v := range TextScales {
		if v == s {
			return s
		}
	}
	return 1
}

func (p Prefs) SetTextScale(s float32) { p.p.SetFloat("text_scale", float64(s)) }

// DataDir is the data folder chosen in Cài đặt ("" = the default one).
func (p Prefs) DataDir() string { return p.p.String("data_dir") }

func (p Prefs) SetDataDir(dir string) { p.p.SetString("data_dir", dir) }

// personKey is per data folder: the same computer may open the agency's
// folder and a demo, as different people.
func personKey(dir string) string { return "person@" + absDir(dir) }

// absDir names a folder the same way however it was given (./x or /home/…/x).
func absDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// Person is who the user said they are in the data folder dir ("" = not
// yet asked).
func (p Prefs) Person(dir string) string { return p.p.String(personKey(dir)) }

func (p Prefs) SetPerson(dir, id string) { p.p.SetString(personKey(dir), id) }

// Notify tells whether a kind of desktop notification is on (all are, until
// turned off).
func (p Prefs) Notify(kind string) bool { return p.p.BoolWithFallback("notify."+kind, true) }

func (p Prefs) SetNotify(kind string, on bool) { p.p.SetBool("notify."+kind, on) }

// NoticeCursor is what viewer has been told about in dir, if anything.
func (p Prefs) NoticeCursor(dir, viewer string) (docstore.NoticeCursor, bool) {
	var c docstore.NoticeCursor
	s := p.p.String("notice_cursor@" + viewer + "@" + absDir(dir))
	if _, err := fmt.Sscanf(s, "%d %d %d %d", &c.Doc, &c.Assignment, &c.Step, &c.Rebuilds); err != nil {
		return c, false // none, or of an older build: the window starts from now
	}
	return c, true
}

func (p Prefs) SetNoticeCursor(dir, viewer string, c docstore.NoticeCursor) {
	p.p.SetString("notice_cursor@"+viewer+"@"+absDir(dir), fmt.Sprintf("%d %d %d %d", c.Doc, c.Assignment, c.Step, c.Rebuilds))
}

// DeadlineToldOn is the last day viewer was reminded of tomorrow's
// deadlines (once a day is enough).
func (p Prefs) DeadlineToldOn(dir, viewer string) string {
	return p.p.String("deadline_told@" + viewer + "@" + absDir(dir))
}

func (p Prefs) SetDeadlineToldOn(dir, viewer, day string) {
	p.p.SetString("deadline_told@"+viewer+"@"+absDir(dir), day)
}
