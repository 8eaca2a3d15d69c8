package mimemsg

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"encoding/base64"
	"flag"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/unicode/norm"
)

// The corpus of odd and malformed messages (testdata/corpus) is written by
// this generator, so every byte of it is explained here; the files are
// committed, and TestCorpus reads them. Regenerate with
//
//	go test -run TestGenerateCorpus -update ./mail/mimemsg/
//
// Files over 1 MB are stored gzipped (.eml.gz).

var update = flag.Bool("update", false, "rewrite testdata/corpus")

const corpusDir = "testdata/corpus"

// crlf turns the LF line ends of a Go literal into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// enc1258 encodes text as windows-1258 the way Windows does: letters with
// a tone that have no code of their own are written as the base letter
// and a combining tone mark.
func enc1258(s string) string {
	var b []byte
	for _, r := range norm.NFC.String(s) {
		if c, ok := charmap.Windows1258.EncodeRune(r); ok {
			b = append(b, c)
			continue
		}
		// NFD orders a dot below before a circumflex (ộ = o, U+0323,
		// U+0302): compose the base with whichever mark gives a letter
		// the code page has (ô), and write the others as combining marks.
		d := []rune(norm.NFD.String(string(r)))
		base, rest := d[0], d[1:]
		for i, m := range rest {
			if c := []rune(norm.NFC.String(string([]rune{base, m}))); len(c) == 1 {
				if _, ok := charmap.Windows1258.EncodeRune(c[0]); ok {
					base, rest = c[0], append(append([]rune{}, rest[:i]...), rest[i+1:]...)
					break
				}
			}
		}
		for _, x := range append([]rune{base}, rest...) {
			c, ok := charmap.Windows1258.EncodeRune(x)
			if !ok {
				c = '?'
			}
			b = append(b, c)
		}
	}
	return string(b)
}

func encVISCII(s string) string {
	out, err := VISCII.NewEncoder().String(norm.NFC.String(s))
	if err != nil {
		panic(err)
	}
	return out
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// b64Lines base64-encodes data in 76-character CRLF lines.
func b64Lines(data []byte) string {
	s := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

const stdHead = "From: Phòng Hành chính <hanhchinh@sotnmt.hanoi.gov.vn>\nTo: chuyenvien@sotnmt.hanoi.gov.vn\nDate: Mon, 3 Feb 2025 09:30:00 +0700\nMessage-ID: <corpus@sotnmt.hanoi.gov.vn>\nMIME-Version: 1.0\n"

// zipBomb is a small zip whose only entry claims 5 GiB uncompressed.
func zipBomb() []byte {
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(make([]byte, 1<<20))
	fw.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name:               "bao-cao-quy-1.xlsx",
		Method:             zip.Deflate,
		CRC32:              crc32.ChecksumIEEE(make([]byte, 1<<20)),
		CompressedSize64:   uint64(deflated.Len()),
		UncompressedSize64: 5 << 30,
	})
	if err != nil {
		panic(err)
	}
	w.Write(deflated.Bytes())
	zw.Close()
	return out.Bytes()
}

// nestedRFC822 builds a message forwarded n times, each level a
// message/rfc822 body of the one above.
func nestedRFC822(n int) string {
	inner := crlf("From: Gốc <goc@x.vn>\nSubject: Thư gốc\nContent-Type: text/plain; charset=utf-8\n\nNội dung thư gốc sâu nhất.\n")
	for i := n; i >= 1; i-- {
		inner = crlf(fmt.Sprintf("From: Cấp %d <cap%d@x.vn>\nSubject: Chuyển tiếp cấp %d\nContent-Type: message/rfc822\n\n", i, i, i)) + inner
	}
	return crlf(stdHead+"Subject: Lồng 50 cấp\n") + inner[strings.Index(inner, "Content-Type"):]
}

