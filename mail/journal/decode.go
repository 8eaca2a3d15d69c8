package journal

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strings"

	"github.com/emersion/go-message/textproto"

	docstore "congvu/docs-store"
)

// Limits of Decode. A journal message is small but for its files, which
// are streamed; anything past these is not a message this package wrote.
const (
	MaxHeader   = 64 << 10                       // a header section (with, for a part, the delimiter line and preamble before it)
	MaxJSON     = docstore.MaxEventSize + 16<<10 // the decoded event part
	MaxParts    = 64                             // MIME parts in all, at every level
	MaxDepth    = 4                              // nested multiparts
	maxOther    = 1 << 20                        // any other part (the text), raw
	maxBoundary = 70                             // RFC 2046 §5.1.1
)

// Decode reads one journal message from r and checks it: the header
// says it is a journal message of format 1; exactly one event part; its
// Signed object is of agency, its event passes docstore.DecodeEvent, the
// Ed25519 signature over it verifies with the key it names, and the
// X-Congvu-Event and X-Congvu-Type headers name that event. The errors
// wrap ErrNotJournal, ErrMalformed, ErrBadSignature, ErrOtherAgency or
// ErrFileMismatch (see errors.go); a read error of r is returned wrapped
// as it is (the message may be fine: try again).
//
// The event part must come before the file parts. Each file part is
// streamed to onFile (nil: files are checked, not kept) through a reader
// that returns ErrFileMismatch instead of io.EOF when the content does
// not have the SHA-256 the part is named by; what onFile leaves unread is
// read and checked all the same. onFile is thus only called once the
// event verified, but the message may still be refused after it (a
// second event part, a later file that does not match): its files are to
// be kept only when Decode returns no error. An error of onFile stops
// Decode and is returned wrapped.
//
// Memory is bounded whatever the input (the limits above) and Decode
// never panics (a panic of onFile is passed on: it is the caller's). It
// stops at the message's close delimiter (having read a little ahead) or
// at the first error: a caller that must consume r whole (an IMAP
// literal) drains it after.
func Decode(r io.Reader, agency string, onFile func(sha256, name string, r io.Reader) error) (env *Envelope, err error) {
	src := &sourceReader{r: r}
	d := &decoder{agency: agency, onFile: onFile, files: map[string]bool{}}
	defer func() {
		if v := recover(); v != nil {
			if d.inOnFile {
				panic(v) // the caller's bug, not the message's
			}
			// A bug of ours (or go-message's) on odd input must not take
			// the replicator down: the message is refused.
			env, err = nil, fmt.Errorf("%w: internal error: %v", ErrMalformed, v)
		}
		if err != nil && src.err != nil {
			env, err = nil, fmt.Errorf("journal: decode: read: %w", src.err)
		}
	}()

	bud := &budgetReader{r: src}
	bud.limit(MaxHeader)
	br := bufio.NewReaderSize(bud, 4096)
	h, err := textproto.ReadHeader(br)
	// ReadHeader takes the end of its input for the end of the header, so
	// a budget that ran out may look like success: check it first.
	if bud.exceeded {
		return nil, fmt.Errorf("%w: header over %d bytes", ErrMalformed, MaxHeader)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	bud.unlimit()
	if err := d.topHeader(h); err != nil {
		return nil, err
	}
	if err := d.entity(h, br, 0); err != nil {
		return nil, err
	}
	if d.env == nil {
		return nil, fmt.Errorf("%w: no %s part", ErrNotJournal, EventType)
	}
	return d.env, nil
}

type decoder struct {
	agency string
	onFile func(sha256, name string, r io.Reader) error

	inOnFile           bool   // onFile is running (Decode's recover)
	eventID, eventType string // from the header
	parts              int
	env                *Envelope // once the event part verified
	files              map[string]bool
}

// singleField returns the one value of a header field: "" and false when it
// is absent, an error when it is there more than once (two values are two
// readings of the same message).
func singleField(h textproto.Header, key string) (string, bool, error) {
	vs := h.Values(key)
	switch len(vs) {
	case 0:
		return "", false, nil
	case 1:
		return strings.TrimSpace(vs[0]), true, nil
	}
	return "", false, fmt.Errorf("%w: %d %s fields", ErrMalformed, len(vs), key)
}

// topHeader checks the message's own header fields.
func (d *decoder) topHeader(h textproto.Header) error {
	v, ok, err := singleField(h, "X-Congvu-Journal")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: no X-Congvu-Journal header", ErrNotJournal)
	}
	if v != "1" {
		return fmt.Errorf("%w: %w: X-Congvu-Journal: %.20q", ErrMalformed, ErrVersion, v)
	}
	if d.eventID, ok, err = singleField(h, "X-Congvu-Event"); err != nil {
		return err
	} else if !ok || d.eventID == "" {
		return fmt.Errorf("%w: no X-Congvu-Event header", ErrMalformed)
	}
	if d.eventType, ok, err = singleField(h, "X-Congvu-Type"); err != nil {
		return err
	} else if !ok || d.eventType == "" {
		return fmt.Errorf("%w: no X-Congvu-Type header", ErrMalformed)
	}
	return nil
}

