package mimemsg

import (
	"encoding/base64"
	"io"
	"strings"
)

// Transfer decoders. They are push-based io.Writers fed with the raw body
// line by line (possibly cut anywhere for very long lines), so that Parse
// can stream a 200 MB attachment through a fixed buffer. A nil output
// writer means "count only": Parse needs the decoded size of an
// attachment, not its bytes, and counting base64 is far cheaper than
// decoding it.

// decoder is one Content-Transfer-Encoding.
type decoder interface {
	io.Writer
	// Close decodes what was held back (a partial base64 quantum, a
	// pending "=" of quoted-printable) and flushes.
	Close() error
	// Size is the number of decoded bytes so far.
	Size() int64
	// Damaged reports input the encoding does not allow (garbage in
	// base64, a broken "=" escape in quoted-printable, a truncated end).
	Damaged() bool
}

// normCTE returns the lower-cased transfer encoding token of a header
// value, without comments, quotes or parameters.
func normCTE(v string) string {
	v = stripComments(v)
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(v), `"'`))
}

// newDecoder returns the decoder for a transfer encoding writing to w
// (nil: count only); known is false for an encoding we do not decode, in
// which case the body passes through as it is.
func newDecoder(cte string, w io.Writer) (d decoder, known bool) {
	switch cte {
	case "base64":
		return &b64Decoder{w: w}, true
	case "quoted-printable":
		return &qpDecoder{w: w}, true
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
		return &rawDecoder{w: w}, true
	}
	return &rawDecoder{w: w}, false
}

// rawDecoder is the identity (7bit, 8bit, binary).
type rawDecoder struct {
	w io.Writer
	n int64
}

func (d *rawDecoder) Write(p []byte) (int, error) {
	d.n += int64(len(p))
	if d.w != nil {
		return d.w.Write(p)
	}
	return len(p), nil
}

func (d *rawDecoder) Close() error  { return nil }
func (d *rawDecoder) Size() int64   { return d.n }
func (d *rawDecoder) Damaged() bool { return false }

// b64Value maps a byte to its base64 value; 64 marks '=', 0xFF
// whitespace (skipped silently), 0xFE anything else (garbage, skipped
// and noted).
var b64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFE
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	t['='] = 64
	for _, c := range " \t\r\n\f\v" {
		t[c] = 0xFF
	}
	return t
}()

// b64Chunk is how many base64 characters are gathered before decoding:
// the standard library decoder is fast on long inputs, slow per line.
const b64Chunk = 8192

// b64Decoder decodes base64 leniently: whitespace and garbage are
// skipped, padding ends a quantum (data after it is decoded too, as
// some encoders concatenate), a truncated end keeps its whole bytes.
type b64Decoder struct {
	w       io.Writer
	n       int64
	in      [b64Chunk]byte
	nin     int
	out     []byte
	damaged bool
	err     error
}

func (d *b64Decoder) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	for _, c := range p {
		v := b64Value[c]
		if v < 64 {
			d.in[d.nin] = c
			d.nin++
			if d.nin == b64Chunk {
				d.flush(false)
			}
			continue
		}
		switch v {
		case 64: // padding: the quantum ends here
			if d.nin%4 != 0 {
				d.flush(true)
			}
		case 0xFE:
			d.damaged = true
		}
	}
	if d.err != nil {
		return 0, d.err
	}
	return len(p), nil
}

// flush decodes the whole quanta gathered; final also decodes a partial
// last quantum (2 or 3 characters hold 1 or 2 bytes; 1 holds none).
func (d *b64Decoder) flush(final bool) {
	whole := d.nin &^ 3
	rest := d.nin - whole
	if d.w == nil {
		d.n += int64(whole / 4 * 3)
		if final && rest > 1 {
			d.n += int64(rest - 1)
		}
	} else {
		if cap(d.out) < b64Chunk/4*3 {
			d.out = make([]byte, b64Chunk/4*3)
		}
		out := d.out[:cap(d.out)]
		n, _ := base64.StdEncoding.Decode(out, d.in[:whole])
		if final && rest > 1 {
			m, _ := base64.RawStdEncoding.Decode(out[n:], d.in[whole:d.nin])
			n += m
		}
		d.n += int64(n)
		if n > 0 && d.err == nil {
			_, d.err = d.w.Write(out[:n])
		}
	}
	if final {
		if rest == 1 {
			d.damaged = true
		}
		d.nin = 0
		return
	}
	copy(d.in[:rest], d.in[whole:d.nin])
	d.nin = rest
}

func (d *b64Decoder) Close() error {
	if d.nin%4 != 0 {
		d.damaged = true // truncated: no padding where a quantum was cut
	}
	d.flush(true)
	return d.err
}

