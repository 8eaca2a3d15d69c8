package mimemsg

import (
	"bytes"
	"net/mail"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	docstore "congvu/docs-store"
	"congvu/docs-store/vntext"
)

// Limits of a header section. Past maxHeaderBytes the fields that matter
// to us (addresses, subject, MIME fields) are still kept, up to
// maxExtraHeaderBytes more: a message with 10,000 Received lines has its
// Subject and Content-Type at the end, and losing them would make it
// unreadable, while the trace fields are of no use here.
const (
	maxHeaderBytes      = 256 << 10
	maxFieldBytes       = 64 << 10
	maxExtraHeaderBytes = 64 << 10
)

var importantFields = map[string]bool{
	"from": true, "to": true, "cc": true, "reply-to": true, "sender": true,
	"subject": true, "date": true, "message-id": true, "in-reply-to": true,
	"references": true, "mime-version": true, "content-type": true,
	"content-transfer-encoding": true, "content-disposition": true,
}

// hfield is one header field: name lower-case, value unfolded and
// trimmed, as raw bytes (decoded only when used).
type hfield struct{ name, value string }

type header struct {
	fields    []hfield
	size      int
	extra     int
	truncated bool
}

// get returns the first value of the field, "" when absent.
func (h *header) get(name string) string {
	if h == nil {
		return ""
	}
	for _, f := range h.fields {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

func (h *header) count(name string) int {
	if h == nil {
		return 0
	}
	n := 0
	for _, f := range h.fields {
		if f.name == name {
			n++
		}
	}
	return n
}

// fieldName returns the name of a header field line, "" when the line is
// not one (no colon, or a name with spaces or controls: body text).
func fieldName(line []byte) []byte {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return nil
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return nil
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return nil
		}
	}
	return name
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n > 1 && b[n-2] == '\r' {
			b = b[:n-2]
		}
	}
	return b
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// readHeader reads a header section up to its blank line. It is liberal:
// an mbox "From " line is skipped, a line without a colon is skipped when
// header fields follow it and otherwise taken as the start of the body
// (put back), a delimiter line or the end of the input ends the section
// (the entity then has no body).
func (p *parser) readHeader(ls *lineStream, st stops, top bool) (*header, term) {
	h := &header{}
	var cur []byte
	over := false
	finish := func() {
		if cur != nil {
			p.addField(h, cur, over)
			cur, over = nil, false
		}
	}
	add := func(b []byte) {
		if len(cur)+len(b) > maxFieldBytes {
			over = true
			b = b[:max(0, maxFieldBytes-len(cur))]
		}
		cur = append(cur, b...)
	}
	lines := 0
	for {
		b, start, ok := ls.next()
		if !ok {
			finish()
			return h, term{kind: termEOF}
		}
		if !start { // the rest of an overlong line
			if cur != nil {
				add(trimEOL(b))
			}
			continue
		}
		lines++
		if level, closing, ok := st.match(b); ok {
			finish()
			return h, term{kind: termBoundary, level: level, closing: closing}
		}
		line := trimEOL(b)
		if isBlank(line) {
			finish()
			return h, term{kind: termNone}
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur != nil {
				add(line) // unfolding: the line break goes, the blank stays
			} else {
				p.problem("header continuation line without a field")
			}
			continue
		}
		finish()
		if lines == 1 && top && (bytes.HasPrefix(line, []byte("From ")) || bytes.HasPrefix(line, []byte(">From "))) {
			continue // mbox separator
		}
		if fieldName(line) != nil {
			cur = make([]byte, 0, len(line)+16)
			add(line)
			continue
		}
		if len(h.fields) == 0 {
			if top {
				p.problem("no header section")
			} else {
				p.problem("part without a header section")
			}
			ls.unread(b)
			return h, term{kind: termNone}
		}
		if next := ls.peekLine(); len(next) > 0 && (next[0] == ' ' || next[0] == '\t' || fieldName(trimEOL(next)) != nil) {
			p.problem("header line without a colon")
			continue
		}
		p.problem("header section not ended by a blank line")
		ls.unread(b)
		return h, term{kind: termNone}
	}
}

// addField stores one unfolded field line within the header limits.
func (p *parser) addField(h *header, raw []byte, over bool) {
	i := bytes.IndexByte(raw, ':')
	name := strings.ToLower(string(bytes.TrimRight(raw[:i], " \t")))
	if over {
		p.problem("header field " + name + " over 64 KB truncated")
	}
	if n := len(raw); h.size+n > maxHeaderBytes {
		if !h.truncated {
			h.truncated = true
			p.problem("header section over 256 KB truncated")
		}
		if !importantFields[name] || h.extra+n > maxExtraHeaderBytes {
			return
		}
		h.extra += n
	} else {
		h.size += n
	}
	h.fields = append(h.fields, hfield{name: name, value: string(bytes.TrimSpace(raw[i+1:]))})
}

