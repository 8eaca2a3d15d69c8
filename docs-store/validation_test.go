package docstore

import (
	"errors"
	"testing"
)

// Invalid fields are typed errors naming the field, and nothing is written.
func TestRegisterIncomingValidation(t *testing.T) {
	f := newFixture(t)
	before, _ := f.s.StateDigest(f.ctx)
	cases := []struct {
		field, reason string
		mod           func(*IncomingInput)
	}{
		{"subject", "required", func(in *IncomingInput) { in.Subject = "  " }},
		{"doc_date", "future", func(in *IncomingInput) { in.DocDate = "2026-03-11" }},
		{"arrival_date", "future", func(in *IncomingInput) { in.ArrivalDate = "2026-03-11" }},
		{"notation", "format", func(in *IncomingInput) { in.Notation = "15 QĐ UBND" }},
		{"type", "unknown", func(in *IncomingInput) { in.Type = "XYZ" }},
		{"due_date", "before_arrival", func(in *IncomingInput) { in.DueDate = "2026-03-01" }},
		{"issuer", "required", func(in *IncomingInput) { in.Issuer = "" }},
		{"issuer_code", "format", func(in *IncomingInput) { in.IssuerCode = "H31" }},
		{"doc_date", "format", func(in *IncomingInput) { in.DocDate = "05/03/2026" }},
		{"urgency", "unknown", func(in *IncomingInput) { in.Urgency = 9 }},
		{"secrecy", "register", func(in *IncomingInput) { in.Secrecy = SecrecyMat }},
		{"attachments", "format", func(in *IncomingInput) { in.Attachments = []Attachment{{SHA256: "../../x", Name: "x"}} }},
	}
	for _, c := range cases {
		_, err := f.s.RegisterIncoming(f.ctx, clerkMat, f.incoming(c.mod))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Reason != c.reason || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s/%s: got %v", c.field, c.reason, err)
		}
	}
	// Broken UTF-8 (a legacy-encoded file name, a bad paste) is refused, not mangled.
	for _, mod := range []func(*IncomingInput){
		func(in *IncomingInput) { in.Subject = "V/v \xff\xfe ng\xe0y" },
		func(in *IncomingInput) { in.Issuer = string([]byte{0xc4}) },
	} {
		_, err := f.s.RegisterIncoming(f.ctx, clerk, f.incoming(mod))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Reason != "encoding" {
			t.Errorf("invalid UTF-8: got %v", err)
		}
	}
	after, _ := f.s.StateDigest(f.ctx)
	if before != after {
		t.Fatal("a refused registration changed the store")
	}
}

