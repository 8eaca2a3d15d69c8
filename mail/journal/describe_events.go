package journal

import (
	"sort"
	"strconv"
	"strings"

	docstore "congvu/docs-store"
)

// The describers of each event type (see Describe).

func agencyFounded(p *docstore.AgencyFounded) (string, string) {
	name := orDash(oneLine(p.Name))
	s := "Thành lập cơ quan " + name
	if p.Code != "" {
		s += " (" + oneLine(p.Code) + ")"
	}
	var l textLines
	l = append(l, "Cơ quan "+name+" bắt đầu dùng nhật ký dùng chung của Công vụ.")
	l.add("Mã định danh: ", oneLine(p.Code))
	l.add("Tên viết tắt: ", oneLine(p.Abbr))
	l.add("Địa danh: ", oneLine(p.Place))
	admin := oneLine(p.Admin.FullName)
	if e := oneLine(p.Admin.Email); e != "" {
		admin += " <" + e + ">"
	}
	l.add("Quản trị viên: ", admin)
	keyLine(&l, p.Admin.PublicKey)
	return s, l.String()
}

func unitAdded(p *docstore.UnitAdded) (string, string) {
	name := orDash(oneLine(p.Name))
	var l textLines
	l = append(l, "Thêm đơn vị "+name+" vào danh bạ của cơ quan.")
	l.add("Tên viết tắt: ", oneLine(p.Abbr))
	l.add("Mã đơn vị: ", oneLine(p.ID))
	return "Thêm đơn vị " + name, l.String()
}

func describePerson(p *docstore.PersonInput, update bool) (string, string) {
	name := orDash(oneLine(p.FullName))
	s, first := "Thêm cán bộ "+name, "Thêm cán bộ "+name+" vào danh bạ của cơ quan."
	if update {
		s, first = "Cập nhật thông tin cán bộ "+name, "Cập nhật thông tin của cán bộ "+name+"."
	}
	var l textLines
	l = append(l, first)
	l.add("Chức vụ: ", oneLine(p.Title))
	l.add("Thư điện tử: ", oneLine(p.Email))
	l.add("Đơn vị: ", oneLine(p.UnitID))
	var roles []string
	for _, r := range p.Roles {
		if n, ok := roleNames[r]; ok {
			roles = append(roles, n)
		} else {
			roles = append(roles, oneLine(string(r)))
		}
	}
	l.add("Vai trò: ", strings.Join(roles, ", "))
	if p.Clearance > docstore.SecrecyNone {
		l.add("Được xem văn bản mật đến độ: ", secrecy(p.Clearance))
	} else {
		l = append(l, "Không được xem văn bản mật.")
	}
	l.add("Mã cán bộ: ", oneLine(p.ID))
	keyLine(&l, p.PublicKey)
	return s, l.String()
}

func registerOpened(p *docstore.RegisterOpened) (string, string) {
	name := quoted(p.Name)
	if name == "" {
		name = orDash(oneLine(p.ID))
	}
	s := "Mở sổ " + name
	if p.Year > 0 {
		s += " năm " + strconv.Itoa(p.Year)
	}
	kind := "văn bản"
	switch p.Kind {
	case docstore.KindIncoming:
		kind = "văn bản đến"
	case docstore.KindOutgoing:
		kind = "văn bản đi"
	}
	var l textLines
	l = append(l, "Mở sổ "+kind+" "+name+".")
	if p.Year > 0 {
		l.add("Năm: ", strconv.Itoa(p.Year))
	}
	if p.Secret {
		l = append(l, "Đây là sổ mật: chỉ người được xem văn bản mật thấy sổ này.")
	}
	if p.PerType {
		l = append(l, "Số được đánh riêng cho từng loại văn bản.")
	}
	l.add("Mã sổ: ", oneLine(p.ID))
	return s, l.String()
}

func registerClosed(p *docstore.RegisterRef) (string, string) {
	id := orDash(oneLine(p.ID))
	return "Khóa sổ " + id, "Khóa sổ văn bản " + id + ": sổ không nhận thêm văn bản."
}

func registerReopened(p *docstore.RegisterRef) (string, string) {
	id := orDash(oneLine(p.ID))
	return "Mở lại sổ " + id, "Mở lại sổ văn bản " + id + " để vào sổ tiếp."
}

