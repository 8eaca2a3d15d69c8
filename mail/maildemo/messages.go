package maildemo

import (
	"context"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
	"congvu/mail/mimemsg"
)

// official is a document another agency (or this one) sent by mail.
type official struct {
	typ, notation, subject, issuer string
	docDate                        time.Time
	urgency                        docstore.Urgency
}

func officialOf(in docstore.IncomingInput) official {
	d, _ := time.ParseInLocation("2006-01-02", in.DocDate, vn)
	return official{typ: in.Type, notation: in.Notation, subject: in.Subject, issuer: in.Issuer, docDate: d, urgency: in.Urgency}
}

// pools draws the documents of other agencies the way the demo registers
// them (demo.IncomingInputs: the same issuers, types, numbering through
// the year and subjects): this year's, of which the last 70 days are
// used, and last year's for the Archive/<year> folder.
func (f *filler) pools() {
	y := f.now.Year()
	jan2 := time.Date(y, 1, 2, 0, 0, 0, 0, vn)
	cut := midnight(f.now).AddDate(0, 0, -70).Format("2006-01-02")
	for _, in := range demo.IncomingInputs(f.r, "", 2400, jan2, f.now, docstore.SecrecyNone) {
		if in.ArrivalDate >= cut {
			f.pool = append(f.pool, officialOf(in))
		}
	}
	if len(f.pool) == 0 { // now is in the first days of January
		for _, in := range demo.IncomingInputs(f.r, "", 200, f.now.AddDate(0, 0, -70), f.now, docstore.SecrecyNone) {
			f.pool = append(f.pool, officialOf(in))
		}
	}
	for _, in := range demo.IncomingInputs(f.r, "", 600, time.Date(y-1, 1, 2, 0, 0, 0, 0, vn), time.Date(y-1, 12, 31, 0, 0, 0, 0, vn), docstore.SecrecyNone) {
		f.oldPool = append(f.oldPool, officialOf(in))
	}
}

// nextOfficial is the next document of this year's pool: each once
// before any comes again.
func (f *filler) nextOfficial() official { return f.next(f.pool, &f.poolAt) }

func (f *filler) nextOld() official { return f.next(f.oldPool, &f.oldAt) }

func (f *filler) next(pool []official, at *int) official {
	if *at%len(pool) == 0 {
		f.r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	}
	o := pool[*at%len(pool)]
	*at++
	return o
}

// verbPrefixes start the demo's subjects (docs-store/demo): what is left
// is the topic.
var verbPrefixes = func() []string {
	ps := []string{"V/v đề nghị báo cáo ", "V/v góp ý dự thảo về ", "V/v đôn đốc ", "V/v ", "Về việc phê duyệt kế hoạch ",
		"Về việc thành lập Tổ công tác ", "Về việc ban hành quy chế ", "Về việc giao chỉ tiêu ", "Về việc ", "Kế hoạch triển khai ",
		"Thực hiện ", "Tổ chức ", "Kết luận của Chủ tịch UBND tỉnh về ", "Thông báo lịch ", "Thông báo kết quả ", "Báo cáo tình hình ",
		"Báo cáo sơ kết ", "Báo cáo kết quả ", "Mời dự họp về ", "Mời dự hội nghị ", "Mời dự tập huấn ", "Về tăng cường ",
		"Về đẩy mạnh ", "Hướng dẫn thực hiện ", "Hướng dẫn ", "Đề nghị phê duyệt ", "Đề nghị bổ sung kinh phí ", "Quy định chi tiết ",
		"Sửa đổi, bổ sung quy định về ", "Quy định "}
	slices.SortStableFunc(ps, func(a, b string) int { return len(b) - len(a) })
	return ps
}()

// topicOf is a subject without its verb: "V/v đôn đốc tiêm chủng mở
// rộng" → "tiêm chủng mở rộng".
func topicOf(subject string) string {
	for _, p := range verbPrefixes {
		if rest, ok := strings.CutPrefix(subject, p); ok && rest != "" {
			return lowerFirst(rest)
		}
	}
	return lowerFirst(subject)
}

// subjectFor makes the trích yếu of a document of type typ on a topic.
func subjectFor(typ, topic string) string {
	switch {
	case typ == "KH" && (strings.HasPrefix(topic, "triển khai ") || strings.HasPrefix(topic, "thực hiện ")):
		return "Kế hoạch " + topic
	}
	switch typ {
	case "BC":
		return "Báo cáo kết quả " + topic
	case "KH":
		return "Kế hoạch triển khai " + topic
	case "QD":
		return "Về việc phê duyệt kế hoạch " + topic
	case "TB":
		return "Thông báo kết quả " + topic
	case "TTR":
		return "Đề nghị phê duyệt " + topic
	}
	return "V/v " + topic
}

// meetingDay is the day of the meeting a giấy mời sent on sent invites
// to: a few working days later (the same in its subject and its text).
func meetingDay(o official, sent time.Time) time.Time {
	return nextWorkday(midnight(sent).AddDate(0, 0, 2+len(o.notation)%5))
}

// mailSubject is how an agency's mail names the document it carries:
// "Công văn số 15/STC-VP về việc …", "V/v báo cáo tình hình …",
// "Giấy mời họp về … (ngày 03/12)", "Quyết định số 12/QĐ-UBND về việc …".
func (f *filler) mailSubject(o official, sent time.Time) string { return f.subjectOf(o, sent, false) }

// subjectOf: formal, the subject always names the document by its number.
func (f *filler) subjectOf(o official, sent time.Time, formal bool) string {
	tn := typeName(o.typ)
	subj := o.subject
	var s string
	switch {
	case formal:
		s = formalSubject(tn, o)
	case o.typ == "GM":
		rest := strings.TrimPrefix(subj, "Mời ")
		s = "Giấy mời " + rest + " (ngày " + meetingDay(o, sent).Format("02/01") + ")"
	case o.typ == "CV" && strings.HasPrefix(subj, "V/v ") && f.r.IntN(2) == 0:
		s = subj
	case o.typ == "CV" && f.r.IntN(4) == 0:
		s = "V/v " + lowerFirst(strings.TrimPrefix(strings.TrimPrefix(subj, "Về việc "), "V/v "))
	case o.typ == "BC" && f.r.IntN(2) == 0:
		s = "V/v " + lowerFirst(subj)
	default:
		s = formalSubject(tn, o)
	}
	if f.r.IntN(3) > 0 {
		return s
	}
	switch o.urgency {
	case docstore.UrgencyUrgent:
		s = "Khẩn: " + s
	case docstore.UrgencyHigh:
		s = "Thượng khẩn: " + s
	case docstore.UrgencyFlash:
		s = "Hỏa tốc: " + s
	}
	return s
}

