package mimemsg

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"

	docstore "congvu/docs-store"
)

// Attachment is a file to attach; Open is called once, while composing,
// and its content is encoded as it is read.
type Attachment struct {
	Name, MIMEType string
	Open           func() (io.ReadCloser, error)
}

// Draft is a message to compose.
type Draft struct {
	From        docstore.MailAddress
	To, Cc, Bcc []docstore.MailAddress
	Subject     string
	Text        string
	Date        time.Time // zero: now
	MessageID   string    // without <>; NewMessageID(From's domain) when empty
	InReplyTo   string    // without <>
	References  []string  // without <>
	Attachments []Attachment
}

// UserAgent is the User-Agent field of composed messages.
const UserAgent = "Công vụ"

// maxLine is where header lines are folded (RFC 5322 §2.1.1 "should").
const maxLine = 78

// Compose writes d as an RFC 5322 message with CRLF line ends: Date,
// From (omitted when d.From has no address: the caller's business),
// To, Cc, Subject, Message-ID, In-Reply-To, References, MIME-Version,
// User-Agent; Bcc is never written (see Recipients). The
// text is text/plain; charset=utf-8, quoted-printable; with attachments
// the message is multipart/mixed and each file is base64-encoded as it
// is read, never held whole. Non-ASCII subjects and names are RFC 2047
// encoded-words (UTF-8); file names are given twice, RFC 2231
// (filename*=utf-8”…) and an RFC 2047 name= for older clients.
func Compose(w io.Writer, d Draft) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	date := d.Date
	if date.IsZero() {
		date = time.Now()
	}
	id := cleanID(d.MessageID)
	if id == "" {
		id = NewMessageID(domainOf(d.From.Addr))
	}
	hw := &headerWriter{w: bw}
	hw.raw("Date", date.Format(time.RFC1123Z))
	if len(addressTokens(d.From)) > 0 { // the sender (outbox) always sets it
		hw.addresses("From", []docstore.MailAddress{d.From})
	}
	if len(d.To) > 0 {
		hw.addresses("To", d.To)
	}
	if len(d.Cc) > 0 {
		hw.addresses("Cc", d.Cc)
	}
	hw.unstructured("Subject", d.Subject)
	hw.raw("Message-ID", "<"+id+">")
	if v := cleanID(d.InReplyTo); v != "" {
		hw.raw("In-Reply-To", "<"+v+">")
	}
	if len(d.References) > 0 {
		var toks []string
		for _, r := range d.References {
			if v := cleanID(r); v != "" {
				toks = append(toks, "<"+v+">")
			}
		}
		if len(toks) > 0 {
			hw.tokens("References", toks)
		}
	}
	hw.raw("MIME-Version", "1.0")
	hw.unstructured("User-Agent", UserAgent)
	if len(d.Attachments) == 0 {
		hw.raw("Content-Type", "text/plain; charset=utf-8")
		hw.raw("Content-Transfer-Encoding", "quoted-printable")
		bw.WriteString("\r\n")
		writeQP(bw, d.Text)
		return finish(bw)
	}
	boundary := newBoundary()
	hw.raw("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	bw.WriteString("\r\nThis is a multi-part message in MIME format.\r\n")
	bw.WriteString("\r\n--" + boundary + "\r\n")
	bw.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	writeQP(bw, d.Text)
	for _, a := range d.Attachments {
		bw.WriteString("\r\n--" + boundary + "\r\n")
		if err := writeAttachment(bw, a); err != nil {
			return err
		}
	}
	bw.WriteString("\r\n--" + boundary + "--\r\n")
	return finish(bw)
}

func finish(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("mimemsg: compose: %w", err)
	}
	return nil
}

