// Package maildemo gives the demo agency (congvu/docs-store/demo) a
// mailbox, so the Hộp thư of `congvu demo` and of the screenshots is full:
// the văn thư's shared mailbox with its folders (a busy INBOX, Sent,
// Drafts, Trash, Archive and an Archive/<last year> subfolder), the
// clerk's own mailbox, two messages stuck in the outbox, and messages
// linked to the incoming documents the demo registered from e-mail.
//
// Nothing here touches the network. Each message is composed as a real
// RFC 5322 message (mimemsg.Compose), kept in the blob store and parsed
// back (mimemsg.Parse), so the cache rows are what a sync would have
// stored and the reader, the search, attachments, reply and forward all
// work on them. The accounts point at 127.0.0.1:9 (nothing listens) and
// ask for their password at each start without one being saved, so the
// sync engine never connects: it reports "no password" and waits.
//
// The mailbox is deterministic (a fixed seed) for a given store and now.
package maildemo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	docstore "congvu/docs-store"
	"congvu/mail/mimemsg"
)

// Seed is the fixed seed of the generator.
const Seed = 2026

// Sizes of the folders Fill makes.
const (
	sharedInbox   = 400
	sharedSent    = 60
	sharedDrafts  = 3
	sharedTrash   = 10
	sharedArchive = 20
	sharedOld     = 200 // Archive/<last year>
	ownInbox      = 120
	ownSent       = 10
	ownTrash      = 3
	linkedMax     = 10 // messages linked to registered documents
)

// Where the demo accounts point: nothing listens on the discard port.
const (
	demoHost = "127.0.0.1"
	demoPort = 9
)

// vn is the zone the agency works in.
var vn = docstore.VietnamTime

// Fill gives the demo agency's clerk a mailbox so the Hộp thư is full: it
// never touches the network. When the store already has a mail account it
// does nothing. now is the moment the mailbox is filled at: the INBOX
// spans the 60 days before it.
func Fill(ctx context.Context, st *docstore.Store, now time.Time) error {
	accts, err := st.MailAccounts(ctx)
	if err != nil {
		return fmt.Errorf("maildemo: %w", err)
	}
	if len(accts) > 0 {
		return nil
	}
	f := &filler{st: st, now: now.In(vn), r: rand.New(rand.NewPCG(Seed, Seed^0x5bd1e995)), bb: st.Blobs().Batch()}
	if err := f.run(ctx); err != nil {
		return fmt.Errorf("maildemo: %w", err)
	}
	return nil
}

type filler struct {
	st  *docstore.Store
	now time.Time
	r   *rand.Rand
	bb  *docstore.BlobBatch

	agency      docstore.Agency
	agencyShort string // "UBND thành phố Lâm Sơn"
	domain      string // "lamson.gov.vn"
	clerk       docstore.Person
	admin       docstore.Person
	colleagues  []docstore.Person
	shared, own docstore.MailAccount
	sharedAddr  docstore.MailAddress
	ownAddr     docstore.MailAddress

	gov       []*sender // agencies that write to the văn thư
	issuers   map[string]*sender
	extras    []*sender // agencies with their own subjects (Kho bạc, Thuế, …)
	citizens  []*sender
	companies []*sender
	system    []*sender

	pool    []official // this year's documents of other agencies
	oldPool []official // last year's
	poolAt  int
	oldAt   int
	seq     int // messages made (Message-IDs, boundaries)
	filled  map[int64]bool
}

// msg is one message to store.
type msg struct {
	from      docstore.MailAddress
	to, cc    []docstore.MailAddress
	subject   string
	text      string
	date      time.Time
	delay     time.Duration // INTERNALDATE − Date (transit)
	id        string        // Message-ID without <>
	inReplyTo string
	refs      []string
	files     []file
	flags     []string
	mailer    string // the sending program of a message from elsewhere; "" with foreign: none
	foreign   bool   // not written by Công vụ: no User-Agent of ours
	bigSize   int64  // > 0: only announced (over the automatic download cap)
	bigNames  []string
	linkDoc   string // document to link the message to
	uid       uint32 // as stored
}

// asMessage is m as mimemsg sees a parsed message (for Reply, Forward).
func (m *msg) asMessage() *mimemsg.Message {
	pm := &mimemsg.Message{Subject: m.subject, From: []docstore.MailAddress{m.from}, To: m.to, Cc: m.cc,
		Date: m.date, MessageID: m.id, InReplyTo: m.inReplyTo, References: m.refs, Text: m.text}
	for _, fl := range m.files {
		pm.Parts = append(pm.Parts, docstore.MailPart{Name: fl.name, MIMEType: fl.typ, Size: int64(len(fl.data))})
	}
	return pm
}

