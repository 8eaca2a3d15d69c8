//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail/account"
	"congvu/mail/journal"
	"congvu/mail/mailtest"
)

// The journal part (issue 5): the shared journal of an agency in public
// folders of the project's own Dovecot, with the real replicator
// (mail/journal) on every workstation.
//
//   - Small journal (a new agency): client A (the clerk) registers
//     documents one by one; each is timed from the call until client B
//     (the leader, idling on the journal) has the document in its store.
//     Then A's sequential registrations (dry run, APPEND, read back,
//     apply) give the append rate, and a burst of events landing in the
//     folder at once gives B's apply rate.
//   - Large journal: 100,000 events are built by a real store and written
//     straight into the folder's maildir (signed, UIDs in event order);
//     a new workstation (the specialist) joins in a child process of this
//     bench — full replay: read every message, verify its signature, apply
//     in UID order — timed, with its peak RSS from wait4; its state must
//     equal the source's. Then the same latency and append rate on the
//     large folder, with the source store as A and the joined one as B,
//     and what Dovecot alone pays for each step there. The whole again on
//     a copy of the journal in an sdbox folder (-journal-sdbox).
//
// Seeding: APPEND is far too slow for 100,000 messages, so a capturing
// docstore.Publisher (seeder) takes the events of the source store's
// commands, numbers them 1, 2, 3… in order, applies them to that store
// through ApplyJournal (the store's state advances as a journal would make
// it) and has them signed (journal.Encode, the actor's key) and written as
// maildir files whose names start with a timestamp that grows with the
// UID: Dovecot gives new maildir files their UIDs in the order of that
// prefix (verified on a sample first, and on every seeded message after).

func init() {
	journalBench = journalBenchLinux
	journalChild = journalChildMain
}

// jPeople are the agency's people; their ids are the test server's users.
var jPeople = []docstore.PersonInput{
	{ID: "clerk", FullName: "Đỗ Thị Hạnh", Title: "Văn thư", Roles: []docstore.Role{docstore.RoleClerk}, Clearance: docstore.SecrecyMat},
	{ID: "manager", FullName: "Nguyễn Văn Ánh", Title: "Chủ tịch UBND thành phố", Roles: []docstore.Role{docstore.RoleAgencyLeader}, Clearance: docstore.SecrecyToiMat},
	{ID: "specialist", FullName: "Lê Thu Trang", Title: "Chuyên viên", Roles: []docstore.Role{docstore.RoleSpecialist}},
	{ID: "u21", FullName: "Bùi Thanh Thủy", Title: "Văn thư", Roles: []docstore.Role{docstore.RoleClerk}}, // a second clerk (spare staff user)
}

const jAgencyCode = "000.00.12.H31"

// jStoreOptions: the window's store options (small reader caches), as
// the desktop program that joins opens its store.
var jStoreOptions = docstore.Options{ReaderCacheKiB: 2048}

// jAgency is one agency under test: its folders, people and keys.
type jAgency struct {
	main, secret string // Shared/Journal-…, …-Mat
	keys         map[string]ed25519.PrivateKey
	people       map[string]docstore.PersonInput
	regIn        string
	regOut       string
}

func (a *jAgency) author(id string) docstore.MailAddress {
	p := a.people[id]
	return docstore.MailAddress{Name: p.FullName, Addr: p.Email}
}

func (a *jAgency) pub(id string) ed25519.PublicKey { return a.keys[id].Public().(ed25519.PublicKey) }

// jBench is the state of the journal part.
type jBench struct {
	ctx  context.Context
	ms   *mailServer
	env  *mailtest.Env
	work string
}

func journalBenchLinux(ctx context.Context, work string, opt journalOpts) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "journal part: skipped, the test mail servers need root")
		return
	}
	// The daemons must traverse every folder above their state.
	check(os.Chmod(work, 0o755))
	jwork := filepath.Join(work, "journal")
	check(os.MkdirAll(jwork, 0o755))
	ms, err := startMailServer(jwork)
	check(err)
	if opt.keep {
		fmt.Fprintf(os.Stderr, "journal part: servers left running: scripts/mailserver/stop.sh %s --purge\n", ms.root)
	} else {
		stop := sync.OnceFunc(func() { ms.stop(); os.RemoveAll(jwork) })
		atExit = append(atExit, stop)
		defer stop()
	}
	fmt.Fprintf(os.Stderr, "journal part: servers up in %s s (%s)\n", ms.env["MAIL_STARTUP_SECONDS"], ms.root)
	j := &jBench{ctx: ctx, ms: ms, work: jwork, env: &mailtest.Env{Root: ms.root, CA: ms.env["MAIL_CA"],
		IMAPPort: ms.port("MAIL_IMAP_PORT"), SubmissionPort: ms.port("MAIL_SUBMISSION_PORT")}}

	if opt.sdbox && opt.n > 0 {
		j.enableSdbox()
	}
	j.verifyUIDOrder()
	j.smallJournal(opt)
	if opt.n > 0 {
		j.largeJournal(opt)
	}
}

// --- the server side ---

