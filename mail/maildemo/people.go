package maildemo

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/docs-store/vntext"
)

// Sender kinds.
const (
	kindGov = iota
	kindColleague
	kindCitizen
	kindCompany
	kindSystem
)

// sender is someone who writes to the văn thư.
type sender struct {
	addr     docstore.MailAddress
	org      string // organisation, for the text ("Sở Tài chính tỉnh Lâm Hà")
	abbr     string // in its notations (STC)
	kind     int
	sig      string // signature block
	mailer   string // X-Mailer of its program, "" none
	person   docstore.Person
	mobile   string
	born     int      // a citizen's year of birth
	subjects []string // its own subjects (agencies outside the demo's issuers)
}

// The province of the demo's issuers (docs-store/demo.Issuers).
const (
	province       = "Lâm Hà"
	provinceDomain = "lamha.gov.vn"
)

const (
	zimbra  = "Zimbra 8.8.15_GA_4581 (ZimbraWebClient - GC131 (Win)/8.8.15_GA_4581)"
	outlook = "Microsoft Outlook 16.0"
)

// issuerAddr is the mailbox of one of the demo's issuers.
var issuerAddr = map[string]string{
	"000.00.00.H31": "vanthu@lamha.gov.vn",
	"000.00.01.H31": "vpubnd@lamha.gov.vn",
	"000.00.10.H31": "congan@lamha.gov.vn",
	"000.00.00.G09": "vanthu@moha.gov.vn",
	"000.00.00.G22": "vanthu@vpcp.gov.vn",
	"000.00.00.G18": "vanthu@monre.gov.vn",
	"000.12.31.H31": "huyenuy.ductrong@lamha.dcs.vn",
}

// extraAgencies write to the agency about their own business.
var extraAgencies = []struct {
	name, addr, abbr string
	subjects         []string
}{
	{"Kho bạc Nhà nước tỉnh Lâm Hà", "kbnn.lamha@vst.gov.vn", "KBLH", []string{
		"V/v đối chiếu số dư tài khoản dự toán ngân sách tháng {M}/{Y}",
		"Công văn số {N}/KBLH-KSC về việc kiểm soát chi thường xuyên năm {Y}",
		"Thông báo thời gian giao dịch và khóa sổ kế toán cuối năm {Y}",
	}},
	{"Cục Thuế tỉnh Lâm Hà", "cucthue.lamha@gdt.gov.vn", "CT", []string{
		"V/v đôn đốc quyết toán thuế thu nhập cá nhân năm {Y0}",
		"Công văn số {N}/CT-HKDCN về việc phối hợp quản lý thuế hộ kinh doanh",
	}},
	{"Bảo hiểm xã hội tỉnh Lâm Hà", "bhxh.lamha@vss.gov.vn", "BHXH", []string{
		"V/v đối chiếu, xác nhận số liệu đóng BHXH, BHYT quý {Q}/{Y}",
		"V/v triển khai thu BHYT học sinh, sinh viên năm học {Y}–{Y1}",
	}},
	{"UBND huyện Đức Trọng", "vanthu@ductrong.lamha.gov.vn", "UBND", []string{
		"Công văn số {N}/UBND-VP về việc phối hợp giải quyết đơn của công dân",
		"V/v phối hợp quản lý trật tự xây dựng khu vực giáp ranh",
	}},
	{"UBND huyện Đơn Dương", "vanthu@donduong.lamha.gov.vn", "UBND", []string{
		"V/v trao đổi kinh nghiệm thực hiện chuyển đổi số cấp xã",
		"Giấy mời dự Hội nghị tổng kết phong trào thi đua Khối thi đua các huyện, thành phố",
	}},
	{"Trung tâm Lưu trữ lịch sử tỉnh Lâm Hà", "ttluutru@lamha.gov.vn", "TTLT", []string{
		"V/v hướng dẫn thu thập hồ sơ, tài liệu vào Lưu trữ lịch sử năm {Y}",
		"Thông báo danh mục hồ sơ, tài liệu thuộc diện nộp lưu năm {Y}",
	}},
	{"Ban Thi đua – Khen thưởng tỉnh Lâm Hà", "btdkt@lamha.gov.vn", "BTĐKT", []string{
		"V/v hướng dẫn hồ sơ đề nghị khen thưởng tổng kết năm {Y}",
	}},
}

