package ui

import (
	"context"
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
	"congvu/docs-store/printed"
)

// printRegister asks where to save the register printed to PDF (Decree 30
// Phụ lục IV) and writes it in the background.
func (s *Shell) printRegister(r docstore.Register, msg *widget.Label) {
	askSave(s.win, msg, docstore.SafeFileName(r.Name+".pdf"), func(w fyne.URIWriteCloser) { s.PrintRegisterTo(r, w, msg) })
}

// PrintRegisterTo prints register r into w (closed after) and says how
// many documents and pages.
func (s *Shell) PrintRegisterTo(r docstore.Register, w io.WriteCloser, msg *widget.Label) {
	msg.SetText(T("register.printing"))
	st, viewer := s.st, s.viewer
	goBackground(func() {
		sum, err := printed.RegisterPDF(context.Background(), st, viewer, r.ID, w, printed.Options{})
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		OnMain(func() {
			if err != nil {
				msg.SetText(ErrorText(err))
				return
			}
			msg.SetText(T("register.printed", map[string]any{"Name": r.Name, "Rows": sum.Rows, "Pages": sum.Pages}))
		})
	})
}
