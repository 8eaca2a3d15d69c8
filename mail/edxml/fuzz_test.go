package edxml

import (
	"bytes"
	"io"
	"reflect"
	"testing"
)

// FuzzParse: any input is refused or read without a panic; what is read
// is written again and reads back the same.
func FuzzParse(f *testing.F) {
	var buf bytes.Buffer
	d := sample()
	d.Attachments = []Attachment{{ContentID: "a1", Name: "a.pdf", ContentType: "application/pdf"}}
	if err := WriteDocument(&buf, d, files{"a1": []byte("%PDF")}.open, true); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	WriteStatus(&buf, &Status{From: d.To[0], ResponseFor: Reference{OrganID: d.From.OrganID, Code: "1234/UBND-VP", DocumentID: d.DocumentID},
		Code: StatusRegistered, Timestamp: d.Traces[0].Timestamp})
	f.Add(buf.Bytes())
	f.Add([]byte(`<edXML xmlns="` + Namespace + `"><edXMLEnvelope><edXMLHeader><MessageHeader><Subject>x</Subject></MessageHeader></edXMLHeader></edXMLEnvelope>` +
		`<AttachmentEncoded><Attachment><ContentTransferEncoded><![CDATA[QUJD]]></ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><edXML/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := tempStore(t)
		opt := Options{MaxXMLBytes: 1 << 20, MaxAttachmentBytes: 1 << 20, MaxAttachments: 20}
		p, err := Parse(bytes.NewReader(data), st, opt)
		if err != nil {
			if Sentence(err) == "" {
				t.Fatal("no sentence for", err)
			}
			return
		}
		Validate(p, opt.withDefaults().Now())
		var again bytes.Buffer
		switch {
		case p.Document != nil:
			err = WriteDocument(&again, p.Document, func(a Attachment) (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(stored(t, st, a.Ref))), nil
			}, false)
		case p.Status != nil:
			err = WriteStatus(&again, p.Status)
		}
		if err != nil {
			t.Fatalf("write what was read: %v", err)
		}
		q, err := Parse(&again, tempStore(t), opt)
		if err != nil {
			t.Fatalf("read again: %v\n%s", err, again.String())
		}
		q.Signature = p.Signature // not written again
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("changed by a round trip:\n%+v\n%+v", p, q)
		}
	})
}
