package docstore

import (
	"context"
	"fmt"
	"strings"

	"congvu/docs-store/vntext"
)

// Mail search uses the rules of document search (search.go): the same
// folded and exact forms, the same tokenizer, the same query building, so a
// query finds a document and the e-mail it came in alike.

// maxMailIndexText caps what is indexed of one message (headers, attachment
// names and text).
const maxMailIndexText = 64 << 10

// mailIndexer gathers the text of one message's search row.
type mailIndexer struct {
	b     strings.Builder
	lower lowerMemo
}

// lowerMemo computes vntext.Lower a word at a time, remembering the words
// it has seen: mail repeats its words, and Lower decomposes and recomposes
// a whole text as soon as one word might carry an old tone placement
// ("hoạch" is enough), which made it half the cost of indexing a body.
// Lower works word by word (tone placement is per syllable, NFC and case
// per character), so the result is the same.
type lowerMemo map[string]string

const lowerMemoMax = 1 << 16 // distinct words kept; Vietnamese has fewer syllables

func (m *lowerMemo) of(text string) string {
	if *m == nil {
		*m = make(lowerMemo, 1024)
	}
	var b strings.Builder
	b.Grow(len(text))
	word := func(w string) {
		ascii := true
		for i := 0; i < len(w); i++ {
			if w[i] >= 0x80 {
				ascii = false
				break
			}
		}
		if ascii {
			for i := 0; i < len(w); i++ {
				c := w[i]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				b.WriteByte(c)
			}
			return
		}
		l, ok := (*m)[w]
		if !ok {
			l = vntext.Lower(w)
			if len(*m) < lowerMemoMax {
				(*m)[strings.Clone(w)] = l
			}
		}
		b.WriteString(l)
	}
	start := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case ' ', '\n', '\t', '\r':
			word(text[start:i])
			b.WriteByte(text[i])
			start = i + 1
		}
	}
	word(text[start:])
	return b.String()
}

func (ix *mailIndexer) reset() { ix.b.Reset() }

func (ix *mailIndexer) add(s string) {
	if s == "" || ix.b.Len() >= maxMailIndexText {
		return
	}
	if ix.b.Len() > 0 {
		ix.b.WriteString(" \u2029 ") // a separator so phrases do not run across fields
	}
	ix.b.WriteString(capUTF8(s, maxMailIndexText-ix.b.Len()))
}

func (ix *mailIndexer) addrs(as []MailAddress) {
	for _, a := range as {
		ix.add(a.Name)
		ix.add(a.Addr)
	}
}

// header adds what the headers pass knows: subject, From/To/Cc names and
// addresses, attachment names.
func (ix *mailIndexer) header(subject string, from, to, cc []MailAddress, atts []string) {
	ix.add(subject)
	ix.addrs(from)
	ix.addrs(to)
	ix.addrs(cc)
	for _, a := range atts {
		ix.add(a)
	}
}

// forms are the folded and the exact form of the gathered text.
func (ix *mailIndexer) forms() (folded, exact string) {
	text := capUTF8(ix.b.String(), maxMailIndexText)
	return vntext.Fold(text), ix.lower.of(text)
}

func (ix *mailIndexer) write(tx *wtx, rowid int64, replace bool) error {
	folded, exact := ix.forms()
	return writeMailIndex(tx, rowid, replace, folded, exact)
}

func writeMailIndex(tx *wtx, rowid int64, replace bool, folded, exact string) error {
	if replace {
		if _, err := tx.Exec(`DELETE FROM mail_fts WHERE rowid = ?`, rowid); err != nil {
			return err
		}
	}
	_, err := tx.Exec(`INSERT INTO mail_fts(rowid, folded, exact) VALUES (?, ?, ?)`, rowid, folded, exact)
	return err
}

// SearchMail finds cached messages, newest first (by rowid: the order they
// were cached in, which follows the UIDs). Like document search it never
// ranks or counts the whole match set: FTS5 walks its doclists backwards and
// stops at the limit. A query with marks lists the messages that match the
// words with those marks first, then the other accent-insensitive matches
// ("nguyen van a" finds "Nguyễn Văn A"; "Ánh" finds Ánh before Anh).
func (s *Store) SearchMail(ctx context.Context, text string, limit int) ([]MailHit, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	text = vntext.NFC(text)
	folded := matchExpr("folded", text, vntext.Fold)
	if folded == "" {
		return nil, fmt.Errorf("search mail: %w", invalid("text", "required"))
	}
	var hits []MailHit
	if vntext.HasMarks(text) {
		var err error
		if hits, err = s.searchMailFTS(ctx, matchExpr("exact", text, vntext.Lower), nil, limit, true); err != nil {
			return nil, err
		}
	}
	if len(hits) < limit {
		seen := make([]int64, len(hits))
		for i, h := range hits {
			seen[i] = h.Rowid
		}
		more, err := s.searchMailFTS(ctx, folded, seen, limit-len(hits), false)
		if err != nil {
			return nil, err
		}
		hits = append(hits, more...)
	}
	if hits == nil {
		hits = []MailHit{}
	}
	return hits, nil
}

