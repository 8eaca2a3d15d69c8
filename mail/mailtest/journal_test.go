package mailtest_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/mail/mailtest"
)

// event is a small journal-like message.
func event(from, what string) []byte {
	tok := mailtest.Token()
	return []byte("From: " + mailtest.Address(from) + "\r\n" +
		"Date: Mon, 02 Jun 2025 08:00:00 +0700\r\n" +
		"Message-ID: <" + tok + "@journal.congvu>\r\n" +
		"Subject: " + what + " " + tok + "\r\n" +
		"X-Congvu-Journal: 1\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		what + "\r\n")
}

// rightsSet is the sorted letters of a right set ("lrsi" → "ilrs").
func rightsSet(s string) string {
	b := []byte(s)
	slices.Sort(b)
	return string(slices.Compact(b))
}

func myRights(t *testing.T, c *imapclient.Client, box string) string {
	t.Helper()
	d, err := c.MyRights(box).Wait()
	if err != nil {
		t.Fatalf("MYRIGHTS %s: %v", box, err)
	}
	var b strings.Builder
	for _, r := range d.Rights {
		b.WriteByte(byte(r))
	}
	return b.String()
}

func messageCount(t *testing.T, c *imapclient.Client, box string) (n uint32, uidValidity uint32, uidNext imap.UID) {
	t.Helper()
	st, err := c.Status(box, &imap.StatusOptions{NumMessages: true, UIDValidity: true, UIDNext: true}).Wait()
	if err != nil {
		t.Fatalf("STATUS %s: %v", box, err)
	}
	return *st.NumMessages, st.UIDValidity, st.UIDNext
}

func hasFlag(t *testing.T, c *imapclient.Client, uid imap.UID, flag imap.Flag) bool {
	t.Helper()
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("UID FETCH %d FLAGS: %d messages, %v", uid, len(msgs), err)
	}
	return slices.Contains(msgs[0].Flags, flag)
}

func listed(t *testing.T, c *imapclient.Client, pattern string) []string {
	t.Helper()
	l, err := c.List("", pattern, nil).Collect()
	if err != nil {
		t.Fatalf("LIST %q: %v", pattern, err)
	}
	var names []string
	for _, d := range l {
		names = append(names, d.Mailbox)
	}
	return names
}

// Staff may add to the journal and read it, nothing else: no \Deleted, no
// expunge, no sub-folder, no delete, no rename, no ACL change.
func TestJournalStaffAppendOnly(t *testing.T) {
	e := mailtest.Shared(t)
	main, secret := e.JournalFolders(t)
	if !strings.HasPrefix(main, mailtest.JournalPrefix) || secret != main+mailtest.JournalSecretSuffix {
		t.Fatalf("names %q %q", main, secret)
	}
	c := e.IMAP(t, "specialist", nil)
	if !c.Caps().Has(imap.CapUIDPlus) || !c.Caps().Has(imap.CapACL) {
		t.Fatalf("server lacks UIDPLUS or ACL: %v", c.Caps())
	}
	if got := myRights(t, c, main); rightsSet(got) != rightsSet(mailtest.JournalStaffRights) {
		t.Fatalf("MYRIGHTS %s = %q, want %q", main, got, mailtest.JournalStaffRights)
	}
	uid, err := mailtest.Append(c, main, event("specialist", "Vào sổ văn bản đến"))
	if err != nil || uid == 0 {
		t.Fatalf("APPEND: uid %d, %v", uid, err)
	}
	uid2, err := mailtest.Append(c, main, event("specialist", "Giao xử lý"))
	if err != nil || uid2 <= uid {
		t.Fatalf("second APPEND: uid %d after %d, %v", uid2, uid, err)
	}

	sel, err := c.Select(main, nil).Wait()
	if err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	if sel.NumMessages != 2 || sel.UIDValidity == 0 {
		t.Fatalf("SELECT: %d messages, UIDVALIDITY %d", sel.NumMessages, sel.UIDValidity)
	}
	if slices.Contains(sel.PermanentFlags, imap.FlagDeleted) {
		t.Errorf("PERMANENTFLAGS %v include \\Deleted", sel.PermanentFlags)
	}
	// Dovecot answers OK to a STORE of a flag the user may not set, and
	// sets nothing.
	storeErr := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	if hasFlag(t, c, uid, imap.FlagDeleted) {
		t.Fatalf("STORE +FLAGS (\\Deleted) took effect (STORE said %v)", storeErr)
	}
	t.Logf("STORE +FLAGS (\\Deleted) by staff: %v, flag not set", storeErr)
	// \Seen is the one flag staff may set (s).
	if err := c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil || !hasFlag(t, c, uid, imap.FlagSeen) {
		t.Errorf("STORE +FLAGS (\\Seen): %v", err)
	}
	if gone, err := c.Expunge().Collect(); len(gone) != 0 {
		t.Fatalf("EXPUNGE by staff removed %v (%v)", gone, err)
	}
	if gone, err := c.UIDExpunge(imap.UIDSetNum(uid, uid2)).Collect(); len(gone) != 0 {
		t.Fatalf("UID EXPUNGE by staff removed %v (%v)", gone, err)
	}
	// MOVE needs the expunge right on the source (checked below: still 2).
	_, moveErr := c.Move(imap.UIDSetNum(uid), "INBOX").Wait()
	t.Logf("UID MOVE out of the journal by staff: %v", moveErr)
	if err := c.Unselect().Wait(); err != nil {
		t.Fatalf("UNSELECT: %v", err)
	}
	if err := c.Create(main+"/Con", nil).Wait(); err == nil {
		t.Error("CREATE of a sub-folder succeeded")
	}
	if err := c.Create(mailtest.JournalPrefix+mailtest.Token(), nil).Wait(); err == nil {
		t.Error("CREATE of a new Shared/ folder succeeded")
	}
	if err := c.Rename(main, main+"-x", nil).Wait(); err == nil {
		t.Error("RENAME succeeded")
	}
	// Unselected first: Dovecot closes the selected mailbox before it
	// refuses a DELETE of it, and the session ends with BYE.
	if err := c.Delete(main).Wait(); err == nil {
		t.Error("DELETE succeeded")
	}
	if err := c.SetACL(main, "specialist@agency.test", imap.RightModificationAdd, imap.RightSet("te")).Wait(); err == nil {
		t.Error("SETACL by staff succeeded")
	}
	if _, err := c.GetACL(main).Wait(); err == nil {
		t.Error("GETACL by staff succeeded")
	}
	// Everything is still there, seen from another staff member.
	o := e.IMAP(t, "u21", nil)
	if n, _, _ := messageCount(t, o, main); n != 2 {
		t.Fatalf("%d messages left, want 2", n)
	}
	// Staff not cleared for the secret register get nothing there.
	if _, err := c.Select(secret, nil).Wait(); err == nil {
		t.Error("staff not cleared SELECTed the secret journal")
	}
}

