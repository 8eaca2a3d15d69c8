package mimemsg

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	docstore "congvu/docs-store"
	"congvu/docs-store/vntext"
)

// parser walks one message. The same walk serves Parse (collect text and
// parts) and OpenPart (target set: stop at the part at that path), so
// that the paths Parse lists are exactly the paths OpenPart finds.
type parser struct {
	msg      *Message // Parse; nil for OpenPart
	seen     map[string]bool
	entities int // MIME entities looked at (MaxParts)
	textKept int // decoded text/plain bytes retained
	htmlKept int // raw HTML bytes retained

	target   string    // OpenPart: the path asked for
	found    *bodyIter // OpenPart: the body of the part found
	foundCTE string    // its transfer encoding ("" for raw)
}

// problem notes something odd, once.
func (p *parser) problem(s string) {
	if p.msg == nil || p.seen[s] || len(p.msg.Problems) >= maxProblems {
		return
	}
	p.seen[s] = true
	p.msg.Problems = append(p.msg.Problems, s)
}

// Kinds of text segments.
const (
	segPlain = iota // decoded text/plain
	segHTML         // decoded HTML source, converted when rendered
	segDone         // rendered text (a forwarded message's block)
)

type textSeg struct {
	kind int
	s    string
	html bool // segDone: HTML was used for it
}

// Parse reads a message from r, to the end of r whatever happens, and
// returns what could be made of it. See the package comment for the
// guarantees. The error is nil for anything with a header, ErrNotMessage
// for input without one (the Message then still holds what was found),
// or the read error of r wrapped (the Message holds what came before).
func Parse(r io.Reader) (msg *Message, err error) {
	msg = &Message{}
	cr := &countReader{r: r}
	p := &parser{msg: msg, seen: map[string]bool{}}
	defer func() {
		if v := recover(); v != nil {
			// A bug must not take the sync engine down nor leave the
			// tee blocked: note it, read on, return what we have.
			p.problem(fmt.Sprintf("internal error: %v", v))
			err = nil
		}
		if cr.err == nil {
			io.Copy(io.Discard, cr) // read to the end, always
		}
		switch {
		case cr.err != nil:
			err = fmt.Errorf("mimemsg: parse: read: %w", cr.err)
		case cr.n == 0:
			p.problem("empty input")
			err = ErrNotMessage
		}
	}()
	ls := pooledLineStream(cr)
	defer ls.release()
	segs, h, _ := p.entity(ls, nil, "", 0, true, "text/plain")
	p.fillHeader(h)
	text, html := p.render(segs)
	if len(text) > TextCap {
		p.problem("text over 1 MB truncated")
		text = truncateText(text, TextCap)
	}
	msg.Text, msg.FromHTML = text, html
	if len(h.fields) == 0 {
		return msg, ErrNotMessage
	}
	return msg, nil
}

// childPath is the IMAP section number of the i-th child of path.
func childPath(path string, i int) string {
	if path == "" {
		return strconv.Itoa(i)
	}
	return path + "." + strconv.Itoa(i)
}

// entity reads one entity (header and body) from ls. isMsg says it is a
// message (the top level or a message/rfc822 body): a message that is not
// multipart has its body at path.1 (IMAP), a part has it at path.
// defType is the Content-Type when there is none.
func (p *parser) entity(ls *lineStream, st stops, path string, depth int, isMsg bool, defType string) ([]textSeg, *header, term) {
	h, t := p.readHeader(ls, st, isMsg && depth == 0)
	p.entities++
	if h.count("content-type") > 1 {
		p.problem("duplicate Content-Type header")
	}
	ct, params := parseParams(h.get("content-type"))
	ct = p.mediaType(ct, defType)
	it := endedBy(t)
	if t.kind == termNone {
		it = newBodyIter(ls, st)
	}
	if strings.HasPrefix(ct, "multipart/") {
		if depth >= MaxDepth {
			p.problem("nesting deeper than 8 levels")
		} else {
			if p.target != "" && !isMsg && path == p.target {
				p.found, p.foundCTE = it, ""
				return nil, h, term{kind: termFound}
			}
			if it.done {
				return nil, h, it.t
			}
			segs, t := p.multipart(ls, st, ct, params, path, depth)
			return segs, h, t
		}
	}
	bodyPath := path
	if isMsg {
		bodyPath = childPath(path, 1)
	}
	segs, t := p.leaf(it, h, ct, params, bodyPath, depth, isMsg)
	return segs, h, t
}

