package edxml

import (
	"bytes"
	"testing"
)

// BenchmarkParse reads a package with one 1 MB attachment into a store
// (go test -bench Parse ./mail/edxml/).
func BenchmarkParse(b *testing.B) {
	for _, zipped := range []bool{false, true} {
		name := "plain"
		if zipped {
			name = "zipped"
		}
		b.Run(name, func(b *testing.B) {
			d := sample()
			d.Attachments = []Attachment{{ContentID: "a1", Name: "vb.pdf", ContentType: "application/pdf"}}
			content := bytes.Repeat([]byte("%PDF-1.7 công văn "), 1<<16)
			var pkg bytes.Buffer
			if err := WriteDocument(&pkg, d, files{"a1": content}.open, zipped); err != nil {
				b.Fatal(err)
			}
			st := tempStore(b)
			b.SetBytes(int64(pkg.Len()))
			b.ResetTimer()
			for range b.N {
				if _, err := Parse(bytes.NewReader(pkg.Bytes()), st, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
