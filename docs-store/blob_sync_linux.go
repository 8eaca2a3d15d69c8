package docstore

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncBlobs: one syncfs(2) flushes every dirty page and directory entry of
// the file system that holds the blob folder — for a batch of hundreds of
// files far cheaper than an fsync each.
func syncBlobs(dir string, files []string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return syncEach(files)
	}
	return nil
}