// mediaType validates a Content-Type value.
func (p *parser) mediaType(ct, defType string) string {
	if ct == "" {
		return defType
	}
	slash := strings.IndexByte(ct, '/')
	if slash <= 0 || slash == len(ct)-1 || strings.Count(ct, "/") != 1 || strings.ContainsAny(ct, " \t\"<>@,;:\\[]?=") || !isPrintableASCII(ct) {
		if ct == "text" {
			return "text/plain"
		}
		p.problem("invalid Content-Type")
		if strings.HasPrefix(ct, "text") {
			return "text/plain"
		}
		return "application/octet-stream"
	}
	return ct
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

// noBoundary stands for a missing boundary parameter: it never matches a
// line, so the body is taken as the preamble unless a delimiter is found
// by boundaryCandidate.
const noBoundary = "\x00"

// multipart reads the body of a multipart entity: preamble, parts,
// epilogue. A close delimiter that never comes, a delimiter of an outer
// multipart, the end of the input: each ends it with what was read.
func (p *parser) multipart(ls *lineStream, st stops, ct string, params map[string]string, path string, depth int) ([]textSeg, term) {
	b := params["boundary"]
	if b == "" || len(b) > 200 {
		p.problem("multipart without a boundary")
		b = noBoundary
	}
	own := st.push(b)
	lvl := len(own) - 1

	// Preamble, up to the first delimiter.
	var preamble capBuffer
	preamble.max = 64 << 10
	t := term{kind: termEOF}
	for {
		line, start, ok := ls.next()
		if !ok {
			break
		}
		if start {
			if level, closing, ok := own.match(line); ok {
				t = term{kind: termBoundary, level: level, closing: closing}
				break
			}
			if cand := boundaryCandidate(line); cand != "" && p.nextIsMIMEField(ls) {
				if b == noBoundary {
					p.problem("multipart boundary found in the body")
				} else {
					p.problem("multipart boundary does not match its declaration")
				}
				own[lvl] = cand
				t = term{kind: termBoundary, level: lvl}
				break
			}
		}
		preamble.Write(line)
	}

	var children [][]textSeg
	if t.kind == termBoundary && t.level == lvl && !t.closing {
		def := "text/plain"
		if ct == "multipart/digest" {
			def = "message/rfc822"
		}
		for i := 1; ; i++ {
			if p.entities >= MaxParts {
				p.problem("more than 1000 parts; the rest is not listed")
				t = p.skipParts(ls, own, lvl)
				break
			}
			segs, _, ct := p.entity(ls, own, childPath(path, i), depth+1, false, def)
			if ct.kind == termFound {
				return nil, ct
			}
			children = append(children, segs)
			t = ct
			if ct.kind == termBoundary && ct.level == lvl {
				if ct.closing {
					break
				}
				continue
			}
			p.problem("multipart without its close delimiter")
			break
		}
	} else if t.kind == termBoundary && t.level == lvl && t.closing {
		p.problem("multipart without parts")
	} else if b != noBoundary {
		p.problem("multipart boundary not found")
	}

	// Epilogue, after the close delimiter, up to an outer delimiter.
	if t.kind == termBoundary && t.level == lvl && t.closing {
		t = newBodyIter(ls, st).drain()
	}

	if len(children) == 0 && p.target == "" && !isBlank(bytes.TrimSpace(preamble.b)) {
		// No part could be found: the preamble is all there is to read.
		s, _ := decodeCharset(params["charset"], preamble.b)
		return []textSeg{{kind: segPlain, s: s}}, t
	}
	if ct == "multipart/alternative" {
		return pickAlternative(children), t
	}
	var segs []textSeg
	for _, c := range children {
		segs = append(segs, c...)
	}
	return segs, t
}

// skipParts skips the remaining parts of a multipart past MaxParts.
func (p *parser) skipParts(ls *lineStream, own stops, lvl int) term {
	for {
		t := newBodyIter(ls, own).drain()
		if t.kind == termBoundary && t.level == lvl {
			if t.closing {
				return t
			}
			continue
		}
		return t
	}
}

// boundaryCandidate returns the boundary of a line that looks like an
// opening delimiter ("--" then one token), "" otherwise.
func boundaryCandidate(line []byte) string {
	l := trimRightSpace(line)
	if len(l) < 4 || len(l) > 202 || l[0] != '-' || l[1] != '-' || bytes.HasSuffix(l, []byte("--")) {
		return ""
	}
	for _, c := range l[2:] {
		if c <= ' ' || c >= 127 {
			return ""
		}
	}
	return string(l[2:])
}

// nextIsMIMEField reports whether the next line is a Content-* field:
// what follows a delimiter, and almost never a "--" line of text.
func (p *parser) nextIsMIMEField(ls *lineStream) bool {
	name := fieldName(trimEOL(ls.peekLine()))
	return len(name) > 8 && strings.EqualFold(string(name[:8]), "content-")
}

// pickAlternative chooses among the versions of a multipart/alternative:
// the first with plain text, else the last with HTML (the richest).
func pickAlternative(children [][]textSeg) []textSeg {
	for _, c := range children {
		for _, s := range c {
			if s.kind == segPlain && strings.TrimSpace(s.s) != "" {
				return c
			}
		}
	}
	for i := len(children) - 1; i >= 0; i-- {
		for _, s := range children[i] {
			if s.kind == segHTML {
				return children[i]
			}
		}
	}
	for _, c := range children {
		if len(c) > 0 {
			return c
		}
	}
	return nil
}

func isMessageType(ct string) bool {
	return ct == "message/rfc822" || ct == "message/global"
}

// feed writes a body through w.
func feed(it *bodyIter, w io.Writer) {
	for {
		pre, data, ok := it.next()
		if !ok {
			return
		}
		if len(pre) > 0 {
			w.Write(pre)
		}
		if len(data) > 0 {
			w.Write(data)
		}
	}
}

// leaf handles a body that is not a multipart: text, a forwarded
// message, or an attachment. msgBody says it is a message's only body: a
// text body with a file name is still the message's text.
func (p *parser) leaf(it *bodyIter, h *header, ct string, params map[string]string, path string, depth int, msgBody bool) ([]textSeg, term) {
	cte := normCTE(h.get("content-transfer-encoding"))
	disp, dparams := parseParams(h.get("content-disposition"))
	name := dparams["filename"]
	for _, alt := range []string{params["name"], dparams["name"], params["filename"]} {
		if name == "" {
			name = alt
		}
	}
	if p.target != "" {
		if path == p.target {
			p.found, p.foundCTE = it, cte
			return nil, term{kind: termFound}
		}
		if isMessageType(ct) && depth < MaxDepth && strings.HasPrefix(p.target, path+".") {
			return p.nested(it, h, ct, cte, disp, name, path, depth)
		}
		return nil, it.drain()
	}
	if isMessageType(ct) {
		if depth < MaxDepth {
			return p.nested(it, h, ct, cte, disp, name, path, depth)
		}
		p.problem("nesting deeper than 8 levels")
		if name == "" {
			name = "thư.eml"
		}
	}
	if (ct == "text/plain" || ct == "text/html") && disp != "attachment" && (name == "" || msgBody) {
		return p.text(it, ct, cte, params)
	}
	dec, known := newDecoder(cte, nil)
	if !known {
		p.problem("unknown transfer encoding " + quoteLabel(cte))
	}
	feed(it, dec)
	dec.Close()
	if dec.Damaged() {
		p.problem("damaged " + cte + " in an attachment")
	}
	p.msg.Parts = append(p.msg.Parts, docstore.MailPart{
		Path:     path,
		Name:     name,
		MIMEType: ct,
		Size:     dec.Size(),
		Inline:   disp == "inline",
	})
	return nil, it.t
}

// text decodes a text/plain or text/html body into a segment, keeping at
// most the text budget of the message.
func (p *parser) text(it *bodyIter, ct, cte string, params map[string]string) ([]textSeg, term) {
	charset := params["charset"]
	kind, room := segPlain, retainText-p.textKept
	if ct == "text/html" {
		kind, room = segHTML, retainHTML-p.htmlKept
	}
	buf := &capBuffer{max: max(room, 0)}
	dec, known := newDecoder(cte, buf)
	if !known {
		p.problem("unknown transfer encoding " + quoteLabel(cte))
	}
	feed(it, dec)
	dec.Close()
	if dec.Damaged() {
		p.problem("damaged " + cte + " in the text")
	}
	if buf.over {
		p.problem("text truncated")
	}
	if kind == segHTML {
		p.htmlKept += len(buf.b)
	} else {
		p.textKept += len(buf.b)
	}
	if kind == segHTML && charset == "" {
		charset = metaCharset(buf.b)
	}
	s, problem := decodeCharset(charset, buf.b)
	if problem != "" {
		p.problem(problem)
	}
	if kind == segPlain && strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	return []textSeg{{kind: kind, s: s}}, it.t
}

// nested parses a message/rfc822 body as a message of its own, from a
// decoded stream (some senders base64 it, against RFC 2046). It is listed
// as a part, and its text becomes a "Thư được chuyển tiếp" block.
func (p *parser) nested(it *bodyIter, h *header, ct, cte, disp, name, path string, depth int) ([]textSeg, term) {
	idx := -1
	if p.msg != nil {
		idx = len(p.msg.Parts)
		p.msg.Parts = append(p.msg.Parts, docstore.MailPart{Path: path, MIMEType: ct, Size: -1, Inline: disp == "inline"})
	}
	cr := &countReader{r: newPartReader(it, cte)}
	ils := newLineStream(cr, innerBufSize)
	segs, ih, t := p.entity(ils, nil, path, depth+1, true, "text/plain")
	if t.kind == termFound {
		return nil, t
	}
	io.Copy(io.Discard, cr)
	if p.msg == nil {
		return nil, it.t
	}
	subject := headerText(ih.get("subject"))
	if name == "" {
		name = "thư.eml"
		if subject != "" {
			name = truncateText(subject, 200) + ".eml"
		}
	}
	p.msg.Parts[idx].Name = name
	p.msg.Parts[idx].Size = cr.n
	text, html := p.render(segs)
	if len(ih.fields) == 0 && text == "" {
		return nil, it.t
	}
	var b strings.Builder
	b.WriteString(ForwardedLine)
	b.WriteByte('\n')
	if from := parseAddressList(ih.get("from")); len(from) > 0 {
		b.WriteString("Từ: " + formatAddrs(from) + "\n")
	}
	if d, ok := parseDate(ih.get("date")); ok {
		b.WriteString("Ngày: " + formatDate(d) + "\n")
	}
	b.WriteString("Tiêu đề: " + subject + "\n")
	if text != "" {
		b.WriteString("\n" + text)
	}
	return []textSeg{{kind: segDone, s: b.String(), html: html}}, it.t
}

// formatAddrs renders addresses for a header block: "Name <addr>".
func formatAddrs(as []docstore.MailAddress) string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		switch {
		case a.Name != "" && a.Addr != "":
			out = append(out, a.Name+" <"+a.Addr+">")
		case a.Addr != "":
			out = append(out, a.Addr)
		default:
			out = append(out, a.Name)
		}
	}
	return strings.Join(out, ", ")
}

