package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
)

// Chờ tiếp nhận: the clerk sees the packages other agencies sent, one
// flagged as asked back; opening one fills Vào sổ from it with its file;
// registering it files the document and queues 03 for the sender;
// refusing another asks why and queues 02.
func TestExchangeQueueRegisterAndRefuse(t *testing.T) {
	st, cast, s, w := demoShell(t)
	ctx := context.Background()
	svc := mail.NewService(st, mail.Options{Keyring: account.Memory()})
	t.Cleanup(svc.Stop)
	a := docstore.MailAccount{Address: "vanthu@lamson.gov.vn", DisplayName: "Văn thư", Username: "vanthu@lamson.gov.vn", IMAPHost: "127.0.0.1",
		IMAPPort: 993, IMAPSecurity: docstore.SecurityTLS, SMTPHost: "127.0.0.1", SMTPPort: 465, SMTPSecurity: docstore.SecurityTLS,
		PasswordMode: docstore.PasswordAsk, Shared: true}
	if err := svc.AddAccount(ctx, &a, ""); err != nil {
		t.Fatal(err)
	}
	s.SetMail(svc)
	for _, ag := range []docstore.ExchangeAgency{{OrganID: "000.00.00.H31", Name: "UBND tỉnh", Email: "vanthu@tinh.gov.vn"},
		{OrganID: "000.00.00.G09", Name: "Bộ Nội vụ", Email: "vanthu@moha.gov.vn"}} {
		if err := st.SetExchangeAgency(ctx, cast.Admin, ag); err != nil {
			t.Fatal(err)
		}
	}
	if !s.OpenScene("exchange.queue") {
		t.Fatal("no exchange scene")
	}
	q := s.ExchangeQueue
	eventually(t, "the queue", func() bool { return len(q.packages) == 3 })
	if len(q.asked) != 1 {
		t.Fatalf("asked back: %v", q.asked)
	}
	var plan, moha docstore.ExchangeIncoming
	for _, p := range q.packages {
		switch p.Notation {
		case "87/KH-UBND":
			plan = p
		case "512/BNV-CCVC":
			moha = p
		}
	}

	s.OpenPackage(plan)
	f := s.Form
	if f.Notation.Text != "87/KH-UBND" || f.Issuer.Text != "Ủy ban nhân dân tỉnh" || f.Type.Selected != "Kế hoạch" ||
		f.Source.SelectedIndex() != 3 || len(f.Stored) != 1 || f.Stored[0].Name != "87-KH-UBND.pdf" {
		t.Fatalf("filled: %q %q %q source %d files %+v", f.Notation.Text, f.Issuer.Text, f.Type.Selected, f.Source.SelectedIndex(), f.Stored)
	}
	test.Tap(f.Submit)
	var items []docstore.OutboxItem
	eventually(t, "registered, 03 queued", func() bool {
		ws, _ := st.ExchangeWaitingList(ctx, cast.Clerk)
		items, _ = st.OutboxItems(ctx, a.ID)
		return len(ws) == 2 && len(items) == 1
	})
	if len(items) != 1 || items[0].Recipients[0] != "vanthu@tinh.gov.vn" || !strings.Contains(items[0].Subject, "Trạng thái 03") {
		t.Fatalf("outbox after registering: %+v", items)
	}

	s.OpenPackage(moha)
	var refuse *widget.Button
	for _, o := range s.Form.Actions.Objects {
		if b, ok := o.(*widget.Button); ok && b.Text == T("exchange.refuse") {
			refuse = b
		}
	}
	test.Tap(refuse)
	for _, e := range widgetsDeep[*widget.Entry](w.Canvas().Overlays().Top()) {
		e.SetText("Gửi nhầm cơ quan")
	}
	tapInOverlay(t, w, T("exchange.refuse"))
	eventually(t, "refused", func() bool { ws, _ := st.ExchangeWaitingList(ctx, cast.Clerk); return len(ws) == 1 })
	eventually(t, "refused, 02 queued", func() bool {
		items, _ = st.OutboxItems(ctx, a.ID)
		return len(items) == 2
	})
	if !strings.Contains(items[0].Subject+items[1].Subject, "Trạng thái 02") {
		t.Fatalf("outbox after refusing: %+v", items)
	}
}
