package mimemsg

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"io"
	"math/rand/v2"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	docstore "congvu/docs-store"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

func addr(name, a string) docstore.MailAddress { return docstore.MailAddress{Name: name, Addr: a} }

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := 0; i+8 <= n; i += 8 {
		v := r.Uint64()
		for k := range 8 {
			b[i+k] = byte(v >> (8 * k))
		}
	}
	for i := n &^ 7; i < n; i++ {
		b[i] = byte(r.Uint32())
	}
	return b
}

func bytesAttachment(name, typ string, data []byte) Attachment {
	return Attachment{Name: name, MIMEType: typ, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

func TestRoundTrip(t *testing.T) {
	longName := strings.Repeat("Nghị quyết ", 27) + "số 01.pdf" // > 300 characters
	if utf8.RuneCountInString(longName) < 300 {
		t.Fatalf("long name has %d characters", utf8.RuneCountInString(longName))
	}
	blob := randomBytes(1, 3<<20)
	text := "Kính gửi: Các phòng, ban thuộc Sở\n" +
		"From the desk of the Director\n" +
		".\n" +
		". a line starting with a dot\n" +
		"Trailing blank \n" +
		"Tab\tinside and = sign =3D\n" +
		strings.Repeat("Dòng rất dài ", 100) + "\n" + // over 998 bytes
		"\n" +
		"Trân trọng./.\n"
	d := Draft{
		From: addr("Nguyễn Văn Ánh (Văn phòng Sở)", "anh.nv@sotnmt.hanoi.gov.vn"),
		To: []docstore.MailAddress{
			addr("Trần Thị Bình, Phòng Kế hoạch", "binh.tt@sotnmt.hanoi.gov.vn"),
			addr("", "vanthu@hanoi.gov.vn"),
			addr(`Ông "Tư" Lê`, "tu@x.vn"),
		},
		Cc:          []docstore.MailAddress{addr("Phạm Đức Chính", "chinh@x.vn")},
		Bcc:         []docstore.MailAddress{addr("Bí mật", "bimat@x.vn")},
		Subject:     "Về việc triển khai kế hoạch chuyển đổi số năm 2025 của Sở Tài nguyên và Môi trường thành phố Hà Nội (lần 2)",
		Text:        text,
		Date:        time.Date(2025, 2, 3, 9, 30, 0, 0, time.FixedZone("ICT", 7*3600)),
		MessageID:   "test-1@sotnmt.hanoi.gov.vn",
		InReplyTo:   "parent@x.vn",
		References:  []string{"root@x.vn", "parent@x.vn"},
		Attachments: []Attachment{bytesAttachment("Quyết định 1220/QĐ-UBND.pdf", "application/pdf", []byte("%PDF-1.7\n")), bytesAttachment(longName, "", blob), bytesAttachment("plain.txt", "text/plain", []byte("plain\r\n"))},
	}
	var buf bytes.Buffer
	if err := Compose(&buf, d); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()

	// The wire form: CRLF only, lines within 998, no Bcc, encoded words
	// within 75 characters.
	for i, c := range raw {
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			t.Fatalf("bare LF at %d", i)
		}
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 998 {
			t.Errorf("line of %d bytes", len(l))
		}
	}
	head := string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))])
	if strings.Contains(string(raw), "bimat") || strings.Contains(head, "Bcc") {
		t.Error("Bcc written")
	}
	for _, w := range regexp.MustCompile(`=\?[^?]+\?[BbQq]\?[^?]*\?=`).FindAllString(string(raw), -1) {
		if len(w) > 75 {
			t.Errorf("encoded word of %d characters: %s", len(w), w)
		}
	}
	for _, l := range strings.Split(head, "\r\n") {
		if len(l) > 78 && !strings.HasPrefix(l, "Content-Type: multipart") {
			t.Errorf("header line of %d: %q", len(l), l)
		}
	}
	for _, f := range []string{"Date: Mon, 03 Feb 2025 09:30:00 +0700", "Message-ID: <test-1@sotnmt.hanoi.gov.vn>", "MIME-Version: 1.0", "In-Reply-To: <parent@x.vn>", "References: <root@x.vn> <parent@x.vn>"} {
		if !strings.Contains(head, f+"\r\n") {
			t.Errorf("header lacks %q:\n%s", f, head)
		}
	}
	if !strings.Contains(string(raw), "\r\n=46rom the desk") || !strings.Contains(string(raw), "\r\n=2E\r\n") {
		t.Error("a line starting with From or . is not protected")
	}

	m, err := Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Problems) > 0 {
		t.Errorf("problems %q", m.Problems)
	}
	if m.Subject != d.Subject {
		t.Errorf("subject %q", m.Subject)
	}
	checkAddrs := func(what string, got, want []docstore.MailAddress) {
		if len(got) != len(want) {
			t.Errorf("%s %v, want %v", what, got, want)
			return
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s[%d] %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	checkAddrs("From", m.From, []docstore.MailAddress{d.From})
	checkAddrs("To", m.To, d.To)
	checkAddrs("Cc", m.Cc, d.Cc)
	if !m.Date.Equal(d.Date) || m.MessageID != d.MessageID || m.InReplyTo != d.InReplyTo || strings.Join(m.References, ",") != "root@x.vn,parent@x.vn" {
		t.Errorf("date %v id %q irt %q refs %q", m.Date, m.MessageID, m.InReplyTo, m.References)
	}
	if want := strings.TrimRight(text, "\n"); m.Text != want {
		t.Errorf("text:\n%q\nwant:\n%q", m.Text, want)
	}
	partsAre(t, m,
		"2 Quyết định 1220/QĐ-UBND.pdf application/pdf 9",
		"3 "+longName+" application/pdf "+itoa(int64(len(blob))),
		"4 plain.txt text/plain 7",
	)
	var out bytes.Buffer
	n, err := OpenPart(bytes.NewReader(raw), "3", &out)
	if err != nil || n != int64(len(blob)) || !bytes.Equal(out.Bytes(), blob) {
		t.Errorf("OpenPart: %d bytes, %v; identical %v", n, err, bytes.Equal(out.Bytes(), blob))
	}
	rd, err := PartReader(bytes.NewReader(raw), "4")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(rd); string(b) != "plain\r\n" {
		t.Errorf("PartReader %q", b)
	}
	if _, err := OpenPart(bytes.NewReader(raw), "5", io.Discard); !errors.Is(err, ErrNoPart) {
		t.Errorf("OpenPart(5) err %v", err)
	}
	if _, err := OpenPart(bytes.NewReader(raw), "x/../1", io.Discard); !errors.Is(err, ErrNoPart) {
		t.Errorf("OpenPart(bad path) err %v", err)
	}
}

func TestComposeSimple(t *testing.T) {
	var buf bytes.Buffer
	err := Compose(&buf, Draft{From: addr("", "a@sotnmt.hanoi.gov.vn"), To: []docstore.MailAddress{addr("B", "b@x.vn")}, Subject: "Hello\r\nBcc: injected@x.vn", Text: "Xin chào"})
	if err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if strings.Contains(raw, "multipart") || !strings.Contains(raw, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n") {
		t.Errorf("single-part message expected:\n%s", raw)
	}
	if strings.Contains(raw, "\r\nBcc:") {
		t.Error("header injection through the subject")
	}
	if !regexp.MustCompile(`\r\nMessage-ID: <[0-9a-z]+\.[0-9a-f]{24}@sotnmt\.hanoi\.gov\.vn>\r\n`).MatchString(raw) || !strings.HasPrefix(raw, "Date: ") {
		t.Errorf("Message-ID or Date missing:\n%s", raw)
	}
	m, err := Parse(strings.NewReader(raw))
	if err != nil || m.Text != "Xin chào" || m.Subject != "Hello Bcc: injected@x.vn" {
		t.Errorf("%v %q %q", err, m.Text, m.Subject)
	}
	ua := regexp.MustCompile(`\r\nUser-Agent: (.*)\r\n`).FindStringSubmatch(raw)
	if len(ua) < 2 || DecodeHeader(ua[1]) != "Công vụ" {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestComposeAttachmentError(t *testing.T) {
	boom := errors.New("disk gone")
	err := Compose(io.Discard, Draft{From: addr("", "a@x.vn"), Attachments: []Attachment{{Name: "a.pdf", Open: func() (io.ReadCloser, error) { return nil, boom }}}})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "a.pdf") {
		t.Errorf("err %v", err)
	}
}

func TestRecipients(t *testing.T) {
	d := Draft{
		To:  []docstore.MailAddress{addr("A", "a@x.vn"), addr("", " B@X.vn ")},
		Cc:  []docstore.MailAddress{addr("", "A@X.VN"), addr("", "")},
		Bcc: []docstore.MailAddress{addr("", "b@x.vn"), addr("", "c@x.vn")},
	}
	if got := strings.Join(Recipients(d), ","); got != "a@x.vn,B@X.vn,c@x.vn" {
		t.Errorf("Recipients %q", got)
	}
}

func TestNewMessageID(t *testing.T) {
	a, b := NewMessageID("sotnmt.hanoi.gov.vn"), NewMessageID("sotnmt.hanoi.gov.vn")
	if a == b || !strings.HasSuffix(a, "@sotnmt.hanoi.gov.vn") {
		t.Errorf("%q %q", a, b)
	}
	id := NewMessageID("bộ.việtnam")
	if u, err := idna.ToUnicode(domainOf(id)); err != nil || u != "bộ.việtnam" || !strings.HasPrefix(domainOf(id), "xn--") {
		t.Errorf("IDN: %q (%q, %v)", id, u, err)
	}
	for _, d := range []string{"", "bad domain", "a\r\nb"} {
		if id := NewMessageID(d); !strings.HasSuffix(id, "@congvu.invalid") {
			t.Errorf("%q: %q", d, id)
		}
	}
}

func TestReply(t *testing.T) {
	me := addr("Tôi", "Toi@X.vn")
	orig := &Message{
		Subject:    "RE: TL: Trả lời: Aw: Re: Báo cáo tuần",
		From:       []docstore.MailAddress{addr("Nguyễn Văn An", "an@x.vn")},
		To:         []docstore.MailAddress{addr("", "toi@x.vn"), addr("Bình", "binh@x.vn")},
		Cc:         []docstore.MailAddress{addr("", "AN@x.vn"), addr("Chi", "chi@x.vn"), addr("", "TOI@x.vn")},
		Date:       time.Date(2025, 2, 3, 9, 5, 0, 0, time.Local),
		MessageID:  "m3@x.vn",
		References: []string{"m1@x.vn", "m2@x.vn"},
		Text:       "Dòng một\n\n> trích cũ\nDòng cuối\n",
	}
	r := Reply(orig, me, false)
	if r.Subject != "Re: Báo cáo tuần" {
		t.Errorf("subject %q", r.Subject)
	}
	if len(r.To) != 1 || r.To[0].Addr != "an@x.vn" || len(r.Cc) != 0 || r.From != me {
		t.Errorf("To %v Cc %v From %v", r.To, r.Cc, r.From)
	}
	if r.InReplyTo != "m3@x.vn" || strings.Join(r.References, " ") != "m1@x.vn m2@x.vn m3@x.vn" {
		t.Errorf("thread %q %q", r.InReplyTo, r.References)
	}
	wantText := "\n\nVào 03/02/2025 09:05, Nguyễn Văn An đã viết:\n> Dòng một\n>\n>> trích cũ\n> Dòng cuối\n"
	if r.Text != wantText {
		t.Errorf("text %q, want %q", r.Text, wantText)
	}

	all := Reply(orig, me, true)
	got := func(l []docstore.MailAddress) string {
		var s []string
		for _, a := range l {
			s = append(s, a.Addr)
		}
		return strings.Join(s, ",")
	}
	if got(all.To) != "an@x.vn,binh@x.vn" || got(all.Cc) != "chi@x.vn" {
		t.Errorf("reply all: To %s Cc %s", got(all.To), got(all.Cc))
	}

	orig.ReplyTo = []docstore.MailAddress{addr("Hộp thư chung", "chung@x.vn")}
	if r := Reply(orig, me, false); got(r.To) != "chung@x.vn" {
		t.Errorf("Reply-To ignored: %s", got(r.To))
	}

	// A reply to my own sent message goes to its recipients.
	sent := &Message{Subject: "Kế hoạch", From: []docstore.MailAddress{me}, To: []docstore.MailAddress{addr("", "binh@x.vn")}}
	if r := Reply(sent, me, false); got(r.To) != "binh@x.vn" || r.Subject != "Re: Kế hoạch" {
		t.Errorf("own message: To %s subject %q", got(r.To), r.Subject)
	}
	if r := Reply(nil, me, true); r.Subject != "Re: " {
		t.Errorf("nil: %+v", r)
	}
}

func TestSubjects(t *testing.T) {
	for _, c := range []struct{ in, reply, fwd string }{
		{"Báo cáo", "Re: Báo cáo", "Fwd: Báo cáo"},
		{"Re: Re: Báo cáo", "Re: Báo cáo", "Fwd: Re: Re: Báo cáo"},
		{"RE[2]: Báo cáo", "Re: Báo cáo", "Fwd: RE[2]: Báo cáo"},
		{"TRẢ LỜI: Báo cáo", "Re: Báo cáo", "Fwd: TRẢ LỜI: Báo cáo"},
		{"tl: aw: Báo cáo", "Re: Báo cáo", "Fwd: tl: aw: Báo cáo"},
		{"Fwd: FW: Chuyển tiếp: Báo cáo", "Re: Fwd: FW: Chuyển tiếp: Báo cáo", "Fwd: Báo cáo"},
		{"Re: Fwd: Báo cáo", "Re: Fwd: Báo cáo", "Fwd: Re: Fwd: Báo cáo"},
		{"Reform plan", "Re: Reform plan", "Fwd: Reform plan"},
		{"Trả lời công văn 15", "Re: Trả lời công văn 15", "Fwd: Trả lời công văn 15"},
		{"", "Re: ", "Fwd: "},
	} {
		if got := ReplySubject(c.in); got != c.reply {
			t.Errorf("ReplySubject(%q) = %q, want %q", c.in, got, c.reply)
		}
		if got := ForwardSubject(c.in); got != c.fwd {
			t.Errorf("ForwardSubject(%q) = %q, want %q", c.in, got, c.fwd)
		}
	}
}

func TestForward(t *testing.T) {
	orig := &Message{
		Subject: "FW: Giấy mời",
		From:    []docstore.MailAddress{addr("Văn phòng", "vp@x.vn")},
		To:      []docstore.MailAddress{addr("", "a@x.vn")},
		Cc:      []docstore.MailAddress{addr("Chi", "chi@x.vn")},
		Date:    time.Date(2025, 2, 3, 14, 0, 0, 0, time.Local),
		Text:    "Kính mời dự họp.",
	}
	f := Forward(orig)
	if f.Subject != "Fwd: Giấy mời" || len(f.To) != 0 {
		t.Errorf("%q %v", f.Subject, f.To)
	}
	want := "\n\n" + ForwardedLine + "\nTừ: Văn phòng <vp@x.vn>\nNgày: 03/02/2025 14:00\nTiêu đề: FW: Giấy mời\nĐến: a@x.vn\nCc: Chi <chi@x.vn>\n\nKính mời dự họp."
	if f.Text != want {
		t.Errorf("text %q, want %q", f.Text, want)
	}
}

func TestDecodeHeader(t *testing.T) {
	vn := []byte("Cộng hoà")
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"=?utf-8?B?" + b64("Việt Nam") + "?=", "Việt Nam"},
		{"=?UTF-8?Q?Vi=E1=BB=87t_Nam?=", "Việt Nam"},
		{"=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},     // blank between words dropped
		{"=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab"}, // folded
		{"a =?utf-8?q?b?= c", "a b c"},            // blank next to text kept
		{"=?utf-8?B?" + base64.StdEncoding.EncodeToString(vn[:2]) + "?= =?utf-8?B?" + base64.StdEncoding.EncodeToString(vn[2:]) + "?=", "Cộng hoà"}, // cut character
		{"=?windows-1258?Q?" + qEncode(enc1258("Giấy mời")) + "?=", "Giấy mời"},
		{"=?cp1258?Q?" + qEncode(enc1258("Đà Nẵng")) + "?=", "Đà Nẵng"},
		{"=?x-cp1258?Q?" + qEncode(enc1258("Huế")) + "?=", "Huế"},
		{"=?VISCII?B?" + b64(encVISCII("Việt Nam")) + "?=", "Việt Nam"},
		{"=?viscii?Q?" + qEncode(encVISCII("Ẳ Ỵ ữ")) + "?=", "Ẳ Ỵ ữ"},
		{"=?utf-8*vi?Q?ti=E1=BA=BFng?=", "tiếng"}, // RFC 2231 language
		{"=?x-unknown?Q?ok?=", "ok"},                         // unknown charset, ASCII
		{"=?utf-8?B?" + b64("Thư")[:3] + "?=", "Th"},         // truncated base64
		{"=?utf-8?B?" + b64("Thư") + "==?=", "Thư"},          // extra padding
		{"=?utf-8?Q?bad=ZZ?=", "bad=ZZ"},                     // bad escape kept
		{"=?utf-8?X?nope?=", "=?utf-8?X?nope?="},             // not an encoded word
		{"=?utf-8?Q?unterminated", "=?utf-8?Q?unterminated"}, //
		{"=?", "=?"},                                  //
		{"Tiêu đề thô", "Tiêu đề thô"},                // RFC 6532
		{norm.NFD.String("Tiếng Việt"), "Tiếng Việt"}, // NFC out
		{enc1258("Báo cáo"), "Báo cáo"},               // raw windows-1258 bytes
		{"caf\xe9", "café"},                           // raw latin-1
		{"=?iso-8859-1?q?caf=E9?=", "café"},
		{"=?koi8-r?B?" + b64("\xf0\xd2\xc9\xd7\xc5\xd4") + "?=", "Привет"},
		{"=?gb2312?B?" + b64("\xd6\xd0\xce\xc4") + "?=", "中文"},
		{"=?big5?B?" + b64("\xa4\xa4\xa4\xe5") + "?=", "中文"},
		{"=?euc-kr?B?" + b64("\xc7\xd1\xb1\xdb") + "?=", "한글"},
		{"=?shift_jis?B?" + b64("\x93\xfa\x96\x7b") + "?=", "日本"},
		{"=?iso-8859-2?Q?=B1?=", "ą"},
		{"=?windows-1251?Q?=C0?=", "А"},
		{"=?utf-16?B?" + base64.StdEncoding.EncodeToString(utf16BE("Ưu")) + "?=", "Ưu"},
	} {
		if got := DecodeHeader(c.in); got != c.want {
			t.Errorf("DecodeHeader(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCharsetReader(t *testing.T) {
	for _, c := range []struct{ cs, in, want string }{
		{"windows-1258", enc1258("Việt Nam"), "Việt Nam"},
		{"CP1258", enc1258("Việt Nam"), "Việt Nam"},
		{"x-cp1258", enc1258("Việt Nam"), "Việt Nam"},
		{"VISCII", encVISCII("Việt Nam"), "Việt Nam"},
		{"csVISCII", encVISCII("Việt Nam"), "Việt Nam"},
		{"gb2312", "\xd6\xd0\xce\xc4", "中文"},
		{"utf8", "Việt", "Việt"},
		{"x-unknown", "Việt", "Việt"},
		{"x-unknown", "caf\xe9", "café"},
		{"", "caf\xe9", "café"},
	} {
		r, err := CharsetReader(c.cs, strings.NewReader(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.cs, err)
			continue
		}
		b, _ := io.ReadAll(r)
		if got := norm.NFC.String(string(b)); got != c.want {
			t.Errorf("%s: %q, want %q", c.cs, got, c.want)
		}
	}
	// WordDecoder, as the IMAP client uses it for ENVELOPE.
	got, err := WordDecoder.DecodeHeader("=?windows-1258?Q?" + qEncode(enc1258("Hà Nội")) + "?= =?viscii?B?" + b64(encVISCII("Việt")) + "?=")
	if err != nil || norm.NFC.String(got) != "Hà NộiViệt" {
		t.Errorf("WordDecoder: %q %v", got, err)
	}
}

func TestVISCII(t *testing.T) {
	// Every byte decodes to one character and encodes back to itself.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	s, err := VISCII.NewDecoder().Bytes(all)
	if err != nil || utf8.RuneCount(s) != 256 {
		t.Fatalf("decode: %v, %d runes", err, utf8.RuneCount(s))
	}
	back, err := VISCII.NewEncoder().Bytes(s)
	if err != nil || !bytes.Equal(back, all) {
		t.Fatalf("round trip: %v", err)
	}
	// The upper half as published (RFC 1456; Unicode's and other tables).
	const upper = "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚỹỵÝỡưàáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ"
	if got := string([]rune(string(s))[128:]); got != upper {
		t.Errorf("upper half:\n%s\nwant\n%s", got, upper)
	}
	if got := string([]rune(string(s))[:32]); got != "\x00\x01Ẳ\x03\x04ẴẪ\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13Ỷ\x15\x16\x17\x18Ỹ\x1a\x1b\x1c\x1dỴ\x1f" {
		t.Errorf("C0 half: %q", got)
	}
	// A known sample: "Việt Nam" is 56 69 AE 74 20 4E 61 6D in VISCII.
	if got, _ := VISCII.NewDecoder().String("Vi\xaet Nam"); got != "Việt Nam" {
		t.Errorf("sample: %q", got)
	}
	if _, err := VISCII.NewEncoder().String("€"); err == nil {
		t.Error("unmappable character encoded")
	}
}

func TestHTMLToText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<p>a</p><p>b</p>", "a\n\nb"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<div>a</div><div>b</div>", "a\nb"},
		{"  lots   of\n\n  space  ", "lots of space"},
		{"<ul><li>x</li><li>y</li></ul>", "• x\n• y"},
		{"<table><tr><td>1</td><td>2</td></tr><tr><th>3</th><td>4</td></tr></table>", "1\t2\n3\t4"},
		{"<h1>T</h1>text", "T\n\ntext"},
		{"<blockquote><p>q1</p><p>q2</p></blockquote>after", "> q1\n>\n> q2\n\nafter"},
		{`<a href="https://a.vn/x">trang</a>`, "trang (https://a.vn/x)"},
		{`<a href="https://a.vn/">https://a.vn</a>`, "https://a.vn"},
		{`<a href="mailto:a@b.vn">a@b.vn</a>`, "a@b.vn"},
		{`<a href="javascript:alert(1)">x</a>`, "x"},
		{`<a href="data:text/html,evil">x</a>`, "x"},
		{`<a href="cid:part1">x</a>`, "x"},
		{`<img src="https://t.vn/p.gif">`, ""},
		{`<img src="x" alt="Con dấu">`, "[hình ảnh: Con dấu]"},
		{"<script>evil()</script><style>p{}</style>ok", "ok"},
		{"<head><title>t</title><meta charset=utf-8></head><body>b</body>", "b"},
		{"<head><title>t</title><p>unclosed head</p>", "unclosed head"},
		{"<iframe src=x>in</iframe><object>o</object><svg><text>s</text></svg>ok", "ok"},
		{"&lt;b&gt; &amp; &quot;x&quot; &#7879; &eacute;", "<b> & \"x\" ệ é"},
		{"a&nbsp;&nbsp;b&zwnj;c", "a bc"},
		{"<pre>  keep\n    this</pre>", "  keep\n    this"},
		{"<p>unclosed <b>tags", "unclosed tags"},
		{"<embed src=x>after embed", "after embed"},
		{"<object>never closed</body>tail", "tail"},
		{"<", "<"},
		{"", ""},
	} {
		if got := HTMLToText(c.in); got != c.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// errReader fails after its data.
type errReader struct {
	r   io.Reader
	err error
}

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err == io.EOF {
		return n, e.err
	}
	return n, err
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("connection reset")
	m, err := Parse(&errReader{strings.NewReader("Subject: x\r\n\r\nbody"), boom})
	if !errors.Is(err, boom) || m == nil || m.Subject != "x" {
		t.Errorf("%v %+v", err, m)
	}
}

// TestParsePipe is how the sync engine uses Parse: through a pipe, the
// writer blocking until everything is read, even after the parser has
// seen all it wants.
func TestParsePipe(t *testing.T) {
	data := readCorpus(t, "35-thousand-parts.eml")
	pr, pw := io.Pipe()
	done := make(chan *Message)
	go func() {
		m, _ := Parse(pr)
		done <- m
	}()
	if _, err := io.Copy(pw, io.MultiReader(bytes.NewReader(data), strings.NewReader(strings.Repeat("trailing junk\r\n", 100000)))); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	select {
	case m := <-done:
		if m == nil || m.Subject != "Một nghìn phần" {
			t.Errorf("%+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Parse did not finish")
	}
}

// bigMessage streams a message with one base64 attachment of n random
// bytes (the prng seeded 7, 7), without ever holding it.
func bigMessage(n int) io.Reader {
	src := io.LimitReader(&prng{r: rand.New(rand.NewPCG(7, 7))}, int64(n))
	pr, pw := io.Pipe()
	go func() {
		lw := NewLineWrapper(pw, 76)
		enc := base64.NewEncoder(base64.StdEncoding, lw)
		io.Copy(enc, src)
		enc.Close()
		pw.Close()
	}()
	head := crlf(stdHead + "Subject: Tệp lớn\nContent-Type: multipart/mixed; boundary=\"big\"\n\n--big\nContent-Type: text/plain; charset=utf-8\n\nTệp 50 MB kèm theo.\n--big\nContent-Type: application/octet-stream; name=\"lon.bin\"\nContent-Transfer-Encoding: base64\n\n")
	return io.MultiReader(strings.NewReader(head), pr, strings.NewReader("\r\n--big--\r\n"))
}

type prng struct{ r *rand.Rand }

func (p *prng) Read(b []byte) (int, error) {
	n := len(b) &^ 7
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], p.r.Uint64())
	}
	for i := n; i < len(b); i++ {
		b[i] = byte(p.r.Uint32())
	}
	return len(b), nil
}