// formatDate is the date as Vietnamese readers write it, in local time.
func formatDate(t time.Time) string {
	return t.Local().Format("02/01/2006 15:04")
}

// render joins text segments into the readable text.
func (p *parser) render(segs []textSeg) (string, bool) {
	var parts []string
	usedHTML := false
	for _, s := range segs {
		var t string
		switch s.kind {
		case segPlain:
			t = normText(s.s)
		case segHTML:
			t = HTMLToText(s.s)
			usedHTML = true
		case segDone:
			t = s.s
			usedHTML = usedHTML || s.html
		}
		if strings.TrimSpace(t) != "" {
			parts = append(parts, t)
		}
	}
	return nfc(strings.Join(parts, "\n\n")), usedHTML
}

// normText makes decoded text/plain clean: LF line ends, no NUL or other
// controls (but tab and form feed), no BOM, no trailing blank lines.
func normText(s string) string {
	// Fast path: CRLF line ends and nothing else to remove.
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		if c := s[i]; c < 0x20 && c != '\n' && c != '\t' && c != '\f' && c != '\r' || c == 0x7f {
			clean = false
		}
	}
	if clean && !strings.Contains(s, "\uFEFF") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		if !strings.Contains(s, "\r") {
			return strings.TrimRight(strings.TrimLeft(s, "\n"), " \t\n")
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case c == '\n' || c == '\t' || c == '\f':
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			// dropped
		case c == 0xEF && strings.HasPrefix(s[i:], "\uFEFF"):
			i += 2 // BOM / zero-width no-break space
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimRight(strings.TrimLeft(b.String(), "\n"), " \t\n")
}

