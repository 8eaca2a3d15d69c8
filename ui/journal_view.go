package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/data/binding"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail/journal"
)

// The shared journal in the window (design §4.2): the sync indicator of the
// status line, and the "Nhật ký đồng bộ" page it opens.

// SyncIndicator is the status line's journal state: "Đã đồng bộ 10:05",
// "Đang ngoại tuyến", "3 thay đổi chờ gửi", and the warnings, if any. It
// shows once the workstation has joined its agency; a tap opens the
// journal page.
type SyncIndicator struct {
	widget.BaseWidget
	Text, Warnings *widget.Label
	text, warnings binding.String
	icon, warn     *widget.Icon
	OnTapped       func()
}

func newSyncIndicator() *SyncIndicator {
	i := &SyncIndicator{text: binding.NewString(), warnings: binding.NewString(),
		icon: widget.NewIcon(theme.ViewRefreshIcon()), warn: widget.NewIcon(theme.WarningIcon())}
	i.Text = widget.NewLabelWithData(i.text)
	i.Warnings = widget.NewLabelWithData(i.warnings)
	i.Warnings.Importance = widget.DangerImportance
	i.Warnings.TextStyle.Bold = true
	i.warn.Hide()
	i.Warnings.Hide()
	i.ExtendBaseWidget(i)
	return i
}

func (i *SyncIndicator) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewHBox(i.icon, i.Text, i.warn, i.Warnings, widget.NewSeparator()))
}

// Tapped opens the journal page.
func (i *SyncIndicator) Tapped(*fyne.PointEvent) {
	if i.OnTapped != nil {
		i.OnTapped()
	}
}

// Cursor is a hand: the indicator opens the journal page.
func (i *SyncIndicator) Cursor() desktop.Cursor { return desktop.PointerCursor }

// set shows the indicator's words (on the main goroutine).
func (i *SyncIndicator) set(text, warnings string) {
	i.text.Set(text)
	i.warnings.Set(warnings)
	if warnings == "" {
		i.warn.Hide()
		i.Warnings.Hide()
	} else {
		i.warn.Show()
		i.Warnings.Show()
	}
}

// syncWords is what the indicator says for the replicator's last report
// (reported: one came) and the store's counters.
func syncWords(st journal.Status, reported bool, js docstore.JournalStatus) (text, warnings string) {
	switch {
	case st.Online:
		text = T("journal.synced", map[string]any{"Time": syncTime(st.LastSync)})
	case !reported || (st.Err == nil && st.LastSync.IsZero()):
		text = T("journal.connecting")
	default:
		text = T("journal.offline")
	}
	if js.Pending > 0 {
		text += "  ·  " + T("journal.pending", map[string]any{"Count": js.Pending})
	}
	if js.Warnings > 0 {
		warnings = T("journal.warnings", map[string]any{"Count": js.Warnings})
	}
	return text, warnings
}

// syncTime is hh:mm in Vietnam, with the date when it was not today.
func syncTime(t time.Time) string {
	t = t.In(docstore.VietnamTime)
	if t.Format("2006-01-02") != time.Now().In(docstore.VietnamTime).Format("2006-01-02") {
		return t.Format("15:04 02/01/2006")
	}
	return t.Format("15:04")
}

// journalState is what the window knows of the shared journal.
type journalState struct {
	report   journal.Status // the replicator's last report
	reported bool
	store    docstore.JournalStatus // the store's counters, read with the badges
	mark     uint64                 // how far the journals were read (a change: colleagues' work arrived)
	marked   bool                   // mark was read once
}

// initJournal makes the sync indicator and hooks it to the bridge.
func (s *Shell) initJournal() {
	s.Sync = newSyncIndicator()
	s.Sync.OnTapped = s.OpenJournal
	s.Sync.Hide()
	s.journal.report, s.journal.reported = setJournalIndicator(s.journalReport)
}

