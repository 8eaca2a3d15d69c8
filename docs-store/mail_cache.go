package docstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"congvu/docs-store/vntext"
)

// The mailbox cache (see mail_types.go for the model and
// migrations/0004_mail.sql for the tables). Every write goes through
// mailWrite: one transaction under writeMu, never an event.

// defaultAutoDownloadMax is the size up to which a message body is fetched
// in the background when the account does not say (25 MB).
const defaultAutoDownloadMax = 25 << 20

// maxMailText caps the stored text of a message (MailBody.Text says 1 MB).
const maxMailText = 1 << 20

// mailWrite runs fn in one write transaction (BEGIN IMMEDIATE, under
// writeMu). durable: the transaction is committed with synchronous=FULL, so
// it is on disk when mailWrite returns, not only safe from a crash of the
// program (the store's NORMAL): the outbox, and the batches the sync engine
// builds on.
func (s *Store) mailWrite(ctx context.Context, op string, durable bool, fn func(*wtx) error) (err error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var sqltx *sql.Tx
	if durable {
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
			conn.Close()
			return fmt.Errorf("%s: %w", op, err)
		}
		defer func() {
			// Deferred before the Rollback below, so it runs after it.
			if _, rerr := conn.ExecContext(context.Background(), "PRAGMA synchronous = NORMAL"); rerr != nil {
				// Never hand a FULL connection back to the pool.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			conn.Close()
		}()
		sqltx, err = conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	} else {
		sqltx, err = s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	defer sqltx.Rollback()
	tx := &wtx{tx: sqltx, cache: s.stmts}
	if err := fn(tx); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	return nil
}

func notFound(what string, id any) error { return fmt.Errorf("%s %v: %w", what, id, ErrNotFound) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func secs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromSecs(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// ---- accounts ----

const mailAccountCols = `id, address, display_name, username, imap_host, imap_port, imap_security, smtp_host, smtp_port,
	smtp_security, ca_pem, credential_mode, auto_download_max, shared, position`

func scanMailAccount(sc rowScanner, a *MailAccount) error {
	return sc.Scan(&a.ID, &a.Address, &a.DisplayName, &a.Username, &a.IMAPHost, &a.IMAPPort, &a.IMAPSecurity,
		&a.SMTPHost, &a.SMTPPort, &a.SMTPSecurity, &a.CAPEM, &a.PasswordMode, &a.AutoDownloadMax, &a.Shared, &a.Position)
}

// MailAccounts lists the accounts in the folder pane's order.
func (s *Store) MailAccounts(ctx context.Context) ([]MailAccount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mailAccountCols+` FROM mail_accounts ORDER BY position, address_key`)
	out, err := scanAll(rows, err, scanMailAccount)
	if err != nil {
		return nil, fmt.Errorf("mail accounts: %w", err)
	}
	return out, nil
}

// MailAccount returns one account; ErrNotFound when there is none.
func (s *Store) MailAccount(ctx context.Context, id string) (MailAccount, error) {
	var a MailAccount
	err := scanMailAccount(s.r.QueryRowContext(ctx, `SELECT `+mailAccountCols+` FROM mail_accounts WHERE id = ?`, id), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("mail account", id)
	}
	if err != nil {
		return a, fmt.Errorf("mail account: %w", err)
	}
	return a, nil
}

// normalizeMailAccount trims and NFCs every string and fills the defaults.
func normalizeMailAccount(a *MailAccount) {
	for _, p := range []*string{&a.Address, &a.DisplayName, &a.Username, &a.IMAPHost, &a.IMAPSecurity,
		&a.SMTPHost, &a.SMTPSecurity, &a.CAPEM, &a.PasswordMode} {
		*p = strings.TrimSpace(vntext.NFC(*p))
	}
	a.IMAPHost = strings.ToLower(a.IMAPHost)
	a.SMTPHost = strings.ToLower(a.SMTPHost)
	a.IMAPSecurity = strings.ToLower(a.IMAPSecurity)
	a.SMTPSecurity = strings.ToLower(a.SMTPSecurity)
	a.PasswordMode = strings.ToLower(a.PasswordMode)
	if a.Username == "" {
		a.Username = a.Address
	}
	if a.PasswordMode == "" {
		a.PasswordMode = PasswordKeyring
	}
	a.IMAPPort, a.IMAPSecurity = portDefaults(a.IMAPPort, a.IMAPSecurity, 993, 143)
	a.SMTPPort, a.SMTPSecurity = portDefaults(a.SMTPPort, a.SMTPSecurity, 465, 587)
	if a.AutoDownloadMax < 0 {
		a.AutoDownloadMax = 0
	}
}

// portDefaults: no port → the usual one for the security (implicit TLS when
// neither is given); no security → implicit TLS on the TLS port, else
// STARTTLS.
func portDefaults(port int, sec string, tlsPort, startTLSPort int) (int, string) {
	if port == 0 {
		switch sec {
		case SecurityStartTLS:
			port = startTLSPort
		case "", SecurityTLS:
			port = tlsPort
		}
	}
	if sec == "" {
		if port == 993 || port == 465 {
			sec = SecurityTLS
		} else {
			sec = SecurityStartTLS
		}
	}
	return port, sec
}

func validMailAddress(addr string) bool {
	if addr == "" || len(addr) > 320 || strings.ContainsFunc(addr, unicode.IsSpace) {
		return false
	}
	p, err := mail.ParseAddress(addr)
	if err != nil || p.Name != "" || p.Address != addr {
		return false
	}
	local, domain, ok := strings.Cut(addr, "@")
	return ok && local != "" && domain != "" && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// validHost accepts a DNS name (also an internationalised one), an IPv4
// address or a bracketed IPv6 one: letters, digits and -._:[] only, so a
// URL or an address typed by mistake is refused.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-._:[]", r) {
			return false
		}
	}
	return !strings.HasPrefix(h, ".") && !strings.HasPrefix(h, "-")
}

