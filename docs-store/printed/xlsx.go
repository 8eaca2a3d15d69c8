package printed

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"

	docstore "congvu/docs-store"
)

// RegisterXLSX writes register registerID as a spreadsheet (Office Open
// XML, what Excel and LibreOffice open): the model's columns as the first
// row, a document per row, in register order. Rows are written as they
// are read, in batches: a large register is never held whole.
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
	zw := zip.NewWriter(w)
	for _, f := range []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` + sheetName(reg) + `" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		// Style 1: bold, wrapped (the heading); style 2: wrapped text.
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Times New Roman"/></font><font><b/><sz val="11"/><name val="Times New Roman"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/><xf fontId="1" applyFont="1"><alignment wrapText="1" vertical="center" horizontal="center"/></xf><xf applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf></cellXfs></styleSheet>`},
	} {
		fw, err := zw.Create(f.name)
		if err != nil {
			return 0, err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return 0, err
		}
	}
	fw, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(fw)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>`)
	for i, c := range cols {
		fmt.Fprintf(bw, `<col min="%d" max="%d" width="%.1f" customWidth="1"/>`, i+1, i+1, c.width/2)
	}
	bw.WriteString(`</cols><sheetData>`)
	r := 1
	writeRow := func(style int, values []string) {
		fmt.Fprintf(bw, `<row r="%d">`, r)
		for i, v := range values {
			fmt.Fprintf(bw, `<c r="%s%d" t="inlineStr" s="%d"><is><t xml:space="preserve">`, colName(i), r, style)
			xml.EscapeText(bw, []byte(v))
			bw.WriteString(`</t></is></c>`)
		}
		bw.WriteString(`</row>`)
		r++
	}
	heading := make([]string, len(cols))
	for i, c := range cols {
		heading[i] = c.title
	}
	writeRow(1, heading)
	n := 0
	const batch = 500
	for i := 0; i < len(rowids); i += batch {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		docs, err := st.DocumentsByRowid(ctx, viewer, rowids[i:min(i+batch, len(rowids))])
		if err != nil {
			return n, fmt.Errorf("export register %s: %w", registerID, err)
		}
		for _, d := range docs {
			values := make([]string, len(cols))
			for k, c := range cols {
				values[k] = c.value(d)
			}
			writeRow(2, values)
			n++
		}
	}
	bw.WriteString(`</sheetData></worksheet>`)
	if err := bw.Flush(); err != nil {
		return n, err
	}
	return n, zw.Close()
}

// colName is a column's letters: 0 → A, 9 → J.
func colName(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// sheetName is the register's sheet: at most 31 characters, none of : \ / ? * [ ].
func sheetName(reg docstore.Register) string {
	if reg.Kind == docstore.KindOutgoing {
		return "Sổ đi " + strconv.Itoa(reg.Year)
	}
	return "Sổ đến " + strconv.Itoa(reg.Year)
}