func formalSubject(tn string, o official) string {
	rest := o.subject
	if r, ok := strings.CutPrefix(rest, tn+" "); ok {
		rest = r
	}
	return tn + " số " + o.notation + " " + lowerFirst(rest)
}

var notationIn = regexp.MustCompile(`số (\d+/\S+)`)

var requestParas = []string{
	"Đề nghị {to} chỉ đạo các phòng, ban chuyên môn nghiên cứu, triển khai thực hiện theo chức năng, nhiệm vụ được giao.",
	"Đề nghị {to} tổng hợp, báo cáo kết quả thực hiện về {org} trước ngày {due} để tổng hợp, báo cáo cấp có thẩm quyền.",
	"Báo cáo đề nghị gửi bằng văn bản, đồng thời gửi bản điện tử (định dạng .docx) qua địa chỉ thư điện tử này.",
	"Trong quá trình thực hiện, nếu có vướng mắc, đề nghị liên hệ {contact}, chuyên viên, điện thoại {mobile}, để được hướng dẫn.",
	"Đề nghị quý cơ quan xác nhận đã nhận được văn bản bằng cách trả lời thư này.",
	"Các biểu mẫu kèm theo được đăng tải trên Cổng thông tin điện tử của {org}, mục Văn bản chỉ đạo điều hành.",
}

const eSignNote = "Văn bản điện tử có chữ ký số của {org}, có giá trị pháp lý như bản giấy; bản giấy không gửi qua đường bưu chính."

func (f *filler) fillIn(s string, to, org string, sent time.Time) string {
	return strings.NewReplacer("{to}", to, "{org}", org, "{due}", dmy(nextWorkday(midnight(sent).AddDate(0, 0, 7+f.r.IntN(14)))),
		"{contact}", f.pick(contacts), "{mobile}", f.mobileNumber()).Replace(s)
}

// officialText is the body of an agency's mail carrying a document.
func (f *filler) officialText(from *sender, o official, to string, sent time.Time, attached bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Kính gửi: %s.\n\n", to)
	what := fmt.Sprintf("%s số %s ngày %s %s", strings.ToLower(typeName(o.typ)), o.notation, dmy(o.docDate), lowerFirst(strings.TrimPrefix(o.subject, typeName(o.typ)+" ")))
	if attached {
		fmt.Fprintf(&b, "%s gửi %s (văn bản điện tử đính kèm).\n", from.org, what)
	} else {
		fmt.Fprintf(&b, "%s thông báo đã ban hành %s; văn bản được đăng tải trên Hệ thống quản lý văn bản và điều hành.\n", from.org, what)
	}
	if o.typ == "GM" {
		fmt.Fprintf(&b, "Thời gian: %02d giờ %02d, ngày %s.\n", 8+f.r.IntN(7), []int{0, 30}[f.r.IntN(2)], dmy(meetingDay(o, sent)))
		fmt.Fprintf(&b, "Địa điểm: Phòng họp số %d, trụ sở %s.\n", 1+f.r.IntN(4), from.org)
		b.WriteString("Thành phần: Lãnh đạo " + f.agencyShort + "; lãnh đạo phòng chuyên môn liên quan.\n")
	}
	paras := slices.Clone(requestParas)
	f.r.Shuffle(len(paras), func(i, j int) { paras[i], paras[j] = paras[j], paras[i] })
	for _, p := range paras[:1+f.r.IntN(3)] {
		b.WriteString(f.fillIn(p, f.agencyShort, from.org, sent) + "\n")
	}
	if attached && f.r.IntN(2) == 0 {
		b.WriteString(f.fillIn(eSignNote, "", from.org, sent) + "\n")
	}
	b.WriteString("\nTrân trọng./.\n\n" + from.sig + "\n")
	return b.String()
}

func (f *filler) pdf(name, title string, lines ...string) file {
	return file{name: name, typ: mimePDF, data: makePDF(f.r, title, lines, 4<<10+f.r.IntN(56<<10))}
}

var docxParas = []string{
	"Căn cứ Luật Tổ chức chính quyền địa phương; căn cứ Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ về công tác văn thư;",
	"I. MỤC ĐÍCH, YÊU CẦU",
	"1. Triển khai kịp thời, đồng bộ, hiệu quả các nhiệm vụ được giao; xác định rõ nội dung công việc, thời hạn hoàn thành và trách nhiệm của từng cơ quan, đơn vị.",
	"2. Bảo đảm sự phối hợp chặt chẽ giữa các phòng, ban chuyên môn và Ủy ban nhân dân các phường, xã trong quá trình tổ chức thực hiện.",
	"II. NỘI DUNG THỰC HIỆN",
	"1. Rà soát, cập nhật số liệu; tổng hợp kết quả thực hiện của từng đơn vị theo biểu mẫu kèm theo.",
	"2. Kinh phí thực hiện từ nguồn ngân sách nhà nước được giao trong dự toán năm và các nguồn hợp pháp khác.",
	"III. TỔ CHỨC THỰC HIỆN",
	"Giao Văn phòng HĐND và UBND theo dõi, đôn đốc; định kỳ tổng hợp, báo cáo Chủ tịch UBND thành phố kết quả thực hiện.",
}

func (f *filler) docx(name, title string) file {
	return file{name: name, typ: mimeDOCX, data: makeDOCX(title, docxParas, 4<<10+f.r.IntN(56<<10))}
}

// officialFiles: the document as a signed PDF, sometimes with a draft or
// an annex in Word.
func (f *filler) officialFiles(o official) []file {
	stem := fileStem(o.notation)
	if t, _ := docstore.LookupDocType(o.typ); t.Abbr == "" {
		stem = "CV " + stem
	}
	out := []file{f.pdf(stem+".pdf", typeName(o.typ)+" "+o.notation, o.issuer, o.subject, "Ngay "+dmy(o.docDate))}
	switch n := f.r.IntN(10); {
	case n < 2:
		out = append(out, f.docx(fmt.Sprintf("Dự thảo %s %d.docx", typeName([]string{"KH", "BC", "QD", "TTR"}[f.r.IntN(4)]), f.now.Year()+f.r.IntN(2)), o.subject))
	case n < 4:
		out = append(out, f.docx("Phụ lục kèm theo "+stem+".docx", "Phụ lục – "+o.subject))
	case n < 5:
		out = append(out, f.pdf("Biểu mẫu báo cáo.pdf", "Biểu mẫu báo cáo", o.subject), f.docx("Biểu mẫu báo cáo.docx", "Biểu mẫu báo cáo"))
	}
	return out
}

