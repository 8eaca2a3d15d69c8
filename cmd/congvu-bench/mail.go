//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/imapsync"
	"congvu/mail/mailtest"
)

// The mail part (issue 4): congvu sync --once against mbsync (isync,
// FSync yes) on one seeded INBOX of a real Dovecot on loopback, in the
// same run: the initial full sync (headers, bodies, attachments, durable),
// when congvu's message list was complete, the no-change resync; then the
// peak RSS of a 100,000-message sync and the RSS growth of downloading and
// opening a 200 MB attachment.

type mailOpts struct {
	n, big   int  // messages in the INBOX of the main run; of the big run (0: skip)
	attachMB int  // size of the large attachment (0: skip)
	runs     int  // no-change resyncs per tool
	keep     bool // leave the servers' folder
}

// mailServer is the project's own Dovecot + Postfix (scripts/mailserver).
type mailServer struct {
	root    string
	env     map[string]string
	scripts string
}

func startMailServer(work string) (*mailServer, error) {
	scripts, err := filepath.Abs("scripts/mailserver")
	if err != nil {
		return nil, err
	}
	// The daemons' own users must traverse every folder above their state
	// (a MkdirTemp work folder is 0700).
	if err := os.Chmod(work, 0o755); err != nil {
		return nil, err
	}
	root := filepath.Join(work, "mailserver")
	cmd := exec.Command("bash", filepath.Join(scripts, "start.sh"), root)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("start mail servers: %w\n%s", err, stderr.String())
	}
	ms := &mailServer{root: root, scripts: scripts, env: map[string]string{}}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			ms.env[k] = v
		}
	}
	return ms, nil
}

func (ms *mailServer) stop() {
	exec.Command("bash", filepath.Join(ms.scripts, "stop.sh"), ms.root, "--purge").Run()
}

func (ms *mailServer) port(name string) int { n, _ := strconv.Atoi(ms.env[name]); return n }

func (ms *mailServer) maildir(user string) string {
	return filepath.Join(ms.root, "mail", "agency.test", user, "Maildir")
}

// warm makes Dovecot build its index and cache for the folder, so that
// neither tool pays for it (the recipe measured it apart: 1.7 s cold).
func (ms *mailServer) warm(user string) {
	da := []string{"-c", filepath.Join(ms.root, "etc", "dovecot.conf")}
	exec.Command("doveadm", append(da, "index", "-u", user+"@agency.test", "INBOX")...).Run()
	exec.Command("doveadm", append(da, "fetch", "-u", user+"@agency.test",
		"imap.envelope imap.bodystructure flags size.virtual date.received", "mailbox", "INBOX")...).Run()
}

// run is one timed child process: wall time and its peak RSS.
type run struct {
	wall  time.Duration
	rssMB float64
	out   string
}

func timedRun(stdin string, name string, args ...string) (run, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = strings.NewReader(stdin)
	// A real locale, as on a desktop (with LANG=C Fyne logs a parse error
	// at start, which would land in the measured output).
	cmd.Env = append(os.Environ(), "LANG=vi_VN.UTF-8")
	t0 := time.Now()
	err := cmd.Run()
	r := run{wall: time.Since(t0), out: out.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rssMB = float64(ru.Maxrss) / 1024
	}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, lastLines(r.out, 5))
	}
	return r, nil
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

