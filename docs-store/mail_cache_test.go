package docstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// newMailFixture is a store with no agency (the mail cache needs none) and
// one account with the usual folders.
func newMailFixture(t testing.TB) (*fixture, MailAccount) {
	t.Helper()
	c := &testClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, VietnamTime)}
	s, err := Open(t.TempDir(), Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f := &fixture{t: t, s: s, ctx: context.Background(), clock: c, year: 2026}
	return f, f.mailAccount("chuyenvien@sotnmt.hanoi.gov.vn")
}

func (f *fixture) mailAccount(addr string) MailAccount {
	f.t.Helper()
	a := MailAccount{Address: addr, DisplayName: "Chuyên viên", IMAPHost: "mail.hanoi.gov.vn", SMTPHost: "mail.hanoi.gov.vn"}
	f.must(f.s.SaveMailAccount(f.ctx, &a))
	_, err := f.s.SyncMailFolders(f.ctx, a.ID, []MailFolderInfo{
		{Name: "INBOX", Delim: "/"}, {Name: "Sent", Delim: "/", Role: `\Sent`}, {Name: "Trash", Delim: "/", Role: "trash"},
	})
	f.must(err)
	return a
}

func (f *fixture) folder(accountID, name string) MailFolder {
	f.t.Helper()
	mf, err := f.s.MailFolderByName(f.ctx, accountID, name)
	f.must(err)
	return mf
}

var (
	mailNames = []string{"Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Đức Em", "Vũ Thị Giang"}
	mailSubjs = []string{"Về việc thu hồi đất đai để xây dựng trường học", "Kế hoạch cải cách hành chính năm 2026",
		"Báo cáo tình hình ngân sách quý I", "V/v hòa giải ở cơ sở", "Thông báo lịch tiếp công dân", "Giấy mời họp giao ban tuần"}
)

// mailBodyText is a plausible body of about 3 KB of Vietnamese.
var mailBodyText = strings.Repeat("Kính gửi: Phòng Tài nguyên và Môi trường. Thực hiện Kế hoạch số 15/KH-UBND về việc "+
	"rà soát hồ sơ cấp giấy chứng nhận quyền sử dụng đất, đề nghị quý cơ quan phối hợp báo cáo trước ngày 20/3/2026. "+
	"Trân trọng cảm ơn./.\n\n", 12)

// mailHeader makes a plausible header for uid; the date follows the UID.
func mailHeader(uid uint32) MailHeader {
	i := int(uid)
	h := MailHeader{
		UID: uid, ModSeq: uint64(uid), InternalDate: time.Unix(1767225600+int64(uid)*600, 0),
		Size: 20000 + int64(i%50)*1000, Date: time.Unix(1767225600+int64(uid)*600-30, 0),
		Subject:   fmt.Sprintf("%s (số %d)", mailSubjs[i%len(mailSubjs)], i),
		From:      []MailAddress{{Name: mailNames[i%len(mailNames)], Addr: fmt.Sprintf("nguoi%d@sotnmt.hanoi.gov.vn", i%97)}},
		To:        []MailAddress{{Name: "Chuyên viên", Addr: "chuyenvien@sotnmt.hanoi.gov.vn"}},
		MessageID: fmt.Sprintf("<%d.msg@sotnmt.hanoi.gov.vn>", uid),
	}
	if i%3 == 0 {
		h.Flags = []string{`\Seen`}
	}
	if i%5 == 0 {
		h.Cc = []MailAddress{{Name: mailNames[(i+1)%len(mailNames)], Addr: fmt.Sprintf("phoihop%d@hanoi.gov.vn", i%13)}}
	}
	if i%4 == 0 {
		h.Attachments = []string{fmt.Sprintf("Công văn %d.pdf", i)}
	}
	return h
}

func mailHeaders(from, n int) []MailHeader {
	hs := make([]MailHeader, n)
	for i := range hs {
		hs[i] = mailHeader(uint32(from + i))
	}
	return hs
}

// checkCounters compares every folder's counters with a count of its rows.
func (f *fixture) checkCounters() {
	f.t.Helper()
	rows, err := f.s.r.Query(`SELECT f.name, f.total, f.unread, count(m.rowid), coalesce(sum(m.seen = 0), 0)
		FROM mail_folders f LEFT JOIN mail_messages m ON m.folder_id = f.id GROUP BY f.id`)
	f.must(err)
	defer rows.Close()
	for rows.Next() {
		var name string
		var total, unread, n, un int
		f.must(rows.Scan(&name, &total, &unread, &n, &un))
		if total != n || unread != un {
			f.t.Errorf("folder %s: counters total %d unread %d, rows %d unread %d", name, total, unread, n, un)
		}
	}
	f.must(rows.Err())
	// Every message has exactly one search row (FTS5's docsize table).
	var msgs, fts int
	f.must(f.s.r.QueryRow(`SELECT (SELECT count(*) FROM mail_messages), (SELECT count(*) FROM mail_fts_docsize)`).Scan(&msgs, &fts))
	if msgs != fts {
		f.t.Errorf("%d messages, %d search rows", msgs, fts)
	}
}

