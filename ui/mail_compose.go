package ui

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"image/color"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/docs-store/vntext"
	cvmail "congvu/mail"
	"congvu/mail/mimemsg"
)

// Composer is "Soạn thư": a new message, or a reply or forward made ready
// by mimemsg.Reply/Forward. Sending puts the message in the outbox (the
// sender submits it when there is a connection). Files are read only when
// the message is composed into the outbox — from disk, or from the blob
// store for a registered document's files — never held in memory.
type Composer struct {
	Content fyne.CanvasObject

	// From lists the accounts ("Tên <địa chỉ>").
	From *widget.Select
	// To, Cc and Bcc complete the part after the last comma from the
	// addresses seen in mail (st.MailAddresses); the options are on the
	// field's arrow, and choosing one completes that part.
	To, Cc, Bcc *widget.SelectEntry
	Subject     *widget.Entry
	Body        *widget.Entry
	// Attachments lists the files: name, size and "Bỏ".
	Attachments                              *widget.List
	AttachFile, AttachDocument, Send, Cancel *widget.Button
	// SaveDraft keeps the message as a draft: here at once, on the
	// server's Drafts at the next sync (replacing its previous version).
	SaveDraft *widget.Button
	Message   *widget.Label

	svc        *cvmail.Service
	st         *docstore.Store
	viewer     string
	accounts   []docstore.MailAccount
	base       mimemsg.Draft // what came in: threading headers, message id
	done       func(queued bool)
	files      []composeFile
	documentID string // the registered document whose files are attached (the first one)
	errs       map[string]*widget.Label
	menus      map[*widget.SelectEntry]*fyne.Menu // each address field's completions
	filesBox   *fyne.Container
	filesSizer *canvas.Rectangle
	body       *fyne.Container
	picker     *composePicker
	draftID    string // the saved draft this composer replaces ("" none yet)
	// serverCopy is where a draft opened from the server's Drafts folder
	// is (UIDVALIDITY, UID), so its first save here replaces it.
	serverCopy [2]uint32
}

// composeFile is one attachment of the message being written.
type composeFile struct {
	Name     string
	Size     int64  // -1: not known (a forwarded part)
	Path     string // a file on disk; "" otherwise
	SHA256   string // a registered document's file in the blob store; "" otherwise
	MIMEType string
	open     func() (io.ReadCloser, error)
}

