package mimemsg

import (
	"errors"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/transform"
)

// VISCII (RFC 1456, "VISCII 1.1") is the 8-bit Vietnamese charset of the
// 1990s. golang.org/x/text does not have it, and old archives forwarded
// today still carry it, so the table is here.
//
// The mapping is the one of RFC 1456 §2 and the Unicode consortium's
// VISCII table. It was checked entry by entry against two independent
// published tables: the decoding table of the Python codec
// dfint/viscii_codec (viscii_codec.py) and the 256-entry
// g_vscii_code_page array found in public C++ sources (indexed by the
// search corpus as a Windows code-page helper); both agree with the
// split upper/lower tables of XEmacs UTF-2000 (lisp/utf-2000/ccs-viscii.el).
// VISCII keeps ASCII except for six C0 controls that carry capital
// letters (0x02 Ẳ, 0x05 Ẵ, 0x06 Ẫ, 0x14 Ỷ, 0x19 Ỹ, 0x1E Ỵ).
var visciiTable = [256]rune{
	// 0x00–0x1F: C0 controls, six of them replaced by letters.
	0x0000, 0x0001, 0x1EB2, 0x0003, 0x0004, 0x1EB4, 0x1EAA, 0x0007,
	0x0008, 0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x000E, 0x000F,
	0x0010, 0x0011, 0x0012, 0x0013, 0x1EF6, 0x0015, 0x0016, 0x0017,
	0x0018, 0x1EF8, 0x001A, 0x001B, 0x001C, 0x001D, 0x1EF4, 0x001F,
	// 0x20–0x7F: ASCII, filled in by init.
	0x20: 0,
	// 0x80–0xFF
	0x80: 0x1EA0, 0x1EAE, 0x1EB0, 0x1EB6, 0x1EA4, 0x1EA6, 0x1EA8, 0x1EAC, // Ạ Ắ Ằ Ặ Ấ Ầ Ẩ Ậ
	0x1EBC, 0x1EB8, 0x1EBE, 0x1EC0, 0x1EC2, 0x1EC4, 0x1EC6, 0x1ED0, // Ẽ Ẹ Ế Ề Ể Ễ Ệ Ố
	0x1ED2, 0x1ED4, 0x1ED6, 0x1ED8, 0x1EE2, 0x1EDA, 0x1EDC, 0x1EDE, // Ồ Ổ Ỗ Ộ Ợ Ớ Ờ Ở
	0x1ECA, 0x1ECE, 0x1ECC, 0x1EC8, 0x1EE6, 0x0168, 0x1EE4, 0x1EF2, // Ị Ỏ Ọ Ỉ Ủ Ũ Ụ Ỳ
	0x00D5, 0x1EAF, 0x1EB1, 0x1EB7, 0x1EA5, 0x1EA7, 0x1EA9, 0x1EAD, // Õ ắ ằ ặ ấ ầ ẩ ậ
	0x1EBD, 0x1EB9, 0x1EBF, 0x1EC1, 0x1EC3, 0x1EC5, 0x1EC7, 0x1ED1, // ẽ ẹ ế ề ể ễ ệ ố
	0x1ED3, 0x1ED5, 0x1ED7, 0x1EE0, 0x01A0, 0x1ED9, 0x1EDD, 0x1EDF, // ồ ổ ỗ Ỡ Ơ ộ ờ ở
	0x1ECB, 0x1EF0, 0x1EE8, 0x1EEA, 0x1EEC, 0x01A1, 0x1EDB, 0x01AF, // ị Ự Ứ Ừ Ử ơ ớ Ư
	0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x1EA2, 0x0102, 0x1EB3, 0x1EB5, // À Á Â Ã Ả Ă ẳ ẵ
	0x00C8, 0x00C9, 0x00CA, 0x1EBA, 0x00CC, 0x00CD, 0x0128, 0x1EF3, // È É Ê Ẻ Ì Í Ĩ ỳ
	0x0110, 0x1EE9, 0x00D2, 0x00D3, 0x00D4, 0x1EA1, 0x1EF7, 0x1EEB, // Đ ứ Ò Ó Ô ạ ỷ ừ
	0x1EED, 0x00D9, 0x00DA, 0x1EF9, 0x1EF5, 0x00DD, 0x1EE1, 0x01B0, // ử Ù Ú ỹ ỵ Ý ỡ ư
	0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x1EA3, 0x0103, 0x1EEF, 0x1EAB, // à á â ã ả ă ữ ẫ
	0x00E8, 0x00E9, 0x00EA, 0x1EBB, 0x00EC, 0x00ED, 0x0129, 0x1EC9, // è é ê ẻ ì í ĩ ỉ
	0x0111, 0x1EF1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x1ECF, 0x1ECD, // đ ự ò ó ô õ ỏ ọ
	0x1EE5, 0x00F9, 0x00FA, 0x0169, 0x1EE7, 0x00FD, 0x1EE3, 0x1EEE, // ụ ù ú ũ ủ ý ợ Ữ
}

var errNotVISCII = errors.New("viscii: character not representable")

// visciiReverse maps a rune back to its VISCII byte, for the encoder.
var visciiReverse map[rune]byte

func init() {
	for b := 0x20; b < 0x80; b++ {
		visciiTable[b] = rune(b)
	}
	visciiReverse = make(map[rune]byte, 256)
	for b, r := range visciiTable {
		visciiReverse[r] = byte(b)
	}
}

// VISCII is the RFC 1456 charset as an x/text encoding, so it plugs into
// go-message's charset registry and into CharsetReader.
var VISCII encoding.Encoding = visciiEncoding{}

type visciiEncoding struct{}

func (visciiEncoding) NewDecoder() *encoding.Decoder {
	return &encoding.Decoder{Transformer: visciiDecoder{}}
}

func (visciiEncoding) NewEncoder() *encoding.Encoder {
	return &encoding.Encoder{Transformer: visciiEncoder{}}
}

func (visciiEncoding) String() string { return "VISCII" }

type visciiDecoder struct{ transform.NopResetter }

func (visciiDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		r := visciiTable[src[nSrc]]
		if r < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = byte(r)
			nDst++
			nSrc++
			continue
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc++
	}
	return nDst, nSrc, nil
}

type visciiEncoder struct{ transform.NopResetter }

func (visciiEncoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		r, size := rune(src[nSrc]), 1
		if r >= utf8.RuneSelf {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			r, size = utf8.DecodeRune(src[nSrc:])
		}
		b, ok := visciiReverse[r]
		if !ok {
			// Decomposed input is not mapped; callers compose (NFC) first.
			return nDst, nSrc, errNotVISCII
		}
		if nDst >= len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		dst[nDst] = b
		nDst++
		nSrc += size
	}
	return nDst, nSrc, nil
}
