package imapsync

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/mailtest"
	"congvu/mail/mimemsg"
)

// rig is one test: a mail server, a fresh mailbox, a store with its account.
type rig struct {
	t    *testing.T
	env  *mailtest.Env
	user string
	st   *docstore.Store
	acct docstore.MailAccount
	dial *countingDialer
}

// countingDialer counts logins and can refuse all of them (a server that
// is down, from the client's side).
type countingDialer struct {
	account.Dialer
	n    atomic.Int32
	down atomic.Bool
}

func (d *countingDialer) IMAP(ctx context.Context, a docstore.MailAccount, pw string, o *imapclient.Options) (*imapclient.Client, error) {
	d.n.Add(1)
	if d.down.Load() {
		return nil, &account.ConnError{Server: "imap", Host: a.IMAPHost, Port: a.IMAPPort, Err: account.ErrPortClosed}
	}
	return d.Dialer.IMAP(ctx, a, pw, o)
}

func newRig(t *testing.T, env *mailtest.Env) *rig {
	t.Helper()
	r := &rig{t: t, env: env, user: env.FreshUser(t), dial: &countingDialer{Dialer: account.Dialer{Timeout: 10 * time.Second}}}
	r.open(t.TempDir())
	return r
}

func (r *rig) open(dir string) { r.openB(r.t, dir) }

func (r *rig) openB(tb testing.TB, dir string) {
	st, err := docstore.Open(dir, docstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	r.st = st
	if as, _ := st.MailAccounts(context.Background()); len(as) > 0 {
		r.acct = as[0]
		return
	}
	r.acct = r.env.Account(r.user)
	r.acct.ID = ""
	if err := st.SaveMailAccount(context.Background(), &r.acct); err != nil {
		tb.Fatal(err)
	}
}

func (r *rig) engine(opt Options) *Engine {
	pw := r.env.Password(r.user)
	return New(r.st, r.acct, r.dial, func(context.Context) (string, error) { return pw, nil }, opt)
}

// client is a second, independent IMAP session (another mail program of the
// same user, changing things on the server).
func (r *rig) client() *imapclient.Client {
	r.t.Helper()
	c, err := account.Dialer{}.IMAP(context.Background(), r.acct, r.env.Password(r.user), nil)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { c.Logout().Wait(); c.Close() })
	return c
}

func (r *rig) syncOnce() Summary {
	r.t.Helper()
	sum := r.engine(Options{}).SyncOnce(context.Background())
	if sum.Err != nil {
		r.t.Fatalf("sync: %v", sum.Err)
	}
	for _, f := range sum.Folders {
		if f.Err != nil {
			r.t.Fatalf("sync %s: %v", f.Folder, f.Err)
		}
	}
	return sum
}

func folderSum(s Summary, name string) FolderSummary {
	for _, f := range s.Folders {
		if f.Folder == name {
			return f
		}
	}
	return FolderSummary{Folder: name}
}