// stripComments removes RFC 5322 comments "( … )" outside quoted strings.
func stripComments(s string) string {
	if !strings.ContainsRune(s, '(') {
		return s
	}
	var b strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (quoted || depth > 0) && i+1 < len(s):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
		case c == '"' && depth == 0:
			quoted = !quoted
			b.WriteByte(c)
		case c == '(' && !quoted:
			depth++
		case c == ')' && !quoted && depth > 0:
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseParams splits a Content-Type or Content-Disposition value into its
// lower-case value and parameters. It is liberal (unquoted values with
// spaces, missing closing quotes, duplicate names: the first wins) and
// decodes values: RFC 2231 (charset'lang'%XX, continuations name*0*=…,
// any charset CharsetReader knows), RFC 2047 words inside a quoted value
// (Outlook's name="=?utf-8?B?…?="), raw 8-bit bytes. The boundary is
// kept exactly as written.
func parseParams(s string) (value string, params map[string]string) {
	rest := ""
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s, rest = s[:i], s[i+1:]
	}
	value = strings.ToLower(strings.TrimSpace(stripComments(s)))
	raw := map[string]string{}
	var order []string
	for {
		rest = strings.TrimLeft(rest, " \t;")
		if rest == "" {
			break
		}
		j := strings.IndexAny(rest, "=;")
		if j < 0 {
			break
		}
		if rest[j] == ';' {
			rest = rest[j:]
			continue
		}
		key := strings.ToLower(strings.TrimSpace(rest[:j]))
		rest = strings.TrimLeft(rest[j+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			k := 1
			for ; k < len(rest); k++ {
				c := rest[k]
				if c == '\\' && k+1 < len(rest) {
					k++
					b.WriteByte(rest[k])
					continue
				}
				if c == '"' {
					break
				}
				b.WriteByte(c)
			}
			val = b.String()
			if k < len(rest) {
				rest = rest[k+1:]
			} else {
				rest = ""
			}
			if e := strings.IndexByte(rest, ';'); e >= 0 {
				rest = rest[e:]
			} else {
				rest = ""
			}
		} else {
			e := strings.IndexByte(rest, ';')
			if e < 0 {
				e = len(rest)
			}
			val = strings.TrimSpace(stripComments(rest[:e]))
			rest = rest[e:]
		}
		if key == "" {
			continue
		}
		if _, dup := raw[key]; !dup {
			raw[key] = val
			order = append(order, key)
		}
	}
	if len(raw) == 0 {
		return value, nil
	}
	params = map[string]string{}
	type segment struct {
		val     string
		encoded bool
	}
	conts := map[string]map[int]segment{}
	exts := map[string]string{}
	for _, key := range order {
		val := raw[key]
		star := strings.IndexByte(key, '*')
		switch {
		case star < 0:
			if key == "boundary" {
				params[key] = val
			} else if _, ok := params[key]; !ok {
				params[key] = cleanParam(DecodeHeader(val))
			}
		case star == len(key)-1: // name*=charset'lang'value
			exts[key[:star]] = val
		default: // name*N= or name*N*=
			base, idx := key[:star], key[star+1:]
			enc := strings.HasSuffix(idx, "*")
			n, err := strconv.Atoi(strings.TrimSuffix(idx, "*"))
			if err != nil || n < 0 || n > 999 {
				continue
			}
			if conts[base] == nil {
				conts[base] = map[int]segment{}
			}
			conts[base][n] = segment{val, enc}
		}
	}
	for base, segs := range conts {
		idx := make([]int, 0, len(segs))
		for n := range segs {
			idx = append(idx, n)
		}
		sort.Ints(idx)
		var buf []byte
		cs, anyEnc := "", false
		for k, n := range idx {
			s := segs[n]
			if s.encoded {
				v := s.val
				if k == 0 {
					cs, v = splitExtValue(v)
				}
				anyEnc = true
				buf = pctDecode(buf, v)
			} else {
				buf = append(buf, s.val...)
			}
		}
		var text string
		if anyEnc {
			text, _ = decodeCharset(cs, buf)
		} else {
			text = DecodeHeader(string(buf))
		}
		params[base] = cleanParam(text)
	}
	for base, v := range exts {
		cs, v := splitExtValue(v)
		text, _ := decodeCharset(cs, pctDecode(nil, v))
		params[base] = cleanParam(text)
	}
	return value, params
}

// splitExtValue splits an RFC 2231 value "charset'lang'text"; a value
// without the two quotes is all text.
func splitExtValue(v string) (charset, text string) {
	i := strings.IndexByte(v, '\'')
	if i < 0 {
		return "", v
	}
	j := strings.IndexByte(v[i+1:], '\'')
	if j < 0 {
		return "", v
	}
	return v[:i], v[i+1+j+1:]
}

// pctDecode appends the bytes of %XX-encoded s; a bad escape stays.
func pctDecode(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			dst = append(dst, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		dst = append(dst, s[i])
	}
	return dst
}

// cleanParam makes a decoded parameter valid NFC text. File names are
// kept as sent otherwise: the UI sanitises them (docstore.SafeFileName).
func cleanParam(s string) string {
	return vntext.NFC(strings.ToValidUTF8(s, "\uFFFD"))
}

// headerText decodes an unstructured field (Subject) into one line of
// NFC text: encoded-words, raw 8-bit, controls and line breaks made
// spaces.
func headerText(raw string) string {
	s := DecodeHeader(raw)
	return oneLine(s)
}

// oneLine replaces controls by spaces and collapses runs of blanks; the
// result is NFC (dropping a control may bring a mark next to a letter).
func oneLine(s string) string {
	return nfc(oneLineRaw(s))
}

func oneLineRaw(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			clean = false
			break
		}
	}
	if clean && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == 0 {
			continue
		}
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// parseAddressList parses an address list liberally: groups, comments,
// unquoted commas in names are tolerated, RFC 2047 names are decoded
// even inside quotes (as Outlook writes them), raw UTF-8 kept, an
// item without an address but with a name is kept with Addr "".
func parseAddressList(raw string) []docstore.MailAddress {
	raw = decodeRaw(raw)
	var out []docstore.MailAddress
	for _, item := range splitAddressList(raw) {
		if a, ok := parseAddress(item); ok {
			out = append(out, a)
		}
	}
	return out
}

