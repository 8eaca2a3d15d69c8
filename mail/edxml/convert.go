package edxml

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"path"
	"strconv"
	"strings"
	"time"

	"congvu/docs-store"
	"congvu/docs-store/vntext"
)

// vietnam is the time zone of edXML's timestamps (written without one).
var vietnam = time.FixedZone("ICT", 7*3600)

const (
	dateLayout = "2006/01/02"
	timeLayout = "2006/01/02 15:04:05"
)

// text is a value as the package holds it: NFC (senders mix NFC and NFD),
// white space at the ends dropped.
func text(s string) string { return strings.TrimSpace(vntext.NFC(s)) }

// parseDate reads yyyy/MM/dd (also yyyy-MM-dd and dd/MM/yyyy, which some
// senders write)
// into ISO yyyy-mm-dd; "" stays "".
func parseDate(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > 10 { // "2019/04/11 00:00:00": the day is what counts
		if d, err := time.Parse(timeLayout, s); err == nil {
			return d.Format("2006-01-02"), nil
		}
	}
	// Also dd/MM/yyyy, as one province's system writes it.
	for _, layout := range []string{dateLayout, "2006-01-02", "02/01/2006"} {
		if d, err := time.Parse(layout, s); err == nil {
			return d.Format("2006-01-02"), nil
		}
	}
	return "", fieldErr(field, "bad_date", s)
}

func parseTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{timeLayout, "2006-01-02 15:04:05", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, vietnam); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.In(vietnam), nil
	}
	return time.Time{}, fieldErr(field, "bad_time", s)
}

// parseInt reads an optional integer ("" is 0).
func parseInt(field, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fieldErr(field, "bad_value", s)
	}
	return n, nil
}

func parseBool(field, s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, fieldErr(field, "bad_value", s)
}

func organ(w *wireOrgan) Organ {
	if w == nil {
		return Organ{}
	}
	return Organ{OrganID: text(w.OrganID), OrganizationInCharge: text(w.OrganizationInCharge), OrganName: text(w.OrganName),
		OrganAdd: text(w.OrganAdd), Email: text(w.Email), Telephone: text(w.Telephone), Fax: text(w.Fax), Website: text(w.Website)}
}

func staff(w *wireStaff) StaffInfo {
	if w == nil {
		return StaffInfo{}
	}
	return StaffInfo{Department: text(w.Department), Staff: text(w.Staff), Mobile: text(w.Mobile), Email: text(w.Email)}
}

func reference(field string, w wireReference) (Reference, error) {
	d, err := parseDate(field+"/PromulgationDate", w.PromulgationDate)
	return Reference{OrganID: text(w.OrganID), Code: text(w.Code), Date: d, DocumentID: text(w.DocumentID)}, err
}

// errs keeps the first error of a run of conversions.
type errs struct{ err error }

func (e *errs) keep(err error) {
	if e.err == nil {
		e.err = err
	}
}

// convert turns the XML into a Package, checking what Parse requires.
func convert(wp *wirePackage, refs []Ref, opt Options) (*Package, error) {
	h := &wp.Envelope.Header
	p := &Package{}
	if h.Signature != nil {
		p.Signature = signature(h.Signature)
	}
	m := h.Message
	if m == nil {
		return nil, fieldErr("MessageHeader", "required", "")
	}
	if h.Status != nil || strings.TrimSpace(m.StatusCode) != "" {
		st, err := convertStatus(m, h.Status)
		if err != nil {
			return nil, err
		}
		p.Status = st
		return p, nil
	}
	d, err := convertDocument(m, h.Traces)
	if err != nil {
		return nil, err
	}
	if d.Attachments, err = attachments(wp, refs); err != nil {
		return nil, err
	}
	p.Document = d
	return p, nil
}