// NewComposer builds the composer. accounts are those the user may send
// from (the first is chosen unless d.From names another); d is the draft
// to start from (empty, or a reply or forward); done is called with true
// once the message is in the outbox, false when the user cancels.
func NewComposer(svc *cvmail.Service, st *docstore.Store, viewer string, accounts []docstore.MailAccount, d mimemsg.Draft, done func(queued bool)) *Composer {
	c := &Composer{svc: svc, st: st, viewer: viewer, accounts: accounts, base: d, done: done,
		errs: map[string]*widget.Label{}, menus: map[*widget.SelectEntry]*fyne.Menu{}}
	var names []string
	chosen := 0
	for i, a := range accounts {
		names = append(names, composeAddress(docstore.MailAddress{Name: a.DisplayName, Addr: a.Address}))
		if d.From.Addr != "" && strings.EqualFold(a.Address, d.From.Addr) {
			chosen = i
		}
	}
	c.From = widget.NewSelect(names, nil)
	if len(names) > 0 {
		c.From.SetSelectedIndex(chosen)
	} else {
		c.From.Disable()
	}
	c.To, c.Cc, c.Bcc = c.addressEntry(d.To), c.addressEntry(d.Cc), c.addressEntry(d.Bcc)
	c.To.SetPlaceHolder(T("compose.to_placeholder"))
	c.Subject = widget.NewEntry()
	c.Subject.SetText(d.Subject)
	c.Body = widget.NewMultiLineEntry()
	c.Body.Wrapping = fyne.TextWrapWord
	c.Body.SetMinRowsVisible(12)
	c.Body.SetPlaceHolder(T("compose.body_placeholder"))
	c.Body.SetText(d.Text)
	c.Body.CursorRow, c.Body.CursorColumn = 0, 0 // a reply is written above the quote
	c.Body.Refresh()
	for _, a := range d.Attachments {
		c.files = append(c.files, composeFile{Name: a.Name, Size: -1, MIMEType: a.MIMEType, open: a.Open})
	}

	c.Message = widget.NewLabel("")
	c.Message.Wrapping = fyne.TextWrapWord
	c.Attachments = widget.NewList(func() int { return len(c.files) }, func() fyne.CanvasObject {
		name := widget.NewLabel("")
		name.Truncation = fyne.TextTruncateEllipsis
		size := widget.NewLabel("")
		size.Importance = widget.LowImportance
		return container.NewBorder(nil, nil, nil, container.NewHBox(size, widget.NewButton(T("file.remove"), nil)), name)
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id < 0 || id >= len(c.files) {
			return
		}
		box := o.(*fyne.Container) // NewBorder: the centre first, then right
		right := box.Objects[1].(*fyne.Container)
		box.Objects[0].(*widget.Label).SetText(c.files[id].Name)
		right.Objects[0].(*widget.Label).SetText(composeSize(c.files[id].Size))
		right.Objects[1].(*widget.Button).OnTapped = func() { c.RemoveAttachment(id) }
		box.Refresh() // the size's width changed
	})
	c.AttachFile = widget.NewButton(T("file.attach"), func() {
		win := windowFor(c.Content)
		if win == nil {
			return
		}
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err == nil && r != nil {
				r.Close() // opened again when the message is composed
				c.AddFiles([]fyne.URI{r.URI()})
			}
		}, win)
	})
	c.AttachDocument = widget.NewButton(T("compose.attach_document"), c.OpenDocumentPicker)
	c.Send = widget.NewButton(T("compose.send"), c.send)
	c.Send.Importance = widget.HighImportance
	c.Send.SetIcon(theme.MailSendIcon())
	c.SaveDraft = widget.NewButton(T("compose.save_draft"), c.saveDraft)
	c.Cancel = widget.NewButton(T("compose.cancel"), func() {
		if c.done != nil {
			c.done(false)
		}
	})

	errLabel := func(name string) *widget.Label {
		e := widget.NewLabel("")
		e.Importance = widget.DangerImportance
		e.Wrapping = fyne.TextWrapWord
		e.Hide()
		c.errs[name] = e
		return e
	}
	field := func(key, name string, w fyne.CanvasObject) fyne.CanvasObject {
		l := widget.NewLabel(T(key))
		return container.NewBorder(nil, errLabel(name), nil, nil,
			container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(90, l.MinSize().Height), l), nil, w))
	}
	title := widget.NewLabel(T("compose.title"))
	title.TextStyle.Bold = true
	title.SizeName = "headingText"
	head := container.NewVBox(title,
		field("compose.from", "from", c.From),
		field("compose.to", "to", c.To),
		field("compose.cc", "cc", c.Cc),
		field("compose.bcc", "bcc", c.Bcc),
		field("compose.subject", "subject", c.Subject))
	c.filesSizer = canvas.NewRectangle(color.Transparent)
	c.filesBox = container.NewStack(c.filesSizer, c.Attachments)
	foot := container.NewVBox(
		container.NewHBox(c.AttachFile, c.AttachDocument, dropHint()),
		c.filesBox, errLabel("attachments"),
		container.NewHBox(c.Send, c.SaveDraft, c.Cancel),
		c.Message)
	c.body = container.NewBorder(head, foot, nil, nil, c.Body)
	c.Content = container.NewPadded(c.body)
	c.showFiles()
	return c
}