func TestPermissionsInTheStore(t *testing.T) {
	f := newFixture(t)
	_, err := f.s.RegisterIncoming(f.ctx, specTN, f.incoming())
	wantErr(t, err, ErrForbidden, "a specialist registers")
	_, err = f.s.RegisterIncoming(f.ctx, chairman, f.incoming())
	wantErr(t, err, ErrForbidden, "a leader registers")
	_, err = f.s.RegisterIncoming(f.ctx, "nobody", f.incoming())
	wantErr(t, err, ErrForbidden, "an unknown person registers")
	// Secret register: only a cleared clerk writes; uncleared people do not see it.
	secret := func(in *IncomingInput) {
		in.RegisterID, in.Secrecy = regInMat, SecrecyMat
		in.Subject = "Về công tác bảo vệ bí mật nhà nước"
	}
	_, err = f.s.RegisterIncoming(f.ctx, clerk, f.incoming(secret))
	wantErr(t, err, ErrForbidden, "an uncleared clerk registers a secret document")
	r, err := f.s.RegisterIncoming(f.ctx, clerkMat, f.incoming(secret))
	f.must(err)
	_, err = f.s.Document(f.ctx, specTN, r.DocID)
	wantErr(t, err, ErrNotFound, "an uncleared specialist reads a secret document")
	_, err = f.s.ListRegister(f.ctx, clerk, regInMat, 0, 10)
	wantErr(t, err, ErrNotFound, "an uncleared clerk lists the secret register")
	regs, err := f.s.Registers(f.ctx, specTN)
	f.must(err)
	for _, rg := range regs {
		if rg.Secret {
			t.Fatal("secret register listed to an uncleared person")
		}
	}
	hits, err := f.s.Search(f.ctx, specTN, Query{Text: "bi mat nha nuoc"})
	f.must(err)
	if len(hits) != 0 {
		t.Fatal("search shows a secret document to an uncleared person")
	}
	hits, err = f.s.Search(f.ctx, headTN, Query{Text: "bi mat nha nuoc"})
	f.must(err)
	if len(hits) != 1 {
		t.Fatalf("a cleared person finds %d", len(hits))
	}
	// Secret documents are directed to cleared people only.
	_, err = f.s.Direct(f.ctx, chairman, Direction{DocID: r.DocID, Assignments: []AssignmentInput{{Kind: "person", Assignee: specTN, Role: "chu_tri"}}})
	wantErr(t, err, ErrInvalid, "assign a secret document to an uncleared person")
	_, err = f.s.Direct(f.ctx, vice, Direction{DocID: r.DocID, Assignments: []AssignmentInput{{Kind: "person", Assignee: headTN, Role: "chu_tri"}}})
	wantErr(t, err, ErrNotFound, "an uncleared leader directs a secret document")
	// Directory and registers.
	wantErr(t, f.s.AddPerson(f.ctx, clerk, PersonInput{ID: "x", Email: "x@x.vn", FullName: "X"}), ErrForbidden, "a clerk adds people")
	wantErr(t, f.s.OpenRegister(f.ctx, specTN, RegisterOpened{ID: "r", Kind: KindIncoming, Year: 2026, Name: "r"}), ErrForbidden, "a specialist opens a register")
	wantErr(t, f.s.CloseRegister(f.ctx, specTN, regIn), ErrForbidden, "a specialist closes a register")
	f.must(f.s.CloseRegister(f.ctx, clerk, regIn))
	_, err = f.s.RegisterIncoming(f.ctx, clerk, f.incoming())
	wantErr(t, err, ErrRegisterClosed, "register into a closed register")
	wantErr(t, f.s.ReopenRegister(f.ctx, clerk, regIn), ErrForbidden, "a clerk reopens")
	f.must(f.s.ReopenRegister(f.ctx, admin, regIn))
	wantErr(t, f.s.ReopenRegister(f.ctx, admin, regIn), ErrTransition, "reopen an open register")
	f.register()
}

func TestDuplicateWarning(t *testing.T) {
	f := newFixture(t)
	first := f.register(func(in *IncomingInput) { in.Notation = "1220/QĐ-UBND"; in.Issuer = "UBND tỉnh Lâm Hà" })
	if len(first.Duplicates) != 0 {
		t.Fatal("first registration warned")
	}
	// Same issuer, số ký hiệu differing in case and marks, same date: warned, still registered.
	again := f.register(func(in *IncomingInput) { in.Notation = "1220/qđ-ubnd"; in.Issuer = "UBND TỈNH LÂM HÀ" })
	if len(again.Duplicates) != 1 || again.Duplicates[0].ID != first.DocID || again.Number != 2 {
		t.Fatalf("duplicate not reported: %+v", again)
	}
	other := f.register(func(in *IncomingInput) {
		in.Notation = "1220/QĐ-UBND"
		in.Issuer = "UBND tỉnh Lâm Hà"
		in.DocDate = "2026-03-04"
	})
	if len(other.Duplicates) != 0 {
		t.Fatal("another date warned")
	}
}

func TestInputIsNormalisedToNFC(t *testing.T) {
	f := newFixture(t)
	nfd := "Quye\u0302\u0301t \u0111i\u0323nh ve\u0302\u0300 thu\u0309y lo\u031b\u0323i" // decomposed, old tone placement
	r := f.register(func(in *IncomingInput) { in.Subject = nfd })
	d, err := f.s.Document(f.ctx, clerk, r.DocID)
	f.must(err)
	if d.Subject != "Quyết định về thủy lợi" { // NFC, tone placement as typed
		t.Fatalf("stored %q", d.Subject)
	}
}