func convertDocument(m *wireMessage, tr *wireTraces) (*Document, error) {
	var e errs
	d := &Document{From: organ(m.From), DocumentID: text(m.DocumentID), Subject: text(m.Subject), Content: text(m.Content)}
	if m.From == nil || d.From.OrganID == "" {
		return nil, fieldErr("MessageHeader/From/OrganId", "required", "")
	}
	if len(m.To) == 0 {
		return nil, fieldErr("MessageHeader/To", "required", "")
	}
	seen := map[string]bool{}
	for _, t := range m.To {
		o := organ(&t)
		if o.OrganID == "" {
			return nil, fieldErr("MessageHeader/To/OrganId", "required", "")
		}
		if seen[o.OrganID] {
			return nil, fieldErr("MessageHeader/To", "duplicate", o.OrganID)
		}
		seen[o.OrganID] = true
		d.To = append(d.To, o)
	}
	if m.Code == nil || text(m.Code.Number) == "" {
		return nil, fieldErr("MessageHeader/Code/CodeNumber", "required", "")
	}
	d.CodeNumber, d.CodeNotation = text(m.Code.Number), text(m.Code.Notation)
	if m.Promulgation == nil {
		return nil, fieldErr("MessageHeader/PromulgationInfo", "required", "")
	}
	d.Place = text(m.Promulgation.Place)
	var err error
	if d.Date, err = parseDate("MessageHeader/PromulgationInfo/PromulgationDate", m.Promulgation.Date); err != nil {
		return nil, err
	}
	if d.Date == "" {
		return nil, fieldErr("MessageHeader/PromulgationInfo/PromulgationDate", "required", "")
	}
	if d.Subject == "" {
		return nil, fieldErr("MessageHeader/Subject", "required", "")
	}
	if d.DocumentID == "" {
		// Built from its parts, as senders do.
		d.DocumentID = d.From.OrganID + "," + strings.ReplaceAll(d.Date, "-", "/") + "," + d.CodeNumber + "/" + d.CodeNotation
	}
	if dt := m.DocumentType; dt != nil {
		d.TypeName = text(dt.TypeName)
		d.Type, err = parseInt("MessageHeader/DocumentType/Type", dt.Type)
		e.keep(err)
		d.TypeDetail, err = parseInt("MessageHeader/DocumentType/TypeDetail", dt.TypeDetail)
		e.keep(err)
	}
	if si := m.SignerInfo; si != nil {
		d.Signer = Signer{Competence: text(si.Competence), Position: text(si.Position), FullName: text(si.FullName)}
	}
	d.DueDate, err = parseDate("MessageHeader/DueDate", m.DueDate)
	e.keep(err)
	if m.ToPlaces != nil {
		for _, pl := range m.ToPlaces.Places {
			if t := text(pl); t != "" {
				d.ToPlaces = append(d.ToPlaces, t)
			}
		}
	}
	if o := m.OtherInfo; o != nil {
		d.Other.SphereOfPromulgation, d.Other.TyperNotation = text(o.SphereOfPromulgation), text(o.TyperNotation)
		d.Other.Priority, err = parseInt("MessageHeader/OtherInfo/Priority", o.Priority)
		e.keep(err)
		d.Other.PromulgationAmount, err = parseInt("MessageHeader/OtherInfo/PromulgationAmount", o.PromulgationAmount)
		e.keep(err)
		d.Other.PageAmount, err = parseInt("MessageHeader/OtherInfo/PageAmount", o.PageAmount)
		e.keep(err)
		d.Other.Direction, err = parseBool("MessageHeader/OtherInfo/Direction", o.Direction)
		e.keep(err)
		for _, a := range o.Appendixes {
			if t := text(a); t != "" {
				d.Other.Appendixes = append(d.Other.Appendixes, t)
			}
		}
	}
	for _, r := range m.ResponseFor {
		ref, err := reference("MessageHeader/ResponseFor", r)
		e.keep(err)
		d.ResponseFor = append(d.ResponseFor, ref)
	}
	d.SteeringType, err = parseInt("MessageHeader/SteeringType", m.SteeringType)
	e.keep(err)
	if tr != nil {
		for _, t := range tr.Traces {
			ts, err := parseTime("TraceHeaderList/TraceHeader/Timestamp", t.Timestamp)
			e.keep(err)
			d.Traces = append(d.Traces, Trace{OrganID: text(t.OrganID), Timestamp: ts})
		}
		if b := tr.Business; b != nil {
			e.keep(business(&d.Business, b))
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	return d, nil
}

func business(out *Business, b *wireBusiness) error {
	var e errs
	t, err := parseInt("TraceHeaderList/Bussiness/BussinessDocType", b.DocType)
	e.keep(err)
	if t < 0 || t > 3 {
		e.keep(fieldErr("TraceHeaderList/Bussiness/BussinessDocType", "bad_value", b.DocType))
	}
	out.Type, out.DocumentID, out.Reason, out.Staff = BusinessType(t), text(b.DocumentID), text(b.Reason), staff(b.Staff)
	out.Paper, err = parseBool("TraceHeaderList/Bussiness/Paper", b.Paper)
	e.keep(err)
	if in := b.Info; in != nil {
		out.DocumentInfoChanged, err = parseBool("TraceHeaderList/Bussiness/BussinessDocumentInfo/DocumentInfo", in.DocumentInfo)
		e.keep(err)
		out.ReceiversChanged, err = parseBool("TraceHeaderList/Bussiness/BussinessDocumentInfo/DocumentReceiver", in.DocumentReceiver)
		e.keep(err)
		for _, r := range in.Receivers {
			rt, err := parseInt("TraceHeaderList/Bussiness/BussinessDocumentInfo/ReceiverList/Receiver/ReceiverType", r.Type)
			e.keep(err)
			out.Receivers = append(out.Receivers, Receiver{OrganID: text(r.OrganID), Type: rt})
		}
	}
	for _, r := range b.Replacements {
		rep := Replacement{DocumentID: text(r.DocumentID)}
		for _, id := range r.OrganIDs {
			rep.OrganIDs = append(rep.OrganIDs, text(id))
		}
		out.Replacements = append(out.Replacements, rep)
	}
	return e.err
}

func convertStatus(m *wireMessage, ws *wireStatus) (*Status, error) {
	// The fields may sit in MessageHeader or in a Status element beside it.
	from, refs, st, code, desc, ts := m.From, m.ResponseFor, m.StaffInfo, m.StatusCode, m.Description, m.Timestamp
	if ws != nil {
		if ws.From != nil {
			from = ws.From
		}
		if len(ws.ResponseFor) > 0 {
			refs = ws.ResponseFor
		}
		if ws.StaffInfo != nil {
			st = ws.StaffInfo
		}
		if ws.StatusCode != "" {
			code, desc, ts = ws.StatusCode, ws.Description, ws.Timestamp
		}
	}
	s := &Status{From: organ(from), Staff: staff(st), Code: StatusCode(strings.TrimSpace(code)), Description: text(desc)}
	if s.From.OrganID == "" {
		return nil, fieldErr("MessageHeader/From/OrganId", "required", "")
	}
	if !knownStatus(s.Code) {
		return nil, fieldErr("MessageHeader/StatusCode", "bad_value", string(s.Code))
	}
	if len(refs) == 0 {
		return nil, fieldErr("MessageHeader/ResponseFor", "required", "")
	}
	var err error
	if s.ResponseFor, err = reference("MessageHeader/ResponseFor", refs[0]); err != nil {
		return nil, err
	}
	if s.ResponseFor.DocumentID == "" {
		return nil, fieldErr("MessageHeader/ResponseFor/DocumentId", "required", "")
	}
	if s.Timestamp, err = parseTime("MessageHeader/Timestamp", ts); err != nil {
		return nil, err
	}
	return s, nil
}

func knownStatus(c StatusCode) bool {
	for _, k := range StatusCodes {
		if c == k {
			return true
		}
	}
	return false
}

// attachments pairs each AttachmentEncoded/Attachment (its content
// diverted to the store) with its manifest Reference by ContentId; the
// Attachment's own fields win, the manifest fills the gaps.
func attachments(wp *wirePackage, refs []Ref) ([]Attachment, error) {
	manifest := map[string]wireAttach{}
	for _, r := range wp.Envelope.Body.Manifest.References {
		manifest[cid(r.ContentID)] = r
	}
	var out []Attachment
	seen := map[string]bool{}
	for _, w := range wp.Attachments {
		if w.Encoded == nil {
			return nil, fieldErr("AttachmentEncoded/Attachment/ContentTransferEncoded", "required", text(w.Name))
		}
		i, err := strconv.Atoi(strings.TrimSpace(*w.Encoded))
		if err != nil || i < 0 || i >= len(refs) {
			return nil, fmt.Errorf("%w: attachment content out of place", ErrMalformed)
		}
		id := cid(w.ContentID)
		if id != "" && seen[id] {
			return nil, fieldErr("AttachmentEncoded/Attachment/ContentId", "duplicate", id)
		}
		seen[id] = true
		mf := manifest[id]
		a := Attachment{ContentID: id, Name: text(or(w.Name, mf.Name)), Description: text(or(w.Description, mf.Description)),
			ContentType: text(or(w.ContentType, mf.ContentType)), Ref: refs[i]}
		if a.Name == "" {
			return nil, fieldErr("AttachmentEncoded/Attachment/AttachmentName", "required", id)
		}
		// The sender's name is only ever a name: no path ("../../x"), no
		// device ("CON"), no bidi override, not 300 characters long.
		a.Name = docstore.SafeFileName(a.Name)
		if a.ContentType == "" {
			a.ContentType = contentTypeOf(a.Name)
		}
		out = append(out, a)
	}
	return out, nil
}

// cid is a ContentId without its "cid:" and angle brackets.
func cid(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "cid:"), "CID:")
	return strings.Trim(s, "<>")
}

func or(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// contentTypeOf guesses a MIME type from a file name.
func contentTypeOf(name string) string {
	if t := mime.TypeByExtension(strings.ToLower(path.Ext(name))); t != "" {
		return t
	}
	return "application/octet-stream"
}

// signature reads what the XML signature block says; its certificate is
// shown, not trusted.
func signature(w *wireSignature) *Signature {
	s := &Signature{SignatureMethod: strings.TrimSpace(w.SignedInfo.SignatureMethod.Algorithm),
		DigestMethod: strings.TrimSpace(w.SignedInfo.Reference.DigestMethod.Algorithm)}
	for _, c := range w.Certificates {
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c), ""))
		if err != nil {
			continue
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		sum := sha256.Sum256(der)
		s.Certificate = &Certificate{Subject: cert.Subject.String(), Issuer: cert.Issuer.String(), Serial: cert.SerialNumber.Text(16),
			NotBefore: cert.NotBefore, NotAfter: cert.NotAfter, SHA256: hex.EncodeToString(sum[:])}
		break
	}
	return s
}