// addressEntry is an address field holding list, with completion.
func (c *Composer) addressEntry(list []docstore.MailAddress) *widget.SelectEntry {
	e := widget.NewSelectEntry(nil)
	// The arrow shows this field's completions; choosing one completes the
	// part being typed rather than replacing the whole field.
	arrow := widget.NewButtonWithIcon("", theme.MenuDropDownIcon(), func() {
		cv := fyne.CurrentApp().Driver().CanvasForObject(e)
		m := c.menus[e]
		if cv == nil || m == nil || len(m.Items) == 0 {
			return
		}
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(e).Add(fyne.NewPos(0, e.Size().Height))
		pop := widget.NewPopUpMenu(m, cv)
		pop.ShowAtPosition(pos)
		pop.Resize(fyne.NewSize(e.Size().Width, pop.MinSize().Height))
	})
	arrow.Importance = widget.LowImportance
	e.ActionItem = arrow // before anything makes the renderer, which takes the item it finds
	var parts []string
	for _, a := range list {
		parts = append(parts, composeAddress(a))
	}
	e.SetText(strings.Join(parts, ", "))
	e.OnChanged = func(s string) { c.suggest(e, s) }
	return e
}

// suggest looks up the addresses completing the part after the last comma.
func (c *Composer) suggest(e *widget.SelectEntry, text string) {
	_, part := composeLastPart(text)
	prefix := strings.TrimSpace(part)
	if prefix == "" || strings.ContainsRune(prefix, '<') {
		c.setSuggestions(e, nil)
		return
	}
	st := c.st
	goBackground(func() {
		found, err := st.MailAddresses(context.Background(), prefix, 8)
		OnMain(func() {
			if _, now := composeLastPart(e.Text); err != nil || strings.TrimSpace(now) != prefix {
				return // typed on meanwhile
			}
			c.setSuggestions(e, found)
		})
	})
}

func (c *Composer) setSuggestions(e *widget.SelectEntry, found []docstore.MailAddress) {
	var opts []string
	var items []*fyne.MenuItem
	for _, a := range found {
		opt := composeAddress(a)
		opts = append(opts, opt)
		items = append(items, fyne.NewMenuItem(opt, func() { c.complete(e, opt) }))
	}
	c.menus[e] = fyne.NewMenu("", items...)
	e.SetOptions(opts)
}

// complete replaces the part being typed with a chosen address, leaving
// ", " after it for the next one.
func (c *Composer) complete(e *widget.SelectEntry, opt string) {
	head, _ := composeLastPart(e.Text)
	if head = strings.TrimSpace(head); head != "" {
		head += " "
	}
	text := head + opt + ", "
	e.SetText(text)
	e.CursorRow, e.CursorColumn = 0, len([]rune(text))
	e.Refresh()
}

// Suggestions are a field's current completions, as shown on its arrow.
func (c *Composer) Suggestions(e *widget.SelectEntry) []string {
	var out []string
	if m := c.menus[e]; m != nil {
		for _, it := range m.Items {
			out = append(out, it.Label)
		}
	}
	return out
}

// ChooseSuggestion is what picking the i-th completion of e does.
func (c *Composer) ChooseSuggestion(e *widget.SelectEntry, i int) {
	if m := c.menus[e]; m != nil && i >= 0 && i < len(m.Items) {
		m.Items[i].Action()
	}
}

// composeAddress writes an address the way the fields show it: "Tên <địa
// chỉ>", the name quoted when it holds a character that separates
// addresses.
func composeAddress(a docstore.MailAddress) string {
	name := strings.TrimSpace(a.Name)
	if name == "" || strings.EqualFold(name, a.Addr) {
		return a.Addr
	}
	if strings.ContainsAny(name, "\"(),:;<>@[\\]") {
		name = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	}
	return name + " <" + a.Addr + ">"
}

// composeSplit cuts an address field at the commas (and semicolons, as
// Outlook users type them) that are outside quotes, angle brackets and
// comments. It returns the start of each part.
func composeSplit(s string) []int {
	starts := []int{0}
	quoted, escaped, angle, paren := false, false, 0, 0
	for i, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\' && quoted:
			escaped = true
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '<':
			angle++
		case r == '>' && angle > 0:
			angle--
		case r == '(':
			paren++
		case r == ')' && paren > 0:
			paren--
		case (r == ',' || r == ';') && angle == 0 && paren == 0:
			starts = append(starts, i+1)
		}
	}
	return starts
}