var (
	streets  = []string{"Trần Phú", "Hùng Vương", "Lê Hồng Phong", "Nguyễn Văn Cừ", "Hai Bà Trưng", "Quang Trung", "3 Tháng 2", "Phan Đình Phùng"}
	wards    = []string{"Hòa Bình", "Phước Lộc", "Tân An", "Xuân Trường", "Lộc Phát", "Đông Hòa"}
	family   = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"}
	middleM  = []string{"Văn", "Hữu", "Đức", "Minh", "Quốc", "Công"}
	middleF  = []string{"Thị", "Ngọc", "Thu", "Hồng", "Kim"}
	givenM   = []string{"Bình", "Cường", "Dũng", "Hải", "Hùng", "Khoa", "Long", "Nam", "Sơn", "Tuấn", "Vinh"}
	givenF   = []string{"Chi", "Dung", "Hà", "Hoa", "Hương", "Lan", "Mai", "Nhung", "Thảo", "Trang", "Yến"}
	contacts = []string{"ông Nguyễn Minh Tuấn", "bà Trần Thị Thu Hà", "ông Lê Quốc Bình", "bà Phạm Ngọc Lan", "ông Võ Đức Long"}
)

func (f *filler) pick(list []string) string { return list[f.r.IntN(len(list))] }

func (f *filler) personName() string {
	fam := f.pick(family)
	if f.r.IntN(2) == 0 {
		return fam + " " + f.pick(middleM) + " " + f.pick(givenM)
	}
	return fam + " " + f.pick(middleF) + " " + f.pick(givenF)
}

func (f *filler) mobileNumber() string {
	return fmt.Sprintf("09%d%d.%03d.%03d", f.r.IntN(10), f.r.IntN(10), f.r.IntN(1000), f.r.IntN(1000))
}

func (f *filler) deskPhone() string {
	return fmt.Sprintf("0263.38%02d.%03d", f.r.IntN(100), f.r.IntN(1000))
}

func (f *filler) street() string {
	return fmt.Sprintf("Số %d đường %s", 2+f.r.IntN(180), f.pick(streets))
}

// senders builds everybody who writes, in a fixed order.
func (f *filler) senders() {
	f.issuers = map[string]*sender{}
	gov := func(name, addr, abbr, city, mailer string) *sender {
		s := &sender{addr: docstore.MailAddress{Name: name, Addr: addr}, org: name, abbr: abbr, kind: kindGov, mailer: mailer}
		s.sig = "--\nBộ phận Văn thư – " + name + "\nĐịa chỉ: " + f.street() + ", " + city + "\nĐiện thoại: " + f.deskPhone() + " · Thư điện tử: " + addr
		return s
	}
	for _, is := range demo.Issuers {
		addr, ok := issuerAddr[is.Code]
		if !ok {
			addr = asciiWord(is.Abbr) + "@" + provinceDomain
			if strings.HasPrefix(is.Name, "Ban Quản lý") { // a unit of the city itself
				addr = asciiWord(is.Abbr) + "@" + f.domain
			}
		}
		city, mailer := "thành phố "+province+", tỉnh "+province, zimbra
		if strings.HasPrefix(is.Name, "Bộ") || strings.HasPrefix(is.Name, "Văn phòng Chính phủ") {
			city, mailer = "Hà Nội", outlook
		}
		s := gov(is.Name, addr, is.Abbr, city, mailer)
		f.gov = append(f.gov, s)
		f.issuers[is.Name] = s
	}
	for _, e := range extraAgencies {
		s := gov(e.name, e.addr, e.abbr, "thành phố "+province+", tỉnh "+province, zimbra)
		s.subjects = e.subjects
		f.extras = append(f.extras, s)
		f.issuers[e.name] = s
	}
	for i := 0; i < 5; i++ {
		name := f.personName()
		year := 1962 + f.r.IntN(40)
		addr := fmt.Sprintf("%s%d@homthu.test", personalLocal(name), year)
		mobile := f.mobileNumber()
		f.citizens = append(f.citizens, &sender{addr: docstore.MailAddress{Name: name, Addr: addr}, org: name, kind: kindCitizen,
			mobile: mobile, born: year, sig: name + "\nĐiện thoại: " + mobile})
	}
	for _, c := range []struct{ name, addr, boss, title string }{
		{"Công ty TNHH Xây dựng Hoàng Gia", "hoanggia.xd@doanhnghiep.test", "Trần Quốc Việt", "Giám đốc"},
		{"Công ty Cổ phần Môi trường Đô thị " + f.agency.Place, "vanphong@moitruongdothi.test", "Nguyễn Thị Kim Dung", "Phó Giám đốc"},
		{"Công ty Cổ phần Tư vấn Thiết kế Cao Nguyên", "info@tuvancaonguyen.test", "Lê Hữu Khoa", "Trưởng phòng Kỹ thuật"},
	} {
		tax := fmt.Sprintf("58%08d", f.r.IntN(100000000))
		f.companies = append(f.companies, &sender{addr: docstore.MailAddress{Name: c.name, Addr: c.addr}, org: c.name, kind: kindCompany,
			mailer: outlook, sig: c.boss + "\n" + c.title + "\n" + c.name + "\nMã số thuế: " + tax + "\nĐiện thoại: " + f.deskPhone()})
	}
	if f.admin.Email != "" {
		f.system = append(f.system, &sender{addr: docstore.MailAddress{Name: f.admin.FullName, Addr: f.admin.Email}, kind: kindSystem,
			person: f.admin, sig: f.admin.FullName + "\n" + f.admin.Title})
	}
	f.system = append(f.system, &sender{addr: docstore.MailAddress{Name: "Hệ thống Một cửa điện tử tỉnh " + province, Addr: "khongtraloi@dichvucong." + provinceDomain},
		kind: kindSystem, mailer: ""})
}

