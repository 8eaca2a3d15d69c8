package edxml

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// divertReader sits between a package on the wire and the XML decoder. It
// passes the XML through, except the text of each ContentTransferEncoded
// element — an attachment's base64, possibly hundreds of megabytes —
// which it decodes and hands to put as a stream, leaving in its place the
// attachment's index. encoding/xml holds a whole text node in memory; this
// way the decoder only ever sees the package's small XML, and a 200 MB
// package is read with a few buffers.
//
// It also refuses a DOCTYPE outright: a package has no use for one, and
// it is how entity-expansion attacks begin.
//
// Base64 holds no '<', so the text ends at the next '<' (or, in a CDATA
// section, at "]]>").
type divertReader struct {
	src   *bufio.Reader
	put   func(index int, r io.Reader) error
	out   bytes.Buffer // bytes ready for the XML decoder
	n     int          // attachments diverted so far
	xml   int64        // XML bytes passed through
	limit int64        // bound on them (Options.MaxXMLBytes)
	err   error
}

func newDivertReader(r io.Reader, limit int64, put func(int, io.Reader) error) *divertReader {
	return &divertReader{src: bufio.NewReaderSize(r, 64<<10), put: put, limit: limit}
}

// maxTag bounds one tag's length: element names and a few attributes.
const maxTag = 64 << 10

func (d *divertReader) Read(p []byte) (int, error) {
	for d.out.Len() == 0 && d.err == nil {
		d.err = d.step()
	}
	if d.out.Len() > 0 {
		return d.out.Read(p)
	}
	return 0, d.err
}

// step moves the next piece of the source to out: text up to a '<', or
// one tag (and, after a ContentTransferEncoded start tag, the diverted
// text's placeholder).
func (d *divertReader) step() error {
	text, err := d.src.ReadSlice('<')
	if len(text) > 0 && text[len(text)-1] == '<' {
		text = text[:len(text)-1]
		if err := d.emit(text); err != nil {
			return err
		}
		return d.tag()
	}
	if err == bufio.ErrBufferFull {
		return d.emit(text)
	}
	if e := d.emit(text); e != nil {
		return e
	}
	return err // io.EOF at the end, or the source's failure
}

func (d *divertReader) emit(b []byte) error {
	d.xml += int64(len(b))
	if d.limit > 0 && d.xml > d.limit {
		return fmt.Errorf("%w: more than %d bytes of XML besides the attachments", ErrTooLarge, d.limit)
	}
	d.out.Write(b)
	return nil
}

// tag reads one tag after its '<' and passes it on; comments, CDATA
// sections and processing instructions pass whole.
func (d *divertReader) tag() error {
	var tag []byte
	for {
		b, err := d.src.ReadSlice('>')
		tag = append(tag, b...)
		if len(tag) > maxTag {
			return fmt.Errorf("%w: a tag longer than %d bytes", ErrMalformed, maxTag)
		}
		if err == nil {
			// "<!-->" does not end a comment: its "--" is the opening's.
			if (bytes.HasPrefix(tag, []byte("!--")) && (len(tag) < 6 || !bytes.HasSuffix(tag, []byte("-->")))) ||
				(bytes.HasPrefix(tag, []byte("![CDATA[")) && !bytes.HasSuffix(tag, []byte("]]>"))) {
				continue // a '>' inside a comment or a CDATA section
			}
			break
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			return fmt.Errorf("%w: the package ends inside a tag", ErrMalformed)
		}
		return err
	}
	if bytes.HasPrefix(bytes.ToUpper(tag), []byte("!DOCTYPE")) {
		return ErrDoctype
	}
	if err := d.emit(append([]byte{'<'}, tag...)); err != nil {
		return err
	}
	if !isContentStart(tag) {
		return nil
	}
	i := d.n
	d.n++
	d.out.WriteString(strconv.Itoa(i))
	return d.divert(i)
}

// isContentStart: the start tag of a ContentTransferEncoded element (any
// prefix), not an empty one.
func isContentStart(tag []byte) bool {
	if len(tag) < 2 || tag[0] == '/' || tag[0] == '!' || tag[0] == '?' || tag[len(tag)-2] == '/' {
		return false
	}
	name := tag[:len(tag)-1]
	if i := bytes.IndexAny(name, " \t\r\n"); i >= 0 {
		name = name[:i]
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	return string(name) == "ContentTransferEncoded"
}

// divert streams the element's text, decoded, to put.
func (d *divertReader) divert(i int) error {
	// White space before a CDATA section belongs to the base64 text
	// (which ignores it).
	for {
		b, err := d.src.Peek(1)
		if err != nil || (b[0] != ' ' && b[0] != '\t' && b[0] != '\r' && b[0] != '\n') {
			break
		}
		d.src.Discard(1)
	}
	cdata := false
	if b, _ := d.src.Peek(9); string(b) == "<![CDATA[" {
		d.src.Discard(9)
		cdata = true
	}
	seg := &segment{src: d.src, cdata: cdata}
	err := d.put(i, base64.NewDecoder(base64.StdEncoding, seg))
	if _, derr := io.Copy(io.Discard, seg); err == nil {
		err = derr
	}
	if err != nil {
		var ce base64.CorruptInputError
		if errors.As(err, &ce) {
			return fmt.Errorf("%w: attachment %d: not base64 (%v)", ErrMalformed, i+1, err)
		}
		return fmt.Errorf("attachment %d: %w", i+1, err)
	}
	if !seg.ended {
		return fmt.Errorf("%w: the package ends inside attachment %d", ErrMalformed, i+1)
	}
	return nil
}

// segment reads a ContentTransferEncoded text from the source: up to the
// '<' that ends it (left for the XML), or to "]]>" in a CDATA section;
// white space is dropped (base64 in XML is often wrapped).
type segment struct {
	src   *bufio.Reader
	cdata bool
	ended bool
}

func (s *segment) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !s.ended {
		if s.src.Buffered() == 0 {
			if _, err := s.src.Peek(1); err != nil {
				if n > 0 {
					return n, nil
				}
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return 0, err
			}
		}
		chunk, _ := s.src.Peek(s.src.Buffered())
		used := 0
	scan:
		for _, b := range chunk {
			switch {
			case !s.cdata && b == '<':
				s.ended = true // the '<' stays for the XML
				break scan
			case s.cdata && b == ']':
				if used > 0 || n > 0 {
					break scan // look at "]]>" with it first in the buffer
				}
				if next, _ := s.src.Peek(3); string(next) == "]]>" {
					s.src.Discard(3)
					s.ended = true
					return 0, io.EOF
				}
				return 0, fmt.Errorf("%w: ']' in an attachment's base64", ErrMalformed)
			case b == ' ' || b == '\t' || b == '\r' || b == '\n':
			case b == '&':
				return n, fmt.Errorf("%w: an entity in an attachment's base64", ErrMalformed)
			default:
				if n == len(p) {
					break scan
				}
				p[n] = b
				n++
			}
			used++
		}
		s.src.Discard(used)
		if used == 0 && !s.ended {
			break // a ']' to look at on the next call
		}
	}
	if n == 0 && s.ended {
		return 0, io.EOF
	}
	return n, nil
}
