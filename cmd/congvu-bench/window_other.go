//go:build !linux

package main

import (
	"context"
	"fmt"
	"os"
	"time"
)

type windowOpts struct {
	store    string
	docs     int
	runs     int
	hold     time.Duration
	congvu   string
	search   string
	programs string
}

// windowBench needs Xvfb and /proc: Linux only.
func windowBench(ctx context.Context, work string, opt windowOpts) {
	fmt.Fprintln(os.Stderr, "  window part: Linux only, skipped")
}

type mailOpts struct {
	n, big, attachMB, runs int
	keep                   bool
}

func mailBench(ctx context.Context, work string, opt mailOpts) {
	fmt.Fprintln(os.Stderr, "mail part: Linux only (the test mail servers)")
}
