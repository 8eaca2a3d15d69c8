package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/imapsync"
	"congvu/mail/mimemsg"
)

// MailView is the Hộp thư: the folders of every account on the left (with
// unread counts and the outbox), the open folder's messages in a virtual
// list, and the reader. Everything comes from the local cache, so it works
// offline; the sync engines fill the cache behind it and report through
// the one bridge (OnMain).
type MailView struct {
	st     *docstore.Store
	svc    *mail.Service
	viewer string

	Content  fyne.CanvasObject
	Folders  *widget.List
	List     *widget.List
	Reader   *fyne.Container
	Status   *widget.Label
	Message  *widget.Label
	Empty    *widget.Label // "Chưa có thư" / "Chưa có tài khoản thư"
	Compose  *widget.Button
	Reply    *widget.Button
	ReplyAll *widget.Button
	Forward  *widget.Button
	Delete   *widget.Button
	Unread   *widget.Button
	Sync     *widget.Button
	Register *widget.Button // Vào sổ văn bản đến
	// EditDraft continues a message of the Drafts folder in the composer.
	EditDraft *widget.Button

	// Set by the shell: open the composer, the registration form for a
	// message, the account form.
	OnCompose    func(acct docstore.MailAccount, d mimemsg.Draft)
	OnRegister   func(m docstore.MailMessage, files []string)
	OnAddAccount func()
	OnEditDraft  func(acct docstore.MailAccount, d mimemsg.Draft, m docstore.MailMessage)

	accounts []docstore.MailAccount
	entries  []folderEntry
	folder   *folderEntry // open folder (nil: none; Outbox entry: the outbox)
	rowids   []int64
	outbox   []docstore.OutboxItem
	drafts   []docstore.MailDraft
	open     *docstore.MailMessage

	mu    sync.Mutex
	pages map[int][]docstore.MailRow // list rows by page of listPage
	gen   int

	refreshTimer *time.Timer

	// The password bar: shown when an account has no password this run
	// (asked at each start) or its password was refused.
	PasswordBar    *fyne.Container
	PasswordPrompt *widget.Label
	Password       *widget.Entry
	pwFor          string // account id asked for
}

const listPage = 100

// folderEntry is one line of the folder pane.
type folderEntry struct {
	account docstore.MailAccount
	folder  docstore.MailFolder
	heading bool // the account's own line
	outbox  bool // Hộp thư đi
	drafts  bool // Thư nháp trên máy: drafts kept here, not yet on the server
	depth   int
	count   int // outbox: messages not yet sent; drafts: how many (read by Reload, not per row drawn)
}

// same says e is the line of o (a reload makes new entries).
func (e folderEntry) same(o *folderEntry) bool {
	return !e.heading && e.account.ID == o.account.ID && e.outbox == o.outbox && e.drafts == o.drafts && e.folder.ID == o.folder.ID
}