func fieldErr(err error, field, reason string) bool {
	for _, fe := range FieldErrors(err) {
		if fe.Field == field && fe.Reason == reason {
			return true
		}
	}
	return false
}

func TestMailAccountsCRUD(t *testing.T) {
	f, acc := newMailFixture(t)
	if acc.ID == "" || acc.Username != acc.Address || acc.PasswordMode != PasswordKeyring ||
		acc.IMAPPort != 993 || acc.IMAPSecurity != SecurityTLS || acc.SMTPPort != 465 || acc.SMTPSecurity != SecurityTLS {
		t.Fatalf("defaults: %+v", acc)
	}
	// NFC and trimming; STARTTLS by port.
	b := MailAccount{Address: "  vanthu@sotnmt.hanoi.gov.vn ", DisplayName: norm.NFD.String(" Văn thư Sở "),
		IMAPHost: "Mail.Hanoi.gov.vn", IMAPPort: 143, SMTPHost: "smtp.hanoi.gov.vn", SMTPPort: 587, Shared: true, Position: -1}
	f.must(f.s.SaveMailAccount(f.ctx, &b))
	got, err := f.s.MailAccount(f.ctx, b.ID)
	f.must(err)
	if got.DisplayName != "Văn thư Sở" || got.Address != "vanthu@sotnmt.hanoi.gov.vn" || got.IMAPHost != "mail.hanoi.gov.vn" ||
		got.IMAPSecurity != SecurityStartTLS || got.SMTPSecurity != SecurityStartTLS || !got.Shared || got != b {
		t.Fatalf("stored %+v\nreturned %+v", got, b)
	}
	list, err := f.s.MailAccounts(f.ctx)
	f.must(err)
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != acc.ID {
		t.Fatalf("order %+v", list)
	}
	// Update.
	b.DisplayName, b.PasswordMode, b.AutoDownloadMax = "Văn thư", PasswordAsk, 1<<20
	f.must(f.s.SaveMailAccount(f.ctx, &b))
	if got, _ := f.s.MailAccount(f.ctx, b.ID); got.DisplayName != "Văn thư" || got.PasswordMode != PasswordAsk || got.AutoDownloadMax != 1<<20 {
		t.Fatalf("updated %+v", got)
	}
	// Duplicate address, whatever its case.
	dup := MailAccount{Address: "VanThu@SoTNMT.hanoi.gov.vn", IMAPHost: "x.vn", SMTPHost: "x.vn"}
	if err := f.s.SaveMailAccount(f.ctx, &dup); !fieldErr(err, "address", "duplicate") || dup.ID != "" {
		t.Fatalf("duplicate: %v (id %q)", err, dup.ID)
	}
	acc.Address = "VANTHU@sotnmt.hanoi.gov.vn"
	if err := f.s.SaveMailAccount(f.ctx, &acc); !fieldErr(err, "address", "duplicate") {
		t.Fatalf("duplicate on update: %v", err)
	}
	// Validation.
	bad := MailAccount{Address: "không phải địa chỉ", IMAPHost: "https://mail.x.vn", IMAPPort: 70000, IMAPSecurity: "ssl",
		SMTPPort: -1, SMTPSecurity: "tls", PasswordMode: "plain"}
	err = f.s.SaveMailAccount(f.ctx, &bad)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("invalid: %v", err)
	}
	for _, w := range [][2]string{{"address", "format"}, {"imap_host", "format"}, {"imap_port", "range"}, {"imap_security", "unknown"},
		{"smtp_host", "required"}, {"smtp_port", "range"}, {"password_mode", "unknown"}} {
		if !fieldErr(err, w[0], w[1]) {
			t.Errorf("want %s %s in %v", w[0], w[1], err)
		}
	}
	if err := f.s.SaveMailAccount(f.ctx, &MailAccount{IMAPHost: "a.vn", SMTPHost: "a.vn"}); !fieldErr(err, "address", "required") {
		t.Errorf("no address: %v", err)
	}
	ghost := MailAccount{ID: "ghost", Address: "ghost@x.vn", IMAPHost: "x.vn", SMTPHost: "x.vn"}
	if err := f.s.SaveMailAccount(f.ctx, &ghost); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing account: %v", err)
	}
	if _, err := f.s.MailAccount(f.ctx, "ghost"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing account: %v", err)
	}

	// Delete drops everything of the account and nothing of the other.
	in := f.folder(acc.ID, "INBOX")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 20)))
	_, err = f.s.SyncMailFolders(f.ctx, b.ID, []MailFolderInfo{{Name: "INBOX"}})
	f.must(err)
	bin := f.folder(b.ID, "INBOX")
	f.must(f.s.PutMailHeaders(f.ctx, bin.ID, mailHeaders(1, 5)))
	m, err := f.s.MailByUID(f.ctx, in.ID, 3)
	f.must(err)
	_, err = f.s.QueueMailOp(f.ctx, m.Rowid, MailOpAddFlags, `\Flagged`)
	f.must(err)
	f.must(f.s.EnqueueOutbox(f.ctx, f.outboxItem(acc.ID)))
	f.must(f.s.DeleteMailAccount(f.ctx, acc.ID))
	if err := f.s.DeleteMailAccount(f.ctx, acc.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	for _, q := range []string{`SELECT count(*) FROM mail_folders WHERE account_id = '` + acc.ID + `'`,
		`SELECT count(*) FROM mail_ops`, `SELECT count(*) FROM mail_outbox`, `SELECT count(*) - 5 FROM mail_messages`,
		`SELECT count(*) - 5 FROM mail_fts_docsize`} {
		var n int
		f.must(f.s.r.QueryRow(q).Scan(&n))
		if n != 0 {
			t.Errorf("%s: %d", q, n)
		}
	}
	f.checkCounters()
}

