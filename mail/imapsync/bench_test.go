package imapsync

import (
	"context"
	"testing"

	"congvu/mail/mailtest"
)

// BenchmarkInitialSync: a fresh cache of a 2,000-message INBOX (10 % with a
// ~100 KB PDF) from the real Dovecot: headers, bodies, durable.
func BenchmarkInitialSync(b *testing.B) {
	env := mailtest.Shared(b)
	user := env.FreshUser(b)
	env.SeedMaildir(b, user, 2000, 1, 10)
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r := &rig{env: env, user: user, dial: &countingDialer{}}
		dir := b.TempDir()
		r.openB(b, dir)
		b.StartTimer()
		sum := r.engine(Options{}).SyncOnce(context.Background())
		if sum.Err != nil {
			b.Fatal(sum.Err)
		}
		b.StopTimer()
		r.st.Close()
	}
}

// BenchmarkNoChangeResyncLive: what the open window pays for a sync with
// nothing new — the engine already connected and idling (IDLE stopped, one
// LIST-STATUS, IDLE again), over a 2,000-message INBOX.
func BenchmarkNoChangeResyncLive(b *testing.B) {
	env := mailtest.Shared(b)
	user := env.FreshUser(b)
	env.SeedMaildir(b, user, 2000, 1, 10)
	r := &rig{env: env, user: user, dial: &countingDialer{}}
	r.openB(b, b.TempDir())
	idle := make(chan struct{}, 16)
	e := r.engine(Options{Progress: func(p Progress) {
		if p.Phase == PhaseIdle {
			idle <- struct{}{}
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go e.Run(ctx)
	<-idle
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Kick()
		<-idle
	}
}
