package imapsync

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/mailtest"
)

// Dovecot is killed in the middle of the body pass: the sync reports a lost
// connection; once the server is back the next sync completes, with nothing
// missing and nothing twice.
func TestDovecotKilledMidSync(t *testing.T) {
	env := mailtest.Private(t)
	r := newRig(t, env)
	r.env.SeedMaildir(t, r.user, 1500, 11, 5)
	ctx := context.Background()
	bodies := make(chan struct{}, 1)
	var done atomic.Int64
	e := r.engine(Options{BodyBatchCount: 50, Progress: func(p Progress) {
		if p.Phase == PhaseBodies && done.Add(int64(p.Done)) >= 300 {
			select {
			case bodies <- struct{}{}:
			default:
			}
		}
	}})
	res := make(chan Summary, 1)
	go func() { res <- e.SyncOnce(ctx) }()
	waitFor(t, bodies, 60*time.Second, "300 bodies committed")
	env.KillDovecot(t)
	sum := <-res
	err := sum.Err
	for _, f := range sum.Folders {
		if err == nil {
			err = f.Err
		}
	}
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("sync with the server killed: %v", err)
	}
	in := folderSum(sum, "INBOX")
	if in.New != 1500 || in.Bodies == 0 || in.Bodies >= 1500 {
		t.Fatalf("interrupted sync: %+v", in)
	}
	env.StartDovecot(t)
	sum = r.syncOnce()
	again := folderSum(sum, "INBOX")
	if again.New != 0 || in.Bodies+again.Bodies != 1500 {
		t.Fatalf("resumed sync fetched %d new, %d bodies (after %d)", again.New, again.Bodies, in.Bodies)
	}
	r.assertCacheEqualsServer("INBOX")
}

// The app is killed (SIGKILL) at random moments of a sync, ten times; after
// each the store opens clean, and in the end the cache equals the server.
func TestKilledProcessMidSyncConverges(t *testing.T) {
	if os.Getenv("CONGVU_SYNC_CHILD") != "" {
		t.Skip("in the child")
	}
	env := mailtest.Shared(t)
	r := &rig{t: t, env: env, user: env.FreshUser(t), dial: &countingDialer{}}
	r.env.SeedMaildir(t, r.user, 800, 5, 5)
	dir := t.TempDir()
	// The account is made here, then the store is closed for the children.
	r.open(dir)
	r.st.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	interrupted := 0
	est := 700 * time.Millisecond
	for i := 0; i < 10; i++ {
		if i > 0 {
			// Work for this child: new mail, flags changed and messages
			// expunged elsewhere, so every kill can land mid-sync.
			r.env.SeedMaildir(t, r.user, 300, int64(100+i), 5)
			changeElsewhere(t, r, rng)
		}
		cmd := exec.Command(exe, "-test.run=^TestSyncChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "CONGVU_SYNC_CHILD="+dir, "CONGVU_SYNC_USER="+r.user)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill at a random moment after the child has connected (a
		// race-enabled binary takes a while to start; killing it before
		// it works would test nothing).
		sc := bufio.NewScanner(out)
		for sc.Scan() && !strings.HasPrefix(sc.Text(), "connected") {
		}
		var rest strings.Builder
		copied := make(chan struct{})
		go func() { io.Copy(&rest, out); close(copied) }()
		// A random moment within how long a child's sync took last time
		// it finished (the machine, -race or not, sets the pace).
		wait := time.Duration(rng.Int64N(int64(est)))
		time.Sleep(wait)
		cmd.Process.Signal(syscall.SIGKILL)
		<-copied
		cmd.Wait()
		if i := strings.Index(rest.String(), "child done in "); i >= 0 {
			var ms int64
			fmt.Sscanf(rest.String()[i+len("child done in "):], "%d", &ms)
			est = time.Duration(ms) * time.Millisecond * 8 / 10
		} else {
			interrupted++
		}
		st, err := docstore.Open(dir, docstore.Options{})
		if err != nil {
			t.Fatalf("kill %d (after %v): the store does not open: %v", i, wait, err)
		}
		f, err := st.MailFolderByName(context.Background(), r.acct.ID, "INBOX")
		t.Logf("kill %d after %v: %d cached (err %v)", i, wait, f.Total, err)
		st.Close()
	}
	t.Logf("%d of 10 kills interrupted a sync", interrupted)
	if interrupted < 5 {
		t.Errorf("only %d of 10 kills landed during a sync", interrupted)
	}
	r.open(dir)
	r.syncOnce()
	r.assertCacheEqualsServer("INBOX")
}

// TestSyncChild is the process TestKilledProcessMidSyncConverges kills.
func TestSyncChild(t *testing.T) {
	dir := os.Getenv("CONGVU_SYNC_CHILD")
	if dir == "" {
		t.Skip("only as the child of TestKilledProcessMidSyncConverges")
	}
	env := mailtest.Shared(t)
	user := os.Getenv("CONGVU_SYNC_USER")
	r := &rig{t: t, env: env, user: user, dial: &countingDialer{}}
	r.open(dir)
	var once sync.Once
	t0 := time.Now()
	e := r.engine(Options{HeaderBatch: 250, BodyBatchCount: 100, Progress: func(p Progress) {
		if p.Phase != PhaseConnect {
			once.Do(func() { os.Stdout.WriteString("connected\n") })
		}
		fmt.Fprintf(os.Stdout, "%s %s %d %v\n", time.Since(t0).Round(time.Millisecond), p.Phase, p.Done, p.Err)
	}})
	sum := e.SyncOnce(context.Background())
	if sum.Err != nil {
		t.Fatal(sum.Err)
	}
	fmt.Fprintf(os.Stdout, "child done in %d ms, %d folders\n", time.Since(t0).Milliseconds(), len(sum.Folders))
}

// changeElsewhere is another mail program: it flags a few messages and
// expunges a few.
func changeElsewhere(t *testing.T, r *rig, rng *rand.Rand) {
	t.Helper()
	c, err := account.Dialer{}.IMAP(context.Background(), r.acct, r.env.Password(r.user), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Logout().Wait(); c.Close() }()
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages < 50 {
		t.Fatalf("select: %v (%d)", err, sel.NumMessages)
	}
	var flag, del imap.SeqSet
	for k := 0; k < 20; k++ {
		flag.AddNum(1 + uint32(rng.IntN(int(sel.NumMessages))))
	}
	for k := 0; k < 8; k++ {
		del.AddNum(1 + uint32(rng.IntN(int(sel.NumMessages))))
	}
	if err := c.Store(flag, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged, imap.FlagAnswered}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(del, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
}
