package edxml

import (
	"archive/zip"
	"bufio"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
)

// The package as the national SDK writes it: a root edXML in QCVN 102's
// default namespace, the envelope's elements prefixed edXML:, and
// AttachmentEncoded after the envelope. Written as a stream: attachments
// go from their files to base64 through a small buffer.

// xw writes XML by hand, in order, escaping text.
type xw struct {
	w      *bufio.Writer
	prefix string
	err    error
}

func (x *xw) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *xw) open(name string)  { x.raw("<" + x.prefix + name + ">") }
func (x *xw) close(name string) { x.raw("</" + x.prefix + name + ">") }

// elem writes <name>value</name>, or nothing when value is "" and
// omitEmpty.
func (x *xw) elem(name, value string, omitEmpty bool) {
	if value == "" && omitEmpty {
		return
	}
	x.open(name)
	if x.err == nil {
		x.err = xml.EscapeText(x.w, []byte(value))
	}
	x.close(name)
}

func (x *xw) organ(name string, o Organ) {
	x.open(name)
	x.elem("OrganId", o.OrganID, false)
	x.elem("OrganizationInCharge", o.OrganizationInCharge, true)
	x.elem("OrganName", o.OrganName, false)
	x.elem("OrganAdd", o.OrganAdd, true)
	x.elem("Email", o.Email, true)
	x.elem("Telephone", o.Telephone, true)
	x.elem("Fax", o.Fax, true)
	x.elem("Website", o.Website, true)
	x.close(name)
}

func (x *xw) staff(s StaffInfo) {
	x.open("StaffInfo")
	x.elem("Department", s.Department, true)
	x.elem("Staff", s.Staff, true)
	x.elem("Mobile", s.Mobile, true)
	x.elem("Email", s.Email, true)
	x.close("StaffInfo")
}

func (x *xw) reference(r Reference) {
	x.open("ResponseFor")
	x.elem("OrganId", r.OrganID, false)
	x.elem("Code", r.Code, false)
	x.elem("PromulgationDate", wireDate(r.Date), true)
	x.elem("DocumentId", r.DocumentID, false)
	x.close("ResponseFor")
}

// wireDate writes an ISO date as edXML does (yyyy/MM/dd).
func wireDate(iso string) string { return strings.ReplaceAll(iso, "-", "/") }

func wireTime(t time.Time) string { return t.In(vietnam).Format(timeLayout) }