// composeLastPart splits s into what comes before the part being typed
// (up to and with the last separator) and that part.
func composeLastPart(s string) (head, part string) {
	starts := composeSplit(s)
	last := starts[len(starts)-1]
	return s[:last], s[last:]
}

// addressError is an address field's text that is not a list of addresses.
type addressError struct {
	Field string // "to", "cc", "bcc"
	Text  string // the part that is not an address
}

func (e *addressError) Error() string { return e.Field + ": invalid address " + e.Text }
func (e *addressError) Unwrap() error { return &docstore.FieldError{Field: e.Field, Reason: "format"} }

// composeParse reads an address field: NFC, then each part as an RFC 5322
// address ("Tên <địa chỉ>", or the address alone). Empty parts (a
// trailing comma) are skipped.
func composeParse(field, text string) ([]docstore.MailAddress, error) {
	text = vntext.NFC(text)
	starts := composeSplit(text)
	var out []docstore.MailAddress
	for i, st := range starts {
		end := len(text)
		if i+1 < len(starts) {
			end = starts[i+1] - 1
		}
		part := strings.TrimSpace(text[st:end])
		if part == "" {
			continue
		}
		a, err := mail.ParseAddress(part)
		if err != nil || !composePlausible(a.Address) {
			return nil, &addressError{Field: field, Text: part}
		}
		out = append(out, docstore.MailAddress{Name: vntext.NFC(strings.TrimSpace(a.Name)), Addr: a.Address})
	}
	return out, nil
}

// composePlausible is what the outbox accepts: local@domain, no spaces,
// the domain not starting or ending with a dot.
func composePlausible(addr string) bool {
	local, domain, ok := strings.Cut(addr, "@")
	return ok && local != "" && domain != "" && !strings.ContainsFunc(addr, unicode.IsSpace) &&
		!strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// Draft is the message as it stands, what Send queues: the chosen
// account as From, the parsed address fields, the subject and text (NFC)
// and the attachments (opened only when composed). An address field that
// does not parse is an *addressError (errors.Join of them, one a field).
func (c *Composer) Draft() (mimemsg.Draft, error) {
	d := c.base
	d.From = docstore.MailAddress{}
	if i := c.From.SelectedIndex(); i >= 0 && i < len(c.accounts) {
		d.From = docstore.MailAddress{Name: vntext.NFC(c.accounts[i].DisplayName), Addr: c.accounts[i].Address}
	}
	var errs []error
	for _, f := range []struct {
		name string
		e    *widget.SelectEntry
		dst  *[]docstore.MailAddress
	}{{"to", c.To, &d.To}, {"cc", c.Cc, &d.Cc}, {"bcc", c.Bcc, &d.Bcc}} {
		list, err := composeParse(f.name, f.e.Text)
		if err != nil {
			errs = append(errs, err)
		}
		*f.dst = list
	}
	d.Subject = strings.TrimSpace(vntext.NFC(c.Subject.Text))
	d.Text = vntext.NFC(c.Body.Text)
	d.Attachments = nil
	for _, f := range c.files {
		d.Attachments = append(d.Attachments, mimemsg.Attachment{Name: f.Name, MIMEType: f.MIMEType, Open: f.open})
	}
	return d, errors.Join(errs...)
}

// composeSize is a size for people: bytes, KB, MB or GB, with a decimal
// comma; "" when not known.
func composeSize(n int64) string {
	switch {
	case n < 0:
		return ""
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	}
	v, unit := float64(n)/1024, "KB"
	for _, u := range []string{"MB", "GB"} {
		if v < 1024 {
			break
		}
		v, unit = v/1024, u
	}
	s := fmt.Sprintf("%.1f", v)
	if v >= 100 {
		s = fmt.Sprintf("%.0f", v)
	}
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", ",", 1) + " " + unit
}

// AddFiles is what the file dialog (and a drop of files on the window)
// gives: each local file is attached once; anything else is refused with
// a message.
func (c *Composer) AddFiles(uris []fyne.URI) {
	var refused []string
	for _, u := range uris {
		if err := localFile(u); err != nil {
			refused = append(refused, T("file.refused", map[string]any{"Name": uriName(u), "Reason": fileErrorText(err)}))
			continue
		}
		c.AddFile(u.Path())
	}
	if len(refused) > 0 {
		c.Message.SetText(strings.Join(refused, " "))
	}
}

// AddFile attaches a file on disk. It is opened only when the message is
// composed into the outbox.
func (c *Composer) AddFile(path string) {
	u := storage.NewFileURI(path)
	if err := localFile(u); err != nil {
		c.Message.SetText(T("file.refused", map[string]any{"Name": path, "Reason": fileErrorText(err)}))
		return
	}
	for _, f := range c.files {
		if f.Path == path {
			return
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return
	}
	name := filepath.Base(path)
	c.files = append(c.files, composeFile{Name: name, Size: fi.Size(), Path: path, open: func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
				err = &docstore.FieldError{Field: "file", Reason: "missing"}
			}
			return nil, &attachError{name: name, err: err}
		}
		return f, nil
	}})
	c.errs["attachments"].Hide()
	c.showFiles()
}

