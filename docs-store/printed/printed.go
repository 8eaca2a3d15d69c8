// Package printed prints the registers to PDF in the layout of Decree
// 30/2020 Phụ lục IV: a cover (cơ quan, sổ, năm, từ ngày – đến ngày, từ
// số – đến số, quyển số) and the register's columns, numbered (1)…(10) as
// the model has them, the heading repeated on every page. A register kept
// in the system must still be printed, signed and closed each year
// (Điều 16.2b, 22.3b): this is that print.
//
// The font is Liberation Serif (metric-compatible with Times New Roman,
// carries Vietnamese), embedded from assets/.
package printed

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"congvu/assets"
	docstore "congvu/docs-store"
)

// Summary says what was printed.
type Summary struct {
	Rows  int
	Pages int
}

// Options of a print.
type Options struct {
	Volume int // quyển số (default 1)
	// Printed is the date on the cover's foot (default today).
	Printed time.Time
}

// column is one column of a register model.
type column struct {
	title string
	width float64 // mm
	value func(docstore.DocumentRow) string
	align string // L, C, R
}

// The pages: A4 landscape, margins of 10 mm.
const (
	pageW, margin = 297.0, 10.0
	fontSize      = 9.5
	lineH         = 4.6
)

func dmy(iso string) string {
	if len(iso) != 10 {
		return iso
	}
	return iso[8:] + "/" + iso[5:7] + "/" + iso[:4]
}

// typeAndSubject is "Tên loại và trích yếu nội dung": the type's name
// before the trích yếu, but for a công văn (whose trích yếu starts "V/v").
func typeAndSubject(d docstore.DocumentRow) string {
	t, ok := docstore.LookupDocType(d.Type)
	if !ok || d.Type == "CV" || strings.HasPrefix(strings.ToLower(d.Subject), strings.ToLower(t.Name)) {
		return d.Subject // a công văn, or a trích yếu that names its type already
	}
	return t.Name + " " + d.Subject
}

func numberText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// columns are the model's columns for a register's kind.
func columns(kind string) []column {
	if kind == docstore.KindOutgoing {
		return []column{
			{"Số, ký hiệu văn bản", 30, func(d docstore.DocumentRow) string { return d.Notation }, "L"},
			{"Ngày tháng văn bản", 21, func(d docstore.DocumentRow) string { return dmy(d.DocDate) }, "C"},
			{"Tên loại và trích yếu nội dung văn bản", 76, typeAndSubject, "L"},
			{"Người ký", 28, func(d docstore.DocumentRow) string { return d.Signer }, "L"},
			{"Nơi nhận văn bản", 34, func(d docstore.DocumentRow) string { return d.Recipients }, "L"},
			{"Đơn vị, người nhận bản lưu", 27, func(d docstore.DocumentRow) string { return d.CopyHolder }, "L"},
			{"Số lượng bản", 13, func(d docstore.DocumentRow) string { return numberText(d.Copies) }, "C"},
			{"Ngày chuyển", 21, func(d docstore.DocumentRow) string { return dmy(d.ForwardedDate) }, "C"},
			{"Ký nhận", 12, func(docstore.DocumentRow) string { return "" }, "C"},
			{"Ghi chú", 15, func(d docstore.DocumentRow) string { return d.Note }, "L"},
		}
	}
	return []column{
		{"Ngày đến", 21, func(d docstore.DocumentRow) string { return dmy(d.ArrivalDate) }, "C"},
		{"Số đến", 14, func(d docstore.DocumentRow) string { return numberText(d.Number) }, "C"},
		{"Tác giả", 33, func(d docstore.DocumentRow) string { return d.Issuer }, "L"},
		{"Số, ký hiệu văn bản", 28, func(d docstore.DocumentRow) string { return d.Notation }, "L"},
		{"Ngày tháng văn bản", 21, func(d docstore.DocumentRow) string { return dmy(d.DocDate) }, "C"},
		{"Tên loại và trích yếu nội dung văn bản", 72, typeAndSubject, "L"},
		{"Đơn vị hoặc người nhận", 30, func(d docstore.DocumentRow) string { return d.Recipients }, "L"},
		{"Ngày chuyển", 21, func(d docstore.DocumentRow) string { return dmy(d.ForwardedDate) }, "C"},
		{"Ký nhận", 18, func(docstore.DocumentRow) string { return "" }, "C"},
		{"Ghi chú", 19, func(d docstore.DocumentRow) string { return d.Note }, "L"},
	}
}

// job is what every print of a register starts from.
type job struct {
	reg         docstore.Register
	ag          docstore.Agency
	rowids      []int64 // the register's documents, in number order
	first, last docstore.DocumentRow
	opt         Options
	pdf         *fpdf.Fpdf
}

