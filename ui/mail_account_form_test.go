package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail"
	"congvu/mail/account"
	"congvu/mail/mailtest"
)

// mailFormRig opens an empty store with a mail service whose keyring is
// memory only, and a Fyne test app with the test bridge. The store is
// opened first, so it is closed after the background work has ended.
func mailFormRig(t *testing.T) (*docstore.Store, *mail.Service) {
	t.Helper()
	if err := SetupLanguage("vi"); err != nil {
		t.Fatal(err)
	}
	st, err := docstore.Open(t.TempDir(), docstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	test.NewTempApp(t)
	useTestBridge(t)
	return st, mail.NewService(st, mail.Options{Keyring: account.Memory()})
}

// mailFormWait is eventually with a longer limit, for real servers (a
// refused login is answered after the server's delay).
func mailFormWait(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		select {
		case f := <-mainQueue:
			f()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// tapInOverlay taps the button labelled text in the top dialog.
func tapInOverlay(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatalf("no dialog to press %q in", text)
	}
	for _, b := range widgetsDeep[*widget.Button](top) {
		if b.Text == text {
			test.Tap(b)
			return
		}
	}
	t.Fatalf("no %q button in the dialog (labels %q)", text, labelsDeep(top))
}

// Typing the address fills in the user name and the servers (mail.<domain>,
// 993/TLS and 587/STARTTLS) but never what the user typed; Save keeps the
// account, and the password only in the keyring: not in a label, not in
// the data folder.
func TestAccountFormFillsInAndSaves(t *testing.T) {
	st, svc := mailFormRig(t)
	ctx := context.Background()
	var saved *docstore.MailAccount
	f := NewAccountForm(svc, nil, func(a *docstore.MailAccount) { saved = a })
	f.KeyringCheck = func() error { return nil }
	w := test.NewTempWindow(t, f.Content)
	w.Resize(fyne.NewSize(900, 900))

	test.Type(f.Address, "vanthu@sotnmt.hanoi.gov.vn")
	if f.Username.Text != "vanthu@sotnmt.hanoi.gov.vn" || f.IMAPHost.Text != "mail.sotnmt.hanoi.gov.vn" || f.SMTPHost.Text != "mail.sotnmt.hanoi.gov.vn" {
		t.Fatalf("filled in: user %q, imap %q, smtp %q", f.Username.Text, f.IMAPHost.Text, f.SMTPHost.Text)
	}
	if f.IMAPPort.Text != "993" || f.IMAPSecurity.Selected != "TLS" || f.SMTPPort.Text != "587" || f.SMTPSecurity.Selected != "STARTTLS" {
		t.Fatalf("ports: %s/%s, %s/%s", f.IMAPPort.Text, f.IMAPSecurity.Selected, f.SMTPPort.Text, f.SMTPSecurity.Selected)
	}
	// The user's own server name stays when the address changes.
	f.IMAPHost.SetText("imap.hanoi.gov.vn")
	f.Address.SetText("vanthu.so@sotnmt.hanoi.gov.vn")
	if f.IMAPHost.Text != "imap.hanoi.gov.vn" || f.Username.Text != "vanthu.so@sotnmt.hanoi.gov.vn" {
		t.Fatalf("after changing the address: imap %q, user %q", f.IMAPHost.Text, f.Username.Text)
	}
	// Another security moves a port left at its usual number.
	f.SMTPSecurity.SetSelected("TLS")
	if f.SMTPPort.Text != "465" {
		t.Fatalf("SMTP over TLS on port %q", f.SMTPPort.Text)
	}
	f.SMTPSecurity.SetSelected("STARTTLS")

	test.Type(f.DisplayName, "Văn thư Sở Tài nguyên và Môi trường")
	const pw = "Mật-khẩu-bí-mật-2026"
	test.Type(f.Password, pw)
	if !f.Password.Password {
		t.Fatal("the password entry shows the password")
	}
	f.Shared.SetChecked(true)
	if f.SavePassword.Selected != "Lưu trong kho mật khẩu của hệ điều hành" {
		t.Fatalf("password choice %q", f.SavePassword.Selected)
	}
	test.Tap(f.Save)
	eventually(t, "the saved account", func() bool { return saved != nil })

	accts, err := st.MailAccounts(ctx)
	if err != nil || len(accts) != 1 {
		t.Fatalf("accounts %+v %v", accts, err)
	}
	a := accts[0]
	if a.ID != saved.ID || a.Address != "vanthu.so@sotnmt.hanoi.gov.vn" || a.DisplayName != "Văn thư Sở Tài nguyên và Môi trường" ||
		a.IMAPHost != "imap.hanoi.gov.vn" || a.IMAPPort != 993 || a.IMAPSecurity != docstore.SecurityTLS ||
		a.SMTPHost != "mail.sotnmt.hanoi.gov.vn" || a.SMTPPort != 587 || a.SMTPSecurity != docstore.SecurityStartTLS ||
		a.PasswordMode != docstore.PasswordKeyring || !a.Shared || a.CAPEM != "" {
		t.Fatalf("saved %+v", a)
	}
	if got, err := svc.Password(ctx, a.ID); got != pw || err != nil {
		t.Fatalf("password in the keyring: %q %v", got, err)
	}
	if f.Password.Text != "" || !strings.Contains(f.Message.Text, "Đã lưu") {
		t.Fatalf("after saving: password entry %q, message %q", f.Password.Text, f.Message.Text)
	}
	for _, l := range labelsDeep(f.Content) {
		if strings.Contains(l, pw) {
			t.Fatalf("the password is shown: %q", l)
		}
	}
	st.Close() // flush everything, then look through the data folder
	filepath.WalkDir(st.Dir(), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(pw)) {
				t.Errorf("the password is written in %s", p)
			}
		}
		return nil
	})
}

