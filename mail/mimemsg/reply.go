package mimemsg

import (
	"strings"
	"unicode"
	"unicode/utf8"

	docstore "congvu/docs-store"
	"congvu/docs-store/vntext"
)

// Subject prefixes, lower-case, without the colon: what clients in
// Vietnam and abroad put before a reply's or a forward's subject.
var (
	replyPrefixes   = []string{"re", "aw", "sv", "antw", "trả lời", "tl", "phản hồi"}
	forwardPrefixes = []string{"fwd", "fw", "chuyển tiếp", "tv", "wg", "enc"}
)

// maxReferences bounds References in a long thread: the first id (the
// thread's root) and the most recent ones are what threading needs.
const maxReferences = 30

// stripPrefixes removes leading prefixes "p:" (any case, also "p[2]:",
// "p(2):" and "p :") from s, repeatedly.
func stripPrefixes(s string, prefixes []string) string {
	s = strings.TrimSpace(vntext.NFC(s))
	for changed := true; changed; {
		changed = false
		for _, p := range prefixes {
			rest, ok := cutPrefixFold(s, p)
			if !ok {
				continue
			}
			rest = strings.TrimLeft(rest, " ")
			if strings.HasPrefix(rest, "[") || strings.HasPrefix(rest, "(") {
				if i := strings.IndexAny(rest, "])"); i > 0 && i < 6 && isDigits(rest[1:i]) {
					rest = rest[i+1:]
				}
			}
			rest = strings.TrimLeft(rest, " ")
			if r, _ := utf8.DecodeRuneInString(rest); r == ':' || r == '：' {
				_, size := utf8.DecodeRuneInString(rest)
				s = strings.TrimSpace(rest[size:])
				changed = true
				break
			}
		}
	}
	return s
}

// cutPrefixFold cuts prefix p from s, compared without regard to case.
func cutPrefixFold(s, p string) (string, bool) {
	i := 0
	for _, pr := range p {
		if i >= len(s) {
			return "", false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.ToLower(r) != pr && !strings.EqualFold(string(r), string(pr)) {
			return "", false
		}
		i += size
	}
	return s[i:], true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ReplySubject is "Re: " and the subject without its reply prefixes
// ("Re:", "RE:", "Aw:", "Trả lời:", "TL:", …), so replies never pile up
// "Re: Re:".
func ReplySubject(s string) string {
	return "Re: " + stripPrefixes(s, replyPrefixes)
}

// ForwardSubject is "Fwd: " and the subject without its forward prefixes
// ("Fwd:", "FW:", "Chuyển tiếp:", …).
func ForwardSubject(s string) string {
	return "Fwd: " + stripPrefixes(s, forwardPrefixes)
}

func sameAddr(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Reply returns the draft of a reply from me to orig: To is orig's
// Reply-To, or its From (the recipients when orig is my own message);
// with all, orig's other To and Cc recipients are added (To to To, Cc to
// Cc), never me and never twice. In-Reply-To and References make it part
// of the thread; the text quotes orig under "Vào <ngày>, <tên> đã viết:".
func Reply(orig *Message, me docstore.MailAddress, all bool) Draft {
	if orig == nil {
		orig = &Message{}
	}
	d := Draft{From: me, Subject: ReplySubject(orig.Subject), InReplyTo: orig.MessageID}
	target := orig.ReplyTo
	if len(target) == 0 {
		target = orig.From
	}
	mine := len(target) > 0
	for _, a := range target {
		if !sameAddr(a.Addr, me.Addr) {
			mine = false
		}
	}
	if mine && len(orig.To) > 0 { // a reply to my own message goes to its recipients
		target = orig.To
	}
	seen := map[string]bool{}
	add := func(list *[]docstore.MailAddress, a docstore.MailAddress) {
		key := strings.ToLower(strings.TrimSpace(a.Addr))
		if key == "" || seen[key] || sameAddr(a.Addr, me.Addr) {
			return
		}
		seen[key] = true
		*list = append(*list, a)
	}
	for _, a := range target {
		add(&d.To, a)
	}
	if len(d.To) == 0 && len(target) > 0 && strings.TrimSpace(target[0].Addr) != "" {
		d.To = []docstore.MailAddress{target[0]} // writing to oneself
		seen[strings.ToLower(strings.TrimSpace(target[0].Addr))] = true
	}
	if all {
		for _, a := range orig.To {
			add(&d.To, a)
		}
		for _, a := range orig.Cc {
			add(&d.Cc, a)
		}
	}
	d.References = threadReferences(orig)

	var b strings.Builder
	b.WriteString("\n\n")
	name := ""
	if len(orig.From) > 0 {
		name = orig.From[0].Name
		if name == "" {
			name = orig.From[0].Addr
		}
	}
	switch {
	case !orig.Date.IsZero() && name != "":
		b.WriteString("Vào " + formatDate(orig.Date) + ", " + name + " đã viết:\n")
	case name != "":
		b.WriteString(name + " đã viết:\n")
	case !orig.Date.IsZero():
		b.WriteString("Vào " + formatDate(orig.Date) + ", thư gốc:\n")
	}
	b.WriteString(quote(orig.Text))
	d.Text = b.String()
	return d
}

// threadReferences is orig's References followed by its Message-ID.
func threadReferences(orig *Message) []string {
	refs := append([]string{}, orig.References...)
	if orig.MessageID != "" && (len(refs) == 0 || refs[len(refs)-1] != orig.MessageID) {
		refs = append(refs, orig.MessageID)
	}
	if len(refs) > maxReferences {
		refs = append(refs[:1:1], refs[len(refs)-maxReferences+1:]...)
	}
	return refs
}

// quote prefixes each line with "> " (">" before an empty line or one
// already quoted, the usual nesting ">>").
func quote(text string) string {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	var b strings.Builder
	b.Grow(len(text) + 2*len(lines))
	for _, l := range lines {
		switch {
		case l == "":
			b.WriteString(">\n")
		case strings.HasPrefix(l, ">"):
			b.WriteString(">" + l + "\n")
		default:
			b.WriteString("> " + l + "\n")
		}
	}
	return b.String()
}

// Forward returns the draft of a forward of orig: "Fwd: " subject, and
// the text of orig under a "Thư được chuyển tiếp" block with its From,
// Date, Subject, To and Cc. Recipients are left to the user and
// attachments to the caller (it has the raw message: OpenPart).
func Forward(orig *Message) Draft {
	if orig == nil {
		orig = &Message{}
	}
	var b strings.Builder
	b.WriteString("\n\n" + ForwardedLine + "\n")
	if len(orig.From) > 0 {
		b.WriteString("Từ: " + formatAddrs(orig.From) + "\n")
	}
	if !orig.Date.IsZero() {
		b.WriteString("Ngày: " + formatDate(orig.Date) + "\n")
	}
	b.WriteString("Tiêu đề: " + orig.Subject + "\n")
	if len(orig.To) > 0 {
		b.WriteString("Đến: " + formatAddrs(orig.To) + "\n")
	}
	if len(orig.Cc) > 0 {
		b.WriteString("Cc: " + formatAddrs(orig.Cc) + "\n")
	}
	b.WriteString("\n" + orig.Text)
	return Draft{Subject: ForwardSubject(orig.Subject), Text: b.String()}
}