// newJob reads the register as viewer sees it and starts the PDF.
func newJob(ctx context.Context, st *docstore.Store, viewer, registerID string, opt Options) (*job, error) {
	j := &job{opt: opt}
	var err error
	if j.reg, err = findRegister(ctx, st, viewer, registerID); err != nil {
		return nil, err
	}
	if j.ag, err = st.Agency(ctx); err != nil {
		return nil, err
	}
	j.rowids, err = st.RegisterView(ctx, viewer, registerID, docstore.RegisterFilter{}, docstore.RegisterSort{Key: docstore.SortNumber, Asc: true})
	if err != nil {
		return nil, fmt.Errorf("print register %s: %w", registerID, err)
	}
	if j.opt.Volume <= 0 {
		j.opt.Volume = 1
	}
	if j.opt.Printed.IsZero() {
		j.opt.Printed = time.Now()
	}
	// The first and last document's dates and numbers, for the cover.
	if j.first, j.last, err = ends(ctx, st, viewer, j.rowids); err != nil {
		return nil, err
	}
	j.pdf = newPDF(j.reg.Name)
	return j, nil
}

// RegisterPDF prints register registerID as viewer sees it (a secret
// register only for the cleared: the store decides) to w.
func RegisterPDF(ctx context.Context, st *docstore.Store, viewer, registerID string, w io.Writer, opt Options) (Summary, error) {
	var sum Summary
	j, err := newJob(ctx, st, viewer, registerID, opt)
	if err != nil {
		return sum, err
	}
	reg, pdf, rowids := j.reg, j.pdf, j.rowids
	title := "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN"
	if reg.Kind == docstore.KindOutgoing {
		title = "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
	}
	cover(pdf, j.ag, reg, j.first, j.last, j.opt, title)

	cols := columns(reg.Kind)
	const batch = 500
	for i := 0; i < len(rowids); i += batch {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		docs, err := st.DocumentsByRowid(ctx, viewer, rowids[i:min(i+batch, len(rowids))])
		if err != nil {
			return sum, fmt.Errorf("print register %s: %w", registerID, err)
		}
		for _, d := range docs {
			row(pdf, cols, reg, d)
			sum.Rows++
		}
	}
	if sum.Rows == 0 {
		tablePage(pdf, cols, reg)
		pdf.SetFont("Serif", "I", fontSize)
		pdf.CellFormat(0, 10, "Sổ chưa có văn bản nào.", "", 1, "C", false, 0, "")
	}
	sum.Pages = pdf.PageNo()
	if err := pdf.Output(w); err != nil {
		return sum, fmt.Errorf("print register %s: %w", registerID, err)
	}
	return sum, nil
}

// newPDF is an A4 landscape document with the embedded fonts.
func newPDF(title string) *fpdf.Fpdf {
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)
	pdf.AddUTF8FontFromBytes("Serif", "", assets.SerifRegular)
	pdf.AddUTF8FontFromBytes("Serif", "B", assets.SerifBold)
	pdf.AddUTF8FontFromBytes("Serif", "I", assets.SerifItalic)
	pdf.SetTitle(title, true)
	pdf.SetCreator("Công vụ", true)
	pdf.AliasNbPages("{nb}")
	return pdf
}

func findRegister(ctx context.Context, st *docstore.Store, viewer, id string) (docstore.Register, error) {
	regs, err := st.Registers(ctx, viewer)
	if err != nil {
		return docstore.Register{}, err
	}
	for _, r := range regs {
		if r.ID == id {
			return r, nil
		}
	}
	return docstore.Register{}, fmt.Errorf("print register %s: %w", id, docstore.ErrNotFound)
}

// ends reads the first and the last document of the register.
func ends(ctx context.Context, st *docstore.Store, viewer string, rowids []int64) (first, last docstore.DocumentRow, err error) {
	if len(rowids) == 0 {
		return
	}
	docs, err := st.DocumentsByRowid(ctx, viewer, []int64{rowids[0], rowids[len(rowids)-1]})
	if err != nil || len(docs) == 0 {
		return first, last, err
	}
	return docs[0], docs[len(docs)-1], nil
}