// No column anywhere is named after a password: the password lives in the
// OS keyring or in memory only.
func TestMailNoPasswordColumn(t *testing.T) {
	f, _ := newMailFixture(t)
	rows, err := f.s.r.Query(`SELECT m.name, p.name FROM sqlite_schema m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'`)
	f.must(err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, col string
		f.must(rows.Scan(&table, &col))
		n++
		l := strings.ToLower(col)
		for _, bad := range []string{"pass", "pwd", "mat_khau", "matkhau"} {
			if strings.Contains(l, bad) {
				t.Errorf("%s.%s looks like a password column", table, col)
			}
		}
	}
	f.must(rows.Err())
	if n < 50 {
		t.Fatalf("only %d columns seen", n)
	}
	// And the account type has no field for one either.
	ty := reflect.TypeOf(MailAccount{})
	for i := 0; i < ty.NumField(); i++ {
		if name := strings.ToLower(ty.Field(i).Name); strings.Contains(name, "password") && name != "passwordmode" {
			t.Errorf("MailAccount.%s", ty.Field(i).Name)
		}
	}
}

func TestMailFoldersSync(t *testing.T) {
	f, acc := newMailFixture(t)
	list := []MailFolderInfo{
		{Name: "Zeta"}, {Name: "Ánh sáng"}, {Name: "Anh"}, {Name: "Trash", Role: `\Trash`}, {Name: "Junk", Role: "junk"},
		{Name: "Archive", Role: `\Archive`}, {Name: "Sent", Role: "sent"}, {Name: "Drafts", Role: `\Drafts`}, {Name: "inbox"},
		{Name: "Shared", NoSelect: true, Delim: "/"}, {Name: "Shared/VanThu", Delim: "/", Subscribed: true},
	}
	fs, err := f.s.SyncMailFolders(f.ctx, acc.ID, list)
	f.must(err)
	var names []string
	for _, x := range fs {
		names = append(names, x.Name)
	}
	want := []string{"inbox", "Drafts", "Sent", "Archive", "Junk", "Trash", "Anh", "Ánh sáng", "Shared", "Shared/VanThu", "Zeta"}
	if !slices.Equal(names, want) {
		t.Fatalf("order %q\nwant  %q", names, want)
	}
	if fs[0].Role != FolderInbox || !fs[8].NoSelect || !fs[9].Subscribed || fs[9].Delim != "/" {
		t.Fatalf("folders %+v", fs)
	}
	// INBOX of the first sync is gone (the server now says "inbox").
	if _, err := f.s.MailFolderByName(f.ctx, acc.ID, "INBOX"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("INBOX: %v", err)
	}
	sent, err := f.s.MailFolderByRole(f.ctx, acc.ID, FolderSent)
	f.must(err)
	if sent.Name != "Sent" {
		t.Fatalf("by role %+v", sent)
	}
	if _, err := f.s.MailFolderByRole(f.ctx, acc.ID, "flagged"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing role: %v", err)
	}
	zeta := f.folder(acc.ID, "Zeta")
	f.must(f.s.PutMailHeaders(f.ctx, zeta.ID, mailHeaders(1, 30)))
	keep := f.folder(acc.ID, "Anh")
	f.must(f.s.PutMailHeaders(f.ctx, keep.ID, mailHeaders(1, 10)))
	f.must(f.s.SetMailFolderState(f.ctx, keep.ID, 11, 99))

	// Zeta renamed to Zeta2 on the server: the old folder goes with its messages.
	list[0].Name = "Zeta2"
	list[2].Subscribed = true
	fs, err = f.s.SyncMailFolders(f.ctx, acc.ID, list)
	f.must(err)
	if len(fs) != len(want) {
		t.Fatalf("%d folders", len(fs))
	}
	if _, err := f.s.MailFolder(f.ctx, zeta.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Zeta: %v", err)
	}
	got, err := f.s.MailFolder(f.ctx, keep.ID)
	f.must(err)
	if got.Total != 10 || got.UIDNext != 11 || got.HighestModSeq != 99 || !got.Subscribed || !got.SyncedAt.Equal(f.clock.now()) {
		t.Fatalf("kept folder %+v", got)
	}
	var n int
	f.must(f.s.r.QueryRow(`SELECT count(*) FROM mail_messages`).Scan(&n))
	if n != 10 {
		t.Fatalf("%d messages left", n)
	}
	f.checkCounters()
	if _, err := f.s.SyncMailFolders(f.ctx, "nobody", list); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}

	// The same list again (every no-change sync) is only read: it goes
	// through while another process holds the database's write lock.
	other, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(f.s.dir, DBFile))+"?_txlock=immediate&_pragma=busy_timeout(0)")
	f.must(err)
	defer other.Close()
	lock, err := other.Begin()
	f.must(err)
	if _, err := lock.Exec(`UPDATE mail_accounts SET id = id WHERE 0`); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	again, err := f.s.SyncMailFolders(f.ctx, acc.ID, list)
	f.must(err)
	if len(again) != len(fs) || time.Since(t0) > time.Second {
		t.Fatalf("unchanged list: %d folders after %v (waited for the write lock?)", len(again), time.Since(t0))
	}
	f.must(lock.Rollback())
	// One attribute differs: written.
	list[3].Role = ""
	again, err = f.s.SyncMailFolders(f.ctx, acc.ID, list)
	f.must(err)
	for _, x := range again {
		if x.Name == "Trash" && x.Role != "" {
			t.Fatalf("Trash keeps role %q", x.Role)
		}
	}
}

