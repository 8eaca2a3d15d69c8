package docstore

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var outboxSeq int

func (f *fixture) outboxItem(accountID string) *OutboxItem {
	f.t.Helper()
	outboxSeq++
	ref, err := f.s.Blobs().Put(strings.NewReader(fmt.Sprintf("From: a\r\nSubject: %d\r\n\r\nbody", outboxSeq)))
	f.must(err)
	return &OutboxItem{
		AccountID: accountID, MessageID: fmt.Sprintf("<out%d@sotnmt.hanoi.gov.vn>", outboxSeq),
		From: "chuyenvien@sotnmt.hanoi.gov.vn", Recipients: []string{"vanthu@hanoi.gov.vn", " lanhdao@hanoi.gov.vn "},
		Subject: "Báo cáo tuần", Blob: ref, Parts: []MailPart{{Path: "2", Name: "Báo cáo.docx", MIMEType: "application/msword", Size: 10}},
	}
}

func TestOutboxStateMachine(t *testing.T) {
	f, acc := newMailFixture(t)
	it := f.outboxItem(acc.ID)
	f.must(f.s.EnqueueOutbox(f.ctx, it))
	if it.ID == "" || it.State != OutboxQueued || !it.Created.Equal(f.clock.now()) || it.MessageID != fmt.Sprintf("out%d@sotnmt.hanoi.gov.vn", outboxSeq) ||
		len(it.Recipients) != 2 || it.Recipients[1] != "lanhdao@hanoi.gov.vn" {
		t.Fatalf("enqueued %+v", it)
	}
	items, err := f.s.OutboxItems(f.ctx, acc.ID)
	f.must(err)
	if len(items) != 1 || items[0].ID != it.ID || items[0].Subject != "Báo cáo tuần" || items[0].Blob != it.Blob ||
		len(items[0].Parts) != 1 || items[0].Parts[0].Name != "Báo cáo.docx" || len(items[0].Recipients) != 2 {
		t.Fatalf("items %+v", items)
	}

	// Illegal steps from queued.
	for name, step := range map[string]func() error{
		"sent":     func() error { return f.s.OutboxSent(f.ctx, it.ID) },
		"failed":   func() error { return f.s.OutboxFailed(f.ctx, it.ID, "x", false, time.Time{}) },
		"appended": func() error { return f.s.OutboxAppended(f.ctx, it.ID) },
		"requeue":  func() error { return f.s.RequeueOutbox(f.ctx, it.ID) },
	} {
		if err := step(); !errors.Is(err, ErrTransition) {
			t.Errorf("%s from queued: %v", name, err)
		}
	}

	// queued → sending → (temporary failure) queued, not due yet.
	c, err := f.s.ClaimOutbox(f.ctx, acc.ID)
	f.must(err)
	if c == nil || c.ID != it.ID || c.State != OutboxSending {
		t.Fatalf("claim %+v", c)
	}
	if c2, err := f.s.ClaimOutbox(f.ctx, ""); err != nil || c2 != nil {
		t.Fatalf("second claim %+v %v", c2, err)
	}
	if err := f.s.DeleteOutbox(f.ctx, it.ID); !errors.Is(err, ErrTransition) {
		t.Fatalf("delete while sending: %v", err)
	}
	next := f.clock.now().Add(10 * time.Minute)
	f.must(f.s.OutboxFailed(f.ctx, it.ID, "421 try again later", false, next))
	if c, _ := f.s.ClaimOutbox(f.ctx, acc.ID); c != nil {
		t.Fatalf("claimed before NextTry: %+v", c)
	}
	items, _ = f.s.OutboxItems(f.ctx, "")
	if items[0].State != OutboxQueued || items[0].Attempts != 1 || items[0].LastError != "421 try again later" || !items[0].NextTry.Equal(next) {
		t.Fatalf("after a temporary failure %+v", items[0])
	}
	f.clock.set(next)
	c, _ = f.s.ClaimOutbox(f.ctx, acc.ID)
	if c == nil || c.Attempts != 1 {
		t.Fatalf("due claim %+v", c)
	}
	// Permanent: failed; the user sends it again.
	f.must(f.s.OutboxFailed(f.ctx, it.ID, "550 mailbox unavailable", true, next.Add(time.Hour)))
	items, _ = f.s.OutboxItems(f.ctx, acc.ID)
	if items[0].State != OutboxFailed || items[0].Attempts != 2 || !items[0].NextTry.IsZero() {
		t.Fatalf("failed %+v", items[0])
	}
	if c, _ := f.s.ClaimOutbox(f.ctx, acc.ID); c != nil {
		t.Fatalf("claimed a failed item")
	}
	f.must(f.s.RequeueOutbox(f.ctx, it.ID))
	c, _ = f.s.ClaimOutbox(f.ctx, acc.ID)
	if c == nil || c.LastError != "" {
		t.Fatalf("requeued claim %+v", c)
	}
	f.must(f.s.OutboxSent(f.ctx, it.ID))
	for _, step := range []func() error{
		func() error { return f.s.OutboxSent(f.ctx, it.ID) },
		func() error { return f.s.DeleteOutbox(f.ctx, it.ID) },
		func() error { return f.s.OutboxFailed(f.ctx, it.ID, "x", true, time.Time{}) },
	} {
		if err := step(); !errors.Is(err, ErrTransition) {
			t.Errorf("from sent: %v", err)
		}
	}
	f.must(f.s.OutboxAppended(f.ctx, it.ID))
	items, _ = f.s.OutboxItems(f.ctx, acc.ID)
	if len(items) != 1 || items[0].State != OutboxAppended || !items[0].SentAt.Equal(f.clock.now()) {
		t.Fatalf("appended %+v", items)
	}
	if err := f.s.OutboxAppended(f.ctx, it.ID); !errors.Is(err, ErrTransition) {
		t.Errorf("appended twice: %v", err)
	}
	// Finished items leave the list after 7 days.
	f.clock.set(f.clock.now().Add(8 * 24 * time.Hour))
	if items, _ := f.s.OutboxItems(f.ctx, acc.ID); len(items) != 0 {
		t.Fatalf("old appended item listed %+v", items)
	}
	for _, step := range []func() error{
		func() error { return f.s.OutboxSent(f.ctx, "nope") },
		func() error { return f.s.DeleteOutbox(f.ctx, "nope") },
		func() error { return f.s.RequeueOutbox(f.ctx, "nope") },
	} {
		if err := step(); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing item: %v", err)
		}
	}
}