func corpusFiles() map[string]string {
	f := map[string]string{}
	hostile := []string{
		"../../etc/passwd",
		`..\..\windows\system32\x.dll`,
		"CON",
		"NUL.txt",
		"aux",
		strings.Repeat("dài", 100) + ".pdf",
		"hoadon\u202Efdp.exe",
		"bao\x01cao\x1b[31m.doc",
		"",
	}

	f["01-boundary-missing-close.eml"] = crlf(stdHead + `Subject: Thiếu dấu kết thúc
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Nội dung chính của thư.
--b1
Content-Type: application/pdf; name="baocao.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
`)
	f["02-boundary-mismatch.eml"] = crlf(stdHead + `Subject: Boundary sai
Content-Type: multipart/mixed; boundary="declared-AAA"

This is a multi-part message in MIME format.
--actual-BBB
Content-Type: text/plain; charset=utf-8

Văn bản thật sự.
--actual-BBB
Content-Type: application/pdf; name="that.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--actual-BBB--
`)
	f["03-boundary-param-missing.eml"] = crlf(stdHead + `Subject: Không có boundary
Content-Type: multipart/mixed

--XYZ123
Content-Type: text/plain; charset=utf-8

Thư không khai báo boundary.
--XYZ123
Content-Type: image/png; name="anh.png"
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--XYZ123--
`)
	f["04-boundary-in-body.eml"] = crlf(stdHead + `Subject: Boundary trong thân
Content-Type: multipart/mixed; boundary="sep"

--sep
Content-Type: text/plain; charset=utf-8

Dòng một.
--separator is not the boundary
x --sep in the middle of a line
--sep-- is not alone on this line
 --sep indented
Dòng cuối.
--sep--
`)
	f["05-boundary-never-found.eml"] = crlf(stdHead + `Subject: Boundary không xuất hiện
Content-Type: multipart/alternative; boundary="never"

Chỉ có văn bản thường, không có phần nào.
`)
	f["06-missing-from-subject.eml"] = crlf(`To: a@x.vn
Date: Mon, 3 Feb 2025 09:30:00 +0700
Content-Type: text/plain; charset=utf-8

Thư không có From và Subject.
`)
	f["07-duplicate-headers.eml"] = crlf(`From: Người thứ nhất <mot@x.vn>
From: Người thứ hai <hai@x.vn>
Subject: Tiêu đề một
Subject: Tiêu đề hai
Date: Mon, 3 Feb 2025 09:30:00 +0700
Date: Tue, 4 Feb 2025 10:00:00 +0700
To: a@x.vn
To: b@x.vn
Content-Type: text/plain; charset=utf-8
Content-Type: text/html; charset=iso-8859-1

Nội dung thư trùng tiêu đề.
`)
	f["08-date-odd-formats.eml"] = crlf(`From: a@x.vn
Subject: Ngày kiểu lạ
Date: Thứ Hai, 3 Feb 2025 10:00:00 GMT+7
Content-Type: text/plain; charset=utf-8

Ngày có tên thứ tiếng Việt và múi giờ GMT+7.
`)
	f["09-date-garbage.eml"] = crlf(`From: a@x.vn
Subject: Ngày hỏng
Date: hôm qua lúc chiều
Content-Type: text/plain

Date khong doc duoc.
`)
	f["10-charset-unknown.eml"] = crlf(stdHead + `Subject: Charset la
Content-Type: text/plain; charset=x-unknown
Content-Transfer-Encoding: 8bit

Văn bản UTF-8 nhưng nhãn charset lạ.
`)
	f["11-charset-utf8-alias.eml"] = crlf(stdHead + `Subject: Charset utf8
Content-Type: text/plain; charset="utf8"
Content-Transfer-Encoding: 8bit

Nhãn utf8 không có gạch nối.
`)
	f["12-charset-cp1258-body.eml"] = crlf(stdHead+`Subject: =?cp1258?Q?Windows-1258?=
Content-Type: text/plain; charset=cp1258
Content-Transfer-Encoding: 8bit

`) + enc1258("Cộng hoà xã hội chủ nghĩa Việt Nam\r\nĐộc lập - Tự do - Hạnh phúc\r\n")
	f["13-charset-empty.eml"] = crlf(stdHead + `Subject: Charset rỗng
Content-Type: text/plain; charset=""
Content-Transfer-Encoding: 8bit

Nhãn charset rỗng, thân UTF-8.
`)
	f["14-windows-1258-subject.eml"] = crlf(stdHead+"Subject: =?windows-1258?Q?") + qEncode(enc1258("Giấy mời họp")) + crlf(`?=
Content-Type: text/plain; charset=windows-1258
Content-Transfer-Encoding: quoted-printable

`) + qpEncodeBytes(enc1258("Kính mời đồng chí dự họp giao ban.\r\n"))
	f["15-viscii.eml"] = crlf(stdHead+"Subject: =?VISCII?B?"+b64(encVISCII("Việt Nam"))+`?=
Content-Type: text/plain; charset=VISCII
Content-Transfer-Encoding: 8bit

`) + encVISCII("Nước Việt Nam, thư mã VISCII cũ.\r\n")
	f["16-raw-utf8-headers.eml"] = crlf(`From: Nguyễn Thị Hoà <hoa@x.vn>
To: "Trần Văn Đức" <duc@x.vn>
Subject: Tiêu đề UTF-8 thô (RFC 6532)
Date: Mon, 3 Feb 2025 09:30:00 +0700
Content-Type: text/plain; charset=utf-8

Xin chào.
`)
	f["17-nfd.eml"] = crlf(stdHead+"Subject: =?utf-8?B?"+b64(norm.NFD.String("Quyết định tổ hợp"))+`?=
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

`) + norm.NFD.String("Văn bản gõ kiểu tổ hợp trên macOS: Nghị định, Thông tư.\r\n")
	f["18-huge-subject.eml.gz"] = crlf(stdHead + "Subject: Báo cáo " + strings.Repeat("rất dài ", 131072) + "\nContent-Type: text/plain\n\nThan thu.\n")
	var rec strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&rec, "Received: from relay%d.example.net (relay%d.example.net [10.0.%d.%d]) by mx.example.net with ESMTP id %08x; Mon, 3 Feb 2025 09:30:00 +0700\n", i, i, i/256%256, i%256, i)
	}
	f["19-ten-thousand-received.eml.gz"] = crlf(rec.String() + stdHead + "Subject: Sau mười nghìn dòng Received\nContent-Type: text/plain; charset=utf-8\n\nVẫn đọc được.\n")
	f["20-header-without-colon.eml"] = crlf(`From: a@x.vn
This line has no colon
Subject: Dòng tiêu đề không có dấu hai chấm
Content-Type: text/plain; charset=utf-8

Thân thư.
`)
	f["21-bare-lf.eml"] = stdHead + `Subject: Chỉ có LF
Content-Type: multipart/mixed; boundary="lf"

--lf
Content-Type: text/plain; charset=utf-8

Dòng kết thúc bằng LF.
--lf
Content-Type: text/csv; name="so-lieu.csv"
Content-Disposition: attachment; filename="so-lieu.csv"

a,b
1,2
--lf--
`
	f["22-nul-bytes.eml"] = crlf(stdHead + "Subject: Có\x00NUL\nContent-Type: text/plain; charset=utf-8\n\nTrước\x00sau.\x00\n")
	f["23-empty-parts.eml"] = crlf(stdHead + `Subject: Phần rỗng
Content-Type: multipart/mixed; boundary="e"

--e

--e
--e
Content-Type: application/octet-stream; name="rong.bin"

--e
Content-Type: text/plain

Phần cuối có chữ.
--e--
`)
	f["24-empty.eml"] = ""
	f["25-only-headers.eml"] = crlf(`From: a@x.vn
Subject: Chỉ có tiêu đề`)
	f["26-base64-garbage.eml"] = crlf(stdHead + `Subject: Base64 hỏng
Content-Type: multipart/mixed; boundary="g"

--g
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

` + b64("Văn bản base64 có rác.") + `
!!!@@@###
--g
Content-Type: application/pdf; name="cut.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK*****JVBER
i0x
--g--
`)
	f["27-qp-broken.eml"] = crlf(stdHead + `Subject: QP hỏng
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Ng=C3=A0y h=E1=BB=8Dp: 10/02/2025 =
l=C3=BAc 8 gi=E1=BB=9D= 
Link: https://x.vn/?a=1&b=2
Gi=E1=BB=9D k=E1=BA=BFt th=C3=BAc =3
Ph=E1=BA=A7n =ZZ cu=E1=BB=91i=`)
	f["28-nested-three.eml"] = crlf(stdHead + `Subject: Chuyển tiếp ba lớp
Content-Type: multipart/mixed; boundary="n1"

--n1
Content-Type: text/plain; charset=utf-8

Lớp ngoài cùng.
--n1
Content-Type: message/rfc822

From: Lớp Hai <hai@x.vn>
Subject: Lớp hai
Date: Sun, 2 Feb 2025 08:00:00 +0700
Content-Type: multipart/mixed; boundary="n2"

--n2
Content-Type: text/plain; charset=utf-8

Nội dung lớp hai.
--n2
Content-Type: message/rfc822

From: Lớp Ba <ba@x.vn>
Subject: Lớp ba
Content-Type: multipart/mixed; boundary="n3"

--n3
Content-Type: text/plain; charset=utf-8

Nội dung lớp ba.
--n3
Content-Type: application/pdf; name="lop-ba.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--n3--
--n2--
--n1--
`)
	f["29-nested-fifty.eml"] = nestedRFC822(50)
	f["30-rfc822-no-body.eml"] = crlf(stdHead + `Subject: Thư đính kèm rỗng
Content-Type: multipart/mixed; boundary="r"

--r
Content-Type: text/plain; charset=utf-8

Kèm một thư rỗng.
--r
Content-Type: message/rfc822
--r--
`)
	var hn strings.Builder
	hn.WriteString(crlf(stdHead + "Subject: Tên tệp nguy hiểm\nContent-Type: multipart/mixed; boundary=\"h\"\n\n--h\nContent-Type: text/plain; charset=utf-8\n\nXem đính kèm.\n"))
	for _, n := range hostile {
		fmt.Fprintf(&hn, "--h\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename*=utf-8''%s\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n", pctEncode(n))
	}
	hn.WriteString("--h--\r\n")
	f["31-hostile-names.eml"] = hn.String()
	f["32-rfc2231-continuations.eml"] = crlf(stdHead + `Subject: RFC 2231
Content-Type: multipart/mixed; boundary="c"

--c
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=utf-8''Quy%E1%BA%BFt%20%C4%91%E1%BB;
 filename*1*=%8Bnh%20s%E1%BB%91%2012;
 filename*2=".pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--c
Content-Type: application/msword
Content-Disposition: attachment; filename*=windows-1258''` + pctEncode(enc1258("Tờ trình.doc")) + `
Content-Transfer-Encoding: base64

0M8R4KGxGuE=
--c--
`)
	f["33-rfc2047-in-filename.eml"] = crlf(stdHead + `Subject: Outlook filename
Content-Type: multipart/mixed; boundary="o"

--o
Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;
	name="=?utf-8?B?` + b64("Công văn số 15") + `?=
 =?utf-8?B?` + b64("/UBND-VP.docx") + `?="
Content-Disposition: attachment;
	filename="=?utf-8?B?` + b64("Công văn số 15") + `?=
 =?utf-8?B?` + b64("/UBND-VP.docx") + `?="
Content-Transfer-Encoding: base64

UEsDBA==
--o--
`)
	f["34-raw-1258-filename.eml"] = crlf(stdHead+`Subject: Raw 1258 name
Content-Type: multipart/mixed; boundary="w"

--w
Content-Type: application/pdf; name="`) + enc1258("Báo cáo tháng.pdf") + crlf(`"
Content-Disposition: attachment; filename="`) + enc1258("Báo cáo tháng.pdf") + crlf(`"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--w--
`)
	var tp strings.Builder
	tp.WriteString(crlf(stdHead + "Subject: Một nghìn phần\nContent-Type: multipart/mixed; boundary=\"t\"\n\n--t\nContent-Type: text/plain\n\nMany parts.\n"))
	for i := range 1000 {
		fmt.Fprintf(&tp, "--t\r\nContent-Type: text/plain; name=\"p%04d.txt\"\r\nContent-Disposition: attachment; filename=\"p%04d.txt\"\r\n\r\nphan %d\r\n", i, i, i)
	}
	tp.WriteString("--t--\r\n")
	f["35-thousand-parts.eml"] = tp.String()
	f["36-zip-bomb.eml"] = crlf(stdHead+`Subject: Zip bom
Content-Type: multipart/mixed; boundary="z"

--z
Content-Type: text/plain; charset=utf-8

Tệp nén nhỏ nhưng khai 5 GiB.
--z
Content-Type: application/zip; name="bom.zip"
Content-Transfer-Encoding: base64

`) + b64Lines(zipBomb()) + "--z--\r\n"
	f["37-html-only-hostile.eml"] = crlf(stdHead + `Subject: HTML độc
Content-Type: text/html; charset=utf-8

<!DOCTYPE html><html><head><title>Tiêu đề trang</title>
<link rel="stylesheet" href="http://evil.example/track.css">
<style>body { background: url(http://evil.example/bg.png) } .x{color:red}</style>
<script>alert('pwned'); document.location='http://evil.example/'</script></head>
<body><h1>Thông báo</h1><p>Kính gửi &amp; chào&nbsp;anh/chị,</p>
<iframe src="http://evil.example/frame"><p>iframe text</p></iframe>
<p>Xem <a href="https://dichvucong.gov.vn/p/123">cổng dịch vụ công</a> hoặc <a href="javascript:alert(1)">bấm đây</a>.
Liên hệ <a href="mailto:vanthu@x.vn">vanthu@x.vn</a>.</p>
<img src="http://evil.example/pixel.gif" width="1" height="1">
<img src="http://evil.example/logo.png" alt="Logo Sở">
<ul><li>Mục một</li><li>Mục hai</li></ul>
<table><tr><td>Số</td><td>Ngày</td></tr><tr><td>15/UBND</td><td>03/02/2025</td></tr></table>
<blockquote>Trích dẫn thư trước</blockquote>
<object data="http://evil.example/x.swf">object text</object>
<title>title in body</title>
<p>Hết.</p></body></html>
`)
	f["38-alternative.eml"] = crlf(stdHead + `Subject: Hai phiên bản
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

B=E1=BA=A3n v=C4=83n b=E1=BA=A3n th=C6=B0=E1=BB=9Dng.
--alt
Content-Type: text/html; charset=utf-8

<p>Bản <b>HTML</b>.</p>
--alt--
`)
	f["39-related-cid.eml"] = crlf(stdHead + `Subject: Ảnh nhúng
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset=utf-8

<p>Sơ đồ tổ chức:</p><img src="cid:sodo@x" alt="Sơ đồ">
--rel
Content-Type: image/png; name="sodo.png"
Content-ID: <sodo@x>
Content-Disposition: inline; filename="sodo.png"
Content-Transfer-Encoding: base64

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
--rel--
`)
	f["40-calendar-invite.eml"] = crlf(stdHead + `Subject: Mời họp: Giao ban tuần
Content-Type: multipart/mixed; boundary="cal-m"

--cal-m
Content-Type: multipart/alternative; boundary="cal-a"

--cal-a
Content-Type: text/plain; charset=utf-8

Giao ban tuần, phòng 301.
--cal-a
Content-Type: text/html; charset=utf-8

<p>Giao ban tuần, phòng 301.</p>
--cal-a
Content-Type: text/calendar; charset=utf-8; method=REQUEST

BEGIN:VCALENDAR
METHOD:REQUEST
BEGIN:VEVENT
SUMMARY:Giao ban tuần
DTSTART:20250210T013000Z
END:VEVENT
END:VCALENDAR
--cal-a--
--cal-m
Content-Type: application/ics; name="invite.ics"
Content-Disposition: attachment; filename="invite.ics"
Content-Transfer-Encoding: base64

` + b64("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n") + `
--cal-m--
`)
	f["41-smime-signed.eml"] = crlf(stdHead + `Subject: Thư ký số
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="sig"

This is an S/MIME signed message
--sig
Content-Type: text/plain; charset=utf-8

Văn bản đã ký số.
--sig
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="smime.p7s"

MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwEAAKCAMIIF
--sig--
`)
	f["42-only-attachment.eml"] = crlf(stdHead + `Subject: Chỉ có tệp
Content-Type: application/pdf; name="chi-tep.pdf"
Content-Disposition: attachment; filename="chi-tep.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJeLjz9MK
`)
	f["43-uuencode.eml"] = crlf(stdHead + `Subject: uuencode
Content-Type: multipart/mixed; boundary="u"

--u
Content-Type: text/plain

See attachment.
--u
Content-Type: application/octet-stream; name="a.txt"
Content-Transfer-Encoding: x-uuencode

begin 644 a.txt
#86)C
` + "`" + `
end
--u--
`)
	f["44-cte-unknown-text.eml"] = crlf(stdHead + `Subject: CTE lạ
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: x-foo

Văn bản với mã truyền lạ.
`)
	f["45-single-line-10mb.eml.gz"] = crlf(stdHead+"Subject: Mười MB một dòng\nContent-Type: text/plain; charset=utf-8\n\n") + strings.Repeat("chữ ", 10<<20/6) + "\r\n"
	f["46-mbox-from-line.eml"] = crlf("From sender@x.vn Mon Feb  3 09:30:00 2025\n" + stdHead + "Subject: Dòng From của mbox\nContent-Type: text/plain\n\nBody.\n")
	f["47-digest.eml"] = crlf(stdHead + `Subject: Digest
Content-Type: multipart/digest; boundary="d"

--d

From: mot@x.vn
Subject: Thư một trong digest

Một.
--d

From: hai@x.vn
Subject: Thư hai trong digest

Hai.
--d--
`)
	f["48-rfc822-base64.eml"] = crlf(stdHead+`Subject: RFC 822 mã base64
Content-Type: multipart/mixed; boundary="e64"

--e64
Content-Type: text/plain; charset=utf-8

Xem thư kèm.
--e64
Content-Type: message/rfc822; name="goc.eml"
Content-Transfer-Encoding: base64

`) + b64Lines([]byte(crlf("From: Goc <goc@x.vn>\nSubject: Thư gốc base64\nContent-Type: text/plain; charset=utf-8\n\nNội dung thư gốc.\n"))) + "--e64--\r\n"
	f["49-part-without-headers.eml"] = crlf(stdHead + `Subject: Phần không có header
Content-Type: multipart/mixed; boundary="p"

--p
Phần này bắt đầu ngay bằng chữ.
--p--
`)
	u := []byte("Thông báo khẩn")
	f["50-encoded-words-split.eml"] = crlf(stdHead+"Subject: =?utf-8?B?"+base64.StdEncoding.EncodeToString(u[:4])+"?= =?utf-8?B?"+base64.StdEncoding.EncodeToString(u[4:])+"?= =?utf-8?q?v=E1=BB=81 vi=E1=BB=87c?= =?x-bogus?Q?l=E1=BB=8Bch?= Re:=?utf-8?Q?h=E1=BB=8Dp?=\n") +
		crlf("Content-Type: text/plain\n\nbody\n")
	f["51-address-oddities.eml"] = crlf(`From: "=?utf-8?B?` + b64("Nguyễn Văn Ánh") + `?=" <anh@x.vn>
To: Phòng ban: mot@x.vn, "Hai, Trần" <hai@x.vn>;, ba@x.vn (Lê Ba), <bon@x.vn>, Năm nam@x.vn,,
Cc: undisclosed-recipients:;
Reply-To: <mailto:traloi@x.vn>
Subject: Địa chỉ kỳ quặc
Date: 3 Feb 2025 09:30 +0700
Message-ID: bare-id@x.vn
In-Reply-To: <parent@x.vn> (comment)
References: <a@x.vn> <b@x.vn>
	<parent@x.vn>
Content-Type: text/plain; charset=utf-8

Thân.
`)
	f["52-continuation-first.eml"] = crlf(` folded first line
From: a@x.vn
Subject: Dòng đầu là dòng gập
Content-Type: text/plain

Body.
`)
	f["53-no-headers.eml"] = crlf("Đây chỉ là một tệp văn bản, không có header nào.\nDòng hai.\n")
	rnd := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(rnd.UintN(256))
	}
	f["54-binary-garbage.eml"] = string(garbage)
	f["55-base64-text-truncated.eml"] = crlf(stdHead+"Subject: Base64 cụt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n") + b64("Văn bản bị cắt giữa chừng ở đây")[:37] + "\r\n"
	f["56-utf16.eml"] = crlf(stdHead+"Subject: UTF-16\nContent-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n\n") + b64Lines(utf16BE("\uFEFFChào bằng UTF-16."))
	sj, _ := japanese.ShiftJIS.NewEncoder().String("日本語のテキスト")
	koi, _ := charmap.KOI8R.NewEncoder().String("Привет")
	f["57-cjk-cyrillic.eml"] = crlf(stdHead+"Subject: =?koi8-r?B?"+b64(koi)+"?= =?shift_jis?B?"+b64(sj)+`?=
Content-Type: multipart/mixed; boundary="cj"

--cj
Content-Type: text/plain; charset=shift_jis
Content-Transfer-Encoding: base64

`) + b64(sj) + crlf("\n--cj\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n") + b64(koi) + "\r\n--cj--\r\n"
	f["58-latin1-with-cp1252.eml"] = crlf(stdHead+"Subject: Latin-1\nContent-Type: text/plain; charset=iso-8859-1\n\n") + "Caf\xe9 \x93quoted\x94 \x80 5\r\n"
	f["59-delivery-report.eml"] = crlf(`From: MAILER-DAEMON@mx.x.vn
To: a@x.vn
Subject: Undelivered Mail Returned to Sender
Date: Mon, 3 Feb 2025 09:31:00 +0700
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

This is the mail system. Your message could not be delivered.
--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.x.vn
Final-Recipient: rfc822; khongco@x.vn
Status: 5.1.1
--dsn
Content-Type: text/rfc822-headers

From: a@x.vn
Subject: Gửi nhầm
--dsn--
`)
	f["60-unclosed-quote-params.eml"] = crlf(stdHead + `Subject: Ngoặc kép không đóng
Content-Type: multipart/mixed; boundary="q

--q
Content-Type: application/pdf; name="thieu-ngoac.pdf
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--q--
`)
	f["61-inner-close-missing.eml"] = crlf(stdHead + `Subject: Multipart trong thiếu kết thúc
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8

Văn bản trong.
--outer
Content-Type: application/pdf; name="sau.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
`)
	return f
}

// utf16BE encodes s as UTF-16 big-endian (RFC 2781's default).
func utf16BE(s string) []byte {
	var b []byte
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			b = append(b, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

func qEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c < 0x80 && c > 0x20 && c != '=' && c != '?' && c != '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

func qpEncodeBytes(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' || (c >= 0x20 && c < 0x7f && c != '=') {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func TestGenerateCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/corpus")
	}
	if err := os.MkdirAll(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(corpusDir, "*.eml*"))
	for _, p := range old {
		os.Remove(p)
	}
	for name, content := range corpusFiles() {
		data := []byte(content)
		if strings.HasSuffix(name, ".gz") {
			var z bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
			zw.Write(data)
			zw.Close()
			data = z.Bytes()
		}
		if err := os.WriteFile(filepath.Join(corpusDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