// memWriter hashes what it is given and samples the heap as it goes.
type memWriter struct {
	h       hash.Hash
	n       int64
	next    int64
	maxHeap uint64
}

func (w *memWriter) Write(p []byte) (int, error) {
	w.h.Write(p)
	w.n += int64(len(p))
	if w.n >= w.next {
		w.next += 4 << 20
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.maxHeap = max(w.maxHeap, ms.HeapAlloc)
	}
	return len(p), nil
}

func heapNow() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func TestBigPartMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB")
	}
	size := 50 << 20
	if raceDetector {
		size = 8 << 20
	}
	want := sha256.New()
	io.Copy(want, io.LimitReader(&prng{r: rand.New(rand.NewPCG(7, 7))}, int64(size)))

	// OpenPart decodes 50 MB through a fixed buffer.
	r := bigMessage(size)
	before := heapNow()
	w := &memWriter{h: sha256.New()}
	n, err := OpenPart(r, "2", w)
	if err != nil || n != int64(size) || !bytes.Equal(w.h.Sum(nil), want.Sum(nil)) {
		t.Fatalf("OpenPart: %d bytes, %v, same content %v", n, err, bytes.Equal(w.h.Sum(nil), want.Sum(nil)))
	}
	if grow := int64(w.maxHeap) - int64(before); grow > 16<<20 {
		t.Errorf("OpenPart heap grew by %d MB", grow>>20)
	}
	t.Logf("OpenPart %d MB: heap growth at most %.1f MB", size>>20, float64(int64(w.maxHeap)-int64(before))/(1<<20))

	// Parse counts it without holding it.
	r = bigMessage(size)
	before = heapNow()
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var m uint64
		for {
			select {
			case <-stop:
				peak <- m
				return
			case <-time.After(20 * time.Millisecond):
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				m = max(m, ms.HeapAlloc)
			}
		}
	}()
	msg, err := Parse(r)
	close(stop)
	maxHeap := <-peak
	if err != nil || len(msg.Parts) != 1 || msg.Parts[0].Size != int64(size) || msg.Text != "Tệp 50 MB kèm theo." {
		t.Fatalf("Parse: %v %+v", err, msg)
	}
	if grow := int64(maxHeap) - int64(before); grow > 16<<20 {
		t.Errorf("Parse heap grew by %d MB", grow>>20)
	}

	// Compose encodes a 50 MB attachment as it reads it.
	before = heapNow()
	cw := &memWriter{h: sha256.New()}
	err = Compose(cw, Draft{From: addr("", "a@x.vn"), Attachments: []Attachment{{Name: "lon.bin", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.LimitReader(&prng{r: rand.New(rand.NewPCG(7, 7))}, int64(size))), nil
	}}}})
	if err != nil || cw.n < int64(size)*4/3 {
		t.Fatalf("Compose: %v, %d bytes", err, cw.n)
	}
	if grow := int64(cw.maxHeap) - int64(before); grow > 16<<20 {
		t.Errorf("Compose heap grew by %d MB", grow>>20)
	}
}

