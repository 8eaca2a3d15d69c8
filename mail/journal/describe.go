package journal

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	docstore "congvu/docs-store"
	"congvu/docs-store/vntext"
)

// Describe says in Vietnamese what ev does: a one-line subject and a few
// sentences, for a colleague who opens the journal folder in any mail
// client. The words are fixed (not UI strings: they are shared data, the
// same for every reader); people, units, registers and documents are
// named by the ids the event carries, since the event alone is all there
// is to go by. Whatever the payload holds, Describe gives something
// ("Sự kiện <type>" when it cannot read it); both texts are NFC.
func Describe(ev docstore.Event) (subject, text string) {
	if f, ok := describers[ev.Type]; ok {
		if s, t, ok := f(ev); ok {
			return finishDescription(ev, s, t)
		}
	}
	typ := oneLine(ev.Type)
	if typ == "" {
		typ = "không rõ loại"
	}
	return finishDescription(ev, "Sự kiện "+typ, "Sự kiện "+typ+" của nhật ký dùng chung.")
}

// maxSubject bounds the subject line, in characters.
const maxSubject = 160

// finishDescription adds the author and time, and normalizes both texts.
func finishDescription(ev docstore.Event, subject, text string) (string, string) {
	subject = oneLine(subject)
	if utf8.RuneCountInString(subject) > maxSubject {
		r := []rune(subject)
		subject = strings.TrimSpace(string(r[:maxSubject-1])) + "…"
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(text, "\n"))
	b.WriteString("\n\nNgười thực hiện: " + orDash(oneLine(ev.Actor)))
	if !ev.Time.IsZero() {
		b.WriteString(", lúc " + ev.Time.In(vietnam).Format("15:04 ngày 02/01/2006") + " (giờ Việt Nam)")
	}
	b.WriteString(".\nMã sự kiện: " + orDash(oneLine(ev.ID)) + ".")
	return subject, vntext.NFC(b.String())
}

// describers turn each event type's payload into (subject, text); false
// when the payload cannot be read.
var describers = map[string]func(docstore.Event) (string, string, bool){
	docstore.EvAgencyFounded:      describeAs(agencyFounded),
	docstore.EvUnitAdded:          describeAs(unitAdded),
	docstore.EvPersonAdded:        describeAs(func(p *docstore.PersonInput) (string, string) { return describePerson(p, false) }),
	docstore.EvPersonUpdated:      describeAs(func(p *docstore.PersonInput) (string, string) { return describePerson(p, true) }),
	docstore.EvRegisterOpened:     describeAs(registerOpened),
	docstore.EvRegisterClosed:     describeAs(registerClosed),
	docstore.EvRegisterReopened:   describeAs(registerReopened),
	docstore.EvIncomingRegistered: describeAs(incomingRegistered),
	docstore.EvIncomingDirected:   describeAs(incomingDirected),
	docstore.EvAssignmentAccepted: describeAs(assignmentStep("Nhận xử lý việc", "Đã nhận xử lý việc được giao", "Ý kiến")),
	docstore.EvAssignmentDone:     describeAs(assignmentStep("Hoàn thành việc", "Đã hoàn thành việc được giao", "Kết quả")),
	docstore.EvAssignmentReturned: describeAs(assignmentStep("Trả lại việc", "Trả lại việc được giao", "Lý do")),
	docstore.EvDraftCreated:       describeAs(draftCreated),
	docstore.EvDraftVersion:       describeAs(draftVersion),
	docstore.EvDraftSubmitted:     describeAs(draftSubmitted),
	docstore.EvDraftInitialed:     describeAs(draftStep("Ký nháy dự thảo", "Đã ký nháy dự thảo %s", "Ý kiến")),
	docstore.EvDraftReturned:      describeAs(draftStep("Trả lại dự thảo", "Trả lại dự thảo %s để sửa", "Ý kiến")),
	docstore.EvDraftApproved:      describeAs(draftStep("Duyệt dự thảo", "Đã duyệt dự thảo %s", "Ý kiến")),
	docstore.EvDraftSigned:        describeAs(draftSigned),
	docstore.EvDraftIssued:        describeAs(draftIssued),
	docstore.EvDraftCancelled:     describeAs(draftStep("Hủy dự thảo", "Đã hủy dự thảo %s", "Lý do")),
	docstore.EvExchangeAgencySet:  describeAs(exchangeAgencySet),
}