// NewMailView builds the Hộp thư for viewer over the store's mail cache.
func NewMailView(st *docstore.Store, svc *mail.Service, viewer string) *MailView {
	v := &MailView{st: st, svc: svc, viewer: viewer, pages: map[int][]docstore.MailRow{}}
	v.Status = widget.NewLabel("")
	v.Status.Importance = widget.LowImportance
	v.Status.Truncation = fyne.TextTruncateEllipsis
	v.Message = widget.NewLabel("")
	v.Message.Wrapping = fyne.TextWrapWord
	v.Empty = widget.NewLabel("")
	v.Empty.Alignment = fyne.TextAlignCenter
	v.Empty.Wrapping = fyne.TextWrapWord

	v.Folders = widget.NewList(func() int { return len(v.entries) },
		func() fyne.CanvasObject {
			name := widget.NewLabel("")
			name.Truncation = fyne.TextTruncateEllipsis
			count := widget.NewLabel("")
			count.TextStyle.Bold = true
			return container.NewBorder(nil, nil, nil, count, name)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			name, count := c.Objects[0].(*widget.Label), c.Objects[1].(*widget.Label)
			e := v.entries[i]
			name.TextStyle.Bold = e.heading
			name.SetText(strings.Repeat("   ", e.depth) + v.entryName(e))
			count.SetText(v.entryCount(e))
		})
	v.Folders.OnSelected = func(i widget.ListItemID) {
		e := v.entries[i]
		if e.heading {
			return
		}
		v.openFolder(&e)
	}

	v.List = widget.NewList(func() int {
		switch {
		case v.folder != nil && v.folder.outbox:
			return len(v.outbox)
		case v.folder != nil && v.folder.drafts:
			return len(v.drafts)
		}
		return len(v.rowids)
	}, newMailLine, v.updateLine)
	v.List.OnSelected = func(i widget.ListItemID) {
		if v.folder != nil && v.folder.outbox {
			v.showOutboxItem(i)
			return
		}
		if v.folder != nil && v.folder.drafts {
			v.showLocalDraft(i)
			return
		}
		if row, ok := v.row(i); ok {
			v.OpenMessage(row.Rowid)
		}
	}

	v.Reader = container.NewVBox()
	v.Compose = widget.NewButton(T("mail.compose"), func() { v.compose(nil, "") })
	v.Compose.Importance = widget.HighImportance
	v.Reply = widget.NewButton(T("mail.reply"), func() { v.reply(false) })
	v.ReplyAll = widget.NewButton(T("mail.reply_all"), func() { v.reply(true) })
	v.Forward = widget.NewButton(T("mail.forward"), v.forward)
	v.Delete = widget.NewButton(T("mail.delete"), v.delete)
	v.Unread = widget.NewButton(T("mail.mark_unread"), v.markUnread)
	v.Sync = widget.NewButton(T("mail.sync"), func() {
		if v.svc != nil {
			v.svc.Kick()
		}
	})
	v.EditDraft = widget.NewButton(T("mail.edit_draft"), v.editDraft)
	v.Register = widget.NewButton(T("mail.register"), v.register)
	v.Register.Importance = widget.HighImportance
	v.setMessageButtons()

	v.PasswordPrompt = widget.NewLabel("")
	v.Password = widget.NewPasswordEntry()
	v.Password.OnSubmitted = func(string) { v.submitPassword() }
	connect := widget.NewButton(T("mail.connect"), v.submitPassword)
	connect.Importance = widget.HighImportance
	v.PasswordBar = container.NewBorder(nil, nil, v.PasswordPrompt, connect, v.Password)
	v.PasswordBar.Hide()

	tools := container.NewHBox(v.Compose, v.EditDraft, v.Reply, v.ReplyAll, v.Forward, v.Delete, v.Unread, v.Register, v.Sync)
	list := container.NewStack(v.List, container.NewCenter(v.Empty))
	reader := container.NewVScroll(container.NewPadded(v.Reader))
	right := container.NewVSplit(list, reader)
	right.Offset = 0.42
	left := container.NewBorder(nil, nil, nil, nil, v.Folders)
	split := container.NewHSplit(left, right)
	split.Offset = 0.24
	v.Content = container.NewBorder(container.NewVBox(tools, v.PasswordBar), container.NewVBox(v.Message, v.Status), nil, nil, split)
	v.Reload()
	v.Folders.ScrollToTop() // the first account's heading stays in view
	return v
}

// Reload reads the accounts and folders again (after an account is added,
// a sync reported new mail) and keeps the open folder.
func (v *MailView) Reload() {
	ctx := context.Background()
	accts, err := v.st.MailAccounts(ctx)
	if err != nil {
		v.Message.SetText(ErrorText(err))
		return
	}
	v.accounts = accts
	var entries []folderEntry
	for _, a := range accts {
		entries = append(entries, folderEntry{account: a, heading: true})
		fs, err := v.st.MailFolders(ctx, a.ID)
		if err != nil {
			v.Message.SetText(ErrorText(err))
			continue
		}
		for _, f := range treeOrder(fs) {
			if f.NoSelect {
				continue
			}
			depth := 1
			if f.Delim != "" {
				depth += strings.Count(f.Name, f.Delim)
			}
			entries = append(entries, folderEntry{account: a, folder: f, depth: depth})
		}
		unsent := 0
		if items, err := v.st.OutboxItems(ctx, a.ID); err == nil {
			for _, it := range items {
				if it.State != docstore.OutboxAppended && it.State != docstore.OutboxSent {
					unsent++
				}
			}
		}
		entries = append(entries, folderEntry{account: a, outbox: true, depth: 1, count: unsent})
		if ds, err := v.st.MailDrafts(ctx, a.ID, false); err == nil {
			if here := notOnServer(ds); len(here) > 0 {
				entries = append(entries, folderEntry{account: a, drafts: true, depth: 1, count: len(here)})
			}
		}
	}
	v.entries = entries
	v.Folders.Refresh()
	if len(accts) == 0 {
		v.Empty.SetText(T("mail.no_account"))
		v.Empty.Show()
		v.Reader.Objects = []fyne.CanvasObject{widget.NewButton(T("mail.add_account"), func() {
			if v.OnAddAccount != nil {
				v.OnAddAccount()
			}
		})}
		v.Reader.Refresh()
		return
	}
	// Keep the open folder (its counts may have changed), else open the
	// first INBOX.
	sel, keep := -1, false
	for i, e := range entries {
		if v.folder != nil && e.same(v.folder) {
			sel, keep = i, true
			break
		}
	}
	if sel < 0 {
		for i, e := range entries {
			if !e.heading && !e.outbox && !e.drafts && e.folder.Role == docstore.FolderInbox {
				sel = i
				break
			}
		}
	}
	if sel >= 0 {
		if keep {
			e := entries[sel]
			// A sync reports twice a second: read the folder's rows again
			// only when it changed (a 100,000-message list is 20–40 ms).
			changed := e.outbox || e.drafts || e.folder.Total != v.folder.folder.Total || e.folder.Unread != v.folder.folder.Unread ||
				e.folder.UIDNext != v.folder.folder.UIDNext || e.folder.HighestModSeq != v.folder.folder.HighestModSeq ||
				e.folder.UIDValidity != v.folder.folder.UIDValidity
			v.folder = &e
			if changed {
				v.loadList()
			} else { // same messages; their bodies (previews) may have come
				v.mu.Lock()
				clear(v.pages)
				v.mu.Unlock()
				v.List.Refresh()
			}
			return
		}
		v.Folders.Select(sel)
	}
}

