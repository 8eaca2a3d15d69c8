package ui

import (
	"errors"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"congvu/assets"
	docstore "congvu/docs-store"
)

// Languages the app ships, Vietnamese first (the default).
var Languages = []string{"vi", "en"}

// SetupLanguage loads the translations of the chosen language ("vi" unless
// the user picked "en"). The chosen file is registered for both tags, so the
// window speaks the user's choice whatever the system's locale is — an
// English Windows in a Vietnamese office still gets Vietnamese.
func SetupLanguage(choice string) error {
	if choice != "en" {
		choice = "vi"
	}
	// Fyne's own strings (Cancel, OK, …) follow the system locale on Linux.
	os.Setenv("LANGUAGE", choice)
	data, err := assets.Translations.ReadFile("translations/" + choice + ".json")
	if err != nil {
		return err
	}
	for _, tag := range Languages {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(tag)); err != nil {
			return err
		}
	}
	return nil
}

// T translates a message key; data fills {{.Name}} placeholders.
func T(key string, data ...any) string {
	return lang.LocalizeKey(key, key, data...)
}

// ErrorText turns a store error into a sentence for the user. Raw error
// text is shown only as the detail of an unexpected error.
func ErrorText(err error) string {
	var fe *docstore.FieldError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, docstore.ErrLocked):
		return T("err.locked")
	case errors.Is(err, docstore.ErrCorrupt):
		return T("err.corrupt")
	case errors.Is(err, docstore.ErrSchemaTooNew):
		return T("err.schema_new")
	case errors.As(err, &fe):
		return T("err.invalid") + " " + T("field."+fe.Reason)
	case errors.Is(err, docstore.ErrForbidden):
		return T("err.forbidden")
	case errors.Is(err, docstore.ErrNotFound):
		return T("err.not_found")
	case errors.Is(err, docstore.ErrTransition):
		return T("err.transition")
	case errors.Is(err, docstore.ErrRegisterClosed):
		return T("err.register_closed")
	case errors.Is(err, docstore.ErrWrongYear):
		return T("err.wrong_year")
	case errors.Is(err, docstore.ErrNumberTaken):
		return T("err.number_taken")
	case errors.Is(err, docstore.ErrNoAgency):
		return T("err.no_agency")
	}
	return T("err.other", map[string]any{"Detail": err.Error()})
}
