package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/journal"
)

// Shell is the whole window: the left rail with live badges, the search box
// at the top, the page in the middle and the status line.
type Shell struct {
	st     *docstore.Store
	viewer string
	demo   bool
	today  func() string

	Search   *widget.Entry
	Rail     *widget.List
	Status   *widget.Label
	Activity *widget.ProgressBarInfinite // lit while work outlasts ProgressDelay
	User     *widget.Select              // đổi người dùng (demo)
	Results  *enterList
	Content  fyne.CanvasObject

	items   []navItem
	railSel int    // the rail's selected item, -1 when none (search results)
	back    func() // leaves the open detail or form (Esc, Quay lại); nil on a page
	page    *fyne.Container
	current int
	people  []docstore.Person

	Incoming, Outgoing *Main
	Form               *RegisterForm
	Doc                *DocumentView
	Draft              *DraftView
	DraftForm          *DraftForm
	// The Sổ văn bản page: close/reopen per register, and the new-register row.
	RegisterButtons map[string]*widget.Button
	NewRegister     struct {
		Year, Name *widget.Entry
		Kind       *widget.Select
		PerType    *widget.Check
		Open       *widget.Button
		Message    *widget.Label
	}
	work []docstore.Assignment
	win  fyne.Window

	// The Hộp thư: mailSvc runs the accounts' sync engines and the outbox
	// (nil when the window runs without mail: most tests).
	mailSvc     *mail.Service
	MailView    *MailView
	Composer    *Composer
	AccountForm *AccountForm

	// Dir is the data folder open (Cài đặt shows it); Rebuild, set by
	// main, builds the window again for a person and a page (after a
	// change of language).
	Dir      string
	Rebuild  func(viewer, page string)
	Settings *SettingsPage
	prefs    Prefs
	notifier *Notifier
	notify   struct {
		send   func(*fyne.Notification)
		cancel context.CancelFunc
		done   chan struct{}
	}

	// The shared journal: the status line's indicator, the journal page
	// when open, and the keys of this workstation's people (the OS
	// keyring; tests put memory keys in).
	Sync          *SyncIndicator
	JournalPage   *JournalPage
	ExchangeQueue *ExchangeQueue
	JoinDialog    *JoinDialog
	PersonForm    *PersonForm
	Keys          journal.KeyStore
	journal       journalState

	// OnResults, when set, is told each time search results are shown
	// (the benchmark probe measures the search box with it).
	OnResults func(text string, n int)

	mu        sync.Mutex
	hits      []docstore.Hit
	mailHits  []docstore.MailHit
	searchGen int
	debounce  *time.Timer
}

type navItem struct {
	key   string // nav.incoming …
	badge binding.String
	build func() fyne.CanvasObject
}

// Nav keys, in the order of the rail.
const (
	NavMail     = "nav.mail"
	NavIncoming = "nav.incoming"
	NavOutgoing = "nav.outgoing"
	NavDrafts   = "nav.drafts"
	NavMyWork   = "nav.mywork"
	NavRegister = "nav.registers"
	NavStats    = "nav.stats"
	NavSettings = "nav.settings"
)

// SearchDelay is how long the search box waits after the last keystroke.
// It is short so that results show within 100 ms of the last key; at
// office typing speed (a key every 150–250 ms) most keys then start a
// search, which is cheap (a few milliseconds at 1,000,000 documents, off
// the main goroutine), and a result for an older text is dropped. Only
// fast bursts (held keys, pasting) are merged.
const SearchDelay = 40 * time.Millisecond