// cover is the register's first page (Phụ lục IV).
func cover(pdf *fpdf.Fpdf, ag docstore.Agency, reg docstore.Register, first, last docstore.DocumentRow, opt Options, title string) {
	pdf.AddPage()
	// The agency's name, bold, underlined, top left (the model's "tên cơ
	// quan, đơn vị"; the store does not know a cơ quan chủ quản above it).
	pdf.SetFont("Serif", "B", 13)
	pdf.SetXY(margin, 18)
	pdf.MultiCell(120, 7, strings.ToUpper(ag.Name), "", "C", false)
	pdf.Line(margin+45, pdf.GetY()+1, margin+75, pdf.GetY()+1)

	if reg.Secret {
		title += " MẬT"
	}
	pdf.SetY(70)
	pdf.SetFont("Serif", "B", 26)
	pdf.CellFormat(0, 14, title, "", 1, "C", false, 0, "")
	pdf.SetFont("Serif", "", 15)
	pdf.CellFormat(0, 8, reg.Name, "", 1, "C", false, 0, "")
	pdf.Ln(6)
	pdf.SetFont("Serif", "B", 16)
	pdf.CellFormat(0, 10, "Năm: "+strconv.Itoa(reg.Year), "", 1, "C", false, 0, "")
	pdf.SetFont("Serif", "", 14)
	date := func(d docstore.DocumentRow) string {
		if reg.Kind == docstore.KindOutgoing {
			return dmy(d.DocDate)
		}
		return dmy(d.ArrivalDate)
	}
	dots := "…………"
	from, to, nFrom, nTo := dots, dots, dots, dots
	if first.ID != "" {
		from, to, nFrom, nTo = date(first), date(last), numberText(first.Number), numberText(last.Number)
	}
	pdf.Ln(4)
	pdf.CellFormat(0, 9, "Từ ngày "+from+" đến ngày "+to, "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 9, "Từ số "+nFrom+" đến số "+nTo, "", 1, "C", false, 0, "")
	pdf.CellFormat(0, 9, fmt.Sprintf("Quyển số: %02d", opt.Volume), "", 1, "C", false, 0, "")
	pdf.SetY(185)
	pdf.SetFont("Serif", "I", 11)
	place := ag.Place
	if place == "" {
		place = "………"
	}
	pdf.CellFormat(0, 6, fmt.Sprintf("%s, ngày %02d tháng %02d năm %d (in từ Công vụ)", place, opt.Printed.Day(), opt.Printed.Month(), opt.Printed.Year()),
		"", 1, "R", false, 0, "")
}

// tablePage starts a page of the table: the heading row and the column
// numbers.
func tablePage(pdf *fpdf.Fpdf, cols []column, reg docstore.Register) {
	pdf.AddPage()
	pdf.SetFont("Serif", "I", 8)
	pdf.CellFormat(0, 4, fmt.Sprintf("%s — trang %d/{nb}", reg.Name, pdf.PageNo()), "", 1, "R", false, 0, "")
	pdf.SetFont("Serif", "B", fontSize)
	lines := 1
	for _, c := range cols {
		lines = max(lines, len(pdf.SplitText(c.title, c.width-2)))
	}
	h := float64(lines)*lineH + 2
	x, y := pdf.GetX(), pdf.GetY()
	for _, c := range cols {
		pdf.Rect(x, y, c.width, h, "D")
		pdf.SetXY(x+1, y+1)
		pdf.MultiCell(c.width-2, lineH, c.title, "", "C", false)
		x += c.width
	}
	pdf.SetXY(margin, y+h)
	pdf.SetFont("Serif", "I", 8)
	for i, c := range cols {
		pdf.CellFormat(c.width, 4.5, "("+strconv.Itoa(i+1)+")", "1", 0, "C", false, 0, "")
	}
	pdf.Ln(4.5)
	pdf.SetFont("Serif", "", fontSize)
}

// row prints one document, its cells wrapped to the tallest; a row that
// does not fit goes to a new page with the heading again.
func row(pdf *fpdf.Fpdf, cols []column, reg docstore.Register, d docstore.DocumentRow) {
	pdf.SetFont("Serif", "", fontSize) // measured in the font it is printed in
	texts := make([][]string, len(cols))
	lines := 1
	for i, c := range cols {
		texts[i] = pdf.SplitText(strings.ReplaceAll(c.value(d), "\n", " "), c.width-2)
		lines = max(lines, len(texts[i]))
	}
	_, pageH := pdf.GetPageSize()
	// A row taller than a page (a very long nơi nhận) is cut to what a
	// page holds, its last line marked: never drawn past the edge.
	if maxLines := int((pageH - 2*margin - 30) / lineH); lines > maxLines {
		for i, t := range texts {
			if len(t) > maxLines {
				texts[i] = append(t[:maxLines-1:maxLines-1], t[maxLines-1]+" …")
			}
		}
		lines = maxLines
	}
	h := float64(lines)*lineH + 1.5
	if pdf.PageNo() <= 1 || pdf.GetY()+h > pageH-margin {
		tablePage(pdf, cols, reg)
	}
	x, y := margin, pdf.GetY()
	for i, c := range cols {
		pdf.Rect(x, y, c.width, h, "D")
		for k, l := range texts[i] {
			pdf.SetXY(x+1, y+0.75+float64(k)*lineH)
			pdf.CellFormat(c.width-2, lineH, l, "", 0, c.align, false, 0, "")
		}
		x += c.width
	}
	pdf.SetXY(margin, y+h)
}