func (f *filler) run(ctx context.Context) error {
	if err := f.directory(ctx); err != nil {
		return err
	}
	if err := f.accounts(ctx); err != nil {
		return err
	}
	f.senders()
	f.pools()
	shared, err := f.folders(ctx, f.shared, 1)
	if err != nil {
		return err
	}
	own, err := f.folders(ctx, f.own, 2)
	if err != nil {
		return err
	}
	linked, err := f.linkedDocuments(ctx)
	if err != nil {
		return err
	}
	outgoing, err := f.outgoingDocuments(ctx)
	if err != nil {
		return err
	}

	sent := f.sharedSentMail(outgoing)
	if err := f.store(ctx, shared["Sent"], sent); err != nil {
		return err
	}
	inbox := f.sharedInboxMail(linked, sent)
	if err := f.store(ctx, shared["INBOX"], inbox); err != nil {
		return err
	}
	for _, m := range inbox {
		if m.linkDoc == "" {
			continue
		}
		row, err := f.st.MailByUID(ctx, shared["INBOX"].ID, m.uid)
		if err != nil {
			return err
		}
		if err := f.st.LinkMailDocument(ctx, row.Rowid, m.linkDoc); err != nil {
			return err
		}
	}
	for _, step := range []struct {
		folder string
		msgs   []*msg
	}{
		{"Drafts", f.sharedDrafts()},
		{"Trash", f.trash(sharedTrash, f.sharedAddr)},
		{"Archive", f.archive()},
		{f.oldFolder(), f.oldMail()},
	} {
		if err := f.store(ctx, shared[step.folder], step.msgs); err != nil {
			return err
		}
	}
	ownSentMail := f.ownSentMail()
	for _, step := range []struct {
		folder string
		msgs   []*msg
	}{
		{"Sent", ownSentMail},
		{"INBOX", f.ownInboxMail(ownSentMail)},
		{"Trash", f.trash(ownTrash, f.ownAddr)},
	} {
		if err := f.store(ctx, own[step.folder], step.msgs); err != nil {
			return err
		}
	}
	for _, fs := range []map[string]docstore.MailFolder{shared, own} {
		for _, fo := range fs {
			if !f.filled[fo.ID] { // an empty folder, synced
				if err := f.st.SetMailFolderState(ctx, fo.ID, 1, 1); err != nil {
					return err
				}
			}
		}
	}
	return f.outbox(ctx)
}

