package mimemsg

import (
	"fmt"
	"io"
)

// validPath reports whether path is an IMAP section number ("2", "1.3").
func validPath(path string) bool {
	if path == "" || len(path) > 64 {
		return false
	}
	digit := false
	for i := 0; i < len(path); i++ {
		switch c := path[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c == '.' && digit:
			digit = false
		default:
			return false
		}
	}
	return digit
}

// PartReader returns the decoded content of the part at path (as listed
// by Parse) of the raw message read from r: base64 and quoted-printable
// are decoded, 7bit/8bit/binary passed through; a message/rfc822 part
// gives the forwarded message (an .eml); a multipart path gives its raw
// body. The reader streams from r with a fixed amount of memory, however
// large the part; it stops at the end of the part and does not read r to
// its end. The error wraps ErrNoPart when there is no such part.
func PartReader(r io.Reader, path string) (rd io.Reader, err error) {
	if !validPath(path) {
		return nil, fmt.Errorf("mimemsg: open part %q: %w", path, ErrNoPart)
	}
	p := &parser{target: path}
	ls := newLineStream(r, bufSize)
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("mimemsg: open part %s: internal error: %v", path, v)
			}
		}()
		p.entity(ls, nil, "", 0, true, "text/plain")
	}()
	if err != nil {
		return nil, err
	}
	if p.found == nil {
		if ls.err != nil {
			return nil, fmt.Errorf("mimemsg: open part %s: read: %w", path, ls.err)
		}
		return nil, fmt.Errorf("mimemsg: open part %s: %w", path, ErrNoPart)
	}
	return newPartReader(p.found, p.foundCTE), nil
}

// OpenPart writes the decoded content of the part at path of the raw
// message r to w (see PartReader) and returns the number of bytes written.
func OpenPart(r io.Reader, path string, w io.Writer) (int64, error) {
	rd, err := PartReader(r, path)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(w, rd)
	if err != nil {
		return n, fmt.Errorf("mimemsg: open part %s: %w", path, err)
	}
	return n, nil
}
