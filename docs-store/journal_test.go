package docstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests run the store's side of the journal against an in-memory
// journal: the ordering, the verdicts, offline work and the rebuild. The
// same scenarios against real Dovecot are in mail/journal.

// memJournal is a journal server in memory: per scope, messages in UID
// order. A message carries the event and the key that "signed" it.
type memJournal struct {
	mu   sync.Mutex
	msgs map[string][]memMsg
}

type memMsg struct {
	ev     Event
	signer []byte
	junk   bool // a message that is no event at all
}

// memClient is one workstation: its store, its person and whether it can
// reach the server.
type memClient struct {
	j       *memJournal
	s       *Store
	person  string
	offline bool
	// forge: sign with this person's key instead of one's own.
	forge string
}

func testKey(person string) []byte {
	h := sha256.Sum256([]byte("key of " + person))
	return h[:]
}

func testKeyString(person string) string { return base64.StdEncoding.EncodeToString(testKey(person)) }

func (c *memClient) Publish(ctx context.Context, scope string, evs []Event) error {
	if c.offline {
		return ErrOffline
	}
	signer := testKey(c.person)
	if c.forge != "" {
		signer = testKey(c.forge)
	}
	c.j.mu.Lock()
	for _, e := range evs {
		c.j.msgs[scope] = append(c.j.msgs[scope], memMsg{ev: e, signer: signer})
	}
	c.j.mu.Unlock()
	mine := map[string]bool{}
	for _, e := range evs {
		mine[e.ID] = true
	}
	outs, err := c.catchUp(ctx, mine)
	if err != nil {
		return err
	}
	for _, o := range outs {
		if mine[o.EventID] && o.Verdict != VerdictApplied {
			if o.Err != nil {
				return o.Err
			}
			return fmt.Errorf("%s: %s", o.Verdict, o.Kind)
		}
	}
	return nil
}

// catchUp applies what the journal holds beyond this store's position,
// the agency's journal first.
func (c *memClient) catchUp(ctx context.Context, mine map[string]bool) ([]JournalOutcome, error) {
	var all []JournalOutcome
	for _, scope := range []string{ScopeAgency, ScopeSecret} {
		fs, err := c.s.JournalFolders(ctx)
		if err != nil {
			return nil, err
		}
		var last uint32
		for _, f := range fs {
			if f.Scope == scope {
				last = f.LastUID
			}
		}
		c.j.mu.Lock()
		msgs := append([]memMsg(nil), c.j.msgs[scope]...)
		c.j.mu.Unlock()
		var entries []JournalEntry
		for i := int(last); i < len(msgs); i++ {
			m := msgs[i]
			en := JournalEntry{UID: uint32(i + 1), Event: m.ev, Signer: m.signer, Local: mine[m.ev.ID]}
			if m.junk {
				en = JournalEntry{UID: uint32(i + 1), Problem: errors.New("not a journal message"), ProblemKind: "malformed"}
			}
			entries = append(entries, en)
		}
		if len(entries) == 0 {
			continue
		}
		outs, err := c.s.ApplyJournal(ctx, scope, entries)
		if err != nil {
			return nil, err
		}
		all = append(all, outs...)
	}
	return all, nil
}