// AddDocumentAttachments attaches the files of a registered document the
// viewer may see. They stay in the blob store until the message is
// composed; each is checked against its SHA-256 as it is read, so a
// damaged copy is not sent.
func (c *Composer) AddDocumentAttachments(docID string) {
	st, viewer := c.st, c.viewer
	goBackground(func() {
		atts, err := st.Attachments(context.Background(), viewer, docID)
		OnMain(func() {
			if err != nil {
				c.Message.SetText(ErrorText(err))
				return
			}
			if len(atts) == 0 {
				c.Message.SetText(T("compose.doc_no_files"))
				return
			}
			added := 0
			for _, a := range atts {
				dup := false
				for _, f := range c.files {
					dup = dup || (f.SHA256 == a.SHA256 && f.Name == a.Name)
				}
				if dup {
					continue
				}
				c.files = append(c.files, composeFile{Name: a.Name, Size: a.Size, SHA256: a.SHA256, open: func() (io.ReadCloser, error) {
					f, err := st.Blobs().Open(a.SHA256)
					if err != nil {
						return nil, &attachError{name: a.Name, err: err}
					}
					return &composeBlob{f: f, h: sha256.New(), want: a.SHA256, name: a.Name}, nil
				}})
				added++
			}
			if c.documentID == "" {
				c.documentID = docID
			}
			c.Message.SetText(T("compose.doc_added", map[string]any{"Count": added}))
			c.showFiles()
		})
	})
}

// composeBlob reads a stored file, hashing as it goes: at the end a
// content that does not match its SHA-256 is an error (ErrDamaged).
type composeBlob struct {
	f    *os.File
	h    hash.Hash
	want string
	name string
}

func (b *composeBlob) Read(p []byte) (int, error) {
	n, err := b.f.Read(p)
	b.h.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(b.h.Sum(nil)) != b.want {
		return n, &attachError{name: b.name, err: docstore.ErrDamaged}
	}
	return n, err
}

func (b *composeBlob) Close() error { return b.f.Close() }

// RemoveAttachment is the "Bỏ" of the i-th file.
func (c *Composer) RemoveAttachment(i int) {
	if i < 0 || i >= len(c.files) {
		return
	}
	c.files = append(c.files[:i:i], c.files[i+1:]...)
	c.Attachments.UnselectAll()
	c.showFiles()
}

// showFiles shows the list of files, up to four rows high (it scrolls
// beyond), or nothing when there is none.
func (c *Composer) showFiles() {
	rows := min(len(c.files), 4)
	row := widget.NewButton(T("file.remove"), nil).MinSize().Height + theme.Padding()
	c.filesSizer.SetMinSize(fyne.NewSize(0, float32(rows)*row))
	acctShowIf(c.filesBox, len(c.files) > 0)
	c.Attachments.Refresh()
	c.relayout()
}

func (c *Composer) relayout() {
	refreshTree(c.body)
}

func (c *Composer) clearErrors() {
	for _, e := range c.errs {
		e.Hide()
	}
	c.Message.SetText("")
	c.relayout()
}

