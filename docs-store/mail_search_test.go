package docstore

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"congvu/docs-store/vntext"

	"golang.org/x/text/unicode/norm"
)

func TestSearchMailFolded(t *testing.T) {
	f, acc := newMailFixture(t)
	in := f.folder(acc.ID, "INBOX")
	at := time.Date(2026, 3, 2, 8, 0, 0, 0, VietnamTime)
	hs := []MailHeader{
		{UID: 1, Subject: "Thông báo họp", From: []MailAddress{{Name: "Nguyễn Văn A", Addr: "nva@hanoi.gov.vn"}}},
		{UID: 2, Subject: "Hồ sơ đất đai phường Ánh Dương"},
		{UID: 3, Subject: "Dat dai: ban tieng Anh khong dau"},
		{UID: 4, Subject: norm.NFD.String("Quy hoạch đất đai 2026"), Attachments: []string{"Bản đồ quy hoạch.pdf"}},
		{UID: 5, Subject: "Lịch công tác", Cc: []MailAddress{{Name: "Phạm Văn Anh", Addr: "pva@hanoi.gov.vn"}}},
		{UID: 6, Subject: "Hòa giải cơ sở", To: []MailAddress{{Name: "Trần Thị Ánh", Addr: "tta@hanoi.gov.vn"}}},
	}
	for i := range hs {
		hs[i].Date, hs[i].InternalDate = at.Add(time.Duration(i)*time.Hour), at
	}
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs))
	uids := func(hits []MailHit) (out []uint32) {
		for _, h := range hits {
			out = append(out, h.UID)
		}
		return out
	}
	search := func(q string, limit int) []MailHit {
		t.Helper()
		hits, err := f.s.SearchMail(f.ctx, q, limit)
		f.must(err)
		return hits
	}
	// Without marks: accent-insensitive, newest first.
	if got := uids(search("nguyen van a", 10)); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("nguyen van a: %v", got)
	}
	if got := uids(search("dat dai", 10)); !slices.Equal(got, []uint32{4, 3, 2}) {
		t.Fatalf("dat dai: %v", got)
	}
	// With marks: the exact ones first, then the rest, each newest first.
	hits := search("đất đai", 10)
	if got := uids(hits); !slices.Equal(got, []uint32{4, 2, 3}) || !hits[0].ExactMarks || hits[2].ExactMarks {
		t.Fatalf("đất đai: %v", got)
	}
	if got := uids(search("Ánh", 10)); !slices.Equal(got, []uint32{6, 2, 5, 3}) {
		t.Fatalf("Ánh: %v", got)
	}
	// Decomposed queries, attachment names, addresses, the folder name.
	hits = search(norm.NFD.String("bản đồ"), 10)
	if got := uids(hits); !slices.Equal(got, []uint32{4}) || hits[0].FolderName != "INBOX" || hits[0].AccountID != acc.ID {
		t.Fatalf("bản đồ: %+v", hits)
	}
	if got := uids(search("pva@hanoi", 10)); !slices.Equal(got, []uint32{5}) {
		t.Fatalf("address: %v", got)
	}
	// The limit stops the walk; the exact pass fills it first.
	if got := uids(search("đất đai", 1)); !slices.Equal(got, []uint32{4}) {
		t.Fatalf("limit 1: %v", got)
	}
	if got := uids(search("đất đai", 2)); !slices.Equal(got, []uint32{4, 2}) {
		t.Fatalf("limit 2: %v", got)
	}
	if _, err := f.s.SearchMail(f.ctx, " ,; ", 10); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty query: %v", err)
	}
	if hits := search("khongcogi", 10); hits == nil || len(hits) != 0 {
		t.Fatalf("no match: %v", hits)
	}
	// The body joins the index when it arrives, capped at 64 KB.
	blob, _ := f.s.Blobs().Put(strings.NewReader("raw"))
	long := "Kính gửi các phòng ban. " + strings.Repeat("nội dung dài ", 10000) + " từcuốicùng"
	f.must(f.s.PutMailBodies(f.ctx, in.ID, []MailBody{{UID: 1, State: BodyPresent, Blob: blob, Text: long}}))
	if got := uids(search("kinh gui phong ban", 10)); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("body: %v", got)
	}
	if got := uids(search("nguyen van a", 10)); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("headers after the body: %v", got)
	}
	if got := uids(search("tucuoicung", 10)); len(got) != 0 {
		t.Fatalf("text past 64 KB indexed: %v", got)
	}
	if m, _ := f.s.MailByUID(f.ctx, in.ID, 1); !strings.HasSuffix(m.Text, "từcuốicùng") || len([]rune(m.Preview)) > 200 {
		t.Fatalf("stored text cut, or preview %d runes", len([]rune(m.Preview)))
	}
}

