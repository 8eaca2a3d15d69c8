package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// officeTheme is Fyne's theme in its light variant, whatever the desktop
// prefers: registers are read like paper, dark on light, as in the web
// systems clerks know. (A choice in Cài đặt comes with the window issue.)
type officeTheme struct{ fyne.Theme }

// NewTheme returns the app's theme.
func NewTheme() fyne.Theme { return officeTheme{theme.DefaultTheme()} }

func (t officeTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}
