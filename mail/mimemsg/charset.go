package mimemsg

import (
	"encoding/base64"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// extraCharsets are labels x/text does not resolve (or resolves in a way
// that is wrong for mail), registered with go-message's charset package
// too so any code that goes through go-message sees the same set.
var extraCharsets = map[string]encoding.Encoding{
	// Vietnamese Windows code page; x/text has it but only under
	// "windows-1258" in the IANA index.
	"windows-1258": charmap.Windows1258,
	"cp1258":       charmap.Windows1258,
	"x-cp1258":     charmap.Windows1258,
	"cp-1258":      charmap.Windows1258,
	"win-1258":     charmap.Windows1258,
	"windows1258":  charmap.Windows1258,
	// VISCII (RFC 1456), not in x/text at all; see viscii.go.
	"viscii":      VISCII,
	"csviscii":    VISCII,
	"viscii1.1-1": VISCII,
	"viscii1.1":   VISCII,
	"x-viscii":    VISCII,
	// RFC 2781: UTF-16 without a BOM is big-endian in MIME. htmlindex
	// would say little-endian (the web's habit).
	"utf-16": unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
	// The two quirks of go-message's own table, kept so that nothing
	// go-message reads is lost by going through lookupCharset instead.
	"ansi_x3.110-1983": charmap.ISO8859_1,
	"x-utf_8j":         unicode.UTF8,
}

func init() {
	for name, enc := range extraCharsets {
		charset.RegisterEncoding(name, enc)
	}
}

// Kinds of charset labels.
const (
	csUTF8    = iota // UTF-8, US-ASCII or no label: bytes are taken as UTF-8 when valid
	csKnown          // a charset with a decoder
	csUnknown        // a label nobody knows ("x-unknown", misspellings)
)

// asciiLabels are the names of US-ASCII. A part labelled ASCII with 8-bit
// bytes in it is common (mislabelled UTF-8 or windows-125x); treating it
// like an unlabelled part keeps the text.
var asciiLabels = map[string]bool{
	"us-ascii": true, "ascii": true, "ansi_x3.4-1968": true, "iso646-us": true,
	"us": true, "iso-ir-6": true, "cp367": true, "ibm367": true, "csascii": true,
	"ansi_x3.4-1986": true, "iso_646.irv:1991": true, "default": true,
}

// normLabel lower-cases a charset label and drops what surrounds it in
// the wild: quotes, spaces and the RFC 2231 language suffix ("utf-8*vi").
func normLabel(label string) string {
	label = strings.TrimSpace(label)
	label = strings.Trim(label, "\"' ")
	if i := strings.IndexByte(label, '*'); i >= 0 {
		label = label[:i]
	}
	return strings.ToLower(strings.TrimSpace(label))
}

// lookupCharset resolves a MIME charset label. Order: our table (the
// Vietnamese charsets), the UTF-8/ASCII family, the WHATWG index (the
// names real mail uses: "utf8", "gb2312" as GBK, "ks_c_5601-1987", latin1
// as windows-1252), then the IANA MIME index and its "cs" aliases —
// together everything go-message's charset package knows.
func lookupCharset(label string) (encoding.Encoding, int) {
	l := normLabel(label)
	if l == "" || asciiLabels[l] {
		return nil, csUTF8
	}
	if enc, ok := extraCharsets[l]; ok {
		if enc == unicode.UTF8 {
			return nil, csUTF8
		}
		return enc, csKnown
	}
	if enc, err := htmlindex.Get(l); err == nil && enc != nil {
		if enc == unicode.UTF8 {
			return nil, csUTF8
		}
		return enc, csKnown
	}
	for _, name := range []string{l, "cs" + l} {
		if enc, err := ianaindex.MIME.Encoding(name); err == nil && enc != nil {
			if enc == unicode.UTF8 {
				return nil, csUTF8
			}
			return enc, csKnown
		}
	}
	return nil, csUnknown
}

// CharsetReader returns a reader that converts input from the named
// charset to UTF-8. It knows every charset go-message's charset package
// knows plus windows-1258 (also as cp1258, x-cp1258) and VISCII.
//
// It never fails: for UTF-8, ASCII, an empty or an unknown label it
// passes valid UTF-8 through and reads each invalid byte as windows-1252,
// because for a header in the IMAP ENVELOPE (its main user, through
// WordDecoder) a best-effort string beats none.
func CharsetReader(charset string, input io.Reader) (io.Reader, error) {
	enc, kind := lookupCharset(charset)
	if kind == csKnown {
		return enc.NewDecoder().Reader(input), nil
	}
	return transform.NewReader(input, fallbackTransformer{}), nil
}

// WordDecoder decodes RFC 2047 encoded-words with CharsetReader. The IMAP
// client uses it for ENVELOPE; DecodeHeader is the more forgiving decoder
// used by Parse.
var WordDecoder = &mime.WordDecoder{CharsetReader: CharsetReader}

// fallbackTransformer passes valid UTF-8 through and maps each byte that
// is not part of a valid sequence through windows-1252.
type fallbackTransformer struct{ transform.NopResetter }

func (fallbackTransformer) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		if !atEOF && !utf8.FullRune(src[nSrc:]) {
			return nDst, nSrc, transform.ErrShortSrc
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size == 1 {
			r = charmap.Windows1252.DecodeByte(c)
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += size
	}
	return nDst, nSrc, nil
}

// looksWindows1258 reports whether 8-bit text of unknown charset is more
// likely windows-1258 than windows-1252. The two differ only where 1258
// has the Vietnamese letters (Ă ă Đ đ Ơ ơ Ư ư) and the combining tone
// marks; in Vietnamese text those bytes are everywhere, in Western text
// they are rare letters (ã, õ, ð, þ…). This is a Vietnamese application,
// so one such byte tips the balance.
func looksWindows1258(b []byte) bool {
	for i, c := range b {
		switch c {
		case 0xC3, 0xD0, 0xD5, 0xDD, 0xE3, 0xF0, 0xF5, 0xFD: // Ă Đ Ơ Ư ă đ ơ ư
			return true
		case 0xCC, 0xD2, 0xDE, 0xEC, 0xF2: // combining grave, hook, tilde, acute, dot below
			if i > 0 && isLetterByte(b[i-1]) {
				return true
			}
		}
	}
	return false
}

func isLetterByte(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c >= 0xC0
}

// fallbackDecode turns bytes of unknown charset into UTF-8: valid UTF-8
// sequences are kept (RFC 6532 headers, mislabelled UTF-8 bodies), every
// other byte is read as windows-1258 or windows-1252 (looksWindows1258).
func fallbackDecode(b []byte) string {
	cm := charmap.Windows1252
	if looksWindows1258(b) {
		cm = charmap.Windows1258
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/4)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			sb.WriteByte(c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(cm.DecodeByte(c))
			i++
			continue
		}
		sb.WriteRune(r)
		i += size
	}
	return sb.String()
}

