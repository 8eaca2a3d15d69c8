//go:build !linux

package docstore

func syncBlobs(dir string, files []string) error { return syncEach(files) }