// journalReport is a report of the replicator, on the main goroutine.
func (s *Shell) journalReport(st journal.Status) {
	s.journal.report, s.journal.reported = st, true
	s.showSync()
	s.RefreshCounts() // the counters, and what colleagues did
	if s.JournalPage != nil && s.showing(s.JournalPage.Content) {
		s.JournalPage.load(s)
	}
}

// readJournal reads the store's journal counters and how far its journals
// were read (in the background, with the badges).
func readJournal(st *docstore.Store) (docstore.JournalStatus, uint64) {
	ctx := context.Background()
	js, err := st.JournalStatus(ctx)
	if err != nil {
		return docstore.JournalStatus{}, 0
	}
	var mark uint64
	if fs, err := st.JournalFolders(ctx); err == nil {
		for _, f := range fs {
			mark += uint64(f.UIDValidity)<<32 | uint64(f.LastUID)
		}
	}
	return js, mark
}

// applyJournal shows the store's counters; when the journals were read
// further (colleagues' work, or this workstation's confirmed), the
// register on screen is read again (its provisional numbers, new rows).
func (s *Shell) applyJournal(js docstore.JournalStatus, mark uint64) {
	moved := s.journal.marked && mark != s.journal.mark
	s.journal.store, s.journal.mark, s.journal.marked = js, mark, true
	s.showSync()
	if !moved || s.back != nil {
		return
	}
	switch s.items[s.current].key {
	case NavIncoming:
		if s.Incoming != nil {
			s.Incoming.Refresh()
		}
	case NavOutgoing:
		if s.Outgoing != nil {
			s.Outgoing.Refresh()
		}
	}
}

func (s *Shell) showSync() {
	if !s.journal.store.Joined {
		s.Sync.Hide()
		return
	}
	s.Sync.set(syncWords(s.journal.report, s.journal.reported, s.journal.store))
	s.Sync.Show()
}

// showing reports whether o is the page on screen.
func (s *Shell) showing(o fyne.CanvasObject) bool {
	return len(s.page.Objects) > 0 && s.page.Objects[0] == o
}

// JournalPage is "Nhật ký đồng bộ": where the journal stands, the rights
// missing on its folders, the numbers claimed again, and the messages of
// the journal that were not applied.
type JournalPage struct {
	Content fyne.CanvasObject
	// The status, one line each.
	State, LastSync, Pending, Folder, SecretFolder, Rights *widget.Label
	SyncNow                                                *widget.Button
	Reclaimed                                              *fyne.Container
	WarningsTitle                                          *widget.Label
	Warnings                                               *widget.List
	warnings                                               []docstore.JournalWarning
	names                                                  map[string]string
	gen                                                    int
}

// OpenJournal shows the journal page; Back returns to the page it came from.
func (s *Shell) OpenJournal() {
	s.leaveTo()
	p := &JournalPage{names: map[string]string{}}
	for _, x := range s.people {
		p.names[x.ID] = x.FullName
	}
	value := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	p.State, p.LastSync, p.Pending, p.Folder, p.SecretFolder, p.Rights = value(), value(), value(), value(), value(), value()
	p.SyncNow = widget.NewButton(T("journal.sync_now"), func() {
		if r := runningJournal(); r != nil {
			r.Kick()
		}
	})
	form := widget.NewForm(
		widget.NewFormItem(T("journal.state"), p.State),
		widget.NewFormItem(T("journal.last_sync"), p.LastSync),
		widget.NewFormItem(T("journal.pending_label"), p.Pending),
		widget.NewFormItem(T("journal.folder"), p.Folder),
		widget.NewFormItem(T("journal.folder_secret"), p.SecretFolder),
		widget.NewFormItem(T("journal.rights"), p.Rights),
	)
	p.Reclaimed = container.NewVBox()
	p.WarningsTitle = heading("journal.warnings_title")
	p.WarningsTitle.Importance = widget.DangerImportance
	p.Warnings = widget.NewList(func() int { return len(p.warnings) },
		func() fyne.CanvasObject {
			head := widget.NewLabel("")
			head.TextStyle.Bold = true
			head.Truncation = fyne.TextTruncateEllipsis
			reason := widget.NewLabel("")
			reason.Truncation = fyne.TextTruncateEllipsis
			reason.TextStyle.Italic = true
			return container.NewVBox(head, reason)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(p.warnings) {
				return
			}
			head, reason := warningLine(p.warnings[i], p.names)
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(head)
			c.Objects[1].(*widget.Label).SetText(reason)
		})
	title := widget.NewLabel(T("journal.title"))
	title.TextStyle.Bold = true
	title.SizeName = theme.SizeNameSubHeadingText
	help := widget.NewLabel(T("journal.warnings_help"))
	help.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(
		container.NewHBox(widget.NewButton(T("doc.back"), s.GoBack), title, layout.NewSpacer(), p.SyncNow),
		form, p.Reclaimed, p.WarningsTitle, help)
	p.Content = container.NewBorder(container.NewPadded(top), nil, nil, nil, p.Warnings)
	s.JournalPage = p
	s.page.Objects = []fyne.CanvasObject{p.Content}
	s.page.Refresh()
	p.load(s)
}