// NewShell builds the window's content for viewer. demo adds the
// "đổi người dùng (demo)" switch so one person can play every role.
func NewShell(st *docstore.Store, viewer string, demo bool) *Shell {
	s := &Shell{st: st, viewer: viewer, demo: demo, page: container.NewStack()}
	s.today = st.Today
	s.prefs = NewPrefs(fyne.CurrentApp().Preferences())
	s.people, _ = st.People(context.Background())
	s.items = []navItem{
		{key: NavMail, build: s.mailPage},
		{key: NavIncoming, build: func() fyne.CanvasObject {
			s.Incoming = newRegisterPage(st, s.viewer, docstore.KindIncoming, s.people)
			s.Incoming.OnOpen = s.OpenDocument
			add := widget.NewButton(T("form.register"), s.OpenRegisterForm)
			add.Importance = widget.HighImportance
			if s.Incoming.Tools != nil { // nil when there is no agency yet
				s.Incoming.Tools.Add(add)
				s.Incoming.Tools.Add(s.exchangeButton())
			}
			return s.Incoming.Content
		}},
		{key: NavOutgoing, build: func() fyne.CanvasObject {
			s.Outgoing = newRegisterPage(st, s.viewer, docstore.KindOutgoing, s.people)
			s.Outgoing.OnOpen = s.OpenDocument
			return s.Outgoing.Content
		}},
		{key: NavDrafts, build: s.draftsPage},
		{key: NavMyWork, build: s.myWorkPage},
		{key: NavRegister, build: s.registersPage},
		{key: NavStats, build: func() fyne.CanvasObject { return NewStatsPage(st, s.viewer, s.today()).Content }},
		{key: NavSettings, build: s.settingsPage},
	}
	for i := range s.items {
		s.items[i].badge = binding.NewString()
	}
	s.Rail = widget.NewList(func() int { return len(s.items) },
		func() fyne.CanvasObject {
			title := widget.NewLabel("")
			badge := widget.NewLabel("")
			badge.TextStyle.Bold = true
			badge.Importance = widget.DangerImportance
			return container.NewBorder(nil, nil, nil, badge, title)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(T(s.items[i].key))
			c.Objects[1].(*widget.Label).Bind(s.items[i].badge)
		})
	s.railSel = -1
	s.Rail.OnSelected = func(i widget.ListItemID) { s.railSel = i; s.show(i) }
	s.Rail.OnUnselected = func(widget.ListItemID) { s.railSel = -1 }

	s.Search = widget.NewEntry()
	s.Search.SetPlaceHolder(T("search.placeholder"))
	s.Search.OnChanged = s.typed
	s.Search.OnSubmitted = func(string) { s.runSearch() }
	// Search results: documents first, then messages of the mail cache
	// (the same folded index rules), each opening where it lives.
	s.Results = newEnterList(func() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.hits) + len(s.mailHits) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			s.mu.Lock()
			defer s.mu.Unlock()
			l := o.(*widget.Label)
			if i < len(s.hits) {
				h := s.hits[i]
				l.TextStyle.Bold = h.ExactMarks
				l.SetText(hitLine(h))
				return
			}
			if k := i - len(s.hits); k < len(s.mailHits) {
				l.TextStyle.Bold = false
				l.SetText(mailHitLine(s.mailHits[k]))
			}
		})

	s.Results.OnSelected = func(i widget.ListItemID) {
		s.mu.Lock()
		var docID string
		var mailRow int64
		if i < len(s.hits) {
			docID = s.hits[i].ID
		} else if k := i - len(s.hits); k < len(s.mailHits) {
			mailRow = s.mailHits[k].Rowid
		}
		s.mu.Unlock()
		s.Results.UnselectAll()
		if docID != "" {
			s.OpenDocument(docID)
		} else if mailRow != 0 {
			s.OpenMail(mailRow)
		}
	}

	s.Status = widget.NewLabel("")
	s.Activity = widget.NewProgressBarInfinite()
	s.Activity.Hide()
	s.Activity.Stop()
	working := widget.NewLabel(T("status.working"))
	working.Hide()
	SetActivityIndicator(func(on bool) {
		if on {
			working.Show()
			s.Activity.Show()
			s.Activity.Start()
		} else {
			working.Hide()
			s.Activity.Stop()
			s.Activity.Hide()
		}
	})
	s.Keys = journal.KeyringKeys()
	if demo {
		s.Keys = journal.MemoryKeys() // the demo joins nothing: its keys stay out of the user's keyring
	}
	s.initJournal()
	status := container.NewBorder(nil, nil, s.Sync, container.NewHBox(working, container.NewGridWrap(fyne.NewSize(160, working.MinSize().Height), s.Activity)), s.Status)
	top := container.NewBorder(nil, nil, widget.NewLabel(T("app.title")), s.userSwitch(), s.Search)
	split := container.NewHSplit(s.Rail, s.page)
	split.Offset = 0.17
	s.Content = container.NewBorder(top, status, nil, nil, split)
	s.Rail.Select(1) // Văn bản đến
	s.RefreshCounts()
	return s
}

