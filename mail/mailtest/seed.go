package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"mime"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SeedMaildirDir writes n realistic RFC 5322 messages addressed to `to`
// straight into the Maildir dir (into its cur/; cur/, new/ and tmp/ are
// created when missing), the way the recipe's mailgen does
// (/work/shared/recipes/mail-loopback/go/cmd/mailgen): Vietnamese and
// English subjects and names, multipart/alternative bodies, every
// pdfEvery-th message (0: none) with a ~100 KB PDF attachment in base64,
// threads through In-Reply-To, the last 5 % unread, ~2 % flagged, Date from
// 2023-01-01 08:00 +07:00 in 17-minute steps (file mtime = Date).
//
// The output depends only on (to, n, seed, pdfEvery): the same arguments
// give the same files, names included, so seeding twice with the same seed
// rewrites the same messages rather than adding copies. Message i has the
// Message-ID <seed.i@gen.agency.test>.
//
// The file names carry ,S=<size>,W=<vsize> so Dovecot never reads a file
// just to size it. When run as root, the files and the directories created
// belong to the system user "mail" (the test Dovecot's virtual users).
// About 3 s for 20,000 messages (350 MB with pdfEvery=10).
//
// Seeding into a folder Dovecot has already indexed is fine: it finds the
// new files at its next look at the folder.
func SeedMaildirDir(dir string, to string, n int, seed int64, pdfEvery int) error {
	uid, gid := mailIDs()
	// dir is …/mail/<domain>/<user>/Maildir: the domain and home folders
	// above it must belong to the mail user too, or Dovecot cannot open it.
	for _, d := range []string{filepath.Dir(filepath.Dir(dir)), filepath.Dir(dir)} {
		if err := mkdirOwned(d, uid, gid); err != nil {
			return err
		}
	}
	return seedMaildir(dir, to, n, seed, pdfEvery, uid, gid)
}

// mailIDs: the uid and gid of the system user "mail" when running as root
// (-1, -1 otherwise: files keep their owner).
func mailIDs() (int, int) {
	if os.Geteuid() != 0 {
		return -1, -1
	}
	u, err := user.Lookup("mail")
	if err != nil {
		return 8, 8 // Debian's fixed ids
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return 8, 8
	}
	return uid, gid
}

// Message i of a seeding: its file name and content.
type seedFile struct {
	name string
	date time.Time
	data []byte
}

func seedMaildir(dir, to string, n int, seed int64, pdfEvery int, uid, gid int) error {
	if n < 0 {
		return errors.New("mailtest: negative message count")
	}
	if err := mkdirOwned(dir, uid, gid); err != nil {
		return err
	}
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := mkdirOwned(filepath.Join(dir, d), uid, gid); err != nil {
			return err
		}
	}
	cur := filepath.Join(dir, "cur")

	// Generation is sequential (one random stream: deterministic); writing
	// is spread over a few goroutines.
	files := make(chan seedFile, 64)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range files {
				p := filepath.Join(cur, f.name)
				err := os.WriteFile(p, f.data, 0600)
				if err == nil {
					err = os.Chtimes(p, f.date, f.date)
				}
				if err == nil && uid >= 0 {
					err = os.Lchown(p, uid, gid)
				}
				if err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}
		}()
	}
	genErr := generate(to, n, seed, pdfEvery, func(f seedFile) bool {
		select {
		case err := <-errc:
			errc <- err
			return false
		case files <- f:
			return true
		}
	})
	close(files)
	wg.Wait()
	select {
	case err := <-errc:
		return fmt.Errorf("mailtest: seeding %s: %w", dir, err)
	default:
	}
	return genErr
}

func mkdirOwned(d string, uid, gid int) error {
	if _, err := os.Stat(d); err == nil {
		return nil
	}
	if err := os.MkdirAll(d, 0700); err != nil {
		return err
	}
	if uid >= 0 {
		return os.Lchown(d, uid, gid)
	}
	return nil
}