func TestMailAddressesCompletion(t *testing.T) {
	f, acc := newMailFixture(t)
	in := f.folder(acc.ID, "INBOX")
	var hs []MailHeader
	add := func(n int, a MailAddress) {
		for i := 0; i < n; i++ {
			hs = append(hs, MailHeader{UID: uint32(len(hs) + 1), Subject: "x", From: []MailAddress{a},
				To: []MailAddress{{Addr: "chuyenvien@sotnmt.hanoi.gov.vn"}}})
		}
	}
	add(3, MailAddress{Name: "Nguyễn Văn An", Addr: "nvan@hanoi.gov.vn"})
	add(5, MailAddress{Name: "Ngô Thị Ngọc", Addr: "ntngoc@hanoi.gov.vn"})
	add(1, MailAddress{Name: "Đặng Văn Nguyên", Addr: "dvnguyen@hanoi.gov.vn"})
	add(2, MailAddress{Addr: "VanThu_So@hanoi.gov.vn"})
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs[:6]))
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs[6:]))
	f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs)) // cached already: not counted again
	complete := func(p string) (out []string) {
		t.Helper()
		as, err := f.s.MailAddresses(f.ctx, p, 10)
		f.must(err)
		for _, a := range as {
			out = append(out, a.Addr)
		}
		return out
	}
	if got := complete("ng"); !slices.Equal(got, []string{"ntngoc@hanoi.gov.vn", "nvan@hanoi.gov.vn", "dvnguyen@hanoi.gov.vn"}) {
		t.Fatalf("ng: %v", got)
	}
	if got := complete("NGUYÊN"); !slices.Equal(got, []string{"nvan@hanoi.gov.vn", "dvnguyen@hanoi.gov.vn"}) {
		t.Fatalf("NGUYÊN: %v", got)
	}
	if got := complete("dang"); !slices.Equal(got, []string{"dvnguyen@hanoi.gov.vn"}) {
		t.Fatalf("dang: %v", got)
	}
	if got := complete("văn a"); !slices.Equal(got, []string{"nvan@hanoi.gov.vn"}) {
		t.Fatalf("văn a: %v", got)
	}
	if got := complete("vanthu_"); !slices.Equal(got, []string{"VanThu_So@hanoi.gov.vn"}) {
		t.Fatalf("vanthu_: %v", got)
	}
	if got := complete("chuyenvien@"); !slices.Equal(got, []string{"chuyenvien@sotnmt.hanoi.gov.vn"}) {
		t.Fatalf("address prefix: %v", got)
	}
	if got := complete("%"); len(got) != 0 {
		t.Fatalf("%%: %v", got)
	}
	as, _ := f.s.MailAddresses(f.ctx, "ngo", 1)
	if len(as) != 1 || as[0] != (MailAddress{Name: "Ngô Thị Ngọc", Addr: "ntngoc@hanoi.gov.vn"}) {
		t.Fatalf("ngo: %+v", as)
	}
	var n int
	f.must(f.s.r.QueryRow(`SELECT n FROM mail_addresses WHERE addr_key = 'chuyenvien@sotnmt.hanoi.gov.vn'`).Scan(&n))
	if n != len(hs) {
		t.Fatalf("count %d, want %d", n, len(hs))
	}
}

// The word-at-a-time exact form is vntext.Lower's.
func TestMailLowerMemo(t *testing.T) {
	var m lowerMemo
	for _, s := range []string{
		"", "Thực hiện Kế hoạch số 15/KH-UBND", "HÒA GIẢI  ở cơ sở\n\tkhỏe, THỦY lợi; Ủy ban",
		norm.NFD.String("Hòa bình, Quyết định 12/QĐ-UBND"), "a \u0301b  \u2029 c\u0301", "Ðặng ĐÀO  ", mailBodyText,
	} {
		for i := 0; i < 2; i++ {
			if got, want := m.of(s), vntext.Lower(s); got != want {
				t.Fatalf("%q: %q, want %q", s, got, want)
			}
		}
	}
}