// colleague is a member of the agency as a sender.
func (f *filler) colleague(p docstore.Person) *sender {
	mobile := mobileOf(p.ID)
	sig := p.FullName + "\n" + p.Title
	if p.UnitName != "" {
		sig += " – " + p.UnitName
	}
	sig += "\nĐT: " + mobile
	return &sender{addr: docstore.MailAddress{Name: p.FullName, Addr: p.Email}, org: p.UnitName, kind: kindColleague,
		person: p, mobile: mobile, sig: sig, mailer: "Thunderbird 128.5.0", subjects: nil}
}

// mobileOf is a stable phone number for a person (the same in every message).
func mobileOf(id string) string {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint32(id[i])) * 16777619
	}
	return fmt.Sprintf("09%d%d.%03d.%03d", h%10, h/10%10, h/100%1000, h/100000%1000)
}

func (f *filler) randomColleague() *sender {
	if len(f.colleagues) == 0 {
		return f.gov[0]
	}
	return f.colleague(f.colleagues[f.r.IntN(len(f.colleagues))])
}

// ---- names and addresses ----

// shortAgency: "Ủy ban nhân dân thành phố Lâm Sơn" → "UBND thành phố Lâm Sơn".
func shortAgency(name string) string {
	for _, p := range []string{"Ủy ban nhân dân", "Uỷ ban nhân dân"} {
		if rest, ok := strings.CutPrefix(name, p); ok {
			return "UBND" + rest
		}
	}
	return name
}