func TestMailHeadersUpsertKeepsBodies(t *testing.T) {
	f, acc := newMailFixture(t)
	in := f.folder(acc.ID, "INBOX")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 10)))
	f.checkCounters()
	in = f.folder(acc.ID, "INBOX")
	if in.Total != 10 || in.Unread != 7 {
		t.Fatalf("counters %d/%d", in.Total, in.Unread)
	}
	blob, _ := f.s.Blobs().Put(strings.NewReader("raw message 2"))
	f.must(f.s.PutMailBodies(f.ctx, in.ID, []MailBody{{UID: 2, State: BodyPresent, Blob: blob, Text: "Kính gửi anh,\n\n  nội dung   công văn."}}))

	// The server sends them again: changed flags and a changed subject (which
	// a cached message never takes), plus new ones.
	hs := mailHeaders(1, 15)
	for i := range hs {
		hs[i].Subject = "khác"
		hs[i].Flags = []string{`\seen`, `$Forwarded`}
		hs[i].ModSeq += 100
	}
	hs = append(hs, mailHeader(15)) // a repeat inside the batch
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs))
	f.checkCounters()
	in = f.folder(acc.ID, "INBOX")
	if in.Total != 15 || in.Unread != 0 {
		t.Fatalf("counters %d/%d", in.Total, in.Unread)
	}
	m, err := f.s.MailByUID(f.ctx, in.ID, 2)
	f.must(err)
	if m.Subject != mailHeader(2).Subject || m.State != BodyPresent || m.Blob != blob || m.Text == "" ||
		!slices.Equal(m.Flags, []string{`$Forwarded`, `\Seen`}) || !m.Seen || m.ModSeq != 102 {
		t.Fatalf("after re-put %+v", m)
	}
	if m.Preview != "Kính gửi anh, nội dung công văn." {
		t.Fatalf("preview %q", m.Preview)
	}
	// Everything of the header round-trips.
	want := mailHeader(5)
	want.Flags = []string{`$Forwarded`, `\Seen`}
	want.ModSeq += 100
	want.MessageID = "5.msg@sotnmt.hanoi.gov.vn"
	m, err = f.s.MailByUID(f.ctx, in.ID, 5)
	f.must(err)
	got := m.MailHeader
	if !got.Date.Equal(want.Date) || !got.InternalDate.Equal(want.InternalDate) {
		t.Fatalf("dates %v %v", got.Date, got.InternalDate)
	}
	got.Date, got.InternalDate, want.Date, want.InternalDate = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("header\n%+v\nwant\n%+v", got, want)
	}
	if m.AccountID != acc.ID || m.FolderID != in.ID || m.State != BodyMissing {
		t.Fatalf("row %+v", m.MailRow)
	}
	if _, err := f.s.MailByUID(f.ctx, in.ID, 99); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing uid: %v", err)
	}
	if err := f.s.PutMailHeaders(f.ctx, 999, mailHeaders(1, 1)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing folder: %v", err)
	}
	if err := f.s.PutMailHeaders(f.ctx, in.ID, []MailHeader{{UID: 0}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("uid 0: %v", err)
	}
	// A header without a Date sorts by its INTERNALDATE.
	nodate := mailHeader(16)
	nodate.Date = time.Time{}
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, []MailHeader{nodate}))
	if m, _ := f.s.MailByUID(f.ctx, in.ID, 16); !m.Date.Equal(nodate.InternalDate) {
		t.Fatalf("no date: %v", m.Date)
	}
}

