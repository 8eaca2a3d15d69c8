package docstore

import (
	"fmt"
	"regexp"
	"strings"
)

// Role is what a person may do in the agency (Decree 30 actors).
type Role string

const (
	RoleClerk        Role = "van_thu"          // văn thư: registers, numbers, issues
	RoleSpecialist   Role = "chuyen_vien"      // chuyên viên: handles, drafts
	RoleUnitHead     Role = "lanh_dao_don_vi"  // lãnh đạo đơn vị: directs in the unit, ký nháy, approves
	RoleAgencyLeader Role = "lanh_dao_co_quan" // lãnh đạo cơ quan: directs, approves, signs
	RoleAdmin        Role = "quan_tri"         // quản trị: directory, reopening registers
)

// Roles lists every role, for validation and for the UI.
var Roles = []Role{RoleClerk, RoleSpecialist, RoleUnitHead, RoleAgencyLeader, RoleAdmin}

func validRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Urgency (độ khẩn). The numbers match edXML's Priority 0–3.
type Urgency int

const (
	UrgencyNormal Urgency = iota // thường
	UrgencyUrgent                // khẩn
	UrgencyHigh                  // thượng khẩn
	UrgencyFlash                 // hỏa tốc
)

// Secrecy (độ mật); a person's clearance uses the same scale.
type Secrecy int

const (
	SecrecyNone   Secrecy = iota // thường
	SecrecyMat                   // mật
	SecrecyToiMat                // tối mật
	SecrecyTuyet                 // tuyệt mật
)

// Source says how an incoming document arrived.
type Source string

const (
	SourcePaper      Source = "giay"
	SourceElectronic Source = "dien_tu"
	SourceEmail      Source = "email"
	SourceEdXML      Source = "edxml"
)

func validSource(s Source) bool {
	switch s {
	case SourcePaper, SourceElectronic, SourceEmail, SourceEdXML:
		return true
	}
	return false
}

// Register kinds.
const (
	KindIncoming = "den"
	KindOutgoing = "di"
)

// DocType is a document type: Decree 30 Điều 7 (the 29 administrative types,
// with the abbreviations of Phụ lục III, case-sensitive: QyĐ, CTr, TTr, TrS),
// công văn and thư công (no abbreviation), copies, and the legal-normative
// types an agency receives from above.
type DocType struct {
	Code  string // stable id stored in the database and in events
	Name  string // tên loại
	Abbr  string // chữ viết tắt in the ký hiệu; "" for công văn
	Admin bool   // an administrative type this agency may issue
}

// DocTypes is the table of known types, in the order of Điều 7.
var DocTypes = []DocType{
	{"NQ", "Nghị quyết", "NQ", true},
	{"QD", "Quyết định", "QĐ", true},
	{"CT", "Chỉ thị", "CT", true},
	{"QC", "Quy chế", "QC", true},
	{"QYD", "Quy định", "QyĐ", true},
	{"TC", "Thông cáo", "TC", true},
	{"TB", "Thông báo", "TB", true},
	{"HD", "Hướng dẫn", "HD", true},
	{"CTR", "Chương trình", "CTr", true},
	{"KH", "Kế hoạch", "KH", true},
	{"PA", "Phương án", "PA", true},
	{"DEA", "Đề án", "ĐA", true},
	{"DA", "Dự án", "DA", true},
	{"BC", "Báo cáo", "BC", true},
	{"BB", "Biên bản", "BB", true},
	{"TTR", "Tờ trình", "TTr", true},
	{"HOPD", "Hợp đồng", "HĐ", true},
	{"CV", "Công văn", "", true},
	{"CD", "Công điện", "CĐ", true},
	{"BGN", "Bản ghi nhớ", "BGN", true},
	{"BTT", "Bản thỏa thuận", "BTT", true},
	{"GUQ", "Giấy ủy quyền", "GUQ", true},
	{"GM", "Giấy mời", "GM", true},
	{"GGT", "Giấy giới thiệu", "GGT", true},
	{"GNP", "Giấy nghỉ phép", "GNP", true},
	{"PG", "Phiếu gửi", "PG", true},
	{"PC", "Phiếu chuyển", "PC", true},
	{"PB", "Phiếu báo", "PB", true},
	{"THC", "Thư công", "", true},
	{"SY", "Bản sao y", "SY", true},
	{"TRS", "Bản trích sao", "TrS", true},
	{"SL", "Bản sao lục", "SL", true},
	// Legal-normative documents received from the State (not issued here).
	{"LUAT", "Luật", "", false},
	{"ND", "Nghị định", "NĐ", false},
	{"TT", "Thông tư", "TT", false},
	{"TTLT", "Thông tư liên tịch", "TTLT", false},
	{"PL", "Pháp lệnh", "PL", false},
}

var docTypeByCode = func() map[string]DocType {
	m := make(map[string]DocType, len(DocTypes))
	for _, t := range DocTypes {
		m[t.Code] = t
	}
	return m
}()

// LookupDocType finds a type by its code.
func LookupDocType(code string) (DocType, bool) {
	t, ok := docTypeByCode[code]
	return t, ok
}

// notationRE accepts the số và ký hiệu forms seen on real documents:
// 15/QĐ-UBND, 05/UBND-VP, 627/TTr-STTTT, 30/2020/NĐ-CP, 12/2024/TT-BTC,
// 123/KH-UBND.VX (a unit after a dot). No spaces (Phụ lục I II.3).
var notationRE = regexp.MustCompile(`^[0-9]{1,7}(/[0-9]{4})?/[\p{L}0-9]+([-.&][\p{L}0-9]+)*$`)

// ValidNotation reports whether s is a well-formed số và ký hiệu.
func ValidNotation(s string) bool { return notationRE.MatchString(s) }

// ComposeNotation builds the số và ký hiệu of an outgoing document per
// Decree 30 Phụ lục I: numbers below 10 get a leading 0; the type
// abbreviation then the agency's (15/QĐ-UBND), or for công văn the agency's
// then the drafting unit's (05/UBND-VP).
func ComposeNotation(number int, t DocType, agencyAbbr, unitAbbr string) string {
	num := fmt.Sprintf("%02d", number)
	if t.Abbr == "" {
		if unitAbbr == "" {
			return num + "/" + agencyAbbr
		}
		return num + "/" + agencyAbbr + "-" + unitAbbr
	}
	return num + "/" + t.Abbr + "-" + agencyAbbr
}

// SigningAuthority prefixes (Decree 30 Phụ lục I): TM. on behalf of a
// collective, KT. a deputy for the head, TL. by order, TUQ. by delegation,
// Q. acting head; "" when the head signs in their own name.
var SigningAuthorities = []string{"", "TM.", "KT.", "TL.", "TUQ.", "Q."}

func validAuthority(a string) bool {
	for _, x := range SigningAuthorities {
		if x == a {
			return true
		}
	}
	return false
}

// agencyCodeRE is the QCVN 102 mã định danh: NNN.NN.NN.XNN (13 characters).
var agencyCodeRE = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)

// ValidAgencyCode reports whether s is a mã định danh in QCVN 102 form.
func ValidAgencyCode(s string) bool { return agencyCodeRE.MatchString(s) }

func blank(s string) bool { return strings.TrimSpace(s) == "" }