// assertCacheEqualsServer compares one folder: the same UIDs, the same
// flags, every body under the cap present and readable, no UID twice.
func (r *rig) assertCacheEqualsServer(folder string) {
	r.t.Helper()
	ctx := context.Background()
	c := r.client()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		r.t.Fatal(err)
	}
	server := map[uint32][]string{}
	if sel.NumMessages > 0 {
		var all imap.SeqSet
		all.AddRange(1, 0)
		msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
		if err != nil {
			r.t.Fatal(err)
		}
		for _, m := range msgs {
			server[uint32(m.UID)] = flagStrings(m.Flags)
		}
	}
	f, err := r.st.MailFolderByName(ctx, r.acct.ID, folder)
	if err != nil {
		r.t.Fatal(err)
	}
	if f.UIDValidity != sel.UIDValidity {
		r.t.Errorf("%s: cache UIDVALIDITY %d, server %d", folder, f.UIDValidity, sel.UIDValidity)
	}
	rowids, err := r.st.MailRowids(ctx, f.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	rows, err := r.st.MailRowsByRowid(ctx, rowids)
	if err != nil {
		r.t.Fatal(err)
	}
	seen := map[uint32]bool{}
	for _, row := range rows {
		if seen[row.UID] {
			r.t.Errorf("%s: UID %d cached twice", folder, row.UID)
		}
		seen[row.UID] = true
		want, ok := server[row.UID]
		if !ok {
			r.t.Errorf("%s: UID %d cached but not on the server", folder, row.UID)
			continue
		}
		if !slices.Equal(row.Flags, want) {
			r.t.Errorf("%s: UID %d flags %v, server %v", folder, row.UID, row.Flags, want)
		}
		if row.State != docstore.BodyPresent {
			r.t.Errorf("%s: UID %d body state %d", folder, row.UID, row.State)
		} else if rc, err := r.st.OpenMailRaw(ctx, row.Blob); err != nil {
			r.t.Errorf("%s: UID %d raw message: %v", folder, row.UID, err)
		} else {
			rc.Close()
		}
	}
	for uid := range server {
		if !seen[uid] {
			r.t.Errorf("%s: UID %d on the server, not cached", folder, uid)
		}
	}
	if f.Total != len(server) {
		r.t.Errorf("%s: folder total %d, server %d", folder, f.Total, len(server))
	}
}

