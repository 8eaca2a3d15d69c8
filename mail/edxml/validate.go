package edxml

import (
	"strconv"
	"time"
	"unicode/utf8"

	"congvu/docs-store"
)

// Validate lists every field of a parsed package that breaks the limits
// the exchange hubs' validators apply (lengths, ranges, the form of a mã
// định danh, a promulgation date not in the future): what `congvu edxml
// check` reports, and what Công vụ checks before it sends. Parse already
// refused what is missing or unreadable; this is the rest, all at once.
func Validate(p *Package, now time.Time) []error {
	var v validator
	switch {
	case p.Document != nil:
		v.document(p.Document, now)
	case p.Status != nil:
		v.organ("MessageHeader/From", p.Status.From)
		v.id("MessageHeader/ResponseFor/OrganId", p.Status.ResponseFor.OrganID)
	}
	return v.errs
}

type validator struct{ errs []error }

func (v *validator) add(field, reason, detail string) {
	v.errs = append(v.errs, fieldErr(field, reason, detail))
}

// max: at most n characters (not bytes: Vietnamese takes two or three
// bytes a letter).
func (v *validator) max(field, s string, n int) {
	if c := utf8.RuneCountInString(s); c > n {
		v.add(field, "too_long", strconv.Itoa(c)+" > "+strconv.Itoa(n)+" ký tự")
	}
}

func (v *validator) id(field, id string) {
	if !docstore.ValidAgencyCode(id) {
		v.add(field, "bad_id", id)
	}
}

func (v *validator) organ(field string, o Organ) {
	v.id(field+"/OrganId", o.OrganID)
	v.max(field+"/OrganName", o.OrganName, 200)
	v.max(field+"/OrganAdd", o.OrganAdd, 250)
	v.max(field+"/Email", o.Email, 100)
	v.max(field+"/Telephone", o.Telephone, 20)
	v.max(field+"/Fax", o.Fax, 20)
}

func (v *validator) document(d *Document, now time.Time) {
	v.organ("MessageHeader/From", d.From)
	for _, t := range d.To {
		v.organ("MessageHeader/To", t)
	}
	v.max("MessageHeader/Code/CodeNumber", d.CodeNumber, 11)
	v.max("MessageHeader/Code/CodeNotation", d.CodeNotation, 30)
	v.max("MessageHeader/PromulgationInfo/Place", d.Place, 50)
	if d.Date > now.In(vietnam).Format("2006-01-02") {
		v.add("MessageHeader/PromulgationInfo/PromulgationDate", "future", wireDate(d.Date))
	}
	v.max("MessageHeader/DocumentType/TypeName", d.TypeName, 100)
	v.max("MessageHeader/Subject", d.Subject, 500)
	v.max("MessageHeader/Content", d.Content, 500)
	v.max("MessageHeader/SignerInfo/Competence", d.Signer.Competence, 100)
	v.max("MessageHeader/SignerInfo/Position", d.Signer.Position, 100)
	v.max("MessageHeader/SignerInfo/FullName", d.Signer.FullName, 50)
	for _, p := range d.ToPlaces {
		v.max("MessageHeader/ToPlaces/Place", p, 150)
	}
	o := d.Other
	if o.Priority < 0 || o.Priority > 4 {
		v.add("MessageHeader/OtherInfo/Priority", "bad_value", strconv.Itoa(o.Priority))
	}
	v.max("MessageHeader/OtherInfo/SphereOfPromulgation", o.SphereOfPromulgation, 100)
	v.max("MessageHeader/OtherInfo/TyperNotation", o.TyperNotation, 10)
	if o.PromulgationAmount < 0 {
		v.add("MessageHeader/OtherInfo/PromulgationAmount", "bad_value", strconv.Itoa(o.PromulgationAmount))
	}
	if o.PageAmount < 0 {
		v.add("MessageHeader/OtherInfo/PageAmount", "bad_value", strconv.Itoa(o.PageAmount))
	}
	// 0–2 in most systems' lists, 1–3 in one: both are taken.
	if d.SteeringType < 0 || d.SteeringType > 3 {
		v.add("MessageHeader/SteeringType", "bad_value", strconv.Itoa(d.SteeringType))
	}
	for _, r := range d.ResponseFor {
		v.id("MessageHeader/ResponseFor/OrganId", r.OrganID)
	}
}