// decodeCharset converts b from the labelled charset to UTF-8. It never
// fails; problem is a short note when something was off ("" otherwise).
func decodeCharset(label string, b []byte) (s string, problem string) {
	enc, kind := lookupCharset(label)
	switch kind {
	case csKnown:
		out, err := enc.NewDecoder().Bytes(b)
		if err == nil {
			return string(out), ""
		}
		return fallbackDecode(b), "charset " + quoteLabel(label) + " could not decode the text"
	case csUnknown:
		problem = "unknown charset " + quoteLabel(label)
	}
	if utf8.Valid(b) {
		return string(b), problem
	}
	if problem == "" {
		if normLabel(label) == "" {
			problem = "8-bit text without a charset"
		} else {
			problem = "invalid bytes in text labelled " + quoteLabel(label)
		}
	}
	return fallbackDecode(b), problem
}

func quoteLabel(label string) string {
	if len(label) > 40 {
		label = label[:40]
	}
	return `"` + strings.ToValidUTF8(label, "?") + `"`
}

// decodeRaw makes a raw header value (any bytes) valid UTF-8 text: bytes
// that are valid UTF-8 are kept (RFC 6532), others are read as the
// Vietnamese or Western Windows code page.
func decodeRaw(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return fallbackDecode([]byte(s))
}