// load reads the page's data in the background and shows it with the
// replicator's last report.
func (p *JournalPage) load(s *Shell) {
	p.gen++
	gen, st, report, reported := p.gen, s.st, s.journal.report, s.journal.reported
	goBackground(func() {
		ctx := context.Background()
		js, err := st.JournalStatus(ctx)
		var folders []docstore.JournalFolder
		var warnings []docstore.JournalWarning
		if err == nil {
			folders, err = st.JournalFolders(ctx)
		}
		if err == nil {
			warnings, err = st.JournalWarnings(ctx)
		}
		OnMain(func() {
			if gen != p.gen {
				return
			}
			if err != nil {
				p.State.SetText(ErrorText(err))
				return
			}
			p.show(s, report, reported, js, folders, warnings)
		})
	})
}

func (p *JournalPage) show(s *Shell, st journal.Status, reported bool, js docstore.JournalStatus, folders []docstore.JournalFolder, warnings []docstore.JournalWarning) {
	switch {
	case !js.Joined:
		p.State.SetText(ErrorText(journal.ErrNotJoined))
	case st.Online:
		p.State.SetText(T("journal.state_online"))
	case !reported || (st.Err == nil && st.LastSync.IsZero()):
		p.State.SetText(T("journal.connecting"))
	default:
		text := T("journal.state_offline")
		if st.Err != nil {
			folder := ""
			for _, f := range folders {
				if f.Scope == docstore.ScopeAgency {
					folder = f.Name
				}
			}
			text += "\n" + journalErrorText(st.Err, folder)
		}
		p.State.SetText(text)
	}
	p.LastSync.SetText(T("journal.never"))
	if !st.LastSync.IsZero() {
		p.LastSync.SetText(st.LastSync.In(docstore.VietnamTime).Format("15:04 02/01/2006"))
	}
	pending := fmt.Sprint(js.Pending)
	if js.LastError != "" {
		pending += "\n" + T("journal.last_error", map[string]any{"Error": js.LastError})
	}
	if js.OutOfOrder {
		pending += "\n" + T("journal.out_of_order")
	}
	p.Pending.SetText(pending)
	folderText(p.Folder, "", T("journal.none"))
	folderText(p.SecretFolder, "", T("journal.no_secret"))
	for _, f := range folders {
		if f.Scope == docstore.ScopeAgency {
			folderText(p.Folder, f.Name, "")
		} else if f.Scope == docstore.ScopeSecret {
			folderText(p.SecretFolder, f.Name, "")
		}
	}
	p.Rights.SetText(rightsText(st.Rights))

	p.Reclaimed.RemoveAll()
	if len(st.Reclaimed) > 0 {
		p.Reclaimed.Add(heading("journal.reclaimed_title"))
		for _, r := range st.Reclaimed {
			p.Reclaimed.Add(s.openButton(T("journal.reclaimed", map[string]any{"Lost": r.Lost, "Number": r.Number}),
				func() { s.OpenDocument(r.DocID) }))
		}
	}
	p.warnings = warnings
	p.WarningsTitle.SetText(T("journal.warnings_title", map[string]any{"Count": len(warnings)}))
	if len(warnings) == 0 {
		p.WarningsTitle.SetText(T("journal.warnings_none"))
		p.WarningsTitle.Importance = widget.MediumImportance
	} else {
		p.WarningsTitle.Importance = widget.DangerImportance
	}
	p.WarningsTitle.Refresh()
	p.Warnings.Refresh()
	refreshTree(p.Content)
}

