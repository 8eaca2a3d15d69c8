package ui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	docstore "congvu/docs-store"
	"congvu/docs-store/demo"
)

// The demo agency the window tests open is generated once per test run
// (≈ 10 s under -race) and copied into each test's own folder, so tests
// stay independent and the package's run stays short.
var demoTemplate struct {
	once sync.Once
	dir  string
	cast *demo.Cast
	err  error
}

// demoToday is the demo's frozen today (its store clock stays there).
var demoToday = time.Date(2026, 11, 27, 10, 0, 0, 0, time.FixedZone("ICT", 7*3600))

func TestMain(m *testing.M) {
	code := m.Run()
	if demoTemplate.dir != "" {
		os.RemoveAll(demoTemplate.dir)
	}
	os.Exit(code)
}

// demoStore opens a fresh copy of the demo agency as of 27/11/2026.
func demoStore(t *testing.T) (*docstore.Store, *demo.Cast) {
	t.Helper()
	demoTemplate.once.Do(func() {
		dir, err := os.MkdirTemp("", "congvu-ui-demo-")
		if err != nil {
			demoTemplate.err = err
			return
		}
		demoTemplate.dir = dir
		st, cast, err := demo.Open(context.Background(), dir, demo.Config{Seed: 3, Today: demoToday, Incoming: 250, Secret: 5, Drafts: 40})
		if err != nil {
			demoTemplate.err = err
			return
		}
		demoTemplate.cast, demoTemplate.err = cast, st.Close()
	})
	if demoTemplate.err != nil {
		t.Fatal(demoTemplate.err)
	}
	dir := t.TempDir()
	if err := copyTree(demoTemplate.dir, dir); err != nil {
		t.Fatal(err)
	}
	st, err := docstore.Open(dir, docstore.Options{Now: func() time.Time { return demoToday }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, demoTemplate.cast
}

// copyTree copies the regular files under src into dst, keeping the layout.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	})
}
