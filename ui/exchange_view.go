package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail/edxml"
	"congvu/mail/exchange"
)

// "Chờ tiếp nhận": the packages other agencies sent by edXML, waiting for
// the văn thư to register or refuse them (mail/exchange fills the queue
// after each sync and has already answered 01).

// ExchangeQueue is the page listing them.
type ExchangeQueue struct {
	Title    *widget.Label
	List     *widget.List
	Empty    *widget.Label
	Content  fyne.CanvasObject
	packages []docstore.ExchangeIncoming
	asked    map[string]string // package id → the sender's reason for taking it back
}

// exchangeButton is the Văn bản đến page's "Chờ tiếp nhận (N)", for the
// văn thư; it shows once the count is read, and only when N > 0.
func (s *Shell) exchangeButton() *widget.Button {
	b := widget.NewButton("", s.OpenExchangeQueue)
	b.Importance = widget.WarningImportance
	b.Hide()
	if !s.may(docstore.RoleClerk) {
		return b
	}
	st, viewer := s.st, s.viewer
	goBackground(func() {
		n, err := st.ExchangeWaitingCount(context.Background(), viewer)
		OnMain(func() {
			if err == nil && n > 0 {
				b.SetText(T("exchange.waiting_button", map[string]any{"Count": n}))
				b.Show()
			}
		})
	})
	return b
}

// OpenExchangeQueue shows the packages waiting.
func (s *Shell) OpenExchangeQueue() {
	s.leaveTo()
	q := &ExchangeQueue{asked: map[string]string{}}
	q.Title = widget.NewLabel(T("exchange.queue_title"))
	q.Title.SizeName = "headingText"
	q.Title.TextStyle.Bold = true
	q.Empty = widget.NewLabel(T("exchange.queue_empty"))
	q.Empty.Hide()
	q.List = widget.NewList(func() int { return len(q.packages) },
		func() fyne.CanvasObject {
			head := widget.NewLabel("")
			head.TextStyle.Bold = true
			head.Truncation = fyne.TextTruncateEllipsis
			subject := widget.NewLabel("")
			subject.Truncation = fyne.TextTruncateEllipsis
			flag := widget.NewLabel("")
			flag.Importance = widget.DangerImportance
			flag.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(head, subject, flag)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := q.packages[i]
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(fmt.Sprintf("%s  ·  %s  ·  %s", p.Notation, p.FromName,
				p.ReceivedAt.In(docstore.VietnamTime).Format("15:04 02/01/2006")))
			c.Objects[1].(*widget.Label).SetText(p.Subject)
			flag := c.Objects[2].(*widget.Label)
			if why, ok := q.asked[p.ID]; ok {
				flag.SetText(why)
				flag.Show()
			} else {
				flag.Hide()
			}
		})
	q.List.OnSelected = func(i widget.ListItemID) {
		q.List.UnselectAll()
		if i < len(q.packages) {
			s.OpenPackage(q.packages[i])
		}
	}
	help := widget.NewLabel(T("exchange.queue_help"))
	help.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(container.NewHBox(widget.NewButton(T("doc.back"), s.GoBack), q.Title, layout.NewSpacer()), help, q.Empty)
	q.Content = container.NewBorder(container.NewPadded(top), nil, nil, nil, q.List)
	s.ExchangeQueue = q
	s.page.Objects = []fyne.CanvasObject{q.Content}
	s.page.Refresh()

	st, viewer, x := s.st, s.viewer, s.exchange()
	goBackground(func() {
		ps, err := st.ExchangeWaitingList(context.Background(), viewer)
		asked := map[string]string{}
		if x != nil {
			for _, p := range ps {
				if req, ok, _ := x.PendingRequest(context.Background(), p); ok {
					asked[p.ID] = requestText(req)
				}
			}
		}
		OnMain(func() {
			if err != nil {
				q.Empty.SetText(ErrorText(err))
				q.Empty.Show()
				return
			}
			q.packages, q.asked = ps, asked
			q.Empty.Hidden = len(ps) > 0
			q.Empty.Refresh()
			q.List.Refresh()
		})
	})
}