// splitAddressList splits at commas (and group punctuation) outside
// quotes, comments and angle brackets; group names are dropped.
func splitAddressList(s string) []string {
	var items []string
	depth, quoted, angle := 0, false, false
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (quoted || depth > 0):
			i++
		case quoted:
			if c == '"' {
				quoted = false
			}
		case depth > 0:
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
		case c == '"':
			quoted = true
		case c == '(':
			depth++
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case angle:
		case c == ',' || c == ';':
			items = append(items, s[start:i])
			start = i + 1
		case c == ':':
			// "group: a, b;" — the text before is the group's name. An
			// item with an @ before the colon is not a group (it is junk,
			// kept as is).
			if !strings.Contains(s[start:i], "@") {
				start = i + 1
			}
		}
		if len(items) > 10000 {
			break
		}
	}
	items = append(items, s[start:])
	return items
}

func parseAddress(item string) (docstore.MailAddress, bool) {
	item = strings.TrimSpace(item)
	if item == "" {
		return docstore.MailAddress{}, false
	}
	// Separate comments (a name in "addr (Name)" form) from the rest.
	var comment strings.Builder
	var rest strings.Builder
	depth, quoted := 0, false
	for i := 0; i < len(item); i++ {
		c := item[i]
		switch {
		case c == '\\' && i+1 < len(item) && (quoted || depth > 0):
			if depth > 0 {
				comment.WriteByte(item[i+1])
			} else {
				rest.WriteByte(c)
				rest.WriteByte(item[i+1])
			}
			i++
		case quoted:
			if c == '"' {
				quoted = false
			}
			rest.WriteByte(c)
		case c == '(':
			if depth > 0 {
				comment.WriteByte(c)
			}
			depth++
		case c == ')' && depth > 0:
			depth--
			if depth > 0 {
				comment.WriteByte(c)
			}
		case depth > 0:
			comment.WriteByte(c)
		default:
			if c == '"' {
				quoted = true
			}
			rest.WriteByte(c)
		}
	}
	s := rest.String()
	var name, addr string
	if lt := indexUnquoted(s, '<'); lt >= 0 {
		name = s[:lt]
		a := s[lt+1:]
		if gt := strings.IndexByte(a, '>'); gt >= 0 {
			a = a[:gt]
		}
		addr = a
	} else {
		t := strings.TrimSpace(s)
		if strings.Contains(t, "@") && !strings.ContainsAny(t, " \t\"") {
			addr = t
		} else if strings.Contains(t, "@") {
			// "Name addr@host" without brackets: the last word with @ is
			// the address.
			f := strings.Fields(unquote(t))
			for k := len(f) - 1; k >= 0; k-- {
				if strings.Contains(f[k], "@") {
					addr = f[k]
					name = strings.Join(append(append([]string{}, f[:k]...), f[k+1:]...), " ")
					break
				}
			}
		} else {
			name = t
		}
		if name == "" {
			name = comment.String()
		}
	}
	addr = cleanAddr(addr)
	name = oneLine(DecodeHeader(unquote(strings.TrimSpace(name))))
	if len(name) >= 2 && name[0] == '\'' && name[len(name)-1] == '\'' {
		name = strings.TrimSpace(name[1 : len(name)-1]) // Outlook's 'Name'
	}
	if addr == "" && name == "" {
		return docstore.MailAddress{}, false
	}
	return docstore.MailAddress{Name: name, Addr: addr}, true
}

