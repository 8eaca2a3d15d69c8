package edxml

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"congvu/docs-store"
)

// sample is a document with every field filled, as Công vụ sends one.
func sample() *Document {
	ts := time.Date(2026, 11, 20, 9, 30, 0, 0, vietnam)
	return &Document{
		From: Organ{OrganID: "000.00.31.H31", OrganName: "Ủy ban nhân dân thành phố Lâm Sơn", OrganAdd: "Số 1 đường Trần Hưng Đạo",
			Email: "vanthu@lamson.gov.vn", Telephone: "0263 3822 111", Website: "lamson.gov.vn", OrganizationInCharge: "UBND tỉnh"},
		To:         []Organ{{OrganID: "000.00.00.H41", OrganName: "Ủy ban nhân dân tỉnh Nghệ An"}, {OrganID: "000.00.12.H41", OrganName: "Sở Tài chính tỉnh Nghệ An", Email: "stc@nghean.gov.vn"}},
		DocumentID: "000.00.31.H31,2026/11/20,1234/UBND-VP", CodeNumber: "1234", CodeNotation: "UBND-VP",
		Place: "Lâm Sơn", Date: "2026-11-20", Type: 1, TypeDetail: 0, TypeName: "Công văn",
		Subject: "V/v rà soát, cập nhật danh mục thủ tục hành chính & \"liên thông\" <năm 2026>", Content: "Đề nghị các đơn vị rà soát.",
		Signer:   Signer{Competence: "KT. CHỦ TỊCH", Position: "PHÓ CHỦ TỊCH", FullName: "Nguyễn Văn Đức"},
		DueDate:  "2026-12-15",
		ToPlaces: []string{"Như trên", "Lưu: VT, VP."},
		Other: OtherInfo{Priority: 1, SphereOfPromulgation: "Liên thông văn bản quốc gia", TyperNotation: "NVĐ", PromulgationAmount: 5,
			PageAmount: 2, Direction: true, Appendixes: []string{"Phụ lục I: Danh mục thủ tục"}},
		ResponseFor:  []Reference{{OrganID: "000.00.00.H41", Code: "567/UBND-KSTT", Date: "2026-11-01", DocumentID: "000.00.00.H41,2026/11/01,567/UBND-KSTT"}},
		SteeringType: 1,
		Traces:       []Trace{{OrganID: "000.00.31.H31", Timestamp: ts}},
		Business:     Business{DocumentID: "000.00.31.H31,2026/11/20,1234/UBND-VP", Type: BusinessNew, Staff: StaffInfo{Department: "Văn phòng", Staff: "Đỗ Thị Hạnh", Mobile: "0912345678", Email: "hanh@lamson.gov.vn"}},
	}
}

// tempStore is a blob store in a temporary folder.
func tempStore(t testing.TB) Store {
	b, err := docstore.NewBlobStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return BlobStore(b)
}

// stored reads back what st holds under ref.
func stored(t testing.TB, st Store, ref Ref) []byte {
	t.Helper()
	f, err := st.Open(ref.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, 0, ref.Size))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// files gives attachments from memory.
type files map[string][]byte

func (f files) open(a Attachment) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(f[a.ContentID])), nil
}

func roundTrip(t *testing.T, d *Document, content files, zipped bool) (*Package, Store) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteDocument(&buf, d, content.open, zipped); err != nil {
		t.Fatal(err)
	}
	st := tempStore(t)
	p, err := Parse(&buf, st, Options{})
	if err != nil {
		t.Fatalf("parse what was written: %v\n%s", err, buf.String())
	}
	return p, st
}

