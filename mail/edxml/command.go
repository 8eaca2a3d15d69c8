package edxml

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"congvu/docs-store"
)

// Command runs `congvu edxml show FILE` and `congvu edxml check FILE`, for
// clerks and integrators diagnosing packages: show prints the parsed
// fields as JSON; check says whether the package is valid and, if not,
// every reason, in Vietnamese. The exit status is 0 when the package is
// read (show) or valid (check), 1 when it is not, 2 on a usage error.
func Command(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || (args[0] != "show" && args[0] != "check") {
		fmt.Fprintln(stderr, "cách dùng: congvu edxml show TỆP   (in các trường của gói tin dạng JSON)")
		fmt.Fprintln(stderr, "           congvu edxml check TỆP  (gói tin có hợp lệ không, nếu không thì vì sao)")
		return 2
	}
	f, err := os.Open(args[1])
	if err != nil {
		fmt.Fprintln(stderr, "Không mở được tệp:", err)
		return 2
	}
	defer f.Close()
	dir, err := os.MkdirTemp("", "congvu-edxml-")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	defer os.RemoveAll(dir) // the attachments were only read to be checked
	blobs, err := docstore.NewBlobStore(dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	p, err := Parse(f, BlobStore(blobs), Options{})
	if err != nil {
		fmt.Fprintln(stderr, Sentence(err))
		return 1
	}
	problems := Validate(p, time.Now())
	if args[0] == "show" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(p); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		for _, e := range problems {
			fmt.Fprintln(stderr, "Cảnh báo:", Sentence(e))
		}
		return 0
	}
	what := describe(p)
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "Gói tin hợp lệ: %s.\n", what)
		return 0
	}
	fmt.Fprintf(stdout, "Gói tin đọc được (%s) nhưng có %d lỗi:\n", what, len(problems))
	for _, e := range problems {
		fmt.Fprintln(stdout, "  -", Sentence(e))
	}
	return 1
}

// describe names a package in a few words.
func describe(p *Package) string {
	if p.Status != nil {
		return fmt.Sprintf("trạng thái %s của %s về %s", p.Status.Code, p.Status.From.OrganID, p.Status.ResponseFor.DocumentID)
	}
	d := p.Document
	return fmt.Sprintf("%s/%s của %s, %d tệp đính kèm", d.CodeNumber, d.CodeNotation, d.From.OrganID, len(d.Attachments))
}
