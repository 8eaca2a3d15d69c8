package mail

import (
	"context"
	"testing"
	"time"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/journal"
	"congvu/mail/mailtest"
)

// The whole path a real agency takes, on the real Dovecot: the founding
// administrator's workstation (agency founded at the first start, with
// its key) creates the journal from its log; a colleague's empty
// workstation makes its key under the colleague's address, which the
// administrator binds to a new person of the directory; it reads the
// founding, compares the fingerprint, joins before knowing who it is,
// ends with the same state, finds its person by address, and its next
// command goes through the journal signed with that key.
func TestCreateJournalThenJoin(t *testing.T) {
	e := mailtest.Shared(t)
	main, secret := e.JournalFolders(t, "admin")
	ctx := context.Background()
	const code = "000.00.31.H31"

	service := func(user string) (*Service, *docstore.Store) {
		st, err := docstore.Open(t.TempDir(), docstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		svc := NewService(st, Options{Keyring: account.Memory()})
		a := e.Account(user)
		a.ID = "" // a new account here
		if err := svc.AddAccount(ctx, &a, e.Password(user)); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetPassword(ctx, a.ID, e.Password(user), false); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { svc.Stop(); st.Close() })
		return svc, st
	}

	adminKeys, specKeys := journal.MemoryKeys(), journal.MemoryKeys()
	adminSvc, adminSt := service("admin")
	ak, err := JournalKey(adminKeys, "admin@agency.test", "admin")
	must(t, err)
	must(t, adminSt.FoundAgency(ctx, docstore.AgencyFounded{Code: code, Name: "Ủy ban nhân dân huyện Lâm Hà", Abbr: "UBND", Place: "Lâm Hà",
		Admin: docstore.PersonInput{ID: "admin", Email: "admin@agency.test", FullName: "Quản Trị Viên", PublicKey: ak.Public}}))
	must(t, adminSt.AddUnit(ctx, "admin", docstore.UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}))
	specSvc, specSt := service("specialist")
	sk, err := JournalKey(specKeys, "Specialist@agency.test", "") // the newcomer's, read to the administrator
	must(t, err)
	must(t, adminSt.AddPerson(ctx, "admin", docstore.PersonInput{ID: "specialist", Email: "specialist@agency.test", FullName: "Lê Thu Trang",
		UnitID: "vp", Roles: []docstore.Role{docstore.RoleSpecialist, docstore.RoleClerk}, PublicKey: sk.Public}))
	must(t, adminSt.OpenRegister(ctx, "admin", docstore.RegisterOpened{ID: "den-2026", Kind: docstore.KindIncoming, Year: 2026, Name: "Sổ văn bản đến năm 2026"}))

	if _, err := adminSvc.CreateJournal(ctx, "admin", adminKeys, main, secret, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the history is in the journal", func() bool {
		st, _ := adminSt.JournalStatus(ctx)
		return st.Pending == 0
	})

	f, err := specSvc.ReadFounding(ctx, "", main, code)
	must(t, err)
	if f.Fingerprint != ak.Fingerprint || f.Agency.Name != "Ủy ban nhân dân huyện Lâm Hà" {
		t.Fatalf("founding read: %+v (administrator's fingerprint %s)", f, ak.Fingerprint)
	}
	if _, err := specSvc.ReadFounding(ctx, "", main, "000.00.99.H31"); err == nil {
		t.Fatal("the founding of another agency code was accepted")
	}
	must(t, specSvc.ConfirmJoin(ctx, f, main, ""))
	if _, err := specSvc.DirectoryPerson(ctx, "specialist@agency.test"); err == nil {
		t.Fatal("a person before the journal was read")
	}
	own, err := specSvc.OwnAccount(ctx, "")
	must(t, err)
	if _, err := specSvc.StartJournalFor(ctx, own, specKeys, nil); err != nil {
		t.Fatal(err)
	}
	want, err := adminSt.CanonicalDump(ctx)
	must(t, err)
	eventually(t, 10*time.Second, "the colleague's workstation holds the agency", func() bool {
		got, _ := specSt.CanonicalDump(ctx)
		return got == want
	})
	me, err := specSvc.DirectoryPerson(ctx, "SPECIALIST@agency.test")
	if err != nil || me.ID != "specialist" {
		t.Fatalf("who the newcomer is: %+v %v", me, err)
	}
	// The window then runs as that person, with the key made at joining.
	if _, err := specSvc.StartJournal(ctx, me.ID, specKeys, nil); err != nil {
		t.Fatal(err)
	}
	if k, err := specSvc.PersonJournalKey(ctx, specKeys, me.ID); err != nil || k.Public != sk.Public || k.Created {
		t.Fatalf("the person's key is not the one made at joining: %+v %v", k, err)
	}
	// Its own commands now go through the journal, signed with its key.
	r, err := specSt.RegisterIncoming(ctx, "specialist", docstore.IncomingInput{RegisterID: "den-2026", ArrivalDate: specSt.Today(),
		Issuer: "Sở Tư pháp", Notation: "12/STP-VP", DocDate: specSt.Today(), Type: "CV", Subject: "V/v rà soát văn bản", Source: docstore.SourcePaper})
	must(t, err)
	eventually(t, 10*time.Second, "the administrator sees it", func() bool {
		d, err := adminSt.Document(ctx, "admin", r.DocID)
		return err == nil && d.Number == 1
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A person's key is looked up under their address (any case), then under
// their id; a new one goes under the address.
func TestJournalKeyNames(t *testing.T) {
	keys := journal.MemoryKeys()
	byID, err := JournalKey(keys, "", "p-1") // a person without an address
	must(t, err)
	again, err := JournalKey(keys, "Lan@Agency.test", "p-1") // the address added later
	must(t, err)
	if again.Public != byID.Public || again.Created {
		t.Fatal("the key made under the id was not found once the person had an address")
	}
	fresh, err := JournalKey(keys, " Mai@Agency.test ", "")
	must(t, err)
	same, err := JournalKey(keys, "mai@agency.test", "p-2")
	must(t, err)
	if !fresh.Created || same.Public != fresh.Public || same.Created {
		t.Fatal("a newcomer's key is not found by address")
	}
	if _, err := JournalKey(keys, "", ""); err == nil {
		t.Fatal("a key for nobody")
	}
}
