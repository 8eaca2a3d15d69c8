package journal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	docstore "congvu/docs-store"
	"congvu/mail/mimemsg"
)

// Fixtures shared by the tests of messages, descriptions and the fuzzer.

const (
	msgAgency      = "000.00.31.H26"
	msgOtherAgency = "000.00.32.H26"
)

var msgAuthor = docstore.MailAddress{Name: "Nguyễn Thị Ánh Tuyết", Addr: "tuyet.nta@sotnmt.hanoi.gov.vn"}

// msgKey is a fixed key made from seed byte b, so that failures repeat.
func msgKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

func msgPub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

var msgTime = time.Date(2026, 3, 5, 2, 4, 5, 123_000_000, time.UTC)

// msgEvent builds an event of typ with payload, as docstore would.
func msgEvent(t testing.TB, id, typ string, payload any) docstore.Event {
	t.Helper()
	b, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	return docstore.Event{ID: id, Type: typ, Version: docstore.CurrentVersion, Actor: "p-van-thu-01", Time: msgTime.UTC().Truncate(time.Millisecond), Payload: b}
}

// fileSHA is the hex SHA-256 of b.
func fileSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// memFile is a File of content b.
func memFile(name string, b []byte) File {
	return File{SHA256: fileSHA(b), Name: name, MIMEType: "application/pdf", Size: int64(len(b)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
}

var attachPDF = []byte("%PDF-1.7\n% Quyết định số 1220/QĐ-UBND\n" + strings.Repeat("nội dung văn bản ", 40))

// allEvents is one event of every type docstore knows, with the payload
// fields a real one would have (Vietnamese text included).
func allEvents(t testing.TB) []docstore.Event {
	att := docstore.Attachment{SHA256: fileSHA(attachPDF), Name: "QĐ 1220 - phê duyệt kế hoạch.pdf", Size: int64(len(attachPDF))}
	admin := docstore.PersonInput{ID: "p-admin", Email: "quantri@sotnmt.hanoi.gov.vn", FullName: "Trần Văn Hùng", Title: "Chánh Văn phòng",
		UnitID: "u-vp", Roles: []docstore.Role{docstore.RoleAdmin, docstore.RoleClerk}, Clearance: docstore.SecrecyToiMat,
		PublicKey: PublicKeyString(msgPub(msgKey(1)))}
	clerk := docstore.PersonInput{ID: "p-van-thu-01", Email: "tuyet.nta@sotnmt.hanoi.gov.vn", FullName: "Nguyễn Thị Ánh Tuyết", Title: "Văn thư",
		UnitID: "u-vp", Roles: []docstore.Role{docstore.RoleClerk}, PublicKey: PublicKeyString(msgPub(msgKey(2)))}
	in := docstore.IncomingInput{RegisterID: "den-2026", ArrivalDate: "2026-03-05", Issuer: "Ủy ban nhân dân thành phố Hà Nội",
		Notation: "1220/QĐ-UBND", DocDate: "2026-03-01", Type: "QD", Subject: "Về việc phê duyệt kế hoạch cải cách hành chính năm 2026",
		Urgency: docstore.UrgencyUrgent, Secrecy: docstore.SecrecyNone, DueDate: "2026-03-20", Pages: 4, Source: docstore.SourcePaper,
		Attachments: []docstore.Attachment{att}}
	evs := []struct {
		typ string
		p   any
	}{
		{docstore.EvAgencyFounded, docstore.AgencyFounded{Code: msgAgency, Name: "Sở Tài nguyên và Môi trường", Abbr: "STNMT", Place: "Hà Nội", Admin: admin}},
		{docstore.EvUnitAdded, docstore.UnitAdded{ID: "u-vp", Name: "Văn phòng Sở", Abbr: "VP"}},
		{docstore.EvPersonAdded, clerk},
		{docstore.EvPersonUpdated, func() docstore.PersonInput { c := clerk; c.Title = "Chuyên viên văn thư"; return c }()},
		{docstore.EvRegisterOpened, docstore.RegisterOpened{ID: "den-2026", Kind: docstore.KindIncoming, Year: 2026, Name: "Sổ văn bản đến"}},
		{docstore.EvRegisterClosed, docstore.RegisterRef{ID: "den-2025"}},
		{docstore.EvRegisterReopened, docstore.RegisterRef{ID: "den-2025"}},
		{docstore.EvIncomingRegistered, docstore.IncomingRegistered{DocID: "d-0001", Number: 12, Doc: in}},
		{docstore.EvIncomingDirected, docstore.IncomingDirected{DirectionID: "dir-1", DocID: "d-0001", Comment: "Giao Phòng Quản lý đất đai chủ trì, tham mưu.\nVăn phòng phối hợp.", Date: "2026-03-06",
			Assignments: []docstore.AssignmentInput{
				{ID: "a-1", Kind: "unit", Assignee: "u-qldd", Role: "chu_tri", Deadline: "2026-03-15"},
				{ID: "a-2", Kind: "person", Assignee: "p-chuyen-vien-07", Role: "phoi_hop"},
				{ID: "a-3", Kind: "person", Assignee: "p-pho-gd", Role: "de_biet"},
			}}},
		{docstore.EvAssignmentAccepted, docstore.AssignmentStep{AssignmentID: "a-1"}},
		{docstore.EvAssignmentDone, docstore.AssignmentStep{AssignmentID: "a-1", Reason: "Đã tham mưu văn bản trả lời."}},
		{docstore.EvAssignmentReturned, docstore.AssignmentStep{AssignmentID: "a-2", Reason: "Không thuộc chức năng của phòng."}},
		{docstore.EvDraftCreated, docstore.DraftCreated{DraftID: "dt-9", UnitID: "u-vp", Type: "CV", Subject: "V/v báo cáo kết quả cải cách hành chính quý I",
			Urgency: docstore.UrgencyNormal, Secrecy: docstore.SecrecyNone, File: att}},
		{docstore.EvDraftVersion, docstore.DraftVersion{DraftID: "dt-9", Version: 2, File: att, Note: "Sửa theo ý kiến lãnh đạo phòng."}},
		{docstore.EvDraftSubmitted, docstore.DraftSubmitted{DraftID: "dt-9", ApproverID: "p-giam-doc", InitialerID: "p-truong-phong"}},
		{docstore.EvDraftInitialed, docstore.DraftStep{DraftID: "dt-9"}},
		{docstore.EvDraftReturned, docstore.DraftStep{DraftID: "dt-9", Comment: "Bổ sung số liệu tháng 3."}},
		{docstore.EvDraftApproved, docstore.DraftStep{DraftID: "dt-9", Comment: "Đồng ý ban hành."}},
		{docstore.EvDraftSigned, docstore.DraftSignature{DraftID: "dt-9", Authority: "KT.", Title: "Phó Giám đốc"}},
		{docstore.EvDraftIssued, docstore.DraftIssue{DraftID: "dt-9", DocID: "d-0002", RegisterID: "di-2026", Number: 45, Notation: "45/STNMT-VP",
			Date: "2026-03-10", Recipients: "- UBND thành phố (để b/c);\n- Lưu: VT, VP.", CopyHolder: "Văn phòng", Copies: 3, Forwarded: "2026-03-10",
			Signer: "Lê Minh Đức", PageCount: 2, Source: docstore.SourceElectronic}},
		{docstore.EvDraftCancelled, docstore.DraftStep{DraftID: "dt-8", Comment: "Trùng nội dung với dự thảo dt-9."}},
	}
	out := make([]docstore.Event, len(evs))
	for i, e := range evs {
		out[i] = msgEvent(t, fmt.Sprintf("%032x", 0x0195a1b2c3d4e5f6+i), e.typ, e.p)
	}
	return out
}

// eventOf returns the event of typ from allEvents.
func eventOf(t testing.TB, typ string) docstore.Event {
	for _, e := range allEvents(t) {
		if e.Type == typ {
			return e
		}
	}
	t.Fatalf("no event %s", typ)
	return docstore.Event{}
}

// encodeMsg is Encode into a buffer, by msgKey(1) for msgAgency.
func encodeMsg(t testing.TB, ev docstore.Event, files ...File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, ev, msgAgency, msgAuthor, msgKey(1), files); err != nil {
		t.Fatalf("Encode %s: %v", ev.Type, err)
	}
	return b.Bytes()
}

// decodeMsg is Decode for msgAgency, keeping the files it is given.
func decodeMsg(b []byte) (*Envelope, map[string][]byte, error) {
	files := map[string][]byte{}
	env, err := Decode(bytes.NewReader(b), msgAgency, func(sha, name string, r io.Reader) error {
		c, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		files[sha] = c
		return nil
	})
	return env, files, err
}

// --- crafted messages, for what Encode never writes ---

const craftBoundary = "=_test_b"

// craftHeader is the header of a crafted message of ev.
func craftHeader(ev docstore.Event) string {
	return "From: a@b.c\r\nSubject: x\r\nX-Congvu-Journal: 1\r\nX-Congvu-Event: " + ev.ID + "\r\nX-Congvu-Type: " + ev.Type +
		"\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + craftBoundary + "\"\r\n"
}

// craft assembles a message from a header and whole parts (each a part
// header, a blank line and a body), with craftBoundary.
func craft(header string, parts ...string) []byte {
	var b strings.Builder
	b.WriteString(header + "\r\n")
	for _, p := range parts {
		b.WriteString("--" + craftBoundary + "\r\n" + p + "\r\n")
	}
	b.WriteString("--" + craftBoundary + "--\r\n")
	return []byte(b.String())
}

const textPart = "Content-Type: text/plain; charset=utf-8\r\n\r\nVào sổ."

// eventPart8bit is an event part carrying js as it is.
func eventPart8bit(js []byte) string {
	return "Content-Type: " + EventType + "; charset=utf-8\r\nContent-Disposition: inline; filename=\"event.json\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + string(js)
}

// filePart64 is a file part named name carrying b in base64.
func filePart64(name string, b []byte) string {
	var enc bytes.Buffer
	lw := mimemsg.NewLineWrapper(&enc, 76)
	w := base64.NewEncoder(base64.StdEncoding, lw)
	w.Write(b)
	w.Close()
	return "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"" + name + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + strings.TrimRight(enc.String(), "\r\n")
}

// signedOf is the Signed JSON of ev by key for agency.
func signedOf(t testing.TB, ev docstore.Event, agency string, key ed25519.PrivateKey) []byte {
	t.Helper()
	raw, err := ev.Encode()
	if err != nil {
		t.Fatal(err)
	}
	js, err := marshalSigned(agency, raw, key)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// isJournalError: err is one of Decode's typed errors.
func isJournalError(err error) bool {
	for _, s := range []error{ErrNotJournal, ErrMalformed, ErrBadSignature, ErrOtherAgency, ErrFileMismatch} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// genReader yields n pseudo-random bytes without holding them.
type genReader struct {
	n, off int64
	x      uint64
}

func newGen(n int64, seed uint64) *genReader { return &genReader{n: n, x: seed | 1} }

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.n {
		return 0, io.EOF
	}
	k := int(min(int64(len(p)), g.n-g.off))
	for i := 0; i < k; i++ {
		g.x ^= g.x << 13
		g.x ^= g.x >> 7
		g.x ^= g.x << 17
		p[i] = byte(g.x)
	}
	g.off += int64(k)
	return k, nil
}

// genSHA is the SHA-256 of newGen(n, seed)'s bytes.
func genSHA(n int64, seed uint64) string {
	h := sha256.New()
	io.Copy(h, newGen(n, seed))
	return hex.EncodeToString(h.Sum(nil))
}
