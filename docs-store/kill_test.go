package docstore

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const killChildEnv = "CONGVU_KILL_CHILD_DIR"

// TestKillChild is the child of TestKillMinus9: it registers documents as
// fast as it can and prints each number once its transaction committed.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("child process of TestKillMinus9")
	}
	fixed := time.Date(2026, 3, 10, 9, 0, 0, 0, VietnamTime)
	s, err := Open(dir, Options{Now: func() time.Time { return fixed }})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	f := &fixture{t: t, s: s, ctx: context.Background(), clock: &testClock{t: fixed}}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		in := f.incoming(func(in *IncomingInput) { in.Notation = fmt.Sprintf("%d/UBND-K%d", i+1, os.Getpid()) })
		if i%10 == 0 { // some with a streamed attachment, so blob writes are killed too
			ref, err := s.Blobs().Put(strings.NewReader(strings.Repeat(in.Notation, 5000)))
			if err != nil {
				fmt.Println("blob:", err)
				os.Exit(4)
			}
			in.Attachments = []Attachment{{SHA256: ref.SHA256, Name: "scan.pdf", Size: ref.Size}}
		}
		r, err := s.RegisterIncoming(f.ctx, clerk, in)
		if err != nil {
			fmt.Println("register:", err)
			os.Exit(5)
		}
		fmt.Fprintf(out, "%d %s\n", r.Number, r.DocID)
		out.Flush()
	}
}

// TestKillMinus9 kills a registering process at random moments, 20 times,
// and checks after each: every registration the child saw committed is
// there exactly once, the numbers are unique and gap-free, the audit chain
// verifies and the store opens without complaint.
func TestKillMinus9(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	dir := t.TempDir()
	f := openFixture(t, dir)
	f.s.Close()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	committed := map[string]int{}
	trials := 20
	for trial := 0; trial < trials; trial++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Let it get going (the first line means it is inside the loop), then
		// kill at a random moment within the next 5–400 ms.
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("trial %d: child ended before registering", trial)
			}
			record(t, committed, l)
		case <-time.After(60 * time.Second):
			t.Fatalf("trial %d: child did not start", trial)
		}
		time.Sleep(time.Duration(5+rng.IntN(400)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines {
			record(t, committed, l)
		}
		cmd.Wait()

		s, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("trial %d: reopen after kill -9: %v", trial, err)
		}
		ctx := context.Background()
		n, err := s.RegisterCount(ctx, clerk, regIn)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.ListRegister(ctx, clerk, regIn, 0, n+100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n {
			t.Fatalf("trial %d: counter says %d, register has %d rows", trial, n, len(rows))
		}
		byID := map[string]int{}
		for i, r := range rows {
			if r.Number != n-i {
				t.Fatalf("trial %d: row %d has number %d: gap or duplicate", trial, i, r.Number)
			}
			byID[r.ID] = r.Number
		}
		for id, num := range committed {
			if byID[id] != num {
				t.Fatalf("trial %d: committed registration %s (số %d) lost", trial, id, num)
			}
		}
		if err := s.VerifyAudit(ctx); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		var ck string
		s.r.QueryRow(`PRAGMA quick_check`).Scan(&ck)
		if ck != "ok" {
			t.Fatalf("trial %d: quick_check %s", trial, ck)
		}
		s.Close()
		t.Logf("trial %d: %d registrations so far, %d seen committed", trial, n, len(committed))
	}
}

func record(t *testing.T, m map[string]int, line string) {
	num, id, ok := strings.Cut(line, " ")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		t.Fatalf("child said: %s", line)
	}
	if _, dup := m[id]; dup {
		t.Fatalf("document %s reported twice", id)
	}
	m[id] = n
}