func TestMailBodies(t *testing.T) {
	f, acc := newMailFixture(t)
	a, err := f.s.MailAccount(f.ctx, acc.ID)
	f.must(err)
	a.AutoDownloadMax = 40000
	f.must(f.s.SaveMailAccount(f.ctx, &a))
	in := f.folder(acc.ID, "INBOX")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 30)))
	need, err := f.s.MailNeedingBodies(f.ctx, in.ID, 0)
	f.must(err)
	// Sizes 20,000 + (uid % 50) * 1000: above 40,000 from uid 21 → deferred.
	if len(need) != 20 || need[0].UID != 20 || need[19].UID != 1 || need[0].Size != 40000 || len(need[4].Attachments) != 1 {
		t.Fatalf("need %d %+v", len(need), need[:2])
	}
	if m, _ := f.s.MailByUID(f.ctx, in.ID, 25); m.State != BodyDeferred {
		t.Fatalf("state of a large one %v", m.State)
	}
	if need, _ := f.s.MailNeedingBodies(f.ctx, in.ID, 5); len(need) != 5 || need[4].UID != 16 {
		t.Fatalf("limit: %+v", need)
	}
	blob, _ := f.s.Blobs().Put(strings.NewReader("raw"))
	parts := []MailPart{{Path: "2", Name: norm.NFD.String("Quyết định.pdf"), MIMEType: "Application/PDF", Size: 1234}}
	f.must(f.s.PutMailBodies(f.ctx, in.ID, []MailBody{
		{UID: 20, State: BodyPresent, Blob: blob, Text: "Đề nghị quý cơ quan phối hợp.", Parts: parts},
		{UID: 19, State: BodyFailed, Error: "parse: bad boundary"},
		{UID: 500, State: BodyPresent, Blob: blob, Text: "gone"}, // expunged meanwhile: ignored
		{UID: 25, State: BodyPresent, Blob: blob, Text: "on demand"},
	}))
	m, err := f.s.MailByUID(f.ctx, in.ID, 20)
	f.must(err)
	if m.State != BodyPresent || m.Blob != blob || m.Text != "Đề nghị quý cơ quan phối hợp." || len(m.Parts) != 1 ||
		m.Parts[0].Name != "Quyết định.pdf" || m.Parts[0].MIMEType != "application/pdf" || m.Error != "" {
		t.Fatalf("present %+v", m)
	}
	m, _ = f.s.MailByUID(f.ctx, in.ID, 19)
	if m.State != BodyFailed || m.Error != "parse: bad boundary" {
		t.Fatalf("failed %+v", m)
	}
	// A failed body is offered again, up to three attempts.
	for i := 0; i < 2; i++ {
		need, _ = f.s.MailNeedingBodies(f.ctx, in.ID, 1)
		if len(need) != 1 || need[0].UID != 19 {
			t.Fatalf("attempt %d: %+v", i+2, need)
		}
		f.must(f.s.PutMailBodies(f.ctx, in.ID, []MailBody{{UID: 19, State: BodyFailed, Error: "timeout"}}))
	}
	need, _ = f.s.MailNeedingBodies(f.ctx, in.ID, 1)
	if len(need) != 1 || need[0].UID != 18 {
		t.Fatalf("after three failures: %+v", need)
	}
	if err := f.s.PutMailBodies(f.ctx, in.ID, []MailBody{{UID: 18, State: BodyPresent, Blob: BlobRef{SHA256: "../x"}}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad blob: %v", err)
	}
	// The body text is searchable, and the attachment names of the parts.
	for _, q := range []string{"phoi hop", "quyet dinh"} {
		hits, err := f.s.SearchMail(f.ctx, q, 10)
		f.must(err)
		if len(hits) != 1 || hits[0].UID != 20 {
			t.Fatalf("search %q: %+v", q, hits)
		}
	}
	f.checkCounters()
}

