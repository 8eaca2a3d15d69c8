package mimemsg

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	docstore "congvu/docs-store"

	"golang.org/x/text/unicode/norm"
)

// readCorpus returns a corpus file's message (gunzipped for .eml.gz).
func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(name, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

type expect func(t *testing.T, m *Message, err error)

func hasProblem(t *testing.T, m *Message, sub string) {
	t.Helper()
	for _, p := range m.Problems {
		if strings.Contains(p, sub) {
			return
		}
	}
	t.Errorf("no problem containing %q in %q", sub, m.Problems)
}

func noProblems(t *testing.T, m *Message) {
	t.Helper()
	if len(m.Problems) > 0 {
		t.Errorf("problems %q, want none", m.Problems)
	}
}

func textHas(t *testing.T, m *Message, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(m.Text, s) {
			t.Errorf("text %q does not contain %q", clip(m.Text), s)
		}
	}
}

func textLacks(t *testing.T, m *Message, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(m.Text, s) {
			t.Errorf("text %q contains %q", clip(m.Text), s)
		}
	}
}

func subjectIs(t *testing.T, m *Message, want string) {
	t.Helper()
	if m.Subject != want {
		t.Errorf("subject %q, want %q", clip(m.Subject), want)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("err %v, want nil", err)
	}
}