// fromAgency is a mail of an agency carrying one of its documents.
func (f *filler) fromAgency(o official, at time.Time, to docstore.MailAddress) *msg {
	s := f.issuers[o.issuer]
	if s == nil {
		s = f.gov[f.r.IntN(len(f.gov))]
	}
	o.docDate = f.workdayBack(midnight(at).AddDate(0, 0, -f.r.IntN(3)))
	attached := f.r.IntN(100) < 45
	m := &msg{from: s.addr, to: []docstore.MailAddress{to}, subject: f.mailSubject(o, at), date: at,
		delay: time.Duration(3+f.r.IntN(90)) * time.Second, foreign: true, mailer: s.mailer}
	if f.r.IntN(6) == 0 && len(f.gov) > 1 {
		other := f.gov[f.r.IntN(len(f.gov))]
		if other != s {
			m.cc = []docstore.MailAddress{other.addr}
		}
	}
	m.text = f.officialText(s, o, f.agency.Name, at, attached)
	if attached {
		m.files = f.officialFiles(o)
	}
	m.id = f.messageID(at, s.addr.Addr)
	return m
}

// fromExtra is a mail of one of the agencies outside the demo's issuers.
func (f *filler) fromExtra(at time.Time, to docstore.MailAddress) *msg {
	s := f.extras[f.r.IntN(len(f.extras))]
	y := at.Year()
	num := at.YearDay()*2 + f.r.IntN(20)
	subj := strings.NewReplacer("{Y}", fmt.Sprint(y), "{Y0}", fmt.Sprint(y-1), "{Y1}", fmt.Sprint(y+1),
		"{M}", fmt.Sprint(int(at.Month())), "{Q}", fmt.Sprint((int(at.Month())+2)/3), "{N}", fmt.Sprint(num)).Replace(f.pick(s.subjects))
	typ := "CV"
	switch {
	case strings.HasPrefix(subj, "Thông báo"):
		typ = "TB"
	case strings.HasPrefix(subj, "Giấy mời"):
		typ = "GM"
	}
	notation := fmt.Sprintf("%d/%s-VP", num, s.abbr)
	if m := notationIn.FindStringSubmatch(subj); m != nil {
		notation = m[1]
	}
	o := official{typ: typ, notation: notation, subject: strings.TrimPrefix(subj, "V/v "), issuer: s.org, docDate: midnight(at)}
	attached := f.r.IntN(100) < 40
	m := &msg{from: s.addr, to: []docstore.MailAddress{to}, subject: subj, date: at, delay: time.Duration(3+f.r.IntN(90)) * time.Second,
		foreign: true, mailer: s.mailer}
	m.text = f.officialText(s, o, f.agency.Name, at, attached)
	if attached {
		m.files = f.officialFiles(o)
	}
	m.id = f.messageID(at, s.addr.Addr)
	return m
}

// fromColleague is a mail of a member of the agency to the văn thư.
func (f *filler) fromColleague(at time.Time, to docstore.MailAddress, clerk docstore.Person) *msg {
	c := f.randomColleague()
	o := f.nextOfficial()
	hon, given := honorific(clerk), givenName(clerk.FullName)
	greet := "Chào " + hon + " " + given + ",\n\n"
	m := &msg{from: c.addr, to: []docstore.MailAddress{to}, date: at, delay: time.Duration(1+f.r.IntN(20)) * time.Second,
		foreign: true, mailer: c.mailer}
	types := []string{"CV", "CV", "KH", "BC", "QD", "TB", "TTR"}
	typ := types[f.r.IntN(len(types))]
	tn := typeName(typ)
	topic := topicOf(o.subject)
	switch n := f.r.IntN(100); {
	case n < 40:
		subj := subjectFor(typ, topic)
		what := lowerFirst(strings.TrimPrefix(subj, tn+" "))
		if typ == "CV" {
			what = "về " + topic
		}
		m.subject = "Đề nghị phát hành văn bản: " + tn + " " + what
		m.text = greet + fmt.Sprintf("%s gửi %s %s %s đã được lãnh đạo ký. Nhờ %s lấy số, đóng dấu và phát hành giúp em ạ.\n"+
			"Nơi nhận theo phần nơi nhận của văn bản; bản giấy em sẽ mang qua sau.\n\nEm cảm ơn %s!\n\n%s\n",
			unitOr(c.person.UnitName, "Phòng em"), hon, strings.ToLower(tn), what, hon, hon, c.sig)
		m.files = []file{f.pdf(tn+" "+shortName(topic, 48)+".pdf", tn+" "+topic, f.agency.Name, subj)}
		if f.r.IntN(3) == 0 {
			m.files = append(m.files, f.docx("Dự thảo "+tn+" "+shortName(topic, 48)+".docx", subj))
		}
	case n < 70:
		year := at.Year()
		if at.Month() >= time.October && typ == "KH" {
			year++ // next year's plan
		}
		m.subject = fmt.Sprintf("Gửi dự thảo %s về %s để kiểm tra thể thức", strings.ToLower(tn), topic)
		m.text = greet + fmt.Sprintf("Em gửi %s dự thảo %s về %s. Nhờ %s kiểm tra giúp thể thức và kỹ thuật trình bày "+
			"theo Nghị định 30/2020/NĐ-CP trước khi em trình lãnh đạo ký.\n\nEm cảm ơn %s.\n\n%s\n",
			hon, strings.ToLower(tn), topic, hon, hon, c.sig)
		m.files = []file{f.docx(fmt.Sprintf("Dự thảo %s %d.docx", tn, year), subjectFor(typ, topic))}
	default:
		m.subject = "Hỏi văn bản số " + o.notation + " của " + o.issuer
		m.text = fmt.Sprintf("%s %s ơi,\n\nCho em hỏi văn bản số %s ngày %s của %s về %s đã được vào sổ và chuyển cho %s chưa ạ? "+
			"Lãnh đạo phòng đang cần để xử lý.\n\nEm cảm ơn %s.\n\n%s\n", upperFirst(hon), given, o.notation, dmy(minDate(o.docDate, at)),
			o.issuer, topic, strings.ToLower(unitOr(c.person.UnitName, "phòng em")), hon, c.sig)
	}
	m.id = f.messageID(at, c.addr.Addr)
	return m
}