func boolText(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (x *xw) begin() {
	x.raw(xml.Header)
	x.raw(`<edXML xmlns="` + Namespace + `"><edXML:edXMLEnvelope xmlns:edXML="` + Namespace + `">`)
	x.prefix = "edXML:"
	x.open("edXMLHeader")
}

// WriteStatus writes a status package.
func WriteStatus(w io.Writer, s *Status) error {
	x := &xw{w: bufio.NewWriter(w)}
	x.begin()
	x.open("MessageHeader")
	x.organ("From", s.From)
	x.reference(s.ResponseFor)
	x.staff(s.Staff)
	x.elem("StatusCode", string(s.Code), false)
	x.elem("Description", s.Description, true)
	x.elem("Timestamp", wireTime(s.Timestamp), false)
	x.close("MessageHeader")
	x.close("edXMLHeader")
	x.close("edXMLEnvelope")
	x.prefix = ""
	x.raw("</edXML>\n")
	if x.err != nil {
		return fmt.Errorf("write edXML status: %w", x.err)
	}
	return x.w.Flush()
}

// WriteDocument writes a document package. Each attachment's content
// comes from open; zipped wraps each in a zip of one file, as the national
// SDK does (receivers that use the SDK expect it).
func WriteDocument(w io.Writer, d *Document, open func(Attachment) (io.ReadCloser, error), zipped bool) error {
	x := &xw{w: bufio.NewWriterSize(w, 64<<10)}
	x.begin()
	x.open("MessageHeader")
	x.organ("From", d.From)
	for _, t := range d.To {
		x.organ("To", t)
	}
	x.elem("DocumentId", d.DocumentID, false)
	x.open("Code")
	x.elem("CodeNumber", d.CodeNumber, false)
	x.elem("CodeNotation", d.CodeNotation, false)
	x.close("Code")
	x.open("PromulgationInfo")
	x.elem("Place", d.Place, false)
	x.elem("PromulgationDate", wireDate(d.Date), false)
	x.close("PromulgationInfo")
	x.open("DocumentType")
	x.elem("Type", strconv.Itoa(d.Type), false)
	x.elem("TypeDetail", strconv.Itoa(d.TypeDetail), false)
	x.elem("TypeName", d.TypeName, false)
	x.close("DocumentType")
	x.elem("Subject", d.Subject, false)
	x.elem("Content", d.Content, true)
	x.open("SignerInfo")
	x.elem("Competence", d.Signer.Competence, false)
	x.elem("Position", d.Signer.Position, false)
	x.elem("FullName", d.Signer.FullName, false)
	x.close("SignerInfo")
	x.elem("DueDate", wireDate(d.DueDate), true)
	if len(d.ToPlaces) > 0 {
		x.open("ToPlaces")
		for _, p := range d.ToPlaces {
			x.elem("Place", p, false)
		}
		x.close("ToPlaces")
	}
	o := d.Other
	x.open("OtherInfo")
	x.elem("Priority", strconv.Itoa(o.Priority), false)
	x.elem("SphereOfPromulgation", o.SphereOfPromulgation, true)
	x.elem("TyperNotation", o.TyperNotation, true)
	x.elem("PromulgationAmount", strconv.Itoa(o.PromulgationAmount), false)
	x.elem("PageAmount", strconv.Itoa(o.PageAmount), false)
	x.elem("Direction", boolText(o.Direction), false)
	if len(o.Appendixes) > 0 {
		x.open("Appendixes")
		for _, a := range o.Appendixes {
			x.elem("Appendix", a, false)
		}
		x.close("Appendixes")
	}
	x.close("OtherInfo")
	for _, r := range d.ResponseFor {
		x.reference(r)
	}
	x.elem("SteeringType", strconv.Itoa(d.SteeringType), false)
	x.close("MessageHeader")

	x.open("TraceHeaderList")
	for _, t := range d.Traces {
		x.open("TraceHeader")
		x.elem("OrganId", t.OrganID, false)
		x.elem("Timestamp", wireTime(t.Timestamp), false)
		x.close("TraceHeader")
	}
	b := d.Business
	x.open("Bussiness")
	x.elem("DocumentId", or(b.DocumentID, d.DocumentID), false)
	x.elem("BussinessDocType", strconv.Itoa(int(b.Type)), false)
	x.elem("BussinessDocReason", b.Reason, true)
	x.elem("Paper", boolText(b.Paper), false)
	x.staff(b.Staff)
	if b.Type == BusinessUpdate {
		x.open("BussinessDocumentInfo")
		x.elem("DocumentInfo", boolText(b.DocumentInfoChanged), false)
		x.elem("DocumentReceiver", boolText(b.ReceiversChanged), false)
		x.open("ReceiverList")
		for _, r := range b.Receivers {
			x.open("Receiver")
			x.elem("OrganId", r.OrganID, false)
			x.elem("ReceiverType", strconv.Itoa(r.Type), false)
			x.close("Receiver")
		}
		x.close("ReceiverList")
		x.close("BussinessDocumentInfo")
	}
	if len(b.Replacements) > 0 {
		x.open("ReplacementInfoList")
		for _, r := range b.Replacements {
			x.open("ReplacementInfo")
			x.elem("DocumentId", r.DocumentID, false)
			x.open("OrganIdList")
			for _, id := range r.OrganIDs {
				x.elem("OrganId", id, false)
			}
			x.close("OrganIdList")
			x.close("ReplacementInfo")
		}
		x.close("ReplacementInfoList")
	}
	x.close("Bussiness")
	x.close("TraceHeaderList")
	x.close("edXMLHeader")

	x.open("edXMLBody")
	x.raw(`<edXML:edXMLManifest version="1.0">`)
	for _, a := range d.Attachments {
		x.open("Reference")
		x.elem("ContentId", "cid:"+a.ContentID, false)
		x.elem("AttachmentName", a.Name, false)
		x.elem("Description", a.Description, true)
		x.elem("ContentType", wireType(a, zipped), false)
		x.close("Reference")
	}
	x.close("edXMLManifest")
	x.close("edXMLBody")
	x.close("edXMLEnvelope")
	x.prefix = ""
	x.open("AttachmentEncoded")
	for _, a := range d.Attachments {
		x.open("Attachment")
		x.elem("ContentId", "cid:"+a.ContentID, false)
		x.elem("AttachmentName", a.Name, false)
		x.elem("Description", a.Description, true)
		x.elem("ContentType", wireType(a, zipped), false)
		x.open("ContentTransferEncoded")
		if x.err == nil {
			x.err = writeContent(x.w, a, open, zipped)
		}
		x.close("ContentTransferEncoded")
		x.close("Attachment")
	}
	x.close("AttachmentEncoded")
	x.raw("</edXML>\n")
	if x.err != nil {
		return fmt.Errorf("write edXML document %s: %w", d.DocumentID, x.err)
	}
	return x.w.Flush()
}

func wireType(a Attachment, zipped bool) string {
	if zipped {
		return "application/zip"
	}
	return or(a.ContentType, contentTypeOf(a.Name))
}

// writeContent streams one attachment as base64 lines of 76 characters,
// zipped first when asked.
func writeContent(w io.Writer, a Attachment, open func(Attachment) (io.ReadCloser, error), zipped bool) error {
	src, err := open(a)
	if err != nil {
		return fmt.Errorf("attachment %s: %w", a.Name, err)
	}
	defer src.Close()
	lw := &lineWriter{w: w}
	enc := base64.NewEncoder(base64.StdEncoding, lw)
	if zipped {
		zw := zip.NewWriter(enc)
		// Inside the zip the file is named by its ContentId, never by the
		// sender's name: a receiver's unzip cannot be pointed at a path.
		f, err := zw.Create(a.ContentID + path.Ext(strings.ReplaceAll(a.Name, "/", "_")))
		if err == nil {
			_, err = io.Copy(f, src)
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			return fmt.Errorf("attachment %s: %w", a.Name, err)
		}
	} else if _, err := io.Copy(enc, src); err != nil {
		return fmt.Errorf("attachment %s: %w", a.Name, err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	return lw.err
}

// lineWriter breaks base64 into lines, as mail and most senders do.
type lineWriter struct {
	w   io.Writer
	col int
	err error
}

func (l *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && l.err == nil {
		k := min(76-l.col, len(p))
		_, l.err = l.w.Write(p[:k])
		l.col += k
		p = p[k:]
		if l.col == 76 {
			_, l.err = l.w.Write([]byte{'\n'})
			l.col = 0
		}
	}
	return n, l.err
}