func (j *jBench) doveadm(args ...string) string {
	cmd := exec.Command("doveadm", append([]string{"-c", filepath.Join(j.ms.root, "etc", "dovecot.conf")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		check(fmt.Errorf("doveadm %s: %v\n%s", strings.Join(args, " "), err, stderr.String()))
	}
	return string(out)
}

const jAdmin = "admin@agency.test"

// folders makes a journal folder and its secret twin as mailtest's
// JournalFolders does (docs/JOURNAL-SERVER.md): doveadm mailbox create
// with the ACL plugin off, then the rights per identifier — admin every
// right, every authenticated user lrsi on the main folder, clerk and
// manager lrsi on the secret one.
func (j *jBench) folders(tag string) (main, secret string) {
	main = mailtest.JournalPrefix + tag + "-" + mailtest.Token()
	secret = main + mailtest.JournalSecretSuffix
	j.doveadm("-o", "plugin/acl=", "mailbox", "create", "-u", jAdmin, main, secret)
	admin := []string{"lookup", "read", "write", "write-seen", "write-deleted", "insert", "post", "expunge", "create", "delete", "admin"}
	staff := []string{"lookup", "read", "write-seen", "insert"}
	set := func(box, id string, rights []string) {
		j.doveadm(append([]string{"acl", "set", "-u", jAdmin, box, id}, rights...)...)
	}
	set(main, "user="+jAdmin, admin)
	set(main, "authenticated", staff)
	set(secret, "user="+jAdmin, admin)
	set(secret, "user=clerk@agency.test", staff)
	set(secret, "user=manager@agency.test", staff)
	return main, secret
}

// maildir is the folder's maildir: public folders live in <root>/public
// with LAYOUT=fs.
func (j *jBench) maildir(folder string) string {
	return filepath.Join(j.ms.root, "public", strings.TrimPrefix(folder, "Shared/"))
}

// uidNames lists the folder's messages as doveadm sees them: UID → the
// maildir file's base name (Dovecot's GUID of a maildir message).
func (j *jBench) uidNames(folder string) map[uint32]string {
	out := j.doveadm("-f", "tab", "fetch", "-u", jAdmin, "uid guid", "mailbox", folder)
	m := map[uint32]string{}
	for i, l := range strings.Split(strings.TrimSpace(out), "\n") {
		uid, name, ok := strings.Cut(l, "\t")
		if i == 0 || !ok {
			continue // the header line
		}
		n, err := strconv.ParseUint(uid, 10, 32)
		check(err)
		m[uint32(n)] = name
	}
	return m
}

func (j *jBench) uidNext(folder string) uint32 {
	out := j.doveadm("-f", "flow", "mailbox", "status", "-u", jAdmin, "uidnext", folder)
	_, v, _ := strings.Cut(strings.TrimSpace(out), "uidnext=")
	n, err := strconv.ParseUint(strings.Fields(v)[0], 10, 32)
	check(err)
	return uint32(n)
}

// mailIDs: the daemons' user (the test Dovecot's virtual users are all
// the system user "mail").
func mailIDs() (int, int) {
	u, err := user.Lookup("mail")
	if err != nil {
		return 8, 8
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return uid, gid
}

// msgName is a maildir file name whose timestamp prefix grows with seq:
// "<base+seq>.M0P<pid>Q<seq>.congvu-bench,S=<size>,W=<virtual size>"
// (+ ":2," in cur/). S= and W= spare Dovecot a stat and a read.
func msgName(base int64, seq uint32, msg []byte, cur bool) string {
	vsize := len(msg) + bytes.Count(msg, []byte("\n")) - bytes.Count(msg, []byte("\r\n"))
	n := fmt.Sprintf("%d.M0P%dQ%d.congvu-bench,S=%d,W=%d", base+int64(seq), os.Getpid(), seq, len(msg), vsize)
	if cur {
		n += ":2,"
	}
	return n
}

// seqOfName reads Q<seq> back from a name msgName made (0: not one).
func seqOfName(name string) uint32 {
	_, rest, ok := strings.Cut(name, "Q")
	if !ok {
		return 0
	}
	s, _, _ := strings.Cut(rest, ".")
	n, _ := strconv.ParseUint(s, 10, 32)
	return uint32(n)
}

// verifyUIDOrder checks, on a sample folder, what the seeding relies on:
// Dovecot numbers new maildir files in the order of their names'
// timestamp prefix — not in the order they were written, nor by mtime —
// both for files put straight into cur/ (the seeding) and for files
// moved from tmp/ into new/ (the burst).
func (j *jBench) verifyUIDOrder() {
	folder, _ := j.folders("Order")
	dir := j.maildir(folder)
	uid, gid := mailIDs()
	const n = 50
	base := time.Now().Unix() - 10*n
	write := func(seqs []uint32, cur bool) {
		order := slices.Clone(seqs)
		mrand.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for k, s := range order {
			msg := []byte(fmt.Sprintf("From: admin@agency.test\r\nMessage-ID: <order-%d@bench>\r\nSubject: %d\r\n\r\nx\r\n", s, s))
			name := msgName(base, s, msg, cur)
			p := filepath.Join(dir, "cur", name)
			if !cur {
				p = filepath.Join(dir, "tmp", name)
			}
			check(os.WriteFile(p, msg, 0o600))
			// mtimes run against the intended order
			mt := time.Unix(base-int64(k)*60, 0)
			check(os.Chtimes(p, mt, mt))
			check(os.Lchown(p, uid, gid))
			if !cur {
				check(os.Rename(p, filepath.Join(dir, "new", name)))
			}
		}
	}
	var first, second []uint32
	for s := uint32(1); s <= n; s++ {
		if s <= n/2 {
			first = append(first, s)
		} else {
			second = append(second, s)
		}
	}
	write(first, true)
	j.doveadm("index", "-u", jAdmin, folder)
	write(second, false)
	j.doveadm("index", "-u", jAdmin, folder)
	got := j.uidNames(folder)
	if len(got) != n {
		check(fmt.Errorf("UID order sample: %d messages, want %d", len(got), n))
	}
	for u, name := range got {
		if seqOfName(name) != u {
			check(fmt.Errorf("UID order sample: UID %d is message %d (%s): Dovecot does not number maildir files by their names here", u, seqOfName(name), name))
		}
	}
	fmt.Fprintf(os.Stderr, "journal part: UID order verified on %d sample files (cur/ and tmp/→new/, written shuffled, mtimes reversed)\n", n)
}

// --- seeding: a capturing publisher ---

// seeder is a docstore.Publisher that plays the journal server for the
// store it is set on: it gives the events the next UIDs, applies them
// there through ApplyJournal (so the store's state advances exactly as a
// journal would make it), and has them signed with the actor's key and
// written as maildir files, in order of UID by their names.
type seeder struct {
	st    *docstore.Store
	a     *jAgency
	dir   string // the folder's maildir
	base  int64  // name timestamp of UID 0
	cur   bool   // straight into cur/ (an idle folder), else into tmp/ (moved to new/ by drop)
	uid   uint32
	first uint32 // the first UID this seeder gave

	jobs  chan seedJob
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
	names map[uint32]string
	bytes atomic.Int64
	owner [2]int
}

type seedJob struct {
	uid uint32
	ev  docstore.Event
}

func newSeeder(st *docstore.Store, a *jAgency, dir string, lastUID uint32, base int64, cur bool) *seeder {
	uid, gid := mailIDs()
	s := &seeder{st: st, a: a, dir: dir, base: base, cur: cur, uid: lastUID, first: lastUID + 1,
		jobs: make(chan seedJob, 1024), names: map[uint32]string{}, owner: [2]int{uid, gid}}
	for w := 0; w < runtime.NumCPU(); w++ {
		s.wg.Add(1)
		go s.work()
	}
	return s
}

func (s *seeder) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

func (s *seeder) firstErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *seeder) Publish(ctx context.Context, scope string, evs []docstore.Event) error {
	if scope != docstore.ScopeAgency {
		return fmt.Errorf("seeder: an event for the %q journal", scope)
	}
	entries := make([]docstore.JournalEntry, len(evs))
	for i, e := range evs {
		if _, ok := s.a.keys[e.Actor]; !ok {
			return fmt.Errorf("seeder: no key for %s", e.Actor)
		}
		s.uid++
		entries[i] = docstore.JournalEntry{UID: s.uid, Event: e, Signer: s.a.pub(e.Actor), Local: true}
		s.jobs <- seedJob{uid: s.uid, ev: e}
	}
	outs, err := s.st.ApplyJournal(ctx, scope, entries)
	if err != nil {
		return err
	}
	for _, o := range outs {
		if o.Verdict != docstore.VerdictApplied {
			return fmt.Errorf("seeder: event %s (UID %d) %s: %v", o.EventID, o.UID, o.Verdict, o.Err)
		}
	}
	return s.firstErr()
}

func (s *seeder) work() {
	defer s.wg.Done()
	var buf bytes.Buffer
	for jb := range s.jobs {
		if s.firstErr() != nil {
			continue
		}
		buf.Reset()
		if err := journal.Encode(&buf, jb.ev, jAgencyCode, s.a.author(jb.ev.Actor), s.a.keys[jb.ev.Actor], nil); err != nil {
			s.fail(err)
			continue
		}
		msg := buf.Bytes()
		name := msgName(s.base, jb.uid, msg, s.cur)
		p := filepath.Join(s.dir, "cur", name)
		if !s.cur {
			p = filepath.Join(s.dir, "tmp", name)
		}
		err := os.WriteFile(p, msg, 0o600)
		if err == nil {
			err = os.Lchown(p, s.owner[0], s.owner[1])
		}
		if err != nil {
			s.fail(err)
			continue
		}
		s.bytes.Add(int64(len(msg)))
		if !s.cur {
			s.mu.Lock()
			s.names[jb.uid] = name
			s.mu.Unlock()
		}
	}
}

// close waits for every message to be written.
func (s *seeder) close() error {
	close(s.jobs)
	s.wg.Wait()
	return s.firstErr()
}

// drop moves the messages written into tmp/ to new/, in UID order (a
// maildir delivery: whatever Dovecot sees first is a prefix of them).
func (s *seeder) drop() {
	for u := s.first; u <= s.uid; u++ {
		name := s.names[u]
		check(os.Rename(filepath.Join(s.dir, "tmp", name), filepath.Join(s.dir, "new", name)))
	}
}

// --- building an agency's journal ---

// newAgency makes the folders and keys of an agency.
func (j *jBench) newAgency(tag string) *jAgency {
	a := &jAgency{keys: map[string]ed25519.PrivateKey{}, people: map[string]docstore.PersonInput{}}
	a.main, a.secret = j.folders(tag)
	year := time.Now().Year()
	a.regIn, a.regOut = fmt.Sprintf("den-%d", year), fmt.Sprintf("di-%d", year)
	for _, id := range []string{"admin", "clerk", "manager", "specialist", "u21"} {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		check(err)
		a.keys[id] = k
	}
	a.people["admin"] = docstore.PersonInput{ID: "admin", Email: "admin@agency.test", FullName: "Quản Trị Viên", Clearance: docstore.SecrecyMat,
		PublicKey: journal.PublicKeyString(a.pub("admin"))}
	for _, p := range jPeople {
		p.Email, p.UnitID = p.ID+"@agency.test", "vp"
		p.PublicKey = journal.PublicKeyString(a.pub(p.ID))
		a.people[p.ID] = p
	}
	return a
}

// openStation opens a workstation's store that has joined the agency
// (pin and folders), without a replicator yet.
func (j *jBench) openStation(a *jAgency, dir string) *docstore.Store {
	st, err := docstore.Open(dir, jStoreOptions)
	check(err)
	check(st.SetJournalPin(j.ctx, docstore.JournalPin{AgencyCode: jAgencyCode, AdminKey: a.pub("admin")}))
	check(st.SetJournalFolder(j.ctx, docstore.ScopeAgency, a.main))
	check(st.SetJournalFolder(j.ctx, docstore.ScopeSecret, a.secret))
	return st
}

// seedStats: what building a journal cost.
type seedStats struct {
	events    uint32
	regs, dir int
	build     time.Duration // commands + apply + sign + write
	index     time.Duration // doveadm index
	verify    time.Duration // doveadm fetch of every UID's file name
	bytes     int64
}

// seed builds the agency's journal in its (new, empty) folder: the
// directory and registers, then registrations in batches of 500 with a
// direction for every 20th, until n events; the source store st ends in
// the state of the whole journal. Every UID is checked afterwards.
func (j *jBench) seed(st *docstore.Store, a *jAgency, n int) seedStats {
	ctx := j.ctx
	dir := j.maildir(a.main)
	var ss seedStats
	t0 := time.Now()
	// Into tmp/, then new/: where APPEND leaves a message as long as only
	// read-only sessions (the replicators' EXAMINE) open the folder.
	sd := newSeeder(st, a, dir, 0, time.Now().Unix()-int64(n)-86400, false)
	st.SetPublisher(sd)
	check(st.FoundAgency(ctx, docstore.AgencyFounded{Code: jAgencyCode, Name: "Ủy ban nhân dân thành phố Lâm Sơn", Abbr: "UBND", Place: "Lâm Sơn", Admin: a.people["admin"]}))
	check(st.AddUnit(ctx, "admin", docstore.UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}))
	for _, p := range jPeople {
		check(st.AddPerson(ctx, "admin", a.people[p.ID]))
	}
	year := time.Now().Year()
	check(st.OpenRegister(ctx, "admin", docstore.RegisterOpened{ID: a.regIn, Kind: docstore.KindIncoming, Year: year, Name: fmt.Sprintf("Sổ văn bản đến năm %d", year)}))
	check(st.OpenRegister(ctx, "admin", docstore.RegisterOpened{ID: a.regOut, Kind: docstore.KindOutgoing, Year: year, Name: fmt.Sprintf("Sổ văn bản đi năm %d", year)}))
	left := n - int(sd.uid)
	if left > 0 {
		today := time.Now()
		ins := demo.IncomingInputs(mrand.New(mrand.NewPCG(5, 5)), a.regIn, left, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC),
			time.Date(year, today.Month(), today.Day(), 0, 0, 0, 0, time.UTC), docstore.SecrecyNone)
		next := 0
		for int(sd.uid) < n {
			k := min(500, n-int(sd.uid))
			batch := ins[next : next+k]
			next += k
			regs, err := st.ImportIncoming(ctx, "clerk", batch)
			check(err)
			ss.regs += len(regs)
			for i := 0; i < len(regs) && int(sd.uid) < n; i += 20 {
				deadline, _ := time.Parse("2006-01-02", batch[i].ArrivalDate)
				_, err := st.Direct(ctx, "manager", docstore.Direction{DocID: regs[i].DocID,
					Comment: "Giao đồng chí Trang chủ trì tham mưu, Văn phòng phối hợp; báo cáo trước hạn.",
					Assignments: []docstore.AssignmentInput{
						{Kind: "person", Assignee: "specialist", Role: "chu_tri", Deadline: deadline.AddDate(0, 0, 10).Format("2006-01-02")},
						{Kind: "unit", Assignee: "vp", Role: "phoi_hop"},
					}})
				check(err)
				ss.dir++
			}
			if next%20000 < 500 {
				fmt.Fprintf(os.Stderr, "  seeding: %d/%d events\n", sd.uid, n)
			}
		}
	}
	st.SetPublisher(nil)
	check(sd.close())
	sd.drop()
	ss.events, ss.bytes = sd.uid, sd.bytes.Load()
	ss.build = time.Since(t0)

	t0 = time.Now()
	j.doveadm("index", "-u", jAdmin, a.main)
	ss.index = time.Since(t0)

	t0 = time.Now()
	names := j.uidNames(a.main)
	if len(names) != int(ss.events) {
		check(fmt.Errorf("seeded %d events, the folder holds %d messages", ss.events, len(names)))
	}
	for u, name := range names {
		if seqOfName(name) != u {
			check(fmt.Errorf("seeded folder: UID %d holds event %d (%s)", u, seqOfName(name), name))
		}
	}
	if next := j.uidNext(a.main); next != ss.events+1 {
		check(fmt.Errorf("seeded folder: UIDNEXT %d, want %d", next, ss.events+1))
	}
	ss.verify = time.Since(t0)
	return ss
}