func validateMailAccount(a *MailAccount) error {
	var errs []error
	add := func(field, reason string) { errs = append(errs, invalid(field, reason)) }
	switch {
	case a.Address == "":
		add("address", "required")
	case !validMailAddress(a.Address):
		add("address", "format")
	}
	server := func(prefix, host string, port int, sec string) {
		switch {
		case host == "":
			add(prefix+"_host", "required")
		case !validHost(host):
			add(prefix+"_host", "format")
		}
		if port < 1 || port > 65535 {
			add(prefix+"_port", "range")
		}
		if sec != SecurityTLS && sec != SecurityStartTLS {
			add(prefix+"_security", "unknown")
		}
	}
	server("imap", a.IMAPHost, a.IMAPPort, a.IMAPSecurity)
	server("smtp", a.SMTPHost, a.SMTPPort, a.SMTPSecurity)
	if a.PasswordMode != PasswordKeyring && a.PasswordMode != PasswordAsk {
		add("password_mode", "unknown")
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// SaveMailAccount inserts (a.ID == "": a new id is assigned) or updates an
// account. Its strings are trimmed and put in NFC and the defaults filled
// in a itself, so the caller sees what was stored.
func (s *Store) SaveMailAccount(ctx context.Context, a *MailAccount) error {
	normalizeMailAccount(a)
	if err := validateMailAccount(a); err != nil {
		return fmt.Errorf("save mail account: %w", err)
	}
	insert := a.ID == ""
	id := a.ID
	if insert {
		id = s.newID()
	}
	err := s.mailWrite(ctx, "save mail account", true, func(tx *wtx) error {
		var other string
		err := tx.QueryRow(`SELECT id FROM mail_accounts WHERE address_key = ? AND id <> ?`, strings.ToLower(a.Address), id).Scan(&other)
		switch {
		case err == nil:
			return invalid("address", "duplicate")
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		args := []any{a.Address, strings.ToLower(a.Address), a.DisplayName, a.Username, a.IMAPHost, a.IMAPPort, a.IMAPSecurity,
			a.SMTPHost, a.SMTPPort, a.SMTPSecurity, a.CAPEM, a.PasswordMode, a.AutoDownloadMax, a.Shared, a.Position, id}
		if insert {
			_, err = tx.Exec(`INSERT INTO mail_accounts(address, address_key, display_name, username, imap_host, imap_port, imap_security,
				smtp_host, smtp_port, smtp_security, ca_pem, credential_mode, auto_download_max, shared, position, id)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
			return err
		}
		res, err := tx.Exec(`UPDATE mail_accounts SET address = ?, address_key = ?, display_name = ?, username = ?, imap_host = ?,
			imap_port = ?, imap_security = ?, smtp_host = ?, smtp_port = ?, smtp_security = ?, ca_pem = ?, credential_mode = ?,
			auto_download_max = ?, shared = ?, position = ? WHERE id = ?`, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("mail account", id)
		}
		return nil
	})
	if err == nil && insert {
		a.ID = id
	}
	return err
}

// DeleteMailAccount removes an account and everything cached for it: its
// folders, messages, their text and search rows, queued operations, links
// to documents and outbox. (Raw messages stay in the blob store.)
func (s *Store) DeleteMailAccount(ctx context.Context, id string) error {
	return s.mailWrite(ctx, "delete mail account", true, func(tx *wtx) error {
		if err := dropMessages(tx, `SELECT group_concat(m.rowid) FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
			WHERE f.account_id = ?`, id); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM mail_folders WHERE account_id = ?`, `DELETE FROM mail_ops WHERE account_id = ?`,
			`DELETE FROM mail_links WHERE account_id = ?`, `DELETE FROM mail_outbox WHERE account_id = ?`} {
			if _, err := tx.Exec(q, id); err != nil {
				return err
			}
		}
		res, err := tx.Exec(`DELETE FROM mail_accounts WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("mail account", id)
		}
		return nil
	})
}

// dropMessages deletes the messages whose rowids q (one group_concat)
// returns, with their text and search rows. Callers fix the counters.
func dropMessages(tx *wtx, q string, args ...any) error {
	var raw sql.NullString
	if err := tx.QueryRow(q, args...).Scan(&raw); err != nil {
		return err
	}
	ids, err := parseIDs([]byte(raw.String))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := deleteMailRow(tx, id); err != nil {
			return err
		}
	}
	return nil
}

func deleteMailRow(tx *wtx, rowid int64) error {
	for _, q := range []string{`DELETE FROM mail_fts WHERE rowid = ?`, `DELETE FROM mail_text WHERE rowid = ?`,
		`DELETE FROM mail_messages WHERE rowid = ?`} {
		if _, err := tx.Exec(q, rowid); err != nil {
			return err
		}
	}
	return nil
}

// ---- folders ----

const mailFolderCols = `id, account_id, name, delim, role, noselect, subscribed, uidvalidity, uidnext, highestmodseq,
	total, unread, synced_at`

func scanMailFolder(sc rowScanner, f *MailFolder) error {
	var synced int64
	if err := sc.Scan(&f.ID, &f.AccountID, &f.Name, &f.Delim, &f.Role, &f.NoSelect, &f.Subscribed, &f.UIDValidity,
		&f.UIDNext, &f.HighestModSeq, &f.Total, &f.Unread, &synced); err != nil {
		return err
	}
	f.SyncedAt = fromNanos(synced)
	return nil
}

// folderRank: INBOX, then the role folders in a fixed order, then the rest.
func folderRank(f MailFolder) int {
	switch f.Role {
	case FolderInbox:
		return 0
	case FolderDrafts:
		return 1
	case FolderSent:
		return 2
	case FolderArchive:
		return 3
	case FolderJunk:
		return 4
	case FolderTrash:
		return 5
	}
	return 6
}

// MailFolders lists an account's folders: INBOX, the role folders (drafts,
// sent, archive, junk, trash), then the others in Vietnamese order of name.
func (s *Store) MailFolders(ctx context.Context, accountID string) ([]MailFolder, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mailFolderCols+` FROM mail_folders WHERE account_id = ?`, accountID)
	out, err := scanAll(rows, err, scanMailFolder)
	if err != nil {
		return nil, fmt.Errorf("mail folders: %w", err)
	}
	keys := make(map[int64]string, len(out))
	for _, f := range out {
		keys[f.ID] = string(vntext.SortKey(f.Name))
	}
	slices.SortStableFunc(out, func(a, b MailFolder) int {
		if ra, rb := folderRank(a), folderRank(b); ra != rb {
			return ra - rb
		}
		if c := strings.Compare(keys[a.ID], keys[b.ID]); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

func (s *Store) mailFolderWhere(ctx context.Context, where string, args ...any) (MailFolder, error) {
	var f MailFolder
	err := scanMailFolder(s.r.QueryRowContext(ctx, `SELECT `+mailFolderCols+` FROM mail_folders WHERE `+where, args...), &f)
	if errors.Is(err, sql.ErrNoRows) {
		return f, notFound("mail folder", args)
	}
	if err != nil {
		return f, fmt.Errorf("mail folder: %w", err)
	}
	return f, nil
}

// MailFolder returns one folder; ErrNotFound when there is none.
func (s *Store) MailFolder(ctx context.Context, id int64) (MailFolder, error) {
	return s.mailFolderWhere(ctx, `id = ?`, id)
}

// MailFolderByName finds a folder by its IMAP name.
func (s *Store) MailFolderByName(ctx context.Context, accountID, name string) (MailFolder, error) {
	return s.mailFolderWhere(ctx, `account_id = ? AND name = ?`, accountID, name)
}

// MailFolderByRole finds the account's folder with a SPECIAL-USE role (the
// first by name when the server marks several).
func (s *Store) MailFolderByRole(ctx context.Context, accountID, role string) (MailFolder, error) {
	return s.mailFolderWhere(ctx, `account_id = ? AND role = ? ORDER BY name LIMIT 1`, accountID, normRole(role))
}

func normRole(r string) string { return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(r), `\`)) }

// SyncMailFolders records the folder list the server gave: new folders are
// added, known ones updated (by name), and those no longer listed deleted
// with their cached messages. It returns the folders as MailFolders does.
// A list equal to the cache's (every sync but the rare one) is only read:
// no write transaction.
func (s *Store) SyncMailFolders(ctx context.Context, accountID string, list []MailFolderInfo) ([]MailFolder, error) {
	if cur, err := s.MailFolders(ctx, accountID); err == nil && sameFolders(cur, list) {
		return cur, nil
	}
	err := s.mailWrite(ctx, "sync mail folders", false, func(tx *wtx) error {
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM mail_accounts WHERE id = ?`, accountID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return notFound("mail account", accountID)
		} else if err != nil {
			return err
		}
		listed := map[string]bool{}
		for _, fi := range list {
			if fi.Name == "" {
				return invalid("name", "required")
			}
			role := normRole(fi.Role)
			if role == "" && strings.EqualFold(fi.Name, "INBOX") {
				role = FolderInbox
			}
			listed[fi.Name] = true
			if _, err := tx.Exec(`INSERT INTO mail_folders(account_id, name, delim, role, noselect, subscribed) VALUES (?,?,?,?,?,?)
				ON CONFLICT(account_id, name) DO UPDATE SET delim = excluded.delim, role = excluded.role,
					noselect = excluded.noselect, subscribed = excluded.subscribed`,
				accountID, fi.Name, fi.Delim, role, fi.NoSelect, fi.Subscribed); err != nil {
				return err
			}
		}
		rows, err := tx.Query(`SELECT id, name FROM mail_folders WHERE account_id = ?`, accountID)
		if err != nil {
			return err
		}
		var gone []int64
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return err
			}
			if !listed[name] {
				gone = append(gone, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range gone {
			if err := dropMessages(tx, `SELECT group_concat(rowid) FROM mail_messages WHERE folder_id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM mail_folders WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.MailFolders(ctx, accountID)
}

// sameFolders: list names exactly the folders of cur, with the same
// attributes as SyncMailFolders would store them.
func sameFolders(cur []MailFolder, list []MailFolderInfo) bool {
	if len(list) == 0 || len(cur) != len(list) {
		return false
	}
	byName := make(map[string]MailFolderInfo, len(cur))
	for _, f := range cur {
		byName[f.Name] = f.MailFolderInfo
	}
	for _, fi := range list {
		role := normRole(fi.Role)
		if role == "" && strings.EqualFold(fi.Name, "INBOX") {
			role = FolderInbox
		}
		c, ok := byName[fi.Name]
		if !ok || c.Delim != fi.Delim || c.Role != role || c.NoSelect != fi.NoSelect || c.Subscribed != fi.Subscribed {
			return false
		}
		delete(byName, fi.Name) // a name listed twice must not match twice
	}
	return true
}

// SetMailFolderState records what the server said of a folder after a sync.
func (s *Store) SetMailFolderState(ctx context.Context, folderID int64, uidNext uint32, highestModSeq uint64) error {
	return s.mailWrite(ctx, "set mail folder state", false, func(tx *wtx) error {
		res, err := tx.Exec(`UPDATE mail_folders SET uidnext = ?, highestmodseq = ?, synced_at = ? WHERE id = ?`,
			uidNext, int64(highestModSeq), nanos(s.now()), folderID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("mail folder", folderID)
		}
		return nil
	})
}

// ResetMailFolder starts a folder again under a new UIDVALIDITY: its cached
// messages (with their text and search rows) are dropped, its UIDNEXT and
// HIGHESTMODSEQ forgotten. Links to documents stay: they are keyed by
// Message-ID and find the messages again when they are fetched anew.
func (s *Store) ResetMailFolder(ctx context.Context, folderID int64, uidValidity uint32) error {
	return s.mailWrite(ctx, "reset mail folder", false, func(tx *wtx) error {
		if err := dropMessages(tx, `SELECT group_concat(rowid) FROM mail_messages WHERE folder_id = ?`, folderID); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE mail_folders SET uidvalidity = ?, uidnext = 0, highestmodseq = 0, total = 0, unread = 0
			WHERE id = ?`, uidValidity, folderID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("mail folder", folderID)
		}
		return nil
	})
}

func bumpFolder(tx *wtx, folderID int64, dTotal, dUnread int) error {
	if dTotal == 0 && dUnread == 0 {
		return nil
	}
	_, err := tx.Exec(`UPDATE mail_folders SET total = total + ?, unread = unread + ? WHERE id = ?`, dTotal, dUnread, folderID)
	return err
}

// ---- messages ----

// folderCtx is what a batch needs to know of its folder.
type folderCtx struct {
	id          int64
	account     string
	name        string
	uidValidity uint32
	autoMax     int64
}

func loadFolderCtx(tx *wtx, id int64) (*folderCtx, error) {
	fc := &folderCtx{id: id}
	err := tx.QueryRow(`SELECT f.account_id, f.name, f.uidvalidity, a.auto_download_max FROM mail_folders f
		JOIN mail_accounts a ON a.id = f.account_id WHERE f.id = ?`, id).Scan(&fc.account, &fc.name, &fc.uidValidity, &fc.autoMax)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("mail folder", id)
	}
	if fc.autoMax <= 0 {
		fc.autoMax = defaultAutoDownloadMax
	}
	return fc, err
}

// Flags: system flags are case-insensitive in IMAP; they are kept in their
// usual spelling, the list sorted and without repeats, so two lists compare
// as strings.
var systemFlags = []string{`\Answered`, `\Deleted`, `\Draft`, `\Flagged`, `\Recent`, `\Seen`}

func canonFlag(f string) string {
	f = strings.TrimSpace(f)
	if strings.HasPrefix(f, `\`) {
		for _, sf := range systemFlags {
			if strings.EqualFold(f, sf) {
				return sf
			}
		}
	}
	return f
}

type flagSet struct {
	text                    string
	seen, flagged, answered bool
}

func makeFlags(fs []string) flagSet {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		if f = canonFlag(f); f != "" && !strings.ContainsAny(f, " \t\r\n") {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return flagSet{
		text:     strings.Join(out, " "),
		seen:     slices.Contains(out, `\Seen`),
		flagged:  slices.Contains(out, `\Flagged`),
		answered: slices.Contains(out, `\Answered`),
	}
}

func splitFlags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, " ")
}

// applyFlagOp adds or removes the space-separated flags of arg.
func applyFlagOp(flags []string, kind, arg string) []string {
	out := slices.Clone(flags)
	for _, f := range strings.Fields(arg) {
		f = canonFlag(f)
		out = slices.DeleteFunc(out, func(x string) bool { return strings.EqualFold(canonFlag(x), f) })
		if kind == MailOpAddFlags {
			out = append(out, f)
		}
	}
	return out
}

// pendingOps are the queued operations on a folder's messages: a change the
// server has not been told of yet must not be undone by what it reports
// meanwhile (a flag put back, a moved message fetched again).
type pendingOps struct {
	gone  map[uint32]bool        // moved or deleted
	flags map[uint32][][2]string // kind, arg in queue order
}

func loadPendingOps(tx *wtx, fc *folderCtx) (*pendingOps, error) {
	p := &pendingOps{}
	rows, err := tx.Query(`SELECT uid, kind, arg FROM mail_ops WHERE account_id = ? AND folder_name = ? AND uidvalidity = ? ORDER BY id`,
		fc.account, fc.name, fc.uidValidity)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid uint32
		var kind, arg string
		if err := rows.Scan(&uid, &kind, &arg); err != nil {
			return nil, err
		}
		switch kind {
		case MailOpMove, MailOpDelete:
			if p.gone == nil {
				p.gone = map[uint32]bool{}
			}
			p.gone[uid] = true
		case MailOpAddFlags, MailOpRemoveFlags:
			if p.flags == nil {
				p.flags = map[uint32][][2]string{}
			}
			p.flags[uid] = append(p.flags[uid], [2]string{kind, arg})
		}
	}
	return p, rows.Err()
}

func (p *pendingOps) overlay(uid uint32, flags []string) []string {
	for _, op := range p.flags[uid] {
		flags = applyFlagOp(flags, op[0], op[1])
	}
	return flags
}

// cachedRow is the part of a cached message a flag update needs.
type cachedRow struct {
	rowid  int64
	seen   bool
	flags  string
	modseq uint64
}

func uidList(uids []uint32) string {
	b := make([]byte, 0, len(uids)*7+2)
	b = append(b, '[')
	for i, u := range uids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, uint64(u), 10)
	}
	return string(append(b, ']'))
}

func cachedRows(tx *wtx, folderID int64, uids []uint32) (map[uint32]*cachedRow, error) {
	out := make(map[uint32]*cachedRow, len(uids))
	rows, err := tx.Query(`SELECT uid, rowid, seen, flags, modseq FROM mail_messages
		WHERE folder_id = ? AND uid IN (SELECT value FROM json_each(?))`, folderID, uidList(uids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var uid uint32
		var c cachedRow
		var modseq int64
		if err := rows.Scan(&uid, &c.rowid, &c.seen, &c.flags, &modseq); err != nil {
			return nil, err
		}
		c.modseq = uint64(modseq)
		out[uid] = &c
	}
	return out, rows.Err()
}

// updateFlags writes new flags of a cached row; it returns the change of
// the folder's unread count.
func updateFlags(tx *wtx, c *cachedRow, fl flagSet, modseq uint64) (int, error) {
	if c.flags == fl.text && c.modseq == modseq {
		return 0, nil
	}
	if _, err := tx.Exec(`UPDATE mail_messages SET flags = ?, seen = ?, flagged = ?, answered = ?, modseq = ? WHERE rowid = ?`,
		fl.text, fl.seen, fl.flagged, fl.answered, int64(modseq), c.rowid); err != nil {
		return 0, err
	}
	d := b2i(c.seen) - b2i(fl.seen)
	c.seen, c.flags, c.modseq = fl.seen, fl.text, modseq
	return d, nil
}

func normAddrs(as []MailAddress) []MailAddress {
	out := as[:0:0]
	for _, a := range as {
		a.Name = strings.TrimSpace(vntext.NFC(a.Name))
		a.Addr = strings.TrimSpace(a.Addr)
		if a.Addr == "" && a.Name == "" {
			continue
		}
		out = append(out, a)
	}
	return out
}

func jsonOrEmpty[T any](v []T) string {
	if len(v) == 0 {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON[T any](s string) []T {
	if s == "" {
		return nil
	}
	var v []T
	json.Unmarshal([]byte(s), &v)
	return v
}

func normMessageID(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	return strings.TrimSuffix(id, ">")
}

// preparedHeader is a header made ready for its row and search row: the
// work that needs no database, done beside the transaction (prepareHeaders).
type preparedHeader struct {
	subject, from, to, cc, replyTo, atts, msgID, inReplyTo string
	date, internal                                         int64
	folded, exact                                          string
	addrs                                                  [3][]MailAddress // From, To, Cc for mail_addresses
}

func prepareHeader(h *MailHeader, ix *mailIndexer) preparedHeader {
	p := preparedHeader{subject: vntext.NFC(h.Subject), msgID: normMessageID(h.MessageID), inReplyTo: strings.TrimSpace(h.InReplyTo),
		internal: secs(h.InternalDate), date: secs(h.Date)}
	if p.date == 0 {
		p.date = p.internal
	}
	from, to, cc := normAddrs(h.From), normAddrs(h.To), normAddrs(h.Cc)
	p.addrs = [3][]MailAddress{from, to, cc}
	p.from, p.to, p.cc, p.replyTo = jsonOrEmpty(from), jsonOrEmpty(to), jsonOrEmpty(cc), jsonOrEmpty(normAddrs(h.ReplyTo))
	atts := make([]string, 0, len(h.Attachments))
	for _, a := range h.Attachments {
		if a = strings.TrimSpace(vntext.NFC(a)); a != "" {
			atts = append(atts, a)
		}
	}
	p.atts = jsonOrEmpty(atts)
	ix.reset()
	ix.header(p.subject, from, to, cc, atts)
	p.folded, p.exact = ix.forms()
	return p
}

// prepareChunk is how many headers are prepared at a time.
const prepareChunk = 128

// prepareHeaders prepares hs on another goroutine, in chunks, in order: the
// folding, JSON and normalisation (a third of the cost of a header) run on
// the second core while SQLite writes the chunk before. The channel holds
// every chunk, so the goroutine never blocks, even when the transaction
// gives up early.
func prepareHeaders(hs []MailHeader) <-chan []preparedHeader {
	ch := make(chan []preparedHeader, (len(hs)+prepareChunk-1)/prepareChunk)
	go func() {
		defer close(ch)
		var ix mailIndexer
		for i := 0; i < len(hs); i += prepareChunk {
			n := min(prepareChunk, len(hs)-i)
			out := make([]preparedHeader, n)
			for j := range out {
				out[j] = prepareHeader(&hs[i+j], &ix)
			}
			ch <- out
		}
	}()
	return ch
}

// PutMailHeaders stores a batch of headers in one (durable) transaction.
// A UID not cached yet is inserted (BodyMissing, or BodyDeferred when larger
// than the account's automatic download cap) with its search row; a cached
// one only gets its flags and MODSEQ updated. The folder's counters follow.
func (s *Store) PutMailHeaders(ctx context.Context, folderID int64, hs []MailHeader) error {
	if len(hs) == 0 {
		return nil
	}
	uids := make([]uint32, len(hs))
	for i := range hs {
		if hs[i].UID == 0 {
			return fmt.Errorf("put mail headers: %w", invalid("uid", "range"))
		}
		uids[i] = hs[i].UID
	}
	prepared := prepareHeaders(hs)
	// The preparing goroutine reads hs: it must be done before the caller
	// gets hs back, also when the transaction gives up early.
	defer func() {
		for range prepared {
		}
	}()
	return s.mailWrite(ctx, "put mail headers", true, func(tx *wtx) error {
		fc, err := loadFolderCtx(tx, folderID)
		if err != nil {
			return err
		}
		ops, err := loadPendingOps(tx, fc)
		if err != nil {
			return err
		}
		cached, err := cachedRows(tx, folderID, uids)
		if err != nil {
			return err
		}
		var dTotal, dUnread int
		seen := addrCounts{}
		var chunk []preparedHeader
		for i := range hs {
			if i%prepareChunk == 0 {
				chunk = <-prepared
			}
			h, p := &hs[i], &chunk[i%prepareChunk]
			fl := makeFlags(ops.overlay(h.UID, h.Flags))
			if c := cached[h.UID]; c != nil {
				d, err := updateFlags(tx, c, fl, h.ModSeq)
				if err != nil {
					return err
				}
				dUnread += d
				continue
			}
			if ops.gone[h.UID] {
				continue
			}
			state := BodyMissing
			if h.Size > fc.autoMax {
				state = BodyDeferred
			}
			res, err := tx.Exec(`INSERT INTO mail_messages(folder_id, uid, modseq, flags, seen, flagged, answered, internal_date, date, size,
				subject, from_addrs, to_addrs, cc_addrs, reply_to, message_id, in_reply_to, attachments, state)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
				folderID, h.UID, int64(h.ModSeq), fl.text, fl.seen, fl.flagged, fl.answered, p.internal, p.date, h.Size,
				p.subject, p.from, p.to, p.cc, p.replyTo, p.msgID, p.inReplyTo, p.atts, state)
			if err != nil {
				return err
			}
			rowid, err := res.LastInsertId()
			if err != nil {
				return err
			}
			if err := writeMailIndex(tx, rowid, false, p.folded, p.exact); err != nil {
				return err
			}
			seen.add(p.addrs[:]...)
			cached[h.UID] = &cachedRow{rowid: rowid, seen: fl.seen, flags: fl.text, modseq: h.ModSeq}
			dTotal++
			dUnread += 1 - b2i(fl.seen)
		}
		if err := seen.save(tx); err != nil {
			return err
		}
		return bumpFolder(tx, folderID, dTotal, dUnread)
	})
}

// preview is the start of the text on one line: whitespace runs become one
// space, at most 200 characters.
func preview(text string) string {
	var b strings.Builder
	n, space := 0, false
	for _, r := range text {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= 200 {
			break
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// capUTF8 cuts s to at most n bytes, at a character boundary.
func capUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// PutMailBodies stores the body pass's results in one (durable)
// transaction: state, raw blob, text, parts or error, and the text in the
// search row. A UID that is no longer cached (expunged meanwhile) is skipped.
func (s *Store) PutMailBodies(ctx context.Context, folderID int64, bs []MailBody) error {
	if len(bs) == 0 {
		return nil
	}
	return s.mailWrite(ctx, "put mail bodies", true, func(tx *wtx) error {
		if _, err := loadFolderCtx(tx, folderID); err != nil {
			return err
		}
		var ix mailIndexer
		for i := range bs {
			b := &bs[i]
			var (
				rowid                       int64
				subject, from, to, cc, atts string
			)
			err := tx.QueryRow(`SELECT rowid, subject, from_addrs, to_addrs, cc_addrs, attachments FROM mail_messages
				WHERE folder_id = ? AND uid = ?`, folderID, b.UID).Scan(&rowid, &subject, &from, &to, &cc, &atts)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			switch b.State {
			case BodyPresent:
				if !validSHA(b.Blob.SHA256) {
					return invalid("blob", "format")
				}
				text := capUTF8(vntext.NFC(b.Text), maxMailText)
				parts := make([]MailPart, len(b.Parts))
				for j, p := range b.Parts {
					p.Name = vntext.NFC(p.Name)
					p.MIMEType = strings.ToLower(p.MIMEType)
					parts[j] = p
				}
				if b.Raw != nil {
					if int64(len(b.Raw)) != b.Blob.Size || len(b.Raw) > MailRawInline {
						return invalid("raw", "range")
					}
					if _, err := tx.Exec(`INSERT INTO mail_raw(sha, data) VALUES (?, ?) ON CONFLICT(sha) DO NOTHING`, b.Blob.SHA256, b.Raw); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(`UPDATE mail_messages SET state = ?, blob_sha = ?, blob_size = ?, preview = ? WHERE rowid = ?`,
					BodyPresent, b.Blob.SHA256, b.Blob.Size, preview(text), rowid); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO mail_text(rowid, text, parts, error) VALUES (?,?,?,'')
					ON CONFLICT(rowid) DO UPDATE SET text = excluded.text, parts = excluded.parts, error = ''`,
					rowid, text, jsonOrEmpty(parts)); err != nil {
					return err
				}
				ix.reset()
				ix.header(subject, fromJSON[MailAddress](from), fromJSON[MailAddress](to), fromJSON[MailAddress](cc), fromJSON[string](atts))
				for _, p := range parts {
					if !p.Inline && p.Name != "" {
						ix.add(p.Name)
					}
				}
				ix.add(text)
				if err := ix.write(tx, rowid, true); err != nil {
					return err
				}
			case BodyFailed:
				if _, err := tx.Exec(`UPDATE mail_messages SET state = ?, attempts = attempts + 1 WHERE rowid = ?`, BodyFailed, rowid); err != nil {
					return err
				}
				if _, err := tx.Exec(`INSERT INTO mail_text(rowid, error) VALUES (?,?) ON CONFLICT(rowid) DO UPDATE SET error = excluded.error`,
					rowid, capUTF8(b.Error, 1000)); err != nil {
					return err
				}
			case BodyMissing, BodyDeferred:
				if _, err := tx.Exec(`UPDATE mail_messages SET state = ? WHERE rowid = ?`, b.State, rowid); err != nil {
					return err
				}
			default:
				return invalid("state", "unknown")
			}
		}
		return nil
	})
}

// SetMailFlags applies flag changes the server reported (CONDSTORE or a
// flag scan). Changes queued here and not yet replayed stay applied on top.
func (s *Store) SetMailFlags(ctx context.Context, folderID int64, cs []MailFlagChange) error {
	if len(cs) == 0 {
		return nil
	}
	return s.mailWrite(ctx, "set mail flags", false, func(tx *wtx) error {
		fc, err := loadFolderCtx(tx, folderID)
		if err != nil {
			return err
		}
		ops, err := loadPendingOps(tx, fc)
		if err != nil {
			return err
		}
		uids := make([]uint32, len(cs))
		for i, c := range cs {
			uids[i] = c.UID
		}
		cached, err := cachedRows(tx, folderID, uids)
		if err != nil {
			return err
		}
		dUnread := 0
		for _, c := range cs {
			row := cached[c.UID]
			if row == nil {
				continue
			}
			d, err := updateFlags(tx, row, makeFlags(ops.overlay(c.UID, c.Flags)), c.ModSeq)
			if err != nil {
				return err
			}
			dUnread += d
		}
		return bumpFolder(tx, folderID, 0, dUnread)
	})
}

// RemoveMailUIDs drops messages expunged on the server.
func (s *Store) RemoveMailUIDs(ctx context.Context, folderID int64, uids []uint32) error {
	if len(uids) == 0 {
		return nil
	}
	return s.mailWrite(ctx, "remove mail", false, func(tx *wtx) error {
		cached, err := cachedRows(tx, folderID, uids)
		if err != nil {
			return err
		}
		unread := 0
		for _, c := range cached {
			if err := deleteMailRow(tx, c.rowid); err != nil {
				return err
			}
			unread += 1 - b2i(c.seen)
		}
		return bumpFolder(tx, folderID, -len(cached), -unread)
	})
}

func (s *Store) mailIDs(ctx context.Context, op, q string, args ...any) ([]int64, error) {
	var raw sql.NullString
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&raw); err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	ids, err := parseIDs([]byte(raw.String))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return ids, nil
}

// MailUIDs lists the cached UIDs of a folder, ascending.
func (s *Store) MailUIDs(ctx context.Context, folderID int64) ([]uint32, error) {
	ids, err := s.mailIDs(ctx, "mail uids", `SELECT group_concat(uid) FROM (SELECT uid FROM mail_messages WHERE folder_id = ? ORDER BY uid)`, folderID)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, len(ids))
	for i, id := range ids {
		out[i] = uint32(id)
	}
	return out, nil
}

// MailMaxUID is the highest cached UID of a folder, 0 when it is empty: where
// an interrupted headers pass resumes.
func (s *Store) MailMaxUID(ctx context.Context, folderID int64) (uint32, error) {
	var n sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT max(uid) FROM mail_messages WHERE folder_id = ?`, folderID).Scan(&n); err != nil {
		return 0, fmt.Errorf("mail max uid: %w", err)
	}
	return uint32(n.Int64), nil
}

// mailNeedingBodiesQuery must repeat the WHERE of the partial index
// mail_messages_need_body for SQLite to use it. A body whose fetch failed 3
// times is no longer offered (the reader can still ask for it).
const mailNeedingBodiesQuery = `SELECT uid, size, attachments FROM mail_messages
	WHERE folder_id = ? AND (state = 0 OR (state = 3 AND attempts < 3)) ORDER BY uid DESC LIMIT ?`

// MailNeedingBodies lists the messages whose body the background pass should
// fetch (missing, or failed fewer than 3 times), newest UID first; only UID,
// Size and Attachments are filled. limit <= 0: all.
func (s *Store) MailNeedingBodies(ctx context.Context, folderID int64, limit int) ([]MailHeader, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.r.QueryContext(ctx, mailNeedingBodiesQuery, folderID, limit)
	out, err := scanAll(rows, err, func(sc rowScanner, h *MailHeader) error {
		var atts string
		err := sc.Scan(&h.UID, &h.Size, &atts)
		h.Attachments = fromJSON[string](atts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mail needing bodies: %w", err)
	}
	return out, nil
}

const mailRowidsQuery = `SELECT group_concat(rowid) FROM (SELECT rowid FROM mail_messages WHERE folder_id = ?
	ORDER BY date DESC, internal_date DESC, uid DESC)`

// MailRowids lists a folder's messages newest first (by Date, then
// INTERNALDATE, then UID) as rowids, for the virtual list to page through
// with MailRowsByRowid. One index-only scan.
func (s *Store) MailRowids(ctx context.Context, folderID int64) ([]int64, error) {
	return s.mailIDs(ctx, "mail rowids", mailRowidsQuery, folderID)
}

const mailRowCols = `m.rowid, m.folder_id, f.account_id, m.uid, m.modseq, m.flags, m.internal_date, m.size, m.date, m.subject,
	m.from_addrs, m.to_addrs, m.cc_addrs, m.reply_to, m.message_id, m.in_reply_to, m.attachments,
	m.seen, m.flagged, m.answered, m.state, m.blob_sha, m.blob_size, m.preview`

// scanRow is scanMailRow for scanAll.
func scanRow(sc rowScanner, r *MailRow) error { return scanMailRow(sc, r) }

func scanMailRow(sc rowScanner, r *MailRow, more ...any) error {
	var (
		modseq, internal, date             int64
		flags, from, to, cc, replyTo, atts string
	)
	dst := append([]any{&r.Rowid, &r.FolderID, &r.AccountID, &r.UID, &modseq, &flags, &internal, &r.Size, &date, &r.Subject,
		&from, &to, &cc, &replyTo, &r.MessageID, &r.InReplyTo, &atts,
		&r.Seen, &r.Flagged, &r.Answered, &r.State, &r.Blob.SHA256, &r.Blob.Size, &r.Preview}, more...)
	if err := sc.Scan(dst...); err != nil {
		return err
	}
	r.ModSeq = uint64(modseq)
	r.Flags = splitFlags(flags)
	r.InternalDate = fromSecs(internal)
	r.Date = fromSecs(date)
	r.From = fromJSON[MailAddress](from)
	r.To = fromJSON[MailAddress](to)
	r.Cc = fromJSON[MailAddress](cc)
	r.ReplyTo = fromJSON[MailAddress](replyTo)
	r.Attachments = fromJSON[string](atts)
	return nil
}

func idList(ids []int64) string {
	b := make([]byte, 0, len(ids)*7+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// MailRowsByRowid returns the messages of rowids (a page of the list) in
// that order; rowids no longer cached are skipped.
func (s *Store) MailRowsByRowid(ctx context.Context, rowids []int64) ([]MailRow, error) {
	if len(rowids) == 0 {
		return []MailRow{}, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+mailRowCols+` FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
		WHERE m.rowid IN (SELECT value FROM json_each(?))`, idList(rowids))
	found, err := scanAll(rows, err, scanRow)
	if err != nil {
		return nil, fmt.Errorf("mail rows: %w", err)
	}
	byID := make(map[int64]MailRow, len(found))
	for _, r := range found {
		byID[r.Rowid] = r
	}
	out := make([]MailRow, 0, len(byID))
	for _, id := range rowids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *Store) mailMessage(ctx context.Context, where string, args ...any) (MailMessage, error) {
	var m MailMessage
	var parts string
	err := scanMailRow(s.r.QueryRowContext(ctx, `SELECT `+mailRowCols+`, coalesce(t.text, ''), coalesce(t.parts, ''), coalesce(t.error, '')
		FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id LEFT JOIN mail_text t ON t.rowid = m.rowid
		WHERE `+where, args...), &m.MailRow, &m.Text, &parts, &m.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("mail message", args)
	}
	if err != nil {
		return m, fmt.Errorf("mail message: %w", err)
	}
	m.Parts = fromJSON[MailPart](parts)
	return m, nil
}

// MailMessage returns a cached message with its text and parts.
func (s *Store) MailMessage(ctx context.Context, rowid int64) (MailMessage, error) {
	return s.mailMessage(ctx, `m.rowid = ?`, rowid)
}

// MailByUID returns a cached message by its folder and UID.
func (s *Store) MailByUID(ctx context.Context, folderID int64, uid uint32) (MailMessage, error) {
	return s.mailMessage(ctx, `m.folder_id = ? AND m.uid = ?`, folderID, uid)
}

// ---- offline operations ----

const mailOpCols = `id, account_id, folder_name, uidvalidity, uid, kind, arg, created, attempts, last_error`

func scanMailOp(sc rowScanner, op *MailOp) error {
	var created int64
	if err := sc.Scan(&op.ID, &op.AccountID, &op.FolderName, &op.UIDValidity, &op.UID, &op.Kind, &op.Arg, &created,
		&op.Attempts, &op.LastError); err != nil {
		return err
	}
	op.Created = fromNanos(created)
	return nil
}

// QueueMailOp applies a user's change to the cached message at once and
// queues it for the server: flags change in place (with the folder's unread
// count); a moved or deleted message leaves its folder's list now, the op
// keeping what the replay needs (account, folder name, UIDVALIDITY, UID).
func (s *Store) QueueMailOp(ctx context.Context, rowid int64, kind, arg string) (MailOp, error) {
	op := MailOp{Kind: kind, Arg: strings.Join(strings.Fields(arg), " ")}
	switch kind {
	case MailOpAddFlags, MailOpRemoveFlags:
		if op.Arg == "" {
			return op, fmt.Errorf("queue mail op: %w", invalid("arg", "required"))
		}
		fs := strings.Fields(op.Arg)
		for i, f := range fs {
			fs[i] = canonFlag(f)
		}
		op.Arg = strings.Join(fs, " ")
	case MailOpMove:
		op.Arg = strings.TrimSpace(arg) // a folder name, as the server spells it
		if op.Arg == "" {
			return op, fmt.Errorf("queue mail op: %w", invalid("arg", "required"))
		}
	case MailOpDelete:
		op.Arg = ""
	default:
		return op, fmt.Errorf("queue mail op: %w", invalid("kind", "unknown"))
	}
	err := s.mailWrite(ctx, "queue mail op", true, func(tx *wtx) error {
		var (
			folderID int64
			seen     bool
			flags    string
			modseq   int64
		)
		err := tx.QueryRow(`SELECT m.folder_id, m.uid, m.seen, m.flags, m.modseq, f.account_id, f.name, f.uidvalidity
			FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id WHERE m.rowid = ?`, rowid).
			Scan(&folderID, &op.UID, &seen, &flags, &modseq, &op.AccountID, &op.FolderName, &op.UIDValidity)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("mail message", rowid)
		}
		if err != nil {
			return err
		}
		if kind == MailOpMove && op.Arg == op.FolderName {
			return invalid("arg", "same")
		}
		switch kind {
		case MailOpAddFlags, MailOpRemoveFlags:
			c := &cachedRow{rowid: rowid, seen: seen, flags: flags, modseq: uint64(modseq)}
			d, err := updateFlags(tx, c, makeFlags(applyFlagOp(splitFlags(flags), kind, op.Arg)), uint64(modseq))
			if err != nil {
				return err
			}
			if err := bumpFolder(tx, folderID, 0, d); err != nil {
				return err
			}
		default:
			if err := deleteMailRow(tx, rowid); err != nil {
				return err
			}
			if err := bumpFolder(tx, folderID, -1, -(1 - b2i(seen))); err != nil {
				return err
			}
		}
		op.Created = s.now()
		res, err := tx.Exec(`INSERT INTO mail_ops(account_id, folder_name, uidvalidity, uid, kind, arg, created) VALUES (?,?,?,?,?,?,?)`,
			op.AccountID, op.FolderName, op.UIDValidity, op.UID, op.Kind, op.Arg, nanos(op.Created))
		if err != nil {
			return err
		}
		op.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return MailOp{}, err
	}
	return op, nil
}

// PendingMailOps lists an account's queued operations, oldest first.
func (s *Store) PendingMailOps(ctx context.Context, accountID string) ([]MailOp, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mailOpCols+` FROM mail_ops WHERE account_id = ? ORDER BY id`, accountID)
	out, err := scanAll(rows, err, scanMailOp)
	if err != nil {
		return nil, fmt.Errorf("pending mail ops: %w", err)
	}
	return out, nil
}

// DoneMailOp records the replay of an operation: nil removes it from the
// queue; a failure counts an attempt and keeps its message (only
// failure.Error(): callers must not put credentials in it).
func (s *Store) DoneMailOp(ctx context.Context, id int64, failure error) error {
	return s.mailWrite(ctx, "done mail op", true, func(tx *wtx) error {
		var res sql.Result
		var err error
		if failure == nil {
			res, err = tx.Exec(`DELETE FROM mail_ops WHERE id = ?`, id)
		} else {
			res, err = tx.Exec(`UPDATE mail_ops SET attempts = attempts + 1, last_error = ? WHERE id = ?`,
				capUTF8(failure.Error(), 1000), id)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("mail op", id)
		}
		return nil
	})
}

// ---- links to documents ----

// LinkMailDocument links a cached message to a registered document (the
// văn bản đến it was registered as, say). The link is kept by the message's
// account and Message-ID, so it outlives the cached copy; a message without
// a Message-ID cannot be linked.
func (s *Store) LinkMailDocument(ctx context.Context, rowid int64, documentID string) error {
	documentID = strings.TrimSpace(documentID)
	if documentID == "" {
		return fmt.Errorf("link mail: %w", invalid("document_id", "required"))
	}
	return s.mailWrite(ctx, "link mail", true, func(tx *wtx) error {
		var account, msgID string
		err := tx.QueryRow(`SELECT f.account_id, m.message_id FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
			WHERE m.rowid = ?`, rowid).Scan(&account, &msgID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("mail message", rowid)
		}
		if err != nil {
			return err
		}
		if msgID == "" {
			return invalid("message_id", "required")
		}
		var one int
		if err := tx.QueryRow(`SELECT 1 FROM documents WHERE id = ?`, documentID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return notFound("document", documentID)
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO mail_links(account_id, message_id, document_id, created) VALUES (?,?,?,?)
			ON CONFLICT DO NOTHING`, account, msgID, documentID, nanos(s.now()))
		return err
	})
}

// MailDocuments lists the ids of the documents a cached message is linked to.
func (s *Store) MailDocuments(ctx context.Context, rowid int64) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT l.document_id FROM mail_messages m JOIN mail_folders f ON f.id = m.folder_id
		JOIN mail_links l ON l.account_id = f.account_id AND l.message_id = m.message_id
		WHERE m.rowid = ? AND m.message_id <> '' ORDER BY l.created, l.document_id`, rowid)
	out, err := scanAll(rows, err, func(sc rowScanner, id *string) error { return sc.Scan(id) })
	if err != nil {
		return nil, fmt.Errorf("mail documents: %w", err)
	}
	return out, nil
}

// DocumentMail lists the cached messages linked to a document, newest
// first, one per message (a copy in another folder of the same account is
// the same message: the one with its body here wins, then the oldest row).
func (s *Store) DocumentMail(ctx context.Context, documentID string) ([]MailRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+mailRowCols+` FROM mail_links l
		JOIN mail_folders f ON f.account_id = l.account_id
		JOIN mail_messages m ON m.folder_id = f.id AND m.message_id = l.message_id
		WHERE l.document_id = ?
		ORDER BY m.date DESC, l.account_id, l.message_id, m.state = 1 DESC, m.rowid`, documentID)
	all, err := scanAll(rows, err, scanRow)
	if err != nil {
		return nil, fmt.Errorf("document mail: %w", err)
	}
	out := []MailRow{}
	type key struct{ account, msgID string }
	seen := map[key]bool{}
	for _, r := range all {
		k := key{r.AccountID, r.MessageID}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// OpenMailRaw opens the raw form of a cached message: from the database
// when it is small (MailBody.Raw), else from the blob store.
func (s *Store) OpenMailRaw(ctx context.Context, ref BlobRef) (io.ReadCloser, error) {
	var data []byte
	err := s.r.QueryRowContext(ctx, `SELECT data FROM mail_raw WHERE sha = ?`, ref.SHA256).Scan(&data)
	switch {
	case err == nil:
		return io.NopCloser(bytes.NewReader(data)), nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("open message: %w", err)
	}
	f, err := s.blobs.Open(ref.SHA256)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// PruneMailRaw deletes the raw messages (MailBody.Raw) no cached message
// refers to any more — left by expunges, moves, a rebuilt folder or a
// removed account. The sync calls it after a pass that removed messages.
func (s *Store) PruneMailRaw(ctx context.Context) (int64, error) {
	var n int64
	err := s.mailWrite(ctx, "prune raw messages", false, func(tx *wtx) error {
		res, err := tx.Exec(`DELETE FROM mail_raw WHERE sha NOT IN (SELECT blob_sha FROM mail_messages WHERE blob_sha != '')`)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