// entity handles one MIME entity whose header is h and body is body.
func (d *decoder) entity(h textproto.Header, body io.Reader, depth int) error {
	for _, k := range []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition"} {
		if _, _, err := singleField(h, k); err != nil {
			return err
		}
	}
	ct, params := "text/plain", map[string]string{}
	if v := h.Get("Content-Type"); strings.TrimSpace(v) != "" {
		var err error
		if ct, params, err = mime.ParseMediaType(v); err != nil {
			return fmt.Errorf("%w: Content-Type %.80q: %v", ErrMalformed, v, err)
		}
	}
	if strings.HasPrefix(ct, "multipart/") {
		return d.multipart(params["boundary"], body, depth)
	}
	cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	if ct == EventType {
		return d.eventPart(cte, params, body)
	}
	disp := ""
	var dparams map[string]string
	if v := h.Get("Content-Disposition"); strings.TrimSpace(v) != "" {
		var err error
		if disp, dparams, err = mime.ParseMediaType(v); err != nil {
			return fmt.Errorf("%w: Content-Disposition %.80q: %v", ErrMalformed, v, err)
		}
	}
	if disp == "attachment" {
		return d.filePart(cte, dparams["filename"], params["name"], body)
	}
	// The text, or anything else: not ours to read, only to skip; and as
	// nobody needs much of it, bounded like the rest, so that no part but
	// a file can make Decode read on and on.
	n, err := io.Copy(io.Discard, io.LimitReader(body, maxOther+1))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if n > maxOther {
		return fmt.Errorf("%w: a %s part over %d bytes", ErrMalformed, ct, maxOther)
	}
	return nil
}

// multipart walks the parts of a multipart body. go-message's reader
// does the delimiters; the budget under it bounds each part's header.
func (d *decoder) multipart(boundary string, body io.Reader, depth int) error {
	if depth >= MaxDepth {
		return fmt.Errorf("%w: multiparts nested deeper than %d", ErrMalformed, MaxDepth)
	}
	if boundary == "" || len(boundary) > maxBoundary {
		return fmt.Errorf("%w: multipart boundary missing or over %d characters", ErrMalformed, maxBoundary)
	}
	bud := &budgetReader{r: body}
	mr := textproto.NewMultipartReader(bud, boundary)
	for {
		bud.limit(MaxHeader)
		p, err := mr.NextPart()
		bud.unlimit()
		if bud.exceeded { // whatever NextPart made of the cut (see Decode)
			return fmt.Errorf("%w: part header over %d bytes", ErrMalformed, MaxHeader)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: multipart: %v", ErrMalformed, err)
		}
		if d.parts++; d.parts > MaxParts {
			return fmt.Errorf("%w: more than %d parts", ErrMalformed, MaxParts)
		}
		if err := d.entity(p.Header, p, depth+1); err != nil {
			return err
		}
		// Skip what the part left, unbudgeted: the next header's budget
		// must not be spent on this body.
		if _, err := io.Copy(io.Discard, p); err != nil {
			return fmt.Errorf("%w: multipart: %v", ErrMalformed, err)
		}
	}
}