// directory reads the agency, its domain, the clerk and the colleagues.
func (f *filler) directory(ctx context.Context) error {
	var err error
	if f.agency, err = f.st.Agency(ctx); err != nil {
		return err
	}
	f.agencyShort = shortAgency(f.agency.Name)
	people, err := f.st.People(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, p := range people {
		if !found && p.Has(docstore.RoleClerk) { // the one `congvu demo` opens as
			f.clerk, found = p, true
		}
		if f.admin.ID == "" && p.Has(docstore.RoleAdmin) {
			f.admin = p
		}
	}
	if !found {
		return fmt.Errorf("no văn thư in the directory")
	}
	for _, p := range people {
		// Staff who write to the văn thư (the leaders have her come over).
		if p.ID != f.clerk.ID && p.Email != "" && !p.Has(docstore.RoleClerk, docstore.RoleAgencyLeader) {
			f.colleagues = append(f.colleagues, p)
		}
	}
	f.domain = agencyDomain(f.agency, people)
	return nil
}

// accounts saves the shared văn thư mailbox and the clerk's own.
func (f *filler) accounts(ctx context.Context) error {
	shared := "vanthu@" + f.domain
	own := strings.ToLower(strings.TrimSpace(f.clerk.Email))
	if own == "" || strings.EqualFold(own, shared) {
		own = personalAddress(f.clerk.FullName, f.domain)
	}
	mk := func(addr, name string, sharedBox bool, pos int) docstore.MailAccount {
		return docstore.MailAccount{Address: addr, DisplayName: name, Username: addr,
			IMAPHost: demoHost, IMAPPort: demoPort, IMAPSecurity: docstore.SecurityTLS,
			SMTPHost: demoHost, SMTPPort: demoPort, SMTPSecurity: docstore.SecurityTLS,
			PasswordMode: docstore.PasswordAsk, Shared: sharedBox, Position: pos}
	}
	f.shared = mk(shared, "Văn thư — "+f.agency.Name, true, 0)
	f.own = mk(own, f.clerk.FullName, false, 1)
	for _, a := range []*docstore.MailAccount{&f.shared, &f.own} {
		if err := f.st.SaveMailAccount(ctx, a); err != nil {
			return err
		}
	}
	f.sharedAddr = docstore.MailAddress{Name: "Văn thư " + f.agencyShort, Addr: f.shared.Address}
	f.ownAddr = docstore.MailAddress{Name: f.clerk.FullName, Addr: f.own.Address}
	return nil
}

func (f *filler) oldFolder() string { return fmt.Sprintf("Archive/%d", f.now.Year()-1) }

// folders lists an account's folders, each under a fixed UIDVALIDITY.
func (f *filler) folders(ctx context.Context, a docstore.MailAccount, n uint32) (map[string]docstore.MailFolder, error) {
	list := []docstore.MailFolderInfo{
		{Name: "INBOX", Delim: "/", Role: docstore.FolderInbox, Subscribed: true},
		{Name: "Drafts", Delim: "/", Role: docstore.FolderDrafts, Subscribed: true},
		{Name: "Sent", Delim: "/", Role: docstore.FolderSent, Subscribed: true},
		{Name: "Trash", Delim: "/", Role: docstore.FolderTrash, Subscribed: true},
		{Name: "Archive", Delim: "/", Role: docstore.FolderArchive, Subscribed: true},
		{Name: f.oldFolder(), Delim: "/", Subscribed: true},
	}
	fs, err := f.st.SyncMailFolders(ctx, a.ID, list)
	if err != nil {
		return nil, err
	}
	out := map[string]docstore.MailFolder{}
	for _, fo := range fs {
		idx := slices.IndexFunc(list, func(i docstore.MailFolderInfo) bool { return i.Name == fo.Name })
		uv := 1700000000 + n*100 + uint32(idx)
		if err := f.st.ResetMailFolder(ctx, fo.ID, uv); err != nil {
			return nil, err
		}
		fo.UIDValidity = uv
		out[fo.Name] = fo
	}
	return out, nil
}

// store composes, keeps and parses the messages of one folder and caches
// them as the sync would: the headers, then the bodies, in one batch each.
// UIDs follow INTERNALDATE, from 1.
func (f *filler) store(ctx context.Context, fo docstore.MailFolder, ms []*msg) error {
	if len(ms) == 0 {
		return nil
	}
	if f.filled == nil {
		f.filled = map[int64]bool{}
	}
	f.filled[fo.ID] = true
	slices.SortStableFunc(ms, func(a, b *msg) int { return a.date.Add(a.delay).Compare(b.date.Add(b.delay)) })
	hs := make([]docstore.MailHeader, 0, len(ms))
	bs := make([]docstore.MailBody, 0, len(ms))
	var buf bytes.Buffer
	for i, m := range ms {
		m.uid = uint32(i + 1)
		fl := canonFlags(m.flags)
		h := docstore.MailHeader{UID: m.uid, ModSeq: uint64(i + 1), Flags: fl, InternalDate: m.date.Add(m.delay).Truncate(time.Second)}
		if m.bigSize > 0 {
			h.Size, h.Date, h.Subject, h.MessageID, h.InReplyTo = m.bigSize, m.date.Truncate(time.Second), m.subject, m.id, m.inReplyTo
			h.From, h.To, h.Cc = []docstore.MailAddress{lowerAddr(m.from)}, lowerAddrs(m.to), lowerAddrs(m.cc)
			h.Attachments = m.bigNames
			hs = append(hs, h)
			continue
		}
		buf.Reset()
		if err := f.compose(&buf, m); err != nil {
			return err
		}
		raw := buf.Bytes()
		ref, err := f.bb.Put(bytes.NewReader(raw))
		if err != nil {
			return err
		}
		pm, err := mimemsg.Parse(bytes.NewReader(raw))
		if err != nil {
			return fmt.Errorf("parse demo message %d: %w", i, err)
		}
		h.Size = int64(len(raw))
		h.Date, h.Subject, h.MessageID, h.InReplyTo = pm.Date, pm.Subject, pm.MessageID, pm.InReplyTo
		if h.Date.IsZero() {
			h.Date = h.InternalDate
		}
		h.From, h.To, h.Cc, h.ReplyTo = lowerAddrs(pm.From), lowerAddrs(pm.To), lowerAddrs(pm.Cc), lowerAddrs(pm.ReplyTo)
		for _, p := range pm.Parts {
			switch {
			case p.Name != "":
				h.Attachments = append(h.Attachments, p.Name)
			case !p.Inline:
				h.Attachments = append(h.Attachments, p.MIMEType)
			}
		}
		hs = append(hs, h)
		bs = append(bs, docstore.MailBody{UID: m.uid, State: docstore.BodyPresent, Blob: ref, Text: pm.Text, Parts: pm.Parts})
	}
	if err := f.st.PutMailHeaders(ctx, fo.ID, hs); err != nil {
		return err
	}
	// The raw messages are on disk before the rows that name them.
	if err := f.bb.Sync(); err != nil {
		return err
	}
	if err := f.st.PutMailBodies(ctx, fo.ID, bs); err != nil {
		return err
	}
	return f.st.SetMailFolderState(ctx, fo.ID, uint32(len(ms)+1), uint64(len(ms)))
}

// compose writes m as its sender's program would have: Compose, with a
// boundary from the seeded generator (Compose draws a random one) and,
// for a message from elsewhere, that program's name instead of ours.
func (f *filler) compose(w *bytes.Buffer, m *msg) error {
	d := mimemsg.Draft{From: m.from, To: m.to, Cc: m.cc, Subject: m.subject, Text: m.text, Date: m.date,
		MessageID: m.id, InReplyTo: m.inReplyTo, References: m.refs}
	for _, fl := range m.files {
		data := fl.data
		d.Attachments = append(d.Attachments, mimemsg.Attachment{Name: fl.name, MIMEType: fl.typ,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }})
	}
	start := w.Len()
	if err := mimemsg.Compose(w, d); err != nil {
		return err
	}
	raw := w.Bytes()[start:]
	const mark = "=_congvu_"
	if i := bytes.Index(raw, []byte(mark)); i >= 0 && i+len(mark)+30 <= len(raw) {
		old := string(raw[i : i+len(mark)+30])
		repl := fmt.Sprintf("%s%016x%014x", mark, f.r.Uint64(), f.r.Uint64()>>8)
		raw = bytes.ReplaceAll(raw, []byte(old), []byte(repl))
	}
	if m.foreign {
		raw = replaceHeader(raw, "User-Agent", m.mailer)
	}
	w.Truncate(start)
	w.Write(raw)
	return nil
}

