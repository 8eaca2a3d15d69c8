package journal

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	docstore "congvu/docs-store"
	"congvu/docs-store/vntext"
	"congvu/mail/mimemsg"
)

// EventType is the Content-Type of the event part.
const EventType = "application/vnd.congvu.event+json"

// msgIDDomain is the right-hand side of every journal Message-ID: the id
// of the event is globally unique already, so no host name is needed.
const msgIDDomain = "journal.congvu"

// File is a document file carried by a journal message (one the journal
// does not hold yet). Open is called once, by Encode, and the content is
// base64-encoded as it is read, never held whole.
type File struct {
	SHA256   string // lowercase hex; the part's file name
	Name     string // the person's file name, an unsigned label (the event's Attachment.Name is authoritative)
	MIMEType string // "" or unusable: application/octet-stream
	Size     int64  // when not 0, the content must have exactly this size
	Open     func() (io.ReadCloser, error)
}

// Envelope is a decoded, verified journal message.
type Envelope struct {
	Event docstore.Event
	// Raw is the event's bytes as signed (what Signer's signature covers).
	Raw    []byte
	Agency string
	// Signer is the key the signature verified with. Decode does not say
	// whose it is: docstore.ApplyJournal checks it is the actor's.
	Signer ed25519.PublicKey
	// Files are the SHA-256s of the file parts, in message order, each
	// checked against its content.
	Files []string
}

// Vietnam keeps UTC+7 all year; a fixed zone needs no tz database.
var vietnam = time.FixedZone("ICT", 7*3600)

