package docstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A register view is a register filtered and/or sorted otherwise than
// newest number first. The store answers it with the ordered list of the
// matching documents' rowids only (8 bytes a row: 8 MB for a million), and
// the window then reads the rows it shows a page at a time by rowid
// (DocumentsByRowid). The unfiltered, newest-first register keeps its
// keyset paging (ListRegister): no list is built for it.
//
// How a view is computed (see docs in migrations/0003_register_view.sql):
//
//  1. The candidates: the register's documents that pass the filters, in
//     number order, from one index-only scan of documents_view (it holds
//     every filtered column, keyed by register and number), or — with a
//     handler — from that person's assignments (a small set, looked up by
//     document id).
//  2. The order: by number, that is the order of step 1; by độ khẩn, a
//     counting sort of step 1 (its rows carry their urgency); by a date,
//     issuer or số ký hiệu, a scan of an index already in that order
//     (documents_by_doc_date, documents_by_arrival, documents_dup) keeping
//     the candidates — or, for a few thousand candidates, an SQL sort of
//     just those rows.
//
// Each step is one statement whose rows are folded into a single string by
// group_concat: handing a million rows one by one to database/sql costs
// about twice as much as the scan itself.

// RegisterFilter selects documents of a register; the zero value selects all.
type RegisterFilter struct {
	Type     string   // type code (DocType.Code); "" any
	Urgency  *Urgency // nil any
	Secrecy  *Secrecy // nil any; a level above the viewer's clearance matches nothing
	Status   string   // DocAwaiting, …; "" any
	DateFrom string   // YYYY-MM-DD, inclusive: ngày đến (incoming) or ngày văn bản (outgoing)
	DateTo   string   // YYYY-MM-DD, inclusive
	Handler  string   // person id: documents with an assignment to that person, any role
}

// Empty reports whether the filter selects every document.
func (f RegisterFilter) Empty() bool { return f == RegisterFilter{} }

// SortKey is a column a register can be sorted on.
type SortKey int

const (
	SortNumber   SortKey = iota // số đến / số (insertion order in a register numbered per type)
	SortArrival                 // ngày đến
	SortDocDate                 // ngày văn bản
	SortIssuer                  // tác giả / cơ quan ban hành, in folded order (marks and case ignored: "Đ" sorts as "d")
	SortNotation                // số, ký hiệu, in folded text order ("10/…" before "9/…")
	SortUrgency                 // độ khẩn
)

// RegisterSort is an order; ties follow the same direction by registration
// order, so reversing the direction reverses the whole list.
type RegisterSort struct {
	Key SortKey
	Asc bool
}

// DefaultSort is the register's own order: newest number first.
var DefaultSort = RegisterSort{Key: SortNumber}

// IsDefault reports whether the view needs no list (keyset paging serves it).
func (o RegisterSort) IsDefault() bool { return o == DefaultSort }

// RowID is the document's rowid, the key of DocumentsByRowid.
func (d DocumentRow) RowID() int64 { return d.rowid }

// smallView is the number of candidates up to which an order is computed by
// an SQL sort of those rows (a table lookup each) rather than by a scan of a
// whole index in that order.
// (A variable so the tests can take the big-view paths on a small store.)
var smallViewLimit = 20000

