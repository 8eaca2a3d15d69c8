package journal

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"congvu/docs-store"
	"congvu/mail/mailtest"
)

// registered lists a workstation's incoming register: notation → numbers.
func registered(t *testing.T, c *client) (map[string][]int, []int) {
	t.Helper()
	rows, err := c.st.ListRegister(context.Background(), c.person, regIn, 0, 1<<20)
	must(t, err)
	byNotation := map[string][]int{}
	var nums []int
	for _, r := range rows {
		byNotation[r.Notation] = append(byNotation[r.Notation], r.Number)
		nums = append(nums, r.Number)
	}
	sort.Ints(nums)
	return byNotation, nums
}

// checkRegister: every notation that was reported registered is there
// exactly once, nothing is there twice, numbers run 1..n without a gap.
func checkRegister(t *testing.T, c *client, ok []string) {
	t.Helper()
	by, nums := registered(t, c)
	for _, n := range ok {
		if len(by[n]) != 1 {
			t.Errorf("%s registered %d times, want once", n, len(by[n]))
		}
	}
	for n, xs := range by {
		if len(xs) > 1 {
			t.Errorf("%s registered %d times (numbers %v)", n, len(xs), xs)
		}
	}
	for i, x := range nums {
		if x != i+1 {
			t.Fatalf("number %d missing or doubled: %v", i+1, nums)
		}
	}
}

// Dovecot killed while a clerk registers, started again later: the clerk
// is told the server is unreachable, goes on offline, and after the
// restart every registration is in the journal once, numbered without a
// gap, on every workstation.
func TestDovecotKilledMidReplication(t *testing.T) {
	e := mailtest.Private(t)
	a := newTestAgencyOn(t, e)
	ctx := context.Background()
	clerk, leader := a.join("clerk"), a.join("manager")
	var ok []string
	for i := 0; i < 60; i++ {
		switch i {
		case 20:
			e.KillDovecot(t)
		case 40:
			if st := clerk.r.Status(); st.Online || st.Err == nil {
				t.Errorf("while the server is down the status says %+v", st)
			}
			e.StartDovecot(t)
			clerk.r.Kick()
			leader.r.Kick()
		}
		in := a.incoming(i)
		if _, err := clerk.st.RegisterIncoming(ctx, "clerk", in); err != nil {
			t.Logf("registration %d: %v", i, err)
			continue
		}
		ok = append(ok, in.Notation)
	}
	a.converged(t, 60*time.Second, "clerk", "manager")
	if len(ok) < 55 {
		t.Errorf("only %d of 60 registrations were accepted", len(ok))
	}
	checkRegister(t, leader, ok)
}

// The workstation's process killed (SIGKILL) at ten random moments while
// it registers documents as fast as it can — in the middle of an APPEND,
// of reading the journal, of a SQLite commit: after a last start that only
// syncs, every registration it reported is in the journal once, nothing is
// there twice, and another workstation holds the same register.
func TestWorkstationKilledMidAppend(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("in the helper process")
	}
	a := newTestAgency(t)
	dir := t.TempDir()
	env := append(os.Environ(),
		helperEnv+"="+dir,
		"CONGVU_TEST_MAIN="+a.main,
		"CONGVU_TEST_ADMIN_KEY="+hex.EncodeToString(a.keys["admin"].Public().(ed25519.PublicKey)),
		"CONGVU_TEST_KEY="+hex.EncodeToString(a.keys["clerk"].Seed()),
	)
	run := func(mode string, killAfter time.Duration) []string {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorkstation$", "-test.count=1", "-test.v")
		cmd.Env = append(env, "CONGVU_TEST_MODE="+mode)
		out, err := cmd.StdoutPipe()
		must(t, err)
		cmd.Stderr = os.Stderr
		must(t, cmd.Start())
		if killAfter > 0 {
			timer := time.AfterFunc(killAfter, func() { cmd.Process.Kill() })
			defer timer.Stop()
		}
		var ok []string
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if n, found := strings.CutPrefix(sc.Text(), "registered "); found {
				ok = append(ok, n)
			}
		}
		cmd.Wait()
		return ok
	}
	var ok []string
	for k := 0; k < 10; k++ {
		got := run(fmt.Sprintf("register-%d", k), time.Duration(300+rand.IntN(1200))*time.Millisecond)
		t.Logf("run %d: %d registrations reported before the kill", k, len(got))
		ok = append(ok, got...)
	}
	run("sync", 0)
	leader := a.join("manager")
	eventually(t, 30*time.Second, "the leader reads the whole journal", func() bool {
		_, nums := registered(t, leader)
		return len(nums) >= len(ok)
	})
	checkRegister(t, leader, ok)
	// The clerk's own store, opened again, holds the same.
	st, err := docstore.Open(dir, docstore.Options{})
	must(t, err)
	mine, err := st.CanonicalDump(context.Background())
	st.Close()
	must(t, err)
	theirs, err := leader.st.CanonicalDump(context.Background())
	must(t, err)
	if mine != theirs {
		t.Errorf("the clerk's store and the leader's differ")
	}
}