// treeOrder keeps the store's order of top-level folders (INBOX, the
// role folders, then the rest by name) and puts each folder's subfolders
// right under it, so "Archive/2025" shows beneath Lưu trữ.
func treeOrder(fs []docstore.MailFolder) []docstore.MailFolder {
	out := make([]docstore.MailFolder, 0, len(fs))
	used := make([]bool, len(fs))
	var add func(i int)
	add = func(i int) {
		used[i] = true
		out = append(out, fs[i])
		if fs[i].Delim == "" {
			return
		}
		prefix := fs[i].Name + fs[i].Delim
		for j, c := range fs {
			if !used[j] && strings.HasPrefix(c.Name, prefix) && !strings.Contains(c.Name[len(prefix):], c.Delim) {
				add(j)
			}
		}
	}
	for i := range fs {
		if !used[i] {
			add(i)
		}
	}
	return out
}

func (v *MailView) entryName(e folderEntry) string {
	switch {
	case e.heading:
		if e.account.DisplayName != "" {
			return e.account.DisplayName + " <" + e.account.Address + ">"
		}
		return e.account.Address
	case e.outbox:
		return T("mail.outbox")
	case e.drafts:
		return T("mail.local_drafts")
	case e.folder.Role != "":
		return T("mail.folder." + e.folder.Role)
	}
	name := e.folder.Name
	if e.folder.Delim != "" {
		if i := strings.LastIndex(name, e.folder.Delim); i >= 0 {
			name = name[i+len(e.folder.Delim):]
		}
	}
	return name
}

func (v *MailView) entryCount(e folderEntry) string {
	switch {
	case e.heading:
		return ""
	case e.outbox || e.drafts:
		if e.count == 0 {
			return ""
		}
		return fmt.Sprint(e.count)
	case e.folder.Unread > 0:
		return fmt.Sprint(e.folder.Unread)
	}
	return ""
}

// openFolder shows a folder's messages (or the outbox) and tells the
// account's engine to watch it with IDLE.
func (v *MailView) openFolder(e *folderEntry) {
	v.folder = e
	v.open = nil
	v.showReader()
	v.loadList()
	if !e.outbox && !e.drafts && v.svc != nil {
		if eng := v.svc.Engine(e.account.ID); eng != nil {
			eng.Open(e.folder.Name)
		}
	}
}

// loadList reads the open folder's row ids (8 bytes a message; the rows
// themselves are read a page at a time as the list shows them).
func (v *MailView) loadList() {
	v.mu.Lock()
	v.pages = map[int][]docstore.MailRow{}
	v.gen++
	v.mu.Unlock()
	ctx := context.Background()
	v.rowids, v.outbox, v.drafts = nil, nil, nil
	if v.folder == nil {
		v.List.Refresh()
		return
	}
	var err error
	if v.folder.outbox {
		v.outbox, err = v.st.OutboxItems(ctx, v.folder.account.ID)
	} else if v.folder.drafts {
		v.drafts, err = v.st.MailDrafts(ctx, v.folder.account.ID, false)
		v.drafts = notOnServer(v.drafts)
	} else {
		v.rowids, err = v.st.MailRowids(ctx, v.folder.folder.ID)
	}
	if err != nil {
		v.Message.SetText(ErrorText(err))
	}
	n := len(v.rowids) + len(v.outbox) + len(v.drafts)
	if n == 0 {
		v.Empty.SetText(T("mail.empty_folder"))
		v.Empty.Show()
	} else {
		v.Empty.Hide()
	}
	v.List.Refresh()
}