func medianRun(rs []run) run {
	sort.Slice(rs, func(i, j int) bool { return rs[i].wall < rs[j].wall })
	return rs[len(rs)/2]
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

var listReadyRE = regexp.MustCompile(`INBOX: [^0-9]*([0-9.]+) s`)

func mailBench(ctx context.Context, work string, opt mailOpts) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "mail part: skipped, the test mail servers need root")
		return
	}
	bin := filepath.Join(work, "congvu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		check(fmt.Errorf("build congvu: %v\n%s", err, out))
	}
	ms, err := startMailServer(work)
	check(err)
	if !opt.keep {
		defer ms.stop()
	}
	fmt.Fprintf(os.Stderr, "mail part: servers up in %s s\n", ms.env["MAIL_STARTUP_SECONDS"])

	// --- the main INBOX, both tools in the same run ---
	t0 := time.Now()
	check(mailtest.SeedMaildirDir(ms.maildir("bench"), "bench@agency.test", opt.n, 1, 10))
	seedTime := time.Since(t0)
	ms.warm("bench")
	size := dirSize(ms.maildir("bench"))
	fmt.Fprintf(os.Stderr, "mail part: seeded %d messages (%.0f MB) in %s\n", opt.n, float64(size)/1e6, secs(seedTime))

	mbInit, mbResync := mbsyncRuns(ms, work, opt.runs)
	cvInit, cvList, cvResync := congvuRuns(ms, work, bin, "bench", opt.runs)

	note := fmt.Sprintf("%d messages, %.0f MB, 10 %% with a ~100 KB PDF; STARTTLS on 127.0.0.1; Dovecot's index warmed first", opt.n, float64(size)/1e6)
	addRSS("mail: initial full sync — mbsync (FSync yes)", secs(mbInit.wall), "", note, mbInit.rssMB)
	addRSS("mail: initial full sync — congvu sync --once", secs(cvInit.wall)+fmt.Sprintf(" (ratio %.2f)", cvInit.wall.Seconds()/mbInit.wall.Seconds()),
		"≤ 1.0 × mbsync", "headers, bodies and attachments committed durably (blobs synced, SQLite FULL)", cvInit.rssMB)
	addRSS("mail: congvu message list complete (headers first)", secs(cvList), "≤ 2 s", "from the start of the process", cvInit.rssMB)
	ms3 := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	addRSS("mail: no-change resync — mbsync", ms3(mbResync.wall), "", fmt.Sprintf("median of %d", opt.runs), mbResync.rssMB)
	addRSS("mail: no-change resync — congvu", ms3(cvResync.wall)+fmt.Sprintf(" (ratio %.2f)", cvResync.wall.Seconds()/mbResync.wall.Seconds()),
		"≤ 0.5 × mbsync", fmt.Sprintf("median of %d; whole process incl. start and TLS", opt.runs), cvResync.rssMB)

	// --- 100,000 messages: peak RSS of congvu's sync ---
	if opt.big > 0 {
		t0 := time.Now()
		check(mailtest.SeedMaildirDir(ms.maildir("big"), "big@agency.test", opt.big, 2, 10))
		ms.warm("big")
		fmt.Fprintf(os.Stderr, "mail part: seeded %d messages in %s\n", opt.big, secs(time.Since(t0)))
		bigInit, bigList, _ := congvuRuns(ms, work, bin, "big", 0)
		addRSS(fmt.Sprintf("mail: %s-message folder — congvu sync --once", thousands(opt.big)), secs(bigInit.wall)+", list after "+secs(bigList),
			"peak RSS ≤ 250 MB", "peak RSS of the whole process", bigInit.rssMB)
	}

	// --- one 200 MB attachment: download and open ---
	if opt.attachMB > 0 {
		growth, wall, err := bigAttachment(ctx, ms, work, opt.attachMB)
		check(err)
		add(fmt.Sprintf("mail: %d MB attachment downloaded and opened", opt.attachMB), fmt.Sprintf("%s, RSS +%.1f MB", secs(wall), growth),
			"≤ 30 MB RSS growth", "on demand (over the 25 MB automatic cap), streamed to the blob store, then decoded to a file for the viewer")
	}
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

const mbsyncRC = `FSync yes
IMAPAccount dovecot
Host localhost
Port %d
User bench@agency.test
Pass benchpass
SSLType STARTTLS
SSLVersions TLSv1.2 TLSv1.3
SystemCertificates no
CertificateFile %s
AuthMechs PLAIN
PipelineDepth 50

IMAPStore dovecot-remote
Account dovecot

MaildirStore local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel bench
Far :dovecot-remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
`