// What the store refuses is said beside the field; a port that is no
// port is caught before.
func TestAccountFormFieldErrors(t *testing.T) {
	st, svc := mailFormRig(t)
	f := NewAccountForm(svc, nil, func(*docstore.MailAccount) { t.Error("saved an invalid account") })
	f.KeyringCheck = func() error { return nil }
	test.NewTempWindow(t, f.Content)

	test.Type(f.Address, "vanthu@")
	f.IMAPPort.SetText("99999")
	test.Tap(f.Save)
	if !f.errs["imap_port"].Visible() || f.errs["imap_port"].Text != "Cổng phải là một số từ 1 đến 65535." {
		t.Fatalf("port: %v %q", f.errs["imap_port"].Visible(), f.errs["imap_port"].Text)
	}
	f.IMAPPort.SetText("")
	test.Tap(f.Save)
	eventually(t, "the refusal", func() bool { return f.errs["address"].Visible() })
	if !strings.HasPrefix(f.errs["address"].Text, "Địa chỉ thư không hợp lệ") || f.Message.Text != "Hãy sửa các ô có thông báo đỏ." {
		t.Fatalf("address: %q, message %q", f.errs["address"].Text, f.Message.Text)
	}
	if !f.errs["imap_host"].Visible() || f.errs["imap_host"].Text != "Không được để trống." || f.errs["imap_port"].Visible() {
		t.Fatalf("imap host %q, port shown %v", f.errs["imap_host"].Text, f.errs["imap_port"].Visible())
	}
	if accts, _ := st.MailAccounts(context.Background()); len(accts) != 0 {
		t.Fatalf("saved %+v", accts)
	}
}

// No keyring: the user is told and offered "ask at each start", which
// keeps the password for this run only; nothing falls back silently.
func TestAccountFormWithoutKeyring(t *testing.T) {
	st, svc := mailFormRig(t)
	ctx := context.Background()
	var saved *docstore.MailAccount
	f := NewAccountForm(svc, nil, func(a *docstore.MailAccount) { saved = a })
	f.KeyringCheck = func() error { return fmt.Errorf("%w: no session bus", account.ErrNoKeyring) }
	test.NewTempWindow(t, f.Content)
	test.Type(f.Address, "chuyenvien@stp.hanoi.gov.vn")
	test.Type(f.Password, "matkhau")
	test.Tap(f.Save)
	eventually(t, "the keyring message", func() bool { return f.UseAsk.Visible() })
	if f.Message.Text != ErrorText(account.ErrNoKeyring) || !strings.Contains(f.Message.Text, "kho mật khẩu") {
		t.Fatalf("message %q", f.Message.Text)
	}
	if accts, _ := st.MailAccounts(ctx); len(accts) != 0 || saved != nil {
		t.Fatalf("saved without asking: %+v", accts)
	}
	test.Tap(f.UseAsk)
	eventually(t, "the saved account", func() bool { return saved != nil })
	if saved.PasswordMode != docstore.PasswordAsk || f.SavePassword.Selected != "Hỏi mỗi lần mở Công vụ" || f.UseAsk.Visible() {
		t.Fatalf("saved %+v, choice %q", saved, f.SavePassword.Selected)
	}
	if got, err := svc.Password(ctx, saved.ID); got != "matkhau" || err != nil {
		t.Fatalf("password for this run: %q %v", got, err)
	}

	// Editing it again: the form shows the account; an empty password
	// keeps the one there is.
	saved2 := saved
	saved = nil
	g := NewAccountForm(svc, saved2, func(a *docstore.MailAccount) { saved = a })
	if g.Address.Text != "chuyenvien@stp.hanoi.gov.vn" || g.SMTPPort.Text != "587" || g.SavePassword.Selected != "Hỏi mỗi lần mở Công vụ" {
		t.Fatalf("edit form: %q %q %q", g.Address.Text, g.SMTPPort.Text, g.SavePassword.Selected)
	}
	test.Type(g.DisplayName, "Chuyên viên")
	test.Tap(g.Save)
	eventually(t, "the update", func() bool { return saved != nil })
	accts, _ := st.MailAccounts(ctx)
	if len(accts) != 1 || accts[0].DisplayName != "Chuyên viên" || accts[0].ID != saved2.ID {
		t.Fatalf("after editing: %+v", accts)
	}
	if got, _ := svc.Password(ctx, saved2.ID); got != "matkhau" {
		t.Fatalf("password after editing: %q", got)
	}
}