// folderText shows a folder's name as typed on the server (monospace), or
// the sentence saying there is none.
func folderText(l *widget.Label, name, none string) {
	l.TextStyle.Monospace = name != ""
	if name == "" {
		name = none
	}
	l.SetText(name)
}

// rightsText names the rights missing on each journal folder (scope →
// letters of RFC 4314: l look up, r read, i insert).
func rightsText(missing map[string]string) string {
	var lines []string
	for _, scope := range []string{docstore.ScopeAgency, docstore.ScopeSecret} {
		m := missing[scope]
		if m == "" {
			continue
		}
		var words []string
		for _, r := range m {
			switch r {
			case 'l':
				words = append(words, T("journal.right_l"))
			case 'r':
				words = append(words, T("journal.right_r"))
			case 'i':
				words = append(words, T("journal.right_i"))
			default:
				words = append(words, string(r))
			}
		}
		lines = append(lines, T("journal.rights_line", map[string]any{"Folder": scopeName(scope), "Rights": strings.Join(words, ", ")}))
	}
	if len(lines) == 0 {
		return T("journal.rights_none")
	}
	return strings.Join(lines, "\n") + "\n" + T("journal.rights_help")
}

func scopeName(scope string) string {
	if scope == docstore.ScopeSecret {
		return T("journal.scope_mat")
	}
	return T("journal.scope_agency")
}

// warningKind names a kind of warning.
func warningKind(kind string) string {
	switch kind {
	case "malformed":
		return T("journal.warn_malformed")
	case "signature":
		return T("journal.warn_signature")
	case "forged":
		return T("journal.warn_forged")
	case "invalid":
		return T("journal.warn_invalid")
	}
	return kind
}

// warningLine is a warning's two lines: what, who, where and when; why.
func warningLine(w docstore.JournalWarning, names map[string]string) (head, reason string) {
	actor := names[w.Actor]
	switch {
	case actor == "" && w.Actor == "":
		actor = T("journal.unknown_actor")
	case actor == "":
		actor = w.Actor
	}
	at := ""
	if !w.SeenAt.IsZero() {
		at = w.SeenAt.In(docstore.VietnamTime).Format("02/01/2006 15:04")
	}
	head = T("journal.warn_line", map[string]any{"Kind": warningKind(w.Kind), "Actor": actor, "Folder": scopeName(w.Scope), "UID": w.UID, "Time": at})
	detail := T("journal.reason", map[string]any{"Reason": strings.Join(strings.Fields(w.Reason), " ")})
	if !slices.Contains(docstore.WarnCodes, w.Code) {
		return head, detail // read before the codes existed: the technical text only
	}
	why := T("journal.why."+w.Code, map[string]any{"Actor": actor, "Step": eventStepName(w.EventType)})
	return head, why + "  " + detail
}

// eventStepName names an event type as a step someone takes ("phê duyệt
// dự thảo"); a type this build does not know stays as it is.
func eventStepName(typ string) string {
	if typ == "" || !slices.Contains(docstore.EventTypes(), typ) {
		return typ
	}
	return T("event." + typ)
}