// mbsyncRuns: the peer, as the recipe measured it (isync 1.4, FSync yes:
// every message file fsynced).
func mbsyncRuns(ms *mailServer, work string, runs int) (initial, resync run) {
	local := filepath.Join(work, "mbsync")
	os.RemoveAll(local)
	check(os.MkdirAll(local, 0o700))
	rc := filepath.Join(work, "mbsyncrc")
	check(os.WriteFile(rc, []byte(fmt.Sprintf(mbsyncRC, ms.port("MAIL_IMAP_PORT"), ms.env["MAIL_CA"], local, local)), 0o600))
	var err error
	initial, err = timedRun("", "mbsync", "-c", rc, "-a", "-q")
	check(err)
	exec.Command("mbsync", "-c", rc, "-a", "-q").Run() // the first resync after a pull is slow (1.1 s): not "no change"
	var rs []run
	for i := 0; i < runs; i++ {
		r, err := timedRun("", "mbsync", "-c", rc, "-a", "-q")
		check(err)
		rs = append(rs, r)
	}
	return initial, medianRun(rs)
}

// congvuRuns: congvu sync --once on a new data folder, then no-change
// resyncs. The password goes in on standard input (no keyring here).
func congvuRuns(ms *mailServer, work, bin, user string, runs int) (initial run, listReady time.Duration, resync run) {
	data := filepath.Join(work, "congvu-"+user)
	os.RemoveAll(data)
	pw := user + "pass"
	_, err := timedRun(pw+"\n", bin, "account", "add", "--data", data, "--address", user+"@agency.test",
		"--imap", fmt.Sprintf("127.0.0.1:%d", ms.port("MAIL_IMAP_PORT")), "--smtp", fmt.Sprintf("127.0.0.1:%d", ms.port("MAIL_SUBMISSION_PORT")),
		"--ca", ms.env["MAIL_CA"], "--ask-password")
	check(err)
	initial, err = timedRun(pw+"\n", bin, "sync", "--once", "--timings", "--password-stdin", "--data", data)
	check(err)
	if m := listReadyRE.FindStringSubmatch(initial.out); m != nil {
		f, _ := strconv.ParseFloat(m[1], 64)
		listReady = time.Duration(f * float64(time.Second))
	}
	fmt.Fprintf(os.Stderr, "congvu initial sync:\n%s\n", lastLines(initial.out, 12))
	var rs []run
	for i := 0; i < runs; i++ {
		r, err := timedRun(pw+"\n", bin, "sync", "--once", "--password-stdin", "--data", data)
		check(err)
		rs = append(rs, r)
	}
	if runs > 0 {
		resync = medianRun(rs)
	}
	return initial, listReady, resync
}

