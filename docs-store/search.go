package docstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"congvu/docs-store/vntext"
)

// indexDoc writes the search row of a document from the database state:
// trích yếu, số ký hiệu, issuer, type name, recipients, signer, notes,
// attachment names and the people and units it is assigned to.
func indexDoc(tx *wtx, rowid int64, replace bool) error {
	var (
		rid                                                                  int64
		kind, typ, notation, issuer, subject, recipients, note, signer, copy string
		urgency, secrecy                                                     int
		docID                                                                string
	)
	err := tx.QueryRow(`SELECT r.rid, d.kind, d.type_code, d.notation, d.issuer, d.subject, d.recipients, d.note, d.signer, d.copy_holder,
		d.urgency, d.secrecy, d.id FROM documents d JOIN registers r ON r.id = d.register_id WHERE d.rowid = ?`, rowid).
		Scan(&rid, &kind, &typ, &notation, &issuer, &subject, &recipients, &note, &signer, &copy, &urgency, &secrecy, &docID)
	if err != nil {
		return fmt.Errorf("index document %d: %w", rowid, err)
	}
	t, _ := LookupDocType(typ)
	parts := []string{t.Name, subject, notation, issuer, recipients, note, signer, copy}
	rows, err := tx.Query(`SELECT name FROM attachments WHERE document_id = ?
		UNION ALL SELECT coalesce(p.full_name, u.name, '') FROM assignments a
			LEFT JOIN people p ON a.assignee_kind = 'person' AND p.id = a.assignee_id
			LEFT JOIN units u ON a.assignee_kind = 'unit' AND u.id = a.assignee_id
		WHERE a.document_id = ?
		UNION ALL SELECT comment FROM directions WHERE document_id = ?`, docID, docID, docID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		parts = append(parts, n)
	}
	rows.Close()
	return writeIndex(tx, rowid, replace, parts, facets(rid, typ, urgency, secrecy, kind))
}

// facets are the synthetic tokens of the static filters.
func facets(rid int64, typ string, urgency, secrecy int, kind string) string {
	return fmt.Sprintf("zr%d zt%s zu%d zs%d zk%s", rid, strings.ToLower(typ), urgency, secrecy, kind)
}

// writeIndex stores the folded and exact forms of a document's text.
func writeIndex(tx *wtx, rowid int64, replace bool, parts []string, facets string) error {
	text := strings.Join(parts, " \u2029 ") // a separator so phrases do not run across fields
	if replace {
		if _, err := tx.Exec(`DELETE FROM doc_fts WHERE rowid = ?`, rowid); err != nil {
			return err
		}
	}
	_, err := tx.Exec(`INSERT INTO doc_fts(rowid, folded, exact, facets) VALUES (?, ?, ?, ?)`, rowid, vntext.Fold(text), vntext.Lower(text), facets)
	return err
}

// Query is a search over the documents the viewer may see.
type Query struct {
	Text       string
	RegisterID string
	Type       string
	Urgency    *Urgency
	Secrecy    *Secrecy
	Kind       string // den | di
	Status     string
	DateFrom   string // on ngày đến (incoming) or ngày văn bản (outgoing)
	DateTo     string
	Assignee   string // person id
	Limit      int    // default 50
}

// Hit is one search result.
type Hit struct {
	DocumentRow
	ExactMarks bool // matched the words with their marks as typed
}

// tokens splits text the way FTS5's unicode61 tokenizer does: runs of
// letters and digits.
func tokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// matchExpr builds "col : (phrase phrase …)": each typed word becomes a
// phrase of its tokens, so 15/QĐ-UBND matches the sequence 15 qd ubnd.
func matchExpr(col, text string, norm func(string) string) string {
	var phrases []string
	for _, w := range strings.Fields(text) {
		ts := tokens(norm(w))
		if len(ts) == 0 {
			continue
		}
		phrases = append(phrases, `"`+strings.Join(ts, " ")+`"`)
	}
	if len(phrases) == 0 {
		return ""
	}
	return col + " : (" + strings.Join(phrases, " ") + ")"
}

