package maildemo

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"congvu/docs-store/vntext"
)

// The attachments are small generated files that open in a viewer: a
// one-page PDF (the title and the text, ASCII-folded for the standard
// font) and a minimal Word document (the real text, UTF-8), each padded to
// the size asked for.

const (
	mimePDF  = "application/pdf"
	mimeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// file is one attachment of a message.
type file struct {
	name, typ string
	data      []byte
}

// pdfASCII makes s safe inside a PDF string in the standard Helvetica:
// Vietnamese folded to ASCII, the delimiters dropped.
func pdfASCII(s string) string {
	s = vntext.Fold(s)
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && r != '(' && r != ')' && r != '\\' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// makePDF returns a valid one-page PDF (cross-reference table with the
// right offsets) showing title and lines, padded with a binary stream to
// about size bytes.
func makePDF(r *rand.Rand, title string, lines []string, size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 2048)
	var offs []int
	obj := func(s string) { offs = append(offs, b.Len()); b.WriteString(s) }
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n")
	obj("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n")
	obj("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\nendobj\n")
	var c strings.Builder
	fmt.Fprintf(&c, "BT /F1 14 Tf 60 780 Td (%s) Tj ET\n", pdfASCII(title))
	y := 750
	for _, l := range lines {
		if y < 60 {
			break
		}
		for _, part := range wrapWords(pdfASCII(l), 90) {
			fmt.Fprintf(&c, "BT /F1 10 Tf 60 %d Td (%s) Tj ET\n", y, part)
			y -= 14
		}
		y -= 4
	}
	content := c.String()
	obj(fmt.Sprintf("4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(content), content))
	obj("5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n")
	if pad := size - b.Len() - 400; pad > 0 {
		obj(fmt.Sprintf("6 0 obj\n<< /Length %d >>\nstream\n", pad))
		fill(r, &b, pad)
		b.WriteString("\nendstream\nendobj\n")
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info << /Title (%s) /Producer (Cong vu demo) >> >>\nstartxref\n%d\n%%%%EOF\n",
		len(offs)+1, pdfASCII(title), xref)
	return b.Bytes()
}

// fill appends n pseudo-random bytes (a scanned page, as far as the size
// goes).
func fill(r *rand.Rand, b *bytes.Buffer, n int) {
	var w [8]byte
	for n > 0 {
		v := r.Uint64()
		for i := range w {
			w[i] = byte(v >> (8 * i))
		}
		k := min(n, 8)
		b.Write(w[:k])
		n -= k
	}
}

func wrapWords(s string, width int) []string {
	var out []string
	var line strings.Builder
	for _, w := range strings.Fields(s) {
		if line.Len() > 0 && line.Len()+1+len(w) > width {
			out = append(out, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	if line.Len() > 0 {
		out = append(out, line.String())
	}
	return out
}

// zipTime is the fixed modification time of the parts of a generated
// Word file, so the same text gives the same bytes.
var zipTime = time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)

const (
	docxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
	docxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
)

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

// makeDOCX returns a minimal valid .docx: the title in bold, then the
// paragraphs, repeated (stored, not compressed) until about size bytes.
func makeDOCX(title string, paras []string, size int) []byte {
	var doc strings.Builder
	doc.Grow(size + 1024)
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	doc.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	para := func(s string, bold bool) {
		doc.WriteString(`<w:p><w:r>`)
		if bold {
			doc.WriteString(`<w:rPr><w:b/></w:rPr>`)
		}
		doc.WriteString(`<w:t xml:space="preserve">` + xmlEscape(s) + `</w:t></w:r></w:p>`)
	}
	para(title, true)
	if len(paras) == 0 {
		paras = []string{title}
	}
	target := size - 900 // the other parts and the zip directory
	for i := 0; doc.Len() < target || i < len(paras); i++ {
		para(paras[i%len(paras)], false)
	}
	doc.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701" w:header="720" w:footer="720" w:gutter="0"/></w:sectPr></w:body></w:document>`)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range []struct {
		name, data string
		method     uint16
	}{
		{"[Content_Types].xml", docxContentTypes, zip.Deflate},
		{"_rels/.rels", docxRels, zip.Deflate},
		{"word/document.xml", doc.String(), zip.Store},
	} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: p.method, Modified: zipTime})
		if err == nil {
			_, err = w.Write([]byte(p.data))
		}
		if err != nil {
			panic(err) // writing to memory
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}
