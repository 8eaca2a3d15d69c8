package journal

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail/mailtest"
)

// Benchmarks of the journal (docs/BENCHMARKS.md, "Shared journal"). The
// figures of whole workstations against a 100,000-event journal come from
// go run ./cmd/congvu-bench -only journal; these time the pieces:
//
//	BenchmarkPublish       one registration through the replicator, against
//	                       the Dovecot of make test (skipped without it)
//	BenchmarkApplyJournal  ApplyJournal of ready entries into a new store,
//	                       in batches of 500 as the replicator reads (per event)
//	BenchmarkDecode        Decode of a typical event message (per message)
//	BenchmarkEncode        Encode (sign) of the same event
//
// To run BenchmarkPublish by hand (as root):
//
//	S=$(mktemp -d); eval "$(scripts/mailserver/start.sh $S | sed 's/^/export CONGVU_/')"
//	go test -run '^$' -bench . ./mail/journal/; scripts/mailserver/stop.sh $S --purge

// benchStation is a workstation of a benchmark: a store that joined the
// agency, with its replicator running.
type benchStation struct {
	person string
	st     *docstore.Store
	r      *Replicator
}

func (c *benchStation) lastUID() uint32 {
	fs, _ := c.st.JournalFolders(context.Background())
	for _, f := range fs {
		if f.Scope == docstore.ScopeAgency {
			return f.LastUID
		}
	}
	return 0
}

func openBenchStation(tb testing.TB, e *mailtest.Env, main, secret string, keys map[string]ed25519.PrivateKey, person string) *benchStation {
	tb.Helper()
	ctx := context.Background()
	st, err := docstore.Open(tb.TempDir(), docstore.Options{})
	must(tb, err)
	must(tb, st.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: agencyCode, AdminKey: keys["admin"].Public().(ed25519.PublicKey)}))
	must(tb, st.SetJournalFolder(ctx, docstore.ScopeAgency, main))
	must(tb, st.SetJournalFolder(ctx, docstore.ScopeSecret, secret))
	r := New(st, Config{
		Account:  e.Account(person),
		Password: func(context.Context) (string, error) { return e.Password(person), nil },
		Key:      keys[person],
		Author:   docstore.MailAddress{Name: person, Addr: person + "@agency.test"},
		Agency:   agencyCode,
	})
	st.SetPublisher(r)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Run(rctx)
	}()
	tb.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	return &benchStation{person: person, st: st, r: r}
}

// benchKeys: a fixed key per person of the roster, and the admin's.
func benchKeys() map[string]ed25519.PrivateKey {
	keys := map[string]ed25519.PrivateKey{"admin": msgKey(1)}
	for i, p := range roster {
		keys[p.ID] = msgKey(byte(10 + i))
	}
	return keys
}

// foundBenchAgency founds the test agency through st (its publisher does
// the journal's part): directory, registers.
func foundBenchAgency(tb testing.TB, st *docstore.Store, keys map[string]ed25519.PrivateKey) {
	tb.Helper()
	ctx := context.Background()
	must(tb, st.FoundAgency(ctx, docstore.AgencyFounded{Code: agencyCode, Name: "Ủy ban nhân dân thành phố Lâm Sơn", Abbr: "UBND", Place: "Lâm Sơn",
		Admin: docstore.PersonInput{ID: "admin", Email: "admin@agency.test", FullName: "Quản Trị Viên", Clearance: docstore.SecrecyMat,
			PublicKey: PublicKeyString(keys["admin"].Public().(ed25519.PublicKey))}}))
	must(tb, st.AddUnit(ctx, "admin", docstore.UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}))
	for _, p := range roster {
		p.Email, p.UnitID = p.ID+"@agency.test", "vp"
		p.PublicKey = PublicKeyString(keys[p.ID].Public().(ed25519.PublicKey))
		must(tb, st.AddPerson(ctx, "admin", p))
	}
	must(tb, st.OpenRegister(ctx, "admin", docstore.RegisterOpened{ID: regIn, Kind: docstore.KindIncoming, Year: 2026, Name: "Sổ văn bản đến năm 2026"}))
	must(tb, st.OpenRegister(ctx, "admin", docstore.RegisterOpened{ID: regOut, Kind: docstore.KindOutgoing, Year: 2026, Name: "Sổ văn bản đi năm 2026"}))
}

// benchInputs: n realistic incoming documents arriving this week.
func benchInputs(n int, seed uint64) []docstore.IncomingInput {
	return demo.IncomingInputs(rand.New(rand.NewPCG(seed, seed)), regIn, n, time.Now().AddDate(0, 0, -7), time.Now().AddDate(0, 0, -1), docstore.SecrecyNone)
}