// RegisterView returns the rowids of the register's documents that pass f,
// in the order o — only those the viewer may see (a secret register only to
// the cleared, documents at most at their clearance).
func (s *Store) RegisterView(ctx context.Context, viewer, registerID string, f RegisterFilter, o RegisterSort) ([]int64, error) {
	v, r, err := s.viewerRegister(ctx, viewer, registerID)
	if err != nil {
		return nil, err
	}
	if f.Secrecy != nil && *f.Secrecy > v.clearance {
		return []int64{}, nil
	}
	// An ordinary register holds only unclassified documents (the reducer
	// refuses anything else), so the clearance needs checking only in a
	// secret one, for someone below tuyệt mật.
	restrict := r.Secret && v.clearance < SecrecyTuyet
	where, args := viewWhere(r, v, f, restrict, "d.")
	numberCol := "number"
	if r.PerType { // numbers repeat: the register's order is insertion order
		numberCol = "rowid"
	}
	dir := "DESC"
	if o.Asc {
		dir = "ASC"
	}

	// The unfiltered register sorted by a date: one scan of that index.
	if where == "" && f.Handler == "" && (o.Key == SortDocDate || o.Key == SortArrival) {
		return s.concatIDs(ctx, `SELECT group_concat(rowid) FROM (SELECT rowid FROM documents INDEXED BY `+dateIndex(o.Key)+`
			WHERE register_id = ? ORDER BY `+dateColumn(o.Key)+` `+dir+`, rowid `+dir+`)`, registerID)
	}

	// 1. The candidates, in number order (in the asked direction).
	expr := "d.rowid"
	if o.Key == SortUrgency {
		expr = "d.rowid * 4 + d.urgency" // carried along for the counting sort
	}
	var q string
	if f.Handler != "" {
		// The person's assignments drive: "+d." keeps the planner from
		// walking a date index of the whole register instead.
		where, args = viewWhere(r, v, f, restrict, "+d.")
		q = `SELECT group_concat(x) FROM (SELECT ` + expr + ` AS x FROM documents d
			WHERE d.id IN (SELECT document_id FROM assignments WHERE assignee_id = ? AND assignee_kind = 'person') AND +d.register_id = ?` +
			where + ` ORDER BY d.` + numberCol + ` ` + dir + `)`
		args = append([]any{f.Handler, registerID}, args...)
	} else {
		keyed := " AND d.counter_key = ''"
		if r.PerType {
			keyed = ""
		}
		q = `SELECT group_concat(x) FROM (SELECT ` + expr + ` AS x FROM documents d INDEXED BY documents_view
			WHERE d.register_id = ?` + keyed + where + ` ORDER BY d.` + numberCol + ` ` + dir + `)`
		args = append([]any{registerID}, args...)
	}
	cand, err := s.concatIDs(ctx, q, args...)
	if err != nil {
		return nil, err
	}

	// 2. The order.
	switch o.Key {
	case SortNumber:
		return cand, nil
	case SortUrgency:
		return urgencyOrder(cand, o.Asc), nil
	}
	if len(cand) == 0 {
		return cand, nil
	}
	if len(cand) <= smallViewLimit {
		return s.sortFew(ctx, cand, o)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	in := newRowSet(cand)
	switch o.Key {
	case SortDocDate, SortArrival:
		q := `SELECT group_concat(rowid) FROM (SELECT rowid FROM documents INDEXED BY ` + dateIndex(o.Key) + ` WHERE register_id = ?`
		args := []any{registerID}
		// A range on the sorted date is a range of that index.
		if dateColumn(o.Key) == rangeColumn(r) {
			if f.DateFrom != "" {
				q += ` AND ` + dateColumn(o.Key) + ` >= ?`
				args = append(args, f.DateFrom)
			}
			if f.DateTo != "" {
				q += ` AND ` + dateColumn(o.Key) + ` <= ?`
				args = append(args, f.DateTo)
			}
		}
		q += ` ORDER BY ` + dateColumn(o.Key) + ` ` + dir + `, rowid ` + dir + `)`
		all, err := s.concatIDs(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		return in.keep(all, len(cand)), nil
	case SortIssuer:
		// documents_dup is (issuer_fold, notation_fold, doc_date) over every
		// register: the issuer order, ties by số ký hiệu then date.
		all, err := s.concatIDs(ctx, `SELECT group_concat(rowid) FROM (SELECT rowid FROM documents INDEXED BY documents_dup
			ORDER BY issuer_fold `+dir+`, notation_fold `+dir+`, doc_date `+dir+`, rowid `+dir+`)`)
		if err != nil {
			return nil, err
		}
		return in.keep(all, len(cand)), nil
	case SortNotation:
		return s.notationOrder(ctx, in, len(cand), o.Asc)
	}
	return nil, fmt.Errorf("register view: unknown sort %d", o.Key)
}

// viewWhere is the filter as SQL conditions on d (each starting " AND ");
// col prefixes the columns ("d.", or "+d." to keep them from choosing an
// index).
func viewWhere(r *Register, v *viewerInfo, f RegisterFilter, restrict bool, col string) (string, []any) {
	var b strings.Builder
	var args []any
	add := func(cond string, arg any) {
		b.WriteString(" AND " + cond)
		args = append(args, arg)
	}
	if restrict {
		add(col+"secrecy <= ?", v.clearance)
	}
	if f.Type != "" {
		add(col+"type_code = ?", f.Type)
	}
	if f.Urgency != nil {
		add(col+"urgency = ?", *f.Urgency)
	}
	if f.Secrecy != nil {
		add(col+"secrecy = ?", *f.Secrecy)
	}
	if f.Status != "" {
		add(col+"status = ?", f.Status)
	}
	if f.DateFrom != "" {
		add(col+rangeColumn(r)+" >= ?", f.DateFrom)
	}
	if f.DateTo != "" {
		add(col+rangeColumn(r)+" <= ?", f.DateTo)
	}
	return b.String(), args
}

// rangeColumn is the date a date range applies to: ngày đến for incoming,
// ngày văn bản (the issue date) for outgoing.
func rangeColumn(r *Register) string {
	if r.Kind == KindIncoming {
		return "arrival_date"
	}
	return "doc_date"
}

func dateColumn(k SortKey) string {
	if k == SortArrival {
		return "arrival_date"
	}
	return "doc_date"
}

func dateIndex(k SortKey) string {
	if k == SortArrival {
		return "documents_by_arrival"
	}
	return "documents_by_doc_date"
}

// concatIDs runs a statement that returns one group_concat of integers and
// parses it. The text is read in place (RawBytes), not copied.
func (s *Store) concatIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("register view: %w", err)
	}
	defer rows.Close()
	out := []int64{}
	if rows.Next() {
		var raw sql.RawBytes
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("register view: %w", err)
		}
		if out, err = parseIDs(raw); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("register view: %w", err)
	}
	return out, nil
}