// asciiWord folds s to lower-case ASCII letters and digits only.
func asciiWord(s string) string {
	var b strings.Builder
	for _, r := range vntext.Fold(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// agencyDomain is the agency's mail domain: the one its staff's addresses
// use when it is a gov.vn one, else one made from its place.
func agencyDomain(a docstore.Agency, people []docstore.Person) string {
	counts := map[string]int{}
	best := ""
	for _, p := range people {
		_, d, ok := strings.Cut(strings.ToLower(strings.TrimSpace(p.Email)), "@")
		if !ok || !strings.HasSuffix(d, ".gov.vn") {
			continue
		}
		counts[d]++
		if counts[d] > counts[best] || (counts[d] == counts[best] && d < best) {
			best = d
		}
	}
	if best != "" {
		return best
	}
	place := asciiWord(a.Place)
	if place == "" {
		place = asciiWord(a.Name)
	}
	if place == "" {
		place = "coquan"
	}
	return place + ".gov.vn"
}

// personalLocal is the usual local part of a civil servant's address:
// the given name then the initials of the others, "Đỗ Thị Hạnh" → "hanhdt".
func personalLocal(full string) string {
	ws := strings.Fields(full)
	if len(ws) == 0 {
		return "vanthu"
	}
	out := asciiWord(ws[len(ws)-1])
	for _, w := range ws[:len(ws)-1] {
		if a := asciiWord(w); a != "" {
			out += a[:1]
		}
	}
	return out
}

func personalAddress(full, domain string) string { return personalLocal(full) + "@" + domain }

// honorific: how a junior colleague addresses p.
func honorific(p docstore.Person) string {
	if strings.Contains(" "+p.FullName+" ", " Thị ") {
		return "chị"
	}
	for _, g := range givenF {
		if strings.HasSuffix(p.FullName, " "+g) {
			return "chị"
		}
	}
	return "anh"
}

func givenName(full string) string {
	ws := strings.Fields(full)
	if len(ws) == 0 {
		return full
	}
	return ws[len(ws)-1]
}

// ---- text helpers ----

func dmy(t time.Time) string { return t.Format("02/01/2006") }

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// lowerFirst lowers the first letter unless the first word is an
// abbreviation (UBND, V/v, HĐND).
func lowerFirst(s string) string {
	word, _, _ := strings.Cut(s, " ")
	upper := 0
	for _, r := range word {
		if unicode.IsUpper(r) {
			upper++
		}
	}
	if upper > 1 || strings.Contains(word, "/") {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func typeName(code string) string {
	if t, ok := docstore.LookupDocType(code); ok {
		return t.Name
	}
	return "Công văn"
}

// fileStem turns a số ký hiệu into a file name stem: 15/QĐ-UBND → 15-QĐ-UBND.
func fileStem(notation string) string { return strings.ReplaceAll(notation, "/", "-") }

// shortName is s cut at a word to at most n bytes (a file name).
func shortName(s string, n int) string {
	s = strings.NewReplacer("/", "-", ",", "", ":", "").Replace(s)
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut <= 0 {
		return s
	}
	return s[:cut]
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// ---- time ----

// workday moves most weekend days to the Friday before.
func (f *filler) workday(day time.Time) time.Time {
	switch day.Weekday() {
	case time.Saturday:
		if f.r.IntN(5) > 0 {
			return day.AddDate(0, 0, -1)
		}
	case time.Sunday:
		if f.r.IntN(5) > 0 {
			return day.AddDate(0, 0, -2)
		}
	}
	return day
}

// nextWorkday is day, or the Monday after when it is a weekend day.
func nextWorkday(day time.Time) time.Time {
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	return day
}

// workdayBack moves a weekend day to the Friday before.
func (f *filler) workdayBack(day time.Time) time.Time {
	switch day.Weekday() {
	case time.Saturday:
		return day.AddDate(0, 0, -1)
	case time.Sunday:
		return day.AddDate(0, 0, -2)
	}
	return day
}

// later is a moment some time after t, in office hours (the next working
// morning when that falls in the evening), or the zero time when it
// would be after now.
func (f *filler) later(t time.Time, least, most time.Duration) time.Time {
	u := t.Add(least + time.Duration(f.r.Int64N(int64(most-least)+1)))
	if h := u.Hour(); h < 7 || h >= 18 || u.Weekday() == time.Saturday || u.Weekday() == time.Sunday {
		day := midnight(u)
		if h >= 18 {
			day = day.AddDate(0, 0, 1)
		}
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		u = day.Add(7*time.Hour + 20*time.Minute + time.Duration(f.r.IntN(100))*time.Minute)
	}
	if u.After(f.now.Add(-2 * time.Minute)) {
		return time.Time{}
	}
	return u
}

// officeTime is a moment of day: office hours mostly, a few evenings.
func (f *filler) officeTime(day time.Time) time.Time {
	day = midnight(day)
	if f.r.IntN(100) < 6 {
		return day.Add(19*time.Hour + time.Duration(f.r.IntN(210))*time.Minute + time.Duration(f.r.IntN(60))*time.Second)
	}
	min := 7*60 + 10 + f.r.IntN(620) // 07:10–17:30
	if min > 11*60+45 && min < 13*60+15 && f.r.IntN(10) < 7 {
		min += 90 // lunch
	}
	return day.Add(time.Duration(min)*time.Minute + time.Duration(f.r.IntN(60))*time.Second)
}

// notAfterNow keeps t a few minutes before now.
func (f *filler) notAfterNow(t time.Time) time.Time {
	if limit := f.now.Add(-2 * time.Minute); t.After(limit) {
		return f.now.Add(-time.Duration(2+f.r.IntN(120))*time.Minute - time.Duration(f.r.IntN(60))*time.Second)
	}
	return t
}

// recent is a moment in the last days before now, denser towards now
// (power > 1), on a working day in office hours.
func (f *filler) recent(days, power float64) time.Time {
	age := time.Duration(days * math.Pow(f.r.Float64(), power) * float64(24*time.Hour))
	day := f.workday(midnight(f.now.Add(-age)))
	return f.notAfterNow(f.officeTime(day))
}

// between is a moment on a working day in [from, to).
func (f *filler) between(from, to time.Time) time.Time {
	span := max(int(to.Sub(from).Hours()/24), 1)
	day := f.workday(midnight(from.AddDate(0, 0, f.r.IntN(span))))
	return f.notAfterNow(f.officeTime(day))
}

// messageID is a Message-ID as the sender's server makes them.
func (f *filler) messageID(t time.Time, addr string) string {
	_, domain, _ := strings.Cut(addr, "@")
	f.seq++
	switch {
	case strings.HasSuffix(domain, ".test"):
		return fmt.Sprintf("CA%016X%04d@mail.%s", f.r.Uint64(), f.seq%10000, domain)
	case strings.HasSuffix(domain, f.domain) || domain == f.domain:
		return fmt.Sprintf("%s.%016x@%s", fmtBase36(t.UnixNano()), f.r.Uint64(), domain)
	}
	return fmt.Sprintf("%d.%d.%d.JavaMail.zimbra@%s", 1000000000+f.r.IntN(1000000000), f.seq, t.UnixMilli(), domain)
}

func fmtBase36(n int64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if n <= 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%36]}, b...)
		n /= 36
	}
	return string(b)
}