// Search finds documents newest first. It never ranks or counts the whole
// match set: FTS5 walks its doclists in descending rowid and stops at the
// limit. When the query carries marks, the documents matching the words with
// those marks come first (Ánh before the far more common Anh), then the
// rest of the accent-insensitive matches.
func (s *Store) Search(ctx context.Context, viewer string, q Query) ([]Hit, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 50
	}
	text := vntext.NFC(q.Text)
	var rid int64 // an unknown register matches nothing (zr0)
	if q.RegisterID != "" {
		if err := s.r.QueryRowContext(ctx, `SELECT rid FROM registers WHERE id = ?`, q.RegisterID).Scan(&rid); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	facets := q.facetExpr(v, rid)
	folded := matchExpr("folded", text, vntext.Fold)
	var hits []Hit
	if vntext.HasMarks(text) {
		exact := matchExpr("exact", text, vntext.Lower)
		hits, err = s.searchFTS(ctx, q, join(exact, facets), nil, q.Limit, true)
		if err != nil {
			return nil, err
		}
	}
	if len(hits) < q.Limit {
		expr := join(folded, facets)
		if expr == "" {
			return nil, invalid("text", "required")
		}
		var seen []int64
		for _, h := range hits {
			seen = append(seen, h.rowid)
		}
		more, err := s.searchFTS(ctx, q, expr, seen, q.Limit-len(hits), false)
		if err != nil {
			return nil, err
		}
		hits = append(hits, more...)
	}
	return hits, nil
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// facetExpr turns the static filters, and the viewer's clearance, into FTS
// terms: AND facets : zr3 … NOT facets : (zs2 OR zs3).
func (q Query) facetExpr(v *viewerInfo, registerRID int64) string {
	var must []string
	if q.RegisterID != "" {
		must = append(must, fmt.Sprintf("zr%d", registerRID))
	}
	if q.Type != "" {
		must = append(must, "zt"+strings.ToLower(tokensJoin(q.Type)))
	}
	if q.Urgency != nil {
		must = append(must, fmt.Sprintf("zu%d", *q.Urgency))
	}
	if q.Secrecy != nil {
		must = append(must, fmt.Sprintf("zs%d", *q.Secrecy))
	}
	if q.Kind != "" {
		must = append(must, "zk"+tokensJoin(q.Kind))
	}
	var expr string
	if len(must) > 0 {
		expr = "AND facets : (" + strings.Join(must, " ") + ")"
	}
	var hidden []string
	for lvl := v.clearance + 1; lvl <= SecrecyTuyet; lvl++ {
		hidden = append(hidden, fmt.Sprintf("zs%d", lvl))
	}
	if len(hidden) > 0 {
		expr += " NOT facets : (" + strings.Join(hidden, " OR ") + ")"
	}
	return strings.TrimSpace(expr)
}

func tokensJoin(s string) string { return strings.Join(tokens(s), "") }

func (s *Store) searchFTS(ctx context.Context, q Query, expr string, exclude []int64, limit int, exact bool) ([]Hit, error) {
	expr = strings.TrimPrefix(expr, "AND ")
	if strings.HasPrefix(expr, "NOT ") { // a pure filter: match every document first
		expr = "facets : (zkden OR zkdi) " + expr
	}
	where := []string{"doc_fts MATCH ?"}
	args := []any{expr}
	if q.Status != "" {
		where = append(where, "d.status = ?")
		args = append(args, q.Status)
	}
	if q.DateFrom != "" {
		where = append(where, "(CASE d.kind WHEN 'den' THEN d.arrival_date ELSE d.doc_date END) >= ?")
		args = append(args, q.DateFrom)
	}
	if q.DateTo != "" {
		where = append(where, "(CASE d.kind WHEN 'den' THEN d.arrival_date ELSE d.doc_date END) <= ?")
		args = append(args, q.DateTo)
	}
	if q.Assignee != "" {
		where = append(where, `EXISTS (SELECT 1 FROM assignments a WHERE a.document_id = d.id AND a.assignee_kind = 'person' AND a.assignee_id = ?)`)
		args = append(args, q.Assignee)
	}
	if len(exclude) > 0 {
		where = append(where, "f.rowid NOT IN ("+strings.TrimSuffix(strings.Repeat("?,", len(exclude)), ",")+")")
		for _, r := range exclude {
			args = append(args, r)
		}
	}
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+docColumns+` FROM doc_fts f JOIN documents d ON d.rowid = f.rowid
		WHERE `+strings.Join(where, " AND ")+` ORDER BY f.rowid DESC LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		if err := scanDoc(rows, &h.DocumentRow); err != nil {
			return nil, err
		}
		h.ExactMarks = exact
		out = append(out, h)
	}
	return out, rows.Err()
}

// LikeScan is the naive search a plain LIKE '%…%' over the subject gives,
// kept for the benchmark's comparison only.
func (s *Store) LikeScan(ctx context.Context, text string, limit int) (int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT rowid FROM documents WHERE subject LIKE ? ORDER BY rowid DESC LIMIT ?`, "%"+text+"%", limit)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	return n, rows.Err()
}