// TestNFCFastPath proves nfc's shortcut sound: every character it lets
// through is NFC on its own and never composes with the one before.
func TestNFCFastPath(t *testing.T) {
	for r := rune(0); r <= 0x20AC; r++ {
		s := string(r)
		if nfc(s) != s || !utf8.ValidRune(r) {
			continue // not in the fast set (or went through vntext.NFC)
		}
		if r >= 0x300 && !(r >= 0x1E00 && r <= 0x1EFF || r >= 0x2010 && r <= 0x2027 || r == 0x20AB || r == 0x20AC) {
			continue
		}
		if !norm.NFC.IsNormalString(s) || !norm.NFC.PropertiesString(s).BoundaryBefore() {
			t.Errorf("U+%04X is not safe for the fast path", r)
		}
	}
	if got := nfc(norm.NFD.String("Việt")); got != "Việt" {
		t.Errorf("%q", got)
	}
}

func TestFlowedAndMetaCharset(t *testing.T) {
	raw := crlf("From: a@x.vn\nSubject: flowed\nContent-Type: text/plain; charset=utf-8; format=flowed\n\n" +
		"Kính gửi anh, đây là một đoạn văn \ndài được ngắt mềm \nbởi Thunderbird.\n\n> trích dẫn \n> tiếp\n -- not a sig, stuffed\n-- \nChữ ký\n")
	m, err := Parse(strings.NewReader(raw))
	want := "Kính gửi anh, đây là một đoạn văn dài được ngắt mềm bởi Thunderbird.\n\n> trích dẫn tiếp\n-- not a sig, stuffed\n-- \nChữ ký"
	if err != nil || m.Text != want {
		t.Errorf("flowed: %v\n%q\nwant\n%q", err, m.Text, want)
	}
	html := crlf("From: a@x.vn\nSubject: meta\nContent-Type: text/html\n\n") + `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1258"></head><body>` + enc1258("Hà Nội") + "</body></html>\r\n"
	m, _ = Parse(strings.NewReader(html))
	if m.Text != "Hà Nội" || len(m.Problems) != 1 { // "no Date header"
		t.Errorf("meta charset: %q %q", m.Text, m.Problems)
	}
}

