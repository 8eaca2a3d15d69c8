package docstore

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestSafeFileName(t *testing.T) {
	long := strings.Repeat("đ", 300) // 600 bytes
	for _, c := range []struct{ in, want string }{
		{"Công văn 1220.pdf", "Công văn 1220.pdf"},
		{"../../x", "x"},
		{`..\..\Windows\win.ini`, "Windows_win.ini"},
		{"/etc/passwd", "etc_passwd"},
		{"1220/QĐ-UBND.pdf", "1220_QĐ-UBND.pdf"},
		{`C:\Users\a\scan.pdf`, "C__Users_a_scan.pdf"},
		{"CON", "_CON"},
		{"con.txt", "_con.txt"},
		{"Nul.tar.gz", "_Nul.tar.gz"},
		{"COM1", "_COM1"},
		{"lpt9.doc", "_lpt9.doc"},
		{"COM10.txt", "COM10.txt"},
		{"CONTRACT.pdf", "CONTRACT.pdf"},
		{"tài liệu\u202efdp.exe", "tài liệufdp.exe"},
		{"\u2067bảng\u2069 lương.xlsx", "bảng lương.xlsx"},
		{"a\x00b\nc\td.txt", "ab c d.txt"},
		{"", "tệp"},
		{"   ", "tệp"},
		{"..", "tệp"},
		{".pdf", "tệp.pdf"},
		{"báo cáo. . .", "báo cáo"},
		{"a<b>c:d\"e|f?g*h.txt", "a_b_c_d_e_f_g_h.txt"},
		{"ba\u0300o ca\u0301o.pdf", "bào cáo.pdf"}, // NFD (macOS) in, NFC out
		{"bad\xff\xfeutf8.txt", "bad_utf8.txt"},
	} {
		if got := SafeFileName(c.in); got != c.want {
			t.Errorf("SafeFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}

	// 300 characters: cut to 200 bytes in the name, the extension kept, no
	// character split.
	got := SafeFileName(long + ".pdf")
	if len(got) > MaxFileNameBytes || !strings.HasSuffix(got, ".pdf") || !utf8.ValidString(got) {
		t.Fatalf("long name: %d bytes, %q", len(got), got)
	}
	if want := strings.Repeat("đ", 98) + ".pdf"; got != want {
		t.Fatalf("long name = %q, want %q", got, want)
	}
	if got := SafeFileName(strings.Repeat("x", 300)); got != strings.Repeat("x", 200) {
		t.Fatalf("long name without extension: %d bytes", len(got))
	}
	// An "extension" that is really a sentence is part of the name.
	if got := SafeFileName("Quyết định. " + long); len(got) > MaxFileNameBytes || !strings.HasPrefix(got, "Quyết định. đ") {
		t.Fatalf("long tail: %q", got)
	}
}

// checkSafeName is what every output of SafeFileName must be.
func checkSafeName(t *testing.T, in, out string) {
	t.Helper()
	switch {
	case out == "":
		t.Fatalf("SafeFileName(%q) is empty", in)
	case len(out) > MaxFileNameBytes:
		t.Fatalf("SafeFileName(%q) is %d bytes", in, len(out))
	case !utf8.ValidString(out):
		t.Fatalf("SafeFileName(%q) = %q is not UTF-8", in, out)
	case !norm.NFC.IsNormalString(out):
		t.Fatalf("SafeFileName(%q) = %q is not NFC", in, out)
	case strings.ContainsAny(out, `/\`):
		t.Fatalf("SafeFileName(%q) = %q has a separator", in, out)
	case out == "." || out == ".." || strings.HasPrefix(out, ".") || strings.HasSuffix(out, ".") || strings.HasSuffix(out, " "):
		t.Fatalf("SafeFileName(%q) = %q has a dot or space at an end", in, out)
	case reservedDevice(out): // looks at the part before the first dot
		t.Fatalf("SafeFileName(%q) = %q is a Windows device name", in, out)
	}
	for _, r := range out {
		if unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Bidi_Control) || r == utf8.RuneError {
			t.Fatalf("SafeFileName(%q) = %q has control or bidi character %U", in, out, r)
		}
	}
	if again := SafeFileName(out); again != out {
		t.Fatalf("SafeFileName is not idempotent: %q → %q → %q", in, out, again)
	}
}

func FuzzSafeFileName(f *testing.F) {
	for _, s := range []string{"../../x", "CON", "con.txt", strings.Repeat("ệ", 300) + ".docx", "tài liệu\u202efdp.exe", "",
		"ba\u0300o ca\u0301o.pdf", ".", "..", "...", `\\server\share\a.pdf`, "a/b\\c", "COM¹.txt", "\u037e", "\u212aON", "\xff",
		"e\u200b\u0301", strings.Repeat("a", 199) + "\u0301", strings.Repeat("a", 190) + ".\u0301\u0301\u0301\u0301\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafeName(t, in, SafeFileName(in))
	})
}
