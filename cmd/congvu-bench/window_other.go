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
