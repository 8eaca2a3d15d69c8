package printed

import (
	"context"
	"fmt"
	"io"
	"strings"

	docstore "congvu/docs-store"
)

// trackingColumns are the Sổ theo dõi giải quyết văn bản đến's (Phụ lục
// IV): số đến, the document, who handles it, the deadline, the progress,
// the reply, a note.
func trackingColumns(work func(docstore.DocumentRow) []docstore.Assignment) []column {
	lead := func(d docstore.DocumentRow) (docstore.Assignment, bool) {
		for _, a := range work(d) {
			if a.Role == "chu_tri" {
				return a, true
			}
		}
		return docstore.Assignment{}, false
	}
	return []column{
		{"Số đến", 14, func(d docstore.DocumentRow) string { return numberText(d.Number) }, "C"},
		{"Tên loại, số, ký hiệu, ngày, tháng và tên cơ quan ban hành", 92, func(d docstore.DocumentRow) string {
			return strings.TrimSpace(fmt.Sprintf("%s số %s ngày %s của %s: %s", typeName(d), d.Notation, dmy(d.DocDate), d.Issuer, d.Subject))
		}, "L"},
		{"Đơn vị hoặc người nhận", 44, func(d docstore.DocumentRow) string {
			var names []string
			for _, a := range work(d) {
				if a.Role == "chu_tri" || a.Role == "phoi_hop" {
					role := "chủ trì"
					if a.Role == "phoi_hop" {
						role = "phối hợp"
					}
					names = append(names, a.AssigneeName+" ("+role+")")
				}
			}
			return strings.Join(names, "; ")
		}, "L"},
		{"Thời hạn giải quyết", 24, func(d docstore.DocumentRow) string {
			if a, ok := lead(d); ok && a.Deadline != "" {
				return dmy(a.Deadline)
			}
			return dmy(d.DueDate)
		}, "C"},
		{"Tiến độ giải quyết", 40, func(d docstore.DocumentRow) string {
			a, ok := lead(d)
			if !ok {
				return "Chưa giao xử lý"
			}
			return progress(a)
		}, "L"},
		{"Số, ký hiệu văn bản trả lời", 33, func(docstore.DocumentRow) string { return "" }, "L"},
		{"Ghi chú", 30, func(d docstore.DocumentRow) string { return d.Note }, "L"},
	}
}

func typeName(d docstore.DocumentRow) string {
	if t, ok := docstore.LookupDocType(d.Type); ok {
		return t.Name
	}
	return d.Type
}

// progress words where the lead's assignment stands.
func progress(a docstore.Assignment) string {
	switch a.State {
	case docstore.AsDone:
		return "Đã hoàn thành"
	case docstore.AsReturned:
		return "Trả lại: " + a.Reason
	case docstore.AsInProgress:
		if a.DeadlineState == docstore.Overdue {
			return "Đang xử lý, quá hạn"
		}
		return "Đang xử lý"
	}
	if a.DeadlineState == docstore.Overdue {
		return "Chưa xử lý, quá hạn"
	}
	return "Chưa xử lý"
}

// TrackingPDF prints the Sổ theo dõi giải quyết văn bản đến of an
// incoming register: every document with who handles it, the deadline and
// where its handling stands on the day of printing.
func TrackingPDF(ctx context.Context, st *docstore.Store, viewer, registerID string, w io.Writer, opt Options) (Summary, error) {
	var sum Summary
	j, err := newJob(ctx, st, viewer, registerID, opt)
	if err != nil {
		return sum, err
	}
	reg, pdf, rowids := j.reg, j.pdf, j.rowids
	if reg.Kind != docstore.KindIncoming {
		return sum, fmt.Errorf("print tracking register %s: %w", registerID, docstore.ErrInvalid)
	}
	cover(pdf, j.ag, reg, j.first, j.last, j.opt, "SỔ THEO DÕI GIẢI QUYẾT VĂN BẢN ĐẾN")
	var works map[string][]docstore.Assignment
	cols := trackingColumns(func(d docstore.DocumentRow) []docstore.Assignment { return works[d.ID] })
	const batch = 200
	for i := 0; i < len(rowids); i += batch {
		docs, err := st.DocumentsByRowid(ctx, viewer, rowids[i:min(i+batch, len(rowids))])
		if err != nil {
			return sum, err
		}
		works = map[string][]docstore.Assignment{}
		for _, d := range docs {
			if works[d.ID], err = st.Assignments(ctx, viewer, d.ID); err != nil {
				return sum, err
			}
		}
		for _, d := range docs {
			row(pdf, cols, reg, d)
			sum.Rows++
		}
	}
	sum.Pages = pdf.PageNo()
	return sum, pdf.Output(w)
}
