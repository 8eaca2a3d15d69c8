package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"congvu/docs-store/demo"
	"congvu/docs-store/printed"
)

// printBench prints an incoming register of n documents to PDF (Decree 30
// Phụ lục IV): seconds, pages, peak RSS. out, when set, keeps the PDF
// (make screenshots renders its first pages).
func printBench(ctx context.Context, dir string, n int, out string) {
	today := time.Now()
	st, cast, err := demo.Open(ctx, filepath.Join(dir, "print-store"), demo.Config{Seed: 11, Today: today, Incoming: n, Secret: 5, Drafts: 20})
	check(err)
	defer st.Close()
	var w io.Writer = io.Discard
	if out != "" {
		f, err := os.Create(out)
		check(err)
		defer f.Close()
		w = f
	}
	resetPeak()
	t0 := time.Now()
	sum, err := printed.RegisterPDF(ctx, st, cast.Clerk, cast.IncomingRegister, w, printed.Options{})
	check(err)
	el := time.Since(t0)
	add("print: incoming register to PDF", fmt.Sprintf("%.2f s, %d pages", el.Seconds(), sum.Pages), "—",
		fmt.Sprintf("%d documents, A4 landscape, Liberation Serif embedded; %.0f rows/s", sum.Rows, float64(sum.Rows)/el.Seconds()))
}
