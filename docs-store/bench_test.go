package docstore

import (
	"fmt"
	"testing"
)

// BenchmarkRegisterIncoming: one registration per transaction, as a clerk
// works (see cmd/congvu-bench for the full table).
func BenchmarkRegisterIncoming(b *testing.B) {
	f := newFixture(&testing.T{})
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
	f := newFixture(&testing.T{})
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
