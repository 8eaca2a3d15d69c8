package ui

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
)

// AccountForm is "Tài khoản thư": a mailbox the user reads (their own, or
// the văn thư's shared one). "Kiểm tra kết nối" logs in to both servers
// and says, for each, that it works or why not, in Vietnamese. A server
// whose certificate nobody vouched for can be trusted, after the user
// compared its SHA-256 fingerprint: the certificate is added to the
// account's own roots (CAPEM), so verification stays on.
//
// The password is a password entry; it goes only to the mail service
// (keyring or memory), never to a label, a log or the store.
type AccountForm struct {
	Content fyne.CanvasObject

	Address, DisplayName, Username, IMAPHost, IMAPPort, SMTPHost, SMTPPort, Password *widget.Entry
	IMAPSecurity, SMTPSecurity                                                       *widget.Select
	// SavePassword: "in the OS keyring" (first) or "ask at each start".
	SavePassword               *widget.RadioGroup
	Shared                     *widget.Check
	Check, Trust, Save, Cancel *widget.Button
	// UseAsk shows when the keyring cannot be used: it switches to "ask at
	// each start" and saves again. Nothing falls back silently.
	UseAsk *widget.Button
	// CertInfo describes the untrusted certificate(s) beside Trust:
	// fingerprint, subject, issuer, validity.
	CertInfo *widget.Label
	Message  *widget.Label

	// KeyringCheck says whether the OS keyring can be used
	// (account.KeyringAvailable; it may show the keyring's unlock prompt,
	// so it runs in the background). Tests replace it.
	KeyringCheck func() error

	svc       *mail.Service
	orig      docstore.MailAccount // the account edited (ID, position, …); zero when new
	capem     string               // trusted certificates, CAPEM as it will be saved
	untrusted []*account.UntrustedCertError
	auto      struct{ user, imap, smtp string } // what the address last filled in
	errs      map[string]*widget.Label
	body      *fyne.Container
	done      func(*docstore.MailAccount)
}

// The values behind the security selects and the password radio, in the
// order of their options.
var (
	acctSecurityValues = []string{docstore.SecurityTLS, docstore.SecurityStartTLS}
	acctPasswordModes  = []string{docstore.PasswordKeyring, docstore.PasswordAsk}
)

