package edxml

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
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

func tempStore(t testing.TB) DirStore { return DirStore{Dir: t.TempDir()} }

// files gives attachments from memory.
type files map[string][]byte

func (f files) open(a Attachment) (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(f[a.ContentID])), nil
}

func roundTrip(t *testing.T, d *Document, content files, zipped bool) (*Package, DirStore) {
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
			f, err := os.ReadFile(filepath.Join(st.Dir, a.Ref.SHA256))
			if err != nil || !bytes.Equal(f, content[a.ContentID]) {
				t.Fatalf("zipped=%v: attachment %d content differs (%v)", zipped, i, err)
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
		`<AttachmentEncoded><Attachment><ContentId>cid:a1</ContentId><ContentTransferEncoded><![CDATA[JVBE` + "\n" + `Rg==]]></ContentTransferEncoded></Attachment></AttachmentEncoded></edXML>`
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