// The administrator has every right, and can expunge (to repair a journal
// by hand; the app never does).
func TestJournalAdmin(t *testing.T) {
	e := mailtest.Shared(t)
	main, secret := e.JournalFolders(t, "clerk")
	a := e.IMAP(t, mailtest.JournalAdmin, nil)
	for _, box := range []string{main, secret} {
		got := myRights(t, a, box)
		for _, r := range mailtest.JournalAdminRights {
			if !strings.ContainsRune(got, r) {
				t.Errorf("MYRIGHTS %s = %q, lacks %c", box, got, r)
			}
		}
	}
	acl, err := a.GetACL(main).Wait()
	if err != nil {
		t.Fatalf("GETACL %s: %v", main, err)
	}
	if len(acl.Rights) != 2 || rightsSet(acl.Rights["authenticated"].String()) != rightsSet(mailtest.JournalStaffRights) {
		t.Errorf("GETACL %s = %v", main, acl.Rights)
	}
	acl, err = a.GetACL(secret).Wait()
	if err != nil {
		t.Fatalf("GETACL %s: %v", secret, err)
	}
	if len(acl.Rights) != 2 || rightsSet(acl.Rights["clerk@agency.test"].String()) != rightsSet(mailtest.JournalStaffRights) ||
		len(acl.Rights["admin@agency.test"]) == 0 {
		t.Errorf("GETACL %s = %v, want admin and clerk only", secret, acl.Rights)
	}

	uid := e.DeliverRaw(t, main, "u22", event("u22", "Sự kiện giả mạo"))
	keep := e.DeliverRaw(t, main, "u22", event("u22", "Sự kiện thật"))
	if _, err := a.Select(main, nil).Wait(); err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	if err := a.Store(imap.UIDSetNum(uid), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatalf("STORE: %v", err)
	}
	gone, err := a.UIDExpunge(imap.UIDSetNum(uid)).Collect()
	if err != nil || len(gone) != 1 {
		t.Fatalf("UID EXPUNGE by admin: %v, %v", gone, err)
	}
	if n, _, _ := messageCount(t, e.IMAP(t, "specialist", nil), main); n != 1 {
		t.Fatalf("%d messages after the admin's expunge, want 1 (uid %d)", n, keep)
	}
}

