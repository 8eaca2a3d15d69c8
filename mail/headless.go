package mail

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"congvu/docs-store"
	"congvu/mail/account"
	"congvu/mail/edxml"
	"congvu/mail/exchange"
	"congvu/mail/imapsync"
)

// Console runs the headless commands an agency's IT uses to provision
// workstations by script and to diagnose sync:
//
//	congvu account add --address A [--name N] --imap HOST:PORT [--imap-security tls|starttls]
//	                   --smtp HOST:PORT [--smtp-security tls|starttls] [--user U] [--ca FILE]
//	                   [--shared] [--ask-password] [--no-check]     (password on standard input)
//	congvu account list
//	congvu account remove ADDRESS
//	congvu sync --once [--timings] [--password-stdin]
//
// The words come from the app's translations (T) and error sentences
// (ErrorText), so IT reads the same Vietnamese as the users.
type Console struct {
	Service   *Service
	Store     *docstore.Store
	In        io.Reader
	Out, Err  io.Writer
	T         func(key string, data ...any) string
	ErrorText func(error) string
}

// Run dispatches "account …" and "sync …"; it returns the exit status.
func (c *Console) Run(ctx context.Context, cmd string, args []string) int {
	var err error
	switch {
	case cmd == "account" && len(args) > 0 && args[0] == "add":
		err = c.accountAdd(ctx, args[1:])
	case cmd == "account" && len(args) > 0 && args[0] == "list":
		err = c.accountList(ctx)
	case cmd == "account" && len(args) > 1 && args[0] == "remove":
		err = c.accountRemove(ctx, args[1])
	case cmd == "sync":
		return c.sync(ctx, args)
	default:
		fmt.Fprintln(c.Err, c.T("cli.usage"))
		return 2
	}
	if err != nil {
		// A form shows a field's error beside the field; here, name it.
		var fe *docstore.FieldError
		if errors.As(err, &fe) {
			fmt.Fprint(c.Err, c.T("cli.field."+fe.Field)+": ")
		}
		fmt.Fprintln(c.Err, c.ErrorText(err))
		return 1
	}
	return 0
}

func splitHostPort(s, field string) (string, int, error) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, &docstore.FieldError{Field: field, Reason: "format"}
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, &docstore.FieldError{Field: field, Reason: "format"}
	}
	return h, n, nil
}

func (c *Console) accountAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("account add", flag.ContinueOnError)
	fs.SetOutput(c.Err)
	address := fs.String("address", "", "e-mail address")
	name := fs.String("name", "", "display name")
	user := fs.String("user", "", "login name (default: the address)")
	imapAddr := fs.String("imap", "", "IMAP server HOST:PORT")
	imapSec := fs.String("imap-security", "", "tls or starttls (default: tls on 993, else starttls)")
	smtpAddr := fs.String("smtp", "", "SMTP submission server HOST:PORT")
	smtpSec := fs.String("smtp-security", "", "tls or starttls (default: tls on 465, else starttls)")
	caFile := fs.String("ca", "", "PEM file of the agency's CA to trust for this account")
	shared := fs.Bool("shared", false, "a shared mailbox (văn thư)")
	ask := fs.Bool("ask-password", false, "do not save the password: ask at each start")
	noCheck := fs.Bool("no-check", false, "save without trying the servers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a := docstore.MailAccount{Address: *address, DisplayName: *name, Username: *user, Shared: *shared,
		IMAPSecurity: *imapSec, SMTPSecurity: *smtpSec, PasswordMode: docstore.PasswordKeyring}
	var err error
	if a.IMAPHost, a.IMAPPort, err = splitHostPort(*imapAddr, "imap_host"); err != nil {
		return err
	}
	if a.SMTPHost, a.SMTPPort, err = splitHostPort(*smtpAddr, "smtp_host"); err != nil {
		return err
	}
	if *ask {
		a.PasswordMode = docstore.PasswordAsk
	}
	if *caFile != "" {
		b, err := os.ReadFile(*caFile)
		if err != nil {
			return fmt.Errorf("read CA file: %w", err)
		}
		a.CAPEM = string(b)
	}
	// The password: one line on standard input, straight to the keyring;
	// it is never an argument (ps would show it) nor printed.
	pw, err := bufio.NewReader(c.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	pw = strings.TrimRight(pw, "\r\n")
	if pw == "" && !*ask {
		return &docstore.FieldError{Field: "password", Reason: "required"}
	}
	if existing, err := c.findAccount(ctx, a.Address); err == nil {
		a.ID, a.Position = existing.ID, existing.Position
	}
	if !*noCheck && pw != "" {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		res := c.Service.Check(cctx, a, pw)
		cancel()
		if res.IMAP != nil {
			return res.IMAP
		}
		if res.SMTP != nil {
			return res.SMTP
		}
	}
	if a.PasswordMode == docstore.PasswordKeyring && pw != "" {
		if err := account.KeyringAvailable(); err != nil {
			return err
		}
	}
	if err := c.Service.AddAccount(ctx, &a, pw); err != nil {
		return err
	}
	fmt.Fprintln(c.Out, c.T("cli.account.saved", map[string]any{"Address": a.Address, "ID": a.ID}))
	return nil
}