// --- workstations with their replicator ---

type jClient struct {
	person string
	st     *docstore.Store
	r      *journal.Replicator
	stop   func()
}

// start runs the replicator of person on st (as mail.Service.StartJournal
// does: default poll and batch) and waits for its first sync.
func (j *jBench) start(st *docstore.Store, a *jAgency, person string) *jClient {
	r := journal.New(st, journal.Config{
		Account:  j.env.Account(person),
		Password: func(context.Context) (string, error) { return j.env.Password(person), nil },
		Key:      a.keys[person],
		Author:   a.author(person),
		Agency:   jAgencyCode,
	})
	st.SetPublisher(r)
	ctx, cancel := context.WithCancel(j.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(ctx)
	}()
	c := &jClient{person: person, st: st, r: r}
	c.stop = sync.OnceFunc(func() {
		cancel()
		<-done
		st.SetPublisher(nil)
	})
	atExit = append(atExit, c.stop)
	waitFor(30*time.Second, person+"'s replicator online", func() bool { return r.Status().Online })
	return c
}

func (c *jClient) lastUID() uint32 {
	fs, err := c.st.JournalFolders(context.Background())
	check(err)
	for _, f := range fs {
		if f.Scope == docstore.ScopeAgency {
			return f.LastUID
		}
	}
	return 0
}