func TestMailFlagsRemoveReset(t *testing.T) {
	f, acc := newMailFixture(t)
	in := f.folder(acc.ID, "INBOX")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 12))) // 3, 6, 9, 12 seen
	f.must(f.s.SetMailFlags(f.ctx, in.ID, []MailFlagChange{
		{UID: 1, ModSeq: 50, Flags: []string{`\Seen`, `\Flagged`}},
		{UID: 3, ModSeq: 51, Flags: []string{`\Answered`}},
		{UID: 77, ModSeq: 52, Flags: []string{`\Seen`}}, // not cached
	}))
	f.checkCounters()
	m, _ := f.s.MailByUID(f.ctx, in.ID, 1)
	if !m.Seen || !m.Flagged || m.Answered || m.ModSeq != 50 {
		t.Fatalf("uid 1 %+v", m.MailRow)
	}
	m, _ = f.s.MailByUID(f.ctx, in.ID, 3)
	if m.Seen || !m.Answered {
		t.Fatalf("uid 3 %+v", m.MailRow)
	}
	if in = f.folder(acc.ID, "INBOX"); in.Unread != 8 {
		t.Fatalf("unread %d", in.Unread)
	}

	f.must(f.s.RemoveMailUIDs(f.ctx, in.ID, []uint32{1, 2, 12, 400}))
	f.checkCounters()
	uids, err := f.s.MailUIDs(f.ctx, in.ID)
	f.must(err)
	if !slices.Equal(uids, []uint32{3, 4, 5, 6, 7, 8, 9, 10, 11}) {
		t.Fatalf("uids %v", uids)
	}
	if max, _ := f.s.MailMaxUID(f.ctx, in.ID); max != 11 {
		t.Fatalf("max uid %d", max)
	}
	if in = f.folder(acc.ID, "INBOX"); in.Total != 9 || in.Unread != 7 {
		t.Fatalf("counters %d/%d", in.Total, in.Unread)
	}
	if hits, _ := f.s.SearchMail(f.ctx, "số 2", 10); len(hits) != 0 {
		t.Fatalf("removed message found: %+v", hits)
	}

	// A new UIDVALIDITY: everything goes.
	f.must(f.s.SetMailFolderState(f.ctx, in.ID, 12, 77))
	f.must(f.s.ResetMailFolder(f.ctx, in.ID, 4242))
	f.checkCounters()
	in = f.folder(acc.ID, "INBOX")
	if in.Total != 0 || in.Unread != 0 || in.UIDValidity != 4242 || in.UIDNext != 0 || in.HighestModSeq != 0 {
		t.Fatalf("after reset %+v", in)
	}
	if uids, _ := f.s.MailUIDs(f.ctx, in.ID); len(uids) != 0 {
		t.Fatalf("uids %v", uids)
	}
	if max, _ := f.s.MailMaxUID(f.ctx, in.ID); max != 0 {
		t.Fatalf("max uid %d", max)
	}
	if hits, _ := f.s.SearchMail(f.ctx, "cong van", 10); len(hits) != 0 {
		t.Fatalf("search after reset: %d hits", len(hits))
	}
	if err := f.s.ResetMailFolder(f.ctx, 999, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing folder: %v", err)
	}
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 3)))
	f.checkCounters()
}

func TestMailRowidsOrder(t *testing.T) {
	f, acc := newMailFixture(t)
	in := f.folder(acc.ID, "INBOX")
	day := time.Date(2026, 3, 1, 8, 0, 0, 0, VietnamTime)
	hs := []MailHeader{
		{UID: 1, Date: day, InternalDate: day},
		{UID: 2, Date: day.Add(time.Hour), InternalDate: day},
		{UID: 3, Date: day, InternalDate: day.Add(time.Minute)},
		{UID: 4, Date: day, InternalDate: day},
		{UID: 5, Date: day.Add(-time.Hour), InternalDate: day.Add(time.Hour)},
	}
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs))
	ids, err := f.s.MailRowids(f.ctx, in.ID)
	f.must(err)
	rows, err := f.s.MailRowsByRowid(f.ctx, ids)
	f.must(err)
	var uids []uint32
	for _, r := range rows {
		uids = append(uids, r.UID)
	}
	if !slices.Equal(uids, []uint32{2, 3, 4, 1, 5}) {
		t.Fatalf("order %v", uids)
	}
	// In the asked order, missing ones skipped.
	rows, err = f.s.MailRowsByRowid(f.ctx, []int64{ids[4], 12345, ids[0]})
	f.must(err)
	if len(rows) != 2 || rows[0].UID != 5 || rows[1].UID != 2 {
		t.Fatalf("by rowid %+v", rows)
	}
	if rows, _ := f.s.MailRowsByRowid(f.ctx, nil); rows == nil || len(rows) != 0 {
		t.Fatalf("none: %v", rows)
	}
	if ids, _ := f.s.MailRowids(f.ctx, 999); ids == nil || len(ids) != 0 {
		t.Fatalf("empty folder: %v", ids)
	}
}

