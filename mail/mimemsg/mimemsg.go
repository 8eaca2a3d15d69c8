// Package mimemsg parses and composes Internet messages (RFC 5322, MIME)
// for the Hộp thư: what the sync engine stores of a downloaded message
// (its text and attachment list), what the reader opens (an attachment,
// streamed), and what the composer sends.
//
// Parsing is built for hostile and broken input, because mail is the one
// door of the application anybody can push bytes through:
//
//   - Parse reads its input to the end, always (the sync engine tees the
//     network stream into the blob store through it), never panics, and
//     returns a best-effort Message with a list of Problems rather than an
//     error for anything that has a header;
//   - memory is bounded whatever the input: attachments are decoded (or
//     only counted) as they stream past, never held; a header section
//     keeps at most 256 KB, nesting stops at 8 levels, listing at 1000
//     parts, the text at 1 MB;
//   - the structure is found line by line with every enclosing boundary
//     in view, so a missing close delimiter, a boundary that does not
//     match its declaration, a part without headers or a truncated
//     message still yield their text and parts;
//   - charsets: everything go-message's charset package knows, plus
//     windows-1258 and VISCII; unknown labels and raw 8-bit text fall back
//     to UTF-8 when valid, else windows-1258/1252; text is NFC.
//
// The structure parser is our own rather than go-message's Entity and
// MultipartReader: those stop at the first malformed header line, keep no
// limit on header size, lose the parts of a multipart whose close
// delimiter is missing, and give no IMAP section numbers. go-message is
// used for its charset registry (RegisterEncoding) and as the reference
// for the formats.
//
// Part paths follow IMAP BODY[] section numbering (RFC 3501 §6.4.5), so a
// path from Parse can be fetched from the server as BODY[path] as well as
// opened from the stored message with OpenPart.
package mimemsg

import (
	"errors"
	"time"

	docstore "congvu/docs-store"
)

// Limits of Parse.
const (
	TextCap      = 1 << 20 // bytes of Message.Text
	MaxDepth     = 8       // nesting of multiparts and messages
	MaxParts     = 1000    // MIME entities looked at
	HeaderCap    = maxHeaderBytes
	maxProblems  = 50
	retainText   = 2 << 20 // decoded text/plain bytes kept in all
	retainHTML   = 8 << 20 // raw HTML bytes kept in all (shrinks when converted)
	bufSize      = 64 << 10
	innerBufSize = 16 << 10
)

// Errors.
var (
	// ErrNotMessage: the input has no header at all (empty, or not a
	// message). Parse still returns a Message with what it found.
	ErrNotMessage = errors.New("mimemsg: not an Internet message")
	// ErrNoPart: OpenPart found no part at the path.
	ErrNoPart = errors.New("mimemsg: no such part")
)

// Message is what Parse makes of a message.
type Message struct {
	Subject               string
	From, To, Cc, ReplyTo []docstore.MailAddress
	Date                  time.Time // zero when missing or unparsable
	MessageID, InReplyTo  string    // without <>
	References            []string  // without <>
	// Text is the readable text: text/plain preferred, else HTML made
	// safe plain text; the text of forwarded (message/rfc822) parts is
	// appended under a "Thư được chuyển tiếp" line. NFC, at most TextCap.
	Text     string
	FromHTML bool
	// Parts are the attachments and other non-text parts, including
	// those of forwarded messages, with IMAP section paths; a forwarded
	// message is itself a part (message/rfc822, "<subject>.eml").
	Parts []docstore.MailPart
	// Problems are short English notes on what was odd, for the log.
	Problems []string
}

// ForwardedLine heads the text of a forwarded message in Message.Text
// and in Forward's draft.
const ForwardedLine = "---------- Thư được chuyển tiếp ----------"