// NewAccountForm builds the form for a new account (a == nil) or to edit a.
// done gets the saved account, or nil when the user cancels.
func NewAccountForm(svc *mail.Service, a *docstore.MailAccount, done func(saved *docstore.MailAccount)) *AccountForm {
	f := &AccountForm{svc: svc, done: done, errs: map[string]*widget.Label{}, KeyringCheck: account.KeyringAvailable}
	if a != nil {
		f.orig = *a
		f.capem = a.CAPEM
	}
	f.Address = widget.NewEntry()
	f.Address.SetPlaceHolder("vanthu@sotnmt.hanoi.gov.vn")
	f.DisplayName = widget.NewEntry()
	f.Username = widget.NewEntry()
	f.Password = widget.NewPasswordEntry()
	f.IMAPHost, f.SMTPHost = widget.NewEntry(), widget.NewEntry()
	f.IMAPHost.SetPlaceHolder("mail.hanoi.gov.vn")
	f.SMTPHost.SetPlaceHolder("mail.hanoi.gov.vn")
	f.IMAPPort, f.SMTPPort = widget.NewEntry(), widget.NewEntry()
	secNames := []string{T("mailacct.sec_tls"), T("mailacct.sec_starttls")}
	f.IMAPSecurity = widget.NewSelect(secNames, nil)
	f.SMTPSecurity = widget.NewSelect(secNames, nil)
	f.SavePassword = widget.NewRadioGroup([]string{T("mailacct.pw_keyring"), T("mailacct.pw_ask")}, nil)
	f.SavePassword.Required = true
	f.Shared = widget.NewCheck(T("mailacct.shared"), nil)

	if a != nil {
		f.Address.SetText(a.Address)
		f.DisplayName.SetText(a.DisplayName)
		f.Username.SetText(a.Username)
		if a.Username == a.Address {
			f.auto.user = a.Username // still follows the address
		}
		f.IMAPHost.SetText(a.IMAPHost)
		f.SMTPHost.SetText(a.SMTPHost)
		if a.IMAPPort > 0 {
			f.IMAPPort.SetText(strconv.Itoa(a.IMAPPort))
		}
		if a.SMTPPort > 0 {
			f.SMTPPort.SetText(strconv.Itoa(a.SMTPPort))
		}
		f.Shared.SetChecked(a.Shared)
		f.Password.SetPlaceHolder(T("mailacct.password_keep"))
	}
	acctSelect(f.IMAPSecurity, acctSecurityValues, acctOr(f.orig.IMAPSecurity, docstore.SecurityTLS))
	acctSelect(f.SMTPSecurity, acctSecurityValues, acctOr(f.orig.SMTPSecurity, docstore.SecurityStartTLS))
	mode := acctOr(f.orig.PasswordMode, docstore.PasswordKeyring)
	for i, m := range acctPasswordModes {
		if m == mode {
			f.SavePassword.SetSelected(f.SavePassword.Options[i])
		}
	}
	// Set after the initial values, so loading an account fills nothing in.
	f.Address.OnChanged = f.addressTyped
	f.IMAPSecurity.OnChanged = func(string) { acctSwapPort(f.IMAPPort, f.IMAPSecurity, "993", "143") }
	f.SMTPSecurity.OnChanged = func(string) { acctSwapPort(f.SMTPPort, f.SMTPSecurity, "465", "587") }

	f.Message = widget.NewLabel("")
	f.Message.Wrapping = fyne.TextWrapWord
	f.CertInfo = widget.NewLabel("")
	f.CertInfo.Wrapping = fyne.TextWrapBreak // fingerprints are one long word
	f.CertInfo.Hide()
	f.Check = widget.NewButton(T("mailacct.check"), f.check)
	f.Trust = widget.NewButton(T("mailacct.trust"), f.trust)
	f.Trust.Importance = widget.WarningImportance
	f.Trust.Hide()
	f.Save = widget.NewButton(T("mailacct.save"), f.save)
	f.Save.Importance = widget.HighImportance
	f.Cancel = widget.NewButton(T("mailacct.cancel"), func() {
		if f.done != nil {
			f.done(nil)
		}
	})
	f.UseAsk = widget.NewButton(T("mailacct.use_ask"), func() {
		f.SavePassword.SetSelected(f.SavePassword.Options[1])
		f.save()
	})
	f.UseAsk.Hide()

	label := func(key string) fyne.CanvasObject {
		l := widget.NewLabel(T(key))
		return container.NewGridWrap(fyne.NewSize(230, l.MinSize().Height), l)
	}
	errLabel := func(name string) *widget.Label {
		e := widget.NewLabel("")
		e.Importance = widget.DangerImportance
		e.Wrapping = fyne.TextWrapWord
		e.Hide()
		f.errs[name] = e
		return e
	}
	field := func(key, name string, w fyne.CanvasObject) fyne.CanvasObject {
		return container.NewBorder(nil, errLabel(name), nil, nil, container.NewBorder(nil, nil, label(key), nil, w))
	}
	server := func(key, prefix string, host, port *widget.Entry, sec *widget.Select) fyne.CanvasObject {
		portBox := container.NewGridWrap(fyne.NewSize(90, port.MinSize().Height), port)
		right := container.NewHBox(widget.NewLabel(T("mailacct.port")), portBox, sec)
		errs := container.NewVBox(errLabel(prefix+"_host"), errLabel(prefix+"_port"), errLabel(prefix+"_security"))
		return container.NewBorder(nil, errs, nil, nil, container.NewBorder(nil, nil, label(key), right, host))
	}
	title := widget.NewLabel(T("mailacct.title"))
	title.TextStyle.Bold = true
	title.SizeName = "headingText"
	pwHeading := widget.NewLabel(T("mailacct.save_password"))
	f.body = container.NewVBox(title,
		field("mailacct.address", "address", f.Address),
		field("mailacct.display_name", "display_name", f.DisplayName),
		field("mailacct.username", "username", f.Username),
		field("mailacct.password", "password", f.Password),
		server("mailacct.imap", "imap", f.IMAPHost, f.IMAPPort, f.IMAPSecurity),
		server("mailacct.smtp", "smtp", f.SMTPHost, f.SMTPPort, f.SMTPSecurity),
		pwHeading, f.SavePassword, errLabel("password_mode"),
		f.Shared,
		container.NewHBox(f.Check),
		f.Message,
		f.CertInfo,
		container.NewHBox(f.Trust),
		container.NewHBox(f.Save, f.Cancel, f.UseAsk),
	)
	f.Content = container.NewVScroll(container.NewPadded(f.body))
	return f
}

func acctOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// acctShowIf shows o when on, else hides it.
func acctShowIf(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// acctSelect selects the option whose value (values, same order) is v.
func acctSelect(s *widget.Select, values []string, v string) {
	for i, x := range values {
		if x == v {
			s.SetSelectedIndex(i)
		}
	}
}

// acctSwapPort moves a port left at the usual number of one security to the
// usual number of the other (993 ↔ 143, 465 ↔ 587); a port the user chose
// stays.
func acctSwapPort(port *widget.Entry, sec *widget.Select, tlsPort, startTLSPort string) {
	switch p := strings.TrimSpace(port.Text); {
	case sec.SelectedIndex() == 0 && p == startTLSPort:
		port.SetText(tlsPort)
	case sec.SelectedIndex() == 1 && p == tlsPort:
		port.SetText(startTLSPort)
	}
}

// addressTyped fills in what follows from the address: the user name, and
// the servers as mail.<domain> with the usual ports — each only while it
// is empty or still what the address filled in, so nothing the user typed
// is overwritten.
func (f *AccountForm) addressTyped(s string) {
	addr := strings.TrimSpace(s)
	if f.Username.Text == f.auto.user {
		f.Username.SetText(addr)
		f.auto.user = addr
	}
	host := ""
	if _, domain, ok := strings.Cut(addr, "@"); ok && domain != "" && !strings.ContainsAny(domain, "@ ") {
		host = "mail." + strings.ToLower(domain)
	}
	if f.IMAPHost.Text == f.auto.imap {
		f.IMAPHost.SetText(host)
		f.auto.imap = host
		if host != "" && strings.TrimSpace(f.IMAPPort.Text) == "" {
			f.IMAPSecurity.SetSelectedIndex(0)
			f.IMAPPort.SetText("993")
		}
	}
	if f.SMTPHost.Text == f.auto.smtp {
		f.SMTPHost.SetText(host)
		f.auto.smtp = host
		if host != "" && strings.TrimSpace(f.SMTPPort.Text) == "" {
			f.SMTPSecurity.SetSelectedIndex(1)
			f.SMTPPort.SetText("587")
		}
	}
}

// account reads the form. A port that is not a number is an error on it;
// the rest is validated by the store when saving.
func (f *AccountForm) account() (docstore.MailAccount, error) {
	a := f.orig
	a.Address = strings.TrimSpace(f.Address.Text)
	a.DisplayName = strings.TrimSpace(f.DisplayName.Text)
	a.Username = strings.TrimSpace(f.Username.Text)
	a.IMAPHost = strings.TrimSpace(f.IMAPHost.Text)
	a.SMTPHost = strings.TrimSpace(f.SMTPHost.Text)
	a.CAPEM = f.capem
	a.Shared = f.Shared.Checked
	a.IMAPSecurity = acctSecurityValues[max(f.IMAPSecurity.SelectedIndex(), 0)]
	a.SMTPSecurity = acctSecurityValues[max(f.SMTPSecurity.SelectedIndex(), 0)]
	a.PasswordMode = docstore.PasswordKeyring
	if f.SavePassword.Selected == f.SavePassword.Options[1] {
		a.PasswordMode = docstore.PasswordAsk
	}
	var errs []error
	port := func(field string, e *widget.Entry) int {
		s := strings.TrimSpace(e.Text)
		if s == "" {
			return 0 // the store fills in the usual one
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 65535 {
			errs = append(errs, &docstore.FieldError{Field: field, Reason: "range"})
		}
		return n
	}
	a.IMAPPort = port("imap_port", f.IMAPPort)
	a.SMTPPort = port("smtp_port", f.SMTPPort)
	return a, errors.Join(errs...)
}

// acctCheckable is a with what the store would fill in (user name, ports), for
// a connection test before saving.
func acctCheckable(a docstore.MailAccount) docstore.MailAccount {
	if a.Username == "" {
		a.Username = a.Address
	}
	if a.IMAPPort == 0 {
		a.IMAPPort = map[string]int{docstore.SecurityTLS: 993, docstore.SecurityStartTLS: 143}[a.IMAPSecurity]
	}
	if a.SMTPPort == 0 {
		a.SMTPPort = map[string]int{docstore.SecurityTLS: 465, docstore.SecurityStartTLS: 587}[a.SMTPSecurity]
	}
	return a
}

func (f *AccountForm) clearErrors() {
	for _, e := range f.errs {
		e.Hide()
	}
	f.Message.SetText("")
	f.relayout()
}

// relayout recomputes the layout after message lines appear or go.
func (f *AccountForm) relayout() {
	refreshTree(f.body)
}

// showError puts each field error beside its field; anything else goes to
// the message line.
func (f *AccountForm) showError(err error) {
	marked := false
	for _, fe := range docstore.FieldErrors(err) {
		if l, ok := f.errs[fe.Field]; ok {
			l.SetText(fieldText(fe))
			l.Show()
			marked = true
		}
	}
	if marked {
		f.Message.SetText(T("form.fix_fields"))
	} else {
		f.Message.SetText(ErrorText(err))
	}
	f.relayout()
}

// check runs "Kiểm tra kết nối" in the background: the typed password, or
// the saved one of an account being edited.
func (f *AccountForm) check() {
	f.clearErrors()
	a, err := f.account()
	if err != nil {
		f.showError(err)
		return
	}
	a = acctCheckable(a)
	pw := f.Password.Text
	f.untrusted = nil
	f.Trust.Hide()
	f.CertInfo.Hide()
	f.Check.Disable()
	f.Message.SetText(T("mailacct.checking"))
	svc := f.svc
	goBackground(func() {
		ctx := context.Background()
		var res account.CheckResult
		var pwErr error
		if pw == "" && a.ID != "" {
			pw, pwErr = svc.Password(ctx, a.ID)
		}
		if pwErr == nil && pw == "" {
			pwErr = account.ErrNoPassword
		}
		if pwErr == nil {
			res = svc.Check(ctx, a, pw)
		}
		OnMain(func() {
			f.Check.Enable()
			if pwErr != nil {
				f.Message.SetText(ErrorText(pwErr))
				f.relayout()
				return
			}
			f.showCheck(a, res)
		})
	})
}

// showCheck says how each server answered and, for a certificate nobody
// vouched for, what it is and whether trusting it would help.
func (f *AccountForm) showCheck(a docstore.MailAccount, res account.CheckResult) {
	line := func(server, host string, port int, err error) string {
		head := T("err.mail.server."+server, map[string]any{"Host": host, "Port": port})
		if err == nil {
			return head + " " + T("mailacct.ok")
		}
		text := ErrorText(err)
		if !strings.HasPrefix(text, head) {
			text = head + " " + text
		}
		return text
	}
	lines := []string{line("imap", a.IMAPHost, a.IMAPPort, res.IMAP), line("smtp", a.SMTPHost, a.SMTPPort, res.SMTP)}

	var info []string
	seen := map[string]bool{}
	for _, err := range []error{res.IMAP, res.SMTP} {
		var uc *account.UntrustedCertError
		if !errors.As(err, &uc) || seen[uc.Fingerprint] {
			continue
		}
		seen[uc.Fingerprint] = true
		info = append(info, T("mailacct.cert_info", map[string]any{
			"Fingerprint": uc.Fingerprint, "Subject": uc.Subject, "Issuer": uc.Issuer,
			"From":   uc.NotBefore.In(docstore.VietnamTime).Format("02/01/2006"),
			"Expiry": uc.NotAfter.In(docstore.VietnamTime).Format("02/01/2006")}))
		switch {
		case uc.HostMismatch: // trusting it would not help
			info = append(info, T("mailacct.cert_mismatch", map[string]any{"Host": uc.Host, "Names": strings.Join(uc.Names, ", ")}))
		case uc.Expired:
			info = append(info, T("mailacct.cert_expired"))
		default:
			f.untrusted = append(f.untrusted, uc)
		}
	}
	f.Message.SetText(strings.Join(lines, "\n"))
	f.CertInfo.SetText(strings.Join(info, "\n\n"))
	acctShowIf(f.CertInfo, len(info) > 0)
	acctShowIf(f.Trust, len(f.untrusted) > 0)
	f.relayout()
}

// trust asks, fingerprint in view, whether to trust the certificate(s)
// found by the last check; if so they are added to the account's CAPEM
// and the connection is tested again.
func (f *AccountForm) trust() {
	certs := f.untrusted
	win := windowFor(f.Content)
	if len(certs) == 0 || win == nil {
		return
	}
	var fps, hosts []string
	for _, c := range certs {
		fps = append(fps, c.Fingerprint)
		if !slices.Contains(hosts, c.Host) {
			hosts = append(hosts, c.Host)
		}
	}
	msg := T("mailacct.trust_confirm", map[string]any{"Host": strings.Join(hosts, ", "), "Fingerprint": strings.Join(fps, "\n")})
	d := dialog.NewConfirm(T("mailacct.trust_title"), msg, func(yes bool) {
		if !yes {
			return
		}
		for _, c := range certs {
			f.capem = acctAppendPEM(f.capem, c.PEM)
		}
		f.untrusted = nil
		f.Trust.Hide()
		f.check()
	}, win)
	d.SetConfirmText(T("mailacct.trust_yes"))
	d.SetDismissText(T("mailacct.trust_no"))
	d.Show()
}

// acctAppendPEM adds certificates to a CAPEM, once.
func acctAppendPEM(capem, pem string) string {
	pem = strings.TrimSpace(pem)
	if pem == "" || strings.Contains(capem, pem) {
		return capem
	}
	if capem = strings.TrimSpace(capem); capem != "" {
		capem += "\n"
	}
	return capem + pem + "\n"
}

// save validates and saves the account with its password. Saving in the
// keyring is tried only where a keyring works; where none does, the user
// is told and offered "ask at each start" (UseAsk).
func (f *AccountForm) save() {
	f.clearErrors()
	f.UseAsk.Hide()
	a, err := f.account()
	if err != nil {
		f.showError(err)
		return
	}
	pw := f.Password.Text
	needKeyring := a.PasswordMode == docstore.PasswordKeyring && pw != ""
	probe, svc := f.KeyringCheck, f.svc
	f.Save.Disable()
	f.Message.SetText(T("mailacct.saving"))
	goBackground(func() {
		if needKeyring && probe != nil {
			if err := probe(); err != nil {
				OnMain(func() { f.noKeyring() })
				return
			}
		}
		err := svc.AddAccount(context.Background(), &a, pw)
		OnMain(func() {
			f.Save.Enable()
			if a.ID != "" {
				f.orig.ID = a.ID // the row is there even if the password was not kept: a retry updates it
			}
			if errors.Is(err, account.ErrNoKeyring) {
				f.noKeyring()
				return
			}
			if err != nil {
				f.showError(err)
				return
			}
			f.orig = a
			f.Password.SetText("")
			f.Message.SetText(T("mailacct.saved"))
			f.relayout()
			if f.done != nil {
				f.done(&a)
			}
		})
	})
}

// noKeyring says the keyring cannot be used and offers the other choice.
func (f *AccountForm) noKeyring() {
	f.Save.Enable()
	f.Message.SetText(ErrorText(account.ErrNoKeyring))
	f.UseAsk.Show()
	f.relayout()
}