// describeAs adapts a describer of payload T.
func describeAs[T any](f func(*T) (string, string)) func(docstore.Event) (string, string, bool) {
	return func(ev docstore.Event) (string, string, bool) {
		p := new(T)
		if len(ev.Payload) == 0 || json.Unmarshal(ev.Payload, p) != nil {
			return "", "", false
		}
		s, t := f(p)
		return s, t, true
	}
}

// textLines builds a text a sentence per line, leaving out what is empty.
type textLines []string

// add appends prefix+value+"." when value is not empty.
func (l *textLines) add(prefix, value string) {
	if strings.TrimSpace(value) != "" {
		*l = append(*l, prefix+strings.TrimRight(value, ".")+".")
	}
}

func (l textLines) String() string { return strings.Join(l, "\n") }

// quoted quotes a free text (trích yếu, bút phê) on one line.
func quoted(s string) string {
	if s = oneLine(s); s == "" {
		return ""
	}
	return "“" + s + "”"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// textBlock keeps the line breaks of a multi-line text (nơi nhận, a comment)
// and drops every other control character.
func textBlock(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case unicode.IsControl(r):
			return ' '
		}
		return r
	}, s)
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// viDate shows YYYY-MM-DD as dd/mm/yyyy (anything else as it is).
func viDate(s string) string {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("02/01/2006")
	}
	return oneLine(s)
}

func docTypeName(code string) string {
	if t, ok := docstore.LookupDocType(code); ok {
		return t.Name
	}
	return oneLine(code)
}

var (
	urgencyNames = []string{"thường", "khẩn", "thượng khẩn", "hỏa tốc"}
	secrecyNames = []string{"thường", "mật", "tối mật", "tuyệt mật"}
	roleNames    = map[docstore.Role]string{
		docstore.RoleClerk:        "văn thư",
		docstore.RoleSpecialist:   "chuyên viên",
		docstore.RoleUnitHead:     "lãnh đạo đơn vị",
		docstore.RoleAgencyLeader: "lãnh đạo cơ quan",
		docstore.RoleAdmin:        "quản trị",
	}
	sourceNames = map[docstore.Source]string{
		docstore.SourcePaper:      "bản giấy",
		docstore.SourceElectronic: "điện tử",
		docstore.SourceEmail:      "thư điện tử",
		docstore.SourceEdXML:      "liên thông (edXML)",
	}
	assignRoleTitles = map[string]string{"chu_tri": "Chủ trì", "phoi_hop": "Phối hợp", "de_biet": "Để biết"}
)

func levelName(names []string, i int) string {
	if i >= 0 && i < len(names) {
		return names[i]
	}
	return strconv.Itoa(i)
}

func urgency(u docstore.Urgency) string { return levelName(urgencyNames, int(u)) }
func secrecy(s docstore.Secrecy) string { return levelName(secrecyNames, int(s)) }

func sourceName(s docstore.Source) string {
	if n, ok := sourceNames[s]; ok {
		return n
	}
	return oneLine(string(s))
}

// keyLine names a person's signing key by its fingerprint, which the
// administrator compares with the one the person's screen shows.
func keyLine(l *textLines, pub string) {
	if pub == "" {
		return
	}
	if k, err := ParsePublicKey(pub); err == nil {
		l.add("Khóa ký: ", Fingerprint(k)+" ("+FingerprintGroups(k)+")")
	} else {
		l.add("Khóa ký: ", "không đọc được")
	}
}

func fileLine(l *textLines, prefix string, f docstore.Attachment) {
	if f.SHA256 == "" && f.Name == "" {
		return
	}
	s := orDash(oneLine(f.Name))
	if f.Size > 0 {
		s += " (" + formatSize(f.Size) + ")"
	}
	if f.SHA256 != "" {
		s += ", SHA-256 " + oneLine(f.SHA256)
	}
	l.add(prefix, s)
}