func msg(subject, body string) []byte {
	return []byte(fmt.Sprintf("From: =?utf-8?q?Nguy=E1=BB=85n_V=C4=83n_A?= <nguyenvana@other.test>\r\nTo: x@agency.test\r\nSubject: %s\r\n"+
		"Date: %s\r\nMessage-ID: <%s@other.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		mimeWord(subject), time.Now().Format(time.RFC1123Z), mailtest.Token(), body))
}

func mimeWord(s string) string {
	var b strings.Builder
	mimemsg.Compose(&b, mimemsg.Draft{Subject: s}) // only for the encoded Subject line
	for _, l := range strings.Split(b.String(), "\r\n") {
		if strings.HasPrefix(l, "Subject: ") {
			return strings.TrimPrefix(l, "Subject: ")
		}
	}
	return s
}

func TestSyncInitialThenChanges(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	r.env.SeedMaildir(t, r.user, 60, 7, 10)
	sum := r.syncOnce()
	in := folderSum(sum, "INBOX")
	if in.New != 60 || in.Bodies != 60 {
		t.Fatalf("first sync INBOX: %+v", in)
	}
	r.assertCacheEqualsServer("INBOX")
	// Folders with SPECIAL-USE roles are known.
	for _, role := range []string{docstore.FolderSent, docstore.FolderDrafts, docstore.FolderTrash} {
		if _, err := r.st.MailFolderByRole(context.Background(), r.acct.ID, role); err != nil {
			t.Errorf("role %s: %v", role, err)
		}
	}

	// Another program of the same user flags one, deletes two; mail arrives.
	c := r.client()
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged, imap.FlagSeen}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(5, 6), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	r.env.Deliver(t, r.user, msg("Về việc thu hồi đất đai", "Kính gửi: Văn thư. Nội dung."))
	sum = r.syncOnce()
	in = folderSum(sum, "INBOX")
	if in.New != 1 || in.Removed != 2 || in.Changed < 1 || in.Bodies != 1 {
		t.Fatalf("second sync INBOX: %+v", in)
	}
	r.assertCacheEqualsServer("INBOX")

	// Nothing changed: the resync sends no FETCH of flags and no SEARCH.
	sum = r.syncOnce()
	if in := folderSum(sum, "INBOX"); in.New+in.Changed+in.Removed+in.Bodies != 0 {
		t.Fatalf("no-change sync: %+v", in)
	}
	hits, err := r.st.SearchMail(context.Background(), "thu hoi dat dai", 10)
	if err != nil || len(hits) == 0 {
		t.Fatalf("search after sync: %v %d", err, len(hits))
	}
}

func TestSyncUIDValidityChangeRebuildsFolder(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	c := r.client()
	const box = "Lưu trữ 2026"
	if err := c.Create(box, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	appendRaw(t, c, box, msg("Thư cũ một", "một"))
	appendRaw(t, c, box, msg("Thư cũ hai", "hai"))
	r.syncOnce()
	r.assertCacheEqualsServer(box)
	before, _ := r.st.MailFolderByName(context.Background(), r.acct.ID, box)

	// The folder is deleted and made again: a new UIDVALIDITY, UIDs from 1.
	if err := c.Delete(box).Wait(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // Dovecot's UIDVALIDITY is a timestamp
	if err := c.Create(box, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	appendRaw(t, c, box, msg("Thư mới", "mới"))
	sum := r.syncOnce()
	fs := folderSum(sum, box)
	if !fs.Reset || fs.New != 1 {
		t.Fatalf("after UIDVALIDITY change: %+v", fs)
	}
	after, _ := r.st.MailFolderByName(context.Background(), r.acct.ID, box)
	if after.UIDValidity == before.UIDValidity {
		t.Fatal("UIDVALIDITY did not change")
	}
	r.assertCacheEqualsServer(box)
	rows := r.rows(box)
	if len(rows) != 1 || rows[0].Subject != "Thư mới" {
		t.Fatalf("rebuilt folder: %+v", rows)
	}
}

func (r *rig) rows(folder string) []docstore.MailRow {
	r.t.Helper()
	f, err := r.st.MailFolderByName(context.Background(), r.acct.ID, folder)
	if err != nil {
		r.t.Fatal(err)
	}
	ids, err := r.st.MailRowids(context.Background(), f.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	rows, err := r.st.MailRowsByRowid(context.Background(), ids)
	if err != nil {
		r.t.Fatal(err)
	}
	return rows
}

func appendRaw(t *testing.T, c *imapclient.Client, box string, raw []byte) {
	t.Helper()
	cmd := c.Append(box, int64(len(raw)), nil)
	cmd.Write(raw)
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestOfflineOperationsReplayed(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	r.env.SeedMaildir(t, r.user, 5, 3, 0)
	r.syncOnce()
	ctx := context.Background()
	rows := r.rows("INBOX")
	byUID := map[uint32]docstore.MailRow{}
	for _, row := range rows {
		byUID[row.UID] = row
	}
	// Made while offline: the server is unreachable, the cache changes at once.
	r.dial.down.Store(true)
	must := func(_ docstore.MailOp, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(r.st.QueueMailOp(ctx, byUID[1].Rowid, docstore.MailOpAddFlags, `\Seen \Flagged`))
	must(r.st.QueueMailOp(ctx, byUID[2].Rowid, docstore.MailOpMove, "Archive"))
	must(r.st.QueueMailOp(ctx, byUID[3].Rowid, docstore.MailOpDelete, ""))
	if sum := r.engine(Options{}).SyncOnce(ctx); !errors.Is(sum.Err, account.ErrPortClosed) {
		t.Fatalf("offline sync: %v", sum.Err)
	}
	if n := len(r.rows("INBOX")); n != 3 {
		t.Fatalf("cache after offline move+delete: %d rows, want 3", n)
	}
	// Back online: replayed, and the cache equals the server everywhere.
	r.dial.down.Store(false)
	sum := r.syncOnce()
	if sum.Ops != 3 {
		t.Fatalf("replayed %d ops", sum.Ops)
	}
	ops, _ := r.st.PendingMailOps(ctx, r.acct.ID)
	if len(ops) != 0 {
		t.Fatalf("ops left: %+v", ops)
	}
	for _, box := range []string{"INBOX", "Archive", "Trash"} {
		r.assertCacheEqualsServer(box)
	}
	if n := len(r.rows("Archive")); n != 1 {
		t.Fatalf("Archive has %d", n)
	}
	if n := len(r.rows("Trash")); n != 1 {
		t.Fatalf("Trash has %d", n)
	}
	for _, row := range r.rows("INBOX") {
		if row.UID == 1 && !(row.Seen && row.Flagged) {
			t.Fatalf("flags not replayed: %+v", row.Flags)
		}
	}
}

func TestIdleBringsNewMail(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	idle := make(chan struct{}, 10)
	e := r.engine(Options{Progress: func(p Progress) {
		if p.Phase == PhaseIdle {
			select {
			case idle <- struct{}{}:
			default:
			}
		}
	}})
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor(t, idle, 20*time.Second, "first IDLE")
	t0 := time.Now()
	r.env.Deliver(t, r.user, msg("Giấy mời họp giao ban", "Kính mời."))
	deadline := time.Now().Add(10 * time.Second)
	for len(r.rows("INBOX")) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the delivered message did not reach the cache through IDLE")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("delivered → cached through IDLE in %v", time.Since(t0).Round(time.Millisecond))
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
}

func waitFor(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timeout waiting for %s", what)
	}
}

func TestWrongPasswordNoRetryStorm(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	offline := make(chan error, 10)
	e := New(r.st, r.acct, r.dial, func(context.Context) (string, error) { return "sai-mat-khau-123", nil }, Options{
		Progress: func(p Progress) {
			if p.Phase == PhaseOffline {
				offline <- p.Err
			}
		}})
	go e.Run(ctx)
	select {
	case err := <-offline:
		if !errors.Is(err, account.ErrAuthFailed) {
			t.Fatalf("offline because %v", err)
		}
		if strings.Contains(err.Error(), "sai-mat-khau-123") {
			t.Fatal("the password is in the error text")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no report")
	}
	time.Sleep(3 * time.Second)
	if n := r.dial.n.Load(); n != 1 {
		t.Fatalf("%d login attempts after a refused password, want 1", n)
	}
	if err := e.FetchBody(ctx, 1); !errors.Is(err, ErrOffline) {
		t.Fatalf("request while refused: %v", err)
	}
}

// A move the server keeps refusing (the target folder does not exist) is
// dropped after maxOpAttempts, and the message shows again as the server has it.
func TestRefusedOperationDroppedAndMessageBack(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	r.env.SeedMaildir(t, r.user, 3, 9, 0)
	r.syncOnce()
	ctx := context.Background()
	rows := r.rows("INBOX")
	if _, err := r.st.QueueMailOp(ctx, rows[0].Rowid, docstore.MailOpMove, "Không tồn tại"); err != nil {
		t.Fatal(err)
	}
	if n := len(r.rows("INBOX")); n != 2 {
		t.Fatalf("after the move, %d rows", n)
	}
	for i := 0; i <= maxOpAttempts; i++ {
		r.syncOnce()
	}
	if ops, _ := r.st.PendingMailOps(ctx, r.acct.ID); len(ops) != 0 {
		t.Fatalf("ops left: %+v", ops)
	}
	r.assertCacheEqualsServer("INBOX")
}

// The folder the window shows vanished: the engine watches INBOX instead
// of failing and reconnecting forever.
func TestIdleOnMissingFolderFallsBackToInbox(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	idle := make(chan string, 10)
	e := r.engine(Options{IdleFolder: "Không tồn tại", Progress: func(p Progress) {
		if p.Phase == PhaseIdle {
			select {
			case idle <- p.Folder:
			default:
			}
		}
	}})
	go e.Run(ctx)
	select {
	case f := <-idle:
		if f != "INBOX" {
			t.Fatalf("idling on %q", f)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("never idle")
	}
	if n := r.dial.n.Load(); n != 1 {
		t.Fatalf("%d logins", n)
	}
}
