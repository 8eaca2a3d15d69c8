package imapsync

import (
	"mime"
	"sort"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"congvu/docs-store"
	"congvu/docs-store/vntext"
)

// headerOf turns one FETCH reply of the headers pass into the cache's form.
func headerOf(m *imapclient.FetchMessageBuffer) docstore.MailHeader {
	h := docstore.MailHeader{
		UID:          uint32(m.UID),
		ModSeq:       m.ModSeq,
		Flags:        flagStrings(m.Flags),
		InternalDate: m.InternalDate,
		Size:         m.RFC822Size,
	}
	if e := m.Envelope; e != nil {
		h.Date = e.Date
		h.Subject = vntext.NFC(strings.TrimSpace(e.Subject))
		h.From = addresses(e.From)
		h.To = addresses(e.To)
		h.Cc = addresses(e.Cc)
		h.ReplyTo = addresses(e.ReplyTo)
		h.MessageID = e.MessageID
		if len(e.InReplyTo) > 0 {
			h.InReplyTo = e.InReplyTo[0]
		}
	}
	if h.Date.IsZero() {
		h.Date = h.InternalDate
	}
	if m.BodyStructure != nil {
		h.Attachments = attachmentNames(m.BodyStructure)
	}
	return h
}

func flagStrings(fs []imap.Flag) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		if f == "\\Recent" {
			continue // session state, not a property of the message
		}
		out = append(out, string(f))
	}
	sort.Strings(out)
	return out
}

func addresses(as []imap.Address) []docstore.MailAddress {
	var out []docstore.MailAddress
	for i := range as {
		a := &as[i]
		if a.IsGroupStart() || a.IsGroupEnd() {
			continue
		}
		out = append(out, docstore.MailAddress{Name: vntext.NFC(strings.TrimSpace(a.Name)), Addr: strings.ToLower(a.Addr())})
	}
	return out
}

// attachmentNames lists the file names BODYSTRUCTURE announces, so the list
// shows a paper clip (and search finds the names) before any body is here.
// go-imap decodes RFC 2047 in parameter values but not RFC 2231
// (filename*=utf-8”…, filename*0*=…); mime.ParseMediaType does those.
func attachmentNames(bs imap.BodyStructure) []string {
	var names []string
	bs.Walk(func(path []int, part imap.BodyStructure) bool {
		sp, ok := part.(*imap.BodyStructureSinglePart)
		if !ok {
			return true
		}
		name := sp.Filename()
		if name == "" {
			var params map[string]string
			if d := sp.Disposition(); d != nil {
				params = d.Params
			}
			name = rfc2231Name(params, "filename")
			if name == "" {
				name = rfc2231Name(sp.Params, "name")
			}
		}
		inline := false
		if d := sp.Disposition(); d != nil && strings.EqualFold(d.Value, "inline") {
			inline = true
		}
		isAttachment := name != "" || (sp.Disposition() != nil && strings.EqualFold(sp.Disposition().Value, "attachment"))
		if strings.EqualFold(sp.Type, "message") && strings.EqualFold(sp.Subtype, "rfc822") {
			isAttachment = true
			if name == "" && sp.MessageRFC822 != nil && sp.MessageRFC822.Envelope != nil {
				name = sp.MessageRFC822.Envelope.Subject + ".eml"
			}
			return false // its insides belong to the forwarded message
		}
		if isAttachment && !(inline && strings.EqualFold(sp.Type, "image") && name == "") {
			if name == "" {
				name = strings.ToLower(sp.Type + "/" + sp.Subtype)
			}
			names = append(names, vntext.NFC(name))
		}
		return true
	})
	return names
}

// rfc2231Name reassembles an RFC 2231 parameter (key*, key*0*, key*1, …)
// from the raw parameter map of a BODYSTRUCTURE.
func rfc2231Name(params map[string]string, key string) string {
	if len(params) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("x/x")
	found := false
	for k, v := range params {
		if k == key || strings.HasPrefix(k, key+"*") {
			found = true
			b.WriteString("; ")
			b.WriteString(k)
			b.WriteString("=")
			if strings.HasSuffix(k, "*") {
				b.WriteString(v) // extended value: charset'lang'%XX, no quotes
			} else {
				b.WriteString(`"` + strings.ReplaceAll(v, `"`, `\"`) + `"`)
			}
		}
	}
	if !found {
		return ""
	}
	_, ps, err := mime.ParseMediaType(b.String())
	if err != nil {
		return ""
	}
	return ps[key]
}