const helperEnv = "CONGVU_TEST_WORKSTATION"

// TestHelperWorkstation is the clerk's workstation process of
// TestWorkstationKilledMidAppend (only with CONGVU_TEST_WORKSTATION set):
// "register-K" registers documents until killed, printing each one the
// store accepted; "sync" runs until nothing is pending.
func TestHelperWorkstation(t *testing.T) {
	dir := os.Getenv(helperEnv)
	if dir == "" {
		t.Skip("helper process of TestWorkstationKilledMidAppend")
	}
	e := mailtest.Shared(t)
	ctx := context.Background()
	st, err := docstore.Open(dir, docstore.Options{})
	must(t, err)
	defer st.Close()
	adminKey, _ := hex.DecodeString(os.Getenv("CONGVU_TEST_ADMIN_KEY"))
	seed, _ := hex.DecodeString(os.Getenv("CONGVU_TEST_KEY"))
	if _, err := st.Pin(ctx); err != nil {
		must(t, st.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: agencyCode, AdminKey: adminKey}))
		must(t, st.SetJournalFolder(ctx, docstore.ScopeAgency, os.Getenv("CONGVU_TEST_MAIN")))
	}
	r := New(st, Config{
		Account:  e.Account("clerk"),
		Password: func(context.Context) (string, error) { return e.Password("clerk"), nil },
		Key:      ed25519.NewKeyFromSeed(seed),
		Author:   docstore.MailAddress{Addr: "clerk@agency.test"},
		Agency:   agencyCode,
		Poll:     time.Second,
	})
	st.SetPublisher(r)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go r.Run(rctx)
	mode := os.Getenv("CONGVU_TEST_MODE")
	if mode == "sync" {
		eventually(t, 60*time.Second, "everything sent and read", func() bool {
			s, _ := st.JournalStatus(ctx)
			out, _ := st.JournalOutbox(ctx)
			return r.Status().Online && s.Pending == 0 && len(out) == 0 && !s.OutOfOrder
		})
		return
	}
	// Wait for the directory before registering (the first run joins).
	eventually(t, 30*time.Second, "joined", func() bool {
		rs, _ := st.Registers(ctx, "clerk")
		return len(rs) > 0
	})
	a := &testAgency{}
	for i := 0; ; i++ {
		in := a.incoming(i)
		in.Notation = fmt.Sprintf("%d/%s", i, strings.ToUpper(mode))
		if _, err := st.RegisterIncoming(ctx, "clerk", in); err == nil {
			fmt.Printf("registered %s\n", in.Notation)
		}
	}
}

// A leader works offline for a day (directs five documents, approves two
// drafts) while the clerk goes on registering and a second clerk's
// workstation joins; when the leader's workstation comes back, its work is in the
// journal and every workstation holds the same state. (A step the day
// made impossible — a number taken meanwhile — is covered by
// TestRacingClerksOneOffline.)
func TestPartitionAndHeal(t *testing.T) {
	a := newTestAgency(t)
	ctx := context.Background()
	clerk, leader, spec := a.join("clerk"), a.join("manager"), a.join("specialist")
	const wait = 15 * time.Second
	var docs []string
	for i := 0; i < 5; i++ {
		r, err := clerk.st.RegisterIncoming(ctx, "clerk", a.incoming(i))
		must(t, err)
		docs = append(docs, r.DocID)
	}
	ref, err := spec.st.Blobs().Put(strings.NewReader("dự thảo kế hoạch"))
	must(t, err)
	mk := func(subject string) string {
		id, err := spec.st.CreateDraft(ctx, "specialist", docstore.NewDraft{Type: "KH", Subject: subject,
			File: docstore.Attachment{SHA256: ref.SHA256, Name: "ke-hoach.docx", Size: ref.Size}})
		must(t, err)
		must(t, spec.st.SubmitDraft(ctx, "specialist", id, "manager", ""))
		return id
	}
	keep, second := mk("Kế hoạch kiểm tra năm 2027"), mk("Kế hoạch tập huấn")
	eventually(t, wait, "the leader has everything", func() bool {
		return leader.hasDoc(docs[4]) && leader.draftState(t, keep) == docstore.DraftPending && leader.draftState(t, second) == docstore.DraftPending
	})

	leader.proxy.unplug() // the day begins
	for _, d := range docs {
		_, err := leader.st.Direct(ctx, "manager", docstore.Direction{DocID: d, Comment: "Chuyên viên xử lý",
			Assignments: []docstore.AssignmentInput{{Kind: "person", Assignee: "specialist", Role: "chu_tri"}}})
		must(t, err)
	}
	must(t, leader.st.ApproveDraft(ctx, "manager", keep, "Đồng ý"))
	must(t, leader.st.ApproveDraft(ctx, "manager", second, "Đồng ý"))
	// Meanwhile the clerk registers more, and a second clerk's new
	// workstation joins.
	for i := 5; i < 15; i++ {
		_, err := clerk.st.RegisterIncoming(ctx, "clerk", a.incoming(i))
		must(t, err)
	}
	a.join("u01")
	st, err := leader.st.JournalStatus(ctx)
	must(t, err)
	if st.Pending != len(docs)+2 {
		t.Fatalf("%d pending on the offline leader, want %d", st.Pending, len(docs)+2)
	}

	leader.proxy.plug() // the day ends
	leader.r.Kick()
	dump := a.converged(t, 60*time.Second, "clerk", "manager", "specialist", "u01", "admin")
	if !strings.Contains(dump, docstore.DraftApproved) {
		t.Fatal("the approvals made offline are not in the shared state")
	}
	as, err := spec.st.MyWork(ctx, "specialist", spec.st.Today())
	must(t, err)
	if len(as) != len(docs) {
		t.Fatalf("the specialist has %d assignments from the offline day, want %d", len(as), len(docs))
	}
}

