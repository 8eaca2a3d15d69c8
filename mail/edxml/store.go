package edxml

import (
	"io"

	"congvu/docs-store"
)

// BlobStore is the project's content-addressed blob store as a Store: the
// app's own (attachments land where the registered document keeps them),
// or one in a temporary folder (congvu edxml show / check, the tests).
func BlobStore(b *docstore.BlobStore) Store { return blobStore{b} }

type blobStore struct{ b *docstore.BlobStore }

func (s blobStore) Put(r io.Reader) (Ref, error) {
	ref, err := s.b.Put(r)
	return Ref{SHA256: ref.SHA256, Size: ref.Size}, err
}

func (s blobStore) Open(sha string) (ReadAtCloser, error) { return s.b.Open(sha) }