// exchange is the mail service's exchange (nil without one: the demo).
func (s *Shell) exchange() *exchange.Exchange {
	if s.mailSvc == nil {
		return nil
	}
	return s.mailSvc.Exchange
}

// OpenPackage opens "Vào sổ" filled from a waiting package, with its files;
// registering answers 03 to the sender, "Từ chối" (with a reason) 02. A
// package its sender asked back shows the request and the two answers.
func (s *Shell) OpenPackage(p docstore.ExchangeIncoming) {
	in, err := exchange.Prefill(p, s.today())
	s.OpenRegisterForm()
	f := s.Form
	if err != nil {
		f.Message.SetText(ErrorText(err))
		return
	}
	f.Issuer.SetText(in.Issuer)
	f.Notation.SetText(in.Notation)
	f.DocDate.SetText(dmy(in.DocDate))
	f.Subject.SetText(in.Subject)
	if in.DueDate != "" {
		f.Due.SetText(dmy(in.DueDate))
	}
	if in.Pages > 0 {
		f.Pages.SetText(strconv.Itoa(in.Pages))
	}
	if t, ok := docstore.LookupDocType(in.Type); ok {
		f.Type.SetSelected(t.Name)
	}
	f.Urgency.SetSelectedIndex(int(in.Urgency))
	f.Source.SetSelectedIndex(3) // edXML
	f.Stored = in.Attachments
	f.showFiles()
	if sig := packageSignature(p); sig != "" {
		l := widget.NewLabel(sig)
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.LowImportance
		f.body.Objects = append([]fyne.CanvasObject{l}, f.body.Objects...)
		f.body.Refresh()
	}
	x, viewer, id := s.exchange(), s.viewer, p.ID
	if x == nil {
		return
	}
	f.Save = func(ctx context.Context, in docstore.IncomingInput) (docstore.Registered, error) {
		return x.Register(ctx, viewer, id, in)
	}
	refuse := widget.NewButton(T("exchange.refuse"), func() { s.refusePackage(x, id) })
	refuse.Importance = widget.DangerImportance
	f.Actions.Add(refuse)
	goBackground(func() {
		req, asked, err := x.PendingRequest(context.Background(), p)
		if err != nil || !asked {
			return
		}
		OnMain(func() {
			banner := widget.NewLabel(requestText(req))
			banner.Importance = widget.DangerImportance
			banner.Wrapping = fyne.TextWrapWord
			agree := widget.NewButton(T("exchange.revocation_agree"), func() { s.answerRevocation(x, id, true) })
			disagree := widget.NewButton(T("exchange.revocation_refuse"), func() { s.answerRevocation(x, id, false) })
			f.body.Objects = append([]fyne.CanvasObject{banner, container.NewHBox(agree, disagree)}, f.body.Objects...)
			f.body.Refresh()
		})
	})
}

// refusePackage asks why, then refuses (02 to the sender).
func (s *Shell) refusePackage(x *exchange.Exchange, id string) {
	reason := widget.NewMultiLineEntry()
	reason.SetPlaceHolder(T("exchange.refuse_hint"))
	run := func() {
		viewer, why := s.viewer, reason.Text
		goBackground(func() {
			err := x.Refuse(context.Background(), viewer, id, why)
			OnMain(func() { s.afterPackage(err, "exchange.refused") })
		})
	}
	if s.win == nil {
		run()
		return
	}
	dialog.ShowForm(T("exchange.refuse"), T("exchange.refuse"), T("mailacct.cancel"),
		[]*widget.FormItem{widget.NewFormItem(T("exchange.refuse_reason"), reason)}, func(ok bool) {
			if ok {
				run()
			}
		}, s.win)
}

func (s *Shell) answerRevocation(x *exchange.Exchange, id string, agree bool) {
	viewer := s.viewer
	goBackground(func() {
		err := x.AnswerRequest(context.Background(), viewer, id, agree, "")
		OnMain(func() { s.afterPackage(err, "exchange.answered") })
	})
}

// afterPackage says what happened and goes back to the queue.
func (s *Shell) afterPackage(err error, done string) {
	if err != nil {
		if s.Form != nil {
			s.Form.Message.SetText(ErrorText(err))
		}
		return
	}
	s.RefreshCounts()
	s.GoBack()
	if s.ExchangeQueue != nil {
		s.ExchangeQueue.Title.SetText(T("exchange.queue_title") + " — " + T(done))
	}
}

