package maildemo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail/mimemsg"
)

// A small demo agency, as docs-store/demo's own test makes one (incoming
// documents over the year, of which about one in five came by e-mail).
func demoStore(t *testing.T, today time.Time, incoming, drafts int) (*docstore.Store, *demo.Cast) {
	t.Helper()
	st, cast, err := demo.Open(context.Background(), t.TempDir(),
		demo.Config{Seed: 7, Today: today, Incoming: incoming, Secret: 10, Drafts: drafts})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, cast
}

func TestFill(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 30, 0, 0, docstore.VietnamTime)
	st, cast := demoStore(t, now, 300, 80)

	start := time.Now()
	if err := Fill(ctx, st, now); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)

	accts, err := st.MailAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 2 {
		t.Fatalf("%d accounts, want 2", len(accts))
	}
	shared, own := accts[0], accts[1]
	if !shared.Shared || shared.Address != "vanthu@lamson.gov.vn" || !strings.HasPrefix(shared.DisplayName, "Văn thư — Ủy ban nhân dân") {
		t.Errorf("shared account %+v", shared)
	}
	if own.Shared || own.Address != "hanhdt@lamson.gov.vn" || own.DisplayName != "Đỗ Thị Hạnh" {
		t.Errorf("own account %+v", own)
	}
	for _, a := range accts {
		if a.IMAPHost != "127.0.0.1" || a.IMAPPort != 9 || a.SMTPPort != 9 || a.PasswordMode != docstore.PasswordAsk {
			t.Errorf("account %s points at %s:%d/%d (%s)", a.Address, a.IMAPHost, a.IMAPPort, a.SMTPPort, a.PasswordMode)
		}
	}

	want := map[string]map[string]int{
		shared.ID: {"INBOX": sharedInbox, "Sent": sharedSent, "Drafts": sharedDrafts, "Trash": sharedTrash, "Archive": sharedArchive,
			"Archive/2025": sharedOld},
		own.ID: {"INBOX": ownInbox, "Sent": ownSent, "Drafts": 0, "Trash": ownTrash, "Archive": 0, "Archive/2025": 0},
	}
	total := 0
	var sharedInboxFolder docstore.MailFolder
	for _, a := range accts {
		fs, err := st.MailFolders(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 6 {
			t.Errorf("%s: %d folders", a.Address, len(fs))
		}
		for _, fo := range fs {
			w, ok := want[a.ID][fo.Name]
			if !ok {
				t.Errorf("%s: unexpected folder %q", a.Address, fo.Name)
				continue
			}
			if fo.Total != w {
				t.Errorf("%s %s: %d messages, want %d", a.Address, fo.Name, fo.Total, w)
			}
			if fo.UIDValidity == 0 || fo.UIDNext != uint32(w+1) {
				t.Errorf("%s %s: UIDVALIDITY %d UIDNEXT %d", a.Address, fo.Name, fo.UIDValidity, fo.UIDNext)
			}
			total += fo.Total
			// Unread as counted agrees with the rows.
			rowids, err := st.MailRowids(ctx, fo.ID)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := st.MailRowsByRowid(ctx, rowids)
			if err != nil {
				t.Fatal(err)
			}
			unread, attach := 0, 0
			for i, r := range rows {
				if !r.Seen {
					unread++
				}
				if len(r.Attachments) > 0 {
					attach++
				}
				if i > 0 && r.Date.After(rows[i-1].Date) {
					t.Errorf("%s %s: list not newest first", a.Address, fo.Name)
				}
			}
			if unread != fo.Unread {
				t.Errorf("%s %s: %d unread rows, folder says %d", a.Address, fo.Name, unread, fo.Unread)
			}
			if fo.Role == docstore.FolderInbox {
				share := float64(unread) / float64(fo.Total)
				att := float64(attach) / float64(fo.Total)
				t.Logf("%s INBOX: %d messages, %.0f %% unread, %.0f %% with attachments", a.Address, fo.Total, 100*share, 100*att)
				if share < 0.25 || share > 0.45 {
					t.Errorf("%s INBOX: %.0f %% unread", a.Address, 100*share)
				}
				if a.Shared && (att < 0.35 || att > 0.6) {
					t.Errorf("%s INBOX: %.0f %% with attachments", a.Address, 100*att)
				}
				if a.Shared {
					sharedInboxFolder = fo
				}
				if len(rows) > 0 && (rows[0].Date.After(now) || now.Sub(rows[len(rows)-1].Date) > 62*24*time.Hour) {
					t.Errorf("%s INBOX spans %v … %v", a.Address, rows[len(rows)-1].Date, rows[0].Date)
				}
			}
		}
	}
	t.Logf("Fill: %d messages in %v", total, took)
	if took > 3*time.Second && !raceEnabled {
		t.Errorf("Fill took %v", took)
	}

	// The shared INBOX: parts open from the stored raw message; large
	// messages only announced; the hostile name kept as sent.
	rowids, _ := st.MailRowids(ctx, sharedInboxFolder.ID)
	rows, _ := st.MailRowsByRowid(ctx, rowids)
	opened, deferred, hostile := 0, 0, false
	for _, r := range rows {
		switch r.State {
		case docstore.BodyDeferred:
			deferred++
			if r.Size <= 25<<20 || len(r.Attachments) == 0 {
				t.Errorf("deferred message %q: size %d, attachments %v", r.Subject, r.Size, r.Attachments)
			}
			continue
		case docstore.BodyPresent:
		default:
			t.Errorf("message %q in state %d", r.Subject, r.State)
			continue
		}
		if len(r.Attachments) == 0 || opened >= 20 {
			continue
		}
		m, err := st.MailMessage(ctx, r.Rowid)
		if err != nil {
			t.Fatal(err)
		}
		if m.Text == "" || len(m.Parts) != len(m.Attachments) {
			t.Errorf("message %q: text %d bytes, parts %v, attachments %v", m.Subject, len(m.Text), m.Parts, m.Attachments)
		}
		for _, p := range m.Parts {
			rc, err := st.Blobs().Open(m.Blob.SHA256)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			n, err := mimemsg.OpenPart(rc, p.Path, &buf)
			rc.Close()
			if err != nil || n != p.Size || n < 100 {
				t.Fatalf("part %s %q of %q: %d bytes (%d listed): %v", p.Path, p.Name, m.Subject, n, p.Size, err)
			}
			switch p.MIMEType {
			case mimePDF:
				if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || !bytes.HasSuffix(buf.Bytes(), []byte("%%EOF\n")) {
					t.Errorf("%q is no PDF", p.Name)
				}
			case mimeDOCX:
				if !bytes.HasPrefix(buf.Bytes(), []byte("PK\x03\x04")) {
					t.Errorf("%q is no Word file", p.Name)
				}
			}
			if strings.ContainsRune(p.Name, '\u202E') {
				hostile = true
			}
		}
		opened++
	}
	if opened == 0 || deferred != 4 {
		t.Errorf("%d messages with attachments opened, %d deferred", opened, deferred)
	}
	if !hostile {
		for _, r := range rows {
			for _, a := range r.Attachments {
				hostile = hostile || a == "hoadon\u202Efdp.exe"
			}
		}
		if !hostile {
			t.Error("no hostile attachment name")
		}
	}

	// Links to the documents registered from e-mail.
	links := 0
	for _, r := range rows {
		docs, err := st.MailDocuments(ctx, r.Rowid)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range docs {
			links++
			d, err := st.Document(ctx, cast.Clerk, id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Source != docstore.SourceEmail || !strings.Contains(r.Subject, d.Notation) && !strings.Contains(r.Subject, strings.TrimPrefix(d.Subject, "V/v ")[:10]) {
				t.Errorf("message %q linked to %s %q (%s)", r.Subject, d.Notation, d.Subject, d.Source)
			}
		}
	}
	if links < 5 || links > linkedMax {
		t.Errorf("%d messages linked to documents", links)
	}

	// The outbox of the clerk's account.
	items, err := st.OutboxItems(ctx, own.ID)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, it := range items {
		states[it.State]++
		if it.LastError == "" || len(it.Parts) != 1 {
			t.Errorf("outbox item %q: %q, parts %v", it.Subject, it.LastError, it.Parts)
		}
	}
	if len(items) != 2 || states[docstore.OutboxQueued] != 1 || states[docstore.OutboxFailed] != 1 {
		t.Errorf("outbox %v", states)
	}

	// Search finds the mail as the user types it.
	hits, err := st.SearchMail(ctx, "cong van", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) < 10 {
		t.Errorf("search \"cong van\": %d hits", len(hits))
	}
	if hits, _ := st.SearchMail(ctx, "Lâm Hà", 10); len(hits) == 0 {
		t.Error("search \"Lâm Hà\": nothing")
	}

	// The messages the screenshots open.
	for _, kind := range []string{ShowLinked, ShowLarge, ShowHostile} {
		id, err := Showcase(ctx, st, kind)
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.MailMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("showcase %s: %q (%d parts, state %d)", kind, m.Subject, len(m.Parts), m.State)
	}

	// A second Fill changes nothing.
	if err := Fill(ctx, st, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	again, _ := st.MailFolders(ctx, shared.ID)
	for _, fo := range again {
		if fo.Name == "INBOX" && fo.Total != sharedInbox {
			t.Errorf("second Fill: INBOX has %d", fo.Total)
		}
	}
	if accts, _ := st.MailAccounts(ctx); len(accts) != 2 {
		t.Errorf("second Fill: %d accounts", len(accts))
	}
}

// The same store and now give the same mailbox.
func TestFillDeterministic(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 8, 5, 0, 0, docstore.VietnamTime) // early in the year, early in the day
	digest := func() []string {
		st, _ := demoStore(t, now, 40, 10)
		if err := Fill(ctx, st, now); err != nil {
			t.Fatal(err)
		}
		var out []string
		accts, _ := st.MailAccounts(ctx)
		for _, a := range accts {
			fs, _ := st.MailFolders(ctx, a.ID)
			for _, fo := range fs {
				ids, _ := st.MailRowids(ctx, fo.ID)
				rows, _ := st.MailRowsByRowid(ctx, ids)
				for _, r := range rows {
					if r.Date.After(now) {
						t.Errorf("%s: message dated %v, after now", fo.Name, r.Date)
					}
					out = append(out, fo.Name+"|"+r.Subject+"|"+r.MessageID+"|"+r.Blob.SHA256)
				}
			}
		}
		return out
	}
	a, b := digest(), digest()
	if len(a) != len(b) {
		t.Fatalf("%d vs %d messages", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("message %d differs:\n%s\n%s", i, a[i], b[i])
		}
	}
}