func (d *b64Decoder) Size() int64   { return d.n }
func (d *b64Decoder) Damaged() bool { return d.damaged }

// qpDecoder decodes quoted-printable (RFC 2045 §6.7) leniently: a "="
// not followed by two hex digits or a line end is kept as it is (the
// usual damage is an unencoded "=" in a URL), "= " before the line end
// is still a soft break, trailing whitespace on a line is dropped.
type qpDecoder struct {
	w       io.Writer
	n       int64
	state   int  // qpText, qpEq, qpEqHex, qpEqSpace, qpEqCR
	hex1    byte // first digit after "=" in qpEqHex
	ws      []byte
	out     []byte
	damaged bool
	err     error
}

const (
	qpText    = iota
	qpEq      // after "="
	qpEqHex   // after "=X"
	qpEqSpace // after "=" and blanks: a soft break if the line ends now
	qpEqCR    // after "=\r"
)

func (d *qpDecoder) emit(b ...byte) {
	d.out = append(d.out, b...)
}

func (d *qpDecoder) flushWS() {
	if len(d.ws) > 0 {
		d.out = append(d.out, d.ws...)
		d.ws = d.ws[:0]
	}
}

func (d *qpDecoder) Write(p []byte) (int, error) {
	if d.err != nil {
		return 0, d.err
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch d.state {
		case qpEq:
			switch {
			case isHex(c):
				d.hex1, d.state = c, qpEqHex
			case c == '\n':
				d.state = qpText // soft line break
			case c == '\r':
				d.state = qpEqCR
			case c == ' ' || c == '\t':
				d.state = qpEqSpace
			default:
				d.damaged = true
				d.emit('=')
				d.state = qpText
				i--
			}
			continue
		case qpEqHex:
			d.state = qpText
			if isHex(c) {
				d.emit(unhex(d.hex1)<<4 | unhex(c))
				continue
			}
			d.damaged = true
			d.emit('=', d.hex1)
			i--
			continue
		case qpEqSpace:
			switch c {
			case ' ', '\t':
			case '\r':
				d.state = qpEqCR
			case '\n':
				d.state = qpText
			default:
				d.damaged = true
				d.emit('=', ' ')
				d.state = qpText
				i--
			}
			continue
		case qpEqCR:
			d.state = qpText
			if c == '\n' {
				continue
			}
			// "=\r" alone: a soft break all the same
		}
		// qpText: copy a run of ordinary bytes at once.
		j := i
		for j < len(p) && p[j] != '=' && p[j] != ' ' && p[j] != '\t' && p[j] != '\r' && p[j] != '\n' {
			j++
		}
		if j > i {
			d.flushWS()
			d.out = append(d.out, p[i:j]...)
			i = j - 1
			continue
		}
		switch c {
		case '=':
			d.flushWS()
			d.state = qpEq
		case ' ', '\t':
			d.ws = append(d.ws, c)
			if len(d.ws) > 1024 { // not trailing after all, or absurd: let it through
				d.flushWS()
			}
		case '\r', '\n':
			d.ws = d.ws[:0] // trailing whitespace is padding (RFC 2045 rule 3)
			d.emit(c)
		}
		if len(d.out) >= 16<<10 {
			d.drain()
		}
	}
	d.drain()
	if d.err != nil {
		return 0, d.err
	}
	return len(p), nil
}

func (d *qpDecoder) drain() {
	if len(d.out) == 0 {
		return
	}
	d.n += int64(len(d.out))
	if d.w != nil && d.err == nil {
		_, d.err = d.w.Write(d.out)
	}
	d.out = d.out[:0]
}

func (d *qpDecoder) Close() error {
	switch d.state {
	case qpEqHex:
		d.damaged = true
		d.emit('=', d.hex1)
	case qpEq, qpEqSpace, qpEqCR:
		// a soft break at the very end: nothing follows
	}
	d.state = qpText
	d.ws = d.ws[:0]
	d.drain()
	return d.err
}

func (d *qpDecoder) Size() int64   { return d.n }
func (d *qpDecoder) Damaged() bool { return d.damaged }

// countWriter counts and discards.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// capBuffer keeps the first max bytes written and counts the rest.
type capBuffer struct {
	b    []byte
	max  int
	over bool
}

func (c *capBuffer) Write(p []byte) (int, error) {
	room := c.max - len(c.b)
	if len(p) > room {
		c.over = true
		if room > 0 {
			c.b = append(c.b, p[:room]...)
		}
		return len(p), nil
	}
	c.b = append(c.b, p...)
	return len(p), nil
}
