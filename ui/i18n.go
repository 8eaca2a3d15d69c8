package ui

import (
	"errors"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"congvu/assets"
	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/exchange"
	"congvu/mail/imapsync"
	"congvu/mail/journal"
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
	// "C"/"POSIX" (servers, scripts, CI) is no language tag: Fyne would log
	// "Error parsing user locale C" at every translation load. They only
	// mean "no locale", so say nothing instead.
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v == "C" || v == "POSIX" || strings.HasPrefix(v, "C.") {
			os.Unsetenv(k)
		}
	}
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

// errorKeys maps the store's sentinel errors to their sentences, tried in
// order (a field error is handled before them).
var errorKeys = []struct {
	err error
	key string
}{
	{docstore.ErrLocked, "err.locked"},
	{docstore.ErrCorrupt, "err.corrupt"},
	{docstore.ErrSchemaTooNew, "err.schema_new"},
	{docstore.ErrForbidden, "err.forbidden"},
	{docstore.ErrNotFound, "err.not_found"},
	{docstore.ErrTransition, "err.transition"},
	{docstore.ErrRegisterClosed, "err.register_closed"},
	{docstore.ErrWrongYear, "err.wrong_year"},
	{docstore.ErrNumberTaken, "err.number_taken"},
	{docstore.ErrNoAgency, "err.no_agency"},
	{docstore.ErrNeedsConnection, "err.journal.needs_connection"},
	{docstore.ErrUnconfirmed, "err.journal.unconfirmed"},
	{docstore.ErrNoAdminKey, "err.journal.no_admin_key"},
	{docstore.ErrOffline, "err.journal.offline"},
	{journal.ErrNoFounding, "err.journal.no_founding"},
	{journal.ErrNotJoined, "err.journal.not_joined"},
	{journal.ErrNoKey, "err.journal.no_key"},
	{mail.ErrNoOwnAccount, "err.journal.no_own_account"},
	{account.ErrHostNotFound, "err.mail.host_not_found"},
	{account.ErrPortClosed, "err.mail.port_closed"},
	{account.ErrTimeout, "err.mail.timeout"},
	{account.ErrNetwork, "err.mail.network"},
	{account.ErrAuthFailed, "err.mail.auth"},
	{account.ErrTLS, "err.mail.tls"},
	{account.ErrProtocol, "err.mail.protocol"},
	{account.ErrNoKeyring, "err.mail.no_keyring"},
	{account.ErrNoPassword, "err.mail.no_password"},
	{imapsync.ErrConnectionLost, "err.mail.lost"},
	{account.ErrLiteralBroken, "err.mail.lost"},
	{exchange.ErrNoExchangeAccount, "err.exchange.no_account"},
	{exchange.ErrSecret, "err.exchange.secret"},
	{exchange.ErrUnknownAgency, "err.exchange.unknown_agency"},
	{exchange.ErrNotIssued, "err.exchange.not_issued"},
	{exchange.ErrNoRequest, "err.exchange.no_request"},
	{exchange.ErrUntrustedSender, "err.exchange.untrusted"},
	{docstore.ErrExchangeDone, "err.exchange.done"},
	{imapsync.ErrOffline, "err.mail.offline"},
	{imapsync.ErrFolderGone, "err.mail.folder_gone"},
}

// ErrorText turns a store error into a sentence for the user. Raw error
// text is shown only as the detail of an unexpected error.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	var worded interface{ Sentence() string }
	if errors.As(err, &worded) {
		return worded.Sentence()
	}
	var fe *docstore.FieldError
	if errors.As(err, &fe) {
		return T("err.invalid") + " " + fieldText(fe)
	}
	// A certificate nobody vouched for: name the server and show the
	// fingerprint, which the user can compare with what the agency's IT
	// says before trusting it.
	var uc *account.UntrustedCertError
	if errors.As(err, &uc) {
		return T("err.mail.untrusted", map[string]any{"Host": uc.Host, "Fingerprint": uc.Fingerprint})
	}
	for _, k := range errorKeys {
		if errors.Is(err, k.err) {
			// Say which server when it is a connection failure.
			var ce *account.ConnError
			if errors.As(err, &ce) {
				return T("err.mail.server."+ce.Server, map[string]any{"Host": ce.Host, "Port": ce.Port}) + " " + T(k.key)
			}
			return T(k.key)
		}
	}
	return T("err.other", map[string]any{"Detail": err.Error()})
}

// fieldText is the sentence for a field the store refused: beside the
// field in a form, after the field's name elsewhere (ErrorText, the
// headless commands). The mail account's fields have their own words.
func fieldText(fe *docstore.FieldError) string {
	switch {
	case fe.Field == "address" && fe.Reason == "format":
		return T("mailacct.err_address")
	case fe.Field == "address" && fe.Reason == "duplicate":
		return T("mailacct.err_duplicate")
	case strings.HasSuffix(fe.Field, "_host") && fe.Reason == "format":
		return T("mailacct.err_host")
	case strings.HasSuffix(fe.Field, "_port"):
		return T("mailacct.err_port")
	case fe.Field == "email" && fe.Reason == "format":
		return T("mailacct.err_address")
	case fe.Field == "public_key" && fe.Reason == "format":
		return T("person.err_key")
	}
	return T("field." + fe.Reason)
}