// waitFor polls cond every 2 ms for up to d.
func waitFor(d time.Duration, what string, cond func() bool) {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			check(fmt.Errorf("journal part: after %v: %s", d, what))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// caughtUp waits until b has read the journal as far as a.
func caughtUp(a, b *jClient, d time.Duration) {
	want := a.lastUID()
	waitFor(d, b.person+" catches up with "+a.person, func() bool { return b.lastUID() >= want })
}

// sameState compares the shared state of two stores.
func (j *jBench) sameState(a, b *docstore.Store) (string, int) {
	da, err := a.CanonicalDump(j.ctx)
	check(err)
	db, err := b.CanonicalDump(j.ctx)
	check(err)
	if da == db {
		return "OK", len(da)
	}
	return "DIFF", len(da)
}

// latency times n registrations of A, each from the call until B's store
// has the document (polled every 2 ms), with a random pause between them.
func (j *jBench) latency(a, b *jClient, regIn string, n int, seed uint64) (lat, own []time.Duration) {
	ins := demo.IncomingInputs(mrand.New(mrand.NewPCG(seed, 1)), regIn, n, time.Now().AddDate(0, 0, -5), time.Now(), docstore.SecrecyNone)
	r := mrand.New(mrand.NewPCG(seed, 2))
	for _, in := range ins {
		time.Sleep(time.Duration(100+r.IntN(200)) * time.Millisecond)
		t0 := time.Now()
		reg, err := a.st.RegisterIncoming(j.ctx, a.person, in)
		check(err)
		own = append(own, time.Since(t0))
		waitFor(30*time.Second, b.person+" sees "+reg.DocID, func() bool {
			_, err := b.st.Document(j.ctx, b.person, reg.DocID)
			return err == nil
		})
		lat = append(lat, time.Since(t0))
	}
	return lat, own
}

// appends: n sequential registrations of A through its replicator; B
// idles on the journal meanwhile (and reads them). Returns the events/s
// and the median time of one.
func (j *jBench) appends(a *jClient, regIn string, n int, seed uint64) (rate float64, each []time.Duration) {
	ins := demo.IncomingInputs(mrand.New(mrand.NewPCG(seed, 3)), regIn, n, time.Now().AddDate(0, 0, -5), time.Now(), docstore.SecrecyNone)
	t0 := time.Now()
	for _, in := range ins {
		t := time.Now()
		_, err := a.st.RegisterIncoming(j.ctx, a.person, in)
		check(err)
		each = append(each, time.Since(t))
	}
	return float64(n) / time.Since(t0).Seconds(), each
}

func msStr(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}

// smallJournal: a new agency (a few directory events); A the clerk, B
// the leader.
func (j *jBench) smallJournal(opt journalOpts) {
	ctx := j.ctx
	a := j.newAgency("Small")
	src := j.openStation(a, filepath.Join(j.work, "small-clerk"))
	ss := j.seed(src, a, 0)
	fmt.Fprintf(os.Stderr, "journal part: small journal %s: %d directory events\n", a.main, ss.events)
	A := j.start(src, a, "clerk")
	B := j.start(j.openStation(a, filepath.Join(j.work, "small-manager")), a, "manager")
	caughtUp(A, B, 30*time.Second)

	// 1. From A's action to B's store.
	resetPeak()
	lat, own := j.latency(A, B, a.regIn, opt.latency, 11)
	addRSS("journal: registration on A → in B's store (IDLE), new journal", fmt.Sprintf("median %s, max %s", msStr(pct(lat, 50)), msStr(pct(lat, 100))), "≤ 1 s",
		fmt.Sprintf("%d registrations 0.1–0.3 s apart; A's own call (dry run, APPEND, read back, apply): median %s; B polled every 2 ms", len(lat), msStr(pct(own, 50))), peakMB())

	// 3a. Sequential appends.
	resetPeak()
	rate, each := j.appends(A, a.regIn, opt.appends, 12)
	tA := time.Now()
	caughtUp(A, B, 60*time.Second)
	addRSS("journal: sequential registrations through the replicator, new journal", fmt.Sprintf("%.0f events/s", rate), "—",
		fmt.Sprintf("%d, one at a time: median %s, p99 %s each; B (idling) had them all %s after the last", len(each), msStr(pct(each, 50)), msStr(pct(each, 99)), msStr(time.Since(tA))), peakMB())

	// 3b. A burst landing at once, applied by B (idling).
	if opt.burst > 0 {
		resetPeak()
		base := A.lastUID()
		if next := j.uidNext(a.main); next != base+1 {
			check(fmt.Errorf("burst: UIDNEXT %d, A has read up to %d", next, base))
		}
		sd := newSeeder(A.st, a, j.maildir(a.main), base, time.Now().Unix()-int64(base)-int64(opt.burst), false)
		A.st.SetPublisher(sd)
		ins := demo.IncomingInputs(mrand.New(mrand.NewPCG(13, 1)), a.regIn, opt.burst, time.Now().AddDate(0, 0, -5), time.Now(), docstore.SecrecyNone)
		_, err := A.st.ImportIncoming(ctx, "clerk", ins)
		check(err)
		A.st.SetPublisher(A.r)
		check(sd.close())
		type obs struct {
			t   time.Duration
			uid uint32
		}
		var seen []obs
		t0 := time.Now()
		sd.drop()
		dropped := time.Since(t0)
		last := base
		waitFor(60*time.Second, "B applies the burst", func() bool {
			u := B.lastUID()
			if u != last {
				seen = append(seen, obs{time.Since(t0), u})
				last = u
			}
			return u >= base+uint32(opt.burst)
		})
		first, end := seen[0], seen[len(seen)-1]
		rateStr := "one transaction"
		if len(seen) > 1 {
			rateStr = fmt.Sprintf("%.0f events/s", float64(end.uid-first.uid)/(end.t-first.t).Seconds())
		}
		var steps []string
		for _, o := range seen {
			steps = append(steps, fmt.Sprintf("%d at %s", o.uid-base, msStr(o.t)))
		}
		addRSS(fmt.Sprintf("journal: burst of %s events applied by an idling client", thousands(opt.burst)), rateStr+fmt.Sprintf(" (all in %s)", msStr(end.t)), "—",
			fmt.Sprintf("signed messages moved into new/ at once (%s); B's position, from the drop: %s (batches of 500; the first wait is Dovecot's IDLE notice)", msStr(dropped), strings.Join(steps, ", ")), peakMB())
	}

	caughtUp(A, B, 60*time.Second)
	same, size := j.sameState(A.st, B.st)
	fmt.Fprintf(os.Stderr, "journal part: small journal: A and B at UID %d, state %s (%d bytes)\n", B.lastUID(), same, size)
	if same != "OK" {
		check(fmt.Errorf("small journal: A and B differ"))
	}
	A.stop()
	B.stop()
	A.st.Close()
	B.st.Close()
}

// --- the large journal and the joining workstation ---

// joinConfig is what the child process (the joining workstation) is given.
type joinConfig struct {
	Store      string
	Account    docstore.MailAccount
	Password   string
	KeySeed    []byte
	Author     docstore.MailAddress
	AdminKey   []byte
	Main       string
	Secret     string
	CPUProfile string
}

// joinResult is what it reports (one JSON line after "JOURNAL-CHILD ").
type joinResult struct {
	SyncSeconds float64 // Replicator.SyncOnce: connect, read, verify and apply every message
	LastUID     uint32
	Warnings    int
	Pending     int
	Online      bool
	PeakMB      float64 // VmHWM of the child at the end
}

const joinResultPrefix = "JOURNAL-CHILD "

func (j *jBench) largeJournal(opt journalOpts) {
	a := j.newAgency("Large")
	srcDir := filepath.Join(j.work, "large-source")
	src := j.openStation(a, srcDir)

	resetPeak()
	ss := j.seed(src, a, opt.n)
	size := dirSize(j.maildir(a.main))
	addRSS(fmt.Sprintf("journal: seed %s events straight into the maildir", thousands(int(ss.events))),
		fmt.Sprintf("%s (%.0f events/s)", secs(ss.build), float64(ss.events)/ss.build.Seconds()), "—",
		fmt.Sprintf("%d registrations (batches of 500) + %d directions + directory; signed, %.0f MB of messages (%.0f MB on disk), into new/ as APPEND leaves them; doveadm index %s; every UID checked (doveadm fetch) %s",
			ss.regs, ss.dir, float64(ss.bytes)/1e6, float64(size)/1e6, secs(ss.index), secs(ss.verify)), peakMB())
	fmt.Fprintf(os.Stderr, "journal part: seeded %d events in %s, index %s, verified %s\n", ss.events, secs(ss.build), secs(ss.index), secs(ss.verify))
	want, err := src.CanonicalDump(j.ctx)
	check(err)
	wantSum, wantLen := sha256.Sum256([]byte(want)), len(want)
	want = ""
	check(src.Close())

	// The same journal in sdbox, copied before anything is appended.
	box := ""
	if opt.sdbox {
		t0 := time.Now()
		box = j.copyToSdbox(a, ss.events)
		fmt.Fprintf(os.Stderr, "journal part: copied the journal into sdbox folder %s in %s (UID order checked)\n", box, secs(time.Since(t0)))
	}
	j.largeOn(opt, a, "maildir", a.main, ss.events, wantSum, wantLen, srcDir)
	if box != "" {
		j.largeOn(opt, a, "sdbox", box, ss.events, wantSum, wantLen, "")
	}
}

// largeOn: on the large journal in folder (kind: its storage), a new
// workstation joins in a child process, then one registration at a time
// from A to B (A: the source store, or a copy of the joined one when
// srcDir is ""), then what Dovecot alone pays there.
func (j *jBench) largeOn(opt journalOpts, a *jAgency, kind, folder string, events uint32, wantSum [32]byte, wantLen int, srcDir string) {
	label := fmt.Sprintf("%s-event journal, %s", thousands(int(events)), kind)

	// 2. The joining workstation, in a child process.
	joinDir := filepath.Join(j.work, "join-"+kind)
	cfg := joinConfig{Store: joinDir, Account: j.env.Account("specialist"), Password: j.env.Password("specialist"),
		KeySeed: a.keys["specialist"].Seed(), Author: a.author("specialist"), AdminKey: a.pub("admin"), Main: folder, Secret: a.secret}
	if opt.profile != "" {
		cfg.CPUProfile = strings.TrimSuffix(opt.profile, ".prof") + "-" + kind + ".prof"
	}
	cfgPath := filepath.Join(j.work, "join-"+kind+".json")
	b, err := json.Marshal(cfg)
	check(err)
	check(os.WriteFile(cfgPath, b, 0o600))
	exe, err := os.Executable()
	check(err)
	// The child's peak RSS from wait4 is the kernel's maxrss of the
	// child, which exec starts at the high-water mark of the memory it
	// leaves — with Go's vfork-style start, this process's (Linux's
	// exec_mmap, setmax_mm_hiwater_rss). So this process holds no store
	// open here and resets its own mark first; the child also reports its
	// own VmHWM, and the two are compared.
	resetPeak()
	parentMB := procField("/proc/self/status", "VmHWM:") / 1024
	child, err := childRun(exe, journalChildFlag, cfgPath)
	check(err)
	var res joinResult
	for _, l := range strings.Split(child.out, "\n") {
		if rest, ok := strings.CutPrefix(l, joinResultPrefix); ok {
			check(json.Unmarshal([]byte(rest), &res))
		}
	}
	if res.LastUID != events {
		check(fmt.Errorf("the joining workstation read up to UID %d of %d:\n%s", res.LastUID, events, lastLines(child.out, 10)))
	}
	joined, err := docstore.Open(joinDir, jStoreOptions)
	check(err)
	got, err := joined.CanonicalDump(j.ctx)
	check(err)
	same := "OK"
	if sha256.Sum256([]byte(got)) != wantSum {
		same = "DIFF"
	}
	got = ""
	addRSS(fmt.Sprintf("journal: new workstation joins the %s (full replay)", label),
		fmt.Sprintf("%s (%.0f events/s); state %s", secs(time.Duration(res.SyncSeconds*float64(time.Second))), float64(events)/res.SyncSeconds, same),
		"≤ 60 s, peak RSS ≤ 250 MB",
		fmt.Sprintf("child process: Replicator.SyncOnce on a new store (read every message, verify, apply in UID order, batches of 500); whole process %s, CPU %s user + %s sys; %d warnings; CanonicalDump (%.0f MB) = the source's; peak RSS from wait4 (the child's own VmHWM: %.0f MB)",
			secs(child.wall), secs(child.user), secs(child.sys), res.Warnings, float64(wantLen)/1e6, res.PeakMB), child.rssMB)
	fmt.Fprintf(os.Stderr, "journal part: %s: join %.2f s (process %s), peak RSS %.0f MB from wait4, %.0f MB the child's own VmHWM (this process %.0f MB at the start), state %s\n",
		kind, res.SyncSeconds, secs(child.wall), child.rssMB, res.PeakMB, parentMB, same)
	if child.rssMB <= parentMB+1 {
		fmt.Fprintf(os.Stderr, "journal part: WARNING: the child's peak RSS from wait4 may be this process's (%.0f MB)\n", parentMB)
	}
	if same != "OK" {
		check(fmt.Errorf("%s: the joined workstation's state differs from the source's", kind))
	}

	// 1 and 3 on the large folder: A = the clerk, B = the workstation
	// that just joined.
	if srcDir == "" {
		check(joined.Close())
		srcDir = joinDir + "-clerk"
		check(copyDir(joinDir, srcDir))
		joined, err = docstore.Open(joinDir, jStoreOptions)
		check(err)
	}
	src, err := docstore.Open(srcDir, jStoreOptions)
	check(err)
	A := j.start(src, a, "clerk")
	B := j.start(joined, a, "specialist")
	caughtUp(A, B, 30*time.Second)
	resetPeak()
	lat, own := j.latency(A, B, a.regIn, opt.latency, 21)
	addRSS(fmt.Sprintf("journal: registration on A → in B's store (IDLE), %s", label),
		fmt.Sprintf("median %s, max %s", msStr(pct(lat, 50)), msStr(pct(lat, 100))), "≤ 1 s",
		fmt.Sprintf("%d registrations; A's own call: median %s", len(lat), msStr(pct(own, 50))), peakMB())
	resetPeak()
	rate, each := j.appends(A, a.regIn, opt.appendsLarge, 22)
	tA := time.Now()
	caughtUp(A, B, 120*time.Second)
	addRSS(fmt.Sprintf("journal: sequential registrations through the replicator, %s", label),
		fmt.Sprintf("%.1f events/s", rate), "—",
		fmt.Sprintf("%d: median %s, p99 %s each; B had them all %s after the last", len(each), msStr(pct(each, 50)), msStr(pct(each, 99)), msStr(time.Since(tA))), peakMB())
	same, _ = j.sameState(A.st, B.st)
	fmt.Fprintf(os.Stderr, "journal part: %s: A and B at UID %d, state %s\n", kind, B.lastUID(), same)
	if same != "OK" {
		check(fmt.Errorf("%s: A and B differ", kind))
	}
	A.stop()
	B.stop()
	A.st.Close()
	B.st.Close()

	// What the server's side costs at this size, without the replicator.
	resetPeak()
	addRSS(fmt.Sprintf("journal: Dovecot alone, %s", label), j.probe(folder, a.secret), "—",
		"a plain IMAP session as the clerk, after the clients stopped; median of 5 each", peakMB())
}

// copyDir copies a closed store's folder.
func copyDir(from, to string) error {
	return filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if fi.IsDir() {
			return os.MkdirAll(dst, fi.Mode().Perm())
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, fi.Mode().Perm())
	})
}