// writeAttachment writes one attachment part: its header and its content,
// base64 in 76-character lines, streamed from Open.
func writeAttachment(bw *bufio.Writer, a Attachment) error {
	name := oneLine(strings.ToValidUTF8(a.Name, "_"))
	typ := strings.ToLower(strings.TrimSpace(a.MIMEType))
	if typ == "" || strings.ContainsAny(typ, "\r\n\";") || strings.Count(typ, "/") != 1 {
		typ = mime.TypeByExtension(filepath.Ext(name))
		if i := strings.IndexByte(typ, ';'); i >= 0 {
			typ = typ[:i]
		}
		if typ == "" {
			typ = "application/octet-stream"
		}
	}
	hw := &headerWriter{w: bw}
	if name == "" {
		hw.raw("Content-Type", typ)
		hw.raw("Content-Disposition", "attachment")
	} else if plainParam(name) {
		hw.tokens("Content-Type", []string{typ + ";", `name="` + name + `"`})
		hw.tokens("Content-Disposition", []string{"attachment;", `filename="` + name + `"`})
	} else {
		words := encodeWords(name)
		words[0] = `name="` + words[0]
		words[len(words)-1] += `"`
		hw.tokens("Content-Type", append([]string{typ + ";"}, words...))
		hw.tokens("Content-Disposition", append([]string{"attachment;"}, rfc2231Params("filename", name)...))
	}
	hw.raw("Content-Transfer-Encoding", "base64")
	bw.WriteString("\r\n")
	if a.Open == nil {
		return nil
	}
	rc, err := a.Open()
	if err != nil {
		return fmt.Errorf("mimemsg: compose: attachment %q: %w", a.Name, err)
	}
	defer rc.Close()
	lw := NewLineWrapper(bw, 76)
	enc := base64.NewEncoder(base64.StdEncoding, lw)
	if _, err := io.Copy(enc, rc); err != nil {
		return fmt.Errorf("mimemsg: compose: attachment %q: %w", a.Name, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("mimemsg: compose: attachment %q: %w", a.Name, err)
	}
	return lw.EndLine()
}

// plainParam: a name that can go as a quoted parameter as it is.
func plainParam(s string) bool {
	if len(s) > 60 || strings.Contains(s, "=?") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ParamTokens writes a header parameter key=value as header tokens: quoted
// when the value is short plain ASCII, else RFC 2231 UTF-8 cut into
// numbered sections (never inside a character) so that the field folds
// within 78 columns (for WriteField).
func ParamTokens(key, value string) []string {
	if plainParam(value) {
		return []string{key + `="` + value + `"`}
	}
	return rfc2231Params(key, value)
}

// rfc2231Params encodes a parameter value as RFC 2231 UTF-8, split into
// numbered sections when long (never inside a character).
func rfc2231Params(key, value string) []string {
	const attrChars = "!#$&+-.^_`|~"
	pct := func(r rune) string {
		var b strings.Builder
		var buf [4]byte
		n := utf8.EncodeRune(buf[:], r)
		for _, c := range buf[:n] {
			if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChars, c) >= 0) {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		return b.String()
	}
	var segs []string
	var cur strings.Builder
	for _, r := range value {
		e := pct(r)
		if cur.Len()+len(e) > 54 {
			segs = append(segs, cur.String())
			cur.Reset()
		}
		cur.WriteString(e)
	}
	segs = append(segs, cur.String())
	if len(segs) == 1 {
		return []string{key + "*=utf-8''" + segs[0]}
	}
	out := make([]string, len(segs))
	for i, s := range segs {
		p := key + "*" + strconv.Itoa(i) + "*="
		if i == 0 {
			p += "utf-8''"
		}
		out[i] = p + s
		if i < len(segs)-1 {
			out[i] += ";"
		}
	}
	return out
}

// headerWriter writes folded header fields.
type headerWriter struct {
	w *bufio.Writer
}

// raw writes a field whose value is ASCII and short (no folding needed).
func (h *headerWriter) raw(name, value string) {
	h.w.WriteString(name + ": " + stripCRLF(value) + "\r\n")
}

// tokens writes a field from tokens separated by one space, folding
// between tokens where a line would pass maxLine.
func (h *headerWriter) tokens(name string, toks []string) { WriteField(h.w, name, toks) }

// WriteField writes a header field from tokens separated by one space,
// with CRLF, folding between tokens where a line would pass 78
// characters (a token is never cut: encoded words and parameters stay
// whole; a token longer than a line gets a line of its own).
func WriteField(w *bufio.Writer, name string, toks []string) {
	w.WriteString(name + ":")
	col := len(name) + 1
	for _, t := range toks {
		t = stripCRLF(t)
		if col+1+len(t) > maxLine && col > len(name)+1 {
			w.WriteString("\r\n")
			col = 0
		}
		w.WriteByte(' ')
		w.WriteString(t)
		col += 1 + len(t)
	}
	w.WriteString("\r\n")
}

// unstructured writes a text field (Subject): as it is when it is plain
// ASCII, else as RFC 2047 encoded-words.
func (h *headerWriter) unstructured(name, value string) {
	value = oneLine(strings.ToValidUTF8(value, "\uFFFD"))
	if plainText(value) {
		h.tokens(name, strings.Split(value, " "))
		return
	}
	h.tokens(name, encodeWords(value))
}

// plainText: ASCII words that need no encoding and fold at their spaces.
func plainText(s string) bool {
	if strings.Contains(s, "=?") || strings.Contains(s, "  ") {
		return false
	}
	word := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return false
		}
		if c == ' ' {
			word = 0
			continue
		}
		if word++; word > 70 {
			return false
		}
	}
	return true
}