func notYet(key string) fyne.CanvasObject {
	return container.NewCenter(widget.NewLabel(T(key)))
}

func hitLine(h docstore.Hit) string {
	date := h.ArrivalDate
	if date == "" {
		date = h.DocDate
	}
	return fmt.Sprintf("%s  ·  %s  ·  %s  ·  %s", dmy(date), h.Notation, h.Subject, h.Issuer)
}

// userSwitch is the demo's "đổi người dùng" menu; outside the demo it
// just names the user.
func (s *Shell) userSwitch() fyne.CanvasObject {
	var names []string
	current := ""
	for _, p := range s.people {
		names = append(names, p.Label())
		if p.ID == s.viewer {
			current = p.Label()
		}
	}
	if !s.demo {
		return widget.NewLabel(current)
	}
	s.User = widget.NewSelect(names, func(string) {
		if p := s.people[s.User.SelectedIndex()]; p.ID != s.viewer {
			s.SetViewer(p.ID)
		}
	})
	s.User.PlaceHolder = T("demo.switch_user")
	s.User.Selected = current
	return container.NewHBox(widget.NewLabel(T("demo.switch_user")), container.NewGridWrap(fyne.NewSize(340, s.User.MinSize().Height), s.User))
}

// SetViewer changes who is using the window (demo) and rebuilds the pages.
func (s *Shell) SetViewer(id string) {
	s.viewer = id
	s.Incoming, s.Outgoing = nil, nil
	s.show(s.current)
	s.RefreshCounts()
	if s.notify.send != nil {
		s.StartNotifications(s.notify.send)
	}
}

// StartNotifications sends desktop notifications (send is normally the
// app's SendNotification) for the window's person, until the person
// changes or the window closes.
func (s *Shell) StartNotifications(send func(*fyne.Notification)) {
	s.stopNotifications()
	ctx, cancel := context.WithCancel(context.Background())
	s.notifier = NewNotifier(s.st, s.prefs, s.Dir, s.viewer, send)
	s.notify.send, s.notify.cancel, s.notify.done = send, cancel, make(chan struct{})
	go func(n *Notifier, done chan struct{}) {
		defer close(done)
		n.Run(ctx)
	}(s.notifier, s.notify.done)
}

func (s *Shell) stopNotifications() {
	if s.notify.cancel != nil {
		s.notify.cancel()
		<-s.notify.done
		s.notify.cancel = nil
	}
}

// Close stops the pending search and the notifications, and waits for
// background work.
func (s *Shell) Close() {
	s.mu.Lock()
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.mu.Unlock()
	s.stopNotifications()
	setJournalIndicator(nil)
	WaitBackground()
}

// Viewer is the person the window is open as.
func (s *Shell) Viewer() string { return s.viewer }

func (s *Shell) show(i int) {
	s.current = i
	s.back = nil
	s.page.Objects = []fyne.CanvasObject{s.items[i].build()}
	s.page.Refresh()
}

// Show opens a page by its nav key. Selecting the rail builds the page
// (once); a page already selected is rebuilt.
func (s *Shell) Show(key string) {
	for i, it := range s.items {
		if it.key != key {
			continue
		}
		if s.railSel == i {
			s.show(i)
		} else {
			s.Rail.Select(i)
		}
	}
}

// RefreshCounts recomputes the badges in the background and applies them
// through the bridge; bound labels redraw themselves.
func (s *Shell) RefreshCounts() {
	if s.notifier != nil {
		s.notifier.Kick()
	}
	viewer := s.viewer
	goBackground(func() {
		c, err := s.st.Counts(context.Background(), viewer, s.today())
		js, mark := readJournal(s.st)
		OnMain(func() {
			s.applyJournal(js, mark)
			if err != nil {
				s.Status.SetText(ErrorText(err))
				return
			}
			s.applyCounts(c)
		})
	})
}