func TestMailOps(t *testing.T) {
	f, acc := newMailFixture(t)
	in := f.folder(acc.ID, "INBOX")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 10)))
	f.must(f.s.ResetMailFolder(f.ctx, in.ID, 7)) // a real UIDVALIDITY
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 10)))
	row := func(uid uint32) MailMessage {
		t.Helper()
		m, err := f.s.MailByUID(f.ctx, in.ID, uid)
		f.must(err)
		return m
	}
	// Mark uid 1 read, uid 4 unflagged-and-unread (4 is unseen already).
	op1, err := f.s.QueueMailOp(f.ctx, row(1).Rowid, MailOpAddFlags, ` \seen  `)
	f.must(err)
	if op1.ID == 0 || op1.AccountID != acc.ID || op1.FolderName != "INBOX" || op1.UIDValidity != 7 || op1.UID != 1 ||
		op1.Arg != `\Seen` || !op1.Created.Equal(f.clock.now()) {
		t.Fatalf("op %+v", op1)
	}
	if !row(1).Seen {
		t.Fatal("flag not applied to the cache")
	}
	f.checkCounters()
	_, err = f.s.QueueMailOp(f.ctx, row(3).Rowid, MailOpRemoveFlags, `\Seen`)
	f.must(err)
	if row(3).Seen {
		t.Fatal("uid 3 still seen")
	}
	f.checkCounters()
	// Move and delete leave the list at once.
	_, err = f.s.QueueMailOp(f.ctx, row(5).Rowid, MailOpMove, "Lưu trữ")
	f.must(err)
	del, err := f.s.QueueMailOp(f.ctx, row(6).Rowid, MailOpDelete, "")
	f.must(err)
	f.checkCounters()
	if uids, _ := f.s.MailUIDs(f.ctx, in.ID); slices.Contains(uids, 5) || slices.Contains(uids, 6) || len(uids) != 8 {
		t.Fatalf("uids %v", uids)
	}
	if in2 := f.folder(acc.ID, "INBOX"); in2.Total != 8 {
		t.Fatalf("total %d", in2.Total)
	}
	ops, err := f.s.PendingMailOps(f.ctx, acc.ID)
	f.must(err)
	var kinds []string
	for _, o := range ops {
		kinds = append(kinds, fmt.Sprint(o.Kind, ":", o.UID))
	}
	if !slices.Equal(kinds, []string{"add_flags:1", "remove_flags:3", "move:5", "delete:6"}) || ops[2].Arg != "Lưu trữ" {
		t.Fatalf("pending %v", kinds)
	}

	// Until replayed, what the server reports does not undo them.
	f.must(f.s.SetMailFlags(f.ctx, in.ID, []MailFlagChange{{UID: 1, ModSeq: 90}, {UID: 3, ModSeq: 91, Flags: []string{`\Seen`}}}))
	if !row(1).Seen || row(3).Seen || row(1).ModSeq != 90 {
		t.Fatalf("server flags undid queued ones: %+v %+v", row(1).MailRow, row(3).MailRow)
	}
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 10)))
	if uids, _ := f.s.MailUIDs(f.ctx, in.ID); len(uids) != 8 || !row(1).Seen {
		t.Fatalf("a moved message came back: %v", uids)
	}
	f.checkCounters()

	// Replay.
	f.must(f.s.DoneMailOp(f.ctx, del.ID, errors.New("NO [TRYCREATE] no Trash")))
	f.must(f.s.DoneMailOp(f.ctx, del.ID, errors.New("NO [TRYCREATE] no Trash")))
	f.must(f.s.DoneMailOp(f.ctx, op1.ID, nil))
	ops, _ = f.s.PendingMailOps(f.ctx, acc.ID)
	if len(ops) != 3 || ops[2].ID != del.ID || ops[2].Attempts != 2 || ops[2].LastError != "NO [TRYCREATE] no Trash" {
		t.Fatalf("after replay %+v", ops)
	}
	if err := f.s.DoneMailOp(f.ctx, op1.ID, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("done twice: %v", err)
	}
	// With the op done, the server's flags count again.
	f.must(f.s.SetMailFlags(f.ctx, in.ID, []MailFlagChange{{UID: 1, ModSeq: 92}}))
	if row(1).Seen {
		t.Fatal("server flags ignored after replay")
	}
	f.checkCounters()

	for _, c := range []struct{ kind, arg, field string }{
		{"archive", "", "kind"}, {MailOpAddFlags, " ", "arg"}, {MailOpMove, "", "arg"}, {MailOpMove, "INBOX", "arg"},
	} {
		if _, err := f.s.QueueMailOp(f.ctx, row(2).Rowid, c.kind, c.arg); !errors.Is(err, ErrInvalid) || FieldErrors(err)[0].Field != c.field {
			t.Errorf("%s %q: %v", c.kind, c.arg, err)
		}
	}
	if _, err := f.s.QueueMailOp(f.ctx, 98765, MailOpDelete, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing message: %v", err)
	}
}

func TestMailLinksSurviveRebuild(t *testing.T) {
	f := newFixture(t)
	acc := f.mailAccount("vanthu@lamson.gov.vn")
	doc := f.register()
	in := f.folder(acc.ID, "INBOX")
	arch := f.folder(acc.ID, "Sent")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 5)))
	m, err := f.s.MailByUID(f.ctx, in.ID, 3)
	f.must(err)
	f.must(f.s.LinkMailDocument(f.ctx, m.Rowid, doc.DocID))
	f.must(f.s.LinkMailDocument(f.ctx, m.Rowid, doc.DocID)) // twice is once
	if err := f.s.LinkMailDocument(f.ctx, m.Rowid, "no-such-doc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown document: %v", err)
	}
	noID := mailHeader(9)
	noID.MessageID = ""
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, []MailHeader{noID}))
	m9, _ := f.s.MailByUID(f.ctx, in.ID, 9)
	if err := f.s.LinkMailDocument(f.ctx, m9.Rowid, doc.DocID); !fieldErr(err, "message_id", "required") {
		t.Fatalf("no Message-ID: %v", err)
	}
	docs, err := f.s.MailDocuments(f.ctx, m.Rowid)
	f.must(err)
	if !slices.Equal(docs, []string{doc.DocID}) {
		t.Fatalf("mail documents %v", docs)
	}
	// A copy of the same message in another folder is the same message.
	f.must(f.s.PutMailHeaders(f.ctx, arch.ID, []MailHeader{mailHeader(3)}))
	rows, err := f.s.DocumentMail(f.ctx, doc.DocID)
	f.must(err)
	if len(rows) != 1 || rows[0].MessageID != "3.msg@sotnmt.hanoi.gov.vn" {
		t.Fatalf("document mail %+v", rows)
	}
	f.must(f.s.RemoveMailUIDs(f.ctx, arch.ID, []uint32{3}))

	// UIDVALIDITY changes: the cache is rebuilt, the message gets a new UID.
	f.must(f.s.ResetMailFolder(f.ctx, in.ID, 2))
	if rows, _ := f.s.DocumentMail(f.ctx, doc.DocID); len(rows) != 0 {
		t.Fatalf("still cached? %+v", rows)
	}
	again := mailHeader(3)
	again.UID = 103
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, []MailHeader{again}))
	rows, err = f.s.DocumentMail(f.ctx, doc.DocID)
	f.must(err)
	if len(rows) != 1 || rows[0].UID != 103 {
		t.Fatalf("after rebuild %+v", rows)
	}
	if docs, _ := f.s.MailDocuments(f.ctx, rows[0].Rowid); !slices.Equal(docs, []string{doc.DocID}) {
		t.Fatalf("mail documents after rebuild %v", docs)
	}
	if docs, _ := f.s.MailDocuments(f.ctx, m9.Rowid); len(docs) != 0 {
		t.Fatalf("gone message %v", docs)
	}
}

