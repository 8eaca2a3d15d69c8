package outbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/mailtest"
	"congvu/mail/mimemsg"
)

type rig struct {
	skew     atomic.Int64 // added to the store's and the sender's clock
	env      *mailtest.Env
	st       *docstore.Store
	from, to string
	acct     docstore.MailAccount
	s        *Sender
	password string
}

func newRig(t *testing.T, env *mailtest.Env) *rig {
	r := &rig{env: env, from: env.FreshUser(t), to: env.FreshUser(t)}
	st, err := docstore.Open(t.TempDir(), docstore.Options{Now: r.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	r.acct = env.Account(r.from)
	r.acct.ID = ""
	if err := st.SaveMailAccount(context.Background(), &r.acct); err != nil {
		t.Fatal(err)
	}
	r.password = env.Password(r.from)
	r.s = New(st, account.Dialer{Timeout: 5 * time.Second}, func(context.Context, string) (string, error) { return r.password, nil }, nil)
	r.s.now = r.now
	return r
}

func (r *rig) now() time.Time { return time.Now().Add(time.Duration(r.skew.Load())) }

func (r *rig) draft(subject string) mimemsg.Draft {
	return mimemsg.Draft{
		To:      []docstore.MailAddress{{Name: "Trưởng phòng", Addr: mailtest.Address(r.to)}},
		Subject: subject,
		Text:    "Kính gửi anh,\nEm gửi dự thảo công văn.\n",
		Attachments: []mimemsg.Attachment{{Name: "Dự thảo công văn số 15.pdf", MIMEType: "application/pdf",
			Open: func() (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(bytes.Repeat([]byte("%PDF-1.4 x"), 5000))), nil
			}}},
	}
}

// inbox counts the messages of user's INBOX Maildir carrying the Message-ID.
func (r *rig) inbox(t *testing.T, user, messageID string) int {
	t.Helper()
	n := 0
	for _, d := range []string{"new", "cur"} {
		files, _ := filepath.Glob(filepath.Join(r.env.Maildir(user), d, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err == nil && bytes.Contains(b, []byte("<"+messageID+">")) {
				n++
			}
		}
	}
	return n
}

func waitCount(t *testing.T, want int, f func() int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f() != want {
		if time.Now().After(deadline) {
			t.Fatalf("count %d, want %d", f(), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (r *rig) sentHas(t *testing.T, messageID string) int {
	t.Helper()
	c, err := account.Dialer{}.IMAP(context.Background(), r.acct, r.password, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Logout().Wait(); c.Close() }()
	if _, err := c.Select("Sent", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	d, err := c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + messageID + ">"}}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return len(d.AllUIDs())
}

func TestQueueSendAppendOnce(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	ctx := context.Background()
	it, err := r.s.Queue(ctx, r.acct, r.draft("Trình dự thảo công văn về đất đai"), "")
	if err != nil {
		t.Fatal(err)
	}
	res := r.s.SendDue(ctx)
	if len(res) != 1 || res[0].Err != nil {
		t.Fatalf("send: %+v", res)
	}
	waitCount(t, 1, func() int { return r.inbox(t, r.to, it.MessageID) })
	if n := r.sentHas(t, it.MessageID); n != 1 {
		t.Fatalf("Sent has it %d times", n)
	}
	items, _ := r.st.OutboxItems(ctx, r.acct.ID)
	if len(items) != 1 || items[0].State != docstore.OutboxAppended {
		t.Fatalf("outbox: %+v", items)
	}
	// Another round sends nothing again.
	if res := r.s.SendDue(ctx); len(res) != 0 {
		t.Fatalf("second round: %+v", res)
	}
	time.Sleep(500 * time.Millisecond)
	if n := r.inbox(t, r.to, it.MessageID); n != 1 {
		t.Fatalf("delivered %d times", n)
	}
	if n := r.sentHas(t, it.MessageID); n != 1 {
		t.Fatalf("Sent has it %d times", n)
	}
}

// Postfix down: the message stays queued with the reason; when it is back,
// the message is sent exactly once.
func TestPostfixDownStaysQueuedThenSentOnce(t *testing.T) {
	env := mailtest.Private(t)
	r := newRig(t, env)
	ctx := context.Background()
	env.StopPostfix(t)
	it, err := r.s.Queue(ctx, r.acct, r.draft("Báo cáo tháng 11"), "")
	if err != nil {
		t.Fatal(err)
	}
	res := r.s.SendDue(ctx)
	if len(res) != 1 || !errors.Is(res[0].Err, account.ErrPortClosed) {
		t.Fatalf("send with Postfix down: %+v", res)
	}
	items, _ := r.st.OutboxItems(ctx, r.acct.ID)
	if items[0].State != docstore.OutboxQueued || items[0].LastError == "" || items[0].NextTry.IsZero() {
		t.Fatalf("after a failure: %+v", items[0])
	}
	if strings.Contains(items[0].LastError, r.password) {
		t.Fatal("password in the error")
	}
	// Not due yet: nothing is tried.
	if res := r.s.SendDue(ctx); len(res) != 0 {
		t.Fatalf("retried before NextTry: %+v", res)
	}
	env.StartPostfix(t)
	r.skew.Store(int64(2 * time.Hour)) // its NextTry has come
	res = r.s.SendDue(ctx)
	if len(res) != 1 || res[0].Err != nil {
		t.Fatalf("send when back: %+v", res)
	}
	waitCount(t, 1, func() int { return r.inbox(t, r.to, it.MessageID) })
	r.s.SendDue(ctx)
	time.Sleep(500 * time.Millisecond)
	if n := r.inbox(t, r.to, it.MessageID); n != 1 {
		t.Fatalf("delivered %d times", n)
	}
}

func TestWrongPasswordQueuedNoStorm(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	r.password = "mat-khau-sai-987"
	ctx := context.Background()
	r.s.Queue(ctx, r.acct, r.draft("Thư một"), "")
	r.s.Queue(ctx, r.acct, r.draft("Thư hai"), "")
	res := r.s.SendDue(ctx)
	if len(res) != 1 || !errors.Is(res[0].Err, account.ErrAuthFailed) {
		t.Fatalf("wrong password: %+v", res)
	}
	if strings.Contains(res[0].Err.Error(), r.password) {
		t.Fatal("password in the error")
	}
	// Blocked until Kick: no second attempt however often it is asked.
	r.skew.Store(int64(24 * time.Hour))
	for i := 0; i < 3; i++ {
		if res := r.s.SendDue(ctx); len(res) != 0 {
			t.Fatalf("retried with a refused password: %+v", res)
		}
	}
	r.password = r.env.Password(r.from)
	r.s.Kick()
	res = r.s.SendDue(ctx)
	if len(res) != 2 || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("after the right password: %+v", res)
	}
}