// Encode writes the journal message of ev, signed with key for agency,
// carrying files, with CRLF line ends (what IMAP APPEND takes). author is
// the From (the actor's name and address). The event must pass
// docstore.DecodeEvent: an event no colleague could read is refused here
// rather than published. On error, what was written is to be discarded.
func Encode(w io.Writer, ev docstore.Event, agency string, author docstore.MailAddress, key ed25519.PrivateKey, files []File) error {
	raw, err := checkEncode(ev, agency, author, key, files)
	if err != nil {
		return err
	}
	signed, err := marshalSigned(agency, raw, key)
	if err != nil {
		return err
	}
	subject, text := Describe(ev)

	bw := bufio.NewWriterSize(w, 32<<10)
	h := headerWriter{bw}
	h.field("From", (&mail.Address{Name: oneLine(author.Name), Address: author.Addr}).String())
	h.field("Date", ev.Time.In(vietnam).Format(time.RFC1123Z))
	h.field("Message-ID", "<"+ev.ID+"@"+msgIDDomain+">")
	h.field("Subject", encodeWords(subject))
	h.field("X-Congvu-Journal", strconv.Itoa(formatVersion))
	h.field("X-Congvu-Event", ev.ID)
	h.field("X-Congvu-Type", ev.Type)
	h.field("MIME-Version", "1.0")
	boundary := mimemsg.NewBoundary("congvu_journal")
	h.field("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	bw.WriteString("\r\n")

	// Part 1: the text, for a person reading the folder.
	bw.WriteString("--" + boundary + "\r\n")
	h.field("Content-Type", "text/plain; charset=utf-8")
	h.field("Content-Transfer-Encoding", "quoted-printable")
	bw.WriteString("\r\n")
	if err := writeQP(bw, []byte(textBody(text, agency, files)), false); err != nil {
		return fmt.Errorf("journal: encode: text: %w", err)
	}

	// Part 2: the signed event.
	bw.WriteString("--" + boundary + "\r\n")
	h.field("Content-Type", EventType+"; charset=utf-8")
	h.field("Content-Disposition", `inline; filename="event.json"`)
	h.field("Content-Transfer-Encoding", "quoted-printable")
	bw.WriteString("\r\n")
	if err := writeQP(bw, signed, true); err != nil {
		return fmt.Errorf("journal: encode: event: %w", err)
	}

	// Parts 3…: the files.
	for _, f := range files {
		bw.WriteString("--" + boundary + "\r\n")
		if err := writeFile(bw, f); err != nil {
			return err
		}
	}
	bw.WriteString("--" + boundary + "--\r\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("journal: encode: write: %w", err)
	}
	return nil
}

// checkEncode checks Encode's arguments and returns the event's bytes.
func checkEncode(ev docstore.Event, agency string, author docstore.MailAddress, key ed25519.PrivateKey, files []File) ([]byte, error) {
	if !docstore.ValidAgencyCode(agency) {
		return nil, fmt.Errorf("journal: encode: agency code %q is not a mã định danh", agency)
	}
	if len(key) != ed25519.PrivateKeySize || !bytes.Equal(ed25519.NewKeyFromSeed(key.Seed()), key) {
		return nil, fmt.Errorf("journal: encode: malformed private key")
	}
	if !validAddr(author.Addr) {
		return nil, fmt.Errorf("journal: encode: author address %q unusable", author.Addr)
	}
	raw, err := ev.Encode()
	if err != nil {
		return nil, fmt.Errorf("journal: encode event %s: %w", ev.ID, err)
	}
	if _, err := docstore.DecodeEvent(raw); err != nil {
		return nil, fmt.Errorf("journal: encode event %s: %w", ev.ID, err)
	}
	if !validID(ev.ID) {
		return nil, fmt.Errorf("journal: encode: event id %q cannot go in a Message-ID", ev.ID)
	}
	seen := map[string]bool{}
	for _, f := range files {
		switch {
		case !validSHA(f.SHA256):
			return nil, fmt.Errorf("journal: encode: file %q: SHA-256 %q is not lowercase hex", f.Name, f.SHA256)
		case seen[f.SHA256]:
			return nil, fmt.Errorf("journal: encode: file %s given twice", f.SHA256)
		case f.Open == nil:
			return nil, fmt.Errorf("journal: encode: file %s: no Open", f.SHA256)
		}
		seen[f.SHA256] = true
	}
	return raw, nil
}

// writeQP writes b quoted-printable, ending with a line break (which
// belongs to the delimiter that follows, RFC 2046 §5.1.1). binary
// encodes line breaks too, so that the bytes come back exactly (the
// event part: its bytes are signed); otherwise they become CRLF (text).
func writeQP(bw *bufio.Writer, b []byte, binary bool) error {
	qp := quotedprintable.NewWriter(bw)
	qp.Binary = binary
	if _, err := qp.Write(b); err != nil {
		return err
	}
	if err := qp.Close(); err != nil {
		return err
	}
	_, err := bw.WriteString("\r\n")
	return err
}

// writeFile writes one file part, base64 in lines of 76, hashing the
// content as it streams: a file that is not what its name says must not
// reach the journal, where every colleague would refuse the message.
func writeFile(bw *bufio.Writer, f File) error {
	h := headerWriter{bw}
	h.field("Content-Type", fileContentType(f))
	disp := `attachment; filename="` + f.SHA256 + `"`
	if f.Size > 0 {
		disp += "; size=" + strconv.FormatInt(f.Size, 10)
	}
	h.field("Content-Disposition", disp)
	h.field("Content-Transfer-Encoding", "base64")
	bw.WriteString("\r\n")

	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("journal: encode: open file %s: %w", f.SHA256, err)
	}
	defer rc.Close()
	sum := sha256.New()
	lw := mimemsg.NewLineWrapper(bw, 76)
	enc := base64.NewEncoder(base64.StdEncoding, lw)
	n, err := io.Copy(enc, io.TeeReader(rc, sum))
	if err != nil {
		return fmt.Errorf("journal: encode: file %s: %w", f.SHA256, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("journal: encode: file %s: %w", f.SHA256, err)
	}
	if err := lw.EndLine(); err != nil {
		return err
	}
	if got := hex.EncodeToString(sum.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("journal: encode: %w: file %s has SHA-256 %s", ErrFileMismatch, f.SHA256, got)
	}
	if f.Size != 0 && n != f.Size {
		return fmt.Errorf("journal: encode: %w: file %s has %d bytes, not %d", ErrFileMismatch, f.SHA256, n, f.Size)
	}
	return nil
}

// fileContentType is the Content-Type of a file part: the file's own
// media type, never one the decoder would take for structure (multipart,
// message, the event type), with the person's file name as an RFC 2231
// name parameter for mail clients.
func fileContentType(f File) string {
	mt, _, err := mime.ParseMediaType(f.MIMEType)
	if err != nil || strings.HasPrefix(mt, "multipart/") || strings.HasPrefix(mt, "message/") || mt == EventType || strings.Count(mt, "/") != 1 {
		mt = "application/octet-stream"
	}
	name := fileLabel(f.Name, 200)
	if name == "" {
		return mt
	}
	return mt + "; " + strings.Join(mimemsg.ParamTokens("name", name), " ")
}

// fileLabel cleans a file name for a header parameter: one line of
// valid UTF-8, NFC, at most max bytes (200 when writing, so that even
// percent-encoded it stays well within RFC 5322's 998 per line).
func fileLabel(s string, max int) string {
	s = oneLine(s)
	for len(s) > max {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return strings.TrimSpace(s)
}

// textBody is the text part: Describe's text, the files, and a word on
// what the message is.
func textBody(text, agency string, files []File) string {
	var b strings.Builder
	b.WriteString(text)
	if len(files) > 0 {
		b.WriteString("\n\nTệp kèm theo:\n")
		for _, f := range files {
			name := fileLabel(f.Name, 200)
			if name == "" {
				name = "(không tên)"
			}
			b.WriteString("- " + name)
			if f.Size > 0 {
				b.WriteString(" (" + formatSize(f.Size) + ")")
			}
			b.WriteString(", SHA-256 " + f.SHA256 + "\n")
		}
	} else {
		b.WriteString("\n")
	}
	b.WriteString("\n-- \nThư này là một mục của nhật ký dùng chung của cơ quan (mã định danh " + agency +
		"), do phần mềm Công vụ ghi và ký số. Xin đừng xóa, sửa hay chuyển thư này khỏi thư mục.\n")
	return b.String()
}

// formatSize writes a size the Vietnamese way (decimal comma).
func formatSize(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10) + " byte"
	case n < 1000*1000:
		return strings.Replace(strconv.FormatFloat(float64(n)/1000, 'f', 1, 64), ".", ",", 1) + " KB"
	default:
		return strings.Replace(strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64), ".", ",", 1) + " MB"
	}
}

// validSHA: 64 lowercase hex digits, the only names a file part may have.
func validSHA(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validID: an event id that can go as it is in a Message-ID and a header
// (docstore's ids are 32 hex digits).
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// validAddr: an address that can go in From as it is.
func validAddr(s string) bool {
	if len(s) < 3 || len(s) > 254 || !strings.Contains(s, "@") || !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(`<>"(),;:\[]`, r)
	})
}

// oneLine flattens a name for a header: valid UTF-8, no line breaks or
// control characters, NFC.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return vntext.NFC(strings.Join(strings.Fields(s), " "))
}