// fillHeader sets the message's header fields from the top header.
func (p *parser) fillHeader(h *header) {
	m := p.msg
	for _, f := range []string{"From", "Subject", "Date", "Message-ID"} {
		if h.count(strings.ToLower(f)) > 1 {
			p.problem("duplicate " + f + " header")
		}
	}
	m.Subject = headerText(h.get("subject"))
	m.From = parseAddressList(h.get("from"))
	if len(m.From) == 0 {
		m.From = parseAddressList(h.get("sender"))
	}
	m.To = p.addrFields(h, "to")
	m.Cc = p.addrFields(h, "cc")
	m.ReplyTo = parseAddressList(h.get("reply-to"))
	if len(h.fields) == 0 {
		return
	}
	if len(m.From) == 0 {
		p.problem("no From header")
	}
	if v := h.get("date"); v == "" {
		p.problem("no Date header")
	} else if d, ok := parseDate(v); ok {
		m.Date = d
	} else {
		p.problem("unparsable Date header")
	}
	if ids := parseMsgIDs(h.get("message-id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	if ids := parseMsgIDs(h.get("in-reply-to")); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = parseMsgIDs(h.get("references"))
}

// addrFields joins the addresses of all fields of a name (a message with
// two To fields is broken, but both are meant).
func (p *parser) addrFields(h *header, name string) []docstore.MailAddress {
	var out []docstore.MailAddress
	for _, f := range h.fields {
		if f.name == name {
			out = append(out, parseAddressList(f.value)...)
		}
	}
	return out
}

// nfc is vntext.NFC with a fast path for the common case: text whose
// characters are all ones NFC leaves alone — ASCII, the precomposed Latin
// letters (Vietnamese included: U+00C0–U+02FF, U+1E00–U+1EFF) and common
// punctuation. Checking that is several times faster than the general
// quick check, and a sync parses tens of thousands of messages.
func nfc(s string) string {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r < 0x300, r >= 0x1E00 && r <= 0x1EFF, r >= 0x2010 && r <= 0x2027, r == 0x20AB, r == 0x20AC:
		default:
			return vntext.NFC(s)
		}
	}
	return s
}