// schedules: the Văn phòng sends the leaders' schedule for the next week
// every Thursday afternoon, to the văn thư (and everybody).
func (f *filler) schedules(from, until time.Time, to docstore.MailAddress) []*msg {
	var vp *sender
	for _, p := range f.colleagues {
		if p.UnitID == "vp" && !p.Has(docstore.RoleUnitHead) {
			vp = f.colleague(p)
			break
		}
	}
	if vp == nil {
		vp = f.randomColleague()
	}
	var out []*msg
	day := midnight(from)
	for day.Weekday() != time.Thursday {
		day = day.AddDate(0, 0, 1)
	}
	for ; day.Before(until); day = day.AddDate(0, 0, 7) {
		at := day.Add(15*time.Hour + time.Duration(f.r.IntN(120))*time.Minute)
		if at.After(f.now) {
			break
		}
		mon := day.AddDate(0, 0, 4)
		week := weekOf(mon)
		m := &msg{from: vp.addr, to: []docstore.MailAddress{to}, date: at, delay: 2 * time.Second, foreign: true, mailer: vp.mailer,
			subject: fmt.Sprintf("Lịch công tác tuần %d của Lãnh đạo %s", week, f.agencyShort)}
		m.text = fmt.Sprintf("Văn phòng gửi lịch công tác tuần %d (từ ngày %s đến ngày %s) của Lãnh đạo %s.\n"+
			"Đề nghị văn thư đăng tải lên Trang thông tin điện tử và gửi các phòng, ban, đơn vị.\n\nTrân trọng.\n\n%s\n",
			week, dmy(mon), dmy(mon.AddDate(0, 0, 4)), f.agencyShort, vp.sig)
		m.files = []file{f.docx(fmt.Sprintf("Lịch công tác tuần %d.docx", week), fmt.Sprintf("Lịch công tác tuần %d", week))}
		m.id = f.messageID(at, vp.addr.Addr)
		out = append(out, m)
	}
	return out
}

func unitOr(u, def string) string {
	if u == "" {
		return def
	}
	return u
}

func minDate(a, b time.Time) time.Time {
	if a.IsZero() || a.After(b) {
		return midnight(b)
	}
	return a
}

func weekOf(t time.Time) int {
	_, w := t.ISOWeek()
	return w
}

var citizenMatters = []struct{ subject, text string }{
	{"Đơn kiến nghị về việc cấp giấy chứng nhận quyền sử dụng đất",
		"Gia đình tôi đã nộp hồ sơ đề nghị cấp giấy chứng nhận quyền sử dụng đất tại Bộ phận Một cửa từ tháng trước nhưng đến nay chưa nhận được kết quả."},
	{"Phản ánh tình trạng rác thải tại tổ dân phố {n}, phường {ward}",
		"Thời gian gần đây rác thải sinh hoạt không được thu gom đúng lịch, tập kết tràn ra lòng đường gây mất vệ sinh và ảnh hưởng đến sinh hoạt của người dân."},
	{"Hỏi thủ tục chuyển mục đích sử dụng đất",
		"Tôi có thửa đất nông nghiệp liền kề đất ở, muốn chuyển mục đích sang đất ở để xây nhà cho con. Kính mong được hướng dẫn hồ sơ, trình tự và thời gian giải quyết."},
	{"Đề nghị giải quyết việc xây dựng lấn chiếm hẻm {n} đường {street}",
		"Một hộ dân trong hẻm đang xây dựng lấn chiếm lối đi chung khoảng 1,5 m, làm hẹp hẻm và ảnh hưởng đến việc đi lại, phòng cháy chữa cháy."},
	{"Xin xác nhận thông tin cư trú để bổ sung hồ sơ",
		"Tôi cần xác nhận thông tin cư trú để bổ sung hồ sơ đề nghị hưởng chế độ trợ cấp theo hướng dẫn của Phòng Lao động – Thương binh và Xã hội."},
}

func (f *filler) fromCitizen(at time.Time, to docstore.MailAddress) *msg {
	c := f.citizens[f.r.IntN(len(f.citizens))]
	mt := citizenMatters[f.r.IntN(len(citizenMatters))]
	rep := strings.NewReplacer("{n}", fmt.Sprint(1+f.r.IntN(18)), "{ward}", f.pick(wards), "{street}", f.pick(streets))
	m := &msg{from: c.addr, to: []docstore.MailAddress{to}, subject: rep.Replace(mt.subject), date: at,
		delay: time.Duration(2+f.r.IntN(40)) * time.Second, foreign: true}
	m.text = fmt.Sprintf("Kính gửi: %s,\n\nTôi tên là %s, sinh năm %d, cư trú tại tổ dân phố %d, phường %s, thành phố %s.\n%s\n"+
		"Kính đề nghị %s xem xét, giải quyết.\n\nTôi xin chân thành cảm ơn.\n\n%s\n",
		f.agency.Name, c.org, c.born, 1+f.r.IntN(18), f.pick(wards), f.agency.Place, rep.Replace(mt.text), f.agencyShort, c.sig)
	switch f.r.IntN(5) {
	case 0:
		m.files = []file{f.docx("Đơn kiến nghị.docx", m.subject)}
	case 1:
		m.files = []file{f.pdf("Giấy tờ kèm theo.pdf", "Giay to kem theo", c.org)}
	}
	m.id = f.messageID(at, c.addr.Addr)
	return m
}

func (f *filler) fromCompany(at time.Time, to docstore.MailAddress) *msg {
	c := f.companies[f.r.IntN(len(f.companies))]
	m := &msg{from: c.addr, to: []docstore.MailAddress{to}, date: at, delay: time.Duration(2+f.r.IntN(40)) * time.Second,
		foreign: true, mailer: c.mailer}
	switch f.r.IntN(3) {
	case 0:
		work := f.pick([]string{"Trường Tiểu học " + f.pick(wards), "Nhà văn hóa phường " + f.pick(wards), "đường nội thị khu dân cư số " + fmt.Sprint(1+f.r.IntN(9))})
		m.subject = "Hồ sơ đề nghị thẩm định thiết kế công trình " + work
		m.text = fmt.Sprintf("Kính gửi: %s\n\n%s xin gửi hồ sơ đề nghị thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở công trình %s (đính kèm).\n"+
			"Bản gốc hồ sơ giấy sẽ được nộp tại Bộ phận Một cửa theo quy định.\n\nTrân trọng,\n\n%s\n", f.agency.Name, c.org, work, c.sig)
		m.files = []file{f.pdf("Tờ trình thẩm định.pdf", "To trinh tham dinh", work), f.pdf("Thuyết minh thiết kế.pdf", "Thuyet minh thiet ke", work)}
	case 1:
		mo := int(at.Month())
		m.subject = fmt.Sprintf("Báo cáo tiến độ thi công tháng %d/%d", mo, at.Year())
		m.text = fmt.Sprintf("Kính gửi: %s\n\n%s báo cáo tiến độ thi công các gói thầu tháng %d/%d (đính kèm).\n"+
			"Khối lượng thực hiện đạt khoảng %d%% kế hoạch; đơn vị cam kết hoàn thành đúng tiến độ.\n\nTrân trọng,\n\n%s\n",
			f.agency.Name, c.org, mo, at.Year(), 55+f.r.IntN(40), c.sig)
		m.files = []file{f.docx(fmt.Sprintf("Báo cáo tiến độ tháng %d.docx", mo), "Báo cáo tiến độ thi công")}
	default:
		m.subject = "Văn bản đề nghị phối hợp kiểm tra hiện trường"
		m.text = fmt.Sprintf("Kính gửi: %s\n\n%s đề nghị quý cơ quan cử cán bộ phối hợp kiểm tra hiện trường vào ngày %s.\n\nTrân trọng,\n\n%s\n",
			f.agency.Name, c.org, dmy(nextWorkday(midnight(at).AddDate(0, 0, 3+f.r.IntN(5)))), c.sig)
	}
	m.id = f.messageID(at, c.addr.Addr)
	return m
}