// bigAttachment delivers (straight into the maildir) one message with an
// attachment of mb MB, syncs it (its body is over the automatic cap), then
// downloads it on demand and decodes the attachment to a file, in this
// process, measuring the growth of the resident set over what it was
// before.
func bigAttachment(ctx context.Context, ms *mailServer, work string, mb int) (growthMB float64, wall time.Duration, err error) {
	const user = "u20"
	md := ms.maildir(user)
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(md, d), 0o700); err != nil {
			return 0, 0, err
		}
	}
	name := filepath.Join(md, "cur", fmt.Sprintf("%d.big.bench:2,", time.Now().Unix()))
	if err := writeBigMessage(name, mb); err != nil {
		return 0, 0, err
	}
	exec.Command("chown", "-R", "mail:mail", filepath.Dir(md)).Run()

	data := filepath.Join(work, "congvu-big-attachment")
	st, err := docstore.Open(data, docstore.Options{ReaderCacheKiB: 2048})
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()
	a := docstore.MailAccount{Address: user + "@agency.test", IMAPHost: "127.0.0.1", IMAPPort: ms.port("MAIL_IMAP_PORT"),
		IMAPSecurity: docstore.SecurityStartTLS, SMTPHost: "127.0.0.1", SMTPPort: ms.port("MAIL_SUBMISSION_PORT"),
		SMTPSecurity: docstore.SecurityStartTLS, PasswordMode: docstore.PasswordAsk}
	ca, _ := os.ReadFile(ms.env["MAIL_CA"])
	a.CAPEM = string(ca)
	if err := st.SaveMailAccount(ctx, &a); err != nil {
		return 0, 0, err
	}
	pw := func(context.Context) (string, error) { return user + "pass", nil }
	e := imapsync.New(st, a, account.Dialer{}, pw, imapsync.Options{})
	if sum := e.SyncOnce(ctx); sum.Err != nil {
		return 0, 0, sum.Err
	}
	f, err := st.MailFolderByName(ctx, a.ID, "INBOX")
	if err != nil {
		return 0, 0, err
	}
	ids, err := st.MailRowids(ctx, f.ID)
	if err != nil || len(ids) == 0 {
		return 0, 0, fmt.Errorf("the large message is not in the cache (%v)", err)
	}
	runtime.GC()
	before := procField("/proc/self/status", "VmRSS:") / 1024
	resetPeak()
	t0 := time.Now()
	if err := e.FetchBodyNow(ctx, ids[0]); err != nil {
		return 0, 0, err
	}
	m, err := st.MailMessage(ctx, ids[0])
	if err != nil || len(m.Parts) == 0 {
		return 0, 0, fmt.Errorf("downloaded message has no attachment (%v)", err)
	}
	path, err := mail.ExtractPart(st, m, m.Parts[0], filepath.Join(work, "open"))
	if err != nil {
		return 0, 0, err
	}
	wall = time.Since(t0)
	if fi, err := os.Stat(path); err != nil || fi.Size() != int64(mb)<<20 {
		return 0, 0, fmt.Errorf("extracted attachment: %v %v", fi, err)
	}
	// The peak can sit a little under the resident size measured before
	// (pages given back meanwhile): no growth is 0.
	return max(peakMB()-before, 0), wall, nil
}

// writeBigMessage writes a message whose attachment is mb MB of random
// bytes, base64 in 76-character lines, without holding it in memory.
func writeBigMessage(path string, mb int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintf(w, "From: =?utf-8?q?S=E1=BB=9F_T=C3=A0i_nguy=C3=AAn?= <stnmt@other.test>\r\nTo: u20@agency.test\r\n"+
		"Subject: =?utf-8?q?B=E1=BA=A3n_=C4=91=E1=BB=93_quy_ho=E1=BA=A1ch?=\r\nDate: %s\r\nMessage-ID: <big.%d@other.test>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Gửi kèm bản đồ quy hoạch.\r\n--b1\r\nContent-Type: application/pdf; name=\"ban-do.pdf\"\r\nContent-Disposition: attachment; filename=\"ban-do.pdf\"\r\n"+
		"Content-Transfer-Encoding: base64\r\n\r\n", time.Now().Format(time.RFC1123Z), time.Now().UnixNano())
	buf := make([]byte, 57*1024)
	line := make([]byte, 76)
	left := int64(mb) << 20
	for left > 0 {
		n := int64(len(buf))
		if n > left {
			n = left
		}
		if _, err := io.ReadFull(rand.Reader, buf[:n]); err != nil {
			return err
		}
		for off := int64(0); off < n; off += 57 {
			end := min(off+57, n)
			k := base64.StdEncoding.EncodedLen(int(end - off))
			base64.StdEncoding.Encode(line[:k], buf[off:end])
			w.Write(line[:k])
			w.WriteString("\r\n")
		}
		left -= n
	}
	w.WriteString("--b1--\r\n")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