// replaceHeader replaces the (one-line) header field name of raw's top
// header with "X-Mailer: value", or drops it when value is "".
func replaceHeader(raw []byte, name, value string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	i := bytes.Index(raw[:end], []byte("\r\n"+name+":"))
	if i < 0 {
		return raw
	}
	j := bytes.Index(raw[i+2:], []byte("\r\n"))
	if j < 0 {
		return raw
	}
	j += i + 2 // the CRLF ending the field
	var out []byte
	out = append(out, raw[:i]...)
	if value != "" {
		out = append(out, "\r\nX-Mailer: "+value...)
	}
	return append(out, raw[j:]...)
}

func canonFlags(fs []string) []string {
	out := slices.Clone(fs)
	slices.Sort(out)
	return slices.Compact(out)
}

func lowerAddr(a docstore.MailAddress) docstore.MailAddress {
	a.Addr = strings.ToLower(a.Addr)
	return a
}

func lowerAddrs(as []docstore.MailAddress) []docstore.MailAddress {
	if len(as) == 0 {
		return nil
	}
	out := make([]docstore.MailAddress, len(as))
	for i, a := range as {
		out[i] = lowerAddr(a)
	}
	return out
}

// outbox leaves two of the clerk's messages in the outbox: one refused
// for good (an unknown recipient, 5xx), one waiting after the server did
// not answer.
func (f *filler) outbox(ctx context.Context) error {
	snv := f.issuers["Sở Nội vụ tỉnh Lâm Hà"]
	if snv == nil {
		snv = f.gov[0]
	}
	wrong := "phongvanthu@snv.lamha.gov.vn"
	items := []struct {
		m         *msg
		reason    string
		permanent bool
	}{
		{&msg{to: []docstore.MailAddress{{Name: "Phòng Văn thư – Lưu trữ", Addr: wrong}},
			subject: "Xin ý kiến về thời hạn bảo quản hồ sơ xây dựng cơ bản",
			text: "Kính gửi: Phòng Văn thư – Lưu trữ, " + snv.org + "\n\n" +
				"Văn thư " + f.agencyShort + " xin ý kiến về thời hạn bảo quản hồ sơ các công trình xây dựng cơ bản " +
				"do Ban Quản lý dự án bàn giao (danh mục gửi kèm).\n\nTrân trọng.\n\n" + f.ownSignature(),
			files: []file{f.docx("Danh mục hồ sơ đề nghị xác định thời hạn bảo quản.docx", "Danh mục hồ sơ đề nghị xác định thời hạn bảo quản")}},
			fmt.Sprintf("recipient %s refused: SMTP error 550: 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table", wrong, wrong),
			true},
		{&msg{to: []docstore.MailAddress{snv.addr},
			subject: fmt.Sprintf("Đăng ký tham dự tập huấn nghiệp vụ văn thư, lưu trữ năm %d", f.now.Year()),
			text: "Kính gửi: " + snv.org + "\n\n" + f.agencyShort + " đăng ký danh sách công chức tham dự lớp tập huấn " +
				"nghiệp vụ văn thư, lưu trữ (danh sách gửi kèm).\n\nTrân trọng.\n\n" + f.ownSignature(),
			files: []file{f.docx("Danh sách đăng ký tập huấn.docx", "Danh sách đăng ký tham dự tập huấn")}},
			fmt.Sprintf("smtp %s:%d: connection refused on this port: dial tcp %s:%d: connect: connection refused", demoHost, demoPort, demoHost, demoPort),
			false},
	}
	for i, it := range items {
		m := it.m
		m.from = f.ownAddr
		m.date = f.now.Add(-time.Duration(40-30*i) * time.Minute)
		m.id = f.messageID(m.date, f.own.Address)
		var buf bytes.Buffer
		if err := f.compose(&buf, m); err != nil {
			return err
		}
		ref, err := f.bb.Put(bytes.NewReader(buf.Bytes()))
		if err != nil {
			return err
		}
		if err := f.bb.Sync(); err != nil {
			return err
		}
		pm, _ := mimemsg.Parse(bytes.NewReader(buf.Bytes()))
		var rcpts []string
		for _, a := range m.to {
			rcpts = append(rcpts, a.Addr)
		}
		item := &docstore.OutboxItem{AccountID: f.own.ID, MessageID: m.id, From: f.own.Address, Recipients: rcpts,
			Subject: m.subject, Blob: ref, Parts: pm.Parts}
		if err := f.st.EnqueueOutbox(ctx, item); err != nil {
			return err
		}
		// Only this item is queued (the other one failed for good), so
		// the claim takes it whatever the store's clock says.
		claimed, err := f.st.ClaimOutbox(ctx, f.own.ID)
		if err != nil {
			return err
		}
		if claimed == nil || claimed.ID != item.ID {
			return fmt.Errorf("outbox: claimed another item")
		}
		if err := f.st.OutboxFailed(ctx, item.ID, it.reason, it.permanent, f.now.Add(4*time.Minute)); err != nil {
			return err
		}
	}
	return nil
}