// BenchmarkPublish: one registration by the clerk through the replicator
// (dry run, APPEND, read back up to it, apply), on a new journal folder
// that grows by one message an operation; a colleague's workstation (the
// administrator's) idles on the same journal meanwhile, as in an office.
func BenchmarkPublish(b *testing.B) {
	e := mailtest.Shared(b)
	main, secret := e.JournalFolders(b, "clerk", "manager")
	keys := benchKeys()
	admin := openBenchStation(b, e, main, secret, keys, "admin")
	foundBenchAgency(b, admin.st, keys)
	clerk := openBenchStation(b, e, main, secret, keys, "clerk")
	want := admin.lastUID()
	eventually(b, 10*time.Second, "the clerk joins", func() bool { return clerk.lastUID() >= want })
	ctx := context.Background()
	ins := benchInputs(1000, 1)
	i := 0
	for b.Loop() {
		if _, err := clerk.st.RegisterIncoming(ctx, "clerk", ins[i%len(ins)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// capture is a Publisher standing for the journal server: it gives the
// events the next UIDs and applies them to its store through ApplyJournal
// (as a workstation applies what it read back), and keeps the entries.
type capture struct {
	st      *docstore.Store
	keys    map[string]ed25519.PrivateKey
	entries []docstore.JournalEntry
}

func (c *capture) Publish(ctx context.Context, scope string, evs []docstore.Event) error {
	batch := make([]docstore.JournalEntry, len(evs))
	for i, e := range evs {
		k, ok := c.keys[e.Actor]
		if !ok {
			return fmt.Errorf("no key for %s", e.Actor)
		}
		batch[i] = docstore.JournalEntry{UID: uint32(len(c.entries) + i + 1), Event: e, Signer: k.Public().(ed25519.PublicKey)}
	}
	outs, err := c.st.ApplyJournal(ctx, scope, batch)
	if err != nil {
		return err
	}
	for _, o := range outs {
		if o.Verdict != docstore.VerdictApplied {
			return fmt.Errorf("event %s: %s %v", o.EventID, o.Verdict, o.Err)
		}
	}
	c.entries = append(c.entries, batch...)
	return nil
}

var benchJournal struct {
	entries []docstore.JournalEntry
	keys    map[string]ed25519.PrivateKey
}

// benchEntries is a journal of 5,000 events as a new workstation reads it
// (the directory, registers, registrations in batches of 500 and a
// direction for every 20th), built once per process by a real store.
func benchEntries(b *testing.B) ([]docstore.JournalEntry, map[string]ed25519.PrivateKey) {
	if benchJournal.entries != nil {
		return benchJournal.entries, benchJournal.keys
	}
	st, err := docstore.Open(b.TempDir(), docstore.Options{})
	must(b, err)
	defer st.Close()
	ctx := context.Background()
	keys := benchKeys()
	c := &capture{st: st, keys: keys}
	st.SetPublisher(c)
	foundBenchAgency(b, st, keys)
	ins := benchInputs(4760, 2)
	for i := 0; i < len(ins); i += 500 {
		regs, err := st.ImportIncoming(ctx, "clerk", ins[i:min(i+500, len(ins))])
		must(b, err)
		for k := 0; k < len(regs); k += 20 {
			_, err := st.Direct(ctx, "manager", docstore.Direction{DocID: regs[k].DocID, Comment: "Giao đồng chí Trang chủ trì tham mưu.",
				Assignments: []docstore.AssignmentInput{{Kind: "person", Assignee: "specialist", Role: "chu_tri"}}})
			must(b, err)
		}
	}
	benchJournal.entries, benchJournal.keys = c.entries, keys
	return c.entries, keys
}

// BenchmarkApplyJournal: a new workstation applying what it read, in
// batches of 500 (the replicator's default); an op is one event. A new
// store is opened (timer stopped) each time the 5,000 entries are used up.
func BenchmarkApplyJournal(b *testing.B) {
	entries, keys := benchEntries(b)
	ctx := context.Background()
	var st *docstore.Store
	pos := len(entries)
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	b.ResetTimer()
	for i := 0; i < b.N; {
		if pos == len(entries) {
			b.StopTimer()
			if st != nil {
				st.Close()
			}
			var err error
			st, err = docstore.Open(b.TempDir(), docstore.Options{})
			must(b, err)
			must(b, st.SetJournalPin(ctx, docstore.JournalPin{AgencyCode: agencyCode, AdminKey: keys["admin"].Public().(ed25519.PublicKey)}))
			must(b, st.SetJournalFolder(ctx, docstore.ScopeAgency, "Shared/Journal"))
			pos = 0
			b.StartTimer()
		}
		k := min(500, len(entries)-pos, b.N-i)
		outs, err := st.ApplyJournal(ctx, docstore.ScopeAgency, entries[pos:pos+k])
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range outs {
			if o.Verdict != docstore.VerdictApplied {
				b.Fatalf("UID %d: %s %v", o.UID, o.Verdict, o.Err)
			}
		}
		pos += k
		i += k
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// typicalMessage is the journal message of a registration, as Encode
// writes it.
func typicalMessage(b *testing.B) []byte {
	return encodeMsg(b, eventOf(b, docstore.EvIncomingRegistered))
}

// BenchmarkDecode: read, check and verify one registration message (the
// per-message work of a workstation reading the journal, the store aside).
func BenchmarkDecode(b *testing.B) {
	msg := typicalMessage(b)
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(msg), msgAgency, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode: describe, sign and write the same message (the
// per-event work of a Publish, the server and the store aside).
func BenchmarkEncode(b *testing.B) {
	ev := eventOf(b, docstore.EvIncomingRegistered)
	key := msgKey(1)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := Encode(&buf, ev, msgAgency, msgAuthor, key, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