// parseIDs reads "12,7,3" (possibly negative numbers never occur).
func parseIDs(b []byte) ([]int64, error) {
	if len(b) == 0 {
		return []int64{}, nil
	}
	out := make([]int64, 0, len(b)/7+1)
	var n int64
	digits := false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n*10 + int64(c-'0')
			digits = true
		case c == ',' && digits:
			out = append(out, n)
			n, digits = 0, false
		default:
			return nil, fmt.Errorf("register view: bad id list near %q", c)
		}
	}
	if digits {
		out = append(out, n)
	}
	return out, nil
}

// urgencyOrder sorts rowid*4+urgency values by urgency (stable: within an
// urgency the number order of the input stays) and drops the urgency.
func urgencyOrder(xs []int64, asc bool) []int64 {
	var count [4]int
	for _, x := range xs {
		count[x&3]++
	}
	var start [4]int
	pos := 0
	for i := 0; i < 4; i++ {
		u := 3 - i // most urgent first
		if asc {
			u = i
		}
		start[u] = pos
		pos += count[u]
	}
	out := make([]int64, len(xs))
	for _, x := range xs {
		u := x & 3
		out[start[u]] = x >> 2
		start[u]++
	}
	return out
}

// sortFew orders a few thousand candidates by an SQL sort of just them.
func (s *Store) sortFew(ctx context.Context, cand []int64, o RegisterSort) ([]int64, error) {
	dir := "DESC"
	if o.Asc {
		dir = "ASC"
	}
	var order string
	switch o.Key {
	case SortDocDate, SortArrival:
		order = dateColumn(o.Key) + " " + dir
	case SortIssuer:
		order = "issuer_fold " + dir + ", notation_fold " + dir + ", doc_date " + dir
	case SortNotation:
		order = "notation_fold " + dir
	}
	list, err := json.Marshal(cand)
	if err != nil {
		return nil, err
	}
	return s.concatIDs(ctx, `SELECT group_concat(rowid) FROM (SELECT rowid FROM documents
		WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY `+order+`, rowid `+dir+`)`, string(list))
}