// fingerprintOf is the SHA-256 of the first certificate in a PEM file, as
// openssl prints it.
func fingerprintOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("no PEM in %s", path)
	}
	sum := sha256.Sum256(blk.Bytes)
	var hexs []string
	for _, c := range sum {
		hexs = append(hexs, fmt.Sprintf("%02X", c))
	}
	return strings.Join(hexs, ":")
}

// "Kiểm tra kết nối" against the real test server: its self-signed
// certificate is not trusted (the fingerprint is shown); trusting it
// after the confirmation adds it to the account and the check passes;
// a wrong password is said in Vietnamese.
func TestAccountFormCheckTrustAndWrongPassword(t *testing.T) {
	env := mailtest.Shared(t)
	st, svc := mailFormRig(t)
	acct := env.Account("clerk")
	var saved *docstore.MailAccount
	f := NewAccountForm(svc, nil, func(a *docstore.MailAccount) { saved = a })
	f.KeyringCheck = func() error { return nil }
	w := test.NewTempWindow(t, f.Content)
	w.Resize(fyne.NewSize(1000, 1000))

	test.Type(f.Address, acct.Address)
	f.IMAPHost.SetText(acct.IMAPHost)
	f.SMTPHost.SetText(acct.SMTPHost)
	f.IMAPSecurity.SetSelected("STARTTLS")
	f.IMAPPort.SetText(strconv.Itoa(acct.IMAPPort))
	f.SMTPPort.SetText(strconv.Itoa(acct.SMTPPort))
	test.Type(f.Password, env.Password("clerk"))
	f.SavePassword.SetSelected("Hỏi mỗi lần mở Công vụ")

	test.Tap(f.Check)
	mailFormWait(t, "the check", 30*time.Second, func() bool { return !f.Check.Disabled() })
	fp := fingerprintOf(t, env.CA)
	if !f.Trust.Visible() || !f.CertInfo.Visible() || !strings.Contains(f.CertInfo.Text, fp) || !strings.Contains(f.CertInfo.Text, "CN=localhost") {
		t.Fatalf("untrusted certificate: trust %v, info %q, message %q", f.Trust.Visible(), f.CertInfo.Text, f.Message.Text)
	}
	if !strings.Contains(f.Message.Text, "Máy chủ nhận thư (IMAP) 127.0.0.1:") || !strings.Contains(f.Message.Text, "Máy chủ gửi thư (SMTP) 127.0.0.1:") ||
		strings.Count(f.Message.Text, "không được tin cậy") != 2 || !strings.Contains(f.Message.Text, fp) {
		t.Fatalf("check message %q", f.Message.Text)
	}
	capture(t, w, "congvu-mail-account-untrusted.png")

	// Trust: asked first, fingerprint in view; "Không" changes nothing.
	test.Tap(f.Trust)
	if !strings.Contains(strings.Join(labelsDeep(w.Canvas().Overlays().Top()), "|"), fp) {
		t.Fatal("the confirmation does not show the fingerprint")
	}
	tapInOverlay(t, w, "Không")
	if f.capem != "" || !f.Trust.Visible() {
		t.Fatal("trusted without a yes")
	}
	test.Tap(f.Trust)
	tapInOverlay(t, w, "Tin cậy")
	mailFormWait(t, "the second check", 30*time.Second, func() bool {
		return !f.Check.Disabled() && strings.Count(f.Message.Text, "Kết nối được") == 2
	})
	if f.Trust.Visible() || f.CertInfo.Visible() || !strings.Contains(f.capem, "BEGIN CERTIFICATE") {
		t.Fatalf("after trusting: trust %v, info %v", f.Trust.Visible(), f.CertInfo.Visible())
	}

	// A wrong password.
	f.Password.SetText("sai-mat-khau")
	test.Tap(f.Check)
	mailFormWait(t, "the refusal", 30*time.Second, func() bool { return !f.Check.Disabled() })
	if strings.Count(f.Message.Text, "Tên đăng nhập hoặc mật khẩu không đúng") != 2 || strings.Contains(f.Message.Text, "sai-mat-khau") {
		t.Fatalf("wrong password: %q", f.Message.Text)
	}

	// Saved with the right one: the trusted certificate goes with it, and
	// the sync engine's dialer can log in with it.
	f.Password.SetText(env.Password("clerk"))
	test.Tap(f.Save)
	eventually(t, "the saved account", func() bool { return saved != nil })
	got, err := st.MailAccount(context.Background(), saved.ID)
	if err != nil || !strings.Contains(got.CAPEM, "BEGIN CERTIFICATE") || got.IMAPPort != acct.IMAPPort || got.PasswordMode != docstore.PasswordAsk {
		t.Fatalf("saved %+v %v", got, err)
	}
	if res := svc.Check(context.Background(), got, env.Password("clerk")); !res.OK() {
		t.Fatalf("the saved account does not connect: %v / %v", res.IMAP, res.SMTP)
	}
}