// Messages of the demo mailbox worth a screenshot (Showcase).
const (
	ShowLinked  = "linked"  // the newest message registered as an incoming document, with its files
	ShowLarge   = "large"   // the newest message over the automatic download cap
	ShowHostile = "hostile" // the attachment whose name hides .exe behind a direction mark
)

// Showcase finds a message of the shared mailbox's INBOX to open in the
// reader (ShowLinked, ShowLarge or ShowHostile) and returns its rowid;
// ErrNotFound when there is none (the store was not filled by Fill).
func Showcase(ctx context.Context, st *docstore.Store, kind string) (int64, error) {
	accts, err := st.MailAccounts(ctx)
	if err != nil {
		return 0, err
	}
	for _, a := range accts {
		if !a.Shared {
			continue
		}
		inbox, err := st.MailFolderByRole(ctx, a.ID, docstore.FolderInbox)
		if err != nil {
			return 0, err
		}
		ids, err := st.MailRowids(ctx, inbox.ID)
		if err != nil {
			return 0, err
		}
		for i := 0; i < len(ids); i += 100 {
			rows, err := st.MailRowsByRowid(ctx, ids[i:min(i+100, len(ids))])
			if err != nil {
				return 0, err
			}
			for _, r := range rows {
				switch kind {
				case ShowLarge:
					if r.State == docstore.BodyDeferred {
						return r.Rowid, nil
					}
				case ShowHostile:
					if slices.ContainsFunc(r.Attachments, func(n string) bool { return strings.ContainsRune(n, '\u202E') }) {
						return r.Rowid, nil
					}
				case ShowLinked:
					if docs, err := st.MailDocuments(ctx, r.Rowid); err == nil && len(docs) > 0 && len(r.Attachments) > 0 {
						return r.Rowid, nil
					}
				}
			}
		}
	}
	return 0, fmt.Errorf("maildemo: no %s message: %w", kind, docstore.ErrNotFound)
}