func badge(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

func (s *Shell) applyCounts(c docstore.Counts) {
	set := func(key, v string) {
		for _, it := range s.items {
			if it.key == key {
				it.badge.Set(v)
			}
		}
	}
	set(NavIncoming, badge(c.AwaitingDirection))
	set(NavDrafts, badge(c.DraftsWaiting+c.ToIssue))
	work := badge(c.MyPending)
	if c.Overdue > 0 {
		work = fmt.Sprintf("%d · %s %d", c.MyPending, T("work.overdue_short"), c.Overdue)
	}
	set(NavMyWork, work)
	key := "status.local"
	if s.journal.store.Joined {
		key = "status.shared" // the sync indicator says how the connection is
	}
	s.Status.SetText(T(key, map[string]any{
		"Pending": c.MyPending, "DueSoon": c.DueSoon, "Overdue": c.Overdue, "ToIssue": c.ToIssue, "Waiting": c.DraftsWaiting,
	}))
}

// typed debounces the search box: the search runs SearchDelay after the
// last keystroke, off the main goroutine.
func (s *Shell) typed(string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.debounce != nil {
		s.debounce.Stop()
	}
	s.debounce = time.AfterFunc(SearchDelay, func() { OnMain(s.runSearch) })
}

// runSearch searches for the box's text in the background and shows the
// results page; an older search finishing late is dropped.
func (s *Shell) runSearch() {
	text := s.Search.Text
	s.mu.Lock()
	s.searchGen++
	gen := s.searchGen
	s.mu.Unlock()
	if len([]rune(text)) < 2 {
		return
	}
	viewer := s.viewer
	goBackground(func() {
		hits, err := s.st.Search(context.Background(), viewer, docstore.Query{Text: text, Limit: 200})
		var mailHits []docstore.MailHit
		if err == nil {
			mailHits, err = s.st.SearchMail(context.Background(), text, 100)
		}
		OnMain(func() {
			s.mu.Lock()
			stale := gen != s.searchGen
			if !stale && err == nil {
				s.hits, s.mailHits = hits, mailHits
			}
			s.mu.Unlock()
			if stale {
				return
			}
			if err != nil {
				s.Status.SetText(ErrorText(err))
				return
			}
			s.Rail.UnselectAll()
			s.page.Objects = []fyne.CanvasObject{container.NewBorder(
				widget.NewLabel(T("search.results", map[string]any{"Count": len(hits) + len(mailHits), "Text": text})), nil, nil, nil, s.Results)}
			s.page.Refresh()
			s.Results.Refresh()
			if s.OnResults != nil {
				s.OnResults(text, len(hits)+len(mailHits))
			}
		})
	})
}

// Hits are the results shown for the last search.
func (s *Shell) Hits() []docstore.Hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// Install adds the window's keyboard shortcuts: Ctrl+F focuses the search,
// Ctrl+N opens the registration form.
func (s *Shell) Install(w fyne.Window) {
	s.win = w
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { w.Canvas().Focus(s.Search) })
	w.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault},
		func(fyne.Shortcut) { s.New() })
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { s.Dropped(uris) })
	// Esc leaves a detail or form when no text field has the focus: inside
	// a field, Esc must not throw away what was typed.
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyEscape {
			s.GoBack()
		}
	})
}

// Dropped takes files dropped on the window to what is open: the
// registration form attaches them, the new-draft form takes the file, a
// draft gets a new version; dropped on a register page (văn thư), they
// start a registration.
func (s *Shell) Dropped(uris []fyne.URI) {
	if len(s.page.Objects) == 0 || len(uris) == 0 {
		return
	}
	switch open := s.page.Objects[0]; {
	case s.Form != nil && open == s.Form.Content:
		s.Form.AddFiles(uris)
	case s.DraftForm != nil && open == s.DraftForm.Content:
		s.DraftForm.AddFiles(uris)
	case s.Draft != nil && open == s.Draft.Content:
		s.Draft.AddFiles(uris)
	case s.Composer != nil && open == s.Composer.Content:
		s.Composer.AddFiles(uris)
	case s.back == nil && s.items[s.current].key == NavDrafts:
		s.OpenDraftForm()
		s.DraftForm.AddFiles(uris)
	case s.back == nil && s.items[s.current].key == NavIncoming && s.may(docstore.RoleClerk):
		s.OpenRegisterForm()
		s.Form.AddFiles(uris)
	}
}