// The journal folder restored from a backup (recreated: a new
// UIDVALIDITY, its messages in the same order) while the clerk registered
// one more document offline: the workstations notice, read the journal
// again from its start, the clerk's pending registration goes in, and all
// converge with nothing lost or doubled.
func TestJournalRestoredNewUIDValidity(t *testing.T) {
	a := newTestAgency(t)
	ctx := context.Background()
	clerk, leader := a.join("clerk"), a.join("manager")
	var ok []string
	for i := 0; i < 3; i++ {
		in := a.incoming(i)
		_, err := clerk.st.RegisterIncoming(ctx, "clerk", in)
		must(t, err)
		ok = append(ok, in.Notation)
	}
	a.converged(t, 10*time.Second, "clerk", "manager")
	clerk.proxy.unplug()
	leader.proxy.unplug()

	// The administrator's backup and restore.
	admin := a.e.IMAP(t, "admin", nil)
	_, err := admin.Select(a.main, nil).Wait()
	must(t, err)
	msgs, err := admin.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	must(t, err)
	must(t, admin.Unselect().Wait())
	var backup [][]byte
	for _, m := range msgs {
		for _, b := range m.BodySection {
			backup = append(backup, b.Bytes)
		}
	}
	// Delete, create, set the ACLs, put the messages back. Dovecot may
	// still be closing the sessions the unplugged workstations had open
	// on the folder ("Mailbox was deleted under us", doveadm's tempfail):
	// the restore is tried again then, as an administrator would.
	doveadm := func(args ...string) error {
		bin := "doveadm"
		if _, err := os.Stat("/usr/sbin/doveadm"); err == nil {
			bin = "/usr/sbin/doveadm" // not always on a non-root PATH
		}
		out, err := exec.Command(bin, append([]string{"-c", filepath.Join(a.e.Root, "etc", "dovecot.conf")}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("doveadm %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return nil
	}
	restore := func() error {
		doveadm("mailbox", "delete", "-u", "admin@agency.test", a.main)
		if err := doveadm("-o", "plugin/acl=", "mailbox", "create", "-u", "admin@agency.test", a.main); err != nil {
			return err
		}
		if err := doveadm("acl", "set", "-u", "admin@agency.test", a.main, "user=admin@agency.test", "lookup", "read", "write", "write-seen", "write-deleted", "insert", "post", "expunge", "create", "delete", "admin"); err != nil {
			return err
		}
		if err := doveadm("acl", "set", "-u", "admin@agency.test", a.main, "authenticated", "lookup", "read", "write-seen", "insert"); err != nil {
			return err
		}
		c := a.e.IMAP(t, "admin", nil)
		for _, raw := range backup {
			if _, err := mailtest.Append(c, a.main, raw); err != nil {
				return err
			}
		}
		return nil
	}
	for try := 1; ; try++ {
		err := restore()
		if err == nil {
			break
		}
		if try == 5 {
			t.Fatalf("restore: %v", err)
		}
		t.Logf("restore, try %d: %v", try, err)
		time.Sleep(300 * time.Millisecond)
	}

	in := a.incoming(100)
	_, err = clerk.st.RegisterIncoming(ctx, "clerk", in)
	must(t, err)
	ok = append(ok, in.Notation)
	clerk.proxy.plug()
	leader.proxy.plug()
	clerk.r.Kick()
	leader.r.Kick()
	a.converged(t, 30*time.Second, "clerk", "manager")
	checkRegister(t, leader, ok)
	checkRegister(t, clerk, ok)
}