// row is list row i, read with its page when first shown.
func (v *MailView) row(i int) (docstore.MailRow, bool) {
	if i < 0 || i >= len(v.rowids) {
		return docstore.MailRow{}, false
	}
	p := i / listPage
	v.mu.Lock()
	rows, ok := v.pages[p]
	v.mu.Unlock()
	if !ok {
		end := min((p+1)*listPage, len(v.rowids))
		var err error
		rows, err = v.st.MailRowsByRowid(context.Background(), v.rowids[p*listPage:end])
		if err != nil {
			return docstore.MailRow{}, false
		}
		v.mu.Lock()
		if len(v.pages) > 30 { // a long scroll keeps memory flat
			clear(v.pages)
		}
		v.pages[p] = rows
		v.mu.Unlock()
	}
	k := i - p*listPage
	if k >= len(rows) || rows[k].Rowid != v.rowids[i] {
		// A row vanished under us (moved by another program): find it.
		for _, r := range rows {
			if r.Rowid == v.rowids[i] {
				return r, true
			}
		}
		return docstore.MailRow{}, false
	}
	return rows[k], true
}

func newMailLine() fyne.CanvasObject {
	from := widget.NewLabel("")
	from.Truncation = fyne.TextTruncateEllipsis
	date := widget.NewLabel("")
	subject := widget.NewLabel("")
	subject.Truncation = fyne.TextTruncateEllipsis
	top := container.NewBorder(nil, nil, nil, date, from)
	return container.NewVBox(top, subject)
}

func (v *MailView) updateLine(i widget.ListItemID, o fyne.CanvasObject) {
	box := o.(*fyne.Container)
	top := box.Objects[0].(*fyne.Container)
	from, date := top.Objects[0].(*widget.Label), top.Objects[1].(*widget.Label)
	subject := box.Objects[1].(*widget.Label)
	if v.folder != nil && v.folder.outbox {
		if i >= len(v.outbox) {
			return
		}
		it := v.outbox[i]
		from.SetText(strings.Join(it.Recipients, ", "))
		date.SetText(it.Created.In(docstore.VietnamTime).Format("02/01 15:04"))
		subject.SetText(subjectOr(it.Subject) + "  ·  " + outboxState(it))
		return
	}
	if v.folder != nil && v.folder.drafts {
		if i >= len(v.drafts) {
			return
		}
		d := v.drafts[i]
		from.SetText(T("mail.to_prefix") + " " + d.Recipients)
		date.SetText(d.Updated.In(docstore.VietnamTime).Format("02/01 15:04"))
		subject.SetText(subjectOr(d.Subject) + "  ·  " + draftState(d))
		return
	}
	r, ok := v.row(i)
	if !ok {
		from.SetText("")
		subject.SetText("")
		date.SetText("")
		return
	}
	who := addrList(r.From)
	if v.folder != nil && (v.folder.folder.Role == docstore.FolderSent || v.folder.folder.Role == docstore.FolderDrafts) {
		who = T("mail.to_prefix") + " " + addrList(r.To)
	}
	mark := ""
	if r.Flagged {
		mark += "★ "
	}
	if len(r.Attachments) > 0 {
		mark += "📎 "
	}
	from.TextStyle.Bold = !r.Seen
	subject.TextStyle.Bold = !r.Seen
	from.SetText(mark + who)
	subject.SetText(subjectOr(r.Subject) + "  —  " + r.Preview)
	date.SetText(mailDate(r.Date))
}

func subjectOr(s string) string {
	if strings.TrimSpace(s) == "" {
		return T("mail.no_subject")
	}
	return s
}

// mailDate: the time for today's mail, dd/mm for this year's, else the full date.
func mailDate(t time.Time) string {
	t = t.In(docstore.VietnamTime)
	now := time.Now().In(docstore.VietnamTime)
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("02/01")
	}
	return t.Format("02/01/2006")
}

func addrList(as []docstore.MailAddress) string {
	var parts []string
	for _, a := range as {
		if a.Name != "" {
			parts = append(parts, a.Name)
		} else {
			parts = append(parts, a.Addr)
		}
	}
	return strings.Join(parts, ", ")
}

func addrFull(as []docstore.MailAddress) string {
	var parts []string
	for _, a := range as {
		if a.Name != "" {
			parts = append(parts, a.Name+" <"+a.Addr+">")
		} else {
			parts = append(parts, a.Addr)
		}
	}
	return strings.Join(parts, ", ")
}

// OpenMessage shows a message in the reader and marks it read (in the
// cache at once, on the server through the queue).
func (v *MailView) OpenMessage(rowid int64) {
	ctx := context.Background()
	m, err := v.st.MailMessage(ctx, rowid)
	if err != nil {
		v.Message.SetText(ErrorText(err))
		return
	}
	v.open = &m
	if !m.Seen {
		if _, err := v.st.QueueMailOp(ctx, rowid, docstore.MailOpAddFlags, `\Seen`); err == nil {
			v.open.Seen = true
			v.kick(m.AccountID)
			v.refreshSoon()
		}
	}
	v.showReader()
}