// sdbox: a second public namespace of the same server, "Dbox/", stored as
// sdbox (one file per message, like maildir, but the UIDs and the state
// in Dovecot's index alone: no dovecot-uidlist to read, no new/ and cur/
// to scan). Added to the configuration start.sh wrote in the work folder,
// before any client connects.
const sdboxPrefix = "Dbox/"

func (j *jBench) enableSdbox() {
	dir := filepath.Join(j.ms.root, "public-sdbox")
	uid, gid := mailIDs()
	check(os.MkdirAll(dir, 0o755))
	check(os.Lchown(dir, uid, gid))
	conf := filepath.Join(j.ms.root, "etc", "dovecot.conf")
	f, err := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	check(err)
	_, err = fmt.Fprintf(f, "\n# added by congvu-bench -only journal: the journal in sdbox, for comparison\nnamespace sdbox {\n  type = public\n  separator = /\n  prefix = %s\n  location = sdbox:%s\n  subscriptions = no\n  list = children\n}\n", sdboxPrefix, dir)
	check(err)
	check(f.Close())
	j.doveadm("reload")
	time.Sleep(time.Second)
}

// copyToSdbox copies the large journal into an sdbox folder with doveadm
// import (in UID order) and checks that every UID holds the same event.
func (j *jBench) copyToSdbox(a *jAgency, events uint32) string {
	parent := sdboxPrefix + strings.TrimPrefix(a.main, "Shared/")
	box := parent + "/INBOX"
	j.doveadm("-o", "plugin/acl=", "import", "-u", jAdmin, "maildir:"+j.maildir(a.main), parent, "all")
	admin := []string{"lookup", "read", "write", "write-seen", "write-deleted", "insert", "post", "expunge", "create", "delete", "admin"}
	j.doveadm(append([]string{"acl", "set", "-u", jAdmin, box, "user=" + jAdmin}, admin...)...)
	j.doveadm("acl", "set", "-u", jAdmin, box, "authenticated", "lookup", "read", "write-seen", "insert")
	j.doveadm("index", "-u", jAdmin, box)
	ids := func(folder string) string {
		return j.doveadm("-f", "tab", "fetch", "-u", jAdmin, "uid hdr.x-congvu-event", "mailbox", folder)
	}
	if ids(box) != ids(a.main) {
		check(fmt.Errorf("sdbox copy: the UIDs do not hold the same events as in %s", a.main))
	}
	if next := j.uidNext(box); next != events+1 {
		check(fmt.Errorf("sdbox copy: UIDNEXT %d, want %d", next, events+1))
	}
	return box
}