// metaCharset finds the charset an HTML document declares in its <meta>
// (for a part whose Content-Type has none).
func metaCharset(b []byte) string {
	b = b[:min(len(b), 2048)]
	i := bytes.Index(bytes.ToLower(b), []byte("charset="))
	if i < 0 {
		return ""
	}
	v := bytes.TrimLeft(b[i+len("charset="):], `"' `)
	end := bytes.IndexFunc(v, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':')
	})
	if end < 0 {
		end = len(v)
	}
	return string(v[:end])
}

// unflow joins the soft-broken lines of format=flowed text (RFC 3676, what
// Thunderbird sends): a line ending in a space continues on the next one
// of the same quote depth; space-stuffing is undone; the signature
// separator "-- " stays a line.
func unflow(s string, delsp bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	var b strings.Builder
	b.Grow(len(s))
	open := false // the previous line flows into this one
	openDepth := 0
	for _, l := range lines {
		depth := 0
		for depth < len(l) && l[depth] == '>' {
			depth++
		}
		content := l[depth:]
		content = strings.TrimPrefix(content, " ") // space-stuffing
		if open && depth != openDepth {
			b.WriteByte('\n') // a flowed line must not join another depth
			open = false
		}
		if !open && depth > 0 {
			b.WriteString(strings.Repeat(">", depth) + " ")
		}
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		b.WriteString(content)
		if flowed {
			open, openDepth = true, depth
			continue
		}
		open = false
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}
