package printed

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	docstore "congvu/docs-store"
)

// Sheet is one sheet of a spreadsheet: a bold heading row, then the rows
// Rows hands to its yield function one by one (so a large register is
// never held whole).
type Sheet struct {
	Name   string    // at most 31 characters, none of : \ / ? * [ ]
	Widths []float64 // column widths in characters; nil: 15 each
	Header []string
	Rows   func(yield func([]string) error) error
}

// WriteXLSX writes sheets as an Office Open XML workbook (what Excel and
// LibreOffice open): shared nothing, inline strings, streamed.
func WriteXLSX(w io.Writer, sheets []Sheet) error {
	zw := zip.NewWriter(w)
	var types, rels, list strings.Builder
	for i, sh := range sheets {
		n := strconv.Itoa(i + 1)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
		rels.WriteString(`<Relationship Id="rId` + n + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
		var name strings.Builder
		xml.EscapeText(&name, []byte(sh.Name))
		list.WriteString(`<sheet name="` + name.String() + `" sheetId="` + n + `" r:id="rId` + n + `"/>`)
	}
	stylesID := strconv.Itoa(len(sheets) + 1)
	for _, f := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + types.String() + `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `<Relationship Id="rId` + stylesID + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + list.String() + `</sheets></workbook>`},
		// Style 1: bold, wrapped, centred (the heading); style 2: wrapped text.
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Times New Roman"/></font><font><b/><sz val="11"/><name val="Times New Roman"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/><xf fontId="1" applyFont="1"><alignment wrapText="1" vertical="center" horizontal="center"/></xf><xf applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf></cellXfs></styleSheet>`},
	} {
		fw, err := zw.Create(f.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return err
		}
	}
	for i, sh := range sheets {
		fw, err := zw.Create("xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml")
		if err != nil {
			return err
		}
		if err := writeSheet(fw, sh); err != nil {
			return err
		}
	}
	return zw.Close()
}

func writeSheet(w io.Writer, sh Sheet) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>`)
	for i := range sh.Header {
		width := 15.0
		if i < len(sh.Widths) {
			width = sh.Widths[i]
		}
		fmt.Fprintf(bw, `<col min="%d" max="%d" width="%.1f" customWidth="1"/>`, i+1, i+1, width)
	}
	bw.WriteString(`</cols><sheetData>`)
	r := 1
	writeRow := func(style int, values []string) error {
		fmt.Fprintf(bw, `<row r="%d">`, r)
		for i, v := range values {
			fmt.Fprintf(bw, `<c r="%s%d" t="inlineStr" s="%d"><is><t xml:space="preserve">`, colName(i), r, style)
			xml.EscapeText(bw, []byte(v))
			bw.WriteString(`</t></is></c>`)
		}
		bw.WriteString(`</row>`)
		r++
		return nil
	}
	writeRow(1, sh.Header)
	if sh.Rows != nil {
		if err := sh.Rows(func(v []string) error { return writeRow(2, v) }); err != nil {
			return err
		}
	}
	bw.WriteString(`</sheetData></worksheet>`)
	return bw.Flush()
}

// colName is a column's letters: 0 → A, 9 → J, 26 → AA.
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// RegisterXLSX writes register registerID as a spreadsheet: the model's
// columns as the first row, a document per row, in register order, read
// in batches as they are written. It returns how many documents.
func RegisterXLSX(ctx context.Context, st *docstore.Store, viewer, registerID string, w io.Writer) (int, error) {
	reg, err := findRegister(ctx, st, viewer, registerID)
	if err != nil {
		return 0, err
	}
	rowids, err := st.RegisterView(ctx, viewer, registerID, docstore.RegisterFilter{}, docstore.RegisterSort{Key: docstore.SortNumber, Asc: true})
	if err != nil {
		return 0, fmt.Errorf("export register %s: %w", registerID, err)
	}
	cols := columns(reg.Kind)
	sh := Sheet{Name: sheetName(reg)}
	for _, c := range cols {
		sh.Header = append(sh.Header, c.title)
		sh.Widths = append(sh.Widths, c.width/2)
	}
	n := 0
	sh.Rows = func(yield func([]string) error) error {
		const batch = 500
		for i := 0; i < len(rowids); i += batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			docs, err := st.DocumentsByRowid(ctx, viewer, rowids[i:min(i+batch, len(rowids))])
			if err != nil {
				return fmt.Errorf("export register %s: %w", registerID, err)
			}
			for _, d := range docs {
				values := make([]string, len(cols))
				for k, c := range cols {
					values[k] = c.value(d)
				}
				if err := yield(values); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	}
	err = WriteXLSX(w, []Sheet{sh})
	return n, err
}

// sheetName is the register's sheet name.
func sheetName(reg docstore.Register) string {
	if reg.Kind == docstore.KindOutgoing {
		return "Sổ đi " + strconv.Itoa(reg.Year)
	}
	return "Sổ đến " + strconv.Itoa(reg.Year)
}
