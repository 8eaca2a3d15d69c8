package imapsync

import (
	"bytes"
	"context"
	"testing"

	"congvu/docs-store"
	"congvu/mail/mailtest"
	"congvu/mail/mimemsg"
)

// A draft saved offline reaches the server's Drafts at the next sync; a
// new version replaces the server copy (never two); once discarded (sent),
// the server copy and the local draft are gone.
func TestDraftsMirroredToServer(t *testing.T) {
	r := newRig(t, mailtest.Shared(t))
	r.syncOnce() // the folder list, with the Drafts role
	ctx := context.Background()
	save := func(id, text string) docstore.MailDraft {
		t.Helper()
		d := mimemsg.Draft{From: docstore.MailAddress{Addr: r.acct.Address}, To: []docstore.MailAddress{{Name: "Trưởng phòng", Addr: "manager@agency.test"}},
			Subject: "Dự thảo báo cáo tháng 11", Text: text, MessageID: "nhap-1@agency.test"}
		var raw bytes.Buffer
		if err := mimemsg.Compose(&raw, d); err != nil {
			t.Fatal(err)
		}
		ref, err := r.st.Blobs().Put(&raw)
		if err != nil {
			t.Fatal(err)
		}
		md := docstore.MailDraft{ID: id, AccountID: r.acct.ID, MessageID: d.MessageID, Subject: d.Subject, Blob: ref}
		if err := r.st.SaveMailDraft(ctx, &md); err != nil {
			t.Fatal(err)
		}
		return md
	}
	d := save("", "Phiên bản một.")
	r.syncOnce()
	rows := r.rows("Drafts")
	if len(rows) != 1 || rows[0].Subject != "Dự thảo báo cáo tháng 11" {
		t.Fatalf("Drafts after the first save: %+v", rows)
	}
	save(d.ID, "Phiên bản hai, đã sửa.")
	r.syncOnce()
	rows = r.rows("Drafts")
	if len(rows) != 1 {
		t.Fatalf("Drafts after the second save: %d copies", len(rows))
	}
	m, err := r.st.MailMessage(ctx, rows[0].Rowid)
	if err != nil || !bytes.Contains([]byte(m.Text), []byte("Phiên bản hai")) {
		t.Fatalf("server copy is not the new version: %q %v", m.Text, err)
	}
	r.assertCacheEqualsServer("Drafts")
	if err := r.st.DiscardMailDraft(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	r.syncOnce()
	if n := len(r.rows("Drafts")); n != 0 {
		t.Fatalf("Drafts after discarding: %d", n)
	}
	if ds, _ := r.st.MailDrafts(ctx, r.acct.ID, true); len(ds) != 0 {
		t.Fatalf("local drafts left: %+v", ds)
	}
}