// showError puts an error beside its field (an address, the recipients,
// a file), or in the message line.
func (c *Composer) showError(err error) {
	mark := func(field, text string) {
		if l := c.errs[field]; l != nil {
			l.SetText(text)
			l.Show()
		}
	}
	var ae *attachError
	switch {
	case errors.As(err, &ae):
		reason := fileErrorText(ae.err)
		if errors.Is(ae.err, docstore.ErrNotFound) {
			reason = T("file.blob_missing")
		}
		mark("attachments", T("file.refused", map[string]any{"Name": ae.name, "Reason": reason}))
		c.Message.SetText(T("form.fix_fields"))
	case len(composeAddressErrors(err)) > 0:
		for _, e := range composeAddressErrors(err) {
			mark(e.Field, T("compose.bad_address", map[string]any{"Text": e.Text}))
		}
		c.Message.SetText(T("form.fix_fields"))
	default:
		marked := false
		for _, fe := range docstore.FieldErrors(err) {
			if fe.Field == "to" || fe.Field == "recipients" {
				mark("to", T("compose.no_recipient"))
				marked = true
			}
		}
		if marked {
			c.Message.SetText(T("form.fix_fields"))
		} else {
			c.Message.SetText(ErrorText(err))
		}
	}
	c.relayout()
}

