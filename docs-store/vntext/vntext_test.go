package vntext

import (
	"sort"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Quyết định về đất đai": "quyet dinh ve dat dai",
		"QĐ-UBND":               "qd-ubnd",
		"ĐỒNG THÁP":             "dong thap",
		"Nguyễn Văn Ánh":        "nguyen van anh",
		"hòa hoà HOÀ":           "hoa hoa hoa",
		"Ðà Nẵng":               "da nang", // U+00D0 look-alike
		"Tuấn":                  "tuan",    // â + U+0301, the mixed form of a real edXML sample
		"ưu tiên ấ ệ ự":         "uu tien a e u",
		"627/TTr-STTTT":         "627/ttr-stttt",
		"":                      "",
	}
	for in, want := range cases {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnifyTonePlacement(t *testing.T) {
	pairs := [][2]string{
		{"hòa", "hoà"}, {"Hòa Bình", "Hoà Bình"}, {"thủy", "thuỷ"}, {"khỏe", "khoẻ"},
		{"ủy ban", "uỷ ban"}, {"hóa đơn", "hoá đơn"}, {"Tuấn", "Tuấn"},
	}
	for _, p := range pairs {
		a, b := UnifyTone(p[0]), UnifyTone(p[1])
		if a != b {
			t.Errorf("UnifyTone(%q)=%q, UnifyTone(%q)=%q: want equal", p[0], a, p[1], b)
		}
		if !norm.NFC.IsNormalString(a) {
			t.Errorf("NFC(%q) not in NFC", p[0])
		}
	}
	// Words whose tone is not on an oa/oe/uy ending stay as typed.
	for _, s := range []string{"hoàng", "quyết", "Nguyễn", "thuyền", "người", "của"} {
		if got := UnifyTone(s); got != norm.NFC.String(s) {
			t.Errorf("UnifyTone(%q) = %q, changed a word it should not touch", s, got)
		}
	}
	// A decomposed input (macOS, Unikey "Unicode tổ hợp") arrives precomposed.
	if got := NFC(norm.NFD.String("Quyết định")); got != "Quyết định" {
		t.Errorf("NFD input: got %q", got)
	}
	if got := NFC("Ủy ban"); got != "Ủy ban" {
		t.Errorf("NFC changed the typed tone placement: %q", got)
	}
}

func TestHasMarks(t *testing.T) {
	for s, want := range map[string]bool{"Ánh": true, "anh": false, "ANH": false, "đ": true, "qd-ubnd": false} {
		if HasMarks(s) != want {
			t.Errorf("HasMarks(%q) != %v", s, want)
		}
	}
}

func TestSortKeyVietnameseOrder(t *testing.T) {
	names := []string{"Đặng", "Dương", "Ánh", "Anh", "Ân", "Bình", "Ăn", "Ảnh"}
	sort.Slice(names, func(i, j int) bool { return string(SortKey(names[i])) < string(SortKey(names[j])) })
	// Tones are secondary: Anh < Ảnh < Ánh per CLDR (huyền < hỏi < ngã < sắc < nặng);
	// ă, â and đ are letters of their own.
	want := []string{"Anh", "Ảnh", "Ánh", "Ăn", "Ân", "Bình", "Dương", "Đặng"}
	for i := range want {
		if names[i] != want[i] {
			t.Fatalf("order = %v, want %v", names, want)
		}
	}
}

func FuzzNFCFold(f *testing.F) {
	for _, s := range []string{"Quyết định", "hòa", "thuỷ", "ĐỒNG", "a\u0302\u0301", "\u202e", "oà\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		n := UnifyTone(s)
		if !norm.NFC.IsNormalString(n) {
			t.Fatalf("UnifyTone(%q) = %q not normal", s, n)
		}
		if UnifyTone(n) != n {
			t.Fatalf("UnifyTone not idempotent on %q", s)
		}
		if Fold(n) != Fold(s) {
			t.Fatalf("Fold differs between %q and its NFC", s)
		}
		if Fold(Fold(s)) != Fold(s) {
			t.Fatalf("Fold not idempotent on %q", s)
		}
	})
}