// Every field of a document comes back as it went, with its files, zipped
// (as the national SDK sends) or not.
func TestDocumentRoundTrip(t *testing.T) {
	for _, zipped := range []bool{false, true} {
		d := sample()
		content := files{"att1": []byte("%PDF-1.7 văn bản"), "att2": bytes.Repeat([]byte("phụ lục "), 10000)}
		d.Attachments = []Attachment{
			{ContentID: "att1", Name: "1234-UBND-VP.pdf", Description: "Văn bản", ContentType: "application/pdf"},
			{ContentID: "att2", Name: "Phụ lục danh mục.docx", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		}
		p, st := roundTrip(t, d, content, zipped)
		got := p.Document
		if got == nil || p.Status != nil {
			t.Fatalf("zipped=%v: parsed %+v", zipped, p)
		}
		for i, a := range got.Attachments {
			if f := stored(t, st, a.Ref); !bytes.Equal(f, content[a.ContentID]) {
				t.Fatalf("zipped=%v: attachment %d content differs", zipped, i)
			}
			if a.Zipped != zipped {
				t.Errorf("zipped=%v: attachment %d Zipped=%v", zipped, i, a.Zipped)
			}
			got.Attachments[i].Ref, got.Attachments[i].Zipped = Ref{}, false
		}
		if !reflect.DeepEqual(got, d) {
			t.Errorf("zipped=%v: round trip\n got %+v\nwant %+v", zipped, got, d)
		}
	}
}

// Every status code goes both ways.
func TestStatusRoundTrip(t *testing.T) {
	for _, code := range StatusCodes {
		s := &Status{From: Organ{OrganID: "000.00.00.H41", OrganName: "UBND tỉnh Nghệ An"},
			ResponseFor: Reference{OrganID: "000.00.31.H31", Code: "1234/UBND-VP", Date: "2026-11-20", DocumentID: "000.00.31.H31,2026/11/20,1234/UBND-VP"},
			Staff:       StaffInfo{Department: "Văn phòng", Staff: "Lê Văn Tâm", Email: "tam@nghean.gov.vn"},
			Code:        code, Description: "Trạng thái " + string(code), Timestamp: time.Date(2026, 11, 21, 8, 0, 5, 0, vietnam)}
		var buf bytes.Buffer
		if err := WriteStatus(&buf, s); err != nil {
			t.Fatal(err)
		}
		p, err := Parse(&buf, tempStore(t), Options{})
		if err != nil {
			t.Fatalf("status %s: %v\n%s", code, err, buf.String())
		}
		if p.Document != nil || p.Status == nil {
			t.Fatalf("status %s parsed as %+v", code, p)
		}
		got := *p.Status
		if !got.Timestamp.Equal(s.Timestamp) {
			t.Errorf("status %s: timestamp %v", code, got.Timestamp)
		}
		got.Timestamp = s.Timestamp
		if !reflect.DeepEqual(&got, s) {
			t.Errorf("status %s:\n got %+v\nwant %+v", code, got, *s)
		}
	}
}

// What real senders do: elements in another order, the default namespace
// instead of the prefix, decomposed (NFD) Vietnamese, optional parts
// missing, base64 in CDATA, a byte-order mark.
func TestParseToleratesRealSenders(t *testing.T) {
	const nfdSubject = "V/v ho\u0302\u0323i nghi\u0323" // "V/v hội nghị" decomposed
	pkg := "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" +
		`<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader><MessageHeader>` +
		`<Subject>` + nfdSubject + `</Subject>` +
		`<Code><CodeNotation>VPCP-TTĐT</CodeNotation><CodeNumber>7816</CodeNumber></Code>` +
		`<To><OrganName>UBND tỉnh Nghệ An</OrganName><OrganId>000.00.00.H41</OrganId></To>` +
		`<PromulgationInfo><PromulgationDate>2015/09/30</PromulgationDate><Place>Hà Nội</Place></PromulgationInfo>` +
		`<From><OrganId>000.00.00.G22</OrganId><OrganName>Văn phòng Chính phủ</OrganName></From>` +
		`</MessageHeader></edXMLHeader><edXMLBody><edXMLManifest version="1.0"><Reference><ContentId>cid:a1</ContentId>` +
		`<AttachmentName>7816.pdf</AttachmentName><ContentType>application/pdf</ContentType></Reference></edXMLManifest></edXMLBody></edXMLEnvelope>` +
		`<AttachmentEncoded><Attachment><ContentId>cid:a1</ContentId><ContentTransferEncoded>` + "\r\n  " + `<![CDATA[JVBE` + "\n" + `Rg==]]></ContentTransferEncoded></Attachment></AttachmentEncoded><!--> not the end of a comment --></edXML>`
	st := tempStore(t)
	p, err := Parse(strings.NewReader(pkg), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Document
	if d.Subject != "V/v hội nghị" || d.CodeNumber != "7816" || d.CodeNotation != "VPCP-TTĐT" || d.Date != "2015-09-30" ||
		d.DocumentID != "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" || len(d.To) != 1 || d.To[0].OrganID != "000.00.00.H41" {
		t.Fatalf("parsed %+v", d)
	}
	if len(d.Attachments) != 1 || d.Attachments[0].Name != "7816.pdf" || d.Attachments[0].ContentType != "application/pdf" || d.Attachments[0].Ref.Size != 4 {
		t.Fatalf("attachments %+v", d.Attachments)
	}
}

// A package shaped as the national SDK (VNPT EdXML102) writes one, with
// its quirks: CRLF and indentation, the edXML: prefix declared on the
// envelope only and again on ContentTransferEncoded outside it, a
// Signature block with no namespace of its own and a stand-in
// certificate, an attachment zipped under a random name, the status
// fields either in MessageHeader or in a Status element.
func TestParseNationalSDKShape(t *testing.T) {
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("5b0c6a0e-3f1e-4c1b-9d1e-2f8b7a6c5d4e.pdf")
	w.Write([]byte("%PDF-1.4 công văn"))
	zw.Close()
	b64 := base64.StdEncoding.EncodeToString(zipped.Bytes())
	doc := strings.ReplaceAll(`<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">
  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From>
          <edXML:OrganId>000.00.00.G22</edXML:OrganId>
          <edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName>
          <edXML:OrganAdd/>
        </edXML:From>
        <edXML:To>
          <edXML:OrganId>000.00.00.H41</edXML:OrganId>
          <edXML:OrganName>UBND tỉnh Nghệ An</edXML:OrganName>
        </edXML:To>
        <edXML:DocumentId>000.00.00.G22,2019/04/11,1896/QĐ-TTg</edXML:DocumentId>
        <edXML:Code>
          <edXML:CodeNumber>1896</edXML:CodeNumber>
          <edXML:CodeNotation>QĐ-TTg</edXML:CodeNotation>
        </edXML:Code>
        <edXML:PromulgationInfo>
          <edXML:Place>Hà Nội</edXML:Place>
          <edXML:PromulgationDate>11/04/2019</edXML:PromulgationDate>
        </edXML:PromulgationInfo>
        <edXML:Subject>Quyết định về việc ban hành quy chế</edXML:Subject>
        <edXML:SignerInfo><edXML:Competence></edXML:Competence><edXML:FullName>Nguyen Thanh Phuc</edXML:FullName></edXML:SignerInfo>
        <edXML:DueDate></edXML:DueDate>
        <edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:Direction>false</edXML:Direction><edXML:Appendixes><edXML:Appendix/></edXML:Appendixes></edXML:OtherInfo>
        <edXML:SteeringType>1</edXML:SteeringType>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:Bussiness>
          <edXML:BussinessDocType>0</edXML:BussinessDocType>
          <edXML:Paper>0</edXML:Paper>
        </edXML:Bussiness>
        <edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Timestamp>2019/04/11 08:00:00</edXML:Timestamp></edXML:TraceHeader>
      </edXML:TraceHeaderList>
      <Signature>
        <SignedInfo>
          <CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315" />
          <SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1" />
          <Reference URI=""><DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1" /><DigestValue>abc=</DigestValue></Reference>
        </SignedInfo>
        <SignatureValue>c2lnbmF0dXJl</SignatureValue>
        <KeyInfo><X509Data><X509Certificate>MIIFqTCCBJG</X509Certificate></X509Data></KeyInfo>
      </Signature>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference>
          <edXML:ContentId>cid:209</edXML:ContentId>
          <edXML:AttachmentName>1896_QD-TTg.pdf</edXML:AttachmentName>
          <edXML:ContentType>application/zip</edXML:ContentType>
        </edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment>
      <ContentId>cid:209</ContentId>
      <AttachmentName>1896_QD-TTg.pdf</AttachmentName>
      <Description>1896_QD-TTg.pdf</Description>
      <ContentType>application/zip</ContentType>
      <edXML:ContentTransferEncoded xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">`+b64+`</edXML:ContentTransferEncoded>
    </Attachment>
  </AttachmentEncoded>
</edXML>`, "\n", "\r\n")
	st := tempStore(t)
	p, err := Parse(strings.NewReader(doc), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Document
	if d.Date != "2019-04-11" || d.CodeNotation != "QĐ-TTg" || d.Signer.FullName != "Nguyen Thanh Phuc" || d.SteeringType != 1 ||
		len(d.Traces) != 1 || d.Traces[0].Timestamp.Hour() != 8 {
		t.Fatalf("document %+v", d)
	}
	a := d.Attachments
	if len(a) != 1 || !a[0].Zipped || a[0].Name != "1896_QD-TTg.pdf" || a[0].ContentType != "application/pdf" || a[0].Ref.Size != int64(len("%PDF-1.4 công văn")) {
		t.Fatalf("attachment %+v", a)
	}
	if p.Signature == nil || !strings.HasSuffix(p.Signature.SignatureMethod, "rsa-sha1") || p.Signature.Certificate != nil {
		t.Fatalf("signature %+v (the stand-in certificate is no certificate)", p.Signature)
	}

	header := `<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader>`
	fields := `<edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Code>1896/QĐ-TTg</edXML:Code>` +
		`<edXML:DocumentId>000.00.00.G22,2019/04/11,1896/QĐ-TTg</edXML:DocumentId><edXML:PromulgationDate>2019/04/11</edXML:PromulgationDate></edXML:ResponseFor>` +
		`<edXML:StaffInfo><edXML:Department>Văn thư</edXML:Department><edXML:Staff>Lê Văn Tâm</edXML:Staff></edXML:StaffInfo>` +
		`<edXML:StatusCode>03</edXML:StatusCode><edXML:Description>Đã tiếp nhận</edXML:Description><edXML:Timestamp>2019/04/12 09:15:00</edXML:Timestamp>`
	from := `<edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND tỉnh Nghệ An</edXML:OrganName></edXML:From>`
	for name, pkg := range map[string]string{
		"in MessageHeader": header + `<edXML:MessageHeader>` + from + fields + `</edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>`,
		"in Status":        header + `<edXML:MessageHeader>` + from + `</edXML:MessageHeader><edXML:Status>` + fields + `</edXML:Status></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>`,
	} {
		p, err := Parse(strings.NewReader(pkg), st, Options{})
		if err != nil {
			t.Fatalf("status %s: %v", name, err)
		}
		s := p.Status
		if s == nil || s.Code != StatusRegistered || s.From.OrganID != "000.00.00.H41" || s.ResponseFor.DocumentID != "000.00.00.G22,2019/04/11,1896/QĐ-TTg" ||
			s.Staff.Staff != "Lê Văn Tâm" || s.Timestamp.Minute() != 15 {
			t.Fatalf("status %s: %+v", name, s)
		}
	}
}