// composeAddressErrors lists the address errors inside err.
func composeAddressErrors(err error) []*addressError {
	var out []*addressError
	var walk func(error)
	walk = func(e error) {
		if ae, ok := e.(*addressError); ok {
			out = append(out, ae)
			return
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// send checks the message (an account, the addresses, at least one
// recipient; no subject is asked about) and queues it.
func (c *Composer) send() {
	c.clearErrors()
	i := c.From.SelectedIndex()
	if i < 0 || i >= len(c.accounts) {
		c.errs["from"].SetText(T("compose.no_account"))
		c.errs["from"].Show()
		c.Message.SetText(T("compose.no_account"))
		c.relayout()
		return
	}
	d, err := c.Draft()
	if err != nil {
		c.showError(err)
		return
	}
	if len(mimemsg.Recipients(d)) == 0 {
		c.showError(&docstore.FieldError{Field: "to", Reason: "required"})
		return
	}
	acct := c.accounts[i]
	if d.Subject == "" {
		if win := windowFor(c.Content); win != nil {
			dlg := dialog.NewConfirm(T("compose.no_subject_title"), T("compose.no_subject"), func(yes bool) {
				if yes {
					c.queue(acct, d)
				}
			}, win)
			dlg.SetConfirmText(T("compose.send"))
			dlg.SetDismissText(T("compose.back"))
			dlg.Show()
			return
		}
	}
	c.queue(acct, d)
}

// EditingDraft says the composer continues a draft: its local id ("" when
// it is only on the server) and where the server's copy is.
func (c *Composer) EditingDraft(id string, uidValidity, uid uint32) {
	c.draftID, c.serverCopy = id, [2]uint32{uidValidity, uid}
}

// saveDraft keeps what is written as a draft (addresses may still be
// incomplete); the same draft is replaced at each save.
func (c *Composer) saveDraft() {
	c.clearErrors()
	i := c.From.SelectedIndex()
	if i < 0 || i >= len(c.accounts) {
		c.Message.SetText(T("compose.no_account"))
		return
	}
	d, err := c.Draft()
	if err != nil {
		c.showError(err)
		return
	}
	acct := c.accounts[i]
	c.SaveDraft.Disable()
	svc, st, id, server := c.svc, c.st, c.draftID, c.serverCopy
	goBackground(func() {
		md, err := svc.SaveDraft(context.Background(), acct, &d, id)
		if err == nil && id == "" && server[1] != 0 {
			// Opened from the server's Drafts: the copy there is replaced.
			err = st.MailDraftUploaded(context.Background(), md.ID, time.Time{}, server[0], server[1])
		}
		OnMain(func() {
			c.SaveDraft.Enable()
			if err != nil {
				c.Message.SetText(ErrorText(err))
				return
			}
			c.draftID = md.ID
			c.base.MessageID = d.MessageID // one Message-ID for every version of the draft
			c.Message.SetText(T("compose.draft_saved", map[string]any{"Time": time.Now().Format("15:04")}))
		})
	})
}

// queue puts the message in the outbox in the background.
func (c *Composer) queue(a docstore.MailAccount, d mimemsg.Draft) {
	c.Send.Disable()
	c.Message.SetText(T("compose.queueing"))
	svc, docID := c.svc, c.documentID
	goBackground(func() {
		_, err := svc.Sender.Queue(context.Background(), a, d, docID)
		OnMain(func() {
			if err != nil {
				c.Send.Enable()
				c.showError(err)
				return
			}
			c.Message.SetText(T("compose.queued")) // Send stays off: it is queued once
			if c.draftID != "" {                   // sent: the draft goes, here and on the server
				if err := svc.DiscardDraft(context.Background(), a.ID, c.draftID); err != nil {
					c.Message.SetText(ErrorText(err))
				}
			}
			if c.done != nil {
				c.done(true)
			}
		})
	})
}

// composePicker is the "Đính kèm văn bản…" dialog: a search over the
// documents the viewer may see; choosing one attaches its files.
type composePicker struct {
	Search *widget.Entry
	List   *widget.List
	Status *widget.Label
	hits   []docstore.Hit
	query  string
	dlg    dialog.Dialog
}

// OpenDocumentPicker shows the document picker.
func (c *Composer) OpenDocumentPicker() {
	win := windowFor(c.Content)
	if win == nil {
		return
	}
	p := &composePicker{Search: widget.NewEntry(), Status: widget.NewLabel(T("compose.pick_hint"))}
	p.Search.SetPlaceHolder(T("compose.pick_search"))
	p.Status.Importance = widget.LowImportance
	p.List = widget.NewList(func() int { return len(p.hits) }, func() fyne.CanvasObject {
		l := widget.NewLabel("")
		l.Truncation = fyne.TextTruncateEllipsis
		return l
	}, func(id widget.ListItemID, o fyne.CanvasObject) {
		if id >= 0 && id < len(p.hits) {
			o.(*widget.Label).SetText(composeHitLine(p.hits[id]))
		}
	})
	p.List.OnSelected = func(id widget.ListItemID) {
		if id < 0 || id >= len(p.hits) {
			return
		}
		c.AddDocumentAttachments(p.hits[id].ID)
		p.dlg.Hide()
	}
	p.Search.OnChanged = func(s string) { c.searchDocuments(p, s) }
	content := container.NewBorder(p.Search, p.Status, nil, nil, p.List)
	p.dlg = dialog.NewCustom(T("compose.pick_title"), T("compose.pick_close"), content, win)
	p.dlg.Resize(fyne.NewSize(680, 440))
	c.picker = p
	p.dlg.Show()
	win.Canvas().Focus(p.Search)
}

func composeHitLine(h docstore.Hit) string {
	parts := []string{}
	for _, s := range []string{h.Notation, dmy(h.DocDate), h.Issuer, h.Subject} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

// searchDocuments runs the picker's search in the background; a result
// for text typed over meanwhile is dropped.
func (c *Composer) searchDocuments(p *composePicker, text string) {
	p.query = text
	if strings.TrimSpace(text) == "" {
		p.hits = nil
		p.Status.SetText(T("compose.pick_hint"))
		p.List.Refresh()
		return
	}
	st, viewer := c.st, c.viewer
	goBackground(func() {
		hits, err := st.Search(context.Background(), viewer, docstore.Query{Text: text, Limit: 20})
		OnMain(func() {
			if p.query != text {
				return
			}
			p.hits = hits
			p.List.UnselectAll()
			p.List.Refresh()
			switch {
			case err != nil:
				p.Status.SetText(ErrorText(err))
			case len(hits) == 0:
				p.Status.SetText(T("compose.pick_none"))
			default:
				p.Status.SetText("")
			}
		})
	})
}