// The secret journal: the cleared read and add, the others get NO and do
// not see it in LIST.
func TestJournalSecret(t *testing.T) {
	e := mailtest.Shared(t)
	main, secret := e.JournalFolders(t, "clerk", "u23@agency.test")
	for _, u := range []string{"clerk", "u23"} {
		c := e.IMAP(t, u, nil)
		if got := myRights(t, c, secret); rightsSet(got) != rightsSet(mailtest.JournalStaffRights) {
			t.Errorf("%s: MYRIGHTS %s = %q", u, secret, got)
		}
		if uid, err := mailtest.Append(c, secret, event(u, "Vào sổ văn bản mật")); err != nil || uid == 0 {
			t.Fatalf("%s: APPEND to the secret journal: %d, %v", u, uid, err)
		}
		if _, err := c.Select(secret, nil).Wait(); err != nil {
			t.Fatalf("%s: SELECT %s: %v", u, secret, err)
		}
		if names := listed(t, c, mailtest.JournalPrefix+"*"); !slices.Contains(names, main) || !slices.Contains(names, secret) {
			t.Errorf("%s: LIST shows %v", u, names)
		}
	}
	for _, u := range []string{"manager", "specialist", "u24", "alice@other.test"} {
		c := e.IMAP(t, u, nil)
		if _, err := c.Select(secret, nil).Wait(); err == nil {
			t.Errorf("%s: SELECT %s succeeded", u, secret)
		}
		if _, err := c.Status(secret, &imap.StatusOptions{NumMessages: true}).Wait(); err == nil {
			t.Errorf("%s: STATUS %s succeeded", u, secret)
		}
		if _, err := c.MyRights(secret).Wait(); err == nil {
			t.Errorf("%s: MYRIGHTS %s succeeded", u, secret)
		}
		if _, err := mailtest.Append(c, secret, event(u, "Chen vào sổ mật")); err == nil {
			t.Errorf("%s: APPEND to %s succeeded", u, secret)
		}
		names := listed(t, c, "*")
		if slices.Contains(names, secret) || !slices.Contains(names, main) {
			t.Errorf("%s: LIST * shows %v (want %s, not %s)", u, names, main, secret)
		}
		if names := listed(t, c, secret); len(names) != 0 {
			t.Errorf("%s: LIST %q shows %v", u, secret, names)
		}
	}
	if n, _, _ := messageCount(t, e.IMAP(t, mailtest.JournalAdmin, nil), secret); n != 2 {
		t.Fatalf("secret journal: %d messages, want 2", n)
	}
}

// Every call gives new, empty folders; the main journal with no secret
// reader gives a secret journal only the admin sees.
func TestJournalFoldersDistinctAndEmpty(t *testing.T) {
	e := mailtest.Shared(t)
	m1, s1 := e.JournalFolders(t)
	start := time.Now()
	m2, s2 := e.JournalFolders(t, "clerk")
	t.Logf("JournalFolders took %v", time.Since(start))
	if m1 == m2 || s1 == s2 {
		t.Fatalf("same folders twice: %s %s", m1, s1)
	}
	a := e.IMAP(t, mailtest.JournalAdmin, nil)
	for _, box := range []string{m1, s1, m2, s2} {
		n, v, next := messageCount(t, a, box)
		if n != 0 || v == 0 || next != 1 {
			t.Errorf("%s: %d messages, UIDVALIDITY %d, UIDNEXT %d", box, n, v, next)
		}
	}
	e.DeliverRaw(t, m1, "clerk", event("clerk", "Chỉ ở sổ thứ nhất"))
	if n, _, _ := messageCount(t, a, m1); n != 1 {
		t.Errorf("%s: %d messages", m1, n)
	}
	if n, _, _ := messageCount(t, a, m2); n != 0 {
		t.Errorf("%s sees the other journal's event: %d messages", m2, n)
	}
	if names := listed(t, e.IMAP(t, "clerk", nil), mailtest.JournalPrefix+"*"); slices.Contains(names, s1) || !slices.Contains(names, s2) {
		t.Errorf("clerk LISTs %v (cleared for %s only)", names, s2)
	}
}

// A colleague in IDLE on the journal hears of another's APPEND at once
// (Dovecot's inotify, ~0.5 s).
func TestJournalIdleSeesAppend(t *testing.T) {
	e := mailtest.Shared(t)
	main, _ := e.JournalFolders(t)
	exists := make(chan uint32, 16)
	c := e.IMAP(t, "specialist", &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case exists <- *d.NumMessages:
					default:
					}
				}
			},
		},
	})
	if _, err := c.Select(main, nil).Wait(); err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatalf("IDLE: %v", err)
	}
	e.DeliverRaw(t, main, "clerk", event("clerk", "Ký phát hành"))
	appended := time.Now()
	timeout := time.After(3 * time.Second)
	var n uint32
	for n == 0 {
		select {
		case n = <-exists:
		case <-timeout:
			idle.Close()
			t.Fatal("no EXISTS within 3 s of the APPEND")
		}
	}
	lat := time.Since(appended)
	if err := idle.Close(); err != nil {
		t.Fatalf("IDLE DONE: %v", err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatalf("IDLE: %v", err)
	}
	t.Logf("EXISTS %d %v after the APPEND", n, lat)
	if n != 1 {
		t.Errorf("EXISTS %d, want 1", n)
	}
	if lat > 2*time.Second {
		t.Errorf("EXISTS came %v after the APPEND (Dovecot notifies after ~0.5 s)", lat)
	}
}
