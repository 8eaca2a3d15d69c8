package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	docstore "congvu/docs-store"
)

func (g *gen) run(ctx context.Context) error {
	st := g.st
	year := g.cfg.Today.Year()
	g.byUnit = map[string][]docstore.PersonInput{}
	admin := docstore.PersonInput{ID: "p-quantri", Email: "quantri@lamson.gov.vn", FullName: "Lê Quang Huy", Title: "Chuyên viên Văn phòng (quản trị hệ thống)",
		Roles: []docstore.Role{docstore.RoleAdmin}, Clearance: docstore.SecrecyMat}
	if err := st.FoundAgency(ctx, docstore.AgencyFounded{Code: "000.00.12.H31", Name: "Ủy ban nhân dân thành phố Lâm Sơn", Abbr: "UBND", Place: "Lâm Sơn", Admin: admin}); err != nil {
		return err
	}
	g.cast.Admin = admin.ID
	for _, u := range units {
		if err := st.AddUnit(ctx, admin.ID, docstore.UnitAdded{ID: u.id, Name: u.name, Abbr: u.abbr}); err != nil {
			return err
		}
	}
	add := func(p docstore.PersonInput) error {
		g.cast.People = append(g.cast.People, p)
		g.byUnit[p.UnitID] = append(g.byUnit[p.UnitID], p)
		return st.AddPerson(ctx, admin.ID, p)
	}
	// The leaders and the clerks sit in the Văn phòng.
	office := []struct {
		p    docstore.PersonInput
		role docstore.Role
	}{
		{docstore.PersonInput{ID: "p-chutich", FullName: "Nguyễn Văn Ánh", Title: "Chủ tịch UBND thành phố", Clearance: docstore.SecrecyToiMat}, docstore.RoleAgencyLeader},
		{docstore.PersonInput{ID: "p-pct1", FullName: "Trần Thị Thu Hòa", Title: "Phó Chủ tịch UBND thành phố", Clearance: docstore.SecrecyMat}, docstore.RoleAgencyLeader},
		{docstore.PersonInput{ID: "p-pct2", FullName: "Phạm Quốc Anh", Title: "Phó Chủ tịch UBND thành phố", Clearance: docstore.SecrecyMat}, docstore.RoleAgencyLeader},
		{docstore.PersonInput{ID: "p-vanthu", FullName: "Đỗ Thị Hạnh", Title: "Văn thư", Clearance: docstore.SecrecyNone}, docstore.RoleClerk},
		{docstore.PersonInput{ID: "p-vanthu-mat", FullName: "Bùi Thanh Thủy", Title: "Văn thư (sổ mật)", Clearance: docstore.SecrecyToiMat}, docstore.RoleClerk},
	}
	for _, o := range office {
		p := o.p
		p.Email = strings.TrimPrefix(p.ID, "p-") + "@lamson.gov.vn"
		p.UnitID = "vp"
		p.Roles = []docstore.Role{o.role}
		if err := add(p); err != nil {
			return err
		}
	}
	g.cast.Chairman, g.cast.ViceChairman = "p-chutich", "p-pct1"
	g.cast.Clerk, g.cast.SecretClerk = "p-vanthu", "p-vanthu-mat"
	g.byUnit = map[string][]docstore.PersonInput{} // unit staff only, head first
	n := 0
	for _, u := range units {
		for k := 0; k < 4; k++ {
			n++
			p := docstore.PersonInput{ID: fmt.Sprintf("p-%s-%d", u.id, k+1), Email: fmt.Sprintf("%s.%d@lamson.gov.vn", u.id, k+1),
				FullName: g.name(), UnitID: u.id}
			switch k {
			case 0:
				p.Title, p.Roles = "Trưởng phòng", []docstore.Role{docstore.RoleUnitHead}
				if u.id == "vp" || u.id == "ttr" {
					p.Title = "Chánh " + map[string]string{"vp": "Văn phòng", "ttr": "Thanh tra"}[u.id]
				}
				p.Clearance = docstore.SecrecyMat
			case 1:
				p.Title, p.Roles = "Phó Trưởng phòng", []docstore.Role{docstore.RoleUnitHead, docstore.RoleSpecialist}
			default:
				p.Title, p.Roles = "Chuyên viên", []docstore.Role{docstore.RoleSpecialist}
			}
			if err := add(p); err != nil {
				return err
			}
		}
	}
	g.cast.UnitHead, g.cast.Specialist = "p-tnmt-1", "p-tnmt-3"

	// Registers of the year: đến thường, đến mật, đi thường, đi mật.
	regs := []docstore.RegisterOpened{
		{ID: fmt.Sprintf("den-%d", year), Kind: docstore.KindIncoming, Year: year, Name: fmt.Sprintf("Sổ văn bản đến năm %d", year)},
		{ID: fmt.Sprintf("den-mat-%d", year), Kind: docstore.KindIncoming, Year: year, Secret: true, Name: fmt.Sprintf("Sổ văn bản đến mật năm %d", year)},
		{ID: fmt.Sprintf("di-%d", year), Kind: docstore.KindOutgoing, Year: year, Name: fmt.Sprintf("Sổ văn bản đi năm %d", year)},
		{ID: fmt.Sprintf("di-mat-%d", year), Kind: docstore.KindOutgoing, Year: year, Secret: true, Name: fmt.Sprintf("Sổ văn bản đi mật năm %d", year)},
		{ID: fmt.Sprintf("den-%d", year-1), Kind: docstore.KindIncoming, Year: year - 1, Name: fmt.Sprintf("Sổ văn bản đến năm %d", year-1)},
	}
	for _, r := range regs {
		if err := st.OpenRegister(ctx, g.cast.SecretClerk, r); err != nil {
			return err
		}
	}
	if err := st.CloseRegister(ctx, g.cast.Clerk, regs[4].ID); err != nil {
		return err
	}
	g.cast.IncomingRegister, g.cast.SecretRegister = regs[0].ID, regs[1].ID
	g.cast.OutgoingRegister, g.cast.SecretOutgoing = regs[2].ID, regs[3].ID

	if err := g.incoming(ctx, regs[0].ID, g.cfg.Incoming, docstore.SecrecyNone, g.cast.Clerk); err != nil {
		return err
	}
	if err := g.incoming(ctx, regs[1].ID, g.cfg.Secret, docstore.SecrecyMat, g.cast.SecretClerk); err != nil {
		return err
	}
	return g.drafts(ctx)
}