// partsAre compares the parts' "path name type size" lines.
func partsAre(t *testing.T, m *Message, want ...string) {
	t.Helper()
	var got []string
	for _, p := range m.Parts {
		got = append(got, partLine(p))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func partLine(p docstore.MailPart) string {
	s := p.Path + " " + p.Name + " " + p.MIMEType + " " + itoa(p.Size)
	if p.Inline {
		s += " inline"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// corpusExpectations: one row per file of testdata/corpus.
var corpusExpectations = map[string]expect{
	"01-boundary-missing-close.eml": func(t *testing.T, m *Message, err error) {
		noErr(t, err)
		textHas(t, m, "Nội dung chính của thư.")
		partsAre(t, m, "2 baocao.pdf application/pdf 9")
		hasProblem(t, m, "close delimiter")
	},
	"02-boundary-mismatch.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Văn bản thật sự.")
		textLacks(t, m, "multi-part message")
		partsAre(t, m, "2 that.pdf application/pdf 9")
		hasProblem(t, m, "does not match")
	},
	"03-boundary-param-missing.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Thư không khai báo boundary.")
		partsAre(t, m, "2 anh.png image/png 8")
		hasProblem(t, m, "without a boundary")
	},
	"04-boundary-in-body.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "--separator is not the boundary", "x --sep in the middle", "--sep-- is not alone", " --sep indented", "Dòng cuối.")
		partsAre(t, m)
		noProblems(t, m)
	},
	"05-boundary-never-found.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Chỉ có văn bản thường")
		hasProblem(t, m, "boundary not found")
	},
	"06-missing-from-subject.eml": func(t *testing.T, m *Message, err error) {
		noErr(t, err)
		subjectIs(t, m, "")
		if len(m.From) != 0 {
			t.Errorf("From %v", m.From)
		}
		textHas(t, m, "Thư không có From và Subject.")
		hasProblem(t, m, "no From")
	},
	"07-duplicate-headers.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Tiêu đề một")
		if len(m.From) != 1 || m.From[0].Addr != "mot@x.vn" {
			t.Errorf("From %v", m.From)
		}
		if len(m.To) != 2 {
			t.Errorf("To %v, want both fields' addresses", m.To)
		}
		if m.Date.Day() != 3 {
			t.Errorf("Date %v, want the first", m.Date)
		}
		textHas(t, m, "Nội dung thư trùng tiêu đề.") // the first Content-Type (text/plain, utf-8)
		hasProblem(t, m, "duplicate Subject")
		hasProblem(t, m, "duplicate Content-Type")
	},
	"08-date-odd-formats.eml": func(t *testing.T, m *Message, err error) {
		want := time.Date(2025, 2, 3, 3, 0, 0, 0, time.UTC)
		if !m.Date.Equal(want) {
			t.Errorf("Date %v, want %v", m.Date, want)
		}
		noProblems(t, m)
	},
	"09-date-garbage.eml": func(t *testing.T, m *Message, err error) {
		noErr(t, err)
		if !m.Date.IsZero() {
			t.Errorf("Date %v, want zero", m.Date)
		}
		hasProblem(t, m, "unparsable Date")
	},
	"10-charset-unknown.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Văn bản UTF-8 nhưng nhãn charset lạ.")
		hasProblem(t, m, `unknown charset "x-unknown"`)
	},
	"11-charset-utf8-alias.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Nhãn utf8 không có gạch nối.")
		noProblems(t, m)
	},
	"12-charset-cp1258-body.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Cộng hoà xã hội chủ nghĩa Việt Nam", "Độc lập - Tự do - Hạnh phúc")
		noProblems(t, m)
	},
	"13-charset-empty.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Nhãn charset rỗng, thân UTF-8.")
		noProblems(t, m)
	},
	"14-windows-1258-subject.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Giấy mời họp")
		textHas(t, m, "Kính mời đồng chí dự họp giao ban.")
	},
	"15-viscii.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Việt Nam")
		textHas(t, m, "Nước Việt Nam, thư mã VISCII cũ.")
		noProblems(t, m)
	},
	"16-raw-utf8-headers.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Tiêu đề UTF-8 thô (RFC 6532)")
		if len(m.From) != 1 || m.From[0].Name != "Nguyễn Thị Hoà" || len(m.To) != 1 || m.To[0].Name != "Trần Văn Đức" {
			t.Errorf("From %v To %v", m.From, m.To)
		}
	},
	"17-nfd.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Quyết định tổ hợp") // NFC literal
		textHas(t, m, "Nghị định, Thông tư.")
	},
	"18-huge-subject.eml.gz": func(t *testing.T, m *Message, err error) {
		if !strings.HasPrefix(m.Subject, "Báo cáo rất dài") || len(m.Subject) > maxFieldBytes {
			t.Errorf("subject of %d bytes: %q", len(m.Subject), clip(m.Subject))
		}
		textHas(t, m, "Than thu.")
		hasProblem(t, m, "truncated")
	},
	"19-ten-thousand-received.eml.gz": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Sau mười nghìn dòng Received")
		textHas(t, m, "Vẫn đọc được.")
		hasProblem(t, m, "header section over 256 KB")
	},
	"20-header-without-colon.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Dòng tiêu đề không có dấu hai chấm")
		textHas(t, m, "Thân thư.")
		hasProblem(t, m, "without a colon")
	},
	"21-bare-lf.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Dòng kết thúc bằng LF.")
		partsAre(t, m, "2 so-lieu.csv text/csv 7")
		noProblems(t, m)
	},
	"22-nul-bytes.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "CóNUL")
		textHas(t, m, "Trướcsau.")
		if strings.ContainsRune(m.Text, 0) || strings.ContainsRune(m.Subject, 0) {
			t.Error("NUL kept")
		}
	},
	"23-empty-parts.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Phần cuối có chữ.")
		partsAre(t, m, "3 rong.bin application/octet-stream 0")
	},
	"24-empty.eml": func(t *testing.T, m *Message, err error) {
		if !errors.Is(err, ErrNotMessage) {
			t.Errorf("err %v, want ErrNotMessage", err)
		}
		hasProblem(t, m, "empty input")
	},
	"25-only-headers.eml": func(t *testing.T, m *Message, err error) {
		noErr(t, err)
		subjectIs(t, m, "Chỉ có tiêu đề")
		if m.Text != "" || len(m.Parts) != 0 {
			t.Errorf("text %q parts %v", m.Text, m.Parts)
		}
	},
	"26-base64-garbage.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Văn bản base64 có rác.")
		partsAre(t, m, "2 cut.pdf application/pdf 15")
		hasProblem(t, m, "damaged base64")
	},
	"27-qp-broken.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Ngày họp: 10/02/2025 lúc 8 giờ", "https://x.vn/?a=1&b=2", "Giờ kết thúc =3", "Phần =ZZ cuối")
		hasProblem(t, m, "damaged quoted-printable")
	},
	"28-nested-three.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Lớp ngoài cùng.", ForwardedLine+"\nTừ: Lớp Hai <hai@x.vn>\nNgày: "+formatDate(time.Date(2025, 2, 2, 8, 0, 0, 0, time.FixedZone("", 7*3600)))+"\nTiêu đề: Lớp hai\n\nNội dung lớp hai.", "Tiêu đề: Lớp ba\n\nNội dung lớp ba.")
		partsAre(t, m, "2 Lớp hai.eml message/rfc822 529", "2.2 Lớp ba.eml message/rfc822 277", "2.2.2 lop-ba.pdf application/pdf 9")
		noProblems(t, m)
	},
	"29-nested-fifty.eml": func(t *testing.T, m *Message, err error) {
		noErr(t, err)
		hasProblem(t, m, "nesting deeper than 8")
		if n := len(m.Parts); n != MaxDepth+1 {
			t.Errorf("%d parts, want %d", n, MaxDepth+1)
		}
		if last := m.Parts[len(m.Parts)-1]; last.Path != "1.1.1.1.1.1.1.1.1" || last.Name != "thư.eml" {
			t.Errorf("last part %+v", last)
		}
		textHas(t, m, "Tiêu đề: Chuyển tiếp cấp 9")
	},
	"30-rfc822-no-body.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Kèm một thư rỗng.")
		textLacks(t, m, ForwardedLine)
		partsAre(t, m, "2 thư.eml message/rfc822 0")
	},
	"31-hostile-names.eml": func(t *testing.T, m *Message, err error) {
		want := []string{
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
		if len(m.Parts) != len(want) {
			t.Fatalf("%d parts, want %d", len(m.Parts), len(want))
		}
		for i, p := range m.Parts {
			if p.Name != want[i] {
				t.Errorf("part %s name %q, want %q (kept as sent)", p.Path, p.Name, want[i])
			}
			safe := docstore.SafeFileName(p.Name)
			if strings.ContainsAny(safe, `/\`+"\u202E\x01\x1b") || strings.HasPrefix(strings.ToUpper(safe), "CON") || len(safe) > docstore.MaxFileNameBytes {
				t.Errorf("SafeFileName(%q) = %q", p.Name, safe)
			}
		}
	},
	"32-rfc2231-continuations.eml": func(t *testing.T, m *Message, err error) {
		partsAre(t, m, "1 Quyết định số 12.pdf application/pdf 9", "2 Tờ trình.doc application/msword 8")
	},
	"33-rfc2047-in-filename.eml": func(t *testing.T, m *Message, err error) {
		partsAre(t, m, "1 Công văn số 15/UBND-VP.docx application/vnd.openxmlformats-officedocument.wordprocessingml.document 4")
	},
	"34-raw-1258-filename.eml": func(t *testing.T, m *Message, err error) {
		partsAre(t, m, "1 Báo cáo tháng.pdf application/pdf 9")
	},
	"35-thousand-parts.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Many parts.")
		if n := len(m.Parts); n < 990 || n >= MaxParts {
			t.Errorf("%d parts", n)
		}
		if p := m.Parts[0]; p.Name != "p0000.txt" || p.Size != 6 {
			t.Errorf("first part %+v", p)
		}
		hasProblem(t, m, "more than 1000 parts")
	},
	"36-zip-bomb.eml": func(t *testing.T, m *Message, err error) {
		// Listed with its real size; nothing is ever unpacked.
		partsAre(t, m, "2 bom.zip application/zip "+itoa(int64(len(zipBomb()))))
	},
	"37-html-only-hostile.eml": func(t *testing.T, m *Message, err error) {
		if !m.FromHTML {
			t.Error("FromHTML false")
		}
		textHas(t, m, "Thông báo\n\nKính gửi & chào anh/chị,", "cổng dịch vụ công (https://dichvucong.gov.vn/p/123)", "bấm đây.", "Liên hệ vanthu@x.vn.", "[hình ảnh: Logo Sở]", "• Mục một\n• Mục hai", "Số\tNgày\n15/UBND\t03/02/2025", "> Trích dẫn thư trước", "Hết.")
		textLacks(t, m, "alert", "pwned", "evil", "javascript", "Tiêu đề trang", "iframe text", "object text", "title in body", "color:red", "(mailto:")
	},
	"38-alternative.eml": func(t *testing.T, m *Message, err error) {
		if m.Text != "Bản văn bản thường." || m.FromHTML {
			t.Errorf("text %q html %v", m.Text, m.FromHTML)
		}
	},
	"39-related-cid.eml": func(t *testing.T, m *Message, err error) {
		if m.Text != "Sơ đồ tổ chức:\n\n[hình ảnh: Sơ đồ]" || !m.FromHTML {
			t.Errorf("text %q html %v", m.Text, m.FromHTML)
		}
		partsAre(t, m, "2 sodo.png image/png 70 inline")
	},
	"40-calendar-invite.eml": func(t *testing.T, m *Message, err error) {
		if m.Text != "Giao ban tuần, phòng 301." {
			t.Errorf("text %q", m.Text)
		}
		partsAre(t, m, "1.3  text/calendar 123", "2 invite.ics application/ics 32")
	},
	"41-smime-signed.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Văn bản đã ký số.")
		textLacks(t, m, "S/MIME")
		partsAre(t, m, "2 smime.p7s application/pkcs7-signature 57")
	},
	"42-only-attachment.eml": func(t *testing.T, m *Message, err error) {
		if m.Text != "" {
			t.Errorf("text %q", m.Text)
		}
		partsAre(t, m, "1 chi-tep.pdf application/pdf 15")
	},
	"43-uuencode.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "See attachment.")
		partsAre(t, m, "2 a.txt application/octet-stream 30") // passed through undecoded
		hasProblem(t, m, `unknown transfer encoding "x-uuencode"`)
	},
	"44-cte-unknown-text.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Văn bản với mã truyền lạ.")
		hasProblem(t, m, `unknown transfer encoding "x-foo"`)
	},
	"45-single-line-10mb.eml.gz": func(t *testing.T, m *Message, err error) {
		if len(m.Text) < TextCap-8 || len(m.Text) > TextCap || !strings.HasPrefix(m.Text, "chữ chữ") {
			t.Errorf("text of %d bytes", len(m.Text))
		}
		hasProblem(t, m, "truncated")
	},
	"46-mbox-from-line.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Dòng From của mbox")
		if len(m.From) != 1 || m.From[0].Addr != "hanhchinh@sotnmt.hanoi.gov.vn" {
			t.Errorf("From %v", m.From)
		}
		noProblems(t, m)
	},
	"47-digest.eml": func(t *testing.T, m *Message, err error) {
		partsAre(t, m, "1 Thư một trong digest.eml message/rfc822 58", "2 Thư hai trong digest.eml message/rfc822 54")
		textHas(t, m, "Tiêu đề: Thư một trong digest\n\nMột.", "Tiêu đề: Thư hai trong digest\n\nHai.")
	},
	"48-rfc822-base64.eml": func(t *testing.T, m *Message, err error) {
		partsAre(t, m, "2 goc.eml message/rfc822 117")
		textHas(t, m, "Tiêu đề: Thư gốc base64\n\nNội dung thư gốc.")
	},
	"49-part-without-headers.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Phần này bắt đầu ngay bằng chữ.")
		hasProblem(t, m, "part without a header section")
	},
	"50-encoded-words-split.eml": func(t *testing.T, m *Message, err error) {
		// A UTF-8 character cut between two words comes out whole; the
		// blank between encoded-words goes (RFC 2047 §6.2); an unknown
		// charset is read as UTF-8; a word glued to text is decoded.
		subjectIs(t, m, "Thông báo khẩnvề việclịch Re:họp")
	},
	"51-address-oddities.eml": func(t *testing.T, m *Message, err error) {
		if len(m.From) != 1 || m.From[0] != (docstore.MailAddress{Name: "Nguyễn Văn Ánh", Addr: "anh@x.vn"}) {
			t.Errorf("From %v", m.From)
		}
		want := []docstore.MailAddress{{Addr: "mot@x.vn"}, {Name: "Hai, Trần", Addr: "hai@x.vn"}, {Name: "Lê Ba", Addr: "ba@x.vn"}, {Addr: "bon@x.vn"}, {Name: "Năm", Addr: "nam@x.vn"}}
		if len(m.To) != len(want) {
			t.Fatalf("To %v", m.To)
		}
		for i := range want {
			if m.To[i] != want[i] {
				t.Errorf("To[%d] %v, want %v", i, m.To[i], want[i])
			}
		}
		if len(m.Cc) != 0 || len(m.ReplyTo) != 1 || m.ReplyTo[0].Addr != "traloi@x.vn" {
			t.Errorf("Cc %v ReplyTo %v", m.Cc, m.ReplyTo)
		}
		if m.MessageID != "bare-id@x.vn" || m.InReplyTo != "parent@x.vn" || strings.Join(m.References, " ") != "a@x.vn b@x.vn parent@x.vn" {
			t.Errorf("ids %q %q %q", m.MessageID, m.InReplyTo, m.References)
		}
		if m.Date.IsZero() {
			t.Error("Date without seconds not parsed")
		}
	},
	"52-continuation-first.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Dòng đầu là dòng gập")
		hasProblem(t, m, "continuation line")
	},
	"53-no-headers.eml": func(t *testing.T, m *Message, err error) {
		if !errors.Is(err, ErrNotMessage) {
			t.Errorf("err %v, want ErrNotMessage", err)
		}
		textHas(t, m, "Đây chỉ là một tệp văn bản", "Dòng hai.")
		hasProblem(t, m, "no header section")
	},
	"54-binary-garbage.eml": func(t *testing.T, m *Message, err error) {
		if !errors.Is(err, ErrNotMessage) {
			t.Errorf("err %v, want ErrNotMessage", err)
		}
	},
	"55-base64-text-truncated.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Văn bản bị cắt giữ")
		hasProblem(t, m, "damaged base64")
	},
	"56-utf16.eml": func(t *testing.T, m *Message, err error) {
		if m.Text != "Chào bằng UTF-16." {
			t.Errorf("text %q", m.Text)
		}
	},
	"57-cjk-cyrillic.eml": func(t *testing.T, m *Message, err error) {
		subjectIs(t, m, "Привет日本語のテキスト")
		textHas(t, m, "日本語のテキスト", "Привет")
		noProblems(t, m)
	},
	"58-latin1-with-cp1252.eml": func(t *testing.T, m *Message, err error) {
		if m.Text != "Café “quoted” € 5" {
			t.Errorf("text %q", m.Text)
		}
	},
	"59-delivery-report.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "could not be delivered")
		partsAre(t, m, "2  message/delivery-status 81", "3  text/rfc822-headers 35")
	},
	"60-unclosed-quote-params.eml": func(t *testing.T, m *Message, err error) {
		partsAre(t, m, "1 thieu-ngoac.pdf application/pdf 9")
	},
	"61-inner-close-missing.eml": func(t *testing.T, m *Message, err error) {
		textHas(t, m, "Văn bản trong.")
		partsAre(t, m, "2 sau.pdf application/pdf 9")
		hasProblem(t, m, "close delimiter")
	},
}

func TestCorpus(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.eml*"))
	if err != nil || len(files) < 40 {
		t.Fatalf("%d corpus files (%v)", len(files), err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			data := readCorpus(t, name)
			cr := &countReader{r: bytes.NewReader(data)}
			type result struct {
				m   *Message
				err error
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				m, err := Parse(cr)
				done <- result{m, err}
			}()
			var res result
			select {
			case res = <-done:
			case <-time.After(2 * time.Second):
				t.Fatal("Parse took over 2 s")
			}
			elapsed := time.Since(start)
			m := res.m
			if m == nil {
				t.Fatal("nil Message")
			}
			if cr.n != int64(len(data)) {
				t.Errorf("Parse read %d of %d bytes", cr.n, len(data))
			}
			checkInvariants(t, m)
			checkParts(t, data, m)
			exp, ok := corpusExpectations[name]
			if !ok {
				t.Fatal("no expectation row for this file")
			}
			exp(t, m, res.err)
			t.Logf("%-34s %6.1f ms  subject %-40q  %4d parts  problems %q", name, elapsed.Seconds()*1000, clipRunes(m.Subject, 40), len(m.Parts), m.Problems)
		})
	}
	for name := range corpusExpectations {
		if !seen[name] {
			t.Errorf("expectation for %s, which is not in the corpus", name)
		}
	}
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// checkInvariants holds for any input: valid NFC text within its cap.
func checkInvariants(t *testing.T, m *Message) {
	t.Helper()
	if len(m.Text) > TextCap {
		t.Errorf("text of %d bytes", len(m.Text))
	}
	strs := []string{m.Subject, m.Text, m.MessageID, m.InReplyTo}
	for _, p := range m.Parts {
		strs = append(strs, p.Name, p.MIMEType, p.Path)
	}
	for _, l := range [][]docstore.MailAddress{m.From, m.To, m.Cc, m.ReplyTo} {
		for _, a := range l {
			strs = append(strs, a.Name, a.Addr)
		}
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8: %q", clip(s))
		}
		if !norm.NFC.IsNormalString(s) {
			t.Errorf("not NFC: %q", clip(s))
		}
	}
	if len(m.Parts) > MaxParts {
		t.Errorf("%d parts", len(m.Parts))
	}
	if len(m.Problems) > maxProblems {
		t.Errorf("%d problems", len(m.Problems))
	}
}

// checkParts opens the listed parts (the first and last 20 of a long
// list, each open reads the message again): the decoded size is the size
// listed.
func checkParts(t *testing.T, data []byte, m *Message) {
	t.Helper()
	parts := m.Parts
	if len(parts) > 40 {
		parts = append(append([]docstore.MailPart{}, parts[:20]...), parts[len(parts)-20:]...)
	}
	for _, p := range parts {
		n, err := OpenPart(bytes.NewReader(data), p.Path, io.Discard)
		if err != nil || n != p.Size {
			t.Errorf("OpenPart(%s) = %d, %v; listed size %d", p.Path, n, err, p.Size)
		}
	}
}