var (
	seedFirstNames = []string{"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Phúc", "Quang", "Sơn", "Thảo", "Trang", "Tuấn", "Vy", "Alice", "Bob", "Carol", "Dave"}
	seedLastNames  = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Smith", "Jones"}
	seedDomains    = []string{"agency.test", "agency.test", "agency.test", "other.test", "ministry.test", "province.test"}
	seedSubjects   = []string{"Công văn số %d/CV-VP về việc triển khai kế hoạch", "Quyết định %d/QĐ phê duyệt dự toán", "Báo cáo tình hình tháng %d", "Re: Giấy mời họp ngày %d", "Tờ trình %d về nhân sự", "Invoice %d for services", "Meeting notes %d", "Fwd: Thông báo %d lịch nghỉ lễ", "Kế hoạch công tác quý %d", "Re: Re: Góp ý dự thảo văn bản %d"}
	seedWords      = strings.Fields("văn bản công văn quyết định kế hoạch báo cáo triển khai thực hiện theo quy định của pháp luật đề nghị các đơn vị phối hợp the quarterly report is attached please review and reply before deadline budget approval meeting schedule document number reference")
)

// asciiFold removes Vietnamese diacritics for the local part of addresses.
func asciiFold(s string) string {
	groups := []struct {
		base rune
		vs   string
	}{
		{'a', "áàảãạăắằẳẵặâấầẩẫậ"}, {'e', "éèẻẽẹêếềểễệ"}, {'i', "íìỉĩị"}, {'o', "óòỏõọôốồổỗộơớờởỡợ"},
		{'u', "úùủũụưứừửữự"}, {'y', "ýỳỷỹỵ"}, {'d', "đĐ"},
	}
	var b strings.Builder
	for _, c := range s {
		if c < 128 {
			b.WriteRune(c)
			continue
		}
		out := 'x'
		for _, g := range groups {
			if strings.ContainsRune(g.vs, c) || strings.ContainsRune(strings.ToUpper(g.vs), c) {
				out = g.base
				break
			}
		}
		b.WriteRune(out)
	}
	return b.String()
}