// DecodeHeader decodes the RFC 2047 encoded-words in a header value (any
// charset CharsetReader knows) and returns NFC text. It never fails and
// is more forgiving than mime.WordDecoder:
//   - adjacent encoded-words in one charset are joined before decoding, so
//     a UTF-8 character cut between two words (a common encoder bug)
//     comes out whole;
//   - words glued to text ("Re:=?utf-8?…?="), with spaces inside, with
//     bad base64 padding or an unknown charset are decoded as well as
//     possible; a malformed word is left as it is;
//   - raw 8-bit bytes are kept when they are UTF-8 (RFC 6532) and read as
//     windows-1258/1252 otherwise.
func DecodeHeader(s string) string {
	if !strings.Contains(s, "=?") {
		return nfc(decodeRaw(s))
	}
	var out strings.Builder
	var pend []byte
	pendCS, pending := "", false
	flush := func() {
		if pending {
			text, _ := decodeCharset(pendCS, pend)
			out.WriteString(text)
			pend, pending = pend[:0], false
		}
	}
	lastWord := false
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			flush()
			out.WriteString(decodeRaw(s[i:]))
			break
		}
		gap := s[i : i+j]
		cs, enc, text, end, ok := parseEncodedWord(s, i+j)
		if !ok {
			flush()
			out.WriteString(decodeRaw(s[i : i+j+2]))
			i += j + 2
			lastWord = false
			continue
		}
		if !(lastWord && strings.Trim(gap, " \t\r\n") == "") {
			flush()
			out.WriteString(decodeRaw(gap))
		}
		if pending && !strings.EqualFold(normLabel(cs), normLabel(pendCS)) {
			flush()
		}
		if !pending {
			pendCS, pending = cs, true
		}
		pend = appendWordText(pend, enc, text)
		i = end
		lastWord = true
	}
	flush()
	return nfc(out.String())
}

// parseEncodedWord parses "=?charset?X?text?=" at s[at:]. It allows
// what broken encoders produce (spaces in the text, lower-case X) but
// not a line break or an overlong word.
func parseEncodedWord(s string, at int) (cs string, enc byte, text string, end int, ok bool) {
	// Searches are bounded so that a long value full of "=?" stays linear.
	p := at + 2
	q := strings.IndexByte(s[p:min(len(s), p+76)], '?')
	if q <= 0 {
		return
	}
	cs = s[p : p+q]
	if strings.ContainsAny(cs, " \t\r\n\"=") {
		return
	}
	p += q + 1
	if p+2 > len(s) || s[p+1] != '?' {
		return
	}
	switch s[p] {
	case 'B', 'b':
		enc = 'B'
	case 'Q', 'q':
		enc = 'Q'
	default:
		return
	}
	p += 2
	e := strings.Index(s[p:min(len(s), p+2002)], "?=")
	if e < 0 {
		return
	}
	text = s[p : p+e]
	if strings.ContainsAny(text, "\r\n?") {
		return
	}
	return cs, enc, text, p + e + 2, true
}

// appendWordText appends the bytes an encoded-word's text stands for.
func appendWordText(dst []byte, enc byte, text string) []byte {
	if enc == 'Q' {
		for i := 0; i < len(text); i++ {
			c := text[i]
			switch {
			case c == '_':
				dst = append(dst, ' ')
			case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
				dst = append(dst, unhex(text[i+1])<<4|unhex(text[i+2]))
				i += 2
			default:
				dst = append(dst, c)
			}
		}
		return dst
	}
	// B: keep the alphabet only (folding spaces, stray padding), then
	// decode without padding; a lone trailing character carries no byte.
	buf := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		if b64Value[text[i]] < 64 {
			buf = append(buf, text[i])
		}
	}
	if len(buf)%4 == 1 {
		buf = buf[:len(buf)-1]
	}
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(buf)))
	n, _ := base64.RawStdEncoding.Decode(out, buf)
	return append(dst, out[:n]...)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c|0x20 >= 'a' && c|0x20 <= 'f':
		return c | 0x20 - 'a' + 10
	}
	return 0
}