const mailSearchQuery = `SELECT ` + mailRowCols + `, f.name FROM mail_fts x
	JOIN mail_messages m ON m.rowid = x.rowid JOIN mail_folders f ON f.id = m.folder_id
	WHERE mail_fts MATCH ? AND x.rowid NOT IN (SELECT value FROM json_each(?)) ORDER BY x.rowid DESC LIMIT ?`

func (s *Store) searchMailFTS(ctx context.Context, expr string, exclude []int64, limit int, exact bool) ([]MailHit, error) {
	rows, err := s.r.QueryContext(ctx, mailSearchQuery, expr, idList(exclude), limit)
	out, err := scanAll(rows, err, func(sc rowScanner, h *MailHit) error {
		h.ExactMarks = exact
		return scanMailRow(sc, &h.MailRow, &h.FolderName)
	})
	if err != nil {
		return nil, fmt.Errorf("search mail: %w", err)
	}
	return out, nil
}

// addrCounts gathers the addresses of a batch of new messages, so each
// distinct address costs one upsert of mail_addresses per batch.
type addrCounts map[string]*addrCount

type addrCount struct {
	addr, name string
	n          int
}

func (c addrCounts) add(lists ...[]MailAddress) {
	for _, l := range lists {
		for _, a := range l {
			if a.Addr == "" || !strings.Contains(a.Addr, "@") {
				continue
			}
			k := strings.ToLower(a.Addr)
			e := c[k]
			if e == nil {
				e = &addrCount{addr: a.Addr}
				c[k] = e
			}
			e.n++
			if a.Name != "" && !strings.EqualFold(a.Name, a.Addr) {
				e.name = a.Name
			}
		}
	}
}

// addressKeys is what a completion prefix is matched against: each word of
// the folded name, then the address, after a space each.
func addressKeys(name, addrKey string) string {
	var b strings.Builder
	for _, t := range tokens(vntext.Fold(name)) {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	b.WriteByte(' ')
	b.WriteString(vntext.Fold(addrKey))
	return b.String()
}

func (c addrCounts) save(tx *wtx) error {
	for k, e := range c {
		if _, err := tx.Exec(`INSERT INTO mail_addresses(addr_key, addr, name, keys, n) VALUES (?,?,?,?,?)
			ON CONFLICT(addr_key) DO UPDATE SET n = n + excluded.n,
				name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END,
				keys = CASE WHEN excluded.name <> '' THEN excluded.keys ELSE keys END`,
			k, e.addr, e.name, addressKeys(e.name, k), e.n); err != nil {
			return err
		}
	}
	return nil
}

const mailAddressesQuery = `SELECT addr, name FROM mail_addresses WHERE (keys LIKE ? ESCAPE '\' OR keys LIKE ? ESCAPE '\') ORDER BY n DESC LIMIT ?`

// MailAddresses completes an address in the composer: the addresses seen in
// From, To and Cc whose name has a word starting with prefix, or whose
// address starts with it (marks and case ignored), most frequent first.
func (s *Store) MailAddresses(ctx context.Context, prefix string, limit int) ([]MailAddress, error) {
	if limit <= 0 || limit > 1000 {
		limit = 20
	}
	folded := vntext.Fold(vntext.NFC(prefix))
	// Words of a name are matched by their letters ("v." finds "V. A"), an
	// address as typed ("chuyenvien@so").
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	raw := "% " + esc.Replace(strings.Join(strings.Fields(folded), " ")) + "%"
	words := raw
	if ts := tokens(folded); len(ts) > 0 || raw == "% %" {
		words = "% " + strings.Join(ts, " ") + "%"
	}
	rows, err := s.r.QueryContext(ctx, mailAddressesQuery, words, raw, limit)
	out, err := scanAll(rows, err, func(sc rowScanner, a *MailAddress) error {
		return sc.Scan(&a.Addr, &a.Name)
	})
	if err != nil {
		return nil, fmt.Errorf("mail addresses: %w", err)
	}
	return out, nil
}
