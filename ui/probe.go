package ui

import (
	"bufio"
	"image"
	"image/color"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// The probes behind congvu's measuring flags (--first-frame, --scroll-end,
// --type-search): docs/BENCHMARKS.md quotes what they print. They drive the
// real window the way a user would and never touch a widget off the main
// goroutine.

// WithFirstFrame wraps content so that done runs (on the main goroutine)
// once the first frame holding it has been painted. The marker is a 1×1
// raster: the painter calls its generator only while drawing a frame, and
// a function queued from there runs after that frame is finished.
func WithFirstFrame(content fyne.CanvasObject, done func()) fyne.CanvasObject {
	var once sync.Once
	marker := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() { go fyne.Do(done) })
		return image.NewUniform(color.Transparent)
	})
	marker.Resize(fyne.NewSize(1, 1))
	return container.NewStack(content, container.NewWithoutLayout(marker))
}

// ScrollResult is what ScrollToEnd measured.
type ScrollResult struct {
	Rows     int
	Elapsed  time.Duration
	PeakRSS  float64 // MB, the process's high-water mark (Linux; 0 elsewhere)
	Loaded   int     // rows the register model holds at the end
	Requests int     // frames drawn while scrolling
}

// ScrollToEnd scrolls the open incoming register as a user would: a
// hundred turns of the wheel from the top (20 rows each), then the
// scrollbar dragged to the end over 60 frames (a one-second drag), then
// End. Each step waits for its frame. Call it off the main goroutine;
// it reports through done on the main goroutine.
func (s *Shell) ScrollToEnd(done func(ScrollResult)) {
	go func() {
		var m *Main
		var table *registerTable
		rows := 0
		sync1(func() { // widgets and the model are read on the main goroutine
			if m = s.Incoming; m != nil {
				table, rows = m.Table, m.Rows()
			}
		})
		if table == nil || rows == 0 {
			fyne.Do(func() { done(ScrollResult{}) })
			return
		}
		t0 := time.Now()
		steps := 0
		step := func(row int) {
			sync1(func() { table.ScrollTo(widget.TableCellID{Row: min(row, rows-1), Col: 0}) })
			steps++
		}
		for i := 0; i < 100 && i*20 < rows; i++ {
			step(i * 20)
		}
		for i := 1; i <= 60; i++ {
			step(rows * i / 60)
		}
		sync1(func() { table.ScrollToBottom() })
		el := time.Since(t0)
		fyne.Do(func() {
			done(ScrollResult{Rows: rows, Elapsed: el, PeakRSS: PeakRSS(), Loaded: m.model.loaded(), Requests: steps})
		})
	}()
}

// TypeSearch types text into the search box one key every gap and reports
// how long after the last key the results were on screen. Call it off the
// main goroutine.
func (s *Shell) TypeSearch(text string, gap time.Duration, done func(hits int, after time.Duration)) {
	go func() {
		var last time.Time
		var once sync.Once
		sync1(func() {
			s.OnResults = func(shown string, n int) {
				if shown == text {
					once.Do(func() { done(n, time.Since(last)) })
				}
			}
			s.win.Canvas().Focus(s.Search)
		})
		for _, r := range text {
			time.Sleep(gap)
			sync1(func() { last = time.Now(); s.Search.TypedRune(r) })
		}
	}()
}

// sync1 runs f on the main goroutine and waits for it, so each step of a
// probe has been applied (and drawn by the next frame) before the next.
func sync1(f func()) {
	ch := make(chan struct{})
	fyne.Do(func() { f(); close(ch) })
	<-ch
	time.Sleep(16 * time.Millisecond) // one frame at 60 Hz
}

// PeakRSS is the process's peak resident set in MB, read from
// /proc/self/status (VmHWM); 0 where there is no /proc.
func PeakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