func incomingRegistered(p *docstore.IncomingRegistered) (string, string) {
	d := p.Doc
	s := "Vào sổ văn bản đến số " + strconv.Itoa(p.Number)
	if t := oneLine(d.Subject); t != "" {
		s += ": " + t
	}
	var l textLines
	first := "Vào sổ văn bản đến số " + strconv.Itoa(p.Number)
	if r := oneLine(d.RegisterID); r != "" {
		first += " (sổ " + r + ")"
	}
	if d.ArrivalDate != "" {
		first += ", ngày đến " + viDate(d.ArrivalDate)
	}
	l = append(l, first+".")
	notation := oneLine(d.Notation)
	if d.DocDate != "" {
		notation += ", ngày " + viDate(d.DocDate)
	}
	l.add("Số, ký hiệu: ", strings.TrimPrefix(notation, ", "))
	l.add("Cơ quan ban hành: ", oneLine(d.Issuer))
	l.add("Loại văn bản: ", docTypeName(d.Type))
	l.add("Trích yếu: ", quoted(d.Subject))
	l = append(l, "Độ khẩn: "+urgency(d.Urgency)+"; độ mật: "+secrecy(d.Secrecy)+".")
	if d.DueDate != "" {
		l.add("Hạn giải quyết: ", viDate(d.DueDate))
	}
	if d.Pages > 0 {
		l.add("Số trang: ", strconv.Itoa(d.Pages))
	}
	l.add("Hình thức nhận: ", sourceName(d.Source))
	l.add("Nơi nhận: ", oneLine(d.Recipients))
	l.add("Ghi chú: ", oneLine(d.Note))
	for _, a := range d.Attachments {
		fileLine(&l, "Tệp: ", a)
	}
	l.add("Mã văn bản: ", oneLine(p.DocID))
	return s, l.String()
}

func incomingDirected(p *docstore.IncomingDirected) (string, string) {
	doc := orDash(oneLine(p.DocID))
	s := "Bút phê văn bản đến " + doc
	byRole := map[string][]string{}
	for _, a := range p.Assignments {
		who := oneLine(a.Assignee)
		if a.Kind == "unit" {
			who = "đơn vị " + who
		}
		if a.Deadline != "" {
			who += " (hạn " + viDate(a.Deadline) + ")"
		}
		byRole[a.Role] = append(byRole[a.Role], who)
	}
	if c := byRole["chu_tri"]; len(c) > 0 {
		s += " — chủ trì: " + strings.Join(c, ", ")
	}
	var l textLines
	first := "Chuyển xử lý văn bản đến " + doc
	if p.Date != "" {
		first += " ngày " + viDate(p.Date)
	}
	l = append(l, first+".")
	if c := textBlock(p.Comment); c != "" {
		l = append(l, "Bút phê: “"+c+"”")
	}
	for _, role := range []string{"chu_tri", "phoi_hop", "de_biet"} {
		if w := byRole[role]; len(w) > 0 {
			l.add(assignRoleTitles[role]+": ", strings.Join(w, ", "))
		}
	}
	var other []string // roles this build does not know, in a fixed order
	for role := range byRole {
		if _, ok := assignRoleTitles[role]; !ok {
			other = append(other, role)
		}
	}
	sort.Strings(other)
	for _, role := range other {
		l.add(orDash(oneLine(role))+": ", strings.Join(byRole[role], ", "))
	}
	return s, l.String()
}

// assignmentStep describes accepted/completed/returned.
func assignmentStep(subject, sentence, reasonLabel string) func(*docstore.AssignmentStep) (string, string) {
	return func(p *docstore.AssignmentStep) (string, string) {
		id := orDash(oneLine(p.AssignmentID))
		var l textLines
		l = append(l, sentence+" (mã việc "+id+").")
		l.add(reasonLabel+": ", textBlock(p.Reason))
		return subject + " " + id, l.String()
	}
}

func draftCreated(p *docstore.DraftCreated) (string, string) {
	subj := oneLine(p.Subject)
	s := "Tạo dự thảo"
	if subj != "" {
		s += ": " + subj
	}
	var l textLines
	first := "Tạo dự thảo"
	if p.Type != "" {
		first += " " + strings.ToLower(docTypeName(p.Type))
	}
	if subj != "" {
		first += " " + quoted(subj)
	}
	l = append(l, first+".")
	l.add("Đơn vị soạn thảo: ", oneLine(p.UnitID))
	l = append(l, "Độ khẩn: "+urgency(p.Urgency)+"; độ mật: "+secrecy(p.Secrecy)+".")
	fileLine(&l, "Tệp: ", p.File)
	l.add("Mã dự thảo: ", oneLine(p.DraftID))
	return s, l.String()
}

