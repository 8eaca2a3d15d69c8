package docstore

import (
	"errors"
	"strings"
	"testing"
)

// The administrator keeps the exchange directory; nobody else may, and the
// store refuses a clerk whatever the window shows.
func TestExchangeAgenciesAdminOnly(t *testing.T) {
	f := newFixture(t)
	na := ExchangeAgency{OrganID: "000.00.00.h41", Name: "Ủy ban nhân dân tỉnh Nghệ An", Email: "vanthu@nghean.gov.vn"}
	f.must(f.s.SetExchangeAgency(f.ctx, admin, na))
	wantErr(t, f.s.SetExchangeAgency(f.ctx, clerk, ExchangeAgency{OrganID: "000.00.00.G22", Name: "VPCP", Email: "vt@chinhphu.vn"}), ErrForbidden, "a clerk sets an agency")
	wantErr(t, f.s.SetExchangeAgency(f.ctx, admin, ExchangeAgency{OrganID: "H41", Name: "x", Email: "a@b.vn"}), ErrInvalid, "a bad mã định danh")
	wantErr(t, f.s.SetExchangeAgency(f.ctx, admin, ExchangeAgency{OrganID: "000.00.00.G22", Name: "VPCP", Email: "không phải thư"}), ErrInvalid, "a bad address")
	got, err := f.s.ExchangeAgencyByID(f.ctx, "000.00.00.H41")
	if err != nil || got.Name != na.Name || got.Email != na.Email {
		t.Fatalf("got %+v %v", got, err)
	}
	f.must(f.s.SetExchangeAgency(f.ctx, admin, ExchangeAgency{OrganID: "000.00.00.H41", Removed: true}))
	if _, err := f.s.ExchangeAgencyByID(f.ctx, "000.00.00.H41"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed agency: %v", err)
	}
}

// A list as the province hands it out (semicolons, headings, a BOM) is
// taken whole; one bad line takes nothing and says which.
func TestImportExchangeAgencies(t *testing.T) {
	f := newFixture(t)
	list := "\uFEFFMã định danh;Tên cơ quan;Thư điện tử\n" +
		"000.00.00.H41;Ủy ban nhân dân tỉnh Nghệ An;vanthu@nghean.gov.vn\n" +
		"000.00.12.H41;\"Sở Tài chính; tỉnh Nghệ An\";stc@nghean.gov.vn\n" +
		"000.00.00.G22;Văn phòng Chính phủ;vanthu@chinhphu.vn\n"
	n, err := f.s.ImportExchangeAgencies(f.ctx, admin, strings.NewReader(list))
	if err != nil || n != 3 {
		t.Fatalf("import: %d %v", n, err)
	}
	as, err := f.s.ExchangeAgencies(f.ctx)
	if err != nil || len(as) != 3 || as[0].Name != "Sở Tài chính; tỉnh Nghệ An" || as[2].Name != "Văn phòng Chính phủ" {
		t.Fatalf("list (Vietnamese order): %+v %v", as, err)
	}
	bad := "000.00.00.H14,UBND tỉnh Cao Bằng,vanthu@caobang.gov.vn\n000.00.00.H15,,vanthu@x.vn\n"
	_, err = f.s.ImportExchangeAgencies(f.ctx, admin, strings.NewReader(bad))
	var ie *ImportError
	if !errors.As(err, &ie) || ie.Line != 2 || !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad list: %v", err)
	}
	if as, _ := f.s.ExchangeAgencies(f.ctx); len(as) != 3 {
		t.Fatalf("a bad list changed the directory: %d agencies", len(as))
	}
	_, err = f.s.ImportExchangeAgencies(f.ctx, clerk, strings.NewReader(list))
	wantErr(t, err, ErrForbidden, "a clerk imports")
}
