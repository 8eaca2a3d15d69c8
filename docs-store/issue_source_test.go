package docstore

import "testing"

// An outgoing document is issued electronically (the default, and what
// events from before the choice existed mean) or on paper; anything else
// is refused and nothing is numbered.
func TestIssueOnPaperOrElectronically(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct {
		source, want Source
	}{{"", SourceElectronic}, {SourcePaper, SourcePaper}, {SourceElectronic, SourceElectronic}} {
		id := f.signedDraft("CV", specTN)
		is, err := f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: regOut, Recipients: "Như trên", Copies: 2, Source: c.source})
		f.must(err)
		d, err := f.s.Document(f.ctx, clerk, is.DocID)
		f.must(err)
		if d.Source != c.want {
			t.Errorf("issued with %q: stored %q, want %q", c.source, d.Source, c.want)
		}
	}
	id := f.signedDraft("CV", specTN)
	before := f.numbers(clerk, regOut)
	if _, err := f.s.IssueDraft(f.ctx, clerk, Issue{DraftID: id, RegisterID: regOut, Recipients: "x", Copies: 1, Source: SourceEmail}); err == nil {
		t.Fatal("issued 'by e-mail'")
	}
	if after := f.numbers(clerk, regOut); len(after) != len(before) {
		t.Fatal("a refused issue took a number")
	}
}
