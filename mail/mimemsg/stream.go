package mimemsg

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"
)

// lineStream reads a message line by line from a bufio.Reader without
// copying: a line is a slice of the reader's buffer, valid until the next
// call. A line longer than the buffer comes in fragments (start false
// for all but the first), so a 10 MB line costs no 10 MB of memory; a
// boundary or header can only be at the start of a line, and is short.
type lineStream struct {
	br      *bufio.Reader
	pushed  []byte // a line put back (owned copy), nil when none
	atStart bool   // the next read begins a line
	eof     bool
	err     error // the first read error other than io.EOF
}

func newLineStream(r io.Reader, size int) *lineStream {
	return &lineStream{br: bufio.NewReaderSize(r, size), atStart: true}
}

// readerPool recycles Parse's 64 KB read buffers: the sync engine parses
// thousands of small messages, and a fresh buffer each time is most of
// the garbage a small message makes.
var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, bufSize) }}

func pooledLineStream(r io.Reader) *lineStream {
	br := readerPool.Get().(*bufio.Reader)
	br.Reset(r)
	return &lineStream{br: br, atStart: true}
}

// release returns a pooled buffer; the stream must not be used after.
func (ls *lineStream) release() {
	ls.br.Reset(nil)
	readerPool.Put(ls.br)
	ls.br = nil
}

// next returns the next line (with its line ending, if it has one) or
// fragment of a line; ok is false at the end of the input.
func (ls *lineStream) next() (b []byte, start bool, ok bool) {
	if ls.pushed != nil {
		b, ls.pushed = ls.pushed, nil
		ls.atStart = true
		return b, true, true
	}
	if ls.eof {
		return nil, false, false
	}
	b, err := ls.br.ReadSlice('\n')
	start = ls.atStart
	switch {
	case err == nil:
		ls.atStart = true
	case errors.Is(err, bufio.ErrBufferFull):
		ls.atStart = false
	default:
		if err != io.EOF && ls.err == nil {
			ls.err = err
		}
		ls.eof = true
		ls.atStart = true
		if len(b) == 0 {
			return nil, false, false
		}
	}
	return b, start, true
}

// unread puts a whole line back; the next call to next returns it.
func (ls *lineStream) unread(b []byte) {
	ls.pushed = append([]byte{}, b...)
}

// peekLine returns the start of the next line without consuming it
// (at most 1 KB, enough to see whether it is a header field).
func (ls *lineStream) peekLine() []byte {
	if ls.pushed != nil {
		return ls.pushed
	}
	if ls.eof || !ls.atStart {
		return nil
	}
	b, _ := ls.br.Peek(1024)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	}
	return b
}

// Terminations of a header section or body.
const (
	termNone     = iota // a header section ended by its blank line
	termEOF             // the input ended
	termBoundary        // a boundary line of an enclosing multipart
	termFound           // OpenPart: the part asked for starts here
)

// term says what ended a header section or a body.
type term struct {
	kind    int
	level   int  // termBoundary: index in the stops of the boundary seen
	closing bool // termBoundary: the close delimiter ("--b--")
}

// stops are the boundaries of the enclosing multiparts, innermost last.
// A line that starts one of them ends whatever is being read, however
// deep: a missing close delimiter of an inner multipart does not swallow
// the rest of the outer one.
type stops []string

// match reports whether line (a whole line at a line start) is a
// delimiter of one of the stops: "--" boundary, optionally "--", then
// only whitespace (RFC 2046 §5.1.1 allows transport padding).
func (st stops) match(line []byte) (level int, closing bool, ok bool) {
	if len(st) == 0 || len(line) < 3 || line[0] != '-' || line[1] != '-' {
		return 0, false, false
	}
	l := trimRightSpace(line[2:])
	for i := len(st) - 1; i >= 0; i-- {
		b := st[i]
		if len(l) < len(b) || string(l[:len(b)]) != b {
			continue
		}
		switch rest := l[len(b):]; {
		case len(rest) == 0:
			return i, false, true
		case len(rest) == 2 && rest[0] == '-' && rest[1] == '-':
			return i, true, true
		}
	}
	return 0, false, false
}

