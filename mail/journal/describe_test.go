package journal

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	docstore "congvu/docs-store"
)

// TestDescribeEveryType: each type has its own words, on one line, NFC.
func TestDescribeEveryType(t *testing.T) {
	want := map[string]string{
		docstore.EvAgencyFounded:      "Thành lập cơ quan Sở Tài nguyên và Môi trường (000.00.31.H26)",
		docstore.EvUnitAdded:          "Thêm đơn vị Văn phòng Sở",
		docstore.EvPersonAdded:        "Thêm cán bộ Nguyễn Thị Ánh Tuyết",
		docstore.EvPersonUpdated:      "Cập nhật thông tin cán bộ Nguyễn Thị Ánh Tuyết",
		docstore.EvRegisterOpened:     "Mở sổ “Sổ văn bản đến” năm 2026",
		docstore.EvRegisterClosed:     "Khóa sổ den-2025",
		docstore.EvRegisterReopened:   "Mở lại sổ den-2025",
		docstore.EvIncomingRegistered: "Vào sổ văn bản đến số 12: Về việc phê duyệt kế hoạch cải cách hành chính năm 2026",
		docstore.EvIncomingDirected:   "Bút phê văn bản đến d-0001 — chủ trì: đơn vị u-qldd (hạn 15/03/2026)",
		docstore.EvAssignmentAccepted: "Nhận xử lý việc a-1",
		docstore.EvAssignmentDone:     "Hoàn thành việc a-1",
		docstore.EvAssignmentReturned: "Trả lại việc a-2",
		docstore.EvDraftCreated:       "Tạo dự thảo: V/v báo cáo kết quả cải cách hành chính quý I",
		docstore.EvDraftVersion:       "Dự thảo dt-9: thêm bản 2",
		docstore.EvDraftSubmitted:     "Trình duyệt dự thảo dt-9",
		docstore.EvDraftInitialed:     "Ký nháy dự thảo dt-9",
		docstore.EvDraftReturned:      "Trả lại dự thảo dt-9",
		docstore.EvDraftApproved:      "Duyệt dự thảo dt-9",
		docstore.EvDraftSigned:        "Ký dự thảo dt-9",
		docstore.EvDraftIssued:        "Cấp số 45/STNMT-VP ngày 10/03/2026",
		docstore.EvDraftCancelled:     "Hủy dự thảo dt-8",
	}
	for _, ev := range allEvents(t) {
		s, text := Describe(ev)
		if s != want[ev.Type] {
			t.Errorf("%s: subject %q, want %q", ev.Type, s, want[ev.Type])
		}
		checkDescription(t, ev.Type, s, text)
		if !strings.Contains(text, "Người thực hiện: p-van-thu-01, lúc 09:04 ngày 05/03/2026 (giờ Việt Nam).") || !strings.Contains(text, ev.ID) {
			t.Errorf("%s: no author, time or id:\n%s", ev.Type, text)
		}
	}
}

func checkDescription(t *testing.T, typ, s, text string) {
	t.Helper()
	switch {
	case s == "" || text == "":
		t.Errorf("%s: empty", typ)
	case strings.ContainsAny(s, "\r\n\t"):
		t.Errorf("%s: subject not one line: %q", typ, s)
	case !utf8.ValidString(s) || !utf8.ValidString(text):
		t.Errorf("%s: invalid UTF-8", typ)
	case !norm.NFC.IsNormalString(s) || !norm.NFC.IsNormalString(text):
		t.Errorf("%s: not NFC", typ)
	case utf8.RuneCountInString(s) > maxSubject:
		t.Errorf("%s: subject of %d characters", typ, utf8.RuneCountInString(s))
	}
	for _, r := range text {
		if r < ' ' && r != '\n' {
			t.Errorf("%s: control character %U in text", typ, r)
		}
	}
}

