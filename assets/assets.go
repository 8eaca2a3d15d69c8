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