// New is Ctrl+N: a new draft on the drafts page, else registration (for
// those who register; others get a draft too).
func (s *Shell) New() {
	if s.items[s.current].key == NavDrafts || !s.may(docstore.RoleClerk) {
		s.OpenDraftForm()
		return
	}
	s.OpenRegisterForm()
}

// may reports whether the viewer holds a role (to choose what to offer;
// the store decides what is allowed).
// viewerEmail is the viewer's address in the directory ("" when none).
func (s *Shell) viewerEmail() string {
	for _, p := range s.people {
		if p.ID == s.viewer {
			return p.Email
		}
	}
	return ""
}

func (s *Shell) may(r docstore.Role) bool {
	for _, p := range s.people {
		if p.ID == s.viewer {
			return p.Has(r)
		}
	}
	return false
}

// leaveTo remembers how to return from a detail or form about to open:
// to the rail's page, built afresh (the step just taken may have changed
// it), or to the search results, searched again.
func (s *Shell) leaveTo() {
	if s.back != nil { // a detail opened from a detail returns to the same page
		return
	}
	if s.railSel >= 0 {
		s.back = func() { s.show(s.current) }
		return
	}
	prev := s.page.Objects
	s.back = func() {
		s.back = nil
		s.page.Objects = prev
		s.page.Refresh()
		s.runSearch()
	}
}

// GoBack leaves the open detail or form (Esc); on a page it does nothing.
func (s *Shell) GoBack() {
	if s.back != nil {
		s.back()
	}
}

// OpenDocument shows a document's detail in the page; Back returns to the
// page (or the search results) it came from.
func (s *Shell) OpenDocument(id string) {
	s.leaveTo()
	s.Doc = newDocumentView(s.st, s.viewer, id, s.GoBack, s.RefreshCounts, s.exchange())
	s.page.Objects = []fyne.CanvasObject{s.Doc.Content}
	s.page.Refresh()
}

// OpenRegisterForm shows the "Vào sổ" form in the page; after a
// registration the badges are recounted.
func (s *Shell) OpenRegisterForm() {
	s.leaveTo()
	s.Form = NewRegisterForm(s.st, s.viewer, s.win, s.today(), func(docstore.Registered) { s.RefreshCounts() })
	s.page.Objects = []fyne.CanvasObject{s.Form.Content}
	s.page.Refresh()
	if s.win != nil {
		s.win.Canvas().Focus(s.Form.Issuer)
	}
}

// Rows is the number of documents in the open register page (smoke test).
func (s *Shell) Rows() int {
	switch {
	case s.items[s.current].key == NavOutgoing && s.Outgoing != nil:
		return s.Outgoing.Rows()
	case s.Incoming != nil:
		return s.Incoming.Rows()
	}
	return 0
}

// --- pages ---

func (s *Shell) myWorkPage() fyne.CanvasObject {
	work, err := s.st.MyWork(context.Background(), s.viewer, s.today())
	if err != nil {
		return notYetText(ErrorText(err))
	}
	s.work = work
	groups := []struct {
		key   string
		state docstore.DeadlineState
	}{{"work.overdue", docstore.Overdue}, {"work.due_soon", docstore.DueSoon}, {"work.on_time", docstore.OnTime}, {"work.no_deadline", docstore.NoDeadline}}
	box := container.NewVBox()
	for _, g := range groups {
		var lines []docstore.Assignment
		for _, a := range work {
			if a.DeadlineState == g.state {
				lines = append(lines, a)
			}
		}
		h := widget.NewLabel(T(g.key, map[string]any{"Count": len(lines)}))
		h.TextStyle.Bold = true
		h.SizeName = theme.SizeNameSubHeadingText
		switch g.state {
		case docstore.Overdue:
			h.Importance = widget.DangerImportance
		case docstore.DueSoon:
			h.Importance = widget.WarningImportance
		}
		box.Add(h)
		for _, a := range lines {
			box.Add(s.openButton(fmt.Sprintf("%s  ·  %s  ·  %s  ·  %s", dmy(a.Deadline), a.Notation, a.Subject, T("role."+a.Role)),
				func() { s.OpenDocument(a.DocID) }))
		}
	}
	if len(work) == 0 {
		return notYet("work.none")
	}
	return container.NewVScroll(box)
}

