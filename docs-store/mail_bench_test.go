//go:build unix

package docstore

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time this process has used (user + system): on a
// shared machine wall-clock figures swing with the neighbours' load.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchFolder adds folder F<i> to the account, keeping the earlier ones:
// the cache grows as a real one does (dropping them would leave the search
// index merging tombstones no initial sync has).
func (f *fixture) benchFolder(accountID string, i int) int64 {
	list := []MailFolderInfo{{Name: "INBOX"}}
	for j := 0; j <= i; j++ {
		list = append(list, MailFolderInfo{Name: fmt.Sprintf("F%03d", j)})
	}
	_, err := f.s.SyncMailFolders(f.ctx, accountID, list)
	f.must(err)
	return f.folder(accountID, fmt.Sprintf("F%03d", i)).ID
}

// BenchmarkPutMailHeaders: the headers pass of a 20,000-message folder, in
// batches of 2,000 as the sync engine sends them (one op = 20,000 headers
// with their search rows, counters and addresses, 10 durable commits).
func BenchmarkPutMailHeaders(b *testing.B) {
	f, acc := newMailFixture(b)
	const total, batch = 20000, 2000
	hs := mailHeaders(1, total)
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		folder := f.benchFolder(acc.ID, i)
		c0 := cpuTime()
		b.StartTimer()
		for j := 0; j < total; j += batch {
			if err := f.s.PutMailHeaders(f.ctx, folder, hs[j:j+batch]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "headers/s")
	b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/20k")
	b.ReportMetric(cpu.Seconds()*1000/float64(b.N), "cpu-ms/20k")
}

// BenchmarkPutMailBodies: the body pass of 2,000 messages of about 3 KB of
// text each, in batches of 100 (one op = 2,000 bodies).
func BenchmarkPutMailBodies(b *testing.B) {
	f, acc := newMailFixture(b)
	const total, batch = 2000, 100
	hs := mailHeaders(1, total)
	blob, err := f.s.Blobs().Put(strings.NewReader("raw"))
	f.must(err)
	bodies := make([]MailBody, total)
	for i := range bodies {
		bodies[i] = MailBody{UID: hs[i].UID, State: BodyPresent, Blob: blob, Text: fmt.Sprintf("%s (thư %d)", mailBodyText, i),
			Parts: []MailPart{{Path: "2", Name: fmt.Sprintf("Công văn %d.pdf", i), MIMEType: "application/pdf", Size: 123456}}}
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		folder := f.benchFolder(acc.ID, i)
		f.must(f.s.PutMailHeaders(f.ctx, folder, hs))
		c0 := cpuTime()
		b.StartTimer()
		for j := 0; j < total; j += batch {
			if err := f.s.PutMailBodies(f.ctx, folder, bodies[j:j+batch]); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "bodies/s")
	b.ReportMetric(cpu.Seconds()*1e6/float64(b.N*total), "cpu-µs/body")
}

// BenchmarkSearchMail: a folded query over a 20,000-message cache, first 50.
func BenchmarkSearchMail(b *testing.B) {
	f, acc := newMailFixture(b)
	in := f.folder(acc.ID, "INBOX")
	hs := mailHeaders(1, 20000)
	for j := 0; j < len(hs); j += 2000 {
		f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs[j:j+2000]))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hits, err := f.s.SearchMail(f.ctx, "đất đai", 50)
		if err != nil || len(hits) != 50 {
			b.Fatal(len(hits), err)
		}
	}
}

// BenchmarkMailRowids: the newest-first list of a 20,000-message folder.
func BenchmarkMailRowids(b *testing.B) {
	f, acc := newMailFixture(b)
	in := f.folder(acc.ID, "INBOX")
	hs := mailHeaders(1, 20000)
	for j := 0; j < len(hs); j += 2000 {
		f.must(f.s.PutMailHeaders(f.ctx, in.ID, hs[j:j+2000]))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ids, err := f.s.MailRowids(f.ctx, in.ID)
		if err != nil || len(ids) != 20000 {
			b.Fatal(len(ids), err)
		}
	}
}