func (g *gen) at(day string, hour, minute int) time.Time {
	t, _ := time.ParseInLocation("2006-01-02", day, vn)
	return t.Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// incoming registers documents day by day; leaders direct most of them,
// handlers take and finish many, a few are returned.
func (g *gen) incoming(ctx context.Context, reg string, n int, sec docstore.Secrecy, clerk string) error {
	if n == 0 {
		return nil
	}
	from := time.Date(g.cfg.Today.Year(), 1, 2, 0, 0, 0, 0, vn)
	ins := IncomingInputs(g.r, reg, n, from, g.cfg.Today, sec)
	today := g.cfg.Today.Format("2006-01-02")
	for i, in := range ins {
		g.clock.Set(g.at(in.ArrivalDate, 8, i%50))
		if g.r.IntN(4) == 0 {
			ref, err := g.st.Blobs().Put(bytes.NewReader(fakePDF(in.Notation, in.Subject)))
			if err != nil {
				return err
			}
			in.Attachments = []docstore.Attachment{{SHA256: ref.SHA256, Name: fileName(in.Notation) + ".pdf", Size: ref.Size}}
		}
		res, err := g.st.RegisterIncoming(ctx, clerk, in)
		if err != nil {
			return fmt.Errorf("register %d: %w", i, err)
		}
		// Documents of the last days wait for a direction.
		if in.ArrivalDate >= addDays(today, -2) && g.r.IntN(3) > 0 {
			continue
		}
		if g.r.IntN(10) == 0 {
			continue
		}
		g.clock.Set(g.at(in.ArrivalDate, 14, i%50))
		leader := []string{g.cast.Chairman, g.cast.ViceChairman, "p-pct2"}[g.r.IntN(3)]
		u := units[1+g.r.IntN(len(units)-1)]
		staff := g.byUnit[u.id]
		deadline := in.DueDate
		if deadline == "" {
			deadline = addDays(in.ArrivalDate, 7+g.r.IntN(14))
		}
		chuTri := staff[2+g.r.IntN(2)]
		as := []docstore.AssignmentInput{{Kind: "person", Assignee: chuTri.ID, Role: "chu_tri", Deadline: deadline}}
		if sec == docstore.SecrecyNone {
			as = append(as, docstore.AssignmentInput{Kind: "unit", Assignee: units[1+g.r.IntN(len(units)-1)].id, Role: "phoi_hop", Deadline: deadline})
			if as[1].Assignee == chuTri.UnitID {
				as = as[:1]
			}
			as = append(as, docstore.AssignmentInput{Kind: "person", Assignee: staff[0].ID, Role: "de_biet"})
		} else {
			as[0] = docstore.AssignmentInput{Kind: "person", Assignee: staff[0].ID, Role: "chu_tri", Deadline: deadline} // cleared unit head
		}
		comment := []string{"Giao " + u.name + " chủ trì, tham mưu UBND thành phố.", "Đề nghị xử lý đúng hạn, báo cáo kết quả.", "Chuyển " + u.name + " nghiên cứu, đề xuất."}[g.r.IntN(3)]
		if _, err := g.st.Direct(ctx, leader, docstore.Direction{DocID: res.DocID, Comment: comment, Assignments: as}); err != nil {
			return fmt.Errorf("direct %d: %w", i, err)
		}
		work, err := g.st.Assignments(ctx, leader, res.DocID)
		if err != nil {
			return err
		}
		main := work[0]
		// Older work is mostly done; recent work is in progress or waiting.
		age := daysBetween(in.ArrivalDate, today)
		switch p := g.r.IntN(100); {
		case age > 25 && p < 80, age > 10 && p < 50:
			g.clock.Set(g.at(addDays(in.ArrivalDate, 1), 9, 0))
			if err := g.st.AcceptAssignment(ctx, main.Assignee, main.ID); err != nil {
				return err
			}
			done := addDays(in.ArrivalDate, 2+g.r.IntN(20))
			if done > today {
				done = today
			}
			g.clock.Set(g.at(done, 16, 0))
			if err := g.st.CompleteAssignment(ctx, main.Assignee, main.ID); err != nil {
				return err
			}
			// The supporting unit has done its part too: one of its staff
			// takes and finishes the phối hợp line.
			for _, w := range work[1:] {
				if w.Role != "phoi_hop" || w.Kind != "unit" {
					continue
				}
				member := g.byUnit[w.Assignee][2].ID
				if err := g.st.AcceptAssignment(ctx, member, w.ID); err != nil {
					return err
				}
				if err := g.st.CompleteAssignment(ctx, member, w.ID); err != nil {
					return err
				}
			}
		case p < 65:
			g.clock.Set(g.at(addDays(in.ArrivalDate, 1), 9, 0))
			if err := g.st.AcceptAssignment(ctx, main.Assignee, main.ID); err != nil {
				return err
			}
		case p < 68:
			g.clock.Set(g.at(addDays(in.ArrivalDate, 1), 9, 0))
			if err := g.st.ReturnAssignment(ctx, main.Assignee, main.ID, "Nội dung không thuộc lĩnh vực phòng phụ trách, đề nghị giao đơn vị khác."); err != nil {
				return err
			}
		}
	}
	return nil
}

func addDays(day string, n int) string {
	t, _ := time.Parse("2006-01-02", day)
	return t.AddDate(0, 0, n).Format("2006-01-02")
}

func daysBetween(a, b string) int {
	ta, _ := time.Parse("2006-01-02", a)
	tb, _ := time.Parse("2006-01-02", b)
	return int(tb.Sub(ta).Hours() / 24)
}

// drafts walks drafts through the approval flow; the state each one stops
// in is drawn so every state is present and most are issued.
func (g *gen) drafts(ctx context.Context) error {
	year := g.cfg.Today.Year()
	from := time.Date(year, 1, 3, 0, 0, 0, 0, vn)
	span := int(g.cfg.Today.Sub(from).Hours() / 24)
	adminTypes := []string{"CV", "CV", "CV", "QD", "QD", "KH", "TB", "BC", "GM", "TTR", "CT", "HD"}
	for i := 0; i < g.cfg.Drafts; i++ {
		day := from.AddDate(0, 0, i*span/max(g.cfg.Drafts, 1))
		ds := day.Format("2006-01-02")
		u := units[g.r.IntN(len(units))]
		staff := g.byUnit[u.id]
		author := staff[2+g.r.IntN(2)]
		head := staff[0]
		typ := adminTypes[g.r.IntN(len(adminTypes))]
		sec := docstore.SecrecyNone
		if i%40 == 7 {
			sec, author = docstore.SecrecyMat, head // secret drafts by a cleared unit head
		}
		g.clock.Set(g.at(ds, 8, 30))
		subj := g.subject(typ, year)
		ref, err := g.st.Blobs().Put(bytes.NewReader(fakePDF("Dự thảo", subj)))
		if err != nil {
			return err
		}
		id, err := g.st.CreateDraft(ctx, author.ID, docstore.NewDraft{Type: typ, Subject: subj, Secrecy: sec,
			File: docstore.Attachment{SHA256: ref.SHA256, Name: "du-thao-" + fmt.Sprint(i+1) + ".docx", Size: ref.Size}})
		if err != nil {
			return fmt.Errorf("draft %d: %w", i, err)
		}
		// Most drafts reach issue; some stop on the way; the last eight
		// stop one in each state, so every screen has something to show.
		stop := 7
		if g.r.IntN(8) == 0 {
			stop = g.r.IntN(7)
		}
		if last := g.cfg.Drafts - 1 - i; last < 8 {
			stop = last
		}
		if stop == 0 {
			continue
		}
		if stop == 1 {
			g.clock.Add(time.Hour)
			if err := g.st.CancelDraft(ctx, author.ID, id); err != nil {
				return err
			}
			continue
		}
		approver := []string{g.cast.Chairman, g.cast.ViceChairman, "p-pct2"}[g.r.IntN(3)]
		if sec > docstore.SecrecyNone {
			approver = g.cast.Chairman
		}
		initialer := ""
		if author.ID != head.ID && (stop == 2 || g.r.IntN(3) > 0) {
			initialer = head.ID
		}
		g.clock.Add(time.Hour)
		if err := g.st.SubmitDraft(ctx, author.ID, id, approver, initialer); err != nil {
			return fmt.Errorf("submit %d: %w", i, err)
		}
		if stop == 2 {
			continue
		}
		if initialer != "" {
			g.clock.Add(2 * time.Hour)
			if err := g.st.InitialDraft(ctx, initialer, id, ""); err != nil {
				return err
			}
		}
		if stop == 3 {
			continue
		}
		if stop == 4 || g.r.IntN(6) == 0 { // returned once, fixed, resubmitted
			g.clock.Add(3 * time.Hour)
			if err := g.st.ReturnDraft(ctx, approver, id, "Đề nghị bổ sung căn cứ pháp lý và số liệu năm trước."); err != nil {
				return err
			}
			if stop == 4 {
				continue
			}
			g.clock.Add(20 * time.Hour)
			ref2, _ := g.st.Blobs().Put(bytes.NewReader(fakePDF("Dự thảo lần 2", subj)))
			if _, err := g.st.AddDraftVersion(ctx, author.ID, id, docstore.Attachment{SHA256: ref2.SHA256, Name: "du-thao-" + fmt.Sprint(i+1) + "-v2.docx", Size: ref2.Size}, "Đã bổ sung theo ý kiến lãnh đạo", ""); err != nil {
				return err
			}
			if err := g.st.SubmitDraft(ctx, author.ID, id, approver, ""); err != nil {
				return err
			}
		}
		g.clock.Add(4 * time.Hour)
		if err := g.st.ApproveDraft(ctx, approver, id, ""); err != nil {
			return fmt.Errorf("approve %d: %w", i, err)
		}
		if stop == 5 {
			continue
		}
		// A People's Committee is a collective: the chairman signs TM. (on
		// its behalf), a vice-chairman KT. (for the chairman).
		auth, title := "KT.", "PHÓ CHỦ TỊCH"
		if approver == g.cast.Chairman {
			auth, title = "TM.", "CHỦ TỊCH"
		}
		if err := g.st.SignDraft(ctx, approver, id, auth, title); err != nil {
			return err
		}
		if stop == 6 {
			continue
		}
		g.clock.Add(30 * time.Minute)
		reg, clerk := g.cast.OutgoingRegister, g.cast.Clerk
		if sec > docstore.SecrecyNone {
			reg, clerk = g.cast.SecretOutgoing, g.cast.SecretClerk
		}
		source := docstore.SourceElectronic
		if g.r.IntN(3) == 0 { // still about a third on paper, signed by hand and sealed
			source = docstore.SourcePaper
		}
		if _, err := g.st.IssueDraft(ctx, clerk, docstore.Issue{DraftID: id, RegisterID: reg, Source: source,
			Recipients: "- Như trên;\n- UBND tỉnh (để b/c);\n- Lưu: VT, " + u.abbr + ".", CopyHolder: u.name, Copies: 2 + g.r.IntN(8), Pages: 1 + g.r.IntN(6)}); err != nil {
			return fmt.Errorf("issue %d: %w", i, err)
		}
	}
	return nil
}

func fileName(notation string) string {
	b := []rune(notation)
	for i, r := range b {
		if r == '/' {
			b[i] = '-'
		}
	}
	return string(b)
}

// fakePDF is a minimal one-page PDF naming the document, so attachments
// open in a viewer.
func fakePDF(title, subject string) []byte {
	text := fmt.Sprintf("(%s) Tj", asciiOnly(title+" - "+subject))
	stream := "BT /F1 12 Tf 50 780 Td " + text + " ET"
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n")
	b.WriteString("3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n")
	fmt.Fprintf(&b, "4 0 obj<</Length %d>>stream\n%s\nendstream endobj\n", len(stream), stream)
	b.WriteString("5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	return b.Bytes()
}

func asciiOnly(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r < 128 && r != '(' && r != ')' && r != '\\' {
			out = append(out, r)
		}
	}
	return string(out)
}