func (c *Console) findAccount(ctx context.Context, address string) (docstore.MailAccount, error) {
	as, err := c.Store.MailAccounts(ctx)
	if err != nil {
		return docstore.MailAccount{}, err
	}
	for _, a := range as {
		if strings.EqualFold(a.Address, address) || a.ID == address {
			return a, nil
		}
	}
	return docstore.MailAccount{}, docstore.ErrNotFound
}

func (c *Console) accountList(ctx context.Context) error {
	as, err := c.Store.MailAccounts(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.Out, 2, 4, 2, ' ', 0)
	for _, a := range as {
		fmt.Fprintf(w, "%s\t%s\t%s:%d %s\t%s:%d %s\t%s\n", a.Address, a.DisplayName, a.IMAPHost, a.IMAPPort, a.IMAPSecurity,
			a.SMTPHost, a.SMTPPort, a.SMTPSecurity, a.PasswordMode)
	}
	return w.Flush()
}

func (c *Console) accountRemove(ctx context.Context, address string) error {
	a, err := c.findAccount(ctx, address)
	if err != nil {
		return err
	}
	return c.Service.RemoveAccount(ctx, a.ID)
}

// sync --once: every account, then a table (folders, new, changed,
// removed, bodies, errors) and the time; exit 1 when anything failed.
func (c *Console) sync(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(c.Err)
	once := fs.Bool("once", false, "sync every account once and exit")
	timings := fs.Bool("timings", false, "also print, per folder, when its list and its bodies were complete")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input, for accounts without a saved one (kept in memory only)")
	if err := fs.Parse(args); err != nil || !*once {
		fmt.Fprintln(c.Err, c.T("cli.usage"))
		return 2
	}
	if *pwStdin {
		pw, err := bufio.NewReader(c.In).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			fmt.Fprintln(c.Err, c.ErrorText(err))
			return 1
		}
		pw = strings.TrimRight(pw, "\r\n")
		accts, err := c.Store.MailAccounts(ctx)
		if err != nil {
			fmt.Fprintln(c.Err, c.ErrorText(err))
			return 1
		}
		for _, a := range accts {
			if _, err := c.Service.Password(ctx, a.ID); err != nil {
				c.Service.SetPassword(ctx, a.ID, pw, false)
			}
		}
	}
	t0 := time.Now()
	if *timings {
		// Every step of the engines, with its time, on standard error.
		c.Service.OnProgress = func(p imapsync.Progress) {
			fmt.Fprintf(c.Err, "%8.3f s  %-8s %s %d\n", time.Since(t0).Seconds(), p.Phase, p.Folder, p.Done)
		}
	}
	sums, err := c.Service.SyncOnce(ctx)
	if err != nil {
		fmt.Fprintln(c.Err, c.ErrorText(err))
		return 1
	}
	if len(sums) == 0 {
		fmt.Fprintln(c.Err, c.T("cli.sync.noaccounts"))
		return 1
	}
	// Packages from other agencies this sync brought are queued for the văn
	// thư (and answered 01) before the outbox goes.
	if xs, err := c.Service.Exchange.Scan(ctx); err != nil && !errors.Is(err, exchange.ErrNoExchangeAccount) {
		fmt.Fprintln(c.Err, c.ErrorText(err))
	} else if xs.Documents+xs.Duplicates+xs.Statuses+len(xs.Refused) > 0 {
		fmt.Fprintln(c.Out, c.T("cli.sync.exchange", map[string]any{"Documents": xs.Documents, "Duplicates": xs.Duplicates,
			"Statuses": xs.Statuses, "Refused": len(xs.Refused)}))
		for _, r := range xs.Refused {
			why := edxml.Sentence(r.Err)
			if errors.Is(r.Err, exchange.ErrUntrustedSender) {
				why = c.ErrorText(r.Err)
			}
			fmt.Fprintf(c.Err, "%s (%s): %s\n", r.Subject, r.From, why)
		}
	}
	// Messages the outbox holds go out too, so a script's sync is complete.
	for _, r := range c.Service.Sender.SendDue(ctx) {
		if r.Err != nil {
			fmt.Fprintf(c.Err, "%s: %s\n", r.Item.Subject, c.ErrorText(r.Err))
		}
	}
	w := tabwriter.NewWriter(c.Out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, c.T("cli.sync.header"))
	status := 0
	for _, s := range sums {
		nw, ch, rm, bd, errs := s.Totals()
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%.2f s\t\n", s.Account, len(s.Folders), nw, ch, rm, bd, errs, s.Elapsed.Seconds())
		if errs > 0 {
			status = 1
		}
	}
	w.Flush()
	if *timings {
		for _, s := range sums {
			for _, f := range s.Folders {
				fmt.Fprintln(c.Out, c.T("cli.sync.timing", map[string]any{"Account": s.Account, "Folder": f.Folder,
					"List": fmt.Sprintf("%.3f", f.ListReady.Seconds()), "Done": fmt.Sprintf("%.3f", f.Done.Seconds())}))
			}
		}
	}
	for _, s := range sums {
		if s.Err != nil {
			fmt.Fprintf(c.Err, "%s: %s\n", s.Account, c.ErrorText(s.Err))
		}
		for _, f := range s.Folders {
			if f.Err != nil {
				fmt.Fprintf(c.Err, "%s %s: %s\n", s.Account, f.Folder, c.ErrorText(f.Err))
			}
		}
	}
	fmt.Fprintln(c.Out, c.T("cli.sync.elapsed", map[string]any{"Seconds": fmt.Sprintf("%.2f", time.Since(t0).Seconds())}))
	return status
}