func draftVersion(p *docstore.DraftVersion) (string, string) {
	id := orDash(oneLine(p.DraftID))
	s := "Dự thảo " + id + ": thêm bản " + strconv.Itoa(p.Version)
	var l textLines
	l = append(l, "Thêm bản thứ "+strconv.Itoa(p.Version)+" của dự thảo "+id+".")
	l.add("Trích yếu mới: ", quoted(p.Subject))
	fileLine(&l, "Tệp: ", p.File)
	l.add("Ghi chú: ", textBlock(p.Note))
	return s, l.String()
}

func draftSubmitted(p *docstore.DraftSubmitted) (string, string) {
	id := orDash(oneLine(p.DraftID))
	var l textLines
	l = append(l, "Trình dự thảo "+id+" để duyệt.")
	l.add("Người duyệt: ", oneLine(p.ApproverID))
	l.add("Người ký nháy: ", oneLine(p.InitialerID))
	return "Trình duyệt dự thảo " + id, l.String()
}

// draftStep describes initialed/returned/approved/cancelled; "%s" in
// sentence stands for the draft's id.
func draftStep(subject, sentence, commentLabel string) func(*docstore.DraftStep) (string, string) {
	return func(p *docstore.DraftStep) (string, string) {
		id := orDash(oneLine(p.DraftID))
		var l textLines
		l = append(l, strings.Replace(sentence, "%s", id, 1)+".")
		l.add(commentLabel+": ", textBlock(p.Comment))
		return subject + " " + id, l.String()
	}
}

func draftSigned(p *docstore.DraftSignature) (string, string) {
	id := orDash(oneLine(p.DraftID))
	var l textLines
	l = append(l, "Đã ký văn bản của dự thảo "+id+".")
	l.add("Thẩm quyền ký: ", strings.TrimSpace(oneLine(p.Authority)+" "+oneLine(p.Title)))
	return "Ký dự thảo " + id, l.String()
}

func draftIssued(p *docstore.DraftIssue) (string, string) {
	num := oneLine(p.Notation)
	if num == "" {
		num = strconv.Itoa(p.Number)
	}
	s := "Cấp số " + num
	if p.Date != "" {
		s += " ngày " + viDate(p.Date)
	}
	var l textLines
	first := "Cấp số văn bản đi " + num + " (số " + strconv.Itoa(p.Number)
	if r := oneLine(p.RegisterID); r != "" {
		first += ", sổ " + r
	}
	first += ")"
	if p.Date != "" {
		first += " ngày " + viDate(p.Date)
	}
	l = append(l, first+" cho dự thảo "+orDash(oneLine(p.DraftID))+".")
	l.add("Người ký: ", oneLine(p.Signer))
	if r := textBlock(p.Recipients); r != "" {
		l = append(l, "Nơi nhận:\n"+r)
	}
	if p.Copies > 0 {
		l.add("Số lượng bản: ", strconv.Itoa(p.Copies))
	}
	if p.PageCount > 0 {
		l.add("Số trang: ", strconv.Itoa(p.PageCount))
	}
	l.add("Đơn vị, người nhận bản lưu: ", oneLine(p.CopyHolder))
	if p.Forwarded != "" {
		l.add("Ngày chuyển: ", viDate(p.Forwarded))
	}
	src := p.Source
	if src == "" {
		src = docstore.SourceElectronic // events from before Source existed
	}
	l.add("Hình thức ban hành: ", sourceName(src))
	l.add("Ghi chú: ", textBlock(p.Note))
	l.add("Mã văn bản: ", oneLine(p.DocID))
	return s, l.String()
}

func exchangeAgencySet(p *docstore.ExchangeAgency) (string, string) {
	name := orDash(oneLine(p.Name))
	var l textLines
	if p.Removed {
		l = append(l, "Bỏ cơ quan có mã định danh "+orDash(oneLine(p.OrganID))+" khỏi danh bạ liên thông.")
		return "Bỏ khỏi danh bạ liên thông: " + oneLine(p.OrganID), l.String()
	}
	l = append(l, "Cập nhật danh bạ liên thông: "+name+".")
	l.add("Mã định danh: ", oneLine(p.OrganID))
	l.add("Địa chỉ nhận gói tin: ", oneLine(p.Email))
	return "Danh bạ liên thông: " + name, l.String()
}
