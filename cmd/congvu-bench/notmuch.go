package main

import (
	"bytes"
	"fmt"
	"mime"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	docstore "congvu/docs-store"
)

// notmuchPeer indexes the same documents as one mail each (subject =
// trích yếu, From = issuer) with notmuch, the peer for local mail search,
// and times the same queries through its command line. It returns false
// when notmuch is not installed.
func notmuchPeer(dir string, ins []docstore.IncomingInput, queries, marked []string) bool {
	if _, err := exec.LookPath("notmuch"); err != nil {
		fmt.Fprintln(os.Stderr, "  notmuch not installed: peer comparison skipped")
		return false
	}
	resetPeak()
	mail := filepath.Join(dir, "notmuch-mail")
	cur := filepath.Join(mail, "cur")
	check(os.MkdirAll(cur, 0o700))
	check(os.MkdirAll(filepath.Join(mail, "new"), 0o700))
	check(os.MkdirAll(filepath.Join(mail, "tmp"), 0o700))
	for i, in := range ins {
		var b bytes.Buffer
		fmt.Fprintf(&b, "From: %s <vanthu@example.vn>\r\nTo: vanthu@lamson.gov.vn\r\nSubject: %s\r\nMessage-ID: <%d@bench>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s %s\r\n",
			mime.QEncoding.Encode("utf-8", in.Issuer), mime.QEncoding.Encode("utf-8", in.Subject), i, time.Now().Format(time.RFC1123Z), in.Notation, in.Subject)
		check(os.WriteFile(filepath.Join(cur, fmt.Sprintf("%d.bench:2,S", i)), b.Bytes(), 0o600))
	}
	cfg := filepath.Join(dir, "notmuch-config")
	check(os.WriteFile(cfg, []byte("[database]\npath="+mail+"\n[user]\nname=bench\nprimary_email=vanthu@lamson.gov.vn\n[new]\ntags=inbox\n"), 0o600))
	env := append(os.Environ(), "NOTMUCH_CONFIG="+cfg)
	t0 := time.Now()
	cmd := timed("notmuch", "new", "--quiet")
	cmd.Env = env
	var errBuf bytes.Buffer
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "  notmuch new: %v %s\n", err, out)
		return false
	}
	addRSS(fmt.Sprintf("notmuch new: index %s mails", thousands(len(ins))), fmt.Sprintf("%.0f mails/s", float64(len(ins))/time.Since(t0).Seconds()), "peer",
		"notmuch 0.37 (Xapian), one mail per document", childMB(&errBuf))
	run := func(name string, qs []string) {
		var lat []time.Duration
		hits := 0
		peak := 0.0
		for round := 0; round < 3; round++ {
			for _, q := range qs {
				t := time.Now()
				c := timed("notmuch", "search", "--output=messages", "--limit=50", "--sort=newest-first", q)
				c.Env = env
				var eb bytes.Buffer
				c.Stderr = &eb
				out, err := c.Output()
				check(err)
				lat = append(lat, time.Since(t))
				hits += bytes.Count(out, []byte("\n"))
				peak = max(peak, childMB(&eb))
			}
		}
		addRSS(name, fmt.Sprintf("p50 %s, p99 %s", ms(pct(lat, 50)), ms(pct(lat, 99))), "peer",
			fmt.Sprintf("%d queries (process start included), %.1f results each on average", len(lat), float64(hits)/float64(len(lat))), peak)
	}
	run(fmt.Sprintf("notmuch search, the same folded queries (%s mails)", thousands(len(ins))), queries)
	run(fmt.Sprintf("notmuch search, the same marked queries (%s mails)", thousands(len(ins))), marked)
	return true
}

// timed runs a command under GNU time, which reports the child's own peak
// RSS on stderr (rusage of a child forked from a large Go process counts
// the parent's pages too). Its small start-up cost is inside the latency.
func timed(name string, args ...string) *exec.Cmd {
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		return exec.Command(name, args...)
	}
	return exec.Command("/usr/bin/time", append([]string{"-f", "maxrss=%M", name}, args...)...)
}

// childMB reads GNU time's "maxrss=KB" line.
func childMB(stderr *bytes.Buffer) float64 {
	i := bytes.LastIndex(stderr.Bytes(), []byte("maxrss="))
	if i < 0 {
		return 0
	}
	var kb float64
	fmt.Sscan(string(stderr.Bytes()[i+len("maxrss="):]), &kb)
	return kb / 1024
}
