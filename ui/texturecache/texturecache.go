// Package texturecache shortens how long Fyne keeps a text texture that is
// no longer drawn, before Fyne reads the setting.
//
// Fyne caches one GL texture per distinct string for a minute (its
// FYNE_CACHE setting) and frees the expired ones before each frame.
// Scrolling a register of a million rows draws new strings on every frame,
// so with the default every row scrolled past in the last minute stays in
// memory: 315 MB at the end of a fast scroll to the end, against 204 MB
// with a second (docs/BENCHMARKS.md). Textures drawn in a frame stay
// alive. The price: after a pause longer than the lifetime, the next frame
// rasterises the visible text again (measured +18 ms on the search box
// after 3 s pauses).
//
// Fyne reads FYNE_CACHE in a package init. Go initialises packages in
// import-path order among those whose imports are ready (the spec's rule
// since Go 1.21), and "congvu/…" sorts before "fyne.io/…": importing this
// package from main (it imports only os) sets the variable in time. A value
// the user set is left alone.
package texturecache

import "os"

// Lifetime is how long an unused text texture is kept.
const Lifetime = "1s"

func init() {
	if os.Getenv("FYNE_CACHE") == "" {
		os.Setenv("FYNE_CACHE", Lifetime)
	}
}
