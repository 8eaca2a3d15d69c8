package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	docstore "congvu/docs-store"
)

// Files in and out of the blob store: "Lưu thành…" streams a stored file to
// a place the user picks, checking its SHA-256 on the way; files picked in
// a dialog or dropped on the window are streamed in. Neither ever holds a
// whole file in memory, and a stored name is only ever suggested (made
// safe by docstore.SafeFileName), never used as a path.

var (
	errNotLocal = errors.New("not a local file")
	errIsFolder = errors.New("a folder, not a file")
)

// localFile checks that a picked or dropped URI is a file on this machine
// (drag and drop can bring http: links or a folder).
func localFile(u fyne.URI) error {
	if u == nil || u.Scheme() != "file" {
		return errNotLocal
	}
	fi, err := os.Stat(u.Path())
	if err != nil {
		return &docstore.FieldError{Field: "file", Reason: "missing"}
	}
	if fi.IsDir() {
		return errIsFolder
	}
	if !fi.Mode().IsRegular() { // a device or a pipe would stream forever
		return errNotLocal
	}
	return nil
}

// storeFile streams a local file into the blob store; its name (the last
// element of the path) is kept as metadata. Call it off the main goroutine.
func storeFile(st *docstore.Store, u fyne.URI) (docstore.Attachment, error) {
	if err := localFile(u); err != nil {
		return docstore.Attachment{}, err
	}
	r, err := storage.Reader(u)
	if err != nil {
		return docstore.Attachment{}, &docstore.FieldError{Field: "file", Reason: "missing"}
	}
	defer r.Close()
	ref, err := st.Blobs().Put(r)
	if err != nil {
		return docstore.Attachment{}, err
	}
	return docstore.Attachment{SHA256: ref.SHA256, Name: u.Name(), Size: ref.Size}, nil
}

// uriName is how a URI is named in a message: the path of a local file,
// else the whole URI.
func uriName(u fyne.URI) string {
	if u == nil {
		return ""
	}
	if u.Scheme() == "file" {
		return u.Path()
	}
	return u.String()
}

// fileErrorText is ErrorText with the sentences of files added.
func fileErrorText(err error) string {
	var we *docstore.WriteError
	switch {
	case errors.Is(err, errNotLocal):
		return T("file.not_local")
	case errors.Is(err, errIsFolder):
		return T("file.is_folder")
	case errors.Is(err, docstore.ErrDamaged):
		return T("file.damaged")
	case errors.As(err, &we) && errors.Is(we.Err, syscall.ENOSPC):
		return T("file.disk_full")
	case errors.As(err, &we) && errors.Is(we.Err, fs.ErrPermission):
		return T("file.no_permission")
	case errors.As(err, &we):
		return T("file.write_failed", map[string]any{"Detail": we.Err.Error()})
	}
	return ErrorText(err)
}

// windowFor is the window showing o, the parent a dialog needs.
func windowFor(o fyne.CanvasObject) fyne.Window {
	app := fyne.CurrentApp()
	if app == nil {
		return nil
	}
	ws := app.Driver().AllWindows()
	if c := app.Driver().CanvasForObject(o); c != nil {
		for _, w := range ws {
			if w.Canvas() == c {
				return w
			}
		}
	}
	if len(ws) > 0 {
		return ws[0]
	}
	return nil
}

// askSaveAs opens the save dialog with the stored name, made safe, as the
// suggestion; save gets the writer the user chose, a failure goes to msg.
func askSaveAs(win fyne.Window, msg *widget.Label, a docstore.Attachment, save func(fyne.URIWriteCloser)) {
	askSave(win, msg, docstore.SafeFileName(a.Name), save)
}

// askSave shows the save dialog with name suggested; save gets the file
// chosen (nothing when the user cancels; a failure is said in msg).
func askSave(win fyne.Window, msg *widget.Label, name string, save func(fyne.URIWriteCloser)) {
	if win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			msg.SetText(T("file.write_failed", map[string]any{"Detail": err.Error()}))
			return
		}
		if w != nil {
			save(w)
		}
	}, win)
	d.SetFileName(name)
	d.Show()
}

// saveCopy streams a stored file into w in the background, verifying its
// SHA-256 on the way, with btn disabled and msg saying what goes on. A copy
// that fails (a damaged blob, a full disk) is deleted, so no file that looks
// complete is left behind; when it cannot be deleted the message says so.
// done, if set, runs on the main goroutine afterwards.
func saveCopy(st *docstore.Store, a docstore.Attachment, w fyne.URIWriteCloser, btn *widget.Button, msg *widget.Label, done func(error)) {
	saveStream(a.Name, func(w io.Writer) error {
		_, err := st.Blobs().CopyTo(w, docstore.BlobRef{SHA256: a.SHA256, Size: a.Size})
		return err
	}, w, btn, msg, done)
}

// saveStream is saveCopy for any stream (a mail attachment decoded from its
// message): copy writes the file into w in the background; a failed copy is
// deleted and the message says so.
func saveStream(name string, copy func(io.Writer) error, w fyne.URIWriteCloser, btn *widget.Button, msg *widget.Label, done func(error)) {
	dest := w.URI()
	if btn != nil {
		btn.Disable()
	}
	msg.SetText(T("file.saving", map[string]any{"Name": name}))
	goBackground(func() {
		err := copy(w)
		if err == nil {
			if s, ok := w.(interface{ Sync() error }); ok {
				if serr := s.Sync(); serr != nil {
					err = &docstore.WriteError{Err: serr}
				}
			}
		}
		if cerr := w.Close(); err == nil && cerr != nil {
			err = &docstore.WriteError{Err: cerr}
		}
		var derr error
		if err != nil {
			derr = storage.Delete(dest)
		}
		OnMain(func() { // worded here: translations are read on the main goroutine only
			text := T("file.saved_as", map[string]any{"Path": uriName(dest)})
			if err != nil {
				text = fileErrorText(err)
				if errors.Is(err, docstore.ErrNotFound) {
					text = T("file.blob_missing")
				}
				if derr != nil {
					text += " " + T("file.partial_left", map[string]any{"Path": uriName(dest)})
				} else {
					text += " " + T("file.partial_removed")
				}
			}
			if btn != nil {
				btn.Enable()
			}
			msg.SetText(text)
			if done != nil {
				done(err)
			}
		})
	})
}

// sizeText is a file size in KB, as the document view always showed it.
func sizeText(n int64) string { return fmt.Sprintf("%d KB", (n+1023)/1024) }

// dropHint is the "Kéo thả tệp vào đây" line beside a file button.
func dropHint() *widget.Label {
	l := widget.NewLabel(T("file.drop_hint"))
	l.Importance = widget.LowImportance
	return l
}