// TestDescribeDetails: the facts a colleague looks for are in the text.
func TestDescribeDetails(t *testing.T) {
	for typ, wants := range map[string][]string{
		docstore.EvIncomingRegistered: {
			"Vào sổ văn bản đến số 12 (sổ den-2026), ngày đến 05/03/2026.",
			"Số, ký hiệu: 1220/QĐ-UBND, ngày 01/03/2026.",
			"Cơ quan ban hành: Ủy ban nhân dân thành phố Hà Nội.",
			"Loại văn bản: Quyết định.",
			"Độ khẩn: khẩn; độ mật: thường.",
			"Hạn giải quyết: 20/03/2026.",
		},
		docstore.EvIncomingDirected: {
			"Bút phê: “Giao Phòng Quản lý đất đai chủ trì, tham mưu.\nVăn phòng phối hợp.”",
			"Chủ trì: đơn vị u-qldd (hạn 15/03/2026).",
			"Phối hợp: p-chuyen-vien-07.",
			"Để biết: p-pho-gd.",
		},
		docstore.EvDraftIssued: {
			"Cấp số văn bản đi 45/STNMT-VP (số 45, sổ di-2026) ngày 10/03/2026 cho dự thảo dt-9.",
			"Người ký: Lê Minh Đức.",
			"Nơi nhận:\n- UBND thành phố (để b/c);\n- Lưu: VT, VP.",
			"Hình thức ban hành: điện tử.",
		},
		docstore.EvPersonAdded:   {"Vai trò: văn thư.", "Khóa ký: " + Fingerprint(msgPub(msgKey(2))) + " (" + FingerprintGroups(msgPub(msgKey(2))) + ")."},
		docstore.EvAgencyFounded: {"Quản trị viên: Trần Văn Hùng <quantri@sotnmt.hanoi.gov.vn>.", "Khóa ký: " + Fingerprint(msgPub(msgKey(1)))},
		docstore.EvDraftReturned: {"Trả lại dự thảo dt-9 để sửa.", "Ý kiến: Bổ sung số liệu tháng 3."},
		docstore.EvDraftSigned:   {"Thẩm quyền ký: KT. Phó Giám đốc."},
	} {
		_, text := Describe(eventOf(t, typ))
		for _, w := range wants {
			if !strings.Contains(text, w) {
				t.Errorf("%s: text lacks %q:\n%s", typ, w, text)
			}
		}
	}
}

// TestDescribeOddPayloads: whatever the payload, a description, and the
// fallback when it cannot be read.
func TestDescribeOddPayloads(t *testing.T) {
	base := eventOf(t, docstore.EvIncomingRegistered)
	for _, c := range []struct {
		name, typ, payload, subject string
	}{
		{"unknown type", "incoming.burned", `{}`, "Sự kiện incoming.burned"},
		{"empty type", "", `{}`, "Sự kiện không rõ loại"},
		{"type with a line break", "a\r\nBcc: x", `{}`, "Sự kiện a Bcc: x"},
		{"payload of the wrong shape", docstore.EvIncomingRegistered, `{"number":"mười hai"}`, "Sự kiện incoming.registered"},
		{"payload not JSON", docstore.EvDraftIssued, `<<`, "Sự kiện draft.issued"},
		{"payload missing", docstore.EvUnitAdded, ``, "Sự kiện unit.added"},
		{"payload empty object", docstore.EvIncomingRegistered, `{}`, "Vào sổ văn bản đến số 0"},
		{"payload null", docstore.EvDraftApproved, `null`, "Duyệt dự thảo —"},
		{"decomposed text", docstore.EvUnitAdded, `{"name":"Ph` + "o\u0300" + `ng Ta\u0300i chi\u0301nh"}`, "Thêm đơn vị Phòng Tài chính"},
		{"line breaks in a name", docstore.EvUnitAdded, `{"name":"Phòng\r\nTài chính\u0007"}`, "Thêm đơn vị Phòng Tài chính"},
		{"unknown assignment role", docstore.EvIncomingDirected, `{"doc_id":"d","assignments":[{"assignee":"x","role":"giam_sat"},{"assignee":"y","role":"a"}]}`, "Bút phê văn bản đến d"},
		{"odd levels", docstore.EvDraftCreated, `{"urgency":9,"secrecy":-1,"type":"XYZ","subject":"a"}`, "Tạo dự thảo: a"},
		{"bad key", docstore.EvPersonAdded, `{"full_name":"A","public_key":"!!"}`, "Thêm cán bộ A"},
		{"bad date", docstore.EvDraftIssued, `{"notation":"1/X","date":"mai"}`, "Cấp số 1/X ngày mai"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ev := base
			ev.Type = c.typ
			ev.Payload = json.RawMessage(c.payload)
			s, text := Describe(ev)
			if s != c.subject {
				t.Fatalf("subject %q, want %q", s, c.subject)
			}
			checkDescription(t, c.typ, s, text)
		})
	}
	long := base
	long.Payload, _ = json.Marshal(docstore.IncomingRegistered{Number: 1, Doc: docstore.IncomingInput{Subject: strings.Repeat("Về việc tăng cường ", 30)}})
	s, text := Describe(long)
	checkDescription(t, "long", s, text)
	if !strings.HasSuffix(s, "…") || utf8.RuneCountInString(s) != maxSubject {
		t.Fatalf("long subject %q", s)
	}
}
