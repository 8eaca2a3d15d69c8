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

// exportRegister asks where to save the register as a spreadsheet.
func (s *Shell) exportRegister(r docstore.Register, msg *widget.Label) {
	askSave(s.win, msg, docstore.SafeFileName(r.Name+".xlsx"), func(w fyne.URIWriteCloser) { s.ExportRegisterTo(r, w, msg) })
}

// printTracking asks where to save the Sổ theo dõi giải quyết văn bản
// đến of incoming register r.
func (s *Shell) printTracking(r docstore.Register, msg *widget.Label) {
	askSave(s.win, msg, docstore.SafeFileName("Sổ theo dõi giải quyết "+r.Name+".pdf"), func(w fyne.URIWriteCloser) {
		s.writeRegister(w, msg, func(ctx context.Context, st *docstore.Store, viewer string) (string, error) {
			sum, err := printed.TrackingPDF(ctx, st, viewer, r.ID, w, printed.Options{})
			return T("register.printed", map[string]any{"Name": r.Name, "Rows": sum.Rows, "Pages": sum.Pages}), err
		})
	})
}

// PrintRegisterTo prints register r into w (closed after) and says how
// many documents and pages.
func (s *Shell) PrintRegisterTo(r docstore.Register, w io.WriteCloser, msg *widget.Label) {
	s.writeRegister(w, msg, func(ctx context.Context, st *docstore.Store, viewer string) (string, error) {
		sum, err := printed.RegisterPDF(ctx, st, viewer, r.ID, w, printed.Options{})
		return T("register.printed", map[string]any{"Name": r.Name, "Rows": sum.Rows, "Pages": sum.Pages}), err
	})
}

// ExportRegisterTo writes register r into w as a spreadsheet (closed
// after).
func (s *Shell) ExportRegisterTo(r docstore.Register, w io.WriteCloser, msg *widget.Label) {
	s.writeRegister(w, msg, func(ctx context.Context, st *docstore.Store, viewer string) (string, error) {
		n, err := printed.RegisterXLSX(ctx, st, viewer, r.ID, w)
		return T("register.exported", map[string]any{"Name": r.Name, "Rows": n}), err
	})
}

// writeRegister runs write in the background, closes w, and says what
// was written (or why not) in msg.
func (s *Shell) writeRegister(w io.WriteCloser, msg *widget.Label, write func(context.Context, *docstore.Store, string) (string, error)) {
	msg.SetText(T("register.printing"))
	st, viewer := s.st, s.viewer
	goBackground(func() {
		done, err := write(context.Background(), st, viewer)
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		OnMain(func() {
			if err != nil {
				msg.SetText(ErrorText(err))
				return
			}
			msg.SetText(done)
		})
	})
}