// openButton is one line of a list that opens something: the whole line
// is the target, read left to right like the web systems' lists.
func (s *Shell) openButton(text string, open func()) *widget.Button {
	b := widget.NewButton(text, open)
	b.Alignment = widget.ButtonAlignLeading
	b.Importance = widget.LowImportance
	return b
}

func notYetText(s string) fyne.CanvasObject { return container.NewCenter(widget.NewLabel(s)) }

func (s *Shell) draftsPage() fyne.CanvasObject {
	ctx := context.Background()
	waiting, err := s.st.DraftsWaitingFor(ctx, s.viewer)
	if err != nil {
		return notYetText(ErrorText(err))
	}
	mine, err := s.st.DraftsByAuthor(ctx, s.viewer)
	if err != nil {
		return notYetText(ErrorText(err))
	}
	newDraft := widget.NewButton(T("draft.new"), s.OpenDraftForm)
	newDraft.Importance = widget.HighImportance
	box := container.NewVBox(container.NewHBox(newDraft))
	section := func(key string, ds []docstore.Draft) {
		if len(ds) == 0 {
			return
		}
		h := widget.NewLabel(T(key, map[string]any{"Count": len(ds)}))
		h.TextStyle.Bold = true
		h.SizeName = theme.SizeNameSubHeadingText
		box.Add(h)
		for _, d := range ds {
			t, _ := docstore.LookupDocType(d.Type)
			box.Add(s.openButton(fmt.Sprintf("%s  ·  %s — %s", T("draft."+d.State), t.Name, d.Subject), func() { s.OpenDraft(d.ID) }))
		}
	}
	// Chờ tôi xử lý, bị trả lại, của tôi đang trình, lịch sử.
	var forMe, returned, active, history []docstore.Draft
	for _, d := range waiting {
		if d.State == docstore.DraftReturned {
			returned = append(returned, d)
		} else {
			forMe = append(forMe, d)
		}
	}
	for _, d := range mine {
		switch d.State {
		case docstore.DraftReturned: // listed above
		case docstore.DraftIssued, docstore.DraftCancelled:
			history = append(history, d)
		default:
			active = append(active, d)
		}
	}
	if len(forMe) == 0 {
		box.Add(widget.NewLabel(T("drafts.none")))
	}
	section("drafts.waiting", forMe)
	section("drafts.returned", returned)
	section("drafts.mine", active)
	section("drafts.history", history)
	return container.NewVScroll(box)
}

// OpenDraftForm shows the new-draft form; the new draft opens after it.
func (s *Shell) OpenDraftForm() {
	s.leaveTo()
	s.DraftForm = NewDraftForm(s.st, s.viewer, s.win, func(id string) { s.OpenDraft(id); s.RefreshCounts() })
	s.page.Objects = []fyne.CanvasObject{s.DraftForm.Content}
	s.page.Refresh()
}

// OpenDraft shows a draft with the steps the viewer may take.
func (s *Shell) OpenDraft(id string) {
	s.leaveTo()
	s.Draft = NewDraftView(s.st, s.viewer, id, s.GoBack, s.RefreshCounts)
	s.page.Objects = []fyne.CanvasObject{s.Draft.Content}
	s.page.Refresh()
}

