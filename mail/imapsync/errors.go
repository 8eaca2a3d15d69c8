package imapsync

import (
	"errors"
	"fmt"
)

// Errors the window maps to Vietnamese (errors.Is). Connection failures
// themselves come from package account (ErrHostNotFound, ErrAuthFailed, …)
// wrapped in a *account.ConnError.
var (
	// ErrOffline: the engine has no connection right now; the request can
	// be made again when it is back (the status line says so).
	ErrOffline = errors.New("mail server not connected")
	// ErrConnectionLost: the server went away in the middle of a command.
	// What was committed stays; the next sync resumes from there.
	ErrConnectionLost = errors.New("connection to the mail server was lost")
	// ErrFolderGone: the folder is no longer on the server.
	ErrFolderGone = errors.New("folder no longer exists on the server")
)

// FolderError says which folder a failure happened in.
type FolderError struct {
	Folder string
	Op     string // "select", "headers", "flags", "expunge", "bodies"
	Err    error
}

func (e *FolderError) Error() string { return fmt.Sprintf("%s %s: %v", e.Op, e.Folder, e.Err) }
func (e *FolderError) Unwrap() error { return e.Err }