// exchangeSection is an issued outgoing document's "Liên thông": each
// agency it was sent to by edXML with the latest status it reported, and
// for the văn thư "Gửi liên thông…" and "Đề nghị lấy lại…".
func (v *DocumentView) exchangeSection(ctx context.Context, body *fyne.Container) fyne.CanvasObject {
	box := container.NewVBox(heading("exchange.section"))
	v.Recipients, _ = v.st.ExchangeRecipients(ctx, v.docID)
	names := map[string]string{}
	dir, _ := v.st.ExchangeAgencies(ctx)
	for _, a := range dir {
		names[a.OrganID] = a.Name
	}
	for _, r := range v.Recipients {
		name := names[r.OrganID]
		if name == "" {
			name = r.OrganID
		}
		state := T("exchange.sent_at", map[string]any{"Time": r.SentAt.In(docstore.VietnamTime).Format("15:04 02/01/2006")})
		if r.LastCode != "" {
			state = T("exchange.code."+r.LastCode) + " — " + r.LastAt.In(docstore.VietnamTime).Format("15:04 02/01/2006")
		}
		box.Add(widget.NewLabel(name + "  ·  " + state))
	}
	if len(v.Recipients) == 0 {
		box.Add(widget.NewLabel(T("exchange.not_sent")))
	}
	if !v.me().clerk || v.Doc.Secrecy > docstore.SecrecyNone {
		return box
	}
	v.SendExchange = widget.NewButton(T("exchange.send"), func() { v.askSend(dir, body) })
	v.SendExchange.Importance = widget.HighImportance
	row := container.NewHBox(v.SendExchange)
	if len(v.Recipients) > 0 {
		v.RevokeExchange = widget.NewButton(T("exchange.revoke"), func() { v.askRevoke(body) })
		row.Add(v.RevokeExchange)
	}
	box.Add(row)
	return box
}

// askSend picks agencies of the exchange directory and sends.
func (v *DocumentView) askSend(dir []docstore.ExchangeAgency, body *fyne.Container) {
	var opts []string
	ids := map[string]string{}
	for _, a := range dir {
		label := a.Name + " (" + a.OrganID + ")"
		opts = append(opts, label)
		ids[label] = a.OrganID
	}
	if len(opts) == 0 {
		v.Message.SetText(T("exchange.directory_empty"))
		return
	}
	pick := widget.NewCheckGroup(opts, nil)
	send := func() {
		var to []string
		for _, l := range pick.Selected {
			to = append(to, ids[l])
		}
		x, viewer, id := v.Exchange, v.viewer, v.docID
		v.do(body, func() error { _, err := x.SendDocument(context.Background(), viewer, id, to); return err })
	}
	w := windowFor(v.Content)
	if w == nil {
		return
	}
	d := dialog.NewCustomConfirm(T("exchange.send"), T("exchange.send_go"), T("mailacct.cancel"), container.NewVScroll(pick), func(ok bool) {
		if ok && len(pick.Selected) > 0 {
			send()
		}
	}, w)
	d.Resize(fyne.NewSize(640, 480))
	d.Show()
}

// askRevoke asks why and asks every recipient for the document back (13).
func (v *DocumentView) askRevoke(body *fyne.Container) {
	reason := widget.NewMultiLineEntry()
	x, viewer, id := v.Exchange, v.viewer, v.docID
	run := func() {
		v.do(body, func() error { return x.RequestRevocation(context.Background(), viewer, id, reason.Text) })
	}
	w := windowFor(v.Content)
	if w == nil {
		return
	}
	dialog.ShowForm(T("exchange.revoke"), T("exchange.revoke_go"), T("mailacct.cancel"),
		[]*widget.FormItem{widget.NewFormItem(T("exchange.refuse_reason"), reason)}, func(ok bool) {
			if ok {
				run()
			}
		}, w)
}