func (v *MailView) kick(accountID string) {
	if v.svc == nil {
		return
	}
	if e := v.svc.Engine(accountID); e != nil {
		e.Kick()
	}
}

func (v *MailView) setMessageButtons() {
	for _, b := range []*widget.Button{v.Reply, v.ReplyAll, v.Forward, v.Delete, v.Unread} {
		if v.open == nil {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	if v.open != nil && len(v.open.Parts) > 0 {
		v.Register.Enable()
	} else {
		v.Register.Disable()
	}
	if v.open != nil && v.folder != nil && v.folder.folder.Role == docstore.FolderDrafts {
		v.EditDraft.Show()
	} else {
		v.EditDraft.Hide()
	}
}

// readerTextCap: longer texts are cut in the reader (a Label lays out every
// line); the whole message is one "Lưu thành…" away.
const readerTextCap = 200_000

func (v *MailView) showReader() {
	v.setMessageButtons()
	v.Reader.Objects = nil
	m := v.open
	if m == nil {
		v.Reader.Refresh()
		return
	}
	subject := widget.NewLabel(subjectOr(m.Subject))
	subject.TextStyle.Bold = true
	subject.SizeName = "headingText"
	subject.Wrapping = fyne.TextWrapWord
	v.Reader.Add(subject)
	field := func(key, val string) {
		if val == "" {
			return
		}
		l := widget.NewLabel(T(key) + ": " + val)
		l.Wrapping = fyne.TextWrapWord
		v.Reader.Add(l)
	}
	field("mail.from", addrFull(m.From))
	field("mail.to", addrFull(m.To))
	field("mail.cc", addrFull(m.Cc))
	field("mail.date", m.Date.In(docstore.VietnamTime).Format("15:04 02/01/2006"))
	if docs, err := v.st.MailDocuments(context.Background(), m.Rowid); err == nil && len(docs) > 0 {
		for _, id := range docs {
			if d, err := v.st.Document(context.Background(), v.viewer, id); err == nil {
				l := widget.NewLabel(T("mail.registered_as", map[string]any{"Number": d.Number, "Date": dmy(d.ArrivalDate)}))
				l.Importance = widget.SuccessImportance
				v.Reader.Add(l)
			}
		}
	}
	switch m.State {
	case docstore.BodyPresent:
		if len(m.Parts) > 0 {
			v.Reader.Add(heading("mail.attachments"))
			for _, p := range m.Parts {
				v.Reader.Add(v.partLine(*m, p))
			}
		}
		text := m.Text
		if len(text) > readerTextCap {
			text = text[:readerTextCap] + "\n…"
		}
		body := widget.NewLabel(text)
		body.Wrapping = fyne.TextWrapWord
		body.Selectable = true
		v.Reader.Add(widget.NewSeparator())
		v.Reader.Add(body)
	default:
		note := T("mail.body_missing")
		if m.State == docstore.BodyDeferred {
			note = T("mail.body_large", map[string]any{"Size": sizeMB(m.Size)})
		}
		if m.State == docstore.BodyFailed {
			note = T("mail.body_failed")
		}
		l := widget.NewLabel(note)
		l.Wrapping = fyne.TextWrapWord
		var fetch *widget.Button
		fetch = widget.NewButton(T("mail.download"), func() { v.download(m.Rowid, fetch) })
		v.Reader.Add(l)
		v.Reader.Add(container.NewHBox(fetch))
		if len(m.Attachments) > 0 {
			v.Reader.Add(widget.NewLabel(T("mail.attachments") + ": " + strings.Join(m.Attachments, ", ")))
		}
	}
	v.Reader.Refresh()
}

func sizeMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// download fetches one message over the cap (or one whose body failed).
func (v *MailView) download(rowid int64, btn *widget.Button) {
	if v.svc == nil {
		return
	}
	m := v.open
	eng := v.svc.Engine(m.AccountID)
	if eng == nil {
		v.Message.SetText(ErrorText(imapsync.ErrOffline))
		return
	}
	btn.Disable()
	v.Message.SetText(T("mail.downloading"))
	goBackground(func() {
		err := eng.FetchBody(context.Background(), rowid)
		OnMain(func() {
			btn.Enable()
			if err != nil {
				v.Message.SetText(ErrorText(err))
				return
			}
			v.Message.SetText("")
			if v.open != nil && v.open.Rowid == rowid {
				v.OpenMessage(rowid)
			}
		})
	})
}

// partLine is one attachment: its name made safe for display (no direction
// override can turn "hoadon‮fdp.exe" into "hoadonexe.pdf"), size, Mở and
// Lưu thành….
func (v *MailView) partLine(m docstore.MailMessage, p docstore.MailPart) fyne.CanvasObject {
	name := widget.NewLabel(docstore.SafeFileName(p.Name))
	name.Truncation = fyne.TextTruncateEllipsis
	size := widget.NewLabel("")
	if p.Size >= 0 {
		size.SetText(sizeText(p.Size))
	}
	open := widget.NewButton(T("doc.open"), func() { v.openPart(m, p) })
	save := widget.NewButton(T("file.save_as"), func() { v.savePart(m, p) })
	return container.NewBorder(nil, nil, nil, container.NewHBox(size, open, save), name)
}

func (v *MailView) partsDir() string { return filepath.Join(v.st.Dir(), "tmp", "mail") }

func (v *MailView) openPart(m docstore.MailMessage, p docstore.MailPart) {
	v.Message.SetText(T("mail.opening", map[string]any{"Name": docstore.SafeFileName(p.Name)}))
	goBackground(func() {
		path, err := mail.ExtractPart(v.st, m, p, v.partsDir())
		OnMain(func() {
			if err != nil {
				v.Message.SetText(fileErrorText(err))
				return
			}
			v.Message.SetText("")
			openPath(v.Message, path)
		})
	})
}

// savePart is "Lưu thành…" of an attachment: the same dialog and copy as a
// document's file, the attachment decoded from its message on the way.
func (v *MailView) savePart(m docstore.MailMessage, p docstore.MailPart) {
	askSaveAs(windowFor(v.Content), v.Message, docstore.Attachment{Name: p.Name}, func(w fyne.URIWriteCloser) {
		saveStream(p.Name, func(w io.Writer) error {
			_, err := mail.CopyPart(v.st, m, p, w)
			return err
		}, w, nil, v.Message, nil)
	})
}

func (v *MailView) accountOf(id string) (docstore.MailAccount, bool) {
	for _, a := range v.accounts {
		if a.ID == id {
			return a, true
		}
	}
	return docstore.MailAccount{}, false
}

// parsed is the open message as mimemsg sees it (for reply and forward).
func (v *MailView) parsed() *mimemsg.Message {
	m := v.open
	return &mimemsg.Message{Subject: m.Subject, From: m.From, To: m.To, Cc: m.Cc, ReplyTo: m.ReplyTo,
		Date: m.Date, MessageID: m.MessageID, InReplyTo: m.InReplyTo, Text: m.Text, Parts: m.Parts}
}

func (v *MailView) compose(d *mimemsg.Draft, accountID string) {
	if v.OnCompose == nil || len(v.accounts) == 0 {
		return
	}
	acct := v.accounts[0]
	if a, ok := v.accountOf(accountID); ok {
		acct = a
	} else if v.folder != nil {
		acct = v.folder.account
	}
	var draft mimemsg.Draft
	if d != nil {
		draft = *d
	}
	v.OnCompose(acct, draft)
}

func (v *MailView) reply(all bool) {
	if v.open == nil {
		return
	}
	a, _ := v.accountOf(v.open.AccountID)
	d := mimemsg.Reply(v.parsed(), docstore.MailAddress{Name: a.DisplayName, Addr: a.Address}, all)
	v.compose(&d, v.open.AccountID)
}

func (v *MailView) forward() {
	if v.open == nil {
		return
	}
	m := *v.open
	d := mimemsg.Forward(v.parsed())
	for _, p := range m.Parts {
		p := p
		d.Attachments = append(d.Attachments, mimemsg.Attachment{Name: p.Name, MIMEType: p.MIMEType, Open: func() (io.ReadCloser, error) {
			return mail.PartReadCloser(v.st, m, p), nil
		}})
	}
	v.compose(&d, m.AccountID)
}

// editDraft opens a message of the Drafts folder in the composer, with its
// files; saving it again replaces it on the server, sending removes it.
func (v *MailView) editDraft() {
	if v.open == nil || v.OnEditDraft == nil {
		return
	}
	m := *v.open
	a, _ := v.accountOf(m.AccountID)
	d := mimemsg.Draft{To: m.To, Cc: m.Cc, Subject: m.Subject, Text: m.Text, MessageID: m.MessageID, InReplyTo: m.InReplyTo}
	for _, p := range m.Parts {
		p := p
		d.Attachments = append(d.Attachments, mimemsg.Attachment{Name: p.Name, MIMEType: p.MIMEType, Open: func() (io.ReadCloser, error) {
			return mail.PartReadCloser(v.st, m, p), nil
		}})
	}
	v.OnEditDraft(a, d, m)
}

func (v *MailView) delete() {
	if v.open == nil {
		return
	}
	m := v.open
	if _, err := v.st.QueueMailOp(context.Background(), m.Rowid, docstore.MailOpDelete, ""); err != nil {
		v.Message.SetText(ErrorText(err))
		return
	}
	v.open = nil
	v.kick(m.AccountID)
	v.showReader()
	v.refreshNow()
}

func (v *MailView) markUnread() {
	if v.open == nil {
		return
	}
	if _, err := v.st.QueueMailOp(context.Background(), v.open.Rowid, docstore.MailOpRemoveFlags, `\Seen`); err != nil {
		v.Message.SetText(ErrorText(err))
		return
	}
	v.kick(v.open.AccountID)
	v.refreshNow()
}

// register extracts the attachments and opens the registration form
// pre-filled from the message (issuer from the sender, trích yếu from the
// subject, source email); the shell links message and document after.
func (v *MailView) register() {
	if v.open == nil || v.OnRegister == nil {
		return
	}
	m := *v.open
	v.Message.SetText(T("mail.preparing_files"))
	goBackground(func() {
		var files []string
		var err error
		for _, p := range m.Parts {
			var path string
			path, err = mail.ExtractPart(v.st, m, p, v.partsDir())
			if err != nil {
				break
			}
			files = append(files, path)
		}
		OnMain(func() {
			if err != nil {
				v.Message.SetText(fileErrorText(err))
				return
			}
			v.Message.SetText("")
			v.OnRegister(m, files)
		})
	})
}

// readerHead empties the reader for something that is not a received
// message (an outbox item, a draft): its subject and recipients.
func (v *MailView) readerHead(subject, to string) {
	v.open = nil
	v.setMessageButtons()
	v.Reader.Objects = nil
	title := widget.NewLabel(subjectOr(subject))
	title.TextStyle.Bold = true
	v.Reader.Add(title)
	v.Reader.Add(widget.NewLabel(T("mail.to") + ": " + to))
}

func (v *MailView) showOutboxItem(i int) {
	if i >= len(v.outbox) {
		return
	}
	it := v.outbox[i]
	v.readerHead(it.Subject, strings.Join(it.Recipients, ", "))
	state := widget.NewLabel(outboxState(it))
	state.Wrapping = fyne.TextWrapWord
	if it.State == docstore.OutboxFailed {
		state.Importance = widget.DangerImportance
	}
	v.Reader.Add(state)
	if it.LastError != "" && it.State != docstore.OutboxAppended {
		// The server's own words, for the agency's IT.
		e := widget.NewLabel(T("mail.outbox.reason", map[string]any{"Reason": it.LastError}))
		e.Wrapping = fyne.TextWrapWord
		e.Importance = widget.LowImportance
		v.Reader.Add(e)
	}
	if it.State == docstore.OutboxQueued || it.State == docstore.OutboxFailed {
		retry := widget.NewButton(T("mail.outbox.retry"), func() {
			if err := v.st.RequeueOutbox(context.Background(), it.ID); err != nil && !errors.Is(err, docstore.ErrTransition) {
				v.Message.SetText(ErrorText(err))
			}
			if v.svc != nil {
				v.svc.Sender.Kick()
			}
			v.refreshNow()
		})
		remove := widget.NewButton(T("mail.outbox.remove"), func() {
			if err := v.st.DeleteOutbox(context.Background(), it.ID); err != nil {
				v.Message.SetText(ErrorText(err))
			}
			v.refreshNow()
		})
		v.Reader.Add(container.NewHBox(retry, remove))
	}
	v.Reader.Refresh()
}

func draftState(d docstore.MailDraft) string {
	if d.Uploaded {
		return T("mail.draft.on_server")
	}
	return T("mail.draft.here_only")
}

// showLocalDraft shows a draft kept here, with "Sửa tiếp" and "Bỏ nháp".
func (v *MailView) showLocalDraft(i int) {
	if i >= len(v.drafts) {
		return
	}
	d := v.drafts[i]
	v.readerHead(d.Subject, d.Recipients)
	v.Reader.Add(widget.NewLabel(draftState(d)))
	edit := widget.NewButton(T("mail.edit_draft"), func() { v.editLocalDraft(d) })
	edit.Importance = widget.HighImportance
	discard := widget.NewButton(T("mail.draft.discard"), func() {
		if v.svc == nil {
			return
		}
		if err := v.svc.DiscardDraft(context.Background(), d.AccountID, d.ID); err != nil {
			v.Message.SetText(ErrorText(err))
		}
		v.refreshNow()
	})
	v.Reader.Add(container.NewHBox(edit, discard))
	v.Reader.Refresh()
}

// editLocalDraft reads a draft kept here back into the composer.
func (v *MailView) editLocalDraft(d docstore.MailDraft) {
	if v.OnEditDraft == nil {
		return
	}
	m := docstore.MailMessage{MailRow: docstore.MailRow{State: docstore.BodyPresent, Blob: d.Blob, AccountID: d.AccountID}}
	rc, err := v.st.OpenMailRaw(context.Background(), d.Blob)
	if err != nil {
		v.Message.SetText(ErrorText(err))
		return
	}
	parsed, _ := mimemsg.Parse(rc)
	rc.Close()
	if parsed == nil {
		return
	}
	m.MessageID, m.Text, m.Parts = parsed.MessageID, parsed.Text, parsed.Parts
	m.Subject, m.To, m.Cc, m.InReplyTo = parsed.Subject, parsed.To, parsed.Cc, parsed.InReplyTo
	v.open = &m
	v.editDraft()
	v.open = nil
}

// outboxState says in Vietnamese where a message on its way out stands:
// queued (and when the next try is), refused for good, sent.
func outboxState(it docstore.OutboxItem) string {
	switch {
	case it.State == docstore.OutboxQueued && it.Attempts > 0:
		return T("mail.outbox.retrying", map[string]any{"Time": it.NextTry.In(docstore.VietnamTime).Format("15:04 02/01")})
	case it.State == docstore.OutboxFailed:
		return T("mail.outbox.refused")
	}
	return T("mail.outbox." + it.State)
}

// Progress shows an engine's report in the status line; on the main
// goroutine (the shell's bridge calls it through OnMain).
func (v *MailView) Progress(p imapsync.Progress) {
	a, _ := v.accountOf(p.Account)
	who := a.Address
	switch p.Phase {
	case imapsync.PhaseConnect:
		v.Status.SetText(T("mail.status.connecting", map[string]any{"Account": who}))
	case imapsync.PhaseHeaders, imapsync.PhaseBodies:
		v.Status.SetText(T("mail.status.syncing", map[string]any{"Account": who, "Folder": p.Folder}))
		v.refreshSoon()
	case imapsync.PhaseIdle:
		v.Status.SetText(T("mail.status.idle", map[string]any{"Account": who, "Time": time.Now().Format("15:04")}))
		v.refreshSoon()
	case imapsync.PhaseOffline:
		text := T("mail.status.offline", map[string]any{"Account": who, "Reason": ErrorText(p.Err)})
		if !p.Retry.IsZero() {
			text += " " + T("mail.status.retry", map[string]any{"Time": p.Retry.Format("15:04:05")})
		}
		v.Status.SetText(text)
		// No password (asked at each start), or a refused one: ask.
		if errors.Is(p.Err, account.ErrNoPassword) || errors.Is(p.Err, account.ErrAuthFailed) {
			v.askPassword(a)
		}
	}
	if p.Phase != imapsync.PhaseOffline && v.pwFor == p.Account {
		v.PasswordBar.Hide()
		v.Content.Refresh()
		v.pwFor = ""
	}
}

// askPassword shows the password bar for an account whose password is
// missing or was refused; the password goes to the service (the keyring
// when the account saves it, else memory for this run) and the account's
// engine tries again at once.
func (v *MailView) askPassword(a docstore.MailAccount) {
	if v.svc == nil || a.ID == "" {
		return
	}
	v.pwFor = a.ID
	v.PasswordPrompt.SetText(T("mail.password_for", map[string]any{"Account": a.Address}))
	v.Password.SetText("")
	v.PasswordBar.Show()
	v.Content.Refresh() // the top bar grew: lay the page out again
}

func (v *MailView) submitPassword() {
	id, pw := v.pwFor, v.Password.Text
	if id == "" || pw == "" {
		return
	}
	a, _ := v.accountOf(id)
	save := a.PasswordMode != docstore.PasswordAsk
	v.Password.SetText("")
	goBackground(func() {
		err := v.svc.SetPassword(context.Background(), id, pw, save)
		OnMain(func() {
			if err != nil {
				v.Message.SetText(ErrorText(err))
				return
			}
			v.PasswordBar.Hide()
			v.Content.Refresh()
			v.Status.SetText(T("mail.status.connecting", map[string]any{"Account": a.Address}))
		})
	})
}

// refreshSoon reloads counts and the list at most twice a second while a
// sync streams in.
func (v *MailView) refreshSoon() {
	if v.refreshTimer != nil {
		return
	}
	v.refreshTimer = time.AfterFunc(500*time.Millisecond, func() {
		OnMain(func() {
			v.refreshTimer = nil
			v.refreshNow()
		})
	})
}

func (v *MailView) refreshNow() {
	v.Reload()
}

// notOnServer keeps the drafts whose latest version the server's Drafts
// folder does not hold yet. One that is there is listed in that folder,
// and opened from it finds its local draft by Message-ID: listing it here
// too showed every uploaded draft twice.
func notOnServer(ds []docstore.MailDraft) []docstore.MailDraft {
	out := ds[:0:0]
	for _, d := range ds {
		if !d.Uploaded {
			out = append(out, d)
		}
	}
	return out
}
