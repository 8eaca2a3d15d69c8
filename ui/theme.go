package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// officeTheme is Fyne's theme in its light variant, whatever the desktop
// prefers: registers are read like paper, dark on light, as in the web
// systems clerks know. Text can be made larger in Cài đặt (many users read
// long trích yếu on small office screens).
type officeTheme struct {
	fyne.Theme
	scale float32
}

// NewTheme returns the app's theme at Fyne's text size.
func NewTheme() fyne.Theme { return NewScaledTheme(1) }

// NewScaledTheme returns the app's theme with text (and the icons set in
// text) scaled by scale.
func NewScaledTheme(scale float32) fyne.Theme {
	if scale <= 0 {
		scale = 1
	}
	return officeTheme{theme.DefaultTheme(), scale}
}

func (t officeTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantLight)
}

func (t officeTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText,
		theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return s * t.scale
	}
	return s
}