// notationOrder sorts many candidates by số ký hiệu: documents_dup holds the
// folded notation of every document, so one index-only scan reads them.
func (s *Store) notationOrder(ctx context.Context, in rowSet, n int, asc bool) ([]int64, error) {
	type keyed struct {
		rowid int64
		key   string
	}
	rows, err := s.r.QueryContext(ctx, `SELECT rowid, notation_fold FROM documents INDEXED BY documents_dup`)
	if err != nil {
		return nil, fmt.Errorf("register view: %w", err)
	}
	defer rows.Close()
	ks := make([]keyed, 0, n)
	for rows.Next() {
		var id int64
		var raw sql.RawBytes
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, err
		}
		if in.has(id) {
			ks = append(ks, keyed{id, string(raw)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("register view: %w", err)
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		c := strings.Compare(a.key, b.key)
		if c == 0 {
			c = cmpInt(a.rowid, b.rowid)
		}
		if !asc {
			c = -c
		}
		return c
	})
	out := make([]int64, len(ks))
	for i, k := range ks {
		out[i] = k.rowid
	}
	return out, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rowSet is a set of rowids as a bitmap over their range (a million rowids
// take 125 KB).
type rowSet struct {
	min  int64
	bits []uint64
}

func newRowSet(ids []int64) rowSet {
	if len(ids) == 0 {
		return rowSet{}
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	s := rowSet{min: lo, bits: make([]uint64, (hi-lo)/64+1)}
	for _, id := range ids {
		d := id - lo
		s.bits[d/64] |= 1 << (d % 64)
	}
	return s
}

func (s rowSet) has(id int64) bool {
	d := id - s.min
	if d < 0 || d/64 >= int64(len(s.bits)) {
		return false
	}
	return s.bits[d/64]&(1<<(d%64)) != 0
}

// keep returns the ids of all that are in the set, in the order of all.
func (s rowSet) keep(all []int64, n int) []int64 {
	out := make([]int64, 0, n)
	for _, id := range all {
		if s.has(id) {
			out = append(out, id)
		}
	}
	return out
}

// DocumentsByRowid returns the documents of rowids (a page: about 100), in
// the order given, leaving out any the viewer may not see — above their
// clearance or in a secret register they are not cleared for — or that do
// not exist. The rowids come from RegisterView, but are never trusted.
func (s *Store) DocumentsByRowid(ctx context.Context, viewer string, rowids []int64) ([]DocumentRow, error) {
	v, err := s.viewer(ctx, viewer)
	if err != nil {
		return nil, err
	}
	if len(rowids) == 0 {
		return []DocumentRow{}, nil
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range rowids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	rows, err := s.r.QueryContext(ctx, `SELECT `+docColumns+` FROM documents d JOIN registers r ON r.id = d.register_id
		WHERE d.rowid IN (SELECT value FROM json_each(?)) AND d.secrecy <= ? AND (r.secret = 0 OR ? >= 1)`,
		b.String(), v.clearance, v.clearance)
	if err != nil {
		return nil, fmt.Errorf("documents by rowid: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]DocumentRow, len(rowids))
	for rows.Next() {
		var d DocumentRow
		if err := scanDoc(rows, &d); err != nil {
			return nil, err
		}
		byID[d.rowid] = d
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]DocumentRow, 0, len(byID))
	for _, id := range rowids {
		if d, ok := byID[id]; ok {
			out = append(out, d)
		}
	}
	return out, nil
}