// probe times, on a plain IMAP session, what the replicator asks of the
// server for one registration: EXAMINE of the journal (unchanged, and
// just after an APPEND), APPEND of a message, MYRIGHTS and EXAMINE of the
// secret folder. The messages it appends are not journal events (every
// workstation would list them as warnings): run it last.
func (j *jBench) probe(main, secret string) string {
	c, err := (account.Dialer{}).IMAP(j.ctx, j.env.Account("clerk"), j.env.Password("clerk"), nil)
	check(err)
	defer account.Logout(c)
	timeIt := func(f func() error) time.Duration {
		t0 := time.Now()
		check(f())
		return time.Since(t0)
	}
	examine := func(box string) func() error {
		return func() error {
			_, err := c.Select(box, &imap.SelectOptions{ReadOnly: true}).Wait()
			return err
		}
	}
	msg := []byte("From: clerk@agency.test\r\nSubject: probe\r\nMessage-ID: <probe@bench>\r\n\r\nNot a journal event.\r\n")
	var still, after, app, other []time.Duration
	for i := 0; i < 5; i++ {
		timeIt(examine(secret))
		still = append(still, timeIt(examine(main)))
		app = append(app, timeIt(func() error { _, err := mailtest.Append(c, main, msg); return err }))
		timeIt(examine(secret))
		after = append(after, timeIt(examine(main)))
		other = append(other, timeIt(func() error { _, err := c.MyRights(secret).Wait(); return err })+timeIt(examine(secret)))
	}
	// What a replicator that kept the journal selected would pay for a
	// colleague's message: another session APPENDs; this one, the folder
	// still selected, learns of it (NOOP: Dovecot catches up on its own,
	// incrementally) and reads it with UID FETCH n:*, without a SELECT.
	c2, err := (account.Dialer{}).IMAP(j.ctx, j.env.Account("manager"), j.env.Password("manager"), nil)
	check(err)
	defer account.Logout(c2)
	check(examine(main)())
	var fetch []time.Duration
	for i := 0; i < 5; i++ {
		uid, err := mailtest.Append(c2, main, msg)
		check(err)
		fetch = append(fetch, timeIt(func() error {
			if err := c.Noop().Wait(); err != nil {
				return err
			}
			var set imap.UIDSet
			set.AddRange(uid, 0)
			got, err := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
			if err == nil && (len(got) != 1 || got[0].UID != uid) {
				err = fmt.Errorf("probe: UID FETCH %d:* in the selected folder returned %d messages", uid, len(got))
			}
			return err
		}))
	}
	// Dovecot's IDLE notice: a third session idles on the folder; the
	// time from another session's APPEND (its answer) to the EXISTS.
	notified := make(chan struct{}, 16)
	c3, err := (account.Dialer{}).IMAP(j.ctx, j.env.Account("specialist"), j.env.Password("specialist"), &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				select {
				case notified <- struct{}{}:
				default:
				}
			}
		}}})
	check(err)
	defer account.Logout(c3)
	_, err = c3.Select(main, &imap.SelectOptions{ReadOnly: true}).Wait()
	check(err)
	var notice []time.Duration
	for i := 0; i < 5; i++ {
		idle, err := c3.Idle()
		check(err)
		time.Sleep(200 * time.Millisecond)
		for len(notified) > 0 {
			<-notified
		}
		_, err = mailtest.Append(c2, main, msg)
		check(err)
		t0 := time.Now()
		select {
		case <-notified:
			notice = append(notice, time.Since(t0))
		case <-time.After(10 * time.Second):
			check(fmt.Errorf("probe: no IDLE notice in 10 s"))
		}
		check(idle.Close())
		check(idle.Wait())
	}
	return fmt.Sprintf("EXAMINE %s (%s after an APPEND), APPEND %s; secret folder MYRIGHTS + EXAMINE %s; a colleague's new message read in the still selected folder (NOOP + UID FETCH n:*) %s; IDLE notice of a colleague's APPEND %s",
		msStr(pct(still, 50)), msStr(pct(after, 50)), msStr(pct(app, 50)), msStr(pct(other, 50)), msStr(pct(fetch, 50)), msStr(pct(notice, 50)))
}