// registersPage lists the registers by year with their counts; a register
// can be closed at year end (văn thư, quản trị) or reopened (quản trị), and
// a new one opened. The store decides who may: others get its refusal.
func (s *Shell) registersPage() fyne.CanvasObject {
	ctx := context.Background()
	regs, err := s.st.Registers(ctx, s.viewer)
	if err != nil {
		return notYetText(ErrorText(err))
	}
	msg := widget.NewLabel("")
	act := func(fn func() error) { runStep(msg, fn, func() { s.show(s.current) }) }
	s.RegisterButtons = map[string]*widget.Button{}
	box := container.NewVBox()
	for _, r := range regs {
		r := r
		line := widget.NewLabel(fmt.Sprintf("%s  ·  %s", registerTitle(r), T("register.count", map[string]any{"Count": r.Count})))
		var b *widget.Button
		if r.Closed {
			b = widget.NewButton(T("register.reopen"), func() { act(func() error { return s.st.ReopenRegister(ctx, s.viewer, r.ID) }) })
		} else {
			// Year end: closed, then printed to be signed and kept
			// (Decree 30 Điều 16.2b, 22.3b).
			b = widget.NewButton(T("register.close"), func() {
				runStep(msg, func() error { return s.st.CloseRegister(ctx, s.viewer, r.ID) }, func() {
					s.show(s.current)
					s.printRegister(r, msg)
				})
			})
		}
		s.RegisterButtons[r.ID] = b
		printBtn := widget.NewButton(T("register.print"), func() { s.printRegister(r, msg) })
		export := widget.NewButton(T("register.export"), func() { s.exportRegister(r, msg) })
		btns := container.NewHBox(printBtn, export, b)
		if r.Kind == docstore.KindIncoming {
			btns.Objects = append([]fyne.CanvasObject{widget.NewButton(T("register.print_tracking"), func() { s.printTracking(r, msg) })}, btns.Objects...)
		}
		box.Add(container.NewBorder(nil, nil, nil, btns, line))
	}
	// Open a new register.
	year := widget.NewEntry()
	year.SetText(s.today()[:4])
	kind := widget.NewSelect([]string{T("register.kind_den"), T("register.kind_di")}, nil)
	kind.SetSelectedIndex(0)
	secret := widget.NewCheck(T("register.secret"), nil)
	// Decree 30 lets an agency with many outgoing documents number some
	// types apart (one counter per type); incoming numbers are always one.
	perType := widget.NewCheck(T("register.per_type"), nil)
	perType.Disable()
	kind.OnChanged = func(string) {
		if kind.SelectedIndex() == 1 {
			perType.Enable()
		} else {
			perType.SetChecked(false)
			perType.Disable()
		}
	}
	name := widget.NewEntry()
	name.SetPlaceHolder(T("register.name"))
	open := widget.NewButton(T("register.open"), func() {
		act(func() error {
			y, err := strconv.Atoi(strings.TrimSpace(year.Text))
			if err != nil {
				return &docstore.FieldError{Field: "year", Reason: "format"}
			}
			k := []string{docstore.KindIncoming, docstore.KindOutgoing}[max(kind.SelectedIndex(), 0)]
			id := fmt.Sprintf("%s-%d", k, y) // den-2027, den-mat-2027: one register of a kind a year
			if secret.Checked {
				id = fmt.Sprintf("%s-mat-%d", k, y)
			}
			if perType.Checked {
				id = strings.Replace(id, k+"-", k+"-loai-", 1) // di-loai-2027: beside the single-counter di-2027
			}
			return s.st.OpenRegister(ctx, s.viewer, docstore.RegisterOpened{ID: id, Kind: k, Year: y, Secret: secret.Checked, PerType: perType.Checked, Name: name.Text})
		})
	})
	s.NewRegister.Year, s.NewRegister.Name, s.NewRegister.Kind, s.NewRegister.PerType = year, name, kind, perType
	s.NewRegister.Open, s.NewRegister.Message = open, msg
	box.Add(heading("register.new"))
	// The name takes the room left by the short fields (a 5-way grid clipped it).
	short := container.NewHBox(container.NewGridWrap(fyne.NewSize(200, kind.MinSize().Height), kind),
		container.NewGridWrap(fyne.NewSize(90, year.MinSize().Height), year), secret, perType)
	box.Add(container.NewBorder(nil, nil, short, open, name))
	box.Add(msg)
	return container.NewVScroll(box)
}

// ShowRegister opens the incoming or outgoing page on a register by id.
func (s *Shell) ShowRegister(id string) {
	regs, err := s.st.Registers(context.Background(), s.viewer)
	if err != nil {
		return
	}
	for _, r := range regs {
		if r.ID != id {
			continue
		}
		if r.Kind == docstore.KindOutgoing {
			s.Show(NavOutgoing)
			s.Outgoing.ShowRegister(id)
		} else {
			s.Show(NavIncoming)
			s.Incoming.ShowRegister(id)
		}
	}
}