// makePDF returns a syntactically valid one-page PDF padded to ~size bytes
// with an incompressible stream object.
func makePDF(r *rand.Rand, size int, title string) []byte {
	var b bytes.Buffer
	var offs []int
	obj := func(s string) { offs = append(offs, b.Len()); b.WriteString(s) }
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	obj("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	obj("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n")
	content := fmt.Sprintf("BT /F1 18 Tf 72 770 Td (%s) Tj ET", title)
	obj(fmt.Sprintf("4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content))
	obj("5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n")
	pad := make([]byte, size)
	r.Read(pad)
	obj(fmt.Sprintf("6 0 obj\n<< /Length %d >>\nstream\n", len(pad)))
	b.Write(pad)
	b.WriteString("\nendstream\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	return b.Bytes()
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

// generate produces the n messages in order and hands each to emit; it
// stops early when emit returns false.
func generate(to string, n int, seed int64, pdfEvery int, emit func(seedFile) bool) error {
	r := rand.New(rand.NewSource(seed))
	type person struct{ display, addr string }
	var people []person // every first × last name, with a fixed domain each
	for i, fn := range seedFirstNames {
		for j, ln := range seedLastNames {
			d := seedDomains[(i*7+j*3)%len(seedDomains)]
			local := strings.ToLower(asciiFold(fn)) + "." + strings.ToLower(asciiFold(ln))
			people = append(people, person{mime.QEncoding.Encode("utf-8", ln+" "+fn), local + "@" + d})
		}
	}
	addr := func() string {
		p := people[r.Intn(len(people))]
		return p.display + " <" + p.addr + ">"
	}
	para := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 {
				if i%12 == 0 {
					b.WriteString("\r\n")
				} else {
					b.WriteByte(' ')
				}
			}
			b.WriteString(seedWords[r.Intn(len(seedWords))])
		}
		return b.String()
	}
	var pdfs []string
	if pdfEvery > 0 && n > 0 {
		for i := 0; i < 8; i++ {
			pdfs = append(pdfs, wrap76(base64.StdEncoding.EncodeToString(makePDF(r, 100*1024, fmt.Sprintf("Van ban so %d", i)))))
		}
	}
	start := time.Date(2023, 1, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	var msgIDs []string
	for i := 0; i < n; i++ {
		date := start.Add(time.Duration(i) * 17 * time.Minute)
		msgid := fmt.Sprintf("<%d.%d@gen.agency.test>", seed, i)
		subj := fmt.Sprintf(seedSubjects[r.Intn(len(seedSubjects))], 1+r.Intn(999))
		var h bytes.Buffer
		h.Grow(4096)
		fmt.Fprintf(&h, "Return-Path: <sender@agency.test>\r\n")
		fmt.Fprintf(&h, "Received: from mail.agency.test (localhost [127.0.0.1])\r\n\tby mail.agency.test (Postfix) with ESMTPS id %X\r\n\tfor <%s>; %s\r\n", r.Int63(), to, date.Format(time.RFC1123Z))
		fmt.Fprintf(&h, "Message-ID: %s\r\n", msgid)
		fmt.Fprintf(&h, "Date: %s\r\n", date.Format(time.RFC1123Z))
		fmt.Fprintf(&h, "From: %s\r\n", addr())
		fmt.Fprintf(&h, "To: %s\r\n", to)
		if r.Intn(3) == 0 {
			fmt.Fprintf(&h, "Cc: %s, %s\r\n", addr(), addr())
		}
		fmt.Fprintf(&h, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subj))
		if len(msgIDs) > 0 && r.Intn(4) == 0 {
			parent := msgIDs[r.Intn(len(msgIDs))]
			fmt.Fprintf(&h, "In-Reply-To: %s\r\nReferences: %s\r\n", parent, parent)
		}
		if len(msgIDs) < 5000 {
			msgIDs = append(msgIDs, msgid)
		} else {
			msgIDs[r.Intn(len(msgIDs))] = msgid
		}
		fmt.Fprintf(&h, "MIME-Version: 1.0\r\n")
		text := para(40 + r.Intn(300))
		alt := fmt.Sprintf("--alt%d\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n\r\n--alt%d\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n<html><body><p>%s</p></body></html>\r\n--alt%d--\r\n", i, text, i, text, i)
		if pdfEvery > 0 && i%pdfEvery == 0 {
			fmt.Fprintf(&h, "Content-Type: multipart/mixed; boundary=\"mix%d\"\r\n\r\n", i)
			fmt.Fprintf(&h, "--mix%d\r\nContent-Type: multipart/alternative; boundary=\"alt%d\"\r\n\r\n%s\r\n", i, i, alt)
			fname := fmt.Sprintf("cong-van-%d.pdf", i)
			fmt.Fprintf(&h, "--mix%d\r\nContent-Type: application/pdf; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s--mix%d--\r\n", i, fname, fname, pdfs[i%len(pdfs)], i)
		} else {
			fmt.Fprintf(&h, "Content-Type: multipart/alternative; boundary=\"alt%d\"\r\n\r\n%s", i, alt)
		}
		msg := h.Bytes()
		flags := ""
		if i < n-n/20 { // the last 5 % unread
			flags = "S"
		}
		if r.Intn(50) == 0 {
			flags = "F" + flags
		}
		// S= physical size, W= virtual (CRLF) size: every line ends in CRLF, so W == S.
		name := fmt.Sprintf("%d.M%dP%dQ%d.seed,S=%d,W=%d:2,%s", date.Unix(), i, seed&0x7fffffff, i, len(msg), len(msg), flags)
		if !emit(seedFile{name: name, date: date, data: msg}) {
			return nil
		}
	}
	return nil
}
