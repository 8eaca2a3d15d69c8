// Package texturecache shortens how long Fyne keeps a text texture that is
// no longer drawn, before Fyne reads the setting.
//
// Fyne caches one GL texture per distinct string for a minute (its
// FYNE_CACHE setting). Scrolling a register of a million rows draws new
// strings on every frame, so with the default every row scrolled past in
// the last minute stays in memory — a quarter of a gigabyte after a fast
// scroll to the end. Textures still on screen are kept alive by every
// frame, so a short lifetime costs nothing while the window is still.
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
