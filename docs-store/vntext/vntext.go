// Package vntext holds the Vietnamese text rules shared by the document store
// and (later) the mail cache: NFC at input boundaries, one tone placement,
// accent-folding for search and collation keys for sorting names.
//
// Why a package of its own: search over mail and over documents must fold
// exactly alike, or a query finds a document but not the e-mail it came in.
package vntext

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Combining tone marks of Vietnamese (NFD form). The vowel-quality marks
// (breve U+0306, circumflex U+0302, horn U+031B) are not tones.
const (
	grave     = '\u0300' // huyền
	acute     = '\u0301' // sắc
	tilde     = '\u0303' // ngã
	hookAbove = '\u0309' // hỏi
	dotBelow  = '\u0323' // nặng
)

func isTone(r rune) bool {
	switch r {
	case grave, acute, tilde, hookAbove, dotBelow:
		return true
	}
	return false
}

// NFC returns s in Unicode NFC: decomposed input (macOS, Unikey "Unicode
// tổ hợp") and mixed forms such as "â" + U+0301 (seen in real edXML) come
// out precomposed. It is what every input boundary calls; the text keeps
// the tone placement the user typed (Ủy ban stays Ủy ban).
func NFC(s string) string { return norm.NFC.String(s) }

// UnifyTone returns s in NFC with the tone of the "oa", "oe", "uy" endings
// placed one way (hoà, khoẻ, thuỷ — on the last vowel), so that the old
// placement (hòa, khỏe, thủy) and the new compare equal. It is for search
// keys and duplicate checks, not for stored text.
func UnifyTone(s string) string {
	if s == "" || (!oldPlacement(s) && norm.NFC.IsNormalString(s)) {
		return s
	}
	d := norm.NFD.String(s)
	if !strings.ContainsAny(d, "\u0300\u0301\u0303\u0309\u0323") {
		return norm.NFC.String(d)
	}
	var b strings.Builder
	b.Grow(len(d))
	word := make([]rune, 0, 16)
	flush := func() {
		if len(word) > 0 {
			b.WriteString(string(unifyTone(word)))
			word = word[:0]
		}
	}
	for _, r := range d {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			word = append(word, r)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return norm.NFC.String(b.String())
}

// oldPlacement reports whether s may hold a tone on the o/u of an oa, oe,
// uy ending (hòa, khỏe, thủy): only then is there anything to move.
func oldPlacement(s string) bool {
	prevToned := false
	for _, r := range s {
		if prevToned {
			switch r {
			case 'a', 'e', 'y', 'A', 'E', 'Y':
				return true
			}
		}
		prevToned = strings.ContainsRune("òóỏõọùúủũụÒÓỎÕỌÙÚỦŨỤ", r)
	}
	return false
}

// unifyTone moves the tone of a word ending in oa/oe/uy (nothing after) onto
// the last vowel. w is NFD runes of one word; other words are returned as is.
func unifyTone(w []rune) []rune {
	toneAt, tone := -1, rune(0)
	bases := make([]rune, 0, len(w)) // letters without any mark, lower case
	for i, r := range w {
		if isTone(r) {
			if toneAt >= 0 { // two tones: not a Vietnamese syllable, leave it
				return w
			}
			toneAt, tone = i, r
			continue
		}
		if !unicode.Is(unicode.Mn, r) {
			bases = append(bases, unicode.ToLower(r))
		}
	}
	if toneAt < 0 || len(bases) < 2 {
		return w
	}
	end := string(bases[len(bases)-2:])
	if end != "oa" && end != "oe" && end != "uy" {
		return w
	}
	// Vowel-quality marks between the last two letters (e.g. "ưa" has a horn)
	// mean a different rhyme; only plain o/u + a/e/y qualify.
	out := make([]rune, 0, len(w))
	for i, r := range w {
		if i != toneAt {
			out = append(out, r)
		}
	}
	// Last base letter in out: find index, then put the tone right after it
	// and after any vowel-quality marks attached to it.
	last := -1
	for i := len(out) - 1; i >= 0; i-- {
		if !unicode.Is(unicode.Mn, out[i]) {
			last = i
			break
		}
	}
	prev := -1
	for i := last - 1; i >= 0; i-- {
		if !unicode.Is(unicode.Mn, out[i]) {
			prev = i
			break
		}
	}
	if last-prev != 1 || len(out)-1 != last { // the o/u or the a/e/y carries a quality mark
		return w
	}
	out = append(out, tone)
	return out
}

// Fold gives the search form of s: NFC, marks removed, đ→d (đ has no
// decomposition, so NFD alone keeps it; FTS5's remove_diacritics keeps it
// too), look-alike Ð/Ɖ→d, lower case.
//
// Folding is per character (a precomposed letter decomposes on its own and
// combining marks are dropped), so a table covers the Latin blocks and only
// other scripts take the slow path; indexing folds every document.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	table := foldTable()
	for _, r := range s {
		switch {
		case r < 0x80:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r < foldTableSize:
			b.WriteString(table[r])
		default:
			b.WriteString(foldRune(r))
		}
	}
	return b.String()
}

// foldTableSize covers Latin-1, Latin Extended-A/B, the combining marks and
// Latin Extended Additional (ạ…ỹ) — every letter of Vietnamese.
const foldTableSize = 0x1F00

// foldTable is built at first use, not at start: a process that never
// folds (congvu version, a no-change sync) should not pay its 5 ms.
var foldTable = sync.OnceValue(func() []string {
	t := make([]string, foldTableSize)
	for r := rune(0); r < foldTableSize; r++ {
		t[r] = foldRune(r)
	}
	return t
})

func foldRune(r rune) string {
	switch r {
	case 'đ', 'Đ', 'Ð', 'Ɖ', 'ɖ', 'ð':
		return "d"
	}
	var b strings.Builder
	for _, c := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, c) {
			continue
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// Lower gives the exact-marks search form: NFC with unified tone placement,
// lower case. A query typed with marks is matched against this form first.
func Lower(s string) string {
	return strings.ToLower(UnifyTone(s))
}

// HasMarks reports whether s carries any Vietnamese mark or đ, i.e. whether
// the user typed with marks and expects exact-mark matches first.
func HasMarks(s string) bool {
	return Fold(s) != strings.ToLower(norm.NFC.String(s))
}

var (
	collMu sync.Mutex
	coll   *collate.Collator // made at first use
	buf    collate.Buffer
)

// SortKey returns a byte key whose byte order is Vietnamese collation order
// (a ă â b c d đ e ê …; tones as a secondary difference), to store beside a
// name so SQL can ORDER BY it with an index.
func SortKey(s string) []byte {
	collMu.Lock()
	defer collMu.Unlock()
	if coll == nil {
		coll = collate.New(language.Vietnamese)
	}
	k := coll.KeyFromString(&buf, NFC(s))
	out := make([]byte, len(k))
	copy(out, k)
	buf.Reset()
	return out
}