// push returns st with b appended, never sharing the caller's array.
func (st stops) push(b string) stops {
	out := make(stops, len(st), len(st)+1)
	copy(out, st)
	return append(out, b)
}

func trimRightSpace(b []byte) []byte {
	for len(b) > 0 {
		switch b[len(b)-1] {
		case ' ', '\t', '\r', '\n':
			b = b[:len(b)-1]
			continue
		}
		break
	}
	return b
}

var (
	crlfBytes = []byte("\r\n")
	lfBytes   = []byte("\n")
)

// bodyIter yields the raw bytes of a body up to (not including) the next
// delimiter line of any of the stops, or to the end of the input. The
// line break before a delimiter belongs to the delimiter (RFC 2046), so
// each line's ending is held back until the next line shows it is body.
type bodyIter struct {
	ls   *lineStream
	st   stops
	held []byte // the line ending held back
	done bool
	t    term // what ended the body, once done
}

func newBodyIter(ls *lineStream, st stops) *bodyIter {
	return &bodyIter{ls: ls, st: st}
}

// endedBy returns an iterator over an empty body that already ended.
func endedBy(t term) *bodyIter {
	return &bodyIter{done: true, t: t}
}

// next returns the next bytes of the body as two slices to be used in
// order (pre is a held-back line ending); ok is false at the end.
func (it *bodyIter) next() (pre, data []byte, ok bool) {
	if it.done {
		return nil, nil, false
	}
	b, start, ok := it.ls.next()
	if !ok {
		it.done, it.t = true, term{kind: termEOF}
		if it.held != nil { // the input ended: its last line break is body
			pre, it.held = it.held, nil
			return pre, nil, true
		}
		return nil, nil, false
	}
	if start && len(b) > 2 && b[0] == '-' && b[1] == '-' {
		if level, closing, ok := it.st.match(b); ok {
			it.done = true
			it.t = term{kind: termBoundary, level: level, closing: closing}
			it.held = nil
			return nil, nil, false
		}
	}
	pre = it.held
	it.held = nil
	if n := len(b); n > 0 && b[n-1] == '\n' {
		if n > 1 && b[n-2] == '\r' {
			it.held, data = crlfBytes, b[:n-2]
		} else {
			it.held, data = lfBytes, b[:n-1]
		}
	} else {
		data = b
	}
	return pre, data, true
}

// drain skips the rest of the body and returns what ended it.
func (it *bodyIter) drain() term {
	for {
		if _, _, ok := it.next(); !ok {
			return it.t
		}
	}
}

// partReader is a body decoded from its transfer encoding, as a pull
// reader: it decodes a batch of lines into a small buffer at a time, so
// its memory is bounded whatever the size of the body.
type partReader struct {
	it   *bodyIter
	dec  decoder
	out  []byte
	off  int
	done bool
	err  error
}

func newPartReader(it *bodyIter, cte string) *partReader {
	r := &partReader{it: it}
	r.dec, _ = newDecoder(cte, (*partSink)(r))
	return r
}

// partSink is the decoder's output: the reader's buffer.
type partSink partReader

func (s *partSink) Write(p []byte) (int, error) {
	s.out = append(s.out, p...)
	return len(p), nil
}

func (r *partReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if r.off >= len(r.out) {
		r.out, r.off = r.out[:0], 0
		want := min(len(p), 64<<10) // bounded whatever the caller's buffer
		for len(r.out) < want && !r.done {
			pre, data, ok := r.it.next()
			if !ok {
				r.dec.Close()
				r.done = true
				if r.it.ls != nil && r.it.ls.err != nil {
					r.err = r.it.ls.err
				}
				break
			}
			if len(pre) > 0 {
				r.dec.Write(pre)
			}
			if len(data) > 0 {
				r.dec.Write(data)
			}
		}
		if len(r.out) == 0 {
			if r.err != nil {
				return 0, r.err
			}
			return 0, io.EOF
		}
	}
	n := copy(p, r.out[r.off:])
	r.off += n
	return n, nil
}

// countReader counts the bytes read through it and keeps the first error
// other than io.EOF.
type countReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}
