package edxml

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Store keeps the attachments' contents while a package is read (the
// content-addressed blob store of the app; TempStore for the command
// line and tests).
type Store interface {
	Put(r io.Reader) (Ref, error)
	Open(sha256 string) (ReadAtCloser, error)
}

// ReadAtCloser is an opened stored content (an *os.File).
type ReadAtCloser interface {
	io.ReaderAt
	io.Closer
}

// Options bounds what Parse accepts: a package from another agency is
// read before anyone has looked at it.
type Options struct {
	MaxXMLBytes        int64 // the XML besides the attachments' base64 (default 16 MiB)
	MaxAttachmentBytes int64 // one attachment, decoded and unzipped (default 1 GiB)
	MaxAttachments     int   // attachments in one package (default 500)
	// Now is for "a promulgation date in the future" (default time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.MaxXMLBytes <= 0 {
		o.MaxXMLBytes = 16 << 20
	}
	if o.MaxAttachmentBytes <= 0 {
		o.MaxAttachmentBytes = 1 << 30
	}
	if o.MaxAttachments <= 0 {
		o.MaxAttachments = 500
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Parse reads a package: a document with its attachments (put in store,
// unzipped when the sender zipped them) or a status. It reads the XML in
// any element order, normalises text to NFC, and refuses what is broken or
// lacks a required field with an error wrapping ErrMalformed, ErrNotEdXML,
// ErrDoctype, ErrTooLarge or ErrInvalid (a *FieldError: which field).
// Limits that real senders overstep (lengths) are Validate's, not Parse's.
func Parse(r io.Reader, store Store, opt Options) (*Package, error) {
	opt = opt.withDefaults()
	var refs []Ref
	dr := newDivertReader(r, opt.MaxXMLBytes, func(i int, content io.Reader) error {
		if i >= opt.MaxAttachments {
			return fmt.Errorf("%w: more than %d attachments", ErrTooLarge, opt.MaxAttachments)
		}
		ref, err := store.Put(&capReader{r: content, left: opt.MaxAttachmentBytes})
		if err != nil {
			return err
		}
		refs = append(refs, ref)
		return nil
	})
	dec := xml.NewDecoder(dr)
	dec.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("%w: encoding %q (edXML is UTF-8)", ErrMalformed, label)
	}
	root, err := rootElement(dec)
	if err != nil {
		return nil, err
	}
	var wp wirePackage
	if err := dec.DecodeElement(&wp, &root); err != nil {
		return nil, xmlErr(err)
	}
	// Whatever follows the root must still be well-formed (and is read,
	// so a trailing attachment cannot hide there).
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			return nil, fmt.Errorf("%w: elements after the package's end", ErrMalformed)
		}
	}
	if wp.Envelope == nil {
		return nil, fieldErr("edXMLEnvelope", "required", "")
	}
	if ns := wp.Envelope.XMLName.Space; ns != Namespace {
		return nil, fmt.Errorf("%w: envelope in namespace %q", ErrNotEdXML, ns)
	}
	p, err := convert(&wp, refs, opt)
	if err != nil {
		return nil, err
	}
	if p.Document != nil {
		for i := range p.Document.Attachments {
			if err := unzipAttachment(&p.Document.Attachments[i], store, opt); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// rootElement reads up to the root element and checks it: edXML in
// QCVN 102's namespace.
func rootElement(dec *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return xml.StartElement{}, fmt.Errorf("%w: no XML element", ErrMalformed)
		}
		if err != nil {
			return xml.StartElement{}, xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != "edXML" || t.Name.Space != Namespace {
				return t, fmt.Errorf("%w: root element {%s}%s", ErrNotEdXML, t.Name.Space, t.Name.Local)
			}
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 && !bytes.Equal(bytes.TrimSpace(t), []byte("\uFEFF")) {
				return xml.StartElement{}, fmt.Errorf("%w: text before the root element", ErrMalformed)
			}
		}
	}
}

// xmlErr keeps the package's own errors (from divertReader, the store)
// and calls the XML decoder's malformed.
func xmlErr(err error) error {
	for _, e := range []error{ErrTooLarge, ErrDoctype, ErrMalformed, ErrNotEdXML} {
		if errors.Is(err, e) {
			return err
		}
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var ue *xml.UnmarshalError
	if errors.As(err, &ue) {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return err // the store's (a full disk): not the package's fault
}

// capReader fails with ErrTooLarge past its bound.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, fmt.Errorf("%w: an attachment over the size allowed", ErrTooLarge)
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, fmt.Errorf("%w: an attachment over the size allowed", ErrTooLarge)
	}
	return n, err
}

// unzipAttachment: the national SDK zips each attachment (ContentType
// application/zip, one file inside under a random name) while the
// attachment keeps the document's file name. Such an attachment is
// replaced by the file it holds, with the size bound applied to what is
// unzipped (a zip bomb stops there). A .zip the sender meant as a zip
// stays one.
func unzipAttachment(a *Attachment, store Store, opt Options) error {
	if strings.HasSuffix(strings.ToLower(a.Name), ".zip") {
		return nil
	}
	f, err := store.Open(a.Ref.SHA256)
	if err != nil {
		return fmt.Errorf("attachment %s: %w", a.Name, err)
	}
	defer f.Close()
	magic := make([]byte, 4)
	if n, _ := f.ReadAt(magic, 0); n < 4 || string(magic) != "PK\x03\x04" {
		return nil
	}
	zr, err := zip.NewReader(f, a.Ref.Size)
	if err != nil {
		return fmt.Errorf("%w: attachment %s: a broken zip (%v)", ErrMalformed, a.Name, err)
	}
	var files []*zip.File
	for _, zf := range zr.File {
		if !zf.FileInfo().IsDir() {
			files = append(files, zf)
		}
	}
	if len(files) != 1 {
		return nil // a real archive, kept as it is
	}
	rc, err := files[0].Open()
	if err != nil {
		return fmt.Errorf("%w: attachment %s: %v", ErrMalformed, a.Name, err)
	}
	defer rc.Close()
	ref, err := store.Put(&capReader{r: rc, left: opt.MaxAttachmentBytes})
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, zip.ErrAlgorithm) {
			return fmt.Errorf("%w: attachment %s: %v", ErrMalformed, a.Name, err)
		}
		return fmt.Errorf("attachment %s: %w", a.Name, err)
	}
	a.Ref, a.Zipped = ref, true
	if a.ContentType == "application/zip" || a.ContentType == "" {
		a.ContentType = contentTypeOf(a.Name)
	}
	return nil
}