// sync is what the replicator does when the server is back: append the
// outbox, read the journal, claim lost numbers again.
func (c *memClient) sync(t testing.TB) []Reclaimed {
	t.Helper()
	ctx := context.Background()
	out, err := c.s.JournalOutbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.j.mu.Lock()
	for _, o := range out {
		c.j.msgs[o.Scope] = append(c.j.msgs[o.Scope], memMsg{ev: o.Event, signer: testKey(c.person)})
	}
	c.j.mu.Unlock()
	if _, err := c.catchUp(ctx, nil); err != nil {
		t.Fatal(err)
	}
	rc, err := c.s.ReclaimLost(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// memAgency: the admin's workstation founds the agency through the
// journal; the others join (pin, folders) and catch up.
type memAgency struct {
	j       *memJournal
	clients map[string]*memClient
	clock   *testClock
}

func newMemAgency(t *testing.T, people ...string) *memAgency {
	t.Helper()
	a := &memAgency{j: &memJournal{msgs: map[string][]memMsg{}}, clients: map[string]*memClient{},
		clock: &testClock{t: time.Date(2026, 3, 10, 9, 0, 0, 0, VietnamTime)}}
	ctx := context.Background()
	open := func(person string) *memClient {
		s, err := Open(t.TempDir(), Options{Now: a.clock.now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		c := &memClient{j: a.j, s: s, person: person}
		must(t, s.SetJournalPin(ctx, JournalPin{AgencyCode: "000.00.12.H31", AdminKey: testKey(admin)}))
		must(t, s.SetJournalFolder(ctx, ScopeAgency, "Shared/NhatKy"))
		must(t, s.SetJournalFolder(ctx, ScopeSecret, "Shared/NhatKy-Mat"))
		s.SetPublisher(c)
		a.clients[person] = c
		return c
	}
	ad := open(admin)
	must(t, ad.s.FoundAgency(ctx, AgencyFounded{Code: "000.00.12.H31", Name: "Ủy ban nhân dân thành phố Lâm Sơn", Abbr: "UBND", Place: "Lâm Sơn",
		Admin: PersonInput{ID: admin, Email: "admin@x.vn", FullName: "Quản Trị Viên", Clearance: SecrecyMat, PublicKey: testKeyString(admin)}}))
	must(t, ad.s.AddUnit(ctx, admin, UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}))
	for _, p := range []PersonInput{
		{ID: clerk, FullName: "Đỗ Thị Hạnh", UnitID: "vp", Roles: []Role{RoleClerk}},
		{ID: clerkMat, FullName: "Bùi Thanh Thủy", UnitID: "vp", Roles: []Role{RoleClerk}, Clearance: SecrecyMat},
		{ID: chairman, FullName: "Nguyễn Văn Ánh", UnitID: "vp", Roles: []Role{RoleAgencyLeader}, Clearance: SecrecyToiMat},
		{ID: specTN, FullName: "Lê Thu Trang", UnitID: "vp", Roles: []Role{RoleSpecialist}},
	} {
		p.Email, p.PublicKey = p.ID+"@lamson.gov.vn", testKeyString(p.ID)
		must(t, ad.s.AddPerson(ctx, admin, p))
	}
	must(t, ad.s.OpenRegister(ctx, admin, RegisterOpened{ID: regIn, Kind: KindIncoming, Year: 2026, Name: "Sổ văn bản đến năm 2026"}))
	for _, p := range people {
		c := open(p)
		if _, err := c.catchUp(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (a *memAgency) incoming(n int) IncomingInput {
	return IncomingInput{RegisterID: regIn, ArrivalDate: "2026-03-10", Issuer: "Sở Xây dựng", IssuerCode: "000.00.05.H31",
		Notation: fmt.Sprintf("%d/SXD-QLN", n), DocDate: "2026-03-05", Type: "CV", Subject: fmt.Sprintf("V/v kiểm tra công trình số %d", n), Source: SourcePaper}
}

// numbers: the register's numbers and notations, as a comparable string.
func numbers(t testing.TB, s *Store) string {
	t.Helper()
	rows, err := s.r.Query(`SELECT number, notation FROM documents WHERE register_id = ? ORDER BY number`, regIn)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var n int
		var notation string
		rows.Scan(&n, &notation)
		fmt.Fprintf(&b, "%d=%s ", n, notation)
	}
	return b.String()
}

func dump(t testing.TB, s *Store) string {
	t.Helper()
	d, err := s.CanonicalDump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestJournalRaceClaimsAgain(t *testing.T) {
	a := newMemAgency(t, clerk, clerkMat)
	ctx := context.Background()
	c1, c2 := a.clients[clerk], a.clients[clerkMat]
	// Both read "next is 1"; clerk appends first. clerkMat's claim is
	// refused in journal order and claimed again at once: number 2.
	r1, err := c1.s.RegisterIncoming(ctx, clerk, a.incoming(1))
	must(t, err)
	// c2 has not seen c1's event yet: its dry run claims 1 too.
	r2, err := c2.s.RegisterIncoming(ctx, clerkMat, a.incoming(2))
	must(t, err)
	if r1.Number != 1 || r2.Number != 2 {
		t.Fatalf("numbers %d and %d", r1.Number, r2.Number)
	}
	var lost, replaced string
	err = c2.s.r.QueryRow(`SELECT event_id, replaced_by FROM journal_events WHERE state = 'refused' AND kind = 'lost' AND local = 1`).Scan(&lost, &replaced)
	if err != nil || replaced == "" {
		t.Fatalf("the lost claim is not recorded with its replacement: %v %q", err, replaced)
	}
	c1.catchUp(ctx, nil)
	a.clients[admin].catchUp(ctx, nil)
	if d1, d2, d0 := dump(t, c1.s), dump(t, c2.s), dump(t, a.clients[admin].s); d1 != d2 || d1 != d0 {
		t.Fatalf("the stores differ:\n%s\n---\n%s\n---\n%s", d1, d2, d0)
	}
}

// Two clerks register 50 documents each, interleaved, one of them offline
// for a while: every number 1–100 used once, the same on every client.
func TestJournalRacingClerksOfflineConverge(t *testing.T) {
	a := newMemAgency(t, clerk, clerkMat)
	ctx := context.Background()
	c1, c2 := a.clients[clerk], a.clients[clerkMat]
	n := 0
	for i := 0; i < 50; i++ {
		if i == 10 {
			c2.offline = true
		}
		if i == 30 {
			c2.offline = false
			c2.sync(t)
		}
		n++
		_, err := c1.s.RegisterIncoming(ctx, clerk, a.incoming(n))
		must(t, err)
		n++
		_, err = c2.s.RegisterIncoming(ctx, clerkMat, a.incoming(n))
		must(t, err)
		if i == 25 {
			// Offline: the numbers it shows are provisional.
			p, err := c2.s.PendingDocuments(ctx)
			must(t, err)
			if len(p) != 16 {
				t.Fatalf("%d provisional documents while offline, want 16", len(p))
			}
		}
	}
	c2.sync(t)
	c1.sync(t)
	a.clients[admin].sync(t)
	var got []int
	rows, _ := c1.s.r.Query(`SELECT number FROM documents WHERE register_id = ? ORDER BY number`, regIn)
	for rows.Next() {
		var x int
		rows.Scan(&x)
		got = append(got, x)
	}
	rows.Close()
	if len(got) != 100 || got[0] != 1 || got[99] != 100 || !sort.IntsAreSorted(got) {
		t.Fatalf("numbers %v", got)
	}
	for i, x := range got {
		if x != i+1 {
			t.Fatalf("number %d missing or doubled: %v", i+1, got)
		}
	}
	if d1, d2, d0 := dump(t, c1.s), dump(t, c2.s), dump(t, a.clients[admin].s); d1 != d2 || d1 != d0 {
		t.Fatalf("the stores differ:\n%s\n---\n%s", d1, d2)
	}
	st, err := c2.s.JournalStatus(ctx)
	must(t, err)
	if st.Pending != 0 || st.OutOfOrder {
		t.Fatalf("status after sync %+v", st)
	}
	if p, _ := c2.s.PendingDocuments(ctx); len(p) != 0 {
		t.Fatalf("%d documents still provisional", len(p))
	}
}

// A specialist approves with a forged identity, or signs with another
// person's key; a hand-made message: none is applied, each is a warning,
// and the journal goes on.
func TestJournalForgeries(t *testing.T) {
	a := newMemAgency(t, clerk, specTN)
	ctx := context.Background()
	spec := a.clients[specTN]
	// The specialist claims to be the clerk (actor clerk, signed with the
	// specialist's own key).
	e, err := newEvent("forged-1", EvIncomingRegistered, clerk, a.clock.now(), IncomingRegistered{DocID: "x1", Number: 1, Doc: a.incoming(1)})
	must(t, err)
	a.j.mu.Lock()
	a.j.msgs[ScopeAgency] = append(a.j.msgs[ScopeAgency],
		memMsg{ev: e, signer: testKey(specTN)},
		memMsg{junk: true})
	a.j.mu.Unlock()
	// The specialist registers in their own name (no clerk role).
	e2, err := newEvent("forged-2", EvIncomingRegistered, specTN, a.clock.now(), IncomingRegistered{DocID: "x2", Number: 1, Doc: a.incoming(2)})
	must(t, err)
	a.j.mu.Lock()
	a.j.msgs[ScopeAgency] = append(a.j.msgs[ScopeAgency], memMsg{ev: e2, signer: testKey(specTN)})
	a.j.mu.Unlock()
	// Then a genuine registration: applied, number 1.
	r, err := a.clients[clerk].s.RegisterIncoming(ctx, clerk, a.incoming(3))
	must(t, err)
	if r.Number != 1 {
		t.Fatalf("number %d after the forgeries", r.Number)
	}
	spec.catchUp(ctx, nil)
	ws, err := spec.s.JournalWarnings(ctx)
	must(t, err)
	kinds := map[string]int{}
	for _, w := range ws {
		kinds[w.Kind]++
	}
	if kinds[RefusedForged] != 2 || kinds["malformed"] != 1 {
		t.Fatalf("warnings %+v", ws)
	}
	if numbers(t, spec.s) != numbers(t, a.clients[clerk].s) || !strings.HasPrefix(numbers(t, spec.s), "1=3/SXD") {
		t.Fatalf("registers %q / %q", numbers(t, spec.s), numbers(t, a.clients[clerk].s))
	}
	// The same event delivered twice: applied once.
	a.j.mu.Lock()
	dup := a.j.msgs[ScopeAgency][len(a.j.msgs[ScopeAgency])-1]
	a.j.msgs[ScopeAgency] = append(a.j.msgs[ScopeAgency], dup)
	a.j.mu.Unlock()
	outs, err := spec.catchUp(ctx, nil)
	must(t, err)
	if len(outs) != 1 || outs[0].Verdict != VerdictDuplicate {
		t.Fatalf("duplicate delivery: %+v", outs)
	}
}

// A rebuild writes every row again from rowid 1: a window's notice cursor
// from before it must neither announce old documents nor miss the next
// new one.
func TestNoticeCursorAcrossRebuild(t *testing.T) {
	a := newMemAgency(t, clerk, clerkMat)
	ctx := context.Background()
	c1, c2 := a.clients[clerk], a.clients[clerkMat]
	urgent := func(n int) IncomingInput {
		in := a.incoming(n)
		in.Urgency = UrgencyUrgent
		return in
	}
	for n := 1; n <= 5; n++ {
		_, err := c1.s.RegisterIncoming(ctx, clerk, urgent(n))
		must(t, err)
	}
	c2.sync(t)
	// c2 is told of everything so far, then works offline while c1 goes on:
	// its offline registrations meet c1's in journal order, a rebuild.
	_, cursor, err := c2.s.Notices(ctx, clerkMat, NoticeCursor{}, "")
	must(t, err)
	c2.offline = true
	for n := 6; n <= 8; n++ {
		_, err := c2.s.RegisterIncoming(ctx, clerkMat, urgent(n))
		must(t, err)
	}
	for n := 9; n <= 11; n++ {
		_, err := c1.s.RegisterIncoming(ctx, clerk, urgent(n))
		must(t, err)
	}
	_, cursor, err = c2.s.Notices(ctx, clerkMat, cursor, "")
	must(t, err)
	c2.offline = false
	c2.sync(t)
	ns, next, err := c2.s.Notices(ctx, clerkMat, cursor, "")
	must(t, err)
	if next.Rebuilds == cursor.Rebuilds {
		t.Fatal("no rebuild happened: the test tests nothing")
	}
	if len(ns) != 0 {
		t.Fatalf("after the rebuild the old cursor announced %d documents: %+v", len(ns), ns)
	}
	// The next arrival is announced, once.
	r, err := c1.s.RegisterIncoming(ctx, clerk, urgent(12))
	must(t, err)
	c2.sync(t)
	ns, _, err = c2.s.Notices(ctx, clerkMat, next, "")
	must(t, err)
	if len(ns) != 1 || ns[0].ID != r.DocID {
		t.Fatalf("after the rebuild, the next arrival: %+v (want %s)", ns, r.DocID)
	}
}
