package docstore

import (
	"errors"
	"testing"
)

// tamper runs raw SQL with the append-only triggers removed, as an attacker
// with the database file would.
func tamper(t *testing.T, f *fixture, sql string, args ...any) {
	t.Helper()
	for _, q := range []string{"DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete",
		"DROP TRIGGER IF EXISTS events_no_update", "DROP TRIGGER IF EXISTS events_no_delete", sql} {
		a := args
		if q != sql {
			a = nil
		}
		if _, err := f.s.w.Exec(q, a...); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditChainDetectsTampering(t *testing.T) {
	build := func(t *testing.T) *fixture {
		f := newFixture(t)
		for i := 0; i < 5; i++ {
			f.register()
		}
		f.must(f.s.VerifyAudit(f.ctx))
		return f
	}
	var ae *AuditError
	t.Run("append-only triggers", func(t *testing.T) {
		f := build(t)
		if _, err := f.s.w.Exec(`UPDATE events SET actor = 'x' WHERE seq = 3`); err == nil {
			t.Fatal("events row updated")
		}
		if _, err := f.s.w.Exec(`DELETE FROM audit WHERE seq = 3`); err == nil {
			t.Fatal("audit row deleted")
		}
	})
	t.Run("changed payload", func(t *testing.T) {
		f := build(t)
		tamper(t, f, `UPDATE events SET payload = replace(payload, 'rà soát', 'hủy bỏ') WHERE type = 'incoming.registered' AND seq = (SELECT max(seq) - 2 FROM events)`)
		if err := f.s.VerifyAudit(f.ctx); !errors.As(err, &ae) {
			t.Fatalf("changed event not found: %v", err)
		}
	})
	t.Run("changed actor", func(t *testing.T) {
		f := build(t)
		tamper(t, f, `UPDATE events SET actor = 'chairman' WHERE seq = 20`)
		if err := f.s.VerifyAudit(f.ctx); !errors.As(err, &ae) || ae.Seq != 20 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("deleted row", func(t *testing.T) {
		f := build(t)
		tamper(t, f, `DELETE FROM audit WHERE seq = 10`)
		tamper(t, f, `DELETE FROM events WHERE seq = 10`)
		if err := f.s.VerifyAudit(f.ctx); !errors.As(err, &ae) || ae.Seq != 10 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("rewritten audit hash", func(t *testing.T) {
		f := build(t)
		tamper(t, f, `UPDATE audit SET hash = zeroblob(32) WHERE seq = 5`)
		if err := f.s.VerifyAudit(f.ctx); !errors.As(err, &ae) || ae.Seq != 5 {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("audit row removed only", func(t *testing.T) {
		f := build(t)
		tamper(t, f, `DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)`)
		if err := f.s.VerifyAudit(f.ctx); !errors.As(err, &ae) {
			t.Fatalf("got %v", err)
		}
	})
}
