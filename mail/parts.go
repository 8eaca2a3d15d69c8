package mail

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"congvu/docs-store"
	"congvu/mail/mimemsg"
)

// CopyPart streams one attachment of a cached message into w: the raw
// message is read from the blob store and the part decoded on the way, so
// a 200 MB attachment never sits in memory.
func CopyPart(st *docstore.Store, m docstore.MailMessage, p docstore.MailPart, w io.Writer) (int64, error) {
	if m.State != docstore.BodyPresent {
		return 0, fmt.Errorf("attachment %s: %w", p.Name, docstore.ErrNotFound)
	}
	f, err := st.OpenMailRaw(context.Background(), m.Blob)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := mimemsg.OpenPart(f, p.Path, w)
	if err != nil {
		return n, fmt.Errorf("attachment %s: %w", p.Name, err)
	}
	return n, nil
}

// ExtractPart writes an attachment to a file of its own under dir, named
// after the attachment made safe (docstore.SafeFileName: no path, no
// reserved Windows name, no direction override, bounded length), for the
// system viewer or the registration form. Each message part gets its own
// sub-folder, so two attachments called "CV.pdf" do not collide. An
// existing whole copy is reused.
func ExtractPart(st *docstore.Store, m docstore.MailMessage, p docstore.MailPart, dir string) (string, error) {
	sub := filepath.Join(dir, fmt.Sprintf("%d-%s", m.Rowid, strings.ReplaceAll(p.Path, ".", "_")))
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return "", err
	}
	dst := filepath.Join(sub, docstore.SafeFileName(p.Name))
	if fi, err := os.Stat(dst); err == nil && p.Size >= 0 && fi.Size() == p.Size {
		return dst, nil
	}
	tmp, err := os.CreateTemp(sub, ".part-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	_, err = CopyPart(st, m, p, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", err
	}
	return dst, nil
}

// PartReadCloser is CopyPart as a reader (the composer attaches a
// forwarded message's files this way, streamed when the message is built).
func PartReadCloser(st *docstore.Store, m docstore.MailMessage, p docstore.MailPart) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		_, err := CopyPart(st, m, p, pw)
		pw.CloseWithError(err)
	}()
	return pr
}