func (f *filler) fromSystem(at time.Time, to docstore.MailAddress) *msg {
	s := f.system[f.r.IntN(len(f.system))]
	m := &msg{from: s.addr, to: []docstore.MailAddress{to}, date: at, delay: time.Second, foreign: true, mailer: s.mailer}
	if s.person.ID == "" { // the Một cửa system
		code := fmt.Sprintf("%s-%s-%04d", f.agency.Code, at.Format("060102"), 1+f.r.IntN(9999))
		m.subject = "[Một cửa] Hồ sơ " + code + " đã được tiếp nhận"
		m.text = fmt.Sprintf("Hồ sơ số %s của công dân %s, thủ tục \"%s\", đã được tiếp nhận lúc %s.\nHạn giải quyết: %s.\n\n"+
			"Đây là thư tự động, vui lòng không trả lời thư này.\n", code, f.personName(),
			f.pick([]string{"Cấp giấy phép xây dựng nhà ở riêng lẻ", "Đăng ký kinh doanh hộ kinh doanh", "Chứng thực bản sao từ bản chính", "Đăng ký khai sinh"}),
			at.Format("15:04 02/01/2006"), dmy(nextWorkday(midnight(at).AddDate(0, 0, 5+f.r.IntN(10)))))
	} else {
		switch f.r.IntN(3) {
		case 0:
			d := nextWorkday(midnight(at).AddDate(0, 0, 2))
			m.subject = "Thông báo bảo trì hệ thống thư điện tử công vụ ngày " + dmy(d)
			m.text = fmt.Sprintf("Kính gửi các đồng chí,\n\nHệ thống thư điện tử công vụ sẽ tạm dừng để bảo trì từ 18 giờ 00 đến 20 giờ 00 ngày %s.\n"+
				"Thư gửi đến trong thời gian này sẽ được chuyển khi hệ thống hoạt động trở lại.\n\nTrân trọng.\n\n%s\n", dmy(d), s.sig)
		case 1:
			m.subject = "Cảnh báo: thư giả mạo yêu cầu cập nhật mật khẩu"
			m.text = "Kính gửi các đồng chí,\n\nGần đây xuất hiện thư giả mạo bộ phận quản trị, yêu cầu bấm vào đường dẫn để \"cập nhật mật khẩu\".\n" +
				"Đề nghị các đồng chí không bấm vào đường dẫn, không mở tệp đính kèm lạ (.exe, .scr, .js) và báo ngay cho bộ phận quản trị.\n\nTrân trọng.\n\n" + s.sig + "\n"
		default:
			m.subject = "Hướng dẫn cài đặt chứng thư số cho máy tính mới"
			m.text = "Kính gửi các đồng chí,\n\nBộ phận quản trị gửi hướng dẫn cài đặt chứng thư số và phần mềm ký số trên máy tính mới được cấp (đính kèm).\n\nTrân trọng.\n\n" + s.sig + "\n"
			m.files = []file{f.pdf("Hướng dẫn cài đặt chứng thư số.pdf", "Huong dan cai dat chung thu so")}
		}
	}
	m.id = f.messageID(at, s.addr.Addr)
	return m
}

// unreadAt: the newer the message, the likelier it is still unread.
func (f *filler) unreadAt(t time.Time) bool {
	age := f.now.Sub(t).Hours() / 24
	return f.r.Float64() < 0.2+0.8*math.Exp(-age/9)
}

// inboxFlags are the flags of a received message.
func (f *filler) inboxFlags(m *msg) {
	if !f.unreadAt(m.date) {
		m.flags = append(m.flags, `\Seen`)
		switch n := f.r.IntN(100); {
		case n < 9:
			m.flags = append(m.flags, `\Answered`)
		case n < 12:
			m.flags = append(m.flags, `$Forwarded`)
		}
	}
	if f.r.IntN(100) < 4 {
		m.flags = append(m.flags, `\Flagged`)
	}
}

// ---- the shared mailbox ----

// linked is a document of the incoming register received by e-mail, to
// which a message is linked.
type linked struct {
	doc   docstore.DocumentRow
	files []file
}

// register finds this year's ordinary register of a kind.
func (f *filler) register(ctx context.Context, kind string) (string, int, error) {
	regs, err := f.st.Registers(ctx, f.clerk.ID)
	if err != nil {
		return "", 0, err
	}
	for _, r := range regs {
		if r.Kind == kind && r.Year == f.now.Year() && !r.Secret {
			n, err := f.st.RegisterCount(ctx, f.clerk.ID, r.ID)
			return r.ID, n, err
		}
	}
	return "", 0, nil
}

