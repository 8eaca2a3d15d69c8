// Package docstore is the local document store of Công vụ: the SQLite schema
// and its migrations, registers and numbering, incoming and outgoing
// documents, directions, drafts and approval, permissions, the audit chain
// and Vietnamese search.
//
// Every change is an immutable Event appended to the events table and applied
// by one deterministic reducer (reducer.go) in the same transaction. The
// reducer also checks permissions and the workflow state machines, so events
// that arrive from colleagues later go through exactly the same rules as the
// ones made here. docstore imports neither Fyne nor IMAP.
package docstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// applicationID marks a database as ours ("CVU1"), so we never migrate, and
// so never damage, some other SQLite file that happens to sit in the folder.
const applicationID = 0x43565531

// DBFile is the database file name inside the data folder.
const DBFile = "congvu.db"

// Options tune a Store; the zero value is what the app uses.
type Options struct {
	// Now is the clock used by commands (never by the reducer). Default time.Now.
	Now func() time.Time
	// NewID makes event and entity ids. Default: 128 random bits, hex.
	NewID func() string
	// ReaderCacheKiB is each reader connection's page cache. Default 8192
	// (searches and imports beside them); the window passes less, as the
	// operating system caches the file anyway and a desktop program's
	// memory is what users see.
	ReaderCacheKiB int
}

// Store is one open data folder: the database, the blob folder and the lock.
type Store struct {
	dir   string
	w     *sql.DB // the single writer connection (BEGIN IMMEDIATE)
	r     *sql.DB // readers; WAL lets them run beside the writer
	lock  *dirLock
	blobs *BlobStore
	stmts *stmtCache
	// publisher: set once the workstation has joined its agency's journal
	// (local commands then go through it, journal.go).
	publisher atomic.Pointer[publisherBox]

	readerCache int // KiB per reader connection, 0 = 8192
	// writeMu serialises write transactions in this process (SQLite allows
	// one writer; waiting here is cheaper than in busy_timeout).
	writeMu   sync.Mutex
	closeOnce sync.Once
	now       func() time.Time
	newID     func() string
}

// Open opens (creating when absent) the store in dir. It refuses a second
// instance on the same folder (ErrLocked), a file that is not our database
// or is damaged (ErrCorrupt) and a database written by a newer version
// (ErrSchemaTooNew); in each of these cases nothing on disk is changed.
func Open(dir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	lk, err := lockDir(filepath.Join(dir, "congvu.lock"))
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, lock: lk, now: opt.Now, newID: opt.NewID, readerCache: opt.ReaderCacheKiB}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = randomID
	}
	if err := s.openDB(); err != nil {
		s.Close()
		return nil, err
	}
	s.blobs, err = NewBlobStore(filepath.Join(dir, "blobs"))
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) openDB() error {
	path := filepath.Join(s.dir, DBFile)
	if err := checkHeader(path); err != nil {
		return err
	}
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=journal_mode(WAL)"
	// The URI form needs forward slashes, also on Windows.
	uri := "file:" + filepath.ToSlash(path)
	var err error
	// The writer gets a 32 MiB page cache (imports touch many index pages)
	// and checkpoints every ~40 MiB of WAL; readers keep 8 MiB each unless
	// told otherwise.
	s.w, err = sql.Open("sqlite", uri+"?"+common+"&_txlock=immediate&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(10000)&_pragma=journal_size_limit(67108864)")
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	// Writes are serialised by writeMu; the second connection only serves
	// to prepare cached statements while the first holds a transaction.
	s.w.SetMaxOpenConns(2)
	s.w.SetMaxIdleConns(2)
	s.w.SetConnMaxIdleTime(0)
	s.stmts = &stmtCache{db: s.w, m: map[string]*sql.Stmt{}}
	rc := s.readerCache
	if rc <= 0 {
		rc = 8192
	}
	s.r, err = sql.Open("sqlite", fmt.Sprintf("%s?%s&_pragma=query_only(1)&_pragma=cache_size(-%d)", uri, common, rc))
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	s.r.SetMaxOpenConns(4)
	// Connections open on first use. A current schema is seen through a
	// reader, so a run that only reads (congvu sync --once with nothing
	// new) never pays for a writer connection: each one parses the whole
	// schema, about 2 ms.
	if current, err := s.schemaCurrent(); err != nil || !current {
		return s.migrate()
	}
	return nil
}

// schemaCurrent: the database is ours and at the newest schema version.
func (s *Store) schemaCurrent() (bool, error) {
	ms, err := loadMigrations()
	if err != nil {
		return false, err
	}
	var appID, version int
	if err := s.r.QueryRow("PRAGMA application_id").Scan(&appID); err != nil {
		return false, classifyOpenErr(err)
	}
	if err := s.r.QueryRow("PRAGMA user_version").Scan(&version); err != nil {
		return false, classifyOpenErr(err)
	}
	return appID == applicationID && version == len(ms), nil
}

// checkHeader refuses a file that exists but is not an SQLite database,
// before the driver gets a chance to treat it as empty.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer f.Close()
	hdr := make([]byte, 16)
	n, _ := f.Read(hdr)
	if n == 0 {
		return nil // an empty file: SQLite treats it as a new database
	}
	if n < 16 || string(hdr) != "SQLite format 3\x00" {
		return fmt.Errorf("%w: %s is not an SQLite database", ErrCorrupt, path)
	}
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with its number", e.Name())
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, e.Name(), string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

func (s *Store) migrate() error {
	ctx := context.Background()
	ms, err := loadMigrations()
	if err != nil {
		return err
	}
	var appID, version int
	if err := s.w.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return classifyOpenErr(err)
	}
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return classifyOpenErr(err)
	}
	if appID != 0 && appID != applicationID {
		return fmt.Errorf("%w: the database belongs to another program", ErrCorrupt)
	}
	if appID == 0 && version == 0 {
		var n int
		if err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&n); err != nil {
			return classifyOpenErr(err)
		}
		if n > 0 {
			return fmt.Errorf("%w: the database has tables but is not a Công vụ database", ErrCorrupt)
		}
	}
	if version > len(ms) {
		return fmt.Errorf("%w: database schema %d, this program knows up to %d", ErrSchemaTooNew, version, len(ms))
	}
	for _, m := range ms[version:] {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d; PRAGMA user_version = %d", applicationID, m.version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", m.name, err)
		}
	}
	return nil
}

func classifyOpenErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 26, 11: // SQLITE_NOTADB, SQLITE_CORRUPT
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	return fmt.Errorf("open database: %w", err)
}

// Close releases the database and the folder lock; closing twice is fine.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() { err = s.close() })
	return err
}

func (s *Store) close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.stmts != nil {
		s.stmts.close()
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.release())
	}
	return errors.Join(errs...)
}

// Dir is the data folder.
func (s *Store) Dir() string { return s.dir }

// Blobs is the content-addressed attachment store of this data folder.
func (s *Store) Blobs() *BlobStore { return s.blobs }

// DefaultDir is the user's data folder for Công vụ: XDG data home on Linux,
// %AppData% on Windows, Application Support on macOS.
func DefaultDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "congvu"), nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find data folder: %w", err)
	}
	if filepath.Base(base) == ".config" { // Linux without XDG_DATA_HOME
		base = filepath.Join(filepath.Dir(base), ".local", "share")
	}
	return filepath.Join(base, "congvu"), nil
}