// transferDecoder undoes a Content-Transfer-Encoding.
func transferDecoder(cte string, r io.Reader) (io.Reader, error) {
	switch cte {
	case "", "7bit", "8bit", "binary":
		return r, nil
	case "quoted-printable":
		return quotedprintable.NewReader(r), nil
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, r), nil
	}
	return nil, fmt.Errorf("%w: unknown Content-Transfer-Encoding %.40q", ErrMalformed, cte)
}

// eventPart reads, parses and verifies the signed event.
func (d *decoder) eventPart(cte string, params map[string]string, body io.Reader) error {
	if d.env != nil {
		return fmt.Errorf("%w: more than one event part", ErrMalformed)
	}
	if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
		return fmt.Errorf("%w: event part in charset %.40q", ErrMalformed, cs)
	}
	dec, err := transferDecoder(cte, body)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(io.LimitReader(dec, MaxJSON+1))
	if err != nil {
		return fmt.Errorf("%w: event part: %v", ErrMalformed, err)
	}
	if len(b) > MaxJSON {
		return fmt.Errorf("%w: event part over %d bytes", ErrMalformed, MaxJSON)
	}
	s, err := parseSigned(bytes.TrimSpace(b))
	if err != nil {
		return err
	}
	if s.Agency != d.agency {
		return fmt.Errorf("%w: %.40q, not %q", ErrOtherAgency, s.Agency, d.agency)
	}
	if err := s.verify(d.agency); err != nil {
		return err
	}
	ev, err := docstore.DecodeEvent(s.Event)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if ev.ID != d.eventID {
		return fmt.Errorf("%w: X-Congvu-Event %.70q is not the event's id %q", ErrMalformed, d.eventID, ev.ID)
	}
	if ev.Type != d.eventType {
		return fmt.Errorf("%w: X-Congvu-Type %.40q is not the event's type %q", ErrMalformed, d.eventType, ev.Type)
	}
	d.env = &Envelope{Event: ev, Raw: s.Event, Agency: s.Agency, Signer: s.Key}
	return nil
}

// filePart checks one file part and hands it to onFile.
func (d *decoder) filePart(cte, filename, label string, body io.Reader) error {
	if !validSHA(filename) {
		return fmt.Errorf("%w: attachment named %.80q, not by a SHA-256", ErrMalformed, filename)
	}
	if d.env == nil {
		return fmt.Errorf("%w: file %s before the event part", ErrMalformed, filename)
	}
	if d.files[filename] {
		return fmt.Errorf("%w: file %s sent twice", ErrMalformed, filename)
	}
	d.files[filename] = true
	dec, err := transferDecoder(cte, body)
	if err != nil {
		return err
	}
	hr := newHashReader(dec, filename)
	var cbErr error
	if d.onFile != nil {
		d.inOnFile = true
		cbErr = d.onFile(filename, cleanLabel(label), hr)
		d.inOnFile = false
	}
	// The message's fault comes first: a consumer that fails on a bad
	// file fails because of it.
	if err := hr.drain(); err != nil {
		if errors.Is(err, ErrFileMismatch) {
			return err
		}
		return fmt.Errorf("%w: file %s: %v", ErrMalformed, filename, err)
	}
	if cbErr != nil {
		return fmt.Errorf("journal: decode: file %s: %w", filename, cbErr)
	}
	d.env.Files = append(d.env.Files, filename)
	return nil
}

// cleanLabel makes the unsigned file name label safe to show: one line
// of valid UTF-8, NFC, at most 255 bytes.
func cleanLabel(s string) string { return fileLabel(s, 255) }