func indexUnquoted(s string, c byte) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && quoted:
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == c && !quoted:
			return i
		}
	}
	return -1
}

// unquote removes the quotes of quoted strings (and their escapes)
// wherever they are in a phrase.
func unquote(s string) string {
	if !strings.ContainsRune(s, '"') {
		return s
	}
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && quoted && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			quoted = !quoted
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func cleanAddr(a string) string {
	a = strings.TrimSpace(a)
	if strings.Contains(a, "=?") {
		a = DecodeHeader(a)
	}
	if len(a) > 7 && strings.EqualFold(a[:7], "mailto:") {
		a = a[7:]
	}
	// obsolete source route "@a,@b:user@host"
	if strings.HasPrefix(a, "@") {
		if i := strings.IndexByte(a, ':'); i >= 0 {
			a = a[i+1:]
		}
	}
	a = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' {
			return -1
		}
		return r
	}, a)
	if len(a) > 320 {
		a = a[:320]
	}
	return vntext.NFC(strings.ToValidUTF8(a, ""))
}

// parseMsgIDs returns the message ids in a field, without <>. Without
// brackets the value's words are taken (broken mailers write bare ids).
func parseMsgIDs(raw string) []string {
	raw = stripComments(raw)
	var ids []string
	s := raw
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		if id := cleanID(s[i+1 : i+j]); id != "" {
			ids = append(ids, id)
		}
		s = s[i+j+1:]
		if len(ids) >= 1000 {
			return ids
		}
	}
	if len(ids) == 0 {
		for _, f := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
			if id := cleanID(f); id != "" && strings.Contains(id, "@") {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func cleanID(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' {
			return -1
		}
		return r
	}, s)
	if len(s) > 998 {
		s = s[:998]
	}
	return strings.ToValidUTF8(s, "")
}

var (
	zoneOffsetRE = regexp.MustCompile(`(?i)\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b`)
	dateLayouts  = []string{
		"2 Jan 2006 15:04:05 -0700",
		"2 Jan 2006 15:04:05 MST",
		"2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04 MST",
		"2 Jan 06 15:04:05 -0700",
		"2 Jan 06 15:04:05 MST",
		"2 Jan 2006 15:04:05",
		"2 Jan 2006 15:04",
		"Jan 2 15:04:05 2006",
		"Jan 2 15:04:05 -0700 2006",
		"Jan 2 15:04:05 MST 2006",
		"Jan 2 2006 15:04:05 -0700",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05 MST",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05",
		"02/01/2006 15:04:05",
		"02/01/2006 15:04",
		"2 January 2006 15:04:05 -0700",
		"2 Jan 2006 15.04.05 -0700",
	}
)

// parseDate parses an RFC 5322 date and the usual deviations (no day
// name or a localised one, "GMT+7", two-digit years, ISO 8601, asctime).
func parseDate(raw string) (time.Time, bool) {
	s := strings.Join(strings.Fields(stripComments(decodeRaw(raw))), " ")
	if s == "" {
		return time.Time{}, false
	}
	// The form nearly every message uses first: net/mail tries a dozen
	// layouts and allocates an error for each miss.
	for _, layout := range []string{"Mon, 2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 -0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return sane(t)
		}
	}
	if t, err := mail.ParseDate(s); err == nil {
		return sane(t)
	}
	// Drop a day name, whatever its language: what precedes the first
	// comma when it has no digit ("Thứ Hai, 3 Feb 2025 …").
	if i := strings.IndexByte(s, ','); i >= 0 && !strings.ContainsAny(s[:i], "0123456789") {
		s = strings.TrimSpace(s[i+1:])
	} else if f := strings.Fields(s); len(f) > 1 && len(f[0]) == 3 && isAlpha(f[0]) && isAlpha(f[1]) {
		s = strings.Join(f[1:], " ") // asctime: "Mon Jan 2 …"
	}
	s = zoneOffsetRE.ReplaceAllStringFunc(s, func(m string) string {
		g := zoneOffsetRE.FindStringSubmatch(m)
		h, _ := strconv.Atoi(g[2])
		mm := g[3]
		if mm == "" {
			mm = "00"
		}
		return g[1] + twoDigits(h) + mm
	})
	if t, err := mail.ParseDate(s); err == nil {
		return sane(t)
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return sane(t)
		}
	}
	return time.Time{}, false
}

func sane(t time.Time) (time.Time, bool) {
	if t.Year() < 1970 || t.Year() > 2200 {
		return time.Time{}, false
	}
	return t, true
}

func isAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n % 100)
}

// truncateText cuts s to at most n bytes without splitting a character.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