// exchangeDirectorySection is Cài đặt's "Danh bạ liên thông" (quản
// trị): how many agencies, an import of the list the province hands out
// (CSV: mã định danh, tên, thư điện tử), and one agency added by hand.
func (s *Shell) exchangeDirectorySection(p *SettingsPage) fyne.CanvasObject {
	box := container.NewVBox(heading("exchange.directory"))
	p.ExchangeAgencies = widget.NewLabel("")
	p.ExchangeAgencies.Wrapping = fyne.TextWrapWord
	count := func() {
		as, err := s.st.ExchangeAgencies(context.Background())
		if err != nil {
			p.ExchangeAgencies.SetText(ErrorText(err))
			return
		}
		p.ExchangeAgencies.SetText(T("exchange.directory_count", map[string]any{"Count": len(as)}))
	}
	count()
	p.ImportAgencies = widget.NewButton(T("exchange.import"), func() {
		if s.win == nil {
			return
		}
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			st, viewer := s.st, s.viewer
			goBackground(func() {
				defer r.Close()
				n, err := st.ImportExchangeAgencies(context.Background(), viewer, r)
				OnMain(func() {
					if err != nil {
						p.Message.SetText(importErrorText(err))
						return
					}
					p.Message.SetText(T("exchange.imported", map[string]any{"Count": n}))
					count()
				})
			})
		}, s.win)
	})
	p.AgencyID, p.AgencyName, p.AgencyEmail = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	p.AgencyID.SetPlaceHolder("000.00.00.H41")
	p.AgencyName.SetPlaceHolder(T("exchange.agency_name_hint"))
	p.AgencyEmail.SetPlaceHolder("vanthu@coquan.gov.vn")
	p.AddAgency = widget.NewButton(T("exchange.add_agency"), func() {
		a := docstore.ExchangeAgency{OrganID: p.AgencyID.Text, Name: p.AgencyName.Text, Email: p.AgencyEmail.Text}
		st, viewer := s.st, s.viewer
		runStep(p.Message, func() error { return st.SetExchangeAgency(context.Background(), viewer, a) }, func() {
			p.Message.SetText(T("exchange.agency_saved", map[string]any{"Name": a.Name}))
			for _, e := range []*widget.Entry{p.AgencyID, p.AgencyName, p.AgencyEmail} {
				e.SetText("")
			}
			count()
		})
	})
	help := widget.NewLabel(T("exchange.directory_help"))
	help.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(widget.NewFormItem(T("exchange.agency_id"), p.AgencyID), widget.NewFormItem(T("exchange.agency_name"), p.AgencyName),
		widget.NewFormItem(T("exchange.agency_email"), p.AgencyEmail))
	box.Add(help)
	box.Add(p.ExchangeAgencies)
	box.Add(container.NewHBox(p.ImportAgencies))
	box.Add(form)
	box.Add(container.NewHBox(p.AddAgency))
	return box
}

// importErrorText names the line of an imported list that was refused.
func importErrorText(err error) string {
	var ie *docstore.ImportError
	if errors.As(err, &ie) {
		return T("exchange.import_line", map[string]any{"Line": ie.Line, "Reason": ErrorText(ie.Err)})
	}
	return ErrorText(err)
}

// requestText says what the sender asks: to give a document back, to take
// an updated or a replacing version.
func requestText(r exchange.Request) string {
	key := "exchange.revocation_asked"
	switch r.Kind {
	case edxml.BusinessUpdate:
		key = "exchange.update_asked"
	case edxml.BusinessReplacement:
		key = "exchange.replacement_asked"
	}
	return T(key, map[string]any{"Reason": r.Reason})
}

// packageSignature says whose certificate signed the package's XML (the
// signature is kept and shown, not verified here), "" when unsigned.
func packageSignature(p docstore.ExchangeIncoming) string {
	var pkg edxml.Package
	if json.Unmarshal([]byte(p.Meta), &pkg) != nil || pkg.Signature == nil {
		return ""
	}
	c := pkg.Signature.Certificate
	if c == nil {
		return T("exchange.signed_no_cert")
	}
	return T("exchange.signed_by", map[string]any{"Subject": c.Subject, "Issuer": c.Issuer,
		"From": c.NotBefore.In(docstore.VietnamTime).Format("02/01/2006"), "To": c.NotAfter.In(docstore.VietnamTime).Format("02/01/2006")})
}