func TestOutboxOrderDeleteRecover(t *testing.T) {
	f, acc := newMailFixture(t)
	other := f.mailAccount("vanthu@sotnmt.hanoi.gov.vn")
	var ids []string
	for i := 0; i < 4; i++ {
		acct := acc.ID
		if i == 1 {
			acct = other.ID
		}
		it := f.outboxItem(acct)
		f.must(f.s.EnqueueOutbox(f.ctx, it))
		ids = append(ids, it.ID)
		f.clock.set(f.clock.now().Add(time.Second))
	}
	items, _ := f.s.OutboxItems(f.ctx, "")
	if len(items) != 4 || items[0].ID != ids[3] || items[3].ID != ids[0] {
		t.Fatalf("newest first %+v", items)
	}
	if items, _ := f.s.OutboxItems(f.ctx, other.ID); len(items) != 1 || items[0].ID != ids[1] {
		t.Fatalf("per account %+v", items)
	}
	// Oldest first, per account.
	c, _ := f.s.ClaimOutbox(f.ctx, acc.ID)
	c2, _ := f.s.ClaimOutbox(f.ctx, acc.ID)
	c3, _ := f.s.ClaimOutbox(f.ctx, "")
	if c.ID != ids[0] || c2.ID != ids[2] || c3.ID != ids[1] {
		t.Fatalf("claims %s %s %s, want %v", c.ID, c2.ID, c3.ID, ids)
	}
	f.must(f.s.DeleteOutbox(f.ctx, ids[3]))
	// A crash: the two sending ones go back to the queue.
	n, err := f.s.RecoverOutbox(f.ctx)
	f.must(err)
	if n != 3 {
		t.Fatalf("recovered %d", n)
	}
	items, _ = f.s.OutboxItems(f.ctx, "")
	for _, it := range items {
		if it.State != OutboxQueued || it.LastError != "interrupted" {
			t.Fatalf("recovered %+v", it)
		}
	}
	if n, _ := f.s.RecoverOutbox(f.ctx); n != 0 {
		t.Fatalf("recovered twice: %d", n)
	}

	// Validation: the raw message must be stored first.
	bad := f.outboxItem(acc.ID)
	bad.Blob.SHA256 = strings.Repeat("ab", 32)
	bad.Recipients = nil
	bad.From = "không hợp lệ"
	err = f.s.EnqueueOutbox(f.ctx, bad)
	for _, w := range [][2]string{{"blob", "required"}, {"recipients", "required"}, {"from", "format"}} {
		if !fieldErr(err, w[0], w[1]) {
			t.Errorf("want %v in %v", w, err)
		}
	}
	if bad.ID != "" {
		t.Errorf("id assigned to a refused item")
	}
	ghost := f.outboxItem("ghost")
	if err := f.s.EnqueueOutbox(f.ctx, ghost); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
}