// childRun runs one child process and measures it: wall time, peak RSS
// and CPU time from wait4.
type childStats struct {
	wall, user, sys time.Duration
	rssMB           float64
	out             string
}

func childRun(name string, args ...string) (childStats, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	r := childStats{wall: time.Since(t0), out: out.String()}
	if ps := cmd.ProcessState; ps != nil {
		r.user, r.sys = ps.UserTime(), ps.SystemTime()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			r.rssMB = float64(ru.Maxrss) / 1024
		}
	}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, lastLines(r.out, 10))
	}
	return r, nil
}

// journalChildMain is the joining workstation: a new store that pins the
// agency and follows its folders, and one Replicator.SyncOnce.
func journalChildMain(path string) {
	b, err := os.ReadFile(path)
	check(err)
	var cfg joinConfig
	check(json.Unmarshal(b, &cfg))
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	ctx := context.Background()
	st, err := docstore.Open(cfg.Store, jStoreOptions)
	check(err)
	check(st.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: jAgencyCode, AdminKey: cfg.AdminKey}))
	check(st.SetJournalFolder(ctx, docstore.ScopeAgency, cfg.Main))
	check(st.SetJournalFolder(ctx, docstore.ScopeSecret, cfg.Secret))
	r := journal.New(st, journal.Config{
		Account:  cfg.Account,
		Password: func(context.Context) (string, error) { return cfg.Password, nil },
		Key:      ed25519.NewKeyFromSeed(cfg.KeySeed),
		Author:   cfg.Author,
		Agency:   jAgencyCode,
	})
	st.SetPublisher(r)
	var res joinResult
	t0 := time.Now()
	check(r.SyncOnce(ctx))
	res.SyncSeconds = time.Since(t0).Seconds()
	res.Online = r.Status().Online
	fs, err := st.JournalFolders(ctx)
	check(err)
	for _, f := range fs {
		if f.Scope == docstore.ScopeAgency {
			res.LastUID = f.LastUID
		}
	}
	js, err := st.JournalStatus(ctx)
	check(err)
	res.Warnings, res.Pending = js.Warnings, js.Pending
	check(st.Close())
	res.PeakMB = procField("/proc/self/status", "VmHWM:") / 1024
	out, err := json.Marshal(res)
	check(err)
	fmt.Println(joinResultPrefix + string(out))
}