// The list, the UID list, the body queue, the resume point and the
// completion read indexes in their order: no sort, whatever the size.
func TestMailQueryPlans(t *testing.T) {
	f, acc := newMailFixture(t)
	in := f.folder(acc.ID, "INBOX")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, mailHeaders(1, 200)))
	f.must(f.s.PutMailBodies(f.ctx, in.ID, []MailBody{{UID: 4, State: BodyFailed, Error: "x"}}))
	for _, c := range []struct {
		name, q string
		args    []any
		index   string
	}{
		{"MailRowids", mailRowidsQuery, []any{in.ID}, "mail_messages_list"},
		{"MailNeedingBodies", mailNeedingBodiesQuery, []any{in.ID, 50}, "mail_messages_need_body"},
		{"MailUIDs", `SELECT group_concat(uid) FROM (SELECT uid FROM mail_messages WHERE folder_id = ? ORDER BY uid)`, []any{in.ID}, "COVERING INDEX"},
		{"MailMaxUID", `SELECT max(uid) FROM mail_messages WHERE folder_id = ?`, []any{in.ID}, "COVERING INDEX"},
		{"MailAddresses", mailAddressesQuery, []any{"% ng%", "% ng%", 10}, "mail_addresses_by_count"},
		{"SearchMail", mailSearchQuery, []any{`folded : ("cong")`, "[]", 10}, "VIRTUAL TABLE INDEX"},
	} {
		plan := explain(t, f, c.q, c.args...)
		t.Logf("%s:\n%s", c.name, plan)
		if strings.Contains(plan, "TEMP B-TREE") || !strings.Contains(plan, c.index) {
			t.Errorf("%s:\n%s", c.name, plan)
		}
		for _, line := range strings.Split(plan, "\n") {
			if line == "SCAN m" || strings.HasPrefix(line, "SCAN m ") || strings.HasPrefix(line, "SCAN mail_messages") {
				t.Errorf("%s scans the messages:\n%s", c.name, plan)
			}
		}
	}
}

func TestMailDurableWrites(t *testing.T) {
	f, _ := newMailFixture(t)
	for _, durable := range []bool{true, false, true} {
		var mode int
		f.must(f.s.mailWrite(f.ctx, "probe", durable, func(tx *wtx) error {
			return tx.tx.QueryRow(`PRAGMA synchronous`).Scan(&mode)
		}))
		if want := map[bool]int{true: 2, false: 1}[durable]; mode != want {
			t.Fatalf("durable %v: synchronous %d", durable, mode)
		}
	}
	// Both writer connections are back at NORMAL.
	c1, err := f.s.w.Conn(f.ctx)
	f.must(err)
	c2, err := f.s.w.Conn(f.ctx)
	f.must(err)
	for i, c := range []*sql.Conn{c1, c2} {
		var mode int
		f.must(c.QueryRowContext(f.ctx, `PRAGMA synchronous`).Scan(&mode))
		if mode != 1 {
			t.Errorf("connection %d left at synchronous %d", i, mode)
		}
	}
	c1.Close()
	c2.Close()
	// A failing durable write rolls back and is wrapped with its op.
	err = f.s.mailWrite(f.ctx, "probe", true, func(tx *wtx) error {
		if _, err := tx.Exec(`INSERT INTO mail_ops(account_id, folder_name, uidvalidity, uid, kind, created) VALUES ('a','b',1,1,'delete',0)`); err != nil {
			return err
		}
		return ErrNotFound
	})
	var n int
	f.must(f.s.r.QueryRow(`SELECT count(*) FROM mail_ops`).Scan(&n))
	if !errors.Is(err, ErrNotFound) || !strings.HasPrefix(err.Error(), "probe: ") || n != 0 {
		t.Fatalf("failed write: %v, %d rows", err, n)
	}
}
