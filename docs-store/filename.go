package docstore

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxFileNameBytes is the longest name SafeFileName returns (most file
// systems allow 255 bytes; the rest is room for " (2)" and the like).
const MaxFileNameBytes = 200

// defaultFileName stands in for a name that has nothing usable left.
const defaultFileName = "tệp"

// SafeFileName turns a stored file name (metadata that came from outside:
// an e-mail, a colleague, a scanner) into a name that is safe to suggest in
// a save dialog on Windows, macOS and Linux:
//
//   - a leading path ("../../", "/", "C:\…\" is kept as C_) is dropped and
//     any remaining / or \ becomes _, as do the characters Windows forbids
//     (< > : " | ? *), so "1220/QĐ-UBND.pdf" becomes "1220_QĐ-UBND.pdf";
//   - control and invisible formatting characters are removed, among them
//     the bidi overrides (U+202E) that disguise "fdp.exe" as "exe.pdf";
//   - spaces at either end and dots at the end are trimmed (Windows drops
//     them); a leading dot would hide the file, so ".pdf" becomes "tệp.pdf";
//   - a Windows device name (CON, NUL, COM1, LPT1, …, also as "con.txt")
//     gets a "_" in front;
//   - the result is NFC, valid UTF-8, never empty and at most
//     MaxFileNameBytes bytes, cut in the name and not in the extension.
func SafeFileName(name string) string {
	s := name
	for range 4 { // one pass is a fixed point in practice; NFC could in theory undo a step
		next := safeNamePass(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

func safeNamePass(name string) string {
	s := norm.NFC.String(strings.ToValidUTF8(name, "_"))
	s = stripLeadingPath(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' || r == '\\' || strings.ContainsRune(`<>:"|?*`, r):
			b.WriteByte('_')
		case unicode.IsSpace(r): // tabs, new lines, no-break spaces
			b.WriteByte(' ')
		case r == utf8.RuneError, unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r),
			unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r), unicode.Is(unicode.Co, r),
			unicode.Is(unicode.Noncharacter_Code_Point, r):
			// dropped: invisible, or not a character at all
		default:
			b.WriteRune(r)
		}
	}
	s = strings.TrimRight(strings.TrimLeft(b.String(), " "), " .")
	if s == "" {
		return defaultFileName
	}
	if s[0] == '.' { // ".pdf", ".bashrc": not hidden, and named
		s = defaultFileName + s
	}
	stem, ext := splitExt(s)
	if reservedDevice(stem) {
		stem = "_" + stem
	}
	if len(stem)+len(ext) > MaxFileNameBytes {
		stem = cutUTF8(stem, MaxFileNameBytes-len(ext))
		stem = strings.TrimRight(stem, " .")
		if stem == "" {
			stem = defaultFileName
		}
	}
	return norm.NFC.String(stem + ext)
}

// stripLeadingPath drops what makes a name a path rather than a name:
// leading separators and "./" or "../" steps.
func stripLeadingPath(s string) string {
	for {
		switch {
		case strings.HasPrefix(s, "/") || strings.HasPrefix(s, `\`):
			s = s[1:]
		case strings.HasPrefix(s, "./") || strings.HasPrefix(s, `.\`):
			s = s[2:]
		case strings.HasPrefix(s, "../") || strings.HasPrefix(s, `..\`):
			s = s[3:]
		default:
			return s
		}
	}
}

// splitExt splits "báo cáo.pdf" into "báo cáo" and ".pdf"; a "extension"
// longer than 16 bytes or with a space in it is part of the name.
func splitExt(s string) (string, string) {
	i := strings.LastIndexByte(s, '.')
	if i < 0 || len(s)-i > 16 || strings.ContainsRune(s[i:], ' ') {
		return s, ""
	}
	return s[:i], s[i:]
}

// reservedDevice: Windows opens a device, not a file, for these names, with
// any extension ("nul.txt" too) and whatever the case.
func reservedDevice(stem string) bool {
	base, _, _ := strings.Cut(stem, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) >= 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// cutUTF8 shortens s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