// linkedDocuments are the newest incoming documents of the last 60 days
// the demo registered from e-mail, with their files.
func (f *filler) linkedDocuments(ctx context.Context) ([]linked, error) {
	reg, n, err := f.register(ctx, docstore.KindIncoming)
	if err != nil || reg == "" || n == 0 {
		return nil, err
	}
	rows, err := f.st.ListRegister(ctx, f.clerk.ID, reg, 0, n)
	if err != nil {
		return nil, err
	}
	from := midnight(f.now).AddDate(0, 0, -60).Format("2006-01-02")
	today := f.now.Format("2006-01-02")
	var out []linked
	for _, d := range rows {
		if len(out) == linkedMax {
			break
		}
		if d.Source != docstore.SourceEmail || d.ArrivalDate < from || d.ArrivalDate > today {
			continue
		}
		l := linked{doc: d}
		atts, err := f.st.Attachments(ctx, f.clerk.ID, d.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range atts {
			rc, err := f.st.Blobs().Open(a.SHA256)
			if err != nil {
				continue
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
			typ := mimePDF
			if strings.HasSuffix(strings.ToLower(a.Name), ".docx") {
				typ = mimeDOCX
			}
			l.files = append(l.files, file{name: a.Name, typ: typ, data: data})
		}
		out = append(out, l)
	}
	return out, nil
}

// outgoingDocuments are this year's outgoing documents of the last 60
// days, newest first: what the văn thư sent by mail.
func (f *filler) outgoingDocuments(ctx context.Context) ([]docstore.DocumentRow, error) {
	reg, n, err := f.register(ctx, docstore.KindOutgoing)
	if err != nil || reg == "" || n == 0 {
		return nil, err
	}
	rows, err := f.st.ListRegister(ctx, f.clerk.ID, reg, 0, min(n, 2000))
	if err != nil {
		return nil, err
	}
	from := midnight(f.now).AddDate(0, 0, -60).Format("2006-01-02")
	today := f.now.Format("2006-01-02")
	var out []docstore.DocumentRow
	for _, d := range rows {
		if d.DocDate >= from && d.DocDate <= today && len(out) < sharedSent {
			out = append(out, d)
		}
	}
	return out, nil
}

var unitAbbrs = []string{"VP", "TNMT", "TCKH", "QLĐT", "NV", "KT", "VHTT", "TP"}

// sharedSentMail: the documents the văn thư sent to other agencies.
func (f *filler) sharedSentMail(docs []docstore.DocumentRow) []*msg {
	var out []*msg
	targets := slices.DeleteFunc(slices.Clone(f.gov), func(s *sender) bool { return strings.HasPrefix(s.org, "Bộ") })
	for i := 0; i < sharedSent; i++ {
		var o official
		var at time.Time
		if i < len(docs) {
			d := docs[i]
			day, _ := time.ParseInLocation("2006-01-02", d.DocDate, vn)
			o = official{typ: d.Type, notation: d.Notation, subject: d.Subject, issuer: f.agency.Name, docDate: day}
			send := day
			for send.Weekday() == time.Saturday || send.Weekday() == time.Sunday {
				send = send.AddDate(0, 0, 1)
			}
			if send.After(f.now) {
				send = day
			}
			at = f.notAfterNow(f.officeTime(send))
		} else {
			at = f.recent(60, 1.1)
			p := f.nextOfficial()
			typ := []string{"CV", "CV", "CV", "BC", "KH", "QD", "TB"}[f.r.IntN(7)]
			num := at.YearDay()*3/2 + f.r.IntN(9)
			notation := fmt.Sprintf("%d/UBND-%s", num, f.pick(unitAbbrs))
			if t, _ := docstore.LookupDocType(typ); t.Abbr != "" {
				notation = fmt.Sprintf("%d/%s-UBND", num/3+1, t.Abbr)
			}
			subj := subjectFor(typ, topicOf(p.subject))
			o = official{typ: typ, notation: notation, subject: subj, issuer: f.agency.Name, docDate: midnight(at)}
		}
		f.r.Shuffle(len(targets), func(a, b int) { targets[a], targets[b] = targets[b], targets[a] })
		nTo := 1 + f.r.IntN(3)
		m := &msg{from: f.sharedAddr, date: at, flags: []string{`\Seen`}}
		var names []string
		for _, t := range targets[:nTo] {
			m.to = append(m.to, t.addr)
			names = append(names, t.org)
		}
		if f.r.IntN(5) == 0 {
			m.cc = []docstore.MailAddress{targets[nTo].addr}
		}
		m.subject = f.mailSubject(o, at)
		me := &sender{org: f.agencyShort, sig: f.sharedSignature()}
		m.text = f.officialText(me, o, strings.Join(names, "; "), at, true)
		m.files = f.officialFiles(o)
		m.id = f.messageID(at, f.shared.Address)
		out = append(out, m)
	}
	return out
}

func (f *filler) sharedSignature() string {
	return "--\nVăn thư – " + f.agency.Name + "\nĐịa chỉ: Số 1 đường " + streets[0] + ", thành phố " + f.agency.Place +
		"\nĐiện thoại: 0263.3822.100 · Thư điện tử: " + f.shared.Address
}

func (f *filler) ownSignature() string {
	return f.clerk.FullName + "\n" + f.clerk.Title + " – " + unitOr(f.clerk.UnitName, f.agency.Name) + "\nĐT: " + mobileOf(f.clerk.ID)
}

// sharedInboxMail: ~400 messages of the last 60 days, newest densest.
func (f *filler) sharedInboxMail(links []linked, sent []*msg) []*msg {
	var out []*msg
	to := f.sharedAddr
	for _, l := range links {
		s := f.issuers[l.doc.Issuer]
		if s == nil {
			s = f.gov[f.r.IntN(len(f.gov))]
		}
		day, _ := time.ParseInLocation("2006-01-02", l.doc.ArrivalDate, vn)
		at := f.notAfterNow(day.Add(7*time.Hour + time.Duration(f.r.IntN(50))*time.Minute))
		dd, _ := time.ParseInLocation("2006-01-02", l.doc.DocDate, vn)
		o := official{typ: l.doc.Type, notation: l.doc.Notation, subject: l.doc.Subject, issuer: l.doc.Issuer, docDate: dd, urgency: l.doc.Urgency}
		m := &msg{from: s.addr, to: []docstore.MailAddress{to}, subject: f.subjectOf(o, at, true), date: at,
			delay: time.Duration(3+f.r.IntN(60)) * time.Second, foreign: true, mailer: s.mailer, linkDoc: l.doc.ID,
			flags: []string{`\Seen`}}
		m.text = f.officialText(s, o, f.agency.Name, at, true)
		m.files = l.files
		if len(m.files) == 0 {
			m.files = f.officialFiles(o)
		}
		m.id = f.messageID(at, s.addr.Addr)
		out = append(out, m)
	}
	// Messages over the automatic download cap: only announced.
	bigs := []struct {
		from        *sender
		subject     string
		names       []string
		size, hours int64
	}{
		{f.companies[0], "Hồ sơ thiết kế bản vẽ thi công công trình Trường Tiểu học " + wards[0], []string{"Bản vẽ thi công.pdf", "Thuyết minh thiết kế.docx"}, 38_400_000, 28},
		{f.issuers["Sở Tài nguyên và Môi trường tỉnh Lâm Hà"], fmt.Sprintf("Bản đồ hiện trạng sử dụng đất năm %d", f.now.Year()-1), []string{"Bản đồ hiện trạng sử dụng đất.pdf"}, 52_700_000, 30},
		{f.issuers["Sở Thông tin và Truyền thông tỉnh Lâm Hà"], "Phóng sự chuyển đổi số phát trên truyền hình tỉnh", []string{"Phóng sự chuyển đổi số.mp4"}, 147_300_000, 75},
		{f.issuers["Văn phòng UBND tỉnh Lâm Hà"], "Tài liệu Hội nghị sơ kết công tác cải cách hành chính", []string{"Tài liệu hội nghị.pdf", "Báo cáo sơ kết.docx"}, 27_300_000, 170},
	}
	for i, b := range bigs {
		s := b.from
		if s == nil {
			s = f.gov[i%len(f.gov)]
		}
		at := f.notAfterNow(f.officeTime(f.workday(midnight(f.now.Add(-time.Duration(b.hours) * time.Hour)))))
		m := &msg{from: s.addr, to: []docstore.MailAddress{to}, subject: b.subject, date: at, delay: time.Duration(20+f.r.IntN(200)) * time.Second,
			bigSize: b.size, bigNames: b.names}
		if i > 0 {
			m.flags = []string{`\Seen`}
		}
		m.id = f.messageID(at, s.addr.Addr)
		out = append(out, m)
	}
	// An attachment that pretends to be a PDF.
	at := f.recent(3, 1)
	hostile := &msg{from: docstore.MailAddress{Name: "Hóa đơn điện tử", Addr: "thongbao@hoadon-dientu.test"}, to: []docstore.MailAddress{to},
		subject: "Thông báo phát hành hóa đơn điện tử số 00012" + fmt.Sprint(100+f.r.IntN(900)), date: at, delay: 40 * time.Second, foreign: true,
		text:  "Kính gửi Quý khách hàng,\n\nĐơn vị bán hàng đã phát hành hóa đơn điện tử cho Quý khách.\nVui lòng mở tệp đính kèm để xem và tải hóa đơn.\n\nTrân trọng.\n",
		files: []file{{name: "hoadon\u202Efdp.exe", typ: "application/octet-stream", data: fakeExe(f)}}}
	hostile.id = f.messageID(at, hostile.from.Addr)
	out = append(out, hostile)

	// Replies of agencies to what the văn thư sent.
	for _, sm := range sent {
		if f.r.IntN(100) >= 40 {
			continue
		}
		at := f.notAfterNow(f.officeTime(f.workday(midnight(sm.date).AddDate(0, 0, 1+f.r.IntN(4)))))
		if !at.After(sm.date) {
			continue
		}
		s := f.senderOf(sm.to[0])
		d := mimemsg.Reply(sm.asMessage(), s.addr, false)
		m := &msg{from: s.addr, to: d.To, subject: d.Subject, date: at, delay: time.Duration(3+f.r.IntN(60)) * time.Second,
			foreign: true, mailer: s.mailer, inReplyTo: d.InReplyTo, refs: d.References}
		m.text = fmt.Sprintf("Kính gửi: %s.\n\n%s đã nhận được văn bản. Văn bản đã được chuyển đến bộ phận chuyên môn để nghiên cứu, xử lý theo quy định.\n\nTrân trọng./.\n\n%s\n%s",
			f.agencyShort, s.org, s.sig, d.Text)
		m.id = f.messageID(at, s.addr.Addr)
		out = append(out, m)
	}

	out = append(out, f.schedules(f.now.AddDate(0, 0, -60), f.now, to)...)

	// The rest, chronologically, so forwards can quote what came before.
	n := sharedInbox - len(out)
	times := make([]time.Time, n)
	for i := range times {
		times[i] = f.recent(60, 1.4)
	}
	slices.SortFunc(times, time.Time.Compare)
	var agencyMail []*msg
	for _, at := range times {
		var m *msg
		switch k := f.r.IntN(100); {
		case k < 58:
			m = f.fromAgency(f.nextOfficial(), at, to)
			agencyMail = append(agencyMail, m)
		case k < 70:
			m = f.fromExtra(at, to)
			agencyMail = append(agencyMail, m)
		case k < 83:
			m = f.fromColleague(at, to, f.clerk)
		case k < 87 && len(agencyMail) > 0:
			m = f.forwarded(agencyMail[f.r.IntN(len(agencyMail))], at, to)
		case k < 93:
			m = f.fromCitizen(at, to)
		case k < 97:
			m = f.fromCompany(at, to)
		default:
			m = f.fromSystem(at, to)
		}
		out = append(out, m)
	}
	for _, m := range out {
		if m.linkDoc == "" && m.bigSize == 0 {
			f.inboxFlags(m)
		}
	}
	return out
}

// senderOf finds the sender with address a (an agency the văn thư wrote to).
func (f *filler) senderOf(a docstore.MailAddress) *sender {
	for _, s := range append(slices.Clone(f.gov), f.extras...) {
		if strings.EqualFold(s.addr.Addr, a.Addr) {
			return s
		}
	}
	return &sender{addr: a, org: a.Name, sig: a.Name}
}

// forwarded: a colleague got an agency's mail in their own mailbox and
// forwards it to the văn thư to register.
func (f *filler) forwarded(orig *msg, at time.Time, to docstore.MailAddress) *msg {
	if !at.After(orig.date) {
		at = f.notAfterNow(orig.date.Add(time.Duration(30+f.r.IntN(600)) * time.Minute))
	}
	c := f.randomColleague()
	d := mimemsg.Forward(orig.asMessage())
	hon := honorific(f.clerk)
	m := &msg{from: c.addr, to: []docstore.MailAddress{to}, subject: d.Subject, date: at, delay: time.Duration(1+f.r.IntN(20)) * time.Second,
		foreign: true, mailer: c.mailer, files: orig.files}
	m.text = fmt.Sprintf("%s %s ơi, phòng em nhận được văn bản này qua thư cá nhân, nhờ %s vào sổ văn bản đến giúp em.\n\n%s\n%s",
		upperFirst(hon), givenName(f.clerk.FullName), hon, c.sig, d.Text)
	m.id = f.messageID(at, c.addr.Addr)
	return m
}

// fakeExe is the start of a Windows program: what hides behind the name.
func fakeExe(f *filler) []byte {
	b := make([]byte, 4096)
	for i := range b {
		b[i] = byte(f.r.Uint32())
	}
	copy(b, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")
	return b
}

// sharedDrafts: three messages the văn thư started.
func (f *filler) sharedDrafts() []*msg {
	var out []*msg
	targets := f.gov
	for i := 0; i < sharedDrafts; i++ {
		t := targets[(3+5*i)%len(targets)]
		at := f.recent(3, 1)
		p := f.nextOfficial()
		m := &msg{from: f.sharedAddr, to: []docstore.MailAddress{t.addr}, date: at, flags: []string{`\Draft`, `\Seen`},
			subject: "V/v " + lowerFirst(strings.TrimPrefix(strings.TrimPrefix(p.subject, "V/v "), "Về việc "))}
		m.text = "Kính gửi: " + t.org + ".\n\n" + f.agencyShort + " gửi kèm theo đây "
		if i == 0 {
			m.text += "dự thảo kế hoạch để quý cơ quan góp ý.\n\n"
			m.files = []file{f.docx(fmt.Sprintf("Dự thảo Kế hoạch %d.docx", f.now.Year()+1), "Dự thảo kế hoạch")}
		} else {
			m.text += "…\n\n"
		}
		m.text += f.sharedSignature() + "\n"
		m.id = f.messageID(at, f.shared.Address)
		out = append(out, m)
	}
	return out
}

// trash: advertising, invitations and a duplicate or two, already read.
func (f *filler) trash(n int, to docstore.MailAddress) []*msg {
	var out []*msg
	ads := []struct{ name, addr, subject, text string }{
		{"Thiết bị văn phòng Sao Mai", "banhang@thietbisaomai.test", "Báo giá máy photocopy, máy scan tài liệu khổ A3",
			"Kính gửi Quý cơ quan,\n\nCông ty xin gửi báo giá ưu đãi máy photocopy, máy scan tài liệu khổ A3 cho các cơ quan nhà nước.\n\nTrân trọng."},
		{"Hội thảo Chuyển đổi số", "sukien@hoithao-cds.test", "Thư mời tham dự Hội thảo chuyển đổi số trong cơ quan nhà nước",
			"Kính mời Quý cơ quan cử đại diện tham dự Hội thảo (có thu phí).\n\nBan Tổ chức."},
		{"Phần mềm Kế toán An Khang", "tuvan@ketoanankhang.test", "Ưu đãi phần mềm kế toán hành chính sự nghiệp",
			"Kính gửi Quý đơn vị,\n\nGiảm 30% phí bản quyền năm đầu khi đăng ký trước cuối tháng.\n\nTrân trọng."},
	}
	for i := 0; i < n; i++ {
		at := f.recent(50, 1)
		var m *msg
		if i%3 == 2 && len(f.pool) > 0 { // a copy sent twice
			m = f.fromAgency(f.nextOfficial(), at, to)
			m.subject += " (gửi lại)"
		} else {
			a := ads[i%len(ads)]
			m = &msg{from: docstore.MailAddress{Name: a.name, Addr: a.addr}, to: []docstore.MailAddress{to}, subject: a.subject, date: at,
				delay: 30 * time.Second, foreign: true, mailer: outlook, text: a.text + "\n"}
			m.id = f.messageID(at, a.addr)
		}
		m.flags = []string{`\Seen`}
		out = append(out, m)
	}
	return out
}

// archive: older agency mail the văn thư filed away.
func (f *filler) archive() []*msg {
	var out []*msg
	for i := 0; i < sharedArchive; i++ {
		at := f.between(f.now.AddDate(0, 0, -150), f.now.AddDate(0, 0, -61))
		o := f.nextOfficial()
		o.docDate = midnight(at)
		m := f.fromAgency(o, at, f.sharedAddr)
		m.flags = []string{`\Seen`}
		out = append(out, m)
	}
	return out
}

// oldMail: last year's mail, in Archive/<last year>.
func (f *filler) oldMail() []*msg {
	var out []*msg
	y := f.now.Year() - 1
	from, to := time.Date(y, 1, 2, 0, 0, 0, 0, vn), time.Date(y, 12, 31, 0, 0, 0, 0, vn)
	for i := 0; i < sharedOld; i++ {
		o := f.nextOld()
		at := f.officeTime(f.workday(o.docDate.AddDate(0, 0, f.r.IntN(3))))
		if at.Before(from) || !at.Before(to.AddDate(0, 0, 1)) {
			at = f.officeTime(f.workday(from.AddDate(0, 0, f.r.IntN(360))))
		}
		var m *msg
		if i%6 == 5 {
			m = f.fromColleague(at, f.sharedAddr, f.clerk)
		} else {
			m = f.fromAgency(o, at, f.sharedAddr)
		}
		m.flags = []string{`\Seen`}
		if f.r.IntN(100) < 3 {
			m.flags = append(m.flags, `\Flagged`)
		}
		out = append(out, m)
	}
	return out
}

// ---- the clerk's own mailbox ----

// ownSentMail: documents the clerk passed on to colleagues.
func (f *filler) ownSentMail() []*msg {
	var out []*msg
	for i := 0; i < ownSent; i++ {
		at := f.recent(60, 1.2)
		c := f.randomColleague()
		o := f.nextOfficial()
		hon := "anh/chị"
		if c.kind == kindColleague {
			hon = honorific(c.person)
		}
		m := &msg{from: f.ownAddr, to: []docstore.MailAddress{c.addr}, date: at, flags: []string{`\Seen`},
			subject: "Chuyển văn bản số " + o.notation + " của " + o.issuer}
		m.text = fmt.Sprintf("Chào %s,\n\nEm chuyển %s văn bản số %s của %s về %s theo ý kiến chỉ đạo của lãnh đạo, để %s nghiên cứu, xử lý.\n\n%s\n",
			hon, hon, o.notation, o.issuer, lowerFirst(strings.TrimPrefix(o.subject, "V/v ")), hon, f.ownSignature())
		m.files = f.officialFiles(o)[:1]
		m.id = f.messageID(at, f.own.Address)
		out = append(out, m)
	}
	return out
}

// ownInboxMail: ~120 messages to the clerk: colleagues, training and
// archive business of the Sở Nội vụ, notices, replies.
func (f *filler) ownInboxMail(sent []*msg) []*msg {
	var out []*msg
	to := f.ownAddr
	for _, sm := range sent {
		if f.r.IntN(2) == 0 {
			continue
		}
		at := f.later(sm.date, 20*time.Minute, 8*time.Hour)
		if at.IsZero() {
			continue
		}
		d := mimemsg.Reply(sm.asMessage(), sm.to[0], false)
		m := &msg{from: sm.to[0], to: d.To, subject: d.Subject, date: at, delay: 2 * time.Second, foreign: true,
			inReplyTo: d.InReplyTo, refs: d.References, mailer: "Thunderbird 128.5.0"}
		m.text = "Em đã nhận, cảm ơn " + honorific(f.clerk) + ".\n\n" + sm.to[0].Name + "\n" + d.Text
		m.id = f.messageID(at, sm.to[0].Addr)
		out = append(out, m)
	}
	out = append(out, f.schedules(f.now.AddDate(0, 0, -60), f.now, to)...)
	snv := f.issuers["Sở Nội vụ tỉnh Lâm Hà"]
	ttlt := f.issuers["Trung tâm Lưu trữ lịch sử tỉnh Lâm Hà"]
	for len(out) < ownInbox {
		at := f.recent(60, 1.3)
		var m *msg
		switch k := f.r.IntN(100); {
		case k < 45:
			m = f.fromColleague(at, to, f.clerk)
		case k < 55 && snv != nil:
			y := at.Year()
			o := official{typ: "GM", notation: fmt.Sprintf("%d/GM-SNV", at.YearDay()+f.r.IntN(9)),
				subject: fmt.Sprintf("Mời dự tập huấn nghiệp vụ văn thư, lưu trữ năm %d", y), issuer: snv.org, docDate: midnight(at)}
			m = f.fromAgency(o, at, to)
		case k < 62 && ttlt != nil:
			m = f.fromExtra(at, to)
		case k < 80:
			m = f.fromAgency(f.nextOfficial(), at, to)
		default:
			m = f.fromSystem(at, to)
		}
		out = append(out, m)
	}
	for _, m := range out {
		f.inboxFlags(m)
	}
	return out
}