// addresses writes an address list, one address (or encoded-word) per
// token so that folding never cuts an address.
func (h *headerWriter) addresses(name string, as []docstore.MailAddress) {
	var toks []string
	for i, a := range as {
		t := addressTokens(a)
		if len(t) == 0 {
			continue
		}
		if i < len(as)-1 {
			t[len(t)-1] += ","
		}
		toks = append(toks, t...)
	}
	if len(toks) > 0 && strings.HasSuffix(toks[len(toks)-1], ",") {
		toks[len(toks)-1] = strings.TrimSuffix(toks[len(toks)-1], ",")
	}
	if len(toks) == 0 {
		toks = []string{"undisclosed-recipients:;"}
	}
	h.tokens(name, toks)
}

// addressTokens renders one address: bare, "Name <addr>" with the name
// as an atom phrase, a quoted string or encoded-words.
func addressTokens(a docstore.MailAddress) []string {
	addr := strings.Map(func(r rune) rune {
		if r <= ' ' || r == '<' || r == '>' || r == ',' || r == '"' || r == 0x7f {
			return -1
		}
		return r
	}, a.Addr)
	name := oneLine(strings.ToValidUTF8(a.Name, ""))
	if addr == "" {
		return nil
	}
	if name == "" || name == addr {
		return []string{addr}
	}
	var toks []string
	switch {
	case !plainText(name):
		toks = encodeWords(name)
	case isAtomPhrase(name):
		toks = strings.Split(name, " ")
	default:
		toks = []string{`"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`}
	}
	return append(toks, "<"+addr+">")
}

