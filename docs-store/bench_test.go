package docstore

import (
	"fmt"
	"testing"
)

// BenchmarkRegisterIncoming: one registration per transaction, as a clerk
// works (see cmd/congvu-bench for the full table).
func BenchmarkRegisterIncoming(b *testing.B) {
	f := newFixture(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		in := f.incoming(func(in *IncomingInput) { in.Notation = fmt.Sprintf("%d/UBND-VP", i+1) })
		if _, err := f.s.RegisterIncoming(f.ctx, clerk, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkImportIncoming: batches of 1,000 in one transaction.
func BenchmarkImportIncoming(b *testing.B) {
	f := newFixture(b)
	ins := make([]IncomingInput, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ins {
			ins[j] = f.incoming(func(in *IncomingInput) { in.Notation = fmt.Sprintf("%d/UBND-VP", i*1000+j+1) })
		}
		if _, err := f.s.ImportIncoming(f.ctx, clerk, ins); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "docs/s")
}

// searchCorpus is a 50,000-document register shared by the read benchmarks
// (the 1,000,000-document figures come from cmd/congvu-bench).
func searchCorpus(b *testing.B) *fixture {
	b.Helper()
	f := newFixture(b)
	ins := make([]IncomingInput, 5000)
	subjects := []string{"Về việc thu hồi đất đai để xây dựng trường học", "Kế hoạch cải cách hành chính năm 2026",
		"Báo cáo tình hình ngân sách quý I", "V/v hòa giải ở cơ sở", "Thông báo lịch tiếp công dân", "Về công tác phòng cháy, chữa cháy"}
	for batch := 0; batch < 10; batch++ {
		for j := range ins {
			n := batch*5000 + j
			ins[j] = f.incoming(func(in *IncomingInput) {
				in.Notation = fmt.Sprintf("%d/UBND-VP", n+1)
				in.Subject = subjects[n%len(subjects)] + fmt.Sprintf(" (lần %d)", n)
				in.Urgency = Urgency(n % 4)
			})
		}
		if _, err := f.s.ImportIncoming(f.ctx, clerk, ins); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

func BenchmarkSearch(b *testing.B) {
	f := searchCorpus(b)
	urg := UrgencyUrgent
	for _, c := range []struct {
		name string
		q    Query
	}{
		{"folded", Query{Text: "dat dai"}},
		{"filter", Query{Text: "cai cach", Urgency: &urg}},
		{"marks-first", Query{Text: "hòa giải"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := f.s.Search(f.ctx, clerk, c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkListRegisterFirstPage(b *testing.B) {
	f := searchCorpus(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.s.ListRegister(f.ctx, clerk, regIn, 0, 50); err != nil {
			b.Fatal(err)
		}
	}
}
