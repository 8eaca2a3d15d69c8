package ui

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	docstore "congvu/docs-store"
	"congvu/mail/journal"
	"congvu/mail/mailtest"
)

// A colleague's first start on an empty workstation, against the real
// Dovecot: "Tham gia cơ quan" takes their mailbox, reads the agency's
// founding and its fingerprint, makes their key; the journal is read to
// the end and the screen says the administrator has not added them yet;
// the administrator adds them with that key, and the window opens as
// them. Their next command goes through the journal, signed with it.
func TestNewcomerJoinsFromAnEmptyWorkstation(t *testing.T) {
	e := mailtest.Shared(t)
	folder, _ := e.JournalFolders(t)
	ctx := context.Background()
	const code = "000.00.78.H31"
	stA, _ := adminStation(t, e, folder, code)
	if err := stA.AddUnit(ctx, "p-admin", docstore.UnitAdded{ID: "vp", Name: "Văn phòng", Abbr: "VP"}); err != nil {
		t.Fatal(err)
	}
	if err := stA.OpenRegister(ctx, "p-admin", docstore.RegisterOpened{ID: "den-2026", Kind: docstore.KindIncoming, Year: 2026, Name: "Sổ văn bản đến năm 2026"}); err != nil {
		t.Fatal(err)
	}

	stB, svcB := emptyStation(t)
	who := ""
	u := NewSetup(stB, svcB, nil, func(id string) { who = id })
	u.Keys = journal.MemoryKeys()
	w := test.NewTempWindow(t, u.Content)
	w.Resize(fyne.NewSize(1366, 768))

	// Step 1: the mailbox.
	test.Tap(u.JoinAgency)
	f := u.Join.Account
	acct := e.Account("u22")
	test.Type(f.Address, acct.Address)
	test.Type(f.DisplayName, "Phạm Minh Khoa")
	test.Type(f.Password, e.Password("u22"))
	f.IMAPHost.SetText(acct.IMAPHost)
	f.IMAPPort.SetText(strconv.Itoa(acct.IMAPPort))
	f.IMAPSecurity.SetSelected("STARTTLS")
	f.SMTPHost.SetText(acct.SMTPHost)
	f.SMTPPort.SetText(strconv.Itoa(acct.SMTPPort))
	f.capem = acct.CAPEM // what "Tin cậy" would have added (TestAccountFormCheckTrustAndWrongPassword)
	f.KeyringCheck = func() error { return nil }
	test.Tap(f.Save)
	mailFormWait(t, "the account saved", 10*time.Second, func() bool { return u.Join.Panel != nil })

	// Step 2: the agency, its fingerprint, the own key.
	p := u.Join.Panel
	p.Code.SetText(code)
	p.Folder.SetText(folder)
	test.Tap(p.Read)
	mailFormWait(t, "the founding", 20*time.Second, func() bool { return !p.Progress.Visible() })
	if p.Founding == nil || !strings.Contains(p.Agency.Text, "Thử Nghiệm") {
		t.Fatalf("founding: %q (%q)", p.Agency.Text, p.Message.Text)
	}
	mailFormWait(t, "the own key", 10*time.Second, func() bool { return !p.Confirm.Disabled() })
	newcomerKey := p.Own.Key.Public
	if newcomerKey == "" {
		t.Fatal("no key shown to give the administrator")
	}
	test.Tap(p.Confirm)

	// Step 3: the whole journal read, nobody with this address yet.
	mailFormWait(t, "not in the directory", 30*time.Second, func() bool { return u.Join.Missing != nil && u.Join.Missing.Visible() })
	if !strings.Contains(u.Join.Missing.Text, acct.Address) || who != "" {
		t.Fatalf("waiting screen: %q (opened as %q)", u.Join.Missing.Text, who)
	}
	if _, err := stB.Agency(ctx); err != nil {
		t.Fatalf("the agency was not read from the journal: %v", err)
	}
	// The administrator binds the key that was read to them.
	if err := stA.AddPerson(ctx, "p-admin", docstore.PersonInput{ID: "p-khoa", Email: strings.ToUpper(acct.Address), FullName: "Phạm Minh Khoa",
		UnitID: "vp", Roles: []docstore.Role{docstore.RoleSpecialist, docstore.RoleClerk}, PublicKey: newcomerKey}); err != nil {
		t.Fatal(err)
	}
	mailFormWait(t, "the window opened as the newcomer", 30*time.Second, func() bool { return who != "" })
	if who != "p-khoa" {
		t.Fatalf("opened as %q", who)
	}

	// As the window does (main.go): the journal restarts as the person,
	// with the key made at joining; what they do reaches the administrator.
	if _, err := svcB.StartJournal(ctx, who, u.Keys, nil); err != nil {
		t.Fatal(err)
	}
	res, err := stB.RegisterIncoming(ctx, who, docstore.IncomingInput{RegisterID: "den-2026", ArrivalDate: stB.Today(), Issuer: "Sở Tư pháp",
		Notation: "15/STP-VP", DocDate: stB.Today(), Type: "CV", Subject: "V/v rà soát văn bản", Source: docstore.SourcePaper})
	if err != nil {
		t.Fatal(err)
	}
	mailFormWait(t, "the administrator sees the registration", 20*time.Second, func() bool {
		d, err := stA.Document(ctx, "p-admin", res.DocID)
		return err == nil && d.Number == 1
	})
}