// isAtomPhrase: words of RFC 5322 atext only (no quoting needed).
func isAtomPhrase(s string) bool {
	const special = "!#$%&'*+-/=?^_`{|}~"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(special, c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// EncodeWords encodes s as RFC 2047 "B" encoded-words in UTF-8, each at
// most 64 characters, cut only between characters (for WriteField).
func EncodeWords(s string) []string { return encodeWords(s) }

// encodeWords encodes s as RFC 2047 "B" encoded-words in UTF-8, each at
// most 64 characters (so "Subject: " and a word stay within the 76 of RFC
// 2047 §2), cut only between characters.
func encodeWords(s string) []string {
	const maxBytes = 39 // 52 base64 characters + 12 of "=?utf-8?B?" "?="
	var words []string
	start := 0
	for start < len(s) {
		end := start
		for end < len(s) {
			_, size := utf8.DecodeRuneInString(s[end:])
			if end+size-start > maxBytes {
				break
			}
			end += size
		}
		if end == start { // cannot happen with valid UTF-8; be safe
			end = start + 1
		}
		words = append(words, "=?utf-8?B?"+base64.StdEncoding.EncodeToString([]byte(s[start:end]))+"?=")
		start = end
	}
	if len(words) == 0 {
		words = []string{"=?utf-8?B??="}
	}
	return words
}

func stripCRLF(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r", "", "\n", "").Replace(s)
}

// writeQP writes text as quoted-printable with CRLF line ends: lines of at
// most 76 characters (soft breaks), "=" and non-ASCII encoded, blanks at
// a line end encoded, and "From " or "." at the start of a line encoded
// too, so that no mbox or SMTP step downstream can alter them.
func writeQP(w *bufio.Writer, text string) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	const hexd = "0123456789ABCDEF"
	lines := strings.Split(text, "\n")
	if len(lines) > 1 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for _, line := range lines {
		col := 0
		for i := 0; i < len(line); i++ {
			c := line[i]
			var enc string
			switch {
			case c == ' ' || c == '\t':
				if i == len(line)-1 {
					enc = "=" + string(hexd[c>>4]) + string(hexd[c&15])
				} else {
					enc = string(c)
				}
			case col == 0 && (c == '.' || c == 'F' && strings.HasPrefix(line[i:], "From ")):
				enc = "=" + string(hexd[c>>4]) + string(hexd[c&15])
			case c < 0x20 || c > 0x7e || c == '=':
				enc = "=" + string(hexd[c>>4]) + string(hexd[c&15])
			default:
				enc = string(c)
			}
			// Room for the character and, unless it ends the line, a soft break.
			limit := 75
			if i == len(line)-1 {
				limit = 76
			}
			if col+len(enc) > limit {
				w.WriteString("=\r\n")
				col = 0
				if c == '.' || c == 'F' && strings.HasPrefix(line[i:], "From ") {
					enc = "=" + string(hexd[c>>4]) + string(hexd[c&15])
				}
			}
			w.WriteString(enc)
			col += len(enc)
		}
		w.WriteString("\r\n")
	}
}

// NewLineWrapper breaks what is written to it (base64) into
// CRLF-terminated lines of max characters (76 for MIME); EndLine ends the
// last one.
func NewLineWrapper(w io.Writer, max int) *LineWrapper { return &LineWrapper{w: w, max: max} }

// EndLine ends a line left open by the last Write.
func (l *LineWrapper) EndLine() error {
	if l.col == 0 {
		return nil
	}
	l.col = 0
	_, err := io.WriteString(l.w, "\r\n")
	return err
}

// LineWrapper breaks base64 output into CRLF-terminated lines.
type LineWrapper struct {
	w   io.Writer
	max int
	col int
}

func (l *LineWrapper) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		k := min(l.max-l.col, len(p))
		if _, err := l.w.Write(p[:k]); err != nil {
			return n, err
		}
		n += k
		l.col += k
		p = p[k:]
		if l.col == l.max {
			if _, err := io.WriteString(l.w, "\r\n"); err != nil {
				return n, err
			}
			l.col = 0
		}
	}
	return n, nil
}

func newBoundary() string { return NewBoundary("congvu") }

// NewBoundary returns a fresh multipart boundary naming its maker. "=_"
// cannot occur in base64 or quoted-printable output, so no body line can
// look like it.
func NewBoundary(maker string) string {
	var b [15]byte
	rand.Read(b[:])
	return "=_" + maker + "_" + hex.EncodeToString(b[:])
}

// Recipients returns the envelope recipients of d: the To, Cc and Bcc
// addresses, each once (compared without regard to case), in order.
func Recipients(d Draft) []string {
	var out []string
	seen := map[string]bool{}
	for _, list := range [][]docstore.MailAddress{d.To, d.Cc, d.Bcc} {
		for _, a := range list {
			addr := strings.TrimSpace(a.Addr)
			key := strings.ToLower(addr)
			if addr == "" || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, addr)
		}
	}
	return out
}

// NewMessageID returns a new globally unique Message-ID (without <>) in
// domain, e.g. "lz3k2a1b.9f3c0e1d2a4b5c6d7e8f9a0b@sotnmt.hanoi.gov.vn".
// An empty or unusable domain gives "congvu.invalid"; an international
// domain is written in its ASCII (punycode) form.
func NewMessageID(domain string) string {
	var b [12]byte
	rand.Read(b[:])
	return strconv.FormatInt(time.Now().UnixNano(), 36) + "." + hex.EncodeToString(b[:]) + "@" + idDomain(domain)
}

// NewMessageIDFor is NewMessageID for the domain of the sender's address.
func NewMessageIDFor(addr string) string {
	domain := ""
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		domain = addr[i+1:]
	}
	return NewMessageID(domain)
}

func idDomain(domain string) string {
	d := strings.ToLower(strings.TrimSpace(domain))
	if a, err := idna.Lookup.ToASCII(d); err == nil {
		d = a
	}
	if d == "" || len(d) > 253 {
		return "congvu.invalid"
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "congvu.invalid"
		}
	}
	return d
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return ""
}
