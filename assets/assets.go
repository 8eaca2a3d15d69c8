// Package assets embeds the icon and the translations (Vietnamese first,
// English second) into the binary.
package assets

import (
	"embed"
	_ "embed"
)

// Translations holds translations/vi.json and translations/en.json.
//
//go:embed translations/*.json
var Translations embed.FS

// Icon is the application icon (PNG).
//
//go:embed icon.png
var Icon []byte

// SerifFonts are the printed registers' fonts (fonts/README.md):
// Liberation Serif regular, bold and italic, SIL Open Font License 1.1.
//
//go:embed fonts/LiberationSerif-Regular.ttf
var SerifRegular []byte

//go:embed fonts/LiberationSerif-Bold.ttf
var SerifBold []byte

//go:embed fonts/LiberationSerif-Italic.ttf
var SerifItalic []byte
