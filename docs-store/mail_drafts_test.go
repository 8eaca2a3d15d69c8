package docstore

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

func TestMailDraftsLifecycle(t *testing.T) {
	f, a := newMailFixture(t)
	ref, err := f.s.Blobs().Put(strings.NewReader("Subject: nháp\r\n\r\nnội dung\r\n"))
	f.must(err)
	d := MailDraft{AccountID: a.ID, MessageID: "<nhap-1@sotnmt.hanoi.gov.vn>", Subject: "Dự thảo", Blob: ref}
	f.must(f.s.SaveMailDraft(f.ctx, &d))
	if d.ID == "" {
		t.Fatal("no id")
	}
	got, err := f.s.MailDraftByMessageID(f.ctx, a.ID, "nhap-1@sotnmt.hanoi.gov.vn")
	f.must(err)
	if got.ID != d.ID || got.Uploaded || got.ServerUID != 0 {
		t.Fatalf("draft %+v", got)
	}
	// Uploaded: the version that was saved is marked, with the server copy.
	f.must(f.s.MailDraftUploaded(f.ctx, d.ID, got.Updated, 77, 5))
	got, _ = f.s.MailDraftByMessageID(f.ctx, a.ID, d.MessageID)
	if !got.Uploaded || got.ServerUID != 5 || got.ServerUIDValidity != 77 {
		t.Fatalf("after upload %+v", got)
	}
	// A new save is to be uploaded again; an upload of an older version
	// does not mark it.
	f.clock.t = f.clock.t.Add(time.Minute)
	f.must(f.s.SaveMailDraft(f.ctx, &d))
	f.must(f.s.MailDraftUploaded(f.ctx, d.ID, got.Updated, 77, 6))
	got, _ = f.s.MailDraftByMessageID(f.ctx, a.ID, d.MessageID)
	if got.Uploaded || got.ServerUID != 6 {
		t.Fatalf("older upload marked the newer version: %+v", got)
	}
	// Discarded with a server copy: kept until that copy is gone.
	f.must(f.s.DiscardMailDraft(f.ctx, d.ID))
	if ds, _ := f.s.MailDrafts(f.ctx, a.ID, false); len(ds) != 0 {
		t.Fatalf("listed after discard: %+v", ds)
	}
	if ds, _ := f.s.MailDrafts(f.ctx, a.ID, true); len(ds) != 1 || !ds[0].Discarded {
		t.Fatalf("engine's list: %+v", ds)
	}
	f.must(f.s.MailDraftServerGone(f.ctx, d.ID))
	if ds, _ := f.s.MailDrafts(f.ctx, a.ID, true); len(ds) != 0 {
		t.Fatalf("left after the server copy went: %+v", ds)
	}
	// Bad input.
	if err := f.s.SaveMailDraft(f.ctx, &MailDraft{AccountID: a.ID, MessageID: "x@y", Blob: BlobRef{SHA256: "nope"}}); err == nil {
		t.Fatal("a bad blob id was accepted")
	}
}

func TestPruneMailRaw(t *testing.T) {
	f, a := newMailFixture(t)
	in := f.folder(a.ID, "INBOX")
	f.must(f.s.ResetMailFolder(f.ctx, in.ID, 9))
	raw := func(s string) ([]byte, BlobRef) {
		b := []byte(s)
		return b, BlobRef{SHA256: sha256hex(b), Size: int64(len(b))}
	}
	r1, ref1 := raw("Subject: một\r\n\r\nmột\r\n")
	r2, ref2 := raw("Subject: hai\r\n\r\nhai\r\n")
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, []MailHeader{mailHeader(1), mailHeader(2)}))
	f.must(f.s.PutMailBodies(f.ctx, in.ID, []MailBody{{UID: 1, State: BodyPresent, Blob: ref1, Raw: r1}, {UID: 2, State: BodyPresent, Blob: ref2, Raw: r2}}))
	f.must(f.s.RemoveMailUIDs(f.ctx, in.ID, []uint32{1}))
	n, err := f.s.PruneMailRaw(f.ctx)
	f.must(err)
	if n != 1 {
		t.Fatalf("pruned %d", n)
	}
	if _, err := f.s.OpenMailRaw(f.ctx, ref2); err != nil {
		t.Fatalf("the kept message: %v", err)
	}
}

func sha256hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