func TestComposeNoFrom(t *testing.T) {
	var b strings.Builder
	if err := Compose(&b, Draft{To: []docstore.MailAddress{addr("", "a@x.vn")}, Subject: "Tiêu đề"}); err != nil || strings.Contains(b.String(), "From:") || !strings.Contains(b.String(), "\r\nSubject: =?utf-8?B?") {
		t.Errorf("%v\n%s", err, b.String())
	}
}

func TestOpenNested(t *testing.T) {
	data := readCorpus(t, "28-nested-three.eml")
	var b bytes.Buffer
	if _, err := OpenPart(bytes.NewReader(data), "2.2.2", &b); err != nil || b.String() != "%PDF-1.4\n" {
		t.Errorf("2.2.2: %q %v", b.String(), err)
	}
	b.Reset()
	if _, err := OpenPart(bytes.NewReader(data), "2.2", &b); err != nil || !strings.HasPrefix(b.String(), "From: Lớp Ba <ba@x.vn>\r\n") || !strings.HasSuffix(b.String(), "--n3--") {
		t.Errorf("2.2: %q %v", b.String(), err)
	}
	// The forwarded message opened on its own parses like the original.
	m, err := Parse(&b)
	if err != nil || m.Subject != "Lớp ba" || len(m.Parts) != 1 || m.Parts[0].Name != "lop-ba.pdf" {
		t.Errorf("%v %+v", err, m)
	}
	// A base64-encoded message/rfc822 (against RFC 2046, seen in the wild).
	b.Reset()
	if _, err := OpenPart(bytes.NewReader(readCorpus(t, "48-rfc822-base64.eml")), "2", &b); err != nil || !strings.HasPrefix(b.String(), "From: Goc <goc@x.vn>") {
		t.Errorf("base64 rfc822: %q %v", b.String(), err)
	}
	// Every multipart level is a path too: its raw body.
	b.Reset()
	if _, err := OpenPart(bytes.NewReader(readCorpus(t, "40-calendar-invite.eml")), "1", &b); err != nil || !strings.HasPrefix(b.String(), "--cal-a\r\n") {
		t.Errorf("multipart path: %q %v", b.String(), err)
	}
}

func TestHostileHTMLLinear(t *testing.T) {
	var b strings.Builder
	for range 50000 {
		b.WriteString(`<a href="http://x.vn/"><object><blockquote>`)
	}
	b.WriteString(strings.Repeat("text ", 10000))
	for range 50000 {
		b.WriteString(`</a></div></blockquote>`)
	}
	start := time.Now()
	HTMLToText(b.String())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	start = time.Now()
	DecodeHeader(strings.Repeat("=?utf-8?q?", 20000))
	if d := time.Since(start); d > time.Second {
		t.Errorf("DecodeHeader took %v", d)
	}
}
