package mimemsg

import (
	"bytes"
	docstore "congvu/docs-store"
	"fmt"
	"io"
	"strings"
	"testing"
)

// benchHead is a realistic header section (trace fields, DKIM, the
// usual), about 2 KB.
func benchHead(subject string) string {
	var b strings.Builder
	for i := range 4 {
		fmt.Fprintf(&b, "Received: from mail%d.hanoi.gov.vn (mail%d.hanoi.gov.vn [10.1.2.%d])\n\tby mx.sotnmt.hanoi.gov.vn (Postfix) with ESMTPS id 4Yx%dQ2k\n\tfor <chuyenvien@sotnmt.hanoi.gov.vn>; Mon, 3 Feb 2025 09:30:0%d +0700 (ICT)\n", i, i, i, i, i)
	}
	b.WriteString("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=hanoi.gov.vn; s=mail;\n\th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaXMgYWJvdXQgYXMgbG9uZyBhcyBvbmUgaXMgaW4gcmVhbCBtYWlsIGFuZCBzbyBpdCBzZXJ2ZXM=\n")
	b.WriteString(stdHead)
	b.WriteString("Subject: =?utf-8?B?" + b64(subject) + "?=\n")
	b.WriteString("Thread-Topic: " + subject + "\nX-Mailer: Microsoft Outlook 16.0\nContent-Language: vi-VN\n")
	return b.String()
}

// typicalMessage: a letter with text and HTML versions and a 100 KB PDF,
// about 140 KB in all.
func typicalMessage() []byte {
	text := strings.Repeat("Kính gửi các phòng, ban: Sở Tài nguyên và Môi trường đề nghị các đơn vị báo cáo tình hình thực hiện kế hoạch chuyển đổi số trước ngày 15/02/2025.\n", 8)
	html := "<html><body>" + strings.Repeat("<p>Kính gửi các phòng, ban: Sở Tài nguyên và Môi trường đề nghị các đơn vị <b>báo cáo</b> tình hình thực hiện kế hoạch chuyển đổi số trước ngày 15/02/2025.</p>\n", 8) + "</body></html>"
	pdf := randomBytes(3, 100<<10)
	s := crlf(benchHead("Báo cáo tình hình thực hiện kế hoạch chuyển đổi số")+"Content-Type: multipart/mixed; boundary=\"mixed\"\n\n--mixed\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"+text+"\n--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"+html+"\n--alt--\n\n--mixed\nContent-Type: application/pdf; name=\"bao-cao.pdf\"\nContent-Disposition: attachment; filename=\"bao-cao.pdf\"\nContent-Transfer-Encoding: base64\n\n") +
		b64Lines(pdf) + "\r\n--mixed--\r\n"
	return []byte(s)
}

// smallMessage: a 4 KB plain text message.
func smallMessage() []byte {
	head := benchHead("Giấy mời họp giao ban tuần")
	body := strings.Repeat("Kính mời đồng chí dự họp giao ban tuần vào 8 giờ sáng thứ Hai tại phòng họp tầng 3.\n", 60)
	s := crlf(head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + body)
	return []byte(truncateText(s, 4096))
}

func benchmarkParse(b *testing.B, data []byte) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	r := bytes.NewReader(data)
	for b.Loop() {
		r.Reset(data)
		if _, err := Parse(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	b.Run("140KB-pdf", func(b *testing.B) { benchmarkParse(b, typicalMessage()) })
	b.Run("4KB-text", func(b *testing.B) { benchmarkParse(b, smallMessage()) })
}

func BenchmarkOpenPart(b *testing.B) {
	data := typicalMessage()
	b.SetBytes(int64(len(data)))
	r := bytes.NewReader(data)
	for b.Loop() {
		r.Reset(data)
		if _, err := OpenPart(r, "2", io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompose(b *testing.B) {
	pdf := randomBytes(3, 100<<10)
	d := Draft{From: addr("Nguyễn Văn Ánh", "anh@x.vn"), To: []docstore.MailAddress{addr("Trần Bình", "binh@x.vn")}, Subject: "Báo cáo tình hình thực hiện kế hoạch", Text: strings.Repeat("Kính gửi các phòng, ban.\n", 40), Attachments: []Attachment{bytesAttachment("bao-cao.pdf", "application/pdf", pdf)}}
	b.SetBytes(int64(len(pdf)))
	for b.Loop() {
		if err := Compose(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchMessages(t *testing.T) {
	for name, data := range map[string][]byte{"typical": typicalMessage(), "small": smallMessage()} {
		m, err := Parse(bytes.NewReader(data))
		if err != nil || len(m.Problems) > 0 || m.Text == "" {
			t.Errorf("%s: %v %q", name, err, m.Problems)
		}
		t.Logf("%s: %d bytes, %d parts", name, len(data), len(m.Parts))
	}
}
