package ui

import (
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/mail/pdfsig"
)

func isPDF(name string) bool { return strings.EqualFold(filepath.Ext(name), ".pdf") }

// signatureLine says, under a PDF attachment, whether it carries a digital
// signature, whose, when, and whether the document was changed after
// signing (read in the background: hashing a large PDF takes a moment).
// Signatures is keyed by the attachment's SHA-256, for tests.
func (v *DocumentView) signatureLine(a docstore.Attachment) fyne.CanvasObject {
	l := widget.NewLabel(T("pdfsig.checking"))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	if v.Signatures == nil {
		v.Signatures = map[string]*widget.Label{}
	}
	v.Signatures[a.SHA256] = l
	st := v.st
	goBackground(func() {
		text, imp := signatureText(st, a)
		OnMain(func() {
			l.Importance = imp
			l.SetText(text)
		})
	})
	return l
}

// signatureText words what pdfsig found.
func signatureText(st *docstore.Store, a docstore.Attachment) (string, widget.Importance) {
	f, err := st.Blobs().Open(a.SHA256)
	if err != nil {
		return ErrorText(err), widget.DangerImportance
	}
	defer f.Close()
	sigs, err := pdfsig.Inspect(f, a.Size)
	switch {
	case errors.Is(err, pdfsig.ErrNotPDF):
		return T("pdfsig.not_pdf"), widget.WarningImportance
	case err != nil:
		return ErrorText(err), widget.DangerImportance
	case len(sigs) == 0:
		return T("pdfsig.unsigned"), widget.WarningImportance
	}
	var lines []string
	imp := widget.SuccessImportance
	for _, s := range sigs {
		who := s.Signer
		if s.Organization != "" {
			who += " (" + s.Organization + ")"
		}
		when := ""
		if !s.SigningTime.IsZero() {
			when = s.SigningTime.In(docstore.VietnamTime).Format("15:04 02/01/2006")
		}
		args := map[string]any{"Signer": who, "Time": when, "Issuer": s.Issuer}
		switch {
		case errors.Is(s.Err, pdfsig.ErrModified):
			lines = append(lines, T("pdfsig.modified", args))
			imp = widget.DangerImportance
		case !s.Valid:
			args["Reason"] = s.Err.Error()
			lines = append(lines, T("pdfsig.invalid", args))
			imp = widget.DangerImportance
		case s.ChangedAfter:
			lines = append(lines, T("pdfsig.changed_after", args))
			if imp == widget.SuccessImportance {
				imp = widget.WarningImportance
			}
		default:
			lines = append(lines, T("pdfsig.valid", args))
		}
	}
	return strings.Join(lines, "\n"), imp
}
